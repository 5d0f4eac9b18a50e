// Errors repeated on every bar are logged a few times, then counted; a paper or live run still
// says at least every few minutes that one goes on, and a long run does not keep every distinct
// message it ever saw.
#include <orchestrade/core/repeated_errors.hpp>

#include <gtest/gtest.h>

namespace orchestrade::core {
namespace {

constexpr int64_t kMinute = 60'000;

TEST(RepeatedErrors, ABacktestCountsAtPowersOfTenOnly) {
    RepeatedErrors e;  // no reminder by time
    int reports = 0;
    for (int i = 1; i <= 100; ++i) {
        const RepeatedErrors::Occurrence o = e.add("strategy_error", "boom", i * kMinute);
        EXPECT_EQ(o.log, i <= RepeatedErrors::kLoggedInFull) << i;
        if (o.unlogged > 0) ++reports;
    }
    EXPECT_EQ(reports, 2) << "at the 10th and the 100th";
}

TEST(RepeatedErrors, APaperRunSaysAtLeastEveryRemindIntervalThatAnErrorGoesOn) {
    RepeatedErrors e(10 * kMinute);
    std::vector<int> said_at;
    for (int i = 1; i <= 40; ++i)
        if (e.add("executor_error", "venue down", i * kMinute).unlogged > 0) said_at.push_back(i);
    EXPECT_EQ(said_at, (std::vector<int>{10, 20, 30, 40}));
}

TEST(RepeatedErrors, ALongRunForgetsDistinctErrorsAlreadyReported) {
    RepeatedErrors e;
    for (std::size_t i = 0; i < 3 * RepeatedErrors::kMaxDistinct; ++i)
        EXPECT_TRUE(e.add("executor_error", "order " + std::to_string(i), 0).first);
    EXPECT_LE(e.distinct(), RepeatedErrors::kMaxDistinct);
    EXPECT_TRUE(e.take_unlogged().empty()) << "each was logged in full";
    // One still being counted is kept across the clean-ups.
    for (int i = 0; i < 7; ++i)
        e.add("strategy_error", "boom", 0);
    for (std::size_t i = 0; i < 2 * RepeatedErrors::kMaxDistinct; ++i)
        e.add("executor_error", "later " + std::to_string(i), 0);
    EXPECT_LE(e.distinct(), RepeatedErrors::kMaxDistinct);
    const std::vector<RepeatedErrors::Unlogged> left = e.take_unlogged();
    ASSERT_EQ(left.size(), 1u);
    EXPECT_EQ(left[0].message, "boom");
    EXPECT_EQ(left[0].count, 7);
}

}  // namespace
}  // namespace orchestrade::core
