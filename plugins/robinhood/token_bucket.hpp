// A token bucket on the host's clock: 'burst' requests at once, refilled at 'per_minute'. It never
// waits: a caller that gets no token refuses its call and tries again on a later iteration.
#pragma once

#include <algorithm>
#include <cstdint>
#include <limits>

namespace orchestrade::plugins::robinhood {

class TokenBucket {
  public:
    TokenBucket(double per_minute, double burst)
        : per_ms_(per_minute / 60000.0), capacity_(burst), tokens_(burst) {}

    bool take(int64_t now_ms) {
        if (last_ms_ != kNever && now_ms > last_ms_)
            tokens_ =
                std::min(capacity_, tokens_ + static_cast<double>(now_ms - last_ms_) * per_ms_);
        if (last_ms_ == kNever || now_ms > last_ms_) last_ms_ = now_ms;
        if (tokens_ < 1) return false;
        tokens_ -= 1;
        return true;
    }
    // Milliseconds until the next token, from the last call's time.
    int64_t wait_ms() const {
        return tokens_ >= 1 || per_ms_ <= 0 ? 0 : static_cast<int64_t>((1 - tokens_) / per_ms_) + 1;
    }

  private:
    static constexpr int64_t kNever = std::numeric_limits<int64_t>::min();
    double per_ms_;
    double capacity_;
    double tokens_;
    int64_t last_ms_ = kNever;
};

}  // namespace orchestrade::plugins::robinhood
