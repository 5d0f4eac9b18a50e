// Turns signals into orders: position logic (BUY if flat, SELL if long, CLOSE), sizing, and the
// refusals that keep one signal from ever becoming two entries.
#pragma once

#include <orchestrade/core/ledger.hpp>
#include <orchestrade/core/pipeline.hpp>
#include <orchestrade/core/types.hpp>

#include <map>
#include <optional>
#include <string>

namespace orchestrade::core {

struct OrderRequest {
    Side side = Side::Buy;
    double qty = 0;
    bool entry = false;  // opens or adds exposure (false: reduces or closes)
    double stop_loss = 0;
    double take_profit = 0;
};

struct RiskDecision {
    std::optional<OrderRequest> order;  // empty: nothing to send
    std::string outcome;                // journaled with the signal: "order", "ignored: ..."
};

class RiskStage {
  public:
    explicit RiskStage(const RiskConfig& config);

    // price: the latest close of the signal's symbol; order_pending: a non-final order exists
    // for the symbol.
    RiskDecision evaluate(const SignalRecord& signal, const Ledger& ledger, double price,
                          bool order_pending);
    // The last signal per symbol (HOLD included). Backtests skip HOLD signals early and report
    // them here; a restart restores the memory from the journal.
    void remember(const std::string& symbol, Action action) { last_action_[symbol] = action; }

    // Default sizing when the pipeline sets neither quantity nor position_size_pct.
    static constexpr double kDefaultPositionSizePct = 10.0;

  private:
    double entry_qty(const SignalRecord& signal, const Ledger& ledger, double price) const;

    RiskConfig config_;
    std::map<std::string, Action> last_action_;
};

}  // namespace orchestrade::core
