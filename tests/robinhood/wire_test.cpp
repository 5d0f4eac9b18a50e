// What goes on the wire besides the signature: client ids, decimal text shaped to the trading
// pair's rules, the venue's time formats and number forms, error bodies, the token bucket.
#include "client_id.hpp"
#include "decimal.hpp"
#include "quotes.hpp"
#include "time_format.hpp"
#include "token_bucket.hpp"
#include "trading_pair.hpp"
#include "venue_errors.hpp"

#include <orchestrade/sdk.hpp>

#include <gtest/gtest.h>

namespace rh = orchestrade::plugins::robinhood;
using rh::json;

namespace {

rh::TradingPair btc() {
    return rh::TradingPair::from_json(json::parse(R"({
        "asset_code": "BTC", "quote_code": "USD", "symbol": "BTC-USD", "status": "tradable",
        "asset_increment": "0.000010000000000000", "quote_increment": "0.010000000000000000",
        "min_order_size": "0.0001", "max_order_size": 20})"));
}

ot_status code_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const orchestrade::sdk::Error& e) {
        return e.code();
    }
    return OT_OK;
}

}  // namespace

TEST(ClientId, IsTheRfc4122NameBasedUuidOfTheCoreId) {
    rh::Uuid dns{0x6b, 0xa7, 0xb8, 0x10, 0x9d, 0xad, 0x11, 0xd1,
                 0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8};
    EXPECT_EQ(rh::uuid_v5(dns, "python.org"), "886313e1-3b8a-5372-9b90-0c9aee199e5d");
    EXPECT_EQ(rh::venue_client_order_id("ot-1a2b3c4d-1"), "2ea061e9-883c-5f77-9093-bf261833bc73");
    EXPECT_EQ(rh::venue_client_order_id("ot-1a2b3c4d-1"),
              rh::venue_client_order_id("ot-1a2b3c4d-1"));
    EXPECT_NE(rh::venue_client_order_id("ot-1a2b3c4d-1"),
              rh::venue_client_order_id("ot-1a2b3c4d-2"));
}

TEST(Decimal, ParsesPaddedTextAndWritesTheShortestForm) {
    EXPECT_EQ(rh::Decimal::parse("0.000100000000000000")->text(), "0.0001");
    EXPECT_EQ(rh::Decimal::parse("20")->text(), "20");
    EXPECT_EQ(rh::Decimal::parse("65000.50")->text(), "65000.5");
    for (const char* bad : {"", ".", "1e-8", "abc", "1.2.3", "0.1234567890123456789"})
        EXPECT_FALSE(rh::Decimal::parse(bad)) << bad;
}

TEST(Decimal, QuantisesToTheStepInTheAskedDirection) {
    rh::Decimal step = *rh::Decimal::parse("0.01");
    EXPECT_EQ(rh::quantize(12.349, step, rh::Rounding::Down).text(), "12.34");
    EXPECT_EQ(rh::quantize(12.341, step, rh::Rounding::Up).text(), "12.35");
    EXPECT_EQ(rh::quantize(12.345001, step, rh::Rounding::Nearest).text(), "12.35");
    // Binary noise never costs a whole step: 0.3 is three steps of 0.1.
    EXPECT_EQ(rh::quantize(0.1 + 0.2, *rh::Decimal::parse("0.1"), rh::Rounding::Down).text(),
              "0.3");
    EXPECT_EQ(rh::quantize(0.3, *rh::Decimal::parse("0.1"), rh::Rounding::Up).text(), "0.3");
}

TEST(Decimal, ALargeCountOfStepsIsNeverRoundedTheWrongWay) {
    rh::Decimal whole = *rh::Decimal::parse("1");
    EXPECT_EQ(rh::quantize(1000000000.4, whole, rh::Rounding::Down).text(), "1000000000");
    EXPECT_EQ(rh::quantize(1000000000.6, whole, rh::Rounding::Up).text(), "1000000001");
    rh::Decimal satoshi = *rh::Decimal::parse("0.00000001");
    EXPECT_EQ(rh::quantize(12.345678905, satoshi, rh::Rounding::Down).text(), "12.3456789");
}

TEST(TradingPair, RoundsQuantitiesDownAndKnowsWhatWasLeftOut) {
    rh::TradingPair::Quantity q = btc().quantity(0.123456789);
    EXPECT_EQ(q.qty.text(), "0.12345");
    EXPECT_NEAR(q.unsent, 0.000006789, 1e-12);
    EXPECT_EQ(btc().quantity(0.5).unsent, 0);
}

TEST(TradingPair, RefusesSizesOutsideTheBoundsWithTheReason) {
    try {
        btc().quantity(0.00005);
        FAIL();
    } catch (const orchestrade::sdk::Error& e) {
        EXPECT_EQ(e.code(), OT_E_REJECTED);
        EXPECT_NE(std::string(e.what()).find("below the minimum order size 0.0001"),
                  std::string::npos)
            << e.what();
    }
    EXPECT_EQ(code_of([] { btc().quantity(21); }), OT_E_REJECTED);
    EXPECT_EQ(code_of([] { btc().quantity(0); }), OT_E_REJECTED);
    EXPECT_EQ(code_of([] { btc().price(0.004, rh::Rounding::Down, "limit price"); }),
              OT_E_REJECTED);
    EXPECT_EQ(btc().price(65000.129, rh::Rounding::Up, "limit price").text(), "65000.13");
}

TEST(TradingPair, ASymbolIsWrittenTheVenuesWay) {
    EXPECT_EQ(rh::venue_symbol("BTC/USD"), "BTC-USD");
    EXPECT_EQ(rh::venue_symbol("eth-usd"), "ETH-USD");
}

TEST(TradingPair, MissingIncrementsAreAnError) {
    EXPECT_EQ(code_of([] { rh::TradingPair::from_json(json{{"symbol", "X-USD"}}); }), OT_E_PLUGIN);
}

TEST(TimeFormat, ReadsTheVenuesTimestampsAndWritesFilters) {
    EXPECT_EQ(rh::parse_iso8601_ms("2024-01-02T03:04:05.123456-04:00"), 1704179045123);
    EXPECT_EQ(rh::parse_iso8601_ms("2024-01-02T07:04:05.123Z"), 1704179045123);
    EXPECT_EQ(rh::parse_iso8601_ms("2024-01-02T07:04:05+0000"), 1704179045000);
    EXPECT_FALSE(rh::parse_iso8601_ms("2024-13-02T07:04:05Z"));
    EXPECT_FALSE(rh::parse_iso8601_ms("yesterday"));
    EXPECT_EQ(rh::format_iso8601(1704179045999), "2024-01-02T07:04:05Z");
    EXPECT_EQ(rh::parse_http_date_ms("Sun, 06 Nov 1994 08:49:37 GMT"), 784111777000);
    EXPECT_FALSE(rh::parse_http_date_ms("Sunday, 06-Nov-94 08:49:37 GMT"));
}

TEST(Quotes, ReadQuotedAndBareNumbers) {
    auto quotes = rh::parse_quotes(json::parse(R"({"results": [
        {"symbol": "BTC-USD", "price": 100.5, "bid_inclusive_of_sell_spread": "100.0",
         "ask_inclusive_of_buy_spread": "101.0"},
        {"symbol": "ETH-USD", "bid": "9.5", "ask": 10.5},
        {"symbol": "DOGE-USD", "price": "not a number"}]})"));
    ASSERT_EQ(quotes.size(), 2u);
    EXPECT_EQ(quotes[0].bid, 100.0);
    EXPECT_EQ(quotes[0].ask, 101.0);
    EXPECT_EQ(quotes[0].price, 100.5);
    EXPECT_EQ(quotes[1].price, 10.0);
    EXPECT_EQ(rh::quotes_path({"BTC-USD", "ETH-USD"}),
              "/api/v1/crypto/marketdata/best_bid_ask/?symbol=BTC-USD&symbol=ETH-USD");
}

TEST(VenueErrors, NameTheFieldAndTheDetail) {
    EXPECT_EQ(
        rh::describe_http_error(
            400, R"({"type": "validation_error", "errors": [{"detail": "Must be a valid UUID.",
                        "attr": "client_order_id"}]})"),
        "HTTP 400 validation_error: client_order_id: Must be a valid UUID.");
    EXPECT_EQ(rh::describe_http_error(503, "<html>down</html>"), "HTTP 503: <html>down</html>");
    EXPECT_EQ(rh::status_for_http_error(500, rh::Call::PlaceOrder), OT_E_AMBIGUOUS);
    EXPECT_EQ(rh::status_for_http_error(500, rh::Call::Read), OT_E_IO);
    EXPECT_EQ(rh::status_for_http_error(400, rh::Call::PlaceOrder), OT_E_REJECTED);
    EXPECT_EQ(rh::status_for_http_error(429, rh::Call::PlaceOrder), OT_E_RATE_LIMIT);
}

TEST(TokenBucket, AllowsTheBurstThenRefillsAtTheRate) {
    rh::TokenBucket bucket(100, 300);  // 100 per minute: one token per 600 ms
    int taken = 0;
    while (bucket.take(0))
        ++taken;
    EXPECT_EQ(taken, 300);
    EXPECT_FALSE(bucket.take(590));
    EXPECT_TRUE(bucket.take(601));
    EXPECT_FALSE(bucket.take(601));
    int later = 0;
    while (bucket.take(3600000))
        ++later;
    EXPECT_EQ(later, 300) << "the bucket never holds more than the burst";
}
