// The binance feed when one stream fails: that stream is skipped with a warning (once per
// reason), the others' bars go out, and its missed bars follow in order once it answers again.
// Only a failure of the whole feed fails the poll.
#include "fixture.hpp"

#include <map>

using namespace orchestrade::testing;

namespace {

class FeedStreamErrorsTest : public BinanceTest {
  protected:
    FeedInstance feed(std::vector<std::string> universe, ParamMap extra = {}) {
        ParamMap p{{"base_url", fake.url()}, {"timeframes", "1m"}};
        for (auto& [k, v] : extra)
            p[k] = v;
        CreateOptions o;
        o.universe = std::move(universe);
        FeedInstance f = lib.create_feed("binance_feed", host, p, o);
        f.start();
        return f;
    }

    // Every request for the klines of venue_symbol answers status/body, `count` times.
    void fail_klines(const std::string& venue_symbol, int status, const std::string& body,
                     int count = 1) {
        bf::Fault f;
        f.kind = bf::FaultKind::ErrorBefore;
        f.path = "/api/v3/klines";
        f.query = "symbol=" + venue_symbol + "&";
        f.status = status;
        f.body = body;
        f.count = count;
        fake.inject(f);
    }

    // Polls after `ms`, adding the bars to `by_symbol`.
    FeedOutput poll_after(FeedInstance& f, int64_t ms) {
        advance(ms);
        FeedOutput out = f.poll(host.now_ms());
        for (const Bar& b : out.bars)
            by_symbol[b.symbol].push_back(b.open_time_ms);
        return out;
    }

    std::vector<int64_t> minutes(int64_t first, int64_t last) const {
        std::vector<int64_t> out;
        for (int64_t t = first; t <= last; t += 60000)
            out.push_back(t);
        return out;
    }

    std::size_t warnings(const std::string& text) const {
        return host.logs_containing(text, OT_LOG_WARN).size();
    }

    std::map<std::string, std::vector<int64_t>> by_symbol;  // open times pushed
};

const std::string kInvalidSymbol = R"({"code":-1121,"msg":"Invalid symbol."})";
const std::string kUnavailable = R"({"code":-1001,"msg":"Internal error; unable to process."})";
const std::string kServiceUnavailable = R"({"code":0,"msg":"Service Unavailable."})";

}  // namespace

TEST_F(FeedStreamErrorsTest, ASymbolTheVenueDoesNotKnowIsSkippedAndTheOthersGoOn) {
    FeedInstance f = feed({"BTC/USDT", "XYZ/USDT", "ETH/USDT"});
    poll_after(f, 60000);
    by_symbol.clear();
    for (int i = 0; i < 5; ++i) {
        FeedOutput out = poll_after(f, 60000);
        EXPECT_EQ(out.bars.size(), 2u) << "poll " << i;
        EXPECT_FALSE(out.behind) << "a skipped stream holds nothing back";
    }
    EXPECT_EQ(by_symbol["BTC/USDT"].size(), 5u);
    EXPECT_EQ(by_symbol["ETH/USDT"], by_symbol["BTC/USDT"]);
    EXPECT_EQ(by_symbol.count("XYZ/USDT"), 0u);
    EXPECT_EQ(warnings("XYZ/USDT 1m skipped: unknown symbol: Invalid symbol. (Binance -1121)"), 1u)
        << "one warning, not one per poll";
}

TEST_F(FeedStreamErrorsTest, ADelistedSymbolWarnsOncePerReasonAndCatchesUpWhenItAnswers) {
    FeedInstance f = feed({"BTC/USDT", "ETH/USDT"});
    poll_after(f, 60000);
    const int64_t first = by_symbol["BTC/USDT"].front();
    const int64_t last = by_symbol["BTC/USDT"].back();
    fail_klines("BTCUSDT", 400, kInvalidSymbol, 3);
    for (int i = 0; i < 3; ++i)
        EXPECT_EQ(poll_after(f, 60000).bars.size(), 1u) << "ETH only";
    fail_klines("BTCUSDT", 503, kServiceUnavailable, 1);
    EXPECT_EQ(poll_after(f, 60000).bars.size(), 1u);
    EXPECT_EQ(warnings("BTC/USDT 1m skipped: unknown symbol"), 1u);
    EXPECT_EQ(warnings("BTC/USDT 1m skipped: HTTP 503: Service Unavailable."), 1u)
        << "a new reason is told";
    EXPECT_EQ(warnings("ETH/USDT"), 0u);

    FeedOutput back = poll_after(f, 60000);
    ASSERT_EQ(back.bars.size(), 6u) << "BTC's four missed bars and its new one, ETH's new one";
    for (std::size_t i = 1; i < back.bars.size(); ++i)
        EXPECT_LE(back.bars[i - 1].open_time_ms, back.bars[i].open_time_ms) << "close-time order";
    EXPECT_FALSE(host.logs_containing("BTC/USDT 1m answers again", OT_LOG_INFO).empty());
    EXPECT_EQ(by_symbol["BTC/USDT"], minutes(first, last + 5 * 60000)) << "no gap, none twice";
    EXPECT_EQ(by_symbol["ETH/USDT"], by_symbol["BTC/USDT"]);
}

TEST_F(FeedStreamErrorsTest, ATransient503DelaysOnlyItsSymbolWhichCatchesUpAtTheNextPoll) {
    FeedInstance f = feed({"BTC/USDT", "ETH/USDT"});
    poll_after(f, 60000);
    const int64_t first = by_symbol["BTC/USDT"].front();
    const int64_t last = by_symbol["BTC/USDT"].back();
    fail_klines("ETHUSDT", 503, "Service Unavailable");
    FeedOutput during = poll_after(f, 60000);
    ASSERT_EQ(during.bars.size(), 1u);
    EXPECT_EQ(during.bars[0].symbol, "BTC/USDT") << "BTC's bar is not held back";
    EXPECT_EQ(during.bars[0].open_time_ms, last + 60000);
    EXPECT_EQ(warnings("ETH/USDT 1m skipped: HTTP 503"), 1u);

    // The next poll, still before the next close: ETH's bar of the same minute comes now.
    FeedOutput next = poll_after(f, 20000);
    ASSERT_EQ(next.bars.size(), 1u);
    EXPECT_EQ(next.bars[0].symbol, "ETH/USDT");
    EXPECT_EQ(next.bars[0].open_time_ms, last + 60000);

    poll_after(f, 40000);
    EXPECT_EQ(by_symbol["BTC/USDT"], minutes(first, last + 2 * 60000));
    EXPECT_EQ(by_symbol["ETH/USDT"], by_symbol["BTC/USDT"]);
}

TEST_F(FeedStreamErrorsTest, OnlyAFailureOfTheWholeFeedFailsThePoll) {
    FeedInstance f = feed({"BTC/USDT", "ETH/USDT"});
    poll_after(f, 60000);
    fail_klines("BTCUSDT", 400, kInvalidSymbol, 100);
    EXPECT_EQ(poll_after(f, 60000).bars.size(), 1u) << "BTC's own failure: ETH goes on";

    // Nothing answers and ETH's failure is not its own (a 5xx, a proxy, the network): the
    // feed as a whole fails, as the engine's feed_error shows.
    fail_klines("ETHUSDT", 502, "Bad Gateway");
    advance(60000);
    auto [code, message] = failure([&] { f.poll(host.now_ms()); });
    EXPECT_NE(code, OT_OK);
    EXPECT_NE(message.find("no stream could be fetched"), std::string::npos) << message;

    // Every stream refused for its own reason: nothing will ever come, the poll fails too.
    FeedInstance unknown = feed({"XYZ/USDT", "ABC/USDT"});
    advance(60000);
    auto [code2, message2] = failure([&] { unknown.poll(host.now_ms()); });
    EXPECT_NE(code2, OT_OK);
    EXPECT_NE(message2.find("Invalid symbol"), std::string::npos) << message2;
}

TEST_F(FeedStreamErrorsTest, AFailedOrUnreadableSeriesWarnsOnceAndTheBarsStillGoOut) {
    FeedInstance f = feed({"BTC/USDT"}, {{"market", "usdm"}, {"series", "open_interest"}});
    poll_after(f, 60000);
    bf::Fault down;
    down.kind = bf::FaultKind::ErrorBefore;
    down.path = "/fapi/v1/openInterest";
    down.status = 500;
    down.body = kUnavailable;
    down.count = 3;
    fake.inject(down);
    for (int i = 0; i < 3; ++i) {
        FeedOutput out = poll_after(f, 60000);
        EXPECT_EQ(out.bars.size(), 1u);
        EXPECT_TRUE(out.series.empty());
    }
    EXPECT_EQ(warnings("open interest of BTC/USDT not updated"), 1u) << "once, not every poll";

    bf::Fault unreadable;  // an answer without the fields the feed reads
    unreadable.kind = bf::FaultKind::ErrorAfter;
    unreadable.path = "/fapi/v1/openInterest";
    unreadable.status = 200;
    unreadable.body = "{}";
    fake.inject(unreadable);
    FeedOutput out = poll_after(f, 60000);
    EXPECT_EQ(out.bars.size(), 1u);
    EXPECT_EQ(warnings("open interest of BTC/USDT not updated"), 2u) << "a new reason is told";

    out = poll_after(f, 60000);
    EXPECT_EQ(out.series.size(), 1u) << "open interest again";
    EXPECT_FALSE(
        host.logs_containing("open interest of BTC/USDT answers again", OT_LOG_INFO).empty());
}
