// The portfolio as the prompt shows it, read from the core's ledger through the host, and the
// Sharpe ratio of the equity seen at each decision.
#pragma once

#include <orchestrade/sdk.hpp>

#include <string>
#include <vector>

namespace orchestrade::llm {

struct OpenPosition {
    std::string symbol;
    double qty = 0;  // signed
    double avg_price = 0, mark_price = 0, unrealized_pnl = 0;
};

struct PortfolioSnapshot {
    double cash = 0, equity = 0, return_pct = 0;
    double sharpe = 0;  // NaN until two returns are known
    std::vector<OpenPosition> positions;
};

// Welford's running mean and variance of the returns between decisions, annualized.
class SharpeRatio {
  public:
    explicit SharpeRatio(double periods_per_year) : periods_per_year_(periods_per_year) {}
    void add_equity(double equity);
    double value() const;  // NaN with fewer than two returns or no variance

    // The running sums as JSON, so a paper or live bot's ratio survives a restart.
    std::string save() const;
    // Throws std::exception on text that save() did not write.
    void load(const std::string& saved);

  private:
    double periods_per_year_;
    double last_equity_ = 0;
    long long n_ = 0;
    double mean_ = 0, m2_ = 0;
};

// Reads the account and the universe's positions; records the equity in `sharpe`.
PortfolioSnapshot read_portfolio(const sdk::Host& host, const std::vector<std::string>& universe,
                                 SharpeRatio& sharpe);

}  // namespace orchestrade::llm
