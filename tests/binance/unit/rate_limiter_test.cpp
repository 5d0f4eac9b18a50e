// The request-weight budget: throttling before the limit, pauses after 429, bans after 418.
#include "rate_limiter.hpp"

#include <orchestrade/sdk.hpp>

#include <gtest/gtest.h>

namespace bn = orchestrade::plugins::binance;

namespace {

constexpr int64_t kMinute = 60000;
constexpr int64_t kT0 = 1704067200000;  // a minute boundary

std::string refusal(bn::RateLimiter& l, int64_t now, int weight, bn::Priority p,
                    double budget_pct = 80) {
    try {
        l.admit(now, weight, p, budget_pct);
    } catch (const orchestrade::sdk::Error& e) {
        EXPECT_EQ(e.code(), OT_E_RATE_LIMIT);
        return e.what();
    }
    return {};
}

}  // namespace

TEST(RateLimiter, QueriesStopAtTheBudgetWhileOrdersMayUseTheRest) {
    bn::RateLimiter l(100);
    for (int i = 0; i < 8; ++i)
        EXPECT_EQ(refusal(l, kT0 + i, 10, bn::Priority::Normal), "");
    std::string why = refusal(l, kT0 + 10, 1, bn::Priority::Normal);
    EXPECT_NE(why.find("throttled: 80 of 100 request weight used this minute"), std::string::npos)
        << why;
    EXPECT_NE(why.find("resume at 00:01:00 UTC"), std::string::npos) << why;
    for (int i = 0; i < 20; ++i)
        EXPECT_EQ(refusal(l, kT0 + 20, 1, bn::Priority::Trading), "");
    EXPECT_NE(refusal(l, kT0 + 30, 1, bn::Priority::Trading), "");
    EXPECT_EQ(refusal(l, kT0 + kMinute, 10, bn::Priority::Normal), "")
        << "a new minute, a new budget";
}

TEST(RateLimiter, TheServersCountOverridesTheLocalEstimate) {
    bn::RateLimiter l(100);
    l.admit(kT0, 1, bn::Priority::Normal, 50);
    l.on_response(kT0, 200, "49", "");  // other processes on the same IP spent the rest
    EXPECT_NE(refusal(l, kT0 + 1, 2, bn::Priority::Normal, 50), "");
}

TEST(RateLimiter, A429PausesEverythingForRetryAfter) {
    bn::RateLimiter l;
    std::string log = l.on_response(kT0, 429, "1200", "7");
    EXPECT_NE(log.find("paused for 7 s"), std::string::npos) << log;
    EXPECT_NE(refusal(l, kT0 + 6999, 1, bn::Priority::Trading).find("HTTP 429"), std::string::npos);
    EXPECT_EQ(refusal(l, kT0 + 7000, 1, bn::Priority::Trading), "");
}

TEST(RateLimiter, A418BanStopsAllTrafficUntilItEnds) {
    bn::RateLimiter l;
    std::string log = l.on_response(kT0, 418, "", "120");
    EXPECT_NE(log.find("IP banned by Binance (HTTP 418) for 120 s"), std::string::npos) << log;
    EXPECT_TRUE(l.banned());
    std::string why = refusal(l, kT0 + 60000, 1, bn::Priority::Trading);
    EXPECT_NE(why.find("no request is sent before 00:02:00 UTC"), std::string::npos) << why;
    EXPECT_EQ(refusal(l, kT0 + 120000, 1, bn::Priority::Trading), "");
}

TEST(RateLimiter, OneLimiterPerBaseUrlWhileSomeoneHoldsIt) {
    auto a = bn::RateLimiter::shared("http://127.0.0.1:1");
    auto b = bn::RateLimiter::shared("http://127.0.0.1:1");
    auto c = bn::RateLimiter::shared("http://127.0.0.1:2");
    EXPECT_EQ(a.get(), b.get());
    EXPECT_NE(a.get(), c.get());
    a->on_response(kT0, 418, "", "60");
    EXPECT_NE(refusal(*b, kT0, 1, bn::Priority::Trading), "")
        << "the feed's ban stops the executor";
    a.reset();
    b.reset();
    auto fresh = bn::RateLimiter::shared("http://127.0.0.1:1");
    EXPECT_EQ(refusal(*fresh, kT0, 1, bn::Priority::Trading), "");
}
