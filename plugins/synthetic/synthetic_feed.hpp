// The "synthetic" feed: a seeded random walk of candles for every universe symbol.
#pragma once

#include <orchestrade/candles/random_walk.hpp>
#include <orchestrade/sdk.hpp>

#include <string>
#include <vector>

namespace orchestrade::plugins {

class SyntheticFeed final : public sdk::Feed {
  public:
    static constexpr sdk::Meta meta{
        "org.orchestrade.synthetic",
        "synthetic",
        "Synthetic random walk",
        "1.0.0",
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
    };

    explicit SyntheticFeed(const sdk::Context& ctx);
    void start() override;
    bool poll(int64_t now_ms, uint32_t max_bars, sdk::FeedOut& out) override;
    void history(const std::string& symbol, int32_t interval_s, int64_t before_ms, uint32_t count,
                 sdk::FeedOut& out) override;

  private:
    bool exhausted() const;
    // Bars of every symbol that have been pushed (or skipped on resume), per symbol.
    int64_t steps_done() const { return walks_.back().index(); }
    void push(std::size_t symbol, const candles::Candle& c, sdk::FeedOut& out) const;

    candles::WalkParams walk_;
    int32_t interval_s_;
    int64_t bars_;  // per symbol; 0 = unlimited
    std::vector<std::string> symbols_;
    std::vector<candles::RandomWalk> walks_;
    std::size_t next_symbol_ = 0;  // within the current time step
};

}  // namespace orchestrade::plugins
