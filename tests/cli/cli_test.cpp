// The orchestrade command line: exit codes, messages, the demo and the report contract.
#include "process.hpp"

#include <nlohmann/json.hpp>

#include <orchestrade/core/journal.hpp>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

using namespace orchestrade::testing;
namespace fs = std::filesystem;

namespace {

class Cli : public ::testing::Test {
  protected:
    void SetUp() override {
        dir_ = fs::temp_directory_path() /
               ("orchestrade-cli-" + std::to_string(::getpid()) + "-" +
                ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::remove_all(dir_);
        fs::create_directories(dir_);
    }
    void TearDown() override { fs::remove_all(dir_); }

    ProcessResult cli(std::vector<std::string> args) {
        args.insert(args.begin(), ORCHESTRADE_CLI);
        return run_process(args, dir_.string(), {"ORCHESTRADE_DATA_DIR=" ORCHESTRADE_SOURCE_DIR});
    }
    std::string write(const std::string& name, const std::string& text) {
        std::ofstream(dir_ / name) << text;
        return (dir_ / name).string();
    }
    fs::path dir_;
};

constexpr const char* kGoodPipeline = R"(version: 1
name: cli-test
mode: backtest
journal: out.db
universe: [BTC/USDT]
feed:     { use: synthetic, params: { bars: 500, seed: 3 } }
strategy: { use: sma_cross, params: { fast: 5, slow: 20 } }
executor: { use: mock }
)";

}  // namespace

TEST_F(Cli, MalformedYamlExitsTwoWithLineAndColumnAndWritesNoJournal) {
    auto p = write("bad.yaml", "version: 1\nname: x\njournal: out.db\nuniverse: [BTC/USDT\n");
    auto r = cli({"run", p});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("bad.yaml:"), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(dir_ / "out.db"));
}

TEST_F(Cli, UnknownPluginExitsTwoAndListsWhatExists) {
    std::string text = kGoodPipeline;
    text.replace(text.find("sma_cross"), 9, "smacross");
    auto r = cli({"validate", write("p.yaml", text)});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("p.yaml:7:"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("sma_cross"), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(dir_ / "out.db"));
}

TEST_F(Cli, APluginsOwnCheckFailsAsBadInputBeforeTheJournalExists) {
    std::string text = kGoodPipeline;
    text.replace(text.find("fast: 5"), 7, "fast: 40");  // slow must be greater than fast
    auto r = cli({"run", write("p.yaml", text)});
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_NE(r.err.find("p.yaml:7:"), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(dir_ / "out.db"));
}

TEST_F(Cli, LiveModeRefusesToStartWithoutTheLiveFlag) {
    std::string text = kGoodPipeline;
    text.replace(text.find("mode: backtest"), 14, "mode: live");
    auto r = cli({"run", write("p.yaml", text)});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("--live"), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(dir_ / "out.db"));
}

TEST_F(Cli, ValidateAcceptsAGoodPipeline) {
    auto r = cli({"validate", write("p.yaml", kGoodPipeline)});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("ok"), std::string::npos);
    EXPECT_FALSE(fs::exists(dir_ / "out.db"));
}

TEST_F(Cli, PluginsJsonListsTheFirstPartyPluginsWithTheirSchema) {
    auto r = cli({"plugins", "--json"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    auto j = nlohmann::json::parse(r.out);
    std::map<std::string, std::string> kinds;
    for (const auto& p : j.at("plugins"))
        kinds[p.at("short_name")] = p.at("kind");
    EXPECT_EQ(kinds["sma_cross"], "strategy");
    EXPECT_EQ(kinds["mock"], "executor");
    EXPECT_EQ(kinds["csv"], "feed");
    EXPECT_EQ(kinds["synthetic"], "feed");
    for (const auto& p : j.at("plugins")) {
        if (p.at("short_name") != "sma_cross") continue;
        bool has_fast = false;
        for (const auto& param : p.at("params"))
            has_fast |= param.at("key") == "fast";
        EXPECT_TRUE(has_fast);
    }
}

TEST_F(Cli, DescribeShowsOnePluginAndRejectsAnUnknownOne) {
    auto ok = cli({"describe", "mock"});
    EXPECT_EQ(ok.exit_code, 0);
    EXPECT_NE(ok.out.find("slippage_bps"), std::string::npos);
    auto bad = cli({"describe", "nope"});
    EXPECT_EQ(bad.exit_code, 2);
    EXPECT_NE(bad.err.find("sma_cross"), std::string::npos);
}

TEST_F(Cli, EveryCommandHasHelp) {
    for (const char* c : {"run", "validate", "plugins", "describe", "report"}) {
        auto r = cli({c, "--help"});
        EXPECT_EQ(r.exit_code, 0) << c;
        EXPECT_NE(r.out.find("Usage: orchestrade"), std::string::npos) << c;
    }
    EXPECT_EQ(cli({"frobnicate"}).exit_code, 2);
}

TEST_F(Cli, TheDemoRunsAndTheReportKeepsItsContract) {
    auto run = cli({"run"});
    ASSERT_EQ(run.exit_code, 0) << run.err;
    for (const char* word : {"trades", "return", "max drawdown", "sharpe", "fees", "journal"})
        EXPECT_NE(run.out.find(word), std::string::npos) << word << "\n" << run.out;
    ASSERT_TRUE(fs::exists(dir_ / "var" / "demo.db"));

    auto report = cli({"report", "--journal", "var/demo.db", "--json"});
    ASSERT_EQ(report.exit_code, 0) << report.err;
    auto j = nlohmann::json::parse(report.out);
    for (const char* key : {"metrics", "trades", "orders", "fills", "signals"})
        EXPECT_TRUE(j.contains(key)) << key;
    ASSERT_FALSE(j.at("trades").empty());
    for (const char* key : {"symbol", "side", "qty", "entry_ts", "entry_price", "exit_ts",
                            "exit_price", "pnl", "fees"})
        EXPECT_TRUE(j.at("trades")[0].contains(key)) << key;
    EXPECT_GT(j.at("trades")[0].at("entry_ts").get<int64_t>(), 1'600'000'000'000);
    std::size_t filled = 0;
    for (const auto& o : j.at("orders"))
        filled += o.at("state") == "filled";
    EXPECT_EQ(filled, j.at("fills").size());
}

TEST_F(Cli, ReportOnAMissingJournalIsBadInput) {
    EXPECT_EQ(cli({"report", "--journal", "nope.db"}).exit_code, 2);
    EXPECT_FALSE(fs::exists(dir_ / "nope.db"));
}

TEST_F(Cli, APluginsFolderNextToThePipelineIsSearched) {
    fs::create_directories(dir_ / "plugins");
    fs::copy_file(ORCHESTRADE_TEST_FIXTURE_DIR "/test_script_strategy.so",
                  dir_ / "plugins" / "test_script_strategy.so");
    std::string text = kGoodPipeline;
    const std::string sma = "{ use: sma_cross, params: { fast: 5, slow: 20 } }";
    text.replace(text.find(sma), sma.size(), "{ use: script_strategy, params: { script: BUY } }");
    auto r = cli({"validate", write("p.yaml", text)});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    fs::remove_all(dir_ / "plugins");
    EXPECT_EQ(cli({"validate", (dir_ / "p.yaml").string()}).exit_code, 2);
}

TEST_F(Cli, HaltAndResumeAreRecordedInTheJournal) {
    EXPECT_EQ(cli({"halt", "--journal", "none.db"}).exit_code, 2);
    ASSERT_EQ(cli({"run", write("p.yaml", kGoodPipeline)}).exit_code, 0);
    auto halt = cli({"halt", "--journal", "out.db", "--reason", "news at 14:00"});
    EXPECT_EQ(halt.exit_code, 0) << halt.err;
    {
        orchestrade::core::Journal j((dir_ / "out.db").string(),
                                     orchestrade::core::Journal::Durability::Synchronous);
        EXPECT_EQ(j.kv_get("core", "breaker_command"), "halt:news at 14:00");
    }
    EXPECT_EQ(cli({"resume", "--journal", "out.db"}).exit_code, 0);
    orchestrade::core::Journal j((dir_ / "out.db").string(),
                                 orchestrade::core::Journal::Durability::Synchronous);
    EXPECT_EQ(j.kv_get("core", "breaker_command"), "resume");
}

TEST_F(Cli, SchedulePrintsTheNextFiringsInLocalTime) {
    std::string text = kGoodPipeline;
    text.replace(text.find("feed:"), 5,
                 "schedule:\n  tz: America/New_York\n  triggers:\n"
                 "    - { name: market_open, at: \"09:30\", days: mon-fri }\nfeed:");
    auto r = cli({"schedule", write("p.yaml", text), "--count", "3"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    int lines = 0;
    for (std::size_t pos = 0; (pos = r.out.find("09:30 E", pos)) != std::string::npos; ++pos)
        ++lines;
    EXPECT_EQ(lines, 3) << r.out;
    EXPECT_NE(r.out.find("market_open"), std::string::npos);
    EXPECT_EQ(cli({"schedule", "missing.yaml"}).exit_code, 2);
}
