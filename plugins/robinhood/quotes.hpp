// Best bid/ask quotes (GET /api/v1/crypto/marketdata/best_bid_ask/?symbol=...&symbol=...).
#pragma once

#include "json_fields.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace orchestrade::plugins::robinhood {

struct Quote {
    std::string symbol;   // venue form
    double bid = 0;       // what a sell gets, spread included
    double ask = 0;       // what a buy pays, spread included
    double price = 0;     // the venue's mid price
    int64_t time_ms = 0;  // when the venue quoted it (0: no readable `timestamp`)
};

// The request path for these venue symbols.
std::string quotes_path(const std::vector<std::string>& venue_symbols);
// Rows without a usable price are skipped. The v1 fields are read, with the bare bid/ask names
// as a fallback.
std::vector<Quote> parse_quotes(const json& doc);

}  // namespace orchestrade::plugins::robinhood
