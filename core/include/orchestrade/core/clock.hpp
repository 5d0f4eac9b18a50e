// Time as the engine sees it: simulated in a backtest (the close of the bar being processed),
// the wall clock otherwise. Plugins read it through ot_host.now_ms.
#pragma once

#include <atomic>
#include <cstdint>

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

}  // namespace orchestrade::core
