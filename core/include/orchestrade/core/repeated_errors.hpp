// Errors that repeat, such as a strategy that fails on every bar: the first few occurrences of
// each distinct (kind, message) are logged in full, then a count at each power of ten — and, in
// paper and live runs, at least every `remind_ms` while it goes on, so a bot left running still
// says an error persists — and the rest when the run ends; the journal keeps one row per distinct
// error, with its count.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace orchestrade::core {

class RepeatedErrors {
  public:
    static constexpr int64_t kLoggedInFull = 5;
    // Distinct errors kept; beyond, those fully reported are forgotten (messages that differ
    // each time, with an id or a time in them, would otherwise pile up in a long run).
    static constexpr std::size_t kMaxDistinct = 1000;

    // remind_ms 0: no reminder by time (a backtest, whose clock is simulated).
    explicit RepeatedErrors(int64_t remind_ms = 0) : remind_ms_(remind_ms) {}

    struct Occurrence {
        bool first = false;    // the first of its kind: journal it, with count 1
        bool log = false;      // log it in full
        int64_t unlogged = 0;  // > 0: log "... and <unlogged> more like it", journal count
        int64_t count = 0;     // occurrences so far, this one included
    };
    Occurrence add(const std::string& kind, const std::string& message, int64_t now_ms);

    struct Unlogged {
        std::string kind, message;
        int64_t unlogged = 0, count = 0;
    };
    // The errors with occurrences not logged yet, now counted as logged: for the end of a run.
    std::vector<Unlogged> take_unlogged();
    // Distinct errors kept now.
    std::size_t distinct() const { return tallies_.size(); }

  private:
    struct Tally {
        int64_t count = 0;
        int64_t logged = 0;  // occurrences logged in full or counted in a summary line
        int64_t logged_ms = 0;
    };
    int64_t remind_ms_;
    std::map<std::pair<std::string, std::string>, Tally> tallies_;
};

}  // namespace orchestrade::core
