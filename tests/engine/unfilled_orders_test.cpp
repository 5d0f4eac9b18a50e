// A signal whose order ended before it filled completely (refused by the venue, expired, not found
// there, never sent) did not act: the next signal of the same action may, and the signal's outcome
// says what became of its order. A signal that did act still makes its repeats duplicates.
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

// The outcomes of the run's signals of one action, in their order.
std::vector<std::string> outcomes(const EngineHarness& h, core::Action action) {
    std::vector<std::string> out;
    for (const auto& s : h.signals())
        if (s.action == action) out.push_back(s.outcome);
    return out;
}

double position(const core::RunReport& r) {
    double qty = 0;
    for (const auto& f : r.fills)
        qty += f.side == core::Side::Buy ? f.qty : -f.qty;
    return qty;
}

}  // namespace

TEST(UnfilledOrders, AnExitTheVenueRefusedIsSentAgainByTheNextSell) {
    EngineHarness h;
    h.write_csv(bars_from_closes(rising(8)));
    h.run(h.pipeline_yaml(script("BUY,HOLD,SELL,SELL,SELL"), flaky("reject_on_submit: 1")));
    EXPECT_EQ(outcomes(h, core::Action::Sell),
              (std::vector<std::string>{"rejected: insufficient balance", "order",
                                        "ignored: duplicate signal"}));
    auto r = h.report();
    ASSERT_EQ(r.orders.size(), 3u);
    EXPECT_EQ(r.orders[1].state, OrderState::Rejected);
    EXPECT_EQ(r.orders[2].state, OrderState::Filled);
    EXPECT_NEAR(position(r), 0, 1e-12) << "the position stayed open";
}

TEST(UnfilledOrders, AnEntryTheVenueRefusedIsMadeByTheNextBuyAndOnlyOnce) {
    EngineHarness h;
    h.write_csv(bars_from_closes(rising(6)));
    h.run(h.pipeline_yaml(script("BUY,BUY,BUY"), flaky("reject_on_submit: 0")));
    EXPECT_EQ(outcomes(h, core::Action::Buy),
              (std::vector<std::string>{"rejected: insufficient balance", "order",
                                        "ignored: duplicate signal"}));
    auto r = h.report();
    ASSERT_EQ(r.fills.size(), 1u);
    EXPECT_DOUBLE_EQ(position(r), 1);
}

TEST(UnfilledOrders, AnOrderTheVenueDoesNotKnowLetsTheNextSignalAct) {
    // The submit fails before the order leaves: its outcome is unknown until reconciliation finds
    // no such order at the venue.
    EngineHarness h;
    h.write_csv(bars_from_closes(rising(6)));
    h.run(h.pipeline_yaml(script("BUY,BUY,BUY"), flaky("throw_on_submit: 0")));
    EXPECT_EQ(outcomes(h, core::Action::Buy),
              (std::vector<std::string>{"rejected: not found at the venue during reconciliation",
                                        "order", "ignored: duplicate signal"}));
    EXPECT_DOUBLE_EQ(position(h.report()), 1);
}

TEST(UnfilledOrders, AnIntentRateLimitedForTooLongLetsTheNextSignalAct) {
    // The first six submits are refused by a rate limit: the signal bar's and five later bars'.
    EngineHarness h;
    h.write_csv(bars_from_closes(rising(12)));
    h.run(h.pipeline_yaml(script("BUY,BUY,BUY,BUY,BUY,BUY,BUY,BUY"), flaky("rate_limit_calls: 6")));
    const auto buys = outcomes(h, core::Action::Buy);
    ASSERT_EQ(buys.size(), 8u);
    EXPECT_EQ(buys[0],
              "rejected: never sent: rate-limited for more than 5 min, the signal is stale");
    for (std::size_t i = 1; i < 6; ++i)  // while the intent waits, it is the BUY acted on
        EXPECT_EQ(buys[i], "ignored: duplicate signal") << i;
    EXPECT_EQ(buys[6], "order");
    EXPECT_EQ(buys[7], "ignored: duplicate signal");
    EXPECT_DOUBLE_EQ(position(h.report()), 1);
}

TEST(UnfilledOrders, ASellAfterAPartlyFilledExitSellsTheRest) {
    EngineHarness h;
    h.write_csv(bars_from_closes(rising(8)));
    h.run(h.pipeline_yaml(script("BUY,HOLD,SELL,SELL,SELL"), flaky("partial_fill_on_submit: 1")));
    EXPECT_EQ(outcomes(h, core::Action::Sell),
              (std::vector<std::string>{"expired after 0.5 of 1 filled: no liquidity for the rest",
                                        "order", "ignored: duplicate signal"}));
    auto r = h.report();
    ASSERT_EQ(r.fills.size(), 3u);
    EXPECT_DOUBLE_EQ(r.fills[2].qty, 0.5);
    EXPECT_NEAR(position(r), 0, 1e-12);
}
