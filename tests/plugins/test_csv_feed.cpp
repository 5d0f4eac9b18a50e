#include <orchestrade/testing/fake_host.hpp>
#include <orchestrade/testing/plugin_library.hpp>
#include <orchestrade/testing/temp_dir.hpp>

#include <gtest/gtest.h>

#include <limits>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

namespace ot = orchestrade::testing;

namespace {

constexpr int64_t kT0 = 1704067200000;  // 2024-01-01T00:00:00Z
constexpr int64_t kMinute = 60000;
constexpr int64_t kNoLimit = std::numeric_limits<int64_t>::max();
const char* const kHeader = "timestamp,open,high,low,close,volume\n";

// "t,o,h,l,c,v" for bar i of a valid series: open 100+i, close 101+i, one minute apart.
std::string row(int i, int64_t t) {
    return std::to_string(t) + "," + std::to_string(100 + i) + "," + std::to_string(103 + i) + "," +
           std::to_string(99 + i) + "," + std::to_string(101 + i) + ",5.5\n";
}

std::string rows(int n, int first = 0) {
    std::string out;
    for (int i = first; i < first + n; ++i)
        out += row(i, kT0 + i * kMinute);
    return out;
}

class CsvFeedTest : public ::testing::Test {
  protected:
    ot::FeedInstance open(const std::string& content, ot::ParamMap params = {}) {
        params.emplace("path", dir.write("bars.csv", content));
        ot::FeedInstance feed = lib.create_feed("csv", host, params);
        feed.start();
        return feed;
    }
    std::string path() const { return (dir.path() / "bars.csv").string(); }

    ot::TempDir dir;
    ot::FakeHost host;
    ot::PluginLibrary lib{ORCHESTRADE_PLUGIN_FILE};
};

TEST_F(CsvFeedTest, IsFoundByIdAndShortNameAsAFeed) {
    const ot_factory& by_id = lib.factory("org.orchestrade.csv");
    EXPECT_EQ(&by_id, &lib.factory("csv"));
    EXPECT_EQ(by_id.descriptor->kind, OT_KIND_FEED);
}

TEST_F(CsvFeedTest, ReadsEveryBarOfAFileWithAHeader) {
    ot::FeedInstance feed = open(kHeader + rows(3));
    std::vector<ot::Bar> bars = feed.drain();
    ASSERT_EQ(bars.size(), 3u);
    for (int i = 0; i < 3; ++i) {
        EXPECT_EQ(bars[i].symbol, "BTC/USDT");
        EXPECT_EQ(bars[i].interval_s, 60);
        EXPECT_EQ(bars[i].open_time_ms, kT0 + i * kMinute);
        EXPECT_EQ(bars[i].open, 100 + i);
        EXPECT_EQ(bars[i].high, 103 + i);
        EXPECT_EQ(bars[i].low, 99 + i);
        EXPECT_EQ(bars[i].close, 101 + i);
        EXPECT_EQ(bars[i].volume, 5.5);
    }
}

TEST_F(CsvFeedTest, ReadsAFileWithoutHeaderWithCrLfAndBlankLines) {
    std::string content = rows(2);
    std::string crlf;
    for (char c : content)
        crlf += c == '\n' ? std::string("\r\n") : std::string(1, c);
    ot::FeedInstance feed = open("\n" + crlf + "\n\n");
    std::vector<ot::Bar> bars = feed.drain();
    ASSERT_EQ(bars.size(), 2u);
    EXPECT_EQ(bars[1].open_time_ms, kT0 + kMinute);
    EXPECT_EQ(bars[1].volume, 5.5);
}

TEST_F(CsvFeedTest, AcceptsAByteOrderMarkBeforeTheHeader) {
    ot::FeedInstance feed = open("\xEF\xBB\xBF" + std::string(kHeader) + rows(2));
    EXPECT_EQ(feed.drain().size(), 2u);
}

TEST_F(CsvFeedTest, SymbolAndTimeframeParamsLabelTheBars) {
    std::string content = std::to_string(kT0) + ",1,2,0.5,1.5,10\n" +
                          std::to_string(kT0 + 4 * 3600000) + ",1.5,2,1,1.2,10\n";
    ot::CreateOptions options;
    options.universe = {"BTC/USDT", "ETH/USDT"};
    ot::FeedInstance feed = lib.create_feed(
        "csv", host,
        {{"path", dir.write("bars.csv", content)}, {"symbol", "ETH/USDT"}, {"timeframe", "4h"}},
        options);
    feed.start();
    std::vector<ot::Bar> bars = feed.drain();
    ASSERT_EQ(bars.size(), 2u);
    EXPECT_EQ(bars[0].symbol, "ETH/USDT");
    EXPECT_EQ(bars[0].interval_s, 4 * 3600);
    EXPECT_TRUE(host.logs_containing("gap", OT_LOG_WARN).empty());
}

TEST_F(CsvFeedTest, ASymbolOutsideTheUniverseFailsAtCreate) {
    try {
        lib.create_feed("csv", host,
                        {{"path", dir.write("bars.csv", rows(2))}, {"symbol", "ETH/USDT"}});
        FAIL() << "create accepted it";
    } catch (const ot::PluginError& e) {
        EXPECT_EQ(e.code(), OT_E_INVALID_ARG);
        EXPECT_STREQ(e.what(), "csv: symbol 'ETH/USDT' is not in the universe (BTC/USDT)");
    }
}

TEST_F(CsvFeedTest, RelativePathIsResolvedAgainstTheBaseDir) {
    dir.write("data.csv", rows(2));
    ot::CreateOptions options;
    options.base_dir = dir.path().string();
    ot::FeedInstance feed = lib.create_feed("csv", host, {{"path", "data.csv"}}, options);
    feed.start();
    EXPECT_EQ(feed.drain().size(), 2u);
}

TEST_F(CsvFeedTest, AMissingFileOrADirectoryFailsAtCreateNamingThePath) {
    // At create, so that validating a pipeline finds it.
    for (const std::string& path : {(dir.path() / "nope.csv").string(), dir.path().string()}) {
        SCOPED_TRACE(path);
        try {
            lib.create_feed("csv", host, {{"path", path}});
            FAIL() << "create accepted it";
        } catch (const ot::PluginError& e) {
            EXPECT_EQ(e.code(), OT_E_INVALID_ARG);
            EXPECT_NE(std::string(e.what()).find("'" + path + "'"), std::string::npos) << e.what();
        }
    }
}

TEST_F(CsvFeedTest, UnknownHeaderFailsAtCreate) {
    // At create, so that validating a pipeline finds it.
    dir.write("bars.csv", "time,o,h,l,c,v\n" + rows(1));
    try {
        lib.create_feed("csv", host, {{"path", path()}});
        FAIL() << "create accepted a bad header";
    } catch (const ot::PluginError& e) {
        EXPECT_EQ(e.code(), OT_E_INVALID_ARG);
        EXPECT_EQ(std::string(e.what()).rfind(path() + ":1: expected the header", 0), 0u)
            << e.what();
    }
}

// The message a file with 'content' fails with while it is read.
std::string read_error(ot::FeedInstance& feed) {
    try {
        feed.drain();
    } catch (const ot::PluginError& e) {
        EXPECT_EQ(e.code(), OT_E_INVALID_ARG);
        return e.what();
    }
    return "no error";
}

TEST_F(CsvFeedTest, BadNumberIsReportedWithFileLineAndColumn) {
    std::string content =
        kHeader + rows(2) + std::to_string(kT0 + 2 * kMinute) + ",1,2,0.5,abc,1\n";
    ot::FeedInstance feed = open(content);
    EXPECT_EQ(read_error(feed), path() + ":4: bad number 'abc' in column 'close'");
}

TEST_F(CsvFeedTest, WrongFieldCountIsReportedWithLine) {
    ot::FeedInstance feed = open(rows(1) + std::to_string(kT0 + kMinute) + ",1,2,0.5,1.5\n");
    EXPECT_EQ(read_error(feed),
              path() + ":2: expected 6 fields (timestamp,open,high,low,close,volume), found 5");
}

TEST_F(CsvFeedTest, BlanksAroundFieldsAreIgnored) {
    std::string t = std::to_string(kT0);
    ot::FeedInstance feed = open(" " + t + "\t, 1 ,\t2, 0.5 \r,1.5 ,  10 \r\n");
    std::vector<ot::Bar> bars = feed.drain();
    ASSERT_EQ(bars.size(), 1u);
    EXPECT_EQ(bars[0].open_time_ms, kT0);
    EXPECT_EQ(bars[0].open, 1);
    EXPECT_EQ(bars[0].high, 2);
    EXPECT_EQ(bars[0].low, 0.5);
    EXPECT_EQ(bars[0].close, 1.5);
    EXPECT_EQ(bars[0].volume, 10);
}

TEST_F(CsvFeedTest, EachBadLineNamesItsFirstFault) {
    std::string t = std::to_string(kT0 + kMinute);
    std::string fields = "expected 6 fields (timestamp,open,high,low,close,volume), found ";
    std::pair<std::string, std::string> cases[] = {
        {t + ",1,2,0.5,1.5, 1 2 ", "bad number '1 2' in column 'volume'"},
        {t + ",1,2,0.5,1.5,10x", "bad number '10x' in column 'volume'"},
        {t + ",1, ,0.5,1.5,10", "bad number '' in column 'high'"},
        {t + ",inf,2,0.5,1.5,10", "bad number 'inf' in column 'open'"},
        {t + ",+1,2,0.5,1.5,10", "bad number '+1' in column 'open'"},
        {t + ",1,2,0.5,1e999,10", "bad number '1e999' in column 'close'"},
        {"x" + t + ",1,2,0.5,1.5,10,7", "bad number 'x" + t + "' in column 'timestamp'"},
        {t + ",1,2,0.5,1.5,10,7", fields + "7"},
        {t + ",1,2,0.5,1.5,10,", fields + "7"},
        {t + ",1,2", fields + "3"},
        {t + ",1,x", fields + "3"},
        {t + ",x,2", "bad number 'x' in column 'open'"},
    };
    for (const auto& [line, message] : cases) {
        ot::FeedInstance feed = open(row(0, kT0) + line + "\n");
        EXPECT_EQ(read_error(feed), path() + ":2: " + message) << line;
    }
}

TEST_F(CsvFeedTest, HighBelowTheBodyIsRejected) {
    ot::FeedInstance feed = open(std::to_string(kT0) + ",10,10.5,9,11,1\n");
    EXPECT_EQ(read_error(feed), path() + ":1: high 10.5 is below max(open, close) 11");
}

TEST_F(CsvFeedTest, LowAboveTheBodyIsRejected) {
    ot::FeedInstance feed = open(std::to_string(kT0) + ",10,12,10.5,11,1\n");
    EXPECT_EQ(read_error(feed), path() + ":1: low 10.5 is above min(open, close) 10");
}

TEST_F(CsvFeedTest, OutOfOrderTimestampIsReportedWithLine) {
    std::string content = kHeader + row(0, kT0 + kMinute) + row(1, kT0);
    ot::FeedInstance feed = open(content);
    EXPECT_EQ(read_error(feed), path() + ":3: timestamp " + std::to_string(kT0) +
                                    " is not after the previous bar's " +
                                    std::to_string(kT0 + kMinute));
}

TEST_F(CsvFeedTest, RepeatedTimestampIsRejected) {
    ot::FeedInstance feed = open(row(0, kT0) + row(1, kT0));
    EXPECT_NE(read_error(feed).find(":2: timestamp"), std::string::npos);
}

TEST_F(CsvFeedTest, EachGapIsWarnedOnceWithItsLineAndTheBarsStillFlow) {
    std::string content = kHeader + row(0, kT0) + row(1, kT0 + kMinute) +
                          row(2, kT0 + 4 * kMinute) + row(3, kT0 + 5 * kMinute) +
                          row(4, kT0 + 10 * kMinute);
    ot::FeedInstance feed = open(content);
    EXPECT_EQ(feed.drain().size(), 5u);
    std::vector<std::string> gaps = host.logs_containing(": gap: ", OT_LOG_WARN);
    ASSERT_EQ(gaps.size(), 2u);
    EXPECT_EQ(gaps[0], path() + ":4: gap: 180000 ms since the previous bar, expected 60000");
    EXPECT_EQ(gaps[1], path() + ":6: gap: 300000 ms since the previous bar, expected 60000");
}

TEST_F(CsvFeedTest, AfterFiveGapsTheRestAreCountedAndTheTotalSaidAtStop) {
    // A session market: a gap after every second bar.
    std::string content = kHeader;
    for (int i = 0; i < 20; ++i)
        content += row(i, kT0 + (i + i / 2 * 10) * kMinute);
    ot::FeedInstance feed = open(content);
    EXPECT_EQ(feed.drain().size(), 20u);
    feed.stop();
    std::vector<std::string> gaps = host.logs_containing("gap", OT_LOG_WARN);
    ASSERT_EQ(gaps.size(), 6u);
    EXPECT_EQ(gaps[0], path() + ":4: gap: 660000 ms since the previous bar, expected 60000");
    EXPECT_EQ(gaps[4], path() +
                           ":12: gap: 660000 ms since the previous bar, expected 60000 "
                           "(further gaps are counted, not named)");
    EXPECT_EQ(gaps[5], path() + ": 9 gaps between bars in all");
}

TEST_F(CsvFeedTest, AFileOfAnotherTimeframeOrInSecondsFailsAtCreate) {
    const std::string seconds =
        kHeader + std::string("1704067200,1,2,0.5,1.5,1\n") + "1704067260,1,2,0.5,1.5,1\n";
    for (const auto& [content, timeframe, delta] :
         {std::tuple{rows(3), "1h", "60000"}, std::tuple{seconds, "1m", "60"}}) {
        dir.write("bars.csv", content);
        try {
            lib.create_feed("csv", host, {{"path", path()}, {"timeframe", timeframe}});
            ADD_FAILURE() << "create accepted bars " << delta << " ms apart as " << timeframe;
        } catch (const ot::PluginError& e) {
            EXPECT_EQ(e.code(), OT_E_INVALID_ARG);
            const std::string line = content == seconds ? ":3: " : ":2: ";
            EXPECT_EQ(std::string(e.what()).rfind(path() + line + "bar opens " + delta +
                                                      " ms after the previous one, inside the "
                                                      "timeframe's",
                                                  0),
                      0u)
                << e.what();
            EXPECT_NE(std::string(e.what()).find("timestamps in seconds?"), std::string::npos);
        }
    }
}

TEST_F(CsvFeedTest, AFileInMicrosecondsFailsAtCreate) {
    dir.write("bars.csv", kHeader + std::string("1704067200000000,1,2,0.5,1.5,1\n") +
                              "1704067260000000,1,2,0.5,1.5,1\n");
    try {
        lib.create_feed("csv", host, {{"path", path()}});
        FAIL() << "create accepted timestamps in microseconds";
    } catch (const ot::PluginError& e) {
        EXPECT_EQ(e.code(), OT_E_INVALID_ARG);
        EXPECT_EQ(std::string(e.what()), path() +
                                             ":2: timestamp 1704067200000000 is after the year "
                                             "9999 in Unix ms: are the timestamps in "
                                             "microseconds?");
    }
}

TEST_F(CsvFeedTest, ABarInMicrosecondsLaterInTheFileIsRejectedWithItsLine) {
    ot::FeedInstance feed = open(kHeader + rows(3) + "1704067380000000,1,2,0.5,1.5,1\n");
    EXPECT_EQ(read_error(feed), path() +
                                    ":5: timestamp 1704067380000000 is after the year 9999 in "
                                    "Unix ms: are the timestamps in microseconds?");
}

TEST_F(CsvFeedTest, ABarOpeningInsideThePreviousOnesTimeframeIsRejectedWithItsLine) {
    ot::FeedInstance feed = open(kHeader + rows(3) + row(3, kT0 + 2 * kMinute + 30000));
    EXPECT_EQ(read_error(feed), path() +
                                    ":5: bar opens 30000 ms after the previous one, inside "
                                    "the timeframe's 60000 ms: is `timeframe` wrong, or are "
                                    "the timestamps in seconds?");
}

TEST_F(CsvFeedTest, LineNumbersStayRightAcrossReadChunks) {
    // About 2.5 MB: the reader refills its 1 MiB buffer twice before the bad line.
    const int good = 60000;
    ot::FeedInstance feed = open(kHeader + rows(good) + "garbage\n");
    EXPECT_EQ(read_error(feed),
              path() + ":" + std::to_string(good + 2) +
                  ": expected 6 fields (timestamp,open,high,low,close,volume), found 1");
}

TEST_F(CsvFeedTest, EveryBarBeforeABadLineArrivesBeforeItsError) {
    // The backtest reads ahead on a thread: the error must wait for the bars before it.
    const int good = 10000;  // several read-ahead chunks
    ot::FeedInstance feed = open(kHeader + rows(good) + "garbage\n" + rows(5, good + 1));
    std::size_t delivered = 0;
    std::string error;
    try {
        for (;;) {
            ot::FeedOutput out = feed.poll(kNoLimit, 1000);
            delivered += out.bars.size();
            if (out.end) break;
        }
    } catch (const ot::PluginError& e) {
        error = e.what();
    }
    EXPECT_EQ(delivered, static_cast<std::size_t>(good));
    EXPECT_EQ(error, path() + ":" + std::to_string(good + 2) +
                         ": expected 6 fields (timestamp,open,high,low,close,volume), found 1");
    try {
        feed.poll(kNoLimit, 1000);
        FAIL() << "a poll after the error went on past the bad line";
    } catch (const ot::PluginError& e) {
        EXPECT_EQ(e.what(), error);  // every later poll reports it again
    }
}

// ---- a bad line in a backtest: the bars before it, then its error -------------------------------
// The read-ahead thread fills chunks of 4,096 rows (CsvPrefetcher::kChunkRows); the host polls
// 4,096 bars at a time (engine.cpp's kBacktestChunk). Whatever the chunk and poll boundaries, every
// good bar before a bad line must arrive, in order, before the error, and the error must not cost
// the bars of the poll it is found in.
constexpr std::size_t kReadAheadChunk = 4096;
constexpr uint32_t kHostPoll = 4096;

// What a backtest saw: the bars delivered before the first error, and that error ("" if none).
struct UntilError {
    std::size_t delivered = 0;
    std::string error;
    std::string again;  // the error of one more poll after it
};

// Polls with max_bars until the feed fails or ends. Checks that the bars come in file order (bar i
// opens at kT0 + i minutes, as rows() writes them) and no poll exceeds max_bars.
UntilError poll_until_error(ot::FeedInstance& feed, uint32_t max_bars) {
    UntilError result;
    try {
        for (;;) {
            ot::FeedOutput out = feed.poll(kNoLimit, max_bars);
            if (max_bars != 0) {
                EXPECT_LE(out.bars.size(), max_bars);
            }
            for (const ot::Bar& bar : out.bars) {
                EXPECT_EQ(bar.open_time_ms, kT0 + static_cast<int64_t>(result.delivered) * kMinute)
                    << "bar " << result.delivered;
                ++result.delivered;
            }
            if (out.end) return result;
        }
    } catch (const ot::PluginError& e) {
        EXPECT_EQ(e.code(), OT_E_INVALID_ARG);
        result.error = e.what();
    }
    try {
        feed.poll(kNoLimit, max_bars);
        result.again = "a poll after the error went on past the bad line";
    } catch (const ot::PluginError& e) {
        result.again = e.what();
    }
    return result;
}

// A bad line of each kind the reader rejects, for the bar after `good` good ones (open time
// kT0 + good minutes), with the message it must fail with after "path:line: ".
struct BadLine {
    std::string text;
    std::string message;
};

std::vector<BadLine> bad_lines(int good) {
    const std::string t = std::to_string(kT0 + good * kMinute);
    const std::string previous = std::to_string(kT0 + (good - 1) * kMinute);
    return {
        {t + ",1,2,0.5,abc,1", "bad number 'abc' in column 'close'"},
        {t + ",nan,2,0.5,1.5,1", "bad number 'nan' in column 'open'"},
        {t + ",1,2,0.5,1.5", "expected 6 fields (timestamp,open,high,low,close,volume), found 5"},
        {t + ",1,2,0.5,1.5,1,7",
         "expected 6 fields (timestamp,open,high,low,close,volume), found 7"},
        {"garbage", "expected 6 fields (timestamp,open,high,low,close,volume), found 1"},
        {previous + ",1,2,0.5,1.5,1",
         "timestamp " + previous + " is not after the previous bar's " + previous},
        {t + ",10,10.5,9,11,1", "high 10.5 is below max(open, close) 11"},
        {t + ",10,12,10.5,11,1", "low 10.5 is above min(open, close) 10"},
        {t + ",-1,2,0.5,1.5,1", "prices must be positive"},
        {t + ",1,2,0.5,1.5,-1", "volume -1 is negative"},
    };
}

class CsvBadLineTest : public CsvFeedTest {
  protected:
    // A file with a header, `good` good bars, the bad line, then more good bars that must never
    // arrive; polled max_bars at a time. Checks the bar count, the message and that it repeats.
    void expect_stops_after(int good, const BadLine& bad, uint32_t max_bars) {
        SCOPED_TRACE("good bars " + std::to_string(good) + ", max_bars " +
                     std::to_string(max_bars) + ", bad line '" + bad.text + "'");
        ot::FeedInstance feed = open(kHeader + rows(good) + bad.text + "\n" + rows(5, good + 1));
        const UntilError seen = poll_until_error(feed, max_bars);
        const std::string expected = path() + ":" + std::to_string(good + 2) + ": " + bad.message;
        EXPECT_EQ(seen.delivered, static_cast<std::size_t>(good));
        EXPECT_EQ(seen.error, expected);
        EXPECT_EQ(seen.again, expected);
    }
    void expect_stops_after(int good, uint32_t max_bars) {
        expect_stops_after(good, bad_lines(good).front(), max_bars);
    }
};

TEST_F(CsvBadLineTest, ABadLineInTheFirstChunkComesAfterTheBarsBeforeIt) {
    // The 5-line file of the bug report: a header, 3 bars, a bad close on line 5.
    expect_stops_after(3, kHostPoll);
    expect_stops_after(3, 0);  // max_bars 0: the feed's own 65,536-bar polls
    expect_stops_after(3, 2);
    expect_stops_after(1000, kHostPoll);
    expect_stops_after(0, kHostPoll);  // nothing before it: the first poll fails
}

TEST_F(CsvBadLineTest, ABadLineInTheMiddleOfALaterChunkComesAfterTheBarsBeforeIt) {
    // examples/data/btcusdt-1m.csv broken at line 15000: 14,998 bars, in the fourth chunk.
    expect_stops_after(14998, kHostPoll);
    expect_stops_after(14998, 0);
    expect_stops_after(14998, 1000);
    expect_stops_after(14998, 3000);
    expect_stops_after(2 * kReadAheadChunk + 100, kHostPoll);
}

TEST_F(CsvBadLineTest, ABadLineAtAChunkBoundaryComesAfterTheBarsBeforeIt) {
    for (std::size_t good : {kReadAheadChunk - 1, kReadAheadChunk, kReadAheadChunk + 1,
                             2 * kReadAheadChunk - 1, 2 * kReadAheadChunk, 2 * kReadAheadChunk + 1})
        for (uint32_t max_bars : {kHostPoll, 0u, 1000u, 4095u, 4097u})
            expect_stops_after(static_cast<int>(good), max_bars);
}

TEST_F(CsvBadLineTest, EveryKindOfBadLineComesAfterTheBarsBeforeIt) {
    // Bad numbers, NaN, field counts, order, body checks: each in the first chunk, mid-chunk
    // later on, and on both sides of a chunk boundary.
    for (int good :
         {3, 5000, static_cast<int>(kReadAheadChunk) - 1, static_cast<int>(kReadAheadChunk)})
        for (const BadLine& bad : bad_lines(good))
            for (uint32_t max_bars : {kHostPoll, 1000u})
                expect_stops_after(good, bad, max_bars);
}

TEST_F(CsvBadLineTest, AGapJustBeforeABadLineIsWarnedAndItsBarDelivered) {
    // A gap is no error: the bar after it arrives, is warned about once, then the bad line fails.
    const int good = 5000;
    std::string content = kHeader + rows(good - 1) + row(good - 1, kT0 + good * kMinute) +
                          std::to_string(kT0 + (good + 1) * kMinute) + ",1,2,0.5,abc,1\n";
    ot::FeedInstance feed = open(content);
    std::size_t delivered = 0;
    std::string error;
    try {
        for (;;) {
            ot::FeedOutput out = feed.poll(kNoLimit, kHostPoll);
            delivered += out.bars.size();
            if (out.end) break;
        }
    } catch (const ot::PluginError& e) {
        error = e.what();
    }
    EXPECT_EQ(delivered, static_cast<std::size_t>(good));
    EXPECT_EQ(error,
              path() + ":" + std::to_string(good + 2) + ": bad number 'abc' in column 'close'");
    EXPECT_EQ(
        host.logs_containing(": gap: ", OT_LOG_WARN),
        (std::vector<std::string>{path() + ":" + std::to_string(good + 1) +
                                  ": gap: 120000 ms since the previous bar, expected 60000"}));
}

TEST_F(CsvFeedTest, StoppingInTheMiddleOfALargeFileEndsTheReadAhead) {
    ot::FeedInstance feed = open(kHeader + rows(50000));
    EXPECT_EQ(feed.poll(kNoLimit, 10).bars.size(), 10u);
    feed.stop();  // returns: the reading thread, blocked on a full queue, is joined
}

TEST_F(CsvFeedTest, BacktestPushesAtMostMaxBarsAndEndsOnceNothingIsLeft) {
    ot::FeedInstance feed = open(rows(5));
    std::vector<std::size_t> sizes;
    for (;;) {
        ot::FeedOutput out = feed.poll(kNoLimit, 2);
        sizes.push_back(out.bars.size());
        if (out.end) break;
    }
    EXPECT_EQ(sizes, (std::vector<std::size_t>{2, 2, 1, 0}));
    EXPECT_TRUE(host.kv().empty());
}

TEST_F(CsvFeedTest, ABacktestHandsBarsOverAsColumnsAndBarByBarToAHostWithoutThem) {
    // Gaps on both sides of a read-ahead chunk's end (row 4096) are warned either way.
    std::string content = kHeader;
    for (int i = 0; i < 10000; ++i)
        content += row(i, kT0 + (i + (i >= 4095) + (i >= 4097)) * kMinute);
    auto read_all = [&](ot::FeedInstance feed, int& column_pushes) {
        std::vector<ot::Bar> bars;
        for (;;) {
            ot::FeedOutput out = feed.poll(kNoLimit, 3000);
            column_pushes += out.column_pushes;
            bars.insert(bars.end(), out.bars.begin(), out.bars.end());
            if (out.end) return bars;
        }
    };
    int columns = 0, columns_without = 0, columns_older = 0;
    const std::vector<ot::Bar> bars = read_all(open(content), columns);
    ot::FeedInstance without = open(content);
    without.offer_push_bars(false);  // a host whose sink has no push_bars
    const std::vector<ot::Bar> bar_by_bar = read_all(std::move(without), columns_without);
    host.set_abi_minor(0);  // a host older than push_bars: the field is not even read
    const std::vector<ot::Bar> older = read_all(open(content), columns_older);

    ASSERT_EQ(bars.size(), 10000u);
    EXPECT_GE(columns, 4);  // a call per poll of 3,000 bars, or per chunk within one
    EXPECT_LE(columns, 8);
    EXPECT_EQ(columns_without, 0);
    EXPECT_EQ(columns_older, 0);
    for (const auto* other : {&bar_by_bar, &older}) {
        ASSERT_EQ(other->size(), bars.size());
        for (std::size_t i = 0; i < bars.size(); ++i) {
            ASSERT_EQ((*other)[i].open_time_ms, bars[i].open_time_ms) << i;
            ASSERT_EQ((*other)[i].close, bars[i].close) << i;
            ASSERT_EQ((*other)[i].symbol, bars[i].symbol) << i;
        }
    }
    EXPECT_EQ(bars[4096].open_time_ms, kT0 + 4097 * kMinute);
    EXPECT_EQ(bars[9999].volume, 5.5);
    EXPECT_EQ(host.logs_containing(": gap: ", OT_LOG_WARN),
              (std::vector<std::string>{
                  path() + ":4097: gap: 120000 ms since the previous bar, expected 60000",
                  path() + ":4099: gap: 120000 ms since the previous bar, expected 60000",
                  path() + ":4097: gap: 120000 ms since the previous bar, expected 60000",
                  path() + ":4099: gap: 120000 ms since the previous bar, expected 60000",
                  path() + ":4097: gap: 120000 ms since the previous bar, expected 60000",
                  path() + ":4099: gap: 120000 ms since the previous bar, expected 60000"}));
}

TEST_F(CsvFeedTest, StartLeavesTheBarsThatCloseByItToHistory) {
    ot::FeedInstance feed = open(kHeader + rows(10), {{"start", "2024-01-01T00:04"}});
    std::vector<ot::Bar> tested = feed.drain();
    ASSERT_EQ(tested.size(), 6u);
    EXPECT_EQ(tested.front().open_time_ms, kT0 + 4 * kMinute);
    EXPECT_EQ(tested.front().open, 104);
    // What the host asks before the first tested bar: the last bars that closed by its open.
    std::vector<ot::Bar> history = feed.history("BTC/USDT", 0, kT0 + 4 * kMinute, 3).bars;
    ASSERT_EQ(history.size(), 3u);
    for (int i = 0; i < 3; ++i) {
        EXPECT_EQ(history[i].open_time_ms, kT0 + (1 + i) * kMinute);
        EXPECT_EQ(history[i].close, 102 + i);
    }
    EXPECT_EQ(feed.history("BTC/USDT", 60, kT0 + 4 * kMinute, 100).bars.size(), 4u);
}

TEST_F(CsvFeedTest, AStartInsideABarTestsThatBar) {
    // 00:04:30 and Unix ms: the bar of 00:04 closes after it, so it is the first tested one.
    ot::FeedInstance feed = open(rows(10), {{"start", std::to_string(kT0 + 4 * kMinute + 30000)}});
    std::vector<ot::Bar> tested = feed.drain();
    ASSERT_EQ(tested.size(), 6u);
    EXPECT_EQ(tested.front().open_time_ms, kT0 + 4 * kMinute);
}

TEST_F(CsvFeedTest, AStartThatIsNoTimeFailsAtCreateNamingTheParameter) {
    for (const auto& [start, message] : std::vector<std::pair<std::string, std::string>>{
             {"yesterday",
              "csv: start 'yesterday' is not a date (YYYY-MM-DD[THH:MM[:SS]], UTC, or Unix ms)"},
             {"2024-02-30",
              "csv: start '2024-02-30': no such date or time "
              "(YYYY-MM-DD[THH:MM[:SS]], UTC, or Unix ms)"}}) {
        try {
            lib.create_feed("csv", host,
                            {{"path", dir.write("bars.csv", rows(2))}, {"start", start}});
            ADD_FAILURE() << "create accepted start '" << start << "'";
        } catch (const ot::PluginError& e) {
            EXPECT_EQ(e.code(), OT_E_INVALID_ARG);
            EXPECT_EQ(e.what(), message);
        }
    }
}

TEST_F(CsvFeedTest, AStartAfterTheLastBarRunsNothingAndSaysSo) {
    ot::FeedInstance feed = open(rows(5), {{"start", "2024-01-02"}});
    ot::FeedOutput out = feed.poll();
    EXPECT_TRUE(out.end);
    EXPECT_TRUE(out.bars.empty());
    EXPECT_EQ(host.logs_containing("closes after start", OT_LOG_WARN).size(), 1u);
    EXPECT_EQ(feed.history("BTC/USDT", 0, kNoLimit, 2).bars.size(), 0u)
        << "history before any poll pushed a bar";
}

class CsvReplayTest : public CsvFeedTest {
  protected:
    CsvReplayTest() { host.set_mode(OT_MODE_PAPER); }
    ot::FeedInstance replay(int replay_bars) {
        ot::FeedInstance feed = lib.create_feed(
            "csv", host, {{"path", path()}, {"replay_bars", std::to_string(replay_bars)}});
        feed.start();
        return feed;
    }
};

TEST_F(CsvReplayTest, EachPollReplaysReplayBarsAndStoresTheCursor) {
    dir.write("bars.csv", rows(5));
    ot::FeedInstance feed = replay(2);
    ot::FeedOutput first = feed.poll(kT0);
    ASSERT_EQ(first.bars.size(), 2u);
    EXPECT_EQ(first.bars[1].open_time_ms, kT0 + kMinute);
    EXPECT_EQ(host.kv().at("cursor"), std::to_string(kT0 + kMinute));
    EXPECT_EQ(feed.poll(kT0).bars.size(), 2u);
    EXPECT_EQ(feed.poll(kT0).bars.size(), 1u);
    EXPECT_TRUE(feed.poll(kT0).end);
}

TEST_F(CsvReplayTest, ARestartedRunContinuesAfterTheCursor) {
    dir.write("bars.csv", rows(7));
    {
        ot::FeedInstance feed = replay(2);
        feed.poll(kT0);
        feed.poll(kT0);
    }
    ot::FeedInstance restarted = replay(2);
    std::vector<ot::Bar> bars = restarted.poll(kT0).bars;
    ASSERT_EQ(bars.size(), 2u);
    EXPECT_EQ(bars[0].open_time_ms, kT0 + 4 * kMinute);
    EXPECT_EQ(bars[0].open, 104);
    EXPECT_EQ(bars[1].open_time_ms, kT0 + 5 * kMinute);
}

TEST_F(CsvReplayTest, HistoryGivesTheLastBarsBeforeATimeUpToTheReplayPosition) {
    dir.write("bars.csv", rows(7));
    {
        ot::FeedInstance feed = replay(4);
        feed.poll(kT0);  // bars 0..3
    }
    ot::FeedInstance restarted = replay(1);
    std::vector<ot::Bar> last_two = restarted.history("BTC/USDT", 60, kNoLimit, 2).bars;
    ASSERT_EQ(last_two.size(), 2u);
    EXPECT_EQ(last_two[0].open_time_ms, kT0 + 2 * kMinute);
    EXPECT_EQ(last_two[1].open_time_ms, kT0 + 3 * kMinute);
    EXPECT_EQ(last_two[1].close, 104);

    std::vector<ot::Bar> before = restarted.history("BTC/USDT", 60, kT0 + 3 * kMinute, 10).bars;
    ASSERT_EQ(before.size(), 3u);
    EXPECT_EQ(before.front().open_time_ms, kT0);
    EXPECT_EQ(before.back().open_time_ms, kT0 + 2 * kMinute);

    EXPECT_TRUE(restarted.history("ETH/USDT", 60, kNoLimit, 2).bars.empty());
    EXPECT_TRUE(restarted.history("BTC/USDT", 300, kNoLimit, 2).bars.empty());
    EXPECT_EQ(restarted.poll(kT0).bars.at(0).open_time_ms, kT0 + 4 * kMinute);
}

TEST_F(CsvReplayTest, AReplayBeginsAtStartAndItsHistoryReachesBehindIt) {
    dir.write("bars.csv", rows(7));
    ot::FeedInstance feed =
        lib.create_feed("csv", host, {{"path", path()}, {"start", "2024-01-01 00:03"}});
    feed.start();
    std::vector<ot::Bar> history = feed.history("BTC/USDT", 0, kNoLimit, 2).bars;
    ASSERT_EQ(history.size(), 2u);
    EXPECT_EQ(history[0].open_time_ms, kT0 + kMinute);
    EXPECT_EQ(history[1].open_time_ms, kT0 + 2 * kMinute);
    EXPECT_EQ(feed.poll(kT0).bars.at(0).open_time_ms, kT0 + 3 * kMinute);
}

TEST(CsvExampleData, ExampleFilesAreValidAndGapFree) {
    ot::PluginLibrary lib{ORCHESTRADE_PLUGIN_FILE};
    for (auto [file, count] : {std::pair{"tiny.csv", 40u}, std::pair{"btcusdt-1m.csv", 20000u}}) {
        ot::FakeHost host;
        ot::CreateOptions options;
        options.base_dir = ORCHESTRADE_EXAMPLE_DATA_DIR;
        ot::FeedInstance feed = lib.create_feed("csv", host, {{"path", file}}, options);
        feed.start();
        std::vector<ot::Bar> bars = feed.drain();
        EXPECT_EQ(bars.size(), count) << file;
        EXPECT_EQ(bars.front().open_time_ms, kT0) << file;
        EXPECT_TRUE(host.logs_containing("gap", OT_LOG_WARN).empty()) << file;
    }
}

}  // namespace
