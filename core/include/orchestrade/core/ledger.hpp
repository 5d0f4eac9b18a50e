// The core's book of record for cash, positions and PnL. Executors report fills; the ledger
// alone decides what they mean for the portfolio.
#pragma once

#include <orchestrade/core/types.hpp>

#include <map>
#include <string>

namespace orchestrade::core {

class Ledger {
public:
    explicit Ledger(double starting_cash = 0);

    // Applies a fill: a buy adds qty and pays qty*price + fee, a sell the reverse. Handles
    // increases (weighted average price), reductions and reversals through zero (realizes PnL).
    void apply_fill(const FillRecord& f);
    // Updates the mark price used for unrealized PnL and equity.
    void mark(const std::string& symbol, double price);

    double starting_cash() const { return starting_cash_; }
    double cash() const { return cash_; }
    double fees() const { return fees_; }
    double realized_pnl() const;    // net of nothing: fees are separate
    double unrealized_pnl() const;
    double equity() const;          // cash + sum(qty * mark)
    double gross_exposure() const;  // sum(|qty| * mark)
    int open_positions() const;
    // A flat Position for an unknown symbol.
    Position position(const std::string& symbol) const;
    const std::map<std::string, Position>& positions() const { return positions_; }

private:
    double starting_cash_;
    double cash_;
    double fees_ = 0;
    std::map<std::string, Position> positions_;
};

}  // namespace orchestrade::core
