// Names as the pipeline writes them and as Binance spells them: "BTC/USDT" <-> "BTCUSDT",
// "4h" <-> 14400 s, and the two markets the plugin serves.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace orchestrade::plugins::binance {

enum class Market { Spot, UsdM };

inline constexpr const char* kMarketChoices[] = {"spot", "usdm", nullptr};
Market parse_market(const std::string& text);
const char* default_base_url(Market m);
// An address of production Binance (real money): the default, api*.binance.com, fapi.binance.com.
bool is_production(const std::string& base_url);
// "/api/v3" or "/fapi/v1": the prefix of most endpoints.
const char* api_prefix(Market m);

struct Pair {
    std::string base, quote;
};
// "BTC/USDT" -> {BTC, USDT}; throws std::invalid_argument without a '/'.
Pair split_pair(const std::string& symbol);
// "BTC/USDT" -> "BTCUSDT".
std::string venue_symbol(const std::string& symbol);

// Binance interval names: 1s 1m 3m 5m 15m 30m 1h 2h 4h 6h 8h 12h 1d 3d 1w (1M is not a fixed
// length and is not supported). Throws std::invalid_argument naming the accepted values.
int32_t interval_seconds(const std::string& name);
std::string interval_name(int32_t seconds);

// "a, b,c" -> {"a","b","c"}; empty items dropped.
std::vector<std::string> split_list(const std::string& text);

}  // namespace orchestrade::plugins::binance
