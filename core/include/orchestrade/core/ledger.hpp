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

    // Applies a fill: a buy adds qty and pays qty*price, a sell the reverse; the fee is paid in
    // cash either way. Increases move the average price (qty-weighted), reductions realize
    // (price - avg) * closed qty (negated for shorts), a close resets the average, a reversal
    // through zero realizes the closed part and opens the rest at the fill price. A remainder
    // within 1e-9 of the position (rounding dust) counts as flat. The fill price becomes the
    // mark. Throws std::invalid_argument for a qty <= 0 or a non-finite price or fee.
    void apply_fill(const FillRecord& f);
    // Money received (negative: paid) outside any fill, such as funding: cash moves by it, no
    // position does. Throws std::invalid_argument for a non-finite amount.
    void apply_cash_flow(double amount);
    // Updates the mark price used for unrealized PnL and equity (any symbol, held or not).
    void mark(const std::string& symbol, double price);

    double starting_cash() const { return starting_cash_; }
    double cash() const { return cash_; }
    double fees() const { return fees_; }
    double cash_flows() const { return cash_flows_; }  // net received outside fills
    double realized_pnl() const;                       // gross of fees: fees() are separate
    double unrealized_pnl() const;
    double equity() const;                              // cash + sum(qty * mark)
    double gross_exposure() const;                      // sum(|qty| * mark)
    int open_positions() const { return open_count_; }  // positions not flat
    // A flat Position for an unknown symbol.
    Position position(const std::string& symbol) const;
    // Every symbol traded or marked, flat ones included.
    const std::map<std::string, Position>& positions() const { return positions_; }

  private:
    // The quantity and average price after a signed fill of delta at price; realizes PnL.
    static void change_position(Position& p, double delta, double price);

    double starting_cash_;
    double cash_;
    double fees_ = 0;
    double cash_flows_ = 0;
    std::map<std::string, Position> positions_;
    int open_count_ = 0;  // kept by apply_fill: equity() and the loop ask for it every bar
    // mark() runs for every bar, mostly for the symbol it marked last. A copy or a move of the
    // ledger starts without it, so it never points into another ledger's positions.
    struct LastMarked {
        LastMarked() = default;
        LastMarked(const LastMarked&) {}
        LastMarked& operator=(const LastMarked&) {
            entry = nullptr;
            return *this;
        }
        std::pair<const std::string, Position>* entry = nullptr;
    } last_marked_;
};

}  // namespace orchestrade::core
