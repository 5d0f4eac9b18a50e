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

std::optional<LeftOut> DayMarket::stale(const std::string& symbol, int64_t now_ms) const {
    const MarketView m = view(symbol);
    if (m.interval_s <= 0 || m.bars.bars == 0) return std::nullopt;
    const int64_t interval_ms = int64_t{m.interval_s} * 1000;
    const int64_t last_close_ms = m.bars.last_open_ms + interval_ms;
    if (!MarketState::stale(last_close_ms, interval_ms, now_ms)) return std::nullopt;
    return LeftOut{symbol, LeftOut::Why::Stale, m.bars.bars, last_close_ms};
}

}  // namespace orchestrade::llm
