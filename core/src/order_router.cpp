#include <orchestrade/core/logging.hpp>
#include <orchestrade/core/order_router.hpp>
#include <orchestrade/core/struct_prefix.hpp>

#include <spdlog/fmt/fmt.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdio>
#include <iterator>
#include <random>

namespace orchestrade::core {
namespace {

constexpr double kQtyEpsilon = 1e-12;

double qty_tolerance(const OrderRecord& order) {
    return kQtyEpsilon * std::max(1.0, order.qty);
}

OrderState fill_state(const OrderRecord& order, double filled_qty) {
    return filled_qty >= order.qty - qty_tolerance(order) ? OrderState::Filled
                                                          : OrderState::PartiallyFilled;
}

// A fill the venue reports without a trade id is known by its order's cumulative quantity after
// it, written so that it reads back as the same double: quantities apart by less than 1e-6 (small
// lots, partial fills) must not share an id.
std::string fallback_trade_id(const ExecReport& r) {
    char qty[32];
    std::snprintf(qty, sizeof qty, "%.17g", r.cum_qty);
    return r.client_order_id + "@" + qty;
}

// The fallback id of older versions (six decimals), which their journals hold.
std::string six_decimal_trade_id(const ExecReport& r) {
    return r.client_order_id + "@" + std::to_string(r.cum_qty);
}

std::string random_prefix() {
    std::random_device rd;
    char buf[16];
    std::snprintf(buf, sizeof buf, "%08x", static_cast<unsigned>(rd()));
    return buf;
}

}  // namespace

std::string unfilled_outcome(const OrderRecord& order) {
    std::string outcome(to_string(order.state));
    if (order.filled_qty > 0)
        outcome += fmt::format(" after {} of {} filled", order.filled_qty, order.qty);
    if (!order.text.empty()) outcome += ": " + order.text;
    return outcome;
}

bool is_unfilled_outcome(std::string_view outcome) {
    for (const OrderState state :
         {OrderState::Rejected, OrderState::Canceled, OrderState::Expired}) {
        const std::string_view name = to_string(state);
        if (outcome.substr(0, name.size()) != name) continue;
        const std::string_view rest = outcome.substr(name.size());
        if (rest.empty() || rest.front() == ':' || rest.substr(0, 7) == " after ") return true;
    }
    return false;
}

ReportCollector::ReportCollector() : sink_{this, &ReportCollector::push} {}

ot_status OT_CALL ReportCollector::push(void* ctx, const ot_exec_report* pushed) {
    const ot_exec_report report = read_prefix(pushed);
    const ot_exec_report* r = &report;
    // Only a cash flow belongs to no order.
    if (!pushed || (!r->client_order_id && r->kind != OT_REPORT_CASH)) return OT_E_INVALID_ARG;
    auto& self = *static_cast<ReportCollector*>(ctx);
    auto text = [](const char* s) { return s ? s : ""; };
    try {
        // A slot of an earlier batch is written over: its strings keep their storage.
        if (self.count_ == self.reports_.size()) self.reports_.emplace_back();
        ExecReport& e = self.reports_[self.count_];
        e.kind = r->kind;
        e.client_order_id.assign(text(r->client_order_id));
        e.venue_order_id.assign(text(r->venue_order_id));
        e.trade_id.assign(text(r->trade_id));
        e.symbol.assign(text(r->symbol));
        e.text.assign(text(r->text));
        e.side = r->side == OT_SIDE_SELL ? Side::Sell : Side::Buy;
        e.qty = r->qty;
        e.price = r->price;
        e.fee = r->fee;
        e.cum_qty = r->cum_qty;
        e.time_ms = r->time_ms;
        ++self.count_;
        return OT_OK;
    } catch (...) {
        return OT_E_NOMEM;
    }
}

void ReportCollector::take(std::vector<ExecReport>& out) {
    reports_.resize(count_);
    out.swap(reports_);
    count_ = 0;
}

OrderRouter::OrderRouter(Journal& journal, Ledger& ledger, ExecutorInstance& executor, Mode mode,
                         int64_t run_id, const Clock& clock)
    : journal_(journal),
      ledger_(ledger),
      executor_(executor),
      mode_(mode),
      write_final_only_(mode == Mode::Backtest),
      poll_when_idle_(mode != Mode::Backtest ||
                      (executor.info().capabilities &
                       (OT_CAP_NATIVE_STOP_LOSS | OT_CAP_NATIVE_TAKE_PROFIT)) != 0),
      run_id_(run_id),
      clock_(clock),
      log_(logger("orders")) {
    // A per-journal prefix keeps ids unique when several bots share one venue account.
    auto prefix = journal_.kv_get("core", "client_order_id_prefix");
    if (!prefix) {
        prefix = random_prefix();
        journal_.kv_set("core", "client_order_id_prefix", *prefix);
    }
    id_prefix_ = "ot-" + *prefix + "-";
    // Paper and live take over the orders earlier runs of the same mode left open; a backtest
    // starts with none (its venue is simulated afresh).
    if (mode_ != Mode::Backtest) {
        for (auto& o : journal_.open_orders()) {
            const auto run = journal_.run(o.run_id);
            if (run && run->mode != mode_) continue;
            if (blocks_signals(o)) ++open_by_symbol_[o.symbol];
            open_.emplace(o.client_order_id, std::move(o));
        }
    }
    needs_reconcile_ = !open_.empty();
}

std::string OrderRouter::next_client_order_id() {
    // Ids are reserved in the journal by the block: a crash skips ids, never reuses one. Paper
    // and live take 64 at a time. A backtest doubles its block up to kMaxIdBlock: reserving
    // waits for the journal's writer thread, and a backtest that trades often would otherwise
    // wait for it every 64 orders.
    if (next_id_ == id_block_end_) {
        next_id_ = journal_.next_sequence("client_order_id", id_block_);
        id_block_end_ = next_id_ + id_block_;
        id_block_ = write_final_only_ ? std::min(id_block_ * 2, kMaxIdBlock) : kIdBlock;
    }
    return id_prefix_ + std::to_string(next_id_++);
}

bool OrderRouter::has_open_order(const std::string& symbol) const {
    auto it = open_by_symbol_.find(symbol);
    return it != open_by_symbol_.end() && it->second > 0;
}

void OrderRouter::set_state(OrderRecord& order, OrderState state, int64_t time_ms,
                            const std::string& text) {
    order.state = state;
    order.updated_ms = time_ms;
    if (!text.empty()) order.text = text;
    // A backtest writes the order once, when close() takes it out of the open orders.
    if (!write_final_only_)
        journal_.update_order(order.client_order_id, state, time_ms, order.venue_order_id, text,
                              order.filled_qty);
}

void OrderRouter::flush() {
    if (!write_final_only_) return;
    for (const auto& [id, order] : open_)
        journal_.record_order(order);
}

OrderRouter::Submitted OrderRouter::submit(const OrderRequest& request, const std::string& symbol,
                                           int64_t signal_id, int64_t time_ms,
                                           const std::string& reason) {
    const std::string id = next_client_order_id();
    OrderRecord& o = open_.try_emplace(id).first->second;  // built in place: no copies
    o.client_order_id = id;
    o.run_id = run_id_;
    o.signal_id = signal_id;
    o.created_ms = o.updated_ms = time_ms;
    o.symbol = symbol;
    o.side = request.side;
    o.type = OT_ORDER_MARKET;
    o.tif = OT_TIF_GTC;
    o.qty = request.qty;
    o.stop_loss = request.stop_loss;
    o.take_profit = request.take_profit;
    o.reason = reason;
    o.state = OrderState::Intent;
    ++open_by_symbol_[symbol];
    // On disk before the venue hears of it. A backtest's venue is simulated in this process:
    // there is nothing to reconcile after a crash, so its orders are written once, when final.
    if (!write_final_only_) journal_.record_intent(o);

    Submitted result = send(o);
    result.fills += drain();  // a venue that fills at once (a fill-at-close simulation)
    return result;
}

OrderRouter::Submitted OrderRouter::send(OrderRecord& order) {
    ot_order co{};
    co.struct_size = sizeof co;
    co.side = static_cast<int32_t>(order.side);
    co.client_order_id = order.client_order_id.c_str();
    co.symbol = order.symbol.c_str();
    co.type = order.type;
    co.tif = order.tif;
    co.qty = order.qty;
    const uint32_t caps = executor_.info().capabilities;
    co.stop_loss = caps & OT_CAP_NATIVE_STOP_LOSS ? order.stop_loss : 0;
    co.take_profit = caps & OT_CAP_NATIVE_TAKE_PROFIT ? order.take_profit : 0;
    co.time_ms = order.created_ms;
    ot_error err{};
    ot_status st;
    try {
        st = executor_.submit(co, err);
    } catch (const std::exception& e) {
        st = OT_E_UNKNOWN;
        std::snprintf(err.message, sizeof err.message, "%s", e.what());
    }

    Submitted result{order.client_order_id, OrderState::Accepted, {}, 0};
    const std::string& id = result.client_order_id;  // close() below may drop the order
    const int64_t time_ms = order.created_ms;
    if (st == OT_OK) {
        set_state(order, OrderState::Accepted, time_ms, {});
        log_->log(mode_ == Mode::Backtest ? spdlog::level::debug : spdlog::level::info,
                  "order {} sent: {} {:.10g} {}", id, to_string(order.side), order.qty,
                  order.symbol);
        return result;
    }
    if (st == OT_E_RATE_LIMIT) {
        // Refused before it left: the same intent goes again, under the same id, next poll.
        result.state = OrderState::Intent;
        result.text = err.message;
        resend_.push_back(id);
        log_->warn("order {} not sent yet ({}); it goes again at the next iteration", id,
                   err.message);
        return result;
    }
    if (st == OT_E_REJECTED || st == OT_E_INVALID_ARG) {
        result.state = OrderState::Rejected;
        log_->warn("order {} rejected: {}", id, err.message);
    } else {
        // Timeout after send, 5xx, a plugin failure: the venue may or may not have it.
        result.state = OrderState::Unknown;
        needs_reconcile_ = true;
        log_->error("order {} outcome unknown ({}); it will be reconciled, not resent", id,
                    err.message);
    }
    result.text = err.message;
    set_state(order, result.state, time_ms, result.text);
    if (is_final(result.state)) close(id);
    return result;
}

void OrderRouter::close(const std::string& client_order_id) {
    auto it = open_.find(client_order_id);
    if (it == open_.end()) return;
    if (blocks_signals(it->second)) {
        --open_by_symbol_[it->second.symbol];
        if (it->second.state != OrderState::Filled && it->second.signal_id != 0 &&
            unfilled_end_listener_)
            unfilled_end_listener_(it->second);
    }
    applied_trades_.erase(client_order_id);
    auto node = open_.extract(it);  // client_order_id may live in it: it stays alive to here
    if (write_final_only_) journal_.record_order(std::move(node.mapped()));
}

bool OrderRouter::blocks_signals(const OrderRecord& o) {
    return o.parent_client_order_id.empty();  // protective legs never block a strategy's exit
}

// An executor that rests protective legs for an entry reports them as "<entry id>-sl" and
// "<entry id>-tp": the first report makes them orders of the journal, so their fills reach the
// ledger and a restart reconciles them like any other order.
OrderRecord* OrderRouter::adopt_leg(const ExecReport& r) {
    const std::string& id = r.client_order_id;
    if (id.size() < 4) return nullptr;
    const std::string suffix = id.substr(id.size() - 3);
    if (suffix != "-sl" && suffix != "-tp") return nullptr;
    const auto parent = journal_.order(id.substr(0, id.size() - 3));
    if (!parent || journal_.order(id)) return nullptr;
    const bool stop = suffix == "-sl";
    OrderRecord leg;
    leg.client_order_id = id;
    leg.run_id = run_id_;
    leg.signal_id = parent->signal_id;
    leg.created_ms = leg.updated_ms = r.time_ms;
    leg.symbol = r.symbol.empty() ? parent->symbol : r.symbol;
    leg.side = parent->side == Side::Buy ? Side::Sell : Side::Buy;
    leg.type = stop ? OT_ORDER_STOP_MARKET : OT_ORDER_TAKE_PROFIT_MARKET;
    leg.qty = parent->qty;
    leg.stop_price = stop ? parent->stop_loss : parent->take_profit;
    leg.flags = OT_ORDER_FLAG_REDUCE_ONLY;
    leg.parent_client_order_id = parent->client_order_id;
    leg.reason =
        std::string(stop ? "stop-loss" : "take-profit") + " leg of " + parent->client_order_id;
    leg.state = OrderState::Accepted;
    if (!write_final_only_) journal_.record_intent(leg);
    log_->info("the venue rests {} for {}", leg.reason, leg.symbol);
    return &open_.emplace(id, std::move(leg)).first->second;
}

FillRecord OrderRouter::fill_of(const ExecReport& r, const OrderRecord& order) const {
    FillRecord f;
    f.run_id = run_id_;
    f.client_order_id = r.client_order_id;
    f.trade_id = !r.trade_id.empty() ? r.trade_id : fallback_trade_id(r);
    f.symbol = r.symbol.empty() ? order.symbol : r.symbol;
    f.side = order.side;
    f.qty = r.qty;
    f.price = r.price;
    f.fee = r.fee;
    f.time_ms = r.time_ms;
    return f;
}

bool OrderRouter::journaled_fill(const ExecReport& r, const FillRecord& f) const {
    return journal_.has_fill(f.client_order_id, f.trade_id) ||
           (r.trade_id.empty() && journal_.has_fill(f.client_order_id, six_decimal_trade_id(r)));
}

bool OrderRouter::apply_fill(const ExecReport& r, OrderRecord& order) {
    const FillRecord f = fill_of(r, order);
    std::set<std::string>& applied = applied_trades_[order.client_order_id];
    if (applied.count(f.trade_id)) return false;
    // Paper and live resume orders an older version may have journaled fills of, under their
    // six-decimal id; a backtest's orders are all its own.
    if (!write_final_only_ && r.trade_id.empty() &&
        journal_.has_fill(f.client_order_id, six_decimal_trade_id(r)))
        return false;
    const double filled = order.filled_qty + r.qty;
    const OrderState state = fill_state(order, filled);
    // Paper and live journal the fill with the order's new state: never one without the other.
    const bool recorded =
        write_final_only_
            ? journal_.record_fill(f)
            : journal_.record_fill_and_order(f, state, r.time_ms, order.venue_order_id, filled);
    if (!recorded) return false;  // already known (replayed by a query)
    // Only now: a write that throws leaves the fill to be applied when it is reported again.
    applied.insert(f.trade_id);
    book_fill(f, order, filled, state);
    return true;
}

bool OrderRouter::apply_fill_of_closed_order(const ExecReport& r, OrderRecord order) {
    const FillRecord f = fill_of(r, order);
    if (journaled_fill(r, f)) {
        // Venues report again what a query already recovered, or a page that overlaps.
        log_->debug("fill {} of {} reported again: journaled already", f.trade_id,
                    r.client_order_id);
        return false;
    }
    if (order.state == OrderState::Filled) {
        // It filled whole: this can only be a fill applied already, reported under another id.
        record_unmatched(r);
        return false;
    }
    const std::string closed_as(to_string(order.state));
    if (!r.venue_order_id.empty()) order.venue_order_id = r.venue_order_id;
    const double filled = order.filled_qty + r.qty;
    const OrderState state = fill_state(order, filled);
    if (write_final_only_) {
        journal_.record_fill(f);
        journal_.update_order(order.client_order_id, state, r.time_ms, order.venue_order_id, {},
                              filled);
    } else if (!journal_.record_fill_and_order(f, state, r.time_ms, order.venue_order_id, filled)) {
        return false;
    }
    log_->warn("order {} was closed ({}) but the venue reports a fill of it: applied",
               order.client_order_id, closed_as);
    record_executor_event("fill_of_closed_order", r.time_ms,
                          {{"client_order_id", order.client_order_id},
                           {"trade_id", f.trade_id},
                           {"closed_as", closed_as},
                           {"state", to_string(state)}});
    book_fill(f, order, filled, state);
    return true;
}

void OrderRouter::book_fill(const FillRecord& f, OrderRecord& order, double filled,
                            OrderState state) {
    const Position before = ledger_.position(f.symbol);
    ledger_.apply_fill(f);
    order.filled_qty = filled;
    order.state = state;
    order.updated_ms = f.time_ms;
    if (fill_listener_) fill_listener_(order, f, before, ledger_.position(f.symbol));
    log_->log(mode_ == Mode::Backtest ? spdlog::level::debug : spdlog::level::info,
              "fill {}: {} {:.10g} {} @ {:.10g} (fee {:.10g})", f.client_order_id,
              to_string(order.side), f.qty, f.symbol, f.price, f.fee);
}

void OrderRouter::record_executor_event(const char* kind, int64_t time_ms,
                                        const nlohmann::json& detail) {
    EventRecord e;
    e.run_id = run_id_;
    e.time_ms = time_ms;
    e.source = "executor";
    e.kind = kind;
    e.json = detail.dump();
    journal_.record_event(e);
}

void OrderRouter::apply_cash_flow(const ExecReport& r) {
    if (r.trade_id.empty() || !std::isfinite(r.fee)) {
        // Without its id a flow cannot be told from the same one reported again.
        record_executor_event(
            "invalid_cash_flow", r.time_ms,
            nlohmann::json{
                {"symbol", r.symbol}, {"kind", r.text}, {"paid", r.fee}, {"id", r.trade_id}});
        log_->warn("cash flow of {} without an id or amount ignored", r.symbol);
        return;
    }
    CashFlowRecord c;
    c.run_id = run_id_;
    c.time_ms = r.time_ms;
    c.symbol = r.symbol;
    c.kind = r.text.empty() ? "cash" : r.text;
    c.amount = -r.fee;
    c.ref = r.trade_id;
    if (!journal_.record_cash_flow(c)) return;  // known: reported again
    ledger_.apply_cash_flow(c.amount);
    log_->log(mode_ == Mode::Backtest ? spdlog::level::debug : spdlog::level::info,
              "{} {}: {} {:.10g}", c.kind, c.symbol, c.amount >= 0 ? "received" : "paid",
              std::fabs(c.amount));
}

int OrderRouter::apply(std::vector<ExecReport>& reports) {
    if (!unapplied_.empty()) {
        // The rest of a batch whose journal write failed goes first, in the venue's order.
        reports.insert(reports.begin(), std::make_move_iterator(unapplied_.begin()),
                       std::make_move_iterator(unapplied_.end()));
        unapplied_.clear();
    }
    int fills = 0;
    std::size_t next = 0;
    try {
        for (; next < reports.size(); ++next)
            fills += apply_report(reports[next]);
    } catch (...) {
        unapplied_.assign(
            std::make_move_iterator(reports.begin() + static_cast<std::ptrdiff_t>(next)),
            std::make_move_iterator(reports.end()));
        throw;
    }
    return fills;
}

int OrderRouter::apply_report(const ExecReport& r) {
    if (r.kind == OT_REPORT_CASH) {
        apply_cash_flow(r);
        return 0;
    }
    auto it = open_.find(r.client_order_id);
    if (it == open_.end())
        if (OrderRecord* leg = adopt_leg(r)) it = open_.find(leg->client_order_id);
    if (it == open_.end()) {
        if (r.kind == OT_REPORT_FILL)
            if (auto closed = journal_.order(r.client_order_id); closed && is_ours(*closed))
                return apply_fill_of_closed_order(r, std::move(*closed)) ? 1 : 0;
        // A report for an order this journal does not know (an order placed by hand, another
        // mode's), or a state change of one already closed: kept visible, the ledger untouched.
        record_unmatched(r);
        return 0;
    }
    int fills = 0;
    OrderRecord& order = it->second;
    if (!r.venue_order_id.empty()) order.venue_order_id = r.venue_order_id;
    switch (r.kind) {
        case OT_REPORT_ACCEPTED:
            if (order.state == OrderState::Intent || order.state == OrderState::Unknown)
                set_state(order, OrderState::Accepted, r.time_ms, {});
            break;
        case OT_REPORT_FILL:
            if (apply_fill(r, order)) {
                ++fills;
            } else if (r.cum_qty > order.filled_qty + qty_tolerance(order)) {
                // A known fill of an order the journal holds as less filled: a journal of
                // an older version, killed between the fill and the order's update. The
                // venue's cumulative quantity says how far the order got; without this the
                // order would stay open, and its symbol blocked, for good.
                order.filled_qty = r.cum_qty;
                set_state(order, fill_state(order, r.cum_qty), r.time_ms, {});
            }
            break;
        case OT_REPORT_CANCELED:
            set_state(order, OrderState::Canceled, r.time_ms, r.text);
            break;
        case OT_REPORT_EXPIRED:
            set_state(order, OrderState::Expired, r.time_ms, r.text);
            break;
        case OT_REPORT_REJECTED:
            set_state(order, OrderState::Rejected, r.time_ms, r.text);
            break;
        default:
            break;
    }
    if (is_final(order.state)) close(order.client_order_id);
    return fills;
}

void OrderRouter::record_unmatched(const ExecReport& r) {
    record_executor_event("unmatched_report", r.time_ms,
                          {{"client_order_id", r.client_order_id}, {"kind", r.kind}});
    log_->warn("report for unknown or closed order {} ignored", r.client_order_id);
}

bool OrderRouter::is_ours(const OrderRecord& order) const {
    if (order.run_id == run_id_) return true;
    if (mode_ == Mode::Backtest) return false;  // a backtest starts with a venue of its own
    const auto run = journal_.run(order.run_id);
    return run && run->mode == mode_;
}

int OrderRouter::poll(bool venue_news) {
    int fills = 0;
    if (needs_reconcile_) {
        // An order the venue cannot answer for yet (inside its grace window, a 429) must not hold
        // back the rest: resting stops' fills, funding, the other orders' reports.
        try {
            fills += reconcile();
        } catch (const PluginCallError& e) {
            log_->warn("{}; asked again at the next poll", e.what());
            record_executor_event("reconcile_error", clock_.now_ms(), {{"message", e.what()}});
        }
    }
    if (resend_.empty())
        return open_.empty() && !poll_when_idle_ && !venue_news && unapplied_.empty()
                   ? fills
                   : fills + drain();
    std::vector<std::string> again;
    again.swap(resend_);
    for (const auto& id : again) {
        auto it = open_.find(id);
        if (it == open_.end()) continue;
        OrderRecord& order = it->second;
        if (clock_.now_ms() - order.created_ms > kMaxResendDelayMs) {
            log_->warn("order {} was held back by rate limits for too long: closed, never sent",
                       id);
            set_state(order, OrderState::Rejected, clock_.now_ms(),
                      "never sent: rate-limited for more than 5 min, the signal is stale");
            close(id);
            continue;
        }
        send(order);
    }
    return fills + drain();
}

int OrderRouter::drain() {
    // What the executor saves during its poll (the reports it handed over are gone) is kept only
    // once those reports are journaled: killed in between, the executor reports them again. A
    // funding payment could not be asked for later. A poll or journal write that throws leaves
    // the writes held until a later drain gets through.
    const bool hold = mode_ != Mode::Backtest;
    if (hold) executor_.hold_state();
    executor_.poll(collector_.sink());
    int fills = 0;
    if (!collector_.empty() || !unapplied_.empty()) {  // most bars: nothing happened at the venue
        collector_.take(reports_);
        fills = apply(reports_);
    }
    // Reports kept for a later poll (a journal write failed) are not journaled yet either.
    if (hold && unapplied_.empty()) executor_.release_state();
    return fills;
}

int OrderRouter::reconcile() {
    int fills = 0;
    std::vector<std::string> ids;
    for (const auto& [id, o] : open_)
        ids.push_back(id);
    std::string unanswered;
    ot_status first_failure = OT_OK;
    for (const auto& id : ids) {
        auto it = open_.find(id);
        if (it == open_.end()) continue;
        const std::string symbol = it->second.symbol;
        ot_status st = OT_OK;
        try {
            st = executor_.query_order(symbol, id, collector_.sink());
        } catch (const PluginCallError& e) {
            collector_.take(reports_);  // half an answer is no answer: asked again whole
            reports_.clear();
            unanswered += (unanswered.empty() ? "" : "; ") + id + ": " + e.what();
            if (first_failure == OT_OK) first_failure = e.status();
            continue;
        }
        if (st == OT_E_NOT_FOUND) {
            OrderRecord& order = it->second;
            const bool never_answered = order.state == OrderState::Intent;
            log_->warn("order {} ({}) is not known to the venue: closed as rejected, not resent",
                       id, to_string(order.state));
            set_state(order, OrderState::Rejected, order.updated_ms,
                      never_answered ? "never reached the venue: not found there at the restart"
                                     : "not found at the venue during reconciliation");
            close(id);
            continue;
        }
        collector_.take(reports_);
        fills += apply(reports_);
    }
    if (!unanswered.empty())  // after the others' answers are applied
        throw PluginCallError(first_failure, "the venue could not answer for " + unanswered);
    needs_reconcile_ = false;  // only once every open order got an answer
    return fills;
}

}  // namespace orchestrade::core
