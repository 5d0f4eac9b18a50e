// Executor failures: the loop goes on, every outcome is journaled, and an order whose outcome
// is unknown is reconciled by client order id instead of being sent again.
#include "engine_harness.hpp"

using namespace orchestrade;
using namespace orchestrade::testing;
using core::OrderState;

namespace {

std::string flaky(const std::string& fault) {
    return "{ use: flaky_executor, params: { " + fault + " } }";
}

std::vector<double> rising(std::size_t n) {
    std::vector<double> c;
    for (std::size_t i = 0; i < n; ++i)
        c.push_back(100.0 + static_cast<double>(i));
    return c;
}

int submits_of(const EngineHarness& h, const std::string& client_order_id) {
    auto v = h.kv("executor:org.orchestrade.test.flaky", "submits:" + client_order_id);
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
    auto summary = h.run(h.pipeline_yaml(script("BUY"), flaky("throw_on_poll: 1")));
    EXPECT_EQ(summary.status, "completed");
    auto errors = h.events("executor_error");
    ASSERT_EQ(errors.size(), 1u);
    EXPECT_NE(errors[0].json.find("venue unreachable"), std::string::npos);
    EXPECT_EQ(h.report().fills.size(), 1u);
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
