// Known-answer tests of the request signatures, with the vectors Binance publishes (spot and
// USD-M futures docs), RFC 8032 for Ed25519, and derived vectors marked as such.
#include "signer.hpp"

#include <gtest/gtest.h>

namespace bn = orchestrade::plugins::binance;

namespace {

const std::string kSpotSecret = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j";
const std::string kFuturesSecret =
    "2b5eb11e18796d12d88f13dc27dbbd02c2cc51ff7059765ed9821957d82bb4d9";

std::string hex_to_bytes(const std::string& hex) {
    std::string out;
    for (std::size_t i = 0; i < hex.size(); i += 2)
        out += static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16));
    return out;
}

std::string bytes_to_hex(const std::string& bytes) {
    static const char digits[] = "0123456789abcdef";
    std::string out;
    for (unsigned char c : bytes) {
        out += digits[c >> 4];
        out += digits[c & 15];
    }
    return out;
}

// A PKCS#8 PEM around a raw Ed25519 seed, as `openssl genpkey -algorithm ed25519` writes it.
std::string pem_of_seed(const std::string& seed) {
    std::string der = hex_to_bytes("302e020100300506032b657004220420") + seed;
    return "-----BEGIN PRIVATE KEY-----\n" + bn::base64_encode(der) +
           "\n-----END PRIVATE KEY-----\n";
}

}  // namespace

TEST(Signer, SpotHmacVectorForAnAsciiPayload) {
    bn::Signer signer(bn::KeyType::Hmac, kSpotSecret);
    EXPECT_EQ(signer.sign("symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1&"
                          "recvWindow=5000&timestamp=1499827319559"),
              "c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71");
}

TEST(Signer, SpotHmacVectorForANonAsciiSymbolIsSignedAfterPercentEncoding) {
    bn::Params params{
        {"symbol", "\xEF\xBC\x91\xEF\xBC\x92\xEF\xBC\x93\xEF\xBC\x94\xEF\xBC\x95\xEF\xBC\x96"},
        {"side", "BUY"},
        {"type", "LIMIT"},
        {"timeInForce", "GTC"},
        {"quantity", "1"},
        {"price", "0.1"},
        {"recvWindow", "5000"},
        {"timestamp", "1499827319559"}};
    const std::string payload = bn::encode_params(params);
    EXPECT_EQ(payload,
              "symbol=%EF%BC%91%EF%BC%92%EF%BC%93%EF%BC%94%EF%BC%95%EF%BC%96&side=BUY&type=LIMIT&"
              "timeInForce=GTC&quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559");
    EXPECT_EQ(bn::Signer(bn::KeyType::Hmac, kSpotSecret).sign(payload),
              "e1353ec6b14d888f1164ae9af8228a3dbd508bc82eb867db8ab6046442f33ef3");
}

TEST(Signer, SpotHmacVectorForQueryAndBodyConcatenatedWithoutSeparator) {
    EXPECT_EQ(bn::hmac_sha256_hex(
                  kSpotSecret, std::string("symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC") +
                                   "quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559"),
              "0fd168b8ddb4876a0358a8d14d0c9f3da0e9b20c5d52b2a00fcf7d1c602f9a77");
}

TEST(Signer, FuturesHmacVectors) {
    bn::Signer signer(bn::KeyType::Hmac, kFuturesSecret);
    EXPECT_EQ(
        signer.sign("symbol=BTCUSDT&side=BUY&type=LIMIT&quantity=1&price=9000&timeInForce=GTC&"
                    "recvWindow=5000&timestamp=1591702613943"),
        "3c661234138461fcc7a7d8746c6558c9842d4e10870d2ecbedf7777cad694af9");
    // The docs' mixed example is printed with a stray space, and its signature covers it.
    EXPECT_EQ(signer.sign("symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTCquantity=1&price=9000&"
                          "recvWindow=5000&timestamp= 1591702613943"),
              "f9d0ae5e813ef6ccf15c2b5a434047a0181cb5a342b903b367ca6d27a66e36f2");
    // Derived: without the space, and with another parameter order (the order is signed too).
    EXPECT_EQ(signer.sign("symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTCquantity=1&price=9000&"
                          "recvWindow=5000&timestamp=1591702613943"),
              "30baaf0fab549bbeda7f5ef201898b34122da25fd23c646cac2c529aebe670a4");
    EXPECT_EQ(
        signer.sign("symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=9000&"
                    "recvWindow=5000&timestamp=1591702613943"),
        "ec11dcc17e67e47f0d3c3f513dfe9062307e37619c5c82ebaa8fe0bdf3d59519");
}

TEST(Signer, Ed25519MatchesRfc8032TestOne) {
    std::string seed =
        hex_to_bytes("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
    std::string sig = bn::base64_decode(bn::ed25519_sign_base64(seed, ""));
    EXPECT_EQ(bytes_to_hex(sig),
              "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e"
              "39701cf9b46bd25bf5f0595bbe24655141438e7a100b");
}

TEST(Signer, Ed25519SignatureIsBase64ThenPercentEncodedFromSeedOrPem) {
    // Derived vector: the published demo seed over a Binance-style payload.
    const std::string seed_b64 = "xQnTJVeQLmw1/Mg2YimEViSpw/SdJcgNXZ5kQkAXNPU=";
    const std::string payload =
        "symbol=BTCUSDT&side=SELL&type=LIMIT&timeInForce=GTC&quantity=1&price=0.2&timestamp="
        "1668481559918&recvWindow=5000";
    const std::string expected =
        "kMJyOn1EV7ghZjOVQCUJkC68TnRX9%2BUtcIBqPCgb3fLlOiAZaFk3DWd0JAQLc5%"
        "2Ba8y3hJnTMxeKaCj1mDFKkAg%3D%3D";
    EXPECT_EQ(bn::Signer(bn::KeyType::Ed25519, seed_b64).sign(payload), expected);
    EXPECT_EQ(
        bn::Signer(bn::KeyType::Ed25519, pem_of_seed(bn::base64_decode(seed_b64))).sign(payload),
        expected);
}

TEST(Signer, AnUnusableEd25519KeyIsRefusedWithoutEchoingIt) {
    try {
        bn::Signer(bn::KeyType::Ed25519, "not-a-key-secret-value");
        FAIL() << "accepted";
    } catch (const std::invalid_argument& e) {
        EXPECT_EQ(std::string(e.what()).find("not-a-key-secret-value"), std::string::npos);
    }
    EXPECT_THROW(bn::Signer(bn::KeyType::Ed25519, bn::base64_encode("short")),
                 std::invalid_argument);
}

TEST(Signer, PercentEncodingKeepsOnlyUnreservedCharacters) {
    EXPECT_EQ(bn::percent_encode("AZaz09-_.~"), "AZaz09-_.~");
    EXPECT_EQ(bn::percent_encode("[\"BTCUSDT\",\"ETHUSDT\"]"),
              "%5B%22BTCUSDT%22%2C%22ETHUSDT%22%5D");
    EXPECT_EQ(bn::percent_encode("a b+c/d=e&f"), "a%20b%2Bc%2Fd%3De%26f");
}
