// Portfolio analytics. PerformanceTracker streams over the equity of every bar in O(1) memory
// (a backtest of 10M bars keeps no curve in memory); compute_metrics gives the same numbers
// from a stored curve.
//
// Definitions. The curve is a sequence of n points (time t_i, equity e_i); e_0 is the starting
// equity, which has no point of its own. ppy = periods per year.
//   period return       r_i = e_i / e_{i-1} - 1 (0 when e_{i-1} <= 0)
//   total_return_pct    (e_n / e_0 - 1) * 100
//   cagr_pct            ((e_n / e_0)^(1 / years) - 1) * 100, years = (end_ms - start_ms) /
//                       (365.25 days); 0 when that span is under one day; -100 when e_n <= 0
//   sharpe              mean(r) / s(r) * sqrt(ppy), s = sample stdev (n - 1); 0 when n < 2 or
//                       s = 0. Risk-free rate 0.
//   sortino             mean(r) / sqrt(sum(min(r, 0)^2) / n) * sqrt(ppy); 0 with no downside
//   volatility_pct      s(r) * sqrt(ppy) * 100; 0 when n < 2
//   max_drawdown_pct    max over i of (peak_i - e_i) / peak_i * 100, peak_i = max(e_0..e_i)
//   max_drawdown_duration_ms
//                       longest time from a peak to the first point back at or above it; a
//                       drawdown still open at the end counts up to the last point. The
//                       starting equity's peak is dated at the first point.
//   exposure_pct        share of the n periods spent with a position open, * 100
//   trades              closed trades; open ones are not counted in any trade statistic
//   win_rate_pct        closed trades with pnl > 0 / closed trades * 100
//   profit_factor       sum of winning pnl / |sum of losing pnl|; 0 when undefined, i.e. when
//                       there is no losing trade (even if there are winners)
//   avg_trade_pnl       sum of closed trades' pnl / closed trades
//   start_ms, end_ms    time of the first and last point; periods = n
// Every ratio whose denominator is 0 is reported as 0.
#pragma once

#include <orchestrade/core/ledger.hpp>
#include <orchestrade/core/types.hpp>

#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace orchestrade::core {

struct EventRecord;

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
    double cash_flows = 0;    // received outside fills (funding); negative when paid
    double realized_pnl = 0;  // gross of fees
    int64_t trades = 0;       // closed round trips
    double win_rate_pct = 0;
    double profit_factor = 0;  // gross profit / gross loss; 0 when there is no losing trade
    double avg_trade_pnl = 0;
    int64_t periods = 0;
    int64_t start_ms = 0;
    int64_t end_ms = 0;
};

// Closed-trade statistics, accumulated one trade at a time (open trades are ignored).
struct TradeStats {
    int64_t closed = 0, wins = 0;
    double profit = 0;  // sum of the winning trades' pnl
    double loss = 0;    // sum of the other closed trades' pnl (<= 0)
    void add(const Trade& t);
};

// Round trips from fills as they come, in memory that grows with the symbols, not the fills. A
// trade starts when a symbol goes from flat to non-flat and ends when it is flat again, or only
// dust is left (see add); a reversal fill closes one trade and opens the next, its fee split pro
// rata by qty. Prices are qty-weighted; pnl = the trade's realized PnL (as the Ledger computes it)
// minus all its fees.
class TradeBuilder {
  public:
    // Gets each trade when it closes, with its opening sequence number (0, 1, ...).
    using Sink = std::function<void(int64_t opened, Trade&& trade)>;
    explicit TradeBuilder(Sink on_closed) : on_closed_(std::move(on_closed)) {}
    // leaves_dust: the fill reduced the position to less than the venue's smallest order (a fee
    // paid in the coin, an exit floored to the lot size), which the risk stage counts as flat; it
    // ends the trade, and the next entry opens a new one.
    void add(const FillRecord& f, bool leaves_dust = false);
    // The trades still open (open = true, prices and pnl as far as they went), with their
    // opening sequence numbers; one whose symbol has a price in `marks` is marked there: its pnl
    // includes what the position still held would make or lose at that price.
    std::vector<std::pair<int64_t, Trade>> open_trades(
        const std::map<std::string, double>& marks = {}) const;

  private:
    struct Open {  // the trade a symbol is in, with the sums its prices and PnL come from
        int64_t opened = 0;
        Trade trade;
        double entry_qty = 0, entry_value = 0;
        double exit_qty = 0, exit_value = 0;
        double realized = 0;
    };
    void start(const FillRecord& f, double qty, double fee, double position);
    static void settle(Open& o);

    Sink on_closed_;
    Ledger ledger_;
    std::map<std::string, Open> open_;
    int64_t next_ = 0;
};

class PerformanceTracker {
  public:
    // periods_per_year: e.g. 525600 for 1-minute bars traded around the clock.
    PerformanceTracker(double starting_equity, double periods_per_year);
    // One period's closing equity; in_market = any position open during the period.
    void add(int64_t time_ms, double equity, bool in_market);
    // Fills trade statistics from closed trades, fees and realized PnL from the caller.
    Metrics metrics(const TradeStats& trades, double fees, double realized_pnl) const;

  private:
    double starting_equity_;
    double periods_per_year_;
    int64_t n_ = 0;
    double last_equity_;
    double mean_ = 0, m2_ = 0, downside_sq_ = 0;  // Welford over period returns
    double peak_;
    int64_t peak_time_ = 0;
    bool below_peak_ = false;
    double max_dd_ = 0;
    int64_t max_dd_duration_ = 0;
    int64_t in_market_ = 0;
    int64_t start_ms_ = 0, end_ms_ = 0;
};

// Periods per year for a bar interval: 365 * 86400 / interval_s (crypto markets trade all year
// round); 365 (daily) when interval_s <= 0.
double periods_per_year(int32_t interval_s);
// The tracker's metrics over a stored curve. A point counts as in the market when one of the
// trades was open when it was sampled: after its entry, up to and including its exit's time.
Metrics compute_metrics(const std::vector<EquityPoint>& curve, double starting_equity,
                        double periods_per_year, const std::vector<Trade>& trades, double fees,
                        double realized_pnl);
// Sets trades, win_rate_pct, profit_factor and avg_trade_pnl from the closed trades.
void apply_trade_stats(Metrics& m, const TradeStats& trades);
TradeStats trade_stats(const std::vector<Trade>& trades);
// A JSON object with one key per Metrics field, named as the field.
std::string metrics_to_json(const Metrics& m);
// The inverse of metrics_to_json; absent keys stay 0. Throws std::runtime_error when the text
// is not a JSON object or a value has the wrong type.
Metrics metrics_from_json(const std::string& json);
// The round trips of the fills (TradeBuilder's), in the order they were opened; open trades
// are included with open = true, marked at their symbol's price in `marks` when it has one. The
// fills before `first_own` (those of earlier runs a run resumed) only open positions: a trade
// they close is left out. `dust_fills` holds the dust_key of each fill that left dust.
std::vector<Trade> build_trades(const std::vector<FillRecord>& fills, std::size_t first_own = 0,
                                const std::set<std::string>& dust_fills = {},
                                const std::map<std::string, double>& marks = {});
// How a fill that left dust is named in the journal's `dust_left` events.
std::string dust_key(const std::string& client_order_id, const std::string& trade_id);
// The dust_key of each fill the `dust_left` events name.
std::set<std::string> dust_fills(const std::vector<EventRecord>& dust_left_events);

}  // namespace orchestrade::core
