// An order as the venue reports it (GET /api/v1/crypto/trading/orders/...).
#pragma once

#include "json_fields.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace orchestrade::plugins::robinhood {

struct Execution {
    double price = 0;
    double qty = 0;
    int64_t time_ms = 0;
};

struct VenueOrder {
    std::string id;
    std::string client_order_id;
    std::string symbol;
    std::string side;
    std::string state;  // open, partially_filled, filled, canceled, failed
    int64_t created_ms = 0;
    std::vector<Execution> executions;  // in the venue's order; fills are taken from here

    // Throws sdk::Error(OT_E_IO) when the id or the state is missing.
    static VenueOrder from_json(const json& row);
    bool is_final() const { return state == "filled" || state == "canceled" || state == "failed"; }
};

}  // namespace orchestrade::plugins::robinhood
