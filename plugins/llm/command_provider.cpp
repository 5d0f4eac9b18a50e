#include "command_provider.hpp"

#include "subprocess.hpp"

#include <cctype>

namespace orchestrade::llm {
namespace {

using json = nlohmann::json;

void replace_all(std::string& s, const std::string& from, const std::string& to) {
    for (std::size_t pos = s.find(from); pos != std::string::npos;
         pos = s.find(from, pos + to.size()))
        s.replace(pos, from.size(), to);
}

std::string lower(std::string s) {
    for (char& c : s)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

std::string tail(const std::string& s, std::size_t n) {
    return s.size() <= n ? s : s.substr(s.size() - n);
}

// The CLI reports rate limits and overloads (HTTP 429, 529) only as text.
bool mentions_rate_limit(const std::string& text) {
    std::string t = lower(text);
    for (const char* word : {"rate limit", "429", "overloaded", "529"})
        if (t.find(word) != std::string::npos) return true;
    return false;
}

// What the CLI said went wrong, with its exit status when that was not 0.
std::string result_error(const json& result, int exit_code) {
    std::string subtype = json_text(result, "subtype");
    std::string text = json_text(result, "result");
    if (text.empty() || (subtype != "success" && !subtype.empty()))
        text = subtype + (text.empty() ? "" : " " + text);
    return "the command reported an error" +
           (exit_code != 0 ? " (exit status " + std::to_string(exit_code) + ")" : std::string()) +
           ": " + text;
}

// A Claude CLI result object: {"type":"result","is_error":..,"result":..,"usage":..,...}. A
// non-zero exit is a failure even when the object does not say so.
Reply read_result_object(const json& result, const std::string& raw, int exit_code) {
    Reply r;
    const json usage = result.value("usage", json());  // journaled; the cost is what is charged
    r.usage.input = token_count(usage, "input_tokens").value_or(0);
    r.usage.cached_input = token_count(usage, "cache_read_input_tokens").value_or(0);
    r.usage.cache_write = token_count(usage, "cache_creation_input_tokens").value_or(0);
    r.usage.output = token_count(usage, "output_tokens").value_or(0);
    r.usage.reported_cost_usd = stated_cost(result, "total_cost_usd");
    if (!r.usage.reported_cost_usd)
        r.billing = Billing::Unknown;  // the tokens alone do not price the CLI's own overhead
    bool failed = (result.contains("is_error") && result["is_error"].is_boolean() &&
                   result["is_error"].get<bool>()) ||
                  json_text(result, "subtype") != "success" || exit_code != 0;
    if (failed) {
        r.text = raw;
        r.error = result_error(result, exit_code);
        const std::string text = json_text(result, "result");
        if (says_credit_too_low(text)) {
            r.kind = ReplyKind::OutOfFunds;
            r.http_status = 402;
        } else if (mentions_rate_limit(text)) {
            r.kind = ReplyKind::RateLimited;
            r.http_status = 429;
        } else {
            r.kind = ReplyKind::HttpError;
            r.http_status = 500;
        }
        return r;
    }
    r.kind = ReplyKind::Answer;
    if (result.contains("structured_output") && result["structured_output"].is_object())
        r.text = result["structured_output"].dump();
    else
        r.text = json_text(result, "result");
    return r;
}

}  // namespace

CommandProvider::CommandProvider(ProviderSettings settings, const sdk::Host& host)
    : s_(std::move(settings)), stop_(host) {
    const std::string schema = s_.schema.dump();
    for (std::string arg : s_.command) {
        replace_all(arg, "{model}", s_.model);
        replace_all(arg, "{schema}", schema);
        argv_.push_back(std::move(arg));
    }
}

std::string CommandProvider::identity() const {
    std::string id = name();
    for (const std::string& a : argv_)
        id += " " + a;
    return id;
}

std::string CommandProvider::payload(const ChatRequest& request) const {
    std::string text = request.system;
    for (const Message& m : request.messages)
        text += (m.role == "assistant" ? "\n\nYour previous answer:\n" : "\n\n") + m.content;
    return text + "\n";
}

Reply CommandProvider::send(const std::string& payload) {
    ProcessResult p = run_process(argv_, payload, s_.timeout_ms, s_.command_dir, &stop_);
    Reply r;
    r.kind = ReplyKind::Transport;
    // A command that ran may have called its model, whatever became of it; only a result that
    // states its cost says how much. One that never started cost nothing.
    r.billing = p.started ? Billing::Unknown : Billing::NotSent;
    if (!p.started || !p.error.empty()) {
        r.error = p.error;
        return r;
    }
    if (p.stopped) {
        r.error = std::string(kStoppingReason) + ": the command was killed";
        return r;
    }
    if (p.timed_out) {
        r.error = "the command did not answer within " + std::to_string(s_.timeout_ms) + " ms";
        return r;
    }
    if (p.output_too_large) {
        r.error = "the command printed too much";
        return r;
    }
    // The Claude CLI exits 1 after an API error (a rate limit, say) with its result object, the
    // error text and the cost, on stdout and nothing on stderr.
    json out = json::parse(p.out, nullptr, false);
    if (out.is_object() && json_text(out, "type") == "result")
        return read_result_object(out, p.out, p.exit_code);
    if (p.exit_code != 0) {
        r.text = tail(p.out, 2000);
        r.error =
            (p.term_signal ? "the command was killed by signal " + std::to_string(p.term_signal)
                           : "the command exited with status " + std::to_string(p.exit_code)) +
            ": " + tail(p.err, 300);
        if (mentions_rate_limit(p.err)) {
            r.kind = ReplyKind::RateLimited;
            r.http_status = 429;
        }
        return r;
    }
    r.kind = ReplyKind::Answer;
    r.text = p.out;
    return r;
}

}  // namespace orchestrade::llm
