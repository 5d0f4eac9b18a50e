// An HTTP handler for FakeHost that sends the plugin's requests to a loopback server for real,
// with the request's timeout, the way the host's own client would.
#pragma once

#include <orchestrade/testing/fake_host.hpp>

namespace orchestrade::testing::llm {

// Handles http://127.0.0.1:<port>/... only; no answer in time throws sdk::Error(OT_E_IO).
HttpHandler loopback_http();

}  // namespace orchestrade::testing::llm
