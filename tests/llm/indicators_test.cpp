// The SDK's indicators against values computed here from the definitions (TA-Lib's conventions),
// by hand, and from a published example.
#include <orchestrade/indicators.hpp>

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

namespace ind = orchestrade::indicators;

namespace {

constexpr double kTolerance = 1e-9;
const double kNan = std::nan("");

// ---- independent references: straight from the definitions, one output per input -------------

std::vector<double> ref_sma(const std::vector<double>& x, int n) {
    std::vector<double> out(x.size(), kNan);
    for (std::size_t i = n - 1; i < x.size(); ++i) {
        double sum = 0;
        for (std::size_t j = i + 1 - n; j <= i; ++j)
            sum += x[j];
        out[i] = sum / n;
    }
    return out;
}

// An EMA whose first value, at `seed_index`, is the mean of the n values ending there.
std::vector<double> ref_ema_from(const std::vector<double>& x, int n, std::size_t seed_index) {
    std::vector<double> out(x.size(), kNan);
    if (seed_index >= x.size()) return out;
    double sum = 0;
    for (std::size_t j = seed_index + 1 - n; j <= seed_index; ++j)
        sum += x[j];
    out[seed_index] = sum / n;
    double k = 2.0 / (n + 1);
    for (std::size_t i = seed_index + 1; i < x.size(); ++i)
        out[i] = out[i - 1] + k * (x[i] - out[i - 1]);
    return out;
}

std::vector<double> ref_ema(const std::vector<double>& x, int n) {
    return ref_ema_from(x, n, n - 1);
}

ind::MacdSeries ref_macd(const std::vector<double>& x, int fast, int slow, int signal) {
    std::vector<double> f = ref_ema_from(x, fast, slow - 1);
    std::vector<double> s = ref_ema_from(x, slow, slow - 1);
    std::vector<double> line(x.size(), kNan);
    for (std::size_t i = slow - 1; i < x.size(); ++i)
        line[i] = f[i] - s[i];
    std::vector<double> sig = ref_ema_from(line, signal, slow + signal - 2);
    ind::MacdSeries out{std::vector<double>(x.size(), kNan), sig,
                        std::vector<double>(x.size(), kNan)};
    for (std::size_t i = slow + signal - 2; i < x.size(); ++i) {
        out.macd[i] = line[i];
        out.histogram[i] = line[i] - sig[i];
    }
    return out;
}

std::vector<double> ref_rsi(const std::vector<double>& x, int n) {
    std::vector<double> out(x.size(), kNan);
    if (x.size() <= static_cast<std::size_t>(n)) return out;
    double gain = 0, loss = 0;
    for (int i = 1; i <= n; ++i) {
        double d = x[i] - x[i - 1];
        gain += std::max(d, 0.0);
        loss += std::max(-d, 0.0);
    }
    gain /= n;
    loss /= n;
    auto rsi = [&] { return gain + loss == 0 ? 0.0 : 100 * gain / (gain + loss); };
    out[n] = rsi();
    for (std::size_t i = n + 1; i < x.size(); ++i) {
        double d = x[i] - x[i - 1];
        gain = (gain * (n - 1) + std::max(d, 0.0)) / n;
        loss = (loss * (n - 1) + std::max(-d, 0.0)) / n;
        out[i] = rsi();
    }
    return out;
}

std::vector<double> ref_atr(const std::vector<double>& h, const std::vector<double>& l,
                            const std::vector<double>& c, int n) {
    std::vector<double> out(c.size(), kNan), tr(c.size(), kNan);
    for (std::size_t i = 1; i < c.size(); ++i)
        tr[i] = std::max({h[i] - l[i], std::fabs(h[i] - c[i - 1]), std::fabs(l[i] - c[i - 1])});
    if (c.size() <= static_cast<std::size_t>(n)) return out;
    double atr = 0;
    for (int i = 1; i <= n; ++i)
        atr += tr[i];
    out[n] = atr /= n;
    for (std::size_t i = n + 1; i < c.size(); ++i)
        out[i] = atr = (atr * (n - 1) + tr[i]) / n;
    return out;
}

// ---- helpers ---------------------------------------------------------------------------------

struct Bars {
    std::vector<double> high, low, close;
};

Bars random_bars(std::size_t n, unsigned seed) {
    std::mt19937_64 rng(seed);
    std::normal_distribution<double> step(0, 0.01);
    std::uniform_real_distribution<double> wick(0, 0.005);
    Bars b;
    double price = 100;
    for (std::size_t i = 0; i < n; ++i) {
        double open = price;
        price *= std::exp(step(rng));
        b.close.push_back(price);
        b.high.push_back(std::max(open, price) * (1 + wick(rng)));
        b.low.push_back(std::min(open, price) * (1 - wick(rng)));
    }
    return b;
}

void expect_same(const std::vector<double>& actual, const std::vector<double>& expected,
                 const char* what) {
    ASSERT_EQ(actual.size(), expected.size()) << what;
    for (std::size_t i = 0; i < actual.size(); ++i) {
        if (std::isnan(expected[i])) {
            ASSERT_TRUE(std::isnan(actual[i])) << what << " defined too early at " << i;
        } else {
            ASSERT_NEAR(actual[i], expected[i], kTolerance) << what << " at " << i;
        }
    }
}

std::size_t first_defined(const std::vector<double>& v) {
    std::size_t i = 0;
    while (i < v.size() && std::isnan(v[i]))
        ++i;
    return i;
}

}  // namespace

TEST(Indicators, SmaAndEmaOfASmallSeriesByHand) {
    std::vector<double> x{1, 2, 3, 4, 5, 6};
    expect_same(ind::sma(x, 3), {kNan, kNan, 2, 3, 4, 5}, "SMA(3)");
    // Seed: the mean of 1, 2, 3; then k = 0.5.
    expect_same(ind::ema(x, 3), {kNan, kNan, 2, 3, 4, 5}, "EMA(3)");
    expect_same(ind::ema({2, 4, 10}, 2), {kNan, 3, 3 + (10 - 3) * 2.0 / 3}, "EMA(2)");
}

TEST(Indicators, MacdSeedsBothAveragesAtTheSlowPeriodLikeTaLib) {
    // fast 2, slow 3, signal 2: slow seed (1+2+4)/3, fast seed (2+4)/2, both at index 2.
    ind::MacdSeries m = ind::macd({1, 2, 4, 8}, 2, 3, 2);
    // Index 3: fast 3 + (8-3)*2/3 = 19/3, slow 7/3 + (8-7/3)/2 = 31/6, line 7/6; the line at
    // index 2 is 3 - 7/3 = 2/3, so the signal seed is (2/3 + 7/6) / 2 = 11/12.
    EXPECT_TRUE(std::isnan(m.macd[2]));
    EXPECT_NEAR(m.macd[3], 7.0 / 6, kTolerance);
    EXPECT_NEAR(m.signal[3], 11.0 / 12, kTolerance);
    EXPECT_NEAR(m.histogram[3], 0.25, kTolerance);
    // Not the difference of two plain EMAs: the fast one would be 6.38889 here, not 6.33333.
    std::vector<double> plain = ind::ema({1, 2, 4, 8}, 2);
    EXPECT_GT(std::fabs((plain[3] - 31.0 / 6) - m.macd[3]), 0.05);
}

TEST(Indicators, RsiAndAtrOfSmallSeriesByHand) {
    // Changes +1, +1, -1: seed gain 1, loss 0 -> 100; then gain 0.5, loss 0.5 -> 50.
    expect_same(ind::rsi({1, 2, 3, 2}, 2), {kNan, kNan, 100, 50}, "RSI(2)");
    // A flat series has neither gains nor losses: 0, TA-Lib's convention.
    expect_same(ind::rsi({5, 5, 5, 5}, 2), {kNan, kNan, 0, 0}, "RSI of a flat series");
    // True ranges 2, 2, 4 and 10 (a gap up from a close at 10); the first bar has none.
    std::vector<double> high{10, 11, 12, 13, 20}, low{8, 9, 10, 9, 19}, close{9, 10, 11, 10, 19.5};
    expect_same(ind::atr(high, low, close, 2), {kNan, kNan, 2, 3, 6.5}, "ATR(2)");
    EXPECT_DOUBLE_EQ(ind::Atr::true_range(20, 19, 10), 10);
    EXPECT_DOUBLE_EQ(ind::Atr::true_range(12, 10, 15), 5);
}

TEST(Indicators, RsiMatchesWildersPublishedExample) {
    // The 14-period example commonly used to explain Wilder's RSI (values rounded to 2 places).
    std::vector<double> closes{44.3389, 44.0902, 44.1497, 43.6124, 44.3278, 44.8264, 45.0955,
                               45.4245, 45.8433, 46.0826, 45.8931, 46.0328, 45.6140, 46.2820,
                               46.2820, 46.0028, 46.0328, 46.4116, 46.2222, 45.6439, 46.2122};
    std::vector<double> expected{70.53, 66.32, 66.55, 69.41, 66.36, 57.97, 62.93};
    std::vector<double> rsi = ind::rsi(closes, 14);
    ASSERT_EQ(first_defined(rsi), 14u);
    for (std::size_t i = 0; i < expected.size(); ++i)
        EXPECT_NEAR(rsi[14 + i], expected[i], 0.01) << i;
}

TEST(Indicators, LongSeriesMatchTheReferencesToOneBillionth) {
    Bars b = random_bars(5000, 7);
    for (int n : {1, 2, 5, 14, 20, 50}) {
        expect_same(ind::sma(b.close, n), ref_sma(b.close, n), "SMA");
        expect_same(ind::ema(b.close, n), ref_ema(b.close, n), "EMA");
        expect_same(ind::atr(b.high, b.low, b.close, n), ref_atr(b.high, b.low, b.close, n), "ATR");
        if (n >= 2) expect_same(ind::rsi(b.close, n), ref_rsi(b.close, n), "RSI");
    }
    for (auto [fast, slow, signal] :
         {std::tuple{12, 26, 9}, std::tuple{5, 35, 5}, std::tuple{3, 10, 1}}) {
        ind::MacdSeries got = ind::macd(b.close, fast, slow, signal);
        ind::MacdSeries want = ref_macd(b.close, fast, slow, signal);
        expect_same(got.macd, want.macd, "MACD line");
        expect_same(got.signal, want.signal, "MACD signal");
        expect_same(got.histogram, want.histogram, "MACD histogram");
    }
}

TEST(Indicators, FirstDefinedValuesSitAtTheLookback) {
    Bars b = random_bars(200, 3);
    EXPECT_EQ(first_defined(ind::sma(b.close, 20)),
              static_cast<std::size_t>(ind::sma_lookback(20)));
    EXPECT_EQ(first_defined(ind::ema(b.close, 20)),
              static_cast<std::size_t>(ind::ema_lookback(20)));
    EXPECT_EQ(first_defined(ind::macd(b.close).macd),
              static_cast<std::size_t>(ind::macd_lookback(12, 26, 9)));
    EXPECT_EQ(ind::macd_lookback(12, 26, 9), 33);
    EXPECT_EQ(first_defined(ind::rsi(b.close, 14)),
              static_cast<std::size_t>(ind::rsi_lookback(14)));
    EXPECT_EQ(first_defined(ind::atr(b.high, b.low, b.close, 14)),
              static_cast<std::size_t>(ind::atr_lookback(14)));
}

TEST(Indicators, IncrementalUpdatesGiveTheBatchValues) {
    Bars b = random_bars(300, 11);
    ind::Ema ema(20);
    ind::Rsi rsi(14);
    ind::Atr atr(14);
    ind::Macd macd;
    std::vector<double> batch_ema = ind::ema(b.close, 20), batch_rsi = ind::rsi(b.close, 14),
                        batch_atr = ind::atr(b.high, b.low, b.close, 14);
    ind::MacdSeries batch_macd = ind::macd(b.close);
    for (std::size_t i = 0; i < b.close.size(); ++i) {
        std::optional<double> e = ema.update(b.close[i]);
        std::optional<double> r = rsi.update(b.close[i]);
        std::optional<double> a = atr.update(b.high[i], b.low[i], b.close[i]);
        std::optional<ind::MacdValue> m = macd.update(b.close[i]);
        ASSERT_EQ(e.has_value(), !std::isnan(batch_ema[i]));
        ASSERT_EQ(r.has_value(), rsi.ready());
        ASSERT_EQ(m.has_value(), !std::isnan(batch_macd.macd[i]));
        ASSERT_EQ(e.value_or(-1), e ? batch_ema[i] : -1);
        ASSERT_EQ(r.value_or(-1), r ? batch_rsi[i] : -1);
        ASSERT_EQ(a.value_or(-1), a ? batch_atr[i] : -1);
        if (m) {
            ASSERT_EQ(m->signal, batch_macd.signal[i]);
        }
    }
    EXPECT_EQ(ema.value(), batch_ema.back());
}

TEST(Indicators, ASmaKeepsItsPrecisionOverLongRuns) {
    ind::Sma sma(10);
    std::mt19937_64 rng(5);
    std::uniform_real_distribution<double> u(1e4, 1e5);
    std::vector<double> last;
    for (int i = 0; i < 200000; ++i) {
        double v = u(rng);
        sma.update(v);
        last.push_back(v);
        if (last.size() > 10) last.erase(last.begin());
    }
    double sum = 0;
    for (double v : last)
        sum += v;
    EXPECT_NEAR(*sma.value(), sum / 10, kTolerance);
}

TEST(Indicators, BadPeriodsAndLengthsAreRefused) {
    EXPECT_THROW(ind::Sma(0), std::invalid_argument);
    EXPECT_THROW(ind::Ema(-3), std::invalid_argument);
    EXPECT_THROW(ind::Rsi(1), std::invalid_argument);
    EXPECT_THROW(ind::Macd(26, 12, 9), std::invalid_argument);
    EXPECT_THROW(ind::atr({1, 2}, {1}, {1, 2}, 2), std::invalid_argument);
}
