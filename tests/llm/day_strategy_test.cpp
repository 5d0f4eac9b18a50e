// The llm_day plugin loaded as the host loads it, on the host's key-value state across restarts:
// a pre-market that a restart interrupted, or that the process was down for, runs at market_open,
// so the day still trades; a symbol held is not planned again, and an entry counts once its
// position shows; an unusable answer costs only its symbol's step; a position carried
// from an earlier day is monitored, on a day in error or without a market_open too; a symbol step
// is shown the market of the bars received. The model is an in-process OpenAI-compatible fake
// answering from day_policy.
#include "day_policy.hpp"

#include <orchestrade/sdk.hpp>
#include <orchestrade/testing/fake_host.hpp>
#include <orchestrade/testing/plugin_library.hpp>
#include <orchestrade/testing/temp_dir.hpp>

#include <nlohmann/json.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
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
    // A new instance of the strategy (a new process) on `host`, with no bar yet.
    ot::StrategyInstance create(ot::FakeHost& host,
                                std::vector<std::string> universe = {"BTC/USDT"}) {
        last_bar_open.clear();
        if (!answer_override) host.set_http_handler(model.handler());
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
        return s;
    }
    // The same, given the day's first bar.
    ot::StrategyInstance start(ot::FakeHost& host, int64_t day_ms,
                               std::vector<std::string> universe = {"BTC/USDT"}) {
        ot::StrategyInstance s = create(host, universe);
        give_first_bar(s, host, day_ms, universe);
        return s;
    }
    // From then on, `fire` gives the latest hourly bar of these symbols (at kPrice) before each
    // event, as a feed does: their price is current at every step.
    void give_first_bar(ot::StrategyInstance& s, ot::FakeHost& host, int64_t day_ms,
                        const std::vector<std::string>& universe = {"BTC/USDT"}) {
        const int64_t open = day_ms + 10 * kHourMs;  // closes at 11:00 UTC, before 06:30 EST
        host.set_now_ms(open + kHourMs);
        for (const std::string& symbol : universe) {
            s.on_bars({{symbol, 3600, open, kPrice, kPrice + 1, kPrice - 1, kPrice, 5}});
            last_bar_open[symbol] = open;
        }
    }
    // The bars of the symbols given one that have closed by t (the clock at t).
    void give_bars_until(ot::StrategyInstance& s, ot::FakeHost& host, int64_t t) {
        host.set_now_ms(t);
        for (auto& [symbol, open] : last_bar_open)
            while (open + 2 * kHourMs <= t) {
                open += kHourMs;
                s.on_bars({{symbol, 3600, open, kPrice, kPrice + 1, kPrice - 1, kPrice, 5}});
            }
    }
    // The day model, but `answer` answers the prompts it returns an answer for; every prompt is
    // kept in `prompts`.
    // It stays in place for the instances created on `host` afterwards.
    void override_answers(ot::FakeHost& host, AnswerOverride answer) {
        answer_override = true;
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
        give_bars_until(s, host, t);
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

    static std::vector<std::string> steps_done(ot::FakeHost& host) {
        return saved_workflow(host)["done"].get<std::vector<std::string>>();
    }
    static bool has(const std::vector<std::string>& v, const std::string& item) {
        return std::find(v.begin(), v.end(), item) != v.end();
    }
    // Monday runs whole: BTC/USDT is bought at market open and still held (2 at 100) after the
    // daily review.
    void monday_leaves_a_position(ot::FakeHost& host) {
        ot::StrategyInstance s = start(host, kMonday);
        fire(s, host, "pre_market", kMonday, 11.5, "06:30");
        expect_planned_entry(fire(s, host, "market_open", kMonday, 14.5, "09:30"));
        host.set_position("BTC/USDT", long_position(2, kPrice, 4));
        fire(s, host, "eod_review", kMonday, 21, "16:00");
        ASSERT_EQ(saved_workflow(host)["state"], "idle");
    }
    // The model closes BTC/USDT whenever it monitors it; every other step as day_policy.
    void model_closes_btc(ot::FakeHost& host) {
        override_answers(host, [](const std::string& prompt) -> std::optional<std::string> {
            if (asks(prompt, "monitoring", "BTC/USDT"))
                return ot::llm::decision_json("CLOSE", "BTC/USDT", 0, 0, 0, "it stalled");
            return std::nullopt;
        });
    }
    static void expect_btc_closed(const std::vector<ot::Signal>& signals) {
        ASSERT_EQ(signals.size(), 1u);
        EXPECT_EQ(signals[0].action, OT_ACTION_CLOSE);
        EXPECT_EQ(signals[0].symbol, "BTC/USDT");
        EXPECT_EQ(signals[0].reason, "it stalled");
    }

    ot::TempDir dir;
    DayModel model{dir.path().string()};
    ot::PluginLibrary lib{LLM_PLUGIN_FILE};
    std::vector<std::string> prompts;
    bool answer_override = false;
    std::map<std::string, int64_t> last_bar_open;  // per symbol given bars, of its latest
};

class LlmDayRestart : public LlmDayPlugin {};
class LlmDaySteps : public LlmDayPlugin {};
class LlmDayMonitoring : public LlmDayPlugin {};
class LlmDayMarket : public LlmDayPlugin {};

// ---- independent references for the market summary: straight from the definitions ---------------

struct Series {
    std::vector<double> high, low, close, volume;
};

// EMA(n) seeded with the SMA of the first n values.
double ema_of(const std::vector<double>& x, std::size_t n) {
    double e = 0;
    for (std::size_t i = 0; i < n; ++i)
        e += x[i];
    e /= static_cast<double>(n);
    const double k = 2.0 / (static_cast<double>(n) + 1);
    for (std::size_t i = n; i < x.size(); ++i)
        e = x[i] * k + e * (1 - k);
    return e;
}

// Wilder's RSI(n): the first n changes averaged simply, then smoothed.
double rsi_of(const std::vector<double>& x, std::size_t n) {
    const double m = static_cast<double>(n);
    double gain = 0, loss = 0;
    for (std::size_t i = 1; i <= n; ++i) {
        gain += std::max(x[i] - x[i - 1], 0.0) / m;
        loss += std::max(x[i - 1] - x[i], 0.0) / m;
    }
    for (std::size_t i = n + 1; i < x.size(); ++i) {
        gain = (gain * (m - 1) + std::max(x[i] - x[i - 1], 0.0)) / m;
        loss = (loss * (m - 1) + std::max(x[i - 1] - x[i], 0.0)) / m;
    }
    return 100 * gain / (gain + loss);
}

// Wilder's ATR(n): true ranges from the second bar, the first n averaged simply, then smoothed.
double atr_of(const Series& s, std::size_t n) {
    std::vector<double> tr;
    for (std::size_t i = 1; i < s.close.size(); ++i)
        tr.push_back(std::max(s.high[i], s.close[i - 1]) - std::min(s.low[i], s.close[i - 1]));
    const double m = static_cast<double>(n);
    double atr = 0;
    for (std::size_t i = 0; i < n; ++i)
        atr += tr[i] / m;
    for (std::size_t i = n; i < tr.size(); ++i)
        atr = (atr * (m - 1) + tr[i]) / m;
    return atr;
}

double mean_of_last(const std::vector<double>& x, std::size_t n) {
    double sum = 0;
    for (std::size_t i = x.size() - n; i < x.size(); ++i)
        sum += x[i];
    return sum / static_cast<double>(n);
}

// The line of `prompt` that starts with `prefix`, or "".
std::string line_of(const std::string& prompt, const std::string& prefix) {
    std::size_t at = prompt.find("\n" + prefix);
    if (at == std::string::npos) return "";
    std::size_t end = prompt.find('\n', at + 1);
    return prompt.substr(at + 1, end - at - 1);
}

// The numbers of a "[a, b, c]" list.
std::vector<double> numbers_of(const std::string& list) {
    std::vector<double> out;
    const char* p = list.c_str() + list.find('[') + 1;
    while (*p && *p != ']') {
        char* end = nullptr;
        out.push_back(std::strtod(p, &end));
        p = end;
        while (*p == ',' || *p == ' ')
            ++p;
    }
    return out;
}

// A value printed with 8 significant digits.
void expect_printed(double printed, double exact, const char* what) {
    EXPECT_NEAR(printed, exact, std::abs(exact) * 1e-7) << what;
}

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
    // Back (and the market open) before the next bar closed: the market is the one the screening
    // was asked about before the crash.
    std::vector<ot::Signal> entries = fire(s, restarted, "market_open", kTuesday, 11.75, "09:30");

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
    EXPECT_EQ(after["sent_entries"].size(), 1u);

    // The day goes on: the market-open orders are not sent twice.
    EXPECT_TRUE(fire(s, restarted, "market_open", kTuesday, 11.75, "09:30").empty());
    EXPECT_EQ(journal(restarted, "workflow_skip").size(), 1u);
}

TEST_F(LlmDayRestart, AMarketOpenInterruptedBeforeItSentItsEntriesRunsAtTheNextMonitor) {
    // The process is down at Tuesday's pre-market, and dies while market_open runs it (its
    // analysis request is out). The engine has marked market_open handled: it does not fire again.
    ot::FakeHost first(OT_MODE_PAPER);
    std::optional<std::map<std::string, std::string>> state_at_crash;
    model.on_request = [&](int n) {
        if (n == 2) state_at_crash = first.kv();
    };
    {
        ot::StrategyInstance s = start(first, kTuesday);
        fire(s, first, "market_open", kTuesday, 14.5, "09:30");
    }
    ASSERT_TRUE(state_at_crash);
    model.on_request = nullptr;

    // Restarted before monitor_11: it sends the day's entries, planned again, then monitors.
    ot::FakeHost restarted(OT_MODE_PAPER);
    restarted.kv() = *state_at_crash;
    ot::StrategyInstance s = start(restarted, kTuesday);
    EXPECT_EQ(restarted
                  .logs_containing("the market_open of 2024-01-02 was interrupted before it sent "
                                   "its entries; it runs again",
                                   OT_LOG_WARN)
                  .size(),
              1u);
    std::vector<ot::Signal> entries = fire(s, restarted, "monitor_11", kTuesday, 16, "11:00");
    expect_planned_entry(entries);
    ASSERT_EQ(entries.size(), 1u);
    EXPECT_EQ(json::parse(entries[0].metadata_json)["step"], "monitor_11");
    std::vector<json> recovered = journal(restarted, "workflow_recover");
    ASSERT_GE(recovered.size(), 1u);
    EXPECT_EQ(recovered[0]["step"], "market_open");
    EXPECT_EQ(recovered[0]["before"], "monitor_11");
    EXPECT_EQ(recovered[0]["reason"],
              "the market_open of 2024-01-02 was interrupted before it sent its entries");
    EXPECT_TRUE(refused(restarted).empty());
    EXPECT_EQ(saved_workflow(restarted)["state"], "intraday_monitoring");
    EXPECT_FALSE(journal(restarted, "workflow_monitor").back().contains("note"));
    // Sent once: the next monitor does not send them again.
    EXPECT_TRUE(fire(s, restarted, "monitor_14", kTuesday, 19, "14:00").empty());

    // Restarted only after the last monitor: the day's review says what was lost.
    ot::FakeHost late(OT_MODE_PAPER);
    late.kv() = *state_at_crash;
    ot::StrategyInstance t = start(late, kTuesday);
    fire(t, late, "eod_review", kTuesday, 21, "16:00");
    EXPECT_EQ(saved_workflow(late)["error"],
              "day 2024-01-02 ends unfinished in pre_market_screening (the day's market_open was "
              "interrupted before it sent its entries)");
    // Said at the start, and at the review.
    EXPECT_EQ(
        late.logs_containing("was interrupted before it sent its entries", OT_LOG_WARN).size(), 2u);
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

TEST_F(LlmDaySteps, AnEntryCountsAsExecutedOnlyOnceItsPositionIsSeen) {
    // Tuesday's entry is sent but opens nothing (the risk stage refused it): it is not executed,
    // not traded this week, not remembered. Wednesday's opens a position: it is, from the first
    // event that sees it.
    ot::FakeHost host(OT_MODE_PAPER);
    ot::StrategyInstance s = start(host, kTuesday);
    override_answers(host, [](const std::string&) { return std::nullopt; });
    fire(s, host, "pre_market", kTuesday, 11.5, "06:30");
    expect_planned_entry(fire(s, host, "market_open", kTuesday, 14.5, "09:30"));
    EXPECT_TRUE(saved_workflow(host)["context"]["executed"].empty());
    fire(s, host, "monitor_11", kTuesday, 16, "11:00");
    EXPECT_TRUE(journal(host, "workflow_entry").empty());  // it may still fill today
    fire(s, host, "eod_review", kTuesday, 21, "16:00");

    std::vector<json> outcomes = journal(host, "workflow_entry");
    ASSERT_EQ(outcomes.size(), 1u);
    EXPECT_EQ(outcomes[0]["day"], "2024-01-02");
    EXPECT_EQ(outcomes[0]["symbol"], "BTC/USDT");
    EXPECT_EQ(outcomes[0]["outcome"], "not opened");
    EXPECT_EQ(outcomes[0]["event"], "eod_review");
    EXPECT_EQ(
        host.logs_containing("the entry of BTC/USDT of 2024-01-02 not opened", OT_LOG_WARN).size(),
        1u);
    EXPECT_EQ(journal(host, "workflow_review").back()["executed"], json::array());
    ASSERT_FALSE(prompts.empty());
    EXPECT_NE(prompts.back().find("Executed today:\nOpen positions:"), std::string::npos)
        << prompts.back();
    json saved = saved_workflow(host);
    EXPECT_TRUE(saved["context"]["week_traded"].empty());
    EXPECT_TRUE(saved["open_entries"].empty());
    EXPECT_TRUE(saved["sent_entries"].empty());

    fire(s, host, "pre_market", kWednesday, 11.5, "06:30");
    expect_planned_entry(fire(s, host, "market_open", kWednesday, 14.5, "09:30"));
    host.set_position("BTC/USDT", long_position(2, kPrice, 0));
    fire(s, host, "monitor_11", kWednesday, 16, "11:00");
    saved = saved_workflow(host);
    EXPECT_EQ(saved["context"]["executed"], json::array({"BTC/USDT"}));
    EXPECT_EQ(saved["context"]["week_traded"], json::array({"BTC/USDT"}));
    ASSERT_EQ(saved["open_entries"].size(), 1u);
    EXPECT_EQ(saved["open_entries"][0]["day"], "2024-01-03");
    EXPECT_EQ(journal(host, "workflow_entry").back()["outcome"], "opened");
}

TEST_F(LlmDaySteps, AnEntryOpenedAndClosedBeforeAnyStepSawItCountsAcrossARestart) {
    // BTC/USDT realized 5 on Monday. Tuesday's entry is sent, the process restarts, and its
    // stop-loss fills before monitor_11: flat again, with 3 less realized. It traded.
    ot::FakeHost host(OT_MODE_PAPER);
    ot_position flat = long_position(0, 0, 0);
    flat.realized_pnl = 5;
    host.set_position("BTC/USDT", flat);
    {
        ot::StrategyInstance s = start(host, kTuesday);
        fire(s, host, "pre_market", kTuesday, 11.5, "06:30");
        expect_planned_entry(fire(s, host, "market_open", kTuesday, 14.5, "09:30"));
    }
    flat.realized_pnl = 2;
    host.set_position("BTC/USDT", flat);
    override_answers(host, [](const std::string&) { return std::nullopt; });
    ot::StrategyInstance s = start(host, kTuesday);
    fire(s, host, "monitor_11", kTuesday, 16, "11:00");

    std::vector<json> outcomes = journal(host, "workflow_entry");
    ASSERT_EQ(outcomes.size(), 1u);
    EXPECT_EQ(outcomes[0]["day"], "2024-01-02");
    EXPECT_EQ(outcomes[0]["event"], "monitor_11");
    EXPECT_EQ(outcomes[0]["outcome"], "opened and closed");
    EXPECT_EQ(outcomes[0]["reason"],
              "its position was opened and closed again before monitor_11 of 2024-01-02, "
              "realized PnL -3");
    EXPECT_TRUE(prompts_of("monitoring", "BTC/USDT").empty());  // nothing open to monitor
    json saved = saved_workflow(host);
    EXPECT_EQ(saved["context"]["executed"], json::array({"BTC/USDT"}));
    EXPECT_EQ(saved["context"]["week_traded"], json::array({"BTC/USDT"}));
    EXPECT_TRUE(saved["open_entries"].empty());
    EXPECT_TRUE(saved["sent_entries"].empty());

    fire(s, host, "eod_review", kTuesday, 21, "16:00");
    ASSERT_FALSE(prompts.empty());
    EXPECT_NE(prompts.back().find("Executed today: BTC/USDT\nClosed since the day began:\n"
                                  "- BTC/USDT (entered 2024-01-02): realized PnL -3 before fees\n"
                                  "Open positions:\n"),
              std::string::npos)
        << prompts.back();
    json review = journal(host, "workflow_review").back();
    EXPECT_EQ(review["executed"], json::array({"BTC/USDT"}));
    EXPECT_EQ(review["closed"],
              json::parse(R"([{"symbol":"BTC/USDT","day":"2024-01-02","realized_pnl":-3.0}])"));
}

TEST_F(LlmDaySteps, ASymbolHeldIsNeitherPlannedNorSentAndKeepsTheEntryThatOpenedIt) {
    ot::FakeHost host(OT_MODE_PAPER);
    monday_leaves_a_position(host);
    ot::StrategyInstance s = start(host, kTuesday, {"BTC/USDT", "ETH/USDT"});
    override_answers(host, [](const std::string&) { return std::nullopt; });
    s.on_bars(
        {{"ETH/USDT", 3600, kTuesday + 10 * kHourMs, kPrice, kPrice + 1, kPrice - 1, kPrice, 5}});
    fire(s, host, "pre_market", kTuesday, 11.5, "06:30");
    // BTC/USDT, held since Monday, costs no request; ETH/USDT is planned.
    EXPECT_TRUE(prompts_of("screening", "BTC/USDT").empty());
    EXPECT_EQ(prompts_of("entry_optimisation", "ETH/USDT").size(), 1u);
    std::vector<json> outcomes = journal(host, "workflow_entry");
    ASSERT_EQ(outcomes.size(), 2u);  // Monday's, opened at its review; Tuesday's
    EXPECT_EQ(outcomes[0]["outcome"], "opened");
    EXPECT_EQ(outcomes[1]["day"], "2024-01-02");
    EXPECT_EQ(outcomes[1]["symbol"], "BTC/USDT");
    EXPECT_EQ(outcomes[1]["outcome"], "not planned");
    EXPECT_EQ(outcomes[1]["reason"], "a position is already open");

    // ETH/USDT is bought by hand before the open: its planned entry is not sent either.
    host.set_position("ETH/USDT", long_position(1, kPrice, 0));
    EXPECT_TRUE(fire(s, host, "market_open", kTuesday, 14.5, "09:30").empty());
    outcomes = journal(host, "workflow_entry");
    ASSERT_EQ(outcomes.size(), 3u);
    EXPECT_EQ(outcomes[2]["symbol"], "ETH/USDT");
    EXPECT_EQ(outcomes[2]["outcome"], "not sent");

    fire(s, host, "monitor_11", kTuesday, 16, "11:00");
    std::vector<std::string> monitored = prompts_of("monitoring", "BTC/USDT");
    ASSERT_EQ(monitored.size(), 1u);
    EXPECT_NE(monitored[0].find("opened 2024-01-01 at 10 % of equity"), std::string::npos)
        << monitored[0];
    json saved = saved_workflow(host);
    EXPECT_TRUE(saved["context"]["executed"].empty());
    ASSERT_EQ(saved["open_entries"].size(), 1u);
    EXPECT_EQ(saved["open_entries"][0]["day"], "2024-01-01");
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

TEST_F(LlmDayMonitoring, ADayInErrorStillMonitorsEveryOpenPositionAcrossARestart) {
    ot::FakeHost host(OT_MODE_PAPER);
    monday_leaves_a_position(host);
    model_closes_btc(host);
    {
        // Restarted before Tuesday's pre-market, with no bar yet: the screening has no price,
        // and the day is in error. Then the bars come.
        ot::StrategyInstance s = create(host);
        fire(s, host, "pre_market", kTuesday, 11.5, "06:30");
        ASSERT_EQ(saved_workflow(host)["state"], "error");
        give_first_bar(s, host, kTuesday);
        EXPECT_TRUE(fire(s, host, "market_open", kTuesday, 14.5, "09:30").empty());

        expect_btc_closed(fire(s, host, "monitor_11", kTuesday, 16, "11:00"));
        std::vector<std::string> monitored = prompts_of("monitoring", "BTC/USDT");
        ASSERT_EQ(monitored.size(), 1u);
        EXPECT_NE(monitored[0].find("Open position: 2 at 100, unrealized PnL 4; opened "
                                    "2024-01-01"),
                  std::string::npos)
            << monitored[0];
        std::vector<json> runs = journal(host, "workflow_monitor");
        ASSERT_EQ(runs.size(), 1u);
        EXPECT_EQ(runs[0]["day"], "2024-01-02");
        EXPECT_EQ(runs[0]["event"], "monitor_11");
        EXPECT_EQ(runs[0]["state"], "error");
        EXPECT_EQ(runs[0]["error"], "screening: no prices yet");
        EXPECT_EQ(runs[0]["positions"], json::array({"BTC/USDT"}));
        EXPECT_EQ(runs[0]["closed"], json::array({"BTC/USDT"}));
        EXPECT_EQ(host.logs_containing("monitor_11 of 2024-01-02: 1 open position monitored on a "
                                       "day in error (screening: no prices yet)",
                                       OT_LOG_WARN)
                      .size(),
                  1u);
    }
    // Restarted mid-day (the close not filled yet): the day is still in error, the monitor done
    // is not repeated, the next one monitors again.
    json saved = saved_workflow(host);
    EXPECT_EQ(saved["state"], "error");
    EXPECT_TRUE(has(steps_done(host), "monitor_11"));
    ot::StrategyInstance s = start(host, kTuesday);
    EXPECT_TRUE(fire(s, host, "monitor_11", kTuesday, 16, "11:00").empty());
    EXPECT_EQ(journal(host, "workflow_skip").size(), 1u);
    expect_btc_closed(fire(s, host, "monitor_14", kTuesday, 19, "14:00"));
    EXPECT_EQ(saved_workflow(host)["state"], "error");

    // The day is reviewed, in error, with the position it still holds.
    fire(s, host, "eod_review", kTuesday, 21, "16:00");
    ASSERT_FALSE(prompts.empty());
    EXPECT_NE(prompts.back().find("Workflow step: daily_review\n"), std::string::npos);
    EXPECT_NE(prompts.back().find("The day's workflow is in error: screening: no prices yet\n"),
              std::string::npos)
        << prompts.back();
    EXPECT_NE(prompts.back().find("Open positions:\n- BTC/USDT: 2 at 100"), std::string::npos);
    std::vector<json> reviews = journal(host, "workflow_review");
    ASSERT_EQ(reviews.size(), 2u);  // Monday's and Tuesday's
    EXPECT_EQ(reviews[1]["day"], "2024-01-02");
    EXPECT_EQ(reviews[1]["state"], "error");
    EXPECT_EQ(saved_workflow(host)["state"], "error");
    // Refused: Tuesday's market_open only.
    std::vector<json> refusals = refused(host);
    ASSERT_EQ(refusals.size(), 1u);
    EXPECT_EQ(refusals[0]["to"], "market_open_execution");

    // Wednesday starts afresh; the position was closed meanwhile.
    host.set_position("BTC/USDT", long_position(0, 0, 0));
    fire(s, host, "pre_market", kWednesday, 11.5, "06:30");
    expect_planned_entry(fire(s, host, "market_open", kWednesday, 14.5, "09:30"));
}

TEST_F(LlmDayMonitoring, ADayWhosePreMarketAndMarketOpenNeverRanIsMonitoredAcrossARestart) {
    // The process is down from Monday evening until after Tuesday's open: Tuesday's pre_market and
    // market_open are gone (beyond their catch-up); monitor_11 is the day's first trigger.
    ot::FakeHost host(OT_MODE_PAPER);
    monday_leaves_a_position(host);
    model_closes_btc(host);
    {
        ot::StrategyInstance s = start(host, kTuesday);
        expect_btc_closed(fire(s, host, "monitor_11", kTuesday, 16, "11:00"));
    }
    json saved = saved_workflow(host);
    EXPECT_EQ(saved["day"], "2024-01-02");
    EXPECT_EQ(saved["state"], "idle");
    EXPECT_EQ(steps_done(host), std::vector<std::string>{"monitor_11"});
    ASSERT_EQ(saved["open_entries"].size(), 1u);  // Monday's entry, its position still open
    std::vector<json> runs = journal(host, "workflow_monitor");
    ASSERT_EQ(runs.size(), 1u);
    EXPECT_EQ(runs[0]["state"], "idle");
    EXPECT_EQ(runs[0]["note"], "the day's pre-market and market_open did not run");
    EXPECT_FALSE(runs[0].contains("error"));

    // Restarted mid-day.
    ot::StrategyInstance s = start(host, kTuesday);
    EXPECT_TRUE(fire(s, host, "monitor_11", kTuesday, 16, "11:00").empty());
    // Before the next bar closes: same day, same bar, same position, so monitor_14 is the same
    // request, answered as recorded.
    expect_btc_closed(fire(s, host, "monitor_14", kTuesday, 16.5, "14:00"));
    std::vector<json> calls = journal(host, "llm_call");
    ASSERT_FALSE(calls.empty());
    EXPECT_EQ(calls.back()["cached"], true);
    fire(s, host, "eod_review", kTuesday, 21, "16:00");
    EXPECT_NE(prompts.back().find("Note: the day's pre-market and market_open did not run\n"),
              std::string::npos)
        << prompts.back();
    EXPECT_NE(prompts.back().find("- BTC/USDT: 2 at 100"), std::string::npos);
    EXPECT_TRUE(refused(host).empty());
    EXPECT_EQ(saved_workflow(host)["state"], "idle");
    EXPECT_TRUE(journal(host, "workflow_review").back().value("state", "") == "end_of_day_review");
    for (const json& t : journal(host, "workflow_transition"))
        EXPECT_NE(t["to"], "error") << t;
}

TEST_F(LlmDayMonitoring, ADayWhoseMarketOpenDidNotRunIsMonitoredAndEndsInError) {
    // Tuesday's pre-market completes (BTC/USDT, held, is not planned again); the process is down
    // at market_open.
    ot::FakeHost host(OT_MODE_PAPER);
    monday_leaves_a_position(host);
    {
        ot::StrategyInstance s = start(host, kTuesday);
        fire(s, host, "pre_market", kTuesday, 11.5, "06:30");
    }
    ASSERT_EQ(saved_workflow(host)["state"], "ready");
    model_closes_btc(host);
    ot::StrategyInstance s = start(host, kTuesday);
    expect_btc_closed(fire(s, host, "monitor_11", kTuesday, 16, "11:00"));
    EXPECT_EQ(saved_workflow(host)["state"], "ready");
    std::vector<json> runs = journal(host, "workflow_monitor");
    ASSERT_EQ(runs.size(), 1u);
    EXPECT_EQ(runs[0]["note"], "the day's market_open has not run");
    EXPECT_TRUE(refused(host).empty());

    // Its market_open never ran: the day ends unfinished, reviewed.
    fire(s, host, "eod_review", kTuesday, 21, "16:00");
    json saved = saved_workflow(host);
    EXPECT_EQ(saved["state"], "error");
    EXPECT_EQ(saved["error"],
              "day 2024-01-02 ends unfinished in ready (the day's market_open has not run)");
    EXPECT_EQ(journal(host, "workflow_review").back()["state"], "error");
    EXPECT_TRUE(refused(host).empty());
}

TEST_F(LlmDayMonitoring, AFridayInErrorStillHasItsWeeklyReview) {
    // Monday trades BTC/USDT; Friday's pre-market has no price (a restart without bars).
    constexpr int64_t kFriday = kMonday + 4 * kDayMs;
    ot::FakeHost host(OT_MODE_PAPER);
    monday_leaves_a_position(host);
    ot::StrategyInstance s = create(host);
    fire(s, host, "pre_market", kFriday, 11.5, "06:30");
    ASSERT_EQ(saved_workflow(host)["state"], "error");
    give_first_bar(s, host, kFriday);
    fire(s, host, "eod_review", kFriday, 21, "16:00");
    fire(s, host, "weekly_review", kFriday, 21.5, "16:30");

    std::vector<json> weekly = journal(host, "workflow_weekly_review");
    ASSERT_EQ(weekly.size(), 1u);
    EXPECT_EQ(weekly[0]["day"], "2024-01-05");
    EXPECT_EQ(weekly[0]["reviewed"], json::array({"BTC/USDT"}));
    EXPECT_EQ(weekly[0]["error"], "screening: no prices yet");
    json saved = saved_workflow(host);
    EXPECT_EQ(saved["state"], "error");
    EXPECT_TRUE(saved["context"]["week_traded"].empty());
    EXPECT_TRUE(refused(host).empty());
}

TEST_F(LlmDayMonitoring, AWeeklyReviewOnADayNothingElseRanStillReviewsTheWeek) {
    // Monday trades BTC/USDT; the process is down from Monday evening to Friday 16:30: the weekly
    // review is Friday's first event.
    constexpr int64_t kFriday = kMonday + 4 * kDayMs;
    ot::FakeHost host(OT_MODE_PAPER);
    monday_leaves_a_position(host);
    ot::StrategyInstance s = start(host, kFriday);
    fire(s, host, "weekly_review", kFriday, 21.5, "16:30");

    std::vector<json> weekly = journal(host, "workflow_weekly_review");
    ASSERT_EQ(weekly.size(), 1u);
    EXPECT_EQ(weekly[0]["day"], "2024-01-05");
    EXPECT_EQ(weekly[0]["reviewed"], json::array({"BTC/USDT"}));
    EXPECT_EQ(weekly[0]["flagged"], json::array({"BTC/USDT"}));
    EXPECT_EQ(weekly[0]["note"],
              "the day's eod_review did not run: the day was closed without its review (the "
              "day's pre-market and market_open did not run)");
    EXPECT_EQ(host.logs_containing("weekly_review of 2024-01-05: the day's eod_review did not run",
                                   OT_LOG_WARN)
                  .size(),
              1u);
    EXPECT_TRUE(refused(host).empty());
    json saved = saved_workflow(host);
    EXPECT_EQ(saved["day"], "2024-01-05");
    EXPECT_EQ(saved["state"], "idle");
    EXPECT_TRUE(saved["context"]["week_traded"].empty());
}

TEST_F(LlmDayMarket, ASymbolStepIsShownTheIndicatorsOfTheBarsReceived) {
    // Two 4h bars, and 60 hourly bars up to Tuesday 11:00 UTC: the finest timeframe is shown.
    Series bars;
    ot::FakeHost host(OT_MODE_PAPER);
    ot::StrategyInstance s = create(host);
    override_answers(host, [](const std::string&) { return std::nullopt; });
    s.on_bars({{"BTC/USDT", 14400, kTuesday - 8 * kHourMs, 99, 104, 98, 101, 40},
               {"BTC/USDT", 14400, kTuesday - 4 * kHourMs, 101, 103, 97, 99, 40}});
    const int64_t first = kTuesday + 10 * kHourMs - 59 * kHourMs;
    double previous = 100;
    for (int i = 0; i < 60; ++i) {
        const double close = 100 + 3 * std::sin(i * 0.7) + 0.05 * i;
        bars.high.push_back(std::max(previous, close) + 0.5);
        bars.low.push_back(std::min(previous, close) - 0.4);
        bars.close.push_back(close);
        bars.volume.push_back(10 + (i * 7) % 5);
        s.on_bars({{"BTC/USDT", 3600, first + i * kHourMs, previous, bars.high.back(),
                    bars.low.back(), close, bars.volume.back()}});
        previous = close;
    }
    fire(s, host, "pre_market", kTuesday, 11.5, "06:30");

    std::vector<std::string> screened = prompts_of("screening", "BTC/USDT");
    ASSERT_EQ(screened.size(), 1u);
    const std::string& p = screened[0];
    EXPECT_NE(p.find("\nMarket (1h bars, 60 received, the latest closed at "
                     "2024-01-02T11:00:00Z):\n"),
              std::string::npos)
        << p;
    std::vector<double> closes = numbers_of(line_of(p, "Closes, oldest first: "));
    ASSERT_EQ(closes.size(), 10u) << p;
    for (std::size_t i = 0; i < 10; ++i)
        expect_printed(closes[i], bars.close[50 + i], "close");
    double change = 0, last_change = 0;
    ASSERT_EQ(std::sscanf(line_of(p, "Change: ").c_str(),
                          "Change: %lf %% since the first close shown, %lf %% over the last bar",
                          &change, &last_change),
              2)
        << p;
    EXPECT_NEAR(change, (bars.close[59] / bars.close[50] - 1) * 100, 0.0051);
    EXPECT_NEAR(last_change, (bars.close[59] / bars.close[58] - 1) * 100, 0.0051);
    double ema20 = 0, ema50 = 0, rsi14 = 0, atr14 = 0;
    ASSERT_EQ(
        std::sscanf(line_of(p, "EMA20 ").c_str(), "EMA20 %lf, EMA50 %lf, RSI14 %lf, ATR14 %lf",
                    &ema20, &ema50, &rsi14, &atr14),
        4)
        << p;
    expect_printed(ema20, ema_of(bars.close, 20), "EMA20");
    expect_printed(ema50, ema_of(bars.close, 50), "EMA50");
    expect_printed(rsi14, rsi_of(bars.close, 14), "RSI14");
    expect_printed(atr14, atr_of(bars, 14), "ATR14");
    double volume = 0, ratio = 0, volume_avg = 0;
    ASSERT_EQ(std::sscanf(line_of(p, "Volume ").c_str(), "Volume %lf, %lf x its 20-bar average %lf",
                          &volume, &ratio, &volume_avg),
              3)
        << p;
    EXPECT_EQ(volume, bars.volume.back());
    expect_printed(volume_avg, mean_of_last(bars.volume, 20), "volume average");
    EXPECT_NEAR(ratio, bars.volume.back() / mean_of_last(bars.volume, 20), 0.0051);
    EXPECT_EQ(p.find("Not enough data"), std::string::npos);
    // Screening only ranks: it is not asked for an exit plan it would not read.
    const std::string task = line_of(p, "Task: ");
    EXPECT_EQ(task.find("exit plan"), std::string::npos) << task;
    EXPECT_NE(task.find("not read"), std::string::npos) << task;

    // Every symbol step is shown the market; a new bar moves it on.
    for (const char* step : {"analysis", "entry_optimisation"}) {
        ASSERT_EQ(prompts_of(step, "BTC/USDT").size(), 1u) << step;
        EXPECT_NE(prompts_of(step, "BTC/USDT")[0].find(line_of(p, "EMA20 ")), std::string::npos)
            << step;
    }
    fire(s, host, "market_open", kTuesday, 14.5, "09:30");
    host.set_position("BTC/USDT", long_position(1, 100, 0));
    s.on_bars({{"BTC/USDT", 3600, first + 60 * kHourMs, previous, 104, 100, 103, 12}});
    fire(s, host, "monitor_11", kTuesday, 16, "11:00");
    std::vector<std::string> monitored = prompts_of("monitoring", "BTC/USDT");
    ASSERT_EQ(monitored.size(), 1u);
    EXPECT_NE(monitored[0].find("Market (1h bars, 61 received, the latest closed at "
                                "2024-01-02T12:00:00Z)"),
              std::string::npos)
        << monitored[0];
    EXPECT_NE(monitored[0].find("Volume 12, "), std::string::npos);
}

TEST_F(LlmDayMarket, APromptSaysWhenThereIsNotYetEnoughData) {
    ot::FakeHost host(OT_MODE_PAPER);
    ot::StrategyInstance s = create(host, {"BTC/USDT", "ETH/USDT"});
    give_first_bar(s, host, kTuesday, {"BTC/USDT"});  // none of ETH/USDT
    override_answers(host, [](const std::string&) { return std::nullopt; });
    fire(s, host, "pre_market", kTuesday, 11.5, "06:30");
    std::vector<std::string> screened = prompts_of("screening", "BTC/USDT");
    ASSERT_EQ(screened.size(), 1u);
    EXPECT_NE(screened[0].find("Market (1h bars, 1 received, the latest closed at "
                               "2024-01-02T11:00:00Z):\nCloses, oldest first: [100]\n"
                               "Change: n/a % since the first close shown, n/a % over the last "
                               "bar\nEMA20 n/a, EMA50 n/a, RSI14 n/a, ATR14 n/a\n"
                               "Volume 5, n/a x its 20-bar average n/a\n"
                               "Not enough data yet for every indicator: 1 bar received, 50 "
                               "needed (n/a: not defined yet).\n"),
              std::string::npos)
        << screened[0];

    // A position in a symbol no bar was received for: monitored, with no market data.
    host.set_position("ETH/USDT", long_position(1, 2000, 0));
    fire(s, host, "market_open", kTuesday, 14.5, "09:30");
    fire(s, host, "monitor_11", kTuesday, 16, "11:00");
    std::vector<std::string> monitored = prompts_of("monitoring", "ETH/USDT");
    ASSERT_EQ(monitored.size(), 1u);
    EXPECT_NE(monitored[0].find("Market: no bar received yet, so no market data.\n"),
              std::string::npos)
        << monitored[0];
}

TEST_F(LlmDayMarket, ASymbolWhoseBarsStoppedIsLeftOutOfEntriesAndItsOldCloseIsNotShownAsCurrent) {
    ot::FakeHost host(OT_MODE_PAPER);
    ot::StrategyInstance s = start(host, kTuesday, {"BTC/USDT", "ETH/USDT"});
    override_answers(host, [](const std::string&) { return std::nullopt; });
    fire(s, host, "pre_market", kTuesday, 11.5, "06:30");
    ASSERT_EQ(saved_workflow(host)["context"]["planned"].size(), 2u);

    // ETH/USDT's bars stop after the one that closed at 11:00 UTC.
    last_bar_open.erase("ETH/USDT");
    EXPECT_EQ(symbols_of(fire(s, host, "market_open", kTuesday, 14.5, "09:30"), OT_ACTION_BUY),
              std::vector<std::string>{"BTC/USDT"});
    const std::string why = "no 1h bar since 2024-01-02T11:00:00Z";
    std::vector<json> outcomes = journal(host, "workflow_entry");
    ASSERT_EQ(outcomes.size(), 1u);
    EXPECT_EQ(outcomes[0]["symbol"], "ETH/USDT");
    EXPECT_EQ(outcomes[0]["outcome"], "not sent");
    EXPECT_EQ(outcomes[0]["reason"], why);
    const std::string warning = "llm_day: ETH/USDT left out of planning and entries: " + why;
    EXPECT_EQ(host.logs_containing(warning, OT_LOG_WARN).size(), 1u);

    // A position in it (bought by hand) is still monitored, its old close not shown as current.
    host.set_position("BTC/USDT", long_position(1, kPrice, 0));
    host.set_position("ETH/USDT", long_position(1, kPrice, 0));
    fire(s, host, "monitor_11", kTuesday, 16, "11:00");
    std::vector<std::string> monitored = prompts_of("monitoring", "ETH/USDT");
    ASSERT_EQ(monitored.size(), 1u);
    EXPECT_NE(
        monitored[0].find("\nLast price: none current (" + why + "; the last close was 100)\n"),
        std::string::npos)
        << monitored[0];
    EXPECT_NE(monitored[0].find("\nOpen position: 1 at 100, unrealized PnL 0 at its last close, "
                                "not a current price (" +
                                why + ")\n"),
              std::string::npos)
        << monitored[0];
    EXPECT_NE(prompts_of("monitoring", "BTC/USDT").at(0).find("\nLast price: 100\n"),
              std::string::npos);

    // Sold by hand; Wednesday's pre-market does not screen it, and says nothing new.
    host.set_position("ETH/USDT", long_position(0, 0, 0));
    host.set_position("BTC/USDT", long_position(0, 0, 0));
    fire(s, host, "pre_market", kWednesday, 11.5, "06:30");
    EXPECT_EQ(prompts_of("screening", "ETH/USDT").size(), 1u);  // Tuesday's
    EXPECT_EQ(prompts_of("screening", "BTC/USDT").size(), 2u);
    outcomes = journal(host, "workflow_entry");
    ASSERT_FALSE(outcomes.empty());
    EXPECT_EQ(outcomes.back()["symbol"], "ETH/USDT");
    EXPECT_EQ(outcomes.back()["outcome"], "not planned");
    EXPECT_EQ(outcomes.back()["reason"], why);
    EXPECT_EQ(host.logs_containing("left out of planning and entries", OT_LOG_WARN).size(), 1u);

    // Its bars come back: it is in again, said once.
    last_bar_open["ETH/USDT"] = kWednesday + 10 * kHourMs;
    fire(s, host, "market_open", kWednesday, 14.5, "09:30");
    EXPECT_EQ(
        host.logs_containing("llm_day: ETH/USDT is in planning and entries again", OT_LOG_INFO)
            .size(),
        1u);
}
