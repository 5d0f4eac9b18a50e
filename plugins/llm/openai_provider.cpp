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

int64_t count(const json& obj, const char* key) {
    auto it = obj.find(key);
    return it != obj.end() && it->is_number_integer() ? it->get<int64_t>() : 0;
}

int64_t reasoning_tokens(const json& body) {
    const json usage = body.value("usage", json::object());
    const json details = usage.is_object()
                             ? usage.value("completion_tokens_details", json::object())
                             : json::object();
    return details.is_object() ? count(details, "reasoning_tokens") : 0;
}

Usage read_usage(const json& body) {
    Usage u;
    auto it = body.find("usage");
    if (it == body.end() || !it->is_object()) return u;
    const json& usage = *it;
    // prompt_tokens includes the cached ones.
    int64_t prompt = count(usage, "prompt_tokens");
    auto details = usage.find("prompt_tokens_details");
    if (details != usage.end() && details->is_object())
        u.cached_input = count(*details, "cached_tokens");
    u.input = prompt > u.cached_input ? prompt - u.cached_input : 0;
    u.output = count(usage, "completion_tokens");  // reasoning tokens included
    auto cost = usage.find("cost");                // OpenRouter states its charge
    if (cost != usage.end() && cost->is_number()) u.reported_cost_usd = cost->get<double>();
    return u;
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
    r.usage = read_usage(body);
    // A 2xx without usage (a garbage body, a server that does not count): billed, for how much
    // the reply does not say.
    if (!body.is_object() || !body.contains("usage") || !body["usage"].is_object())
        r.billing = Billing::Unknown;
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
