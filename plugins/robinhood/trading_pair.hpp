// A trading pair's rules (GET /api/v1/crypto/trading/trading_pairs/): the increments every
// quantity and price must be a multiple of, and the order size bounds. Orders are shaped to them
// before anything is sent.
#pragma once

#include "decimal.hpp"
#include "json_fields.hpp"

#include <optional>
#include <string>

namespace orchestrade::plugins::robinhood {

// "BTC/USD" (pipeline form) -> "BTC-USD" (venue form); "BTC-USD" stays as it is.
std::string venue_symbol(std::string_view symbol);

struct TradingPair {
    std::string symbol;  // venue form
    std::string asset_code;
    std::string quote_code;
    Decimal asset_increment;
    Decimal quote_increment;
    std::optional<double> min_order_size;  // in asset units; absent on some pairs
    std::optional<double> max_order_size;
    bool tradable = false;

    // Throws sdk::Error(OT_E_PLUGIN) when the increments are missing or not positive.
    static TradingPair from_json(const json& row);

    struct Quantity {
        Decimal qty;        // what is sent
        double unsent = 0;  // what rounding down to the increment left out
    };
    // Rounds down to the asset increment and checks the size bounds; throws
    // sdk::Error(OT_E_REJECTED) with the reason.
    Quantity quantity(double requested) const;
    // Quantised to the quote increment; throws sdk::Error(OT_E_REJECTED) when not positive.
    Decimal price(double requested, Rounding rounding, const char* what) const;
};

}  // namespace orchestrade::plugins::robinhood
