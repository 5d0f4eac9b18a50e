// What the pipeline waits for and the feed does not deliver is said: a strategy's timeframe the
// feed never brings, a universe symbol it never prices, a symbol whose bars stop.
#include "engine_harness.hpp"

#include <orchestrade/core/feed_coverage.hpp>

#include <nlohmann/json.hpp>

namespace orchestrade::testing {
namespace {

std::vector<double> rising(int n) {
    std::vector<double> closes;
    for (int i = 0; i < n; ++i)
        closes.push_back(100 + i);
    return closes;
}

std::vector<std::string> gap_messages(const EngineHarness& h) {
    std::vector<std::string> out;
    for (const auto& e : h.events("feed_gap"))
        out.push_back(nlohmann::json::parse(e.json).at("message").get<std::string>());
    return out;
}

bool has(const std::vector<std::string>& messages, const std::string& text) {
    return std::find(messages.begin(), messages.end(), text) != messages.end();
}

std::string pipeline(const std::string& universe, const std::string& strategy,
                     const std::string& mode = "backtest") {
    return "version: 1\nname: test\nmode: " + mode +
           "\njournal: journal.db\nuniverse: " + universe +
           "\nfeed: { use: csv, params: { path: bars.csv, timeframe: 1m } }\n" +
           "strategy: " + strategy + "\nrisk: { quantity: 1 }\nexecutor: " + mock_executor() + "\n";
}

constexpr const char* kSmaOn5m = "{ use: sma_cross, params: { fast: 2, slow: 3, timeframe: 5m } }";

TEST(FeedGap, ABacktestWhoseStrategyTimeframeNeverArrivesSaysSoAtOnceAndInTheSummary) {
    EngineHarness h;
    h.write_csv(bars_from_closes(rising(100)));
    const core::RunSummary s = h.run(pipeline("[BTC/USDT]", kSmaOn5m));
    EXPECT_EQ(s.signals, 0);
    const std::string end =
        "strategy sma_cross decides on 5m bars (its timeframe), but no 5m bar arrived in 100 "
        "bar(s); the feed delivers 1m: it decided nothing in this run";
    ASSERT_EQ(s.feed_gaps, std::vector<std::string>{end});
    const auto told = gap_messages(h);
    // Three of its intervals in, long before the end.
    EXPECT_TRUE(has(told,
                    "strategy sma_cross decides on 5m bars (its timeframe), but no 5m bar arrived "
                    "in 16 bar(s); the feed delivers 1m: it decides nothing until one arrives"))
        << told.front();
    EXPECT_TRUE(has(told, end));
}

TEST(FeedGap, AStrategyOnTheFeedsTimeframeOrOnEveryBarIsNotWarned) {
    for (const char* strategy : {"{ use: sma_cross, params: { fast: 2, slow: 3, timeframe: 1m } }",
                                 "{ use: sma_cross, params: { fast: 2, slow: 3 } }"}) {
        EngineHarness h;
        h.write_csv(bars_from_closes(rising(100)));
        EXPECT_TRUE(h.run(pipeline("[BTC/USDT]", strategy)).feed_gaps.empty()) << strategy;
        EXPECT_TRUE(gap_messages(h).empty()) << strategy;
    }
}

TEST(FeedGap, AHigherTimeframeTheFeedDeliversIsNotWarnedWhileItIsNotDueYet) {
    auto yaml = [](int bars) {
        return "version: 1\nname: test\nmode: backtest\njournal: journal.db\n"
               "universe: [BTC/USDT]\nfeed: { use: synthetic, params: { timeframe: 1m, "
               "higher_timeframes: 4h, bars: " +
               std::to_string(bars) +
               " } }\nstrategy: { use: sma_cross, params: { timeframe: 4h } }\n"
               "risk: { quantity: 1 }\nexecutor: { use: mock, params: {} }\n";
    };
    EngineHarness enough;
    EXPECT_TRUE(enough.run(yaml(600)).feed_gaps.empty());
    EXPECT_TRUE(gap_messages(enough).empty());

    // 100 minutes: no 4h bar has closed yet. Said as a fact at the end, not warned mid-run.
    EngineHarness short_run;
    const core::RunSummary s = short_run.run(yaml(100));
    ASSERT_EQ(s.feed_gaps.size(), 1u);
    EXPECT_EQ(s.feed_gaps[0],
              "strategy sma_cross decides on 4h bars (its timeframe), but no 4h bar arrived in "
              "100 bar(s); the feed delivers 1m: it decided nothing in this run");
    EXPECT_EQ(gap_messages(short_run).size(), 1u);
}

TEST(FeedGap, AUniverseSymbolTheFeedNeverPricesIsNamedAtTheEndOfABacktest) {
    EngineHarness h;
    h.write_csv(bars_from_closes(rising(50)));
    const core::RunSummary s =
        h.run(pipeline("[BTC/USDT, ETH/USDT]", "{ use: sma_cross, params: { fast: 2, slow: 3 } }"));
    const std::string text =
        "ETH/USDT is in the universe, but no bar of it arrived in 50 bar(s) (the feed delivers "
        "BTC/USDT): nothing prices or trades it";
    EXPECT_EQ(s.feed_gaps, std::vector<std::string>{text});
    EXPECT_EQ(gap_messages(h), std::vector<std::string>{text});
}

TEST(FeedGap, PaperTellsOfAMissingSymbolAndTimeframeAfterAFewOfTheirIntervals) {
    EngineHarness h;
    h.write_csv(bars_from_closes(rising(40)));
    const core::RunSummary s =
        h.run(pipeline("[BTC/USDT, ETH/USDT]", kSmaOn5m, "paper"), quick_iterations(20));
    const std::vector<std::string> told = gap_messages(h);
    ASSERT_EQ(told.size(), 2u);
    EXPECT_EQ(told[0],
              "ETH/USDT is in the universe, but no bar of it arrived in 4 bar(s) (the feed "
              "delivers BTC/USDT): nothing prices or trades it");
    EXPECT_EQ(told[1],
              "strategy sma_cross decides on 5m bars (its timeframe), but no 5m bar arrived in 16 "
              "bar(s); the feed delivers 1m: it decides nothing until one arrives");
    EXPECT_EQ(s.feed_gaps, told);
}

TEST(FeedCoverage, ASymbolWhoseBarsStopIsToldOnceAndAgainAfterItCameBack) {
    core::FeedCoverage c({"BTC/USDT", "ETH/USDT"}, "sma_cross", 0, true);
    int64_t close = kStartMs;
    auto moment = [&](bool with_eth) {
        close += kMinuteMs;
        c.add(0, "BTC/USDT", 60, close);
        if (with_eth) c.add(1, "ETH/USDT", 60, close);
        return c.check_due(close) ? c.check(close) : std::vector<core::FeedGap>{};
    };
    for (int i = 0; i < 5; ++i)
        EXPECT_TRUE(moment(true).empty());
    const int64_t last_eth = close;
    for (int i = 0; i < 9; ++i)
        EXPECT_TRUE(moment(false).empty()) << i;
    const auto stale = moment(false);
    ASSERT_EQ(stale.size(), 1u);
    EXPECT_EQ(stale[0].symbol, "ETH/USDT");
    EXPECT_EQ(stale[0].message,
              "ETH/USDT: no bar since the one closing at " + core::format_time(last_eth) +
                  " UTC, 10 of the feed's 1m intervals ago, while other symbols' bars arrive: its "
                  "price, and the core's stops on it, stand still meanwhile");
    for (int i = 0; i < 20; ++i)
        EXPECT_TRUE(moment(false).empty()) << "told once";
    EXPECT_TRUE(moment(true).empty());
    for (int i = 0; i < 9; ++i)
        EXPECT_TRUE(moment(false).empty()) << i;
    EXPECT_EQ(moment(false).size(), 1u) << "stopped again";
}

}  // namespace
}  // namespace orchestrade::testing
