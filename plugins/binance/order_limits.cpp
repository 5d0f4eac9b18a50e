#include "order_limits.hpp"

#include "rate_limiter.hpp"

#include <orchestrade/sdk.hpp>

#include <algorithm>
#include <charconv>

namespace orchestrade::plugins::binance {
namespace {

int64_t unit_ms(char letter) {
    switch (letter) {
        case 'S':
            return 1000;
        case 'M':
            return 60 * 1000;
        case 'H':
            return 60 * 60 * 1000;
        default:
            return 24 * 60 * 60 * 1000;
    }
}

}  // namespace

int64_t OrderLimit::interval_ms() const {
    return std::max(1, interval_num) * unit_ms(interval_letter);
}

std::string OrderLimit::header() const {
    return "X-MBX-ORDER-COUNT-" + std::to_string(interval_num) + interval_letter;
}

std::string OrderLimit::text() const {
    const char* unit = interval_letter == 'S'   ? " s"
                       : interval_letter == 'M' ? " min"
                       : interval_letter == 'H' ? " h"
                                                : " day";
    return std::to_string(limit) + " orders per " + std::to_string(interval_num) + unit;
}

std::vector<OrderLimit> order_limits(const nlohmann::json& info) {
    std::vector<OrderLimit> out;
    for (const auto& l : info.value("rateLimits", nlohmann::json::array())) {
        if (l.value("rateLimitType", "") != "ORDERS") continue;
        const std::string interval = l.value("interval", "");
        if (interval != "SECOND" && interval != "MINUTE" && interval != "HOUR" && interval != "DAY")
            continue;
        out.push_back({l.value("intervalNum", 1), interval[0], l.value("limit", 0)});
    }
    return out;
}

std::vector<OrderLimit> default_order_limits(Market market) {
    if (market == Market::Spot) return {{10, 'S', 100}, {1, 'D', 200000}};
    return {{10, 'S', 300}, {1, 'M', 1200}};
}

void OrderLimiter::set_limits(std::vector<OrderLimit> limits) {
    if (limits.empty()) return;
    limits_ = std::move(limits);
    counts_.clear();
}

void OrderLimiter::admit(int64_t now_ms) const {
    if (now_ms < paused_until_)
        throw sdk::Error(OT_E_RATE_LIMIT, "too many new orders (HTTP 429 -1015, " + paused_for_ +
                                              "): no new order is sent before " +
                                              utc_time(paused_until_));
}

void OrderLimiter::count(int64_t now_ms,
                         const std::function<std::string(const std::string&)>& header) {
    counts_.resize(limits_.size());
    for (std::size_t i = 0; i < limits_.size(); ++i) {
        const std::string text = header(limits_[i].header());
        int orders = 0;
        auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), orders);
        if (text.empty() || ec != std::errc() || end != text.data() + text.size()) continue;
        counts_[i] = {now_ms / limits_[i].interval_ms(), orders};
    }
}

std::string OrderLimiter::exceeded(int64_t now_ms) {
    counts_.resize(limits_.size());
    // The longest interval known to be full; else the shortest, the one a burst exceeds.
    const OrderLimit* full = nullptr;
    const OrderLimit* shortest = nullptr;
    for (std::size_t i = 0; i < limits_.size(); ++i) {
        const OrderLimit& l = limits_[i];
        if (!shortest || l.interval_ms() < shortest->interval_ms()) shortest = &l;
        const bool is_full = l.limit > 0 && counts_[i].window == now_ms / l.interval_ms() &&
                             counts_[i].orders >= l.limit;
        if (is_full && (!full || l.interval_ms() > full->interval_ms())) full = &l;
    }
    const OrderLimit fallback;
    const OrderLimit& hit = full ? *full : shortest ? *shortest : fallback;
    const int64_t until = (now_ms / hit.interval_ms() + 1) * hit.interval_ms();
    if (until > paused_until_) {
        paused_until_ = until;
        paused_for_ = hit.text();
    }
    return "too many new orders (HTTP 429 -1015, " + paused_for_ + "): new orders wait until " +
           utc_time(paused_until_) + "; cancels, queries and market data go on";
}

}  // namespace orchestrade::plugins::binance
