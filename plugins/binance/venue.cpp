#include "venue.hpp"

#include "json_util.hpp"

namespace orchestrade::plugins::binance {

bool is_final(VenueStatus s) {
    return s == VenueStatus::Filled || s == VenueStatus::Canceled || s == VenueStatus::Rejected ||
           s == VenueStatus::Expired;
}

VenueStatus parse_status(const std::string& text) {
    if (text == "NEW" || text == "PENDING_NEW" || text == "TRIGGERING") return VenueStatus::New;
    if (text == "PARTIALLY_FILLED") return VenueStatus::PartiallyFilled;
    if (text == "FILLED" || text == "FINISHED") return VenueStatus::Filled;
    if (text == "TRIGGERED") return VenueStatus::Triggered;
    if (text == "CANCELED" || text == "PENDING_CANCEL") return VenueStatus::Canceled;
    if (text == "REJECTED") return VenueStatus::Rejected;
    if (text == "EXPIRED" || text == "EXPIRED_IN_MATCH") return VenueStatus::Expired;
    throw sdk::Error(OT_E_IO, "binance: unknown order status '" + text + "'");
}

VenueOrder parse_order(const nlohmann::json& j) {
    VenueOrder o;
    o.client_id = j.value("clientOrderId", "");
    if (j.contains("orderId")) o.venue_id = j["orderId"].dump();
    o.symbol = j.value("symbol", "");
    o.side = j.value("side", "");
    o.status = parse_status(j.value("status", "NEW"));
    o.orig_qty = number_or(j, "origQty", 0);
    o.executed_qty = number_or(j, "executedQty", 0);
    o.price = number_or(j, "price", 0);
    for (const char* key : {"updateTime", "transactTime", "time"})
        if (j.contains(key) && j[key].is_number_integer()) {
            o.time_ms = j[key].get<int64_t>();
            break;
        }
    return o;
}

}  // namespace orchestrade::plugins::binance
