// A FakeHost HTTP handler that sends each request over a real socket to the loopback fake, the
// way the core's client does: the path and query go out byte for byte, the timeout applies.
#pragma once

#include <orchestrade/testing/fake_host.hpp>

namespace orchestrade::testing::robinhood {

HttpHandler loopback_http();

}  // namespace orchestrade::testing::robinhood
