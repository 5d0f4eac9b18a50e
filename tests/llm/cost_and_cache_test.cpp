// Prices, the budget kept across restarts, and the response cache in both of its stores.
#include "cost_ledger.hpp"
#include "response_cache.hpp"

#include <orchestrade/testing/fake_host.hpp>
#include <orchestrade/testing/temp_dir.hpp>

#include <gtest/gtest.h>

namespace llm = orchestrade::llm;
namespace ot = orchestrade::testing;
using orchestrade::sdk::Host;

namespace {

constexpr int64_t kDay1 = 1704067200000;  // 2024-01-01T00:00:00Z
constexpr int64_t kDay2 = kDay1 + 86400000;

llm::Reply answer(const std::string& text) {
    llm::Reply r;
    r.kind = llm::ReplyKind::Answer;
    r.text = text;
    r.usage.input = 800;
    r.usage.cached_input = 200;
    r.usage.output = 100;
    return r;
}

// What refusal() says, "" when the call may go.
std::string refusal_text(llm::Budget& b, double worst_case_usd) {
    std::optional<llm::BudgetRefusal> r = b.refusal(worst_case_usd);
    return r ? r->cause + ": " + r->text : "";
}

}  // namespace

TEST(Prices, BuiltInPricesFollowTheListAndMatchSnapshotsAndVendors) {
    llm::PriceTable t = llm::PriceTable::builtin();
    ASSERT_TRUE(t.find("gpt-5-mini"));
    EXPECT_EQ(t.find("gpt-5-mini")->input, 0.25);
    EXPECT_EQ(t.find("gpt-5-mini")->cached_input, 0.025);
    EXPECT_EQ(t.find("gpt-5-mini")->output, 2.00);
    EXPECT_EQ(t.find("claude-haiku-4-5-20251001")->output, 5.00);
    EXPECT_EQ(t.find("openai/gpt-5-nano")->input, 0.05);
    EXPECT_FALSE(t.find("gpt-5"));  // not a dated gpt-5-mini
    EXPECT_FALSE(t.find("llama3.1:8b"));
}

TEST(Prices, ATableInParamsAddsAndReplacesModels) {
    llm::PriceTable t = llm::PriceTable::builtin();
    t.merge(nlohmann::json::parse(
        R"({"llama3.1:8b": {"input": 0, "output": 0}, "gpt-5-mini": {"input": 1, "output": 4}})"));
    EXPECT_EQ(t.find("llama3.1:8b")->output, 0);
    llm::Price p = *t.find("gpt-5-mini");
    EXPECT_EQ(p.cached_input, 1);  // not given: as input
    EXPECT_EQ(p.cache_write, 1.25);
    EXPECT_THROW(t.merge(nlohmann::json::parse(R"({"m": {"input": 1}})")), std::invalid_argument);
    EXPECT_THROW(t.merge(nlohmann::json::parse(R"({"m": {"input": 1, "output": -2}})")),
                 std::invalid_argument);
    EXPECT_THROW(t.merge(nlohmann::json::parse(R"({"m": {"input": 1, "output": 2, "inptu": 3}})")),
                 std::invalid_argument);
}

TEST(Prices, ACallCostsEachKindOfTokenAtItsPrice) {
    llm::Price p{0.25, 0.025, 0.3125, 2.0};
    llm::Usage u;
    u.input = 800;
    u.cached_input = 200;
    u.cache_write = 100;
    u.output = 100;
    EXPECT_DOUBLE_EQ(llm::cost_usd(p, u),
                     (800 * 0.25 + 200 * 0.025 + 100 * 0.3125 + 100 * 2.0) / 1e6);
}

TEST(Budget, ItRefusesACallThatCouldGoOverTheDailyLimit) {
    ot::FakeHost host(OT_MODE_PAPER);
    host.set_now_ms(kDay1 + 1000);
    llm::Budget b(Host(host.table()), 1.0, std::nullopt);
    EXPECT_EQ(refusal_text(b, 0.5), "");
    b.settle({}, 0.75);
    EXPECT_EQ(refusal_text(b, 0.25), "");
    EXPECT_EQ(refusal_text(b, 0.3),
              "daily_budget: the daily budget is spent: $0.7500 of $1.0000 on 2024-01-01, and the "
              "next call may cost up to $0.3000");
    EXPECT_EQ(host.kv().at("spent_usd/2024-01-01"), "0.75");
}

TEST(Budget, TheDaysSpendSurvivesARestartAndANewDayStartsAtZero) {
    ot::FakeHost host(OT_MODE_PAPER);
    host.set_now_ms(kDay1);
    {
        llm::Budget b(Host(host.table()), 1.0, std::nullopt);
        b.settle({}, 0.9);
    }
    llm::Budget restarted(Host(host.table()), 1.0, std::nullopt);
    EXPECT_DOUBLE_EQ(restarted.spent_today(), 0.9);
    EXPECT_NE(refusal_text(restarted, 0.2), "");
    host.set_now_ms(kDay2);
    EXPECT_EQ(restarted.spent_today(), 0);
    EXPECT_EQ(refusal_text(restarted, 0.2), "");
}

TEST(Budget, AReservedWorstCaseIsStoredUntilTheCallIsSettled) {
    ot::FakeHost host(OT_MODE_PAPER);
    host.set_now_ms(kDay1);
    {
        llm::Budget b(Host(host.table()), 1.0, std::nullopt);
        b.settle({}, 0.25);
        b.reserve(0.5);
        EXPECT_DOUBLE_EQ(b.spent_today(), 0.75);
        EXPECT_NE(refusal_text(b, 0.3), "");  // the call out counts
        EXPECT_DOUBLE_EQ(std::stod(host.kv().at("spent_usd/2024-01-01")), 0.75);
    }
    // A crash while the call was out: it stays counted at its worst case.
    llm::Budget restarted(Host(host.table()), 1.0, std::nullopt);
    EXPECT_DOUBLE_EQ(restarted.spent_today(), 0.75);

    llm::Budget b(Host(host.table()), 1.0, std::nullopt);
    const llm::Reservation out = b.reserve(0.2);
    b.settle(out, 0.05);  // the call came back: its charge replaces its worst case
    EXPECT_DOUBLE_EQ(b.spent_today(), 0.8);
    EXPECT_DOUBLE_EQ(std::stod(host.kv().at("spent_usd/2024-01-01")), 0.8);
}

// A call out over midnight UTC is charged once, to the day it was sent on.
TEST(Budget, ACallBackAfterMidnightIsChargedToTheDayItWasSentOn) {
    ot::FakeHost host(OT_MODE_PAPER);
    host.set_now_ms(kDay2 - 1000);
    llm::Budget b(Host(host.table()), 1.0, std::nullopt);
    b.settle({}, 0.25);
    const llm::Reservation out = b.reserve(0.5);
    host.set_now_ms(kDay2 + 5000);
    b.settle(out, 0.1);
    EXPECT_DOUBLE_EQ(b.spent_today(), 0) << "nothing was sent on the new day";
    EXPECT_DOUBLE_EQ(std::stod(host.kv().at("spent_usd/2024-01-01")), 0.35);
    EXPECT_EQ(refusal_text(b, 1.0), "");
}

// A backtest's days are simulated: each backtest starts with its full budget, whatever earlier
// runs on the same journal spent on those days, and stores nothing.
TEST(Budget, EachBacktestStartsWithItsFullBudget) {
    ot::FakeHost host(OT_MODE_BACKTEST);
    host.set_now_ms(kDay1);
    for (int run = 0; run < 3; ++run) {
        llm::Budget b(Host(host.table()), 1.0, std::nullopt);
        EXPECT_EQ(refusal_text(b, 0.5), "") << "run " << run;
        b.settle(b.reserve(0.5), 0.75);
        EXPECT_DOUBLE_EQ(b.spent_today(), 0.75);
        EXPECT_NE(refusal_text(b, 0.5), "") << "the day's limit holds within the run";
    }
    EXPECT_EQ(host.kv().count("spent_usd/2024-01-01"), 0u);
}

TEST(Budget, ARunLimitCapsTheRunWhateverTheDay) {
    ot::FakeHost host(OT_MODE_PAPER);
    host.set_now_ms(kDay1);
    llm::Budget b(Host(host.table()), 100, 0.5);
    b.settle({}, 0.4);
    host.set_now_ms(kDay2);
    EXPECT_NE(refusal_text(b, 0.2).find("run_budget: the run budget is spent: $0.4000 of $0.5000"),
              std::string::npos);
    EXPECT_EQ(refusal_text(b, 0.1), "");
}

TEST(Budget, AZeroBudgetStillAllowsFreeCalls) {
    ot::FakeHost host;
    llm::Budget b(Host(host.table()), 0, std::nullopt);
    EXPECT_EQ(refusal_text(b, 0), "");
    EXPECT_NE(refusal_text(b, 0.0001), "");
}

TEST(ResponseCache, AnswersAreRecordedInTheKeyValueStateAndReplayed) {
    ot::FakeHost host;
    llm::ResponseCache cache(Host(host.table()), llm::CacheMode::ReadWrite, "");
    EXPECT_FALSE(cache.find("abc"));
    cache.store("abc", answer("{\"action\":\"HOLD\"}"));
    EXPECT_EQ(host.kv().count("cache/abc"), 1u);
    llm::ResponseCache restarted(Host(host.table()), llm::CacheMode::ReadWrite, "");
    std::optional<llm::Reply> hit = restarted.find("abc");
    ASSERT_TRUE(hit);
    EXPECT_EQ(hit->kind, llm::ReplyKind::Answer);
    EXPECT_EQ(hit->text, "{\"action\":\"HOLD\"}");
    EXPECT_EQ(hit->usage.cached_input, 200);
}

TEST(ResponseCache, ErrorsAreNotRecordedButTruncationsAndRefusalsAre) {
    ot::FakeHost host;
    llm::ResponseCache cache(Host(host.table()), llm::CacheMode::ReadWrite, "");
    llm::Reply error;
    error.kind = llm::ReplyKind::HttpError;
    cache.store("e", error);
    llm::Reply cut = answer("{\"act");
    cut.kind = llm::ReplyKind::Truncated;
    cache.store("t", cut);
    llm::Reply refused;
    refused.kind = llm::ReplyKind::Refused;
    cache.store("r", refused);
    EXPECT_FALSE(cache.find("e"));
    EXPECT_EQ(cache.find("t")->kind, llm::ReplyKind::Truncated);
    EXPECT_EQ(cache.find("r")->kind, llm::ReplyKind::Refused);
}

TEST(ResponseCache, ReplayOnlyNeverRecordsAndOffNeverReplays) {
    ot::FakeHost host;
    llm::ResponseCache(Host(host.table()), llm::CacheMode::ReadWrite, "").store("k", answer("x"));
    llm::ResponseCache replay(Host(host.table()), llm::CacheMode::ReplayOnly, "");
    replay.store("new", answer("y"));
    EXPECT_EQ(host.kv().count("cache/new"), 0u);
    EXPECT_TRUE(replay.find("k"));
    EXPECT_FALSE(llm::ResponseCache(Host(host.table()), llm::CacheMode::Off, "").find("k"));
}

TEST(ResponseCache, AFileCacheIsSharedBetweenHosts) {
    ot::TempDir dir;
    std::string file = (dir.path() / "answers.jsonl").string();
    {
        ot::FakeHost host;
        llm::ResponseCache cache(Host(host.table()), llm::CacheMode::ReadWrite, file);
        cache.store("h1", answer("one"));
        cache.store("h2", answer("two"));
        EXPECT_TRUE(host.kv().empty());
    }
    ot::FakeHost other;
    llm::ResponseCache cache(Host(other.table()), llm::CacheMode::ReplayOnly, file);
    EXPECT_EQ(cache.find("h2")->text, "two");
    EXPECT_EQ(cache.find("h1")->text, "one");
    EXPECT_FALSE(cache.find("h3"));
}
