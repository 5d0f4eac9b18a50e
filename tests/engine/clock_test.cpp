// When the paper/live loop wakes: just after each boundary of the interval, late enough for a
// bar that closed on it to be final at the venue.
#include <orchestrade/core/clock.hpp>

#include <gtest/gtest.h>

using orchestrade::core::next_iteration_ms;

namespace {
constexpr int64_t kThreeMinutes = 180'000;
constexpr int64_t kBoundary = 1704067200000 + 10 * kThreeMinutes;
}  // namespace

TEST(NextIteration, WakesTwoSecondsAfterTheNextBoundary) {
    EXPECT_EQ(next_iteration_ms(kBoundary + 5'000, kThreeMinutes),
              kBoundary + kThreeMinutes + 2'000);
    EXPECT_EQ(next_iteration_ms(kBoundary - 1, kThreeMinutes), kBoundary + 2'000);
}

TEST(NextIteration, InsideTheSettleTimeTheBoundaryJustPassedIsStillAhead) {
    // Woken exactly on the boundary (or a moment after): the bar that just closed may not be
    // final yet, so the loop waits for the settle time, not for a whole interval.
    EXPECT_EQ(next_iteration_ms(kBoundary, kThreeMinutes), kBoundary + 2'000);
    EXPECT_EQ(next_iteration_ms(kBoundary + 1'999, kThreeMinutes), kBoundary + 2'000);
    EXPECT_EQ(next_iteration_ms(kBoundary + 2'000, kThreeMinutes),
              kBoundary + kThreeMinutes + 2'000);
}

TEST(NextIteration, ShortIntervalsSettleForATenthOfThemOnly) {
    EXPECT_EQ(next_iteration_ms(10'150, 1'000), 11'100);  // 100 ms after the boundary
    EXPECT_EQ(next_iteration_ms(41, 1), 42);              // a replay at full speed: no delay
}

// ---- the loop's sleep: timed on the monotonic clock ------------------------------------------

namespace {

using orchestrade::core::Clock;
using orchestrade::core::SteadyClock;

// A steady clock whose sleeps take no real time, and a wall clock that follows it, stepped back
// or forward by `step_ms` during the first sleep (an NTP step, a resumed VM).
class FakeClocks final : public SteadyClock {
  public:
    explicit FakeClocks(int64_t wall_ms, int64_t step_ms = 0) : wall_(wall_ms), step_(step_ms) {}
    int64_t now_ms() const override { return steady_; }
    void sleep_ms(int64_t ms) const override {
        steady_ += ms;
        wall_ += ms + step_;
        step_ = 0;
        ++sleeps_;
    }
    int64_t wall_ms() const { return wall_; }
    int64_t slept_ms() const { return steady_; }
    int sleeps() const { return sleeps_; }

  private:
    mutable int64_t steady_ = 0, wall_;
    mutable int64_t step_;
    mutable int sleeps_ = 0;
};

class WallView final : public Clock {
  public:
    explicit WallView(const FakeClocks& c) : c_(c) {}
    int64_t now_ms() const override { return c_.wall_ms(); }

  private:
    const FakeClocks& c_;
};

bool never() {
    return false;
}

}  // namespace

TEST(LoopSleep, AWallClockSteppedBackDoesNotStretchTheSleep) {
    FakeClocks clocks(kBoundary, -30 * 60'000);  // back by half an hour during the sleep
    const auto slept =
        orchestrade::core::sleep_until(kBoundary + 60'000, WallView(clocks), clocks, never);
    EXPECT_FALSE(slept.stopped);
    EXPECT_EQ(clocks.slept_ms(), 60'000) << "the loop slept as long as the clock went back";
    EXPECT_EQ(slept.wall_clock_jump_ms, -30 * 60'000);
}

TEST(LoopSleep, AWallClockSteppedForwardIsReportedAfterTheSleep) {
    FakeClocks clocks(kBoundary, 5 * 60'000);
    const auto slept =
        orchestrade::core::sleep_until(kBoundary + 60'000, WallView(clocks), clocks, never);
    EXPECT_EQ(clocks.slept_ms(), 60'000);
    EXPECT_EQ(slept.wall_clock_jump_ms, 5 * 60'000);
}

TEST(LoopSleep, AStopIsNoticedWithinATenthOfASecond) {
    FakeClocks clocks(kBoundary);
    const auto slept = orchestrade::core::sleep_until(kBoundary + 60'000, WallView(clocks), clocks,
                                                      [&] { return clocks.slept_ms() >= 1'000; });
    EXPECT_TRUE(slept.stopped);
    EXPECT_EQ(clocks.slept_ms(), 1'000);
    EXPECT_EQ(clocks.sleeps(), 10);
    EXPECT_EQ(slept.wall_clock_jump_ms, 0);
}
