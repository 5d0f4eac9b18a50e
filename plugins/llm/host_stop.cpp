#include "host_stop.hpp"

#include <cstddef>

namespace orchestrade::llm {
namespace {

// The extension's table as far as this build knows it: a shorter (older) one lacks functions.
const ot_stop_ext* usable(const ot_stop_ext* ext) {
    if (!ext || ext->struct_size <
                    offsetof(ot_stop_ext, forget_process_group) + sizeof ext->forget_process_group)
        return nullptr;
    return ext;
}

}  // namespace

HostStop::HostStop(const sdk::Host& host)
    : host_(host.raw()),
      ext_(usable(host.raw()->get_extension ? host.extension<ot_stop_ext>(OT_EXT_STOP) : nullptr)),
      can_wait_(ext_ &&
                ext_->struct_size >= offsetof(ot_stop_ext, wait_ms) + sizeof ext_->wait_ms) {}

bool HostStop::wait(int64_t ms) const {
    return can_wait_ && ext_->wait_ms(host_, ms) == 0;
}

bool HostStop::stop_requested() const {
    return ext_ && ext_->stop_requested(host_) != 0;
}

void HostStop::started(int64_t pgid) const {
    if (ext_) ext_->watch_process_group(host_, pgid);
}

void HostStop::ended(int64_t pgid) const {
    if (ext_) ext_->forget_process_group(host_, pgid);
}

}  // namespace orchestrade::llm
