#include "params.hpp"

#include <charconv>
#include <stdexcept>
#include <string_view>

namespace orchestrade::testing {
namespace {

[[noreturn]] void fail(const char* key, const std::string& what) {
    throw std::invalid_argument(std::string("param '") + key + "': " + what);
}

// A YAML scalar written in quotes stands for the text between them.
std::string unquote(std::string text) {
    if (text.size() >= 2 && (text.front() == '"' || text.front() == '\'') &&
        text.back() == text.front())
        return text.substr(1, text.size() - 2);
    return text;
}

template <class T>
T parse_number(const ot_param_spec& spec, const std::string& text) {
    T value{};
    const char* end = text.data() + text.size();
    auto [ptr, ec] = std::from_chars(text.data(), end, value);
    if (ec != std::errc() || ptr != end) fail(spec.key, "expected a number, got '" + text + "'");
    bool bounded = spec.min_value <= spec.max_value;
    double v = static_cast<double>(value);
    if (bounded && (v < spec.min_value || v > spec.max_value))
        fail(spec.key, text + " is outside [" + std::to_string(spec.min_value) + ", " +
                           std::to_string(spec.max_value) + "]");
    return value;
}

bool parse_bool(const ot_param_spec& spec, const std::string& text) {
    if (text == "true") return true;
    if (text == "false") return false;
    fail(spec.key, "expected true or false, got '" + text + "'");
}

void check_choice(const ot_param_spec& spec, const std::string& text) {
    for (const char* const* c = spec.choices; c && *c; ++c)
        if (text == *c) return;
    fail(spec.key, "'" + text + "' is not one of the choices");
}

}  // namespace

ParsedParams::ParsedParams(const ot_descriptor& descriptor,
                           const std::map<std::string, std::string>& given) {
    for (const auto& [key, value] : given) {
        bool known = false;
        for (uint32_t i = 0; i < descriptor.param_count && !known; ++i)
            known = key == descriptor.params[i].key;
        if (!known) throw std::invalid_argument("unknown param '" + key + "'");
    }
    for (uint32_t i = 0; i < descriptor.param_count; ++i) {
        const ot_param_spec& spec = descriptor.params[i];
        ot_param_value v{};
        v.struct_size = sizeof v;
        v.type = spec.type;
        v.key = spec.key;
        auto it = given.find(spec.key);
        if (it == given.end() && !spec.default_text) {
            if (spec.flags & OT_PARAM_REQUIRED) fail(spec.key, "is required");
            values_.push_back(v);  // optional without a default: no value
            continue;
        }
        std::string text = unquote(it != given.end() ? it->second : spec.default_text);
        switch (spec.type) {
            case OT_PARAM_INT:
                v.int_value = parse_number<int64_t>(spec, text);
                v.double_value = static_cast<double>(v.int_value);
                break;
            case OT_PARAM_DOUBLE:
                v.double_value = parse_number<double>(spec, text);
                break;
            case OT_PARAM_BOOL:
                v.int_value = parse_bool(spec, text) ? 1 : 0;
                break;
            case OT_PARAM_ENUM:
                check_choice(spec, text);
                [[fallthrough]];
            case OT_PARAM_STRING:
            case OT_PARAM_JSON:
                strings_.push_back(std::make_unique<std::string>(text));
                v.string_value = strings_.back()->c_str();
                break;
            default:
                fail(spec.key, "unknown type " + std::to_string(spec.type));
        }
        values_.push_back(v);
    }
}

}  // namespace orchestrade::testing
