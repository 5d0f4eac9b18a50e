// The orchestrade command line: exit codes, messages, the demo and the report contract.
#include "cli_fixture.hpp"

#include <nlohmann/json.hpp>

#include <orchestrade/core/journal.hpp>

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <regex>
#include <string>
#include <tuple>

using namespace orchestrade::testing;
namespace fs = std::filesystem;

namespace {

constexpr const char* kCsvPipeline = R"(version: 1
name: cli-test
mode: backtest
journal: out.db
universe: [BTC/USDT]
feed:     { use: csv, params: { path: candles.csv, timeframe: 1m } }
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

TEST_F(Cli, AMissingCsvFileIsFoundByValidateAndIsBadInputForRun) {
    const std::string p = write("p.yaml", kCsvPipeline);
    for (const char* command : {"validate", "run"}) {
        SCOPED_TRACE(command);
        auto r = cli({command, p});
        EXPECT_EQ(r.exit_code, 2) << r.err;
        EXPECT_NE(r.err.find("p.yaml:6:"), std::string::npos) << r.err;
        EXPECT_NE(r.err.find("candles.csv': No such file"), std::string::npos) << r.err;
        EXPECT_FALSE(fs::exists(dir_ / "out.db"));
    }
}

TEST_F(Cli, AComponentThatRefusesAParameterAtStartIsBadInputAndRecordsNoRun) {
    std::string text = kGoodPipeline;
    text.replace(text.find("mode: backtest"), 14, "mode: paper");
    ASSERT_EQ(cli({"run", write("p.yaml", text), "--once"}).exit_code, 0);
    // The mock venue reads its saved account at start: it is in USDT.
    text.replace(text.find("[BTC/USDT]"), 10, "[BTC/USD]");
    text.replace(text.find("{ use: mock }"), 13, "{ use: mock, params: { currency: USD } }");
    auto r = cli({"run", write("p.yaml", text), "--once"});
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_NE(r.err.find("p.yaml:8:11: executor:"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("the saved account is in USDT"), std::string::npos) << r.err;
    orchestrade::core::Journal j((dir_ / "out.db").string(),
                                 orchestrade::core::Journal::Durability::Synchronous,
                                 orchestrade::core::Journal::Access::ReadOnly);
    EXPECT_EQ(j.runs().size(), 1u);
}

TEST_F(Cli, ValidateRefusesTheCsvFilesThatRunRefuses) {
    const std::string header = "timestamp,open,high,low,close,volume\n";
    const std::string bar = ",1,2,0.5,1.5,1\n";
    const std::string minutes = header + "1704067200000" + bar + "1704067260000" + bar;
    const std::string seconds = header + "1704067200" + bar + "1704067260" + bar;
    const std::string micros = header + "1704067200000000" + bar + "1704067260000000" + bar;
    std::string five_minutes = kCsvPipeline;
    five_minutes.replace(five_minutes.find("timeframe: 1m"), 13, "timeframe: 5m");
    for (const auto& [csv, pipeline, message] :
         {std::tuple{std::string("time,price\n1704067200000,100\n"), std::string(kCsvPipeline),
                     std::string("candles.csv:1: expected the header "
                                 "'timestamp,open,high,low,close,volume' or a bar")},
          std::tuple{minutes, five_minutes,
                     std::string("candles.csv:3: bar opens 60000 ms after the previous one, "
                                 "inside the timeframe's 300000 ms: is `timeframe` wrong, or are "
                                 "the timestamps in seconds?")},
          std::tuple{seconds, std::string(kCsvPipeline),
                     std::string("candles.csv:3: bar opens 60 ms after the previous one, inside "
                                 "the timeframe's 60000 ms: is `timeframe` wrong, or are the "
                                 "timestamps in seconds?")},
          std::tuple{micros, std::string(kCsvPipeline),
                     std::string("candles.csv:2: timestamp 1704067200000000 is after the year "
                                 "9999 in Unix ms: are the timestamps in microseconds?")}}) {
        write("candles.csv", csv);
        const std::string p = write("p.yaml", pipeline);
        for (const char* command : {"validate", "run"}) {
            SCOPED_TRACE(std::string(command) + " " + message);
            auto r = cli({command, p});
            EXPECT_EQ(r.exit_code, 2) << r.err;
            EXPECT_NE(r.err.find("p.yaml:6:11: feed:"), std::string::npos) << r.err;
            EXPECT_NE(r.err.find(message), std::string::npos) << r.err;
            EXPECT_FALSE(fs::exists(dir_ / "out.db"));
        }
    }
}

TEST_F(Cli, LiveModeRefusesToStartWithoutTheLiveFlag) {
    std::string text = kGoodPipeline;
    text.replace(text.find("mode: backtest"), 14, "mode: live");
    auto r = cli({"run", write("p.yaml", text)});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("--live"), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(dir_ / "out.db"));
}

TEST_F(Cli, TheLiveFlagOnAPipelineThatIsNotLiveIsBadInput) {
    std::string text = kGoodPipeline;
    text.replace(text.find("mode: backtest"), 14, "mode: paper");
    auto r = cli({"run", write("p.yaml", text), "--live", "--once"});
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_NE(r.err.find("mode is paper"), std::string::npos) << r.err;
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

    // The calendar needs no secret: one not set does not stop it (validate and run still do).
    text.replace(text.find("{ use: mock }"), 13,
                 "{ use: robinhood, params: { api_key: \"${OT_TEST_UNSET_KEY}\", "
                 "private_key: \"${file:missing.key}\" } }");
    const std::string secret = write("secret.yaml", text);
    auto calendar = cli({"schedule", secret, "--count", "3"});
    EXPECT_EQ(calendar.exit_code, 0) << calendar.err;
    EXPECT_NE(calendar.out.find("market_open"), std::string::npos) << calendar.out;
    auto validated = cli({"validate", secret});
    EXPECT_EQ(validated.exit_code, 2);
    EXPECT_NE(validated.err.find("OT_TEST_UNSET_KEY is not set"), std::string::npos)
        << validated.err;
}

TEST_F(Cli, ASecretSetToAnEmptyVariableIsNamedAtItsParameter) {
    std::string text = kGoodPipeline;
    text.replace(text.find("{ use: mock }"), 13,
                 "{ use: robinhood, params: { api_key: \"${OT_TEST_EMPTY_KEY}\", "
                 "private_key: \"${file:missing.key}\" } }");
    auto r = run_process({ORCHESTRADE_CLI, "validate", write("p.yaml", text)}, dir_.string(),
                         {"OT_TEST_EMPTY_KEY="});
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_NE(r.err.find("p.yaml:8:48: executor.params.api_key: environment variable "
                         "OT_TEST_EMPTY_KEY is empty"),
              std::string::npos)
        << r.err;
}

TEST_F(Cli, LogLinesShowPricesQuantitiesAndFeesToTenSignificantDigits) {
    std::string text = kGoodPipeline;
    text.replace(text.find("{ use: mock }"), 13,
                 "{ use: mock, params: { fee_bps: 10, slippage_bps: 2 } }");
    auto r = cli({"--log-level", "debug", "run", write("p.yaml", text)});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const std::string log = r.out + r.err;
    const std::regex fill(R"(fill \S+: (?:BUY|SELL) (\S+) BTC/USDT @ (\S+) \(fee (\S+)\))");
    int fills = 0;
    for (auto it = std::sregex_iterator(log.begin(), log.end(), fill); it != std::sregex_iterator();
         ++it) {
        ++fills;
        for (int i = 1; i <= 3; ++i) {
            const std::string shown = (*it)[i];
            char ten_digits[64];
            std::snprintf(ten_digits, sizeof ten_digits, "%.10g", std::stod(shown));
            EXPECT_EQ(shown, ten_digits) << it->str();
        }
    }
    EXPECT_GT(fills, 0) << log;
}

// The audit's findings: bad input is exit 2 with a message naming the file or the parameter.

TEST_F(Cli, AnExplicitLogFileThatCannotBeOpenedIsBadInput) {
    fs::create_directories(dir_ / "logs.d");
    auto r =
        cli({"--log-file", (dir_ / "logs.d").string(), "validate", write("p.yaml", kGoodPipeline)});
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_NE(r.err.find("--log-file " + (dir_ / "logs.d").string() +
                         ": cannot open: "
                         "Is a directory"),
              std::string::npos)
        << r.err;
    write("plain", "x");
    auto under_a_file = cli({"--log-file", "plain/x.log", "plugins"});
    EXPECT_EQ(under_a_file.exit_code, 2) << under_a_file.err;
    EXPECT_NE(under_a_file.err.find("--log-file plain/x.log: cannot create the directory plain"),
              std::string::npos)
        << under_a_file.err;
}

TEST_F(Cli, ADefaultLogFileThatCannotBeOpenedWarnsOnceAndTheRunGoesOn) {
    write("var", "a file where the log folder would go");
    auto r = cli({"run", write("p.yaml", kGoodPipeline)});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("trades"), std::string::npos) << r.out;
    const std::string warning = "log file var/log/orchestrade.log: cannot create the directory var";
    const auto first = r.err.find(warning);
    EXPECT_NE(first, std::string::npos) << r.err;
    EXPECT_EQ(r.err.find(warning, first + 1), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("console only"), std::string::npos) << r.err;
}

TEST_F(Cli, APipelinePathThatIsADirectoryCannotBeRead) {
    fs::create_directories(dir_ / "folder");
    const std::string folder = (dir_ / "folder").string();
    for (const char* command : {"validate", "run", "schedule"}) {
        auto r = cli({command, folder});
        EXPECT_EQ(r.exit_code, 2) << command << "\n" << r.err;
        EXPECT_NE(r.err.find(folder + ": cannot read: Is a directory"), std::string::npos)
            << command << "\n"
            << r.err;
    }
}

TEST_F(Cli, ScheduleCountIsBounded) {
    std::string text = kGoodPipeline;
    text.replace(text.find("feed:"), 5,
                 "schedule:\n  triggers:\n    - { name: open, at: \"09:30\" }\nfeed:");
    const std::string p = write("p.yaml", text);
    // Not millions: before the check, 5000000 reserved gigabytes.
    for (const char* count : {"-3", "0", "10001"}) {
        auto r = cli({"schedule", p, "--count", count});
        EXPECT_EQ(r.exit_code, 2) << count << "\n" << r.err;
        EXPECT_NE(r.err.find(std::string("--count ") + count + " is out of range (1 to 10000)"),
                  std::string::npos)
            << r.err;
    }
    EXPECT_EQ(cli({"schedule", p, "--count", "10000"}).exit_code, 0);
}

TEST_F(Cli, ReportHaltAndResumeLeaveAFileThatIsNotAJournalAlone) {
    const std::string empty = write("empty.db", "");
    for (std::vector<std::string> args : {std::vector<std::string>{"report", "--journal", empty},
                                          {"halt", "--journal", empty},
                                          {"resume", "--journal", empty}}) {
        auto r = cli(args);
        EXPECT_EQ(r.exit_code, 2) << args[0] << "\n" << r.err;
        EXPECT_NE(r.err.find("not an Orchestrade journal"), std::string::npos) << r.err;
        EXPECT_EQ(fs::file_size(empty), 0u) << args[0];
    }
    EXPECT_FALSE(fs::exists(dir_ / "empty.db-wal"));
    auto missing = cli({"halt", "--journal", "missing.db"});
    EXPECT_EQ(missing.exit_code, 2);
    EXPECT_NE(missing.err.find("no journal at missing.db"), std::string::npos) << missing.err;
    EXPECT_FALSE(fs::exists(dir_ / "missing.db"));
}

TEST_F(Cli, ReportReadsAJournalWithoutWritingIt) {
    ASSERT_EQ(cli({"run", write("p.yaml", kGoodPipeline)}).exit_code, 0);
    fs::permissions(dir_ / "out.db", fs::perms::owner_read | fs::perms::group_read);
    const auto before = fs::last_write_time(dir_ / "out.db");
    auto r = cli({"report", "--journal", "out.db", "--json"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_TRUE(nlohmann::json::parse(r.out).contains("metrics"));
    EXPECT_EQ(fs::last_write_time(dir_ / "out.db"), before);
}

TEST_F(Cli, HaltAndResumeCallAFileThatIsNotSQLiteBadInput) {
    const std::string text = write("notes.db", "these are my notes, not a database\n");
    for (const char* command : {"halt", "resume", "report"}) {
        auto r = cli({command, "--journal", text});
        EXPECT_EQ(r.exit_code, 2) << command << "\n" << r.err;
        EXPECT_NE(r.err.find("is not a SQLite database"), std::string::npos) << r.err;
    }
}

TEST_F(Cli, LogLevelAcceptsTheDocumentedNamesOnly) {
    const std::string p = write("p.yaml", kGoodPipeline);
    for (const char* level : {"verbose", "DEBUG", "trace", "off", ""}) {
        auto r = cli({"--log-level", level, "validate", p});
        EXPECT_EQ(r.exit_code, 2) << level << "\n" << r.err;
        EXPECT_NE(r.err.find(std::string("--log-level '") + level + "' is not one of"),
                  std::string::npos)
            << r.err;
    }
    for (const char* level : {"debug", "info", "warning", "warn", "error"})
        EXPECT_EQ(cli({"--log-level", level, "validate", p}).exit_code, 0) << level;
    // warning shows a warning: the default log file's, where a file blocks its folder
    write("var", "a file");
    auto warn = cli({"--log-level", "warning", "run", p});
    EXPECT_EQ(warn.exit_code, 0) << warn.err;
    EXPECT_NE(warn.err.find("| WARNING |"), std::string::npos) << warn.err;
    auto help = cli({"--help"});
    EXPECT_NE(help.out.find("debug, info, warning (or warn) or error"), std::string::npos)
        << help.out;
}

TEST_F(Cli, RunRejectsANegativeIterationLimit) {
    auto r = cli({"run", write("p.yaml", kGoodPipeline), "--max-iterations", "-1"});
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_NE(r.err.find("--max-iterations -1 is negative"), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(dir_ / "out.db"));
}

TEST_F(Cli, FetchDataRefusesAnEmptyRangeBeforeDownloadingOrWriting) {
    // The base URL is a closed port: reaching the network would fail differently.
    auto r = cli({"fetch-data", "--symbol", "BTC/USDT", "--from", "2024-02-01", "--to",
                  "2024-01-01", "--out", "bars.csv", "--base-url", "http://127.0.0.1:9"});
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_NE(r.err.find("--from 2024-02-01 is not before --to 2024-01-01"), std::string::npos)
        << r.err;
    EXPECT_FALSE(fs::exists(dir_ / "bars.csv"));
}

TEST_F(Cli, QuietRunKeepsInfoLinesOffTheConsoleButInTheLogFile) {
    auto loud = cli({"run", write("p.yaml", kGoodPipeline)});
    ASSERT_EQ(loud.exit_code, 0) << loud.err;
    ASSERT_NE(loud.err.find("| INFO |"), std::string::npos) << loud.err;  // the test needs some
    fs::remove_all(dir_ / "var");
    fs::remove(dir_ / "out.db");
    auto quiet = cli({"run", "p.yaml", "-q"});
    ASSERT_EQ(quiet.exit_code, 0) << quiet.err;
    EXPECT_EQ(quiet.err.find("| INFO |"), std::string::npos) << quiet.err;
    EXPECT_NE(quiet.out.find("trades"), std::string::npos) << quiet.out;
    std::ifstream log(dir_ / "var" / "log" / "orchestrade.log");
    std::stringstream text;
    text << log.rdbuf();
    EXPECT_NE(text.str().find("| INFO |"), std::string::npos) << text.str();
}

TEST_F(Cli, ReportRejectsJsonTogetherWithHtml) {
    ASSERT_EQ(cli({"run", write("p.yaml", kGoodPipeline)}).exit_code, 0);
    auto r = cli({"report", "--journal", "out.db", "--json", "--html", "x.html"});
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_NE(r.err.find("--json and --html cannot be combined"), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(dir_ / "x.html"));
}

TEST_F(Cli, AMissingPluginDirIsBadInput) {
    auto r = cli({"--plugin-dir", "/nonexistent", "plugins"});
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_NE(r.err.find("--plugin-dir /nonexistent: no such directory"), std::string::npos)
        << r.err;
    write("plain", "x");
    auto file = cli({"--plugin-dir", "plain", "validate", write("p.yaml", kGoodPipeline)});
    EXPECT_EQ(file.exit_code, 2) << file.err;
    EXPECT_NE(file.err.find("--plugin-dir plain: not a directory"), std::string::npos) << file.err;
    EXPECT_EQ(cli({"--plugin-dir", dir_.string(), "plugins"}).exit_code, 0);
}

TEST_F(Cli, ABacktestSaysWhatTheFeedNeverDeliveredInItsSummary) {
    write("gaps.yaml", R"(version: 1
name: cli-gaps
mode: backtest
journal: out.db
universe: [BTC/USDT, ETH/USDT]
feed:     { use: csv, params: { path: )" ORCHESTRADE_SOURCE_DIR
                       R"(/examples/data/tiny.csv, timeframe: 1m } }
strategy: { use: sma_cross, params: { fast: 5, slow: 20, timeframe: 5m } }
executor: { use: mock }
)");
    auto run = cli({"run", "gaps.yaml"});
    ASSERT_EQ(run.exit_code, 0) << run.err;
    const std::string all = run.out + run.err;
    for (const char* text :
         {"feed gap      strategy sma_cross decides on 5m bars (its timeframe), but no 5m bar "
          "arrived in ",
          "bar(s); the feed delivers 1m: it decided nothing in this run",
          "feed gap      ETH/USDT is in the universe, but no bar of it arrived in "})
        EXPECT_NE(run.out.find(text), std::string::npos) << text << "\n" << run.out;
    EXPECT_NE(all.find("WARNING | strategy sma_cross decides on 5m bars"), std::string::npos)
        << all;
}

TEST_F(Cli, TheDemosOpenTradeIsMarkedAtTheLastCloseInTheReport) {
    ASSERT_EQ(cli({"run"}).exit_code, 0);
    auto report = cli({"report", "--journal", "var/demo.db"});
    ASSERT_EQ(report.exit_code, 0) << report.err;
    // The sample's last close; before, the trade showed "open" and minus its fees as PnL.
    EXPECT_NE(report.out.find("open (marked 43643.3)         2.62"), std::string::npos)
        << report.out;
}
