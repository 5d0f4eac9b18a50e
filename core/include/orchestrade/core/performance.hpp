// Portfolio analytics. PerformanceTracker streams over the equity of every bar in O(1) memory
// (a backtest of 10M bars keeps no curve in memory); compute_metrics gives the same numbers
// from a stored curve.
#pragma once

#include <orchestrade/core/types.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace orchestrade::core {

struct Metrics {
    double starting_equity = 0;
    double final_equity = 0;
    double total_return_pct = 0;
    double cagr_pct = 0;
    double sharpe = 0;   // annualised from the bar frequency, risk-free rate 0
    double sortino = 0;  // annualised, downside deviation over all periods
    double max_drawdown_pct = 0;
    int64_t max_drawdown_duration_ms = 0;  // longest time below a previous peak
    double volatility_pct = 0;             // annualised stdev of period returns
    double exposure_pct = 0;               // share of periods with an open position
    double fees = 0;
    double realized_pnl = 0;
    int64_t trades = 0;  // closed round trips
    double win_rate_pct = 0;
    double profit_factor = 0;  // gross profit / gross loss; 0 when no losses and no profits
    double avg_trade_pnl = 0;
    int64_t periods = 0;
    int64_t start_ms = 0;
    int64_t end_ms = 0;
};

class PerformanceTracker {
public:
    // periods_per_year: e.g. 525600 for 1-minute bars traded around the clock.
    PerformanceTracker(double starting_equity, double periods_per_year);
    // One period's closing equity; in_market = any position open during the period.
    void add(int64_t time_ms, double equity, bool in_market);
    // Fills trade statistics from closed trades, fees and realized PnL from the caller.
    Metrics metrics(const std::vector<Trade>& trades, double fees, double realized_pnl) const;

private:
    double starting_equity_;
    double periods_per_year_;
    int64_t n_ = 0;
    double last_equity_;
    double mean_ = 0, m2_ = 0, downside_sq_ = 0;  // Welford over period returns
    double peak_;
    int64_t peak_time_ = 0;
    double max_dd_ = 0;
    int64_t max_dd_duration_ = 0;
    int64_t in_market_ = 0;
    int64_t start_ms_ = 0, end_ms_ = 0;
};

// Periods per year for a bar interval (crypto markets trade all year round).
double periods_per_year(int32_t interval_s);
Metrics compute_metrics(const std::vector<EquityPoint>& curve, double starting_equity,
                        double periods_per_year, const std::vector<Trade>& trades, double fees,
                        double realized_pnl);
std::string metrics_to_json(const Metrics& m);
// Round trips from fills, in fill order (open trades are included with open = true).
std::vector<Trade> build_trades(const std::vector<FillRecord>& fills);

}  // namespace orchestrade::core
