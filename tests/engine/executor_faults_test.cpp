// Executor failures: the loop goes on, every outcome is journaled, and an order whose outcome
// is unknown is reconciled by client order id instead of being sent again.
#include "engine_harness.hpp"

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

// How often the test venue of a run in `mode` received the order.
int submits_of(const EngineHarness& h, const std::string& client_order_id,
               const std::string& mode = "backtest") {
    auto v = h.kv(mode + "/executor:org.orchestrade.test.flaky", "submits:" + client_order_id);
    return v ? std::stoi(*v) : 0;
}

}  // namespace

TEST(ExecutorFaults, ASubmitThatThrowsIsReconciledAsNeverPlacedAndTheLoopGoesOn) {
    EngineHarness h;
    h.write_csv(bars_from_closes(rising(8)));
    auto summary = h.run(h.pipeline_yaml(script("BUY,HOLD,BUY"), flaky("throw_on_submit: 0")));
    EXPECT_EQ(summary.status, "completed");
    auto r = h.report();
    ASSERT_EQ(r.orders.size(), 2u);
    EXPECT_EQ(r.orders[0].state, OrderState::Rejected);
    EXPECT_NE(r.orders[0].text.find("not found at the venue"), std::string::npos);
    EXPECT_EQ(submits_of(h, r.orders[0].client_order_id), 1);
    EXPECT_EQ(r.orders[1].state, OrderState::Filled);  // the next BUY still trades
}

// The process dies inside the submit of a journaled intent, before the venue took it. At the
// restart the venue does not know the order: it is closed as never sent, and the bar comes again
// (the feed's state was not committed), so its BUY places a new order instead of being lost.
TEST(ExecutorFaults, AnIntentTheVenueNeverReceivedBeforeACrashIsPlacedAgainByItsBar) {
    EngineHarness h;
    h.write_csv(bars_from_closes(rising(8)));
    auto o = quick_iterations(4);
    ASSERT_EQ(run_until_crash(h,
                              h.pipeline_yaml(script("HOLD,BUY"), flaky("exit_on_submit: 0"),
                                              "{ quantity: 1 }", "paper"),
                              o),
              3)
        << "the scripted crash did not happen";
    ASSERT_EQ(h.report().orders.size(), 1u);  // the intent, journaled before the submit

    // The restarted strategy's script starts again: bar 1 comes first and says BUY.
    o.max_iterations = 3;
    auto resumed =
        h.run(h.pipeline_yaml(script("BUY,HOLD"), flaky(""), "{ quantity: 1 }", "paper"), o);
    ASSERT_EQ(resumed.status, "completed");
    core::Journal j(h.journal_path(), core::Journal::Durability::Synchronous);
    const auto orders = j.orders();
    ASSERT_EQ(orders.size(), 2u);
    EXPECT_EQ(orders[0].state, OrderState::Rejected);
    EXPECT_NE(orders[0].text.find("never reached the venue"), std::string::npos) << orders[0].text;
    EXPECT_EQ(submits_of(h, orders[0].client_order_id, "paper"), 0);
    EXPECT_EQ(orders[1].state, OrderState::Filled);
    EXPECT_EQ(submits_of(h, orders[1].client_order_id, "paper"), 1);
    std::vector<core::SignalRecord> signals;
    for (auto& s : j.signals())
        if (s.action == core::Action::Buy) signals.push_back(s);
    ASSERT_EQ(signals.size(), 2u);
    EXPECT_EQ(signals[0].time_ms, signals[1].time_ms) << "the new order is for the same bar";
    EXPECT_EQ(signals[0].outcome,
              "rejected: never reached the venue: not found there at the restart");
    EXPECT_EQ(signals[1].outcome, "order");
    EXPECT_EQ(orders[1].signal_id, signals[1].id);
}

TEST(ExecutorFaults, AnAmbiguousSubmitIsResolvedByQueryNotBySendingAgain) {
    EngineHarness h;
    h.write_csv(bars_from_closes(rising(6)));
    h.run(h.pipeline_yaml(script("BUY"), flaky("ambiguous_on_submit: 0")));
    auto r = h.report();
    ASSERT_EQ(r.orders.size(), 1u);
    EXPECT_EQ(r.orders[0].state, OrderState::Filled);
    ASSERT_EQ(r.fills.size(), 1u);
    EXPECT_EQ(submits_of(h, r.orders[0].client_order_id), 1);
}

TEST(ExecutorFaults, ARejectedOrderIsJournaledWithItsReason) {
    EngineHarness h;
    h.write_csv(bars_from_closes(rising(4)));
    h.run(h.pipeline_yaml(script("BUY"), flaky("reject_on_submit: 0")));
    auto r = h.report();
    ASSERT_EQ(r.orders.size(), 1u);
    EXPECT_EQ(r.orders[0].state, OrderState::Rejected);
    EXPECT_EQ(r.orders[0].text, "insufficient balance");
    auto signals = h.signals();
    ASSERT_FALSE(signals.empty());
    EXPECT_EQ(signals[0].outcome, "rejected: insufficient balance");
}

TEST(ExecutorFaults, AFailingPollIsJournaledAndTheFillArrivesLater) {
    EngineHarness h;
    h.write_csv(bars_from_closes(rising(6)));
    // The poll right after the submit fails; the next bar's poll brings the fill.
    auto summary = h.run(h.pipeline_yaml(script("BUY"), flaky("throw_on_poll: 0")));
    EXPECT_EQ(summary.status, "completed");
    auto errors = h.events("executor_error");
    ASSERT_EQ(errors.size(), 1u);
    EXPECT_NE(errors[0].json.find("venue unreachable"), std::string::npos);
    EXPECT_EQ(h.report().fills.size(), 1u);
}

TEST(ExecutorFaults, ABacktestDoesNotPollAnExecutorWithNoOrderOpen) {
    // Its simulated venue reports on nothing else; a poll per bar would be wasted (and here the
    // first poll throws, so one would show up as an error).
    EngineHarness h;
    h.write_csv(bars_from_closes(rising(6)));
    auto summary = h.run(h.pipeline_yaml(script("HOLD"), flaky("throw_on_poll: 0")));
    EXPECT_EQ(summary.status, "completed");
    EXPECT_TRUE(h.events("executor_error").empty());
}

TEST(ExecutorFaults, AFillReportedTwiceReachesTheLedgerOnce) {
    // A backtest journal writes in the background, so the router itself must drop the repeat.
    EngineHarness h;
    h.write_csv(bars_from_closes(rising(6)));
    h.run(h.pipeline_yaml(script("BUY"), flaky("split_and_repeat_fills: 1")));
    auto r = h.report();
    ASSERT_EQ(r.orders.size(), 1u);
    EXPECT_EQ(r.orders[0].state, OrderState::Filled);
    ASSERT_EQ(r.fills.size(), 2u);  // two halves; the repeated half is dropped
    EXPECT_DOUBLE_EQ(r.fills[0].qty + r.fills[1].qty, r.orders[0].qty);
    core::Journal journal(h.journal_path(), core::Journal::Durability::Synchronous);
    const auto positions = journal.positions(r.run.id);
    ASSERT_EQ(positions.count("BTC/USDT"), 1u);
    EXPECT_DOUBLE_EQ(positions.at("BTC/USDT").qty, r.orders[0].qty);
}

// A fill reported again after its order closed (a query recovered it first, a poll page that
// overlaps the last) is old news, not a report for an unknown order.
TEST(ExecutorFaults, AFillReportedAgainAfterItsOrderClosedIsNeitherAppliedNorAnAlarm) {
    EngineHarness h;
    h.write_csv(bars_from_closes(rising(8)));
    auto o = quick_iterations(6);
    h.run(h.pipeline_yaml(script("BUY,HOLD,SELL,HOLD"), flaky("repeat_fills: 1"), "{ quantity: 1 }",
                          "paper"),
          o);
    auto r = h.report();
    ASSERT_EQ(r.orders.size(), 2u);
    EXPECT_EQ(r.fills.size(), 2u);
    ASSERT_EQ(r.trades.size(), 1u);
    EXPECT_FALSE(r.trades[0].open);
    EXPECT_TRUE(h.events("unmatched_report").empty());
}

TEST(ExecutorFaults, ARateLimitedSubmitGoesAgainWithTheSameIdAndFillsOnce) {
    EngineHarness h;
    h.write_csv(bars_from_closes(rising(6)));
    h.run(h.pipeline_yaml(script("BUY"), flaky("rate_limit_on_submit: 0")));
    auto r = h.report();
    ASSERT_EQ(r.orders.size(), 1u);
    EXPECT_EQ(r.orders[0].state, OrderState::Filled);
    ASSERT_EQ(r.fills.size(), 1u);
    EXPECT_EQ(submits_of(h, r.orders[0].client_order_id), 2);  // refused before it left, then sent
}

TEST(ExecutorFaults, AnIntentHeldBackByRateLimitsForTooLongIsNeverSentLate) {
    EngineHarness h;
    h.write_csv(bars_from_closes(rising(12)));  // one-minute bars
    h.run(h.pipeline_yaml(script("BUY"), flaky("rate_limit_calls: 1000")));
    auto r = h.report();
    ASSERT_EQ(r.orders.size(), 1u);
    EXPECT_EQ(r.orders[0].state, OrderState::Rejected);
    EXPECT_NE(r.orders[0].text.find("rate-limited for more than 5 min"), std::string::npos);
    EXPECT_TRUE(r.fills.empty());
    // Tried at the signal bar and once per later bar until five minutes had passed.
    EXPECT_EQ(submits_of(h, r.orders[0].client_order_id), 6);
}

TEST(ExecutorFaults, AnOrderTheVenueCannotAnswerForDoesNotHoldBackTheVenuesOtherNews) {
    EngineHarness h;
    h.write_csv(bars_from_closes(rising(20)));
    auto o = quick_iterations(4);
    // The BUY's answer is lost and the venue cannot say what became of it for the whole run;
    // meanwhile it books funding on the position it opened at every poll.
    auto run = h.run(h.pipeline_yaml(script("BUY"),
                                     flaky("ambiguous_on_submit: 0, failing_queries: 1000, "
                                           "funding_paid: 0.25"),
                                     "{ quantity: 1 }", "paper"),
                     o);
    ASSERT_EQ(run.status, "completed");
    EXPECT_EQ(h.report().orders.at(0).state, OrderState::Unknown);
    EXPECT_FALSE(h.events("reconcile_error").empty());
    core::Journal j(h.journal_path(), core::Journal::Durability::Synchronous);
    EXPECT_GE(j.cash_flows(run.run_id).size(), 3u) << "the funding reached the ledger meanwhile";
}

TEST(ExecutorFaults, AnUnansweredStartupReconciliationHoldsTradingUntilTheVenueAnswers) {
    EngineHarness h;
    h.write_csv(bars_from_closes(rising(20)));
    auto o = quick_iterations(1);
    // Paper replay: the only iteration sends a BUY whose answer is lost.
    h.run(
        h.pipeline_yaml(script("BUY"), flaky("ambiguous_on_submit: 0"), "{ quantity: 1 }", "paper"),
        o);
    ASSERT_EQ(h.report().orders.at(0).state, OrderState::Unknown);

    // The next process's venue cannot answer its first five queries: at startup and through
    // iteration 2 (each iteration asks before and after the new bar reaches the executor).
    o.max_iterations = 4;
    auto resumed = h.run(h.pipeline_yaml(script("HOLD,BUY,HOLD,BUY"), flaky("failing_queries: 5"),
                                         "{ quantity: 1 }", "paper"),
                         o);
    EXPECT_EQ(resumed.status, "completed");
    EXPECT_EQ(h.events("reconcile_error").size(), 5u) << "each unanswered query is journaled";
    EXPECT_TRUE(h.events("executor_error").empty());
    auto signals = h.signals();
    const auto& held = signals[signals.size() - 3];  // the resumed run's first BUY
    EXPECT_EQ(held.outcome, "ignored: an order for BTC/USDT is still open");
    auto orders = h.report().orders;
    ASSERT_EQ(orders.size(), 1u);  // the resumed run's BUY after the venue answered
    EXPECT_EQ(orders[0].state, OrderState::Filled);
    core::Journal j(h.journal_path(), core::Journal::Durability::Synchronous);
    auto first = j.orders(j.runs().front().id);
    ASSERT_EQ(first.size(), 1u);
    EXPECT_EQ(first[0].state, OrderState::Rejected);  // not found once it could answer
}

TEST(ExecutorFaults, ASignalHeldBackByTheStartupReconciliationIsNoDuplicateOnceTheVenueAnswered) {
    EngineHarness h;
    h.write_csv(bars_from_closes(rising(20)));
    auto o = quick_iterations(1);
    // An ETH/USDT BUY whose answer is lost: the next process must ask the venue about it.
    auto eth =
        h.pipeline_yaml(script("BUY"), flaky("ambiguous_on_submit: 0"), "{ quantity: 1 }", "paper");
    eth.replace(eth.find("[BTC/USDT]"), 10, "[ETH/USDT]");
    h.run(eth, o);
    ASSERT_EQ(h.report().orders.at(0).state, OrderState::Unknown);

    // BTC/USDT has no order open, but the venue cannot answer for the ETH/USDT one at startup and
    // at the first iteration: the first BUY waits; the same BUY a bar later is no duplicate.
    o.max_iterations = 3;
    auto both =
        h.pipeline_yaml(script("BUY,BUY"), flaky("failing_queries: 3"), "{ quantity: 1 }", "paper");
    both.replace(both.find("[BTC/USDT]"), 10, "[BTC/USDT, ETH/USDT]");
    EXPECT_EQ(h.run(both, o).status, "completed");
    std::vector<std::string> btc;
    for (const auto& s : h.signals())
        if (s.symbol == "BTC/USDT" && s.action == core::Action::Buy) btc.push_back(s.outcome);
    ASSERT_EQ(btc.size(), 2u);
    EXPECT_EQ(btc[0], "ignored: the startup reconciliation with the venue is not done");
    EXPECT_EQ(btc[1].rfind("order", 0), 0u) << btc[1];
    auto orders = h.report().orders;
    ASSERT_EQ(orders.size(), 1u);
    EXPECT_EQ(orders[0].symbol, "BTC/USDT");
    EXPECT_EQ(orders[0].state, OrderState::Filled);
}
