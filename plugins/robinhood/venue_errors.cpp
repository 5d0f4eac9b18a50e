#include "venue_errors.hpp"

#include "json_fields.hpp"

namespace orchestrade::plugins::robinhood {

std::string describe_http_error(int status, const std::string& body) {
    std::string out = "HTTP " + std::to_string(status);
    json doc = json::parse(body, nullptr, false);
    if (doc.is_object() && doc.contains("errors") && doc["errors"].is_array()) {
        std::string type = text_field(doc, "type");
        if (!type.empty()) out += " " + type;
        std::string sep = ": ";
        for (const json& e : doc["errors"]) {
            std::string attr = e.is_object() ? text_field(e, "attr") : "";
            std::string detail = e.is_object() ? text_field(e, "detail") : e.dump();
            out += sep + (attr.empty() || attr == "non_field_errors" ? "" : attr + ": ") + detail;
            sep = "; ";
        }
        return out;
    }
    if (!body.empty()) out += ": " + body.substr(0, 200);
    return out;
}

ot_status status_for_http_error(int status, Call call) {
    if (status == 429) return OT_E_RATE_LIMIT;
    if (status == 404 && call != Call::PlaceOrder) return OT_E_NOT_FOUND;
    if (status >= 400 && status < 500) return OT_E_REJECTED;
    return call == Call::PlaceOrder ? OT_E_AMBIGUOUS : OT_E_IO;
}

}  // namespace orchestrade::plugins::robinhood
