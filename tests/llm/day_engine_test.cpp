// Seed 003's trading day through the real engine: the llm_day strategy on calendar triggers
// (America/New_York, mon-fri) over a week of hourly bars, the fake command as the model, the
// mock executor. Entries at market open carry their stop-loss and take-profit; a symbol held is
// not planned again, and an entry counts as executed once its position shows; a bad answer in
// any step is a HOLD for its symbol and the day goes on; a position bought on one day is monitored
// on the next, on a day without a market_open too; a backtest that stops in the middle of a day and
// runs again over the rest resumes without sending the market-open orders again; the prompts show
// the indicators of the bars closed before the step.
#include <orchestrade/core/engine.hpp>
#include <orchestrade/core/journal.hpp>
#include <orchestrade/core/pipeline.hpp>
#include <orchestrade/core/plugin_registry.hpp>
#include <orchestrade/testing/temp_dir.hpp>

#include <nlohmann/json.hpp>

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

namespace core = orchestrade::core;
namespace ot = orchestrade::testing;
using nlohmann::json;

namespace {

constexpr int64_t kMonday = 1704067200000;  // 2024-01-01 00:00 UTC
constexpr int64_t kHourMs = 3'600'000;
constexpr int kWeekBars = 5 * 24;

class LlmDay : public ::testing::Test {
  protected:
    LlmDay() { registry.scan({ORCHESTRADE_TEST_PLUGIN_DIR}); }

    // Hourly bars [first, last) of the week, gently oscillating around 100; `wicks` sets the low
    // (below 100) or the high (above) of some bars, by index; `shifts` moves some bars whole.
    void write_bars(int first, int last) const {
        std::ofstream out(dir.path() / "bars.csv");
        out << "timestamp,open,high,low,close,volume\n";
        for (int i = first; i < last; ++i) {
            double open = 100 + std::sin(i * 0.3), close = 100 + std::sin((i + 1) * 0.3);
            double high = std::max(open, close) + 0.2, low = std::min(open, close) - 0.2;
            if (auto wick = wicks.find(i); wick != wicks.end())
                (wick->second < 100 ? low : high) = wick->second;
            if (auto shift = shifts.find(i); shift != shifts.end())
                for (double* price : {&open, &high, &low, &close})
                    *price += shift->second;
            out << kMonday + i * kHourMs << ',' << open << ',' << high << ',' << low << ',' << close
                << ",1\n";
        }
    }
    // `market_open`, `eod_review` and `monitor_11` are added to those triggers' settings
    // (", holidays: [...]").
    core::RunSummary run(int first_bar, int last_bar, const std::string& market_open = "",
                         const std::string& eod_review = "", const std::string& monitor_11 = "") {
        write_bars(first_bar, last_bar);
        const std::string yaml =
            "version: 1\nname: llm-day\nmode: backtest\njournal: journal.db\n"
            "universe: [BTC/USDT]\n"
            "schedule:\n  every: 1h\n  tz: America/New_York\n  triggers:\n"
            "    - { name: pre_market, at: \"06:30\", days: mon-fri }\n"
            "    - { name: market_open, at: \"09:30\", days: mon-fri" +
            market_open +
            " }\n"
            "    - { name: monitor_11, at: \"11:00\", days: mon-fri" +
            monitor_11 +
            " }\n"
            "    - { name: monitor_14, at: \"14:00\", days: mon-fri }\n"
            "    - { name: eod_review, at: \"16:00\", days: mon-fri" +
            eod_review +
            " }\n"
            "    - { name: weekly_review, at: \"16:30\", days: [fri] }\n"
            "feed: { use: csv, params: { path: bars.csv, timeframe: 1h } }\n"
            "strategy: { use: llm_day, params: { provider: command, model: haiku, "
            "max_call_cost_usd: 0.002, "
            "timeout_ms: 5000, run_budget_usd: 1, command: [" FAKE_LLM_CLI ", " +
            dir.path().string() +
            "] } }\n"
            "risk: { position_size_pct: 10 }\n"
            "executor: { use: mock, params: { starting_cash: 100000, fee_bps: 10 } }\n";
        core::Pipeline p = core::parse_pipeline(yaml, "day.yaml", dir.path().string(), registry);
        return core::run_pipeline(p, {});
    }
    core::Journal journal() const {
        return core::Journal((dir.path() / "journal.db").string(),
                             core::Journal::Durability::Synchronous);
    }
    std::vector<json> events(int64_t run, const std::string& kind) const {
        std::vector<json> out;
        for (const core::EventRecord& e : journal().events(run, kind))
            out.push_back(json::parse(e.json));
        return out;
    }
    // The days of the BUY signals of a run.
    std::vector<std::string> buy_days(int64_t run) const {
        std::vector<std::string> days;
        for (const core::SignalRecord& s : journal().signals(run))
            if (s.action == core::Action::Buy)
                days.push_back(json::parse(s.metadata_json)["day"].get<std::string>());
        return days;
    }
    std::vector<json> transitions_to(int64_t run, const std::string& state) const {
        std::vector<json> out;
        for (const json& t : events(run, "workflow_transition"))
            if (t["to"] == state && !t.contains("refused")) out.push_back(t);
        return out;
    }
    // The prompts the fake command was given for `step` on `day`.
    std::vector<std::string> prompts(const std::string& step, const std::string& day) const {
        std::vector<std::string> out;
        for (const auto& file : std::filesystem::directory_iterator(dir.path())) {
            if (file.path().filename().string().rfind("prompt-", 0) != 0) continue;
            std::ostringstream text;
            text << std::ifstream(file.path()).rdbuf();
            if (text.str().find("Workflow step: " + step + "\nDay: " + day + "\n") !=
                std::string::npos)
                out.push_back(text.str());
        }
        return out;
    }
    void bad_answers(const std::vector<std::string>& day_steps) const {
        std::ofstream out(dir.path() / "bad");
        for (const std::string& l : day_steps)
            out << l << "\n";
    }
    // The model closes every position it monitors on these days (the first monitor, 11:00).
    void closes_on(const std::vector<std::string>& days) const {
        std::ofstream out(dir.path() / "close");
        for (const std::string& day : days)
            out << day << " monitoring\n";
    }
    // "<day> <symbol> <outcome>" of every workflow_entry record of a run.
    std::vector<std::string> entry_outcomes(int64_t run) const {
        std::vector<std::string> out;
        for (const json& e : events(run, "workflow_entry"))
            out.push_back(e["day"].get<std::string>() + " " + e["symbol"].get<std::string>() + " " +
                          e["outcome"].get<std::string>());
        return out;
    }

    ot::TempDir dir;
    core::PluginRegistry registry;
    std::map<int, double> wicks, shifts;
};

const std::vector<std::string> kWeek = {"2024-01-01", "2024-01-02", "2024-01-03", "2024-01-04",
                                        "2024-01-05"};

TEST_F(LlmDay, AWeekOfDaysPlacesPlannedEntriesAtMarketOpenAndReviewsThem) {
    closes_on(kWeek);  // flat again by noon: every day enters anew
    core::RunSummary s = run(0, kWeekBars);
    ASSERT_EQ(s.status, "completed");
    EXPECT_EQ(buy_days(s.run_id), kWeek);

    core::Journal j = journal();
    std::map<int64_t, core::SignalRecord> signals;
    for (core::SignalRecord& sig : j.signals(s.run_id)) {
        signals[sig.id] = sig;
        if (sig.action != core::Action::Buy) continue;
        EXPECT_GT(sig.stop_loss, 0);
        EXPECT_LT(sig.stop_loss, sig.take_profit);
        // 14:30 UTC: 09:30 in New York in January.
        EXPECT_EQ((sig.time_ms - kMonday) % (24 * kHourMs), 14 * kHourMs + 30 * 60000);
    }
    int entries = 0;
    for (const core::OrderRecord& o : j.orders(s.run_id)) {
        auto it = signals.find(o.signal_id);
        if (it == signals.end() || it->second.action != core::Action::Buy) continue;
        ++entries;
        EXPECT_EQ(o.stop_loss, it->second.stop_loss);
        EXPECT_EQ(o.take_profit, it->second.take_profit);
    }
    EXPECT_GE(entries, 1);

    std::vector<json> reviews = events(s.run_id, "workflow_review");
    ASSERT_EQ(reviews.size(), 5u);
    EXPECT_EQ(reviews[0]["review"], "a quiet day");
    EXPECT_EQ(reviews[0]["executed"], json::array({"BTC/USDT"}));
    std::vector<json> weekly = events(s.run_id, "workflow_weekly_review");
    ASSERT_EQ(weekly.size(), 1u);
    EXPECT_EQ(weekly[0]["day"], "2024-01-05");
    EXPECT_EQ(weekly[0]["flagged"], json::array({"BTC/USDT"}));

    for (const json& t : events(s.run_id, "workflow_transition"))
        EXPECT_FALSE(t.contains("refused")) << t.dump();
    EXPECT_EQ(transitions_to(s.run_id, "ready").size(), 5u);
    EXPECT_EQ(transitions_to(s.run_id, "weekly_review").size(), 1u);
    EXPECT_EQ(transitions_to(s.run_id, "idle").size(), 5u);
    EXPECT_TRUE(transitions_to(s.run_id, "error").empty());
    ASSERT_FALSE(transitions_to(s.run_id, "ready").empty());
    EXPECT_EQ(transitions_to(s.run_id, "ready")[0]["context"]["planned"][0]["size_pct"], 10);
}

TEST_F(LlmDay, ASymbolHeldIsNotPlannedAgainAndItsEntryIsTheOneThatOpenedIt) {
    // The model keeps Monday's position all week: the days after plan nothing for it, ask the
    // model nothing about it before the open, and send no BUY the engine would ignore.
    core::RunSummary s = run(0, kWeekBars);
    ASSERT_EQ(s.status, "completed");
    EXPECT_EQ(buy_days(s.run_id), std::vector<std::string>{"2024-01-01"});
    for (const core::SignalRecord& sig : journal().signals(s.run_id))
        EXPECT_TRUE(sig.action != core::Action::Buy || sig.outcome == "order") << sig.outcome;
    EXPECT_EQ(entry_outcomes(s.run_id),
              (std::vector<std::string>{
                  "2024-01-01 BTC/USDT opened", "2024-01-02 BTC/USDT not planned",
                  "2024-01-03 BTC/USDT not planned", "2024-01-04 BTC/USDT not planned",
                  "2024-01-05 BTC/USDT not planned"}));
    for (const char* day : {"2024-01-02", "2024-01-03", "2024-01-04", "2024-01-05"}) {
        EXPECT_TRUE(prompts("screening", day).empty()) << day;
        EXPECT_TRUE(prompts("entry_optimisation", day).empty()) << day;
    }
    // The position is monitored with the entry that opened it.
    std::vector<std::string> monitored = prompts("monitoring", "2024-01-03");
    ASSERT_EQ(monitored.size(), 2u);
    for (const std::string& prompt : monitored)
        EXPECT_NE(prompt.find("opened 2024-01-01 at 10 % of equity"), std::string::npos) << prompt;

    std::vector<json> reviews = events(s.run_id, "workflow_review");
    ASSERT_EQ(reviews.size(), 5u);
    EXPECT_EQ(reviews[0]["executed"], json::array({"BTC/USDT"}));
    for (std::size_t i = 1; i < reviews.size(); ++i)
        EXPECT_EQ(reviews[i]["executed"], json::array()) << reviews[i]["day"];
    EXPECT_NE(prompts("daily_review", "2024-01-02").at(0).find("Executed today:\n"),
              std::string::npos);
    std::vector<json> weekly = transitions_to(s.run_id, "weekly_review");
    ASSERT_EQ(weekly.size(), 1u);
    EXPECT_EQ(weekly[0]["context"]["week_traded"], json::array({"BTC/USDT"}));
}

TEST_F(LlmDay, ABadAnswerInAnyStepIsAHoldForItsSymbolAndTheDayGoesOn) {
    bad_answers({"2024-01-01 screening", "2024-01-02 analysis", "2024-01-03 entry_optimisation",
                 "2024-01-04 monitoring", "2024-01-05 daily_review"});
    core::RunSummary s = run(0, kWeekBars);
    ASSERT_EQ(s.status, "completed");
    // No entry planned on the days whose pre-market had a bad answer, nor on Friday, which holds
    // Thursday's position; every day runs to its end.
    EXPECT_EQ(buy_days(s.run_id), std::vector<std::string>{"2024-01-04"});
    EXPECT_TRUE(transitions_to(s.run_id, "error").empty());
    for (const json& t : events(s.run_id, "workflow_transition"))
        EXPECT_FALSE(t.contains("refused")) << t.dump();

    std::vector<json> holds = events(s.run_id, "workflow_hold");
    std::vector<std::string> held_steps;
    for (const json& h : holds)
        held_steps.push_back(h["day"].get<std::string>() + " " + h["step"].get<std::string>());
    EXPECT_EQ(held_steps,
              (std::vector<std::string>{"2024-01-01 screening", "2024-01-02 analysis",
                                        "2024-01-03 entry_optimisation", "2024-01-04 monitoring",
                                        "2024-01-04 monitoring", "2024-01-05 daily_review"}));
    ASSERT_FALSE(holds.empty());
    EXPECT_EQ(holds[0]["symbol"], "BTC/USDT");
    EXPECT_NE(holds[0]["reason"].get<std::string>().find("invalid answer"), std::string::npos);
    EXPECT_EQ(events(s.run_id, "workflow_review").size(), 5u);
    EXPECT_EQ(events(s.run_id, "workflow_weekly_review").size(), 1u);
    EXPECT_EQ(transitions_to(s.run_id, "idle").size(), 5u);
}

TEST_F(LlmDay, AnEntryStoppedOutBeforeTheNextStepCountsAsExecutedAndClosed) {
    // Monday's entry hits its stop-loss (2 % below) and Tuesday's its take-profit (3 % above) on
    // the bar of their fill, so the position is flat again at the next bar's open, before
    // monitor_14 looks (monitor_11 does not run): both traded, each with its own PnL.
    wicks = {{15, 90}, {24 + 15, 110}};
    core::RunSummary s = run(0, 2 * 24, "", "", ", holidays: [2024-01-01, 2024-01-02]");
    ASSERT_EQ(s.status, "completed");
    EXPECT_EQ(buy_days(s.run_id), (std::vector<std::string>{"2024-01-01", "2024-01-02"}));
    EXPECT_EQ(entry_outcomes(s.run_id),
              (std::vector<std::string>{"2024-01-01 BTC/USDT opened and closed",
                                        "2024-01-02 BTC/USDT opened and closed"}));
    std::vector<json> entries = events(s.run_id, "workflow_entry");
    EXPECT_EQ(entries[0]["event"], "monitor_14");
    // Nothing open is monitored.
    EXPECT_TRUE(prompts("monitoring", "2024-01-01").empty());

    std::vector<json> reviews = events(s.run_id, "workflow_review");
    ASSERT_EQ(reviews.size(), 2u);
    std::vector<double> pnl;
    for (const json& review : reviews) {
        EXPECT_EQ(review["executed"], json::array({"BTC/USDT"})) << review;
        ASSERT_EQ(review["closed"].size(), 1u) << review;
        EXPECT_EQ(review["closed"][0]["symbol"], "BTC/USDT");
        EXPECT_EQ(review["closed"][0]["day"], review["day"]);
        pnl.push_back(review["closed"][0]["realized_pnl"].get<double>());
    }
    EXPECT_LT(pnl[0], 0);  // stopped out
    EXPECT_GT(pnl[1], 0);  // the target reached
    // Both round trips, from their fills (gross of fees): flat again, so what was sold less what
    // was bought.
    double realized = 0;
    for (const core::FillRecord& f : journal().fills(s.run_id))
        realized += (f.side == core::Side::Sell ? 1 : -1) * f.qty * f.price;
    EXPECT_NEAR(pnl[0] + pnl[1], realized, 1e-6);
    // The daily review is told.
    const std::vector<std::string> reviewed = prompts("daily_review", "2024-01-01");
    ASSERT_EQ(reviewed.size(), 1u);
    EXPECT_NE(reviewed[0].find("Executed today: BTC/USDT\nClosed since the day began:\n- BTC/USDT "
                               "(entered 2024-01-01): realized PnL -"),
              std::string::npos)
        << reviewed[0];
}

TEST_F(LlmDay, AnEntryNotFilledIsNotOpenedAfterAnEarlierRoundTripOfItsSymbol) {
    // Monday's entry is stopped out before the strategy looks; on Tuesday the price falls 6 below
    // the one planned with, before the open, so the risk stage refuses the entry (its stop is above
    // the price): the PnL the symbol realized on Monday does not make Tuesday's entry a trade.
    wicks = {{15, 90}};
    for (int i = 24 + 11; i < 24 + 17; ++i)
        shifts[i] = -6;
    core::RunSummary s = run(0, 2 * 24, "", "", ", holidays: [2024-01-01]");
    ASSERT_EQ(s.status, "completed");
    EXPECT_EQ(buy_days(s.run_id), (std::vector<std::string>{"2024-01-01", "2024-01-02"}));
    EXPECT_EQ(entry_outcomes(s.run_id),
              (std::vector<std::string>{"2024-01-01 BTC/USDT opened and closed",
                                        "2024-01-02 BTC/USDT not opened"}));
    std::vector<json> reviews = events(s.run_id, "workflow_review");
    ASSERT_EQ(reviews.size(), 2u);
    EXPECT_EQ(reviews[1]["executed"], json::array());
    EXPECT_EQ(reviews[1]["closed"], json::array());
}

TEST_F(LlmDay, APositionBoughtOnMondayIsMonitoredOnTheDaysAfter) {
    // Tuesday's and Wednesday's screenings choose nothing; Monday's position is still open.
    bad_answers({"2024-01-02 screening", "2024-01-03 screening"});
    core::RunSummary s = run(0, 3 * 24);
    ASSERT_EQ(s.status, "completed");
    EXPECT_EQ(buy_days(s.run_id), std::vector<std::string>{"2024-01-01"});

    for (const char* day : {"2024-01-02", "2024-01-03"}) {
        std::vector<std::string> monitored = prompts("monitoring", day);
        EXPECT_EQ(monitored.size(), 2u) << day;  // monitor_11 and monitor_14
        for (const std::string& prompt : monitored) {
            EXPECT_NE(prompt.find("Symbol: BTC/USDT\n"), std::string::npos);
            EXPECT_NE(prompt.find("opened 2024-01-01 at 10 % of equity, stop-loss "),
                      std::string::npos)
                << prompt;
        }
    }
}

TEST_F(LlmDay, ARunStoppedMidDayResumesWithoutRepeatingTheMarketOpenOrders) {
    // The first run ends on Wednesday at 15:00 UTC, just after the market-open orders, before
    // their fill; the second starts at 13:00 UTC, so Wednesday's market_open fires again in it.
    // The model closes each day's position at 11:00, so every day enters anew.
    closes_on(kWeek);
    const int wednesday = 2 * 24;
    core::RunSummary first = run(0, wednesday + 15);
    ASSERT_EQ(first.status, "completed");
    EXPECT_EQ(buy_days(first.run_id),
              (std::vector<std::string>{"2024-01-01", "2024-01-02", "2024-01-03"}));

    core::RunSummary second = run(wednesday + 12, kWeekBars);
    ASSERT_EQ(second.status, "completed");
    EXPECT_EQ(buy_days(second.run_id), (std::vector<std::string>{"2024-01-04", "2024-01-05"}));
    std::vector<json> skips = events(second.run_id, "workflow_skip");
    ASSERT_EQ(skips.size(), 1u);
    EXPECT_EQ(skips[0]["step"], "market_open");
    EXPECT_EQ(skips[0]["day"], "2024-01-03");
    // Wednesday goes on from where it stopped: reviewed in the second run, whose account (a
    // backtest's own) never saw the first run's order fill.
    std::vector<json> reviews = events(second.run_id, "workflow_review");
    ASSERT_EQ(reviews.size(), 3u);
    EXPECT_EQ(reviews[0]["day"], "2024-01-03");
    EXPECT_EQ(reviews[0]["executed"], json::array());
    EXPECT_EQ(entry_outcomes(second.run_id)[0], "2024-01-03 BTC/USDT not opened");
    for (const json& t : events(second.run_id, "workflow_transition"))
        EXPECT_FALSE(t.contains("refused")) << t.dump();
}

TEST_F(LlmDay, APositionIsClosedOnADayWhoseMarketOpenDidNotRun) {
    // Tuesday's market_open does not fire (a holiday of that trigger alone), but Monday's position
    // is monitored, and the model closes it.
    std::ofstream(dir.path() / "close") << "2024-01-02 monitoring\n";
    core::RunSummary s = run(0, 3 * 24, ", holidays: [2024-01-02]");
    ASSERT_EQ(s.status, "completed");
    EXPECT_EQ(buy_days(s.run_id), (std::vector<std::string>{"2024-01-01", "2024-01-03"}));

    core::Journal j = journal();
    std::vector<core::SignalRecord> closes;
    for (core::SignalRecord& sig : j.signals(s.run_id))
        if (sig.action == core::Action::Close) closes.push_back(sig);
    ASSERT_EQ(closes.size(), 1u);
    EXPECT_EQ(closes[0].symbol, "BTC/USDT");
    EXPECT_EQ(json::parse(closes[0].metadata_json)["step"], "monitor_11");
    EXPECT_EQ(json::parse(closes[0].metadata_json)["day"], "2024-01-02");
    int sold = 0;
    for (const core::OrderRecord& o : j.orders(s.run_id))
        if (o.signal_id == closes[0].id && o.side == core::Side::Sell) ++sold;
    EXPECT_EQ(sold, 1);
    // Flat by 14:00: monitor_14 has nothing to ask about.
    EXPECT_EQ(prompts("monitoring", "2024-01-02").size(), 1u);

    std::vector<json> monitors;
    for (const json& m : events(s.run_id, "workflow_monitor"))
        if (m["day"] == "2024-01-02") monitors.push_back(m);
    ASSERT_EQ(monitors.size(), 2u);
    EXPECT_EQ(monitors[0]["note"], "the day's market_open has not run");
    EXPECT_EQ(monitors[0]["closed"], json::array({"BTC/USDT"}));
    EXPECT_EQ(monitors[1]["positions"], json::array());
    // Its plan unsent, Tuesday ends in error; Wednesday is a day like any other.
    std::vector<json> errors = transitions_to(s.run_id, "error");
    ASSERT_EQ(errors.size(), 1u);
    EXPECT_EQ(errors[0]["day"], "2024-01-02");
    for (const json& t : events(s.run_id, "workflow_transition"))
        EXPECT_FALSE(t.contains("refused")) << t.dump();
    EXPECT_EQ(events(s.run_id, "workflow_review").size(), 3u);
}

TEST_F(LlmDay, AFridayWithoutItsDailyReviewStillHasItsWeeklyReview) {
    // Friday's eod_review does not fire (a holiday of that trigger alone): the weekly review
    // closes the day first, then reviews the week.
    core::RunSummary s = run(0, kWeekBars, "", ", holidays: [2024-01-05]");
    ASSERT_EQ(s.status, "completed");
    std::vector<json> reviews = events(s.run_id, "workflow_review");
    ASSERT_EQ(reviews.size(), 4u);
    std::vector<json> weekly = events(s.run_id, "workflow_weekly_review");
    ASSERT_EQ(weekly.size(), 1u);
    EXPECT_EQ(weekly[0]["day"], "2024-01-05");
    EXPECT_EQ(weekly[0]["reviewed"], json::array({"BTC/USDT"}));
    EXPECT_EQ(weekly[0]["note"],
              "the day's eod_review did not run: the day was closed without its review");
    EXPECT_FALSE(weekly[0].contains("error"));
    for (const json& t : events(s.run_id, "workflow_transition"))
        EXPECT_FALSE(t.contains("refused")) << t.dump();
    std::vector<json> idle = transitions_to(s.run_id, "idle");
    ASSERT_EQ(idle.size(), 5u);
    EXPECT_EQ(idle.back()["day"], "2024-01-05");
    EXPECT_EQ(idle.back()["reason"], "week reviewed");
    EXPECT_EQ(idle.back()["context"]["week_traded"], json::array());
}

TEST_F(LlmDay, APromptShowsTheIndicatorsOfTheBarsClosedBeforeItsStep) {
    closes_on({"2024-01-01", "2024-01-02"});  // flat on Wednesday: BTC/USDT is screened
    core::RunSummary s = run(0, 3 * 24);
    ASSERT_EQ(s.status, "completed");
    // Wednesday's pre_market (06:30 New York, 11:30 UTC) fires at the close of the bar of 11:00
    // UTC, before the strategy sees that bar: it knows the 59 bars of Monday 00:00 to Wednesday
    // 11:00 UTC.
    std::vector<std::string> screened = prompts("screening", "2024-01-03");
    ASSERT_EQ(screened.size(), 1u);
    const std::string& p = screened[0];
    // The closes as the CSV file has them.
    std::vector<double> closes;
    std::ifstream csv(dir.path() / "bars.csv");
    std::string row;
    std::getline(csv, row);
    while (closes.size() < 59 && std::getline(csv, row))
        closes.push_back(std::stod(row.substr(row.rfind(',', row.rfind(',') - 1) + 1)));
    ASSERT_EQ(closes.size(), 59u);
    EXPECT_NE(p.find("Market (1h bars, 59 received, the latest closed at 2024-01-03T11:00:00Z):"),
              std::string::npos)
        << p;
    double ema20 = 0, ema50 = 0, rsi14 = 0, atr14 = 0;
    const std::size_t at = p.find("\nEMA20 ");
    ASSERT_NE(at, std::string::npos) << p;
    ASSERT_EQ(std::sscanf(p.c_str() + at + 1, "EMA20 %lf, EMA50 %lf, RSI14 %lf, ATR14 %lf", &ema20,
                          &ema50, &rsi14, &atr14),
              4);
    // EMA(20) seeded with the mean of the first 20 closes.
    double ema = 0;
    for (int i = 0; i < 20; ++i)
        ema += closes[static_cast<std::size_t>(i)] / 20;
    for (std::size_t i = 20; i < closes.size(); ++i)
        ema += (closes[i] - ema) * 2 / 21;
    EXPECT_NEAR(ema20, ema, 1e-6);
    EXPECT_NE(p.find("Volume 1, 1.00 x its 20-bar average 1\n"), std::string::npos) << p;
    EXPECT_EQ(p.find("Not enough data"), std::string::npos);
    // Monday's first one has one bar: it says so.
    std::vector<std::string> first = prompts("screening", "2024-01-01");
    ASSERT_EQ(first.size(), 1u);
    EXPECT_NE(first[0].find("Not enough data yet for every indicator: 11 bars received, 50 needed"),
              std::string::npos)
        << first[0];
}

}  // namespace
