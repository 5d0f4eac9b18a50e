// Where an order fills on a bar. Within a bar the path from open to close is unknown, so:
//   - market orders fill at the open;
//   - a level the bar opened beyond (a gap) fills at the open, not at the level;
//   - otherwise a touched level fills at the level.
// Slippage applies to orders that become market orders (market, stop-market,
// take-profit-market), never to limit orders.
#pragma once

#include <orchestrade/ot_plugin.h>

#include <algorithm>
#include <optional>

namespace orchestrade::plugins::mock {

struct BarPrices {
    double open = 0, high = 0, low = 0, close = 0;
};

// The fill price before slippage, or nothing when the order does not trigger on this bar.
inline std::optional<double> trigger_price(int32_t type, int32_t side, double limit_price,
                                           double stop_price, const BarPrices& bar) {
    bool buy = side == OT_SIDE_BUY;
    switch (type) {
        case OT_ORDER_MARKET:
            return bar.open;
        case OT_ORDER_LIMIT:
            if (buy && bar.low <= limit_price) return std::min(bar.open, limit_price);
            if (!buy && bar.high >= limit_price) return std::max(bar.open, limit_price);
            return std::nullopt;
        case OT_ORDER_STOP_MARKET:
            if (buy && bar.high >= stop_price) return std::max(bar.open, stop_price);
            if (!buy && bar.low <= stop_price) return std::min(bar.open, stop_price);
            return std::nullopt;
        case OT_ORDER_TAKE_PROFIT_MARKET:  // a limit at stop_price that fills as a market order
            return trigger_price(OT_ORDER_LIMIT, side, stop_price, 0, bar);
        default:
            return std::nullopt;
    }
}

inline bool slips(int32_t type) {
    return type != OT_ORDER_LIMIT;
}

inline double with_slippage(double price, int32_t side, double slippage_rate) {
    return side == OT_SIDE_BUY ? price * (1 + slippage_rate) : price * (1 - slippage_rate);
}

// Within one bar: market orders first, then stops, then limits and take-profits (the pessimistic
// order: when a stop-loss and a take-profit both trigger, the stop-loss is assumed to come first).
inline int fill_priority(int32_t type) {
    switch (type) {
        case OT_ORDER_MARKET:
            return 0;
        case OT_ORDER_STOP_MARKET:
            return 1;
        default:
            return 2;
    }
}

}  // namespace orchestrade::plugins::mock
