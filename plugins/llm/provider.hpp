// What every model provider does: turn a chat request into the exact bytes it sends, send them,
// and classify what came back. Providers never retry; the Decider decides what happens next.
#pragma once

#include <orchestrade/sdk.hpp>

#include <nlohmann/json.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace orchestrade::llm {

struct Message {
    std::string role;  // "user" or "assistant"
    std::string content;
};

struct ChatRequest {
    std::string system;
    std::vector<Message> messages;
};

// Tokens as billed: `input` excludes cached and cache-write tokens.
struct Usage {
    int64_t input = 0;
    int64_t cached_input = 0;
    int64_t cache_write = 0;
    int64_t output = 0;
    std::optional<double> reported_cost_usd;  // when the provider states the charge itself
};

enum class ReplyKind {
    Answer,       // the model answered; the text is still to be checked
    Truncated,    // the answer was cut off (max tokens)
    Refused,      // the model declined
    RateLimited,  // 429: wait for retry_after_ms
    OutOfFunds,   // the account's money or quota ran out (insufficient_quota, a billing error)
    HttpError,    // any other HTTP error status
    Transport,    // no response: timeout, connection refused, HTTP unavailable, process failed
    Malformed,    // a response that is not the provider's format
};

const char* to_string(ReplyKind kind);

// What a reply tells about the charge of its request.
enum class Billing {
    Usage,    // the usage (or the cost the provider states) is the charge: 0 for an error status
    Unknown,  // it may have been billed, and the reply cannot say how much: a timeout or a lost
              // connection after sending, an answer without usage, a command that states no cost
    NotSent,  // the request never left (HTTP disabled, no connection to the server, the command
              // could not be started)
};

struct Reply {
    ReplyKind kind = ReplyKind::Transport;
    std::string text;   // the answer (Answer, Truncated), or the raw body / output on errors
    std::string error;  // why it failed; empty for an Answer
    Usage usage;
    int http_status = 0;
    int64_t retry_after_ms = -1;  // RateLimited: as the provider asked; -1 = not said
    std::string request_id;
    Billing billing = Billing::Usage;
};

// Failures worth sending the same request again (once): nothing came back, or a server error.
bool worth_resending(const Reply& reply);

// Why a call was cut short or not made once the user asked the run to stop.
inline constexpr const char* kStoppingReason = "the run is stopping";

struct ProviderSettings {
    std::string kind;  // "openai", "anthropic", "command"
    std::string model;
    std::string base_url;  // with the API version path, no trailing slash
    std::string api_key;
    uint32_t timeout_ms = 60000;
    int64_t max_tokens = 1024;
    std::string max_tokens_field = "max_completion_tokens";  // openai: or "max_tokens"
    std::optional<double> temperature;
    std::string reasoning_effort;                   // openai: sent when not empty
    std::string structured_output = "json_schema";  // "json_schema", "json_object", "none"
    nlohmann::json schema;
    std::vector<std::string> command;  // argv; {model} and {schema} are substituted
    std::string command_dir;           // working directory of the command; empty = inherited
};

class Provider {
  public:
    virtual ~Provider() = default;
    virtual const char* name() const = 0;
    // What besides the payload decides the answer (the provider, and the command line).
    virtual std::string identity() const = 0;
    // The exact bytes that go to the model for this request.
    virtual std::string payload(const ChatRequest& request) const = 0;
    virtual Reply send(const std::string& payload) = 0;
};

std::unique_ptr<Provider> make_provider(const ProviderSettings& settings, const sdk::Host& host);

// obj[key] when obj is an object and the value a string, else "".
std::string json_text(const nlohmann::json& obj, const char* key);

// obj[key] as a token count: a whole number >= 0, written as an integer or as a float
// (150000.0); nullopt when absent or anything else.
std::optional<int64_t> token_count(const nlohmann::json& obj, const char* key);

// A cost a reply states: a finite number >= 0; nullopt when absent or anything else (a negative
// cost would give budget back).
std::optional<double> stated_cost(const nlohmann::json& obj, const char* key);

// Whether a provider's error text says the account has no credit left. Anthropic answers a
// prepaid account out of credit with "Your credit balance is too low to access the Anthropic
// API" (a 400 invalid_request_error; the Claude CLI prints the same words).
bool says_credit_too_low(const std::string& text);

// Retry-After as asked by an HTTP response: "retry-after-ms", else "retry-after" in seconds;
// -1 when absent or not a number (an HTTP date is not followed).
int64_t retry_after_ms(const sdk::HttpResponse& response);

// A 2xx answer of an HTTP provider: its parsed body (discarded when not JSON) and the raw text.
struct HttpAnswer {
    nlohmann::json body;
    std::string raw;
};
// One POST of a JSON payload. A transport failure, a 429 (with its retry-after) or another
// non-2xx status fills `reply` and returns nothing; error_text reads the provider's error body.
std::optional<HttpAnswer> post_json(
    const sdk::Host& host, const std::string& url, const std::vector<std::string>& headers,
    const std::string& payload, uint32_t timeout_ms, const char* request_id_header,
    std::string (*error_text)(const nlohmann::json& body, const std::string& raw), Reply& reply);

}  // namespace orchestrade::llm
