// Risk rules through the real engine, csv feed and mock executor, on scripted price paths.
#include "engine_harness.hpp"

#include <orchestrade/core/engine.hpp>

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
    core::EngineOptions o;
    o.interval_ms = 1;
    o.max_iterations = 3;
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
