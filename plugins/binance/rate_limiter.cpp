#include "rate_limiter.hpp"

#include <orchestrade/sdk.hpp>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <map>

namespace orchestrade::plugins::binance {
namespace {

constexpr int64_t kMinuteMs = 60000;
constexpr int64_t kDefaultRetryAfterS = 60;

int64_t parse_int(const std::string& text, int64_t fallback) {
    int64_t v = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    return ec == std::errc() && end == text.data() + text.size() ? v : fallback;
}

}  // namespace

std::string utc_time(int64_t ms) {
    int64_t s = ms / 1000;
    char buf[32];
    std::snprintf(buf, sizeof buf, "%02d:%02d:%02d UTC", static_cast<int>(s / 3600 % 24),
                  static_cast<int>(s / 60 % 60), static_cast<int>(s % 60));
    return buf;
}

std::shared_ptr<RateLimiter> RateLimiter::shared(const std::string& base_url,
                                                 int initial_weight_limit) {
    static std::mutex registry_mutex;
    static std::map<std::string, std::weak_ptr<RateLimiter>> registry;
    std::lock_guard lock(registry_mutex);
    std::shared_ptr<RateLimiter> limiter = registry[base_url].lock();
    if (!limiter) {
        limiter = std::make_shared<RateLimiter>(initial_weight_limit);
        registry[base_url] = limiter;
    }
    return limiter;
}

void RateLimiter::set_weight_limit(int weight_limit) {
    std::lock_guard lock(mutex_);
    if (weight_limit > 0) limit_ = weight_limit;
}

void RateLimiter::admit(int64_t now_ms, int weight, Priority priority, double budget_pct) {
    std::lock_guard lock(mutex_);
    if (now_ms < blocked_until_)
        throw sdk::Error(OT_E_RATE_LIMIT,
                         std::string(banned_ ? "IP banned by Binance (HTTP 418)"
                                             : "rate limited by Binance (HTTP 429)") +
                             ": no request is sent before " + utc_time(blocked_until_));
    int64_t window = now_ms / kMinuteMs;
    if (window != window_) {
        window_ = window;
        used_ = 0;
    }
    int cap = priority == Priority::Trading
                  ? limit_
                  : static_cast<int>(limit_ * std::clamp(budget_pct, 1.0, 100.0) / 100.0);
    if (used_ + weight > cap)
        throw sdk::Error(OT_E_RATE_LIMIT,
                         "throttled: " + std::to_string(used_) + " of " + std::to_string(limit_) +
                             " request weight used this minute (budget " + std::to_string(cap) +
                             "); requests resume at " + utc_time((window + 1) * kMinuteMs));
    used_ += weight;
}

void RateLimiter::count_used(int64_t now_ms, const std::string& used_weight) {
    std::lock_guard lock(mutex_);
    count_used_locked(now_ms, used_weight);
}

void RateLimiter::count_used_locked(int64_t now_ms, const std::string& used_weight) {
    if (!used_weight.empty() && now_ms / kMinuteMs == window_)
        used_ = static_cast<int>(parse_int(used_weight, used_));
}

std::string RateLimiter::on_response(int64_t now_ms, int http_status,
                                     const std::string& used_weight,
                                     const std::string& retry_after) {
    std::lock_guard lock(mutex_);
    count_used_locked(now_ms, used_weight);
    if (http_status != 429 && http_status != 418) return {};
    int64_t seconds = std::max<int64_t>(1, parse_int(retry_after, kDefaultRetryAfterS));
    blocked_until_ = std::max(blocked_until_, now_ms + seconds * 1000);
    banned_ = http_status == 418;
    if (banned_)
        return "IP banned by Binance (HTTP 418) for " + std::to_string(seconds) +
               " s: all requests stopped until " + utc_time(blocked_until_);
    return "rate limit hit (HTTP 429): all requests paused for " + std::to_string(seconds) +
           " s, until " + utc_time(blocked_until_);
}

void RateLimiter::block_until(int64_t until_ms, bool banned) {
    std::lock_guard lock(mutex_);
    if (until_ms > blocked_until_) {
        blocked_until_ = until_ms;
        banned_ = banned;
    }
}

int64_t RateLimiter::blocked_until() const {
    std::lock_guard lock(mutex_);
    return blocked_until_;
}

bool RateLimiter::banned() const {
    std::lock_guard lock(mutex_);
    return banned_;
}

}  // namespace orchestrade::plugins::binance
