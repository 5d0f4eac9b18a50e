// Time as the engine sees it: simulated in a backtest (the close of the bar being processed),
// the wall clock otherwise. Plugins read it through ot_host.now_ms.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>

namespace orchestrade::core {

class Clock {
  public:
    virtual ~Clock() = default;
    virtual int64_t now_ms() const = 0;
};

class SimulatedClock final : public Clock {
  public:
    int64_t now_ms() const override { return now_.load(std::memory_order_relaxed); }
    void set(int64_t ms) { now_.store(ms, std::memory_order_relaxed); }

  private:
    std::atomic<int64_t> now_{0};
};

class WallClock final : public Clock {
  public:
    int64_t now_ms() const override;
};

// The monotonic clock the paper/live loop sleeps on: unlike the wall clock, no NTP step or
// resumed VM moves it back, which would stretch a sleep measured on the wall clock by as much.
class SteadyClock {
  public:
    virtual ~SteadyClock() = default;
    virtual int64_t now_ms() const;
    virtual void sleep_ms(int64_t ms) const;
};

struct Sleep {
    bool stopped = false;  // a stop was requested meanwhile
    // How far the wall clock moved beyond the time slept: a step forward (> 0) or back (< 0).
    int64_t wall_clock_jump_ms = 0;
};

// Sleeps until the wall clock's wake_ms as it is read now, timing the sleep on `steady`, in
// steps of at most 100 ms so that a stop is noticed at once.
Sleep sleep_until(int64_t wake_ms, const Clock& wall, const SteadyClock& steady,
                  const std::function<bool()>& stop_requested);

// When a paper/live iteration after now_ms starts: the next multiple of the interval, plus a
// tenth of it up to 2 s, so that a bar closing on that boundary is final at the venue when the
// feed asks (an exchange still updates a bar for a moment after its close; asked too early, the
// loop would wait a whole interval for it).
int64_t next_iteration_ms(int64_t now_ms, int64_t interval_ms);

}  // namespace orchestrade::core
