// Faults between the executor and the exchange. After each one the exchange holds exactly the
// orders that were meant, none twice, and what the executor reports matches the exchange.
#include "fixture.hpp"

#include <orchestrade/sdk.hpp>

#include <chrono>
#include <set>
#include <thread>

using namespace orchestrade::testing;

namespace {

class FaultsTest : public BinanceTest {
  protected:
    // Every client order id was accepted at most once.
    void expect_no_duplicates() const {
        for (const auto& [id, n] : fake.submissions())
            EXPECT_EQ(n, 1) << id << " was placed " << n << " times";
    }
    // Waits (real time) until the fake holds an order with this client id.
    bool wait_for_order(const std::string& id) const {
        for (int i = 0; i < 100; ++i) {
            for (const auto& o : fake.orders())
                if (o.client_id == id) return true;
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        return false;
    }
    // Client ids of the orders resting at the fake, oldest first.
    std::vector<std::string> resting_ids() const {
        std::vector<std::string> out;
        for (const auto& o : fake.orders())
            if (o.status == "NEW") out.push_back(o.client_id);
        return out;
    }
    static bf::Fault fault(bf::FaultKind kind, const std::string& path, int status = 503,
                           const std::string& body = {}) {
        bf::Fault f;
        f.kind = kind;
        f.method = "POST";
        f.path = path;
        f.status = status;
        f.body = body;
        return f;
    }
};

}  // namespace

TEST_F(FaultsTest, A5xxAfterTheOrderWasAcceptedIsAmbiguousAndResolvedByQuery) {
    ExecutorInstance ex = executor();
    fake.inject(fault(bf::FaultKind::ErrorAfter, "/api/v3/order", 503,
                      "Unknown error, please check your request or try again later."));
    auto [code, message] = failure([&] { ex.submit(market("amb-1", OT_SIDE_BUY, 0.01)); });
    EXPECT_EQ(code, OT_E_AMBIGUOUS) << message;
    auto q = ex.query_order("BTC/USDT", "amb-1");
    ASSERT_TRUE(q);
    EXPECT_NEAR(filled(*q, "amb-1"), 0.00999, 1e-12);
    EXPECT_TRUE(filled(ex.poll(), "amb-1") == 0) << "the query already told the fills";
    expect_no_duplicates();
    EXPECT_EQ(fake.orders().size(), 1u);
}

TEST_F(FaultsTest, AMinus1007TimeoutIsAmbiguousToo) {
    ExecutorInstance ex = executor("usdm");
    fake.inject(fault(
        bf::FaultKind::ErrorAfter, "/fapi/v1/order", 500,
        R"({"code":-1007,"msg":"Timeout waiting for response from backend server. Send status unknown; execution status unknown."})"));
    auto [code, message] = failure([&] { ex.submit(market("amb-2", OT_SIDE_BUY, 0.01)); });
    EXPECT_EQ(code, OT_E_AMBIGUOUS) << message;
    std::vector<Report> reports = ex.poll();  // the executor follows it up on its own too
    EXPECT_DOUBLE_EQ(filled(reports, "amb-2"), 0.01);
    expect_no_duplicates();
}

TEST_F(FaultsTest, ADroppedResponseIsAmbiguousAndTheOrderIsNeverSentTwice) {
    ExecutorInstance ex = executor();
    fake.inject(fault(bf::FaultKind::Drop, "/api/v3/order"));
    auto [code, message] = failure([&] { ex.submit(market("drop-1", OT_SIDE_BUY, 0.01)); });
    EXPECT_EQ(code, OT_E_AMBIGUOUS) << message;
    // A restarted executor (same saved state) finds it by client order id.
    ExecutorInstance again = executor();
    auto q = again.query_order("BTC/USDT", "drop-1");
    ASSERT_TRUE(q);
    EXPECT_NEAR(filled(*q, "drop-1"), 0.00999, 1e-12);
    expect_no_duplicates();
    EXPECT_EQ(fake.count_requests("POST", "/api/v3/order"), 1);
}

TEST_F(FaultsTest, AnOrderThatArrivesAfterTheTimeoutIsNotDeclaredMissingTooEarly) {
    ExecutorInstance ex = executor("spot", {{"timeout_ms", "300"}});
    bf::Fault slow = fault(bf::FaultKind::Latency, "/api/v3/order");
    slow.delay_ms = 800;  // the client gives up; the exchange still takes the order afterwards
    fake.inject(slow);
    auto [code, message] = failure([&] { ex.submit(market("late-1", OT_SIDE_BUY, 0.01)); });
    EXPECT_EQ(code, OT_E_AMBIGUOUS) << message;
    auto [qcode, qmessage] = failure([&] { ex.query_order("BTC/USDT", "late-1"); });
    EXPECT_NE(qcode, OT_E_NOT_FOUND) << "too early to conclude: " << qmessage;
    ASSERT_TRUE(wait_for_order("late-1"));
    auto q = ex.query_order("BTC/USDT", "late-1");
    ASSERT_TRUE(q);
    EXPECT_GT(filled(*q, "late-1"), 0);
    expect_no_duplicates();
}

TEST_F(FaultsTest, AnOrderThatNeverArrivedIsNotFoundOnlyOnceItsRecvWindowHasPassed) {
    ExecutorInstance ex = executor("spot", {{"recv_window_ms", "5000"}});
    fake.inject(fault(bf::FaultKind::ErrorBefore, "/api/v3/order", 503,
                      "Unknown error, please check your request or try again later."));
    EXPECT_EQ(failure([&] { ex.submit(market("lost-1", OT_SIDE_BUY, 0.01)); }).first,
              OT_E_AMBIGUOUS);
    advance(3000);
    auto [code, message] = failure([&] { ex.query_order("BTC/USDT", "lost-1"); });
    EXPECT_EQ(code, OT_E_AMBIGUOUS) << message;
    EXPECT_NE(message.find("ask again"), std::string::npos) << message;
    advance(4100);
    EXPECT_FALSE(ex.query_order("BTC/USDT", "lost-1"));
    EXPECT_TRUE(fake.orders().empty());
}

TEST_F(FaultsTest, AnOrderSignedAfterASlowClockSyncIsAwaitedForItsOwnRecvWindow) {
    ExecutorInstance ex = executor("spot", {{"recv_window_ms", "5000"}});
    advance(31 * 60 * 1000);  // the clock offset is stale: the order first re-syncs it
    HttpHandler http = loopback_http();
    HttpRequest held;
    host.set_http_handler([&](const HttpRequest& r) {
        if (r.url.find("/api/v3/time") != std::string::npos) {
            advance(2000);  // the time request is slow both ways
            HttpReply reply = http(r);
            advance(2000);
            return reply;
        }
        if (r.method == "POST" && r.url.find("/api/v3/order") != std::string::npos) {
            held = r;  // lost in transit for now; it reaches the exchange later
            throw orchestrade::sdk::Error(OT_E_IO, "http POST failed: timeout");
        }
        return http(r);
    });
    EXPECT_EQ(failure([&] { ex.submit(market("slow-1", OT_SIDE_BUY, 0.01)); }).first,
              OT_E_AMBIGUOUS);
    advance(3500);  // 7.5 s after submit, but 3.5 s after the order's timestamp
    std::vector<Report> early = ex.poll();
    EXPECT_TRUE(of_kind(early, OT_REPORT_REJECTED).empty())
        << "the order may still arrive: " << of_kind(early, OT_REPORT_REJECTED)[0].text;
    ASSERT_EQ(http(held).status, 200) << "Binance takes it within its recvWindow";
    std::vector<Report> later = ex.poll();
    EXPECT_GT(filled(later, "slow-1"), 0) << "the fill of an order the exchange executed";
    expect_no_duplicates();
}

TEST_F(FaultsTest, ServiceUnavailableIsADefiniteFailure) {
    ExecutorInstance ex = executor();
    fake.inject(fault(bf::FaultKind::ErrorBefore, "/api/v3/order", 503, "Service Unavailable."));
    auto [code, message] = failure([&] { ex.submit(market("su-1", OT_SIDE_BUY, 0.01)); });
    EXPECT_EQ(code, OT_E_REJECTED) << message;
    EXPECT_TRUE(fake.orders().empty());
}

TEST_F(FaultsTest, After429EverythingWaitsForRetryAfterSoNoBanFollows) {
    ExecutorInstance ex = executor();
    bf::Fault limit;
    limit.kind = bf::FaultKind::RateLimit;
    limit.method = "GET";
    limit.path = "/api/v3/account";
    limit.retry_after_s = 30;
    fake.inject(limit);
    EXPECT_EQ(failure([&] { ex.balances(); }).first, OT_E_RATE_LIMIT);
    EXPECT_FALSE(host.logs_containing("rate limit hit (HTTP 429)", OT_LOG_WARN).empty());
    const std::size_t sent = fake.requests().size();
    auto [code, message] = failure([&] { ex.submit(market("rl-1", OT_SIDE_BUY, 0.01)); });
    EXPECT_EQ(code, OT_E_RATE_LIMIT) << "not sent: the core may send it again later";
    EXPECT_NE(message.find("not sent"), std::string::npos) << message;
    EXPECT_EQ(failure([&] { ex.query_order("BTC/USDT", "x"); }).first, OT_E_RATE_LIMIT);
    EXPECT_EQ(fake.requests().size(), sent) << "nothing reached the exchange during the pause";
    advance(30000);
    ex.submit(market("rl-1", OT_SIDE_BUY, 0.01));  // the same order, once the pause is over
    for (const auto& r : fake.requests())
        EXPECT_NE(r.status, 418);
    expect_no_duplicates();
}

TEST_F(FaultsTest, A418BanStopsAllTrafficAndOutlivesARestart) {
    {
        ExecutorInstance ex = executor();
        bf::Fault ban = fault(
            bf::FaultKind::ErrorBefore, "/api/v3/order", 418,
            R"({"code":-1003,"msg":"Way too many requests; IP banned until 1704067320000."})");
        ban.retry_after_s = 120;
        fake.inject(ban);
        auto [code, message] = failure([&] { ex.submit(market("ban-1", OT_SIDE_BUY, 0.01)); });
        EXPECT_EQ(code, OT_E_RATE_LIMIT);
        EXPECT_NE(message.find("IP banned"), std::string::npos) << message;
        EXPECT_FALSE(host.logs_containing("IP banned by Binance (HTTP 418) for 120 s", OT_LOG_ERROR)
                         .empty());
    }
    const std::size_t sent = fake.requests().size();
    ParamMap p = executor_params();
    ExecutorInstance restarted = lib.create_executor("binance", host, p);
    auto [code, message] = failure([&] { restarted.start(); });
    EXPECT_EQ(code, OT_E_RATE_LIMIT) << message;
    EXPECT_EQ(fake.requests().size(), sent) << "the restarted process kept quiet";
    advance(121000);
    ExecutorInstance later = executor();
    later.submit(market("ban-2", OT_SIDE_BUY, 0.01));
    EXPECT_GT(filled(later.poll(), "ban-2"), 0);
}

TEST_F(FaultsTest, ClockDriftBeyondRecvWindowIsResyncedAndTheOrderGoesThroughOnce) {
    ExecutorInstance ex = executor("spot", {{"recv_window_ms", "1000"}});
    fake.set_clock_skew(4000);  // the exchange's clock jumps ahead
    ex.submit(market("skew-1", OT_SIDE_BUY, 0.01));
    EXPECT_GT(filled(ex.poll(), "skew-1"), 0);
    EXPECT_FALSE(host.logs_containing("re-synced").empty());
    int refused = 0;
    for (const auto& r : fake.requests())
        refused += r.status == 400 && r.path == "/api/v3/order";
    EXPECT_EQ(refused, 1) << "one -1021, then the re-signed order";
    expect_no_duplicates();
}

TEST_F(FaultsTest, APartialFillIsReportedAsItHappens) {
    ExecutorInstance ex = executor("usdm");
    bf::Fault partial;
    partial.kind = bf::FaultKind::PartialFill;
    partial.fraction = 0.4;
    partial.delay_ms = 2000;
    fake.inject(partial);
    ex.submit(market("pf-1", OT_SIDE_BUY, 0.05));
    std::vector<Report> first = ex.poll();
    EXPECT_DOUBLE_EQ(filled(first, "pf-1"), 0.02);
    EXPECT_TRUE(of_kind(first, OT_REPORT_EXPIRED).empty());
    advance(2500);
    std::vector<Report> rest = ex.poll();
    EXPECT_DOUBLE_EQ(filled(rest, "pf-1"), 0.03);
    ASSERT_FALSE(of_kind(rest, OT_REPORT_FILL).empty());
    EXPECT_DOUBLE_EQ(of_kind(rest, OT_REPORT_FILL).back().cum_qty, 0.05);
    EXPECT_DOUBLE_EQ(fake.futures_position("BTCUSDT").amount, 0.05);
}

TEST_F(FaultsTest, APartialFillWhoseRestExpiresEndsExpiredWithWhatFilled) {
    ExecutorInstance ex = executor("usdm");
    bf::Fault partial;
    partial.kind = bf::FaultKind::PartialFill;
    partial.fraction = 0.4;
    partial.expire_rest = true;
    fake.inject(partial);
    ex.submit(market("pf-2", OT_SIDE_BUY, 0.05));
    advance(100);
    std::vector<Report> all = ex.poll();
    EXPECT_DOUBLE_EQ(filled(all, "pf-2"), 0.02);
    ASSERT_EQ(of_kind(all, OT_REPORT_EXPIRED).size(), 1u);
    EXPECT_DOUBLE_EQ(of_kind(all, OT_REPORT_EXPIRED)[0].cum_qty, 0.02);
    EXPECT_DOUBLE_EQ(fake.futures_position("BTCUSDT").amount, 0.02);
}

TEST_F(FaultsTest, AProtectionWhosePlacementTimedOutIsFoundNotPlacedTwice) {
    ExecutorInstance ex = executor("usdm");
    fake.inject(fault(bf::FaultKind::Drop, "/fapi/v1/algoOrder"));
    ex.submit(market("pl-0", OT_SIDE_BUY, 0.001));  // no stop: unaffected
    ex.submit(protected_buy("pl-1", 0.05, 39000, 41000));
    ex.poll();
    advance(8000);  // past the recvWindow: what is missing was never placed
    ex.poll();
    int legs = 0;
    for (const auto& v : fake.orders())
        legs += v.algo && (v.status == "NEW");
    EXPECT_EQ(legs, 2);
    expect_no_duplicates();
}

TEST_F(FaultsTest, AProtectionSignedAfterASlowClockSyncIsAwaitedForItsOwnRecvWindow) {
    ExecutorInstance ex = executor("spot", {{"recv_window_ms", "5000"}});
    // The order list's timestamp is refused: the clock is re-synced (slowly) and the list goes
    // again, seconds after its placement began; that answer is lost.
    fake.inject(fault(
        bf::FaultKind::ErrorBefore, "/api/v3/orderList/oco", 400,
        R"({"code":-1021,"msg":"Timestamp for this request is outside of the recvWindow."})"));
    HttpHandler http = loopback_http();
    HttpRequest held;
    int lists = 0;
    bool landed = false;
    auto land = [&] {  // the lost list reaches the exchange, late but within its recvWindow
        if (landed) return;
        landed = true;
        EXPECT_EQ(http(held).status, 200);
    };
    host.set_http_handler([&](const HttpRequest& r) {
        if (r.url.find("/api/v3/time") != std::string::npos) {
            advance(2000);  // the time request is slow both ways
            HttpReply reply = http(r);
            advance(2000);
            return reply;
        }
        if (r.method == "POST" && r.url.find("/api/v3/orderList/oco") != std::string::npos &&
            ++lists > 1) {  // the first is refused with -1021
            if (lists == 2) {
                held = r;
                throw orchestrade::sdk::Error(OT_E_IO, "http POST failed: timeout");
            }
            land();  // placed again: the lost list lands just before
        }
        return http(r);
    });
    ex.submit(protected_buy("pt-1", 0.01, 39000, 42000));
    ASSERT_FALSE(held.body.empty()) << "the re-signed list was lost";
    advance(3500);  // 7.5 s after the placement began, but 3.5 s after the list's timestamp
    ex.poll();
    EXPECT_EQ(fake.count_requests("POST", "/api/v3/orderList/oco"), 1)
        << "not placed again while the lost list may still arrive";
    land();
    advance(1000);
    std::vector<Report> resting = ex.poll();
    EXPECT_EQ(of_kind(resting, OT_REPORT_ACCEPTED).size(), 2u) << "both legs found resting";
    fake.set_price("BTCUSDT", 38800);
    advance(1000);
    EXPECT_NEAR(filled(ex.poll(), "pt-1-sl"), 0.00999, 1e-12) << "the resting list is watched";
    EXPECT_TRUE(host.logs_containing("NOT protected").empty());
    expect_no_duplicates();
}

TEST_F(FaultsTest, AGapExitWhoseAnswerWasLostIsAwaitedAndItsFillReported) {
    ExecutorInstance ex = executor("usdm");
    gap_on("/fapi/v1/algoOrder", 38000);  // the price gaps through the stop before it is placed
    HttpHandler http = loopback_http();
    HttpRequest held;
    lose_in_transit("newClientOrderId=gx-1-sl", http, held);  // the market exit, for now
    ex.submit(protected_buy("gx-1", 0.05, 39000, 41000));
    ASSERT_FALSE(held.body.empty()) << "the stop acted as a market exit";
    advance(1000);
    std::vector<Report> early = ex.poll();
    EXPECT_TRUE(of_kind(early, OT_REPORT_CANCELED).empty())
        << "the exit may still arrive: " << of_kind(early, OT_REPORT_CANCELED)[0].text;
    EXPECT_EQ(failure([&] { ex.query_order("BTC/USDT", "gx-1-sl"); }).first, OT_E_AMBIGUOUS)
        << "too early to say it does not exist";
    ASSERT_EQ(http(held).status, 200) << "Binance takes it within its recvWindow";
    advance(1000);
    std::vector<Report> later = ex.poll();
    EXPECT_DOUBLE_EQ(filled(later, "gx-1-sl"), 0.05) << "the exit's fill reaches the core";
    EXPECT_EQ(fake.futures_position("BTCUSDT").amount, 0);
    expect_no_duplicates();
}

TEST_F(FaultsTest, AnExitWaitsForAGapExitWhoseAnswerWasLostSoOnlyOneSells) {
    fake.set_spot_balance("BTC", 0.5);  // holdings from before the bot: a second sale finds some
    ExecutorInstance ex = executor("spot", {{"ignore_existing_holdings", "true"}});
    gap_on("/api/v3/orderList/oco", 38000);  // the price gaps through the stop before the list
    HttpHandler http = loopback_http();
    HttpRequest held;
    lose_in_transit("newClientOrderId=gs-1-sl", http, held);  // the market exit, for now
    ex.submit(protected_buy("gs-1", 0.01, 39000, 42000));
    ASSERT_FALSE(held.body.empty()) << "the stop acted as a market exit";
    ledger_position("BTC/USDT", 0.00999, 38000);
    advance(1000);
    auto [code, message] = failure([&] { ex.submit(market("gs-2", OT_SIDE_SELL, 0.00999)); });
    EXPECT_EQ(code, OT_E_REJECTED) << "the gap exit may still sell: " << message;
    EXPECT_NE(message.find("gs-1-sl"), std::string::npos) << message;
    ASSERT_EQ(http(held).status, 200) << "Binance takes it within its recvWindow";
    advance(1000);
    EXPECT_NEAR(filled(ex.poll(), "gs-1-sl"), 0.00999, 1e-12) << "the gap exit closed it";
    EXPECT_NEAR(fake.spot_balance("BTC"), 0.5, 1e-12) << "sold once: the holdings are untouched";
    expect_no_duplicates();
}

TEST_F(FaultsTest, AnExitWaitsForAStopWhoseAnswerWasLostSoItCannotOutliveThePosition) {
    ExecutorInstance ex = executor("usdm");
    HttpHandler http = loopback_http();
    HttpRequest held;
    lose_in_transit("clientAlgoId=ws-1-sl", http, held);  // the stop, for now
    ex.submit(protected_buy("ws-1", 0.05, 39000, 41000));
    ASSERT_FALSE(held.body.empty());
    ledger_position("BTC/USDT", 0.05, 40000);
    advance(1000);
    auto [code, message] = failure([&] { ex.submit(market("ws-2", OT_SIDE_SELL, 0.05)); });
    EXPECT_EQ(code, OT_E_REJECTED) << "the stop may still rest: " << message;
    ASSERT_EQ(http(held).status, 200) << "Binance takes it within its recvWindow";
    advance(8000);
    ex.poll();  // the stop is found; the target, never sent, is placed
    auto [code3, message3] = failure([&] { ex.submit(market("ws-3", OT_SIDE_SELL, 0.05)); });
    EXPECT_EQ(code3, OT_OK) << "the exit goes once the legs are known: " << message3;
    EXPECT_EQ(fake.futures_position("BTCUSDT").amount, 0);
    for (const auto& v : fake.orders())
        EXPECT_FALSE(v.algo && v.status == "NEW")
            << v.client_id << " rests and would close the next position";
    expect_no_duplicates();
}

TEST_F(FaultsTest, AnExitWaitsForATargetWhoseAnswerWasLostSoItCannotOutliveThePosition) {
    ExecutorInstance ex = executor("usdm");
    HttpHandler http = loopback_http();
    HttpRequest held;
    lose_in_transit("clientAlgoId=wt-1-tp", http, held);  // the target, for now; the stop rests
    ex.submit(protected_buy("wt-1", 0.05, 39000, 41000));
    ASSERT_FALSE(held.body.empty());
    ledger_position("BTC/USDT", 0.05, 40000);
    advance(1000);
    ExecutorInstance again = executor("usdm");  // a restart knows the target went out
    auto [code, message] = failure([&] { again.submit(market("wt-2", OT_SIDE_SELL, 0.05)); });
    EXPECT_EQ(code, OT_E_REJECTED) << "the target may still rest: " << message;
    EXPECT_NE(message.find("wt-1-tp"), std::string::npos) << message;
    ASSERT_EQ(http(held).status, 200) << "Binance takes it within its recvWindow";
    advance(8000);
    again.poll();  // both legs are found resting, and watched
    auto [code3, message3] = failure([&] { again.submit(market("wt-3", OT_SIDE_SELL, 0.05)); });
    EXPECT_EQ(code3, OT_OK) << "the exit goes once the legs are known: " << message3;
    EXPECT_EQ(fake.futures_position("BTCUSDT").amount, 0);
    for (const auto& v : fake.orders())
        EXPECT_FALSE(v.algo && v.status == "NEW")
            << v.client_id << " rests and would close the next position";
    expect_no_duplicates();
}

// On usdm a take-profit refused by a rate limit leaves its protection to be placed again while
// the stop placed before it rests: an exit meanwhile cancels that stop too, or its closePosition
// would close a later position.
TEST_F(FaultsTest, AnExitCancelsTheStopOfAProtectionWaitingToBePlacedAgain) {
    ExecutorInstance ex = executor("usdm");
    HttpHandler http = loopback_http();
    host.set_http_handler([&](const HttpRequest& r) {
        if (r.method == "POST" && r.body.find("clientAlgoId=rl-1-tp") != std::string::npos) {
            HttpReply limited;
            limited.status = 429;
            limited.headers = "Retry-After: 1\r\n";
            limited.body = R"({"code":-1003,"msg":"Too many requests; current limit is 1200."})";
            return limited;
        }
        return http(r);
    });
    ex.submit(protected_buy("rl-1", 0.05, 39000, 41000));
    ledger_position("BTC/USDT", 0.05, 40000);
    advance(2000);  // past Retry-After, before a poll places the protection again
    auto [code, message] = failure([&] { ex.submit(market("rl-2", OT_SIDE_SELL, 0.05)); });
    ASSERT_EQ(code, OT_OK) << message;
    ex.poll();
    EXPECT_EQ(fake.futures_position("BTCUSDT").amount, 0);
    for (const auto& v : fake.orders())
        EXPECT_FALSE(v.algo && v.status == "NEW")
            << v.client_id << " rests and would close the next position";
    expect_no_duplicates();
}

// The legs were lifted for an exit that Binance then refused: the position is still held, and
// gets its stop-loss/take-profit again (under new ids at Binance, its old ids for the core).
TEST_F(FaultsTest, ASpotExitRefusedAfterTheOcoWasLiftedPutsTheProtectionBack) {
    ExecutorInstance ex = executor();
    ex.submit(protected_buy("rf-1", 0.01, 39000, 42000));
    ex.poll();
    ledger_position("BTC/USDT", 0.00999, 40000);
    fake.inject(fault(bf::FaultKind::ErrorBefore, "/api/v3/order", 400,
                      R"({"code":-1013,"msg":"Filter failure: PERCENT_PRICE_BY_SIDE"})"));
    auto [code, message] = failure([&] { ex.submit(market("rf-2", OT_SIDE_SELL, 0.00999)); });
    EXPECT_EQ(code, OT_E_REJECTED) << message;
    EXPECT_EQ(resting_ids(), (std::vector<std::string>{"rf-1-s1", "rf-1-t1"}));
    EXPECT_FALSE(host.logs_containing("is protected again", OT_LOG_WARN).empty());
    EXPECT_TRUE(of_kind(ex.poll(), OT_REPORT_CANCELED).empty()) << "for the core the legs rest on";
    advance(1000);
    fake.set_price("BTCUSDT", 38500);
    advance(1000);
    std::vector<Report> after = ex.poll();
    EXPECT_NEAR(filled(after, "rf-1-sl"), 0.00999, 1e-12) << "the stop acts, under its id";
    EXPECT_NEAR(fake.spot_balance("BTC"), 0, 1e-12);
}

TEST_F(FaultsTest, AFuturesExitRefusedAfterTheLegsWereLiftedPutsThemBack) {
    ExecutorInstance ex = executor("usdm");
    ex.submit(protected_buy("rf-3", 0.05, 39000, 41000));
    ex.poll();
    ledger_position("BTC/USDT", 0.05, 40000);
    fake.inject(fault(bf::FaultKind::ErrorBefore, "/fapi/v1/order", 400,
                      R"({"code":-4131,"msg":"The counterparty's best price does not meet the )"
                      R"(PERCENT_PRICE filter limit."})"));
    auto [code, message] = failure([&] { ex.submit(market("rf-4", OT_SIDE_SELL, 0.05)); });
    EXPECT_EQ(code, OT_E_REJECTED) << message;
    EXPECT_EQ(resting_ids(), (std::vector<std::string>{"rf-3-s1", "rf-3-t1"}));
    EXPECT_TRUE(of_kind(ex.poll(), OT_REPORT_CANCELED).empty()) << "for the core the legs rest on";
    advance(1000);
    fake.set_price("BTCUSDT", 41500);
    advance(1000);
    std::vector<Report> after = ex.poll();
    EXPECT_DOUBLE_EQ(filled(after, "rf-3-tp"), 0.05);
    ASSERT_EQ(of_kind(after, OT_REPORT_CANCELED).size(), 1u);
    EXPECT_EQ(of_kind(after, OT_REPORT_CANCELED)[0].client_order_id, "rf-3-sl");
    EXPECT_EQ(fake.futures_position("BTCUSDT").amount, 0);
    EXPECT_TRUE(resting_ids().empty());
}

TEST_F(FaultsTest, AnExitHeldBackByARateLimitAfterTheOcoWasLiftedPutsTheProtectionBack) {
    ExecutorInstance ex = executor();
    ex.submit(protected_buy("rf-7", 0.01, 39000, 42000));
    ex.poll();
    ledger_position("BTC/USDT", 0.00999, 40000);
    HttpHandler http = loopback_http();
    host.set_http_handler([&](const HttpRequest& r) {
        if (r.method == "POST" && r.body.find("newClientOrderId=rf-8") != std::string::npos) {
            HttpReply limited;
            limited.status = 429;
            limited.headers = "Retry-After: 1\r\n";
            limited.body = R"({"code":-1003,"msg":"Too many requests; current limit is 1200."})";
            return limited;
        }
        return http(r);
    });
    auto [code, message] = failure([&] { ex.submit(market("rf-8", OT_SIDE_SELL, 0.00999)); });
    EXPECT_EQ(code, OT_E_RATE_LIMIT) << message;
    advance(2000);  // past Retry-After
    EXPECT_TRUE(of_kind(ex.poll(), OT_REPORT_CANCELED).empty()) << "for the core the legs rest on";
    EXPECT_EQ(resting_ids(), (std::vector<std::string>{"rf-7-s1", "rf-7-t1"}));
}

// The legs were lifted for an exit whose outcome is unknown, and the exit never reached
// Binance: once its recvWindow has passed, the position it did not close gets its stop-loss/
// take-profit back, and the core, never told the legs were canceled, keeps them.
TEST_F(FaultsTest, AnExitThatNeverReachedBinanceAfterTheOcoWasLiftedPutsTheProtectionBack) {
    ExecutorInstance ex = executor("spot", {{"recv_window_ms", "5000"}});
    ex.submit(protected_buy("nr-1", 0.01, 39000, 42000));
    ex.poll();
    ledger_position("BTC/USDT", 0.00999, 40000);
    fake.inject(fault(bf::FaultKind::ErrorBefore, "/api/v3/order", 503,
                      "Unknown error, please check your request or try again later."));
    auto [code, message] = failure([&] { ex.submit(market("nr-2", OT_SIDE_SELL, 0.00999)); });
    EXPECT_EQ(code, OT_E_AMBIGUOUS) << message;
    advance(3000);
    std::vector<Report> early = ex.poll();
    EXPECT_TRUE(of_kind(early, OT_REPORT_CANCELED).empty()) << "for the core the legs rest on";
    EXPECT_TRUE(resting_ids().empty()) << "not placed again while the exit may still arrive";
    EXPECT_EQ(failure([&] { ex.query_order("BTC/USDT", "nr-1-sl"); }).first, OT_E_AMBIGUOUS);
    advance(4100);
    std::vector<Report> later = ex.poll();
    ASSERT_EQ(of_kind(later, OT_REPORT_REJECTED).size(), 1u);
    EXPECT_EQ(of_kind(later, OT_REPORT_REJECTED)[0].client_order_id, "nr-2");
    EXPECT_TRUE(of_kind(later, OT_REPORT_CANCELED).empty());
    EXPECT_EQ(resting_ids(), (std::vector<std::string>{"nr-1-s1", "nr-1-t1"}));
    for (const auto& o : fake.orders())
        if (o.status == "NEW") {
            EXPECT_NEAR(o.orig_qty, 0.00999, 1e-12) << o.client_id << ": the quantity held";
            EXPECT_DOUBLE_EQ(o.type == "STOP_LOSS" ? o.stop_price : o.price,
                             o.type == "STOP_LOSS" ? 39000 : 42000);
        }
    EXPECT_FALSE(host.logs_containing("exit nr-2 never reached Binance", OT_LOG_WARN).empty());
    auto q = ex.query_order("BTC/USDT", "nr-1-sl");
    ASSERT_TRUE(q);
    EXPECT_EQ(of_kind(*q, OT_REPORT_ACCEPTED).size(), 1u) << "the leg rests, under its id";
    advance(1000);
    fake.set_price("BTCUSDT", 38500);
    advance(1000);
    EXPECT_NEAR(filled(ex.poll(), "nr-1-sl"), 0.00999, 1e-12) << "the stop acts, under its id";
    EXPECT_NEAR(fake.spot_balance("BTC"), 0, 1e-12);
    expect_no_duplicates();
}

// The same found by the core's query: the exit does not exist, and the legs are back.
TEST_F(FaultsTest, AFuturesExitFoundMissingByAQueryPutsTheLegsBack) {
    ExecutorInstance ex = executor("usdm", {{"recv_window_ms", "1000"}});
    ex.submit(protected_buy("nr-3", 0.05, 39000, 41000));
    ex.poll();
    ledger_position("BTC/USDT", 0.05, 40000);
    fake.inject(fault(bf::FaultKind::ErrorBefore, "/fapi/v1/order", 503,
                      "Unknown error, please check your request or try again later."));
    EXPECT_EQ(failure([&] { ex.submit(market("nr-4", OT_SIDE_SELL, 0.05)); }).first,
              OT_E_AMBIGUOUS);
    advance(3100);
    EXPECT_FALSE(ex.query_order("BTC/USDT", "nr-4"));
    EXPECT_EQ(resting_ids(), (std::vector<std::string>{"nr-3-s1", "nr-3-t1"}));
    EXPECT_TRUE(of_kind(ex.poll(), OT_REPORT_CANCELED).empty()) << "for the core the legs rest on";
    EXPECT_DOUBLE_EQ(fake.futures_position("BTCUSDT").amount, 0.05);
    expect_no_duplicates();
}

// Conversely, an exit whose answer was lost but that Binance did take leaves the legs canceled:
// the core hears so once the exit is found, and nothing is placed again.
TEST_F(FaultsTest, AnExitWhoseAnswerWasLostButThatArrivedLeavesTheLegsCanceled) {
    ExecutorInstance ex = executor("usdm");
    ex.submit(protected_buy("nr-5", 0.05, 39000, 41000));
    ex.poll();
    ledger_position("BTC/USDT", 0.05, 40000);
    fake.inject(fault(bf::FaultKind::Drop, "/fapi/v1/order"));
    EXPECT_EQ(failure([&] { ex.submit(market("nr-6", OT_SIDE_SELL, 0.05)); }).first,
              OT_E_AMBIGUOUS);
    advance(1000);
    std::vector<Report> reports = ex.poll();
    EXPECT_DOUBLE_EQ(filled(reports, "nr-6"), 0.05);
    std::vector<Report> canceled = of_kind(reports, OT_REPORT_CANCELED);
    ASSERT_EQ(canceled.size(), 2u);
    EXPECT_EQ(canceled[0].client_order_id, "nr-5-sl");
    EXPECT_EQ(canceled[1].client_order_id, "nr-5-tp");
    EXPECT_NE(canceled[0].text.find("closed by nr-6"), std::string::npos) << canceled[0].text;
    advance(8000);
    ex.poll();
    EXPECT_TRUE(resting_ids().empty());
    EXPECT_EQ(fake.futures_position("BTCUSDT").amount, 0);
    expect_no_duplicates();
}

// A position whose legs are placed again over and over (each exit refused) gets new ids at
// Binance every time, within its 36 characters, also after a restart: none is ever sent twice.
TEST_F(FaultsTest, LegsPlacedAgainManyTimesNeverRepeatAnIdAtBinance) {
    const std::string entry = "ot-0123456789abcdef0123456789-01";  // the longest an entry may be
    ASSERT_EQ(entry.size(), 32u);
    const std::string refusal = R"({"code":-1013,"msg":"Filter failure: PERCENT_PRICE_BY_SIDE"})";
    auto refused_exits = [&](ExecutorInstance& ex, int from, int to) {
        for (int i = from; i <= to; ++i) {
            fake.inject(fault(bf::FaultKind::ErrorBefore, "/api/v3/order", 400, refusal));
            ASSERT_EQ(failure([&] {
                          ex.submit(market("exit-" + std::to_string(i), OT_SIDE_SELL, 0.00999));
                      }).first,
                      OT_E_REJECTED);
            ASSERT_EQ(resting_ids().size(), 2u) << "placed again for the " << i << "th time";
        }
    };
    {
        ExecutorInstance ex = executor();
        ex.submit(protected_buy(entry, 0.01, 39000, 42000));
        ex.poll();
        ledger_position("BTC/USDT", 0.00999, 40000);
        refused_exits(ex, 1, 60);
    }
    ExecutorInstance again = executor();  // counts on from the saved state
    refused_exits(again, 61, 130);
    EXPECT_TRUE(host.logs_containing("NOT protected").empty());
    expect_no_duplicates();
    std::set<std::string> lists;
    int placed = 0;
    for (const auto& r : fake.requests())
        if (r.method == "POST" && r.path == "/api/v3/orderList/oco" && r.status == 200) {
            ++placed;
            const std::size_t at = r.body.find("listClientOrderId=") + 18;
            lists.insert(r.body.substr(at, r.body.find('&', at) - at));
        }
    EXPECT_EQ(placed, 131);
    EXPECT_EQ(lists.size(), 131u) << "an order list id was used twice";
    advance(1000);
    fake.set_price("BTCUSDT", 38500);
    advance(1000);
    EXPECT_NEAR(filled(again.poll(), entry + "-sl"), 0.00999, 1e-12) << "the last ones act";
}

// An order list placed again after its answer was lost is refused as a duplicate: Binance has
// it (its order queries lagged), so it is looked up by its id and watched.
TEST_F(FaultsTest, AnOcoRefusedAsADuplicateIsAdoptedWhenItIsTheListMeant) {
    ExecutorInstance ex = executor("spot", {{"recv_window_ms", "5000"}});
    fake.inject(fault(bf::FaultKind::Drop, "/api/v3/orderList/oco"));
    ex.submit(protected_buy("dup-1", 0.01, 39000, 42000));
    bf::Fault lag = fault(bf::FaultKind::ErrorBefore, "/api/v3/order", 400,
                          R"({"code":-2013,"msg":"Order does not exist."})");
    lag.method = "GET";
    lag.count = 2;  // the look-up of both legs
    fake.inject(lag);
    advance(8000);  // past the recvWindow: the list is placed again
    std::vector<Report> reports = ex.poll();
    EXPECT_EQ(fake.count_requests("POST", "/api/v3/orderList/oco"), 2);
    EXPECT_EQ(fake.count_requests("GET", "/api/v3/orderList"), 1);
    int announced = 0;
    for (const Report& r : of_kind(reports, OT_REPORT_ACCEPTED))
        announced += r.client_order_id == "dup-1-sl" || r.client_order_id == "dup-1-tp";
    EXPECT_EQ(announced, 2) << "both legs rest";
    EXPECT_TRUE(host.logs_containing("NOT protected").empty());
    EXPECT_FALSE(host.logs_containing("is at Binance already", OT_LOG_INFO).empty());
    EXPECT_EQ(resting_ids(), (std::vector<std::string>{"dup-1-sl", "dup-1-tp"}));
    fake.set_price("BTCUSDT", 38500);
    advance(1000);
    EXPECT_NEAR(filled(ex.poll(), "dup-1-sl"), 0.00999, 1e-12) << "the adopted list is watched";
    expect_no_duplicates();
}

// The list id is taken by a list that is not this protection's (placed by hand): the position
// is not protected, and that list is left alone.
TEST_F(FaultsTest, AnOcoRefusedAsADuplicateOfAnotherListIsNotAdopted) {
    fake.set_spot_balance("BTC", 0.5);
    ExecutorInstance ex = executor("spot", {{"ignore_existing_holdings", "true"}});
    std::string query =
        "symbol=BTCUSDT&listClientOrderId=dup-2-oco&side=SELL&quantity=0.1&aboveType=LIMIT_MAKER"
        "&aboveClientOrderId=manual-tp&abovePrice=45000&belowType=STOP_LOSS"
        "&belowClientOrderId=manual-sl&belowStopPrice=35000&timestamp=" +
        std::to_string(host.now_ms());
    query += "&signature=" + bf::hmac_hex(kSecret, query);
    HttpReply placed = loopback_http()({"POST",
                                        fake.url() + "/api/v3/orderList/oco?" + query,
                                        {"X-MBX-APIKEY: " + kKey},
                                        "",
                                        2000});
    ASSERT_EQ(placed.status, 200) << placed.body;
    ex.submit(protected_buy("dup-2", 0.01, 39000, 42000));
    EXPECT_FALSE(host.logs_containing("is another one", OT_LOG_ERROR).empty());
    EXPECT_FALSE(host.logs_containing("NOT protected", OT_LOG_ERROR).empty());
    EXPECT_EQ(resting_ids(), (std::vector<std::string>{"manual-sl", "manual-tp"}));
}

TEST_F(FaultsTest, AProtectionRefusedWhenPlacedAgainIsAnErrorSayingThePositionIsNotProtected) {
    ExecutorInstance ex = executor();
    ex.submit(protected_buy("rf-5", 0.01, 39000, 42000));
    ex.poll();
    ledger_position("BTC/USDT", 0.00999, 40000);
    const std::string refusal = R"({"code":-1013,"msg":"Filter failure: PERCENT_PRICE_BY_SIDE"})";
    fake.inject(fault(bf::FaultKind::ErrorBefore, "/api/v3/order", 400, refusal));
    fake.inject(fault(bf::FaultKind::ErrorBefore, "/api/v3/orderList/oco", 400, refusal));
    EXPECT_EQ(failure([&] { ex.submit(market("rf-6", OT_SIDE_SELL, 0.00999)); }).first,
              OT_E_REJECTED);
    EXPECT_TRUE(resting_ids().empty());
    EXPECT_FALSE(host.logs_containing("is NOT protected", OT_LOG_ERROR).empty());
}

// The take-profit of a spot OCO fills in part, and Binance expires the stop with it: the fill
// reaches the core as it happens, and the rest of the position gets a new OCO at the same levels
// (new ids at Binance, its old ids for the core).
TEST_F(FaultsTest, ASpotTargetFilledInPartIsReportedAndTheRestGetsANewOco) {
    ExecutorInstance ex = executor();
    ex.submit(protected_buy("pp-1", 0.01, 39000, 42000));
    ex.poll();
    fake.take_from("BTCUSDT", "pp-1-tp", 0.003);
    advance(1000);
    std::vector<Report> partial = ex.poll();
    EXPECT_NEAR(filled(partial, "pp-1-tp"), 0.003, 1e-12) << "the partial fill is reported";
    EXPECT_TRUE(of_kind(partial, OT_REPORT_CANCELED).empty()) << "for the core the legs rest on";
    EXPECT_EQ(resting_ids(), (std::vector<std::string>{"pp-1-s1", "pp-1-t1"}));
    for (const auto& o : fake.orders())
        if (o.status == "NEW") {
            EXPECT_NEAR(o.orig_qty, 0.00699, 1e-12) << o.client_id;
        }
    EXPECT_TRUE(host.logs_containing("NOT protected").empty());
    advance(1000);
    fake.set_price("BTCUSDT", 42500);
    advance(1000);
    std::vector<Report> rest = ex.poll();
    EXPECT_NEAR(filled(rest, "pp-1-tp"), 0.00699, 1e-12) << "the rest, under the target's id";
    ASSERT_FALSE(of_kind(rest, OT_REPORT_FILL).empty());
    EXPECT_NEAR(of_kind(rest, OT_REPORT_FILL).back().cum_qty, 0.00999, 1e-12);
    ASSERT_EQ(of_kind(rest, OT_REPORT_CANCELED).size(), 1u);
    EXPECT_EQ(of_kind(rest, OT_REPORT_CANCELED)[0].client_order_id, "pp-1-sl");
    EXPECT_NEAR(fake.spot_balance("BTC"), 0, 1e-12);
    expect_no_duplicates();
}

TEST_F(FaultsTest, ARestWhoseTargetWouldMatchAtOnceIsProtectedByTheStopAlone) {
    ExecutorInstance ex = executor();
    ex.submit(protected_buy("pp-2", 0.01, 39000, 42000));
    ex.poll();
    fake.inject(fault(bf::FaultKind::ErrorBefore, "/api/v3/orderList/oco", 400,
                      R"({"code":-2010,"msg":"Order would immediately match and take."})"));
    fake.take_from("BTCUSDT", "pp-2-tp", 0.003);
    advance(1000);
    std::vector<Report> partial = ex.poll();
    EXPECT_NEAR(filled(partial, "pp-2-tp"), 0.003, 1e-12);
    ASSERT_EQ(of_kind(partial, OT_REPORT_EXPIRED).size(), 1u);
    EXPECT_EQ(of_kind(partial, OT_REPORT_EXPIRED)[0].client_order_id, "pp-2-tp");
    EXPECT_EQ(resting_ids(), std::vector<std::string>{"pp-2-s1"});
    EXPECT_FALSE(host.logs_containing("stop-loss 39000 only", OT_LOG_WARN).empty());
    EXPECT_TRUE(host.logs_containing("NOT protected").empty());
    advance(1000);
    fake.set_price("BTCUSDT", 38500);
    advance(1000);
    EXPECT_NEAR(filled(ex.poll(), "pp-2-sl"), 0.00699, 1e-12) << "the stop sells the rest";
    EXPECT_NEAR(fake.spot_balance("BTC"), 0, 1e-12);
}

TEST_F(FaultsTest, ARestWhoseTargetAndStopAreRefusedIsAnErrorSayingItIsNotProtected) {
    ExecutorInstance ex = executor();
    ex.submit(protected_buy("pp-3", 0.01, 39000, 42000));
    ex.poll();
    bf::Fault refusal = fault(bf::FaultKind::ErrorBefore, "/api/v3/order", 400,
                              R"({"code":-1013,"msg":"Filter failure: PERCENT_PRICE_BY_SIDE"})");
    refusal.count = 2;  // the order list, then the stop alone
    fake.inject(refusal);
    fake.take_from("BTCUSDT", "pp-3-tp", 0.003);
    advance(1000);
    EXPECT_NEAR(filled(ex.poll(), "pp-3-tp"), 0.003, 1e-12);
    EXPECT_TRUE(resting_ids().empty());
    EXPECT_FALSE(host.logs_containing("NOT protected", OT_LOG_ERROR).empty());
}

// The strategy exits before a poll has seen the target's partial fill: the exit is accepted and
// sells what is still held.
TEST_F(FaultsTest, AnExitWhileTheTargetIsFilledInPartSellsWhatIsStillHeld) {
    ExecutorInstance ex = executor();
    ex.submit(protected_buy("pp-4", 0.01, 39000, 42000));
    ex.poll();
    ledger_position("BTC/USDT", 0.00999, 40000);
    fake.take_from("BTCUSDT", "pp-4-tp", 0.003);
    auto [code, message] = failure([&] { ex.submit(market("pp-5", OT_SIDE_SELL, 0.00999)); });
    ASSERT_EQ(code, OT_OK) << message;
    std::vector<Report> reports = ex.poll();
    EXPECT_NEAR(filled(reports, "pp-4-tp"), 0.003, 1e-12);
    EXPECT_NEAR(filled(reports, "pp-5"), 0.00699, 1e-12);
    EXPECT_NEAR(fake.spot_balance("BTC"), 0, 1e-12);
    EXPECT_TRUE(resting_ids().empty());
}

TEST_F(FaultsTest, TheFakeBansAClientThatIgnoresRetryAfter) {
    bf::Fault limit;
    limit.kind = bf::FaultKind::RateLimit;
    limit.retry_after_s = 5;
    limit.ban_s = 60;
    fake.inject(limit);
    HttpHandler http = loopback_http();
    HttpRequest ping{"GET", fake.url() + "/api/v3/ping", {}, "", 2000};
    HttpReply first = http(ping);
    EXPECT_EQ(first.status, 429);
    EXPECT_NE(first.headers.find("Retry-After: 5"), std::string::npos) << first.headers;
    HttpReply second = http(ping);
    EXPECT_EQ(second.status, 418) << "a request inside Retry-After earns a ban";
    EXPECT_NE(second.headers.find("Retry-After: 60"), std::string::npos) << second.headers;
    advance(61000);
    EXPECT_EQ(http(ping).status, 200);
}
