// The llm_day plugin loaded as the host loads it, on the host's key-value state across restarts:
// a pre-market that a restart interrupted, or that the process was down for, runs at market_open,
// so the day still trades; an unusable answer costs only its symbol's step; a position carried
// from an earlier day is monitored. The model is an in-process OpenAI-compatible fake answering
// from day_policy.
#include "day_policy.hpp"

#include <orchestrade/sdk.hpp>
#include <orchestrade/testing/fake_host.hpp>
#include <orchestrade/testing/plugin_library.hpp>
#include <orchestrade/testing/temp_dir.hpp>

#include <nlohmann/json.hpp>

#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace ot = orchestrade::testing;
using nlohmann::json;

namespace {

constexpr int64_t kHourMs = 3'600'000;
constexpr int64_t kMonday = 1704067200000;  // 2024-01-01 00:00 UTC
constexpr int64_t kDayMs = 24 * kHourMs;
constexpr int64_t kTuesday = kMonday + kDayMs;
constexpr int64_t kWednesday = kTuesday + kDayMs;
constexpr double kPrice = 100;

// The model's side: every request answered by day_policy, with usage; `on_request` runs first
// (with the request's number from 1), as the request is out.
class DayModel {
  public:
    explicit DayModel(std::string state_dir) : state_dir_(std::move(state_dir)) {}

    ot::HttpHandler handler() {
        return [this](const ot::HttpRequest& request) {
            ++requests;
            if (on_request) on_request(requests);
            json body = json::parse(request.body);
            std::string prompt;
            for (const json& m : body["messages"])
                prompt += m["content"].get<std::string>() + "\n";
            json reply = {
                {"id", "chatcmpl-day"},
                {"choices", json::array({{{"index", 0},
                                          {"message",
                                           {{"role", "assistant"},
                                            {"content", ot::llm::day_answer(prompt, state_dir_)}}},
                                          {"finish_reason", "stop"}}})},
                {"usage", {{"prompt_tokens", 400}, {"completion_tokens", 60}}}};
            ot::HttpReply r;
            r.body = reply.dump();
            return r;
        };
    }

    int requests = 0;
    std::function<void(int)> on_request;

  private:
    std::string state_dir_;
};

std::string prompt_of(const ot::HttpRequest& request) {
    const json body = json::parse(request.body);
    std::string prompt;
    for (const json& m : body["messages"])
        prompt += m["content"].get<std::string>() + "\n";
    return prompt;
}

bool asks(const std::string& prompt, const std::string& step, const std::string& symbol) {
    return prompt.find("Workflow step: " + step + "\n") != std::string::npos &&
           prompt.find("Symbol: " + symbol + "\n") != std::string::npos;
}

// The model's answer to a prompt when it is not day_policy's.
using AnswerOverride = std::function<std::optional<std::string>(const std::string& prompt)>;

class LlmDayPlugin : public ::testing::Test {
  protected:
    // A new instance of the strategy (a new process) on `host`, given the day's first bar.
    ot::StrategyInstance start(ot::FakeHost& host, int64_t day_ms,
                               std::vector<std::string> universe = {"BTC/USDT"}) {
        host.set_http_handler(model.handler());
        ot::CreateOptions options;
        options.universe = universe;
        options.base_dir = dir.path().string();
        ot::StrategyInstance s = lib.create_strategy("llm_day", host,
                                                     {{"model", "gpt-5-mini"},
                                                      {"base_url", "http://llm.test/v1"},
                                                      {"api_key", "test-key"},
                                                      {"max_candidates", "2"}},
                                                     options);
        s.start();
        const int64_t open = day_ms + 10 * kHourMs;  // closes at 11:00 UTC, before 06:30 EST
        host.set_now_ms(open + kHourMs);
        for (const std::string& symbol : universe)
            s.on_bars({{symbol, 3600, open, kPrice, kPrice + 1, kPrice - 1, kPrice, 5}});
        return s;
    }
    // The day model, but `answer` answers the prompts it returns an answer for; every prompt is
    // kept in `prompts`.
    void override_answers(ot::FakeHost& host, AnswerOverride answer) {
        host.set_http_handler([this, answer](const ot::HttpRequest& request) {
            ot::HttpReply r = model.handler()(request);
            const std::string prompt = prompt_of(request);
            prompts.push_back(prompt);
            if (std::optional<std::string> text = answer(prompt)) {
                json reply = json::parse(r.body);
                reply["choices"][0]["message"]["content"] = *text;
                r.body = reply.dump();
            }
            return r;
        });
    }
    std::vector<std::string> prompts_of(const std::string& step, const std::string& symbol) const {
        std::vector<std::string> out;
        for (const std::string& p : prompts)
            if (asks(p, step, symbol)) out.push_back(p);
        return out;
    }
    // The trigger `name` of `day_ms` at New York time `local` ("06:30"), hours after midnight UTC.
    std::vector<ot::Signal> fire(ot::StrategyInstance& s, ot::FakeHost& host,
                                 const std::string& name, int64_t day_ms, double utc_hour,
                                 const std::string& local) {
        const int64_t t = day_ms + static_cast<int64_t>(utc_hour * kHourMs);
        host.set_now_ms(t);
        const std::string date = "2024-01-0" + std::to_string(1 + (day_ms - kMonday) / kDayMs);
        return s.on_event(name, t, json{{"local", date + " " + local + " EST"}}.dump());
    }
    static std::vector<json> journal(const ot::FakeHost& host, const std::string& kind) {
        std::vector<json> out;
        for (const ot::JournalRecord& r : host.journal())
            if (r.kind == kind) out.push_back(json::parse(r.json));
        return out;
    }
    static std::vector<json> refused(const ot::FakeHost& host) {
        std::vector<json> out;
        for (const json& t : journal(host, "workflow_transition"))
            if (t.value("refused", false)) out.push_back(t);
        return out;
    }
    static void expect_planned_entry(const std::vector<ot::Signal>& signals) {
        ASSERT_EQ(signals.size(), 1u);
        EXPECT_EQ(signals[0].action, OT_ACTION_BUY);
        EXPECT_EQ(signals[0].symbol, "BTC/USDT");
        EXPECT_EQ(signals[0].size_pct, 10);
        EXPECT_DOUBLE_EQ(signals[0].stop_loss, kPrice * 0.98);
        EXPECT_DOUBLE_EQ(signals[0].take_profit, kPrice * 1.03);
    }

    static std::vector<std::string> symbols_of(const std::vector<ot::Signal>& signals,
                                               int32_t action) {
        std::vector<std::string> out;
        for (const ot::Signal& s : signals)
            if (s.action == action) out.push_back(s.symbol);
        return out;
    }
    static json saved_workflow(ot::FakeHost& host) {
        return json::parse(host.kv().at("llm_day.workflow"));
    }
    static ot_position long_position(double qty, double avg_price, double unrealized_pnl) {
        ot_position p{};
        p.struct_size = sizeof p;
        p.qty = qty;
        p.avg_price = avg_price;
        p.mark_price = avg_price;
        p.unrealized_pnl = unrealized_pnl;
        return p;
    }

    ot::TempDir dir;
    DayModel model{dir.path().string()};
    ot::PluginLibrary lib{LLM_PLUGIN_FILE};
    std::vector<std::string> prompts;
};

class LlmDayRestart : public LlmDayPlugin {};
class LlmDaySteps : public LlmDayPlugin {};

const std::vector<std::string> kThreeSymbols = {"BTC/USDT", "ETH/USDT", "SOL/USDT"};

}  // namespace

TEST_F(LlmDayRestart, APreMarketStoppedByARestartRunsAgainAtMarketOpen) {
    // The process dies while the pre-market's second request (the analysis) is out: what the
    // host's state holds at that moment is all a restarted process finds. The engine has marked
    // the pre_market trigger handled, so it does not fire again.
    ot::FakeHost first(OT_MODE_PAPER);
    std::optional<std::map<std::string, std::string>> state_at_crash;
    model.on_request = [&](int n) {
        if (n == 2) state_at_crash = first.kv();
    };
    {
        ot::StrategyInstance s = start(first, kTuesday);
        fire(s, first, "pre_market", kTuesday, 11.5, "06:30");
    }
    ASSERT_TRUE(state_at_crash);
    ASSERT_EQ(state_at_crash->count("llm_day.workflow"), 1u);
    json saved = json::parse(state_at_crash->at("llm_day.workflow"));
    EXPECT_EQ(saved["day"], "2024-01-02");
    EXPECT_EQ(saved["state"], "pre_market_screening");  // begun, not completed

    ot::FakeHost restarted(OT_MODE_PAPER);
    restarted.kv() = *state_at_crash;
    model.on_request = nullptr;
    const int before = model.requests;
    ot::StrategyInstance s = start(restarted, kTuesday);
    EXPECT_EQ(restarted.logs_containing("did not complete; it runs again", OT_LOG_WARN).size(), 1u);
    std::vector<ot::Signal> entries = fire(s, restarted, "market_open", kTuesday, 14.5, "09:30");

    expect_planned_entry(entries);
    // Screening again replays its answer recorded before the crash; analysis and entry
    // optimisation ask the model.
    EXPECT_EQ(model.requests - before, 2);
    std::vector<json> calls = journal(restarted, "llm_call");
    ASSERT_EQ(calls.size(), 3u);
    EXPECT_EQ(calls[0]["cached"], true);
    std::vector<json> recovered = journal(restarted, "workflow_recover");
    ASSERT_EQ(recovered.size(), 1u);
    EXPECT_EQ(recovered[0]["day"], "2024-01-02");
    EXPECT_NE(recovered[0]["reason"].get<std::string>().find("stopped in pre_market_screening"),
              std::string::npos);
    // The interrupted pre-market ends in error and starts again; nothing is refused.
    EXPECT_TRUE(refused(restarted).empty());
    json after = json::parse(restarted.kv().at("llm_day.workflow"));
    EXPECT_EQ(after["state"], "intraday_monitoring");
    EXPECT_EQ(after["context"]["executed"], json::array({"BTC/USDT"}));

    // The day goes on: the market-open orders are not sent twice.
    EXPECT_TRUE(fire(s, restarted, "market_open", kTuesday, 14.5, "09:30").empty());
    EXPECT_EQ(journal(restarted, "workflow_skip").size(), 1u);
}

TEST_F(LlmDayRestart, APreMarketMissedWhileDownRunsAtMarketOpen) {
    // Monday runs whole; the process is down at Tuesday's pre-market time and back before the
    // market opens.
    ot::FakeHost host(OT_MODE_PAPER);
    {
        ot::StrategyInstance s = start(host, kMonday);
        fire(s, host, "pre_market", kMonday, 11.5, "06:30");
        expect_planned_entry(fire(s, host, "market_open", kMonday, 14.5, "09:30"));
        fire(s, host, "eod_review", kMonday, 21, "16:00");
    }
    ot::StrategyInstance s = start(host, kTuesday);
    std::vector<ot::Signal> entries = fire(s, host, "market_open", kTuesday, 14.5, "09:30");

    expect_planned_entry(entries);
    std::vector<json> recovered = journal(host, "workflow_recover");
    ASSERT_EQ(recovered.size(), 1u);
    EXPECT_EQ(recovered[0]["reason"], "the pre-market of 2024-01-02 never ran");
    EXPECT_TRUE(refused(host).empty());
    EXPECT_EQ(host.logs_containing("it runs now, before market_open", OT_LOG_WARN).size(), 1u);
}

TEST_F(LlmDayRestart, APreMarketThatCompletedWithoutAPlanIsNotRunAgainAtMarketOpen) {
    // A bad answer is the model's verdict on its symbol, not an interruption: no plan that day.
    dir.write("bad", "2024-01-02 analysis\n");
    ot::FakeHost host(OT_MODE_PAPER);
    ot::StrategyInstance s = start(host, kTuesday);
    fire(s, host, "pre_market", kTuesday, 11.5, "06:30");
    const int requests = model.requests;
    EXPECT_TRUE(fire(s, host, "market_open", kTuesday, 14.5, "09:30").empty());
    EXPECT_EQ(model.requests, requests);
    EXPECT_TRUE(journal(host, "workflow_recover").empty());
    EXPECT_TRUE(refused(host).empty());
    EXPECT_EQ(saved_workflow(host)["state"], "intraday_monitoring");
}

TEST_F(LlmDayRestart, AnAnswerAboutAnotherSymbolIsNotTakenForTheSymbolAsked) {
    // Asked to plan the entry of BTC/USDT (at 100), the model plans one for ETH/USDT (at 2000):
    // its stop and target would become BTC's.
    ot::FakeHost host(OT_MODE_PAPER);
    ot::StrategyInstance s = start(host, kTuesday, {"BTC/USDT", "ETH/USDT"});
    const int64_t open = kTuesday + 10 * kHourMs;
    s.on_bars({{"ETH/USDT", 3600, open, 2000, 2001, 1999, 2000, 5}});
    ot::HttpHandler day_model = model.handler();
    host.set_http_handler([&](const ot::HttpRequest& request) {
        const std::string body = request.body;
        if (body.find("Symbol: ETH/USDT") != std::string::npos ||
            body.find("entry_optimisation") == std::string::npos)
            return day_model(request);
        json reply = json::parse(day_model(request).body);
        reply["choices"][0]["message"]["content"] =
            ot::llm::decision_json("BUY", "ETH/USDT", 10, 1960, 2060, "plan");
        ot::HttpReply r;
        r.body = reply.dump();
        return r;
    });
    fire(s, host, "pre_market", kTuesday, 11.5, "06:30");

    for (const ot::Signal& entry : fire(s, host, "market_open", kTuesday, 14.5, "09:30"))
        EXPECT_NE(entry.symbol, "BTC/USDT") << "entered with ETH's stop " << entry.stop_loss;
    std::vector<json> holds = journal(host, "workflow_hold");
    ASSERT_EQ(holds.size(), 1u);
    EXPECT_EQ(holds[0]["step"], "entry_optimisation");
    EXPECT_EQ(holds[0]["symbol"], "BTC/USDT");
    EXPECT_NE(holds[0]["reason"].get<std::string>().find(
                  "symbol 'ETH/USDT' is not one asked about (BTC/USDT)"),
              std::string::npos)
        << holds[0]["reason"];
    EXPECT_EQ(saved_workflow(host)["state"], "intraday_monitoring");
}

TEST_F(LlmDaySteps, AScreeningYesNeedsNoPositionSize) {
    // Screening only ranks symbols: a BUY of size 0 without levels is a yes.
    ot::FakeHost host(OT_MODE_PAPER);
    ot::StrategyInstance s = start(host, kTuesday, kThreeSymbols);
    override_answers(host, [](const std::string& prompt) -> std::optional<std::string> {
        if (!asks(prompt, "screening", "ETH/USDT")) return std::nullopt;
        return ot::llm::decision_json("BUY", "ETH/USDT", 0, 0, 0, "on the watchlist");
    });
    fire(s, host, "pre_market", kTuesday, 11.5, "06:30");

    EXPECT_EQ(saved_workflow(host)["context"]["watchlist"], json(kThreeSymbols));
    // The top two (max_candidates) are entered.
    EXPECT_EQ(symbols_of(fire(s, host, "market_open", kTuesday, 14.5, "09:30"), OT_ACTION_BUY),
              (std::vector<std::string>{"BTC/USDT", "ETH/USDT"}));
    EXPECT_TRUE(journal(host, "workflow_hold").empty());
}

TEST_F(LlmDaySteps, AnUnusableAnswerIsAHoldForItsSymbolAndTheDayGoesOn) {
    // ETH's screening, BTC's monitoring and the daily review answer garbage; every other step of
    // the day runs.
    ot::FakeHost host(OT_MODE_PAPER);
    ot::StrategyInstance s = start(host, kTuesday, kThreeSymbols);
    override_answers(host, [](const std::string& prompt) -> std::optional<std::string> {
        if (asks(prompt, "screening", "ETH/USDT") || asks(prompt, "monitoring", "BTC/USDT") ||
            prompt.find("Workflow step: daily_review") != std::string::npos)
            return "not json";
        if (asks(prompt, "monitoring", "SOL/USDT"))
            return ot::llm::decision_json("CLOSE", "SOL/USDT", 0, 0, 0, "the setup failed");
        return std::nullopt;
    });
    fire(s, host, "pre_market", kTuesday, 11.5, "06:30");
    EXPECT_EQ(symbols_of(fire(s, host, "market_open", kTuesday, 14.5, "09:30"), OT_ACTION_BUY),
              (std::vector<std::string>{"BTC/USDT", "SOL/USDT"}));
    host.set_position("BTC/USDT", long_position(1, kPrice, 0));
    host.set_position("SOL/USDT", long_position(1, kPrice, 0));
    EXPECT_EQ(symbols_of(fire(s, host, "monitor_11", kTuesday, 16, "11:00"), OT_ACTION_CLOSE),
              std::vector<std::string>{"SOL/USDT"});
    fire(s, host, "eod_review", kTuesday, 21, "16:00");

    std::vector<json> holds = journal(host, "workflow_hold");
    ASSERT_EQ(holds.size(), 3u);
    EXPECT_EQ(holds[0]["step"], "screening");
    EXPECT_EQ(holds[0]["symbol"], "ETH/USDT");
    EXPECT_EQ(holds[0]["event"], "pre_market");
    EXPECT_NE(holds[0]["reason"].get<std::string>().find("invalid answer"), std::string::npos)
        << holds[0];
    EXPECT_EQ(holds[1]["step"], "monitoring");
    EXPECT_EQ(holds[1]["symbol"], "BTC/USDT");
    EXPECT_EQ(holds[2]["step"], "daily_review");
    EXPECT_EQ(prompts_of("screening", "SOL/USDT").size(), 1u);
    EXPECT_EQ(journal(host, "workflow_review").size(), 1u);
    EXPECT_TRUE(refused(host).empty());
    EXPECT_EQ(saved_workflow(host)["state"], "idle");
}

TEST_F(LlmDaySteps, APositionCarriedFromAnEarlierDayIsMonitoredAfterARestart) {
    // Bought on Monday and still open on Tuesday, after a restart; Tuesday's screening chooses
    // nothing.
    ot::FakeHost host(OT_MODE_PAPER);
    {
        ot::StrategyInstance s = start(host, kMonday);
        fire(s, host, "pre_market", kMonday, 11.5, "06:30");
        expect_planned_entry(fire(s, host, "market_open", kMonday, 14.5, "09:30"));
        host.set_position("BTC/USDT", long_position(2, kPrice, 4));
        fire(s, host, "eod_review", kMonday, 21, "16:00");
    }
    ot::StrategyInstance s = start(host, kTuesday);
    override_answers(host, [](const std::string& prompt) -> std::optional<std::string> {
        if (asks(prompt, "screening", "BTC/USDT"))
            return ot::llm::decision_json("HOLD", "", 0, 0, 0, "not today");
        if (asks(prompt, "monitoring", "BTC/USDT"))
            return ot::llm::decision_json("CLOSE", "BTC/USDT", 0, 0, 0, "it stalled");
        return std::nullopt;
    });
    fire(s, host, "pre_market", kTuesday, 11.5, "06:30");
    EXPECT_TRUE(fire(s, host, "market_open", kTuesday, 14.5, "09:30").empty());
    std::vector<ot::Signal> closes = fire(s, host, "monitor_11", kTuesday, 16, "11:00");

    std::vector<std::string> monitored = prompts_of("monitoring", "BTC/USDT");
    ASSERT_EQ(monitored.size(), 1u);
    EXPECT_NE(monitored[0].find("Open position: 2 at 100, unrealized PnL 4; opened 2024-01-01 at "
                                "10 % of equity, stop-loss 98, take-profit 103: "
                                "entry_optimisation says yes\n"),
              std::string::npos)
        << monitored[0];
    ASSERT_EQ(closes.size(), 1u);
    EXPECT_EQ(closes[0].action, OT_ACTION_CLOSE);
    EXPECT_EQ(closes[0].symbol, "BTC/USDT");
    EXPECT_EQ(closes[0].reason, "it stalled");

    // The end-of-day review sees it too; once it is closed, its entry is forgotten.
    fire(s, host, "eod_review", kTuesday, 21, "16:00");
    ASSERT_FALSE(prompts.empty());
    EXPECT_NE(prompts.back().find("Open positions:\n- BTC/USDT: 2 at 100, unrealized PnL 4; "
                                  "opened 2024-01-01"),
              std::string::npos)
        << prompts.back();
    EXPECT_EQ(saved_workflow(host)["open_entries"].size(), 1u);
    host.set_position("BTC/USDT", long_position(0, 0, 0));
    fire(s, host, "pre_market", kWednesday, 11.5, "06:30");
    fire(s, host, "market_open", kWednesday, 14.5, "09:30");
    fire(s, host, "monitor_11", kWednesday, 16, "11:00");
    EXPECT_TRUE(saved_workflow(host)["open_entries"].empty());
}
