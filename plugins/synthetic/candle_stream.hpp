// One symbol's synthetic market, one base bar at a time: the random-walk candle, the higher-
// timeframe candles that this bar completes (aggregated from the base bars) and, optionally,
// funding-rate and open-interest points.
#pragma once

#include <orchestrade/candles/random_walk.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace orchestrade::plugins {

// A candle or a series point; `name` is set for series points only.
struct StreamItem {
    int32_t interval_s = 0;  // candles
    candles::Candle candle;  // candles
    const char* name = nullptr;
    int64_t time_ms = 0;  // series points: when the value became known (the base bar's close)
    double value = 0;
};

struct StreamConfig {
    candles::WalkParams walk;
    int32_t interval_s = 60;
    std::vector<int32_t> higher_intervals_s;  // multiples of interval_s
    bool series = false;
};

class CandleStream {
  public:
    CandleStream(const StreamConfig& config, const std::string& symbol);

    // Appends the next base candle, then the higher candles it completes, then the series points
    // known at its close.
    void next(std::vector<StreamItem>& out);
    // Base candles generated so far.
    int64_t index() const { return walk_.index(); }

    // The `count` base candles before the start, oldest first, each followed by the higher
    // candles it completes, as next() gives the later ones (a window the count does not reach
    // from its start is skipped); no series points. The walk before the start is
    // candles::WalkBeforeStart.
    static void before_start(const StreamConfig& config, const std::string& symbol, int64_t count,
                             std::vector<StreamItem>& out);

  private:
    // A higher-timeframe candle being built from base candles; aligned to multiples of its
    // interval since the Unix epoch, like exchange candles.
    struct Aggregate {
        int64_t interval_ms = 0;
        int64_t window_start = -1;
        bool whole = false;  // the window's first base bar was seen (the first one may be partial)
        candles::Candle candle;
    };

    static std::vector<Aggregate> aggregates(const StreamConfig& config);
    // Appends base candle c, then the higher candles it completes.
    static void add_candle(const StreamConfig& config, std::vector<Aggregate>& higher,
                           const candles::Candle& c, std::vector<StreamItem>& out);
    // Adds base candle c (of base_s seconds) to a; appends a's candle once c completes it.
    static void aggregate(Aggregate& a, const candles::Candle& c, int32_t base_s,
                          std::vector<StreamItem>& out);
    void add_series(int64_t close_ms, std::vector<StreamItem>& out);

    StreamConfig config_;
    candles::RandomWalk walk_;
    std::vector<Aggregate> higher_;
    candles::Xoshiro256 series_rng_;
    double open_interest_ = 100000;
};

}  // namespace orchestrade::plugins
