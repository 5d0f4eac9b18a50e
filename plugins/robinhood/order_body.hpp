// The JSON body of POST /api/v1/crypto/trading/orders/, in the documented key order. These are
// the exact bytes that are signed and sent.
#pragma once

#include "order_book.hpp"

#include <string>

namespace orchestrade::plugins::robinhood {

// A triggered take-profit goes out as a market order (the venue has no take-profit type).
std::string order_body(const LocalOrder& order, const std::string& venue_symbol);

// "market", "limit", "stop_loss" or "stop_limit": what an order type becomes at the venue.
const char* venue_order_type(int32_t type);

}  // namespace orchestrade::plugins::robinhood
