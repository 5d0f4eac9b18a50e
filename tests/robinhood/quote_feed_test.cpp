// The robinhood_quotes feed through its C ABI, against the loopback fake: candles built from the
// polled best bid/ask, the first incomplete period dropped, history kept across restarts.
#include "fake_robinhood.hpp"
#include "loopback_http.hpp"

#include <orchestrade/testing/fake_host.hpp>
#include <orchestrade/testing/plugin_library.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <limits>

namespace ot = orchestrade::testing;
namespace rh = orchestrade::testing::robinhood;

namespace {

constexpr int64_t kMinute = 60000;

class RobinhoodQuotes : public ::testing::Test {
  protected:
    void SetUp() override {
        const int64_t wall = std::chrono::duration_cast<std::chrono::milliseconds>(
                                 std::chrono::system_clock::now().time_since_epoch())
                                 .count();
        m0 = wall / kMinute * kMinute;
        host.set_now_ms(m0 + 10000);
        fake.set_clock([this] { return host.now_ms(); });
        fake.set_price_path("BTC-USD", {100, 101, 102, 99, 103, 104, 105, 106}, 0);
        host.set_http_handler(rh::loopback_http());
    }

    ot::FeedInstance make(const ot::ParamMap& extra = {}) {
        ot::ParamMap params{{"base_url", fake.base_url()},
                            {"api_key", rh::kApiKey},
                            {"private_key", rh::kPrivateKey}};
        for (const auto& [k, v] : extra)
            params[k] = v;
        ot::FeedInstance feed =
            lib.create_feed("robinhood_quotes", host, params, {{"BTC/USD"}, ""});
        feed.start();  // the first sample, 10 s into minute 0
        return feed;
    }

    std::vector<ot::Bar> poll_at(ot::FeedInstance& feed, int64_t t) {
        host.set_now_ms(t);
        return feed.poll(t).bars;
    }

    // Samples 101 in minute 0; 102, 99, 103 in minute 1; the next poll closes minute 1.
    std::vector<ot::Bar> two_minutes(ot::FeedInstance& feed) {
        std::vector<ot::Bar> bars;
        for (int64_t t : {m0 + 50000, m0 + kMinute + 5000, m0 + kMinute + 25000,
                          m0 + kMinute + 45000, m0 + 2 * kMinute + 5000})
            for (ot::Bar& b : poll_at(feed, t))
                bars.push_back(b);
        return bars;
    }

    int64_t m0 = 0;
    ot::FakeHost host{OT_MODE_PAPER};
    rh::FakeRobinhood fake;
    ot::PluginLibrary lib{ORCHESTRADE_PLUGIN_FILE};
};

}  // namespace

TEST_F(RobinhoodQuotes, BuildsCandlesFromPolledPricesAndDropsTheFirstIncompletePeriod) {
    ot::FeedInstance feed = make();
    std::vector<ot::Bar> bars = two_minutes(feed);
    ASSERT_EQ(bars.size(), 1u) << "minute 0 began before the first sample";
    EXPECT_EQ(bars[0].symbol, "BTC/USD");
    EXPECT_EQ(bars[0].interval_s, 60);
    EXPECT_EQ(bars[0].open_time_ms, m0 + kMinute);
    EXPECT_EQ(bars[0].open, 102);
    EXPECT_EQ(bars[0].high, 103);
    EXPECT_EQ(bars[0].low, 99);
    EXPECT_EQ(bars[0].close, 103);
    EXPECT_EQ(bars[0].volume, 0);
    EXPECT_EQ(fake.bad_signatures(), 0);
}

TEST_F(RobinhoodQuotes, APeriodWithoutSamplesHasNoBar) {
    ot::FeedInstance feed = make();
    two_minutes(feed);  // minute 2 got one sample
    std::vector<ot::Bar> bars = poll_at(feed, m0 + 4 * kMinute + 1000);
    ASSERT_EQ(bars.size(), 1u);
    EXPECT_EQ(bars[0].open_time_ms, m0 + 2 * kMinute);
    bars = poll_at(feed, m0 + 5 * kMinute + 1000);
    ASSERT_EQ(bars.size(), 1u);
    EXPECT_EQ(bars[0].open_time_ms, m0 + 4 * kMinute) << "minute 3 was never sampled";
}

TEST_F(RobinhoodQuotes, BarsCanFollowTheBid) {
    fake.set_price_path("BTC-USD", {100, 101, 102, 99, 103, 104}, 2);
    ot::FeedInstance feed = make({{"price", "bid"}});
    std::vector<ot::Bar> bars = two_minutes(feed);
    ASSERT_EQ(bars.size(), 1u);
    EXPECT_EQ(bars[0].open, 101);
    EXPECT_EQ(bars[0].low, 98);
}

TEST_F(RobinhoodQuotes, ARestartedFeedServesTheBarsItBuiltAsHistory) {
    {
        ot::FeedInstance first = make();
        two_minutes(first);
    }
    ot::FeedInstance second = make();
    ot::FeedOutput h = second.history("BTC/USD", 0, std::numeric_limits<int64_t>::max(), 10);
    ASSERT_EQ(h.bars.size(), 1u);
    EXPECT_EQ(h.bars[0].open_time_ms, m0 + kMinute);
    EXPECT_TRUE(
        second.history("BTC/USD", 3600, std::numeric_limits<int64_t>::max(), 10).bars.empty());
}

TEST_F(RobinhoodQuotes, AFailedQuoteRequestStillDeliversTheBarsThatClosed) {
    ot::FeedInstance feed = make();
    for (int64_t t : {m0 + 50000, m0 + kMinute + 5000, m0 + kMinute + 45000})
        poll_at(feed, t);
    fake.add_fault({"GET", "/api/v1/crypto/marketdata/", rh::Fault::ServerErrorBefore});
    std::vector<ot::Bar> bars;
    ot_feed_sink sink{&bars,
                      [](void* ctx, const ot_bar* b) {
                          static_cast<std::vector<ot::Bar>*>(ctx)->push_back(
                              {b->symbol, b->interval_s, b->open_time_ms, b->open, b->high, b->low,
                               b->close, b->volume});
                          return ot_status{OT_OK};
                      },
                      [](void*, const ot_series_point*) { return ot_status{OT_OK}; }, nullptr};
    ot_error err{};
    host.set_now_ms(m0 + 2 * kMinute + 5000);
    EXPECT_EQ(feed.raw()->poll(feed.raw(), host.now_ms(), 0, &sink, &err), OT_E_IO);
    EXPECT_NE(std::string(err.message).find("HTTP 503"), std::string::npos) << err.message;
    ASSERT_EQ(bars.size(), 1u);
    EXPECT_EQ(bars[0].open_time_ms, m0 + kMinute);
}

// A stalled quote service answers with the last quote it had: its price is not the market's, so
// no bar is built from it (a strategy or a held take-profit would act on it) until quotes are
// fresh again. The venue's stamp is read on the venue's clock.
TEST_F(RobinhoodQuotes, AQuoteTheVenueStampedTooLongAgoBuildsNoBar) {
    ot::FeedInstance feed = make({{"max_quote_age_s", "30"}});
    fake.set_quote_lag_ms(31000);
    std::vector<ot::Bar> bars = two_minutes(feed);
    EXPECT_TRUE(bars.empty()) << "a bar was built from stale quotes";
    EXPECT_EQ(
        host.logs_containing("the BTC-USD quote is 31 s old (max_quote_age_s 30)", OT_LOG_WARN)
            .size(),
        1u)
        << "said once per stale spell";

    fake.set_quote_lag_ms(0);
    poll_at(feed, m0 + 2 * kMinute + 30000);
    bars = poll_at(feed, m0 + 3 * kMinute + 5000);
    ASSERT_EQ(bars.size(), 1u);
    EXPECT_EQ(bars[0].open_time_ms, m0 + 2 * kMinute);
    EXPECT_EQ(host.logs_containing("BTC-USD is quoted afresh").size(), 1u);
}

TEST_F(RobinhoodQuotes, AQuoteOnlyOlderByTheHostsClockLeadIsFresh) {
    fake.set_date_offset_ms(-20000);  // the venue's clock is 20 s behind this host's
    ot::FeedInstance feed = make({{"max_quote_age_s", "10"}});
    EXPECT_EQ(two_minutes(feed).size(), 1u);
}

TEST_F(RobinhoodQuotes, CannotBacktest) {
    host.set_mode(OT_MODE_BACKTEST);
    try {
        lib.create_feed("robinhood_quotes", host,
                        {{"api_key", rh::kApiKey}, {"private_key", rh::kPrivateKey}},
                        {{"BTC/USD"}, ""});
        FAIL();
    } catch (const ot::PluginError& e) {
        EXPECT_EQ(e.code(), OT_E_INVALID_ARG);
        EXPECT_NE(std::string(e.what()).find("cannot backtest"), std::string::npos) << e.what();
    }
}
