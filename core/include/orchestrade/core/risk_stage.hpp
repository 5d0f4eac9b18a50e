// Turns signals into orders, and keeps an account out of trouble:
// - position logic: BUY enters when flat (or covers a short), SELL exits a long (or enters a
//   short where allowed), CLOSE flattens, HOLD does nothing; a repeated signal is a duplicate;
// - sizing: fixed quantity, fixed quote amount, % of equity, or risk per trade from the stop;
// - limits on entries: position value, open positions, gross exposure, order value, order rate,
//   cool-down after a loss;
// - breakers: ACTIVE -> REDUCING (daily loss; until the next UTC day) -> HALTED (drawdown from
//   the peak, or a manual halt; until resumed). Entries are refused; exits and stops always pass;
// - protective exits: stop-loss, take-profit and trailing stop levels per position, watched
//   from prices for executors that cannot rest them (an emulated OCO: the first level hit
//   clears both).
// Its state survives restarts through save()/load().
#pragma once

#include <orchestrade/core/ledger.hpp>
#include <orchestrade/core/pipeline.hpp>
#include <orchestrade/core/types.hpp>

#include <cmath>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace orchestrade::core {

enum class BreakerState { Active, Reducing, Halted };
std::string_view to_string(BreakerState s);

struct OrderRequest {
    Side side = Side::Buy;
    double qty = 0;
    bool entry = false;  // opens or adds exposure (false: reduces or closes)
    double stop_loss = 0;
    double take_profit = 0;
};

// A position below the venue's smallest order (OT_EXT_MIN_ORDER; 0 = none): the venue would not
// take it back, so the core treats it as flat.
inline bool is_dust(double qty, double min_order_qty) {
    return qty != 0 && std::fabs(qty) < min_order_qty;
}

// The venue's smallest order of a symbol at a price (OT_EXT_MIN_ORDER); 0: it has none.
using MinOrderQty = std::function<double(const std::string& symbol, double price)>;

struct RiskDecision {
    std::optional<OrderRequest> order;  // empty: nothing to send
    std::string outcome;                // journaled with the signal: "order", "ignored: ..."
    std::string rule;                   // the limit or breaker that refused it, if any
};

// Levels that protect one open position.
struct Protection {
    Side side = Side::Buy;    // of the position: Buy = long
    double stop = 0;          // 0 = none
    double take_profit = 0;   // 0 = none
    double trailing_pct = 0;  // the stop follows the best price by this %
    double best = 0;          // best price since entry (trailing)
    int64_t since_ms = 0;     // the entry's fill: bars that closed by then say nothing of it
};

struct ProtectiveExit {
    Side side = Side::Sell;
    double qty = 0;
    std::string reason;  // "stop-loss", "take-profit", "trailing stop"
};

class RiskStage {
  public:
    explicit RiskStage(const RiskConfig& config);

    // Default sizing when the pipeline sets none.
    static constexpr double kDefaultPositionSizePct = 10.0;

    // ---- signals -------------------------------------------------------------------------
    // price: the latest close of the signal's symbol; order_pending: a non-protective order is
    // still open for the symbol; min_order_qty: the venue's smallest orders (empty: it has none).
    // A position below its symbol's smallest order is dust the venue would not take back: flat
    // for entries and for max_open_positions, never sold on its own.
    RiskDecision evaluate(const SignalRecord& signal, const Ledger& ledger, double price,
                          bool order_pending, int64_t now_ms,
                          const MinOrderQty& min_order_qty = {});
    // The last signal per symbol that was acted on (HOLD included): backtests skip HOLD signals
    // early and report them here; a restart restores the memory from the journal.
    void remember(std::string_view symbol, Action action) {
        if (auto it = last_action_.find(symbol); it != last_action_.end())
            it->second = action;
        else
            last_action_.emplace(symbol, action);
    }
    // A position closed by a protective exit (core-watched or at the venue), or an order that
    // never reached the venue: the strategy's next signal for the symbol is not a duplicate of
    // the one before.
    void forget(const std::string& symbol) { last_action_.erase(symbol); }
    // Positions open in the ledger, less those that are dust.
    static int open_positions(const Ledger& ledger, const MinOrderQty& min_order_qty);

    // ---- market data and fills ------------------------------------------------------------
    // Whether on_bar and check_exit have anything to do: an ATR to follow or a level to watch.
    bool watches_prices() const { return config_.stop_loss_atr > 0 || !protection_.empty(); }
    // Both take the bars of one timeframe (the finest the feed delivers) and the bar's close
    // time: a bar that closed before the entry's fill moves no level of it.
    // Once per bar, after the protective check: ATR and trailing levels.
    void on_bar(const std::string& symbol, int64_t close_ms, double high, double low, double close);
    // How many bars of history the stage learns from before the first bar: the ATR's.
    uint32_t history_bars_needed() const {
        return config_.stop_loss_atr > 0 ? static_cast<uint32_t>(config_.atr_period) : 0;
    }
    // A bar of the warm-up history: the ATR learns from it, no level moves.
    void on_history_bar(const std::string& symbol, double high, double low, double close);
    // A protective exit this bar hits, for a position the core protects itself. Stop before
    // take-profit when both are inside one bar (the conservative reading); a gap through a level
    // triggers at the open.
    std::optional<ProtectiveExit> check_exit(const std::string& symbol, int64_t close_ms,
                                             double open, double high, double low,
                                             const Position& position) const;
    // After a fill changed a position: entries get their protection (levels from the order),
    // a closed position loses it, and a closed loss starts the symbol's cool-down.
    void on_fill(const std::string& symbol, const Position& before, const Position& after,
                 double stop_loss, double take_profit, bool watch_levels, int64_t now_ms);
    const Protection* protection(const std::string& symbol) const;

    // ---- breakers -------------------------------------------------------------------------
    // Returns a description of the transition when the state changed.
    std::optional<std::string> update_equity(int64_t now_ms, double equity);
    std::optional<std::string> halt(const std::string& reason);
    std::optional<std::string> resume();
    BreakerState state() const { return state_; }
    const std::string& state_reason() const { return state_reason_; }

    // ---- persistence ----------------------------------------------------------------------
    std::string save() const;  // JSON
    void load(const std::string& json);

  private:
    RiskDecision decide(const SignalRecord& signal, const Ledger& ledger, double price,
                        bool order_pending, int64_t now_ms, const MinOrderQty& min_order_qty);
    RiskDecision entry(const SignalRecord& signal, const Ledger& ledger, double price, Side side,
                       int64_t now_ms, const MinOrderQty& min_order_qty);
    double stop_for(const SignalRecord& signal, Side side, double price) const;
    double take_profit_for(const SignalRecord& signal, Side side, double price) const;

    RiskConfig config_;
    std::map<std::string, Action, std::less<>> last_action_;
    std::map<std::string, Protection> protection_;
    std::map<std::string, int64_t> cooldown_until_;
    std::map<std::string, double> atr_;
    struct AtrSeed {
        double prev_close = 0, sum = 0;
        int64_t n = 0;
    };
    std::map<std::string, AtrSeed> atr_seed_;
    void update_atr(const std::string& symbol, double high, double low, double close);
    std::deque<int64_t> entry_times_;  // for max_orders_per_hour
    BreakerState state_ = BreakerState::Active;
    std::string state_reason_;
    int64_t day_ = -1;
    double day_start_equity_ = 0;
    double peak_equity_ = 0;
};

}  // namespace orchestrade::core
