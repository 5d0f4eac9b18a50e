#include "candle_stream.hpp"

#include <algorithm>
#include <cmath>

namespace orchestrade::plugins {
namespace {

constexpr int64_t kFundingPeriodMs = 8 * 3600 * 1000;  // perpetual futures settle every 8 hours

int64_t floor_to(int64_t t, int64_t step) {
    int64_t q = t / step;
    if (t % step < 0) --q;
    return q * step;
}

}  // namespace

CandleStream::CandleStream(const StreamConfig& config, const std::string& symbol)
    : config_(config),
      walk_(config.walk, symbol),
      higher_(aggregates(config)),
      // Its own generator, so turning series on leaves the candles unchanged.
      series_rng_(config.walk.seed ^ candles::stable_hash(symbol + "#series")) {}

std::vector<CandleStream::Aggregate> CandleStream::aggregates(const StreamConfig& config) {
    std::vector<Aggregate> higher;
    for (int32_t s : config.higher_intervals_s) {
        Aggregate a;
        a.interval_ms = int64_t{s} * 1000;
        higher.push_back(a);
    }
    return higher;
}

void CandleStream::before_start(const StreamConfig& config, const std::string& symbol,
                                int64_t count, std::vector<StreamItem>& out) {
    candles::WalkBeforeStart walk(config.walk, symbol);
    std::vector<candles::Candle> base(static_cast<std::size_t>(std::max<int64_t>(count, 0)));
    for (auto it = base.rbegin(); it != base.rend(); ++it)
        *it = walk.previous();
    std::vector<Aggregate> higher = aggregates(config);
    for (const candles::Candle& c : base)
        add_candle(config, higher, c, out);
}

void CandleStream::next(std::vector<StreamItem>& out) {
    candles::Candle c = walk_.next();
    add_candle(config_, higher_, c, out);
    if (config_.series) add_series(c.open_time_ms + int64_t{config_.interval_s} * 1000, out);
}

void CandleStream::add_candle(const StreamConfig& config, std::vector<Aggregate>& higher,
                              const candles::Candle& c, std::vector<StreamItem>& out) {
    StreamItem base;
    base.interval_s = config.interval_s;
    base.candle = c;
    out.push_back(base);
    for (Aggregate& a : higher)
        aggregate(a, c, config.interval_s, out);
}

void CandleStream::aggregate(Aggregate& a, const candles::Candle& c, int32_t base_s,
                             std::vector<StreamItem>& out) {
    int64_t window = floor_to(c.open_time_ms, a.interval_ms);
    if (window != a.window_start) {
        a.window_start = window;
        a.whole = c.open_time_ms == window;
        a.candle = c;
        a.candle.open_time_ms = window;
    } else {
        a.candle.high = std::max(a.candle.high, c.high);
        a.candle.low = std::min(a.candle.low, c.low);
        a.candle.close = c.close;
        a.candle.volume += c.volume;
    }
    int64_t close_ms = c.open_time_ms + int64_t{base_s} * 1000;
    if (close_ms == window + a.interval_ms && a.whole) {
        StreamItem item;
        item.interval_s = static_cast<int32_t>(a.interval_ms / 1000);
        item.candle = a.candle;
        out.push_back(item);
    }
}

void CandleStream::add_series(int64_t close_ms, std::vector<StreamItem>& out) {
    open_interest_ *= std::exp(0.005 * series_rng_.normal());
    StreamItem oi;
    oi.name = "open_interest";
    oi.time_ms = close_ms;
    oi.value = open_interest_;
    out.push_back(oi);
    if (close_ms % kFundingPeriodMs == 0) {
        StreamItem funding;
        funding.name = "funding_rate";
        funding.time_ms = close_ms;
        funding.value = 0.0001 + 0.0001 * series_rng_.normal();
        out.push_back(funding);
    }
}

}  // namespace orchestrade::plugins
