// The host's wait in real time (OT_EXT_STOP wait_ms): the whole wait, or until a stop request.
#include <orchestrade/core/host_services.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

namespace core = orchestrade::core;
using steady = std::chrono::steady_clock;

namespace {

const ot_stop_ext& stop_extension(const core::HostContext& context) {
    const ot_host* h = context.table();
    return *static_cast<const ot_stop_ext*>(h->get_extension(h, OT_EXT_STOP));
}

}  // namespace

TEST(HostWait, ItWaitsTheWholeTimeWithoutAStop) {
    core::HostServices services;
    std::atomic<bool> stop{false};
    services.stop_requested = &stop;
    core::HostContext context{services, "strategy", "test"};
    const ot_stop_ext& ext = stop_extension(context);
    ASSERT_GE(ext.struct_size, sizeof(ot_stop_ext));
    const steady::time_point started = steady::now();
    EXPECT_EQ(ext.wait_ms(context.table(), 200), 0);
    EXPECT_GE(steady::now() - started, std::chrono::milliseconds(200));
}

TEST(HostWait, AStopRequestEndsTheWaitAtOnce) {
    core::HostServices services;
    std::atomic<bool> stop{false};
    services.stop_requested = &stop;
    core::HostContext context{services, "strategy", "test"};
    std::thread stopper([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        stop = true;
    });
    const steady::time_point started = steady::now();
    EXPECT_EQ(stop_extension(context).wait_ms(context.table(), 60'000), 1);
    stopper.join();
    EXPECT_LT(steady::now() - started, std::chrono::seconds(10));
}
