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
