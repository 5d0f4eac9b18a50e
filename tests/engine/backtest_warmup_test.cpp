// A backtest warms its strategy up on the feed's history before its first bar, as a paper run
// does: the bars that closed before the tested period (the csv feed's rows before `start`, the
// synthetic walk before its first bar) reach the strategy as OT_BATCH_WARMUP and nothing else.
#include "engine_harness.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>

using namespace orchestrade;
using namespace orchestrade::testing;

namespace {

int64_t minute(int i) {
    return kStartMs + i * kMinuteMs;
}

// The csv pipeline of the harness with the feed's `start` set (empty: none).
std::string with_start(const EngineHarness& h, const std::string& strategy,
                       const std::string& start) {
    std::string yaml = h.pipeline_yaml(
        strategy, "{ use: mock, params: { starting_cash: 10000, fee_bps: 0, fill: next_open } }");
    if (start.empty()) return yaml;
    const std::string feed = "timeframe: 1m }";
    return yaml.replace(yaml.find(feed), feed.size(), "timeframe: 1m, start: \"" + start + "\" }");
}

nlohmann::json warmup_record(const EngineHarness& h) {
    const auto records = h.events("warmup");
    EXPECT_EQ(records.size(), 1u);
    return records.empty() ? nlohmann::json() : nlohmann::json::parse(records.front().json);
}

std::vector<nlohmann::json> warmup_bars(const EngineHarness& h) {
    std::vector<nlohmann::json> bars;
    for (const auto& e : h.events("warmup_bar"))
        bars.push_back(nlohmann::json::parse(e.json));
    return bars;
}

// sma_cross 2/4 needs five closes: the six before the period leave the fast SMA below the slow
// one, and the period's first close crosses it above.
const std::vector<double> kBefore = {100, 100, 100, 100, 99, 98};
const std::vector<double> kPeriod = {110, 111, 112, 113, 114};
const std::string kSmaCross = "{ use: sma_cross, params: { fast: 2, slow: 4 } }";

}  // namespace

TEST(BacktestWarmUp, AStrategyWithHistoryTradesOnTheFirstBarOfThePeriod) {
    std::vector<double> closes = kBefore;
    closes.insert(closes.end(), kPeriod.begin(), kPeriod.end());
    const auto bars = bars_from_closes(closes);
    const int first = static_cast<int>(kBefore.size());  // the period's first bar

    EngineHarness h;
    h.write_csv(bars);
    const auto summary = h.run(with_start(h, kSmaCross, "2024-01-01T00:06"));
    EXPECT_EQ(summary.bars, static_cast<int64_t>(kPeriod.size())) << "history ran as the period";

    const auto signals = h.signals();
    ASSERT_FALSE(signals.empty()) << "no signal: the strategy was not warmed up";
    EXPECT_EQ(signals[0].time_ms, minute(first));
    EXPECT_EQ(signals[0].action, core::Action::Buy);
    EXPECT_EQ(signals[0].outcome, "order");
    const auto r = h.report();
    ASSERT_EQ(r.trades.size(), 1u);
    EXPECT_EQ(r.trades[0].entry_ts, minute(first + 1));
    EXPECT_DOUBLE_EQ(r.trades[0].entry_price, bars[first + 1].open);

    // slow + 1 closes asked for, the last ones before the period.
    const auto warmup = warmup_record(h);
    EXPECT_EQ(warmup.at("asked"), 5);
    EXPECT_EQ(warmup.at("bars"), 5);
    EXPECT_EQ(warmup.at("before_ms"), minute(first));

    // The report describes the period alone.
    EXPECT_EQ(r.metrics.start_ms, minute(first + 1));  // the first bar's close
    ASSERT_FALSE(r.chart_bars.empty());
    EXPECT_DOUBLE_EQ(r.chart_bars.front().open, bars[first].open);
    EXPECT_DOUBLE_EQ(r.metrics.starting_equity, 10000);
    for (const auto& e : r.equity)
        EXPECT_GT(e.time_ms, minute(first));
}

// An ATR stop is known on the period's first bar: the risk stage learns the ATR from the history
// too, though the strategy asks for none.
TEST(BacktestWarmUp, TheRiskStagesAtrIsWarmedUpForTheFirstEntrysStop) {
    EngineHarness h;
    const auto bars = bars_from_closes({100, 104, 98, 101, 103});
    h.write_csv(bars);
    std::string yaml = h.pipeline_yaml(
        "{ use: script_strategy, params: { script: \"BUY\" } }",
        "{ use: mock, params: { starting_cash: 10000, fee_bps: 0, fill: next_open } }",
        "{ quantity: 1, stop_loss_atr: 2, atr_period: 3 }");
    const std::string feed = "timeframe: 1m }";
    yaml.replace(yaml.find(feed), feed.size(), "timeframe: 1m, start: \"2024-01-01T00:03\" }");
    h.run(yaml);

    // Wilder's ATR over the three bars before 00:03, then the period's first bar.
    auto true_range = [&](std::size_t i) {
        const double range = bars[i].high - bars[i].low;
        if (i == 0) return range;
        return std::max({range, std::fabs(bars[i].high - bars[i - 1].close),
                         std::fabs(bars[i].low - bars[i - 1].close)});
    };
    double atr = (true_range(0) + true_range(1) + true_range(2)) / 3;
    atr = (atr * 2 + true_range(3)) / 3;
    const auto r = h.report();
    ASSERT_FALSE(r.orders.empty()) << "the entry was refused: no ATR";
    EXPECT_EQ(r.orders[0].created_ms, minute(4));
    EXPECT_NEAR(r.orders[0].stop_loss, bars[3].close - 2 * atr, 1e-9);
    EXPECT_EQ(warmup_record(h).at("asked"), 3);
}

TEST(BacktestWarmUp, WithoutHistoryTheSameStrategyDoesNotTradeTheFirstBar) {
    EngineHarness h;
    auto bars = bars_from_closes(kPeriod);
    for (auto& b : bars)
        b.open_time += static_cast<int64_t>(kBefore.size()) * kMinuteMs;
    h.write_csv(bars);
    h.run(with_start(h, kSmaCross, ""));
    EXPECT_TRUE(h.signals().empty());
    EXPECT_TRUE(h.report().trades.empty());
    const auto warmup = warmup_record(h);
    EXPECT_EQ(warmup.at("bars"), 0) << "the file's first bar opens the period";
}

TEST(BacktestWarmUp, CsvStartSplitsHistoryFromTheTestedBarsWithTheExactTrades) {
    EngineHarness h;
    const auto bars = bars_from_closes({100, 101, 102, 103, 104, 105, 106, 107, 108, 109});
    h.write_csv(bars);
    const std::string strategy =
        "{ use: script_strategy, params: { script: \"BUY,HOLD,SELL\", warmup_bars: 3 } }";
    const auto summary = h.run(with_start(h, strategy, "2024-01-01 00:04"));
    EXPECT_EQ(summary.bars, 6);

    // History: the three bars before 00:04, in time order.
    const auto history = warmup_bars(h);
    ASSERT_EQ(history.size(), 3u);
    for (int i = 0; i < 3; ++i) {
        EXPECT_EQ(history[i].at("open_time_ms"), minute(1 + i));
        EXPECT_EQ(history[i].at("interval_s"), 60);
    }
    // Tested: BUY on 00:04, SELL on 00:06, each filled at the next bar's open.
    const auto signals = h.signals();
    ASSERT_EQ(signals.size(), 2u);
    EXPECT_EQ(signals[0].time_ms, minute(4));
    EXPECT_EQ(signals[1].time_ms, minute(6));
    const auto r = h.report();
    ASSERT_EQ(r.trades.size(), 1u);
    EXPECT_EQ(r.trades[0].entry_ts, minute(5));
    EXPECT_DOUBLE_EQ(r.trades[0].entry_price, bars[5].open);
    EXPECT_EQ(r.trades[0].exit_ts, minute(7));
    EXPECT_DOUBLE_EQ(r.trades[0].exit_price, bars[7].open);
    EXPECT_DOUBLE_EQ(r.trades[0].pnl, bars[7].open - bars[5].open);
}

TEST(BacktestWarmUp, LessHistoryThanAskedStillRunsAndSaysHowMuchItHad) {
    EngineHarness h;
    h.write_csv(bars_from_closes({100, 101, 102, 103, 104, 105}));
    const auto summary = h.run(with_start(
        h, "{ use: script_strategy, params: { script: BUY, warmup_bars: 50 } }", "1704067320000"));
    EXPECT_EQ(summary.status, "completed");
    EXPECT_EQ(summary.bars, 4);
    const auto warmup = warmup_record(h);
    EXPECT_EQ(warmup.at("asked"), 50);
    EXPECT_EQ(warmup.at("bars"), 2);
    EXPECT_EQ(warmup_bars(h).size(), 2u);
    EXPECT_EQ(h.report().orders.size(), 1u);
}

TEST(BacktestWarmUp, WarmUpBarsAreNeverTraded) {
    // A strategy that signals BUY on its warm-up bars too: none of them acts.
    EngineHarness h;
    h.write_csv(bars_from_closes({100, 101, 102, 103, 104, 105, 106, 107}));
    const auto summary = h.run(with_start(h,
                                          "{ use: script_strategy, params: { script: \"HOLD\", "
                                          "warmup_bars: 4, warmup_action: BUY } }",
                                          "2024-01-01T00:04"));
    EXPECT_EQ(warmup_bars(h).size(), 4u) << "the strategy was not warmed up";
    EXPECT_EQ(summary.signals, 0);
    EXPECT_EQ(summary.orders, 0);
    EXPECT_TRUE(h.signals().empty());
    const auto r = h.report();
    EXPECT_TRUE(r.orders.empty());
    EXPECT_TRUE(r.fills.empty());
    for (const auto& e : r.equity)
        EXPECT_GT(e.time_ms, minute(4));
    EXPECT_DOUBLE_EQ(r.metrics.exposure_pct, 0);
    EXPECT_DOUBLE_EQ(r.metrics.starting_equity, 10000);
}

TEST(BacktestWarmUp, TheSyntheticWalkWarmsUpOnEveryTimeframeWithoutChangingTheTestedBars) {
    auto yaml = [](int warmup) {
        return "version: 1\nname: test\nmode: backtest\njournal: journal.db\n"
               "universe: [BTC/USDT, ETH/USDT]\n"
               "feed: { use: synthetic, params: { timeframe: 1m, higher_timeframes: 5m, bars: 30 "
               "} }\nstrategy: { use: script_strategy, params: { warmup_bars: " +
               std::to_string(warmup) +
               " } }\nrisk: { quantity: 1 }\nexecutor: { use: mock, params: {} }\n";
    };
    EngineHarness cold, warm;
    cold.run(yaml(0));
    warm.run(yaml(20));

    std::map<std::pair<std::string, int64_t>, int> per_series;
    int64_t last_close = 0;
    for (const auto& bar : warmup_bars(warm)) {
        const int64_t interval = bar.at("interval_s").get<int64_t>();
        ++per_series[{bar.at("symbol").get<std::string>(), interval}];
        const int64_t close = bar.at("open_time_ms").get<int64_t>() + interval * 1000;
        EXPECT_LE(close, kStartMs) << "a warm-up bar of the tested period";
        EXPECT_GE(close, last_close) << "warm-up bars out of time order";
        last_close = close;
    }
    for (const char* symbol : {"BTC/USDT", "ETH/USDT"}) {
        EXPECT_EQ((per_series[{symbol, 60}]), 20) << symbol;
        EXPECT_EQ((per_series[{symbol, 300}]), 20) << symbol << ": no higher timeframe history";
    }

    core::Journal a(cold.journal_path(), core::Journal::Durability::Synchronous),
        b(warm.journal_path(), core::Journal::Durability::Synchronous);
    const auto cold_bars = a.chart_bars(a.runs().back().id),
               warm_bars = b.chart_bars(b.runs().back().id);
    ASSERT_FALSE(cold_bars.empty());
    ASSERT_EQ(cold_bars.size(), warm_bars.size());
    for (std::size_t i = 0; i < cold_bars.size(); ++i) {
        EXPECT_EQ(cold_bars[i].symbol, warm_bars[i].symbol);
        EXPECT_EQ(cold_bars[i].time_ms, warm_bars[i].time_ms);
        EXPECT_EQ(cold_bars[i].open, warm_bars[i].open);
        EXPECT_EQ(cold_bars[i].high, warm_bars[i].high);
        EXPECT_EQ(cold_bars[i].low, warm_bars[i].low);
        EXPECT_EQ(cold_bars[i].close, warm_bars[i].close);
    }
}
