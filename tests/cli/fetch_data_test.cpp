// fetch-data's bad input: every option is checked before --out is touched, and a file that is
// not a candle file is never changed. The synthetic feed stands in for Binance (no network).
#include "cli_fixture.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

using namespace orchestrade::testing;
namespace fs = std::filesystem;

namespace {

constexpr const char* kTornCsv =
    "timestamp,open,high,low,close,volume\n1704067200000,1,2,0.5,1.5,10\n17040672";

std::string slurp(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

}  // namespace

TEST_F(Cli, FetchDataRefusesDatesThatDoNotExist) {
    for (const char* from : {"2024-02-30", "2023-02-29", "2024-01-01T99:99", "2024-01-01T24:00",
                             "2024-13-45", "2024-00-00", "-5", "2024-01-01x", "2024-1-1"}) {
        auto r = cli({"fetch-data", "--symbol", "BTC/USDT", "--from", from, "--to", "2024-06-01",
                      "--out", "bars.csv", "--feed", "synthetic"});
        EXPECT_EQ(r.exit_code, 2) << from << "\n" << r.err;
        EXPECT_NE(r.err.find(std::string("--from '") + from + "'"), std::string::npos) << r.err;
    }
    auto to = cli({"fetch-data", "--symbol", "BTC/USDT", "--from", "2024-01-01", "--to",
                   "2024-04-31", "--out", "bars.csv", "--feed", "synthetic"});
    EXPECT_EQ(to.exit_code, 2) << to.err;
    EXPECT_NE(to.err.find("--to '2024-04-31': no such date or time"), std::string::npos) << to.err;
    EXPECT_FALSE(fs::exists(dir_ / "bars.csv"));
}

TEST_F(Cli, FetchDataLeavesTheOutFileAsItIsOnBadInput) {
    write("bars.csv", kTornCsv);  // a torn last line, as a crash leaves it
    auto feed = cli({"fetch-data", "--symbol", "BTC/USDT", "--out", "bars.csv", "--feed", "nope"});
    EXPECT_EQ(feed.exit_code, 2) << feed.err;
    EXPECT_NE(feed.err.find("no feed plugin 'nope'"), std::string::npos) << feed.err;
    EXPECT_EQ(slurp(dir_ / "bars.csv"), kTornCsv);

    ASSERT_EQ(cli({"run", write("p.yaml", kGoodPipeline)}).exit_code, 0);
    const std::string journal = slurp(dir_ / "out.db");
    write("notes.txt", "hello world no newline");
    for (const char* out : {"notes.txt", "out.db"}) {
        auto r = cli({"fetch-data", "--symbol", "BTC/USDT", "--from", "2024-01-01", "--out", out,
                      "--feed", "synthetic"});
        EXPECT_EQ(r.exit_code, 2) << out << "\n" << r.err;
        EXPECT_NE(r.err.find(std::string("--out ") + out + " is not a candle file"),
                  std::string::npos)
            << r.err;
    }
    EXPECT_EQ(slurp(dir_ / "notes.txt"), "hello world no newline");
    EXPECT_EQ(slurp(dir_ / "out.db"), journal);
}

TEST_F(Cli, FetchDataNamesAnOutPathThatCannotBeWritten) {
    fs::create_directories(dir_ / "folder");
    write("plain", "x");
    for (const auto& [out, message] :
         {std::pair<std::string, std::string>{"folder", "--out folder: Is a directory"},
          {"plain/bars.csv", "--out plain/bars.csv: cannot write in plain: Not a directory"}}) {
        auto r = cli({"fetch-data", "--symbol", "BTC/USDT", "--from", "2024-01-01", "--out", out,
                      "--feed", "synthetic"});
        EXPECT_EQ(r.exit_code, 2) << out << "\n" << r.err;
        EXPECT_NE(r.err.find(message), std::string::npos) << r.err;
    }
}

TEST_F(Cli, FetchDataReplacesTheOutFileOnlyWhenDone) {
    write("bars.csv", kTornCsv);
    auto r = cli({"fetch-data", "--symbol", "BTC/USDT", "--to", "2024-01-01T00:10", "--out",
                  "bars.csv", "--feed", "synthetic"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.err.find("resuming bars.csv after 2024-01-01 00:00 UTC"), std::string::npos)
        << r.err;
    // The synthetic feed has no history: the torn line goes, the whole ones stay.
    EXPECT_EQ(slurp(dir_ / "bars.csv"),
              "timestamp,open,high,low,close,volume\n1704067200000,1,2,0.5,1.5,10\n");
    for (const auto& entry : fs::directory_iterator(dir_))
        EXPECT_EQ(entry.path().filename().string().find(".part"), std::string::npos)
            << entry.path();
}

TEST_F(Cli, FetchDataRefusesToResumeAFileOfAnotherTimeframe) {
    constexpr const char* kMinuteBars =
        "timestamp,open,high,low,close,volume\n1704067200000,1,2,0.5,1.5,10\n"
        "1704067260000,1,2,0.5,1.5,10\n1704067380000,1,2,0.5,1.5,10\n";  // a gap: still 1m
    write("bars.csv", kMinuteBars);
    auto r = cli({"fetch-data", "--symbol", "BTC/USDT", "--timeframe", "1h", "--to", "2024-01-02",
                  "--out", "bars.csv", "--feed", "synthetic"});
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_NE(r.err.find("orchestrade fetch-data: --out bars.csv holds 1m bars (they open 60000 "
                         "ms apart), not 1h; it is left as it is"),
              std::string::npos)
        << r.err;
    EXPECT_EQ(slurp(dir_ / "bars.csv"), kMinuteBars);
}

TEST_F(Cli, FetchDataRefusesToResumeAFileOfAnotherSymbol) {
    constexpr const char* kBars =
        "timestamp,open,high,low,close,volume\n1704067200000,1,2,0.5,1.5,10\n";
    write("bars.csv", kBars);  // no label, as older versions wrote: taken to be BTC/USDT
    auto btc = cli({"fetch-data", "--symbol", "BTC/USDT", "--to", "2024-01-01T00:10", "--out",
                    "bars.csv", "--feed", "synthetic"});
    ASSERT_EQ(btc.exit_code, 0) << btc.err;
    EXPECT_EQ(slurp(dir_ / "bars.csv.meta"), "symbol=BTC/USDT\ntimeframe=1m\n");

    auto eth = cli({"fetch-data", "--symbol", "ETH/USDT", "--to", "2024-01-01T00:10", "--out",
                    "bars.csv", "--feed", "synthetic"});
    EXPECT_EQ(eth.exit_code, 2) << eth.err;
    EXPECT_NE(eth.err.find("orchestrade fetch-data: --out bars.csv holds bars of BTC/USDT "
                           "(bars.csv.meta), not of ETH/USDT; it is left as it is"),
              std::string::npos)
        << eth.err;
    EXPECT_EQ(slurp(dir_ / "bars.csv"), kBars);
    EXPECT_EQ(slurp(dir_ / "bars.csv.meta"), "symbol=BTC/USDT\ntimeframe=1m\n");
}

TEST_F(Cli, FetchDataRefusesToResumeALabelledBarOfAnotherTimeframe) {
    constexpr const char* kOneBar =
        "timestamp,open,high,low,close,volume\n1704067200000,1,2,0.5,1.5,10\n";
    write("bars.csv", kOneBar);
    write("bars.csv.meta", "symbol=BTC/USDT\ntimeframe=1h\n");
    auto r = cli({"fetch-data", "--symbol", "BTC/USDT", "--to", "2024-01-01T00:10", "--out",
                  "bars.csv", "--feed", "synthetic"});
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_NE(r.err.find("orchestrade fetch-data: --out bars.csv holds 1h bars (bars.csv.meta), "
                         "not 1m; it is left as it is"),
              std::string::npos)
        << r.err;
    EXPECT_EQ(slurp(dir_ / "bars.csv"), kOneBar);
}
