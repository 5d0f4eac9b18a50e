// Binance errors: which ones leave an order's outcome unknown, and the messages users get.
#include "api_error.hpp"

#include <gtest/gtest.h>

namespace bn = orchestrade::plugins::binance;
using bn::Outcome;

TEST(ApiError, UnknownOutcomesAreTheDocumentedOnes) {
    EXPECT_EQ(bn::classify(500, -1007,
                           "Timeout waiting for response from backend server. Send status unknown; "
                           "execution status unknown."),
              Outcome::Ambiguous);
    EXPECT_EQ(bn::classify(503, 0, "Unknown error, please check your request or try again later."),
              Outcome::Ambiguous);
    EXPECT_EQ(bn::classify(502, 0, "<html>Bad Gateway</html>"), Outcome::Ambiguous);
    EXPECT_EQ(bn::classify(408, 0, ""), Outcome::Ambiguous);
    EXPECT_EQ(bn::classify(503, 0, "Service Unavailable."), Outcome::Rejected);
    EXPECT_EQ(bn::classify(503, -1008, "Server is currently overloaded with other requests."),
              Outcome::Rejected);
    EXPECT_EQ(bn::classify(429, -1003, "Too many requests"), Outcome::RateLimited);
    EXPECT_EQ(bn::classify(418, -1003, "banned"), Outcome::RateLimited);
    EXPECT_EQ(bn::classify(400, -1021, "Timestamp for this request is outside of the recvWindow."),
              Outcome::BadTimestamp);
    EXPECT_EQ(bn::classify(400, -2010, "Account has insufficient balance for requested action."),
              Outcome::Rejected);
}

TEST(ApiError, MessagesSayWhatWentWrong) {
    bn::ApiError e = bn::make_api_error(
        400, R"({"code":-2010,"msg":"Account has insufficient balance for requested action."})");
    EXPECT_EQ(e.code(), OT_E_REJECTED);
    EXPECT_STREQ(e.what(),
                 "insufficient balance: Account has insufficient balance for requested action. "
                 "(Binance -2010)");
    EXPECT_STREQ(
        bn::make_api_error(400, R"({"code":-1013,"msg":"Filter failure: LOT_SIZE"})").what(),
        "filter LOT_SIZE failed: Filter failure: LOT_SIZE (Binance -1013)");
    EXPECT_STREQ(
        bn::make_api_error(
            400,
            R"({"code":-4164,"msg":"Order's notional must be no smaller than 5 (unless you choose reduce only)."})")
            .what(),
        "filter MIN_NOTIONAL failed: Order's notional must be no smaller than 5 (unless you choose "
        "reduce only). (Binance -4164)");
    EXPECT_STREQ(
        bn::make_api_error(400, R"({"code":-2019,"msg":"Margin is insufficient."})").what(),
        "insufficient margin: Margin is insufficient. (Binance -2019)");
    EXPECT_STREQ(bn::make_api_error(503, "Service Unavailable.").what(),
                 "HTTP 503: Service Unavailable.");
}

TEST(ApiError, StatusesFollowTheOutcome) {
    EXPECT_EQ(bn::make_api_error(400, R"({"code":-2013,"msg":"Order does not exist."})").code(),
              OT_E_NOT_FOUND);
    EXPECT_EQ(bn::make_api_error(500, R"({"code":-1007,"msg":"Timeout"})").code(), OT_E_AMBIGUOUS);
    EXPECT_EQ(bn::make_api_error(418, R"({"code":-1003,"msg":"banned"})").code(), OT_E_RATE_LIMIT);
    bn::ApiError unknown = bn::make_api_error(400, R"({"code":-2011,"msg":"Unknown order sent."})");
    EXPECT_TRUE(bn::is_unknown_order(unknown));
    EXPECT_FALSE(bn::is_unknown_order(bn::make_api_error(
        400, R"({"code":-2011,"msg":"Order was not canceled due to cancel restrictions."})")));
}

TEST(ApiError, FuturesPriceAndQuantityRangeRefusalsAreRuleRefusals) {
    for (const char* body : {R"({"code":-4003,"msg":"Quantity less than or equal to zero."})",
                             R"({"code":-4004,"msg":"Quantity less than min quantity."})",
                             R"({"code":-4005,"msg":"Quantity greater than max quantity."})",
                             R"({"code":-4002,"msg":"Price greater than max price."})",
                             R"({"code":-4013,"msg":"Price less than min price."})",
                             R"({"code":-4023,"msg":"Quantity not increased by step size."})",
                             R"({"code":-4014,"msg":"Price not increased by tick size."})"})
        EXPECT_TRUE(bn::is_rules_refusal(bn::make_api_error(400, body))) << body;
    EXPECT_FALSE(bn::is_rules_refusal(
        bn::make_api_error(400, R"({"code":-2019,"msg":"Margin is insufficient."})")));
    EXPECT_STREQ(
        bn::make_api_error(400, R"({"code":-4005,"msg":"Quantity greater than max quantity."})")
            .what(),
        "filter LOT_SIZE failed: Quantity greater than max quantity. (Binance -4005)");
    EXPECT_STREQ(
        bn::make_api_error(400, R"({"code":-4002,"msg":"Price greater than max price."})").what(),
        "filter PRICE_FILTER failed: Price greater than max price. (Binance -4002)");
}

TEST(ApiError, RefusalsThatPassAreTheTransientOnes) {
    EXPECT_TRUE(bn::is_transient_refusal(bn::make_api_error(503, "Service Unavailable.")));
    EXPECT_TRUE(bn::is_transient_refusal(
        bn::make_api_error(503, R"({"code":-1008,"msg":"Server is currently overloaded."})")));
    EXPECT_TRUE(bn::is_transient_refusal(bn::make_api_error(403, "<html>Forbidden</html>")));
    EXPECT_FALSE(bn::is_transient_refusal(
        bn::make_api_error(400, R"({"code":-2010,"msg":"Account has insufficient balance."})")));
    EXPECT_FALSE(bn::is_transient_refusal(
        bn::make_api_error(503, "Unknown error, please check your request or try again later.")))
        << "an unknown outcome, not a refusal";
}
