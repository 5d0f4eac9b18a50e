// Everything between the risk stage and the venue: every order intent is journaled before the
// executor sees it, every report is journaled before the ledger applies it, and orders whose
// outcome is unknown are reconciled by client order id instead of being sent again.
#pragma once

#include <orchestrade/core/clock.hpp>
#include <orchestrade/core/journal.hpp>
#include <orchestrade/core/ledger.hpp>
#include <orchestrade/core/plugin_instance.hpp>
#include <orchestrade/core/risk_stage.hpp>

#include <spdlog/logger.h>
#include <nlohmann/json_fwd.hpp>

#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace orchestrade::core {

struct ExecReport {  // an owned copy of an ot_exec_report
    int32_t kind = 0;
    std::string client_order_id, venue_order_id, trade_id, symbol, text;
    Side side = Side::Buy;
    double qty = 0, price = 0, fee = 0, cum_qty = 0;
    int64_t time_ms = 0;
};

// The ot_report_sink handed to executors: copies every report.
class ReportCollector {
  public:
    ReportCollector();
    const ot_report_sink& sink() const { return sink_; }
    bool empty() const { return count_ == 0; }
    // Moves the reports collected so far into out; the collector goes on with out's storage.
    void take(std::vector<ExecReport>& out);

  private:
    static ot_status OT_CALL push(void* ctx, const ot_exec_report* r);
    ot_report_sink sink_;
    std::vector<ExecReport> reports_;  // the first count_ are this batch's
    std::size_t count_ = 0;
};

// The outcome of a signal whose order ended before it filled completely: its last state, how
// much of it filled when some did, and the venue's text ("rejected: insufficient balance").
std::string unfilled_outcome(const OrderRecord& order);
// Whether a journaled signal's outcome is one unfilled_outcome() wrote: the signal did not act.
bool is_unfilled_outcome(std::string_view outcome);

class OrderRouter {
  public:
    OrderRouter(Journal& journal, Ledger& ledger, ExecutorInstance& executor, Mode mode,
                int64_t run_id, const Clock& clock);

    // A rate-limited intent (refused before it left) goes again under its id at each poll, for
    // this long; after that it is closed as stale rather than sent late.
    static constexpr int64_t kMaxResendDelayMs = 5 * 60 * 1000;

    struct Submitted {
        std::string client_order_id;
        OrderState state = OrderState::Intent;
        std::string text;
        int fills = 0;  // fills that arrived right away (e.g. a fill-at-close simulation)
    };
    Submitted submit(const OrderRequest& request, const std::string& symbol, int64_t signal_id,
                     int64_t time_ms, const std::string& reason);
    // Drains the executor's reports into the journal and the ledger; returns new fills. In a
    // backtest, an executor that rests no legs of its own is asked only while one of its orders
    // is open or when venue_news says it saw something it may book (series points: funding).
    int poll(bool venue_news = false);
    bool has_open_order(const std::string& symbol) const;
    // Some open order still waits for the venue's answer (startup or after an ambiguous submit).
    bool reconcile_pending() const { return needs_reconcile_; }
    // Called after each new fill reached the journal and the ledger.
    using FillListener = std::function<void(const OrderRecord& order, const FillRecord& fill,
                                            const Position& before, const Position& after)>;
    void on_fill(FillListener listener) { fill_listener_ = std::move(listener); }
    // Called when a signal's order ends before it filled completely: rejected, canceled or
    // expired, not found at the venue, never sent (a rate limit, a crash inside its submit). The
    // order holds its last state, text and filled quantity; its signal's action may act again.
    using UnfilledEndListener = std::function<void(const OrderRecord& order)>;
    void on_unfilled_end(UnfilledEndListener listener) {
        unfilled_end_listener_ = std::move(listener);
    }
    std::size_t open_order_count() const { return open_.size(); }

    // Writes the orders still open (a backtest journals each order once, when it is final or
    // when the run ends).
    void flush();

    // Startup and after ambiguous submits: asks the venue about every open order of the
    // journal (all runs) and records what it says. An order the venue does not know is closed
    // as rejected: it never reached the book, and it is never sent again (a new signal may
    // place a new one). Orders the venue cannot answer for yet are asked again later; after
    // the others are recorded, a PluginCallError names them.
    int reconcile();

  private:
    Submitted send(OrderRecord& order);
    int drain();  // the executor's reports into the journal and the ledger
    void close(const std::string& client_order_id);  // no longer open
    static bool blocks_signals(const OrderRecord& o);
    OrderRecord* adopt_leg(const ExecReport& r);
    // Applies reports in order; when one throws (a journal write failed), it and the ones after
    // it are kept and applied first by the next call.
    int apply(std::vector<ExecReport>& reports);
    int apply_report(const ExecReport& r);
    FillRecord fill_of(const ExecReport& r, const OrderRecord& order) const;
    bool journaled_fill(const ExecReport& r, const FillRecord& f) const;
    bool apply_fill(const ExecReport& r, OrderRecord& order);
    // A fill for an order the journal holds as closed (the venue reported it canceled first, or
    // reconciliation did not find it): the venue's fills are what the account holds.
    bool apply_fill_of_closed_order(const ExecReport& r, OrderRecord order);
    // The journal, the ledger and the fill listener, for a fill not known before.
    void book_fill(const FillRecord& f, OrderRecord& order, double filled, OrderState state);
    bool is_ours(const OrderRecord& order) const;  // of this account: this mode's runs
    void record_unmatched(const ExecReport& r);    // visible in the journal, not applied
    void apply_cash_flow(const ExecReport& r);     // an OT_REPORT_CASH: journal, then ledger
    // A report the router could not apply, kept visible in the journal's events.
    void record_executor_event(const char* kind, int64_t time_ms, const nlohmann::json& detail);
    void set_state(OrderRecord& order, OrderState state, int64_t time_ms, const std::string& text);
    std::string next_client_order_id();

    Journal& journal_;
    Ledger& ledger_;
    ExecutorInstance& executor_;
    Mode mode_;
    bool write_final_only_;  // backtest: an order is journaled once, in its last state
    bool poll_when_idle_;    // false: no order open, nothing to ask the executor (see poll)
    int64_t run_id_;
    const Clock& clock_;
    std::shared_ptr<spdlog::logger> log_;
    std::string id_prefix_;
    static constexpr int64_t kIdBlock = 64, kMaxIdBlock = 65536;
    int64_t next_id_ = 0, id_block_end_ = 0;   // client order ids reserved in the journal
    int64_t id_block_ = kIdBlock;              // how many the next reservation takes
    std::map<std::string, OrderRecord> open_;  // non-final orders by client order id
    // Trade ids applied per open order: a repeated report is dropped even where the journal
    // cannot tell yet (a backtest writes in the background).
    std::map<std::string, std::set<std::string>> applied_trades_;
    std::map<std::string, int> open_by_symbol_;
    bool needs_reconcile_ = false;
    std::vector<std::string> resend_;  // intents a rate limit kept from leaving
    FillListener fill_listener_;
    UnfilledEndListener unfilled_end_listener_;
    ReportCollector collector_;
    std::vector<ExecReport> reports_;    // the batch apply() works on
    std::vector<ExecReport> unapplied_;  // a batch's rest after a failed write, applied next
};

}  // namespace orchestrade::core
