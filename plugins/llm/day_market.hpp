// What the llm_day strategy knows of the market: per symbol and timeframe, the closed bars it has
// received, kept by the llm strategy's TimeframeState (the same indicators, the same
// conventions), so a step never sees data after the moment it runs. A step is shown the finest
// timeframe of its symbol.
#pragma once

#include "market_state.hpp"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>

namespace orchestrade::llm {

// One symbol's bars as a step sees them; interval_s is 0 while none was received.
struct MarketView {
    int32_t interval_s = 0;
    TimeframeSnapshot bars;
};

class DayMarket {
  public:
    // series_length: the closes kept (and shown) per timeframe.
    explicit DayMarket(std::size_t series_length) : series_length_(series_length) {}

    // A closed bar. One that is not after the latest of its symbol and timeframe (history and a
    // live poll may both deliver it) is ignored.
    void add_bar(const std::string& symbol, int32_t interval_s, int64_t open_ms, double high,
                 double low, double close, double volume);
    // The finest timeframe of `symbol`.
    MarketView view(const std::string& symbol) const;
    // Why `symbol`'s last close is not a current price at now_ms, as the llm strategy decides it
    // (MarketState::kMaxMissedBars intervals of its finest timeframe without a bar); nullopt when
    // it is current, or when no bar was received.
    std::optional<LeftOut> stale(const std::string& symbol, int64_t now_ms) const;

  private:
    std::size_t series_length_;
    std::map<std::string, std::map<int32_t, TimeframeState>, std::less<>> symbols_;
};

}  // namespace orchestrade::llm
