#include <orchestrade/core/clock.hpp>

#include <algorithm>
#include <chrono>
#include <thread>

namespace orchestrade::core {

int64_t WallClock::now_ms() const {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

int64_t SteadyClock::now_ms() const {
    using namespace std::chrono;
    return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

void SteadyClock::sleep_ms(int64_t ms) const {
    std::this_thread::sleep_for(std::chrono::milliseconds(ms));
}

Sleep sleep_until(int64_t wake_ms, const Clock& wall, const SteadyClock& steady,
                  const std::function<bool()>& stop_requested) {
    const int64_t wall_start = wall.now_ms(), steady_start = steady.now_ms();
    const int64_t duration = wake_ms - wall_start;
    Sleep result;
    for (int64_t slept = 0; slept < duration; slept = steady.now_ms() - steady_start) {
        if ((result.stopped = stop_requested())) break;
        steady.sleep_ms(std::clamp<int64_t>(duration - slept, 1, 100));
    }
    result.stopped = result.stopped || stop_requested();
    result.wall_clock_jump_ms = (wall.now_ms() - wall_start) - (steady.now_ms() - steady_start);
    return result;
}

int64_t next_iteration_ms(int64_t now_ms, int64_t interval_ms) {
    const int64_t settle = std::min<int64_t>(2000, interval_ms / 10);
    // Already inside this boundary's settle time: that is the iteration to wait for.
    const int64_t boundary = (now_ms - settle) / interval_ms * interval_ms + interval_ms;
    return boundary + settle;
}

}  // namespace orchestrade::core
