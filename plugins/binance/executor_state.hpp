// What the executor must remember across restarts, saved as JSON in the host's key-value state
// before anything is sent: the orders it sent that are not settled yet (with their send time,
// which decides when "Binance does not know it" becomes final), the stop-loss/take-profit
// protections of filled entries, for spot the holdings that were there before the bot, and for
// usdm how far funding payments have been reported.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace orchestrade::plugins::binance {

struct TrackedOrder {
    std::string client_id;
    std::string symbol;  // as the pipeline writes it
    int32_t side = 1;    // OT_SIDE_*
    bool market = true;
    double requested_qty = 0;  // what the core asked for
    // Host time just before the request went out; once its answer was lost, the time it was
    // lost (the request was signed no later than that).
    int64_t sent_ms = 0;
    bool acked = false;  // Binance has confirmed it
    std::string venue_id;
    std::set<std::string> reported_trades;
    double reported_qty = 0;                // sum of the FILL reports' qty
    double stop_loss = 0, take_profit = 0;  // to attach once it fills
    // An order that reduces a position, sent after the stop-loss/take-profit of these entries
    // was lifted, whose outcome is unknown: the core is told its legs `lifted_legs` were canceled
    // once Binance has the order, and they are placed again if it never arrives.
    std::vector<std::string> lifted, lifted_legs;
};

enum class LegState { Open, Filled, Canceled };

struct Leg {
    std::string client_id;
    bool stop_loss = true;     // else take-profit
    bool market_exit = false;  // a market order sent because the level was already crossed
    LegState state = LegState::Open;
    std::set<std::string> reported_trades;
    // Its placement request went out (saved just before): the legs go one by one on usdm, and
    // a leg after one whose answer was lost was never sent.
    bool sent = false;
    double reported_qty = 0;  // sum of its FILL reports' qty, over all its orders at Binance
    // What its earlier orders sold: placed again for the rest of the position, the leg's
    // cumulative quantity goes on from there.
    double filled_before = 0;
    // A market exit Binance does not have (refused for now, a rate limit, or lost and never
    // arrived): sent again, under the same id, once the protection's retry_ms has passed.
    bool resend = false;
};

enum class ProtectionState {
    Pending,  // to be placed
    Placing,  // sent, outcome unknown
    Active,   // resting at the venue
    Done,     // a leg filled, or it was canceled
    // Refused by the venue: the executor compares its levels with the price at each poll and
    // sends the market exit itself once one is crossed.
    Watched,
    Failed  // its market exit was refused for good: nothing watches the position
};

struct Protection {
    std::string entry_id;
    std::string symbol;
    int32_t exit_side = 2;  // OT_SIDE_SELL for a long
    double qty = 0;         // what the legs sell: the entry's filled quantity
    double entry_qty = 0;   // what the core asked for: its quantity of each leg
    double stop_loss = 0, take_profit = 0;
    ProtectionState state = ProtectionState::Pending;
    int64_t placing_ms = 0;  // when its legs, or its market exit, went out (or were lost)
    int64_t done_ms = 0;     // kept a while after it ended, so queries about its legs are answered
    int restored = 0;  // times placed again: after a refused exit, or for the rest of a position
    // Refusals that pass (a 5xx, -1008) in a row, and the host time before which a protection
    // they sent back to Pending is not placed again.
    int refusals = 0;
    int64_t retry_ms = 0;
    std::vector<Leg> legs;
};

// The client ids of a protection's orders at Binance. Placed again (after a refused exit, or for
// the rest of a position), its legs get new ids there, never the same twice for one position (a
// query by client id must not find the canceled ones, nor Binance refuse a duplicate), and keep
// their ids for the core: "<entry>-s1", "<entry>-t1", "<entry>-o1", counting up.
std::string venue_leg_id(const Protection& p, const Leg& leg);
std::string venue_list_id(const Protection& p);  // spot OCO

struct ExecutorState {
    std::map<std::string, TrackedOrder> orders;     // by client id
    std::map<std::string, Protection> protections;  // by entry client id
    std::map<std::string, double> baseline;         // spot: asset -> holdings not the bot's
    bool baseline_recorded = false;
    // usdm: funding booked before funding_since (server time at the first start) is in the
    // starting cash; funding_cursor is the booked time of the last payment seen (0: none).
    int64_t funding_since = 0;
    int64_t funding_cursor = 0;
};

std::string to_json(const ExecutorState& state);
// Throws std::invalid_argument when the text is not a saved state.
ExecutorState state_from_json(const std::string& text);

}  // namespace orchestrade::plugins::binance
