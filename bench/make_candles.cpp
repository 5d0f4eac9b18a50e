// Writes synthetic candles of one symbol as CSV in the csv feed's format, from the same seeded
// random walk as the synthetic feed (prices rounded to cents, volume to 4 decimals).
//
//   make_candles <out.csv> <bars> <seed> <timeframe> [start_price] [volatility] [start_ms]
//
// Defaults: start_price 30000, volatility 0.002, start_ms 1704067200000 (2024-01-01T00:00:00Z).
#include <orchestrade/candles/random_walk.hpp>
#include <orchestrade/candles/timeframe.hpp>

#include <charconv>
#include <cstdio>
#include <string_view>

namespace {

namespace candles = orchestrade::candles;

template <class T>
bool parse(const char* text, T& out) {
    std::string_view s(text);
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc() && end == s.data() + s.size();
}

int usage() {
    std::fprintf(stderr,
                 "usage: make_candles <out.csv> <bars> <seed> <timeframe> [start_price] "
                 "[volatility] [start_ms]\n");
    return 2;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 5 || argc > 8) return usage();
    int64_t bars = 0;
    candles::WalkParams p;
    if (!parse(argv[2], bars) || bars < 0 || !parse(argv[3], p.seed)) return usage();
    try {
        p.interval_ms = int64_t{candles::parse_timeframe(argv[4])} * 1000;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "make_candles: %s\n", e.what());
        return 2;
    }
    if (argc > 5 && (!parse(argv[5], p.start_price) || !(p.start_price > 0))) return usage();
    if (argc > 6 && (!parse(argv[6], p.volatility) || p.volatility < 0 || p.volatility > 0.5))
        return usage();
    if (argc > 7 && !parse(argv[7], p.start_ms)) return usage();

    std::FILE* out = std::fopen(argv[1], "wb");
    if (!out) {
        std::perror(argv[1]);
        return 1;
    }
    std::fputs("timestamp,open,high,low,close,volume\n", out);
    // The symbol only seeds the walk: the synthetic feed's "BTC/USDT" stream, for comparison.
    candles::RandomWalk walk(p, "BTC/USDT");
    for (int64_t i = 0; i < bars; ++i) {
        candles::Candle c = walk.next();
        std::fprintf(out, "%lld,%.2f,%.2f,%.2f,%.2f,%.4f\n", static_cast<long long>(c.open_time_ms),
                     c.open, c.high, c.low, c.close, c.volume);
    }
    if (std::fclose(out) != 0) {
        std::perror(argv[1]);
        return 1;
    }
    return 0;
}
