#include <orchestrade/core/ledger.hpp>

#include <cmath>
#include <stdexcept>

namespace orchestrade::core {
namespace {

// A remainder this small relative to the position is floating-point dust, not a position.
constexpr double kDust = 1e-9;

}  // namespace

Ledger::Ledger(double starting_cash) : starting_cash_(starting_cash), cash_(starting_cash) {}

void Ledger::apply_cash_flow(double amount) {
    if (!std::isfinite(amount)) throw std::invalid_argument("invalid cash flow: not finite");
    cash_ += amount;
    cash_flows_ += amount;
}

void Ledger::apply_fill(const FillRecord& f) {
    if (!(f.qty > 0) || !std::isfinite(f.qty) || !std::isfinite(f.price) || !std::isfinite(f.fee))
        throw std::invalid_argument("invalid fill of order '" + f.client_order_id +
                                    "': qty must be > 0, price and fee finite");
    const double delta = f.side == Side::Buy ? f.qty : -f.qty;
    Position& p = positions_[f.symbol];
    cash_ -= delta * f.price + f.fee;
    fees_ += f.fee;
    p.fees += f.fee;
    p.mark_price = f.price;
    const bool was_open = p.qty != 0;
    change_position(p, delta, f.price);
    open_count_ += (p.qty != 0 ? 1 : 0) - (was_open ? 1 : 0);
}

void Ledger::change_position(Position& p, double delta, double price) {
    const double qty_filled = std::abs(delta);
    if (p.qty == 0 || (p.qty > 0) == (delta > 0)) {
        const double qty = p.qty + delta;
        p.avg_price = (p.avg_price * std::abs(p.qty) + price * qty_filled) / std::abs(qty);
        p.qty = qty;
        return;
    }
    const double held = std::abs(p.qty);
    const double direction = p.qty > 0 ? 1.0 : -1.0;
    const double rest = qty_filled - held;  // < 0 reduces, > 0 reverses
    const double closed = rest < 0 ? qty_filled : held;
    p.realized_pnl += (price - p.avg_price) * closed * direction;
    if (std::abs(rest) <= kDust * held) {
        p.qty = 0;
        p.avg_price = 0;
    } else if (rest < 0) {
        p.qty += delta;
    } else {
        p.qty = -direction * rest;
        p.avg_price = price;
    }
}

void Ledger::mark(const std::string& symbol, double price) {
    auto*& last = last_marked_.entry;
    if (!last || last->first != symbol) last = &*positions_.try_emplace(symbol).first;
    last->second.mark_price = price;
}

double Ledger::realized_pnl() const {
    double sum = 0;
    for (const auto& [symbol, p] : positions_)
        sum += p.realized_pnl;
    return sum;
}

double Ledger::unrealized_pnl() const {
    double sum = 0;
    for (const auto& [symbol, p] : positions_)
        sum += p.unrealized_pnl();
    return sum;
}

double Ledger::equity() const {
    if (open_count_ == 0) return cash_;  // flat: marks do not matter (every bar of a backtest)
    double value = cash_;
    for (const auto& [symbol, p] : positions_)
        value += p.qty * p.mark_price;
    return value;
}

double Ledger::gross_exposure() const {
    double sum = 0;
    for (const auto& [symbol, p] : positions_)
        sum += std::abs(p.qty) * p.mark_price;
    return sum;
}

Position Ledger::position(const std::string& symbol) const {
    const auto it = positions_.find(symbol);
    return it == positions_.end() ? Position{} : it->second;
}

}  // namespace orchestrade::core
