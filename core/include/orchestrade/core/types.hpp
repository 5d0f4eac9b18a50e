// Value types shared by the host's parts (journal, ledger, risk, engine, report).
#pragma once

#include <orchestrade/ot_plugin.h>

#include <cstdint>
#include <string>
#include <string_view>

namespace orchestrade::core {

enum class Mode : int32_t {
    Backtest = OT_MODE_BACKTEST,
    Paper = OT_MODE_PAPER,
    Live = OT_MODE_LIVE
};
enum class Side : int32_t { Buy = OT_SIDE_BUY, Sell = OT_SIDE_SELL };
enum class Action : int32_t {
    Hold = OT_ACTION_HOLD,
    Buy = OT_ACTION_BUY,
    Sell = OT_ACTION_SELL,
    Close = OT_ACTION_CLOSE
};

// Life of an order intent. Intent is written before the executor sees the order; Unknown means
// the submit outcome is ambiguous and must be reconciled by client order id.
enum class OrderState : int32_t {
    Intent = 0,
    Accepted = 1,
    PartiallyFilled = 2,
    Filled = 3,
    Canceled = 4,
    Rejected = 5,
    Expired = 6,
    Unknown = 7,
};

bool is_final(OrderState s);
std::string_view to_string(Mode m);
std::string_view to_string(Side s);
std::string_view to_string(Action a);
std::string_view to_string(OrderState s);
// Parsers return false on an unknown name.
bool parse_mode(std::string_view text, Mode& out);
bool parse_order_state(std::string_view text, OrderState& out);
bool parse_side(std::string_view text, Side& out);
bool parse_action(std::string_view text, Action& out);

struct Bar {
    std::string symbol;
    int32_t interval_s = 0;
    int64_t open_time_ms = 0;
    double open = 0, high = 0, low = 0, close = 0, volume = 0;
};

struct SignalRecord {
    int64_t id = 0;  // assigned by the journal
    int64_t run_id = 0;
    int64_t time_ms = 0;
    std::string symbol;
    Action action = Action::Hold;
    double size_pct = 0;
    double stop_loss = 0;
    double take_profit = 0;
    double confidence = -1;
    std::string reason;
    std::string metadata_json;  // "{}" when none
    std::string outcome;        // "order", "ignored: <why>", "refused: <rule>", ...
};

struct OrderRecord {
    std::string client_order_id;
    int64_t run_id = 0;
    int64_t signal_id = 0;  // 0 when not from a signal
    int64_t created_ms = 0;
    int64_t updated_ms = 0;
    std::string symbol;
    Side side = Side::Buy;
    int32_t type = OT_ORDER_MARKET;
    int32_t tif = OT_TIF_GTC;
    double qty = 0;
    double limit_price = 0;
    double stop_price = 0;
    double stop_loss = 0;
    double take_profit = 0;
    uint32_t flags = 0;
    std::string parent_client_order_id;
    std::string reason;
    OrderState state = OrderState::Intent;
    std::string venue_order_id;
    double filled_qty = 0;
    std::string text;  // last state change's message (reject reason, ...)
};

struct FillRecord {
    int64_t id = 0;
    int64_t run_id = 0;
    std::string client_order_id;
    std::string trade_id;  // unique per order; duplicates are dropped
    std::string symbol;
    Side side = Side::Buy;
    double qty = 0;
    double price = 0;
    double fee = 0;
    int64_t time_ms = 0;
};

// Money the account paid or received outside any fill (a futures funding payment).
struct CashFlowRecord {
    int64_t id = 0;
    int64_t run_id = 0;
    int64_t time_ms = 0;
    std::string symbol;  // the position it is for; may be empty
    std::string kind;    // "funding"
    double amount = 0;   // received; negative when paid
    std::string ref;     // the venue's id of the flow, unique per kind in an account
};

struct EquityPoint {
    int64_t time_ms = 0;
    double equity = 0;
    double cash = 0;
};

struct Position {
    double qty = 0;  // signed
    double avg_price = 0;
    double realized_pnl = 0;
    double mark_price = 0;
    double fees = 0;
    double unrealized_pnl() const { return qty * (mark_price - avg_price); }
};

// One round trip: from flat to flat (or to a reversal) on one symbol.
struct Trade {
    std::string symbol;
    Side side = Side::Buy;  // Buy = long trade, Sell = short trade
    double qty = 0;         // largest absolute position during the trade
    int64_t entry_ts = 0;
    double entry_price = 0;  // volume-weighted entry
    int64_t exit_ts = 0;     // 0 while open
    double exit_price = 0;   // volume-weighted exit
    double pnl = 0;          // realized, net of fees; an open trade's adds its unrealized PnL
                             // at mark_price when that is known
    double fees = 0;
    bool open = false;
    double mark_price = 0;  // an open trade's last known close; 0 = closed, or none known
};

// "2024-01-31 09:30:00" (UTC), "-" for 0.
std::string format_time(int64_t time_ms);
// "3m", "4h", "90s": an interval as pipelines write it.
std::string timeframe_text(int32_t seconds);

}  // namespace orchestrade::core
