// The llm plugin loaded as the host loads it, driven bar by bar against a loopback fake provider:
// its parameters, its signals, HOLD on every kind of bad answer, the budget, replays and what the
// prompt may and may not contain.
#include "fake_llm_server.hpp"
#include "loopback_http.hpp"
#include "trade_policy.hpp"

#include <orchestrade/sdk.hpp>
#include <orchestrade/testing/fake_host.hpp>
#include <orchestrade/testing/plugin_library.hpp>
#include <orchestrade/testing/temp_dir.hpp>

#include <gtest/gtest.h>

#include <cmath>
#include <optional>
#include <set>

namespace ot = orchestrade::testing;
using nlohmann::json;
using ot::llm::Dialect;
using ot::llm::FakeLlmServer;
using ot::llm::Scripted;

namespace {

constexpr int64_t kStart = 1704067200000;  // 2024-01-01T00:00:00Z
constexpr int64_t k3m = 180000;
constexpr int kFirst = 49;  // the step of the 50th 3m bar: the first decision

double price(std::size_t symbol, int step) {
    return 100.0 * static_cast<double>(symbol + 1) * (1 + 0.01 * std::sin(step / 5.0));
}

ot_status OT_CALL collect(void* ctx, const ot_signal* in) noexcept {
    ot_signal s = orchestrade::sdk::read_prefix(in);
    static_cast<std::vector<ot::Signal>*>(ctx)->push_back(
        {s.action, s.symbol, s.time_ms, s.size_pct, s.stop_loss, s.take_profit, s.confidence,
         s.reason ? s.reason : "", s.metadata_json ? s.metadata_json : ""});
    return OT_OK;
}

class StrategyTest : public ::testing::Test {
  protected:
    StrategyTest() { host.set_http_handler(ot::llm::loopback_http()); }

    ot::ParamMap params(ot::ParamMap extra = {}) const {
        ot::ParamMap p{{"model", "gpt-5-mini"},
                       {"base_url", server.base_url()},
                       {"api_key", "test-key"},
                       {"timeout_ms", "2000"},
                       {"series_length", "5"}};
        for (auto& [k, v] : extra)
            p[k] = v;
        return p;
    }
    void create(ot::ParamMap extra = {}) {
        strategy.reset();
        ot::CreateOptions options;
        options.universe = universe;
        options.base_dir = dir.path().string();
        strategy.emplace(lib.create_strategy("llm", host, params(std::move(extra)), options));
        strategy->start();
    }
    // The 3m bars of every symbol at `step` (and the 4h bars that close with them), plus `series`.
    std::vector<ot::Signal> step(int i, const std::vector<ot::SeriesPoint>& series = {},
                                 uint32_t flags = 0) {
        std::vector<ot::Bar> bars;
        const int64_t open = kStart + i * k3m, close = open + k3m;
        for (std::size_t s = 0; s < universe.size(); ++s) {
            if (silent.count(universe[s])) continue;
            double c = price(s, i), o = price(s, i - 1);
            bars.push_back(
                {universe[s], 180, open, o, std::max(o, c) * 1.001, std::min(o, c) * 0.999, c, 10});
            if (context_feed && close % (4 * 3600 * 1000) == 0)
                bars.push_back(
                    {universe[s], 14400, close - 4 * 3600 * 1000, c, c * 1.01, c * 0.99, c, 800});
        }
        return run(bars, close, series, flags);
    }
    std::vector<ot::Signal> run(const std::vector<ot::Bar>& bars, int64_t now,
                                const std::vector<ot::SeriesPoint>& series = {},
                                uint32_t flags = 0) {
        host.set_now_ms(now);
        ot::BarBatch batch(bars, flags, now);
        ot_bar_batch b = batch.view();
        std::vector<ot_series_point> points;
        for (const ot::SeriesPoint& p : series)
            points.push_back(
                {sizeof(ot_series_point), 0, p.symbol.c_str(), p.name.c_str(), p.time_ms, p.value});
        std::vector<const ot_series_point*> pointers;
        for (const ot_series_point& p : points)
            pointers.push_back(&p);
        b.series_count = static_cast<uint32_t>(pointers.size());
        b.series = pointers.empty() ? nullptr : pointers.data();
        std::vector<ot::Signal> out;
        ot_signal_sink sink{&out, &collect};
        ot_error err{};
        ot::check(strategy->raw()->on_bars(strategy->raw(), &b, &sink, &err), err);
        return out;
    }
    // The steps before the first decision.
    void warm_up(int steps = kFirst) {
        for (int i = 0; i < steps; ++i)
            ASSERT_TRUE(step(i).empty()) << i;
    }
    std::vector<json> journal(const std::string& kind) const {
        std::vector<json> out;
        for (const ot::JournalRecord& r : host.journal())
            if (r.kind == kind) out.push_back(json::parse(r.json));
        return out;
    }
    std::string create_error(ot::ParamMap extra) {
        try {
            create(std::move(extra));
        } catch (const ot::PluginError& e) {
            return e.what();
        }
        return "created";
    }

    FakeLlmServer server{Dialect::OpenAi};
    ot::FakeHost host{OT_MODE_PAPER};
    ot::PluginLibrary lib{LLM_PLUGIN_FILE};
    ot::TempDir dir;
    std::vector<std::string> universe{"BTC/USDT", "ETH/USDT"};
    std::set<std::string> silent;  // symbols whose bars step() leaves out (their feed stopped)
    bool context_feed = true;      // false: step() leaves out the 4h bars
    std::optional<ot::StrategyInstance> strategy;
};

}  // namespace

TEST_F(StrategyTest, ParametersAreCheckedAtCreate) {
    EXPECT_NE(create_error({{"model", "gpt-9"}}).find("no price for model 'gpt-9'"),
              std::string::npos);
    EXPECT_EQ(
        create_error({{"model", "gpt-9"}, {"prices", R"({"gpt-9": {"input": 1, "output": 2}})"}}),
        "created");
    EXPECT_NE(create_error({{"prices", R"({"m": {"input": 1}})"}}).find("needs input and output"),
              std::string::npos);
    EXPECT_NE(
        create_error({{"provider", "anthropic"}, {"model", "claude-haiku-4-5"}, {"api_key", ""}})
            .find("needs `api_key`"),
        std::string::npos);
    EXPECT_NE(create_error({{"provider", "command"}}).find("needs `command`"), std::string::npos);
    EXPECT_NE(create_error({{"provider", "anthropic"},
                            {"model", "claude-haiku-4-5"},
                            {"api_key", "k"},
                            {"reasoning_effort", "low"}})
                  .find("`reasoning_effort` is a parameter of provider 'openai'"),
              std::string::npos);
    EXPECT_EQ(create_error({{"reasoning_effort", "minimal"}}), "created");
    EXPECT_NE(create_error({{"provider", "command"}, {"command", R"(["claude", 3])"}})
                  .find("list of non-empty strings"),
              std::string::npos);
    EXPECT_NE(create_error({{"context_timeframe", "1m"}}).find("longer than `timeframe`"),
              std::string::npos);
    EXPECT_NE(create_error({{"timeframe", "3x"}}).find("timeframe '3x'"), std::string::npos);
    EXPECT_THROW(create({{"cache", "sometimes"}}), std::invalid_argument);
    EXPECT_NE(create_error({{"prompt_file", "missing.txt"}}).find("cannot read the prompt file"),
              std::string::npos);
}

TEST_F(StrategyTest, NoCallBeforeEverySymbolHasItsWarmUpBars) {
    create();
    warm_up();
    EXPECT_EQ(server.calls(), 0);
    EXPECT_EQ(strategy->warmup_bars(), 50u);
    EXPECT_FALSE(step(kFirst).empty());
    EXPECT_EQ(server.calls(), 1);
    // History replayed as warm-up updates the indicators but never asks the model.
    step(kFirst + 1, {}, OT_BATCH_WARMUP);
    EXPECT_EQ(server.calls(), 1);
}

TEST_F(StrategyTest, ACoinWithoutBarsIsLeftOutAndTheOthersAreDecidedOn) {
    silent = {"ETH/USDT"};
    create();
    warm_up();
    std::vector<ot::Signal> signals = step(kFirst);
    ASSERT_EQ(server.calls(), 1);
    const std::string prompt = server.received()[0].prompt;
    EXPECT_NE(prompt.find("### BTC/USDT"), std::string::npos);
    EXPECT_EQ(prompt.find("### ETH/USDT"), std::string::npos);
    ASSERT_EQ(signals.size(), 2u);
    EXPECT_EQ(signals[0].symbol, "BTC/USDT");
    EXPECT_EQ(signals[0].action, OT_ACTION_BUY);  // the fake buys a symbol it is shown
    EXPECT_EQ(signals[1].symbol, "ETH/USDT");
    EXPECT_EQ(signals[1].action, OT_ACTION_HOLD);
    EXPECT_EQ(signals[1].reason, "HOLD: left out of the decision: no 3m bar received yet");
    step(kFirst + 1);
    EXPECT_EQ(server.calls(), 2);
    // Said once, not on every bar.
    EXPECT_EQ(host.logs_containing("llm: ETH/USDT left out of the decision: no 3m bar received yet",
                                   OT_LOG_WARN)
                  .size(),
              1u);
}

TEST_F(StrategyTest, ACoinWhoseBarsStopIsLeftOutAfterTwoMissedBars) {
    create();
    warm_up();
    step(kFirst);
    silent = {"ETH/USDT"};  // its latest bar closes at 02:30
    ot_position held{};
    held.qty = 2;
    held.avg_price = 150;
    held.mark_price = 200;
    held.unrealized_pnl = 100;
    host.set_position("ETH/USDT", held);
    const std::string close_eth = ot::llm::decision_json("CLOSE", "ETH/USDT", 0, 0, 0);
    server.script({Scripted::answer(close_eth), Scripted::answer(close_eth)});
    // Two bars late, it may still come: shown, and traded, at its latest close.
    EXPECT_EQ(step(kFirst + 1)[1].action, OT_ACTION_CLOSE);
    step(kFirst + 2);
    EXPECT_NE(server.received().back().prompt.find("### ETH/USDT"), std::string::npos);
    EXPECT_TRUE(host.logs_containing("left out", OT_LOG_WARN).empty());

    // A third bar missed: left out, its position still shown; an answer trading it is a HOLD.
    server.script({Scripted::answer(close_eth), Scripted::answer(close_eth)});
    std::vector<ot::Signal> signals = step(kFirst + 3);
    const std::string prompt = server.received()[server.received().size() - 2].prompt;
    EXPECT_EQ(prompt.find("### ETH/USDT"), std::string::npos);
    EXPECT_NE(prompt.find("- ETH/USDT: long 2 @ 150, mark 200, unrealized PnL 100 (no current "
                          "market data: it cannot be traded in this decision)"),
              std::string::npos)
        << prompt;
    ASSERT_EQ(signals.size(), 2u);
    EXPECT_EQ(signals[0].action, OT_ACTION_HOLD);
    EXPECT_NE(signals[0].reason.find("symbol 'ETH/USDT' is not one asked about (BTC/USDT)"),
              std::string::npos)
        << signals[0].reason;
    EXPECT_EQ(signals[1].action, OT_ACTION_HOLD);
    EXPECT_EQ(signals[1].reason,
              "HOLD: left out of the decision: no 3m bar since 2024-01-01T02:30:00Z");
    step(kFirst + 4);
    EXPECT_EQ(host.logs_containing("llm: ETH/USDT left out of the decision: no 3m bar since "
                                   "2024-01-01T02:30:00Z",
                                   OT_LOG_WARN)
                  .size(),
              1u);

    silent.clear();  // its bars come back
    step(kFirst + 5);
    EXPECT_NE(server.received().back().prompt.find("### ETH/USDT"), std::string::npos);
    EXPECT_EQ(host.logs_containing("llm: ETH/USDT is in the decision again", OT_LOG_INFO).size(),
              1u);
}

TEST_F(StrategyTest, DecisionsWithoutTheirContextTimeframeAreWarnedOfOncePerChange) {
    create();
    warm_up();
    const std::string none =
        "llm: decisions go without their 4h context (context_timeframe: no 4h bar received yet of "
        "BTC/USDT, ETH/USDT); the prompt shows it as n/a or as of its latest bar";
    step(kFirst);
    step(kFirst + 1);
    EXPECT_EQ(host.logs_containing(none, OT_LOG_WARN).size(), 1u);
    EXPECT_NE(server.received().back().prompt.find("n/a"), std::string::npos);

    for (int i = kFirst + 2; i <= 79; ++i)  // the first 4h bar closes with step 79
        step(i);
    const std::string current = "llm: the 4h context of every decided symbol is current again";
    EXPECT_EQ(host.logs_containing(current, OT_LOG_INFO).size(), 1u);

    context_feed = false;  // 4h bars stop: two 4h intervals after 04:00, the context is stale
    for (int i = 80; i <= 239; ++i)  // step 239 closes at 12:00
        step(i);
    const std::string stale =
        "llm: decisions go without their 4h context (context_timeframe: no 4h bar of BTC/USDT "
        "since 2024-01-01T04:00:00Z, ETH/USDT since 2024-01-01T04:00:00Z); the prompt shows it "
        "as n/a or as of its latest bar";
    EXPECT_EQ(host.logs_containing(stale, OT_LOG_WARN).size(), 0u) << "not before 12:00";
    step(240);
    step(241);
    EXPECT_EQ(host.logs_containing(stale, OT_LOG_WARN).size(), 1u);
    EXPECT_EQ(host.logs_containing("context_timeframe", OT_LOG_WARN).size(), 2u);
}

TEST_F(StrategyTest, WithoutShortsThePromptSaysSoAndASellThatWouldOpenOneIsAHold) {
    create();
    warm_up();
    const double btc = price(0, kFirst);
    const std::string short_btc =
        ot::llm::decision_json("SELL", "BTC/USDT", 10, btc * 1.02, btc * 0.95, "breakdown");
    server.script({Scripted::answer(short_btc), Scripted::answer(short_btc)});
    std::vector<ot::Signal> signals = step(kFirst);
    EXPECT_NE(server.received()[0].body.dump().find(
                  "Shorts are not allowed: SELL only closes a long; a SELL on a flat symbol is "
                  "refused."),
              std::string::npos);
    EXPECT_EQ(server.calls(), 2);  // the refusal is sent back once, as any invalid answer
    ASSERT_EQ(signals.size(), 2u);
    for (const ot::Signal& s : signals) {
        EXPECT_EQ(s.action, OT_ACTION_HOLD);
        EXPECT_NE(s.reason.find("SELL BTC/USDT would open a short (no long BTC/USDT is held), and "
                                "shorts are not allowed"),
                  std::string::npos)
            << s.reason;
    }
}

TEST_F(StrategyTest, WithShortsASellOnAFlatCoinOpensAShort) {
    create({{"allow_short", "true"}});
    warm_up();
    const double btc = price(0, kFirst);
    server.script({Scripted::answer(
        ot::llm::decision_json("SELL", "BTC/USDT", 10, btc * 1.02, btc * 0.95, "breakdown"))});
    std::vector<ot::Signal> signals = step(kFirst);
    EXPECT_NE(server.received()[0].body.dump().find(
                  "Shorts are allowed: a SELL on a flat symbol opens a short."),
              std::string::npos);
    ASSERT_EQ(signals.size(), 2u);
    EXPECT_EQ(signals[0].action, OT_ACTION_SELL);
    EXPECT_DOUBLE_EQ(signals[0].stop_loss, btc * 1.02);
}

TEST_F(StrategyTest, AnEntryBecomesASignalWithItsExitPlanAndOthersHold) {
    create();
    warm_up();
    double btc = price(0, kFirst);
    server.script({Scripted::answer(
        ot::llm::decision_json("BUY", "BTC/USDT", 12.5, btc * 0.97, btc * 1.05, "breakout"))});
    std::vector<ot::Signal> signals = step(kFirst);
    ASSERT_EQ(signals.size(), 2u);
    const ot::Signal& buy = signals[0];
    EXPECT_EQ(buy.symbol, "BTC/USDT");
    EXPECT_EQ(buy.action, OT_ACTION_BUY);
    EXPECT_EQ(buy.time_ms, kStart + kFirst * k3m);
    EXPECT_EQ(buy.size_pct, 12.5);
    EXPECT_DOUBLE_EQ(buy.stop_loss, btc * 0.97);
    EXPECT_DOUBLE_EQ(buy.take_profit, btc * 1.05);
    EXPECT_EQ(buy.confidence, 0.8);
    EXPECT_EQ(buy.reason, "breakout");
    json meta = json::parse(buy.metadata_json);
    EXPECT_EQ(meta["invalidation_condition"], "price closes below the stop");
    EXPECT_EQ(meta["model"], "gpt-5-mini");
    EXPECT_EQ(meta["prompt_hash"], journal("llm_call")[0]["prompt_hash"]);
    EXPECT_EQ(signals[1].symbol, "ETH/USDT");
    EXPECT_EQ(signals[1].action, OT_ACTION_HOLD);
    EXPECT_EQ(signals[1].reason, "LLM: BUY BTC/USDT");
}

TEST_F(StrategyTest, ThePromptShowsThePortfolioFromTheHost) {
    create();
    warm_up();
    ot_account account{};
    account.cash = 5000;
    account.equity = 10400;
    account.starting_equity = 10000;
    host.set_account(account);
    ot_position pos{};
    pos.qty = 2;
    pos.avg_price = 150;
    pos.mark_price = 200;
    pos.unrealized_pnl = 100;
    host.set_position("ETH/USDT", pos);
    std::vector<ot::Signal> signals = step(kFirst);
    std::string prompt = server.received()[0].prompt;
    EXPECT_NE(prompt.find("Cash: 5000\nEquity: 10400\nTotal return: 4%"), std::string::npos);
    EXPECT_NE(prompt.find("- ETH/USDT: long 2 @ 150, mark 200, unrealized PnL 100"),
              std::string::npos);
    // The fake closes an open position; a CLOSE carries no exit plan.
    EXPECT_EQ(signals[1].action, OT_ACTION_CLOSE);
    EXPECT_EQ(signals[1].stop_loss, 0);
}

TEST_F(StrategyTest, APaperBotsSharpeRatioCarriesOnAfterARestart) {
    const std::vector<double> equities{10000, 10100, 10050, 10200};
    auto decide_at = [&](int step_no, double equity) {
        ot_account account{};
        account.cash = equity;
        account.equity = equity;
        account.starting_equity = 10000;
        host.set_account(account);
        step(step_no);
        const std::string prompt = server.received().back().prompt;
        const std::size_t at = prompt.find("Sharpe ratio: ");
        return at == std::string::npos ? std::string("missing")
                                       : prompt.substr(at + 14, prompt.find('\n', at) - at - 14);
    };
    // Welford's mean and sample deviation of the returns between decisions, annualized (3m bars).
    auto sharpe_of = [](const std::vector<double>& e) {
        std::vector<double> r;
        for (std::size_t i = 1; i < e.size(); ++i)
            r.push_back(e[i] / e[i - 1] - 1);
        double mean = 0, var = 0;
        for (double x : r)
            mean += x / static_cast<double>(r.size());
        for (double x : r)
            var += (x - mean) * (x - mean) / static_cast<double>(r.size() - 1);
        char buf[32];
        std::snprintf(buf, sizeof buf, "%.8g", mean / std::sqrt(var) * std::sqrt(365.0 * 480));
        return std::string(buf);
    };

    create();
    warm_up();
    for (int i = 0; i < 3; ++i)
        decide_at(kFirst + i, equities[static_cast<std::size_t>(i)]);
    create();  // a restart: the same host's key-value state
    warm_up();
    EXPECT_EQ(decide_at(kFirst + 3, equities[3]), sharpe_of(equities));

    // A backtest starts afresh each time, so a run again shows the model the same prompts.
    host.set_mode(OT_MODE_BACKTEST);
    create();
    warm_up();
    EXPECT_EQ(decide_at(kFirst + 4, 10300), "n/a");

    // State it cannot read is a warning and a fresh start, not a failed start.
    host.set_mode(OT_MODE_PAPER);
    host.kv()["sharpe"] = "{not json";
    create();
    EXPECT_EQ(host.logs_containing("saved Sharpe ratio is unreadable", OT_LOG_WARN).size(), 1u);
}

TEST_F(StrategyTest, ThePromptHoldsNothingFromAfterTheBar) {
    create();
    const int64_t first = kStart + (kFirst + 1) * k3m;  // the close of the first decision's bar
    const int64_t second = first + k3m;
    // Points may arrive before their time (the host hands them over with an earlier batch).
    std::vector<ot::SeriesPoint> series{{"BTC/USDT", "funding_rate", second, 0.000125},
                                        {"BTC/USDT", "funding_rate", second + 8 * 3600000, 0.0042},
                                        {"BTC/USDT", "open_interest", second, 5000},
                                        {"BTC/USDT", "open_interest", second + k3m, 9999}};
    for (int i = 0; i < kFirst; ++i)
        step(i, i == 0 ? series : std::vector<ot::SeriesPoint>{});
    step(kFirst);
    std::string prompt = server.received()[0].prompt;
    EXPECT_NE(prompt.find("Time: 2024-01-01T02:30:00Z"), std::string::npos);
    EXPECT_NE(prompt.find("Funding rate: n/a"), std::string::npos);
    EXPECT_NE(prompt.find("Open interest: latest n/a"), std::string::npos);
    step(kFirst + 1);
    prompt = server.received()[1].prompt;
    EXPECT_NE(prompt.find("Funding rate: 0.000125"), std::string::npos);
    EXPECT_NE(prompt.find("Open interest: latest 5000, average 5000"), std::string::npos);
    EXPECT_EQ(prompt.find("0.0042"), std::string::npos);
    EXPECT_EQ(prompt.find("9999"), std::string::npos);
}

TEST_F(StrategyTest, AContextBarThatHasNotClosedIsNotUsed) {
    create();
    warm_up();
    // A 4h bar that opened at the start of this hour closes only hours from now.
    std::vector<ot::Bar> bars{{"BTC/USDT", 14400, kStart + 2 * 3600000, 1, 99999, 1, 77777, 1}};
    EXPECT_TRUE(run(bars, kStart + kFirst * k3m).empty());
    step(kFirst);
    EXPECT_EQ(server.received()[0].prompt.find("77777"), std::string::npos);
}

struct BadAnswer {
    const char* name;
    std::vector<Scripted> replies;
    const char* reason;  // a part of the HOLD's reason
    int requests;        // one retry at most
};

void PrintTo(const BadAnswer& b, std::ostream* os) {
    *os << b.name;
}

class BadAnswerTest : public StrategyTest, public ::testing::WithParamInterface<BadAnswer> {};

TEST_P(BadAnswerTest, EveryKindOfBadAnswerIsAHoldWithItsReason) {
    create({{"timeout_ms", "1000"}});
    server.set_timeout_hold_ms(4000);
    warm_up();
    server.script(GetParam().replies);
    std::vector<ot::Signal> signals = step(kFirst);
    ASSERT_EQ(signals.size(), 2u);
    for (const ot::Signal& s : signals) {
        EXPECT_EQ(s.action, OT_ACTION_HOLD);
        EXPECT_NE(s.reason.find(GetParam().reason), std::string::npos) << s.reason;
    }
    EXPECT_EQ(server.calls(), GetParam().requests);
    std::vector<json> calls = journal("llm_call");
    ASSERT_EQ(calls.size(), static_cast<std::size_t>(GetParam().requests));
    EXPECT_EQ(calls.back()["result"], "hold");
    EXPECT_NE(calls.back()["error"].get<std::string>().find(GetParam().reason), std::string::npos);
    // The next bar asks again and acts on a good answer.
    std::vector<ot::Signal> next = step(kFirst + 1);
    if (std::string(GetParam().name) != "rate_limit") {
        EXPECT_NE(next[0].action + next[1].action, OT_ACTION_HOLD);
    }
}

const double kBtc = price(0, kFirst);

INSTANTIATE_TEST_SUITE_P(
    Answers, BadAnswerTest,
    ::testing::Values(
        BadAnswer{"prose",
                  {Scripted::answer("Buy BTC!"), Scripted::answer("Really, buy.")},
                  "the answer is not valid JSON",
                  2},
        BadAnswer{"garbage_body",
                  {Scripted::garbage_body(), Scripted::garbage_body()},
                  "no choices[0].message",
                  2},
        BadAnswer{"truncated",
                  {Scripted::truncated(R"({"action":"BU)"), Scripted::truncated(R"({"act)")},
                  "cut off at max_tokens",
                  2},
        BadAnswer{"refusal", {Scripted::refusal()}, "refused", 1},
        BadAnswer{"rate_limit", {Scripted::rate_limit(30)}, "HTTP 429", 1},
        BadAnswer{"server_error",
                  {Scripted::server_error(500), Scripted::server_error(502)},
                  "HTTP 502",
                  2},
        BadAnswer{"timeout", {Scripted::timeout(), Scripted::timeout()}, "http", 2},
        BadAnswer{"wrong_enum",
                  {Scripted::answer(ot::llm::decision_json("LONG", "BTC/USDT", 10, 1, 2)),
                   Scripted::answer(ot::llm::decision_json("SHORT", "BTC/USDT", 10, 1, 2))},
                  "is not one of BUY, SELL, HOLD, CLOSE",
                  2},
        BadAnswer{"unknown_symbol",
                  {Scripted::answer(ot::llm::decision_json("BUY", "DOGE/USDT", 10, 1, 2)),
                   Scripted::answer(ot::llm::decision_json("BUY", "DOGE/USDT", 10, 1, 2))},
                  "is not one asked about",
                  2},
        BadAnswer{"stop_loss_above_price",
                  {Scripted::answer(ot::llm::decision_json("BUY", "BTC/USDT", 10, kBtc * 1.01,
                                                           kBtc * 1.05)),
                   Scripted::answer(ot::llm::decision_json("BUY", "BTC/USDT", 10, kBtc * 1.01,
                                                           kBtc * 1.05))},
                  "stop_loss",
                  2},
        BadAnswer{"size_out_of_bounds",
                  {Scripted::answer(ot::llm::decision_json("BUY", "BTC/USDT", 50, kBtc * 0.9,
                                                           kBtc * 1.1)),
                   Scripted::answer(ot::llm::decision_json("BUY", "BTC/USDT", 35, kBtc * 0.9,
                                                           kBtc * 1.1))},
                  "position_size_pct 35 is outside (0, 20]",
                  2}),
    [](const auto& info) { return std::string(info.param.name); });

TEST_F(StrategyTest, ARateLimitSkipsTheCallsUntilRetryAfter) {
    create();
    warm_up();
    server.script({Scripted::rate_limit(400)});  // a bit over two 3m bars
    step(kFirst);
    std::vector<ot::Signal> paused = step(kFirst + 1);
    EXPECT_NE(paused[0].reason.find("rate limited: the provider asked to wait until"),
              std::string::npos);
    step(kFirst + 2);
    EXPECT_EQ(server.calls(), 1);
    step(kFirst + 3);
    EXPECT_EQ(server.calls(), 2);
}

TEST_F(StrategyTest, AnAccountOutOfMoneyStopsTheCallsUntilARestart) {
    create();
    warm_up();
    server.script({Scripted::out_of_funds()});
    std::vector<ot::Signal> held = step(kFirst);
    EXPECT_NE(held[0].reason.find("HTTP 429: insufficient_quota: You exceeded your current quota"),
              std::string::npos)
        << held[0].reason;
    EXPECT_EQ(journal("llm_call")[0]["cost_usd"], 0);
    EXPECT_EQ(journal("llm_call")[0]["cost_estimated"], false);
    step(kFirst + 1);  // a rate limit's pause would be over
    std::vector<ot::Signal> still = step(kFirst + 2);
    EXPECT_EQ(still[0].reason, held[0].reason);
    EXPECT_EQ(server.calls(), 1);
    EXPECT_EQ(host.logs_containing("out of money", OT_LOG_ERROR).size(), 1u);

    create();  // a restart, after paying
    warm_up();
    step(kFirst + 3);
    EXPECT_EQ(server.calls(), 2);
}

TEST_F(StrategyTest, TheBudgetStopsCallsAndStaysSpentAfterARestart) {
    // Each call is billed 1000 input (200 cached) and 100 output tokens at gpt-5-mini prices:
    // $0.000405; the next call's worst case is about $0.0035 (prompt bytes + 1024 output tokens).
    create({{"daily_budget_usd", "0.005"}});
    warm_up();
    int step_no = kFirst;
    while (server.calls() < 10 && step_no < kFirst + 20)
        step(step_no++);
    int calls = server.calls();
    EXPECT_GE(calls, 1);
    EXPECT_LT(calls, 10);
    std::vector<ot::Signal> held = step(step_no++);
    EXPECT_NE(held[0].reason.find("the daily budget is spent"), std::string::npos)
        << held[0].reason;
    EXPECT_EQ(server.calls(), calls);
    EXPECT_NE(journal("llm_hold").back()["reason"].get<std::string>().find("daily budget"),
              std::string::npos);

    create({{"daily_budget_usd", "0.005"}});  // a restart: the day's spend is in the host's state
    warm_up();
    step(step_no);
    EXPECT_EQ(server.calls(), calls);
}

TEST_F(StrategyTest, ACommandProviderMustSayWhatACallMayCost) {
    // A CLI adds its own prompt and need not state its cost: without a stated most per call,
    // nothing could hold the budget.
    const ot::ParamMap command{
        {"provider", "command"}, {"model", "haiku"}, {"command", R"(["claude", "-p"])"}};
    std::string error = create_error(command);
    EXPECT_NE(error.find("provider 'command' needs `max_call_cost_usd`"), std::string::npos)
        << error;
    ot::ParamMap with_cost = command;
    with_cost["max_call_cost_usd"] = "0.05";
    EXPECT_EQ(create_error(with_cost), "created");
}

TEST_F(StrategyTest, ACallWithAnUnknownOutcomeIsChargedItsWorstCaseAcrossRestarts) {
    // Every request is lost after it left (a reset connection): the provider may have billed it.
    // The first is charged its worst case (about $0.0035); the budget then has no room for the
    // resend nor for any later call, also after a restart.
    int requests = 0;
    host.set_http_handler([&](const ot::HttpRequest&) -> ot::HttpReply {
        ++requests;
        throw orchestrade::sdk::Error(OT_E_IO, "connection reset by peer");
    });
    create({{"daily_budget_usd", "0.005"}});
    warm_up();
    std::vector<ot::Signal> held = step(kFirst);
    EXPECT_EQ(requests, 1);
    const double spent = std::stod(host.kv().at("spent_usd/2024-01-01"));
    EXPECT_GT(spent, 0.002);
    EXPECT_DOUBLE_EQ(journal("llm_call")[0]["cost_usd"].get<double>(), spent);
    EXPECT_EQ(journal("llm_call")[0]["cost_estimated"], true);
    EXPECT_NE(held[0].reason.find("the daily budget is spent"), std::string::npos)
        << held[0].reason;
    step(kFirst + 1);
    EXPECT_EQ(requests, 1);

    create({{"daily_budget_usd", "0.005"}});  // a restart
    warm_up();
    step(kFirst + 2);
    EXPECT_EQ(requests, 1);
}

TEST_F(StrategyTest, ARunAgainOnTheSameStateReplaysEveryAnswerWithoutACall) {
    create();
    std::vector<std::vector<ot::Signal>> first, second;
    for (int i = 0; i < kFirst + 6; ++i)
        first.push_back(step(i));
    const int calls = server.calls();
    EXPECT_EQ(calls, 6);
    create();  // same host, so the same key-value state
    for (int i = 0; i < kFirst + 6; ++i)
        second.push_back(step(i));
    EXPECT_EQ(server.calls(), calls);
    ASSERT_EQ(first.size(), second.size());
    for (std::size_t i = 0; i < first.size(); ++i) {
        ASSERT_EQ(first[i].size(), second[i].size());
        for (std::size_t k = 0; k < first[i].size(); ++k) {
            EXPECT_EQ(first[i][k].action, second[i][k].action);
            EXPECT_EQ(first[i][k].stop_loss, second[i][k].stop_loss);
            EXPECT_EQ(first[i][k].size_pct, second[i][k].size_pct);
        }
    }
    EXPECT_EQ(journal("llm_call").back()["cached"], true);
    EXPECT_EQ(journal("llm_call").back()["cost_usd"], 0.0);
}

TEST_F(StrategyTest, TemplatesComeFromThePromptFile) {
    dir.write("prompt.txt",
              "--- user ---\nAt {{time}} with {{cash}} cash:\n{{markets}}\n"
              "--- symbol ---\n### {{symbol}}\ncurrent_price = {{price}}, ctx RSI {{ctx_rsi14}}\n");
    create({{"prompt_file", "prompt.txt"}});
    warm_up();
    step(kFirst);
    std::string prompt = server.received()[0].prompt;
    EXPECT_EQ(
        prompt.rfind("At 2024-01-01T02:30:00Z with 0 cash:\n### BTC/USDT\ncurrent_price = ", 0),
        0u);
    EXPECT_NE(prompt.find("ctx RSI n/a"), std::string::npos);
}

TEST_F(StrategyTest, APromptFileWithASingleBracePlaceholderIsRefusedAtStart) {
    // {price} is the natural guess (`command` writes {model}), and would reach the model as is.
    dir.write("prompt.txt", "--- symbol ---\n### {{symbol}}\ncurrent_price = {price}\n");
    std::string error = create_error({{"prompt_file", "prompt.txt"}});
    EXPECT_NE(
        error.find((dir.path() / "prompt.txt").string() + ": the symbol template writes {price}"),
        std::string::npos)
        << error;
    EXPECT_NE(error.find("{{price}}"), std::string::npos) << error;
    EXPECT_EQ(server.calls(), 0);
}

TEST_F(StrategyTest, TheApiKeyIsNeverLoggedNorJournaled) {
    create({{"api_key", "sk-very-secret"}});
    warm_up();
    step(kFirst);  // 401: the fake expects test-key
    EXPECT_EQ(server.rejected(), 1);
    for (const ot::LogLine& l : host.logs())
        EXPECT_EQ(l.message.find("sk-very-secret"), std::string::npos) << l.message;
    for (const ot::JournalRecord& r : host.journal())
        EXPECT_EQ(r.json.find("sk-very-secret"), std::string::npos) << r.json;
    EXPECT_NE(journal("llm_call")[0]["error"].get<std::string>().find("HTTP 401"),
              std::string::npos);
}

TEST_F(StrategyTest, TheAnthropicProviderDecidesAndCorrectsToo) {
    FakeLlmServer anthropic(Dialect::Anthropic, "anthropic-key");
    create({{"provider", "anthropic"},
            {"model", "claude-haiku-4-5"},
            {"api_key", "anthropic-key"},
            {"base_url", anthropic.base_url()}});
    warm_up();
    anthropic.script({Scripted::answer("```json\nnot quite\n```")});  // then the fake's policy
    std::vector<ot::Signal> signals = step(kFirst);
    EXPECT_EQ(anthropic.calls(), 2);
    EXPECT_EQ(anthropic.rejected(), 0);  // the correction turn is a valid conversation
    EXPECT_EQ(signals[0].action + signals[1].action, OT_ACTION_BUY);
    json call = journal("llm_call").back();
    EXPECT_EQ(call["provider"], "anthropic");
    // claude-haiku-4-5: 800 input, 200 cache-read and 100 output tokens.
    EXPECT_DOUBLE_EQ(call["cost_usd"].get<double>(), (800 * 1.0 + 200 * 0.1 + 100 * 5.0) / 1e6);
    EXPECT_EQ(server.calls(), 0);
}
