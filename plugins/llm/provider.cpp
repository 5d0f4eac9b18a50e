#include "provider.hpp"

#include "anthropic_provider.hpp"
#include "command_provider.hpp"
#include "openai_provider.hpp"

#include <cmath>
#include <cstdlib>

namespace orchestrade::llm {
namespace {

// A non-negative decimal number of `unit` milliseconds, or -1.
int64_t parse_delay(const std::string& text, double unit) {
    if (text.empty()) return -1;
    char* end = nullptr;
    double v = std::strtod(text.c_str(), &end);
    if (end == text.c_str() || *end != '\0' || !(v >= 0) || !std::isfinite(v)) return -1;
    return static_cast<int64_t>(std::ceil(v * unit));
}

}  // namespace

const char* to_string(ReplyKind kind) {
    switch (kind) {
        case ReplyKind::Answer:
            return "answer";
        case ReplyKind::Truncated:
            return "truncated";
        case ReplyKind::Refused:
            return "refused";
        case ReplyKind::RateLimited:
            return "rate_limited";
        case ReplyKind::HttpError:
            return "http_error";
        case ReplyKind::Transport:
            return "transport_error";
        case ReplyKind::Malformed:
            return "malformed_response";
    }
    return "unknown";
}

bool worth_resending(const Reply& reply) {
    switch (reply.kind) {
        case ReplyKind::Transport:
        case ReplyKind::Malformed:
            return true;
        case ReplyKind::HttpError:
            return reply.http_status == 408 || reply.http_status == 409 || reply.http_status >= 500;
        default:
            return false;
    }
}

std::string json_text(const nlohmann::json& obj, const char* key) {
    if (!obj.is_object()) return {};
    auto it = obj.find(key);
    return it != obj.end() && it->is_string() ? it->get<std::string>() : std::string();
}

int64_t retry_after_ms(const sdk::HttpResponse& response) {
    int64_t ms = parse_delay(response.header("retry-after-ms"), 1);
    return ms >= 0 ? ms : parse_delay(response.header("retry-after"), 1000);
}

std::unique_ptr<Provider> make_provider(const ProviderSettings& settings, const sdk::Host& host) {
    if (settings.kind == "anthropic") return std::make_unique<AnthropicProvider>(settings, host);
    if (settings.kind == "command") return std::make_unique<CommandProvider>(settings, host);
    return std::make_unique<OpenAiProvider>(settings, host);
}

}  // namespace orchestrade::llm
