// The decision loop against a scripted provider: one retry at most, HOLD with the reason on
// anything unusable, rate-limit pauses, the budget, the cache and the journal.
#include "decider.hpp"
#include "sha256.hpp"

#include <orchestrade/testing/fake_host.hpp>

#include <gtest/gtest.h>

#include <deque>
#include <functional>

namespace llm = orchestrade::llm;
namespace ot = orchestrade::testing;
using nlohmann::json;

namespace {

constexpr int64_t kNow = 1704074400000;  // 2024-01-01T02:00:00Z

// A host's OT_EXT_STOP whose wait is recorded instead of slept.
int64_t waited_ms = -1;
int32_t OT_CALL never_stops(const ot_host*) {
    return 0;
}
ot_status OT_CALL watch_group(const ot_host*, int64_t) {
    return OT_OK;
}
void OT_CALL forget_group(const ot_host*, int64_t) {}
int32_t OT_CALL record_wait(const ot_host*, int64_t ms) {
    waited_ms = ms;
    return 0;
}
const ot_stop_ext kRecordedWait = {sizeof(ot_stop_ext), 0,          never_stops, watch_group,
                                   forget_group,        record_wait};

class ScriptedProvider : public llm::Provider {
  public:
    const char* name() const override { return "scripted"; }
    std::string identity() const override { return "scripted"; }
    std::string payload(const llm::ChatRequest& r) const override {
        json messages = json::array();
        for (const llm::Message& m : r.messages)
            messages.push_back({m.role, m.content});
        return json{{"system", r.system}, {"messages", messages}}.dump();
    }
    llm::Reply send(const std::string& payload) override {
        sent.push_back(payload);
        if (on_send) on_send();
        if (replies.empty()) throw std::runtime_error("no scripted reply left");
        llm::Reply r = replies.front();
        replies.pop_front();
        return r;
    }

    std::deque<llm::Reply> replies;
    std::vector<std::string> sent;
    std::function<void()> on_send;  // runs while the call is out
};

llm::Reply answer(const std::string& text) {
    llm::Reply r;
    r.kind = llm::ReplyKind::Answer;
    r.text = text;
    r.http_status = 200;
    r.usage.input = 1000;
    r.usage.cached_input = 500;
    r.usage.output = 100;
    return r;
}

// An answer as the command provider reads it from a CLI that does not state its cost.
llm::Reply answer_without_cost(const std::string& text) {
    llm::Reply r = answer(text);
    r.billing = llm::Billing::Unknown;
    return r;
}

llm::Reply failure(llm::ReplyKind kind, int status = 0, int64_t retry_after_ms = -1) {
    llm::Reply r;
    r.kind = kind;
    r.http_status = status;
    r.retry_after_ms = retry_after_ms;
    r.error = std::string(llm::to_string(kind)) + " " + std::to_string(status);
    return r;
}

const std::string kBuy =
    R"({"action":"BUY","symbol":"BTC/USDT","confidence":0.8,"position_size_pct":10,)"
    R"("stop_loss":49000,"take_profit":52000,"invalidation_condition":"below 49k","rationale":"up"})";

class DeciderTest : public ::testing::Test {
  protected:
    DeciderTest() { host.set_now_ms(kNow); }

    llm::Decider decider(llm::CacheMode mode = llm::CacheMode::Off, double budget_usd = 5,
                         double min_confidence = 0) {
        llm::DeciderSettings s;
        s.model = "gpt-5-mini";
        s.price = llm::Price{0.25, 0.025, 0, 2.0};
        s.max_tokens = 512;
        s.min_confidence = min_confidence;
        return decider(s, mode, budget_usd);
    }
    // A command's settings: no token prices, a stated most per call.
    llm::Decider command_decider(double max_call_cost_usd, double budget_usd) {
        llm::DeciderSettings s;
        s.model = "haiku";
        s.max_call_cost_usd = max_call_cost_usd;
        return decider(s, llm::CacheMode::Off, budget_usd);
    }
    llm::Decider decider(const llm::DeciderSettings& s, llm::CacheMode mode, double budget_usd) {
        cache.emplace(orchestrade::sdk::Host(host.table()), mode, "");
        budget.emplace(orchestrade::sdk::Host(host.table()), budget_usd, std::nullopt);
        return llm::Decider(orchestrade::sdk::Host(host.table()), provider, *cache, *budget, s);
    }
    double stored_spend() {
        auto it = host.kv().find("spent_usd/2024-01-01");
        return it == host.kv().end() ? 0 : std::stod(it->second);
    }
    llm::Verdict decide(llm::Decider& d) {
        return d.decide({"system prompt", {{"user", "market data"}}}, market, kNow);
    }
    std::vector<json> records(const std::string& kind) const {
        std::vector<json> out;
        for (const ot::JournalRecord& r : host.journal())
            if (r.kind == kind) out.push_back(json::parse(r.json));
        return out;
    }

    ot::FakeHost host;
    ScriptedProvider provider;
    std::optional<llm::ResponseCache> cache;
    std::optional<llm::Budget> budget;
    llm::MarketContext market{{"BTC/USDT", {50000, 0}}, {"ETH/USDT", {3000, 0}}};
};

}  // namespace

TEST_F(DeciderTest, AValidAnswerIsAcceptedAndJournaledWithItsCost) {
    llm::Decider d = decider();
    provider.replies = {answer(kBuy)};
    llm::Verdict v = decide(d);
    ASSERT_TRUE(v.accepted);
    EXPECT_EQ(v.decision.action, OT_ACTION_BUY);
    EXPECT_EQ(v.decision.stop_loss, 49000);
    ASSERT_EQ(provider.sent.size(), 1u);
    EXPECT_EQ(v.prompt_hash, llm::sha256_hex("scripted\n" + provider.sent[0]));

    std::vector<json> calls = records("llm_call");
    ASSERT_EQ(calls.size(), 1u);
    const json& c = calls[0];
    EXPECT_EQ(c["provider"], "scripted");
    EXPECT_EQ(c["model"], "gpt-5-mini");
    EXPECT_EQ(c["prompt_hash"], v.prompt_hash);
    EXPECT_EQ(c["outcome"], "answer");
    EXPECT_EQ(c["result"], "accepted");
    EXPECT_EQ(c["cached"], false);
    EXPECT_EQ(c["time_ms"], kNow);
    EXPECT_EQ(c["input_tokens"], 1000);
    EXPECT_EQ(c["cached_input_tokens"], 500);
    EXPECT_EQ(c["output_tokens"], 100);
    EXPECT_DOUBLE_EQ(c["cost_usd"].get<double>(), (1000 * 0.25 + 500 * 0.025 + 100 * 2.0) / 1e6);
    EXPECT_DOUBLE_EQ(c["spent_today_usd"].get<double>(), c["cost_usd"].get<double>());
    EXPECT_EQ(c["latency_ms"], 0);  // the test's clock does not move
    EXPECT_EQ(c["raw_answer"], kBuy);
    EXPECT_EQ(c["decision"]["action"], "BUY");
    EXPECT_FALSE(c.contains("prompt"));
}

TEST_F(DeciderTest, AnInvalidAnswerIsRetriedOnceWithTheReason) {
    llm::Decider d = decider();
    provider.replies = {answer("Buy BTC, it is going up!"), answer(kBuy)};
    llm::Verdict v = decide(d);
    ASSERT_TRUE(v.accepted);
    ASSERT_EQ(provider.sent.size(), 2u);
    json second = json::parse(provider.sent[1]);
    ASSERT_EQ(second["messages"].size(), 3u);
    EXPECT_EQ(second["messages"][1][1], "Buy BTC, it is going up!");
    EXPECT_NE(second["messages"][2][1].get<std::string>().find("the answer is not valid JSON"),
              std::string::npos);
    std::vector<json> calls = records("llm_call");
    ASSERT_EQ(calls.size(), 2u);
    EXPECT_EQ(calls[0]["outcome"], "invalid");
    EXPECT_EQ(calls[0]["result"], "retry");
    EXPECT_EQ(calls[0]["error"], "invalid answer: the answer is not valid JSON");
    EXPECT_EQ(calls[1]["attempt"], 2);
    EXPECT_EQ(calls[1]["result"], "accepted");
}

TEST_F(DeciderTest, TwoInvalidAnswersMakeAHoldAndNoThirdRequest) {
    llm::Decider d = decider();
    provider.replies = {answer(R"({"action":"LONG"})"), answer(R"({"action":"BUY","symbol":"X"})"),
                        answer(kBuy)};
    llm::Verdict v = decide(d);
    EXPECT_FALSE(v.accepted);
    EXPECT_EQ(v.decision.action, OT_ACTION_HOLD);
    EXPECT_EQ(v.reason, "invalid answer: symbol 'X' is not one asked about (BTC/USDT, ETH/USDT)");
    EXPECT_EQ(provider.sent.size(), 2u);
    EXPECT_EQ(records("llm_call").back()["result"], "hold");
}

TEST_F(DeciderTest, ATransportOrServerErrorResendsTheSameRequestOnce) {
    llm::Decider d = decider();
    provider.replies = {failure(llm::ReplyKind::Transport), answer(kBuy)};
    EXPECT_TRUE(decide(d).accepted);
    ASSERT_EQ(provider.sent.size(), 2u);
    EXPECT_EQ(provider.sent[0], provider.sent[1]);

    provider.sent.clear();
    provider.replies = {failure(llm::ReplyKind::HttpError, 503),
                        failure(llm::ReplyKind::HttpError, 500)};
    llm::Verdict v = decide(d);
    EXPECT_FALSE(v.accepted);
    EXPECT_EQ(v.reason, "http_error 500");
    EXPECT_EQ(provider.sent.size(), 2u);
}

TEST_F(DeciderTest, ClientErrorsRefusalsAndMalformedBodies) {
    llm::Decider d = decider();
    provider.replies = {failure(llm::ReplyKind::HttpError, 401)};
    EXPECT_EQ(decide(d).reason, "http_error 401");
    EXPECT_EQ(provider.sent.size(), 1u);  // a bad key does not get better

    provider.replies = {failure(llm::ReplyKind::Refused)};
    EXPECT_FALSE(decide(d).accepted);
    EXPECT_EQ(provider.sent.size(), 2u);

    provider.replies = {failure(llm::ReplyKind::Malformed, 200),
                        failure(llm::ReplyKind::Malformed, 200)};
    EXPECT_FALSE(decide(d).accepted);
    EXPECT_EQ(provider.sent.size(), 4u);
}

TEST_F(DeciderTest, ATruncatedAnswerIsRetriedWithTheReason) {
    llm::Decider d = decider();
    llm::Reply cut = answer(R"({"action":"BUY","symbol":"BTC/US)");
    cut.kind = llm::ReplyKind::Truncated;
    cut.error = "the answer was cut off at max_tokens";
    provider.replies = {cut, answer(kBuy)};
    EXPECT_TRUE(decide(d).accepted);
    EXPECT_NE(provider.sent[1].find("the answer was cut off"), std::string::npos);
    EXPECT_EQ(records("llm_call")[0]["outcome"], "truncated");
}

TEST_F(DeciderTest, ARateLimitPausesCallsUntilItsRetryAfter) {
    host.set_mode(OT_MODE_PAPER);  // the host's clock is the real one
    llm::Decider d = decider();
    provider.replies = {failure(llm::ReplyKind::RateLimited, 429, 120000)};
    EXPECT_FALSE(decide(d).accepted);
    EXPECT_EQ(provider.sent.size(), 1u);

    host.set_now_ms(kNow + 119000);
    llm::Verdict paused = decide(d);
    EXPECT_EQ(paused.reason, "rate limited: the provider asked to wait until 2024-01-01T02:02:00Z");
    EXPECT_EQ(provider.sent.size(), 1u);
    EXPECT_EQ(records("llm_hold").back()["reason"], paused.reason);

    host.set_now_ms(kNow + 120000);
    provider.replies = {answer(kBuy)};
    EXPECT_TRUE(decide(d).accepted);
    EXPECT_EQ(provider.sent.size(), 2u);
}

TEST_F(DeciderTest, ARateLimitWithoutRetryAfterPausesAMinute) {
    host.set_mode(OT_MODE_PAPER);
    llm::Decider d = decider();
    provider.replies = {failure(llm::ReplyKind::RateLimited, 429)};
    decide(d);
    host.set_now_ms(kNow + 59999);
    decide(d);
    EXPECT_EQ(provider.sent.size(), 1u);
    host.set_now_ms(kNow + 60000);
    provider.replies = {answer(kBuy)};
    decide(d);
    EXPECT_EQ(provider.sent.size(), 2u);
}

TEST_F(DeciderTest, AnAccountOutOfMoneyStopsCallsUntilTheNextUtcDay) {
    host.set_mode(OT_MODE_PAPER);
    llm::Decider d = decider();
    provider.replies = {failure(llm::ReplyKind::OutOfFunds, 429)};
    llm::Verdict held = decide(d);
    EXPECT_EQ(held.reason,
              "the provider's account is out of money (out_of_funds 429): no calls until "
              "2024-01-02T00:00:00Z or a restart");
    EXPECT_EQ(records("llm_call")[0]["cost_usd"], 0);
    EXPECT_EQ(records("llm_call")[0]["outcome"], "out_of_funds");

    host.set_now_ms(kNow + 3'600'000);
    EXPECT_EQ(decide(d).reason, held.reason);
    EXPECT_EQ(provider.sent.size(), 1u);
    EXPECT_EQ(host.logs_containing("out of money", OT_LOG_ERROR).size(), 1u);
    EXPECT_EQ(host.logs_containing("out of money").size(), 1u);  // no warning besides

    host.set_now_ms(kNow + 22 * 3'600'000);  // 2024-01-02T00:00:00Z
    provider.replies = {answer(kBuy)};
    EXPECT_TRUE(decide(d).accepted);
    EXPECT_EQ(provider.sent.size(), 2u);
}

TEST_F(DeciderTest, ABacktestWaitsOutARateLimitInRealTimeAndAsksAgain) {
    host.set_extension(OT_EXT_STOP, &kRecordedWait);
    llm::Decider d = decider();  // the fixture's host is a backtest's: its clock does not move
    provider.replies = {failure(llm::ReplyKind::RateLimited, 429, 300), answer(kBuy)};
    waited_ms = -1;
    EXPECT_TRUE(decide(d).accepted);
    EXPECT_EQ(waited_ms, 300) << "the host waits, in real time";
    ASSERT_EQ(provider.sent.size(), 2u);
    EXPECT_EQ(provider.sent[1], provider.sent[0]);  // the same request again
    EXPECT_EQ(records("llm_call")[0]["result"], "retry");
    EXPECT_EQ(host.logs_containing("the backtest waits 0.3 s for the provider").size(), 1u);
}

TEST_F(DeciderTest, ABacktestWhoseAccountIsOutOfMoneyMakesNoMoreCalls) {
    llm::Decider d = decider();
    provider.replies = {failure(llm::ReplyKind::OutOfFunds, 402)};
    const std::string reason = decide(d).reason;
    EXPECT_EQ(reason,
              "the provider's account is out of money (out_of_funds 402): no calls for the rest "
              "of this backtest");
    host.set_now_ms(kNow + 3 * 86'400'000);  // simulated days later
    provider.replies = {answer(kBuy)};
    EXPECT_EQ(decide(d).reason, reason);
    EXPECT_EQ(provider.sent.size(), 1u);
}

TEST_F(DeciderTest, NoCallIsMadeOnceTheBudgetCannotCoverIt) {
    // A call may cost up to (payload bytes x 0.25 + 512 x 2) / 1e6, about $0.00105.
    llm::Decider d = decider(llm::CacheMode::Off, 0.0015);
    provider.replies = {answer(kBuy), answer(kBuy)};
    EXPECT_TRUE(decide(d).accepted);
    llm::Verdict v = decide(d);
    EXPECT_FALSE(v.accepted);
    EXPECT_EQ(provider.sent.size(), 1u);
    EXPECT_NE(v.reason.find("the daily budget is spent: $0.0005 of $0.0015 on 2024-01-01"),
              std::string::npos);
    EXPECT_EQ(records("llm_hold").back()["reason"], v.reason);
}

TEST_F(DeciderTest, ARecordedAnswerIsReplayedWithoutACall) {
    llm::Decider d = decider(llm::CacheMode::ReadWrite);
    provider.replies = {answer("not json"), answer(kBuy)};
    llm::Verdict first = decide(d);
    ASSERT_TRUE(first.accepted);
    EXPECT_FALSE(first.cached);
    llm::Verdict again = decide(d);
    EXPECT_EQ(provider.sent.size(), 2u);  // both the bad answer and the retry were replayed
    ASSERT_TRUE(again.accepted);
    EXPECT_TRUE(again.cached);
    EXPECT_EQ(again.prompt_hash, first.prompt_hash);
    std::vector<json> calls = records("llm_call");
    ASSERT_EQ(calls.size(), 4u);
    EXPECT_EQ(calls[2]["cached"], true);
    EXPECT_EQ(calls[2]["cost_usd"], 0.0);
}

TEST_F(DeciderTest, ReplayOnlyHoldsOnAMissWithoutCalling) {
    llm::Decider d = decider(llm::CacheMode::ReplayOnly);
    llm::Verdict v = decide(d);
    EXPECT_FALSE(v.accepted);
    EXPECT_EQ(v.reason, "no recorded answer for this prompt (cache: replay_only)");
    EXPECT_TRUE(provider.sent.empty());
    EXPECT_EQ(records("llm_hold").back()["prompt_hash"], v.prompt_hash);
}

TEST_F(DeciderTest, ALowConfidenceDecisionIsAHold) {
    llm::Decider d = decider(llm::CacheMode::Off, 5, 0.9);
    provider.replies = {answer(kBuy)};
    llm::Verdict v = decide(d);
    EXPECT_FALSE(v.accepted);
    EXPECT_EQ(v.reason, "confidence 0.8 is below min_confidence 0.9");
    EXPECT_EQ(provider.sent.size(), 1u);
    EXPECT_EQ(records("llm_call")[0]["decision"]["action"], "BUY");
    EXPECT_EQ(records("llm_call")[0]["result"], "hold");
}

TEST_F(DeciderTest, AProviderThatThrowsIsATransportError) {
    llm::Decider d = decider();
    llm::Verdict v = decide(d);  // nothing scripted: send throws twice
    EXPECT_FALSE(v.accepted);
    EXPECT_EQ(v.reason, "no scripted reply left");
    EXPECT_EQ(provider.sent.size(), 2u);
}

TEST_F(DeciderTest, AHoldReasonIsLoggedOnceUntilItChanges) {
    llm::Decider d = decider(llm::CacheMode::ReplayOnly);
    for (int i = 0; i < 3; ++i)
        decide(d);
    EXPECT_EQ(host.logs_containing("llm: HOLD: no recorded answer", OT_LOG_WARN).size(), 1u);
}

// The worst case of one request of these tests at gpt-5-mini prices (see decider()).
double worst_case(const std::string& payload) {
    return (static_cast<double>(payload.size()) * 0.25 + 512 * 2.0) / 1e6;
}

TEST_F(DeciderTest, ACallWhoseOutcomeIsUnknownIsChargedItsWorstCase) {
    host.set_mode(OT_MODE_PAPER);  // where the day's spend is stored
    llm::Decider d = decider();
    llm::Reply timeout = failure(llm::ReplyKind::Transport);
    timeout.billing = llm::Billing::Unknown;  // the request left; the answer never came
    provider.replies = {timeout, answer(kBuy)};
    ASSERT_TRUE(decide(d).accepted);
    ASSERT_EQ(provider.sent.size(), 2u);
    const double worst = worst_case(provider.sent[0]);
    const double billed = (1000 * 0.25 + 500 * 0.025 + 100 * 2.0) / 1e6;
    std::vector<json> calls = records("llm_call");
    EXPECT_DOUBLE_EQ(calls[0]["cost_usd"].get<double>(), worst);
    EXPECT_EQ(calls[0]["cost_estimated"], true);
    EXPECT_DOUBLE_EQ(calls[1]["cost_usd"].get<double>(), billed);
    EXPECT_EQ(calls[1]["cost_estimated"], false);
    EXPECT_DOUBLE_EQ(stored_spend(), worst + billed);
}

TEST_F(DeciderTest, AnUnknownOutcomeIsNotResentBeyondTheBudget) {
    // One request's worst case is about $0.00105: after a timeout charged that, a resend does not
    // fit in $0.0015.
    llm::Decider d = decider(llm::CacheMode::Off, 0.0015);
    llm::Reply timeout = failure(llm::ReplyKind::Transport);
    timeout.billing = llm::Billing::Unknown;
    provider.replies = {timeout, answer(kBuy)};
    llm::Verdict v = decide(d);
    EXPECT_FALSE(v.accepted);
    EXPECT_EQ(provider.sent.size(), 1u);
    EXPECT_NE(v.reason.find("the daily budget is spent"), std::string::npos) << v.reason;
}

TEST_F(DeciderTest, ARequestThatNeverLeftCostsNothing) {
    llm::Decider d = decider();
    llm::Reply disabled = failure(llm::ReplyKind::Transport);
    disabled.billing = llm::Billing::NotSent;  // HTTP disabled, or the command did not start
    provider.replies = {disabled, disabled};
    EXPECT_FALSE(decide(d).accepted);
    EXPECT_EQ(records("llm_call")[0]["cost_usd"], 0.0);
    EXPECT_EQ(stored_spend(), 0);
}

TEST_F(DeciderTest, AnAnswerWithoutAStatedCostIsChargedMaxCallCost) {
    llm::Decider d = command_decider(0.002, 0.005);
    provider.replies = {answer_without_cost(kBuy), answer_without_cost(kBuy),
                        answer_without_cost(kBuy)};
    EXPECT_TRUE(decide(d).accepted);
    EXPECT_TRUE(decide(d).accepted);
    llm::Verdict third = decide(d);  // $0.004 spent: $0.002 more does not fit in $0.005
    EXPECT_FALSE(third.accepted);
    EXPECT_EQ(provider.sent.size(), 2u);
    EXPECT_NE(third.reason.find("the daily budget is spent: $0.0040 of $0.0050"), std::string::npos)
        << third.reason;
    EXPECT_DOUBLE_EQ(records("llm_call")[0]["cost_usd"].get<double>(), 0.002);
    EXPECT_EQ(records("llm_call")[0]["cost_estimated"], true);
}

TEST_F(DeciderTest, TheFirstCallOfAProcessIsBudgetedAtItsWorstCaseToo) {
    // Nothing spent yet and no cost seen: the first call may still cost up to max_call_cost_usd.
    llm::Decider d = command_decider(0.01, 0.005);
    provider.replies = {answer(kBuy)};
    llm::Verdict v = decide(d);
    EXPECT_FALSE(v.accepted);
    EXPECT_TRUE(provider.sent.empty());
    EXPECT_NE(v.reason.find("the next call may cost up to $0.0100"), std::string::npos) << v.reason;
}

TEST_F(DeciderTest, AStatedCostIsChargedAndAboveTheWorstCaseRaisesIt) {
    host.set_mode(OT_MODE_PAPER);
    llm::Decider d = command_decider(0.001, 0.005);
    llm::Reply dear = answer(kBuy);
    dear.usage.reported_cost_usd = 0.003;
    provider.replies = {dear, answer(kBuy)};
    EXPECT_TRUE(decide(d).accepted);
    EXPECT_DOUBLE_EQ(stored_spend(), 0.003);
    EXPECT_EQ(records("llm_call")[0]["cost_estimated"], false);
    EXPECT_EQ(host.logs_containing("raise max_call_cost_usd", OT_LOG_WARN).size(), 1u);
    // $0.003 + a worst case now of $0.003 > $0.005.
    EXPECT_FALSE(decide(d).accepted);
    EXPECT_EQ(provider.sent.size(), 1u);
}

TEST_F(DeciderTest, WhileACallIsOutItsWorstCaseIsAlreadyStoredAsSpent) {
    // A crash during the call must not forget it: the stored spend counts it until it is settled.
    host.set_mode(OT_MODE_PAPER);
    llm::Decider d = command_decider(0.002, 5);
    double during = -1;
    provider.on_send = [&] { during = stored_spend(); };
    llm::Reply stated = answer(kBuy);
    stated.usage.reported_cost_usd = 0.0005;
    provider.replies = {stated};
    EXPECT_TRUE(decide(d).accepted);
    EXPECT_DOUBLE_EQ(during, 0.002);
    EXPECT_DOUBLE_EQ(stored_spend(), 0.0005);
}

TEST_F(DeciderTest, ACacheWritePricedAboveInputBoundsTheWorstCase) {
    // Anthropic bills prompt-cache writes at 1.25 x input: the worst case takes the dearest rate.
    llm::DeciderSettings s;
    s.model = "claude-haiku-4-5";
    s.price = llm::Price{1.0, 0.1, 1.25, 5.0};
    s.max_tokens = 512;
    llm::Decider d = decider(s, llm::CacheMode::Off, 5);
    llm::Reply timeout = failure(llm::ReplyKind::Transport);
    timeout.billing = llm::Billing::Unknown;
    provider.replies = {timeout, timeout};
    decide(d);
    EXPECT_DOUBLE_EQ(records("llm_call")[0]["cost_usd"].get<double>(),
                     (static_cast<double>(provider.sent[0].size()) * 1.25 + 512 * 5.0) / 1e6);
}

TEST(Decider, NothingToBoundACallsCostIsRefused) {
    ot::FakeHost host;
    ScriptedProvider provider;
    llm::ResponseCache cache(orchestrade::sdk::Host(host.table()), llm::CacheMode::Off, "");
    llm::Budget budget(orchestrade::sdk::Host(host.table()), 5, std::nullopt);
    llm::DeciderSettings s;
    s.model = "haiku";
    EXPECT_THROW(llm::Decider(orchestrade::sdk::Host(host.table()), provider, cache, budget, s),
                 std::invalid_argument);
}
