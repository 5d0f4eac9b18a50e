#include <orchestrade/core/feed_coverage.hpp>
#include <orchestrade/core/types.hpp>

#include <fmt/format.h>

#include <algorithm>

namespace orchestrade::core {

FeedCoverage::FeedCoverage(std::vector<std::string> universe, std::string strategy,
                           int32_t strategy_interval_s, bool watch_symbols)
    : strategy_(std::move(strategy)),
      strategy_interval_s_(strategy_interval_s),
      watch_symbols_(watch_symbols) {
    for (auto& name : universe)
        symbols_.push_back({std::move(name)});
}

void FeedCoverage::learn(uint32_t symbol_id, const std::string& symbol) {
    slot_of_id_.resize(symbol_id + 1, -1);
    for (std::size_t i = 0; i < symbols_.size(); ++i)
        if (symbols_[i].name == symbol) slot_of_id_[symbol_id] = static_cast<int32_t>(i);
}

void FeedCoverage::note_interval(int32_t interval_s) {
    last_interval_s_ = interval_s;
    const auto it = std::lower_bound(intervals_s_.begin(), intervals_s_.end(), interval_s);
    if (it == intervals_s_.end() || *it != interval_s) intervals_s_.insert(it, interval_s);
}

int64_t FeedCoverage::finest_ms() const {
    return intervals_s_.empty() ? 0 : int64_t{intervals_s_.front()} * 1000;
}

std::string FeedCoverage::delivered() const {
    std::string text;
    for (const int32_t interval_s : intervals_s_)
        text += (text.empty() ? "" : ", ") + timeframe_text(interval_s);
    return text;
}

std::string FeedCoverage::symbols_with_bars() const {
    std::string text;
    for (const auto& s : symbols_)
        if (s.bars > 0) text += (text.empty() ? "" : ", ") + s.name;
    return text.empty() ? "none of the universe" : text;
}

FeedGap FeedCoverage::missing_timeframe(const char* consequence) const {
    const std::string timeframe = timeframe_text(strategy_interval_s_);
    return {timeframe,
            {},
            fmt::format("strategy {} decides on {} bars (its timeframe), but no {} bar arrived in "
                        "{} bar(s); the feed delivers {}: {}",
                        strategy_, timeframe, timeframe, bars_, delivered(), consequence)};
}

FeedGap FeedCoverage::missing_symbol(const SymbolBars& s) const {
    return {{},
            s.name,
            fmt::format("{} is in the universe, but no bar of it arrived in {} bar(s) (the feed "
                        "delivers {}): nothing prices or trades it",
                        s.name, bars_, symbols_with_bars())};
}

std::vector<FeedGap> FeedCoverage::check(int64_t close_ms) {
    if (first_close_ms_ == 0) first_close_ms_ = close_ms;
    std::vector<FeedGap> gaps;
    const int64_t span_ms = close_ms - first_close_ms_;
    const int64_t strategy_ms = int64_t{strategy_interval_s_} * 1000;
    const bool timeframe_pending =
        strategy_interval_s_ > 0 && strategy_bars_ == 0 && !told_timeframe_;
    if (timeframe_pending && span_ms >= kPatienceIntervals * strategy_ms) {
        gaps.push_back(missing_timeframe("it decides nothing until one arrives"));
        told_timeframe_ = true;
    }
    if (watch_symbols_) {
        const int64_t finest = finest_ms();
        for (auto& s : symbols_) {
            if (s.bars == 0) {
                if (!s.told_missing && span_ms >= kPatienceIntervals * finest) {
                    gaps.push_back(missing_symbol(s));
                    s.told_missing = true;
                }
                continue;
            }
            const int64_t silent_ms = close_ms - s.last_close_ms;
            if (s.told_stale) {
                s.told_stale = silent_ms >= kStaleIntervals * finest;  // told again if it stops
                continue;
            }
            if (silent_ms < kStaleIntervals * finest) continue;
            s.told_stale = true;
            gaps.push_back(
                {{},
                 s.name,
                 fmt::format("{}: no bar since the one closing at {} UTC, {} of the feed's {} "
                             "intervals ago, while other symbols' bars arrive: its price, and "
                             "the core's stops on it, stand still meanwhile",
                             s.name, format_time(s.last_close_ms), silent_ms / finest,
                             timeframe_text(static_cast<int32_t>(finest / 1000)))});
        }
        next_check_ms_ = close_ms + 1;  // every later moment
    } else {
        // A backtest looks again only when the strategy's timeframe would be overdue.
        next_check_ms_ = timeframe_pending && !told_timeframe_
                             ? first_close_ms_ + kPatienceIntervals * strategy_ms
                             : std::numeric_limits<int64_t>::max();
    }
    return gaps;
}

std::vector<FeedGap> FeedCoverage::at_end() {
    std::vector<FeedGap> gaps;
    if (bars_ == 0) return gaps;  // said otherwise: the feed produced no bars
    if (strategy_interval_s_ > 0 && strategy_bars_ == 0)
        gaps.push_back(missing_timeframe("it decided nothing in this run"));
    for (const auto& s : symbols_)
        if (s.bars == 0) gaps.push_back(missing_symbol(s));
    return gaps;
}

}  // namespace orchestrade::core
