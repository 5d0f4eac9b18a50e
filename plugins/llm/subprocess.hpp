// Runs a program with input on stdin and collects stdout and stderr, under a hard time limit.
// The limit is a kernel timer descriptor polled together with the pipes, so no clock is read and
// nothing waits idly; when the timer fires first, or a stop is requested, the child's whole
// process group is killed.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace orchestrade::llm {

struct ProcessResult {
    bool started = false;
    bool timed_out = false;
    bool stopped = false;  // killed because a stop was requested
    bool output_too_large = false;
    int exit_code = -1;   // when the process exited by itself
    int term_signal = 0;  // when a signal ended it
    std::string out, err;
    std::string error;  // why it could not be started or watched
};

// What the caller's host does around a child: a stop request ends the wait (polled every
// kStopPollMs), and the child's process group is known to it from start to reaping.
class ProcessWatch {
  public:
    static constexpr int kStopPollMs = 100;
    virtual ~ProcessWatch() = default;
    virtual bool stop_requested() const = 0;
    virtual void started(int64_t pgid) const = 0;
    virtual void ended(int64_t pgid) const = 0;
};

// argv[0] is looked up in PATH. The child inherits the environment, starts in `dir` (when not
// empty) and in a process group of its own.
ProcessResult run_process(const std::vector<std::string>& argv, const std::string& input,
                          uint32_t timeout_ms, const std::string& dir,
                          const ProcessWatch* watch = nullptr, std::size_t max_output = 4u << 20);

}  // namespace orchestrade::llm
