// What the feed delivers against what the pipeline waits for: bars of the strategy's timeframe
// and bars of every universe symbol. Without it, a strategy on 5m bars fed 1m bars, or a symbol
// the feed never prices, runs to the end without a signal and without a word.
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace orchestrade::core {

// Something the pipeline waits for that the feed did not deliver, said once.
struct FeedGap {
    std::string timeframe;  // the strategy's, when its bars are what is missing
    std::string symbol;     // the universe symbol, when its bars are what is missing
    std::string message;
};

class FeedCoverage {
  public:
    // A missing timeframe or symbol is told after this many of its intervals without a bar.
    static constexpr int64_t kPatienceIntervals = 3;
    // Paper/live: a symbol whose bars stopped is told after this many of the feed's intervals.
    static constexpr int64_t kStaleIntervals = 10;

    // strategy_interval_s: the strategy's `timeframe` parameter (0: it takes every bar).
    // watch_symbols: tell of missing and stopped symbols while running (paper/live); a backtest
    // tells of them at its end only.
    FeedCoverage(std::vector<std::string> universe, std::string strategy,
                 int32_t strategy_interval_s, bool watch_symbols);

    // One bar of the run. symbol_id is the bar buffer's id of `symbol`, stable for the run: the
    // backtest's hot path counts by index, and looks the name up once per symbol.
    void add(uint32_t symbol_id, const std::string& symbol, int32_t interval_s, int64_t close_ms) {
        if (symbol_id >= slot_of_id_.size()) learn(symbol_id, symbol);
        if (const int32_t slot = slot_of_id_[symbol_id]; slot >= 0) {
            ++symbols_[slot].bars;
            symbols_[slot].last_close_ms = close_ms;
        }
        if (interval_s != last_interval_s_) note_interval(interval_s);
        if (interval_s == strategy_interval_s_) ++strategy_bars_;
        ++bars_;
    }

    // True when check() may have something to say at a moment closing at close_ms.
    bool check_due(int64_t close_ms) const { return close_ms >= next_check_ms_; }
    // The gaps that became certain by close_ms, each returned once.
    std::vector<FeedGap> check(int64_t close_ms);
    // At the end of a backtest: everything that never arrived, told or not, as the run ends.
    std::vector<FeedGap> at_end();

  private:
    struct SymbolBars {
        std::string name;
        int64_t bars = 0;
        int64_t last_close_ms = 0;
        bool told_missing = false;
        bool told_stale = false;
    };
    void learn(uint32_t symbol_id, const std::string& symbol);
    void note_interval(int32_t interval_s);
    int64_t finest_ms() const;
    std::string delivered() const;  // "1m", "1m, 4h"
    std::string symbols_with_bars() const;
    FeedGap missing_timeframe(const char* consequence) const;
    FeedGap missing_symbol(const SymbolBars& s) const;

    std::string strategy_;
    int32_t strategy_interval_s_;
    bool watch_symbols_;
    std::vector<SymbolBars> symbols_;   // the universe, in its order
    std::vector<int32_t> slot_of_id_;   // bar buffer id -> index in symbols_, -1 outside it
    std::vector<int32_t> intervals_s_;  // every timeframe delivered, ascending
    int32_t last_interval_s_ = 0;
    int64_t bars_ = 0, strategy_bars_ = 0;
    int64_t first_close_ms_ = 0;
    int64_t next_check_ms_ = std::numeric_limits<int64_t>::min();
    bool told_timeframe_ = false;
};

}  // namespace orchestrade::core
