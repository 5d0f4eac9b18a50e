// Risk rules through the real engine, csv feed and mock executor, on scripted price paths.
#include "engine_harness.hpp"

#include <orchestrade/candles/random_walk.hpp>
#include <orchestrade/core/engine.hpp>

#include <algorithm>

using namespace orchestrade;
using namespace orchestrade::testing;

namespace {

std::string mock(const std::string& fill = "next_open") {
    return "{ use: mock, params: { starting_cash: 10000, fee_bps: 0, fill: " + fill + " } }";
}

// A flat path at 100 with the given bars replaced.
std::vector<CsvBar> path(std::size_t n, const std::map<std::size_t, CsvBar>& changes) {
    std::vector<CsvBar> bars;
    for (std::size_t i = 0; i < n; ++i) {
        CsvBar b{kStartMs + static_cast<int64_t>(i) * kMinuteMs, 100, 101, 99, 100};
        if (auto it = changes.find(i); it != changes.end()) {
            b = it->second;
            b.open_time = kStartMs + static_cast<int64_t>(i) * kMinuteMs;
        }
        bars.push_back(b);
    }
    return bars;
}

// Two paper runs of three bars on a path at 100 that is at 110 from bar 4: the first buys one
// unit at bar 1's open (fee 0.10, 10 bps), the second runs `script_of_second`. Returns the second.
core::RunSummary buy_then_resume(EngineHarness& h, const std::string& script_of_second) {
    h.write_csv(path(6, {{4, {0, 110, 111, 109, 110}}, {5, {0, 110, 111, 109, 110}}}));
    const std::string executor =
        "{ use: mock, params: { starting_cash: 10000, fee_bps: 10, fill: next_open } }";
    auto o = quick_iterations(3);
    h.run(h.pipeline_yaml(script("BUY,HOLD,HOLD"), executor, "{ quantity: 1 }", "paper"), o);
    return h.run(h.pipeline_yaml(script(script_of_second), executor, "{ quantity: 1 }", "paper"),
                 o);
}

const core::OrderRecord* order_with_reason(const core::RunReport& r, const std::string& reason) {
    for (const auto& o : r.orders)
        if (o.reason == reason) return &o;
    return nullptr;
}

}  // namespace

TEST(RiskEngine, AGapThroughTheStopExitsAtTheNextOpen) {
    EngineHarness h;
    // BUY at bar 0 (close 100) fills at bar 1's open; stop 5% below 100 = 95. Bar 3 opens at 90.
    h.write_csv(path(8, {{3, {0, 90, 91, 89, 90}}, {4, {0, 88, 89, 87, 88}}}));
    h.run(h.pipeline_yaml(script("BUY"), mock(), "{ quantity: 1, stop_loss_pct: 5 }"));
    auto r = h.report();
    const auto* exit = order_with_reason(r, "stop-loss");
    ASSERT_TRUE(exit);
    EXPECT_EQ(exit->side, core::Side::Sell);
    EXPECT_EQ(exit->created_ms, kStartMs + 4 * kMinuteMs);  // decided when bar 3 closed
    ASSERT_EQ(r.trades.size(), 1u);
    EXPECT_DOUBLE_EQ(r.trades[0].entry_price, 100);
    EXPECT_DOUBLE_EQ(r.trades[0].exit_price, 88);  // bar 4's open: the gap is not the stop price
    EXPECT_EQ(r.trades[0].exit_ts, kStartMs + 4 * kMinuteMs);
}

TEST(RiskEngine, StopAndTargetInOneBarExitAsAStopAndLeaveNoOtherLeg) {
    EngineHarness h;
    h.write_csv(path(8, {{2, {0, 100, 111, 94, 100}}}));
    h.run(h.pipeline_yaml(script("BUY"), mock("close"),
                          "{ quantity: 1, stop_loss_pct: 5, take_profit_pct: 10 }"));
    auto r = h.report();
    EXPECT_TRUE(order_with_reason(r, "stop-loss"));
    EXPECT_FALSE(order_with_reason(r, "take-profit"));
    ASSERT_EQ(r.trades.size(), 1u);
    EXPECT_FALSE(r.trades[0].open);
    EXPECT_EQ(r.orders.size(), 2u);  // the entry and one exit, nothing left resting
}

TEST(RiskEngine, TakeProfitExitsWhenTheTargetIsReached) {
    EngineHarness h;
    h.write_csv(path(8, {{3, {0, 104, 112, 103, 111}}}));
    h.run(h.pipeline_yaml(script("BUY"), mock("close"),
                          "{ quantity: 1, stop_loss_pct: 5, take_profit_pct: 10 }"));
    auto r = h.report();
    ASSERT_TRUE(order_with_reason(r, "take-profit"));
    ASSERT_EQ(r.trades.size(), 1u);
    EXPECT_DOUBLE_EQ(r.trades[0].exit_price, 111);  // filled at the close of the trigger bar
}

TEST(RiskEngine, EntryRefusalsAreJournaledWithTheirRule) {
    EngineHarness h;
    h.write_csv(path(6, {}));
    h.run(h.pipeline_yaml(script("BUY"), mock(), "{ quantity: 0.01, min_order_value: 5 }"));
    auto refusals = h.events("risk_refusal");
    ASSERT_EQ(refusals.size(), 1u);
    EXPECT_NE(refusals[0].json.find("\"rule\":\"min_order_value\""), std::string::npos);
    EXPECT_TRUE(h.report().orders.empty());
}

TEST(RiskEngine, AHaltBlocksEntriesKeepsExitsAndSurvivesRestarts) {
    EngineHarness h;
    h.write_csv(path(40, {}));
    auto o = quick_iterations(3);
    // Paper replay, one bar per iteration; each process runs its own script.
    auto paper = [&](const std::string& actions) {
        return h.pipeline_yaml(script(actions), mock(), "{ quantity: 1 }", "paper");
    };
    auto orders_of_last_run = [&] { return h.report().orders; };
    h.run(paper("BUY,HOLD,HOLD"), o);
    ASSERT_EQ(orders_of_last_run().size(), 1u);
    {
        core::Journal j(h.journal_path(), core::Journal::Durability::Synchronous);
        j.kv_set("core", core::kBreakerCommandKey, "halt:maintenance");
    }
    h.run(paper("SELL,HOLD,BUY"), o);  // the exit passes, the entry is refused
    auto after_halt = orders_of_last_run();
    ASSERT_EQ(after_halt.size(), 1u);
    EXPECT_EQ(after_halt[0].side, core::Side::Sell);
    auto refusals = h.events("risk_refusal");
    ASSERT_EQ(refusals.size(), 1u);
    EXPECT_NE(refusals[0].json.find("manual halt: maintenance"), std::string::npos);

    h.run(paper("HOLD,BUY,HOLD"), o);  // a new process is still halted
    EXPECT_TRUE(orders_of_last_run().empty());
    EXPECT_EQ(h.events("risk_refusal").size(), 2u);
    {
        core::Journal j(h.journal_path(), core::Journal::Durability::Synchronous);
        j.kv_set("core", core::kBreakerCommandKey, "resume");
    }
    h.run(paper("HOLD,BUY,HOLD"), o);
    ASSERT_EQ(orders_of_last_run().size(), 1u);
    EXPECT_EQ(h.events("risk_refusal").size(), 2u);
    auto states = h.events("risk_state");
    ASSERT_EQ(states.size(), 2u);
    EXPECT_NE(states[1].json.find("HALTED -> ACTIVE"), std::string::npos);
}

TEST(RiskEngine, ACoarserBarClosingBesideTheFinestTripsNoLevelOfALaterEntry) {
    // 1m bars with 1h bars beside them (the seed-004 3m + 4h set-up, smaller). Find an entry
    // inside the first hour after that hour's low, and a stop between that low and every 1m low
    // after the entry: the 1h bar closing at minute 60 reaches below the stop, the price never
    // did after the entry.
    constexpr int kBars = 70;
    uint64_t seed = 0;
    int entry = -1;
    double stop = 0, entry_close = 0;
    for (uint64_t s = 1; s < 200 && entry < 0; ++s) {
        candles::WalkParams p;
        p.seed = s;
        candles::RandomWalk walk(p, "BTC/USDT");
        std::vector<candles::Candle> c;
        for (int i = 0; i < kBars; ++i)
            c.push_back(walk.next());
        double hour_low = 1e300;
        for (int i = 0; i < 60; ++i)
            hour_low = std::min(hour_low, c[i].low);
        for (int k = 5; k < 55; ++k) {
            double later_low = 1e300;
            for (int i = k + 1; i < kBars; ++i)
                later_low = std::min(later_low, c[i].low);
            if (later_low > hour_low * 1.001) {
                seed = s;
                entry = k;
                stop = (hour_low + later_low) / 2;
                entry_close = c[k].close;
                break;
            }
        }
    }
    ASSERT_GE(entry, 0) << "no seed gives such a path";
    std::string actions;
    for (int i = 0; i < entry; ++i)
        actions += "HOLD,";
    actions += "BUY";
    const double stop_pct = (1 - stop / entry_close) * 100;

    EngineHarness h;
    h.run(
        "version: 1\nname: test\nmode: backtest\njournal: journal.db\nuniverse: [BTC/USDT]\n"
        "feed: { use: synthetic, params: { seed: " +
        std::to_string(seed) + ", timeframe: 1m, bars: " + std::to_string(kBars) +
        ", higher_timeframes: 1h } }\n" + "strategy: " + script(actions) +
        "\nrisk: { quantity: 0.1, stop_loss_pct: " + std::to_string(stop_pct) +
        " }\nexecutor: " + mock("close") + "\n");
    auto r = h.report();
    EXPECT_FALSE(order_with_reason(r, "stop-loss"));
    ASSERT_EQ(r.trades.size(), 1u);
    EXPECT_TRUE(r.trades[0].open);
}

TEST(RiskEngine, AfterAStopLossTheSameSignalEntersAgain) {
    EngineHarness h;
    // BUY on every bar: the first enters (fills at bar 1's open), bar 3 gaps through the stop and
    // the exit fills at bar 4's open; the next BUY is no duplicate of the one the stop undid.
    h.write_csv(path(8, {{3, {0, 90, 91, 89, 90}},
                         {4, {0, 90, 91, 89, 90}},
                         {5, {0, 90, 91, 89, 90}},
                         {6, {0, 90, 91, 89, 90}},
                         {7, {0, 90, 91, 89, 90}}}));
    h.run(h.pipeline_yaml(script("BUY,BUY,BUY,BUY,BUY,BUY,BUY,BUY"), mock(),
                          "{ quantity: 1, stop_loss_pct: 5 }"));
    auto r = h.report();
    ASSERT_TRUE(order_with_reason(r, "stop-loss"));
    ASSERT_EQ(r.trades.size(), 2u);
    EXPECT_FALSE(r.trades[0].open);
    EXPECT_TRUE(r.trades[1].open);
    EXPECT_EQ(r.trades[1].entry_ts, kStartMs + 5 * kMinuteMs);  // bar 4's BUY, at bar 5's open
}

TEST(RiskEngine, ACrashRightAfterAnEntryFillKeepsItsStopForTheRestart) {
    EngineHarness h;
    // Paper replay, a bar per iteration. The BUY of bar 0 fills at bar 1's open; the process
    // dies in the strategy call of that same iteration, before the iteration's end.
    h.write_csv(
        path(8, {{2, {0, 90, 91, 89, 90}}, {3, {0, 90, 91, 89, 90}}, {4, {0, 90, 91, 89, 90}}}));
    const std::string risk = "{ quantity: 1, stop_loss_pct: 5 }";
    auto o = quick_iterations(5);
    const std::string crashing =
        "{ use: script_strategy, params: { script: \"BUY,HOLD\", exit_at: 1 } }";
    ASSERT_EQ(run_until_crash(h, h.pipeline_yaml(crashing, mock(), risk, "paper"), o), 3)
        << "the scripted crash did not happen";
    ASSERT_EQ(h.report().fills.size(), 1u);  // the entry's fill was journaled before it

    h.run(h.pipeline_yaml(script("HOLD,HOLD,HOLD,HOLD"), mock(), risk, "paper"), o);
    auto r = h.report();
    EXPECT_TRUE(order_with_reason(r, "stop-loss")) << "the restarted run did not watch the stop";
}

// The breaker, the levels and a pending `orchestrade halt` belong to the paper bot: a backtest
// run on its journal neither uses nor changes them.
TEST(RiskEngine, ABacktestOnAPaperJournalLeavesThePaperBotsRiskStateAndHaltCommand) {
    EngineHarness h;
    h.write_csv(path(8, {}));
    const std::string risk = "{ quantity: 1, stop_loss_pct: 5 }";
    auto o = quick_iterations(3);
    h.run(h.pipeline_yaml(script("BUY,HOLD,HOLD"), mock(), risk, "paper"), o);
    std::optional<std::string> saved;
    {
        core::Journal j(h.journal_path(), core::Journal::Durability::Synchronous);
        saved = j.kv_get("core", "risk_state:paper");
        ASSERT_TRUE(saved);
        ASSERT_NE(saved->find("BTC/USDT"), std::string::npos) << "the entry's stop is not kept";
        j.kv_set("core", core::kBreakerCommandKey, "halt:manual stop");
    }
    const auto backtest =
        h.run(h.pipeline_yaml(script("HOLD,SELL,BUY,SELL,BUY"), mock(), risk, "backtest"));
    EXPECT_GT(backtest.orders, 0) << "the backtest took the paper bot's halt";
    core::Journal j(h.journal_path(), core::Journal::Durability::Synchronous);
    EXPECT_EQ(j.kv_get("core", "risk_state:paper"), saved);
    EXPECT_EQ(j.kv_get("core", core::kBreakerCommandKey), "halt:manual stop");
}

// Going live on the journal of the paper bot (`mode: live` in the same pipeline): the live
// account starts flat, so neither the paper position's stop nor its last BUY may carry over.
TEST(RiskEngine, ALiveRunOnAPaperJournalStartsFromItsOwnRiskStateNotThePaperBots) {
    EngineHarness h;
    h.write_csv(path(8, {}));
    const std::string risk = "{ quantity: 1, stop_loss_pct: 5 }";
    const std::string venue = "{ use: flaky_executor, params: { starting_cash: 10000 } }";
    auto o = quick_iterations(3);
    h.run(h.pipeline_yaml(script("BUY,HOLD,HOLD"), venue, risk, "paper"), o);
    const auto paper_state = h.kv("core", "risk_state:paper");
    ASSERT_TRUE(paper_state);
    ASSERT_NE(paper_state->find("BTC/USDT"), std::string::npos) << "the entry's stop is not kept";

    const auto live = h.run(h.pipeline_yaml(script("BUY,HOLD,HOLD"), venue, risk, "live"), o);
    EXPECT_FALSE(live.resumed);
    EXPECT_EQ(live.orders, 1) << "the live BUY was taken for a duplicate of the paper bot's";
    EXPECT_EQ(h.kv("core", "risk_state:paper"), paper_state);
    const auto live_state = h.kv("core", "risk_state:live");
    ASSERT_TRUE(live_state);
    EXPECT_NE(live_state->find("BTC/USDT"), std::string::npos) << "the live entry has no stop";
}

TEST(RiskEngine, AResumedRunWhoseUniverseDroppedAHeldSymbolSaysSo) {
    EngineHarness h;
    h.write_csv(path(6, {}));
    const std::string executor = "{ use: mock, params: { starting_cash: 10000, fee_bps: 0 } }";
    auto o = quick_iterations(3);
    h.run(h.pipeline_yaml(script("BUY,HOLD,HOLD"), executor, "{ quantity: 1 }", "paper"), o);
    EXPECT_TRUE(h.events("position_outside_universe").empty());
    std::string yaml = h.pipeline_yaml(script("HOLD"), executor, "{ quantity: 1 }", "paper");
    const std::string universe = "universe: [BTC/USDT]";
    ASSERT_NE(yaml.find(universe), std::string::npos);
    yaml.replace(yaml.find(universe), universe.size(), "universe: [BTC/USDT, ETH/USDT]");
    h.run(yaml, o);
    EXPECT_TRUE(h.events("position_outside_universe").empty());
    yaml.replace(yaml.find("universe: [BTC/USDT, ETH/USDT]"), 30, "universe: [ETH/USDT]");
    h.run(yaml, o);
    const auto events = h.events("position_outside_universe");
    ASSERT_EQ(events.size(), 1u);
    EXPECT_NE(events[0].json.find("BTC/USDT"), std::string::npos) << events[0].json;
}

TEST(RiskEngine, APipelineThatContinuesAnotherPipelinesAccountSaysSo) {
    EngineHarness h;
    h.write_csv(path(6, {}));
    const std::string executor = "{ use: mock, params: { starting_cash: 10000, fee_bps: 0 } }";
    auto o = quick_iterations(2);
    std::string yaml = h.pipeline_yaml(script("BUY,HOLD"), executor, "{ quantity: 1 }", "paper");
    h.run(yaml, o);
    h.run(yaml, o);
    EXPECT_TRUE(h.events("account_of_another_pipeline").empty());
    yaml.replace(yaml.find("name: test"), 10, "name: other");
    const auto other = h.run(yaml, o);
    EXPECT_TRUE(other.resumed);
    const auto events = h.events("account_of_another_pipeline");
    ASSERT_EQ(events.size(), 1u);
    EXPECT_NE(events[0].json.find("'other' continues the paper account of 'test' (run 2"),
              std::string::npos)
        << events[0].json;
}

TEST(RiskEngine, AResumedRunsReportPairsItsExitWithTheEntryOfTheRunBefore) {
    EngineHarness h;
    auto second = buy_then_resume(h, "HOLD,SELL,HOLD");  // sells at bar 4's close, filled at 110
    ASSERT_TRUE(second.resumed);
    EXPECT_EQ(second.metrics.trades, 1);
    EXPECT_NEAR(second.metrics.realized_pnl, 10, 1e-9);
    EXPECT_NEAR(second.metrics.fees, 0.11, 1e-9);

    auto report = h.report();  // the last run: the resumed one
    ASSERT_EQ(report.trades.size(), 1u);
    const core::Trade& t = report.trades[0];
    EXPECT_EQ(t.side, core::Side::Buy) << "the exit is not a short of its own";
    EXPECT_FALSE(t.open);
    EXPECT_EQ(t.entry_ts, kStartMs + kMinuteMs);  // run 1's fill
    EXPECT_DOUBLE_EQ(t.entry_price, 100);
    EXPECT_DOUBLE_EQ(t.exit_price, 110);
    EXPECT_NEAR(t.pnl, 10 - 0.1 - 0.11, 1e-9);
    EXPECT_EQ(report.metrics.trades, second.metrics.trades);
    EXPECT_NEAR(report.metrics.realized_pnl, second.metrics.realized_pnl, 1e-9);
    EXPECT_NEAR(report.metrics.fees, second.metrics.fees, 1e-9);
}

TEST(RiskEngine, AResumedRunsMetricsStartFromTheAccountAsItStands) {
    EngineHarness h;
    auto second = buy_then_resume(h, "HOLD,HOLD,HOLD");  // sees bar 3 at 100, then 110
    ASSERT_TRUE(second.resumed);
    EXPECT_NEAR(second.metrics.starting_equity, 10000 - 0.1, 1e-6);  // cash + 1 at 100
    EXPECT_NEAR(second.metrics.final_equity, 10000 - 0.1 + 10, 1e-6);
    EXPECT_NEAR(second.metrics.total_return_pct, 10 / (10000 - 0.1) * 100, 1e-6);
    EXPECT_DOUBLE_EQ(second.metrics.fees, 0);  // the fee was run 1's
    EXPECT_EQ(second.metrics.trades, 0);
    // The summary and `report` of the run agree.
    auto report = h.report();
    EXPECT_DOUBLE_EQ(report.metrics.fees, second.metrics.fees);
    EXPECT_NEAR(report.metrics.starting_equity, second.metrics.starting_equity, 1e-6);
}

TEST(RiskEngine, DustAnExitLeavesIsNotTimeInTheMarket) {
    // Two round trips (BUY at bar 0, SELL at 2, BUY at 5, SELL at 7) on twelve bars, once on a
    // venue that takes the buy's fee in the coin and floors the sell to its step (0.0123 bought,
    // 0.0122877 arrive, 0.0122 sold, 0.0000877 stay below the smallest order 0.0001), once on
    // one that leaves nothing (the second sell takes the first one's dust along). The time in the
    // market is the same.
    auto exposure = [](const std::string& venue_params, double* left) {
        EngineHarness h;
        h.write_csv(path(12, {}));
        auto run = h.run(h.pipeline_yaml(
            script("BUY,HOLD,SELL,HOLD,HOLD,BUY,HOLD,SELL"),
            "{ use: flaky_executor, params: { " + venue_params + " } }", "{ quantity: 0.0123 }"));
        *left = 0;
        for (const auto& f : h.report().fills)
            *left += f.side == core::Side::Buy ? f.qty : -f.qty;
        return run.metrics.exposure_pct;
    };
    double dust = 0, flat = 0;
    const double with_dust = exposure("coin_fee_pct: 0.1, lot_step: 0.0001", &dust);
    const double without = exposure("", &flat);
    EXPECT_GT(dust, 0) << "the exits left dust";
    EXPECT_LT(dust, 0.0001);
    EXPECT_NEAR(flat, 0, 1e-12);
    EXPECT_GT(without, 0);
    EXPECT_LT(without, 100);
    EXPECT_DOUBLE_EQ(with_dust, without) << "the dust counted as a position held";
}
