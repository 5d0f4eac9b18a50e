// Binance request-weight limits, per IP: one limiter per base URL, shared by every instance of
// this library in the process (the feed and the executor spend the same budget). It throttles
// before the limit, from the X-MBX-USED-WEIGHT-1M answers, and after a 429 or a 418 ban it
// refuses every request until Retry-After has passed. The share of the weight that queries may
// use is each caller's own (the feed's and the executor's weight_budget_pct differ). It never
// sleeps: a refused call fails with OT_E_RATE_LIMIT and the caller tries again later.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

namespace orchestrade::plugins::binance {

enum class Priority {
    Normal,  // market data, queries: stop at the budget
    Trading  // orders and cancels: may use the rest, up to the limit
};

class RateLimiter {
  public:
    // The limiter for base_url, created on first use with initial_weight_limit (the limit until
    // exchangeInfo tells the live one); it lives while someone holds it.
    static std::shared_ptr<RateLimiter> shared(const std::string& base_url,
                                               int initial_weight_limit = 1200);

    explicit RateLimiter(int weight_limit = 1200) : limit_(weight_limit) {}
    // REQUEST_WEIGHT per minute, from exchangeInfo.
    void set_weight_limit(int weight_limit);
    // Throws sdk::Error(OT_E_RATE_LIMIT) saying why and until when. now_ms: server time;
    // budget_pct: the share of the limit the caller's Normal requests may use.
    void admit(int64_t now_ms, int weight, Priority priority, double budget_pct);
    // The weight an answer says was used this minute (X-MBX-USED-WEIGHT-1M).
    void count_used(int64_t now_ms, const std::string& used_weight);
    // After an answer: count_used, and a 429/418 blocks every request. Returns a message to log
    // when a block starts, else "".
    std::string on_response(int64_t now_ms, int http_status, const std::string& used_weight,
                            const std::string& retry_after);
    // A block remembered from an earlier process (418 bans outlive restarts).
    void block_until(int64_t until_ms, bool banned);
    int64_t blocked_until() const;
    bool banned() const;

  private:
    void count_used_locked(int64_t now_ms, const std::string& used_weight);

    mutable std::mutex mutex_;
    int limit_;
    int64_t window_ = -1;  // minute index of used_
    int used_ = 0;
    int64_t blocked_until_ = 0;
    bool banned_ = false;  // the block is a 418 ban, not a 429 pause
};

// "12:03:07 UTC" for messages.
std::string utc_time(int64_t ms);

}  // namespace orchestrade::plugins::binance
