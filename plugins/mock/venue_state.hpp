// Everything the mock venue knows: cash, positions, the last bar per symbol, the orders it was
// sent (with their fills) and the reports not yet polled. Serializable to JSON for paper/live
// persistence.
#pragma once

#include <orchestrade/sdk.hpp>

#include <cstdint>
#include <functional>
#include <list>
#include <map>
#include <string>
#include <vector>

namespace orchestrade::plugins::mock {

enum class OrderStatus { Open, Filled, Canceled, Rejected, Expired };

struct Fill {
    std::string trade_id;
    double qty = 0, price = 0, fee = 0;
    int64_t time_ms = 0;
};

struct VenueOrder {
    std::string client_order_id;
    std::string venue_order_id;
    std::string symbol;
    int32_t side = OT_SIDE_BUY;
    int32_t type = OT_ORDER_MARKET;
    double qty = 0;
    double limit_price = 0;
    double stop_price = 0;
    int64_t created_ms = 0;       // host time at submit
    int64_t closed_ms = 0;        // when it was filled, canceled or expired
    int64_t placed_after_ms = 0;  // open time of the last bar at submit; fills come on later bars
    double reserved_cash = 0;     // buys: cash locked while the order is open
    OrderStatus status = OrderStatus::Open;
    std::string text;  // why it was rejected, canceled or expired
    std::vector<Fill> fills;

    double filled_qty() const;
};

struct Holding {
    double qty = 0;  // signed: < 0 short
    double avg_price = 0;
    int64_t funded_ms = 0;  // the last funding point booked: a point seen again is not paid twice
};

struct LastBar {
    int64_t open_time_ms = 0;
    double close = 0;
};

// An execution report waiting for poll(); a type of its own so that its JSON is this plugin's.
struct PendingReport : sdk::Report {};

using LastBars = std::map<std::string, LastBar, std::less<>>;  // by symbol

struct VenueState {
    std::string currency;
    double starting_cash = 0;  // what the account opened with (0: saved before it was kept)
    double cash = 0;
    uint64_t next_venue_id = 1;
    uint64_t duplicate_submits = 0;
    std::map<std::string, Holding, std::less<>> positions;
    LastBars last_bars;
    // In submission order. A list, so that an order can be dropped without moving the others: a
    // backtest forgets an order once its final report was polled (paper and live keep them all).
    std::list<VenueOrder> orders;
    std::vector<PendingReport> outbox;
};

std::string to_json(const VenueState& state);
// Throws sdk::Error(OT_E_INVALID_ARG) when the text is not a saved state.
VenueState from_json(const std::string& text);

}  // namespace orchestrade::plugins::mock
