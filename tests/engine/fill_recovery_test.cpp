// Every fill the venue reports reaches the journal and the ledger exactly once: a fill of an order
// the journal had closed, a fill whose journal write failed, fills without a trade id.
#include "engine_harness.hpp"

#include <SQLiteCpp/Database.h>

using namespace orchestrade;
using namespace orchestrade::testing;
using core::OrderState;

namespace {

std::vector<double> rising(std::size_t n) {
    std::vector<double> c;
    for (std::size_t i = 0; i < n; ++i)
        c.push_back(100.0 + static_cast<double>(i));
    return c;
}

// Creates the journal and adds a trigger to it, as a test's way to act on the journal's writes.
void add_trigger(const EngineHarness& h, const std::string& sql) {
    { core::Journal create(h.journal_path(), core::Journal::Durability::Synchronous); }
    SQLite::Database db(h.journal_path(), SQLite::OPEN_READWRITE);
    db.exec(sql);
}

double journaled_position(const EngineHarness& h, int64_t run_id) {
    core::Journal j(h.journal_path(), core::Journal::Durability::Synchronous);
    const auto positions = j.positions(run_id);
    auto it = positions.find("BTC/USDT");
    return it == positions.end() ? 0 : it->second.qty;
}

}  // namespace

TEST(FillRecovery, AFillReportedAfterItsOrderWasClosedStillReachesTheLedger) {
    // The venue reports the order canceled, then, at the next poll, its fill.
    EngineHarness h;
    h.write_csv(bars_from_closes(rising(8)));
    auto run =
        h.run(h.pipeline_yaml(script("BUY,HOLD,HOLD,HOLD"),
                              flaky("cancel_before_fill_on_submit: 0"), "{ quantity: 1 }", "paper"),
              quick_iterations(4));
    ASSERT_EQ(run.status, "completed");
    auto r = h.report();
    ASSERT_EQ(r.fills.size(), 1u);
    ASSERT_EQ(r.orders.size(), 1u);
    EXPECT_EQ(r.orders[0].state, OrderState::Filled);
    EXPECT_DOUBLE_EQ(r.orders[0].filled_qty, 1);
    EXPECT_DOUBLE_EQ(journaled_position(h, run.run_id), 1);
    EXPECT_EQ(h.events("fill_of_closed_order").size(), 1u);
    EXPECT_TRUE(h.events("unmatched_report").empty());
}

TEST(FillRecovery, AFillWhoseJournalWriteFailedIsAppliedLaterWithTheRestOfItsReports) {
    // The venue reports the fill as two halves, the first one twice, in one poll. The journal
    // refuses fills until the loop has recorded the failure.
    EngineHarness h;
    h.write_csv(bars_from_closes(rising(8)));
    add_trigger(h,
                "CREATE TRIGGER fail_fills BEFORE INSERT ON fills WHEN NOT EXISTS "
                "(SELECT 1 FROM events WHERE kind = 'executor_error') "
                "BEGIN SELECT RAISE(ABORT, 'disk I/O error'); END");
    auto run = h.run(h.pipeline_yaml(script("BUY,HOLD,HOLD"), flaky("split_and_repeat_fills: 1"),
                                     "{ quantity: 1 }", "paper"),
                     quick_iterations(3));
    ASSERT_EQ(run.status, "completed");
    ASSERT_EQ(h.events("executor_error").size(), 1u) << "the write did not fail";
    auto r = h.report();
    ASSERT_EQ(r.orders.size(), 1u);
    EXPECT_EQ(r.orders[0].state, OrderState::Filled);
    ASSERT_EQ(r.fills.size(), 2u);
    EXPECT_DOUBLE_EQ(journaled_position(h, run.run_id), 1);
}

TEST(FillRecovery, FillsWithoutATradeIdApartByLessThanAMillionthAreBothKept) {
    // 0.0000002 filled in two halves: cumulative quantities 1e-7 and 2e-7.
    EngineHarness h;
    h.write_csv(bars_from_closes(rising(6)));
    h.run(h.pipeline_yaml(script("BUY"), flaky("no_trade_ids: 1, split_and_repeat_fills: 1"),
                          "{ quantity: 0.0000002 }"));
    auto r = h.report();
    ASSERT_EQ(r.orders.size(), 1u);
    EXPECT_EQ(r.orders[0].state, OrderState::Filled);
    ASSERT_EQ(r.fills.size(), 2u) << "the repeated half is dropped, the second half is not";
    EXPECT_DOUBLE_EQ(r.fills[0].qty + r.fills[1].qty, 0.0000002);
}

TEST(FillRecovery, AFillWithoutATradeIdJournaledByAnOlderVersionIsKnownWhenReportedAgain) {
    // Older versions journaled such a fill as "<client order id>@<cumulative qty, 6 decimals>";
    // the trigger stores each fill that way. The venue reports the fill again after its order
    // closed.
    EngineHarness h;
    h.write_csv(bars_from_closes(rising(8)));
    add_trigger(h,
                "CREATE TRIGGER older_fill_ids AFTER INSERT ON fills BEGIN UPDATE fills SET "
                "trade_id = printf('%s@%.6f', NEW.client_order_id, NEW.qty) WHERE id = NEW.id; "
                "END");
    auto run =
        h.run(h.pipeline_yaml(script("BUY,HOLD,HOLD"), flaky("no_trade_ids: 1, repeat_fills: 1"),
                              "{ quantity: 1 }", "paper"),
              quick_iterations(3));
    ASSERT_EQ(run.status, "completed");
    auto r = h.report();
    ASSERT_EQ(r.fills.size(), 1u);
    EXPECT_NE(r.fills[0].trade_id.find("@1.000000"), std::string::npos) << r.fills[0].trade_id;
    EXPECT_DOUBLE_EQ(journaled_position(h, run.run_id), 1);
    EXPECT_TRUE(h.events("fill_of_closed_order").empty());
    EXPECT_TRUE(h.events("unmatched_report").empty()) << "a fill reported again is no alarm";
}
