#include "json_fields.hpp"

#include <charconv>

namespace orchestrade::plugins::robinhood {

std::optional<double> number_field(const json& object, const char* key) {
    auto it = object.find(key);
    if (it == object.end()) return std::nullopt;
    if (it->is_number()) return it->get<double>();
    if (!it->is_string()) return std::nullopt;
    const std::string& s = it->get_ref<const std::string&>();
    double v = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
    return v;
}

std::optional<Decimal> decimal_field(const json& object, const char* key) {
    auto it = object.find(key);
    if (it == object.end()) return std::nullopt;
    if (it->is_string()) return Decimal::parse(it->get_ref<const std::string&>());
    if (it->is_number()) return Decimal::parse(it->dump());
    return std::nullopt;
}

std::string text_field(const json& object, const char* key) {
    auto it = object.find(key);
    return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace orchestrade::plugins::robinhood
