// The binance executor through its C ABI against the fake exchange: what is sent, what is
// reported, instrument rules, stop-loss/take-profit at the venue, balances and positions.
#include "fixture.hpp"

#include <nlohmann/json.hpp>

#include <openssl/evp.h>

using namespace orchestrade::testing;

namespace {

class ExecutorTest : public BinanceTest {
  protected:
    // The last request to path, as the fake received it.
    bf::RequestView last(const std::string& method, const std::string& path) const {
        bf::RequestView found;
        for (const auto& r : fake.requests())
            if (r.method == method && r.path == path) found = r;
        return found;
    }
    std::vector<bf::OrderView> open_at_fake() const {
        std::vector<bf::OrderView> out;
        for (const auto& o : fake.orders())
            if (o.status == "NEW" || o.status == "PARTIALLY_FILLED") out.push_back(o);
        return out;
    }
};

}  // namespace

TEST_F(ExecutorTest, ASpotMarketBuyCarriesTheClientIdAndReportsItsFillNetOfCommission) {
    ExecutorInstance ex = executor();
    ex.submit(market("ot-1a2b3c4d-1", OT_SIDE_BUY, 0.0123456));
    bf::RequestView sent = last("POST", "/api/v3/order");
    EXPECT_NE(sent.body.find("newClientOrderId=ot-1a2b3c4d-1"), std::string::npos) << sent.body;
    EXPECT_NE(sent.body.find("quantity=0.01234&"), std::string::npos)
        << "floored to the step: " << sent.body;
    EXPECT_NE(sent.body.find("&signature="), std::string::npos);
    std::vector<Report> reports = ex.poll();
    ASSERT_EQ(of_kind(reports, OT_REPORT_ACCEPTED).size(), 1u);
    std::vector<Report> fills = of_kind(reports, OT_REPORT_FILL);
    ASSERT_EQ(fills.size(), 1u);
    EXPECT_EQ(fills[0].client_order_id, "ot-1a2b3c4d-1");
    EXPECT_DOUBLE_EQ(fills[0].price, 40000);
    EXPECT_NEAR(fills[0].qty, 0.01234 * 0.999, 1e-12) << "the commission is paid in BTC";
    EXPECT_NEAR(fills[0].fee, 0.01234 * 0.001 * 40000, 1e-9) << "the fee in USDT";
    EXPECT_FALSE(fills[0].trade_id.empty());
    // What the venue holds is what the fill says.
    EXPECT_NEAR(fake.spot_balance("BTC"), fills[0].qty, 1e-12);
    EXPECT_NEAR(fake.spot_balance("USDT"), 10000 - fills[0].qty * 40000 - fills[0].fee, 1e-6);
    std::vector<Report> done = of_kind(reports, OT_REPORT_EXPIRED);
    ASSERT_EQ(done.size(), 1u) << "the order is over at the venue below the requested quantity";
    EXPECT_NE(done[0].text.find("filled 0.01232766 of 0.0123456"), std::string::npos)
        << done[0].text;
    EXPECT_TRUE(ex.poll().empty());
}

TEST_F(ExecutorTest, InstrumentRulesRefuseBeforeSendingAndNameTheFilter) {
    ExecutorInstance ex = executor();
    auto [code, message] = failure([&] { ex.submit(market("a-1", OT_SIDE_BUY, 0.000001)); });
    EXPECT_EQ(code, OT_E_REJECTED);
    EXPECT_NE(message.find("filter MARKET_LOT_SIZE"), std::string::npos) << message;
    auto [code2, message2] = failure([&] { ex.submit(market("a-2", OT_SIDE_BUY, 0.0001)); });
    EXPECT_NE(message2.find("filter NOTIONAL: order value 4 USDT is below the minimum 5"),
              std::string::npos)
        << message2;
    EXPECT_EQ(fake.count_requests("POST", "/api/v3/order"), 0);
    ExecutorInstance fut = executor("usdm");
    auto [code3, message3] = failure([&] { fut.submit(market("a-3", OT_SIDE_BUY, 0.0001)); });
    EXPECT_NE(message3.find("filter MIN_NOTIONAL"), std::string::npos) << message3;
}

TEST_F(ExecutorTest, AVenueRefusalIsRejectedWithItsReason) {
    ExecutorInstance ex = executor();
    auto [code, message] = failure([&] { ex.submit(market("big-1", OT_SIDE_BUY, 1)); });
    EXPECT_EQ(code, OT_E_REJECTED);
    EXPECT_NE(message.find("insufficient balance"), std::string::npos) << message;
    auto [code2, message2] =
        failure([&] { executor("usdm").submit(market("big-2", OT_SIDE_BUY, 10)); });
    EXPECT_EQ(code2, OT_E_REJECTED);
    EXPECT_NE(message2.find("insufficient margin"), std::string::npos) << message2;
}

TEST_F(ExecutorTest, ALimitOrderRestsThenFillsWhenThePriceComes) {
    ExecutorInstance ex = executor();
    Order o = market("lim-1", OT_SIDE_BUY, 0.01);
    o.type = OT_ORDER_LIMIT;
    o.limit_price = 39000.004;
    ex.submit(o);
    EXPECT_NE(last("POST", "/api/v3/order").body.find("price=39000&"), std::string::npos);
    std::vector<Report> first = ex.poll();
    ASSERT_EQ(first.size(), 1u);
    EXPECT_EQ(first[0].kind, OT_REPORT_ACCEPTED);
    EXPECT_NEAR(fake.spot_locked("USDT"), 390, 1e-9);
    advance(1000);
    fake.set_price("BTCUSDT", 38900);
    advance(1000);
    std::vector<Report> later = ex.poll();
    EXPECT_NEAR(filled(later, "lim-1"), 0.01 * 0.999, 1e-12);
    EXPECT_DOUBLE_EQ(of_kind(later, OT_REPORT_FILL).at(0).price, 39000)
        << "a resting limit fills at its price";
}

TEST_F(ExecutorTest, CancelAndQueryByClientOrderId) {
    ExecutorInstance ex = executor();
    Order o = market("lim-2", OT_SIDE_SELL, 0.01);
    o.type = OT_ORDER_LIMIT;
    o.limit_price = 41000;
    fake.set_spot_balance("BTC", 0.01);
    ex.submit(o);
    ex.poll();
    auto q = ex.query_order("BTC/USDT", "lim-2");
    ASSERT_TRUE(q);
    ASSERT_EQ(q->size(), 1u);
    EXPECT_EQ((*q)[0].kind, OT_REPORT_ACCEPTED);
    ASSERT_EQ(ex.open_orders().size(), 1u);
    ex.cancel("BTC/USDT", "lim-2");
    std::vector<Report> after = ex.poll();
    ASSERT_EQ(of_kind(after, OT_REPORT_CANCELED).size(), 1u);
    EXPECT_TRUE(ex.open_orders().empty());
    auto [code, message] = failure([&] { ex.cancel("BTC/USDT", "lim-2"); });
    EXPECT_EQ(code, OT_E_NOT_FOUND) << message;
    advance(60000);
    EXPECT_FALSE(ex.query_order("BTC/USDT", "never-sent")) << "Binance does not know it";
}

TEST_F(ExecutorTest, SpotStopLossAndTakeProfitRestAsAnOcoAndTheStopReportsItsFill) {
    ExecutorInstance ex = executor();
    ledger_position("BTC/USDT", 0, 40000);
    ex.submit(protected_buy("ent-1", 0.01, 39000, 42000));
    std::vector<Report> reports = ex.poll();
    EXPECT_NEAR(filled(reports, "ent-1"), 0.00999, 1e-12);
    std::vector<bf::OrderView> legs = open_at_fake();
    ASSERT_EQ(legs.size(), 2u);
    EXPECT_EQ(legs[0].list_id, legs[1].list_id);
    for (const auto& l : legs)
        EXPECT_DOUBLE_EQ(l.orig_qty, 0.00999) << "the legs sell what was bought";
    bf::RequestView oco = last("POST", "/api/v3/orderList/oco");
    EXPECT_NE(oco.body.find("belowClientOrderId=ent-1-sl"), std::string::npos);
    EXPECT_NE(oco.body.find("aboveClientOrderId=ent-1-tp"), std::string::npos);
    EXPECT_NE(oco.body.find("belowStopPrice=39000&"), std::string::npos);
    advance(1000);
    fake.set_price("BTCUSDT", 38800);
    advance(1000);
    std::vector<Report> after = ex.poll();
    EXPECT_NEAR(filled(after, "ent-1-sl"), 0.00999, 1e-12);
    auto canceled = of_kind(after, OT_REPORT_CANCELED);
    ASSERT_EQ(canceled.size(), 1u);
    EXPECT_EQ(canceled[0].client_order_id, "ent-1-tp");
    EXPECT_NEAR(fake.spot_balance("BTC"), 0, 1e-12);
    EXPECT_TRUE(open_at_fake().empty());
    EXPECT_TRUE(ex.poll().empty()) << "reported once";
}

TEST_F(ExecutorTest, FuturesProtectionIsTwoAlgoOrdersThatClosePositionAndTheOtherLegIsCanceled) {
    ExecutorInstance ex = executor("usdm", {{"leverage", "5"}, {"margin_type", "isolated"}});
    EXPECT_EQ(fake.leverage("BTCUSDT"), 5);
    ex.submit(protected_buy("f-1", 0.05, 39000, 41000));
    std::vector<Report> reports = ex.poll();
    EXPECT_DOUBLE_EQ(filled(reports, "f-1"), 0.05);
    EXPECT_NEAR(of_kind(reports, OT_REPORT_FILL)[0].fee, 0.05 * 40000 * 0.0004, 1e-9);
    std::vector<bf::OrderView> legs = open_at_fake();
    ASSERT_EQ(legs.size(), 2u);
    for (const auto& l : legs) {
        EXPECT_TRUE(l.algo);
        EXPECT_TRUE(l.close_position);
        EXPECT_EQ(l.side, "SELL");
    }
    EXPECT_EQ(ex.open_orders().size(), 2u) << "open orders include algo orders";
    advance(1000);
    fake.set_price("BTCUSDT", 41500);
    advance(1000);
    std::vector<Report> after = ex.poll();
    EXPECT_DOUBLE_EQ(filled(after, "f-1-tp"), 0.05);
    ASSERT_EQ(of_kind(after, OT_REPORT_CANCELED).size(), 1u);
    EXPECT_EQ(of_kind(after, OT_REPORT_CANCELED)[0].client_order_id, "f-1-sl");
    EXPECT_EQ(fake.futures_position("BTCUSDT").amount, 0);
    EXPECT_TRUE(open_at_fake().empty()) << "the stop-loss was canceled at the venue";
}

TEST_F(ExecutorTest, AnExitCancelsTheRestingLegsFirstAndIsReduceOnlyOnFutures) {
    ExecutorInstance ex = executor("usdm");
    ex.submit(protected_buy("f-2", 0.05, 39000, 41000));
    ex.poll();
    ASSERT_EQ(open_at_fake().size(), 2u);
    ledger_position("BTC/USDT", 0.05, 40000);
    ex.submit(market("f-3", OT_SIDE_SELL, 0.05));
    EXPECT_TRUE(open_at_fake().empty());
    EXPECT_NE(last("POST", "/fapi/v1/order").body.find("reduceOnly=true"), std::string::npos);
    std::vector<Report> reports = ex.poll();
    EXPECT_EQ(of_kind(reports, OT_REPORT_CANCELED).size(), 2u);
    EXPECT_DOUBLE_EQ(filled(reports, "f-3"), 0.05);
    EXPECT_EQ(fake.futures_position("BTCUSDT").amount, 0);
}

TEST_F(ExecutorTest, ASpotExitLiftsTheOcoSoTheBaseIsFreeToSell) {
    ExecutorInstance ex = executor();
    ex.submit(protected_buy("s-1", 0.01, 39000, 42000));
    ex.poll();
    ledger_position("BTC/USDT", 0.00999, 40000);
    ex.submit(market("s-2", OT_SIDE_SELL, 0.00999));
    std::vector<Report> reports = ex.poll();
    EXPECT_NEAR(filled(reports, "s-2"), 0.00999, 1e-12);
    EXPECT_NEAR(fake.spot_balance("BTC"), 0, 1e-12);
}

TEST_F(ExecutorTest, AStopAlreadyCrossedClosesThePositionAtOnce) {
    ExecutorInstance ex = executor("usdm");
    // The price gaps through the stop between the entry's fill and the stop's placement.
    gap_on("/fapi/v1/algoOrder", 38000);
    ex.submit(protected_buy("f-4", 0.05, 39000, 41000));
    std::vector<Report> reports = ex.poll();
    EXPECT_DOUBLE_EQ(filled(reports, "f-4"), 0.05);
    EXPECT_DOUBLE_EQ(filled(reports, "f-4-sl"), 0.05) << "the stop acted as a market exit";
    EXPECT_EQ(fake.futures_position("BTCUSDT").amount, 0);
    EXPECT_FALSE(host.logs_containing("already crossed").empty());
    EXPECT_TRUE(open_at_fake().empty());
}

TEST_F(ExecutorTest, ATargetAlreadyCrossedLeavesNoStopRestingBehindTheExit) {
    ExecutorInstance ex = executor("usdm");
    // The price gaps through the target while the legs go out: the stop is placed, the
    // take-profit would trigger at once.
    gap_on("/fapi/v1/algoOrder", 41500);
    ex.submit(protected_buy("f-5", 0.05, 39000, 41000));
    std::vector<Report> reports = ex.poll();
    EXPECT_DOUBLE_EQ(filled(reports, "f-5-tp"), 0.05) << "the target acted as a market exit";
    EXPECT_EQ(fake.futures_position("BTCUSDT").amount, 0);
    EXPECT_TRUE(open_at_fake().empty()) << "a closePosition stop left resting would close the "
                                           "next position";
    // The next position is not closed by the old stop.
    ex.submit(market("f-6", OT_SIDE_BUY, 0.05));
    ex.poll();
    advance(1000);
    fake.set_price("BTCUSDT", 38500);
    advance(1000);
    ex.poll();
    EXPECT_DOUBLE_EQ(fake.futures_position("BTCUSDT").amount, 0.05);
}

TEST_F(ExecutorTest, ATargetRefusedForAnotherReasonLeavesTheStopAsTheWatchedProtection) {
    fake.set_max_algo_orders("BTCUSDT", 1);  // room for the stop; the target is refused
    ExecutorInstance ex = executor("usdm");
    ex.submit(protected_buy("f-7", 0.05, 39000, 41000));
    std::vector<Report> reports = ex.poll();
    std::vector<std::string> announced;
    for (const Report& r : of_kind(reports, OT_REPORT_ACCEPTED))
        announced.push_back(r.client_order_id);
    EXPECT_EQ(announced, (std::vector<std::string>{"f-7", "f-7-sl"})) << "the stop rests";
    EXPECT_FALSE(
        host.logs_containing("protected by its stop-loss 39000 only", OT_LOG_ERROR).empty());
    EXPECT_FALSE(host.logs_containing("Reach max stop order limit", OT_LOG_ERROR).empty());
    // An exit lifts the stop: no closePosition order outlives the position.
    ledger_position("BTC/USDT", 0.05, 40000);
    ex.submit(market("f-8", OT_SIDE_SELL, 0.05));
    EXPECT_TRUE(open_at_fake().empty()) << "a stop left resting would close the next position";
    std::vector<Report> after = ex.poll();
    ASSERT_EQ(of_kind(after, OT_REPORT_CANCELED).size(), 1u);
    EXPECT_EQ(of_kind(after, OT_REPORT_CANCELED)[0].client_order_id, "f-7-sl");
    EXPECT_DOUBLE_EQ(fake.futures_position("BTCUSDT").amount, 0);
}

TEST_F(ExecutorTest, ASpotOrderOfMoreTradesThanAPageIsReadPageByPageAndThenProtected) {
    fake.set_trades_per_fill(1200);
    ExecutorInstance ex = executor();
    Order o = protected_buy("many-1", 0.012, 38000, 42000);
    o.type = OT_ORDER_LIMIT;
    o.limit_price = 39000;
    ex.submit(o);
    ex.poll();
    advance(1000);
    fake.set_price("BTCUSDT", 38900);
    advance(1000);
    std::vector<Report> reports = ex.poll();
    EXPECT_EQ(of_kind(reports, OT_REPORT_FILL).size(), 1200u);
    EXPECT_NEAR(filled(reports, "many-1"), 0.012 * 0.999, 1e-9);
    EXPECT_EQ(open_at_fake().size(), 2u) << "all trades known: the stop-loss/take-profit rest";
    std::vector<std::string> pages;
    for (const auto& r : fake.requests())
        if (r.path == "/api/v3/myTrades") pages.push_back(r.query);
    ASSERT_EQ(pages.size(), 2u);
    EXPECT_NE(pages[0].find("limit=1000"), std::string::npos) << pages[0];
    EXPECT_EQ(pages[0].find("fromId"), std::string::npos) << pages[0];
    EXPECT_NE(pages[1].find("orderId="), std::string::npos) << pages[1];
    EXPECT_NE(pages[1].find("fromId=1001&"), std::string::npos) << pages[1];
}

TEST_F(ExecutorTest, AFuturesOrderOfMoreTradesThanAPageIsReadPageByPageAndThenProtected) {
    fake.set_trades_per_fill(1200);
    ExecutorInstance ex = executor("usdm");
    ex.submit(protected_buy("many-2", 0.06, 39000, 41000));
    std::vector<Report> reports = ex.poll();
    EXPECT_EQ(of_kind(reports, OT_REPORT_FILL).size(), 1200u);
    EXPECT_NEAR(filled(reports, "many-2"), 0.06, 1e-9);
    EXPECT_EQ(open_at_fake().size(), 2u) << "all trades known: the stop-loss/take-profit rest";
    // The pages after the first hold the symbol's later trades: only the order's are its fills.
    ex.submit(market("many-3", OT_SIDE_BUY, 0.06));
    ex.poll();
    auto replay = ex.query_order("BTC/USDT", "many-2");
    ASSERT_TRUE(replay);
    EXPECT_EQ(of_kind(*replay, OT_REPORT_FILL).size(), 1200u);
    EXPECT_NEAR(filled(*replay, "many-2"), 0.06, 1e-9);
}

TEST_F(ExecutorTest, BalancesGiveCashAndPositionsAsTheCoreCountsThem) {
    fake.set_spot_balance("BTC", 0.5);
    ExecutorInstance spot = executor("spot", {{"ignore_existing_holdings", "true"}});
    spot.submit(market("b-1", OT_SIDE_BUY, 0.01));
    std::map<std::string, Balance> b;
    for (const Balance& x : spot.balances())
        b[x.asset] = x;
    EXPECT_NEAR(b.at("BTC/USDT").free_qty, 0.00999, 1e-12)
        << "holdings from before the bot are not its position";
    EXPECT_NEAR(b.at("BTC").free_qty, 0.50999, 1e-12);
    EXPECT_NEAR(b.at("USDT").free_qty, 10000 - 400, 1e-6);

    ExecutorInstance fut = executor("usdm");
    fut.submit(market("b-2", OT_SIDE_SELL, 0.05));
    std::map<std::string, Balance> f;
    for (const Balance& x : fut.balances())
        f[x.asset] = x;
    EXPECT_DOUBLE_EQ(f.at("BTC/USDT").free_qty, -0.05);
    EXPECT_DOUBLE_EQ(f.at("BTC/USDT").avg_price, 40000);
    const double fee = 0.05 * 40000 * 0.0004;
    EXPECT_NEAR(f.at("USDT").free_qty, 10000 - fee + 0.05 * 40000, 1e-6)
        << "cash as the ledger counts it: the wallet plus what the short sold";
}

TEST_F(ExecutorTest, PaperModeNeverReachesProductionBinance) {
    host.set_mode(OT_MODE_PAPER);
    // Host names are case-insensitive, and a trailing dot names the same host.
    for (const char* url : {"", "https://api.binance.com", "https://fapi.binance.com/",
                            "https://API.Binance.com", "https://fapi.binance.com.:443"}) {
        ParamMap p = executor_params();
        p["base_url"] = url;
        auto [code, message] = failure([&] { lib.create_executor("binance", host, p); });
        EXPECT_EQ(code, OT_E_INVALID_ARG) << url;
        EXPECT_NE(message.find("paper mode never trades on production Binance"), std::string::npos)
            << message;
    }
    ParamMap testnet = executor_params();
    testnet["base_url"] = "https://testnet.binance.vision";
    EXPECT_NO_THROW(lib.create_executor("binance", host, testnet));
    executor().submit(market("paper-1", OT_SIDE_BUY, 0.01));  // a local fake is fine too
}

TEST_F(ExecutorTest, ABacktestIsRefusedWhenCreated) {
    host.set_mode(OT_MODE_BACKTEST);
    for (const char* market : {"spot", "usdm"}) {
        auto [code, message] =
            failure([&] { lib.create_executor("binance", host, executor_params(market)); });
        EXPECT_EQ(code, OT_E_INVALID_ARG) << market
                                          << ": refused when created, so validate "
                                             "reports it";
        EXPECT_NE(message.find("cannot run a backtest; use the mock executor"), std::string::npos)
            << message;
    }
    EXPECT_EQ(fake.count_requests("GET", "/api/v3/exchangeInfo"), 0);
}

TEST_F(ExecutorTest, HedgeModeIsRefusedAtStart) {
    fake.set_dual_side(true);
    auto [code, message] = failure([&] { executor("usdm"); });
    EXPECT_EQ(code, OT_E_INVALID_ARG);
    EXPECT_NE(message.find("hedge mode"), std::string::npos) << message;
}

TEST_F(ExecutorTest, AWrongSecretIsAnInvalidSignatureAndNoSecretIsLogged) {
    ParamMap p = executor_params();
    p["api_secret"] = "wrong-secret-value-xyz";
    ExecutorInstance ex = lib.create_executor("binance", host, p);
    ex.start();
    auto [code, message] = failure([&] { ex.submit(market("w-1", OT_SIDE_BUY, 0.01)); });
    EXPECT_EQ(code, OT_E_REJECTED);
    EXPECT_NE(message.find("invalid signature"), std::string::npos) << message;
    for (const LogLine& l : host.logs()) {
        EXPECT_EQ(l.message.find("wrong-secret-value-xyz"), std::string::npos) << l.message;
        EXPECT_EQ(l.message.find(kKey), std::string::npos) << l.message;
    }
}

TEST_F(ExecutorTest, Ed25519KeysSignRequestsTheVenueVerifies) {
    EVP_PKEY* key = nullptr;
    EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, nullptr);
    ASSERT_EQ(EVP_PKEY_keygen_init(ctx), 1);
    ASSERT_EQ(EVP_PKEY_keygen(ctx, &key), 1);
    EVP_PKEY_CTX_free(ctx);
    std::string seed(32, '\0'), pub(32, '\0');
    size_t n = 32;
    EVP_PKEY_get_raw_private_key(key, reinterpret_cast<unsigned char*>(seed.data()), &n);
    n = 32;
    EVP_PKEY_get_raw_public_key(key, reinterpret_cast<unsigned char*>(pub.data()), &n);
    EVP_PKEY_free(key);
    std::string b64(48, '\0');
    b64.resize(static_cast<std::size_t>(
        EVP_EncodeBlock(reinterpret_cast<unsigned char*>(b64.data()),
                        reinterpret_cast<const unsigned char*>(seed.data()), 32)));
    fake.add_ed25519_key("ed-key", pub);
    ExecutorInstance ex =
        executor("spot", {{"api_key", "ed-key"}, {"api_secret", b64}, {"key_type", "ed25519"}});
    ex.submit(market("ed-1", OT_SIDE_BUY, 0.01));
    EXPECT_GT(filled(ex.poll(), "ed-1"), 0);
}

TEST_F(ExecutorTest, ProtectionsSurviveARestartAndTheirFillsAreStillReported) {
    {
        ExecutorInstance ex = executor("usdm");
        ex.submit(protected_buy("r-1", 0.05, 39000, 41000));
        ex.poll();
    }
    advance(1000);
    fake.set_price("BTCUSDT", 38500);
    advance(1000);
    ExecutorInstance again = executor("usdm");
    std::vector<Report> reports = again.poll();
    EXPECT_DOUBLE_EQ(filled(reports, "r-1-sl"), 0.05);
    ASSERT_EQ(of_kind(reports, OT_REPORT_CANCELED).size(), 1u);
    EXPECT_TRUE(open_at_fake().empty());
}
