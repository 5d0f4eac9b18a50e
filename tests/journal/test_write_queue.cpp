// The queue behind a backtest's journal: jobs run in order on one thread, drain waits for them,
// a failure stops the queue and is reported to every later call, and a full queue blocks.
#include <orchestrade/core/write_queue.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <thread>
#include <vector>

namespace orchestrade::core {
namespace {

using IntQueue = WriteQueue<int>;

TEST(WriteQueue, RunsEveryJobInOrderOnOneOtherThread) {
    std::vector<int> seen;
    std::thread::id writer;
    bool one_thread = true;
    IntQueue queue([&](std::vector<int>& jobs) {
        if (writer == std::thread::id()) writer = std::this_thread::get_id();
        one_thread = one_thread && writer == std::this_thread::get_id();
        seen.insert(seen.end(), jobs.begin(), jobs.end());
    });
    for (int i = 0; i < 1000; ++i)
        queue.push(i);
    queue.drain();
    ASSERT_EQ(seen.size(), 1000u);
    for (int i = 0; i < 1000; ++i)
        ASSERT_EQ(seen[static_cast<std::size_t>(i)], i);
    EXPECT_TRUE(one_thread);
    EXPECT_NE(writer, std::this_thread::get_id());
}

TEST(WriteQueue, DrainWaitsForFewJobsToo) {
    std::atomic<int> ran{0};
    IntQueue queue([&](std::vector<int>& jobs) { ran += static_cast<int>(jobs.size()); });
    queue.push(1);  // far below the batch that wakes the writer by itself
    queue.drain();
    EXPECT_EQ(ran.load(), 1);
    queue.drain();  // nothing queued: returns at once
    queue.push(2);
    queue.push(3);
    queue.drain();
    EXPECT_EQ(ran.load(), 3);
}

TEST(WriteQueue, DestroyingItRunsWhatIsQueued) {
    std::atomic<int> ran{0};
    {
        IntQueue queue([&](std::vector<int>& jobs) { ran += static_cast<int>(jobs.size()); });
        for (int i = 0; i < 10; ++i)
            queue.push(i);
    }
    EXPECT_EQ(ran.load(), 10);
}

TEST(WriteQueue, AFailureIsReportedToEveryLaterCallAndLaterJobsAreDropped) {
    std::vector<int> seen;
    IntQueue queue([&](std::vector<int>& jobs) {
        for (int job : jobs) {
            if (job == 3) throw std::runtime_error("disk full");
            seen.push_back(job);
        }
    });
    for (int i = 0; i < 6; ++i)
        queue.push(i);
    EXPECT_THROW(queue.drain(), std::runtime_error);
    EXPECT_EQ(seen, (std::vector<int>{0, 1, 2}));
    try {
        queue.push(7);
        FAIL() << "push after a failure";
    } catch (const std::runtime_error& e) {
        EXPECT_STREQ(e.what(), "disk full");
    }
    EXPECT_THROW(queue.drain(), std::runtime_error);
    EXPECT_EQ(seen, (std::vector<int>{0, 1, 2}));
}

TEST(WriteQueue, AFullQueueBlocksThePusherUntilTheWriterCatchesUp) {
    std::atomic<bool> release{false};
    std::atomic<int> ran{0};
    IntQueue queue([&](std::vector<int>& jobs) {
        while (!release)
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
        ran += static_cast<int>(jobs.size());
    });
    // The writer takes the first batch and stalls; the queue then fills up behind it.
    const int total = static_cast<int>(IntQueue::kMaxWaiting) * 2 + 100;
    std::atomic<int> pushed{0};
    std::thread pusher([&] {
        for (int i = 0; i < total; ++i) {
            queue.push(i);
            ++pushed;
        }
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    EXPECT_LT(pushed.load(), total);  // blocked: the queue holds at most kMaxWaiting jobs
    release = true;
    pusher.join();
    queue.drain();
    EXPECT_EQ(ran.load(), total);
}

}  // namespace
}  // namespace orchestrade::core
