#include "candle_builder.hpp"

#include <algorithm>

namespace orchestrade::plugins::robinhood {

void CandleBuilder::close_until(int64_t now_ms, std::vector<Candle>& closed) {
    for (auto it = open_.begin(); it != open_.end();) {
        if (it->second.bar.open_time_ms + interval_ms_ > now_ms) {
            ++it;
            continue;
        }
        if (it->second.complete) closed.push_back(it->second.bar);
        it = open_.erase(it);
    }
}

void CandleBuilder::add(const std::string& symbol, int64_t time_ms, double price,
                        std::vector<Candle>& closed) {
    const int64_t period = time_ms - ((time_ms % interval_ms_) + interval_ms_) % interval_ms_;
    auto it = open_.find(symbol);
    if (it != open_.end() && it->second.bar.open_time_ms != period) {
        if (it->second.bar.open_time_ms > period) return;  // an older sample: ignored
        if (it->second.complete) closed.push_back(it->second.bar);
        open_.erase(it);
        it = open_.end();
    }
    if (it == open_.end()) {
        Open o;
        o.bar = {symbol, period, price, price, price, price};
        o.complete = seen_[symbol];
        seen_[symbol] = true;
        open_.emplace(symbol, o);
        return;
    }
    Candle& b = it->second.bar;
    b.high = std::max(b.high, price);
    b.low = std::min(b.low, price);
    b.close = price;
}

}  // namespace orchestrade::plugins::robinhood
