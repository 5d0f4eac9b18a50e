// The real orchestrade binary against the fake exchange: a live run, a SIGKILL in the middle of
// trading, and fetch-data writing the csv feed's format, resumably.
#include "e2e_support.hpp"

#include <nlohmann/json.hpp>

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <csignal>

#include <chrono>
#include <sstream>
#include <thread>

extern char** environ;

using namespace orchestrade;
using namespace orchestrade::testing;

namespace {

struct Result {
    int exit_code = -1;
    std::string out, err;
};

class Child {
  public:
    Child(std::vector<std::string> args, const std::string& cwd,
          const std::vector<std::string>& extra_env = {})
        : cwd_(cwd) {
        args.insert(args.begin(), {ORCHESTRADE_CLI, "--plugin-dir", ORCHESTRADE_TEST_FIXTURE_DIR,
                                   "--log-level", "info"});
        std::vector<char*> argv;
        for (auto& a : args)
            argv.push_back(a.data());
        argv.push_back(nullptr);
        posix_spawn_file_actions_t fa;
        posix_spawn_file_actions_init(&fa);
        posix_spawn_file_actions_addopen(&fa, 1, (cwd + "/.out").c_str(),
                                         O_WRONLY | O_CREAT | O_TRUNC, 0644);
        posix_spawn_file_actions_addopen(&fa, 2, (cwd + "/.err").c_str(),
                                         O_WRONLY | O_CREAT | O_TRUNC, 0644);
        posix_spawn_file_actions_addchdir_np(&fa, cwd.c_str());
        std::vector<std::string> env_store(extra_env);
        for (char** e = environ; *e; ++e)
            env_store.emplace_back(*e);
        std::vector<char*> envp;
        for (auto& e : env_store)
            envp.push_back(e.data());
        envp.push_back(nullptr);
        if (posix_spawn(&pid_, argv[0], &fa, nullptr, argv.data(), envp.data()) != 0)
            throw std::runtime_error("cannot start the binary");
        posix_spawn_file_actions_destroy(&fa);
    }
    void kill9() { ::kill(pid_, SIGKILL); }
    Result wait() {
        int status = 0;
        waitpid(pid_, &status, 0);
        Result r;
        r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        r.out = slurp(cwd_ + "/.out");
        r.err = slurp(cwd_ + "/.err");
        return r;
    }
    static std::string slurp(const std::string& path) {
        std::ifstream in(path);
        std::stringstream s;
        s << in.rdbuf();
        return s.str();
    }

  private:
    std::string cwd_;
    pid_t pid_ = -1;
};

Result run_cli(const std::vector<std::string>& args, const std::string& cwd,
               const std::vector<std::string>& env = {}) {
    return Child(args, cwd, env).wait();
}

class CliE2e : public ::testing::Test {
  protected:
    CliE2e() { list_symbols(fake); }
    std::string cwd() const { return dir.path().string(); }
    std::size_t fills() const {
        try {
            return core::Journal(dir.journal(), core::Journal::Durability::Synchronous)
                .fills()
                .size();
        } catch (const std::exception&) {
            return 0;  // not created yet
        }
    }
    E2eDir dir;
    bf::FakeBinance fake;
};

std::vector<std::string> lines_of(const std::string& path) {
    std::ifstream in(path);
    std::vector<std::string> out;
    for (std::string line; std::getline(in, line);)
        out.push_back(line);
    return out;
}

}  // namespace

TEST_F(CliE2e, ALiveRunNeedsTheFlagTradesAndNeverLogsTheSecrets) {
    dir.write("live.yaml", pipeline("live", "[BTC/USDT]", feed_block(fake, "spot"),
                                    "{ use: sma_cross, params: { fast: 2, slow: 4 } }",
                                    "{ quantity: 0.01 }", executor_block(fake, cwd(), "spot")));
    Result refused = run_cli({"run", "live.yaml", "--max-iterations", "1"}, cwd());
    EXPECT_EQ(refused.exit_code, 2) << refused.err;
    Result r = run_cli({"run", "live.yaml", "--live", "--interval", "1s", "--max-iterations", "12",
                        "--log-file", "run.log"},
                       cwd());
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_GE(fills(), 1u);
    expect_journal_matches_exchange(dir.journal(), fake, false, {"BTC/USDT"});
    std::string logs = r.out + r.err + Child::slurp(cwd() + "/run.log");
    EXPECT_NE(logs.find("binance: spot at"), std::string::npos) << "the executor's start line";
    EXPECT_EQ(logs.find(kApiKey), std::string::npos);
    EXPECT_EQ(logs.find(kApiSecret), std::string::npos);
}

TEST_F(CliE2e, SigkillWhileTradingLosesNoFillAndSendsNoOrderTwice) {
    dir.write("live.yaml",
              pipeline("live", "[BTC/USDT]", feed_block(fake, "spot"),
                       "{ use: bracket_strategy, params: { hold_bars: 1, brackets: false } }",
                       "{ quantity: 0.01 }", executor_block(fake, cwd(), "spot")));
    for (int round = 0; round < 2; ++round) {
        Child c({"run", "live.yaml", "--live", "--interval", "500ms"}, cwd());
        for (int i = 0; i < 200 && fills() < 2u + 3u * round; ++i)
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        c.kill9();
        c.wait();
    }
    // A restart right after a kill may find an order the exchange cannot confirm yet; the run
    // then refuses to start (exit 1) and the next try, a few seconds later, goes through.
    Result r;
    for (int attempt = 0; attempt < 3; ++attempt) {
        r = run_cli({"run", "live.yaml", "--live", "--interval", "1s", "--max-iterations", "4"},
                    cwd());
        if (r.exit_code == 0) break;
        std::this_thread::sleep_for(std::chrono::seconds(4));
    }
    ASSERT_EQ(r.exit_code, 0) << r.err;
    expect_journal_matches_exchange(dir.journal(), fake, false, {"BTC/USDT"});
}

TEST_F(CliE2e, FetchDataWritesTheCsvFeedsFormatAndResumesWhereItStopped) {
    const int64_t now = fake.server_time();
    const int64_t to = now / 60000 * 60000 - 10 * 60000;
    const int64_t from = to - 2500 * 60000LL;
    const std::vector<std::string> args{
        "fetch-data",      "--symbol",           "BTC/USDT", "--timeframe",      "1m",
        "--from",          std::to_string(from), "--to",     std::to_string(to), "--out",
        "data/btc-1m.csv", "--base-url",         fake.url()};
    Result first = run_cli(args, cwd());
    ASSERT_EQ(first.exit_code, 0) << first.err;
    const std::string csv = cwd() + "/data/btc-1m.csv";
    std::vector<std::string> full = lines_of(csv);
    ASSERT_EQ(full.size(), 2501u) << "a header and 2500 bars";
    EXPECT_EQ(full[0], "timestamp,open,high,low,close,volume");
    EXPECT_EQ(full[1].substr(0, full[1].find(',')), std::to_string(from));
    EXPECT_EQ(full.back().substr(0, full.back().find(',')), std::to_string(to - 60000));

    // Cut it as a crash would (a torn last line), then run the same command again.
    std::ofstream cut(csv, std::ios::trunc);
    for (std::size_t i = 0; i < 1200; ++i)
        cut << full[i] << "\n";
    cut << full[1200].substr(0, 9);
    cut.close();
    Result again = run_cli(args, cwd());
    ASSERT_EQ(again.exit_code, 0) << again.err;
    EXPECT_NE(again.err.find("resuming"), std::string::npos) << again.err;
    EXPECT_EQ(lines_of(csv), full) << "the resumed file equals the one written in one go";

    // The file is what the csv feed reads: a backtest runs on it.
    dir.write(
        "backtest.yaml",
        "version: 1\nname: bt\nmode: backtest\njournal: bt.db\nuniverse: [BTC/USDT]\n"
        "feed: { use: csv, params: { path: data/btc-1m.csv, timeframe: 1m } }\n"
        "strategy: { use: sma_cross, params: { fast: 5, slow: 20 } }\nrisk: { quantity: 0.01 }\n"
        "executor: { use: mock, params: { starting_cash: 10000 } }\n");
    Result bt = run_cli({"run", "backtest.yaml", "--quiet"}, cwd());
    EXPECT_EQ(bt.exit_code, 0) << bt.err;
    EXPECT_EQ(
        run_cli({"fetch-data", "--symbol", "BTC/USDT", "--out", "x.csv", "--base-url", fake.url()},
                cwd())
            .exit_code,
        2)
        << "a new file needs --from";
}

TEST_F(CliE2e, TheTestnetExamplesValidateWithTheirEnvironmentVariables) {
    const std::vector<std::string> env{"BINANCE_TESTNET_API_KEY=k", "BINANCE_TESTNET_API_SECRET=s"};
    for (const char* name : {"binance-spot-testnet.yaml", "binance-futures-testnet.yaml"}) {
        const std::string path =
            std::string(ORCHESTRADE_SOURCE_DIR) + "/examples/pipelines/" + name;
        Result ok = run_cli({"validate", path}, cwd(), env);
        EXPECT_EQ(ok.exit_code, 0) << name << ": " << ok.err;
    }
}

TEST_F(CliE2e, ABacktestWithTheBinanceFeedOrExecutorIsBadConfigurationAtValidateAndRun) {
    const std::string sma = "{ use: sma_cross, params: { fast: 2, slow: 4 } }";
    const std::string mock = "{ use: mock, params: { starting_cash: 10000 } }";
    const std::string csv = "{ use: csv, params: { path: " + std::string(ORCHESTRADE_SOURCE_DIR) +
                            "/examples/data/tiny.csv, timeframe: 1m } }";
    struct Case {
        std::string file, text, where, says;
    };
    const std::vector<Case> cases{
        {"feed.yaml", pipeline("backtest", "[BTC/USDT]", feed_block(fake, "spot"), sma, "{}", mock),
         "feed.yaml:6:7: feed", "orchestrade fetch-data"},
        {"executor.yaml",
         pipeline("backtest", "[BTC/USDT]", csv, sma, "{}", executor_block(fake, cwd(), "spot")),
         "executor.yaml:9:11: executor", "use the mock executor"}};
    for (const Case& c : cases) {
        dir.write(c.file, c.text);
        for (const char* command : {"validate", "run"}) {
            Result r = run_cli({command, c.file}, cwd());
            EXPECT_EQ(r.exit_code, 2) << command << " " << c.file << ": " << r.err;
            EXPECT_NE(r.err.find(c.where), std::string::npos) << command << ": " << r.err;
            EXPECT_NE(r.err.find(c.says), std::string::npos) << command << ": " << r.err;
        }
    }
    EXPECT_EQ(fake.count_requests("GET", "/api/v3/exchangeInfo"), 0);
    EXPECT_EQ(fake.count_requests("GET", "/api/v3/klines"), 0);
}
