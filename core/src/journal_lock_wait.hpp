// How a paper/live journal waits for a write lock another process holds (a backup, the sqlite3
// shell in a transaction): SQLite's busy handler, which waits far longer than the 5 s after which
// a plain busy timeout fails the write, and says so in the log while it waits.
#pragma once

#include <chrono>
#include <string>

struct sqlite3;

namespace orchestrade::core {

class JournalLockWait {
  public:
    using Duration = std::chrono::milliseconds;
    static constexpr Duration kWarnAfter{5'000};
    static constexpr Duration kGiveUpAfter{60'000};

    explicit JournalLockWait(std::string journal_path) : path_(std::move(journal_path)) {}
    // Makes `db` wait as this says; the object must outlive the connection's use.
    void install(sqlite3* db);
    void set_limits(Duration warn_after, Duration give_up_after);
    // A write went through: the next lock is waited for in full again.
    void write_succeeded() { gave_up_ = false; }
    // The message of a write that gave up on the lock.
    std::string locked_message() const;

  private:
    static int on_busy(void* self, int count);
    int wait(int count);

    std::string path_;
    Duration warn_after_ = kWarnAfter, give_up_after_ = kGiveUpAfter;
    std::chrono::steady_clock::time_point started_;
    bool warned_ = false;
    Duration given_up_after_{0};  // the wait of the last write that gave up
    // After one write gave up, the next ones wait only warn_after_: a run ending with the
    // journal still locked does not wait a full minute for each of its last writes.
    bool gave_up_ = false;
};

}  // namespace orchestrade::core
