#include "anthropic_provider.hpp"

namespace orchestrade::llm {
namespace {

using json = nlohmann::json;

constexpr const char* kApiVersion = "2023-06-01";

std::string error_message(const json& body, const std::string& raw) {
    if (body.is_object() && body.contains("error") && body["error"].is_object()) {
        const json& e = body["error"];
        return json_text(e, "type") + ": " + json_text(e, "message");
    }
    return raw.substr(0, 300);
}

// An account whose money ran out: a 402, the error type billing_error, or the 400
// invalid_request_error "Your credit balance is too low ..." the API answers a prepaid account
// with. Waiting does not help.
bool out_of_funds(const Reply& reply) {
    if (reply.http_status == 402) return true;
    json body = json::parse(reply.text, nullptr, false);
    if (!body.is_object() || !body.contains("error") || !body["error"].is_object()) return false;
    const json& e = body["error"];
    return json_text(e, "type") == "billing_error" ||
           (reply.http_status == 400 && says_credit_too_low(json_text(e, "message")));
}

// The usage of a 2xx reply. Without both counts the call was billed for an amount the reply
// does not say.
void read_usage(const json& body, Reply& r) {
    const json usage = body.is_object() ? body.value("usage", json()) : json();
    const std::optional<int64_t> input = token_count(usage, "input_tokens");
    const std::optional<int64_t> output = token_count(usage, "output_tokens");
    if (!input || !output) {
        r.billing = Billing::Unknown;
        return;
    }
    r.usage.input = *input;  // cache reads and writes are not in it
    r.usage.cached_input = token_count(usage, "cache_read_input_tokens").value_or(0);
    r.usage.cache_write = token_count(usage, "cache_creation_input_tokens").value_or(0);
    r.usage.output = *output;
}

}  // namespace

AnthropicProvider::AnthropicProvider(ProviderSettings settings, const sdk::Host& host)
    : s_(std::move(settings)), host_(host) {}

std::string AnthropicProvider::payload(const ChatRequest& request) const {
    json system = json::array(
        {{{"type", "text"}, {"text", request.system}, {"cache_control", {{"type", "ephemeral"}}}}});
    json messages = json::array();
    for (const Message& m : request.messages)
        messages.push_back({{"role", m.role}, {"content", m.content}});
    json body = {{"model", s_.model},
                 {"max_tokens", s_.max_tokens},
                 {"system", system},
                 {"messages", messages}};
    if (s_.temperature) body["temperature"] = *s_.temperature;
    if (s_.structured_output == "json_schema")
        body["output_config"] = {{"format", {{"type", "json_schema"}, {"schema", s_.schema}}}};
    return body.dump();
}

Reply AnthropicProvider::send(const std::string& payload) {
    std::vector<std::string> headers{"content-type: application/json",
                                     std::string("anthropic-version: ") + kApiVersion,
                                     "x-api-key: " + s_.api_key};
    Reply r;
    auto answer = post_json(host_, s_.base_url + "/messages", headers, payload, s_.timeout_ms,
                            "request-id", &error_message, r);
    if (!answer) {
        if (out_of_funds(r)) r.kind = ReplyKind::OutOfFunds;
        return r;
    }
    const json& body = answer->body;
    read_usage(body, r);
    if (!body.is_object() || !body.contains("content") || !body["content"].is_array()) {
        r.kind = ReplyKind::Malformed;
        r.error = "the response has no content array";
        r.text = answer->raw;
        return r;
    }
    for (const json& block : body["content"])
        if (json_text(block, "type") == "text") r.text += json_text(block, "text");
    std::string stop = json_text(body, "stop_reason");
    if (stop == "refusal") {
        r.kind = ReplyKind::Refused;
        r.error = "the model refused";
        return r;
    }
    if (stop == "max_tokens" || stop == "model_context_window_exceeded") {
        r.kind = ReplyKind::Truncated;
        r.error = "the answer was cut off (" + stop + ")";
        return r;
    }
    r.kind = ReplyKind::Answer;
    return r;
}

}  // namespace orchestrade::llm
