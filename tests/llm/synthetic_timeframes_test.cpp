// The synthetic feed's higher timeframes (aggregated from its bars) and its funding-rate and
// open-interest series, which let the seed-004 pipeline run offline.
#include <orchestrade/testing/fake_host.hpp>
#include <orchestrade/testing/plugin_library.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <limits>

namespace ot = orchestrade::testing;

namespace {

constexpr int64_t kStart = 1704067200000;  // 2024-01-01T00:00:00Z, aligned to 4h and 8h
constexpr int64_t kNoLimit = std::numeric_limits<int64_t>::max();

std::vector<ot::Bar> only(const std::vector<ot::Bar>& bars, const std::string& symbol,
                          int32_t interval_s) {
    std::vector<ot::Bar> out;
    for (const ot::Bar& b : bars)
        if (b.symbol == symbol && b.interval_s == interval_s) out.push_back(b);
    return out;
}

bool same(const ot::Bar& a, const ot::Bar& b) {
    return a.symbol == b.symbol && a.interval_s == b.interval_s &&
           a.open_time_ms == b.open_time_ms && a.open == b.open && a.high == b.high &&
           a.low == b.low && a.close == b.close && a.volume == b.volume;
}

class SyntheticTimeframes : public ::testing::Test {
  protected:
    ot::FeedOutput run(ot::ParamMap params, std::vector<std::string> universe = {"BTC/USDT"},
                       int32_t mode = OT_MODE_BACKTEST) {
        ot::FakeHost host(mode);
        ot::CreateOptions options;
        options.universe = std::move(universe);
        ot::FeedInstance feed = lib.create_feed("synthetic", host, params, options);
        feed.start();
        ot::FeedOutput all;
        for (;;) {
            ot::FeedOutput out = feed.poll(kNoLimit, 1000);
            all.bars.insert(all.bars.end(), out.bars.begin(), out.bars.end());
            all.series.insert(all.series.end(), out.series.begin(), out.series.end());
            if (out.end) return all;
        }
    }

    ot::PluginLibrary lib{SYNTHETIC_PLUGIN_FILE};
};

}  // namespace

TEST_F(SyntheticTimeframes, AHigherBarAggregatesTheBarsOfItsWindow) {
    ot::FeedOutput out = run({{"timeframe", "3m"}, {"higher_timeframes", "4h"}, {"bars", "400"}});
    std::vector<ot::Bar> base = only(out.bars, "BTC/USDT", 180);
    std::vector<ot::Bar> h4 = only(out.bars, "BTC/USDT", 14400);
    ASSERT_EQ(base.size(), 400u);
    ASSERT_EQ(h4.size(), 5u);  // 400 bars of 3m = 20 h: five whole 4h windows
    for (std::size_t k = 0; k < h4.size(); ++k) {
        const ot::Bar* first = &base[k * 80];
        const ot::Bar* last = &base[k * 80 + 79];
        EXPECT_EQ(h4[k].open_time_ms, kStart + static_cast<int64_t>(k) * 14400000);
        EXPECT_EQ(h4[k].open, first->open);
        EXPECT_EQ(h4[k].close, last->close);
        double high = 0, low = 1e300, volume = 0;
        for (const ot::Bar* b = first; b <= last; ++b) {
            high = std::max(high, b->high);
            low = std::min(low, b->low);
            volume += b->volume;
        }
        EXPECT_EQ(h4[k].high, high);
        EXPECT_EQ(h4[k].low, low);
        EXPECT_DOUBLE_EQ(h4[k].volume, volume);
    }
}

TEST_F(SyntheticTimeframes, AHigherBarComesRightAfterTheBarThatClosesIt) {
    ot::FeedOutput out = run({{"timeframe", "3m"}, {"higher_timeframes", "15m,1h"}, {"bars", "40"}},
                             {"A/USD", "B/USD"});
    int64_t last_close = 0;
    for (const ot::Bar& b : out.bars) {
        int64_t close = b.open_time_ms + int64_t{b.interval_s} * 1000;
        EXPECT_GE(close, last_close) << "bars must come in the order of their close";
        last_close = close;
    }
    EXPECT_EQ(only(out.bars, "B/USD", 900).size(), 8u);
    EXPECT_EQ(only(out.bars, "A/USD", 3600).size(), 2u);
}

TEST_F(SyntheticTimeframes, TheBaseBarsDoNotChange) {
    std::vector<ot::Bar> plain = run({{"timeframe", "3m"}, {"bars", "200"}}).bars;
    ot::FeedOutput rich = run(
        {{"timeframe", "3m"}, {"bars", "200"}, {"higher_timeframes", "1h"}, {"series", "true"}});
    std::vector<ot::Bar> base = only(rich.bars, "BTC/USDT", 180);
    ASSERT_EQ(base.size(), plain.size());
    for (std::size_t i = 0; i < base.size(); ++i)
        EXPECT_TRUE(same(base[i], plain[i])) << i;
}

TEST_F(SyntheticTimeframes, APartialFirstWindowIsSkipped) {
    // Starting at 00:30, the 00:00-04:00 window is incomplete: the first 4h bar opens at 04:00.
    ot::FeedOutput out = run({{"timeframe", "3m"},
                              {"higher_timeframes", "4h"},
                              {"start_ms", std::to_string(kStart + 1800000)},
                              {"bars", "300"}});
    std::vector<ot::Bar> h4 = only(out.bars, "BTC/USDT", 14400);
    ASSERT_FALSE(h4.empty());
    EXPECT_EQ(h4[0].open_time_ms, kStart + 14400000);
}

TEST_F(SyntheticTimeframes, SeriesCarryOpenInterestPerBarAndFundingEveryEightHours) {
    ot::FeedOutput out =
        run({{"timeframe", "3m"}, {"bars", "480"}, {"series", "true"}}, {"BTC/USDT", "ETH/USDT"});
    int oi = 0, funding = 0;
    for (const ot::SeriesPoint& p : out.series) {
        if (p.name == "open_interest") {
            ++oi;
            EXPECT_GT(p.value, 0);
            EXPECT_EQ((p.time_ms - kStart) % 180000, 0);
        } else {
            ASSERT_EQ(p.name, "funding_rate");
            ++funding;
            EXPECT_EQ(p.time_ms % (8 * 3600000), 0);
            EXPECT_LT(std::abs(p.value), 0.01);
        }
    }
    EXPECT_EQ(oi, 2 * 480);
    EXPECT_EQ(funding, 2 * 3);  // 24 hours of 3m bars: settlements at 08:00, 16:00 and 24:00
    EXPECT_TRUE(run({{"bars", "10"}}).series.empty());
}

TEST_F(SyntheticTimeframes, SeriesPointsComeWithTheBarWhoseCloseIsTheirTime) {
    ot::FakeHost host;
    ot::FeedInstance feed = lib.create_feed(
        "synthetic", host, {{"timeframe", "3m"}, {"bars", "5"}, {"series", "true"}});
    feed.start();
    ot::FeedOutput first = feed.poll(kNoLimit, 1);
    ASSERT_EQ(first.bars.size(), 1u);
    ASSERT_EQ(first.series.size(), 1u);
    EXPECT_EQ(first.series[0].time_ms, first.bars[0].open_time_ms + 180000);
}

TEST_F(SyntheticTimeframes, PollsCountHigherBarsInMaxBars) {
    ot::FakeHost host;
    ot::FeedInstance feed = lib.create_feed(
        "synthetic", host, {{"timeframe", "1m"}, {"higher_timeframes", "2m"}, {"bars", "4"}});
    feed.start();
    std::vector<std::size_t> sizes;
    for (;;) {
        ot::FeedOutput out = feed.poll(kNoLimit, 2);
        sizes.push_back(out.bars.size());
        if (out.end) break;
    }
    EXPECT_EQ(sizes, (std::vector<std::size_t>{2, 2, 2, 0}));  // 4 bars of 1m and 2 of 2m
}

TEST_F(SyntheticTimeframes, PaperReplayGivesAWholeStepAndResumesMidWindow) {
    ot::ParamMap params{
        {"timeframe", "3m"}, {"higher_timeframes", "15m"}, {"bars", "20"}, {"series", "true"}};
    std::vector<ot::Bar> expected = run(params).bars;
    ot::FakeHost paper(OT_MODE_PAPER);
    std::vector<ot::Bar> replayed;
    {
        ot::FeedInstance feed = lib.create_feed("synthetic", paper, params);
        feed.start();
        for (int i = 0; i < 7; ++i) {  // stops in the middle of the second 15m window
            ot::FeedOutput out = feed.poll(0);
            EXPECT_EQ(out.series.size(), 1u);
            replayed.insert(replayed.end(), out.bars.begin(), out.bars.end());
        }
    }
    ot::FeedInstance restarted = lib.create_feed("synthetic", paper, params);
    restarted.start();
    for (;;) {
        ot::FeedOutput out = restarted.poll(0);
        replayed.insert(replayed.end(), out.bars.begin(), out.bars.end());
        if (out.end) break;
    }
    ASSERT_EQ(replayed.size(), expected.size());
    for (std::size_t i = 0; i < expected.size(); ++i)
        EXPECT_TRUE(same(replayed[i], expected[i])) << i;
}

TEST_F(SyntheticTimeframes, HistoryServesTheHigherTimeframeToo) {
    ot::ParamMap params{{"timeframe", "3m"}, {"higher_timeframes", "15m"}, {"bars", "30"}};
    std::vector<ot::Bar> expected = only(run(params).bars, "BTC/USDT", 900);
    ot::FakeHost paper(OT_MODE_PAPER);
    ot::FeedInstance feed = lib.create_feed("synthetic", paper, params);
    feed.start();
    for (int i = 0; i < 30; ++i)
        feed.poll(0);
    std::vector<ot::Bar> history = feed.history("BTC/USDT", 900, kNoLimit, 2).bars;
    ASSERT_EQ(history.size(), 2u);
    EXPECT_TRUE(same(history[0], expected[4]));
    EXPECT_TRUE(same(history[1], expected[5]));
}

TEST_F(SyntheticTimeframes, AHigherTimeframeMustBeAMultipleOfTheBars) {
    ot::FakeHost host;
    EXPECT_THROW(
        lib.create_feed("synthetic", host, {{"timeframe", "3m"}, {"higher_timeframes", "10m"}}),
        ot::PluginError);
    EXPECT_THROW(
        lib.create_feed("synthetic", host, {{"timeframe", "3m"}, {"higher_timeframes", "1m"}}),
        ot::PluginError);
    EXPECT_THROW(
        lib.create_feed("synthetic", host, {{"timeframe", "3m"}, {"higher_timeframes", "4x"}}),
        ot::PluginError);
}
