// Binance's ORDERS limits: how many new orders the account may place per interval (spot: 10 s
// and a day; USD-M futures: 10 s and a minute). Past one, Binance answers a new order HTTP 429
// -1015 without Retry-After, and only new orders are refused: the count is per account, not the
// IP's request weight, so cancels, queries and market data go on. New orders then wait for the
// end of the interval that was exceeded, read from the X-MBX-ORDER-COUNT-<n><S|M|H|D> headers of
// earlier orders (the shortest interval when none is known full).
#pragma once

#include "symbols.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace orchestrade::plugins::binance {

inline constexpr int kErrTooManyOrders = -1015;

struct OrderLimit {
    int interval_num = 10;
    char interval_letter = 'S';  // S, M, H or D
    int limit = 0;

    int64_t interval_ms() const;
    std::string header() const;  // "X-MBX-ORDER-COUNT-10S"
    std::string text() const;    // "100 orders per 10 s"
};

// The ORDERS entries of exchangeInfo's rateLimits; empty when it has none.
std::vector<OrderLimit> order_limits(const nlohmann::json& info);
// Binance's published limits, until exchangeInfo says otherwise.
std::vector<OrderLimit> default_order_limits(Market market);

class OrderLimiter {
  public:
    explicit OrderLimiter(std::vector<OrderLimit> limits) : limits_(std::move(limits)) {}
    // Keeps the current limits when `limits` is empty.
    void set_limits(std::vector<OrderLimit> limits);
    // Throws sdk::Error(OT_E_RATE_LIMIT) while new orders wait. now_ms: server time.
    void admit(int64_t now_ms) const;
    // The counts an answer to a new order carries; header(name) is a response header or "".
    void count(int64_t now_ms, const std::function<std::string(const std::string&)>& header);
    // After a 429 -1015 without Retry-After: new orders wait for the end of the interval that
    // was exceeded. Returns the message to log.
    std::string exceeded(int64_t now_ms);

  private:
    struct Count {
        int64_t window = -1;  // interval index the count belongs to
        int orders = 0;
    };
    std::vector<OrderLimit> limits_;
    std::vector<Count> counts_;  // by index in limits_
    int64_t paused_until_ = 0;
    std::string paused_for_;  // the limit exceeded
};

}  // namespace orchestrade::plugins::binance
