// FakeHost's HTTP for plugin tests: real requests to a loopback server (the fake Binance), with
// the plugin's timeout; no answer (timeout, dropped connection) is OT_E_IO, as from the host.
#pragma once

#include <orchestrade/testing/fake_host.hpp>

namespace orchestrade::testing {

HttpHandler loopback_http();

}  // namespace orchestrade::testing
