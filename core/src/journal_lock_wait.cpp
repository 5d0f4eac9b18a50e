#include "journal_lock_wait.hpp"

#include <orchestrade/core/logging.hpp>

#include <sqlite3.h>

#include <algorithm>
#include <thread>

namespace orchestrade::core {

void JournalLockWait::install(sqlite3* db) {
    sqlite3_busy_handler(db, &JournalLockWait::on_busy, this);
}

void JournalLockWait::set_limits(Duration warn_after, Duration give_up_after) {
    warn_after_ = warn_after;
    give_up_after_ = give_up_after;
}

std::string JournalLockWait::locked_message() const {
    return fmt::format(
        "journal '{}': database is locked: another process holds the journal (waited {:.1f} s)",
        path_, static_cast<double>(given_up_after_.count()) / 1000);
}

int JournalLockWait::on_busy(void* self, int count) {
    return static_cast<JournalLockWait*>(self)->wait(count);
}

int JournalLockWait::wait(int count) {
    const auto now = std::chrono::steady_clock::now();
    if (count == 0) {
        started_ = now;
        warned_ = false;
    }
    const auto waited = std::chrono::duration_cast<Duration>(now - started_);
    const Duration limit = gave_up_ ? warn_after_ : give_up_after_;
    if (waited >= limit) {
        gave_up_ = true;
        given_up_after_ = waited;
        return 0;  // SQLITE_BUSY for the statement
    }
    if (!warned_ && waited >= warn_after_) {
        warned_ = true;
        logger("journal")->warn(
            "journal '{}' is locked by another process for {:.1f} s: waiting up to {:.1f} s "
            "for it",
            path_, static_cast<double>(waited.count()) / 1000,
            static_cast<double>(limit.count()) / 1000);
    }
    std::this_thread::sleep_for(std::min(Duration{50}, limit - waited));
    return 1;
}

}  // namespace orchestrade::core
