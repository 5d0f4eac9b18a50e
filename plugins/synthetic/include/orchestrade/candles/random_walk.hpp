// A seeded random walk of candles, bit-for-bit reproducible: its own PRNG (xoshiro256**, seeded
// through splitmix64) and Box-Muller normals, no std distributions (their output differs between
// standard libraries). Shared by the synthetic feed and bench/make_candles.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <string_view>

namespace orchestrade::candles {

inline uint64_t splitmix64(uint64_t& state) noexcept {
    uint64_t z = (state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

// FNV-1a: the same value for the same bytes on every platform (unlike std::hash).
inline uint64_t stable_hash(std::string_view text) noexcept {
    uint64_t h = 0xcbf29ce484222325ull;
    for (unsigned char c : text)
        h = (h ^ c) * 0x100000001b3ull;
    return h;
}

class Xoshiro256 {
  public:
    explicit Xoshiro256(uint64_t seed) noexcept {
        for (uint64_t& word : s_)
            word = splitmix64(seed);
    }
    uint64_t next() noexcept {
        uint64_t result = rotl(s_[1] * 5, 7) * 9;
        uint64_t t = s_[1] << 17;
        s_[2] ^= s_[0];
        s_[3] ^= s_[1];
        s_[1] ^= s_[2];
        s_[0] ^= s_[3];
        s_[2] ^= t;
        s_[3] = rotl(s_[3], 45);
        return result;
    }
    // Uniform in (0, 1): never 0, so log() below is always finite.
    double uniform() noexcept { return (static_cast<double>(next() >> 11) + 0.5) * 0x1.0p-53; }
    double normal() noexcept {
        constexpr double two_pi = 6.283185307179586476925;
        double r = std::sqrt(-2.0 * std::log(uniform()));
        return r * std::cos(two_pi * uniform());
    }

  private:
    static uint64_t rotl(uint64_t x, int k) noexcept { return (x << k) | (x >> (64 - k)); }
    uint64_t s_[4];
};

struct Candle {
    int64_t open_time_ms = 0;
    double open = 0, high = 0, low = 0, close = 0, volume = 0;
};

struct WalkParams {
    uint64_t seed = 42;
    int64_t start_ms = 1704067200000;  // 2024-01-01T00:00:00Z
    int64_t interval_ms = 60000;
    double start_price = 30000;
    double volatility = 0.002;  // stdev of the per-bar log return
    double drift = 0;           // mean of the per-bar log return
};

// One symbol's candles: each open is the previous close, the close follows a log-normal step,
// the wicks reach a random fraction of one volatility beyond the body, volume is always positive.
class RandomWalk {
  public:
    RandomWalk(const WalkParams& p, std::string_view symbol) noexcept
        : p_(p), rng_(p.seed ^ stable_hash(symbol)), price_(p.start_price) {}

    Candle next() noexcept {
        double z = rng_.normal();
        Candle c;
        c.open_time_ms = p_.start_ms + index_++ * p_.interval_ms;
        c.open = price_;
        c.close = price_ * std::exp(p_.drift + p_.volatility * z);
        c.high = std::max(c.open, c.close) * (1 + p_.volatility * rng_.uniform());
        c.low = std::min(c.open, c.close) * (1 - p_.volatility * rng_.uniform());
        c.volume = 100 * (0.5 + rng_.uniform()) * (1 + std::fabs(z));
        price_ = c.close;
        return c;
    }
    // How many candles next() has returned.
    int64_t index() const noexcept { return index_; }

  private:
    WalkParams p_;
    Xoshiro256 rng_;
    double price_;
    int64_t index_ = 0;
};

// The same symbol's market before the walk's start, walked backwards with a generator of its own,
// so the walk's candles stay what they are: the candle just before the start closes at
// start_price, where the walk's first one opens, and each one further back closes where the one
// after it opens. Candle k (k = 1, 2, ...) opens at start_ms - k * interval_ms and depends only on
// the seed and the k - 1 candles after it: asking for more history never changes the nearer one.
class WalkBeforeStart {
  public:
    WalkBeforeStart(const WalkParams& p, std::string_view symbol)
        : p_(p),
          rng_(p.seed ^ stable_hash(std::string(symbol) + "#before")),
          price_(p.start_price) {}

    // The candle before the last one returned (the one just before the start, first).
    Candle previous() noexcept {
        double z = rng_.normal();
        Candle c;
        c.open_time_ms = p_.start_ms - ++count_ * p_.interval_ms;
        c.close = price_;
        c.open = price_ / std::exp(p_.drift + p_.volatility * z);
        c.high = std::max(c.open, c.close) * (1 + p_.volatility * rng_.uniform());
        c.low = std::min(c.open, c.close) * (1 - p_.volatility * rng_.uniform());
        c.volume = 100 * (0.5 + rng_.uniform()) * (1 + std::fabs(z));
        price_ = c.open;
        return c;
    }

  private:
    WalkParams p_;
    Xoshiro256 rng_;
    double price_;
    int64_t count_ = 0;
};

}  // namespace orchestrade::candles
