#include <orchestrade/core/clock.hpp>

#include <algorithm>
#include <chrono>

namespace orchestrade::core {

int64_t WallClock::now_ms() const {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

int64_t next_iteration_ms(int64_t now_ms, int64_t interval_ms) {
    const int64_t settle = std::min<int64_t>(2000, interval_ms / 10);
    // Already inside this boundary's settle time: that is the iteration to wait for.
    const int64_t boundary = (now_ms - settle) / interval_ms * interval_ms + interval_ms;
    return boundary + settle;
}

}  // namespace orchestrade::core
