// Technical indicators for plugins: SMA, EMA, MACD, RSI (Wilder) and ATR (Wilder), each as an
// incremental class (one value in, O(1)) and as a batch function over a whole series. Header-only,
// no dependency beyond the standard library.
//
// Conventions (those of TA-Lib with its default settings, so values can be compared with it):
//   - The "lookback" of an indicator is the index of its first defined value when the series
//     starts at index 0. Batch functions return one value per input, quiet NaN before the
//     lookback; incremental classes return std::nullopt until then.
//   - SMA(n): the mean of the last n values. Lookback n - 1.
//   - EMA(n): k = 2 / (n + 1), seeded with the SMA of the first n values, then
//     ema = (x - ema) * k + ema. Lookback n - 1.
//   - MACD(fast, slow, signal): both EMAs start at index slow - 1, each seeded with the SMA of its
//     last `fast` / `slow` values there (so the fast EMA differs from a plain EMA(fast) until the
//     seeds are forgotten); line = fast EMA - slow EMA; signal = EMA(signal) of the line, seeded
//     with the SMA of its first `signal` values; histogram = line - signal. All three are first
//     defined at index slow + signal - 2 (33 for 12/26/9).
//   - RSI(n), Wilder: the first n changes are averaged simply (gains and losses apart); then
//     avg = (avg * (n - 1) + change) / n. RSI = 100 * avg_gain / (avg_gain + avg_loss), and 0 when
//     both averages are 0 (TA-Lib also returns 0 when their sum is below 1e-8; here only for an
//     exact 0). Lookback n.
//   - ATR(n), Wilder: the true range of bar i > 0 is max(high, previous close) - min(low, previous
//     close); the first bar has none. ATR is first the simple mean of the true ranges of bars
//     1..n, then atr = (atr * (n - 1) + tr) / n. Lookback n.
#pragma once

#include <cmath>
#include <cstddef>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace orchestrade::indicators {

constexpr int sma_lookback(int period) {
    return period - 1;
}
constexpr int ema_lookback(int period) {
    return period - 1;
}
constexpr int macd_lookback(int /*fast*/, int slow, int signal) {
    return slow + signal - 2;
}
constexpr int rsi_lookback(int period) {
    return period;
}
constexpr int atr_lookback(int period) {
    return period;
}

namespace detail {

inline int checked_period(int period, int min, const char* name) {
    if (period < min)
        throw std::invalid_argument(std::string(name) + ": period " + std::to_string(period) +
                                    " is below " + std::to_string(min));
    return period;
}

}  // namespace detail

// Simple moving average over a ring of the last n values.
class Sma {
  public:
    explicit Sma(int period)
        : n_(detail::checked_period(period, 1, "SMA")), ring_(static_cast<std::size_t>(n_)) {}

    std::optional<double> update(double x) {
        if (count_ == ring_.size()) sum_ -= ring_[head_];
        ring_[head_] = x;
        sum_ += x;
        if (++head_ == ring_.size()) {
            head_ = 0;
            // A running sum drifts by rounding; summing the ring again once per lap bounds it.
            resum();
        }
        if (count_ < ring_.size()) ++count_;
        return value();
    }
    bool ready() const { return count_ == ring_.size(); }
    std::optional<double> value() const {
        if (!ready()) return std::nullopt;
        return sum_ / n_;
    }
    int period() const { return n_; }

  private:
    void resum() {
        sum_ = 0;
        for (double v : ring_)
            sum_ += v;
    }

    int n_;
    std::vector<double> ring_;
    std::size_t head_ = 0;   // where the next value goes (the oldest one once full)
    std::size_t count_ = 0;  // values held, up to n
    double sum_ = 0;
};

// Exponential moving average, seeded with the SMA of the first n values.
class Ema {
  public:
    explicit Ema(int period) : n_(detail::checked_period(period, 1, "EMA")), k_(2.0 / (n_ + 1.0)) {}

    std::optional<double> update(double x) {
        if (count_ < n_) {
            seed_sum_ += x;
            if (++count_ == n_) ema_ = seed_sum_ / n_;
        } else {
            ema_ = (x - ema_) * k_ + ema_;
        }
        return value();
    }
    bool ready() const { return count_ == n_; }
    std::optional<double> value() const {
        if (!ready()) return std::nullopt;
        return ema_;
    }
    int period() const { return n_; }

  private:
    int n_;
    double k_;
    int count_ = 0;  // values seen, up to n
    double seed_sum_ = 0;
    double ema_ = 0;
};

struct MacdValue {
    double macd = 0;
    double signal = 0;
    double histogram = 0;
};

// MACD with TA-Lib's seeding: both EMAs start together at index slow - 1 (see the top).
class Macd {
  public:
    Macd(int fast = 12, int slow = 26, int signal = 9)
        : fast_n_(detail::checked_period(fast, 1, "MACD fast")),
          slow_n_(detail::checked_period(slow, 2, "MACD slow")),
          fast_k_(2.0 / (fast_n_ + 1.0)),
          slow_k_(2.0 / (slow_n_ + 1.0)),
          window_(static_cast<std::size_t>(slow_n_)),
          signal_(detail::checked_period(signal, 1, "MACD signal")) {
        if (fast_n_ >= slow_n_)
            throw std::invalid_argument("MACD: the fast period must be shorter than the slow one");
    }

    std::optional<MacdValue> update(double x) {
        if (seen_ < slow_n_) {
            window_[static_cast<std::size_t>(seen_)] = x;
            if (++seen_ < slow_n_) return std::nullopt;
            seed();
        } else {
            fast_ = (x - fast_) * fast_k_ + fast_;
            slow_ = (x - slow_) * slow_k_ + slow_;
        }
        double line = fast_ - slow_;
        std::optional<double> signal = signal_.update(line);
        if (!signal) return std::nullopt;
        value_ = MacdValue{line, *signal, line - *signal};
        return value_;
    }
    bool ready() const { return signal_.ready(); }
    std::optional<MacdValue> value() const {
        if (!ready()) return std::nullopt;
        return value_;
    }

  private:
    // Both EMAs are seeded from the first `slow` values: the slow one with all of them, the fast
    // one with the last `fast` of them (TA-Lib's order of summation).
    void seed() {
        double slow_sum = 0, fast_sum = 0;
        for (int i = 0; i < slow_n_; ++i) {
            double v = window_[static_cast<std::size_t>(i)];
            slow_sum += v;
            if (i >= slow_n_ - fast_n_) fast_sum += v;
        }
        slow_ = slow_sum / slow_n_;
        fast_ = fast_sum / fast_n_;
        window_ = {};
    }

    int fast_n_, slow_n_;
    double fast_k_, slow_k_;
    std::vector<double> window_;  // the first `slow` values, until the seed
    int seen_ = 0;                // values seen, up to slow
    double fast_ = 0, slow_ = 0;
    Ema signal_;
    MacdValue value_;
};

// Relative strength index with Wilder's smoothing.
class Rsi {
  public:
    explicit Rsi(int period = 14) : n_(detail::checked_period(period, 2, "RSI")) {}

    std::optional<double> update(double x) {
        if (changes_ < 0) {
            changes_ = 0;
            previous_ = x;
            return std::nullopt;
        }
        double change = x - previous_;
        previous_ = x;
        double gain = change > 0 ? change : 0;
        double loss = change < 0 ? -change : 0;
        if (changes_ < n_) {
            gain_ += gain;
            loss_ += loss;
            if (++changes_ < n_) return std::nullopt;
            gain_ /= n_;
            loss_ /= n_;
        } else {
            gain_ = (gain_ * (n_ - 1) + gain) / n_;
            loss_ = (loss_ * (n_ - 1) + loss) / n_;
        }
        double total = gain_ + loss_;
        rsi_ = total == 0 ? 0.0 : 100.0 * (gain_ / total);
        return rsi_;
    }
    bool ready() const { return changes_ == n_; }
    std::optional<double> value() const {
        if (!ready()) return std::nullopt;
        return rsi_;
    }
    int period() const { return n_; }

  private:
    int n_;
    int changes_ = -1;  // -1 before the first value; then changes seen, up to n
    double previous_ = 0;
    double gain_ = 0, loss_ = 0;  // sums while seeding, then Wilder averages
    double rsi_ = 0;
};

// Average true range with Wilder's smoothing.
class Atr {
  public:
    explicit Atr(int period = 14) : n_(detail::checked_period(period, 1, "ATR")) {}

    std::optional<double> update(double high, double low, double close) {
        if (ranges_ < 0) {
            ranges_ = 0;
            previous_close_ = close;
            return std::nullopt;
        }
        double tr = true_range(high, low, previous_close_);
        previous_close_ = close;
        if (ranges_ < n_) {
            atr_ += tr;
            if (++ranges_ < n_) return std::nullopt;
            atr_ /= n_;
        } else {
            atr_ = (atr_ * (n_ - 1) + tr) / n_;
        }
        return atr_;
    }
    bool ready() const { return ranges_ == n_; }
    std::optional<double> value() const {
        if (!ready()) return std::nullopt;
        return atr_;
    }
    int period() const { return n_; }

    // Wilder's true range: the bar's range extended to the previous close.
    static double true_range(double high, double low, double previous_close) {
        double range = high - low;
        double up = std::fabs(previous_close - high);
        double down = std::fabs(previous_close - low);
        return range > up ? (range > down ? range : down) : (up > down ? up : down);
    }

  private:
    int n_;
    int ranges_ = -1;  // -1 before the first bar; then true ranges seen, up to n
    double previous_close_ = 0;
    double atr_ = 0;  // sum while seeding, then the average
};

// ---- batch: one output per input, NaN before the lookback ------------------------------------

namespace detail {

template <class Indicator>
std::vector<double> run_series(Indicator indicator, const std::vector<double>& x) {
    std::vector<double> out(x.size(), std::numeric_limits<double>::quiet_NaN());
    for (std::size_t i = 0; i < x.size(); ++i)
        if (std::optional<double> v = indicator.update(x[i])) out[i] = *v;
    return out;
}

}  // namespace detail

inline std::vector<double> sma(const std::vector<double>& x, int period) {
    return detail::run_series(Sma(period), x);
}

inline std::vector<double> ema(const std::vector<double>& x, int period) {
    return detail::run_series(Ema(period), x);
}

inline std::vector<double> rsi(const std::vector<double>& x, int period = 14) {
    return detail::run_series(Rsi(period), x);
}

struct MacdSeries {
    std::vector<double> macd, signal, histogram;
};

inline MacdSeries macd(const std::vector<double>& x, int fast = 12, int slow = 26, int signal = 9) {
    const double nan = std::numeric_limits<double>::quiet_NaN();
    MacdSeries out{std::vector<double>(x.size(), nan), std::vector<double>(x.size(), nan),
                   std::vector<double>(x.size(), nan)};
    Macd m(fast, slow, signal);
    for (std::size_t i = 0; i < x.size(); ++i) {
        if (std::optional<MacdValue> v = m.update(x[i])) {
            out.macd[i] = v->macd;
            out.signal[i] = v->signal;
            out.histogram[i] = v->histogram;
        }
    }
    return out;
}

// high, low and close must have the same length.
inline std::vector<double> atr(const std::vector<double>& high, const std::vector<double>& low,
                               const std::vector<double>& close, int period = 14) {
    if (high.size() != close.size() || low.size() != close.size())
        throw std::invalid_argument("ATR: high, low and close differ in length");
    std::vector<double> out(close.size(), std::numeric_limits<double>::quiet_NaN());
    Atr a(period);
    for (std::size_t i = 0; i < close.size(); ++i)
        if (std::optional<double> v = a.update(high[i], low[i], close[i])) out[i] = *v;
    return out;
}

}  // namespace orchestrade::indicators
