// Money the venue books outside fills (funding): journaled once, in the ledger's cash, in the
// report; a flow the host cannot identify is kept visible and leaves the cash alone.
#include "engine_harness.hpp"

#include <orchestrade/core/journal.hpp>

#include <SQLiteCpp/SQLiteCpp.h>
#include <sqlite3.h>
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <set>

using namespace orchestrade;
using namespace orchestrade::testing;

namespace {

core::RunSummary paper_run(EngineHarness& h, const std::string& executor_params) {
    h.write_csv(bars_from_closes({100, 101, 102, 103, 104, 105, 106, 107}));
    auto o = quick_iterations(4);
    return h.run(h.pipeline_yaml(script("BUY,HOLD,HOLD,HOLD"),
                                 "{ use: flaky_executor, params: { " + executor_params + " } }",
                                 "{ quantity: 1 }", "paper"),
                 o);
}

// The cash the run's fills alone leave.
double cash_after_fills(const core::RunReport& r) {
    double cash = r.run.starting_cash;
    for (const auto& f : r.fills)
        cash -= (f.side == core::Side::Buy ? 1 : -1) * f.qty * f.price + f.fee;
    return cash;
}

// The ledger cash at the run's last equity sample, beyond what the fills alone leave.
double cash_beyond_fills(const core::RunReport& r) {
    return r.equity.back().cash - cash_after_fills(r);
}

// A SQL function test_crash() that ends the process as a SIGKILL would, in every connection
// opened from now on: a trigger calling it kills a run at one exact journal write.
void crash(sqlite3_context*, int, sqlite3_value**) {
    std::_Exit(3);
}
int add_crash_function(sqlite3* db, char**, const sqlite3_api_routines*) {
    return sqlite3_create_function(db, "test_crash", 0, SQLITE_UTF8, nullptr, crash, nullptr,
                                   nullptr);
}
void kill_at_the_next_cash_flow(const std::string& journal) {
    sqlite3_auto_extension(reinterpret_cast<void (*)()>(add_crash_function));
    SQLite::Database db(journal, SQLite::OPEN_READWRITE);
    db.exec(
        "CREATE TRIGGER kill_at_cash_flow BEFORE INSERT ON cash_flows "
        "BEGIN SELECT test_crash(); END");
}
void stop_killing_at_cash_flows(const std::string& journal) {
    SQLite::Database db(journal, SQLite::OPEN_READWRITE);
    db.exec("DROP TRIGGER kill_at_cash_flow");
}

}  // namespace

TEST(CashFlows, EachFundingPaymentMovesTheLedgerCashOnceAndIsReported) {
    EngineHarness h;
    // The venue books 0.25 per poll while the position is open and reports each payment twice
    // (once more at the next poll).
    const auto run = paper_run(h, "funding_paid: 0.25");
    ASSERT_EQ(run.status, "completed");

    core::Journal j(h.journal_path(), core::Journal::Durability::Synchronous);
    const auto flows = j.cash_flows(run.run_id);
    ASSERT_GE(flows.size(), 2u);
    std::set<std::string> refs;
    for (const auto& c : flows) {
        refs.insert(c.ref);
        EXPECT_EQ(c.symbol, "BTC/USDT");
        EXPECT_EQ(c.kind, "funding");
        EXPECT_DOUBLE_EQ(c.amount, -0.25);
    }
    EXPECT_EQ(refs.size(), flows.size()) << "a payment reported twice was journaled twice";

    const auto report = h.report();
    const double paid = 0.25 * static_cast<double>(flows.size());
    ASSERT_EQ(report.fills.size(), 1u);
    EXPECT_NEAR(cash_beyond_fills(report), -paid, 1e-9);
    EXPECT_DOUBLE_EQ(report.metrics.cash_flows, -paid);
    EXPECT_NE(core::report_to_text(report).find("Cash flows, net"), std::string::npos);
    const auto json = nlohmann::json::parse(core::report_to_json(report));
    ASSERT_EQ(json.at("cash_flows").size(), flows.size());
    EXPECT_EQ(json.at("cash_flows")[0].at("kind"), "funding");
    EXPECT_DOUBLE_EQ(json.at("metrics").at("cash_flows").get<double>(), -paid);
}

TEST(CashFlows, AFlowWithoutItsIdIsJournaledAsAnEventAndLeavesTheCashAlone) {
    EngineHarness h;
    const auto run = paper_run(h, "funding_paid: 0.25, funding_without_id: 1");
    ASSERT_EQ(run.status, "completed");
    core::Journal j(h.journal_path(), core::Journal::Durability::Synchronous);
    EXPECT_TRUE(j.cash_flows(run.run_id).empty());
    EXPECT_FALSE(h.events("invalid_cash_flow").empty());
    const auto report = h.report();
    EXPECT_DOUBLE_EQ(cash_beyond_fills(report), 0);
    EXPECT_DOUBLE_EQ(report.metrics.cash_flows, 0);
}

// A futures feed's funding_rate points reach a backtest through the mock venue as they happen,
// though no order is open to make the loop ask the venue for reports.
TEST(CashFlows, ABacktestPaysTheFundingOfEachPointWhileItHoldsAPosition) {
    EngineHarness h;
    const std::string yaml =
        "version: 1\nname: funding\nmode: backtest\njournal: journal.db\n"
        "universe: [BTC/USDT]\n"
        "feed: { use: synthetic, params: { bars: 2880, series: true } }\n"  // two days of 1m
        "strategy: " +
        script("BUY") +
        "\nrisk: { quantity: 0.5 }\n"
        "executor: { use: mock, params: { fee_bps: 0, starting_cash: 100000 } }\n";
    const auto run = h.run(yaml);
    ASSERT_EQ(run.status, "completed");

    core::Journal j(h.journal_path(), core::Journal::Durability::Synchronous);
    const auto flows = j.cash_flows(run.run_id);
    // Funding every 8 h from 2024-01-01 00:00; the position is held from the second bar on:
    // 08:00, 16:00 and 00:00 of each day, the last at the close of the last bar.
    ASSERT_EQ(flows.size(), 6u);
    double total = 0;
    for (std::size_t i = 0; i < flows.size(); ++i) {
        EXPECT_EQ(flows[i].time_ms, kStartMs + static_cast<int64_t>(i + 1) * 8 * 3'600'000);
        EXPECT_NE(flows[i].amount, 0);
        total += flows[i].amount;
    }
    const auto report = h.report();
    EXPECT_NEAR(report.metrics.cash_flows, total, 1e-9);
    EXPECT_NEAR(cash_beyond_fills(report), total, 1e-9);
    // Booked when it happened: the hourly equity samples after the first point have it already.
    const double cash = cash_after_fills(report);
    int between = 0;
    for (const auto& e : report.equity)
        if (e.time_ms > flows[0].time_ms && e.time_ms < flows[1].time_ms) {
            EXPECT_NEAR(e.cash, cash + flows[0].amount, 1e-9) << e.time_ms;
            ++between;
        }
    EXPECT_EQ(between, 8);  // hourly from the first close: 08:01 .. 15:01

    // Run again into the same journal: a backtest is an account of its own, so it books the
    // same funding (same ids) again and ends where the first run did.
    const auto again = h.run(yaml);
    const auto flows_again = j.cash_flows(again.run_id);
    ASSERT_EQ(flows_again.size(), flows.size());
    for (std::size_t i = 0; i < flows.size(); ++i) {
        EXPECT_EQ(flows_again[i].ref, flows[i].ref);
        EXPECT_DOUBLE_EQ(flows_again[i].amount, flows[i].amount);
    }
    EXPECT_DOUBLE_EQ(h.report().equity.back().equity, report.equity.back().equity);
}

// A resumed paper run's summary counts the funding booked during that run, as `report --run`
// does, not the total since the first run.
TEST(CashFlows, AResumedRunsSummaryCountsOnlyItsOwnFunding) {
    EngineHarness h;
    const std::string yaml =
        "version: 1\nname: funding\nmode: paper\njournal: journal.db\n"
        "universe: [BTC/USDT]\n"
        "feed: { use: synthetic, params: { timeframe: 4h, bars: 40, series: true } }\n"
        "strategy: " +
        script("BUY,HOLD,HOLD,HOLD,HOLD,HOLD") +  // funding every second 4h bar
        "\nrisk: { quantity: 0.5 }\n"
        "executor: { use: mock, params: { fee_bps: 0, starting_cash: 100000 } }\n";
    auto o = quick_iterations(6);
    const auto first = h.run(yaml, o);
    const auto second = h.run(yaml, o);
    ASSERT_TRUE(second.resumed);

    core::Journal j(h.journal_path(), core::Journal::Durability::Synchronous);
    auto total = [&](int64_t run_id) {
        double sum = 0;
        for (const auto& c : j.cash_flows(run_id))
            sum += c.amount;
        return sum;
    };
    ASSERT_NE(total(first.run_id), 0);
    ASSERT_NE(total(second.run_id), 0);
    EXPECT_NEAR(first.metrics.cash_flows, total(first.run_id), 1e-9);
    EXPECT_NEAR(second.metrics.cash_flows, total(second.run_id), 1e-9);
    EXPECT_NEAR(h.report().metrics.cash_flows, second.metrics.cash_flows, 1e-9);
}

// Killed after the venue handed a funding payment over and before the journal had it: what the
// venue saved during that poll (its reports gone) is not kept, so the restart gets the payment
// again, and the ledger's cash agrees with the venue's: the bot trades on.
TEST(CashFlows, AFundingPaymentPolledJustBeforeAKillIsJournaledAtTheRestart) {
    EngineHarness h;
    const std::string yaml =
        "version: 1\nname: funding\nmode: paper\njournal: journal.db\n"
        "universe: [BTC/USDT]\n"
        "feed: { use: synthetic, params: { timeframe: 4h, bars: 40, series: true } }\n"
        "strategy: " +
        script("BUY,HOLD,HOLD,HOLD,HOLD,HOLD") +  // funding every second 4h bar
        "\nrisk: { quantity: 0.5 }\n"
        "executor: { use: mock, params: { fee_bps: 0, starting_cash: 100000 } }\n";
    auto o = quick_iterations(2);  // the BUY, and its fill
    ASSERT_EQ(h.run(yaml, o).status, "completed");

    kill_at_the_next_cash_flow(h.journal_path());
    o.max_iterations = 6;
    ASSERT_EQ(run_until_crash(h, yaml, o), 3) << "no funding was booked";
    stop_killing_at_cash_flows(h.journal_path());

    o.max_iterations = 1;
    core::RunSummary resumed;
    ASSERT_NO_THROW(resumed = h.run(yaml, o));
    EXPECT_EQ(resumed.status, "completed");
    core::Journal j(h.journal_path(), core::Journal::Durability::Synchronous);
    EXPECT_FALSE(j.cash_flows(resumed.run_id).empty()) << "the payment was lost";
}
