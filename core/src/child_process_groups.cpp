#include <orchestrade/core/child_process_groups.hpp>

#include <signal.h>

namespace orchestrade::core {

static_assert(std::atomic<int64_t>::is_always_lock_free, "kill_all runs in a signal handler");

bool ChildProcessGroups::watch(int64_t pgid) {
    if (pgid <= 0) return false;
    for (auto& slot : groups_) {
        int64_t free = 0;
        if (slot.compare_exchange_strong(free, pgid)) return true;
    }
    return false;
}

void ChildProcessGroups::forget(int64_t pgid) {
    if (pgid <= 0) return;
    for (auto& slot : groups_) {
        int64_t watched = pgid;
        if (slot.compare_exchange_strong(watched, 0)) return;
    }
}

void ChildProcessGroups::kill_all() const {
    for (const auto& slot : groups_)
        if (const int64_t pgid = slot.load(); pgid > 0) ::kill(-static_cast<pid_t>(pgid), SIGKILL);
}

namespace {
ChildProcessGroups g_groups;  // zero-initialized before main: nothing for a handler to race
}  // namespace

ChildProcessGroups& child_process_groups() {
    return g_groups;
}

}  // namespace orchestrade::core
