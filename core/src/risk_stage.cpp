#include <orchestrade/core/risk_stage.hpp>

#include <cmath>

namespace orchestrade::core {
namespace {

// Quantities are kept to 1e-8 base units so journal, ledger and venue agree on the digits.
double round_qty(double q) { return std::floor(q * 1e8 + 1e-6) / 1e8; }

RiskDecision ignored(std::string why) { return {std::nullopt, "ignored: " + why}; }

}  // namespace

RiskStage::RiskStage(const RiskConfig& config) : config_(config) {}

double RiskStage::entry_qty(const SignalRecord& signal, const Ledger& ledger, double price) const {
    if (config_.quantity > 0 && signal.size_pct <= 0) return round_qty(config_.quantity);
    double pct = signal.size_pct > 0            ? signal.size_pct
                 : config_.position_size_pct > 0 ? config_.position_size_pct
                                                 : kDefaultPositionSizePct;
    if (price <= 0) return 0;
    return round_qty(ledger.equity() * pct / 100.0 / price);
}

RiskDecision RiskStage::evaluate(const SignalRecord& signal, const Ledger& ledger, double price,
                                 bool order_pending) {
    // As in the seed: a signal equal to the previous one for the symbol (HOLD included) is a
    // duplicate, so BUY, BUY sends once while BUY, HOLD, BUY may enter again once flat.
    auto last = last_action_.find(signal.symbol);
    const bool duplicate = last != last_action_.end() && last->second == signal.action;
    last_action_[signal.symbol] = signal.action;
    if (signal.action == Action::Hold) return {std::nullopt, "hold"};
    if (duplicate) return ignored("duplicate signal");

    if (order_pending) return ignored("an order for " + signal.symbol + " is still open");

    const double pos = ledger.position(signal.symbol).qty;
    OrderRequest req;
    req.stop_loss = signal.stop_loss;
    req.take_profit = signal.take_profit;
    switch (signal.action) {
        case Action::Buy:
            if (pos > 0) return ignored("already long");
            if (pos < 0) {
                req.side = Side::Buy;
                req.qty = round_qty(-pos);
                break;
            }
            req.side = Side::Buy;
            req.qty = entry_qty(signal, ledger, price);
            req.entry = true;
            break;
        case Action::Sell:
            if (pos > 0) {
                req.side = Side::Sell;
                req.qty = round_qty(pos);
                break;
            }
            if (pos < 0) return ignored("already short");
            if (!config_.allow_short) return ignored("no position to sell (shorts not allowed)");
            req.side = Side::Sell;
            req.qty = entry_qty(signal, ledger, price);
            req.entry = true;
            break;
        case Action::Close:
            if (pos == 0) return ignored("no position to close");
            req.side = pos > 0 ? Side::Sell : Side::Buy;
            req.qty = round_qty(std::fabs(pos));
            break;
        case Action::Hold: break;
    }
    if (req.qty <= 0) return {std::nullopt, "refused: order size rounds to zero"};
    if (!req.entry) req.stop_loss = req.take_profit = 0;  // protective legs belong to entries
    return {req, "order"};
}

}  // namespace orchestrade::core
