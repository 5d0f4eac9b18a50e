// Known-answer tests of the request signature: RFC 8032's Ed25519 vector and the Robinhood
// documentation's example request, signed over exactly the bytes that are sent.
#include "order_body.hpp"
#include "signer.hpp"

#include <orchestrade/ot_plugin.h>

#include <gtest/gtest.h>

#include <string>

namespace rh = orchestrade::plugins::robinhood;

namespace {

constexpr const char* kSeed = "xQnTJVeQLmw1/Mg2YimEViSpw/SdJcgNXZ5kQkAXNPU=";
constexpr const char* kApiKey = "rh-api-6148effc-c0b1-486c-8940-a1d099456be6";
constexpr int64_t kTimestamp = 1698708981;
constexpr const char* kOrdersPath = "/api/v1/crypto/trading/orders/";
constexpr const char* kCompactBody =
    R"({"client_order_id":"131de903-5a9c-4260-abc1-28d562a5dcf0","side":"buy","type":"market",)"
    R"("symbol":"BTC-USD","market_order_config":{"asset_quantity":"0.1"}})";

std::string unhex(const std::string& hex) {
    std::string out;
    for (std::size_t i = 0; i < hex.size(); i += 2)
        out.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
    return out;
}

std::string hex(const std::string& bytes) {
    static const char* digits = "0123456789abcdef";
    std::string out;
    for (unsigned char c : bytes) {
        out.push_back(digits[c >> 4]);
        out.push_back(digits[c & 15]);
    }
    return out;
}

std::string sign(const std::string& path, const std::string& method, const std::string& body) {
    return rh::Signer(kSeed).sign_base64(
        rh::signing_message(kApiKey, kTimestamp, path, method, body));
}

}  // namespace

TEST(Signing, Rfc8032Test1SignsTheEmptyMessage) {
    rh::Signer signer(rh::base64_encode(
        unhex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")));
    EXPECT_EQ(hex(*rh::base64_decode(signer.public_key_base64())),
              "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
    EXPECT_EQ(hex(*rh::base64_decode(signer.sign_base64(""))),
              "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e"
              "39701cf9b46bd25bf5f0595bbe24655141438e7a100b");
}

TEST(Signing, TheDocumentedSeedDerivesTheDocumentedPublicKey) {
    EXPECT_EQ(rh::Signer(kSeed).public_key_base64(),
              "jPItx4TLjcnSUnmnXQQyAKL4eJj3+oWNNMmmm2vATqk=");
}

TEST(Signing, TheMessageIsKeyTimestampPathMethodBodyWithoutSeparators) {
    EXPECT_EQ(rh::signing_message(kApiKey, kTimestamp, "/p/?a=1", "GET", ""),
              std::string(kApiKey) + "1698708981/p/?a=1GET");
}

TEST(Signing, TheDocumentedOrderWithACompactBody) {
    EXPECT_EQ(
        sign(kOrdersPath, "POST", kCompactBody),
        "6tIj8o6p+4w+ZnaxVanHtxjhC6s5z4lTI+8lNRjJOZp0dVDlco2NR6obVwBiECP8eoHtfcbsGfTu1rESBHOzCA==");
}

TEST(Signing, TheDocumentedOrderWithPythonJsonDumpsSeparators) {
    const std::string body =
        R"({"client_order_id": "131de903-5a9c-4260-abc1-28d562a5dcf0", "side": "buy", )"
        R"("type": "market", "symbol": "BTC-USD", "market_order_config": {"asset_quantity": "0.1"}})";
    EXPECT_EQ(
        sign(kOrdersPath, "POST", body),
        "mkbyKha+X/8lyTEMt7aVW/MH0o07xbzKqboBvdLzcQiXX+CR3dWq0exOcUqntqL1uS/pqcsFkvXVuXJ2ihcuBA==");
}

TEST(Signing, ThePublishedSignatureCoversThePythonReprOfTheBody) {
    const std::string repr =
        "{'client_order_id': '131de903-5a9c-4260-abc1-28d562a5dcf0', 'side': 'buy', 'symbol': "
        "'BTC-USD', 'type': 'market', 'market_order_config': {'asset_quantity': '0.1'}}";
    EXPECT_EQ(
        sign(kOrdersPath, "POST", repr),
        "q/nEtxp/P2Or3hph3KejBqnw5o9qeuQ+hYRnB56FaHbjDsNUY9KhB1asMxohDnzdVFSD7StaTqjSd9U9HvaRAw==");
}

TEST(Signing, APostWithoutBodyAndAGet) {
    EXPECT_EQ(
        sign(kOrdersPath, "POST", ""),
        "kcfrUJx98tfBmSslfxSxfZtFNOABYjWgUXtDgKFWIdDTDDknIj8EnCN2RD4q4OB48h8iC65DRGKiYHc8VIWcAw==");
    EXPECT_EQ(
        sign("/api/v1/crypto/trading/accounts/", "GET", ""),
        "08PdjWE9n95K4rcXLZS0z47SdFJ0k/hod/1WRNd2JugZemESR65/J8UJi6yGjd8KRPizSW9goFFqffDOgqGBDQ==");
}

TEST(Signing, TheOrderBodySentIsTheDocumentedCompactJson) {
    rh::LocalOrder o;
    o.uuid = "131de903-5a9c-4260-abc1-28d562a5dcf0";
    o.side = OT_SIDE_BUY;
    o.type = OT_ORDER_MARKET;
    o.qty = "0.1";
    const std::string body = rh::order_body(o, "BTC-USD");
    EXPECT_EQ(body, kCompactBody);
    EXPECT_EQ(
        sign(kOrdersPath, "POST", body),
        "6tIj8o6p+4w+ZnaxVanHtxjhC6s5z4lTI+8lNRjJOZp0dVDlco2NR6obVwBiECP8eoHtfcbsGfTu1rESBHOzCA==");
}

TEST(Signing, ALibsodiumStyleKeyOfSeedAndPublicKeySignsTheSame) {
    std::string both =
        *rh::base64_decode(kSeed) + *rh::base64_decode(rh::Signer(kSeed).public_key_base64());
    EXPECT_EQ(rh::Signer(rh::base64_encode(both)).sign_base64("x"),
              rh::Signer(kSeed).sign_base64("x"));
}

TEST(Signing, ABadKeyIsRefusedWithoutQuotingIt) {
    for (const char* bad : {"not base64!", "c2hvcnQ=", ""}) {
        try {
            rh::Signer signer(bad);
            ADD_FAILURE() << "accepted '" << bad << "'";
        } catch (const std::exception& e) {
            EXPECT_NE(std::string(e.what()).find("private_key"), std::string::npos) << e.what();
            if (*bad) {
                EXPECT_EQ(std::string(e.what()).find(bad), std::string::npos) << e.what();
            }
        }
    }
}
