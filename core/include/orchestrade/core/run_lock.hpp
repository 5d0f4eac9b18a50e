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

    // Whether the journal's path still names the file locked. False once it was deleted, renamed
    // or replaced: what the run journals from then on reaches no file a restart reads, and a
    // second run could lock a new file at that path.
    bool still_in_place() const;
    // Whether the file locked was deleted (no name left) and its path is free: the run's
    // connection still holds every record, and can write them back there.
    bool deleted() const;

  private:
    std::string path_;
    int fd_ = -1;
};

}  // namespace orchestrade::core
