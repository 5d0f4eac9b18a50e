// The one run a journal may have at a time. Two runs on one journal (cron starting a bot that is
// still running) would each trade the same bars, and each overwrite the other's venue state.
#pragma once

#include <string>

namespace orchestrade::core {

// An exclusive flock(2) on the journal file, held for the run's life and released by the
// kernel when the process ends, however it ends.
class RunLock {
  public:
    // Throws std::runtime_error naming the journal when another process holds it.
    explicit RunLock(const std::string& journal_path);
    ~RunLock();
    RunLock(const RunLock&) = delete;
    RunLock& operator=(const RunLock&) = delete;

    // Whether a run holds the journal now: a run still marked running in a journal nobody holds
    // ended without closing (killed, or its machine went down).
    static bool held(const std::string& journal_path);

  private:
    int fd_ = -1;
};

}  // namespace orchestrade::core
