// The command line's answers to bad input: exit 2 naming the option or the file, never a crash.
#include "cli_fixture.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

using namespace orchestrade::testing;
namespace fs = std::filesystem;

TEST_F(Cli, ADeletedWorkingDirectoryIsReportedNotAborted) {
    write("p.yaml", kGoodPipeline);
    for (const std::string command : {"validate p.yaml", "run p.yaml", "schedule p.yaml", "run"}) {
        fs::create_directories(dir_ / "gone");
        // The shell enters the folder and deletes it before the binary starts there.
        auto r = run_process({"/bin/sh", "-c", "cd gone && rmdir ../gone && exec \"$0\" " + command,
                              ORCHESTRADE_CLI},
                             dir_.string());
        EXPECT_EQ(r.exit_code, 2) << command << "\n" << r.err;
        EXPECT_EQ(r.err.find("terminate called"), std::string::npos) << command << "\n" << r.err;
        EXPECT_NE(r.err.find(command == "run" ? "working directory" : "p.yaml: cannot read"),
                  std::string::npos)
            << command << "\n"
            << r.err;
    }
}

TEST_F(Cli, AnEmptyPipelineArgumentIsBadInputNotTheDemo) {
    for (std::vector<std::string> args : {std::vector<std::string>{"run", ""},
                                          {"run", "--pipeline", ""},
                                          {"validate", ""},
                                          {"schedule", ""}}) {
        auto r = cli(args);
        EXPECT_EQ(r.exit_code, 2) << args[0] << "\n" << r.err;
        EXPECT_NE(r.err.find("orchestrade " + args[0] + ": the PIPELINE argument is empty"),
                  std::string::npos)
            << r.err;
    }
    EXPECT_FALSE(fs::exists(dir_ / "var" / "demo.db"));
}

TEST_F(Cli, AMissingArgumentIsNamedAsTheUsageLineShowsIt) {
    auto validate = cli({"validate"});
    EXPECT_EQ(validate.exit_code, 2);
    EXPECT_NE(validate.err.find("orchestrade validate: missing the PIPELINE argument"),
              std::string::npos)
        << validate.err;
    auto describe = cli({"describe"});
    EXPECT_EQ(describe.exit_code, 2);
    EXPECT_NE(describe.err.find("orchestrade describe: missing the ID argument"), std::string::npos)
        << describe.err;
}

TEST_F(Cli, AnUnknownOptionBeforeTheCommandIsNamed) {
    const std::string p = write("p.yaml", kGoodPipeline);
    auto alone = cli({"--bogus"});
    EXPECT_EQ(alone.exit_code, 2);
    EXPECT_NE(alone.err.find("orchestrade: unknown option '--bogus'"), std::string::npos)
        << alone.err;
    // A command's own option given too early: the message says where it goes.
    for (std::vector<std::string> args : {std::vector<std::string>{"--bogus", "validate", p},
                                          {"--quiet", "run", p},
                                          {"-q", "run", p},
                                          {"--once", "run"},
                                          {"--json", "plugins"}}) {
        auto r = cli(args);
        EXPECT_EQ(r.exit_code, 2) << args[0] << "\n" << r.err;
        EXPECT_NE(r.err.find("'" + args[0] + "' is not a global option; a command's options go " +
                             "after its name: orchestrade " + args[1] + " " + args[0]),
                  std::string::npos)
            << r.err;
    }
    EXPECT_FALSE(fs::exists(dir_ / "out.db"));
    EXPECT_FALSE(fs::exists(dir_ / "var" / "demo.db"));
    // Global options still go on either side of the command.
    EXPECT_EQ(cli({"--log-level", "warning", "validate", p}).exit_code, 0);
    EXPECT_EQ(cli({"validate", p, "--log-level", "warning"}).exit_code, 0);
}

TEST_F(Cli, LoopOptionsRefuseABacktestInsteadOfDoingNothing) {
    const std::string p = write("p.yaml", kGoodPipeline);
    auto r = cli({"run", p, "--once", "--interval", "5s", "--max-iterations", "3"});
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_NE(r.err.find("--once, --interval, --max-iterations apply to paper and live runs "
                         "only; " +
                         p + " is a backtest"),
              std::string::npos)
        << r.err;
    auto once = cli({"run", "--once"});  // the demo is a backtest too
    EXPECT_EQ(once.exit_code, 2) << once.err;
    EXPECT_NE(once.err.find("--once applies to paper and live runs only"), std::string::npos)
        << once.err;
    EXPECT_FALSE(fs::exists(dir_ / "out.db"));
    EXPECT_FALSE(fs::exists(dir_ / "var" / "demo.db"));
    // 0, no limit, is what a backtest does anyway.
    EXPECT_EQ(cli({"run", p, "--max-iterations", "0"}).exit_code, 0);
}

TEST_F(Cli, ReportNeverWritesItsPageOverAJournal) {
    ASSERT_EQ(cli({"run", write("p.yaml", kGoodPipeline)}).exit_code, 0);
    fs::create_hard_link(dir_ / "out.db", dir_ / "link.db");
    fs::create_symlink(dir_ / "out.db", dir_ / "symlink.html");
    const auto size = fs::file_size(dir_ / "out.db");
    ASSERT_FALSE(fs::exists(dir_ / "out.db-wal"));  // gone with the run: a name to keep free
    for (const char* html : {"out.db", "./out.db", "link.db", "symlink.html", "out.db-wal"}) {
        auto r = cli({"report", "--journal", "out.db", "--html", html});
        EXPECT_EQ(r.exit_code, 2) << html << "\n" << r.err;
        EXPECT_NE(r.err.find(std::string("--html ") + html + " would overwrite the journal out.db"),
                  std::string::npos)
            << r.err;
    }
    EXPECT_EQ(fs::file_size(dir_ / "out.db"), size);
    // Another journal is not overwritten either.
    fs::copy_file(dir_ / "out.db", dir_ / "other.db");
    auto other = cli({"report", "--journal", "out.db", "--html", "other.db"});
    EXPECT_EQ(other.exit_code, 2) << other.err;
    EXPECT_NE(other.err.find("--html other.db is a SQLite database"), std::string::npos)
        << other.err;
    EXPECT_EQ(fs::file_size(dir_ / "other.db"), size);
    EXPECT_EQ(cli({"report", "--journal", "out.db"}).exit_code, 0);
    EXPECT_EQ(cli({"report", "--journal", "out.db", "--html", "page.html"}).exit_code, 0);
    EXPECT_FALSE(fs::exists(dir_ / "out.db-wal"));
}

// Another user's bot, a read-only mount: the folder cannot take the -shm file of a WAL reader.
TEST_F(Cli, ReportReadsAJournalInAFolderItCannotWrite) {
    if (::geteuid() != 0 || !fs::exists("/usr/bin/setpriv"))
        GTEST_SKIP() << "needs root to run the report as another user";
    ASSERT_EQ(cli({"run", write("p.yaml", kGoodPipeline)}).exit_code, 0);
    const auto expected = cli({"report", "--journal", "out.db", "--json"});
    ASSERT_EQ(expected.exit_code, 0) << expected.err;
    fs::create_directories(dir_ / "bot");
    fs::copy_file(dir_ / "out.db", dir_ / "bot" / "out.db");
    fs::permissions(dir_ / "bot", fs::perms::owner_read | fs::perms::owner_exec |
                                      fs::perms::group_read | fs::perms::group_exec |
                                      fs::perms::others_read | fs::perms::others_exec);
    auto r = run_process({"/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                          ORCHESTRADE_CLI, "report", "--journal", "bot/out.db", "--json"},
                         dir_.string());
    EXPECT_EQ(r.exit_code, 0) << r.err;
    std::string same = expected.out;
    same.replace(same.find("\"out.db\""), 8, "\"bot/out.db\"");
    EXPECT_TRUE(r.out == same) << r.out.substr(0, 300);
    EXPECT_EQ(std::distance(fs::directory_iterator(dir_ / "bot"), fs::directory_iterator()), 1)
        << "nothing was made beside the journal";
}

TEST_F(Cli, ReportHtmlNeedsAFileNameAndMakesItsFolder) {
    ASSERT_EQ(cli({"run", write("p.yaml", kGoodPipeline)}).exit_code, 0);
    auto empty = cli({"report", "--journal", "out.db", "--html", ""});  // --html "$UNSET"
    EXPECT_EQ(empty.exit_code, 2) << empty.err;
    EXPECT_NE(empty.err.find("--html needs a file name"), std::string::npos) << empty.err;
    EXPECT_TRUE(empty.out.empty()) << empty.out;
    auto nested = cli({"report", "--journal", "out.db", "--html", "reports/run.html"});
    EXPECT_EQ(nested.exit_code, 0) << nested.err;
    EXPECT_TRUE(fs::is_regular_file(dir_ / "reports" / "run.html"));
}

TEST_F(Cli, AJournalOptionNamingADirectoryIsSaidSo) {
    fs::create_directories(dir_ / "folder.db");
    for (const char* command : {"report", "halt", "resume"}) {
        auto r = cli({command, "--journal", "folder.db"});
        EXPECT_EQ(r.exit_code, 2) << command << "\n" << r.err;
        EXPECT_NE(r.err.find(std::string("orchestrade ") + command +
                             ": folder.db is a directory, not a journal"),
                  std::string::npos)
            << r.err;
    }
    fs::create_directories(dir_ / "page");
    ASSERT_EQ(cli({"run", write("p.yaml", kGoodPipeline)}).exit_code, 0);
    auto html = cli({"report", "--journal", "out.db", "--html", "page"});
    EXPECT_EQ(html.exit_code, 2) << html.err;
    EXPECT_NE(html.err.find("--html page: Is a directory"), std::string::npos) << html.err;
}

TEST_F(Cli, ScheduleShowsALoopPeriodUnderASecond) {
    std::string text = kGoodPipeline;
    text.replace(text.find("feed:"), 5, "schedule: { every: 500ms }\nfeed:");
    auto r = cli({"schedule", write("p.yaml", text)});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("no calendar triggers; the loop runs every 500 ms"), std::string::npos)
        << r.out;
}

TEST_F(Cli, FetchDataUsageShowsWhatIsOptional) {
    auto r = cli({"fetch-data", "--help"});
    EXPECT_EQ(r.exit_code, 0);
    EXPECT_NE(r.out.find("--symbol S --out FILE [--from DATE] [--to DATE] [--timeframe TF]"),
              std::string::npos)
        << r.out;
}
