#include "rest_client.hpp"

#include "time_format.hpp"

#include <charconv>
#include <cstdlib>

namespace orchestrade::plugins::robinhood {
namespace {

constexpr int64_t kSkewWarningMs = 5000;
constexpr int64_t kMaxBackoffMs = 60000;
constexpr std::size_t kMaxPages = 100;

// The path and query of a 'next' link (an absolute URL or a path), or empty.
std::string next_path(const std::string& next) {
    std::size_t scheme = next.find("://");
    if (scheme == std::string::npos) return !next.empty() && next.front() == '/' ? next : "";
    std::size_t slash = next.find('/', scheme + 3);
    return slash == std::string::npos ? "" : next.substr(slash);
}

std::string seconds(int64_t ms) {
    return std::to_string(std::llabs(ms) / 1000) + " s";
}

}  // namespace

RestClient::RestClient(const sdk::Host& host, const RestConfig& config)
    : host_(host),
      config_(config),
      signer_(config.private_key),
      bucket_(config.requests_per_minute, config.burst) {
    config_.private_key.clear();
    while (!config_.base_url.empty() && config_.base_url.back() == '/')
        config_.base_url.pop_back();
    if (config_.api_key.empty())
        throw sdk::Error(OT_E_INVALID_ARG, config_.name + ": api_key is empty");
    for (char c : config_.api_key)
        if (static_cast<unsigned char>(c) < 0x20 || c == ' ')
            throw sdk::Error(OT_E_INVALID_ARG,
                             config_.name + ": api_key contains spaces or control characters");
    if (config_.base_url.rfind("http://", 0) != 0 && config_.base_url.rfind("https://", 0) != 0)
        throw sdk::Error(OT_E_INVALID_ARG,
                         config_.name + ": base_url must start with https:// (or http://)");
}

void RestClient::before_send(const std::string& method, const std::string& path) {
    const int64_t now = host_.now_ms();
    std::string why;
    if (now < backoff_until_ms_)
        why = "backing off after HTTP 429 for " + seconds(backoff_until_ms_ - now) + " more";
    else if (!bucket_.take(now))
        why = "no request token left (" + format_number(config_.requests_per_minute) +
              "/min, burst " + format_number(config_.burst) + "); next in " +
              std::to_string(bucket_.wait_ms()) + " ms";
    if (why.empty()) {
        refusing_ = false;
        return;
    }
    std::string message = config_.name + ": rate limit: " + method + " " +
                          path.substr(0, path.find('?')) + " refused, " + why +
                          "; it is tried again later";
    host_.log(refusing_ ? OT_LOG_DEBUG : OT_LOG_WARN, message);
    refusing_ = true;
    throw sdk::Error(OT_E_RATE_LIMIT, message);
}

RestResponse RestClient::send(const std::string& method, const std::string& path,
                              const std::string& body) {
    before_send(method, path);
    const int64_t timestamp_s = host_.now_ms() / 1000;
    const std::string signature =
        signer_.sign_base64(signing_message(config_.api_key, timestamp_s, path, method, body));
    std::vector<std::string> headers{
        "x-api-key: " + config_.api_key, "x-timestamp: " + std::to_string(timestamp_s),
        "x-signature: " + signature, "Content-Type: application/json; charset=utf-8"};
    RestResponse r;
    try {
        r.raw = host_.http(method, config_.base_url + path, headers, body, config_.timeout_ms);
    } catch (const sdk::Error& e) {
        throw sdk::Error(e.code(), config_.name + ": " + method + " " +
                                       path.substr(0, path.find('?')) + ": " + e.what());
    }
    after_response(r.raw);
    r.status = r.raw.status;
    r.body = r.raw.body;
    return r;
}

void RestClient::after_response(const sdk::HttpResponse& response) {
    const int64_t now = host_.now_ms();
    if (std::optional<int64_t> date = parse_http_date_ms(response.header("Date")))
        skew_ms_ = now - *date;
    if (response.status != 429) {
        consecutive_429_ = 0;
        return;
    }
    int64_t wait = std::min<int64_t>(kMaxBackoffMs, 1000LL << std::min(consecutive_429_, 6));
    std::string retry_after = response.header("Retry-After");
    int64_t secs = 0;
    auto [end, ec] =
        std::from_chars(retry_after.data(), retry_after.data() + retry_after.size(), secs);
    if (ec == std::errc() && end == retry_after.data() + retry_after.size() && secs >= 0)
        wait = secs * 1000;
    else if (std::optional<int64_t> until = parse_http_date_ms(retry_after))
        wait = std::max<int64_t>(0, *until - now);
    ++consecutive_429_;
    backoff_until_ms_ = now + wait;
    host_.warn(config_.name + ": HTTP 429 from the venue: no request for " + seconds(wait) +
               (retry_after.empty() ? "" : " (Retry-After: " + retry_after + ")"));
}

std::string RestClient::skew_hint() const {
    if (!skew_ms_) return "; check api_key, private_key and that this host's clock is right";
    return "; check api_key and private_key; this host's clock is " + seconds(*skew_ms_) +
           (*skew_ms_ >= 0 ? " ahead of" : " behind") +
           " the venue's (HTTP Date), and a signature is valid for 30 s";
}

json RestClient::expect_json(const RestResponse& r, Call call, const std::string& what) const {
    if (r.status >= 200 && r.status < 300) {
        json doc = json::parse(r.body, nullptr, false);
        if (!doc.is_discarded()) return doc;
        throw sdk::Error(call == Call::PlaceOrder ? OT_E_AMBIGUOUS : OT_E_IO,
                         config_.name + ": " + what + ": unreadable answer (HTTP " +
                             std::to_string(r.status) + "): " + r.body.substr(0, 200));
    }
    std::string message = config_.name + ": " + what + ": " + describe_http_error(r.status, r.body);
    if (r.status == 401 || r.status == 403) message += skew_hint();
    throw sdk::Error(status_for_http_error(r.status, call), message);
}

json RestClient::get(const std::string& path, const std::string& what) {
    return expect_json(send("GET", path), Call::Read, what);
}

std::vector<json> RestClient::get_all(const std::string& path, const std::string& what) {
    std::vector<json> rows;
    std::string page = path;
    for (std::size_t n = 0; n < kMaxPages; ++n) {
        json doc = get(page, what);
        if (doc.contains("results") && doc["results"].is_array())
            for (json& row : doc["results"])
                rows.push_back(std::move(row));
        std::string next = text_field(doc, "next");
        if (next.empty()) return rows;
        page = next_path(next);
        if (page.empty())
            throw sdk::Error(OT_E_IO, config_.name + ": " + what + ": unusable next link " + next);
    }
    throw sdk::Error(OT_E_IO, config_.name + ": " + what + ": more than " +
                                  std::to_string(kMaxPages) + " pages");
}

int64_t RestClient::signature_expiry_ms(int64_t sent_ms) const {
    return sent_ms + kSignatureWindowMs + std::max<int64_t>(0, clock_lead_ms());
}

void RestClient::check_clock() const {
    if (!skew_ms_) return;
    const int64_t skew = *skew_ms_;
    std::string where =
        seconds(skew) + (skew >= 0 ? " ahead of" : " behind") + " the venue's (HTTP Date header)";
    if (std::llabs(skew) >= kSignatureWindowMs)
        throw sdk::Error(OT_E_INVALID_ARG,
                         config_.name + ": clock skew: this host's clock is " + where +
                             "; Robinhood accepts a signed request for 30 s only: synchronise "
                             "the clock (NTP) before trading");
    if (std::llabs(skew) >= kSkewWarningMs)
        host_.warn(config_.name + ": this host's clock is " + where +
                   "; requests fail once the difference reaches 30 s: check NTP");
}

}  // namespace orchestrade::plugins::robinhood
