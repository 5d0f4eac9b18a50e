#include "fake_llm_server.hpp"

#include "trade_policy.hpp"

#include <httplib.h>

#include <cctype>
#include <chrono>
#include <regex>

namespace orchestrade::testing::llm {
namespace {

using json = nlohmann::json;

std::string lower(std::string s) {
    for (char& c : s)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

std::string header(const std::map<std::string, std::string>& h, const std::string& name) {
    auto it = h.find(name);
    return it == h.end() ? std::string() : it->second;
}

// The strict-mode rules of OpenAI structured outputs: every property required, no others.
std::string strict_schema_problem(const json& schema) {
    if (!schema.is_object() || schema.value("type", "") != "object")
        return "schema must be an object";
    if (!schema.contains("additionalProperties") || schema["additionalProperties"] != false)
        return "additionalProperties must be false in strict mode";
    if (!schema.contains("properties") || !schema.contains("required"))
        return "properties and required are needed";
    for (const auto& [name, value] : schema["properties"].items()) {
        bool listed = false;
        for (const json& r : schema["required"])
            listed = listed || r == name;
        if (!listed) return "property '" + name + "' must be required in strict mode";
    }
    return {};
}

std::string first_user_text(const json& messages) {
    for (const json& m : messages)
        if (m.value("role", "") == "user" && m.contains("content") && m["content"].is_string())
            return m["content"].get<std::string>();
    return {};
}

}  // namespace

FakeLlmServer::FakeLlmServer(Dialect dialect, std::string api_key)
    : dialect_(dialect),
      api_key_(std::move(api_key)),
      server_(std::make_unique<httplib::Server>()) {
    const char* path = dialect_ == Dialect::OpenAi ? "/v1/chat/completions" : "/v1/messages";
    server_->Post(path, [this](const httplib::Request& req, httplib::Response& res) {
        std::map<std::string, std::string> headers;
        for (const auto& [name, value] : req.headers)
            headers[lower(name)] = value;
        Outcome out = handle(headers, req.body);
        res.status = out.status;
        for (const auto& [name, value] : out.headers)
            res.set_header(name, value);
        res.set_content(out.body, "application/json");
    });
    port_ = server_->bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_->listen_after_bind(); });
    while (!server_->is_running())
        std::this_thread::yield();
}

FakeLlmServer::~FakeLlmServer() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    released_.notify_all();
    server_->stop();
    thread_.join();
}

std::string FakeLlmServer::base_url() const {
    return "http://127.0.0.1:" + std::to_string(port_) + "/v1";
}

void FakeLlmServer::script(std::vector<Scripted> replies) {
    std::lock_guard lock(mutex_);
    for (Scripted& r : replies)
        script_.push_back(std::move(r));
}

void FakeLlmServer::set_usage_json(nlohmann::json usage) {
    std::lock_guard lock(mutex_);
    usage_json_ = std::move(usage);
}

void FakeLlmServer::set_usage(int input_tokens, int cached_tokens, int output_tokens) {
    std::lock_guard lock(mutex_);
    input_tokens_ = input_tokens;
    cached_tokens_ = cached_tokens;
    output_tokens_ = output_tokens;
}

int FakeLlmServer::calls() const {
    std::lock_guard lock(mutex_);
    return static_cast<int>(received_.size());
}

int FakeLlmServer::rejected() const {
    std::lock_guard lock(mutex_);
    return rejected_;
}

std::vector<Received> FakeLlmServer::received() const {
    std::lock_guard lock(mutex_);
    return received_;
}

std::string FakeLlmServer::check(const std::map<std::string, std::string>& h,
                                 const json& body) const {
    if (!body.is_object()) return "the body is not a JSON object";
    if (!body.contains("model") || !body["model"].is_string()) return "model is required";
    if (!body.contains("messages") || !body["messages"].is_array() || body["messages"].empty())
        return "messages must be a non-empty array";
    if (dialect_ == Dialect::OpenAi) {
        if (body["messages"][0].value("role", "") != "system")
            return "expected a system message first";
        if (body.contains("reasoning_effort")) {
            const std::string effort = body["reasoning_effort"].is_string()
                                           ? body["reasoning_effort"].get<std::string>()
                                           : "";
            if (effort != "minimal" && effort != "low" && effort != "medium" && effort != "high")
                return "Invalid value for 'reasoning_effort'";
        }
        if (body.contains("response_format")) {
            const json& f = body["response_format"];
            if (f.value("type", "") == "json_schema") {
                const json& js = f.value("json_schema", json::object());
                if (!std::regex_match(js.value("name", ""), std::regex("[A-Za-z0-9_-]{1,64}")))
                    return "json_schema.name is invalid";
                if (js.value("strict", false)) {
                    std::string problem = strict_schema_problem(js.value("schema", json()));
                    if (!problem.empty()) return "invalid schema: " + problem;
                }
            }
        }
        return {};
    }
    if (header(h, "anthropic-version") != "2023-06-01")
        return "anthropic-version header is required";
    if (!body.contains("max_tokens") || !body["max_tokens"].is_number_integer())
        return "max_tokens: Field required";
    std::string expected = "user";
    for (const json& m : body["messages"]) {
        if (m.value("role", "") != expected) return "roles must alternate, starting with user";
        if (!m.contains("content") || !m["content"].is_string() ||
            m["content"].get<std::string>().empty())
            return "all messages must have non-empty content";
        expected = expected == "user" ? "assistant" : "user";
    }
    if (body.contains("output_config")) {
        const json& f = body["output_config"].value("format", json::object());
        if (f.value("type", "") != "json_schema" || !f.contains("schema") ||
            !f["schema"].is_object())
            return "output_config.format needs type json_schema and a schema";
    }
    return {};
}

FakeLlmServer::Outcome FakeLlmServer::handle(const std::map<std::string, std::string>& headers,
                                             const std::string& text) {
    // A local server (no key configured) takes any request, as Ollama does.
    bool key_ok =
        api_key_.empty() ||
        (dialect_ == Dialect::OpenAi ? header(headers, "authorization") == "Bearer " + api_key_
                                     : header(headers, "x-api-key") == api_key_);
    json body = json::parse(text, nullptr, false);
    std::string problem = key_ok ? check(headers, body) : "invalid API key";
    Scripted next;
    int n = 0;
    {
        std::lock_guard lock(mutex_);
        if (!problem.empty()) {
            ++rejected_;
        } else {
            received_.push_back({headers, body, first_user_text(body["messages"])});
            n = static_cast<int>(received_.size());
            if (!script_.empty()) {
                next = script_.front();
                script_.pop_front();
            } else {
                next = Scripted::answer(policy_answer(received_.back().prompt));
            }
        }
    }
    if (!problem.empty()) {
        int status = key_ok ? 400 : 401;
        json error =
            dialect_ == Dialect::OpenAi
                ? json{{"error", {{"message", problem}, {"type", "invalid_request_error"}}}}
                : json{{"type", "error"},
                       {"error",
                        {{"type", key_ok ? "invalid_request_error" : "authentication_error"},
                         {"message", problem}}}};
        return {status, error.dump(), {}};
    }
    return reply(next, body, n);
}

void FakeLlmServer::hold(int ms) {
    std::unique_lock lock(mutex_);
    released_.wait_for(lock, std::chrono::milliseconds(ms), [this] { return stopping_; });
}

FakeLlmServer::Outcome FakeLlmServer::reply(const Scripted& s, const json& request, int n) {
    using Kind = Scripted::Kind;
    const bool openai = dialect_ == Dialect::OpenAi;
    const std::string id = std::to_string(n);
    std::map<std::string, std::string> headers{
        {openai ? "x-request-id" : "request-id", "req-" + id}};
    if (s.kind == Kind::GarbageBody)
        return {200, "<html><body>upstream hiccup</body></html>", headers};
    if (s.kind == Kind::RateLimit || s.kind == Kind::ServerError) {
        int status = s.kind == Kind::RateLimit ? 429 : s.status;
        if (s.kind == Kind::RateLimit && s.retry_after_s >= 0)
            headers["retry-after"] = std::to_string(s.retry_after_s);
        std::string type = s.kind == Kind::RateLimit ? "rate_limit_error"
                           : status == 529           ? "overloaded_error"
                                                     : "api_error";
        json error = openai
                         ? json{{"error", {{"message", type}, {"type", type}, {"code", type}}}}
                         : json{{"type", "error"}, {"error", {{"type", type}, {"message", type}}}};
        return {status, error.dump(), headers};
    }
    if (s.kind == Kind::OutOfFunds) {
        json error = openai ? json{{"error",
                                    {{"message", "You exceeded your current quota"},
                                     {"type", "insufficient_quota"},
                                     {"code", "insufficient_quota"}}}}
                            : json{{"type", "error"},
                                   {"error",
                                    {{"type", "billing_error"},
                                     {"message", "This organization has no credit left"}}}};
        return {openai ? 429 : 402, error.dump(), headers};
    }
    if (s.kind == Kind::CreditTooLow) {
        json error = {{"type", "error"},
                      {"error",
                       {{"type", "invalid_request_error"},
                        {"message",
                         "Your credit balance is too low to access the Anthropic API. Please go to "
                         "Plans & Billing to upgrade or purchase credits."}}}};
        return {400, error.dump(), headers};
    }
    if (s.kind == Kind::Timeout) hold(timeout_hold_ms_);

    int input, cached, output;
    json usage_json;
    {
        std::lock_guard lock(mutex_);
        input = input_tokens_;
        cached = cached_tokens_;
        output = output_tokens_;
        usage_json = usage_json_;
    }
    const std::string model = request.value("model", "");
    const bool refused = s.kind == Kind::Refusal;
    const bool thought_out = s.kind == Kind::AllReasoning;
    const bool cut = s.kind == Kind::Truncated || thought_out;
    if (openai) {
        json message = {{"role", "assistant"},
                        {"content", refused ? json(nullptr) : json(s.content)},
                        {"refusal", refused ? json("I can't help with that.") : json(nullptr)}};
        json body = {
            {"id", "chatcmpl-" + id},
            {"object", "chat.completion"},
            {"created", 1700000000},
            {"model", model},
            {"choices",
             {{{"index", 0}, {"message", message}, {"finish_reason", cut ? "length" : "stop"}}}},
            {"usage",
             {{"prompt_tokens", input},
              {"completion_tokens", output},
              {"total_tokens", input + output},
              {"prompt_tokens_details", {{"cached_tokens", cached}}},
              {"completion_tokens_details", {{"reasoning_tokens", thought_out ? output : 0}}}}}};
        if (!usage_json.is_null()) body["usage"] = usage_json;
        return {200, body.dump(), headers};
    }
    json content = refused ? json::array() : json::array({{{"type", "text"}, {"text", s.content}}});
    json body = {{"id", "msg_" + id},
                 {"type", "message"},
                 {"role", "assistant"},
                 {"model", model},
                 {"content", content},
                 {"stop_reason", refused ? "refusal"
                                 : cut   ? "max_tokens"
                                         : "end_turn"},
                 {"stop_sequence", nullptr},
                 {"usage",
                  {{"input_tokens", input - cached},
                   {"output_tokens", output},
                   {"cache_creation_input_tokens", 0},
                   {"cache_read_input_tokens", cached}}}};
    if (!usage_json.is_null()) body["usage"] = usage_json;
    return {200, body.dump(), headers};
}

}  // namespace orchestrade::testing::llm
