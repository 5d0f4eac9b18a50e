// The robinhood executor through its C ABI, against the loopback fake: orders of every type,
// the trading-pair rules, fills, cancels, protective legs, lost and refused requests, rate
// limits, clock skew, restarts.
#include "client_id.hpp"
#include "fake_robinhood.hpp"
#include "loopback_http.hpp"

#include <orchestrade/sdk.hpp>
#include <orchestrade/testing/fake_host.hpp>
#include <orchestrade/testing/plugin_library.hpp>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstring>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace ot = orchestrade::testing;
namespace rh = orchestrade::testing::robinhood;

namespace {

constexpr const char* kOrdersPath = "/api/v1/crypto/trading/orders/";

int64_t wall_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

ot::Order order(const std::string& id, int32_t side, double qty, int32_t type = OT_ORDER_MARKET,
                const std::string& symbol = "BTC/USD") {
    ot::Order o;
    o.client_order_id = id;
    o.symbol = symbol;
    o.side = side;
    o.qty = qty;
    o.type = type;
    return o;
}

std::vector<int32_t> kinds(const std::vector<ot::Report>& reports) {
    std::vector<int32_t> out;
    for (const ot::Report& r : reports)
        out.push_back(r.kind);
    return out;
}

std::vector<ot::Report> of(const std::vector<ot::Report>& reports, const std::string& id) {
    std::vector<ot::Report> out;
    for (const ot::Report& r : reports)
        if (r.client_order_id == id) out.push_back(r);
    return out;
}

bool is_cancel(const std::string& target) {
    const std::string suffix = "/cancel/";
    return target.size() >= suffix.size() &&
           target.compare(target.size() - suffix.size(), suffix.size(), suffix) == 0;
}

ot_status code_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const ot::PluginError& e) {
        return e.code();
    }
    return OT_OK;
}

std::string message_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const ot::PluginError& e) {
        return e.what();
    }
    return {};
}

class RobinhoodExecutor : public ::testing::Test {
  protected:
    void SetUp() override {
        host.set_now_ms(wall_ms());
        fake.set_clock([this] { return host.now_ms(); });
        fake.set_quote("BTC-USD", 49990, 50010);
        fake.set_quote("DOGE-USD", 0.099, 0.101);
        host.set_http_handler(rh::loopback_http());
    }

    ot::ExecutorInstance make(const ot::ParamMap& extra = {}, bool start = true) {
        ot::ParamMap params{{"base_url", fake.base_url()},
                            {"api_key", rh::kApiKey},
                            {"private_key", rh::kPrivateKey}};
        for (const auto& [k, v] : extra)
            params[k] = v;
        ot::ExecutorInstance ex =
            lib.create_executor("robinhood", host, params, {{"BTC/USD", "DOGE/USD"}, ""});
        if (start) ex.start();
        return ex;
    }

    void advance(int64_t ms) { host.set_now_ms(host.now_ms() + ms); }

    std::vector<rh::FakeOrder> venue_orders() {
        return fake.with_venue([](rh::FakeVenue& v) { return v.orders(); });
    }
    // The venue's copy of an order, found by the client id derived from the core's.
    std::optional<rh::FakeOrder> venue_order(const std::string& core_id) {
        const std::string uuid = orchestrade::plugins::robinhood::venue_client_order_id(core_id);
        for (const rh::FakeOrder& o : venue_orders())
            if (o.client_order_id == uuid) return o;
        return std::nullopt;
    }
    double holding(const std::string& asset) {
        return fake.with_venue([&](rh::FakeVenue& v) { return v.holding(asset); });
    }
    int placements() {
        int n = 0;
        for (const rh::SeenRequest& r : fake.requests())
            n += r.method == "POST" && r.target == kOrdersPath;
        return n;
    }
    bool logged(const std::string& text) { return !host.logs_containing(text).empty(); }
    int journaled(const std::string& kind) {
        int n = 0;
        for (const ot::JournalRecord& r : host.journal())
            n += r.kind == kind;
        return n;
    }

    ot::FakeHost host{OT_MODE_LIVE};
    rh::FakeRobinhood fake;
    ot::PluginLibrary lib{ORCHESTRADE_PLUGIN_FILE};
};

}  // namespace

// ---- description and set-up -----------------------------------------------------------------

TEST_F(RobinhoodExecutor, DescribesItselfAsCryptoOnlyWithNativeStopLossesOnly) {
    const ot_descriptor& d = *lib.factory("robinhood").descriptor;
    EXPECT_EQ(d.kind, OT_KIND_EXECUTOR);
    EXPECT_NE(std::string(d.description).find("Crypto only"), std::string::npos);
    EXPECT_NE(std::string(d.description).find("no equities"), std::string::npos);
    EXPECT_EQ(d.capabilities, OT_CAP_NATIVE_STOP_LOSS);
    bool secret_key = false;
    for (uint32_t i = 0; i < d.param_count; ++i)
        if (std::strcmp(d.params[i].key, "private_key") == 0)
            secret_key = d.params[i].flags & OT_PARAM_SECRET;
    EXPECT_TRUE(secret_key);
    EXPECT_STREQ(d.params[0].default_text, "https://trading.robinhood.com");
}

TEST_F(RobinhoodExecutor, TellsTheHostItsSmallestOrderPerPair) {
    ot::ExecutorInstance ex = make();
    const auto* ext =
        static_cast<const ot_min_order_ext*>(ex.raw()->get_extension(ex.raw(), OT_EXT_MIN_ORDER));
    ASSERT_NE(ext, nullptr);
    auto smallest = [&](const char* symbol) {
        double qty = -1;
        ot_error err{};
        const ot_status st = ext->min_order_qty(ex.raw(), symbol, 50000, &qty, &err);
        return st == OT_OK ? qty : -static_cast<double>(-st);
    };
    EXPECT_DOUBLE_EQ(smallest("BTC/USD"), 0.000001);  // min_order_size above the increment
    EXPECT_DOUBLE_EQ(smallest("DOGE/USD"), 1);
    EXPECT_LT(smallest("ETH/USD"), 0) << "not in the universe: no rule known";
    double qty = -1;
    ot_error err{};
    EXPECT_EQ(ext->min_order_qty(ex.raw(), nullptr, 50000, &qty, &err), OT_E_INVALID_ARG);
    EXPECT_EQ(ext->min_order_qty(ex.raw(), "BTC/USD", 50000, nullptr, &err), OT_E_INVALID_ARG);
    EXPECT_EQ(qty, -1);
}

TEST_F(RobinhoodExecutor, RunsInLiveModeOnly) {
    host.set_mode(OT_MODE_PAPER);
    try {
        make({}, false);
        FAIL() << "created in paper mode";
    } catch (const ot::PluginError& e) {
        EXPECT_EQ(e.code(), OT_E_INVALID_ARG);
        EXPECT_NE(std::string(e.what()).find("mode: live"), std::string::npos) << e.what();
    }
}

TEST_F(RobinhoodExecutor, AKeyThatIsNotRegisteredFailsStartWithTheVenuesAnswer) {
    std::string other = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
    try {
        make({{"private_key", other}});
        FAIL();
    } catch (const ot::PluginError& e) {
        EXPECT_NE(std::string(e.what()).find("HTTP 401"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("Invalid signature"), std::string::npos) << e.what();
        EXPECT_EQ(std::string(e.what()).find(other), std::string::npos);
    }
    EXPECT_EQ(fake.bad_signatures(), 1);
}

TEST_F(RobinhoodExecutor, AClockOutsideTheSignatureWindowIsNamedAsTheCause) {
    fake.set_clock(wall_ms);  // the venue keeps real time; this host runs 45 s ahead
    host.set_now_ms(wall_ms() + 45000);
    std::string why = message_of([&] { make(); });
    EXPECT_NE(why.find("clock skew"), std::string::npos) << why;
    EXPECT_NE(why.find(" s ahead of the venue's"), std::string::npos) << why;
    EXPECT_EQ(fake.stale_timestamps(), 1);
}

TEST_F(RobinhoodExecutor, ASmallClockSkewOnlyWarns) {
    fake.set_date_offset_ms(-8000);
    make();
    EXPECT_TRUE(logged(" s ahead of the venue's (HTTP Date header)"));
}

TEST_F(RobinhoodExecutor, AnUnknownSymbolFailsStart) {
    std::string why = message_of([&] {
        lib.create_executor("robinhood", host,
                            {{"base_url", fake.base_url()},
                             {"api_key", rh::kApiKey},
                             {"private_key", rh::kPrivateKey}},
                            {{"AAPL/USD"}, ""})
            .start();
    });
    EXPECT_NE(why.find("AAPL-USD is not a Robinhood trading pair"), std::string::npos) << why;
}

TEST_F(RobinhoodExecutor, AnUntradablePairFailsStart) {
    fake.with_venue([](rh::FakeVenue& v) {
        v.pairs()["DOGE-USD"].tradable = false;
        return 0;
    });
    std::string why = message_of([&] { make(); });
    EXPECT_NE(why.find("DOGE-USD is not tradable"), std::string::npos) << why;
}

// ---- orders ----------------------------------------------------------------------------------

TEST_F(RobinhoodExecutor, AMarketBuyIsSignedAcceptedAndFilledAtTheAsk) {
    ot::ExecutorInstance ex = make();
    ex.submit(order("ot-a-1", OT_SIDE_BUY, 0.01));
    std::vector<ot::Report> reports = ex.poll();
    ASSERT_EQ(kinds(reports), (std::vector<int32_t>{OT_REPORT_ACCEPTED, OT_REPORT_FILL}));
    EXPECT_EQ(reports[1].qty, 0.01);
    EXPECT_EQ(reports[1].price, 50010);
    EXPECT_EQ(reports[1].cum_qty, 0.01);
    EXPECT_FALSE(reports[1].trade_id.empty());
    EXPECT_EQ(reports[1].symbol, "BTC/USD");
    std::optional<rh::FakeOrder> o = venue_order("ot-a-1");
    ASSERT_TRUE(o);
    EXPECT_EQ(o->type, "market");
    EXPECT_EQ(o->config["asset_quantity"], "0.01");
    EXPECT_DOUBLE_EQ(holding("BTC"), 0.01);
    EXPECT_EQ(fake.bad_signatures(), 0);
    EXPECT_TRUE(ex.poll().empty()) << "a fill is reported once";
}

TEST_F(RobinhoodExecutor, AQuantityIsRoundedDownToTheIncrementAndTheRestReportedExpired) {
    ot::ExecutorInstance ex = make();
    ex.submit(order("ot-d-1", OT_SIDE_BUY, 10.7, OT_ORDER_MARKET, "DOGE/USD"));
    EXPECT_EQ(venue_order("ot-d-1")->config["asset_quantity"], "10");
    std::vector<ot::Report> reports = ex.poll();
    ASSERT_EQ(kinds(reports),
              (std::vector<int32_t>{OT_REPORT_ACCEPTED, OT_REPORT_FILL, OT_REPORT_EXPIRED}));
    EXPECT_EQ(reports[1].qty, 10);
    EXPECT_NE(reports[2].text.find("below the asset increment"), std::string::npos);
}

TEST_F(RobinhoodExecutor, OrdersOutsideThePairsRulesAreRefusedBeforeSending) {
    ot::ExecutorInstance ex = make();
    ot::Order tiny = order("ot-r-1", OT_SIDE_BUY, 0.0000005);
    ot::Order huge = order("ot-r-2", OT_SIDE_BUY, 25);
    ot::Order ioc = order("ot-r-3", OT_SIDE_BUY, 0.01, OT_ORDER_LIMIT);
    ioc.limit_price = 40000;
    ioc.tif = OT_TIF_IOC;
    ot::Order unknown = order("ot-r-4", OT_SIDE_BUY, 1, OT_ORDER_MARKET, "AAPL/USD");
    for (const ot::Order& o : {tiny, huge, ioc, unknown})
        EXPECT_EQ(code_of([&] { ex.submit(o); }), OT_E_REJECTED) << o.client_order_id;
    EXPECT_NE(message_of([&] {
                  ex.submit(order("ot-r-5", OT_SIDE_BUY, 0.0000005));
              }).find("minimum order size"),
              std::string::npos);
    EXPECT_NE(message_of([&] {
                  ex.submit(order("ot-r-6", OT_SIDE_BUY, 1, OT_ORDER_MARKET, "AAPL/USD"));
              }).find("not a Robinhood trading pair"),
              std::string::npos);
    EXPECT_EQ(placements(), 0);
}

// A billion coins of a pair traded in whole coins, sized to the buying power: rounding the
// quantity down never makes it cost more than the account holds.
TEST_F(RobinhoodExecutor, ALargeQuantityIsRoundedDownNeverUp) {
    fake.with_venue([](rh::FakeVenue& v) {
        v.pairs()["SHIB-USD"] = {"SHIB-USD", "1", "0.00000001", "1", "100000000000", true};
        v.set_buying_power(10000.000004);
        return 0;
    });
    fake.set_quote("SHIB-USD", 0.00001, 0.00001);
    ot::ExecutorInstance ex = make();
    EXPECT_EQ(
        code_of([&] {
            ex.submit(order("ot-q-1", OT_SIDE_BUY, 1000000000.4, OT_ORDER_MARKET, "SHIB/USD"));
        }),
        OT_OK);
    ASSERT_TRUE(venue_order("ot-q-1"));
    EXPECT_EQ(venue_order("ot-q-1")->config["asset_quantity"], "1000000000");
}

TEST_F(RobinhoodExecutor, PricesAreQuantisedToTheQuoteIncrement) {
    ot::ExecutorInstance ex = make();
    ot::Order buy = order("ot-p-1", OT_SIDE_BUY, 0.01, OT_ORDER_LIMIT);
    buy.limit_price = 40000.129;
    ex.submit(buy);
    EXPECT_EQ(venue_order("ot-p-1")->config["limit_price"], "40000.12");
    EXPECT_EQ(venue_order("ot-p-1")->config["time_in_force"], "gtc");
}

TEST_F(RobinhoodExecutor, ALimitOrderRestsAndItsFillsArriveThroughPoll) {
    fake.with_venue([](rh::FakeVenue& v) {
        v.set_split_fills(true);
        return 0;
    });
    ot::ExecutorInstance ex = make();
    ot::Order buy = order("ot-l-1", OT_SIDE_BUY, 0.02, OT_ORDER_LIMIT);
    buy.limit_price = 49000;
    ex.submit(buy);
    EXPECT_EQ(kinds(ex.poll()), (std::vector<int32_t>{OT_REPORT_ACCEPTED}));
    EXPECT_EQ(ex.open_orders().size(), 1u);
    fake.set_quote("BTC-USD", 48900, 48950);  // half fills
    std::vector<ot::Report> first = ex.poll();
    ASSERT_EQ(kinds(first), (std::vector<int32_t>{OT_REPORT_FILL}));
    EXPECT_DOUBLE_EQ(first[0].cum_qty, 0.01);
    fake.set_quote("BTC-USD", 48800, 48850);  // the rest
    std::vector<ot::Report> second = ex.poll();
    ASSERT_EQ(kinds(second), (std::vector<int32_t>{OT_REPORT_FILL}));
    EXPECT_DOUBLE_EQ(second[0].cum_qty, 0.02);
    EXPECT_NE(first[0].trade_id, second[0].trade_id);
    EXPECT_TRUE(ex.open_orders().empty());
}

TEST_F(RobinhoodExecutor, StopLossAndStopLimitOrdersGoOutWithTheirOwnConfig) {
    fake.with_venue([](rh::FakeVenue& v) {
        v.set_holding("BTC", 1);
        return 0;
    });
    ot::ExecutorInstance ex = make();
    ot::Order stop = order("ot-s-1", OT_SIDE_SELL, 0.1, OT_ORDER_STOP_MARKET);
    stop.stop_price = 45000;
    ot::Order stop_limit = order("ot-s-2", OT_SIDE_SELL, 0.1, OT_ORDER_STOP_LIMIT);
    stop_limit.stop_price = 44000;
    stop_limit.limit_price = 43900;
    ex.submit(stop);
    ex.submit(stop_limit);
    EXPECT_EQ(venue_order("ot-s-1")->type, "stop_loss");
    EXPECT_EQ(venue_order("ot-s-1")->config["stop_price"], "45000");
    EXPECT_EQ(venue_order("ot-s-2")->type, "stop_limit");
    EXPECT_EQ(venue_order("ot-s-2")->config["limit_price"], "43900");
    ex.poll();
    fake.set_quote("BTC-USD", 44950, 44990);
    std::vector<ot::Report> r = ex.poll();
    EXPECT_EQ(kinds(of(r, "ot-s-1")), (std::vector<int32_t>{OT_REPORT_FILL}));
    EXPECT_TRUE(of(r, "ot-s-2").empty());
    fake.set_quote("BTC-USD", 43950, 43990);
    EXPECT_EQ(kinds(of(ex.poll(), "ot-s-2")), (std::vector<int32_t>{OT_REPORT_FILL}));
}

TEST_F(RobinhoodExecutor, CancelTakesARestingOrderOffTheVenue) {
    ot::ExecutorInstance ex = make();
    ot::Order buy = order("ot-c-1", OT_SIDE_BUY, 0.01, OT_ORDER_LIMIT);
    buy.limit_price = 40000;
    ex.submit(buy);
    ex.poll();
    ex.cancel("BTC/USD", "ot-c-1");
    EXPECT_EQ(venue_order("ot-c-1")->state, "canceled");
    EXPECT_EQ(kinds(ex.poll()), (std::vector<int32_t>{OT_REPORT_CANCELED}));
    EXPECT_EQ(code_of([&] { ex.cancel("BTC/USD", "ot-c-1"); }), OT_E_NOT_FOUND);
    EXPECT_EQ(code_of([&] { ex.cancel("BTC/USD", "never-sent"); }), OT_E_NOT_FOUND);
}

TEST_F(RobinhoodExecutor, AnIdIsNeverSentTwice) {
    ot::ExecutorInstance ex = make();
    ex.submit(order("ot-x-1", OT_SIDE_BUY, 0.01));
    EXPECT_EQ(code_of([&] { ex.submit(order("ot-x-1", OT_SIDE_BUY, 0.01)); }), OT_E_REJECTED);
    EXPECT_EQ(placements(), 1);
    EXPECT_EQ(fake.with_venue([](rh::FakeVenue& v) { return v.duplicate_client_ids(); }), 0);
}

TEST_F(RobinhoodExecutor, TheVenuesRefusalIsARejectionWithItsDetail) {
    ot::ExecutorInstance ex = make();
    fake.with_venue([](rh::FakeVenue& v) {
        v.set_buying_power(100);
        return 0;
    });
    std::string why = message_of([&] { ex.submit(order("ot-v-1", OT_SIDE_BUY, 1)); });
    EXPECT_NE(why.find("HTTP 400 validation_error: Insufficient buying power."), std::string::npos)
        << why;
    EXPECT_FALSE(ex.query_order("BTC/USD", "ot-v-1"));
}

// ---- balances ------------------------------------------------------------------------------

TEST_F(RobinhoodExecutor, BalancesNameTheCashCurrencyTheAssetAndThePipelineSymbol) {
    fake.with_venue([](rh::FakeVenue& v) {
        v.set_buying_power(1000);
        v.set_holding("BTC", 0.5);
        return 0;
    });
    ot::ExecutorInstance ex = make();
    ot::Order sell = order("ot-b-1", OT_SIDE_SELL, 0.2, OT_ORDER_LIMIT);
    sell.limit_price = 60000;
    ex.submit(sell);
    std::map<std::string, ot::Balance> b;
    for (const ot::Balance& x : ex.balances())
        b[x.asset] = x;
    EXPECT_DOUBLE_EQ(b.at("USD").free_qty, 1000);
    EXPECT_DOUBLE_EQ(b.at("BTC/USD").free_qty, 0.5) << "a position is the whole holding";
    EXPECT_DOUBLE_EQ(b.at("BTC").free_qty, 0.3);
    EXPECT_DOUBLE_EQ(b.at("BTC").locked_qty, 0.2);
}

TEST_F(RobinhoodExecutor, AnOpenBuyCountsAsLockedCash) {
    fake.with_venue([](rh::FakeVenue& v) {
        v.set_buying_power(10000);
        return 0;
    });
    ot::ExecutorInstance ex = make();
    ot::Order buy = order("ot-b-2", OT_SIDE_BUY, 0.1, OT_ORDER_LIMIT);
    buy.limit_price = 40000;
    ex.submit(buy);
    for (const ot::Balance& x : ex.balances()) {
        if (x.asset != "USD") continue;
        EXPECT_DOUBLE_EQ(x.free_qty, 6000);
        EXPECT_DOUBLE_EQ(x.free_qty + x.locked_qty, 10000);
    }
}

// ---- lost answers: looked up, never sent again -------------------------------------------------

TEST_F(RobinhoodExecutor, A5xxAfterTheVenueAcceptedIsAmbiguousAndTheQueryFindsTheOrder) {
    ot::ExecutorInstance ex = make();
    fake.add_fault({"POST", kOrdersPath, rh::Fault::ServerErrorAfter});
    EXPECT_EQ(code_of([&] { ex.submit(order("ot-f-1", OT_SIDE_BUY, 0.01)); }), OT_E_AMBIGUOUS);
    std::optional<std::vector<ot::Report>> q = ex.query_order("BTC/USD", "ot-f-1");
    ASSERT_TRUE(q);
    EXPECT_EQ(kinds(*q), (std::vector<int32_t>{OT_REPORT_ACCEPTED, OT_REPORT_FILL}));
    EXPECT_EQ(placements(), 1);
    EXPECT_EQ(venue_orders().size(), 1u);
    EXPECT_TRUE(ex.poll().empty()) << "the query told the story once";
}

TEST_F(RobinhoodExecutor, ADroppedResponseIsResolvedByPollFromTheOrderList) {
    ot::ExecutorInstance ex = make();
    fake.add_fault({"POST", kOrdersPath, rh::Fault::DropAfter});
    EXPECT_EQ(code_of([&] { ex.submit(order("ot-f-2", OT_SIDE_BUY, 0.01)); }), OT_E_AMBIGUOUS);
    std::vector<ot::Report> r = ex.poll();
    EXPECT_EQ(kinds(r), (std::vector<int32_t>{OT_REPORT_ACCEPTED, OT_REPORT_FILL}));
    EXPECT_EQ(placements(), 1);
    EXPECT_TRUE(logged("found by its client id"));
}

TEST_F(RobinhoodExecutor, ATimeoutAfterTheVenueAcceptedIsResolvedTheSameWay) {
    ot::ExecutorInstance ex = make({{"timeout_ms", "300"}});
    fake.add_fault({"POST", kOrdersPath, rh::Fault::DelayAfter, 1, -1, 1500});
    EXPECT_EQ(code_of([&] { ex.submit(order("ot-f-3", OT_SIDE_BUY, 0.01)); }), OT_E_AMBIGUOUS);
    ASSERT_TRUE(ex.query_order("BTC/USD", "ot-f-3"));
    EXPECT_EQ(placements(), 1);
    EXPECT_EQ(venue_orders().size(), 1u);
}

TEST_F(RobinhoodExecutor, AnOrderIsProvenAbsentOnlyAfterItsSignatureExpired) {
    ot::ExecutorInstance ex = make();
    fake.add_fault({"POST", kOrdersPath, rh::Fault::ServerErrorBefore});
    EXPECT_EQ(code_of([&] { ex.submit(order("ot-f-4", OT_SIDE_BUY, 0.01)); }), OT_E_AMBIGUOUS);
    // Within 30 s a delayed request could still be accepted: no conclusion yet.
    EXPECT_EQ(code_of([&] { ex.query_order("BTC/USD", "ot-f-4"); }), OT_E_AMBIGUOUS);
    EXPECT_TRUE(ex.poll().empty());
    advance(36000);
    EXPECT_FALSE(ex.query_order("BTC/USD", "ot-f-4"));
    EXPECT_TRUE(venue_orders().empty());
    EXPECT_EQ(placements(), 1);
}

// The venue judges a signature's age by its own clock. With this host 20 s ahead, a placement
// held up on the way is still taken 36 s after this host sent it.
TEST_F(RobinhoodExecutor, AnOrderIsProvenAbsentOnlyOnceTheVenuesClockExpiredItsSignature) {
    fake.set_clock([this] { return host.now_ms() - 20000; });
    std::optional<ot::HttpRequest> held_up;
    host.set_http_handler([&, loopback = rh::loopback_http()](const ot::HttpRequest& r) {
        if (r.method == "POST" && !held_up) {
            held_up = r;
            throw orchestrade::sdk::Error(OT_E_IO, "connection reset by peer");
        }
        return loopback(r);
    });
    ot::ExecutorInstance ex = make();
    EXPECT_EQ(code_of([&] { ex.submit(order("ot-f-6", OT_SIDE_BUY, 0.01)); }), OT_E_AMBIGUOUS);
    advance(36000);
    EXPECT_EQ(code_of([&] { ex.query_order("BTC/USD", "ot-f-6"); }), OT_E_AMBIGUOUS);
    EXPECT_TRUE(ex.poll().empty());
    ASSERT_TRUE(held_up);
    EXPECT_EQ(rh::loopback_http()(*held_up).status, 201) << "the venue takes the late request";
    EXPECT_EQ(kinds(ex.poll()), (std::vector<int32_t>{OT_REPORT_ACCEPTED, OT_REPORT_FILL}));
    EXPECT_EQ(venue_orders().size(), 1u);
}

TEST_F(RobinhoodExecutor, PollReportsANeverArrivedOrderRejectedAfterTheWindow) {
    ot::ExecutorInstance ex = make();
    fake.add_fault({"POST", kOrdersPath, rh::Fault::ServerErrorBefore});
    EXPECT_EQ(code_of([&] { ex.submit(order("ot-f-5", OT_SIDE_BUY, 0.01)); }), OT_E_AMBIGUOUS);
    advance(36000);
    std::vector<ot::Report> r = ex.poll();
    ASSERT_EQ(kinds(r), (std::vector<int32_t>{OT_REPORT_REJECTED}));
    EXPECT_NE(r[0].text.find("never reached the venue"), std::string::npos);
}

TEST_F(RobinhoodExecutor, AFailingListIsNeverTakenForAbsence) {
    ot::ExecutorInstance ex = make();
    fake.add_fault({"GET", kOrdersPath, rh::Fault::ServerErrorBefore, 1, -1, 0, true});
    EXPECT_EQ(code_of([&] { ex.query_order("BTC/USD", "ot-unknown-1"); }), OT_E_IO);
    EXPECT_FALSE(ex.query_order("BTC/USD", "ot-unknown-1"));
}

TEST_F(RobinhoodExecutor, AnOrderWithoutLocalRecordIsFoundAcrossPages) {
    {
        ot::ExecutorInstance first = make();
        for (int i = 1; i <= 5; ++i)
            first.submit(order("ot-g-" + std::to_string(i), OT_SIDE_BUY, 0.01));
    }
    host.kv().clear();  // a fresh executor knows nothing of them
    fake.set_page_size(2);
    ot::ExecutorInstance ex = make();
    std::optional<std::vector<ot::Report>> q = ex.query_order("BTC/USD", "ot-g-1");
    ASSERT_TRUE(q);
    EXPECT_EQ(kinds(*q), (std::vector<int32_t>{OT_REPORT_ACCEPTED, OT_REPORT_FILL}));
    int cursors = 0;
    for (const rh::SeenRequest& r : fake.requests())
        cursors += r.target.find("cursor=") != std::string::npos;
    EXPECT_GE(cursors, 2);
    EXPECT_FALSE(ex.query_order("BTC/USD", "ot-g-9"));
}

// ---- rate limits -----------------------------------------------------------------------------

TEST_F(RobinhoodExecutor, ATooManyRequestsAnswerBacksOffWithoutWaiting) {
    ot::ExecutorInstance ex = make();
    fake.add_fault({"POST", kOrdersPath, rh::Fault::TooManyRequests, 1, 5});
    EXPECT_EQ(code_of([&] { ex.submit(order("ot-t-1", OT_SIDE_BUY, 0.01)); }), OT_E_RATE_LIMIT);
    const std::size_t seen = fake.requests().size();
    EXPECT_EQ(code_of([&] { ex.submit(order("ot-t-2", OT_SIDE_BUY, 0.01)); }), OT_E_RATE_LIMIT);
    EXPECT_EQ(fake.requests().size(), seen) << "refused here, not sent";
    EXPECT_TRUE(logged("backing off after HTTP 429"));
    advance(5000);
    EXPECT_FALSE(ex.query_order("BTC/USD", "ot-t-1")) << "a throttled order was never placed";
    ex.submit(order("ot-t-3", OT_SIDE_BUY, 0.01));
    EXPECT_EQ(venue_orders().size(), 1u);
}

// The core sends a throttled intent again under the same id: it was never placed, so it goes out.
TEST_F(RobinhoodExecutor, AThrottledOrderGoesOutWhenTheCoreSendsItAgain) {
    ot::ExecutorInstance ex = make({{"burst", "3"}, {"requests_per_minute", "60"}});
    EXPECT_EQ(code_of([&] { ex.submit(order("ot-t-5", OT_SIDE_BUY, 0.01)); }), OT_OK);
    EXPECT_EQ(code_of([&] { ex.submit(order("ot-t-6", OT_SIDE_BUY, 0.01)); }), OT_E_RATE_LIMIT);
    fake.add_fault({"POST", kOrdersPath, rh::Fault::TooManyRequests, 1, 0});
    advance(1000);
    EXPECT_EQ(code_of([&] { ex.submit(order("ot-t-7", OT_SIDE_BUY, 0.01)); }), OT_E_RATE_LIMIT);
    advance(2000);
    EXPECT_EQ(code_of([&] { ex.submit(order("ot-t-6", OT_SIDE_BUY, 0.01)); }), OT_OK);
    EXPECT_EQ(code_of([&] { ex.submit(order("ot-t-7", OT_SIDE_BUY, 0.01)); }), OT_OK);
    EXPECT_TRUE(venue_order("ot-t-6"));
    EXPECT_TRUE(venue_order("ot-t-7"));
    EXPECT_EQ(kinds(of(ex.poll(), "ot-t-7")),
              (std::vector<int32_t>{OT_REPORT_ACCEPTED, OT_REPORT_FILL}));
    EXPECT_EQ(code_of([&] { ex.submit(order("ot-t-7", OT_SIDE_BUY, 0.01)); }), OT_E_REJECTED)
        << "once placed, never sent twice";
    EXPECT_EQ(fake.with_venue([](rh::FakeVenue& v) { return v.duplicate_client_ids(); }), 0);
}

TEST_F(RobinhoodExecutor, TheTokenBucketRefusesBeyondTheBurstUntilItRefills) {
    ot::ExecutorInstance ex = make({{"burst", "6"}, {"requests_per_minute", "60"}});
    ex.balances();  // start took 2 tokens, balances 2 each
    ex.balances();
    const std::size_t seen = fake.requests().size();
    EXPECT_EQ(code_of([&] { ex.balances(); }), OT_E_RATE_LIMIT);
    EXPECT_EQ(fake.requests().size(), seen);
    EXPECT_TRUE(logged("no request token left"));
    advance(2000);
    EXPECT_EQ(code_of([&] { ex.balances(); }), OT_OK);
}

TEST_F(RobinhoodExecutor, APollWithoutTokensReadsNothingAndLosesNothing) {
    ot::ExecutorInstance ex = make({{"burst", "3"}, {"requests_per_minute", "60"}});
    ot::Order buy = order("ot-t-4", OT_SIDE_BUY, 0.01, OT_ORDER_LIMIT);
    buy.limit_price = 49000;
    ex.submit(buy);  // the last token
    fake.set_quote("BTC-USD", 48900, 48950);
    EXPECT_EQ(kinds(ex.poll()), (std::vector<int32_t>{OT_REPORT_ACCEPTED}));
    EXPECT_TRUE(logged("no request token left"));
    advance(1000);
    EXPECT_EQ(kinds(ex.poll()), (std::vector<int32_t>{OT_REPORT_FILL}));
}

// ---- protective legs -------------------------------------------------------------------------

class ProtectiveLegs : public RobinhoodExecutor {
  protected:
    ot::ExecutorInstance entry(double stop_loss, double take_profit) {
        ot::ExecutorInstance ex = make();
        ot::Order buy = order("ot-e-1", OT_SIDE_BUY, 0.1);
        buy.stop_loss = stop_loss;
        buy.take_profit = take_profit;
        ex.submit(buy);
        reports = ex.poll();
        return ex;
    }
    void cancels_pending_and_split_fills() {
        fake.with_venue([](rh::FakeVenue& v) {
            v.set_cancels_pending(true);
            v.set_split_fills(true);
            return 0;
        });
    }
    void complete_cancels() {
        fake.with_venue([&](rh::FakeVenue& v) {
            v.complete_cancels(host.now_ms());
            return 0;
        });
    }
    void split_fills() {
        fake.with_venue([](rh::FakeVenue& v) {
            v.set_split_fills(true);
            return 0;
        });
    }
    // A fault on the cancel request of any order.
    static rh::FaultRule cancel_fault(rh::Fault fault, int times, int retry_after_s = -1) {
        return {"POST", kOrdersPath, fault, times, retry_after_s, 0, false, "/cancel/"};
    }
    int cancel_requests() {
        int n = 0;
        for (const rh::SeenRequest& r : fake.requests())
            n += r.method == "POST" && is_cancel(r.target);
        return n;
    }
    std::vector<ot::Report> reports;
};

TEST_F(ProtectiveLegs, AStopLossRestsAtTheVenueOnceTheEntryFilled) {
    ot::ExecutorInstance ex = entry(45000, 0);
    std::optional<rh::FakeOrder> stop = venue_order("ot-e-1-sl");
    ASSERT_TRUE(stop);
    EXPECT_EQ(stop->type, "stop_loss");
    EXPECT_EQ(stop->side, "sell");
    EXPECT_EQ(stop->config["asset_quantity"], "0.1");
    EXPECT_EQ(stop->config["stop_price"], "45000");
    fake.set_quote("BTC-USD", 44000, 44020);
    std::vector<ot::Report> r = ex.poll();
    EXPECT_EQ(kinds(of(r, "ot-e-1-sl")), (std::vector<int32_t>{OT_REPORT_FILL}));
    EXPECT_DOUBLE_EQ(holding("BTC"), 0);
}

TEST_F(ProtectiveLegs, ATakeProfitAloneRestsAsALimitSell) {
    ot::ExecutorInstance ex = entry(0, 55000);
    std::optional<rh::FakeOrder> target = venue_order("ot-e-1-tp");
    ASSERT_TRUE(target);
    EXPECT_EQ(target->type, "limit");
    EXPECT_EQ(target->config["limit_price"], "55000");
}

TEST_F(ProtectiveLegs, WithBothTheStopRestsAndTheTargetWaitsBecauseTheVenueHoldsThePosition) {
    ot::ExecutorInstance ex = entry(45000, 55000);
    EXPECT_TRUE(venue_order("ot-e-1-sl"));
    EXPECT_FALSE(venue_order("ot-e-1-tp"));
    EXPECT_DOUBLE_EQ(fake.with_venue([](rh::FakeVenue& v) { return v.available("BTC"); }), 0);
    fake.set_quote("BTC-USD", 55100, 55120);  // the target is reached
    std::vector<ot::Report> r = ex.poll();
    EXPECT_EQ(venue_order("ot-e-1-sl")->state, "canceled");
    ASSERT_TRUE(venue_order("ot-e-1-tp"));
    EXPECT_EQ(venue_order("ot-e-1-tp")->type, "market");
    EXPECT_EQ(venue_order("ot-e-1-tp")->state, "filled");
    r = ex.poll();  // the take-profit's fill
    EXPECT_DOUBLE_EQ(holding("BTC"), 0);
    EXPECT_EQ(fake.with_venue([](rh::FakeVenue& v) { return v.duplicate_client_ids(); }), 0);
}

TEST_F(ProtectiveLegs, WhenTheStopFillsTheTargetIsCanceled) {
    ot::ExecutorInstance ex = entry(45000, 55000);
    fake.set_quote("BTC-USD", 44900, 44920);
    std::vector<ot::Report> r = ex.poll();
    EXPECT_EQ(kinds(of(r, "ot-e-1-sl")), (std::vector<int32_t>{OT_REPORT_FILL}));
    std::vector<ot::Report> tp = of(r, "ot-e-1-tp");
    ASSERT_EQ(kinds(tp), (std::vector<int32_t>{OT_REPORT_CANCELED}));
    EXPECT_NE(tp[0].text.find("one-cancels-other"), std::string::npos);
    fake.set_quote("BTC-USD", 56000, 56020);
    ex.poll();
    EXPECT_FALSE(venue_order("ot-e-1-tp"));
}

TEST_F(ProtectiveLegs, AnExitCancelsTheLegsFirstSoTheVenueCanSell) {
    ot::ExecutorInstance ex = entry(45000, 55000);
    ex.submit(order("ot-e-2", OT_SIDE_SELL, 0.1));
    EXPECT_EQ(venue_order("ot-e-1-sl")->state, "canceled");
    EXPECT_EQ(venue_order("ot-e-2")->state, "filled");
    EXPECT_DOUBLE_EQ(holding("BTC"), 0);
    std::vector<ot::Report> r = ex.poll();
    EXPECT_EQ(kinds(of(r, "ot-e-2")), (std::vector<int32_t>{OT_REPORT_ACCEPTED, OT_REPORT_FILL}));
    fake.set_quote("BTC-USD", 56000, 56020);
    ex.poll();
    EXPECT_FALSE(venue_order("ot-e-1-tp")) << "the target went with the position";
}

// The legs were canceled for an exit the venue then refused: the position is still held, and
// its legs rest again (under a new client id at the venue, their old ids for the core).
TEST_F(ProtectiveLegs, AnExitRefusedAfterTheLegsWereCanceledPutsThemBack) {
    ot::ExecutorInstance ex = entry(45000, 55000);
    std::string why = message_of([&] { ex.submit(order("ot-e-2", OT_SIDE_SELL, 0.2)); });
    EXPECT_NE(why.find("Insufficient holdings."), std::string::npos) << why;
    EXPECT_EQ(venue_order("ot-e-1-sl")->state, "canceled");
    std::optional<rh::FakeOrder> stop = venue_order("ot-e-1-sl#1");
    ASSERT_TRUE(stop) << "the stop-loss rests again";
    EXPECT_EQ(stop->state, "open");
    EXPECT_EQ(stop->config["asset_quantity"], "0.1");
    EXPECT_EQ(stop->config["stop_price"], "45000");
    EXPECT_TRUE(logged("is protected again by ot-e-1-sl"));
    std::vector<ot::Report> r = ex.poll();
    EXPECT_TRUE(of(r, "ot-e-1-tp").empty()) << "for the core the legs rest on";
    EXPECT_EQ(kinds(of(r, "ot-e-1-sl")), (std::vector<int32_t>{OT_REPORT_ACCEPTED}));
    fake.set_quote("BTC-USD", 55100, 55120);  // the target still acts
    r = ex.poll();
    EXPECT_EQ(kinds(of(r, "ot-e-1-sl")), (std::vector<int32_t>{OT_REPORT_CANCELED}));
    EXPECT_EQ(kinds(of(r, "ot-e-1-tp")),
              (std::vector<int32_t>{OT_REPORT_ACCEPTED, OT_REPORT_FILL}));
    EXPECT_DOUBLE_EQ(holding("BTC"), 0);
    EXPECT_EQ(fake.with_venue([](rh::FakeVenue& v) { return v.duplicate_client_ids(); }), 0);
}

TEST_F(ProtectiveLegs, AStopRefusedWhenPlacedAgainIsAnErrorSayingThePositionIsNotProtected) {
    ot::ExecutorInstance ex = entry(45000, 0);
    fake.with_venue([](rh::FakeVenue& v) {
        v.set_holding("BTC", 0.05);  // sold outside the bot: the stop no longer fits either
        return 0;
    });
    EXPECT_EQ(code_of([&] { ex.submit(order("ot-e-2", OT_SIDE_SELL, 0.1)); }), OT_E_REJECTED);
    EXPECT_FALSE(venue_order("ot-e-1-sl#1"));
    EXPECT_FALSE(host.logs_containing("is NOT protected", OT_LOG_ERROR).empty());
}

// The venue cancels asynchronously: a leg can still sell while an exit waits for its cancel, and
// the exit then sells only what is left.
TEST_F(ProtectiveLegs, AnExitHeldWhileTheStopIsCanceledSellsOnlyWhatTheStopLeft) {
    ot::ExecutorInstance ex = entry(45000, 0);
    cancels_pending_and_split_fills();
    ex.submit(order("ot-e-2", OT_SIDE_SELL, 0.1));
    EXPECT_EQ(kinds(of(ex.poll(), "ot-e-2")), (std::vector<int32_t>{OT_REPORT_ACCEPTED}));
    fake.set_quote("BTC-USD", 44000, 44020);  // the stop fires and sells half before the cancel
    complete_cancels();
    std::vector<ot::Report> r = ex.poll();
    EXPECT_EQ(kinds(of(r, "ot-e-1-sl")),
              (std::vector<int32_t>{OT_REPORT_FILL, OT_REPORT_CANCELED}));
    ASSERT_TRUE(venue_order("ot-e-2"));
    EXPECT_EQ(venue_order("ot-e-2")->config["asset_quantity"], "0.05");
    std::vector<ot::Report> exit = of(r, "ot-e-2");
    ASSERT_EQ(kinds(exit),
              (std::vector<int32_t>{OT_REPORT_ACCEPTED, OT_REPORT_FILL, OT_REPORT_EXPIRED}));
    EXPECT_DOUBLE_EQ(exit[2].cum_qty, 0.05);
    EXPECT_NE(exit[2].text.find("(ot-e-1-sl) sold 0.05"), std::string::npos) << exit[2].text;
    EXPECT_DOUBLE_EQ(holding("BTC"), 0);
}

TEST_F(ProtectiveLegs, AnExitHeldWhileTheStopSoldEverythingIsNotSent) {
    ot::ExecutorInstance ex = entry(45000, 0);
    fake.with_venue([](rh::FakeVenue& v) {
        v.set_cancels_pending(true);
        return 0;
    });
    ex.submit(order("ot-e-2", OT_SIDE_SELL, 0.1));
    fake.set_quote("BTC-USD", 44000, 44020);  // the stop sells all before the cancel
    std::vector<ot::Report> exit = of(ex.poll(), "ot-e-2");
    ASSERT_EQ(kinds(exit), (std::vector<int32_t>{OT_REPORT_ACCEPTED, OT_REPORT_EXPIRED}));
    EXPECT_NE(exit[1].text.find("nothing is left to sell"), std::string::npos) << exit[1].text;
    EXPECT_FALSE(venue_order("ot-e-2"));
}

TEST_F(ProtectiveLegs, AnExitHeldWhileTheTakeProfitIsCanceledSellsOnlyWhatItLeft) {
    ot::ExecutorInstance ex = entry(0, 55000);
    cancels_pending_and_split_fills();
    ex.submit(order("ot-e-2", OT_SIDE_SELL, 0.1));
    fake.set_quote("BTC-USD", 55100, 55120);  // the resting limit sell sells half
    std::vector<ot::Report> r = ex.poll();
    EXPECT_EQ(kinds(of(r, "ot-e-1-tp")), (std::vector<int32_t>{OT_REPORT_FILL}));
    EXPECT_EQ(kinds(of(r, "ot-e-2")), (std::vector<int32_t>{OT_REPORT_ACCEPTED}));
    complete_cancels();
    r = ex.poll();
    EXPECT_EQ(kinds(of(r, "ot-e-1-tp")), (std::vector<int32_t>{OT_REPORT_CANCELED}));
    ASSERT_TRUE(venue_order("ot-e-2"));
    EXPECT_EQ(venue_order("ot-e-2")->config["asset_quantity"], "0.05");
    EXPECT_EQ(kinds(of(r, "ot-e-2")),
              (std::vector<int32_t>{OT_REPORT_ACCEPTED, OT_REPORT_FILL, OT_REPORT_EXPIRED}));
    EXPECT_DOUBLE_EQ(holding("BTC"), 0);
}

// What the stop left is protected again when the smaller exit is refused too; the leg keeps
// its id and its earlier fill for the core.
TEST_F(ProtectiveLegs, AnExitRefusedAfterTheStopSoldPartProtectsWhatIsLeft) {
    ot::ExecutorInstance ex = entry(45000, 0);
    cancels_pending_and_split_fills();
    ex.submit(order("ot-e-2", OT_SIDE_SELL, 0.1));
    fake.set_quote("BTC-USD", 44000, 44020);
    complete_cancels();
    fake.set_quote("BTC-USD", 46000, 46020);
    fake.add_fault({"POST", kOrdersPath, rh::Fault::Refused, 1, -1, 0, true});
    std::vector<ot::Report> r = ex.poll();
    EXPECT_EQ(kinds(of(r, "ot-e-2")),
              (std::vector<int32_t>{OT_REPORT_ACCEPTED, OT_REPORT_REJECTED}));
    EXPECT_EQ(kinds(of(r, "ot-e-1-sl")), (std::vector<int32_t>{OT_REPORT_FILL, OT_REPORT_ACCEPTED}))
        << "for the core the leg rests on";
    std::optional<rh::FakeOrder> stop = venue_order("ot-e-1-sl#1");
    ASSERT_TRUE(stop) << "the stop-loss rests again for what is left";
    EXPECT_EQ(stop->state, "open");
    EXPECT_EQ(stop->config["asset_quantity"], "0.05");
    fake.with_venue([](rh::FakeVenue& v) {
        v.set_split_fills(false);
        return 0;
    });
    fake.set_quote("BTC-USD", 43000, 43020);
    std::vector<ot::Report> fills = of(ex.poll(), "ot-e-1-sl");
    ASSERT_EQ(kinds(fills), (std::vector<int32_t>{OT_REPORT_FILL}));
    EXPECT_DOUBLE_EQ(fills[0].qty, 0.05);
    EXPECT_DOUBLE_EQ(fills[0].cum_qty, 0.1);
    EXPECT_DOUBLE_EQ(holding("BTC"), 0);
    std::optional<std::vector<ot::Report>> q = ex.query_order("BTC/USD", "ot-e-1-sl");
    ASSERT_TRUE(q);
    EXPECT_DOUBLE_EQ(q->back().cum_qty, 0.1) << "a query counts the earlier venue order's fill";
}

// A throttled exit is sent again by the core, which lifts the legs again: meanwhile they rest.
TEST_F(ProtectiveLegs, AnExitThrottledAfterTheLegsWereCanceledPutsThemBack) {
    ot::ExecutorInstance ex = entry(45000, 0);
    fake.add_fault({"POST", kOrdersPath, rh::Fault::TooManyRequests, 1, 0, 0, true});
    EXPECT_EQ(code_of([&] { ex.submit(order("ot-e-2", OT_SIDE_SELL, 0.1)); }), OT_E_RATE_LIMIT);
    std::optional<rh::FakeOrder> stop = venue_order("ot-e-1-sl#1");
    ASSERT_TRUE(stop) << "the stop-loss rests again";
    EXPECT_EQ(stop->state, "open");
    EXPECT_EQ(kinds(of(ex.poll(), "ot-e-1-sl")), (std::vector<int32_t>{OT_REPORT_ACCEPTED}))
        << "for the core the leg rests on";
    ex.submit(order("ot-e-2", OT_SIDE_SELL, 0.1));
    EXPECT_EQ(venue_order("ot-e-1-sl#1")->state, "canceled");
    EXPECT_EQ(venue_order("ot-e-2")->state, "filled");
    EXPECT_DOUBLE_EQ(holding("BTC"), 0);
}

TEST_F(ProtectiveLegs, ALegThrottledWhenPutBackRestsAgainAtTheNextPoll) {
    ot::ExecutorInstance ex = entry(45000, 0);
    fake.add_fault({"POST", kOrdersPath, rh::Fault::TooManyRequests, 2, 0, 0, true});
    EXPECT_EQ(code_of([&] { ex.submit(order("ot-e-2", OT_SIDE_SELL, 0.1)); }), OT_E_RATE_LIMIT);
    EXPECT_FALSE(venue_order("ot-e-1-sl#1"));
    // Until the next poll no stop rests: said loudly.
    EXPECT_FALSE(host.logs_containing("is NOT protected: placing ot-e-1-sl was held back by the "
                                      "rate limit",
                                      OT_LOG_ERROR)
                     .empty());
    EXPECT_EQ(journaled("robinhood_protection_failed"), 1);
    advance(1000);
    EXPECT_EQ(kinds(of(ex.poll(), "ot-e-1-sl")), (std::vector<int32_t>{OT_REPORT_ACCEPTED}));
    ASSERT_TRUE(venue_order("ot-e-1-sl#1"));
    EXPECT_EQ(venue_order("ot-e-1-sl#1")->state, "open");
    EXPECT_EQ(journaled("robinhood_protection_restored"), 1);
}

// The venue did not take a leg's cancel (503): the exit waits while the leg still rests, and each
// poll asks for the cancel again until the venue has taken it; the exit then goes out.
TEST_F(ProtectiveLegs, AFailedCancelOfALegIsAskedAgainUntilTheVenueTookIt) {
    ot::ExecutorInstance ex = entry(45000, 0);
    fake.add_fault(cancel_fault(rh::Fault::ServerErrorBefore, 2));
    ex.submit(order("ot-e-2", OT_SIDE_SELL, 0.1));
    EXPECT_EQ(venue_order("ot-e-1-sl")->state, "open");
    EXPECT_TRUE(logged("exit ot-e-2 is held until ot-e-1-sl is canceled"));
    EXPECT_TRUE(logged("ot-e-1-sl still rests at the venue and can still sell"));
    EXPECT_EQ(kinds(of(ex.poll(), "ot-e-2")), (std::vector<int32_t>{OT_REPORT_ACCEPTED}));
    EXPECT_EQ(cancel_requests(), 2);
    EXPECT_FALSE(venue_order("ot-e-2"));
    std::vector<ot::Report> r = ex.poll();
    EXPECT_EQ(cancel_requests(), 3);
    EXPECT_EQ(venue_order("ot-e-1-sl")->state, "canceled");
    EXPECT_EQ(kinds(of(r, "ot-e-1-sl")), (std::vector<int32_t>{OT_REPORT_CANCELED}));
    EXPECT_EQ(kinds(of(r, "ot-e-2")), (std::vector<int32_t>{OT_REPORT_ACCEPTED, OT_REPORT_FILL}));
    EXPECT_DOUBLE_EQ(holding("BTC"), 0);
    EXPECT_TRUE(ex.poll().empty());
    EXPECT_EQ(cancel_requests(), 3) << "a cancel the venue took is not asked again";
}

// A cancel whose answer never came (the request did not reach the venue) or that was throttled is
// asked again too, and never while the venue's back-off lasts.
TEST_F(ProtectiveLegs, ACancelLostOnTheWayOrThrottledIsAskedAgainWithinTheRateLimit) {
    ot::ExecutorInstance ex = entry(45000, 0);
    bool lost = false;
    host.set_http_handler([&, loopback = rh::loopback_http()](const ot::HttpRequest& r) {
        if (is_cancel(r.url) && !lost) {
            lost = true;
            throw orchestrade::sdk::Error(OT_E_IO, "operation timed out");
        }
        return loopback(r);
    });
    fake.add_fault(cancel_fault(rh::Fault::TooManyRequests, 1, 5));
    ex.submit(order("ot-e-2", OT_SIDE_SELL, 0.1));
    EXPECT_TRUE(logged("operation timed out"));
    ex.poll();  // asked again: throttled
    EXPECT_EQ(cancel_requests(), 1);
    EXPECT_TRUE(logged("HTTP 429"));
    const std::size_t seen = fake.requests().size();
    EXPECT_TRUE(of(ex.poll(), "ot-e-2").empty());
    EXPECT_EQ(fake.requests().size(), seen) << "nothing is sent while the venue's back-off lasts";
    advance(5000);
    std::vector<ot::Report> r = ex.poll();
    EXPECT_EQ(cancel_requests(), 2);
    EXPECT_EQ(kinds(of(r, "ot-e-2")), (std::vector<int32_t>{OT_REPORT_ACCEPTED, OT_REPORT_FILL}));
    EXPECT_DOUBLE_EQ(holding("BTC"), 0);
}

// The stop fires and sells half while its cancel is being asked again: the exit sells the rest.
TEST_F(ProtectiveLegs, AStopThatSoldWhileItsCancelWasAskedAgainLeavesTheExitTheRest) {
    ot::ExecutorInstance ex = entry(45000, 0);
    split_fills();
    fake.add_fault(cancel_fault(rh::Fault::ServerErrorBefore, 1));
    ex.submit(order("ot-e-2", OT_SIDE_SELL, 0.1));
    fake.set_quote("BTC-USD", 44000, 44020);
    std::vector<ot::Report> r = ex.poll();
    EXPECT_EQ(kinds(of(r, "ot-e-1-sl")),
              (std::vector<int32_t>{OT_REPORT_FILL, OT_REPORT_CANCELED}));
    ASSERT_TRUE(venue_order("ot-e-2"));
    EXPECT_EQ(venue_order("ot-e-2")->config["asset_quantity"], "0.05");
    std::vector<ot::Report> exit = of(r, "ot-e-2");
    ASSERT_EQ(kinds(exit), (std::vector<int32_t>{OT_REPORT_ACCEPTED, OT_REPORT_ACCEPTED,
                                                 OT_REPORT_FILL, OT_REPORT_EXPIRED}));
    EXPECT_NE(exit[3].text.find("(ot-e-1-sl) sold 0.05"), std::string::npos) << exit[3].text;
    EXPECT_DOUBLE_EQ(holding("BTC"), 0);
}

// A take-profit reached while the stop's cancel fails waits for the stop, which is asked again.
TEST_F(ProtectiveLegs, ATakeProfitWhoseStopCancelFailedGoesOutOnceTheCancelIsTaken) {
    ot::ExecutorInstance ex = entry(45000, 55000);
    fake.add_fault(cancel_fault(rh::Fault::ServerErrorBefore, 1));
    fake.set_quote("BTC-USD", 55100, 55120);
    ex.poll();
    EXPECT_EQ(venue_order("ot-e-1-sl")->state, "open");
    EXPECT_FALSE(venue_order("ot-e-1-tp"));
    EXPECT_TRUE(logged("take-profit ot-e-1-tp is held until ot-e-1-sl is canceled"));
    std::vector<ot::Report> r = ex.poll();
    EXPECT_EQ(kinds(of(r, "ot-e-1-sl")), (std::vector<int32_t>{OT_REPORT_CANCELED}));
    EXPECT_EQ(kinds(of(r, "ot-e-1-tp")),
              (std::vector<int32_t>{OT_REPORT_ACCEPTED, OT_REPORT_FILL}));
    EXPECT_DOUBLE_EQ(holding("BTC"), 0);
}

// The core sends a throttled exit again at the size it first asked; the stop put back meanwhile
// sold part of the position: the exit goes out for what is still held.
TEST_F(ProtectiveLegs, AThrottledExitSentAgainSellsOnlyWhatTheLegsLeft) {
    ot::ExecutorInstance ex = entry(45000, 0);
    fake.add_fault({"POST", kOrdersPath, rh::Fault::TooManyRequests, 1, 0, 0, true});
    EXPECT_EQ(code_of([&] { ex.submit(order("ot-e-2", OT_SIDE_SELL, 0.1)); }), OT_E_RATE_LIMIT);
    ASSERT_TRUE(venue_order("ot-e-1-sl#1"));
    split_fills();
    fake.set_quote("BTC-USD", 44000, 44020);  // the stop put back sells half
    EXPECT_EQ(kinds(of(ex.poll(), "ot-e-1-sl")),
              (std::vector<int32_t>{OT_REPORT_ACCEPTED, OT_REPORT_FILL}));
    EXPECT_EQ(code_of([&] { ex.submit(order("ot-e-2", OT_SIDE_SELL, 0.1)); }), OT_OK);
    ASSERT_TRUE(venue_order("ot-e-2"));
    EXPECT_EQ(venue_order("ot-e-2")->config["asset_quantity"], "0.05");
    std::vector<ot::Report> exit = of(ex.poll(), "ot-e-2");
    ASSERT_EQ(kinds(exit),
              (std::vector<int32_t>{OT_REPORT_ACCEPTED, OT_REPORT_FILL, OT_REPORT_EXPIRED}));
    EXPECT_DOUBLE_EQ(exit[2].cum_qty, 0.05);
    EXPECT_NE(exit[2].text.find("(ot-e-1-sl) sold 0.05"), std::string::npos) << exit[2].text;
    EXPECT_FALSE(venue_order("ot-e-1-sl#2")) << "nothing is put back: the exit sold the rest";
    EXPECT_DOUBLE_EQ(holding("BTC"), 0);
    EXPECT_EQ(fake.with_venue([](rh::FakeVenue& v) { return v.duplicate_client_ids(); }), 0);
}

TEST_F(ProtectiveLegs, AThrottledExitSentAgainAfterTheLegsSoldEverythingIsNotSent) {
    ot::ExecutorInstance ex = entry(45000, 0);
    fake.add_fault({"POST", kOrdersPath, rh::Fault::TooManyRequests, 1, 0, 0, true});
    EXPECT_EQ(code_of([&] { ex.submit(order("ot-e-2", OT_SIDE_SELL, 0.1)); }), OT_E_RATE_LIMIT);
    fake.set_quote("BTC-USD", 44000, 44020);  // the stop put back sells everything
    ex.poll();
    EXPECT_EQ(code_of([&] { ex.submit(order("ot-e-2", OT_SIDE_SELL, 0.1)); }), OT_OK);
    EXPECT_FALSE(venue_order("ot-e-2"));
    std::vector<ot::Report> exit = of(ex.poll(), "ot-e-2");
    ASSERT_EQ(kinds(exit), (std::vector<int32_t>{OT_REPORT_EXPIRED}));
    EXPECT_NE(exit[0].text.find("nothing is left to sell"), std::string::npos) << exit[0].text;
    EXPECT_FALSE(venue_order("ot-e-1-sl#2"));
    EXPECT_DOUBLE_EQ(holding("BTC"), 0);
}

TEST_F(ProtectiveLegs, LegsSentByTheCoreWithAParentBehaveTheSame) {
    ot::ExecutorInstance ex = make();
    ex.submit(order("ot-p-1", OT_SIDE_BUY, 0.1));
    ot::Order stop = order("ot-p-2", OT_SIDE_SELL, 0.1, OT_ORDER_STOP_MARKET);
    stop.stop_price = 45000;
    stop.parent_client_order_id = "ot-p-1";
    ot::Order target = order("ot-p-3", OT_SIDE_SELL, 0.1, OT_ORDER_TAKE_PROFIT_MARKET);
    target.stop_price = 55000;
    target.parent_client_order_id = "ot-p-1";
    ex.submit(stop);
    ex.submit(target);
    EXPECT_EQ(venue_order("ot-p-2")->type, "stop_loss");
    EXPECT_FALSE(venue_order("ot-p-3")) << "held until its level";
    EXPECT_EQ(kinds(of(ex.poll(), "ot-p-3")), (std::vector<int32_t>{OT_REPORT_ACCEPTED}));
    fake.set_quote("BTC-USD", 55100, 55120);
    std::vector<ot::Report> r = ex.poll();
    EXPECT_EQ(kinds(of(r, "ot-p-2")), (std::vector<int32_t>{OT_REPORT_CANCELED}));
    EXPECT_EQ(kinds(of(r, "ot-p-3")), (std::vector<int32_t>{OT_REPORT_ACCEPTED, OT_REPORT_FILL}));
    EXPECT_DOUBLE_EQ(holding("BTC"), 0);
}

// A bot that has finished more orders than the executor remembers (500): the poll in which its
// take-profit goes out also forgets the oldest, and must not read them once forgotten.
TEST_F(ProtectiveLegs, ATakeProfitGoesOutInThePollThatForgetsOldOrders) {
    { ot::ExecutorInstance first = entry(45000, 55000); }
    nlohmann::json book = nlohmann::json::parse(host.kv().at("orders"));
    nlohmann::json done;
    for (const nlohmann::json& o : book["orders"])
        if (o["id"] == "ot-e-1") done = o;
    for (int i = 0; i < 501; ++i) {  // finished after the legs were placed
        done["id"] = "ot-old-" + std::to_string(i);
        done["seq"] = book["next_seq"];
        book["next_seq"] = book["next_seq"].get<uint64_t>() + 1;
        book["orders"].push_back(done);
    }
    host.kv()["orders"] = book.dump();
    ot::ExecutorInstance ex = make();
    fake.set_quote("BTC-USD", 55100, 55120);  // the target is reached
    std::vector<ot::Report> r = ex.poll();
    EXPECT_EQ(kinds(of(r, "ot-e-1-sl")), (std::vector<int32_t>{OT_REPORT_CANCELED}));
    EXPECT_EQ(kinds(of(r, "ot-e-1-tp")),
              (std::vector<int32_t>{OT_REPORT_ACCEPTED, OT_REPORT_FILL}));
    EXPECT_DOUBLE_EQ(holding("BTC"), 0);
}

// ---- keeping the position protected --------------------------------------------------------
// While the bot holds a position whose entry had a stop-loss, a stop-loss rests at the venue for
// what is held, or an error says it does not (level error, "NOT protected", a journaled event).

// (1) The stop's cancel failed at first, so the exit was held; once the cancel is taken, the exit
// is throttled: nothing protects the position until it goes out, and the error says so.
TEST_F(ProtectiveLegs, AHeldExitThrottledAfterTheStopWasCanceledSaysThePositionIsNotProtected) {
    ot::ExecutorInstance ex = entry(45000, 0);
    fake.add_fault(cancel_fault(rh::Fault::ServerErrorBefore, 1));
    ex.submit(order("ot-e-2", OT_SIDE_SELL, 0.1));
    fake.add_fault({"POST", kOrdersPath, rh::Fault::TooManyRequests, 1, 0, 0, true});
    EXPECT_EQ(kinds(of(ex.poll(), "ot-e-2")), (std::vector<int32_t>{OT_REPORT_ACCEPTED}));
    EXPECT_EQ(venue_order("ot-e-1-sl")->state, "canceled");
    EXPECT_FALSE(venue_order("ot-e-2"));
    EXPECT_FALSE(
        host.logs_containing("is NOT protected: exit ot-e-2 is held back by the rate limit",
                             OT_LOG_ERROR)
            .empty());
    EXPECT_EQ(journaled("robinhood_protection_failed"), 1);
    advance(1000);
    std::vector<ot::Report> r = ex.poll();
    EXPECT_EQ(kinds(of(r, "ot-e-2")), (std::vector<int32_t>{OT_REPORT_ACCEPTED, OT_REPORT_FILL}));
    EXPECT_EQ(kinds(of(r, "ot-e-1-sl")), (std::vector<int32_t>{OT_REPORT_CANCELED}));
    EXPECT_DOUBLE_EQ(holding("BTC"), 0);
    EXPECT_FALSE(venue_order("ot-e-1-sl#1")) << "the exit sold the position: nothing to put back";
    ex.poll();
    EXPECT_EQ(journaled("robinhood_protection_failed"), 1) << "said once";
}

// (1) The core drops an order the rate limit held back for 5 min as stale; an exit the executor
// holds is dropped the same way, and the stop it lifted rests again.
TEST_F(ProtectiveLegs, AHeldExitThrottledForMoreThanFiveMinutesIsDroppedAndTheStopRestsAgain) {
    ot::ExecutorInstance ex = entry(45000, 0);
    fake.add_fault(cancel_fault(rh::Fault::ServerErrorBefore, 1));
    ex.submit(order("ot-e-2", OT_SIDE_SELL, 0.1));
    fake.add_fault({"POST", kOrdersPath, rh::Fault::TooManyRequests, 2, 0, 0, true});
    ex.poll();  // the cancel is taken, the exit throttled
    advance(120000);
    EXPECT_EQ(kinds(of(ex.poll(), "ot-e-2")), std::vector<int32_t>{}) << "throttled again";
    advance(200000);
    std::vector<ot::Report> r = ex.poll();
    std::vector<ot::Report> exit = of(r, "ot-e-2");
    ASSERT_EQ(kinds(exit), (std::vector<int32_t>{OT_REPORT_REJECTED}));
    EXPECT_NE(exit[0].text.find("the signal is stale"), std::string::npos) << exit[0].text;
    EXPECT_FALSE(venue_order("ot-e-2"));
    std::optional<rh::FakeOrder> stop = venue_order("ot-e-1-sl#1");
    ASSERT_TRUE(stop) << "the stop-loss rests again";
    EXPECT_EQ(stop->state, "open");
    EXPECT_EQ(stop->config["asset_quantity"], "0.1");
    EXPECT_EQ(kinds(of(r, "ot-e-1-sl")), (std::vector<int32_t>{OT_REPORT_ACCEPTED}))
        << "for the core the leg rests on";
    EXPECT_EQ(journaled("robinhood_protection_restored"), 1);
    EXPECT_DOUBLE_EQ(holding("BTC"), 0.1);
}

// (1) The same for a take-profit that reached its level: it waits for its level again.
TEST_F(ProtectiveLegs, ATakeProfitThrottledForMoreThanFiveMinutesWaitsAgainBesideTheStop) {
    ot::ExecutorInstance ex = entry(45000, 55000);
    fake.add_fault({"POST", kOrdersPath, rh::Fault::TooManyRequests, 1, 0, 0, true});
    fake.set_quote("BTC-USD", 55100, 55120);
    ex.poll();
    EXPECT_EQ(venue_order("ot-e-1-sl")->state, "canceled");
    EXPECT_FALSE(venue_order("ot-e-1-tp"));
    EXPECT_FALSE(
        host.logs_containing("is NOT protected: take-profit ot-e-1-tp is held back", OT_LOG_ERROR)
            .empty());
    fake.set_quote("BTC-USD", 50000, 50020);  // back below the level
    advance(301000);
    ex.poll();
    ASSERT_TRUE(venue_order("ot-e-1-sl#1")) << "the stop-loss rests again";
    EXPECT_EQ(venue_order("ot-e-1-sl#1")->state, "open");
    EXPECT_FALSE(venue_order("ot-e-1-tp"));
    fake.set_quote("BTC-USD", 55100, 55120);  // the level again: it acts as before
    std::vector<ot::Report> r = ex.poll();
    EXPECT_EQ(venue_order("ot-e-1-sl#1")->state, "canceled");
    EXPECT_EQ(kinds(of(r, "ot-e-1-tp")),
              (std::vector<int32_t>{OT_REPORT_ACCEPTED, OT_REPORT_FILL}));
    EXPECT_EQ(kinds(of(r, "ot-e-1-sl")), (std::vector<int32_t>{OT_REPORT_CANCELED}));
    EXPECT_DOUBLE_EQ(holding("BTC"), 0);
}

// (2) The venue refuses the take-profit's market order once the stop was canceled for it: the
// stop rests again, and the position is protected by it alone.
TEST_F(ProtectiveLegs, ATakeProfitTheVenueRefusesLeavesTheStopRestingAgain) {
    ot::ExecutorInstance ex = entry(45000, 55000);
    fake.add_fault({"POST", kOrdersPath, rh::Fault::Refused, 1, -1, 0, true});
    fake.set_quote("BTC-USD", 55100, 55120);
    std::vector<ot::Report> r = ex.poll();
    EXPECT_EQ(kinds(of(r, "ot-e-1-tp")), (std::vector<int32_t>{OT_REPORT_REJECTED}));
    EXPECT_EQ(venue_order("ot-e-1-sl")->state, "canceled");
    std::optional<rh::FakeOrder> stop = venue_order("ot-e-1-sl#1");
    ASSERT_TRUE(stop) << "the stop-loss rests again";
    EXPECT_EQ(stop->state, "open");
    EXPECT_EQ(stop->config["asset_quantity"], "0.1");
    EXPECT_EQ(kinds(of(r, "ot-e-1-sl")), (std::vector<int32_t>{OT_REPORT_ACCEPTED}))
        << "for the core the leg rests on";
    EXPECT_TRUE(
        logged("take-profit ot-e-1-tp was refused: the BTC/USD position of ot-e-1 (0.1) "
               "is protected again by ot-e-1-sl"));
    fake.set_quote("BTC-USD", 44000, 44020);
    EXPECT_EQ(kinds(of(ex.poll(), "ot-e-1-sl")), (std::vector<int32_t>{OT_REPORT_FILL}));
    EXPECT_DOUBLE_EQ(holding("BTC"), 0);
    EXPECT_EQ(fake.with_venue([](rh::FakeVenue& v) { return v.duplicate_client_ids(); }), 0);
}

// (3) The venue refuses the first stop-loss: an error says the position is not protected, and
// the stop is placed again stop_retry_s later.
TEST_F(ProtectiveLegs, AStopTheVenueRefusesIsPlacedAgainLater) {
    rh::FaultRule refused{"POST", kOrdersPath, rh::Fault::Refused, 1, -1, 0, true};
    refused.pass_first = 1;  // the entry goes out; its stop is refused
    fake.add_fault(refused);
    ot::ExecutorInstance ex = entry(45000, 0);
    EXPECT_TRUE(of(reports, "ot-e-1-sl").empty()) << "for the core it is still on its way";
    EXPECT_FALSE(venue_order("ot-e-1-sl"));
    EXPECT_FALSE(host.logs_containing("is NOT protected: the venue refused its stop-loss ot-e-1-sl",
                                      OT_LOG_ERROR)
                     .empty());
    ASSERT_EQ(journaled("robinhood_protection_failed"), 1);
    nlohmann::json event = nlohmann::json::parse(host.journal().back().json);
    EXPECT_EQ(event["entry"], "ot-e-1");
    EXPECT_EQ(event["leg"], "ot-e-1-sl");
    EXPECT_DOUBLE_EQ(event["qty"].get<double>(), 0.1);
    advance(10000);
    ex.poll();
    EXPECT_EQ(placements(), 2) << "not before stop_retry_s";
    advance(21000);
    EXPECT_EQ(kinds(of(ex.poll(), "ot-e-1-sl")), (std::vector<int32_t>{OT_REPORT_ACCEPTED}));
    std::optional<rh::FakeOrder> stop = venue_order("ot-e-1-sl#1");
    ASSERT_TRUE(stop);
    EXPECT_EQ(stop->state, "open");
    EXPECT_EQ(stop->config["asset_quantity"], "0.1");
    EXPECT_EQ(journaled("robinhood_protection_restored"), 1);
    fake.set_quote("BTC-USD", 44000, 44020);
    EXPECT_EQ(kinds(of(ex.poll(), "ot-e-1-sl")), (std::vector<int32_t>{OT_REPORT_FILL}));
    EXPECT_DOUBLE_EQ(holding("BTC"), 0);
}

// (3) The stop's placement got no answer, and it proves absent once its signature expired: it is
// placed again at once, not reported rejected.
TEST_F(ProtectiveLegs, AStopThatNeverReachedTheVenueIsPlacedAgainOnceProvenAbsent) {
    rh::FaultRule lost{"POST", kOrdersPath, rh::Fault::ServerErrorBefore, 1, -1, 0, true};
    lost.pass_first = 1;
    fake.add_fault(lost);
    ot::ExecutorInstance ex = entry(45000, 0);
    EXPECT_TRUE(ex.poll().empty()) << "inside the signature window: no conclusion yet";
    advance(36000);
    std::vector<ot::Report> r = ex.poll();
    EXPECT_EQ(kinds(of(r, "ot-e-1-sl")), (std::vector<int32_t>{OT_REPORT_ACCEPTED}));
    EXPECT_FALSE(venue_order("ot-e-1-sl"));
    ASSERT_TRUE(venue_order("ot-e-1-sl#1"));
    EXPECT_EQ(venue_order("ot-e-1-sl#1")->state, "open");
    EXPECT_FALSE(host.logs_containing("is NOT protected: its stop-loss ot-e-1-sl never reached the "
                                      "venue",
                                      OT_LOG_ERROR)
                     .empty());
    EXPECT_EQ(journaled("robinhood_protection_failed"), 1);
    EXPECT_EQ(journaled("robinhood_protection_restored"), 1);
}

// (3) A stop put back after a refused exit is refused too (coins sold outside the bot): it is
// placed again later for what the account still holds.
TEST_F(ProtectiveLegs, AStopRefusedWhenPutBackIsPlacedAgainForWhatTheAccountHolds) {
    ot::ExecutorInstance ex = entry(45000, 0);
    fake.with_venue([](rh::FakeVenue& v) {
        v.set_holding("BTC", 0.05);
        return 0;
    });
    EXPECT_EQ(code_of([&] { ex.submit(order("ot-e-2", OT_SIDE_SELL, 0.1)); }), OT_E_REJECTED);
    EXPECT_FALSE(venue_order("ot-e-1-sl#1"));
    EXPECT_EQ(journaled("robinhood_protection_failed"), 1);
    EXPECT_TRUE(of(ex.poll(), "ot-e-1-sl").empty()) << "for the core the leg rests on";
    advance(31000);
    EXPECT_EQ(kinds(of(ex.poll(), "ot-e-1-sl")), (std::vector<int32_t>{OT_REPORT_ACCEPTED}));
    std::optional<rh::FakeOrder> stop = venue_order("ot-e-1-sl#2");
    ASSERT_TRUE(stop);
    EXPECT_EQ(stop->state, "open");
    EXPECT_EQ(stop->config["asset_quantity"], "0.05");
    EXPECT_EQ(journaled("robinhood_protection_restored"), 1);
}

// (3) When the account holds nothing any more, the stop is not placed again and the position is
// no longer watched; the core hears the leg is over.
TEST_F(ProtectiveLegs, AStopIsNotPlacedAgainWhenTheAccountHoldsNothingAnyMore) {
    ot::ExecutorInstance ex = entry(45000, 0);
    fake.with_venue([](rh::FakeVenue& v) {
        v.set_holding("BTC", 0);
        return 0;
    });
    EXPECT_EQ(code_of([&] { ex.submit(order("ot-e-2", OT_SIDE_SELL, 0.1)); }), OT_E_REJECTED);
    ex.poll();
    advance(31000);
    std::vector<ot::Report> r = of(ex.poll(), "ot-e-1-sl");
    ASSERT_EQ(kinds(r), (std::vector<int32_t>{OT_REPORT_CANCELED}));
    EXPECT_NE(r[0].text.find("not placed again"), std::string::npos) << r[0].text;
    EXPECT_FALSE(venue_order("ot-e-1-sl#2"));
    EXPECT_EQ(journaled("robinhood_protection_ended"), 1);
    advance(60000);
    ex.poll();
    EXPECT_EQ(placements(), 4) << "entry, stop, exit, the stop put back; nothing more";
}

// (3) A stop the venue booked although it answered with a refusal is found resting under its
// earlier client id before it would be placed again: never two stops for the same coins.
TEST_F(ProtectiveLegs, AStopAlreadyRestingUnderAnEarlierClientIdIsFollowedNotPlacedAgain) {
    int posts = 0;
    host.set_http_handler([&, loopback = rh::loopback_http()](const ot::HttpRequest& r) {
        ot::HttpReply reply = loopback(r);
        if (r.method == "POST" && !is_cancel(r.url) && ++posts == 2) {  // the stop
            reply.status = 400;
            reply.body = R"({"type":"validation_error","errors":[{"detail":"Try again."}]})";
        }
        return reply;
    });
    ot::ExecutorInstance ex = entry(45000, 0);
    EXPECT_EQ(venue_order("ot-e-1-sl")->state, "open") << "booked, though refused";
    advance(31000);
    EXPECT_EQ(kinds(of(ex.poll(), "ot-e-1-sl")), (std::vector<int32_t>{OT_REPORT_ACCEPTED}));
    EXPECT_FALSE(venue_order("ot-e-1-sl#1")) << "not placed a second time";
    EXPECT_EQ(posts, 2);
    EXPECT_TRUE(logged("ot-e-1-sl already rests at the venue"));
    fake.set_quote("BTC-USD", 44000, 44020);
    EXPECT_EQ(kinds(of(ex.poll(), "ot-e-1-sl")), (std::vector<int32_t>{OT_REPORT_FILL}));
    EXPECT_DOUBLE_EQ(holding("BTC"), 0);
}

// (3) A stop whose placement got no answer is lifted by an exit meanwhile; proven absent, it is
// the exit's to give back, not placed again only to be canceled.
TEST_F(ProtectiveLegs, AnAbsentStopAnExitLiftedIsNotPlacedAgainBeforeTheExit) {
    rh::FaultRule lost{"POST", kOrdersPath, rh::Fault::ServerErrorBefore, 1, -1, 0, true};
    lost.pass_first = 1;
    fake.add_fault(lost);
    ot::ExecutorInstance ex = entry(45000, 0);
    ex.submit(order("ot-e-2", OT_SIDE_SELL, 0.1));  // waits for the stop's outcome
    EXPECT_FALSE(venue_order("ot-e-2"));
    advance(36000);
    std::vector<ot::Report> r = ex.poll();
    EXPECT_EQ(kinds(of(r, "ot-e-2")),
              (std::vector<int32_t>{OT_REPORT_ACCEPTED, OT_REPORT_ACCEPTED, OT_REPORT_FILL}));
    EXPECT_FALSE(venue_order("ot-e-1-sl#1"));
    EXPECT_EQ(placements(), 3) << "entry, the stop that never arrived, exit";
    EXPECT_DOUBLE_EQ(holding("BTC"), 0);
    EXPECT_EQ(journaled("robinhood_protection_failed"), 0);
}

// A restart while an exit holds the stop it canceled: the core's query still finds the stop on
// (with its fills, without the cancel), so that it can rest again under its id.
TEST_F(ProtectiveLegs, AQueryWhileAnExitOwesTheStopBackKeepsItOpenForTheCore) {
    {
        ot::ExecutorInstance first = entry(45000, 0);
        fake.add_fault(cancel_fault(rh::Fault::ServerErrorBefore, 1));
        first.submit(order("ot-e-2", OT_SIDE_SELL, 0.1));
        fake.add_fault({"POST", kOrdersPath, rh::Fault::TooManyRequests, 1, 0, 0, true});
        first.poll();  // the stop canceled, the exit throttled
    }
    ot::ExecutorInstance ex = make();
    std::optional<std::vector<ot::Report>> q = ex.query_order("BTC/USD", "ot-e-1-sl");
    ASSERT_TRUE(q);
    EXPECT_EQ(kinds(*q), (std::vector<int32_t>{OT_REPORT_ACCEPTED})) << "no cancel";
    advance(301000);  // the exit is stale by now
    std::vector<ot::Report> r = ex.poll();
    EXPECT_EQ(kinds(of(r, "ot-e-2")), (std::vector<int32_t>{OT_REPORT_REJECTED}));
    EXPECT_EQ(kinds(of(r, "ot-e-1-sl")), (std::vector<int32_t>{OT_REPORT_ACCEPTED}));
    ASSERT_TRUE(venue_order("ot-e-1-sl#1"));
    EXPECT_EQ(venue_order("ot-e-1-sl#1")->state, "open");
}

// (4) An exit smaller than the position: the stop rests again for the rest.
TEST_F(ProtectiveLegs, AnExitSmallerThanThePositionLeavesTheStopRestingForTheRest) {
    ot::ExecutorInstance ex = entry(45000, 0);
    ex.submit(order("ot-e-2", OT_SIDE_SELL, 0.04));
    EXPECT_EQ(venue_order("ot-e-2")->state, "filled");
    EXPECT_EQ(venue_order("ot-e-1-sl")->state, "canceled");
    std::optional<rh::FakeOrder> stop = venue_order("ot-e-1-sl#1");
    ASSERT_TRUE(stop) << "the rest is protected";
    EXPECT_EQ(stop->state, "open");
    EXPECT_EQ(stop->config["asset_quantity"], "0.06");
    std::vector<ot::Report> r = ex.poll();
    EXPECT_EQ(kinds(of(r, "ot-e-1-sl")), (std::vector<int32_t>{OT_REPORT_ACCEPTED}))
        << "for the core the leg rests on";
    EXPECT_EQ(journaled("robinhood_protection_failed"), 0);
    fake.set_quote("BTC-USD", 44000, 44020);
    std::vector<ot::Report> fills = of(ex.poll(), "ot-e-1-sl");
    ASSERT_EQ(kinds(fills), (std::vector<int32_t>{OT_REPORT_FILL, OT_REPORT_EXPIRED}));
    EXPECT_DOUBLE_EQ(fills[0].qty, 0.06);
    EXPECT_NE(fills[1].text.find("exits sold 0.04"), std::string::npos) << fills[1].text;
    EXPECT_NEAR(holding("BTC"), 0, 1e-12);
}

// (4) With a take-profit too: both legs go on for the rest.
TEST_F(ProtectiveLegs, AnExitSmallerThanThePositionLeavesBothLegsForTheRest) {
    ot::ExecutorInstance ex = entry(45000, 55000);
    ex.submit(order("ot-e-2", OT_SIDE_SELL, 0.04));
    ASSERT_TRUE(venue_order("ot-e-1-sl#1"));
    EXPECT_EQ(venue_order("ot-e-1-sl#1")->config["asset_quantity"], "0.06");
    ex.poll();
    fake.set_quote("BTC-USD", 55100, 55120);
    std::vector<ot::Report> r = ex.poll();
    EXPECT_EQ(venue_order("ot-e-1-sl#1")->state, "canceled");
    ASSERT_TRUE(venue_order("ot-e-1-tp#1"));
    EXPECT_EQ(venue_order("ot-e-1-tp#1")->config["asset_quantity"], "0.06");
    EXPECT_EQ(kinds(of(r, "ot-e-1-tp")),
              (std::vector<int32_t>{OT_REPORT_ACCEPTED, OT_REPORT_FILL, OT_REPORT_EXPIRED}));
    EXPECT_NEAR(holding("BTC"), 0, 1e-12);
}

// (5) The entry filled, and an exit arrived before the poll that places its legs; the venue
// refused the exit: the legs are placed after all.
TEST_F(ProtectiveLegs, AnExitRefusedBeforeTheLegsWerePlacedLeavesThemPlaced) {
    ot::ExecutorInstance ex = make();
    ot::Order buy = order("ot-e-1", OT_SIDE_BUY, 0.1);
    buy.stop_loss = 45000;
    ex.submit(buy);  // filled at once; its legs go out at the next poll
    fake.add_fault({"POST", kOrdersPath, rh::Fault::Refused, 1, -1, 0, true});
    EXPECT_EQ(code_of([&] { ex.submit(order("ot-e-2", OT_SIDE_SELL, 0.1)); }), OT_E_REJECTED);
    ex.poll();
    std::optional<rh::FakeOrder> stop = venue_order("ot-e-1-sl#1");
    ASSERT_TRUE(stop) << "the position is protected";
    EXPECT_EQ(stop->state, "open");
    EXPECT_EQ(stop->config["asset_quantity"], "0.1");
    EXPECT_EQ(placements(), 3) << "entry, refused exit, stop";
}

TEST_F(ProtectiveLegs, AnExitThrottledBeforeTheLegsWerePlacedLeavesThemPlaced) {
    ot::ExecutorInstance ex = make();
    ot::Order buy = order("ot-e-1", OT_SIDE_BUY, 0.1);
    buy.stop_loss = 45000;
    ex.submit(buy);
    fake.add_fault({"POST", kOrdersPath, rh::Fault::TooManyRequests, 1, 0, 0, true});
    EXPECT_EQ(code_of([&] { ex.submit(order("ot-e-2", OT_SIDE_SELL, 0.1)); }), OT_E_RATE_LIMIT);
    ASSERT_TRUE(venue_order("ot-e-1-sl#1")) << "the position is protected";
    EXPECT_EQ(venue_order("ot-e-1-sl#1")->state, "open");
    ex.poll();
    ex.submit(order("ot-e-2", OT_SIDE_SELL, 0.1));  // the core sends it again
    EXPECT_EQ(venue_order("ot-e-1-sl#1")->state, "canceled");
    EXPECT_EQ(venue_order("ot-e-2")->state, "filled");
    EXPECT_DOUBLE_EQ(holding("BTC"), 0);
}

// (5) A sell arriving while an entry still rests does not cost that entry its legs.
TEST_F(ProtectiveLegs, ASellWhileTheEntryStillRestsLeavesTheEntryItsLegs) {
    fake.with_venue([](rh::FakeVenue& v) {
        v.set_holding("BTC", 1);
        return 0;
    });
    ot::ExecutorInstance ex = make();
    ot::Order buy = order("ot-e-1", OT_SIDE_BUY, 0.1, OT_ORDER_LIMIT);
    buy.limit_price = 49000;
    buy.stop_loss = 45000;
    ex.submit(buy);
    ot::Order sell = order("ot-e-2", OT_SIDE_SELL, 0.2, OT_ORDER_LIMIT);
    sell.limit_price = 60000;
    ex.submit(sell);
    ex.poll();
    fake.set_quote("BTC-USD", 48900, 48950);  // the entry fills
    ex.poll();
    std::optional<rh::FakeOrder> stop = venue_order("ot-e-1-sl");
    ASSERT_TRUE(stop);
    EXPECT_EQ(stop->state, "open");
    EXPECT_EQ(stop->config["asset_quantity"], "0.1");
}

// (6) The process is killed right after the stop's cancel went out for an exit, before the exit
// was placed: the restarted executor still knows the exit (its record was saved before the
// cancel), tells the core it holds it, and sends it.
class KilledAfterTheCancels : public ProtectiveLegs {
  protected:
    // Runs the exit in a process killed at its first cancel request: the venue takes the cancel,
    // and the process sends nothing more. Returns the state saved until then.
    std::map<std::string, std::string> exit_killed_at_the_cancel() {
        std::map<std::string, std::string> saved;
        {
            ot::ExecutorInstance first = entry(45000, 0);
            bool killed = false;
            host.set_http_handler([&, loopback = rh::loopback_http()](const ot::HttpRequest& r) {
                if (killed) throw orchestrade::sdk::Error(OT_E_IO, "the process is gone");
                if (!is_cancel(r.url)) return loopback(r);
                killed = true;
                saved = host.kv();
                loopback(r);
                throw orchestrade::sdk::Error(OT_E_IO, "the process is gone");
            });
            code_of([&] { first.submit(order("ot-e-2", OT_SIDE_SELL, 0.1)); });
        }
        host.set_http_handler(rh::loopback_http());
        EXPECT_EQ(venue_order("ot-e-1-sl")->state, "canceled");
        EXPECT_FALSE(venue_order("ot-e-2"));
        return saved;
    }
};

TEST_F(KilledAfterTheCancels, TheRestartedExecutorSendsTheExit) {
    host.kv() = exit_killed_at_the_cancel();
    ot::ExecutorInstance ex = make();
    std::optional<std::vector<ot::Report>> q = ex.query_order("BTC/USD", "ot-e-2");
    ASSERT_TRUE(q) << "the exit is known";
    EXPECT_EQ(kinds(*q), (std::vector<int32_t>{OT_REPORT_ACCEPTED}));
    std::vector<ot::Report> r = ex.poll();
    EXPECT_EQ(kinds(of(r, "ot-e-2")), (std::vector<int32_t>{OT_REPORT_ACCEPTED, OT_REPORT_FILL}));
    EXPECT_EQ(kinds(of(r, "ot-e-1-sl")), (std::vector<int32_t>{OT_REPORT_CANCELED}));
    EXPECT_DOUBLE_EQ(holding("BTC"), 0);
    EXPECT_EQ(journaled("robinhood_protection_failed"), 0);
}

TEST_F(KilledAfterTheCancels, ARestartAfterFiveMinutesDropsTheExitAndTheStopRestsAgain) {
    host.kv() = exit_killed_at_the_cancel();
    advance(301000);
    ot::ExecutorInstance ex = make();
    ASSERT_TRUE(ex.query_order("BTC/USD", "ot-e-2"));
    std::vector<ot::Report> r = ex.poll();
    ASSERT_EQ(kinds(of(r, "ot-e-2")), (std::vector<int32_t>{OT_REPORT_REJECTED}));
    EXPECT_FALSE(venue_order("ot-e-2"));
    ASSERT_TRUE(venue_order("ot-e-1-sl#1")) << "the stop-loss rests again";
    EXPECT_EQ(venue_order("ot-e-1-sl#1")->state, "open");
    EXPECT_TRUE(of(r, "ot-e-1-sl").empty() ||
                kinds(of(r, "ot-e-1-sl")) == std::vector<int32_t>{OT_REPORT_ACCEPTED})
        << "for the core the leg rests on";
    EXPECT_DOUBLE_EQ(holding("BTC"), 0.1);
}

// A stop canceled at the venue by hand (not by this bot) leaves the position unprotected: said.
TEST_F(ProtectiveLegs, AStopCanceledAtTheVenueByHandSaysThePositionIsNotProtected) {
    ot::ExecutorInstance ex = entry(45000, 0);
    const std::string id = venue_order("ot-e-1-sl")->id;
    fake.with_venue([&](rh::FakeVenue& v) { return v.cancel(id, host.now_ms()); });
    EXPECT_EQ(kinds(of(ex.poll(), "ot-e-1-sl")), (std::vector<int32_t>{OT_REPORT_CANCELED}));
    EXPECT_FALSE(host.logs_containing("is NOT protected: ot-e-1-sl ended at the venue (canceled)",
                                      OT_LOG_ERROR)
                     .empty());
    EXPECT_EQ(journaled("robinhood_protection_failed"), 1);
    ex.poll();
    EXPECT_EQ(journaled("robinhood_protection_failed"), 1) << "said once";
    EXPECT_FALSE(venue_order("ot-e-1-sl#1")) << "what was canceled by hand is not put back";
}

// A limit exit resting at the venue holds the coins, so the stop it lifted cannot rest beside
// it: the position is said NOT protected (once) until the exit ends; canceled, the stop rests
// again for what is held.
TEST_F(ProtectiveLegs, ARestingLimitExitSaysThePositionIsNotProtectedUntilItEnds) {
    ot::ExecutorInstance ex = entry(45000, 0);
    ot::Order sell = order("ot-e-2", OT_SIDE_SELL, 0.1, OT_ORDER_LIMIT);
    sell.limit_price = 60000;
    ex.submit(sell);
    EXPECT_EQ(kinds(of(ex.poll(), "ot-e-2")), (std::vector<int32_t>{OT_REPORT_ACCEPTED}));
    ASSERT_TRUE(venue_order("ot-e-2"));
    EXPECT_EQ(venue_order("ot-e-2")->state, "open");
    EXPECT_EQ(venue_order("ot-e-1-sl")->state, "canceled");
    EXPECT_FALSE(host.logs_containing("is NOT protected: exit ot-e-2 rests at the venue, which "
                                      "holds the coins for it",
                                      OT_LOG_ERROR)
                     .empty());
    EXPECT_EQ(journaled("robinhood_protection_failed"), 1);
    advance(1000);
    ex.poll();
    EXPECT_EQ(journaled("robinhood_protection_failed"), 1) << "said once";
    ex.cancel("BTC/USD", "ot-e-2");
    advance(1000);
    std::vector<ot::Report> r = ex.poll();
    EXPECT_EQ(kinds(of(r, "ot-e-2")), (std::vector<int32_t>{OT_REPORT_CANCELED}));
    std::optional<rh::FakeOrder> stop = venue_order("ot-e-1-sl#1");
    ASSERT_TRUE(stop) << "the stop-loss rests again";
    EXPECT_EQ(stop->state, "open");
    EXPECT_EQ(stop->config["asset_quantity"], "0.1");
    EXPECT_EQ(journaled("robinhood_protection_restored"), 1);
}

// ---- restarts ------------------------------------------------------------------------------

TEST_F(RobinhoodExecutor, ARestartedExecutorKeepsFollowingItsOrders) {
    {
        ot::ExecutorInstance first = make();
        ot::Order buy = order("ot-k-1", OT_SIDE_BUY, 0.01, OT_ORDER_LIMIT);
        buy.limit_price = 49000;
        first.submit(buy);
        first.poll();
    }
    fake.set_quote("BTC-USD", 48900, 48950);
    ot::ExecutorInstance second = make();
    EXPECT_TRUE(logged("1 order(s) resumed"));
    EXPECT_EQ(kinds(second.poll()), (std::vector<int32_t>{OT_REPORT_FILL}));
    std::optional<std::vector<ot::Report>> q = second.query_order("BTC/USD", "ot-k-1");
    ASSERT_TRUE(q);
    EXPECT_EQ(kinds(*q), (std::vector<int32_t>{OT_REPORT_ACCEPTED, OT_REPORT_FILL}));
}

// A SIGKILL can land after poll() saved an order as done but before the core journaled what it
// read, so a restarted core still holds the order open. Whatever the executor's saved state is
// then (done, still sending, or none), a query retells the whole story with the venue's trade
// id and the cumulative quantity, from which the core can close the order; nothing is resent.
TEST_F(RobinhoodExecutor, AQueryAfterAKillRetellsAFilledOrderWhateverTheSavedState) {
    std::map<std::string, std::string> sending, done;
    {
        ot::ExecutorInstance first = make();
        fake.add_fault({"POST", kOrdersPath, rh::Fault::DropAfter});
        EXPECT_EQ(code_of([&] { first.submit(order("ot-r-1", OT_SIDE_BUY, 0.01)); }),
                  OT_E_AMBIGUOUS);
        sending = host.kv();
        EXPECT_EQ(kinds(first.poll()), (std::vector<int32_t>{OT_REPORT_ACCEPTED, OT_REPORT_FILL}));
        done = host.kv();
    }
    const std::string venue_id = venue_order("ot-r-1").value().id;
    for (const auto& saved : {done, sending, std::map<std::string, std::string>{}}) {
        host.kv() = saved;
        ot::ExecutorInstance restarted = make();
        std::optional<std::vector<ot::Report>> q = restarted.query_order("BTC/USD", "ot-r-1");
        ASSERT_TRUE(q);
        ASSERT_EQ(kinds(*q), (std::vector<int32_t>{OT_REPORT_ACCEPTED, OT_REPORT_FILL}));
        EXPECT_EQ((*q)[1].venue_order_id, venue_id);
        EXPECT_EQ((*q)[1].trade_id, venue_id + "-1");
        EXPECT_DOUBLE_EQ((*q)[1].cum_qty, 0.01);
        EXPECT_TRUE(restarted.poll().empty()) << "the query told the story once";
    }
    EXPECT_EQ(placements(), 1);
}

TEST_F(RobinhoodExecutor, SecretsNeverReachTheLog) {
    ot::ExecutorInstance ex = make();
    ex.submit(order("ot-z-1", OT_SIDE_BUY, 0.01));
    ex.poll();
    ex.balances();
    EXPECT_FALSE(host.logs().empty());
    for (const ot::LogLine& line : host.logs()) {
        EXPECT_EQ(line.message.find(rh::kApiKey), std::string::npos) << line.message;
        EXPECT_EQ(line.message.find(rh::kPrivateKey), std::string::npos) << line.message;
    }
}
