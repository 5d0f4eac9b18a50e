#include "symbols.hpp"

#include <cctype>
#include <stdexcept>
#include <utility>

namespace orchestrade::plugins::binance {
namespace {

constexpr std::pair<const char*, int32_t> kIntervals[] = {
    {"1s", 1},     {"1m", 60},     {"3m", 180},   {"5m", 300},    {"15m", 900},
    {"30m", 1800}, {"1h", 3600},   {"2h", 7200},  {"4h", 14400},  {"6h", 21600},
    {"8h", 28800}, {"12h", 43200}, {"1d", 86400}, {"3d", 259200}, {"1w", 604800}};

}  // namespace

Market parse_market(const std::string& text) {
    if (text == "spot") return Market::Spot;
    if (text == "usdm") return Market::UsdM;
    throw std::invalid_argument("market must be spot or usdm, got '" + text + "'");
}

const char* default_base_url(Market m) {
    return m == Market::Spot ? "https://api.binance.com" : "https://fapi.binance.com";
}

bool is_production(const std::string& base_url) {
    if (base_url.empty()) return true;
    std::string host =
        base_url.substr(base_url.find("://") == std::string::npos ? 0 : base_url.find("://") + 3);
    host = host.substr(0, host.find_first_of(":/"));
    // Host names are case-insensitive, and "api.binance.com." is the same host.
    for (char& c : host)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (!host.empty() && host.back() == '.') host.pop_back();
    for (const char* h :
         {"api.binance.com", "api-gcp.binance.com", "api1.binance.com", "api2.binance.com",
          "api3.binance.com", "api4.binance.com", "fapi.binance.com"})
        if (host == h) return true;
    return false;
}

const char* api_prefix(Market m) {
    return m == Market::Spot ? "/api/v3" : "/fapi/v1";
}

Pair split_pair(const std::string& symbol) {
    std::size_t slash = symbol.find('/');
    if (slash == std::string::npos || slash == 0 || slash + 1 == symbol.size())
        throw std::invalid_argument("symbol '" + symbol + "' is not BASE/QUOTE (e.g. BTC/USDT)");
    return {symbol.substr(0, slash), symbol.substr(slash + 1)};
}

std::string venue_symbol(const std::string& symbol) {
    Pair p = split_pair(symbol);
    return p.base + p.quote;
}

int32_t interval_seconds(const std::string& name) {
    for (const auto& [n, s] : kIntervals)
        if (name == n) return s;
    std::string all;
    for (const auto& [n, s] : kIntervals)
        all += (all.empty() ? "" : ", ") + std::string(n);
    throw std::invalid_argument("unknown timeframe '" + name + "' (Binance intervals: " + all +
                                ")");
}

std::string interval_name(int32_t seconds) {
    for (const auto& [n, s] : kIntervals)
        if (s == seconds) return n;
    throw std::invalid_argument("no Binance interval of " + std::to_string(seconds) + " s");
}

std::vector<std::string> split_list(const std::string& text) {
    std::vector<std::string> out;
    std::string item;
    for (char c : text + ",") {
        if (c == ',') {
            if (!item.empty()) out.push_back(item);
            item.clear();
        } else if (c != ' ' && c != '\t') {
            item += c;
        }
    }
    return out;
}

}  // namespace orchestrade::plugins::binance
