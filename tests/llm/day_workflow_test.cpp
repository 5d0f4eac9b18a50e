// The llm_day workflow's state machine: the table, refusals, the error state and a new day after
// it, and the record that survives a restart.
#include "day_workflow.hpp"

#include <gtest/gtest.h>

namespace {

using nlohmann::json;
using orchestrade::llm::DayRecord;
using orchestrade::llm::DayState;
using orchestrade::llm::DayWorkflow;
using orchestrade::llm::transition_allowed;

struct Journaled {
    std::vector<json> entries;
    DayWorkflow workflow(DayRecord record = {}) {
        return DayWorkflow(std::move(record), [this](const std::string& kind, const json& j) {
            EXPECT_EQ(kind, "workflow_transition");
            entries.push_back(j);
        });
    }
};

TEST(DayWorkflow, TheWholeDayFollowsTheTable) {
    Journaled j;
    DayWorkflow w = j.workflow();
    ASSERT_TRUE(w.begin_day("2024-01-05"));
    w.record().context.watchlist = {"BTC/USDT"};
    for (DayState s : {DayState::Analysis, DayState::EntryOptimisation, DayState::Ready,
                       DayState::MarketOpenExecution, DayState::IntradayMonitoring,
                       DayState::EndOfDayReview, DayState::WeeklyReview, DayState::Idle})
        EXPECT_TRUE(w.transition(s, "next")) << orchestrade::llm::state_name(s);
    ASSERT_EQ(j.entries.size(), 9u);
    EXPECT_EQ(j.entries[0]["from"], "idle");
    EXPECT_EQ(j.entries[0]["to"], "pre_market_screening");
    EXPECT_EQ(j.entries[1]["day"], "2024-01-05");
    EXPECT_EQ(j.entries[1]["context"]["watchlist"], json::array({"BTC/USDT"}));
    for (const json& e : j.entries)
        EXPECT_FALSE(e.contains("refused"));
}

TEST(DayWorkflow, AnInvalidTransitionIsRefusedJournaledAndChangesNothing) {
    Journaled j;
    DayWorkflow w = j.workflow();
    EXPECT_FALSE(w.transition(DayState::MarketOpenExecution, "market_open"));
    EXPECT_EQ(w.state(), DayState::Idle);
    ASSERT_EQ(j.entries.size(), 1u);
    EXPECT_EQ(j.entries[0]["refused"], true);
    EXPECT_EQ(j.entries[0]["from"], "idle");
    EXPECT_EQ(j.entries[0]["to"], "market_open_execution");

    EXPECT_FALSE(transition_allowed(DayState::Analysis, DayState::Ready));
    EXPECT_FALSE(transition_allowed(DayState::Idle, DayState::Error));
    EXPECT_FALSE(transition_allowed(DayState::Error, DayState::MarketOpenExecution));
    EXPECT_FALSE(transition_allowed(DayState::WeeklyReview, DayState::WeeklyReview));
}

TEST(DayWorkflow, AFailureEndsTheDayAndTheNextPreMarketStartsANewOne) {
    Journaled j;
    DayWorkflow w = j.workflow();
    w.begin_day("2024-01-02");
    w.fail("screening: invalid answer");
    EXPECT_EQ(w.state(), DayState::Error);
    EXPECT_EQ(w.record().error, "screening: invalid answer");
    EXPECT_FALSE(w.transition(DayState::MarketOpenExecution, "market_open"));
    EXPECT_FALSE(w.transition(DayState::EndOfDayReview, "eod_review"));

    EXPECT_TRUE(w.begin_day("2024-01-03"));
    EXPECT_EQ(w.state(), DayState::PreMarketScreening);
    EXPECT_EQ(w.record().day, "2024-01-03");
    EXPECT_TRUE(w.record().error.empty());
}

TEST(DayWorkflow, ADayLeftUnfinishedIsClosedBeforeTheNextBegins) {
    Journaled j;
    DayWorkflow w = j.workflow();
    w.begin_day("2024-01-02");
    w.transition(DayState::Analysis, "");
    w.record().context.week_traded = {"ETH/USDT"};
    w.record().context.planned = {{"ETH/USDT", 10, 90, 110, ""}};
    w.record().open_entries = {{"2024-01-01", {"BTC/USDT", 10, 98, 103, "why"}}};
    w.begin_day("2024-01-03");
    ASSERT_GE(j.entries.size(), 2u);
    const json& closed = j.entries[j.entries.size() - 2];
    EXPECT_EQ(closed["from"], "analysis");
    EXPECT_EQ(closed["to"], "error");
    EXPECT_TRUE(w.record().context.planned.empty());
    EXPECT_EQ(w.record().context.week_traded, std::vector<std::string>{"ETH/USDT"});
    ASSERT_EQ(w.record().open_entries.size(), 1u);  // positions outlive their day
    EXPECT_EQ(w.record().open_entries[0].trade.symbol, "BTC/USDT");

    // After a daily review that waited for a weekly one, the next day starts from idle.
    DayRecord reviewed;
    reviewed.state = DayState::EndOfDayReview;
    DayWorkflow v = j.workflow(reviewed);
    EXPECT_TRUE(v.begin_day("2024-01-08"));
    EXPECT_EQ(j.entries[j.entries.size() - 2]["to"], "idle");
}

TEST(DayWorkflow, ADayOpenedWithoutAPreMarketEndsTheEarlierOneAndIsStillReviewed) {
    // The earlier day is in error: it ends, and the new day is idle with nothing done.
    Journaled j;
    DayWorkflow w = j.workflow();
    w.begin_day("2024-01-02");
    w.fail("screening: no prices yet");
    w.record().done.insert("monitor_11");
    w.record().context.week_traded = {"ETH/USDT"};
    w.record().open_entries = {{"2024-01-01", {"BTC/USDT", 10, 98, 103, "why"}}};
    w.open_day("2024-01-03");
    EXPECT_EQ(w.state(), DayState::Idle);
    EXPECT_EQ(w.record().day, "2024-01-03");
    EXPECT_TRUE(w.record().done.empty());
    EXPECT_TRUE(w.record().error.empty());
    EXPECT_EQ(w.record().context.week_traded, std::vector<std::string>{"ETH/USDT"});
    ASSERT_EQ(w.record().open_entries.size(), 1u);
    EXPECT_EQ(j.entries.back()["from"], "error");
    EXPECT_EQ(j.entries.back()["to"], "idle");
    EXPECT_EQ(j.entries.back()["day"], "2024-01-02");
    // Its review follows; so could its pre-market, keeping the steps it already ran.
    EXPECT_TRUE(transition_allowed(DayState::Idle, DayState::EndOfDayReview));
    w.record().done.insert("monitor_11");
    EXPECT_TRUE(w.begin_day("2024-01-03"));
    EXPECT_EQ(w.record().done, std::set<std::string>{"monitor_11"});
    for (const json& e : j.entries)
        EXPECT_FALSE(e.contains("refused")) << e;

    // An unfinished day ends in error first, then idle.
    Journaled k;
    DayWorkflow v = k.workflow();
    v.begin_day("2024-01-02");
    v.transition(DayState::Analysis, "");
    v.open_day("2024-01-03");
    ASSERT_EQ(k.entries.size(), 4u);
    EXPECT_EQ(k.entries[2]["to"], "error");
    EXPECT_EQ(k.entries[3]["to"], "idle");
    EXPECT_EQ(v.state(), DayState::Idle);
    EXPECT_TRUE(v.record().error.empty());

    // An idle day has nothing to end: only the day changes.
    Journaled l;
    DayWorkflow u = l.workflow();
    u.open_day("2024-01-03");
    EXPECT_TRUE(l.entries.empty());
    EXPECT_EQ(u.record().day, "2024-01-03");
    // A day in error is never reviewed into the normal path, nor sent to market open.
    EXPECT_FALSE(transition_allowed(DayState::Error, DayState::EndOfDayReview));
    EXPECT_FALSE(transition_allowed(DayState::Error, DayState::IntradayMonitoring));
}

TEST(DayWorkflow, TheRecordSurvivesARestart) {
    DayRecord r;
    r.state = DayState::IntradayMonitoring;
    r.day = "2024-01-03";
    r.done = {"pre_market", "market_open"};
    r.context.watchlist = {"BTC/USDT", "ETH/USDT"};
    r.context.analysed = {"BTC/USDT"};
    r.context.planned = {{"BTC/USDT", 10, 98, 103, "why"}};
    r.context.executed = {"BTC/USDT"};
    r.open_entries = {{"2024-01-02", {"ETH/USDT", 5, 90, 110, "carried"}}};
    DayRecord back = DayRecord::from_json(json::parse(r.to_json().dump()));
    EXPECT_EQ(back.to_json(), r.to_json());
    EXPECT_EQ(back.state, DayState::IntradayMonitoring);
    EXPECT_EQ(back.done.count("market_open"), 1u);
    ASSERT_EQ(back.context.planned.size(), 1u);
    EXPECT_EQ(back.context.planned[0].take_profit, 103);
    ASSERT_EQ(back.open_entries.size(), 1u);
    EXPECT_EQ(back.open_entries[0].day, "2024-01-02");
    EXPECT_EQ(back.open_entries[0].trade.stop_loss, 90);
}

}  // namespace
