#include <orchestrade/testing/fake_host.hpp>
#include <orchestrade/testing/plugin_library.hpp>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace ot = orchestrade::testing;

namespace {

constexpr int64_t kT0 = 1704067200000;
constexpr int64_t kMinute = 60000;
const std::string kSymbol = "BTC/USDT";

int64_t at(int i) {
    return kT0 + i * kMinute;
}

ot::Bar bar(int i, double open, double high, double low, double close) {
    return {kSymbol, 60, at(i), open, high, low, close, 1};
}

ot::Order order(const std::string& id, int32_t side, double qty, int32_t type = OT_ORDER_MARKET,
                double limit_price = 0, double stop_price = 0) {
    ot::Order o;
    o.client_order_id = id;
    o.side = side;
    o.qty = qty;
    o.type = type;
    o.limit_price = limit_price;
    o.stop_price = stop_price;
    return o;
}

std::vector<int32_t> kinds(const std::vector<ot::Report>& reports) {
    std::vector<int32_t> out;
    for (const ot::Report& r : reports)
        out.push_back(r.kind);
    return out;
}

std::optional<ot::Balance> balance(ot::ExecutorInstance& ex, const std::string& asset) {
    for (const ot::Balance& b : ex.balances())
        if (b.asset == asset) return b;
    return std::nullopt;
}

class MockExecutorTest : public ::testing::Test {
  protected:
    ot::ExecutorInstance make(ot::ParamMap params = {}) {
        ot::ExecutorInstance ex = lib.create_executor("mock", host, params);
        ex.start();
        return ex;
    }
    // Submits and returns the rejection message; fails the test if it was accepted.
    std::string rejection(ot::ExecutorInstance& ex, const ot::Order& o) {
        try {
            ex.submit(o);
        } catch (const ot::PluginError& e) {
            EXPECT_EQ(e.code(), OT_E_REJECTED);
            return e.what();
        }
        ADD_FAILURE() << "order " << o.client_order_id << " was accepted";
        return {};
    }

    ot::FakeHost host;
    ot::PluginLibrary lib{ORCHESTRADE_PLUGIN_FILE};
};

TEST_F(MockExecutorTest, AUniverseSymbolQuotedInAnotherCurrencyFailsAtCreate) {
    ot::CreateOptions options;
    options.universe = {"BTC/USDT", "BTC/EUR"};
    try {
        lib.create_executor("mock", host, {}, options);
        FAIL() << "create accepted it";
    } catch (const ot::PluginError& e) {
        EXPECT_EQ(e.code(), OT_E_INVALID_ARG);
        EXPECT_STREQ(e.what(),
                     "mock: BTC/EUR is quoted in EUR, the account's currency is USDT (set "
                     "'currency')");
    }
    options.universe = {"BTC/EUR"};
    EXPECT_NO_THROW(lib.create_executor("mock", host, {{"currency", "EUR"}}, options));
}

TEST_F(MockExecutorTest, MarketOrderFillsAtTheNextOpenWithSlippageAndFee) {
    ot::ExecutorInstance ex = make({{"fee_bps", "10"}, {"slippage_bps", "20"}});
    ex.on_bars({bar(0, 99, 101, 98, 100)});
    ex.submit(order("o1", OT_SIDE_BUY, 10));
    std::vector<ot::Report> acks = ex.poll();
    ASSERT_EQ(kinds(acks), std::vector<int32_t>{OT_REPORT_ACCEPTED});
    EXPECT_EQ(acks[0].client_order_id, "o1");

    ex.on_bars({bar(1, 101, 103, 100, 102)});
    std::vector<ot::Report> fills = ex.poll();
    ASSERT_EQ(kinds(fills), std::vector<int32_t>{OT_REPORT_FILL});
    const ot::Report& f = fills[0];
    double price = 101 * (1 + 20 / 1e4);  // 101.202
    double fee = 10 * price * 10 / 1e4;   // 1.01202
    EXPECT_DOUBLE_EQ(f.price, price);
    EXPECT_DOUBLE_EQ(f.fee, fee);
    EXPECT_EQ(f.qty, 10);
    EXPECT_EQ(f.cum_qty, 10);
    EXPECT_EQ(f.trade_id, "o1-1");
    EXPECT_EQ(f.time_ms, at(1));
    EXPECT_EQ(f.side, OT_SIDE_BUY);

    EXPECT_DOUBLE_EQ(balance(ex, "USDT")->free_qty, 10000 - 10 * price - fee);
    ASSERT_TRUE(balance(ex, kSymbol));
    EXPECT_EQ(balance(ex, kSymbol)->free_qty, 10);
    EXPECT_DOUBLE_EQ(balance(ex, kSymbol)->avg_price, price);
}

TEST_F(MockExecutorTest, FillAtCloseFillsImmediatelyAtTheLastClose) {
    ot::ExecutorInstance ex = make({{"fill", "close"}, {"fee_bps", "10"}, {"slippage_bps", "10"}});
    ex.on_bars({bar(0, 99, 101, 98, 100)});
    ex.submit(order("b1", OT_SIDE_BUY, 5));
    ex.submit(order("s1", OT_SIDE_SELL, 2));
    std::vector<ot::Report> reports = ex.poll();
    ASSERT_EQ(kinds(reports), (std::vector<int32_t>{OT_REPORT_ACCEPTED, OT_REPORT_FILL,
                                                    OT_REPORT_ACCEPTED, OT_REPORT_FILL}));
    double buy_price = 100 * 1.001, sell_price = 100 * 0.999;
    EXPECT_DOUBLE_EQ(reports[1].price, buy_price);
    EXPECT_EQ(reports[1].time_ms, at(0));
    EXPECT_DOUBLE_EQ(reports[3].price, sell_price);
    double cash = 10000 - 5 * buy_price * 1.001 + 2 * sell_price * 0.999;
    EXPECT_NEAR(balance(ex, "USDT")->free_qty, cash, 1e-9);
    EXPECT_EQ(balance(ex, kSymbol)->free_qty, 3);
}

TEST_F(MockExecutorTest, RefusesWhatTheAccountCannotDo) {
    ot::ExecutorInstance ex = make({{"fee_bps", "10"}});
    EXPECT_EQ(rejection(ex, order("x0", OT_SIDE_BUY, 1)),
              "unknown symbol 'BTC/USDT': no bar seen for it");
    ex.on_bars({bar(0, 99, 101, 98, 100)});
    EXPECT_EQ(rejection(ex, order("x1", OT_SIDE_BUY, 0)), "qty must be positive, got 0");
    // 100 * 100 * 1.001 = 10010 > 10000
    EXPECT_EQ(rejection(ex, order("x2", OT_SIDE_BUY, 100)),
              "insufficient cash: need 10010 USDT, free 10000");
    EXPECT_EQ(rejection(ex, order("x3", OT_SIDE_SELL, 1)), "insufficient position: hold 0, sell 1");

    // Until the next poll (a backtest forgets final orders then).
    std::optional<std::vector<ot::Report>> q = ex.query_order(kSymbol, "x3");
    ASSERT_TRUE(q);
    ASSERT_EQ(kinds(*q), std::vector<int32_t>{OT_REPORT_REJECTED});
    EXPECT_EQ((*q)[0].text, "insufficient position: hold 0, sell 1");
    EXPECT_TRUE(ex.poll().empty());
}

TEST_F(MockExecutorTest, RefusesOrdersItCannotSimulate) {
    ot::ExecutorInstance ex = make();
    ex.on_bars({bar(0, 99, 101, 98, 100)});
    EXPECT_EQ(rejection(ex, order("", OT_SIDE_BUY, 1)), "client_order_id is required");
    EXPECT_EQ(rejection(ex, order("sl", OT_SIDE_BUY, 1, OT_ORDER_STOP_LIMIT, 101, 100)),
              "stop-limit orders are not supported");
    ot::Order ioc = order("ioc", OT_SIDE_BUY, 1, OT_ORDER_LIMIT, 95);
    ioc.tif = OT_TIF_IOC;
    EXPECT_EQ(rejection(ex, ioc), "only GTC is supported for resting orders");
    ot::Order attached = order("att", OT_SIDE_BUY, 1);
    attached.stop_loss = 90;
    EXPECT_NE(rejection(ex, attached).find("attached stop_loss/take_profit are not supported"),
              std::string::npos);
    ot::Order reduce = order("ro", OT_SIDE_BUY, 1);
    reduce.flags = OT_ORDER_FLAG_REDUCE_ONLY;
    EXPECT_EQ(rejection(ex, reduce), "reduce-only order would increase the position");
}

TEST_F(MockExecutorTest, ABuyTheCashNoLongerCoversAtItsFillExpires) {
    ot::ExecutorInstance ex = make({{"fee_bps", "0"}, {"starting_cash", "1000"}});
    ex.on_bars({bar(0, 99, 101, 98, 100)});
    ex.submit(order("all-in", OT_SIDE_BUY, 10));  // 10 * 100 = 1000: all the cash
    ex.poll();
    ex.on_bars({bar(1, 101, 102, 100, 101)});  // opens higher: 1010 > 1000
    std::vector<ot::Report> reports = ex.poll();
    ASSERT_EQ(kinds(reports), std::vector<int32_t>{OT_REPORT_EXPIRED});
    EXPECT_EQ(reports[0].text, "insufficient cash at fill: need 1010, available 1000");
    EXPECT_EQ(balance(ex, "USDT")->free_qty, 1000);
    EXPECT_EQ(balance(ex, "USDT")->locked_qty, 0);
    EXPECT_FALSE(balance(ex, kSymbol));
}

TEST_F(MockExecutorTest, ADuplicateClientOrderIdIsRejected) {
    ot::ExecutorInstance ex = make();
    ex.on_bars({bar(0, 99, 101, 98, 100)});
    ex.submit(order("o1", OT_SIDE_BUY, 1));
    EXPECT_EQ(rejection(ex, order("o1", OT_SIDE_BUY, 1)), "duplicate client order id 'o1'");
    EXPECT_EQ(rejection(ex, order("x", OT_SIDE_BUY, 0)), "qty must be positive, got 0");
    EXPECT_EQ(rejection(ex, order("x", OT_SIDE_BUY, 1)), "duplicate client order id 'x'");
    EXPECT_EQ(kinds(ex.poll()), std::vector<int32_t>{OT_REPORT_ACCEPTED});
    ex.on_bars({bar(1, 100, 101, 99, 100)});
    EXPECT_EQ(kinds(ex.poll()), std::vector<int32_t>{OT_REPORT_FILL});
    EXPECT_EQ(balance(ex, kSymbol)->free_qty, 1);
}

TEST_F(MockExecutorTest, ShortsNeedAllowShort) {
    ot::ExecutorInstance ex = make({{"allow_short", "true"}, {"fee_bps", "0"}});
    ex.on_bars({bar(0, 99, 101, 98, 100)});
    ex.submit(order("s1", OT_SIDE_SELL, 2));
    ex.on_bars({bar(1, 100, 101, 99, 100)});
    ASSERT_TRUE(balance(ex, kSymbol));
    EXPECT_EQ(balance(ex, kSymbol)->free_qty, -2);
    EXPECT_EQ(balance(ex, kSymbol)->avg_price, 100);
    EXPECT_EQ(balance(ex, "USDT")->free_qty, 10200);
}

TEST_F(MockExecutorTest, AnOrderNeverFillsOnTheBarItWasPlacedAfter) {
    ot::ExecutorInstance ex = make();
    ex.on_bars({bar(0, 99, 101, 98, 100)});
    ex.submit(order("o1", OT_SIDE_BUY, 1));
    ex.on_bars({bar(0, 99, 101, 98, 100)});  // the same bar again
    EXPECT_EQ(kinds(ex.poll()), std::vector<int32_t>{OT_REPORT_ACCEPTED});
}

TEST_F(MockExecutorTest, EachSymbolHasItsOwnLastBar) {
    const std::string eth = "ETH/USDT";
    auto eth_bar = [&](int i, double open) {
        return ot::Bar{eth, 60, at(i), open, open + 1, open - 1, open, 1};
    };
    ot::ExecutorInstance ex = make({{"fee_bps", "0"}});
    ex.on_bars({bar(0, 100, 101, 99, 100), eth_bar(0, 50)});
    ot::Order buy_eth = order("o1", OT_SIDE_BUY, 1);
    buy_eth.symbol = eth;
    ex.submit(buy_eth);
    EXPECT_EQ(kinds(ex.poll()), std::vector<int32_t>{OT_REPORT_ACCEPTED});

    ex.on_bars({bar(1, 102, 103, 101, 102)});  // another symbol's bar
    ex.on_bars({eth_bar(0, 60)});              // an ETH bar already seen
    EXPECT_TRUE(ex.poll().empty());

    ex.on_bars({bar(2, 104, 105, 103, 104), eth_bar(1, 52)});
    std::vector<ot::Report> fills = ex.poll();
    ASSERT_EQ(kinds(fills), std::vector<int32_t>{OT_REPORT_FILL});
    EXPECT_EQ(fills[0].price, 52);
    EXPECT_EQ(fills[0].time_ms, at(1));
    EXPECT_EQ(balance(ex, eth)->free_qty, 1);
}

struct TriggerCase {
    const char* name;
    int32_t side;
    int32_t type;
    double limit_price, stop_price;
    ot::Bar quiet;      // does not reach the level
    ot::Bar touching;   // reaches it
    double fill_price;  // before slippage
};

void PrintTo(const TriggerCase& c, std::ostream* os) {
    *os << c.name;
}

class MockTriggerTest : public MockExecutorTest,
                        public ::testing::WithParamInterface<TriggerCase> {};

TEST_P(MockTriggerTest, RestingOrderFillsOnTheFirstBarThatReachesItsLevel) {
    const TriggerCase& c = GetParam();
    ot::ExecutorInstance ex = make({{"fee_bps", "0"}, {"slippage_bps", "50"}});
    ex.on_bars({bar(0, 100, 101, 99, 100)});
    if (c.side == OT_SIDE_SELL) {
        ex.submit(order("entry", OT_SIDE_BUY, 1));
        ex.on_bars({bar(1, 100, 101, 99, 100)});
    }
    ex.poll();
    ex.submit(order("o", c.side, 1, c.type, c.limit_price, c.stop_price));
    EXPECT_EQ(kinds(ex.poll()), std::vector<int32_t>{OT_REPORT_ACCEPTED});
    ex.on_bars({c.quiet});
    EXPECT_TRUE(ex.poll().empty());
    ex.on_bars({c.touching});
    std::vector<ot::Report> fills = ex.poll();
    ASSERT_EQ(kinds(fills), std::vector<int32_t>{OT_REPORT_FILL});
    double slip = c.type == OT_ORDER_LIMIT ? 0 : 50 / 1e4;
    double expected = c.side == OT_SIDE_BUY ? c.fill_price * (1 + slip) : c.fill_price * (1 - slip);
    EXPECT_DOUBLE_EQ(fills[0].price, expected);
    EXPECT_EQ(fills[0].time_ms, c.touching.open_time_ms);
}

INSTANTIATE_TEST_SUITE_P(
    Levels, MockTriggerTest,
    ::testing::Values(
        // buy limit 95: low <= 95 -> min(open, 95)
        TriggerCase{"BuyLimitTouched", OT_SIDE_BUY, OT_ORDER_LIMIT, 95, 0, bar(2, 99, 100, 96, 97),
                    bar(3, 97, 98, 94, 96), 95},
        TriggerCase{"BuyLimitGappedThrough", OT_SIDE_BUY, OT_ORDER_LIMIT, 95, 0,
                    bar(2, 99, 100, 96, 97), bar(3, 93, 94, 92, 93.5), 93},
        // sell limit 105: high >= 105 -> max(open, 105)
        TriggerCase{"SellLimitTouched", OT_SIDE_SELL, OT_ORDER_LIMIT, 105, 0,
                    bar(2, 100, 104, 99, 103), bar(3, 103, 106, 102, 104), 105},
        // sell stop 95: low <= 95 -> min(open, 95)
        TriggerCase{"SellStopTouched", OT_SIDE_SELL, OT_ORDER_STOP_MARKET, 0, 95,
                    bar(2, 99, 100, 96, 97), bar(3, 97, 98, 94, 96), 95},
        TriggerCase{"SellStopGappedThrough", OT_SIDE_SELL, OT_ORDER_STOP_MARKET, 0, 95,
                    bar(2, 99, 100, 96, 97), bar(3, 90, 92, 88, 91), 90},
        // buy stop 105: high >= 105 -> max(open, 105)
        TriggerCase{"BuyStopTouched", OT_SIDE_BUY, OT_ORDER_STOP_MARKET, 0, 105,
                    bar(2, 100, 104, 99, 103), bar(3, 103, 106, 102, 104), 105},
        TriggerCase{"BuyStopGappedThrough", OT_SIDE_BUY, OT_ORDER_STOP_MARKET, 0, 105,
                    bar(2, 100, 104, 99, 103), bar(3, 108, 109, 107, 108), 108},
        // take-profit-market sell at 105: like a sell limit at stop_price, filled as market
        TriggerCase{"SellTakeProfitTouched", OT_SIDE_SELL, OT_ORDER_TAKE_PROFIT_MARKET, 0, 105,
                    bar(2, 100, 104, 99, 103), bar(3, 103, 106, 102, 104), 105}),
    [](const ::testing::TestParamInfo<TriggerCase>& info) { return info.param.name; });

TEST_F(MockExecutorTest, WhenStopAndTakeProfitTriggerInOneBarTheStopComesFirst) {
    ot::ExecutorInstance ex = make({{"fee_bps", "0"}});
    ex.on_bars({bar(0, 100, 101, 99, 100)});
    ex.submit(order("entry", OT_SIDE_BUY, 1));
    ex.on_bars({bar(1, 100, 101, 99, 100)});
    ex.submit(order("tp", OT_SIDE_SELL, 1, OT_ORDER_TAKE_PROFIT_MARKET, 0, 105));
    ex.submit(order("sl", OT_SIDE_SELL, 1, OT_ORDER_STOP_MARKET, 0, 95));
    ex.poll();
    ex.on_bars({bar(2, 100, 106, 94, 100)});
    std::vector<ot::Report> reports = ex.poll();
    ASSERT_EQ(reports.size(), 2u);
    EXPECT_EQ(reports[0].kind, OT_REPORT_FILL);
    EXPECT_EQ(reports[0].client_order_id, "sl");
    EXPECT_EQ(reports[0].price, 95);
    EXPECT_EQ(reports[1].kind, OT_REPORT_EXPIRED);
    EXPECT_EQ(reports[1].client_order_id, "tp");
    EXPECT_EQ(reports[1].text, "insufficient position at fill: hold 0, sell 1");
}

TEST_F(MockExecutorTest, RestingBuysLockCash) {
    ot::ExecutorInstance ex = make({{"fee_bps", "10"}});
    ex.on_bars({bar(0, 100, 101, 99, 100)});
    ex.submit(order("l1", OT_SIDE_BUY, 10, OT_ORDER_LIMIT, 95));
    double locked = 10 * 95 * 1.001;  // 950.95
    ot::Balance cash = *balance(ex, "USDT");
    EXPECT_DOUBLE_EQ(cash.locked_qty, locked);
    EXPECT_DOUBLE_EQ(cash.free_qty, 10000 - locked);
    // 90 * 100 * 1.001 = 9009 fits in the 9049.05 left; one more unit (100.1) does not.
    ex.submit(order("m1", OT_SIDE_BUY, 90));
    EXPECT_NE(rejection(ex, order("m2", OT_SIDE_BUY, 1)).find("insufficient cash"),
              std::string::npos);
}

TEST_F(MockExecutorTest, CancelTakesAnOpenOrderOffTheBook) {
    ot::ExecutorInstance ex = make();
    ex.on_bars({bar(0, 100, 101, 99, 100)});
    ex.submit(order("l1", OT_SIDE_BUY, 10, OT_ORDER_LIMIT, 95));
    ex.submit(order("l2", OT_SIDE_BUY, 1, OT_ORDER_LIMIT, 90));
    ex.poll();
    ex.cancel(kSymbol, "l1");
    std::vector<ot::Report> reports = ex.poll();
    ASSERT_EQ(kinds(reports), std::vector<int32_t>{OT_REPORT_CANCELED});
    EXPECT_EQ(reports[0].client_order_id, "l1");

    std::vector<ot::Report> open = ex.open_orders();
    ASSERT_EQ(open.size(), 1u);
    EXPECT_EQ(open[0].client_order_id, "l2");
    EXPECT_EQ(open[0].kind, OT_REPORT_ACCEPTED);
    EXPECT_NEAR(balance(ex, "USDT")->locked_qty, 90 * 1.001, 1e-9);

    ex.on_bars({bar(1, 94, 95, 93, 94)});  // would have filled l1
    EXPECT_TRUE(ex.poll().empty());
    for (const char* id : {"l1", "nope"}) {
        try {
            ex.cancel(kSymbol, id);
            ADD_FAILURE() << "canceled " << id;
        } catch (const ot::PluginError& e) {
            EXPECT_EQ(e.code(), OT_E_NOT_FOUND);
        }
    }
}

TEST_F(MockExecutorTest, QueryOrderTellsEachOrdersStory) {
    ot::ExecutorInstance ex = make({{"fee_bps", "0"}});
    ex.on_bars({bar(0, 100, 101, 99, 100)});
    ex.submit(order("filled", OT_SIDE_BUY, 1));
    ex.submit(order("resting", OT_SIDE_BUY, 1, OT_ORDER_LIMIT, 50));
    ex.submit(order("canceled", OT_SIDE_BUY, 1, OT_ORDER_LIMIT, 60));
    ex.cancel(kSymbol, "canceled");
    ex.on_bars({bar(1, 101, 102, 100, 101)});

    EXPECT_FALSE(ex.query_order(kSymbol, "unknown"));
    std::vector<ot::Report> filled = *ex.query_order(kSymbol, "filled");
    ASSERT_EQ(kinds(filled), std::vector<int32_t>{OT_REPORT_FILL});
    EXPECT_EQ(filled[0].price, 101);
    EXPECT_EQ(filled[0].trade_id, "filled-1");
    EXPECT_EQ(kinds(*ex.query_order(kSymbol, "resting")), std::vector<int32_t>{OT_REPORT_ACCEPTED});
    EXPECT_EQ(kinds(*ex.query_order(kSymbol, "canceled")),
              std::vector<int32_t>{OT_REPORT_CANCELED});
}

TEST_F(MockExecutorTest, ABacktestPersistsNothing) {
    ot::ExecutorInstance ex = make();
    ex.on_bars({bar(0, 100, 101, 99, 100)});
    ex.submit(order("o1", OT_SIDE_BUY, 1));
    ex.on_bars({bar(1, 100, 101, 99, 100)});
    ex.poll();
    EXPECT_TRUE(host.kv().empty());
}

// The host drains poll() every bar of a backtest and only queries orders it still holds open, so
// the mock keeps only open orders and final ones whose last report has not been polled yet.
TEST_F(MockExecutorTest, ABacktestForgetsAnOrderOnceItsFinalReportWasPolled) {
    ot::ExecutorInstance ex = make({{"fee_bps", "0"}});
    ex.on_bars({bar(0, 100, 101, 99, 100)});
    ex.submit(order("resting", OT_SIDE_BUY, 1, OT_ORDER_LIMIT, 50));
    EXPECT_EQ(kinds(ex.poll()), std::vector<int32_t>{OT_REPORT_ACCEPTED});
    const int rounds = 500;
    for (int i = 1; i <= rounds; ++i) {
        std::string id = "o" + std::to_string(i);
        ex.submit(order(id, i % 2 ? OT_SIDE_BUY : OT_SIDE_SELL, 1));
        ex.on_bars({bar(i, 100, 101, 99, 100)});
        EXPECT_EQ(kinds(*ex.query_order(kSymbol, id)), std::vector<int32_t>{OT_REPORT_FILL});
        std::vector<ot::Report> reports = ex.poll();
        ASSERT_EQ(kinds(reports), (std::vector<int32_t>{OT_REPORT_ACCEPTED, OT_REPORT_FILL}));
        EXPECT_EQ(reports[1].client_order_id, id);
        EXPECT_FALSE(ex.query_order(kSymbol, id)) << id << " is still remembered";
    }
    EXPECT_FALSE(ex.query_order(kSymbol, "o1"));
    ex.cancel(kSymbol, "resting");
    EXPECT_EQ(rejection(ex, order("refused", OT_SIDE_SELL, 5)),
              "insufficient position: hold 0, sell 5");
    EXPECT_TRUE(ex.query_order(kSymbol, "resting"));
    EXPECT_TRUE(ex.query_order(kSymbol, "refused"));
    EXPECT_EQ(kinds(ex.poll()), std::vector<int32_t>{OT_REPORT_CANCELED});
    EXPECT_FALSE(ex.query_order(kSymbol, "resting"));
    EXPECT_FALSE(ex.query_order(kSymbol, "refused"));
    EXPECT_EQ(balance(ex, "USDT")->free_qty, 10000);
    EXPECT_EQ(balance(ex, "USDT")->locked_qty, 0);
}

TEST_F(MockExecutorTest, ABacktestKeepsOpenOrdersWorkingWhileFinalOnesAreForgotten) {
    ot::ExecutorInstance ex = make({{"fee_bps", "0"}});
    ex.on_bars({bar(0, 100, 101, 99, 100)});
    ex.submit(order("entry", OT_SIDE_BUY, 2));
    ex.on_bars({bar(1, 100, 101, 99, 100)});
    ex.submit(order("tp", OT_SIDE_SELL, 1, OT_ORDER_TAKE_PROFIT_MARKET, 0, 105));
    ex.submit(order("limit", OT_SIDE_BUY, 1, OT_ORDER_LIMIT, 90));
    ex.submit(order("sl", OT_SIDE_SELL, 1, OT_ORDER_STOP_MARKET, 0, 95));
    ex.poll();  // forgets "entry"
    EXPECT_FALSE(ex.query_order(kSymbol, "entry"));
    std::vector<ot::Report> open = ex.open_orders();
    ASSERT_EQ(open.size(), 3u);
    EXPECT_EQ(open[0].client_order_id, "tp");
    EXPECT_EQ(open[1].client_order_id, "limit");
    EXPECT_EQ(open[2].client_order_id, "sl");

    // Both sells trigger: the stop first although the take-profit was placed first.
    ex.on_bars({bar(2, 100, 106, 94, 100)});
    std::vector<ot::Report> reports = ex.poll();
    ASSERT_EQ(kinds(reports), (std::vector<int32_t>{OT_REPORT_FILL, OT_REPORT_FILL}));
    EXPECT_EQ(reports[0].client_order_id, "sl");
    EXPECT_EQ(reports[1].client_order_id, "tp");
    EXPECT_FALSE(ex.query_order(kSymbol, "sl"));
    EXPECT_FALSE(balance(ex, kSymbol));
    ASSERT_EQ(ex.open_orders().size(), 1u);
    EXPECT_EQ(kinds(*ex.query_order(kSymbol, "limit")), std::vector<int32_t>{OT_REPORT_ACCEPTED});
    EXPECT_NEAR(balance(ex, "USDT")->locked_qty, 90, 1e-9);

    ex.on_bars({bar(3, 91, 92, 89, 90)});
    reports = ex.poll();
    ASSERT_EQ(kinds(reports), std::vector<int32_t>{OT_REPORT_FILL});
    EXPECT_EQ(reports[0].price, 90);
    EXPECT_TRUE(ex.open_orders().empty());
    EXPECT_EQ(balance(ex, kSymbol)->free_qty, 1);
}

// The host journals the reports of one poll before it polls again, and asks at a restart only
// about orders the journal holds open: a paper account keeps a final order until the poll after
// the one that reported it, so what it saves on every bar does not grow with the orders.
TEST_F(MockExecutorTest, APaperAccountForgetsAnOrderOnceTheHostHasJournaledItsReports) {
    host.set_mode(OT_MODE_PAPER);
    ot::ExecutorInstance ex = make({{"fee_bps", "0"}});
    ex.on_bars({bar(0, 100, 101, 99, 100)});
    ex.submit(order("resting", OT_SIDE_BUY, 1, OT_ORDER_LIMIT, 50));
    for (int i = 1; i <= 300; ++i) {
        const std::string id = "o" + std::to_string(i);
        ex.submit(order(id, i % 2 ? OT_SIDE_BUY : OT_SIDE_SELL, 1));
        ex.on_bars({bar(i, 100, 101, 99, 100)});
        ASSERT_EQ(kinds(ex.poll()).back(), OT_REPORT_FILL);
        // Reported, not journaled yet as far as the venue knows: a restart still asks about it.
        EXPECT_EQ(kinds(*ex.query_order(kSymbol, id)), std::vector<int32_t>{OT_REPORT_FILL});
        const nlohmann::json saved = nlohmann::json::parse(host.kv().at("state"));
        ASSERT_LE(saved.at("orders").size(), 3u) << "the saved account grows with the orders";
    }
    EXPECT_FALSE(ex.query_order(kSymbol, "o1"));
    EXPECT_FALSE(ex.query_order(kSymbol, "o299"));
    EXPECT_EQ(kinds(*ex.query_order(kSymbol, "resting")), std::vector<int32_t>{OT_REPORT_ACCEPTED});
    ex.poll();
    EXPECT_FALSE(ex.query_order(kSymbol, "o300"));
    EXPECT_EQ(nlohmann::json::parse(host.kv().at("state")).at("orders").size(), 1u);
}

// Killed after a poll that reported an order's fill, before the journal had it: the restart's
// query replays the fill, and the order is forgotten once a later poll followed the next one.
TEST_F(MockExecutorTest, APaperOrderReportedJustBeforeAKillIsAnsweredForAtTheRestart) {
    host.set_mode(OT_MODE_PAPER);
    {
        ot::ExecutorInstance ex = make({{"fee_bps", "0"}});
        ex.on_bars({bar(0, 100, 101, 99, 100)});
        ex.submit(order("old", OT_SIDE_BUY, 1));
        ex.on_bars({bar(1, 100, 101, 99, 100)});
        EXPECT_EQ(kinds(ex.poll()), (std::vector<int32_t>{OT_REPORT_ACCEPTED, OT_REPORT_FILL}));
    }
    ot::ExecutorInstance ex = make({{"fee_bps", "0"}});
    std::vector<ot::Report> old = *ex.query_order(kSymbol, "old");
    ASSERT_EQ(kinds(old), std::vector<int32_t>{OT_REPORT_FILL});
    EXPECT_EQ(old[0].trade_id, "old-1");
    EXPECT_EQ(rejection(ex, order("old", OT_SIDE_BUY, 1)), "duplicate client order id 'old'");
    ex.poll();
    EXPECT_TRUE(ex.query_order(kSymbol, "old"));
    ex.poll();
    EXPECT_FALSE(ex.query_order(kSymbol, "old"));
    EXPECT_TRUE(nlohmann::json::parse(host.kv().at("state")).at("orders").empty());
    EXPECT_EQ(balance(ex, kSymbol)->free_qty, 1);
}

TEST_F(MockExecutorTest, APaperAccountSurvivesARestart) {
    host.set_mode(OT_MODE_PAPER);
    double cash_before = 0;
    {
        ot::ExecutorInstance ex = make({{"fee_bps", "10"}});
        ex.on_bars({bar(0, 100, 101, 99, 100)});
        ex.submit(order("buy", OT_SIDE_BUY, 2));
        ex.on_bars({bar(1, 100, 101, 99, 100)});
        ex.submit(order("limit", OT_SIDE_SELL, 1, OT_ORDER_LIMIT, 110));
        ex.poll();
        cash_before = balance(ex, "USDT")->free_qty;
    }
    EXPECT_TRUE(host.logs_containing("starting_cash").empty());
    ot::ExecutorInstance ex = make({{"fee_bps", "10"}, {"starting_cash", "5"}});
    EXPECT_EQ(balance(ex, "USDT")->free_qty, cash_before);
    EXPECT_EQ(host.logs_containing("mock: starting_cash 5 is not applied: the saved account, "
                                   "opened with 10000, goes on",
                                   OT_LOG_WARN)
                  .size(),
              1u);
    EXPECT_EQ(balance(ex, kSymbol)->free_qty, 2);
    std::vector<ot::Report> bought = *ex.query_order(kSymbol, "buy");
    ASSERT_EQ(kinds(bought), std::vector<int32_t>{OT_REPORT_FILL});
    EXPECT_EQ(bought[0].trade_id, "buy-1");
    ASSERT_EQ(ex.open_orders().size(), 1u);
    EXPECT_EQ(rejection(ex, order("buy", OT_SIDE_BUY, 1)), "duplicate client order id 'buy'");

    ex.on_bars({bar(2, 108, 111, 107, 109)});
    std::vector<ot::Report> fills = ex.poll();
    ASSERT_EQ(kinds(fills), std::vector<int32_t>{OT_REPORT_FILL});
    EXPECT_EQ(fills[0].client_order_id, "limit");
    EXPECT_EQ(fills[0].price, 110);

    nlohmann::json saved = nlohmann::json::parse(host.kv().at("state"));
    EXPECT_EQ(saved.at("duplicate_submits"), 1);
}

TEST_F(MockExecutorTest, AnOrderAcceptedButNotSavedIsAmbiguousNotRefused) {
    host.set_mode(OT_MODE_PAPER);
    ot::ExecutorInstance ex = make();
    ex.on_bars({bar(0, 100, 101, 99, 100)});
    host.fail_kv_writes(true);
    try {
        ex.submit(order("o1", OT_SIDE_BUY, 1));
        FAIL() << "submit succeeded without saving";
    } catch (const ot::PluginError& e) {
        EXPECT_EQ(e.code(), OT_E_AMBIGUOUS);
    }
    EXPECT_EQ(kinds(*ex.query_order(kSymbol, "o1")), std::vector<int32_t>{OT_REPORT_ACCEPTED});
}

TEST_F(MockExecutorTest, StartingCashMustBePositive) {
    // The schema's bounds refuse it (the pipeline check names its line); the plugin's own
    // check stays for a host that does not validate.
    try {
        lib.create_executor("mock", host, {{"starting_cash", "0"}});
        FAIL() << "accepted starting_cash 0";
    } catch (const std::exception& e) {
        EXPECT_NE(std::string(e.what()).find("starting_cash"), std::string::npos) << e.what();
    }
}

}  // namespace

// ---- funding: a futures feed's funding_rate points ----------------------------------------------

ot::SeriesPoint funding(int i, double rate) {
    return {kSymbol, "funding_rate", at(i), rate};
}

TEST_F(MockExecutorTest, EachFundingPointChargesTheHeldPositionOnceAsACashReport) {
    host.set_mode(OT_MODE_PAPER);
    {
        ot::ExecutorInstance ex = make({{"fee_bps", "0"}});
        ex.on_bars({bar(0, 100, 101, 99, 100)});
        ex.submit(order("buy", OT_SIDE_BUY, 2));
        ex.on_bars({bar(1, 100, 101, 99, 104)});  // filled at 100; the last close is 104
        ex.poll();
        const double cash = balance(ex, "USDT")->free_qty;
        ex.on_bars({bar(2, 104, 105, 103, 104)}, 0, {funding(2, 0.0001)});
        std::vector<ot::Report> paid = ex.poll();
        ASSERT_EQ(kinds(paid), std::vector<int32_t>{OT_REPORT_CASH});
        EXPECT_EQ(paid[0].client_order_id, "");
        EXPECT_EQ(paid[0].symbol, kSymbol);
        EXPECT_EQ(paid[0].text, "funding");
        EXPECT_EQ(paid[0].trade_id, "funding:BTC/USDT:" + std::to_string(at(2)));
        EXPECT_EQ(paid[0].time_ms, at(2));
        EXPECT_DOUBLE_EQ(paid[0].fee, 2 * 104 * 0.0001);  // a long pays a positive rate
        EXPECT_DOUBLE_EQ(balance(ex, "USDT")->free_qty, cash - 2 * 104 * 0.0001);
    }
    // After a restart the same point again is not paid twice; the next one is.
    ot::ExecutorInstance ex = make({{"fee_bps", "0"}});
    const double cash = balance(ex, "USDT")->free_qty;
    ex.on_bars({bar(3, 104, 105, 103, 100)}, 0, {funding(2, 0.0001)});
    EXPECT_TRUE(ex.poll().empty());
    ex.on_bars({bar(4, 100, 101, 99, 100)}, 0, {funding(4, -0.0002)});
    std::vector<ot::Report> received = ex.poll();
    ASSERT_EQ(received.size(), 1u);
    EXPECT_DOUBLE_EQ(received[0].fee, -2 * 100 * 0.0002);  // a negative rate pays the long
    EXPECT_DOUBLE_EQ(balance(ex, "USDT")->free_qty, cash + 2 * 100 * 0.0002);
}

TEST_F(MockExecutorTest, FundingNeedsAPositionTheParameterAndAHostThatTakesCashReports) {
    auto paid_after_a_buy = [&](ot::ParamMap params) {
        ot::ExecutorInstance ex = make(std::move(params));
        ex.on_bars({bar(0, 100, 101, 99, 100)}, 0, {funding(0, 0.0001)});  // still flat
        ex.submit(order("buy", OT_SIDE_BUY, 1));
        ex.on_bars({bar(1, 100, 101, 99, 100)});
        ex.poll();
        ex.on_bars({bar(2, 100, 101, 99, 100)}, 0, {funding(2, 0.0001)});
        std::vector<ot::Report> r = ex.poll();
        return r;
    };
    EXPECT_EQ(paid_after_a_buy({}).size(), 1u);  // on by default
    EXPECT_TRUE(paid_after_a_buy({{"funding", "false"}}).empty());
    host.set_abi_minor(1);
    EXPECT_TRUE(paid_after_a_buy({}).empty());
}
