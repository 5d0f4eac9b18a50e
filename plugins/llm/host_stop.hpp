// The host's stop request and its record of the children's process groups (OT_EXT_STOP). A host
// without the extension never asks to stop and keeps no record.
#pragma once

#include "subprocess.hpp"

#include <orchestrade/sdk.hpp>

namespace orchestrade::llm {

class HostStop final : public ProcessWatch {
  public:
    explicit HostStop(const sdk::Host& host);
    bool stop_requested() const override;
    void started(int64_t pgid) const override;
    void ended(int64_t pgid) const override;
    // Whether the host can wait in real time for the plugin (a host of this ABI can).
    bool can_wait() const { return can_wait_; }
    // Waits ms of real time through the host; false when a stop was requested meanwhile.
    bool wait(int64_t ms) const;

  private:
    const ot_host* host_;
    const ot_stop_ext* ext_;  // null from a host without it
    bool can_wait_;
};

}  // namespace orchestrade::llm
