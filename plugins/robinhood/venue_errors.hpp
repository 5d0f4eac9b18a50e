// What a refused request means. Robinhood answers errors as
// {"type": "validation_error" | "client_error" | "server_error", "errors": [{"detail", "attr"}]}.
#pragma once

#include <orchestrade/ot_plugin.h>

#include <string>

namespace orchestrade::plugins::robinhood {

// What a request does, which decides what an error status means for it.
enum class Call { Read, PlaceOrder, Cancel };

// "HTTP 400 validation_error: client_order_id: Must be a valid UUID." (the body's first 200
// characters when it is not the documented error shape).
std::string describe_http_error(int status, const std::string& body);

// 429 -> OT_E_RATE_LIMIT; 404 -> OT_E_NOT_FOUND (except for a placement); other 4xx ->
// OT_E_REJECTED (the venue refused: nothing happened); 5xx -> OT_E_AMBIGUOUS for an order placement
// (it may have been accepted), OT_E_IO otherwise.
ot_status status_for_http_error(int status, Call call);

}  // namespace orchestrade::plugins::robinhood
