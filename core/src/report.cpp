#include <orchestrade/core/ledger.hpp>
#include <orchestrade/core/report.hpp>
#include <orchestrade/core/run_lock.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdarg>
#include <cstdio>
#include <map>
#include <set>
#include <stdexcept>

namespace orchestrade::core {
namespace {

using Json = nlohmann::ordered_json;

std::string order_type_name(int32_t type) {
    switch (type) {
        case OT_ORDER_MARKET:
            return "market";
        case OT_ORDER_LIMIT:
            return "limit";
        case OT_ORDER_STOP_MARKET:
            return "stop_market";
        case OT_ORDER_STOP_LIMIT:
            return "stop_limit";
        case OT_ORDER_TAKE_PROFIT_MARKET:
            return "take_profit_market";
        default:
            return std::to_string(type);
    }
}

__attribute__((format(printf, 1, 2))) std::string formatted(const char* spec, ...) {
    char buffer[512];
    va_list args;
    va_start(args, spec);
    std::vsnprintf(buffer, sizeof buffer, spec, args);
    va_end(args);
    return buffer;
}

// "2d 3h 15m", "45s".
std::string format_duration(int64_t ms) {
    const int64_t s = ms / 1000;
    if (s < 60) return formatted("%llds", static_cast<long long>(s));
    const auto d = static_cast<long long>(s / 86400), h = static_cast<long long>(s % 86400 / 3600),
               m = static_cast<long long>(s % 3600 / 60);
    return d > 0 ? formatted("%lldd %lldh %lldm", d, h, m) : formatted("%lldh %lldm", h, m);
}

Json trade_json(const Trade& t) {
    return {{"symbol", t.symbol},
            {"side", t.side == Side::Buy ? "long" : "short"},
            {"qty", t.qty},
            {"entry_ts", t.entry_ts},
            {"entry_price", t.entry_price},
            {"exit_ts", t.open ? 0 : t.exit_ts},
            {"exit_price", t.open ? Json(nullptr) : Json(t.exit_price)},
            {"pnl", t.pnl},
            {"fees", t.fees},
            {"open", t.open},
            {"mark_price", t.mark_price > 0 ? Json(t.mark_price) : Json(nullptr)}};
}

Json order_json(const OrderRecord& o) {
    return {{"client_order_id", o.client_order_id},
            {"symbol", o.symbol},
            {"side", to_string(o.side)},
            {"type", order_type_name(o.type)},
            {"qty", o.qty},
            {"state", to_string(o.state)},
            {"created_ms", o.created_ms},
            {"updated_ms", o.updated_ms},
            {"filled_qty", o.filled_qty},
            {"venue_order_id", o.venue_order_id},
            {"reason", o.reason},
            {"text", o.text}};
}

Json fill_json(const FillRecord& f) {
    return {{"client_order_id", f.client_order_id},
            {"trade_id", f.trade_id},
            {"symbol", f.symbol},
            {"side", to_string(f.side)},
            {"qty", f.qty},
            {"price", f.price},
            {"fee", f.fee},
            {"time_ms", f.time_ms}};
}

Json cash_flow_json(const CashFlowRecord& c) {
    return {{"symbol", c.symbol},
            {"kind", c.kind},
            {"amount", c.amount},
            {"ref", c.ref},
            {"time_ms", c.time_ms}};
}

void append_metrics(std::string& out, const Metrics& m) {
    out += "Metrics\n";
    out += formatted("  %-18s %14.2f\n", "Starting equity", m.starting_equity);
    out += formatted("  %-18s %14.2f\n", "Final equity", m.final_equity);
    out += formatted("  %-18s %14.2f %%\n", "Total return", m.total_return_pct);
    out += formatted("  %-18s %14.2f %%\n", "CAGR", m.cagr_pct);
    out += formatted("  %-18s %14.3f\n", "Sharpe", m.sharpe);
    out += formatted("  %-18s %14.3f\n", "Sortino", m.sortino);
    out += formatted("  %-18s %14.2f %%  longest %s\n", "Max drawdown", m.max_drawdown_pct,
                     format_duration(m.max_drawdown_duration_ms).c_str());
    out += formatted("  %-18s %14.2f %%\n", "Volatility", m.volatility_pct);
    out += formatted("  %-18s %14.2f %%\n", "Exposure", m.exposure_pct);
    out += formatted("  %-18s %14.2f\n", "Realized, gross", m.realized_pnl);
    out += formatted("  %-18s %14.2f\n", "Fees", m.fees);
    if (m.cash_flows != 0) out += formatted("  %-18s %14.2f\n", "Cash flows, net", m.cash_flows);
    out += formatted("  %-18s %14lld\n", "Trades", static_cast<long long>(m.trades));
    out += formatted("  %-18s %14.2f %%\n", "Win rate", m.win_rate_pct);
    out += formatted("  %-18s %14.2f\n", "Profit factor", m.profit_factor);
    out += formatted("  %-18s %14.2f\n", "Avg trade PnL", m.avg_trade_pnl);
    out += formatted("  %-18s %14lld  %s .. %s\n", "Periods", static_cast<long long>(m.periods),
                     format_time(m.start_ms).c_str(), format_time(m.end_ms).c_str());
}

void append_trades(std::string& out, const std::vector<Trade>& trades) {
    out += "Trades\n";
    if (trades.empty()) {
        out += "  (none)\n";
        return;
    }
    std::vector<std::string> exits;  // an open trade's says where its PnL is marked
    int exit_width = 12;
    for (const auto& t : trades) {
        exits.push_back(!t.open            ? formatted("%.6g", t.exit_price)
                        : t.mark_price > 0 ? formatted("open (marked %.6g)", t.mark_price)
                                           : std::string("open"));
        exit_width = std::max(exit_width, static_cast<int>(exits.back().size()));
    }
    out += formatted("  %-12s %-5s %12s  %-19s %12s  %-19s %*s %12s %10s\n", "Symbol", "Side",
                     "Qty", "Entry time", "Entry", "Exit time", exit_width, "Exit", "PnL", "Fees");
    for (std::size_t i = 0; i < trades.size(); ++i) {
        const Trade& t = trades[i];
        out += formatted("  %-12s %-5s %12.6g  %-19s %12.6g  %-19s %*s %12.2f %10.2f\n",
                         t.symbol.c_str(), t.side == Side::Buy ? "long" : "short", t.qty,
                         format_time(t.entry_ts).c_str(), t.entry_price,
                         format_time(t.open ? 0 : t.exit_ts).c_str(), exit_width, exits[i].c_str(),
                         t.pnl, t.fees);
    }
}

// Each symbol's last known close in the run: the close of its latest chart candle. An open
// trade is marked there, as the run's final equity marks its position.
std::map<std::string, double> last_closes(const std::vector<ChartBar>& chart_bars) {
    std::map<std::string, const ChartBar*> latest;
    for (const auto& b : chart_bars) {
        const ChartBar*& l = latest[b.symbol];
        if (!l || b.time_ms >= l->time_ms) l = &b;
    }
    std::map<std::string, double> closes;
    for (const auto& [symbol, bar] : latest)
        closes[symbol] = bar->close;
    return closes;
}

// The fills of the earlier runs a run continues: a position it closes may have been opened there.
// Adds the fills among them that left dust to `dust`.
std::vector<FillRecord> carried_fills(const Journal& journal, const RunRecord& run,
                                      std::set<std::string>& dust) {
    std::vector<FillRecord> out;
    for (const auto& earlier : journal.resumed_runs(run.mode, run.id)) {
        for (auto& f : journal.fills(earlier.id))
            out.push_back(std::move(f));
        dust.merge(dust_fills(journal.events(earlier.id, "dust_left")));
    }
    return out;
}

// A stored curve's returns are those of its spacing: a backtest keeps a point an hour, not one
// per bar, so the bar interval would annualise hourly returns as if they were per bar.
double curve_periods_per_year(const std::vector<EquityPoint>& curve, int32_t bar_interval_s) {
    if (curve.size() < 2) return periods_per_year(bar_interval_s);
    const int64_t spacing_ms =
        (curve.back().time_ms - curve.front().time_ms) / static_cast<int64_t>(curve.size() - 1);
    return periods_per_year(std::max(bar_interval_s, static_cast<int32_t>(spacing_ms / 1000)));
}

Json strategy_failures_json(const StrategyFailures& f) {
    Json by_outcome = Json::object();
    for (const auto& [outcome, count] : f.failed_llm_calls)
        by_outcome[outcome] = count;
    Json by_cause = Json::object();
    for (const auto& [cause, count] : f.llm_holds)
        by_cause[cause] = count;
    return {{"llm_calls", f.llm_calls},
            {"failed_llm_calls", f.failed_llm_call_count()},
            {"failed_llm_calls_by_outcome", std::move(by_outcome)},
            {"llm_holds", f.llm_hold_count()},
            {"llm_holds_by_cause", std::move(by_cause)},
            {"strategy_errors", f.strategy_errors}};
}

}  // namespace

int64_t StrategyFailures::failed_llm_call_count() const {
    int64_t n = 0;
    for (const auto& [outcome, count] : failed_llm_calls)
        n += count;
    return n;
}

int64_t StrategyFailures::llm_hold_count() const {
    int64_t n = 0;
    for (const auto& [cause, count] : llm_holds)
        n += count;
    return n;
}

bool StrategyFailures::no_llm_answer() const {
    const auto stopping = llm_holds.find("stopping");
    const int64_t held = llm_hold_count() - (stopping == llm_holds.end() ? 0 : stopping->second);
    return llm_calls + held > 0 && failed_llm_call_count() == llm_calls;
}

StrategyFailures strategy_failures(const Journal& journal, int64_t run_id) {
    StrategyFailures f;
    for (const auto& e : journal.events(run_id, "llm_call")) {
        ++f.llm_calls;
        const Json call = Json::parse(e.json, nullptr, false);
        const std::string outcome =
            call.is_object() ? call.value("outcome", std::string("unknown")) : "unknown";
        if (outcome != "answer") ++f.failed_llm_calls[outcome];
    }
    for (const auto& e : journal.events(run_id, "llm_hold")) {
        const Json hold = Json::parse(e.json, nullptr, false);
        ++f.llm_holds[hold.is_object() ? hold.value("cause", std::string("other")) : "other"];
    }
    // A repeated error is one row with its count (none before the count was kept: 1).
    for (const auto& e : journal.events(run_id, "strategy_error")) {
        const Json error = Json::parse(e.json, nullptr, false);
        const Json count = error.is_object() ? error.value("count", Json(1)) : Json(1);
        f.strategy_errors += count.is_number_integer() ? count.get<int64_t>() : 1;
    }
    return f;
}

std::string describe(const StrategyFailures& f) {
    if (!f.any()) return {};
    std::string outcomes;
    for (const auto& [outcome, count] : f.failed_llm_calls)
        outcomes += (outcomes.empty() ? "" : ", ") + outcome + " " + std::to_string(count);
    std::string text = std::to_string(f.failed_llm_call_count()) + " of " +
                       std::to_string(f.llm_calls) + " LLM calls failed";
    if (!outcomes.empty()) text += " (" + outcomes + ")";
    if (f.llm_hold_count() > 0) {
        std::string causes;
        for (const auto& [cause, count] : f.llm_holds)
            causes += (causes.empty() ? "" : ", ") + cause + " " + std::to_string(count);
        text += ", " + std::to_string(f.llm_hold_count()) + " decisions held without a call (" +
                causes + ")";
    }
    return text + ", " + std::to_string(f.strategy_errors) + " strategy errors";
}

RunReport build_report(const Journal& journal, int64_t run_id) {
    const auto run = run_id == 0 ? journal.last_run() : journal.run(run_id);
    if (!run)
        throw std::runtime_error("journal '" + journal.path() + "' has " +
                                 (run_id == 0 ? "no runs" : "no run " + std::to_string(run_id)));
    RunReport r;
    r.journal_path = journal.path();
    r.run = *run;
    // Closed as such by the next run; until then nothing else says the process is gone.
    if (r.run.status == "running" && !RunLock::held(journal.path())) r.run.status = "interrupted";
    r.orders = journal.orders(run->id);
    r.fills = journal.fills(run->id);
    r.cash_flows = journal.cash_flows(run->id);
    std::set<std::string> dust = dust_fills(journal.events(run->id, "dust_left"));
    std::vector<FillRecord> history = carried_fills(journal, *run, dust);  // then the run's own
    const std::size_t carried = history.size();
    history.insert(history.end(), r.fills.begin(), r.fills.end());
    r.chart_bars = journal.chart_bars(run->id);
    r.trades = build_trades(history, carried, dust, last_closes(r.chart_bars));
    r.signal_count = journal.signal_count(run->id);
    r.actionable_signal_count = journal.actionable_signal_count(run->id);
    r.risk_refusals = journal.events(run->id, "risk_refusal");
    r.risk_states = journal.events(run->id, "risk_state");
    // Recorded by the engine when the run started (empty for a journal written by hand).
    const auto model = journal.events(run->id, "execution_model");
    if (!model.empty())
        r.execution_model = Json::parse(model.front().json, nullptr, false).value("text", "");
    r.equity = journal.equity(run->id);
    r.strategy_failures = strategy_failures(journal, run->id);

    // Realized PnL and fees since the run began, on the positions it carried in.
    Ledger ledger;
    for (std::size_t i = 0; i < carried; ++i)
        ledger.apply_fill(history[i]);
    const double realized_before = ledger.realized_pnl(), fees_before = ledger.fees();
    for (const auto& f : r.fills)
        ledger.apply_fill(f);
    if (!run->metrics_json.empty() && run->metrics_json != "{}") {
        r.metrics = metrics_from_json(run->metrics_json);
    } else {
        r.metrics =
            compute_metrics(r.equity, run->starting_cash,
                            curve_periods_per_year(r.equity, run->bar_interval_s), r.trades, 0, 0);
    }
    apply_trade_stats(r.metrics, trade_stats(r.trades));
    r.metrics.fees = ledger.fees() - fees_before;
    r.metrics.cash_flows = 0;
    for (const auto& c : r.cash_flows)
        r.metrics.cash_flows += c.amount;
    r.metrics.realized_pnl = ledger.realized_pnl() - realized_before;
    return r;
}

std::string report_to_json(const RunReport& r) {
    Json run = {
        {"id", r.run.id},         {"name", r.run.pipeline_name},    {"mode", to_string(r.run.mode)},
        {"status", r.run.status}, {"started_ms", r.run.started_ms}, {"ended_ms", r.run.ended_ms}};
    if (!r.journal_path.empty()) run["journal"] = r.journal_path;
    Json trades = Json::array(), orders = Json::array(), fills = Json::array();
    for (const auto& t : r.trades)
        trades.push_back(trade_json(t));
    for (const auto& o : r.orders)
        orders.push_back(order_json(o));
    for (const auto& f : r.fills)
        fills.push_back(fill_json(f));
    Json cash_flows = Json::array();
    for (const auto& c : r.cash_flows)
        cash_flows.push_back(cash_flow_json(c));
    Json out = {{"run", std::move(run)},
                {"metrics", Json::parse(metrics_to_json(r.metrics))},
                {"trades", std::move(trades)},
                {"orders", std::move(orders)},
                {"fills", std::move(fills)},
                {"signals", r.signal_count},
                {"actionable_signals", r.actionable_signal_count}};
    Json& refusals = out["risk_refusals"] = Json::array();
    for (const auto& e : r.risk_refusals) {
        Json j = Json::parse(e.json, nullptr, false);
        if (j.is_discarded()) j = Json::object();
        j["time_ms"] = e.time_ms;
        refusals.push_back(std::move(j));
    }
    Json& states = out["risk_states"] = Json::array();
    for (const auto& e : r.risk_states) {
        Json j = Json::parse(e.json, nullptr, false);
        if (j.is_discarded()) j = Json::object();
        j["time_ms"] = e.time_ms;
        states.push_back(std::move(j));
    }
    out["cash_flows"] = std::move(cash_flows);
    out["execution_model"] = r.execution_model;
    out["strategy_failures"] = strategy_failures_json(r.strategy_failures);
    return out.dump(2);
}

std::string report_to_text(const RunReport& r) {
    std::string out = formatted("Run %lld  %s  (%s, %s)\n", static_cast<long long>(r.run.id),
                                r.run.pipeline_name.c_str(),
                                std::string(to_string(r.run.mode)).c_str(), r.run.status.c_str());
    out += formatted("  started %s UTC, ended %s\n", format_time(r.run.started_ms).c_str(),
                     r.run.ended_ms == 0 ? "-" : (format_time(r.run.ended_ms) + " UTC").c_str());
    if (!r.journal_path.empty()) out += "  journal " + r.journal_path + "\n";
    out += "\n";
    append_metrics(out, r.metrics);
    out += "\n";
    append_trades(out, r.trades);
    out += "\n";

    std::map<OrderState, int> by_state;
    for (const auto& o : r.orders)
        ++by_state[o.state];
    std::string states;
    for (const auto& [state, count] : by_state)
        states += (states.empty() ? "" : ", ") + std::to_string(count) + " " +
                  std::string(to_string(state));
    out += "Orders " + std::to_string(r.orders.size());
    if (!states.empty()) out += " (" + states + ")";
    out += ", fills " + std::to_string(r.fills.size()) + ", signals " +
           std::to_string(r.signal_count) + " (" + std::to_string(r.actionable_signal_count) +
           " actionable)\n";
    if (!r.risk_refusals.empty()) {
        std::map<std::string, int> by_rule;
        for (const auto& e : r.risk_refusals)
            ++by_rule[Json::parse(e.json, nullptr, false).value("rule", std::string("?"))];
        std::string rules;
        for (const auto& [rule, count] : by_rule)
            rules += (rules.empty() ? "" : ", ") + rule + " " + std::to_string(count);
        out += "Risk refusals " + std::to_string(r.risk_refusals.size()) + " (" + rules + ")\n";
    }
    for (const auto& e : r.risk_states)
        out += "Breaker " + format_time(e.time_ms) + ": " +
               Json::parse(e.json, nullptr, false).value("transition", std::string()) + "\n";
    if (!r.execution_model.empty()) out += "Execution: " + r.execution_model + "\n";
    if (r.strategy_failures.any())
        out += "Strategy failures: " + describe(r.strategy_failures) + "\n";
    return out;
}

}  // namespace orchestrade::core
