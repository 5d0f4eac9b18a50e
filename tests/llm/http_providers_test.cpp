// The OpenAI-compatible and Anthropic providers against loopback fakes of both services: what they
// send, and how each kind of answer and failure is read.
#include "anthropic_provider.hpp"
#include "decision.hpp"
#include "openai_provider.hpp"

#include "fake_llm_server.hpp"
#include "loopback_http.hpp"
#include "trade_policy.hpp"

#include <gtest/gtest.h>

namespace llm = orchestrade::llm;
namespace ot = orchestrade::testing;
using nlohmann::json;
using ot::llm::Dialect;
using ot::llm::FakeLlmServer;
using ot::llm::Scripted;

namespace {

const llm::ChatRequest kRequest{"You trade.", {{"user", "Time: 2024-01-01T00:03:00Z"}}};
const std::string kBuy = ot::llm::decision_json("BUY", "BTC/USDT", 10, 49000, 52000);

class HttpProviderTest : public ::testing::TestWithParam<Dialect> {
  protected:
    HttpProviderTest() : server(GetParam()) { host.set_http_handler(ot::llm::loopback_http()); }

    llm::ProviderSettings settings() const {
        llm::ProviderSettings s;
        s.kind = GetParam() == Dialect::OpenAi ? "openai" : "anthropic";
        s.model = GetParam() == Dialect::OpenAi ? "gpt-5-mini" : "claude-haiku-4-5";
        s.base_url = server.base_url();
        s.api_key = "test-key";
        s.timeout_ms = 2000;
        s.max_tokens = 256;
        s.temperature = 0.0;
        s.schema = llm::decision_schema({"BTC/USDT", "ETH/USDT"}, 20);
        return s;
    }
    llm::Reply ask(const llm::ProviderSettings& s, const llm::ChatRequest& r = kRequest) {
        std::unique_ptr<llm::Provider> p =
            llm::make_provider(s, orchestrade::sdk::Host(host.table()));
        return p->send(p->payload(r));
    }
    llm::Reply ask() { return ask(settings()); }

    FakeLlmServer server;
    ot::FakeHost host{OT_MODE_PAPER};
};

// A provider of one dialect talking to `server` with its key, asking for the decision schema.
llm::ProviderSettings settings_for(const FakeLlmServer& server, std::string model) {
    llm::ProviderSettings s;
    s.model = std::move(model);
    s.base_url = server.base_url();
    s.api_key = "test-key";
    s.schema = llm::decision_schema({"BTC/USDT"}, 20);
    return s;
}

}  // namespace

TEST_P(HttpProviderTest, AnAnswerCarriesItsTextUsageAndRequestId) {
    server.script({Scripted::answer(kBuy)});
    llm::Reply r = ask();
    EXPECT_EQ(r.kind, llm::ReplyKind::Answer) << r.error;
    EXPECT_EQ(r.text, kBuy);
    EXPECT_EQ(r.http_status, 200);
    EXPECT_EQ(r.request_id, "req-1");
    // The fake bills 1000 input tokens of which 200 cached, and 100 output tokens.
    EXPECT_EQ(r.usage.input, 800);
    EXPECT_EQ(r.usage.cached_input, 200);
    EXPECT_EQ(r.usage.output, 100);
    EXPECT_EQ(server.rejected(), 0);
}

TEST_P(HttpProviderTest, TheRequestAsksForTheDecisionSchema) {
    ask();
    ASSERT_EQ(server.calls(), 1);
    ot::llm::Received got = server.received()[0];
    const json& b = got.body;
    EXPECT_EQ(got.prompt, "Time: 2024-01-01T00:03:00Z");
    EXPECT_EQ(b["temperature"], 0.0);
    json schema = llm::decision_schema({"BTC/USDT", "ETH/USDT"}, 20);
    if (GetParam() == Dialect::OpenAi) {
        EXPECT_EQ(got.headers["authorization"], "Bearer test-key");
        EXPECT_EQ(b["model"], "gpt-5-mini");
        EXPECT_EQ(b["messages"][0], json({{"role", "system"}, {"content", "You trade."}}));
        EXPECT_EQ(b["max_completion_tokens"], 256);
        EXPECT_EQ(b["response_format"]["type"], "json_schema");
        EXPECT_EQ(b["response_format"]["json_schema"]["name"], "trade_decision");
        EXPECT_EQ(b["response_format"]["json_schema"]["strict"], true);
        EXPECT_EQ(b["response_format"]["json_schema"]["schema"], schema);
    } else {
        EXPECT_EQ(got.headers["x-api-key"], "test-key");
        EXPECT_EQ(got.headers["anthropic-version"], "2023-06-01");
        EXPECT_EQ(b["max_tokens"], 256);
        EXPECT_EQ(b["system"][0]["text"], "You trade.");
        EXPECT_EQ(b["system"][0]["cache_control"]["type"], "ephemeral");
        EXPECT_EQ(b["output_config"]["format"]["type"], "json_schema");
        EXPECT_EQ(b["output_config"]["format"]["schema"], schema);
    }
}

TEST_P(HttpProviderTest, ACorrectionTurnIsAValidConversation) {
    llm::ChatRequest retry = kRequest;
    retry.messages.push_back({"assistant", "not json"});
    retry.messages.push_back({"user", "Your answer was rejected."});
    EXPECT_EQ(ask(settings(), retry).kind, llm::ReplyKind::Answer);
    EXPECT_EQ(server.rejected(), 0);
}

TEST_P(HttpProviderTest, TruncationsAndRefusalsAreNotAnswers) {
    server.script({Scripted::truncated(R"({"action":"BUY","sym)"), Scripted::refusal()});
    llm::Reply cut = ask();
    EXPECT_EQ(cut.kind, llm::ReplyKind::Truncated);
    EXPECT_EQ(cut.text, R"({"action":"BUY","sym)");
    EXPECT_EQ(ask().kind, llm::ReplyKind::Refused);
}

TEST(AnthropicProvider, APrepaidAccountOutOfCreditIsOutOfFunds) {
    FakeLlmServer server(Dialect::Anthropic);
    ot::FakeHost host(OT_MODE_PAPER);
    host.set_http_handler(ot::llm::loopback_http());
    llm::ProviderSettings s = settings_for(server, "claude-haiku-4-5");
    llm::AnthropicProvider p(s, orchestrade::sdk::Host(host.table()));
    server.script({Scripted::credit_too_low(), Scripted::server_error(400)});
    llm::Reply broke = p.send(p.payload(kRequest));
    EXPECT_EQ(broke.kind, llm::ReplyKind::OutOfFunds);
    EXPECT_FALSE(llm::worth_resending(broke));
    EXPECT_NE(broke.error.find("credit balance is too low"), std::string::npos) << broke.error;
    // Any other invalid request is the request's fault, not the account's.
    EXPECT_NE(p.send(p.payload(kRequest)).kind, llm::ReplyKind::OutOfFunds);
}

TEST(OpenAiProvider, AReasoningModelGetsItsEffortAndIsToldWhyItsAnswerIsMissing) {
    FakeLlmServer server(Dialect::OpenAi);
    ot::FakeHost host(OT_MODE_PAPER);
    host.set_http_handler(ot::llm::loopback_http());
    llm::ProviderSettings s = settings_for(server, "gpt-5-mini");
    s.reasoning_effort = "low";
    llm::OpenAiProvider p(s, orchestrade::sdk::Host(host.table()));
    server.script({Scripted::all_reasoning(), Scripted::truncated(R"({"act)")});
    llm::Reply thought_out = p.send(p.payload(kRequest));
    ASSERT_EQ(server.calls(), 1) << thought_out.error;
    EXPECT_EQ(server.received()[0].body["reasoning_effort"], "low");
    EXPECT_EQ(thought_out.kind, llm::ReplyKind::Truncated);
    EXPECT_EQ(thought_out.error,
              "the answer was cut off at max_tokens (100 of 100 output tokens were reasoning: "
              "raise max_tokens or lower reasoning_effort)");
    EXPECT_EQ(p.send(p.payload(kRequest)).error, "the answer was cut off at max_tokens");
    s.reasoning_effort.clear();  // not sent: the model's own default
    llm::OpenAiProvider plain(s, orchestrade::sdk::Host(host.table()));
    plain.send(plain.payload(kRequest));
    ASSERT_EQ(server.calls(), 3);
    EXPECT_FALSE(server.received()[2].body.contains("reasoning_effort"));
}

TEST_P(HttpProviderTest, AGarbageBodyIsMalformed) {
    server.script({Scripted::garbage_body()});
    llm::Reply r = ask();
    EXPECT_EQ(r.kind, llm::ReplyKind::Malformed);
    EXPECT_TRUE(llm::worth_resending(r));
}

TEST_P(HttpProviderTest, A429SaysHowLongToWait) {
    server.script({Scripted::rate_limit(7), Scripted::rate_limit(-1)});
    llm::Reply r = ask();
    EXPECT_EQ(r.kind, llm::ReplyKind::RateLimited);
    EXPECT_EQ(r.http_status, 429);
    EXPECT_EQ(r.retry_after_ms, 7000);
    EXPECT_NE(r.error.find("rate_limit_error"), std::string::npos);
    EXPECT_FALSE(llm::worth_resending(r));
    EXPECT_EQ(ask().retry_after_ms, -1);
}

TEST_P(HttpProviderTest, AnAccountOutOfMoneyIsNotARateLimit) {
    server.script({Scripted::out_of_funds()});
    llm::Reply r = ask();
    EXPECT_EQ(r.kind, llm::ReplyKind::OutOfFunds);
    EXPECT_NE(r.error.find(GetParam() == Dialect::OpenAi ? "insufficient_quota" : "billing_error"),
              std::string::npos)
        << r.error;
    EXPECT_FALSE(llm::worth_resending(r));
    EXPECT_EQ(r.billing, llm::Billing::Usage);  // an error status is not billed
}

TEST_P(HttpProviderTest, ServerErrorsAreWorthOneMoreTry) {
    server.script({Scripted::server_error(503), Scripted::server_error(529)});
    llm::Reply r = ask();
    EXPECT_EQ(r.kind, llm::ReplyKind::HttpError);
    EXPECT_EQ(r.http_status, 503);
    EXPECT_TRUE(llm::worth_resending(r));
    EXPECT_EQ(ask().http_status, 529);
}

TEST_P(HttpProviderTest, AWrongKeyIsAClientError) {
    llm::ProviderSettings s = settings();
    s.api_key = "wrong";
    llm::Reply r = ask(s);
    EXPECT_EQ(r.kind, llm::ReplyKind::HttpError);
    EXPECT_EQ(r.http_status, 401);
    EXPECT_FALSE(llm::worth_resending(r));
    EXPECT_EQ(server.rejected(), 1);
}

TEST_P(HttpProviderTest, NoAnswerInTimeIsATransportError) {
    server.set_timeout_hold_ms(3000);
    server.script({Scripted::timeout()});
    llm::ProviderSettings s = settings();
    s.timeout_ms = 200;
    llm::Reply r = ask(s);
    EXPECT_EQ(r.kind, llm::ReplyKind::Transport);
    EXPECT_TRUE(llm::worth_resending(r));
    // The server had the request: whether the model ran and was billed is unknown.
    EXPECT_EQ(r.billing, llm::Billing::Unknown);
}

TEST_P(HttpProviderTest, WhatEachReplySaysAboutItsCharge) {
    server.script({Scripted::answer(kBuy), Scripted::garbage_body(), Scripted::server_error(503),
                   Scripted::rate_limit(1)});
    EXPECT_EQ(ask().billing, llm::Billing::Usage);  // priced from its usage
    llm::Reply garbage = ask();                     // billed, but no usage to price
    EXPECT_EQ(garbage.kind, llm::ReplyKind::Malformed);
    EXPECT_EQ(garbage.billing, llm::Billing::Unknown);
    EXPECT_EQ(ask().billing, llm::Billing::Usage);  // an error status is not billed
    EXPECT_EQ(ask().billing, llm::Billing::Usage);
}

// A reply's usage prices the call only with both token counts as whole numbers >= 0: an empty
// usage, a missing, negative or non-numeric count is an unknown charge (its worst case), not $0.
TEST_P(HttpProviderTest, AUsageWithoutBothTokenCountsIsAnUnknownCharge) {
    const bool openai = GetParam() == Dialect::OpenAi;
    const char* in = openai ? "prompt_tokens" : "input_tokens";
    const char* out = openai ? "completion_tokens" : "output_tokens";
    for (const json& usage : {json::object(), json{{in, 150000}}, json{{in, -5}, {out, 10}},
                              json{{in, "150000"}, {out, 10}}, json{{in, 1.5}, {out, 10}}}) {
        server.set_usage_json(usage);
        llm::Reply r = ask();
        EXPECT_EQ(r.kind, llm::ReplyKind::Answer) << usage;
        EXPECT_EQ(r.billing, llm::Billing::Unknown) << usage;
    }
    server.set_usage_json(json{{in, 150000.0}, {out, 20.0}});  // whole numbers written as floats
    llm::Reply r = ask();
    EXPECT_EQ(r.billing, llm::Billing::Usage);
    EXPECT_EQ(r.usage.input, 150000);
    EXPECT_EQ(r.usage.output, 20);
}

TEST(OpenAiProvider, AStatedCostThatCannotBeOneIsIgnored) {
    FakeLlmServer server(Dialect::OpenAi);
    ot::FakeHost host(OT_MODE_PAPER);
    host.set_http_handler(ot::llm::loopback_http());
    llm::OpenAiProvider p(settings_for(server, "gpt-5-mini"), orchestrade::sdk::Host(host.table()));
    server.set_usage_json(
        json{{"prompt_tokens", 1000}, {"completion_tokens", 100}, {"cost", -0.5}});
    llm::Reply r = p.send(p.payload(kRequest));
    EXPECT_FALSE(r.usage.reported_cost_usd) << "a negative cost would give budget back";
    EXPECT_EQ(r.billing, llm::Billing::Usage) << "priced from its tokens instead";
    server.set_usage_json(
        json{{"prompt_tokens", 1000}, {"completion_tokens", 100}, {"cost", 0.002}});
    r = p.send(p.payload(kRequest));
    ASSERT_TRUE(r.usage.reported_cost_usd);
    EXPECT_EQ(*r.usage.reported_cost_usd, 0.002);
}

TEST_P(HttpProviderTest, ALostConnectionIsAnUnknownCharge) {
    ot::FakeHost host(OT_MODE_PAPER);
    host.set_http_handler([](const ot::HttpRequest&) -> ot::HttpReply {
        throw orchestrade::sdk::Error(OT_E_IO, "connection reset by peer");
    });
    std::unique_ptr<llm::Provider> p =
        llm::make_provider(settings(), orchestrade::sdk::Host(host.table()));
    llm::Reply r = p->send(p->payload(kRequest));
    EXPECT_EQ(r.kind, llm::ReplyKind::Transport);
    EXPECT_EQ(r.billing, llm::Billing::Unknown);
}

INSTANTIATE_TEST_SUITE_P(Providers, HttpProviderTest,
                         ::testing::Values(Dialect::OpenAi, Dialect::Anthropic),
                         [](const auto& info) {
                             return info.param == Dialect::OpenAi ? "OpenAi" : "Anthropic";
                         });

TEST(OpenAiProvider, LocalServersGetNoKeyAndTheirOwnFieldNames) {
    FakeLlmServer server(Dialect::OpenAi, "");
    ot::FakeHost host(OT_MODE_PAPER);
    host.set_http_handler(ot::llm::loopback_http());
    llm::ProviderSettings s;
    s.model = "llama3.1:8b";
    s.base_url = server.base_url();
    s.max_tokens_field = "max_tokens";
    s.structured_output = "json_object";
    llm::OpenAiProvider p(s, orchestrade::sdk::Host(host.table()));
    llm::Reply r = p.send(p.payload(kRequest));
    ASSERT_EQ(r.kind, llm::ReplyKind::Answer) << r.error;
    ot::llm::Received got = server.received()[0];
    EXPECT_EQ(got.headers.count("authorization"), 0u);
    EXPECT_EQ(got.body["max_tokens"], 1024);
    EXPECT_FALSE(got.body.contains("max_completion_tokens"));
    EXPECT_FALSE(got.body.contains("temperature"));
    EXPECT_EQ(got.body["response_format"], json({{"type", "json_object"}}));
}

TEST(OpenAiProvider, ABacktestHostWithoutHttpIsATransportError) {
    ot::FakeHost host(OT_MODE_BACKTEST);  // no handler: OT_E_UNSUPPORTED
    llm::ProviderSettings s;
    s.model = "gpt-5-mini";
    s.base_url = "http://127.0.0.1:9/v1";
    llm::OpenAiProvider p(s, orchestrade::sdk::Host(host.table()));
    llm::Reply r = p.send(p.payload(kRequest));
    EXPECT_EQ(r.kind, llm::ReplyKind::Transport);
    EXPECT_EQ(r.billing, llm::Billing::NotSent);  // nothing left the process: nothing to charge
}
