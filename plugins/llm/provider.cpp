#include "provider.hpp"

#include "anthropic_provider.hpp"
#include "command_provider.hpp"
#include "openai_provider.hpp"

#include <cctype>
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
        case ReplyKind::OutOfFunds:
            return "out_of_funds";
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

std::optional<int64_t> token_count(const nlohmann::json& obj, const char* key) {
    if (!obj.is_object()) return std::nullopt;
    auto it = obj.find(key);
    if (it == obj.end()) return std::nullopt;
    constexpr double kMost = 1e15;  // far above any context window; keeps the cast defined
    if (it->is_number_unsigned())
        return it->get<uint64_t>() <= kMost ? std::optional<int64_t>(it->get<int64_t>())
                                            : std::nullopt;
    if (!it->is_number()) return std::nullopt;
    const double v = it->get<double>();
    if (!std::isfinite(v) || v < 0 || v > kMost || v != std::floor(v)) return std::nullopt;
    return static_cast<int64_t>(v);
}

std::optional<double> stated_cost(const nlohmann::json& obj, const char* key) {
    if (!obj.is_object()) return std::nullopt;
    auto it = obj.find(key);
    if (it == obj.end() || !it->is_number()) return std::nullopt;
    const double v = it->get<double>();
    return std::isfinite(v) && v >= 0 ? std::optional<double>(v) : std::nullopt;
}

bool says_credit_too_low(const std::string& text) {
    std::string t = text;
    for (char& c : t)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return t.find("credit balance is too low") != std::string::npos;
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

std::optional<HttpAnswer> post_json(
    const sdk::Host& host, const std::string& url, const std::vector<std::string>& headers,
    const std::string& payload, uint32_t timeout_ms, const char* request_id_header,
    std::string (*error_text)(const nlohmann::json& body, const std::string& raw), Reply& reply) {
    sdk::HttpResponse http;
    try {
        http = host.http("POST", url, headers, payload, timeout_ms);
    } catch (const sdk::HttpNotSent& e) {
        reply.kind = ReplyKind::Transport;
        reply.error = std::string(e.what()) + " (the request was not sent: nothing is charged)";
        reply.billing = Billing::NotSent;
        return std::nullopt;
    } catch (const sdk::Error& e) {
        reply.kind = ReplyKind::Transport;
        reply.error = e.what();
        // OT_E_UNSUPPORTED: HTTP is disabled (a backtest), nothing was sent. Any other failure
        // (a timeout, a connection lost, or any failure told by a host older than ABI 1.4) may
        // have come after the provider took the request.
        reply.billing = e.code() == OT_E_UNSUPPORTED ? Billing::NotSent : Billing::Unknown;
        return std::nullopt;
    }
    reply.http_status = http.status;
    // A timeout on the way (a proxy's 408, a gateway's 504): the model may have run. Any other
    // error status is the provider's refusal of the request, which it does not bill.
    if (http.status == 408 || http.status == 504) reply.billing = Billing::Unknown;
    reply.request_id = http.header(request_id_header);
    HttpAnswer answer{nlohmann::json::parse(http.body, nullptr, false), std::move(http.body)};
    if (http.status >= 200 && http.status <= 299) return answer;
    reply.kind = http.status == 429 ? ReplyKind::RateLimited : ReplyKind::HttpError;
    if (http.status == 429) reply.retry_after_ms = retry_after_ms(http);
    reply.error =
        "HTTP " + std::to_string(http.status) + ": " + error_text(answer.body, answer.raw);
    reply.text = std::move(answer.raw);
    return std::nullopt;
}

}  // namespace orchestrade::llm
