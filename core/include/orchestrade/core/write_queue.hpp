// Runs jobs on one background thread, in the order they were pushed. A backtest's journal
// writes through it: SQLite works on the second core while the loop goes on.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include <pthread.h>

namespace orchestrade::core {

template <class Job>
class WriteQueue {
  public:
    // Runs a batch of jobs, in order, on the writer thread; an exception stops the queue.
    using Runner = std::function<void(std::vector<Job>&)>;
    // At most this many jobs wait; push() blocks beyond it, so memory does not grow with a run.
    static constexpr std::size_t kMaxWaiting = 16384;

    explicit WriteQueue(Runner runner) : runner_(std::move(runner)), thread_([this] { run(); }) {}

    // Runs what is still queued, then stops the thread. Errors are dropped: call drain() first
    // to see them.
    ~WriteQueue() {
        {
            std::lock_guard lock(mutex_);
            stopping_ = true;
        }
        wake_writer_.notify_one();
        thread_.join();
    }
    WriteQueue(const WriteQueue&) = delete;
    WriteQueue& operator=(const WriteQueue&) = delete;

    // Queues a job. Once a batch has thrown, the jobs after it are dropped and push and drain
    // rethrow that exception, every time.
    void push(Job job) {
        std::vector<Job> finished;  // destroyed here, after the lock: see finished_
        std::unique_lock lock(mutex_);
        rethrow_failure();
        finished.swap(finished_);
        if (waiting_.size() >= kMaxWaiting) {
            ++callers_waiting_;
            wake_writer_.notify_one();
            wake_callers_.wait(lock, [&] { return waiting_.size() < kMaxWaiting || failure_; });
            --callers_waiting_;
            rethrow_failure();
        }
        waiting_.push_back(std::move(job));
        if (waiting_.size() == kWakeAt) wake_writer_.notify_one();
    }

    // Returns once every job pushed before has run.
    void drain() {
        std::unique_lock lock(mutex_);
        ++callers_waiting_;
        wake_writer_.notify_one();
        wake_callers_.wait(lock, [&] { return (waiting_.empty() && !running_) || failure_; });
        --callers_waiting_;
        rethrow_failure();
    }

  private:
    // The writer sleeps until this many jobs wait (or somebody waits for it): waking it per job
    // would cost a context switch per row.
    static constexpr std::size_t kWakeAt = 256;

    void rethrow_failure() const {  // the caller holds mutex_
        if (failure_) std::rethrow_exception(failure_);
    }

    void run() {
        pthread_setname_np(pthread_self(), "journal-writer");  // as top -H and perf show it
        std::vector<Job> jobs;
        std::unique_lock lock(mutex_);
        for (;;) {
            wake_writer_.wait(lock, [&] {
                return stopping_ || callers_waiting_ > 0 || waiting_.size() >= kWakeAt;
            });
            if (waiting_.empty()) {
                if (stopping_) return;
                // A caller waits for an idle writer: tell it (it may have come in after the last
                // batch ran), then sleep until something new happens.
                wake_callers_.notify_all();
                wake_writer_.wait(lock, [&] { return stopping_ || !waiting_.empty(); });
                continue;
            }
            jobs.swap(waiting_);
            running_ = true;
            lock.unlock();
            wake_callers_.notify_all();  // the queue has room again
            std::exception_ptr failure;
            try {
                runner_(jobs);
            } catch (...) {
                failure = std::current_exception();
            }
            lock.lock();
            running_ = false;
            // The pusher's thread allocated these jobs: it frees them too, which keeps the two
            // threads off each other's malloc arena.
            if (finished_.empty()) jobs.swap(finished_);
            if (failure) {
                failure_ = failure;
                waiting_.clear();
            }
            if (waiting_.empty()) wake_callers_.notify_all();
            if (!jobs.empty()) {
                lock.unlock();
                jobs.clear();
                lock.lock();
            }
        }
    }

    Runner runner_;
    std::mutex mutex_;
    std::condition_variable wake_writer_;   // work, a waiting caller, or stop
    std::condition_variable wake_callers_;  // room in the queue, or the writer went idle
    std::vector<Job> waiting_;
    std::vector<Job> finished_;        // ran, left for push() to free
    std::size_t callers_waiting_ = 0;  // in drain() or blocked in push()
    bool running_ = false;
    bool stopping_ = false;
    std::exception_ptr failure_;
    std::thread thread_;  // last: started when everything above exists
};

}  // namespace orchestrade::core
