// The process groups of the plugins' children (OT_EXT_STOP), so that a process leaving at once
// (a second Ctrl+C) takes them with it: nothing else kills a child's own process group.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>

namespace orchestrade::core {

class ChildProcessGroups {
  public:
    static constexpr std::size_t kCapacity = 64;

    // False when all slots are taken.
    bool watch(int64_t pgid);
    void forget(int64_t pgid);
    // Sends SIGKILL to every watched group. Async-signal-safe: meant for a signal handler.
    void kill_all() const;

  private:
    std::array<std::atomic<int64_t>, kCapacity> groups_{};  // 0 = a free slot
};

// The process's one registry: the groups are the process's, whichever run started them.
ChildProcessGroups& child_process_groups();

}  // namespace orchestrade::core
