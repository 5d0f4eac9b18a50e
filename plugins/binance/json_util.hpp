// Binance writes prices and quantities as strings: reading them as numbers.
#pragma once

#include <orchestrade/sdk.hpp>

#include <nlohmann/json.hpp>

#include <charconv>
#include <string>

namespace orchestrade::plugins::binance {

// A JSON number or numeric string; throws sdk::Error(OT_E_IO) on anything else.
inline double number(const nlohmann::json& v) {
    if (v.is_number()) return v.get<double>();
    if (!v.is_string()) throw sdk::Error(OT_E_IO, "binance: expected a number, got " + v.dump());
    const std::string& s = v.get_ref<const std::string&>();
    double out = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    if (ec != std::errc() || end != s.data() + s.size())
        throw sdk::Error(OT_E_IO, "binance: expected a number, got '" + s + "'");
    return out;
}

// obj[key] as a number, or fallback when the key is absent.
inline double number_or(const nlohmann::json& obj, const char* key, double fallback) {
    return obj.contains(key) ? number(obj[key]) : fallback;
}

}  // namespace orchestrade::plugins::binance
