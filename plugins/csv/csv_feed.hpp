// The "csv" feed: candles of one symbol from a CSV file, as a backtest source or replayed bar by
// bar in paper/live mode (resuming after the last replayed bar across restarts).
#pragma once

#include "csv_prefetcher.hpp"
#include "csv_reader.hpp"

#include <orchestrade/sdk.hpp>

#include <memory>
#include <string>

namespace orchestrade::plugins {

class CsvFeed final : public sdk::Feed {
  public:
    static constexpr sdk::Meta meta{
        "org.orchestrade.csv",
        "csv",
        "CSV candles",
        "1.0.0",
        "Orchestrade",
        "Candles of one symbol from a CSV file (timestamp,open,high,low,close,volume)"};
    static constexpr ot_param_spec params[] = {
        sdk::string_param("path", nullptr, "CSV file, relative to the pipeline file's directory"),
        sdk::string_param("timeframe", "1m", "Bar interval of the file: 1m, 15m, 1h, 4h, 1d, ..."),
        sdk::param(OT_PARAM_STRING, "symbol", nullptr, 1, 0,
                   "Symbol of the bars; default: the first universe symbol"),
        sdk::int_param("replay_bars", "1", 1, 1e6, "Paper/live: bars replayed per poll"),
        sdk::param(OT_PARAM_STRING, "start", nullptr, 1, 0,
                   "Time the run begins at (YYYY-MM-DD[THH:MM[:SS]] UTC, or Unix ms): the bars "
                   "that close by then are history only, for the strategy's warm-up"),
    };

    explicit CsvFeed(const sdk::Context& ctx);
    void start() override;
    void stop() override;
    bool poll(int64_t now_ms, uint32_t max_bars, sdk::FeedOut& out) override;
    void history(const std::string& symbol, int32_t interval_s, int64_t before_ms, uint32_t count,
                 sdk::FeedOut& out) override;

  private:
    void push(const CsvRow& row, sdk::FeedOut& out) const;
    int64_t interval_ms() const { return int64_t{interval_s_} * 1000; }
    // A bar that closes by `start` is history, never pushed by poll().
    bool before_start(int64_t open_time_ms) const {
        return open_time_ms + interval_ms() <= start_ms_;
    }
    void refuse_another_time_scale() const;
    void warn_gap(int64_t delta_ms, uint64_t line);  // the row at line came after a gap
    uint64_t push_backtest_rows(uint64_t limit, sdk::FeedOut& out);
    bool next_replay_row(CsvRow& row);

    std::string path_;
    int32_t interval_s_;
    std::string symbol_;
    int64_t replay_bars_;
    int64_t start_ms_;                           // INT64_MIN without `start`
    std::unique_ptr<CsvBarReader> reader_;       // paper/live
    std::unique_ptr<CsvPrefetcher> prefetcher_;  // backtest: the reader, on its own thread
    bool pushed_any_ = false;
    int64_t last_pushed_ms_ = 0;
    static constexpr uint64_t kGapsNamed = 5;
    uint64_t gaps_ = 0;  // warned about so far
};

}  // namespace orchestrade::plugins
