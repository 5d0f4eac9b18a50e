#include <orchestrade/testing/fake_host.hpp>
#include <orchestrade/testing/plugin_library.hpp>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <vector>

namespace ot = orchestrade::testing;

namespace {

constexpr int64_t kT0 = 1704067200000;
constexpr int64_t kMinute = 60000;

std::vector<ot::Bar> bars_from(const std::vector<double>& closes,
                               const std::string& symbol = "BTC/USDT", int32_t interval_s = 60) {
    std::vector<ot::Bar> bars;
    for (std::size_t i = 0; i < closes.size(); ++i) {
        double c = closes[i];
        bars.push_back({symbol, interval_s, kT0 + static_cast<int64_t>(i) * interval_s * 1000, c,
                        c + 1, c - 1, c, 10});
    }
    return bars;
}

double mean(const std::vector<double>& closes, std::size_t end, std::size_t n) {
    double sum = 0;
    for (std::size_t i = end - n; i < end; ++i)
        sum += closes[i];
    return sum / static_cast<double>(n);
}

// What the strategy must say at each bar from index 'slow' on, computed from scratch.
std::vector<int32_t> expected_actions(const std::vector<double>& closes, std::size_t fast,
                                      std::size_t slow) {
    std::vector<int32_t> actions;
    for (std::size_t i = slow; i < closes.size(); ++i) {
        double f = mean(closes, i + 1, fast), s = mean(closes, i + 1, slow);
        double pf = mean(closes, i, fast), ps = mean(closes, i, slow);
        if (pf <= ps && f > s)
            actions.push_back(OT_ACTION_BUY);
        else if (pf >= ps && f < s)
            actions.push_back(OT_ACTION_SELL);
        else
            actions.push_back(OT_ACTION_HOLD);
    }
    return actions;
}

std::vector<int32_t> actions_of(const std::vector<ot::Signal>& signals) {
    std::vector<int32_t> out;
    for (const ot::Signal& s : signals)
        out.push_back(s.action);
    return out;
}

// Integer closes of a bounded random walk: SMAs are exact, crossings plentiful.
std::vector<double> wandering_closes(std::size_t n) {
    std::vector<double> closes;
    uint32_t state = 12345;
    double price = 1000;
    for (std::size_t i = 0; i < n; ++i) {
        state = state * 1664525u + 1013904223u;
        price += static_cast<double>(state >> 28) - 7.5 + 0.5;
        closes.push_back(price);
    }
    return closes;
}

class SmaCrossTest : public ::testing::Test {
  protected:
    ot::StrategyInstance make(int fast, int slow, ot::ParamMap extra = {}) {
        extra["fast"] = std::to_string(fast);
        extra["slow"] = std::to_string(slow);
        ot::StrategyInstance s = lib.create_strategy("sma_cross", host, extra);
        s.start();
        return s;
    }

    ot::FakeHost host;
    ot::PluginLibrary lib{ORCHESTRADE_PLUGIN_FILE};
};

TEST_F(SmaCrossTest, CrossesAreSignalledOnExactlyTheBarsWhereTheyHappen) {
    // fast 2 / slow 4. Bar 4: fast (10+12)/2 = 11 > slow (10+10+10+12)/4 = 10.5 after being equal
    // at bar 3 -> BUY. Bar 8: fast (14+10)/2 = 12 < slow (16+14+14+10)/4 = 13.5 after 15 >= 14
    // -> SELL. Every other bar from bar 4 on is HOLD.
    std::vector<double> closes{10, 10, 10, 10, 12, 14, 16, 14, 10, 9, 8, 8};
    ot::StrategyInstance s = make(2, 4);
    std::vector<ot::Signal> signals = s.on_each_bar(bars_from(closes));
    ASSERT_EQ(signals.size(), closes.size() - 4);
    for (std::size_t k = 0; k < signals.size(); ++k) {
        std::size_t bar = k + 4;
        int32_t want = bar == 4 ? OT_ACTION_BUY : bar == 8 ? OT_ACTION_SELL : OT_ACTION_HOLD;
        EXPECT_EQ(signals[k].action, want) << "bar " << bar;
        EXPECT_EQ(signals[k].time_ms, kT0 + static_cast<int64_t>(bar) * kMinute);
        EXPECT_EQ(signals[k].symbol, "BTC/USDT");
    }
    EXPECT_EQ(signals[0].reason, "fast SMA crossed above slow SMA");
    EXPECT_EQ(signals[4].reason, "fast SMA crossed below slow SMA");
}

TEST_F(SmaCrossTest, ALongSeriesMatchesAnIndependentComputation) {
    std::vector<double> closes = wandering_closes(3000);
    ot::StrategyInstance s = make(5, 17);
    std::vector<int32_t> got = actions_of(s.on_bars(bars_from(closes)));
    std::vector<int32_t> want = expected_actions(closes, 5, 17);
    EXPECT_EQ(got, want);
    EXPECT_GT(std::count(want.begin(), want.end(), OT_ACTION_BUY), 20);
}

TEST_F(SmaCrossTest, BuyAndSellCarryTheIndicatorValues) {
    std::vector<double> closes{10, 10, 10, 10, 12};
    ot::StrategyInstance s = make(2, 4);
    std::vector<ot::Signal> signals = s.on_each_bar(bars_from(closes));
    ASSERT_EQ(signals.size(), 1u);
    nlohmann::json meta = nlohmann::json::parse(signals[0].metadata_json);
    EXPECT_DOUBLE_EQ(meta.at("sma_fast").get<double>(), 11);
    EXPECT_DOUBLE_EQ(meta.at("sma_slow").get<double>(), 10.5);
    EXPECT_DOUBLE_EQ(meta.at("close").get<double>(), 12);
}

TEST_F(SmaCrossTest, HoldHasNoMetadataInABacktest) {
    std::vector<double> closes{10, 10, 10, 10, 10};
    ot::StrategyInstance s = make(2, 4);
    std::vector<ot::Signal> signals = s.on_each_bar(bars_from(closes));
    ASSERT_EQ(signals.size(), 1u);
    EXPECT_EQ(signals[0].action, OT_ACTION_HOLD);
    EXPECT_EQ(signals[0].metadata_json, "");
}

TEST_F(SmaCrossTest, EverySignalCarriesMetadataInPaperMode) {
    host.set_mode(OT_MODE_PAPER);
    std::vector<double> closes{10, 10, 10, 10, 10.5};
    ot::StrategyInstance s = make(2, 4);
    std::vector<ot::Signal> signals = s.on_each_bar(bars_from(closes));
    ASSERT_EQ(signals.size(), 1u);
    EXPECT_EQ(signals[0].action, OT_ACTION_BUY);
    closes.push_back(10.5);
    signals = s.on_each_bar({bars_from(closes).back()});
    ASSERT_EQ(signals.size(), 1u);
    EXPECT_EQ(signals[0].action, OT_ACTION_HOLD);
    nlohmann::json meta = nlohmann::json::parse(signals[0].metadata_json);
    EXPECT_DOUBLE_EQ(meta.at("sma_fast").get<double>(), 10.5);
    EXPECT_DOUBLE_EQ(meta.at("sma_slow").get<double>(), 10.25);
    EXPECT_DOUBLE_EQ(meta.at("close").get<double>(), 10.5);
}

TEST_F(SmaCrossTest, NothingIsSaidUntilSlowPlusOneBars) {
    ot::StrategyInstance s = make(3, 8);
    EXPECT_EQ(s.warmup_bars(), 9u);
    std::vector<ot::Bar> bars = bars_from(wandering_closes(9));
    std::vector<ot::Signal> signals = s.on_each_bar({bars.begin(), bars.begin() + 8});
    EXPECT_TRUE(signals.empty());
    EXPECT_EQ(s.on_each_bar({bars[8]}).size(), 1u);
}

TEST_F(SmaCrossTest, DefaultsAreTenAndThirty) {
    ot::StrategyInstance s = lib.create_strategy("sma_cross", host);
    EXPECT_EQ(s.warmup_bars(), 31u);
}

TEST_F(SmaCrossTest, WarmupBatchesUpdateStateButSignalNothing) {
    std::vector<double> closes = wandering_closes(200);
    std::vector<ot::Bar> bars = bars_from(closes);
    ot::StrategyInstance s = make(4, 9);
    EXPECT_TRUE(s.on_bars({bars.begin(), bars.begin() + 50}, OT_BATCH_WARMUP).empty());
    std::vector<int32_t> got = actions_of(s.on_each_bar({bars.begin() + 50, bars.end()}));
    std::vector<int32_t> all = expected_actions(closes, 4, 9);
    EXPECT_EQ(got, std::vector<int32_t>(all.begin() + (50 - 9), all.end()));
}

TEST_F(SmaCrossTest, ATimeframeKeepsOnlyBarsOfThatInterval) {
    std::vector<double> closes = wandering_closes(120);
    std::vector<ot::Bar> four_hour = bars_from(closes, "BTC/USDT", 4 * 3600);
    std::vector<ot::Bar> mixed;
    for (std::size_t i = 0; i < four_hour.size(); ++i) {
        mixed.push_back(four_hour[i]);
        ot::Bar noise = four_hour[i];
        noise.interval_s = 60;
        noise.close = i % 2 ? 1.0 : 1e6;  // would cross on every bar if it were counted
        mixed.push_back(noise);
    }
    ot::StrategyInstance s = make(3, 7, {{"timeframe", "4h"}});
    std::vector<ot::Signal> signals = s.on_each_bar(mixed);
    EXPECT_EQ(actions_of(signals), expected_actions(closes, 3, 7));
    for (const ot::Signal& sig : signals)
        EXPECT_EQ((sig.time_ms - kT0) % (4 * 3600 * 1000), 0);
}

TEST_F(SmaCrossTest, SymbolsAreTrackedIndependently) {
    std::vector<double> a = wandering_closes(300);
    std::vector<double> b(a.rbegin(), a.rend());
    std::vector<ot::Bar> bars_a = bars_from(a, "A/USD"), bars_b = bars_from(b, "B/USD");
    ot::StrategyInstance s = make(3, 11);
    std::vector<int32_t> got_a, got_b;
    for (std::size_t i = 0; i < a.size(); ++i) {
        for (const ot::Signal& sig : s.on_bars({bars_a[i], bars_b[i]}))
            (sig.symbol == "A/USD" ? got_a : got_b).push_back(sig.action);
    }
    EXPECT_EQ(got_a, expected_actions(a, 3, 11));
    EXPECT_EQ(got_b, expected_actions(b, 3, 11));
}

const char* reason_of(int32_t action) {
    switch (action) {
        case OT_ACTION_BUY:
            return "fast SMA crossed above slow SMA";
        case OT_ACTION_SELL:
            return "fast SMA crossed below slow SMA";
        default:
            return "no crossover";
    }
}

TEST_F(SmaCrossTest, SymbolsKeepTheirSeriesWhateverTheBatchSymbolTable) {
    // A batch's symbol table lists its symbols in order of appearance: index 0 is A, then B,
    // and some batches hold one symbol only.
    std::vector<double> a = wandering_closes(300);
    std::vector<double> b(a.rbegin(), a.rend());
    std::vector<ot::Bar> bars_a = bars_from(a, "A/USD"), bars_b = bars_from(b, "B/USD");
    ot::StrategyInstance s = make(3, 11);
    std::vector<int32_t> got_a, got_b;
    auto collect = [&](const std::vector<ot::Signal>& signals) {
        for (const ot::Signal& sig : signals) {
            (sig.symbol == "A/USD" ? got_a : got_b).push_back(sig.action);
            EXPECT_EQ(sig.reason, reason_of(sig.action));
        }
    };
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (i % 3 == 0) collect(s.on_bars({bars_a[i], bars_b[i]}));
        if (i % 3 == 1) collect(s.on_bars({bars_b[i], bars_a[i]}));
        if (i % 3 == 2) {
            collect(s.on_bars({bars_b[i]}));
            collect(s.on_bars({bars_a[i]}));
        }
    }
    EXPECT_EQ(got_a, expected_actions(a, 3, 11));
    EXPECT_EQ(got_b, expected_actions(b, 3, 11));
}

TEST_F(SmaCrossTest, SlowMustBeGreaterThanFast) {
    for (auto [fast, slow] : {std::pair{10, 10}, std::pair{20, 5}}) {
        try {
            make(fast, slow);
            FAIL() << "accepted fast " << fast << " slow " << slow;
        } catch (const ot::PluginError& e) {
            EXPECT_EQ(e.code(), OT_E_INVALID_ARG);
            EXPECT_NE(std::string(e.what()).find("must be greater than fast"), std::string::npos);
        }
    }
}

}  // namespace
