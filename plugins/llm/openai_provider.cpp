#include "openai_provider.hpp"

namespace orchestrade::llm {
namespace {

using json = nlohmann::json;

std::string error_message(const json& body, const std::string& raw) {
    if (body.is_object() && body.contains("error") && body["error"].is_object()) {
        std::string message = json_text(body["error"], "message");
        std::string code = json_text(body["error"], "code");
        return code.empty() ? message : code + ": " + message;
    }
    return raw.substr(0, 300);
}

// An account whose money ran out: OpenRouter's 402, or an error code of quota, billing or a
// spend limit (OpenAI's insufficient_quota comes as a 429). Waiting does not help.
bool out_of_funds(const Reply& reply) {
    if (reply.http_status == 402) return true;
    json body = json::parse(reply.text, nullptr, false);
    if (!body.is_object() || !body.contains("error") || !body["error"].is_object()) return false;
    for (const char* key : {"code", "type"}) {
        const std::string value = json_text(body["error"], key);
        if (value == "insufficient_quota" || value.find("billing") != std::string::npos ||
            value.find("spend_limit") != std::string::npos)
            return true;
    }
    return false;
}

int64_t reasoning_tokens(const json& body) {
    const json usage = body.is_object() ? body.value("usage", json()) : json();
    const json details =
        usage.is_object() ? usage.value("completion_tokens_details", json()) : json();
    return token_count(details, "reasoning_tokens").value_or(0);
}

// The usage of a 2xx reply. Without both counts (a garbage body, a server that does not
// count) the call was billed for an amount the reply does not say.
void read_usage(const json& body, Reply& r) {
    const json usage = body.is_object() ? body.value("usage", json()) : json();
    r.usage.reported_cost_usd = stated_cost(usage, "cost");  // OpenRouter states its charge
    // prompt_tokens includes the cached ones; completion_tokens the reasoning ones.
    const std::optional<int64_t> prompt = token_count(usage, "prompt_tokens");
    const std::optional<int64_t> completion = token_count(usage, "completion_tokens");
    if (!prompt || !completion) {
        r.billing = Billing::Unknown;
        return;
    }
    const json details = usage.value("prompt_tokens_details", json());
    r.usage.cached_input = std::min(*prompt, token_count(details, "cached_tokens").value_or(0));
    r.usage.input = *prompt - r.usage.cached_input;
    r.usage.output = *completion;
}

}  // namespace

OpenAiProvider::OpenAiProvider(ProviderSettings settings, const sdk::Host& host)
    : s_(std::move(settings)), host_(host) {}

std::string OpenAiProvider::payload(const ChatRequest& request) const {
    json messages = json::array({{{"role", "system"}, {"content", request.system}}});
    for (const Message& m : request.messages)
        messages.push_back({{"role", m.role}, {"content", m.content}});
    json body = {{"model", s_.model}, {"messages", messages}, {s_.max_tokens_field, s_.max_tokens}};
    if (s_.temperature) body["temperature"] = *s_.temperature;
    if (!s_.reasoning_effort.empty()) body["reasoning_effort"] = s_.reasoning_effort;
    if (s_.structured_output == "json_schema")
        body["response_format"] = {
            {"type", "json_schema"},
            {"json_schema", {{"name", "trade_decision"}, {"strict", true}, {"schema", s_.schema}}}};
    else if (s_.structured_output == "json_object")
        body["response_format"] = {{"type", "json_object"}};
    return body.dump();
}

Reply OpenAiProvider::send(const std::string& payload) {
    std::vector<std::string> headers{"Content-Type: application/json"};
    if (!s_.api_key.empty()) headers.push_back("Authorization: Bearer " + s_.api_key);
    Reply r;
    auto answer = post_json(host_, s_.base_url + "/chat/completions", headers, payload,
                            s_.timeout_ms, "x-request-id", &error_message, r);
    if (!answer) {
        if (out_of_funds(r)) r.kind = ReplyKind::OutOfFunds;
        return r;
    }
    const json& body = answer->body;
    read_usage(body, r);
    const json* message = nullptr;
    std::string finish;
    if (body.is_object() && body.contains("choices") && body["choices"].is_array() &&
        !body["choices"].empty() && body["choices"][0].is_object()) {
        const json& choice = body["choices"][0];
        if (choice.contains("message") && choice["message"].is_object())
            message = &choice["message"];
        finish = json_text(choice, "finish_reason");
    }
    if (!message) {
        r.kind = ReplyKind::Malformed;
        r.error = "the response has no choices[0].message";
        r.text = answer->raw;
        return r;
    }
    if (!json_text(*message, "refusal").empty()) {
        r.kind = ReplyKind::Refused;
        r.text = json_text(*message, "refusal");
        r.error = "the model refused: " + r.text;
        return r;
    }
    if (finish == "content_filter") {
        r.kind = ReplyKind::Refused;
        r.error = "the answer was withheld by the content filter";
        return r;
    }
    r.text = json_text(*message, "content");
    if (finish == "length") {
        r.kind = ReplyKind::Truncated;
        r.error = "the answer was cut off at max_tokens";
        // A reasoning model can spend the whole limit thinking and never start the answer.
        if (int64_t reasoning = reasoning_tokens(body); reasoning > 0)
            r.error += " (" + std::to_string(reasoning) + " of " + std::to_string(r.usage.output) +
                       " output tokens were reasoning: raise max_tokens or lower "
                       "reasoning_effort)";
        return r;
    }
    if (!message->contains("content") || !(*message)["content"].is_string()) {
        r.kind = ReplyKind::Malformed;
        r.error = "the response has no message content";
        r.text = answer->raw;
        return r;
    }
    r.kind = ReplyKind::Answer;
    return r;
}

}  // namespace orchestrade::llm
