// The command provider: a real process with the prompt on stdin, under a time limit enforced
// without sleeping, and every way such a process can fail.
#include "command_provider.hpp"
#include "decision.hpp"
#include "subprocess.hpp"

#include "trade_policy.hpp"

#include <orchestrade/testing/fake_host.hpp>
#include <orchestrade/testing/temp_dir.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <iterator>

namespace llm = orchestrade::llm;
namespace ot = orchestrade::testing;

namespace {

const llm::ChatRequest kRequest{"You trade.", {{"user", "### BTC/USDT\ncurrent_price = 100,"}}};

std::string read_file(const std::filesystem::path& p) {
    std::ifstream in(p);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

class CommandProviderTest : public ::testing::Test {
  protected:
    llm::Reply ask(const std::vector<std::string>& script_lines, uint32_t timeout_ms = 5000) {
        std::ofstream script(dir.path() / "script");
        for (const std::string& l : script_lines)
            script << l << "\n";
        script.close();
        llm::ProviderSettings s;
        s.kind = "command";
        s.model = "haiku";
        s.timeout_ms = timeout_ms;
        s.schema = nlohmann::json{{"type", "object"}};
        s.command = {FAKE_LLM_CLI, dir.path().string(), "--model",
                     "{model}",    "--json-schema",     "{schema}"};
        llm::CommandProvider p(s, orchestrade::sdk::Host(host.table()));
        payload = p.payload(kRequest);
        identity = p.identity();
        return p.send(payload);
    }

    ot::TempDir dir;
    ot::FakeHost host;
    std::string payload, identity;
};

}  // namespace

TEST_F(CommandProviderTest, TheCliResultObjectGivesTheAnswerUsageAndCost) {
    llm::Reply r = ask({});
    ASSERT_EQ(r.kind, llm::ReplyKind::Answer) << r.error;
    EXPECT_EQ(r.text, ot::llm::policy_answer(payload));
    EXPECT_EQ(r.usage.input, 900);
    EXPECT_EQ(r.usage.output, 60);
    ASSERT_TRUE(r.usage.reported_cost_usd);
    EXPECT_EQ(*r.usage.reported_cost_usd, 0.001);
    EXPECT_EQ(r.billing, llm::Billing::Usage);
}

TEST_F(CommandProviderTest, AResultWithoutItsCostIsAnUnknownCharge) {
    dir.write("no_cost", "");
    llm::Reply r = ask({});
    ASSERT_EQ(r.kind, llm::ReplyKind::Answer) << r.error;
    EXPECT_EQ(r.usage.input, 900);  // tokens, but not what the CLI's own prompt added
    EXPECT_FALSE(r.usage.reported_cost_usd);
    EXPECT_EQ(r.billing, llm::Billing::Unknown);
}

// A negative stated cost would give budget back; one that is not a number says nothing.
TEST_F(CommandProviderTest, AStatedCostThatCannotBeOneIsAnUnknownCharge) {
    for (const char* cost : {"-0.5", "\"0.001\""}) {
        dir.write("cost", cost);
        llm::Reply r = ask({});
        ASSERT_EQ(r.kind, llm::ReplyKind::Answer) << r.error;
        EXPECT_FALSE(r.usage.reported_cost_usd) << cost;
        EXPECT_EQ(r.billing, llm::Billing::Unknown) << cost;
    }
}

TEST_F(CommandProviderTest, ThePromptGoesToStdinAndTheArgumentsAreFilledIn) {
    ask({});
    EXPECT_EQ(read_file(dir.path() / "prompt-0.txt"), payload);
    EXPECT_EQ(payload, "You trade.\n\n### BTC/USDT\ncurrent_price = 100,\n");
    EXPECT_EQ(read_file(dir.path() / "args-0.txt"),
              "--model\nhaiku\n--json-schema\n{\"type\":\"object\"}\n");
    EXPECT_NE(identity.find("--model haiku"), std::string::npos);
}

TEST_F(CommandProviderTest, APlainAnswerIsTakenAsItIs) {
    llm::Reply r = ask({R"(@plain:{"action":"HOLD"})"});
    EXPECT_EQ(r.kind, llm::ReplyKind::Answer);
    EXPECT_EQ(r.text, "{\"action\":\"HOLD\"}\n");
    EXPECT_FALSE(r.usage.reported_cost_usd);
    EXPECT_EQ(r.billing, llm::Billing::Unknown);
}

TEST_F(CommandProviderTest, ACommandThatHangsIsKilledAtTheTimeLimit) {
    llm::Reply r = ask({"@hang"}, 300);
    EXPECT_EQ(r.kind, llm::ReplyKind::Transport);
    EXPECT_EQ(r.error, "the command did not answer within 300 ms");
    EXPECT_TRUE(llm::worth_resending(r));
    EXPECT_EQ(r.billing, llm::Billing::Unknown);  // it may have called its model
}

TEST_F(CommandProviderTest, ACommandThatCannotStartCostsNothing) {
    llm::ProviderSettings s;
    s.kind = "command";
    s.model = "haiku";
    s.command = {"/nonexistent/llm-cli"};
    llm::CommandProvider p(s, orchestrade::sdk::Host(host.table()));
    llm::Reply r = p.send(p.payload(kRequest));
    EXPECT_EQ(r.kind, llm::ReplyKind::Transport);
    EXPECT_EQ(r.billing, llm::Billing::NotSent);
    EXPECT_EQ(ask({"@exit"}).billing, llm::Billing::Unknown);  // it ran: unknown
}

TEST_F(CommandProviderTest, FailuresOfTheCommandAreNotAnswers) {
    llm::Reply exited = ask({"@exit"});
    EXPECT_EQ(exited.kind, llm::ReplyKind::Transport);
    EXPECT_EQ(exited.error, "the command exited with status 3: fake_llm_cli: boom\n");
    llm::Reply error = ask({"", "@is-error"});
    EXPECT_EQ(error.kind, llm::ReplyKind::HttpError);
    EXPECT_TRUE(llm::worth_resending(error));
    llm::Reply limited = ask({"", "", "@rate-limit"});
    EXPECT_EQ(limited.kind, llm::ReplyKind::RateLimited);
}

TEST_F(CommandProviderTest, TheResultOfACliThatExitedWithAnErrorIsRead) {
    // The Claude CLI exits 1 after an API error, its result object on stdout, stderr empty.
    llm::Reply limited = ask({"@api-error:API Error: 429 rate_limit_error: too many requests"});
    EXPECT_EQ(limited.kind, llm::ReplyKind::RateLimited);
    EXPECT_EQ(limited.error,
              "the command reported an error (exit status 1): API Error: 429 rate_limit_error: "
              "too many requests");
    EXPECT_EQ(limited.billing, llm::Billing::Usage);
    ASSERT_TRUE(limited.usage.reported_cost_usd);
    EXPECT_EQ(*limited.usage.reported_cost_usd, 0);
    llm::Reply overloaded = ask({"", "@api-error:API Error: 529 overloaded_error: Overloaded"});
    EXPECT_EQ(overloaded.kind, llm::ReplyKind::RateLimited);
    llm::Reply failed = ask({"", "", "@api-error:API Error: 500 api_error: Internal error"});
    EXPECT_EQ(failed.kind, llm::ReplyKind::HttpError);
    EXPECT_EQ(failed.billing, llm::Billing::Usage);
    EXPECT_TRUE(failed.usage.reported_cost_usd);
}

TEST_F(CommandProviderTest, ACliOutOfCreditIsOutOfFundsNotARetry) {
    // What `claude -p` prints for an API key whose prepaid credit ran out.
    llm::Reply broke = ask({"@api-error:Credit balance is too low"});
    EXPECT_EQ(broke.kind, llm::ReplyKind::OutOfFunds);
    EXPECT_FALSE(llm::worth_resending(broke));
    EXPECT_EQ(broke.error,
              "the command reported an error (exit status 1): Credit balance is too low");
}

TEST(Subprocess, AMissingProgramIsReported) {
    llm::ProcessResult r = llm::run_process({"/nonexistent/llm-cli"}, "x", 1000, "");
    EXPECT_FALSE(r.started);
    EXPECT_NE(r.error.find("cannot start '/nonexistent/llm-cli'"), std::string::npos);
}

TEST(Subprocess, LargeInputAndOutputFlowWithoutDeadlock) {
    std::string input(1 << 20, 'x');
    llm::ProcessResult r =
        llm::run_process({"sh", "-c", "cat; cat >&2 </dev/null"}, input, 10000, "");
    EXPECT_EQ(r.exit_code, 0);
    EXPECT_EQ(r.out.size(), input.size());
}

TEST(Subprocess, AChildThatIgnoresItsInputDoesNotKillTheHost) {
    // Writing to a pipe nobody reads raises SIGPIPE; the provider must survive it.
    std::string input(1 << 20, 'x');
    llm::ProcessResult r = llm::run_process({"true"}, input, 10000, "");
    EXPECT_TRUE(r.started);
    EXPECT_EQ(r.exit_code, 0);
    EXPECT_FALSE(r.timed_out);
}

TEST(Subprocess, ItRunsInTheGivenDirectory) {
    ot::TempDir dir;
    llm::ProcessResult r = llm::run_process({"pwd"}, "", 5000, dir.path().string());
    EXPECT_EQ(r.out, std::filesystem::canonical(dir.path()).string() + "\n");
}

TEST(Subprocess, TooMuchOutputStopsTheCommand) {
    llm::ProcessResult r = llm::run_process({"yes"}, "", 10000, "", nullptr, 1 << 16);
    EXPECT_TRUE(r.output_too_large);
    EXPECT_EQ(r.term_signal, SIGKILL);
}

// A host whose stop request comes after a number of polls, and that keeps the groups it is told.
class StopAfterPolls final : public llm::ProcessWatch {
  public:
    explicit StopAfterPolls(int polls) : polls_left_(polls) {}
    bool stop_requested() const override { return --polls_left_ < 0; }
    void started(int64_t pgid) const override { watched_.push_back(pgid); }
    void ended(int64_t pgid) const override { ended_.push_back(pgid); }
    mutable std::vector<int64_t> watched_, ended_;

  private:
    mutable int polls_left_;
};

TEST(Subprocess, AStopRequestKillsTheCommandAndItsGroupAtOnce) {
    StopAfterPolls host(3);
    const auto start = std::chrono::steady_clock::now();
    llm::ProcessResult r =
        llm::run_process({"sh", "-c", "sleep 100 & wait"}, "", 120000, "", &host);
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
    EXPECT_TRUE(r.stopped);
    EXPECT_FALSE(r.timed_out);
    EXPECT_EQ(r.term_signal, SIGKILL);
    ASSERT_EQ(host.watched_.size(), 1u);
    EXPECT_EQ(host.ended_, host.watched_) << "the reaped child's group is forgotten";
}
