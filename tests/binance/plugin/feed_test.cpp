// The binance feed: closed bars only, each exactly once, across polls and restarts, in time
// order across symbols and timeframes; history for warm-up; futures series.
#include "fixture.hpp"

#include <set>

using namespace orchestrade::testing;

namespace {

class FeedTest : public BinanceTest {
  protected:
    FeedTest() {
        for (const char* name : {"BTCUSDT", "ETHUSDT"}) {
            bf::SymbolSpec s;
            s.symbol = name;
            s.base = std::string(name).substr(0, 3);
            s.quote = "USDT";
            s.base_price = name[0] == 'B' ? 40000 : 2000;
            s.amplitude = 0.01;
            s.period_s = 600;
            fake.add_symbol(s);
        }
    }

    FeedInstance feed(ParamMap extra = {}, std::vector<std::string> universe = {"BTC/USDT"}) {
        ParamMap p{{"base_url", fake.url()}, {"timeframes", "1m"}};
        for (auto& [k, v] : extra)
            p[k] = v;
        CreateOptions o;
        o.universe = std::move(universe);
        FeedInstance f = lib.create_feed("binance_feed", host, p, o);
        f.start();
        return f;
    }

    int klines_requests() const {
        return fake.count_requests("GET", "/api/v3/klines") +
               fake.count_requests("GET", "/fapi/v1/klines");
    }
};

// Open times must step by exactly one interval: no bar missing, none twice.
void expect_contiguous(const std::vector<Bar>& bars, int64_t step_ms) {
    for (std::size_t i = 1; i < bars.size(); ++i)
        EXPECT_EQ(bars[i].open_time_ms - bars[i - 1].open_time_ms, step_ms) << "at bar " << i;
}

}  // namespace

TEST_F(FeedTest, EachClosedBarIsPushedOnceAndNoRequestIsMadeBeforeTheNextCloses) {
    FeedInstance f = feed();
    std::vector<Bar> all;
    for (int i = 0; i < 30; ++i) {
        advance(20000);  // three polls per minute
        FeedOutput out = f.poll(host.now_ms());
        for (const Bar& b : out.bars) {
            EXPECT_LE(b.open_time_ms + 60000, host.now_ms())
                << "a bar still in progress was pushed";
            all.push_back(b);
        }
    }
    ASSERT_GE(all.size(), 9u);
    expect_contiguous(all, 60000);
    EXPECT_EQ(all[0].symbol, "BTC/USDT");
    EXPECT_EQ(all[0].interval_s, 60);
    EXPECT_LE(klines_requests(), static_cast<int>(all.size()) + 1)
        << "polls between two bar closes must not ask for klines";
}

TEST_F(FeedTest, ABarIsTheFinalOneNotAPartialSnapshot) {
    FeedInstance f = feed();
    host.set_now_ms(kT0 + 5 * 60000 + 30);  // just after a close: the next bar has begun
    std::vector<Bar> first = f.poll(host.now_ms()).bars;
    ASSERT_FALSE(first.empty());
    FeedOutput later = f.history("BTC/USDT", 60, INT64_MAX, 3);
    ASSERT_FALSE(later.bars.empty());
    const Bar& pushed = first.back();
    for (const Bar& b : later.bars)
        if (b.open_time_ms == pushed.open_time_ms) {
            EXPECT_EQ(b.close, pushed.close);
            EXPECT_EQ(b.high, pushed.high);
            EXPECT_EQ(b.low, pushed.low);
        }
}

TEST_F(FeedTest, ARestartContinuesFromTheStoredCursorWithoutGapOrDuplicate) {
    std::vector<Bar> all;
    {
        FeedInstance f = feed();
        for (int i = 0; i < 5; ++i) {
            advance(60000);
            for (const Bar& b : f.poll(host.now_ms()).bars)
                all.push_back(b);
        }
    }
    advance(37 * 60000);  // down for 37 minutes
    FeedInstance again = feed();
    for (int i = 0; i < 3; ++i) {
        advance(60000);
        for (const Bar& b : again.poll(host.now_ms()).bars)
            all.push_back(b);
    }
    ASSERT_GE(all.size(), 44u);
    expect_contiguous(all, 60000);
}

TEST_F(FeedTest, ALongCatchUpIsPaginatedAndStaysInOrder) {
    { FeedInstance f = feed(); }
    advance(2500 * 60000LL);  // more than two pages of 1m klines
    FeedInstance f = feed();
    std::vector<Bar> all;
    for (int i = 0; i < 2; ++i) {
        advance(1000);
        for (const Bar& b : f.poll(host.now_ms()).bars)
            all.push_back(b);
    }
    EXPECT_GE(all.size(), 2500u);
    expect_contiguous(all, 60000);
}

TEST_F(FeedTest, ACatchUpLongerThanAPollSaysItIsBehindUntilTheLastBar) {
    { FeedInstance f = feed({{"timeframes", "1m,5m"}}); }
    advance(12000 * 60000LL);  // more than the 5,000 bars per stream a poll fetches
    FeedInstance f = feed({{"timeframes", "1m,5m"}});
    std::vector<Bar> minutes;
    std::vector<bool> behind;
    for (int i = 0; i < 4; ++i) {
        FeedOutput out = f.poll(host.now_ms());
        behind.push_back(out.behind);
        for (const Bar& b : out.bars)
            if (b.interval_s == 60) minutes.push_back(b);
    }
    EXPECT_EQ(behind, (std::vector<bool>{true, true, false, false}));
    ASSERT_GE(minutes.size(), 12000u);
    expect_contiguous(minutes, 60000);
    EXPECT_GT(minutes.back().open_time_ms + 60000, host.now_ms() - 60000) << "caught up";
}

TEST_F(FeedTest, AHostOlderThanAbi13IsNotToldTheFeedIsBehind) {
    { FeedInstance f = feed(); }
    advance(6000 * 60000LL);
    host.set_abi_minor(2);  // it would read OT_BEHIND as the end of the feed
    FeedInstance f = feed();
    FeedOutput first = f.poll(host.now_ms());
    EXPECT_EQ(first.bars.size(), 5000u);
    EXPECT_FALSE(first.behind);
    EXPECT_FALSE(first.end);
}

TEST_F(FeedTest, SymbolsAndTimeframesComeOutInCloseTimeOrder) {
    FeedInstance f = feed({{"timeframes", "1m,5m"}}, {"BTC/USDT", "ETH/USDT"});
    std::vector<Bar> all;
    for (int i = 0; i < 12; ++i) {
        advance(60000);
        for (const Bar& b : f.poll(host.now_ms()).bars)
            all.push_back(b);
    }
    std::map<std::pair<std::string, int32_t>, std::vector<Bar>> streams;
    int64_t last_close = 0;
    for (const Bar& b : all) {
        int64_t close = b.open_time_ms + b.interval_s * 1000LL;
        EXPECT_GE(close, last_close) << "bars out of close-time order";
        last_close = close;
        streams[{b.symbol, b.interval_s}].push_back(b);
    }
    ASSERT_EQ(streams.size(), 4u);
    for (const auto& [key, bars] : streams)
        expect_contiguous(bars, key.second * 1000LL);
    EXPECT_GE((streams[{"ETH/USDT", 300}].size()), 2u);
}

TEST_F(FeedTest, HistoryEndsWhereThePollsBegin) {
    FeedInstance f = feed();
    FeedOutput h = f.history("BTC/USDT", 0, INT64_MAX, 50);
    ASSERT_EQ(h.bars.size(), 50u);
    expect_contiguous(h.bars, 60000);
    advance(3 * 60000);
    std::vector<Bar> next = f.poll(host.now_ms()).bars;
    ASSERT_FALSE(next.empty());
    EXPECT_EQ(next.front().open_time_ms, h.bars.back().open_time_ms + 60000);
    EXPECT_TRUE(f.history("ETH/USDT", 60, INT64_MAX, 5).bars.empty()) << "not in the universe";
    FeedOutput before = f.history("BTC/USDT", 60, h.bars[10].open_time_ms, 5);
    ASSERT_EQ(before.bars.size(), 5u);
    EXPECT_EQ(before.bars.back().open_time_ms, h.bars[9].open_time_ms);
}

TEST_F(FeedTest, FuturesSeriesComeWithTheBarsAndSettledFundingOnlyOnce) {
    FeedInstance f =
        feed({{"market", "usdm"}, {"series", "funding_rate,mark_price,open_interest"}});
    std::map<std::string, int> names;
    std::set<int64_t> funding_times;
    for (int i = 0; i < 3; ++i) {
        advance(60000);
        FeedOutput out = f.poll(host.now_ms());
        EXPECT_FALSE(out.bars.empty());
        for (const SeriesPoint& p : out.series) {
            EXPECT_EQ(p.symbol, "BTC/USDT");
            ++names[p.name];
            if (p.name == "funding_rate") {
                EXPECT_TRUE(funding_times.insert(p.time_ms).second) << "funding pushed twice";
            }
        }
    }
    EXPECT_EQ(names["mark_price"], 3);
    EXPECT_EQ(names["open_interest"], 3);
    EXPECT_EQ(names["predicted_funding_rate"], 3);
    EXPECT_GE(names["funding_rate"], 1);
    EXPECT_GT(fake.count_requests("GET", "/fapi/v1/klines"), 0);
}

TEST_F(FeedTest, BadSettingsAreRefusedWithTheReason) {
    auto [code, message] = failure([&] { feed({{"timeframes", "7m"}}); });
    EXPECT_EQ(code, OT_E_INVALID_ARG);
    EXPECT_NE(message.find("unknown timeframe '7m'"), std::string::npos) << message;
    auto [code2, message2] = failure([&] { feed({{"series", "funding_rate"}}); });
    EXPECT_NE(message2.find("series need market: usdm"), std::string::npos) << message2;
}

TEST_F(FeedTest, ABacktestIsRefusedWhenCreatedAndPointedAtFetchData) {
    host.set_mode(OT_MODE_BACKTEST);
    CreateOptions o;
    o.universe = {"BTC/USDT"};
    const ParamMap p{{"base_url", fake.url()}};
    auto [code, message] = failure([&] { lib.create_feed("binance_feed", host, p, o); });
    EXPECT_EQ(code, OT_E_INVALID_ARG) << "refused when created, so validate reports it";
    EXPECT_NE(message.find("orchestrade fetch-data"), std::string::npos) << message;
    EXPECT_EQ(klines_requests(), 0);
}

TEST_F(FeedTest, DuringABanThereIsNoRequestAndNoBarIsLost) {
    FeedInstance f = feed();
    std::vector<Bar> all;
    advance(60000);
    for (const Bar& b : f.poll(host.now_ms()).bars)
        all.push_back(b);
    bf::Fault ban;
    ban.kind = bf::FaultKind::ErrorBefore;
    ban.status = 418;
    ban.retry_after_s = 300;
    ban.body = R"({"code":-1003,"msg":"Way too many requests; IP banned."})";
    fake.inject(ban);
    advance(60000);
    EXPECT_TRUE(f.poll(host.now_ms()).bars.empty());
    EXPECT_FALSE(host.logs_containing("IP banned by Binance (HTTP 418)", OT_LOG_ERROR).empty());
    const int before = klines_requests();
    for (int i = 0; i < 4; ++i) {
        advance(60000);
        EXPECT_TRUE(f.poll(host.now_ms()).bars.empty());
    }
    EXPECT_EQ(klines_requests(), before) << "a request was sent during the ban";
    advance(60000);
    for (const Bar& b : f.poll(host.now_ms()).bars)
        all.push_back(b);
    EXPECT_GE(all.size(), 6u);
    expect_contiguous(all, 60000);
}
