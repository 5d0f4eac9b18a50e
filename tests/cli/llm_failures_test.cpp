// A backtest whose every model call failed, or that made none, says so, in its summary, its exit
// status and its report, so that "the model chose HOLD" is told from "the model was never
// reached".
#include "cli_fixture.hpp"

#include <nlohmann/json.hpp>

#include <fstream>
#include <iterator>

using namespace orchestrade::testing;

namespace {

// A backtest of the llm strategy whose command does not exist, with `extra` strategy params.
std::string llm_backtest(const std::string& name, const std::string& extra = "") {
    return "version: 1\nname: " + name + R"(
mode: backtest
journal: bt.db
universe: [BTC/USDT]
feed: { use: synthetic, params: { bars: 120, seed: 3 } }
strategy:
  use: llm
  params:
    provider: command
    model: absent
    timeframe: 1m
    context_timeframe: 1h
    command: [/nonexistent/llm-cli]
    max_call_cost_usd: 0.01
)" + extra +
           R"(risk: { quantity: 1 }
executor: { use: mock }
)";
}

}  // namespace

TEST_F(Cli, ABacktestWhoseEveryLlmCallFailedSaysSoAndExitsOne) {
    write("bt.yaml", llm_backtest("llm-unreachable"));
    const ProcessResult run = cli({"run", "bt.yaml"});
    EXPECT_EQ(run.exit_code, 1) << run.err;
    EXPECT_NE(run.out.find("LLM calls failed (transport_error"), std::string::npos) << run.out;
    EXPECT_NE(run.err.find("no LLM call of this backtest got an answer"), std::string::npos)
        << run.err;

    const ProcessResult text = cli({"report", "--journal", "bt.db"});
    EXPECT_NE(text.out.find("Strategy failures: "), std::string::npos) << text.out;
    const ProcessResult json = cli({"report", "--journal", "bt.db", "--json"});
    const auto report = nlohmann::json::parse(json.out);
    const auto& failures = report.at("strategy_failures");
    EXPECT_GT(failures.at("llm_calls").get<int>(), 0);
    EXPECT_EQ(failures.at("failed_llm_calls"), failures.at("llm_calls"));
    EXPECT_EQ(failures.at("failed_llm_calls_by_outcome").at("transport_error"),
              failures.at("llm_calls"));
    EXPECT_TRUE(report.contains("signals")) << "the existing keys stay";
    ASSERT_EQ(cli({"report", "--journal", "bt.db", "--html", "r.html"}).exit_code, 0);
    std::ifstream page(dir_ / "r.html");
    const std::string html((std::istreambuf_iterator<char>(page)), {});
    EXPECT_NE(html.find("LLM calls failed"), std::string::npos);
}

// A backtest whose budget allows no call decides nothing: it is told from a strategy that chose
// to HOLD, and exits 1 as one whose calls all failed does.
TEST_F(Cli, ABacktestWhoseBudgetAllowsNoCallSaysSoAndExitsOne) {
    write("bt.yaml", llm_backtest("llm-no-budget", "    daily_budget_usd: 0\n"));
    const ProcessResult run = cli({"run", "bt.yaml"});
    EXPECT_EQ(run.exit_code, 1) << run.err;
    EXPECT_NE(run.out.find("0 of 0 LLM calls failed, "), std::string::npos) << run.out;
    EXPECT_NE(run.out.find(" decisions held without a call (daily_budget "), std::string::npos)
        << run.out;
    EXPECT_NE(run.err.find("no LLM call of this backtest got an answer"), std::string::npos)
        << run.err;
    const auto report = nlohmann::json::parse(cli({"report", "--journal", "bt.db", "--json"}).out);
    const auto& failures = report.at("strategy_failures");
    EXPECT_EQ(failures.at("llm_calls"), 0);
    EXPECT_GT(failures.at("llm_holds").get<int>(), 0);
    EXPECT_EQ(failures.at("llm_holds_by_cause").at("daily_budget"), failures.at("llm_holds"));
}
