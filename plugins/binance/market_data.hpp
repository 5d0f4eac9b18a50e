// Public market data: klines (spot and futures), and the futures series strategies can use:
// funding rates, premium index (mark price, predicted funding) and open interest.
#pragma once

#include "rest_client.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace orchestrade::plugins::binance {

struct Kline {
    int64_t open_time = 0;
    double open = 0, high = 0, low = 0, close = 0, volume = 0;
};

struct FundingRate {
    int64_t time = 0;
    double rate = 0;
};

struct PremiumIndex {
    int64_t time = 0;
    double mark_price = 0, index_price = 0, funding_rate = 0;
};

struct OpenInterest {
    int64_t time = 0;
    double value = 0;
};

// The 12-field kline arrays; throws sdk::Error(OT_E_IO) on another shape.
std::vector<Kline> parse_klines(const nlohmann::json& rows);

class MarketData {
  public:
    explicit MarketData(RestClient& client) : client_(client) {}
    // Up to 'limit' klines with start_ms <= open time <= end_ms, oldest first.
    std::vector<Kline> klines(const std::string& venue_symbol, const std::string& interval,
                              int64_t start_ms, int64_t end_ms, int limit);
    // Settled funding rates after after_ms (all recent ones when after_ms < 0), oldest first.
    std::vector<FundingRate> funding_rates(const std::string& venue_symbol, int64_t after_ms);
    PremiumIndex premium_index(const std::string& venue_symbol);
    OpenInterest open_interest(const std::string& venue_symbol);

    static constexpr int kMaxKlines = 1000;

  private:
    RestClient& client_;
};

}  // namespace orchestrade::plugins::binance
