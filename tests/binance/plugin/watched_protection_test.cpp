// A stop-loss/take-profit Binance refuses for good is not dropped: the executor watches its levels
// at each poll, across restarts, and closes the position with a market order once one is crossed.
#include "fixture.hpp"

using namespace orchestrade::testing;

namespace {

class WatchedProtectionTest : public BinanceTest {
  protected:
    int journaled(const std::string& kind, const std::string& part = "") const {
        return static_cast<int>(std::count_if(
            host.journal().begin(), host.journal().end(), [&](const JournalRecord& r) {
                return r.kind == kind && r.json.find(part) != std::string::npos;
            }));
    }
    std::vector<Report> poll_for(ExecutorInstance& ex, int times, int64_t ms) {
        std::vector<Report> all;
        for (int i = 0; i < times; ++i) {
            advance(ms);
            for (const Report& r : ex.poll())
                all.push_back(r);
        }
        return all;
    }
    void refuse(const std::string& path, const std::string& body) {
        bf::Fault f;
        f.kind = bf::FaultKind::ErrorBefore;
        f.method = "POST";
        f.path = path;
        f.status = 400;
        f.body = body;
        fake.inject(f);
    }
};

}  // namespace

// The symbol's algo-order limit is reached: Binance refuses both legs. The mark price crossing the
// stop later is still acted on, with the stop's market exit, once.
TEST_F(WatchedProtectionTest, AFuturesProtectionRefusedForGoodStillExitsAtItsStop) {
    ExecutorInstance ex = executor("usdm");
    fake.set_max_algo_orders("BTCUSDT", 0);
    ex.submit(protected_buy("wt-1", 0.01, 39000, 42000));
    ASSERT_EQ(host.logs_containing("is NOT protected at Binance", OT_LOG_ERROR).size(), 1u);
    EXPECT_FALSE(host.logs_containing("the executor watches its stop-loss 39000 and take-profit "
                                      "42000 itself instead")
                     .empty());
    EXPECT_EQ(journaled("binance_protection_failed", R"("watched_by":"executor")"), 1);

    std::vector<Report> reports = poll_for(ex, 3, 1000);
    EXPECT_EQ(fake.futures_position("BTCUSDT").amount, 0.01) << "no level crossed yet";
    EXPECT_EQ(fake.count_requests("POST", "/fapi/v1/order"), 1) << "the entry only";

    fake.set_mark_price("BTCUSDT", 38900);  // the legs trigger on the mark price
    for (const Report& r : poll_for(ex, 3, 1000))
        reports.push_back(r);
    EXPECT_EQ(fake.futures_position("BTCUSDT").amount, 0);
    EXPECT_DOUBLE_EQ(filled(reports, "wt-1-sl"), 0.01);
    EXPECT_DOUBLE_EQ(filled(reports, "wt-1-tp"), 0);
    EXPECT_EQ(fake.submissions()["wt-1-sl"], 1) << "one exit";
    EXPECT_EQ(host.logs_containing("NOT protected", OT_LOG_ERROR).size(), 1u) << "said once";
}

// The watch is saved: a restarted executor sells at the take-profit of a protection Binance
// refused before the restart.
TEST_F(WatchedProtectionTest, ASpotProtectionRefusedForGoodIsWatchedAfterARestart) {
    {
        ExecutorInstance ex = executor();
        refuse("/api/v3/orderList/oco",
               R"({"code":-1013,"msg":"Filter failure: PERCENT_PRICE_BY_SIDE"})");
        ex.submit(protected_buy("wt-2", 0.01, 39000, 42000));
        poll_for(ex, 2, 1000);
        EXPECT_EQ(host.logs_containing("is NOT protected at Binance", OT_LOG_ERROR).size(), 1u);
    }
    advance(1000);
    ExecutorInstance again = executor();
    std::optional<std::vector<Report>> leg = again.query_order("BTC/USDT", "wt-2-tp");
    ASSERT_TRUE(leg.has_value()) << "the leg works, held by the executor";
    ASSERT_EQ(leg->size(), 1u);
    EXPECT_EQ((*leg)[0].kind, OT_REPORT_ACCEPTED);
    fake.set_price("BTCUSDT", 42500);
    std::vector<Report> reports = poll_for(again, 2, 1000);
    EXPECT_NEAR(filled(reports, "wt-2-tp"), 0.00999, 1e-12);
    EXPECT_NEAR(fake.spot_balance("BTC"), 0, 1e-12);
    EXPECT_EQ(host.logs_containing("NOT protected", OT_LOG_ERROR).size(), 1u) << "said once";
    EXPECT_EQ(journaled("binance_protection_failed"), 1);
}

// The strategy's own exit lifts a watched protection like any other, and leaves nothing watched
// that could sell a second time.
TEST_F(WatchedProtectionTest, AnExitOfAWatchedPositionEndsTheWatch) {
    ExecutorInstance ex = executor("usdm");
    fake.set_max_algo_orders("BTCUSDT", 0);
    ex.submit(protected_buy("wt-3", 0.01, 39000, 42000));
    ledger_position("BTC/USDT", 0.01, 40000);
    ex.submit(market("wt-4", OT_SIDE_SELL, 0.01));
    fake.set_mark_price("BTCUSDT", 38900);
    poll_for(ex, 3, 1000);
    EXPECT_EQ(fake.futures_position("BTCUSDT").amount, 0);
    EXPECT_EQ(fake.submissions().count("wt-3-sl"), 0u) << "no second exit";
    EXPECT_EQ(fake.count_requests("POST", "/fapi/v1/order"), 2);
}
