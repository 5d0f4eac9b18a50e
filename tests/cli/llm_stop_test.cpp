// An LLM pipeline and the user's stop: a stop cuts a model call short, starts no retry and
// leaves no command behind; a second signal takes the command's whole process group with it.
#include "cli_fixture.hpp"

#include <orchestrade/core/journal.hpp>

#include <nlohmann/json.hpp>

#include <chrono>
#include <cmath>
#include <fstream>

using namespace orchestrade;
using namespace orchestrade::testing;
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

class LlmStop : public Cli {
  protected:
    void SetUp() override {
        Cli::SetUp();
        std::ofstream csv(dir_ / "bars.csv");
        csv << "timestamp,open,high,low,close,volume\n";
        for (int i = 0; i < 2000; ++i) {
            const double c = 100 + 3 * std::sin(i / 5.0);
            csv << 1704067200000LL + i * 60000LL << ',' << c << ',' << c + 0.5 << ',' << c - 0.5
                << ',' << c << ",1\n";
        }
    }

    // A paper pipeline whose model is a shell that starts a background sleep and waits for it,
    // writing both pids: the call lasts until it is killed.
    Process start_slow_paper_run() {
        const std::string sh_pid = (dir_ / "sh.pid").string(),
                          sleep_pid = (dir_ / "sleep.pid").string();
        write("slow.yaml", R"(version: 1
name: llm-slow
mode: paper
journal: slow.db
universe: [BTC/USDT]
feed: { use: csv, params: { path: bars.csv, timeframe: 1m } }
strategy:
  use: llm
  params:
    provider: command
    model: slow
    timeframe: 1m
    context_timeframe: 1h
    command: [sh, -c, "echo $$ > )" +
                               sh_pid + R"(; sleep 100 & echo $! > )" + sleep_pid +
                               R"(; wait"]
    timeout_ms: 120000
    max_call_cost_usd: 0.01
risk: { quantity: 1 }
executor: { use: mock, params: { starting_cash: 100000 } }
)");
        return Process({ORCHESTRADE_CLI, "run", "slow.yaml", "--interval", "50ms"}, dir_.string());
    }

    // The pid a file holds once it holds one (or 0 after 30 s).
    pid_t wait_for_pid(const std::string& name) const {
        for (int i = 0; i < 300; ++i) {
            std::ifstream in(dir_ / name);
            pid_t pid = 0;
            if (in >> pid && pid > 0) return pid;
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
        return 0;
    }

    // The pids of the model's shell and its sleep once both run; else the run is killed, the
    // test failed, and false.
    bool command_started(Process& run, pid_t& sh, pid_t& sleep) const {
        sh = wait_for_pid("sh.pid");
        sleep = wait_for_pid("sleep.pid");
        if (sh > 0 && sleep > 0) return true;
        run.signal(SIGKILL);
        ADD_FAILURE() << "the model's command never started: "
                      << run.wait_at_most(std::chrono::seconds(0)).err;
        return false;
    }

    // Gone, or a zombie nobody reaped yet: either way it runs no more.
    static bool running(pid_t pid) {
        std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
        std::string line;
        if (!std::getline(stat, line)) return false;
        const auto close = line.rfind(')');
        return close != std::string::npos && line.size() > close + 2 && line[close + 2] != 'Z';
    }

    static bool stops_running(pid_t pid) {
        for (int i = 0; i < 50 && running(pid); ++i)
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        return !running(pid);
    }

    std::vector<nlohmann::json> llm_calls() const {
        core::Journal journal((dir_ / "slow.db").string(), core::Journal::Durability::Synchronous,
                              core::Journal::Access::ReadOnly);
        std::vector<nlohmann::json> calls;
        for (const auto& e : journal.events(0, "llm_call"))
            calls.push_back(nlohmann::json::parse(e.json));
        return calls;
    }
};

}  // namespace

TEST_F(LlmStop, SigtermDuringAModelCallStopsAtOnceWithoutRetryAndKillsTheCommand) {
    Process run = start_slow_paper_run();
    pid_t sh = 0, sleep = 0;
    if (!command_started(run, sh, sleep)) return;
    const auto asked = Clock::now();
    run.signal(SIGTERM);
    const ProcessResult r = run.wait_at_most(std::chrono::seconds(20));
    EXPECT_LT(Clock::now() - asked, std::chrono::seconds(5));
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.err.find("the run stops after the current iteration"), std::string::npos) << r.err;
    EXPECT_TRUE(stops_running(sh));
    EXPECT_TRUE(stops_running(sleep));
    const auto calls = llm_calls();
    ASSERT_EQ(calls.size(), 1u) << "a retry was started after the stop";
    EXPECT_EQ(calls[0].at("result"), "hold");
    EXPECT_NE(calls[0].value("error", "").find("the run is stopping"), std::string::npos)
        << calls[0].dump();
}

TEST_F(LlmStop, ASecondSignalTakesTheCommandsProcessGroupWithIt) {
    Process run = start_slow_paper_run();
    pid_t sh = 0, sleep = 0;
    if (!command_started(run, sh, sleep)) return;
    run.signal(SIGTERM);  // two different signals: a second SIGTERM pending would merge
    run.signal(SIGINT);
    const ProcessResult r = run.wait_at_most(std::chrono::seconds(20));
    EXPECT_EQ(r.exit_code, 130) << r.err;
    EXPECT_TRUE(stops_running(sh));
    EXPECT_TRUE(stops_running(sleep));
}
