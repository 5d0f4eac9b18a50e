// Stop-loss/take-profit protections that must end up resting again after a request fails, a
// refusal that passes, a partial exit or a restart: what is still held is never left without
// its stop.
#include "fixture.hpp"

using namespace orchestrade::testing;

namespace {

class ProtectionRecoveryTest : public BinanceTest {
  protected:
    // The orders resting at the fake, oldest first.
    std::vector<bf::OrderView> resting() const {
        std::vector<bf::OrderView> out;
        for (const auto& o : fake.orders())
            if (o.status == "NEW") out.push_back(o);
        return out;
    }
    std::vector<std::string> resting_ids() const {
        std::vector<std::string> out;
        for (const auto& o : resting())
            out.push_back(o.client_id);
        return out;
    }
    static bf::Fault fault(bf::FaultKind kind, const std::string& method, const std::string& path,
                           int status = 503, const std::string& body = {}) {
        bf::Fault f;
        f.kind = kind;
        f.method = method;
        f.path = path;
        f.status = status;
        f.body = body;
        return f;
    }
    static bool any_text(const std::vector<Report>& reports, const std::string& part) {
        return std::any_of(reports.begin(), reports.end(),
                           [&](const Report& r) { return r.text.find(part) != std::string::npos; });
    }
    // Polls `times` times, `ms` apart, and returns every report.
    std::vector<Report> poll_for(ExecutorInstance& ex, int times, int64_t ms) {
        std::vector<Report> all;
        for (int i = 0; i < times; ++i) {
            advance(ms);
            for (const Report& r : ex.poll())
                all.push_back(r);
        }
        return all;
    }
};

}  // namespace

// The take-profit of a spot OCO sells part of the position; the OCO is canceled to protect the
// rest, and the query that follows fails: the next poll still protects the rest.
TEST_F(ProtectionRecoveryTest, ARestWhoseQueryFailedAfterTheOcoWasCanceledIsProtectedNextPoll) {
    ExecutorInstance ex = executor();
    ex.submit(protected_buy("rq-1", 0.01, 39000, 42000));
    ex.poll();
    fake.take_from("BTCUSDT", "rq-1-tp", 0.003);
    fake.inject(fault(bf::FaultKind::ErrorBefore, "GET", "/api/v3/order", 503,
                      "Unknown error, please check your request or try again later."));
    std::vector<Report> reports = poll_for(ex, 3, 1000);
    EXPECT_NEAR(filled(reports, "rq-1-tp"), 0.003, 1e-12);
    EXPECT_FALSE(any_text(reports, "the position held")) << "the target is not over for the core";
    EXPECT_TRUE(of_kind(reports, OT_REPORT_CANCELED).empty());
    EXPECT_EQ(resting_ids(), (std::vector<std::string>{"rq-1-s1", "rq-1-t1"}));
    for (const auto& o : resting())
        EXPECT_NEAR(o.orig_qty, 0.00699, 1e-12) << o.client_id;
    fake.set_price("BTCUSDT", 38500);
    advance(1000);
    EXPECT_NEAR(filled(ex.poll(), "rq-1-sl"), 0.00699, 1e-12) << "the stop sells the rest";
    EXPECT_NEAR(fake.spot_balance("BTC"), 0, 1e-12);
}

// The same, with the process stopped between the cancel and the new OCO.
TEST_F(ProtectionRecoveryTest, ARestLeftUnprotectedByARestartIsProtectedAfterIt) {
    {
        ExecutorInstance ex = executor();
        ex.submit(protected_buy("rq-2", 0.01, 39000, 42000));
        ex.poll();
        fake.take_from("BTCUSDT", "rq-2-tp", 0.003);
        fake.inject(fault(bf::FaultKind::ErrorBefore, "GET", "/api/v3/myTrades", 503,
                          "Unknown error, please check your request or try again later."));
        advance(1000);
        ex.poll();
    }
    advance(1000);
    ExecutorInstance again = executor();
    std::vector<Report> reports = poll_for(again, 2, 1000);
    EXPECT_NEAR(filled(reports, "rq-2-tp"), 0.003, 1e-12);
    EXPECT_FALSE(any_text(reports, "the position held"));
    EXPECT_EQ(resting_ids(), (std::vector<std::string>{"rq-2-s1", "rq-2-t1"}));
}

// A protected limit entry fills in part and the strategy cancels the rest: what it bought gets
// its stop-loss and take-profit (the core leaves native levels to the executor).
TEST_F(ProtectionRecoveryTest, AnEntryCanceledAfterFillingInPartProtectsWhatItFilled) {
    ExecutorInstance ex = executor();
    Order o = market("pc-1", OT_SIDE_BUY, 0.01);
    o.type = OT_ORDER_LIMIT;
    o.limit_price = 39900;
    o.stop_loss = 39000;
    o.take_profit = 42000;
    ex.submit(o);
    ex.poll();
    fake.take_from("BTCUSDT", "pc-1", 0.004);
    advance(1000);
    ex.poll();
    ex.cancel("BTC/USDT", "pc-1");
    std::vector<Report> reports = poll_for(ex, 2, 1000);
    EXPECT_EQ(resting_ids(), (std::vector<std::string>{"pc-1-sl", "pc-1-tp"}));
    for (const auto& v : resting())
        EXPECT_NEAR(v.orig_qty, 0.00399, 1e-12) << "the 0.004 bought, less its commission";
    EXPECT_EQ(of_kind(reports, OT_REPORT_ACCEPTED).size(), 2u) << "both legs announced";
    fake.set_price("BTCUSDT", 38500);
    advance(1000);
    EXPECT_NEAR(filled(ex.poll(), "pc-1-sl"), 0.00399, 1e-12);
    EXPECT_NEAR(fake.spot_balance("BTC"), 0.000006, 1e-12) << "below the step size";
}

// "Service Unavailable." is a definite failure that passes: the OCO is placed again with
// backoff, and the error that the position is not protected is said once.
TEST_F(ProtectionRecoveryTest, AnOcoRefusedAsServiceUnavailableIsPlacedAgainWithBackoff) {
    ExecutorInstance ex = executor();
    bf::Fault unavailable = fault(bf::FaultKind::ErrorBefore, "POST", "/api/v3/orderList/oco", 503,
                                  "Service Unavailable.");
    unavailable.count = 3;
    fake.inject(unavailable);
    ex.submit(protected_buy("su-1", 0.01, 39000, 42000));
    EXPECT_TRUE(resting_ids().empty());
    ASSERT_EQ(host.logs_containing("is NOT protected", OT_LOG_ERROR).size(), 1u);
    ex.poll();  // within the backoff: not sent again
    EXPECT_EQ(fake.count_requests("POST", "/api/v3/orderList/oco"), 1);
    std::vector<Report> reports = poll_for(ex, 8, 1000);
    EXPECT_EQ(resting_ids(), (std::vector<std::string>{"su-1-sl", "su-1-tp"}));
    EXPECT_EQ(fake.count_requests("POST", "/api/v3/orderList/oco"), 4);
    EXPECT_EQ(of_kind(reports, OT_REPORT_ACCEPTED).size(), 2u);
    EXPECT_EQ(host.logs_containing("is NOT protected", OT_LOG_ERROR).size(), 1u) << "said once";
    EXPECT_FALSE(host.logs_containing("protected again", OT_LOG_WARN).empty());
}

// -1008 (system throttling) refuses a futures leg: it is placed again once the overload passed.
TEST_F(ProtectionRecoveryTest, AFuturesLegRefusedByThrottlingIsPlacedAgain) {
    ExecutorInstance ex = executor("usdm");
    fake.inject(fault(bf::FaultKind::ErrorBefore, "POST", "/fapi/v1/algoOrder", 503,
                      R"({"code":-1008,"msg":"Server is currently overloaded with other requests. )"
                      R"(Please try again in a few minutes."})"));
    ex.submit(protected_buy("ov-1", 0.01, 39000, 42000));
    EXPECT_FALSE(host.logs_containing("is NOT protected", OT_LOG_ERROR).empty());
    poll_for(ex, 3, 1000);
    EXPECT_EQ(resting_ids(), (std::vector<std::string>{"ov-1-sl", "ov-1-tp"}));
    fake.set_price("BTCUSDT", 38500);
    advance(1000);
    EXPECT_DOUBLE_EQ(filled(ex.poll(), "ov-1-sl"), 0.01);
    EXPECT_EQ(fake.futures_position("BTCUSDT").amount, 0);
}

namespace {

// A futures limit entry whose stop the price has gapped through by the time it fills.
Order gapped_entry(const std::string& id) {
    Order o;
    o.client_order_id = id;
    o.symbol = "BTC/USDT";
    o.side = OT_SIDE_BUY;
    o.type = OT_ORDER_LIMIT;
    o.qty = 0.01;
    o.limit_price = 39900;
    o.stop_loss = 39000;
    o.take_profit = 42000;
    return o;
}

}  // namespace

// The market exit for a stop already crossed meets a 429: it is sent again once the limit has
// passed, and the core gets its fill under the leg it was told of.
TEST_F(ProtectionRecoveryTest, AGapExitHeldBackByARateLimitIsSentAgain) {
    ExecutorInstance ex = executor("usdm");
    ex.submit(gapped_entry("gx-1"));
    bf::Fault limit = fault(bf::FaultKind::RateLimit, "POST", "/fapi/v1/order");
    limit.retry_after_s = 5;
    fake.inject(limit);
    fake.set_price("BTCUSDT", 38000);
    advance(1000);
    std::vector<Report> reports = ex.poll();
    EXPECT_DOUBLE_EQ(filled(reports, "gx-1"), 0.01);
    EXPECT_EQ(fake.futures_position("BTCUSDT").amount, 0.01);
    EXPECT_EQ(host.logs_containing("is NOT protected", OT_LOG_ERROR).size(), 1u);
    for (const Report& r : poll_for(ex, 4, 3000))
        reports.push_back(r);
    EXPECT_EQ(fake.futures_position("BTCUSDT").amount, 0);
    EXPECT_DOUBLE_EQ(filled(reports, "gx-1-sl"), 0.01);
    EXPECT_TRUE(of_kind(reports, OT_REPORT_REJECTED).empty());
    EXPECT_EQ(host.logs_containing("is NOT protected", OT_LOG_ERROR).size(), 1u) << "said once";
    EXPECT_EQ(fake.submissions()["gx-1-sl"], 1);
}

// Refused for good, the market exit ends the leg the core was told of, and the position is
// said to be not protected.
TEST_F(ProtectionRecoveryTest, AGapExitRefusedForGoodEndsItsLegRejected) {
    ExecutorInstance ex = executor("usdm");
    ex.submit(gapped_entry("gx-2"));
    fake.inject(fault(bf::FaultKind::ErrorBefore, "POST", "/fapi/v1/order", 400,
                      R"({"code":-2019,"msg":"Margin is insufficient."})"));
    fake.set_price("BTCUSDT", 38000);
    advance(1000);
    std::vector<Report> reports = ex.poll();
    std::vector<Report> rejected = of_kind(reports, OT_REPORT_REJECTED);
    ASSERT_EQ(rejected.size(), 1u);
    EXPECT_EQ(rejected[0].client_order_id, "gx-2-sl");
    EXPECT_NE(rejected[0].text.find("Margin is insufficient"), std::string::npos);
    EXPECT_FALSE(host.logs_containing("is NOT protected", OT_LOG_ERROR).empty());
}

// A market exit whose answer was lost and that never reached Binance is sent again once its
// recvWindow has passed: the position is not left open.
TEST_F(ProtectionRecoveryTest, AGapExitThatNeverArrivedIsSentAgain) {
    ExecutorInstance ex = executor("usdm");
    gap_on("/fapi/v1/algoOrder", 38000);
    HttpHandler http = loopback_http();
    HttpRequest held;
    lose_in_transit("newClientOrderId=gx-3-sl", http, held);  // and never delivered
    ex.submit(protected_buy("gx-3", 0.01, 39000, 41000));
    ASSERT_FALSE(held.body.empty());
    std::vector<Report> reports = poll_for(ex, 3, 4000);
    EXPECT_EQ(fake.futures_position("BTCUSDT").amount, 0);
    EXPECT_DOUBLE_EQ(filled(reports, "gx-3-sl"), 0.01);
    EXPECT_TRUE(of_kind(reports, OT_REPORT_CANCELED).empty());
}

// A scale-out sells part of the position: the stop-loss/take-profit lifted for it rest again
// for what is still held, under the ids the core knows.
TEST_F(ProtectionRecoveryTest, AFuturesPartialExitPutsTheLegsBackForTheRest) {
    ExecutorInstance ex = executor("usdm");
    ex.submit(protected_buy("so-1", 0.05, 39000, 41000));
    ex.poll();
    ledger_position("BTC/USDT", 0.05, 40000);
    ex.submit(market("so-2", OT_SIDE_SELL, 0.02));
    std::vector<Report> reports = ex.poll();
    EXPECT_DOUBLE_EQ(filled(reports, "so-2"), 0.02);
    EXPECT_TRUE(of_kind(reports, OT_REPORT_CANCELED).empty()) << "for the core the legs rest on";
    EXPECT_EQ(resting_ids(), (std::vector<std::string>{"so-1-s1", "so-1-t1"}));
    fake.set_price("BTCUSDT", 38500);
    advance(1000);
    EXPECT_DOUBLE_EQ(filled(ex.poll(), "so-1-sl"), 0.03) << "the stop closes the rest";
    EXPECT_EQ(fake.futures_position("BTCUSDT").amount, 0);
}

TEST_F(ProtectionRecoveryTest, ASpotPartialExitPlacesANewOcoForWhatIsHeld) {
    ExecutorInstance ex = executor();
    ex.submit(protected_buy("so-3", 0.01, 39000, 42000));
    ex.poll();
    ledger_position("BTC/USDT", 0.00999, 40000);
    ex.submit(market("so-4", OT_SIDE_SELL, 0.004));
    std::vector<Report> reports = ex.poll();
    EXPECT_NEAR(filled(reports, "so-4"), 0.004, 1e-12);
    EXPECT_TRUE(of_kind(reports, OT_REPORT_CANCELED).empty());
    EXPECT_EQ(resting_ids(), (std::vector<std::string>{"so-3-s1", "so-3-t1"}));
    for (const auto& o : resting())
        EXPECT_NEAR(o.orig_qty, 0.00599, 1e-12) << o.client_id;
    // The rest sold by a full exit: the legs end canceled.
    ledger_position("BTC/USDT", 0.00599, 40000);
    ex.submit(market("so-5", OT_SIDE_SELL, 0.00599));
    std::vector<Report> after = ex.poll();
    EXPECT_EQ(of_kind(after, OT_REPORT_CANCELED).size(), 2u);
    EXPECT_TRUE(resting_ids().empty());
    EXPECT_NEAR(fake.spot_balance("BTC"), 0, 1e-12);
}

// The legs trigger on the mark price: a stop Binance refuses because the mark has crossed it is
// acted on as the stop, even though the last price has not crossed it.
TEST_F(ProtectionRecoveryTest, AFuturesStopCrossedByTheMarkPriceExitsAsTheStop) {
    ExecutorInstance ex = executor("usdm");
    fake.set_mark_price("BTCUSDT", 38900);
    ex.submit(protected_buy("mk-1", 0.01, 39000, 42000));
    std::vector<Report> reports = ex.poll();
    EXPECT_DOUBLE_EQ(filled(reports, "mk-1-sl"), 0.01) << "the stop acted as a market exit";
    EXPECT_DOUBLE_EQ(filled(reports, "mk-1-tp"), 0) << "not the target";
    EXPECT_EQ(fake.futures_position("BTCUSDT").amount, 0);
}

// Binance says the stop would trigger at once, yet no level is crossed when the executor looks
// (the price moved back): the legs are placed again, and a stop-only protection never sends a
// take-profit exit.
TEST_F(ProtectionRecoveryTest, AStopRefusedAsTriggeredWithNoLevelCrossedIsPlacedAgain) {
    ExecutorInstance ex = executor("usdm");
    fake.inject(fault(bf::FaultKind::ErrorBefore, "POST", "/fapi/v1/algoOrder", 400,
                      R"({"code":-2021,"msg":"Order would immediately trigger."})"));
    Order o = market("mk-2", OT_SIDE_BUY, 0.01);
    o.stop_loss = 39000;
    ex.submit(o);
    std::vector<Report> reports = poll_for(ex, 2, 1000);
    EXPECT_EQ(fake.futures_position("BTCUSDT").amount, 0.01) << "no exit was sent";
    EXPECT_EQ(fake.count_requests("POST", "/fapi/v1/order"), 1) << "the entry only";
    EXPECT_EQ(resting_ids(), std::vector<std::string>{"mk-2-sl"});
    for (const Report& r : reports)
        EXPECT_NE(r.client_order_id, "mk-2-tp");
}

namespace {

Order limit_sell(const std::string& id, double qty, double price) {
    Order o;
    o.client_order_id = id;
    o.symbol = "BTC/USDT";
    o.side = OT_SIDE_SELL;
    o.type = OT_ORDER_LIMIT;
    o.qty = qty;
    o.limit_price = price;
    return o;
}

}  // namespace

// A market exit goes while an earlier limit exit still rests: once the limit exit has filled,
// the new OCO sells what both exits left, not what the first one alone left.
TEST_F(ProtectionRecoveryTest, ASecondExitWhileALimitExitRestsCountsInTheNewOco) {
    ExecutorInstance ex = executor();
    ex.submit(protected_buy("tw-1", 0.01, 39000, 42000));
    ex.poll();
    ledger_position("BTC/USDT", 0.00999, 40000);
    ex.submit(limit_sell("tw-2", 0.004, 41000));
    ex.submit(market("tw-3", OT_SIDE_SELL, 0.003));
    std::vector<Report> reports = ex.poll();
    EXPECT_NEAR(filled(reports, "tw-3"), 0.003, 1e-12);
    EXPECT_EQ(resting_ids(), std::vector<std::string>{"tw-2"});
    fake.take_from("BTCUSDT", "tw-2", 0.004);
    for (const Report& r : poll_for(ex, 2, 1000))
        reports.push_back(r);
    EXPECT_NEAR(filled(reports, "tw-2"), 0.004, 1e-12);
    EXPECT_EQ(resting_ids(), (std::vector<std::string>{"tw-1-s1", "tw-1-t1"}));
    for (const auto& o : resting())
        EXPECT_NEAR(o.orig_qty, 0.00299, 1e-12) << o.client_id;
    EXPECT_TRUE(host.logs_containing("NOT protected").empty());
    fake.set_price("BTCUSDT", 38500);
    advance(1000);
    EXPECT_NEAR(filled(ex.poll(), "tw-1-sl"), 0.00299, 1e-12);
    EXPECT_NEAR(fake.spot_balance("BTC"), 0, 1e-12);
}

// Both exits together close the futures position: no closePosition leg is placed again, to
// close the next position the bot opens.
TEST_F(ProtectionRecoveryTest, TwoExitsThatCloseAFuturesPositionLeaveNoLegResting) {
    ExecutorInstance ex = executor("usdm");
    ex.submit(protected_buy("tw-4", 0.05, 39000, 42000));
    ex.poll();
    ledger_position("BTC/USDT", 0.05, 40000);
    ex.submit(limit_sell("tw-5", 0.02, 41000));
    ex.submit(market("tw-6", OT_SIDE_SELL, 0.03));
    std::vector<Report> reports = ex.poll();
    fake.set_price("BTCUSDT", 41000);  // the limit exit fills
    for (const Report& r : poll_for(ex, 2, 1000))
        reports.push_back(r);
    EXPECT_DOUBLE_EQ(filled(reports, "tw-5"), 0.02);
    EXPECT_EQ(fake.futures_position("BTCUSDT").amount, 0);
    EXPECT_TRUE(resting_ids().empty());
    std::vector<Report> canceled = of_kind(reports, OT_REPORT_CANCELED);
    ASSERT_EQ(canceled.size(), 2u) << "the core's legs end with the position";
    EXPECT_EQ(canceled[0].client_order_id, "tw-4-sl");
    EXPECT_EQ(canceled[1].client_order_id, "tw-4-tp");
}
