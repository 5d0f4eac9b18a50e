// The C++ SDK keeps the host's status when the host refuses a signal, and names statuses.
#include <orchestrade/sdk.hpp>

#include <gtest/gtest.h>

namespace orchestrade::sdk {
namespace {

ot_status OT_CALL refuse(void*, const ot_signal*) {
    return OT_E_INVALID_ARG;
}

TEST(SdkStatus, ASignalTheHostRefusesKeepsTheHostsStatusAndNamesIt) {
    const ot_signal_sink sink{nullptr, &refuse};
    const Signals out(&sink);
    Signal s;
    s.action = OT_ACTION_BUY;
    s.symbol = "BTC/USDT";
    ot_error err{};
    EXPECT_EQ(guarded(&err,
                      [&] {
                          out.push(s);
                          return OT_OK;
                      }),
              OT_E_INVALID_ARG);
    EXPECT_EQ(err.code, OT_E_INVALID_ARG);
    EXPECT_STREQ(err.message, "signal rejected by the host: OT_E_INVALID_ARG (-1)");
}

TEST(SdkStatus, DescribeStatusNamesEveryStatusOfTheHeader) {
    EXPECT_EQ(describe_status(OT_E_HOST), "OT_E_HOST (-4)");
    EXPECT_EQ(describe_status(OT_E_UNKNOWN), "OT_E_UNKNOWN (-100)");
    EXPECT_EQ(describe_status(OT_BEHIND), "OT_BEHIND (2)");
    EXPECT_EQ(describe_status(-42), "status -42");
}

}  // namespace
}  // namespace orchestrade::sdk
