// The loopback fake checks what the real service checks; otherwise the executor's tests against
// it would prove little. Requests here are signed by hand.
#include "fake_robinhood.hpp"
#include "signer.hpp"

#include <httplib.h>

#include <gtest/gtest.h>

namespace rh = orchestrade::testing::robinhood;
namespace api = orchestrade::plugins::robinhood;

namespace {

constexpr const char* kOrders = "/api/v1/crypto/trading/orders/";
constexpr int64_t kDocTimestamp = 1698708981;
constexpr const char* kDocBody =
    R"({"client_order_id":"131de903-5a9c-4260-abc1-28d562a5dcf0","side":"buy","type":"market",)"
    R"("symbol":"BTC-USD","market_order_config":{"asset_quantity":"0.1"}})";

class FakeRobinhoodChecks : public ::testing::Test {
  protected:
    void SetUp() override {
        fake.set_clock([] { return kDocTimestamp * 1000; });
        fake.set_quote("BTC-USD", 34000, 34010);
    }

    httplib::Result send(const std::string& method, const std::string& path,
                         const std::string& body, int64_t timestamp,
                         const std::string& signature = {}) {
        httplib::Client client("127.0.0.1", std::stoi(fake.base_url().substr(17)));
        client.set_url_encode(false);
        httplib::Request req;
        req.method = method;
        req.path = path;
        req.body = body;
        req.headers = {
            {"x-api-key", rh::kApiKey},
            {"x-timestamp", std::to_string(timestamp)},
            {"x-signature", signature.empty() ? api::Signer(rh::kPrivateKey)
                                                    .sign_base64(api::signing_message(
                                                        rh::kApiKey, timestamp, path, method, body))
                                              : signature},
            {"Content-Type", "application/json; charset=utf-8"}};
        return client.send(req);
    }

    httplib::Result place(const std::string& quantity, const std::string& id) {
        return send("POST", kOrders,
                    R"({"client_order_id":")" + id +
                        R"(","side":"buy","type":"market","symbol":"BTC-USD",)" +
                        R"("market_order_config":{"asset_quantity":")" + quantity + R"("}})",
                    kDocTimestamp);
    }

    rh::FakeRobinhood fake;
};

}  // namespace

TEST_F(FakeRobinhoodChecks, AcceptsTheDocumentedRequestWithItsDocumentedSignature) {
    httplib::Result r = send("POST", kOrders, kDocBody, kDocTimestamp,
                             "6tIj8o6p+4w+ZnaxVanHtxjhC6s5z4lTI+8lNRjJOZp0dVDlco2NR6obVwBiECP8eo"
                             "HtfcbsGfTu1rESBHOzCA==");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 201) << r->body;
}

TEST_F(FakeRobinhoodChecks, RefusesASignatureOverOtherBytes) {
    std::string sent = kDocBody;
    sent.replace(sent.find("0.1"), 3, "0.2");
    httplib::Result r = send("POST", kOrders, sent, kDocTimestamp,
                             "6tIj8o6p+4w+ZnaxVanHtxjhC6s5z4lTI+8lNRjJOZp0dVDlco2NR6obVwBiECP8eo"
                             "HtfcbsGfTu1rESBHOzCA==");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 401);
    EXPECT_EQ(fake.bad_signatures(), 1);
}

TEST_F(FakeRobinhoodChecks, RefusesATimestampOutsideThirtySeconds) {
    ASSERT_EQ(send("GET", "/api/v1/crypto/trading/accounts/", "", kDocTimestamp - 30)->status, 200);
    EXPECT_EQ(send("GET", "/api/v1/crypto/trading/accounts/", "", kDocTimestamp - 31)->status, 401);
    EXPECT_EQ(send("GET", "/api/v1/crypto/trading/accounts/", "", kDocTimestamp + 31)->status, 401);
    EXPECT_EQ(fake.stale_timestamps(), 2);
}

TEST_F(FakeRobinhoodChecks, EnforcesTheIncrementAndTheSizeBounds) {
    httplib::Result off = place("0.000000001", "00000000-0000-4000-8000-00000000000a");
    EXPECT_EQ(off->status, 400);
    EXPECT_NE(off->body.find("multiple of"), std::string::npos) << off->body;
    EXPECT_EQ(place("0.0000005", "00000000-0000-4000-8000-00000000000b")->status, 400);
    EXPECT_EQ(place("21", "00000000-0000-4000-8000-00000000000c")->status, 400);
    EXPECT_EQ(place("0.00000123", "00000000-0000-4000-8000-00000000000d")->status, 201);
}

TEST_F(FakeRobinhoodChecks, CountsAReusedClientId) {
    EXPECT_EQ(place("0.001", "00000000-0000-4000-8000-00000000000e")->status, 201);
    EXPECT_EQ(place("0.001", "00000000-0000-4000-8000-00000000000e")->status, 400);
    EXPECT_EQ(fake.with_venue([](rh::FakeVenue& v) { return v.duplicate_client_ids(); }), 1);
}
