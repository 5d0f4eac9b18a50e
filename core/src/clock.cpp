#include <orchestrade/core/clock.hpp>

#include <chrono>

namespace orchestrade::core {

int64_t WallClock::now_ms() const {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

}  // namespace orchestrade::core
