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

int64_t count(const json& obj, const char* key) {
    auto it = obj.find(key);
    return it != obj.end() && it->is_number_integer() ? it->get<int64_t>() : 0;
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
    // A 2xx without usage: billed, for how much the reply does not say.
    if (!body.is_object() || !body.contains("usage") || !body["usage"].is_object())
        r.billing = Billing::Unknown;
    if (!body.is_object() || !body.contains("content") || !body["content"].is_array()) {
        r.kind = ReplyKind::Malformed;
        r.error = "the response has no content array";
        r.text = answer->raw;
        return r;
    }
    if (body.contains("usage") && body["usage"].is_object()) {
        const json& u = body["usage"];
        r.usage.input = count(u, "input_tokens");  // cache reads and writes are not in it
        r.usage.cached_input = count(u, "cache_read_input_tokens");
        r.usage.cache_write = count(u, "cache_creation_input_tokens");
        r.usage.output = count(u, "output_tokens");
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
