// The "synthetic" feed: a seeded random walk of candles for every universe symbol, optionally with
// higher-timeframe candles aggregated from them and funding-rate / open-interest points.
#pragma once

#include "candle_stream.hpp"

#include <orchestrade/sdk.hpp>

#include <deque>
#include <map>
#include <string>
#include <vector>

namespace orchestrade::plugins {

class SyntheticFeed final : public sdk::Feed {
  public:
    static constexpr sdk::Meta meta{
        "org.orchestrade.synthetic",
        "synthetic",
        "Synthetic random walk",
        "1.1.0",
        "Orchestrade",
        "Seeded random-walk candles for every universe symbol, reproducible bit for bit"};
    static constexpr ot_param_spec params[] = {
        sdk::int_param("seed", "42", 0, 9007199254740991.0, "Seed of the random walk"),
        sdk::string_param("timeframe", "1m", "Bar interval: 1m, 15m, 1h, 4h, 1d, ..."),
        sdk::int_param("start_ms", "1704067200000", 0, 32503680000000.0,
                       "Open time of the first bar, Unix ms"),
        sdk::int_param("bars", "10000", 0, 1e12, "Bars per symbol; 0 = unlimited"),
        sdk::double_param("start_price", "30000", 1e-9, 1e12, "Open of the first bar"),
        sdk::double_param("volatility", "0.002", 0, 0.5, "Stdev of the per-bar log return"),
        sdk::double_param("drift", "0", -0.1, 0.1, "Mean of the per-bar log return"),
        sdk::string_param("higher_timeframes", "",
                          "Comma-separated timeframes aggregated from the bars, e.g. \"4h\"; "
                          "each a multiple of timeframe"),
        sdk::bool_param("series", "false",
                        "Also push funding_rate (every 8 h) and open_interest (every bar) points"),
    };

    explicit SyntheticFeed(const sdk::Context& ctx);
    void start() override;
    bool poll(int64_t now_ms, uint32_t max_bars, sdk::FeedOut& out) override;
    void history(const std::string& symbol, int32_t interval_s, int64_t before_ms, uint32_t count,
                 sdk::FeedOut& out) override;

    // At most this many base bars per symbol before start_ms go to history().
    static constexpr int64_t kMaxBarsBeforeStart = 1'000'000;

  private:
    struct Pending {
        std::size_t symbol;
        StreamItem item;
    };
    using Kept = std::map<int32_t, std::deque<StreamItem>>;  // interval -> bars, oldest first

    bool exhausted() const;
    // Base bars of every symbol that have been generated (or skipped on resume), per symbol.
    int64_t steps_done() const { return streams_.back().index(); }
    // Generates the next symbol's next base bar (and what comes with it) into pending_.
    void generate();
    // Paper and live: one whole time step per poll; the cursor lets a restart resume after it.
    void replay_step(sdk::FeedOut& out);
    void push(std::size_t symbol, const StreamItem& item, sdk::FeedOut& out) const;
    // Bars of the walk from its start that have closed by time_ms.
    int64_t bars_closed_by(int64_t time_ms) const;
    // How many bars before the start history() generates for `count` bars of interval_s (0: of
    // every interval) that closed by before_ms, besides those it found `replayed`.
    int64_t bars_before_start(int32_t interval_s, uint32_t count, int64_t before_ms,
                              const Kept& replayed) const;

    StreamConfig config_;
    int64_t bars_;  // per symbol; 0 = unlimited
    std::vector<std::string> symbols_;
    std::vector<CandleStream> streams_;
    std::size_t next_symbol_ = 0;  // within the current time step
    std::deque<Pending> pending_;  // generated, not pushed yet (a backtest poll's max_bars was met)
    std::vector<StreamItem> scratch_;
};

}  // namespace orchestrade::plugins
