#include "day_market.hpp"

namespace orchestrade::llm {

void DayMarket::add_bar(const std::string& symbol, int32_t interval_s, int64_t open_ms, double high,
                        double low, double close, double volume) {
    if (interval_s <= 0) return;
    std::map<int32_t, TimeframeState>& timeframes = symbols_[symbol];
    TimeframeState& state = timeframes.try_emplace(interval_s, series_length_).first->second;
    const TimeframeSnapshot& seen = state.snapshot();
    if (seen.bars > 0 && open_ms <= seen.last_open_ms) return;
    state.add(open_ms, high, low, close, volume);
}

MarketView DayMarket::view(const std::string& symbol) const {
    auto it = symbols_.find(symbol);
    if (it == symbols_.end() || it->second.empty()) return {};
    const auto& [interval_s, state] = *it->second.begin();
    return {interval_s, state.snapshot()};
}

}  // namespace orchestrade::llm
