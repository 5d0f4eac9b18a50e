// Exchange rules that change while the executor runs: a new tick or step size is read again when
// Binance refuses an order for it, and the refused order goes once more under the new rules; a
// symbol that stops trading is noticed within the hour and refuses new entries.
#include "fixture.hpp"

#include <orchestrade/sdk.hpp>

using namespace orchestrade::testing;

namespace {

constexpr int64_t kHour = 60 * 60 * 1000;

class RulesRefreshTest : public BinanceTest {
  protected:
    bf::SymbolSpec btc(const std::string& tick = "0.01", const std::string& status = "TRADING") {
        bf::SymbolSpec s;
        s.symbol = "BTCUSDT";
        s.base = "BTC";
        s.quote = "USDT";
        s.base_price = 40000;
        s.amplitude = 0;
        s.tick = tick;
        s.status = status;
        return s;
    }
    std::vector<bf::OrderView> resting() const {
        std::vector<bf::OrderView> out;
        for (const auto& o : fake.orders())
            if (o.status == "NEW") out.push_back(o);
        return out;
    }
};

}  // namespace

TEST_F(RulesRefreshTest, ATickChangedAfterStartIsReadAgainAndTheLegsArePlaced) {
    ExecutorInstance ex = executor("usdm");
    fake.add_symbol(btc("0.1"));
    ex.submit(protected_buy("tk-1", 0.01, 39000.03, 42000));
    ex.poll();
    EXPECT_EQ(fake.futures_position("BTCUSDT").amount, 0.01);
    std::vector<bf::OrderView> legs = resting();
    ASSERT_EQ(legs.size(), 2u) << "the stop-loss and the take-profit rest at Binance";
    EXPECT_NEAR(legs[0].stop_price, 39000.0, 1e-6) << "the stop on the new tick";
    EXPECT_NEAR(legs[1].stop_price, 42000, 1e-6);
    EXPECT_TRUE(host.logs_containing("NOT protected").empty());
    EXPECT_FALSE(
        host.logs_containing("the rules of BTC/USDT changed at Binance: tick size 0.01 -> 0.1")
            .empty());
    EXPECT_EQ(fake.count_requests("GET", "/fapi/v1/exchangeInfo"), 2);
}

TEST_F(RulesRefreshTest, ALimitEntryRefusedForANewTickIsSentAgainOnIt) {
    ExecutorInstance ex = executor();
    fake.add_symbol(btc("1"));
    Order o = market("lt-1", OT_SIDE_BUY, 0.01);
    o.type = OT_ORDER_LIMIT;
    o.limit_price = 39900.55;
    ex.submit(o);
    std::vector<bf::OrderView> open = resting();
    ASSERT_EQ(open.size(), 1u);
    EXPECT_EQ(open[0].client_id, "lt-1");
    EXPECT_EQ(open[0].price, 39900) << "a buy rounds down: never a worse price than asked";
    EXPECT_EQ(fake.submissions()["lt-1"], 1);
}

TEST_F(RulesRefreshTest, ARuleRefusalThatIsNotARuleChangeIsNotSentAgain) {
    ExecutorInstance ex = executor();
    bf::Fault refusal;
    refusal.kind = bf::FaultKind::ErrorBefore;
    refusal.method = "POST";
    refusal.path = "/api/v3/order";
    refusal.status = 400;
    refusal.body = R"({"code":-1013,"msg":"Filter failure: PRICE_FILTER"})";
    fake.inject(refusal);
    auto [code, message] = failure([&] { ex.submit(market("nc-1", OT_SIDE_BUY, 0.01)); });
    EXPECT_EQ(code, OT_E_REJECTED) << message;
    EXPECT_EQ(fake.count_requests("GET", "/api/v3/exchangeInfo"), 2) << "read again";
    EXPECT_EQ(fake.count_requests("POST", "/api/v3/order"), 1) << "the same rules: not resent";
}

TEST_F(RulesRefreshTest, ASymbolThatStopsTradingRefusesEntriesWithinTheHour) {
    ExecutorInstance ex = executor();
    ex.submit(market("in-1", OT_SIDE_BUY, 0.01));
    ledger_position("BTC/USDT", 0.00999, 40000);
    fake.add_symbol(btc("0.01", "BREAK"));
    advance(kHour / 2);
    ex.poll();
    EXPECT_EQ(fake.count_requests("GET", "/api/v3/exchangeInfo"), 1) << "not due yet";
    advance(kHour / 2);
    ex.poll();
    EXPECT_EQ(fake.count_requests("GET", "/api/v3/exchangeInfo"), 2);
    EXPECT_FALSE(
        host.logs_containing("BTC/USDT is BREAK at Binance, no longer TRADING", OT_LOG_ERROR)
            .empty());
    auto [code, message] = failure([&] { ex.submit(market("in-2", OT_SIDE_BUY, 0.01)); });
    EXPECT_EQ(code, OT_E_REJECTED);
    EXPECT_NE(message.find("BTC/USDT is BREAK at Binance, not TRADING"), std::string::npos)
        << message;
    EXPECT_EQ(fake.submissions().count("in-2"), 0u);
    ex.submit(market("out-1", OT_SIDE_SELL, 0.00999));  // an exit still goes
    EXPECT_EQ(fake.submissions()["out-1"], 1);

    fake.add_symbol(btc());
    advance(kHour);
    ex.poll();
    EXPECT_FALSE(host.logs_containing("BTC/USDT is TRADING again at Binance").empty());
    ex.submit(market("in-3", OT_SIDE_BUY, 0.01));
    EXPECT_EQ(fake.submissions()["in-3"], 1);
}

// Binance answers -1121 for the whole exchangeInfo list once one symbol of it is delisted: the
// other symbols' rules are read all the same, and orders for the delisted one are refused with
// its name, exits included.
TEST_F(RulesRefreshTest, ADelistedSymbolDoesNotKeepTheOthersRulesFromBeingRead) {
    ExecutorInstance ex = executor("spot", {}, {"BTC/USDT", "ETH/USDT"});
    ex.submit(market("dl-1", OT_SIDE_BUY, 0.1, "ETH/USDT"));
    ledger_position("ETH/USDT", 0.0999, 2000);
    fake.remove_symbol("ETHUSDT");
    fake.add_symbol(btc("0.1"));
    advance(kHour);
    ex.poll();
    EXPECT_FALSE(
        host.logs_containing("the rules of BTC/USDT changed at Binance: tick size 0.01 -> 0.1")
            .empty());
    EXPECT_FALSE(
        host.logs_containing("ETH/USDT (ETHUSDT) is no longer listed at Binance", OT_LOG_ERROR)
            .empty());
    EXPECT_TRUE(host.logs_containing("exchangeInfo not read again").empty());

    Order o = market("dl-2", OT_SIDE_BUY, 0.01);
    o.type = OT_ORDER_LIMIT;
    o.limit_price = 39900.55;
    ex.submit(o);
    std::vector<bf::OrderView> open = resting();
    ASSERT_EQ(open.size(), 1u);
    EXPECT_EQ(open[0].price, 39900.5) << "on the tick read in the hourly refresh";

    for (const Order& eth : {market("dl-3", OT_SIDE_BUY, 0.1, "ETH/USDT"),
                             market("dl-4", OT_SIDE_SELL, 0.0999, "ETH/USDT")}) {
        auto [code, message] = failure([&] { ex.submit(eth); });
        EXPECT_EQ(code, OT_E_REJECTED) << eth.client_order_id;
        EXPECT_NE(message.find("ETH/USDT (ETHUSDT) is no longer listed at Binance"),
                  std::string::npos)
            << message;
        EXPECT_EQ(fake.submissions().count(eth.client_order_id), 0u);
    }
    advance(1000);
    ex.poll();
    EXPECT_TRUE(host.logs_containing("Invalid symbol", OT_LOG_WARN).empty());
}

// At start a universe symbol Binance does not list is bad configuration, named as such.
TEST_F(RulesRefreshTest, AStartWithASymbolBinanceDoesNotListNamesIt) {
    for (const std::vector<std::string>& universe :
         {std::vector<std::string>{"BTC/USDT", "XYZ/USDT"}, std::vector<std::string>{"XYZ/USDT"}}) {
        auto [code, message] = failure([&] { executor("spot", {}, universe); });
        EXPECT_EQ(code, OT_E_INVALID_ARG) << message;
        EXPECT_NE(message.find("XYZ/USDT (XYZUSDT) is not listed on this market"),
                  std::string::npos)
            << message;
    }
}

// Binance lowered the futures maximum quantity and raised the step while the executor runs: its
// -4005 refusal reads the rules again at once, and the order built again under them (the
// quantity floored to the new step) goes once more.
TEST_F(RulesRefreshTest, AFuturesQuantityRangeRefusalIsSentAgainUnderTheNewRules) {
    ExecutorInstance ex = executor("usdm");
    bf::SymbolSpec changed = btc();
    changed.step = "0.001";
    changed.min_qty = "0.001";
    changed.max_qty = "0.05";
    fake.add_symbol(changed);
    ex.submit(market("fq-1", OT_SIDE_BUY, 0.0505));
    EXPECT_EQ(fake.count_requests("GET", "/fapi/v1/exchangeInfo"), 2) << "read again at once";
    EXPECT_EQ(fake.count_requests("POST", "/fapi/v1/order"), 2) << "sent once more";
    EXPECT_DOUBLE_EQ(fake.futures_position("BTCUSDT").amount, 0.05);
    EXPECT_FALSE(host.logs_containing("the rules of BTC/USDT changed at Binance").empty());

    auto [code, message] = failure([&] { ex.submit(market("fq-2", OT_SIDE_BUY, 0.2)); });
    EXPECT_EQ(code, OT_E_REJECTED);
    EXPECT_NE(message.find("above the maximum 0.05"), std::string::npos) << message;
    EXPECT_EQ(fake.submissions().count("fq-2"), 0u) << "refused before sending, by the new rules";
}
