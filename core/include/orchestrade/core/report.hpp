// `orchestrade report`: a run's trades, orders, fills, signal count and metrics, read back from
// the journal.
#pragma once

#include <orchestrade/core/journal.hpp>
#include <orchestrade/core/performance.hpp>

#include <map>
#include <string>
#include <vector>

namespace orchestrade::core {

// The strategy's failures in a run: its model calls (llm_call events) that brought no answer, by
// outcome; the decisions it held without calling (llm_hold events: a spent budget, a rate-limit
// pause, nothing recorded), by cause; and its errors (strategy_error events), so that "the model
// chose HOLD" is told from "the model was never reached".
struct StrategyFailures {
    int64_t llm_calls = 0;
    std::map<std::string, int64_t> failed_llm_calls;  // by outcome, e.g. "transport_error"
    std::map<std::string, int64_t> llm_holds;         // by cause, e.g. "daily_budget"
    int64_t strategy_errors = 0;

    int64_t failed_llm_call_count() const;
    int64_t llm_hold_count() const;
    bool any() const {
        return failed_llm_call_count() > 0 || llm_hold_count() > 0 || strategy_errors > 0;
    }
    // Decisions were asked of a model and none got an answer: every call failed, or none was
    // made (holds for a run stopping by request aside).
    bool no_llm_answer() const;
};

// An llm_call event failed unless its outcome is "answer" (a well-formed reply, whatever it said).
StrategyFailures strategy_failures(const Journal& journal, int64_t run_id);
// "302 of 302 LLM calls failed (transport_error 302), 51 decisions held without a call
// (daily_budget 51), 0 strategy errors"; empty when nothing failed.
std::string describe(const StrategyFailures& f);

struct RunReport {
    std::string journal_path;  // empty when not read from a journal
    RunRecord run;
    Metrics metrics;
    std::vector<Trade> trades;
    std::vector<OrderRecord> orders;
    std::vector<FillRecord> fills;
    std::vector<CashFlowRecord> cash_flows;  // funding and other flows outside fills
    int64_t signal_count = 0;
    int64_t actionable_signal_count = 0;     // not HOLD: what the run's summary counts
    std::vector<EventRecord> risk_refusals;  // an entry a risk rule refused
    std::vector<EventRecord> risk_states;    // breaker transitions
    // How fills were produced (the executor and its fill parameters), so a difference between a
    // backtest and a live run can be explained.
    std::string execution_model;
    std::vector<EquityPoint> equity;   // the stored curve (sampled in backtests)
    std::vector<ChartBar> chart_bars;  // candles for the charts
    StrategyFailures strategy_failures;
};

// run_id 0 = the last run. Throws std::runtime_error when the journal has no such run.
// Metrics are the run's saved ones, or computed from its equity curve when none were saved
// (annualised by the curve's mean spacing when that is longer than a bar: a backtest's is hourly);
// trade statistics, fees and realized PnL are always recomputed from the run's fills, the
// net cash flows from its cash flows.
RunReport build_report(const Journal& journal, int64_t run_id = 0);
// One JSON object:
//   "run":     {id, name, mode, status, started_ms, ended_ms, journal (when known)}
//   "metrics": every Metrics field (see metrics_to_json)
//   "trades":  [{symbol, side ("long"/"short"), qty, entry_ts, entry_price, exit_ts, exit_price,
//               pnl, fees, open, mark_price}]; an open trade has exit_ts 0 and exit_price null,
//               and is marked at its symbol's last close in the run (mark_price; null when
//               none is known, and for a closed trade): its pnl includes the unrealized PnL
//   "orders":  [{client_order_id, symbol, side, type, qty, state, created_ms, updated_ms,
//               filled_qty, venue_order_id, reason, text}]
//   "fills":   [{client_order_id, trade_id, symbol, side, qty, price, fee, time_ms}]
//   "signals": the number of signals
//   "risk_refusals": [{time_ms, symbol, action, rule, outcome}]
//   "risk_states":   [{time_ms, state, reason, transition}]
//   "execution_model": text
//   "strategy_failures": {llm_calls, failed_llm_calls, failed_llm_calls_by_outcome: {outcome: n},
//                         strategy_errors}
std::string report_to_json(const RunReport& r);
// A terminal summary: the run, a metrics block, a trade table, order and fill counts, and the
// strategy's failures when there were any.
std::string report_to_text(const RunReport& r);
// One self-contained HTML page (the chart library is embedded; nothing is fetched): candles per
// symbol with a marker per fill, equity and drawdown, the metrics, the trade list, the risk
// refusals and the execution model. The element #status carries data-markers (markers drawn)
// and data-errors (script errors) for automated checks.
std::string report_to_html(const RunReport& r);

}  // namespace orchestrade::core
