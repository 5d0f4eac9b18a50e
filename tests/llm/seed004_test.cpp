// Seed 004 end to end through the real engine: six coins on 3m and 4h bars with funding and open
// interest (the synthetic feed), the llm strategy on a fake provider, the mock executor. Entries
// carry their stop-loss and take-profit into the order journal; every bad answer is a HOLD; the
// budget stops calls; a second run of a backtest replays every answer without a call.
#include "fake_llm_server.hpp"
#include "trade_policy.hpp"

#include <orchestrade/core/engine.hpp>
#include <orchestrade/core/journal.hpp>
#include <orchestrade/core/pipeline.hpp>
#include <orchestrade/core/plugin_registry.hpp>
#include <orchestrade/testing/temp_dir.hpp>

#include <gtest/gtest.h>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <iterator>
#include <map>

namespace core = orchestrade::core;
namespace ot = orchestrade::testing;
using nlohmann::json;
using ot::llm::Dialect;
using ot::llm::FakeLlmServer;
using ot::llm::Scripted;

namespace {

const char* kUniverse = "[BTC/USDT, ETH/USDT, SOL/USDT, BNB/USDT, XRP/USDT, DOGE/USDT]";

std::string read(const std::filesystem::path& p) {
    std::ifstream in(p);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// The "Longer-term context" sections of a prompt, one per symbol.
std::vector<std::string> context_sections(const std::string& prompt) {
    const std::string title = "Longer-term context (4h):";
    std::vector<std::string> sections;
    for (std::size_t at = prompt.find(title); at != std::string::npos;
         at = prompt.find(title, at + 1))
        sections.push_back(prompt.substr(at, prompt.find("###", at) - at));
    return sections;
}

int count_lines(const std::filesystem::path& p) {
    std::ifstream in(p);
    int n = 0;
    for (std::string line; std::getline(in, line);)
        ++n;
    return n;
}

// A loopback port bound but not listening: every connection to it is refused.
class ClosedPort {
  public:
    ClosedPort() : fd_(socket(AF_INET, SOCK_STREAM, 0)) {
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t len = sizeof addr;
        bind(fd_, reinterpret_cast<sockaddr*>(&addr), len);
        getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
        port_ = ntohs(addr.sin_port);
    }
    ~ClosedPort() { close(fd_); }
    ClosedPort(const ClosedPort&) = delete;
    ClosedPort& operator=(const ClosedPort&) = delete;
    std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/v1"; }

  private:
    int fd_;
    int port_ = 0;
};

class Seed004 : public ::testing::Test {
  protected:
    Seed004() { registry.scan({ORCHESTRADE_TEST_PLUGIN_DIR}); }

    // The seed-004 pipeline over `steps` 3m steps, with the given strategy params.
    std::string pipeline(const std::string& mode, int steps, const std::string& strategy_params,
                         const std::string& journal_file = "journal.db") const {
        return "version: 1\nname: seed004\nmode: " + mode + "\njournal: " + journal_file +
               "\nuniverse: " + kUniverse +
               "\nschedule: { every: 3m }\n"
               "feed: { use: synthetic, params: { timeframe: 3m, higher_timeframes: 4h, "
               "series: true, volatility: 0.003, bars: " +
               std::to_string(steps) + " } }\nstrategy: { use: llm, params: { " + strategy_params +
               " } }\nrisk: { position_size_pct: 10 }\n"
               "executor: { use: mock, params: { starting_cash: 100000, fee_bps: 10 } }\n";
    }
    // The fake CLI states $0.001 a call; a call may cost that much at most.
    std::string command_params(const std::string& extra = "", int timeout_ms = 5000) const {
        return "provider: command, model: haiku, max_call_cost_usd: 0.001, timeout_ms: " +
               std::to_string(timeout_ms) + ", command: [" FAKE_LLM_CLI ", " + dir.path().string() +
               "]" + (extra.empty() ? "" : ", " + extra);
    }
    core::RunSummary run(const std::string& yaml, core::EngineOptions options = {}) {
        core::Pipeline p =
            core::parse_pipeline(yaml, "seed004.yaml", dir.path().string(), registry);
        return core::run_pipeline(p, options);
    }
    core::Journal journal(const std::string& file = "journal.db") const {
        return core::Journal((dir.path() / file).string(), core::Journal::Durability::Synchronous);
    }
    std::vector<json> events(int64_t run, const std::string& kind,
                             const std::string& file = "journal.db") const {
        std::vector<json> out;
        for (const core::EventRecord& e : journal(file).events(run, kind))
            out.push_back(json::parse(e.json));
        return out;
    }
    void script_command(const std::vector<std::string>& lines) const {
        std::ofstream out(dir.path() / "script");
        for (const std::string& l : lines)
            out << l << "\n";
    }
    int command_calls() const { return count_lines(dir.path() / "calls.log"); }
    // The API key as a secret file (mode 0600), the way a pipeline must give it.
    std::string key_file() const {
        std::string path = dir.write("openai.key", "test-key");
        std::filesystem::permissions(
            path, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
        return path;
    }

    ot::TempDir dir;
    core::PluginRegistry registry;
};

// Every entry order carries the stop-loss and take-profit of the signal that made it.
void expect_entries_with_exit_plans(const core::Journal& j, int64_t run) {
    std::map<int64_t, core::SignalRecord> signals;
    for (core::SignalRecord& s : j.signals(run))
        signals[s.id] = s;
    int entries = 0;
    for (const core::OrderRecord& o : j.orders(run)) {
        auto it = signals.find(o.signal_id);  // the core's own stop and target exits have none
        if (it == signals.end() || it->second.action != core::Action::Buy) continue;
        const core::SignalRecord& s = it->second;
        ++entries;
        EXPECT_GT(s.stop_loss, 0);
        EXPECT_LT(s.stop_loss, s.take_profit);
        EXPECT_EQ(o.stop_loss, s.stop_loss) << o.client_order_id;
        EXPECT_EQ(o.take_profit, s.take_profit) << o.client_order_id;
        EXPECT_EQ(o.side, core::Side::Buy);
        json meta = json::parse(s.metadata_json);
        EXPECT_EQ(meta["invalidation_condition"], "price closes below the stop");
        EXPECT_EQ(meta["prompt_hash"].get<std::string>().size(), 64u);
    }
    EXPECT_GT(entries, 3);
}

}  // namespace

TEST_F(Seed004, ABacktestOnTheCommandProviderTradesWithStopsAndTargets) {
    const int steps = 90;  // 4.5 hours: one 4h bar per coin closes at 04:00
    core::RunSummary s = run(pipeline("backtest", steps, command_params()));
    EXPECT_EQ(s.status, "completed");
    EXPECT_EQ(s.bars, 6 * steps + 6);
    const int decisions = steps;  // the strategy was warmed up before the first bar
    EXPECT_EQ(command_calls(), decisions);
    EXPECT_GT(s.fills, 6);
    expect_entries_with_exit_plans(journal(), s.run_id);
    std::vector<json> calls = events(s.run_id, "llm_call");
    ASSERT_EQ(calls.size(), static_cast<std::size_t>(decisions));
    EXPECT_EQ(calls[0]["provider"], "command");
    EXPECT_DOUBLE_EQ(calls[0]["cost_usd"].get<double>(), 0.001);  // as the CLI reports it

    // No look-ahead: the 4h bar that closes at 04:00 shows from the 04:00 decision on, not before;
    // until then the context is the 4h history's, which closed at 00:00.
    std::string first = read(dir.path() / "prompt-0.txt"),
                before = read(dir.path() / "prompt-78.txt"),
                at = read(dir.path() / "prompt-79.txt");
    EXPECT_NE(before.find("Time: 2024-01-01T03:57:00Z"), std::string::npos);
    EXPECT_EQ(context_sections(before), context_sections(first));
    EXPECT_NE(at.find("Time: 2024-01-01T04:00:00Z"), std::string::npos);
    ASSERT_EQ(context_sections(at).size(), 6u);
    for (std::size_t i = 0; i < 6; ++i)
        EXPECT_NE(context_sections(at)[i], context_sections(before)[i]) << i;
    EXPECT_NE(at.find("Funding rate: n/a"), std::string::npos);  // the first settlement is 08:00
    EXPECT_NE(at.find("Open interest: latest "), std::string::npos);
    EXPECT_EQ(at.find("Open interest: latest n/a"), std::string::npos);
}

TEST_F(Seed004, ABacktestDecidesFromItsFirstBarWithTheFourHourContext) {
    // The walk before the start warms the strategy up on 3m and 4h bars, as history warms a
    // paper run up: the first decision, at the first bar's close, sees every 4h indicator.
    core::RunSummary s = run(pipeline("backtest", 2, command_params()));
    EXPECT_EQ(command_calls(), 2);
    const std::string first = read(dir.path() / "prompt-0.txt");
    EXPECT_NE(first.find("Time: 2024-01-01T00:03:00Z"), std::string::npos) << first;
    const std::vector<std::string> context = context_sections(first);
    EXPECT_EQ(context.size(), 6u);
    for (const std::string& section : context)
        EXPECT_EQ(section.find("n/a"), std::string::npos) << section;
    const std::vector<json> warmup = events(s.run_id, "warmup");
    ASSERT_EQ(warmup.size(), 1u);
    EXPECT_EQ(warmup[0]["bars"], 6 * (50 + 50)) << "50 bars of 3m and of 4h per coin";
}

TEST_F(Seed004, ARerunOfTheBacktestReplaysEveryAnswerAndGivesTheSameTrades) {
    // The answers are recorded in a file, so the second run may use a journal of its own.
    const std::string params = command_params("cache_file: answers.jsonl");
    core::RunSummary first = run(pipeline("backtest", 21, params, "first.db"));
    const int calls = command_calls();
    ASSERT_EQ(calls, 21);
    core::RunSummary second = run(pipeline("backtest", 21, params, "second.db"));
    EXPECT_EQ(command_calls(), calls) << "the second run called the provider";
    std::vector<core::FillRecord> a = journal("first.db").fills(first.run_id),
                                  b = journal("second.db").fills(second.run_id);
    ASSERT_GT(a.size(), 0u);
    ASSERT_EQ(a.size(), b.size());
    for (std::size_t i = 0; i < a.size(); ++i) {
        EXPECT_EQ(a[i].symbol, b[i].symbol);
        EXPECT_EQ(a[i].side, b[i].side);
        EXPECT_EQ(a[i].qty, b[i].qty);
        EXPECT_EQ(a[i].price, b[i].price);
        EXPECT_EQ(a[i].time_ms, b[i].time_ms);
    }
    std::vector<json> replayed = events(second.run_id, "llm_call", "second.db");
    ASSERT_EQ(replayed.size(), static_cast<std::size_t>(calls));
    for (const json& c : replayed) {
        EXPECT_EQ(c["cached"], true);
        EXPECT_EQ(c["cost_usd"], 0.0);
    }
}

TEST_F(Seed004, ReplayOnlyNeverCallsAndHoldsWhereNothingWasRecorded) {
    core::RunSummary s = run(pipeline("backtest", 11, command_params("cache: replay_only")));
    EXPECT_EQ(command_calls(), 0);
    EXPECT_EQ(s.orders, 0);
    std::vector<json> holds = events(s.run_id, "llm_hold");
    ASSERT_EQ(holds.size(), 11u);
    EXPECT_EQ(holds[0]["reason"], "no recorded answer for this prompt (cache: replay_only)");
}

TEST_F(Seed004, TheBudgetStopsTheCalls) {
    // The fake command reports $0.001 a call: after three, a fourth could pass $0.0035.
    core::RunSummary s = run(pipeline("backtest", 21, command_params("daily_budget_usd: 0.0035")));
    EXPECT_EQ(command_calls(), 3);
    std::vector<json> holds = events(s.run_id, "llm_hold");
    ASSERT_EQ(holds.size(), 18u);
    EXPECT_EQ(holds[0]["cause"], "daily_budget");
    EXPECT_NE(
        holds[0]["reason"].get<std::string>().find("the daily budget is spent: $0.0030 of $0.0035"),
        std::string::npos);
}

// The strategy cannot read the risk stage's allow_short: left out, its own parameter takes it;
// set otherwise, the pipeline contradicts itself and is refused.
TEST_F(Seed004, TheModelIsToldTheRiskStagesRuleOnShorts) {
    const std::string flat_risk = "risk: { position_size_pct: 10 }";
    const std::string shorts_risk = "risk: { position_size_pct: 10, allow_short: true }";
    std::string yaml = pipeline("backtest", 3, command_params());
    yaml.replace(yaml.find(flat_risk), flat_risk.size(), shorts_risk);
    run(yaml);
    ASSERT_GE(command_calls(), 1);
    EXPECT_NE(read(dir.path() / "prompt-0.txt").find("Shorts are allowed"), std::string::npos);

    try {
        core::parse_pipeline(pipeline("backtest", 3, command_params("allow_short: true")),
                             "seed004.yaml", dir.path().string(), registry);
        ADD_FAILURE() << "a strategy planning shorts the risk stage drops was accepted";
    } catch (const core::ConfigError& e) {
        const std::string message = e.what();
        EXPECT_EQ(message.rfind("seed004.yaml:8:", 0), 0u) << message;
        EXPECT_NE(message.find(" strategy.params.allow_short: true, but risk.allow_short is false"),
                  std::string::npos)
            << message;
    }
}

TEST_F(Seed004, ACommandThatStatesNoCostIsChargedItsMaxCallCost) {
    // A CLI result without total_cost_usd (or any CLI that prints only its answer) is charged
    // max_call_cost_usd: after three, a fourth could pass $0.0035.
    dir.write("no_cost", "");
    core::RunSummary s = run(pipeline("backtest", 21, command_params("daily_budget_usd: 0.0035")));
    EXPECT_EQ(command_calls(), 3);
    std::vector<json> calls = events(s.run_id, "llm_call");
    ASSERT_EQ(calls.size(), 3u);
    EXPECT_DOUBLE_EQ(calls[0]["cost_usd"].get<double>(), 0.001);
    EXPECT_EQ(calls[0]["cost_estimated"], true);
    std::vector<json> holds = events(s.run_id, "llm_hold");
    ASSERT_FALSE(holds.empty());
    EXPECT_NE(
        holds[0]["reason"].get<std::string>().find("the daily budget is spent: $0.0030 of $0.0035"),
        std::string::npos);
}

TEST_F(Seed004, TheFirstCommandCallIsBudgetedAtItsMaxCallCost) {
    // Nothing spent and no cost seen yet: the first call may still cost $0.001, over $0.0005.
    core::RunSummary s = run(pipeline("backtest", 6, command_params("daily_budget_usd: 0.0005")));
    EXPECT_EQ(command_calls(), 0);
    std::vector<json> holds = events(s.run_id, "llm_hold");
    ASSERT_EQ(holds.size(), 6u);
    EXPECT_NE(holds[0]["reason"].get<std::string>().find("the next call may cost up to $0.0010"),
              std::string::npos);
}

TEST_F(Seed004, ACommandThatTimesOutIsChargedItsMaxCallCostAndNotResentPastTheBudget) {
    // The CLI may have called its model before it was killed: $0.001 is charged, so neither the
    // resend nor any later call fits in $0.0015.
    script_command({"@hang", "@hang"});
    core::RunSummary s =
        run(pipeline("backtest", 3, command_params("daily_budget_usd: 0.0015", 300)));
    EXPECT_EQ(s.status, "completed");
    EXPECT_EQ(command_calls(), 1);
    std::vector<json> calls = events(s.run_id, "llm_call");
    ASSERT_EQ(calls.size(), 1u);
    EXPECT_EQ(calls[0]["outcome"], "transport_error");
    EXPECT_DOUBLE_EQ(calls[0]["cost_usd"].get<double>(), 0.001);
    EXPECT_DOUBLE_EQ(calls[0]["spent_today_usd"].get<double>(), 0.001);
    EXPECT_EQ(events(s.run_id, "llm_hold").size(), 3u);
}

TEST_F(Seed004, ACliRateLimitCostsWhatTheCliStatesAndIsNotResent) {
    // The Claude CLI exits 1 with its result on stdout: a 429 that cost $0.
    script_command(
        {"@api-error:API Error: 429 rate_limit_error: Number of requests has exceeded "
         "your rate limit"});
    core::EngineOptions options;  // paper: the pause is on the real clock, no call during it
    options.interval_ms = 1;
    options.max_iterations = 2;
    core::RunSummary s =
        run(pipeline("paper", 2, command_params("daily_budget_usd: 0.0015")), options);
    EXPECT_EQ(s.status, "completed");
    EXPECT_EQ(command_calls(), 1);
    std::vector<json> calls = events(s.run_id, "llm_call");
    ASSERT_EQ(calls.size(), 1u);
    EXPECT_EQ(calls[0]["outcome"], "rate_limited");
    EXPECT_EQ(calls[0]["cost_usd"], 0);
    EXPECT_EQ(calls[0]["cost_estimated"], false);
    EXPECT_EQ(calls[0]["spent_today_usd"], 0);
    EXPECT_NE(calls[0]["error"].get<std::string>().find(
                  "API Error: 429 rate_limit_error: Number of requests has exceeded"),
              std::string::npos)
        << calls[0]["error"];
}

// A backtest's clock is simulated: a pause on it would be over by the next bar, and every decision
// during the limit a HOLD the model never made. It waits the limit out and asks again.
TEST_F(Seed004, ABacktestWaitsOutARateLimitAndDecidesEveryBar) {
    FakeLlmServer server(Dialect::OpenAi);
    server.script({Scripted::rate_limit(1)});  // then the fake's policy answers
    const auto started = std::chrono::steady_clock::now();
    core::RunSummary s = run(pipeline("backtest", 2,
                                      "model: gpt-5-mini, api_key: \"${file:" + key_file() +
                                          "}\", base_url: \"" + server.base_url() + "\"") +
                             "http_in_backtest: true\n");
    EXPECT_GE(std::chrono::steady_clock::now() - started, std::chrono::seconds(1));
    EXPECT_EQ(s.status, "completed");
    std::vector<json> calls = events(s.run_id, "llm_call");
    ASSERT_GE(calls.size(), 3u);  // the limited request, the same one again, the second bar's
    EXPECT_EQ(calls[0]["outcome"], "rate_limited");
    EXPECT_EQ(calls[0]["result"], "retry");
    EXPECT_EQ(calls[1]["prompt_hash"], calls[0]["prompt_hash"]);
    EXPECT_EQ(calls[1]["result"], "accepted");
    EXPECT_TRUE(events(s.run_id, "llm_hold").empty()) << "no decision was a HOLD for the limit";
}

TEST_F(Seed004, ACommandThatFailsIsAHoldAndTheRunGoesOn) {
    script_command({"@exit", "@exit", "@is-error", "@is-error", "not json", "{\"action\":\"WAIT\"}",
                    "@plain:{}", "@plain:{}"});
    core::RunSummary s = run(pipeline("backtest", 5, command_params()));
    EXPECT_EQ(s.status, "completed");
    std::vector<json> calls = events(s.run_id, "llm_call");
    std::vector<std::string> results;
    for (const json& c : calls)
        results.push_back(c["result"]);
    // Decisions 1-4 fail twice each (one retry), the fifth follows the fake's policy.
    EXPECT_EQ(results, (std::vector<std::string>{"retry", "hold", "retry", "hold", "retry", "hold",
                                                 "retry", "hold", "accepted"}));
    EXPECT_EQ(s.orders, 1);
}

TEST_F(Seed004, ARequestThatNeverReachedTheServerCostsNothing) {
    // A wrong base_url, or the network down: each decision is tried twice, and charged $0.
    ClosedPort closed;
    const int steps = 3;
    core::EngineOptions options;
    options.interval_ms = 1;
    options.max_iterations = steps;
    core::RunSummary s =
        run(pipeline("paper", steps,
                     "model: gpt-5-mini, api_key: "
                     "\"${file:" +
                         key_file() + "}\", base_url: \"" + closed.base_url() + "\""),
            options);
    std::vector<json> calls = events(s.run_id, "llm_call");
    ASSERT_EQ(calls.size(), 6u);  // three decisions, two requests each
    for (const json& c : calls) {
        EXPECT_EQ(c["outcome"], "transport_error");
        EXPECT_EQ(c["cost_usd"], 0);
        EXPECT_EQ(c["cost_estimated"], false);
        EXPECT_EQ(c["spent_today_usd"], 0);
    }
    int explained = 0;
    for (const core::SignalRecord& sig : journal().signals(s.run_id))
        if (sig.reason.find("the request was not sent: nothing is charged") != std::string::npos)
            ++explained;
    EXPECT_EQ(explained, 6 * 3) << calls[0]["error"];
}

TEST_F(Seed004, APaperRunOnTheOpenAiFakeTradesAndHoldsOnEveryBadAnswer) {
    FakeLlmServer server(Dialect::OpenAi);
    server.set_timeout_hold_ms(5000);
    const std::string bad_buy = ot::llm::decision_json("BUY", "BTC/USDT", 10, 1e12, 2e12);
    server.script({
        Scripted::answer(ot::llm::decision_json("BUY", "BTC/USDT", 10, 1, 1e9)),  // fine: an entry
        Scripted::answer("I'd go long."),
        Scripted::answer("Still long."),
        Scripted::garbage_body(),
        Scripted::garbage_body(),
        Scripted::truncated("{\"action\":\"BU"),
        Scripted::truncated("{\"action\":\"BU"),
        Scripted::refusal(),
        Scripted::rate_limit(0),
        Scripted::server_error(500),
        Scripted::server_error(503),
        Scripted::timeout(),
        Scripted::timeout(),
        Scripted::answer(ot::llm::decision_json("LONG", "BTC/USDT", 10, 1, 2)),
        Scripted::answer(ot::llm::decision_json("LONG", "BTC/USDT", 10, 1, 2)),
        Scripted::answer(ot::llm::decision_json("BUY", "PEPE/USDT", 10, 1, 2)),
        Scripted::answer(ot::llm::decision_json("BUY", "PEPE/USDT", 10, 1, 2)),
        Scripted::answer(bad_buy),
        Scripted::answer(bad_buy),
        Scripted::answer(ot::llm::decision_json("BUY", "ETH/USDT", 90, 1, 1e9)),
        Scripted::answer(ot::llm::decision_json("BUY", "ETH/USDT", 90, 1, 1e9)),
    });
    const int bad_decisions = 11;
    const int steps = 1 + bad_decisions + 4;
    core::EngineOptions options;
    options.interval_ms = 1;
    options.max_iterations = steps;
    core::RunSummary s = run(pipeline("paper", steps,
                                      "model: gpt-5-mini, api_key: \"${file:" + key_file() +
                                          "}\", "
                                          "timeout_ms: 1000, "
                                          "base_url: \"" +
                                          server.base_url() + "\""),
                             options);
    EXPECT_EQ(server.rejected(), 0);
    std::vector<json> calls = events(s.run_id, "llm_call");
    EXPECT_EQ(calls.size(), static_cast<std::size_t>(server.calls()));
    std::vector<std::string> hold_errors;
    for (const json& c : calls)
        if (c["result"] == "hold") hold_errors.push_back(c["error"]);
    std::vector<std::string> expected{"not valid JSON",
                                      "no choices[0].message",
                                      "cut off",
                                      "refused",
                                      "HTTP 429",
                                      "HTTP 503",
                                      "timed out",
                                      "is not one of BUY",
                                      "is not one asked about",
                                      "wrong side",
                                      "outside (0, 20]"};
    ASSERT_GE(hold_errors.size(), expected.size());
    for (std::size_t i = 0; i < expected.size(); ++i)
        EXPECT_NE(hold_errors[i].find(expected[i]), std::string::npos) << hold_errors[i];

    core::Journal j = journal();
    // Paper journals every signal: each bad answer left six HOLDs that say why.
    int explained = 0;
    for (const core::SignalRecord& sig : j.signals(s.run_id))
        if (sig.action == core::Action::Hold && sig.reason.rfind("HOLD: ", 0) == 0) ++explained;
    EXPECT_EQ(explained, 6 * bad_decisions);
    std::vector<core::OrderRecord> orders = j.orders(s.run_id);
    ASSERT_GE(orders.size(), 2u);  // the first entry, its close by the fake's policy, ...
    EXPECT_EQ(orders[0].symbol, "BTC/USDT");
    EXPECT_EQ(orders[0].stop_loss, 1);
    EXPECT_EQ(orders[0].take_profit, 1e9);
}
