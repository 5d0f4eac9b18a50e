// The REST client against canned answers: whose weight budget applies, at which priority the
// clock re-sync inside an order call goes, and what a 429 for the order count stops.
#include "rest_client.hpp"

#include <orchestrade/testing/fake_host.hpp>

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

namespace bn = orchestrade::plugins::binance;
using orchestrade::testing::FakeHost;
using orchestrade::testing::HttpReply;
using orchestrade::testing::HttpRequest;

namespace {

constexpr int64_t kT0 = 1704067200000;  // 2024-01-01 00:00:00 UTC
constexpr const char* kBaseUrl = "http://rest-client-test";

// Answers by "METHOD /path": a status and body; every answer says `used_weight` was used.
class RestClientTest : public ::testing::Test {
  protected:
    RestClientTest() {
        host.set_now_ms(kT0);
        host.set_http_handler([this](const HttpRequest& r) {
            std::string path = r.url.substr(std::string(kBaseUrl).size());
            path = path.substr(0, path.find('?'));
            const std::string key = r.method + " " + path;
            sent.push_back(key);
            HttpReply reply;
            reply.headers = "X-MBX-USED-WEIGHT-1M: " + used_weight + "\r\n";
            auto queued = answers.find(key);
            if (queued != answers.end() && !queued->second.empty()) {
                reply = queued->second.front();
                reply.headers += "X-MBX-USED-WEIGHT-1M: " + used_weight + "\r\n";
                queued->second.erase(queued->second.begin());
            } else if (path == "/api/v3/time") {
                reply.body = "{\"serverTime\":" + std::to_string(host.now_ms()) + "}";
            } else {
                reply.body = "{}";
            }
            return reply;
        });
    }

    bn::ClientOptions options(double budget_pct) const {
        bn::ClientOptions o;
        o.market = bn::Market::Spot;
        o.base_url = kBaseUrl;
        o.api_key = "key";
        o.signer.emplace(bn::KeyType::Hmac, "secret");
        o.weight_budget_pct = budget_pct;
        return o;
    }

    static bn::Call query(int weight = 2) {
        bn::Call c;
        c.path = "/api/v3/ticker/price";
        c.weight = weight;
        return c;
    }

    static bn::Call new_order() {
        bn::Call c;
        c.method = "POST";
        c.path = "/api/v3/order";
        c.is_signed = true;
        c.priority = bn::Priority::Trading;
        c.new_order = true;
        return c;
    }

    static bn::Call cancel() {
        bn::Call c;
        c.method = "DELETE";
        c.path = "/api/v3/order";
        c.is_signed = true;
        c.priority = bn::Priority::Trading;
        return c;
    }

    // 429 -1015 without Retry-After: the account placed too many orders.
    static HttpReply too_many_orders() {
        HttpReply r;
        r.status = 429;
        r.body =
            R"({"code":-1015,"msg":"Too many new orders; current limit is 100 orders per 10 SECOND."})";
        return r;
    }

    // The status of a call that fails, OT_OK when it succeeds.
    static ot_status outcome(bn::RestClient& client, const bn::Call& c) {
        try {
            client.call(c);
        } catch (const orchestrade::sdk::Error& e) {
            return e.code();
        }
        return OT_OK;
    }

    orchestrade::sdk::Host sdk_host() const { return orchestrade::sdk::Host(host.table()); }

    FakeHost host{OT_MODE_LIVE};
    std::string used_weight = "0";
    std::map<std::string, std::vector<HttpReply>> answers;
    std::vector<std::string> sent;
};

}  // namespace

TEST_F(RestClientTest, EachClientKeepsItsOwnShareOfTheSharedWeight) {
    bn::RestClient executor(sdk_host(), options(80));
    bn::RestClient feed(sdk_host(), options(10));  // created last
    executor.set_weight_limit(100);
    used_weight = "50";
    ASSERT_EQ(outcome(executor, query()), OT_OK);  // the limiter learns that 50 are used
    EXPECT_EQ(outcome(feed, query()), OT_E_RATE_LIMIT) << "the feed may use 10 %";
    EXPECT_EQ(outcome(executor, query()), OT_OK) << "the executor's queries may use 80 %";
}

TEST_F(RestClientTest, ALaterClientDoesNotUndoTheLiveWeightLimit) {
    bn::RestClient executor(sdk_host(), options(80));
    executor.set_weight_limit(100);
    bn::RestClient feed(sdk_host(), options(80));  // would assume the default 6000
    used_weight = "79";
    ASSERT_EQ(outcome(executor, query(1)), OT_OK);
    EXPECT_EQ(outcome(feed, query(2)), OT_E_RATE_LIMIT) << "81 of 100 is over the budget";
}

TEST_F(RestClientTest, AStaleClockIsResyncedAtTheOrdersPriority) {
    bn::RestClient client(sdk_host(), options(80));
    client.set_weight_limit(100);
    client.sync_time();
    host.set_now_ms(kT0 + 31 * 60 * 1000);  // the measure is stale now
    used_weight = "80";
    ASSERT_EQ(outcome(client, query()), OT_OK);  // queries spent the budget
    EXPECT_EQ(outcome(client, new_order()), OT_OK);
    ASSERT_GE(sent.size(), 2u);
    EXPECT_EQ(sent[sent.size() - 2], "GET /api/v3/time");
    EXPECT_EQ(sent.back(), "POST /api/v3/order");
}

TEST_F(RestClientTest, ATimestampRefusalIsResyncedAtTheOrdersPriority) {
    bn::RestClient client(sdk_host(), options(80));
    client.set_weight_limit(100);
    client.sync_time();
    used_weight = "80";
    ASSERT_EQ(outcome(client, query()), OT_OK);  // queries spent the budget
    HttpReply refused;
    refused.status = 400;
    refused.body =
        R"({"code":-1021,"msg":"Timestamp for this request is outside of the recvWindow."})";
    answers["POST /api/v3/order"].push_back(refused);
    EXPECT_EQ(outcome(client, new_order()), OT_OK);
    ASSERT_GE(sent.size(), 3u);
    EXPECT_EQ(sent[sent.size() - 2], "GET /api/v3/time");
    EXPECT_EQ(sent.back(), "POST /api/v3/order");
}

TEST_F(RestClientTest, TooManyOrdersHoldsBackOnlyNewOrdersUntilTheIntervalEnds) {
    bn::RestClient client(sdk_host(), options(80));
    client.sync_time();
    host.set_now_ms(kT0 + 3000);
    answers["POST /api/v3/order"].push_back(too_many_orders());
    EXPECT_EQ(outcome(client, new_order()), OT_E_RATE_LIMIT);
    EXPECT_FALSE(host.logs_containing("new orders wait until 00:00:10 UTC", OT_LOG_WARN).empty());
    EXPECT_EQ(outcome(client, cancel()), OT_OK) << "cancels go on";
    EXPECT_EQ(outcome(client, query()), OT_OK) << "queries go on";
    const std::size_t before = sent.size();
    EXPECT_EQ(outcome(client, new_order()), OT_E_RATE_LIMIT);
    EXPECT_EQ(sent.size(), before) << "a new order is held back without asking Binance";
    host.set_now_ms(kT0 + 10000);
    EXPECT_EQ(outcome(client, new_order()), OT_OK) << "a new 10 s interval";
}

TEST_F(RestClientTest, TooManyOrdersWaitsForTheIntervalTheCountsShowFull) {
    bn::RestClient client(sdk_host(), options(80));
    client.set_order_limits({{10, 'S', 100}, {1, 'D', 5}});
    client.sync_time();
    host.set_now_ms(kT0 + 3000);
    HttpReply placed;
    placed.body = "{}";
    placed.headers = "X-MBX-ORDER-COUNT-10S: 5\r\nX-MBX-ORDER-COUNT-1D: 5\r\n";
    answers["POST /api/v3/order"] = {placed, too_many_orders()};
    ASSERT_EQ(outcome(client, new_order()), OT_OK);
    EXPECT_EQ(outcome(client, new_order()), OT_E_RATE_LIMIT);
    host.set_now_ms(kT0 + 10 * 60 * 1000);
    EXPECT_EQ(outcome(client, new_order()), OT_E_RATE_LIMIT) << "5 orders per day are placed";
    EXPECT_EQ(outcome(client, query()), OT_OK);
    host.set_now_ms(kT0 + 24 * 60 * 60 * 1000);
    EXPECT_EQ(outcome(client, new_order()), OT_OK) << "a new day";
}
