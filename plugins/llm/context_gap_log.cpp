#include "context_gap_log.hpp"

#include "text_format.hpp"

namespace orchestrade::llm {

void ContextGapLog::update(const DecisionMarket& market, int64_t now_ms, const sdk::Host& host) {
    std::string missing, stale;
    for (const SymbolSnapshot& s : market.in) {
        const TimeframeSnapshot& c = s.context;
        if (c.bars == 0) {
            missing += (missing.empty() ? "" : ", ") + s.symbol;
            continue;
        }
        const int64_t last_close_ms = c.last_open_ms + interval_ms_;
        if (MarketState::stale(last_close_ms, interval_ms_, now_ms))
            stale += (stale.empty() ? "" : ", ") + s.symbol + " since " + iso_utc(last_close_ms);
    }
    std::string gaps;
    if (!missing.empty()) gaps = "no " + timeframe_ + " bar received yet of " + missing;
    if (!stale.empty()) gaps += (gaps.empty() ? "no " : "; no ") + timeframe_ + " bar of " + stale;
    if (gaps == told_) return;
    if (!gaps.empty())
        host.warn("llm: decisions go without their " + timeframe_ +
                  " context (context_timeframe: " + gaps +
                  "); the prompt shows it as n/a or as of its latest bar");
    else if (!told_.empty())
        host.info("llm: the " + timeframe_ + " context of every decided symbol is current again");
    told_ = std::move(gaps);
}

}  // namespace orchestrade::llm
