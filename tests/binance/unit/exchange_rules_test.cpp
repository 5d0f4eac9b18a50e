// Instrument rules read from exchangeInfo (spot and futures field names) and applied before an
// order is sent; a failure names the filter.
#include "exchange_rules.hpp"
#include "order_limits.hpp"

#include <gtest/gtest.h>

namespace bn = orchestrade::plugins::binance;
using nlohmann::json;

namespace {

json spot_info() {
    return json::parse(R"({
      "timezone": "UTC", "serverTime": 1,
      "rateLimits": [{"rateLimitType":"REQUEST_WEIGHT","interval":"MINUTE","intervalNum":1,"limit":6000},
                     {"rateLimitType":"ORDERS","interval":"SECOND","intervalNum":10,"limit":100}],
      "symbols": [
        {"symbol":"BTCUSDT","status":"TRADING","baseAsset":"BTC","quoteAsset":"USDT","filters":[
          {"filterType":"PRICE_FILTER","minPrice":"0.01000000","maxPrice":"1000000.00000000","tickSize":"0.01000000"},
          {"filterType":"LOT_SIZE","minQty":"0.00001000","maxQty":"9000.00000000","stepSize":"0.00001000"},
          {"filterType":"MARKET_LOT_SIZE","minQty":"0.00010000","maxQty":"100.00000000","stepSize":"0.00010000"},
          {"filterType":"NOTIONAL","minNotional":"5.00000000","applyMinToMarket":true,
           "maxNotional":"9000000.00000000","applyMaxToMarket":false,"avgPriceMins":5}]},
        {"symbol":"LTCBTC","status":"BREAK","baseAsset":"LTC","quoteAsset":"BTC","filters":[
          {"filterType":"LOT_SIZE","minQty":"0.001","maxQty":"100000","stepSize":"0.001"},
          {"filterType":"MIN_NOTIONAL","minNotional":"0.001","applyToMarket":false,"avgPriceMins":5}]}]})");
}

json futures_info() {
    return json::parse(R"({
      "rateLimits": [{"rateLimitType":"REQUEST_WEIGHT","interval":"MINUTE","intervalNum":1,"limit":2400}],
      "symbols": [
        {"symbol":"ETHUSDT","status":"TRADING","baseAsset":"ETH","quoteAsset":"USDT","filters":[
          {"filterType":"PRICE_FILTER","minPrice":"39.86","maxPrice":"306177","tickSize":"0.01"},
          {"filterType":"LOT_SIZE","minQty":"0.001","maxQty":"10000","stepSize":"0.001"},
          {"filterType":"MARKET_LOT_SIZE","minQty":"0.001","maxQty":"2000","stepSize":"0.001"},
          {"filterType":"MIN_NOTIONAL","notional":"20"}]}]})");
}

std::string failure(const std::function<void()>& f) {
    try {
        f();
    } catch (const orchestrade::sdk::Error& e) {
        EXPECT_EQ(e.code(), OT_E_REJECTED);
        return e.what();
    }
    return "no failure";
}

}  // namespace

TEST(ExchangeRules, ReadsSpotFiltersAndTheWeightLimit) {
    bn::RulesBySymbol rules = bn::parse_exchange_info(spot_info());
    ASSERT_EQ(rules.size(), 2u);
    const bn::SymbolRules& btc = rules.at("BTCUSDT");
    EXPECT_EQ(btc.base, "BTC");
    EXPECT_EQ(btc.quote, "USDT");
    EXPECT_EQ(btc.tick.str(), "0.01");
    EXPECT_EQ(btc.step.str(), "0.00001");
    EXPECT_EQ(btc.market_step.str(), "0.0001");
    EXPECT_DOUBLE_EQ(btc.min_notional, 5);
    EXPECT_EQ(rules.at("LTCBTC").status, "BREAK");
    EXPECT_DOUBLE_EQ(rules.at("LTCBTC").min_notional, 0.001);  // the older MIN_NOTIONAL name
    EXPECT_FALSE(rules.at("LTCBTC").min_notional_applies_to_market);
    EXPECT_EQ(bn::request_weight_limit(spot_info()), 6000);
}

TEST(ExchangeRules, ReadsTheFuturesMinNotionalField) {
    bn::RulesBySymbol rules = bn::parse_exchange_info(futures_info());
    EXPECT_DOUBLE_EQ(rules.at("ETHUSDT").min_notional, 20);
    EXPECT_EQ(bn::request_weight_limit(futures_info()), 2400);
}

TEST(ExchangeRules, ReadsTheOrdersLimitsAndTheirCountHeaders) {
    std::vector<bn::OrderLimit> limits = bn::order_limits(spot_info());
    ASSERT_EQ(limits.size(), 1u);
    EXPECT_EQ(limits[0].interval_ms(), 10000);
    EXPECT_EQ(limits[0].limit, 100);
    EXPECT_EQ(limits[0].header(), "X-MBX-ORDER-COUNT-10S");
    EXPECT_EQ(limits[0].text(), "100 orders per 10 s");
    EXPECT_TRUE(bn::order_limits(futures_info()).empty());
}

TEST(ExchangeRules, QuantitiesAreFlooredToTheStepOfTheirOrderType) {
    const bn::SymbolRules btc = bn::parse_exchange_info(spot_info()).at("BTCUSDT");
    EXPECT_EQ(btc.quantity(0.0123456, false).str(), "0.01234");
    EXPECT_EQ(btc.quantity(0.0123456, true).str(), "0.0123");  // MARKET_LOT_SIZE
    EXPECT_NE(failure([&] { btc.quantity(0.00005, true); }).find("filter MARKET_LOT_SIZE"),
              std::string::npos);
    EXPECT_NE(failure([&] {
                  btc.quantity(0.000004, false);
              }).find("filter LOT_SIZE: quantity 4e-06 is below the minimum 0.00001"),
              std::string::npos);
    EXPECT_NE(failure([&] { btc.quantity(9001, false); }).find("above the maximum 9000"),
              std::string::npos);
}

TEST(ExchangeRules, PricesAreRoundedToTheTickAndChecked) {
    const bn::SymbolRules eth = bn::parse_exchange_info(futures_info()).at("ETHUSDT");
    EXPECT_EQ(eth.price(2345.678, bn::Rounding::Nearest).str(), "2345.68");
    EXPECT_EQ(eth.price(2345.678, bn::Rounding::Down).str(), "2345.67");
    EXPECT_NE(failure([&] {
                  eth.price(10, bn::Rounding::Nearest);
              }).find("filter PRICE_FILTER: price 10 is below the minimum 39.86"),
              std::string::npos);
}

TEST(ExchangeRules, NotionalChecksUseEachMarketsFilterName) {
    const bn::SymbolRules btc = bn::parse_exchange_info(spot_info()).at("BTCUSDT");
    EXPECT_NE(failure([&] {
                  btc.check_notional(4.99, true, false, bn::Market::Spot);
              }).find("filter NOTIONAL: order value 4.99 USDT is below the minimum 5"),
              std::string::npos);
    EXPECT_EQ(failure([&] { btc.check_notional(5, true, false, bn::Market::Spot); }), "no failure");
    const bn::SymbolRules ltc = bn::parse_exchange_info(spot_info()).at("LTCBTC");
    EXPECT_EQ(failure([&] { ltc.check_notional(0.0001, true, false, bn::Market::Spot); }),
              "no failure");
    const bn::SymbolRules eth = bn::parse_exchange_info(futures_info()).at("ETHUSDT");
    EXPECT_NE(failure([&] {
                  eth.check_notional(19, true, false, bn::Market::UsdM);
              }).find("filter MIN_NOTIONAL"),
              std::string::npos);
    EXPECT_EQ(failure([&] { eth.check_notional(19, true, true, bn::Market::UsdM); }), "no failure");
}

TEST(ExchangeRules, AnAnswerWithoutSymbolsIsAnIoError) {
    try {
        bn::parse_exchange_info(json::parse(R"({"code":-1121,"msg":"Invalid symbol."})"));
        FAIL();
    } catch (const orchestrade::sdk::Error& e) {
        EXPECT_EQ(e.code(), OT_E_IO);
    }
}
