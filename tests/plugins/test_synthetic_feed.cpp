#include <orchestrade/testing/fake_host.hpp>
#include <orchestrade/testing/plugin_library.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

namespace ot = orchestrade::testing;

namespace {

constexpr int64_t kNoLimit = std::numeric_limits<int64_t>::max();

bool same_bars(const std::vector<ot::Bar>& a, const std::vector<ot::Bar>& b) {
    return std::equal(
        a.begin(), a.end(), b.begin(), b.end(), [](const ot::Bar& x, const ot::Bar& y) {
            return x.symbol == y.symbol && x.interval_s == y.interval_s &&
                   x.open_time_ms == y.open_time_ms && x.open == y.open && x.high == y.high &&
                   x.low == y.low && x.close == y.close && x.volume == y.volume;
        });
}

std::vector<ot::Bar> only(const std::vector<ot::Bar>& bars, const std::string& symbol) {
    std::vector<ot::Bar> out;
    for (const ot::Bar& b : bars)
        if (b.symbol == symbol) out.push_back(b);
    return out;
}

class SyntheticFeedTest : public ::testing::Test {
  protected:
    std::vector<ot::Bar> run(ot::ParamMap params,
                             std::vector<std::string> universe = {"BTC/USDT"}) {
        ot::FakeHost backtest;
        ot::CreateOptions options;
        options.universe = std::move(universe);
        ot::FeedInstance feed = lib.create_feed("synthetic", backtest, params, options);
        feed.start();
        return feed.drain();
    }

    ot::PluginLibrary lib{ORCHESTRADE_PLUGIN_FILE};
};

TEST_F(SyntheticFeedTest, SameSeedGivesTheSameBars) {
    std::vector<ot::Bar> a = run({{"seed", "7"}, {"bars", "500"}});
    std::vector<ot::Bar> b = run({{"seed", "7"}, {"bars", "500"}});
    ASSERT_EQ(a.size(), 500u);
    EXPECT_TRUE(same_bars(a, b));
}

TEST_F(SyntheticFeedTest, DifferentSeedsGiveDifferentBars) {
    std::vector<ot::Bar> a = run({{"seed", "7"}, {"bars", "50"}});
    std::vector<ot::Bar> b = run({{"seed", "8"}, {"bars", "50"}});
    EXPECT_NE(a.back().close, b.back().close);
}

TEST_F(SyntheticFeedTest, TheWalkIsPinnedDown) {
    // Any change to the generator changes every synthetic backtest and the example data.
    std::vector<ot::Bar> bars = run({{"bars", "1000"}});
    EXPECT_DOUBLE_EQ(bars[0].close, 29970.871534256505);
    EXPECT_DOUBLE_EQ(bars[999].close, 28501.66314204664);
}

TEST_F(SyntheticFeedTest, EverySymbolHasItsOwnWalk) {
    std::vector<ot::Bar> bars = run({{"bars", "100"}}, {"BTC/USDT", "ETH/USDT"});
    std::vector<ot::Bar> btc = only(bars, "BTC/USDT"), eth = only(bars, "ETH/USDT");
    ASSERT_EQ(btc.size(), 100u);
    ASSERT_EQ(eth.size(), 100u);
    EXPECT_NE(btc[0].close, eth[0].close);
    // A symbol's walk does not depend on the other symbols of the universe.
    EXPECT_TRUE(same_bars(btc, run({{"bars", "100"}}, {"BTC/USDT"})));
}

TEST_F(SyntheticFeedTest, BacktestGivesAllSymbolsOfATimeBeforeTheNextTime) {
    std::vector<std::string> universe{"A/USD", "B/USD", "C/USD"};
    std::vector<ot::Bar> bars = run({{"bars", "4"}, {"timeframe", "15m"}}, universe);
    ASSERT_EQ(bars.size(), 12u);
    for (std::size_t k = 0; k < bars.size(); ++k) {
        EXPECT_EQ(bars[k].symbol, universe[k % 3]);
        EXPECT_EQ(bars[k].open_time_ms, 1704067200000 + static_cast<int64_t>(k / 3) * 900000);
        EXPECT_EQ(bars[k].interval_s, 900);
    }
}

TEST_F(SyntheticFeedTest, PollsPushAtMostMaxBarsAndEndAfterBarsPerSymbol) {
    ot::FakeHost host;
    ot::CreateOptions options;
    options.universe = {"BTC/USDT", "ETH/USDT"};
    ot::FeedInstance feed = lib.create_feed("synthetic", host, {{"bars", "3"}}, options);
    feed.start();
    std::vector<std::size_t> sizes;
    for (;;) {
        ot::FeedOutput out = feed.poll(kNoLimit, 4);
        sizes.push_back(out.bars.size());
        if (out.end) break;
    }
    EXPECT_EQ(sizes, (std::vector<std::size_t>{4, 2, 0}));
}

TEST_F(SyntheticFeedTest, UnlimitedBarsNeverEnd) {
    ot::FakeHost host;
    ot::FeedInstance feed = lib.create_feed("synthetic", host, {{"bars", "0"}});
    feed.start();
    for (int i = 0; i < 5; ++i) {
        ot::FeedOutput out = feed.poll(kNoLimit, 1000);
        EXPECT_EQ(out.bars.size(), 1000u);
        EXPECT_FALSE(out.end);
    }
}

TEST_F(SyntheticFeedTest, BarsAreValidCandlesThatContinueEachOther) {
    std::vector<ot::Bar> bars = run({{"bars", "20000"},
                                     {"timeframe", "4h"},
                                     {"start_ms", "1000000"},
                                     {"start_price", "42000"}});
    ASSERT_EQ(bars.size(), 20000u);
    EXPECT_EQ(bars[0].open, 42000);
    EXPECT_EQ(bars[0].open_time_ms, 1000000);
    for (std::size_t i = 0; i < bars.size(); ++i) {
        const ot::Bar& b = bars[i];
        ASSERT_GE(b.high, std::max(b.open, b.close)) << i;
        ASSERT_LE(b.low, std::min(b.open, b.close)) << i;
        ASSERT_GT(b.low, 0) << i;
        ASSERT_GT(b.volume, 0) << i;
        if (i > 0) {
            ASSERT_EQ(b.open, bars[i - 1].close) << i;
            ASSERT_EQ(b.open_time_ms - bars[i - 1].open_time_ms, 4 * 3600 * 1000) << i;
        }
    }
}

TEST_F(SyntheticFeedTest, LogReturnsFollowVolatilityAndDrift) {
    std::vector<ot::Bar> bars =
        run({{"bars", "40000"}, {"volatility", "0.01"}, {"drift", "0.001"}});
    double sum = 0, sum_sq = 0;
    for (const ot::Bar& b : bars) {
        double r = std::log(b.close / b.open);
        sum += r;
        sum_sq += r * r;
    }
    double n = static_cast<double>(bars.size());
    double mean = sum / n;
    double stdev = std::sqrt(sum_sq / n - mean * mean);
    EXPECT_NEAR(stdev, 0.01, 0.0003);
    EXPECT_NEAR(mean, 0.001, 0.0002);
}

TEST_F(SyntheticFeedTest, AnEmptyUniverseIsRejected) {
    ot::FakeHost host;
    ot::CreateOptions options;
    options.universe.clear();
    try {
        lib.create_feed("synthetic", host, {}, options);
        FAIL() << "created a feed without symbols";
    } catch (const ot::PluginError& e) {
        EXPECT_EQ(e.code(), OT_E_INVALID_ARG);
    }
}

TEST_F(SyntheticFeedTest, ABadTimeframeIsRejected) {
    ot::FakeHost host;
    EXPECT_THROW(lib.create_feed("synthetic", host, {{"timeframe", "5x"}}), ot::PluginError);
}

class SyntheticReplayTest : public SyntheticFeedTest {
  protected:
    ot::FeedInstance replay() {
        ot::CreateOptions options;
        options.universe = universe;
        ot::FeedInstance feed = lib.create_feed("synthetic", paper, {{"bars", "10"}}, options);
        feed.start();
        return feed;
    }

    std::vector<std::string> universe{"BTC/USDT", "ETH/USDT"};
    ot::FakeHost paper{OT_MODE_PAPER};
};

TEST_F(SyntheticReplayTest, EachPollReplaysOneTimeStepAndARestartResumes) {
    std::vector<ot::Bar> expected = run({{"bars", "10"}}, universe);
    std::vector<ot::Bar> replayed;
    {
        ot::FeedInstance feed = replay();
        for (int step = 0; step < 3; ++step) {
            std::vector<ot::Bar> bars = feed.poll(0).bars;
            ASSERT_EQ(bars.size(), 2u);
            replayed.insert(replayed.end(), bars.begin(), bars.end());
        }
        EXPECT_EQ(paper.kv().at("cursor"), std::to_string(expected[5].open_time_ms));
    }
    ot::FeedInstance restarted = replay();
    for (;;) {
        ot::FeedOutput out = restarted.poll(0);
        replayed.insert(replayed.end(), out.bars.begin(), out.bars.end());
        if (out.end) break;
    }
    EXPECT_TRUE(same_bars(replayed, expected));
}

TEST_F(SyntheticReplayTest, HistoryRegeneratesTheReplayedBars) {
    std::vector<ot::Bar> expected = only(run({{"bars", "10"}}, universe), "ETH/USDT");
    {
        ot::FeedInstance feed = replay();
        for (int step = 0; step < 5; ++step)
            feed.poll(0);
    }
    ot::FeedInstance restarted = replay();
    std::vector<ot::Bar> history = restarted.history("ETH/USDT", 60, kNoLimit, 3).bars;
    EXPECT_TRUE(same_bars(history, {expected[2], expected[3], expected[4]}));
    // Before the replayed bars, the walk before the start.
    std::vector<ot::Bar> earlier =
        restarted.history("ETH/USDT", 60, expected[2].open_time_ms, 10).bars;
    ASSERT_EQ(earlier.size(), 10u);
    EXPECT_TRUE(same_bars({earlier[8], earlier[9]}, {expected[0], expected[1]}));
    EXPECT_EQ(earlier[7].close, expected[0].open);
    EXPECT_EQ(earlier[0].open_time_ms, expected[0].open_time_ms - 8 * 60000);
    EXPECT_TRUE(restarted.history("XRP/USDT", 60, kNoLimit, 3).bars.empty());
}

// What a backtest's warm-up asks: the bars that closed by the open of its first bar.
class SyntheticHistoryTest : public SyntheticFeedTest {
  protected:
    static constexpr int64_t kStart = 1704067200000;  // start_ms's default, 2024-01-01 00:00

    ot::FeedInstance backtest(ot::ParamMap params) {
        ot::CreateOptions options;
        options.universe = {"BTC/USDT"};
        ot::FeedInstance feed = lib.create_feed("synthetic", host, params, options);
        feed.start();
        return feed;
    }

    ot::FakeHost host;
};

TEST_F(SyntheticHistoryTest, TheWalkBeforeTheStartLeadsIntoTheFirstBarAndChangesNoTestedBar) {
    const ot::ParamMap params{{"seed", "7"}, {"bars", "50"}};
    ot::FeedInstance feed = backtest(params);
    std::vector<ot::Bar> tested = feed.poll(kNoLimit, 10).bars;  // as the host polls first
    const std::vector<ot::Bar> history = feed.history("BTC/USDT", 0, kStart, 30).bars;
    std::vector<ot::Bar> rest = feed.drain();
    tested.insert(tested.end(), rest.begin(), rest.end());
    EXPECT_TRUE(same_bars(tested, run(params))) << "history changed the tested bars";

    ASSERT_EQ(history.size(), 30u);
    for (std::size_t i = 0; i < history.size(); ++i) {
        const ot::Bar& b = history[i];
        EXPECT_EQ(b.interval_s, 60);
        EXPECT_EQ(b.open_time_ms, kStart - static_cast<int64_t>(30 - i) * 60000) << i;
        EXPECT_GE(b.high, std::max(b.open, b.close)) << i;
        EXPECT_LE(b.low, std::min(b.open, b.close)) << i;
        EXPECT_GT(b.volume, 0) << i;
        if (i > 0) {
            EXPECT_EQ(b.open, history[i - 1].close) << i;
        }
    }
    EXPECT_EQ(history.back().close, tested.front().open);
    EXPECT_EQ(tested.front().open, 30000);

    // Asked again, or for fewer, or by another run with the same seed: the same bars.
    std::vector<ot::Bar> last_ten(history.end() - 10, history.end());
    EXPECT_TRUE(same_bars(feed.history("BTC/USDT", 60, kStart, 10).bars, last_ten));
    EXPECT_TRUE(same_bars(backtest(params).history("BTC/USDT", 0, kStart, 30).bars, history));
    EXPECT_NE(backtest({{"seed", "8"}}).history("BTC/USDT", 0, kStart, 30).bars[0].close,
              history[0].close);
    // Nothing that closes after before_ms, nothing before 1970.
    EXPECT_EQ(feed.history("BTC/USDT", 0, kStart - 600000, 5).bars.back().open_time_ms,
              kStart - 660000);
    EXPECT_TRUE(backtest({{"start_ms", "0"}}).history("BTC/USDT", 0, 0, 5).bars.empty());
}

TEST_F(SyntheticHistoryTest, TheWalkBeforeTheStartHasEveryHigherTimeframe) {
    ot::FeedInstance feed = backtest({{"higher_timeframes", "5m"}, {"bars", "20"}});
    feed.poll(kNoLimit, 10);
    const std::vector<ot::Bar> both = feed.history("BTC/USDT", 0, kStart, 3).bars;
    const std::vector<ot::Bar> base = feed.history("BTC/USDT", 60, kStart, 15).bars;
    ASSERT_EQ(both.size(), 6u);
    ASSERT_EQ(base.size(), 15u);
    std::vector<ot::Bar> higher;
    for (std::size_t i = 0; i < both.size(); ++i) {
        if (i > 0) {
            const int64_t close = both[i].open_time_ms + both[i].interval_s * 1000;
            EXPECT_GE(close, both[i - 1].open_time_ms + both[i - 1].interval_s * 1000);
        }
        if (both[i].interval_s == 300) higher.push_back(both[i]);
    }
    ASSERT_EQ(higher.size(), 3u);
    for (int w = 0; w < 3; ++w) {
        const ot::Bar& h = higher[w];
        EXPECT_EQ(h.open_time_ms, kStart - (3 - w) * 300000) << w;
        const ot::Bar* first = &base[w * 5];
        EXPECT_EQ(first->open_time_ms, h.open_time_ms);
        EXPECT_EQ(h.open, first->open);
        EXPECT_EQ(h.close, base[w * 5 + 4].close);
        double high = 0, low = 1e18, volume = 0;
        for (int k = 0; k < 5; ++k) {
            high = std::max(high, base[w * 5 + k].high);
            low = std::min(low, base[w * 5 + k].low);
            volume += base[w * 5 + k].volume;
        }
        EXPECT_EQ(h.high, high);
        EXPECT_EQ(h.low, low);
        EXPECT_DOUBLE_EQ(h.volume, volume);
    }
    // The base bars of `both` are the last three of those.
    std::vector<ot::Bar> base_of_both;
    for (const ot::Bar& b : both)
        if (b.interval_s == 60) base_of_both.push_back(b);
    EXPECT_TRUE(same_bars(base_of_both, {base.end() - 3, base.end()}));
}

}  // namespace
