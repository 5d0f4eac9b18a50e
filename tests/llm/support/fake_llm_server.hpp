// A loopback HTTP server (127.0.0.1, a free port) that speaks the OpenAI Chat Completions or the
// Anthropic Messages protocol, checks requests the way the real service does (key, version header,
// required fields, strict schema rules), and answers from a script, then from trade_policy.
#pragma once

#include <nlohmann/json.hpp>

#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace httplib {
class Server;
}

namespace orchestrade::testing::llm {

enum class Dialect { OpenAi, Anthropic };

// What one request gets.
struct Scripted {
    enum class Kind {
        Answer,        // the model answers `content`
        Truncated,     // `content`, cut off at the token limit
        AllReasoning,  // a reasoning model that spent the whole limit thinking: no content
        Refusal,       // the model declines
        GarbageBody,   // HTTP 200 with a body that is not the protocol's JSON
        RateLimit,     // 429, with retry-after: retry_after_s when >= 0
        ServerError,   // `status` (5xx) with the protocol's error body
        OutOfFunds,    // OpenAI's 429 insufficient_quota, Anthropic's 402 billing_error
        CreditTooLow,  // Anthropic's 400 invalid_request_error for a prepaid account at zero
        Timeout,       // answers only after the client has given up
    };
    Kind kind = Kind::Answer;
    std::string content;
    int retry_after_s = -1;
    int status = 500;

    static Scripted answer(std::string content) { return {Kind::Answer, std::move(content)}; }
    static Scripted truncated(std::string content) { return {Kind::Truncated, std::move(content)}; }
    static Scripted all_reasoning() { return {Kind::AllReasoning, {}}; }
    static Scripted refusal() { return {Kind::Refusal, {}}; }
    static Scripted garbage_body() { return {Kind::GarbageBody, {}}; }
    static Scripted rate_limit(int retry_after_s) { return {Kind::RateLimit, {}, retry_after_s}; }
    static Scripted server_error(int status) { return {Kind::ServerError, {}, -1, status}; }
    static Scripted timeout() { return {Kind::Timeout, {}}; }
    static Scripted out_of_funds() { return {Kind::OutOfFunds, {}}; }
    static Scripted credit_too_low() { return {Kind::CreditTooLow, {}}; }
};

struct Received {
    std::map<std::string, std::string> headers;  // lower-case names
    nlohmann::json body;
    std::string prompt;  // the text of the first user message
};

class FakeLlmServer {
  public:
    explicit FakeLlmServer(Dialect dialect, std::string api_key = "test-key");
    ~FakeLlmServer();
    FakeLlmServer(const FakeLlmServer&) = delete;
    FakeLlmServer& operator=(const FakeLlmServer&) = delete;

    // "http://127.0.0.1:<port>/v1"
    std::string base_url() const;
    // Consumed one per request, in order; then trade_policy answers.
    void script(std::vector<Scripted> replies);
    // Usage reported with every answer; input includes the cached tokens (OpenAI's way).
    void set_usage(int input_tokens, int cached_tokens, int output_tokens);
    // The `usage` object of every answer, as given (a broken or lying server); null: the real one.
    void set_usage_json(nlohmann::json usage);
    // How long a Timeout reply holds the request (the client's timeout must be shorter).
    void set_timeout_hold_ms(int ms) { timeout_hold_ms_ = ms; }

    // Requests that passed the checks (a scripted error still counts: the service saw it).
    int calls() const;
    // Requests refused by the checks (wrong key, missing field, bad schema).
    int rejected() const;
    std::vector<Received> received() const;

  private:
    struct Outcome {
        int status;
        std::string body;
        std::map<std::string, std::string> headers;
    };
    Outcome handle(const std::map<std::string, std::string>& headers, const std::string& body);
    std::string check(const std::map<std::string, std::string>& headers,
                      const nlohmann::json& body) const;
    Outcome reply(const Scripted& s, const nlohmann::json& request, int n);
    void hold(int ms);

    Dialect dialect_;
    std::string api_key_;
    std::unique_ptr<httplib::Server> server_;
    std::thread thread_;
    int port_ = 0;
    int timeout_hold_ms_ = 3000;
    mutable std::mutex mutex_;
    std::condition_variable released_;
    bool stopping_ = false;
    std::deque<Scripted> script_;
    std::vector<Received> received_;
    int rejected_ = 0;
    int input_tokens_ = 1000, cached_tokens_ = 200, output_tokens_ = 100;
    nlohmann::json usage_json_;
};

}  // namespace orchestrade::testing::llm
