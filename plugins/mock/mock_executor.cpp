#include "mock_executor.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>

namespace orchestrade::plugins::mock {
namespace {

constexpr const char* kStateKey = "state";

// For messages: ten significant digits hide binary rounding noise (10009.999999999998).
std::string number(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.10g", v);
    return buf;
}

// 'want' is more than 'have', beyond floating-point noise.
bool exceeds(double want, double have) {
    return want > have + 1e-9 * std::max(std::fabs(want), std::fabs(have));
}

void apply_fill(Holding& h, double signed_qty, double price) {
    double before = h.qty;
    double after = before + signed_qty;
    if (std::fabs(after) <= 1e-9 * std::max(std::fabs(before), std::fabs(signed_qty))) {
        h = Holding{};  // flat: what is left is rounding noise
        return;
    }
    if (before == 0 || (before > 0) == (signed_qty > 0))
        h.avg_price =
            (h.avg_price * std::fabs(before) + price * std::fabs(signed_qty)) / std::fabs(after);
    else if (std::fabs(signed_qty) > std::fabs(before))
        h.avg_price = price;  // flipped: the rest opened at this price
    h.qty = after;
}

PendingReport make_report(const VenueOrder& o, int32_t kind, int64_t time_ms) {
    PendingReport r;
    r.kind = kind;
    r.client_order_id = o.client_order_id;
    r.venue_order_id = o.venue_order_id;
    r.symbol = o.symbol;
    r.side = o.side;
    r.qty = o.qty;
    r.price = o.type == OT_ORDER_LIMIT ? o.limit_price : o.stop_price;
    r.cum_qty = o.filled_qty();
    r.time_ms = time_ms;
    if (kind != OT_REPORT_ACCEPTED) r.text = o.text;
    return r;
}

PendingReport make_fill_report(const VenueOrder& o, const Fill& f, double cum_qty) {
    PendingReport r = make_report(o, OT_REPORT_FILL, f.time_ms);
    r.trade_id = f.trade_id;
    r.qty = f.qty;
    r.price = f.price;
    r.fee = f.fee;
    r.cum_qty = cum_qty;
    r.text.clear();
    return r;
}

int32_t report_kind(OrderStatus s) {
    switch (s) {
        case OrderStatus::Canceled:
            return OT_REPORT_CANCELED;
        case OrderStatus::Rejected:
            return OT_REPORT_REJECTED;
        case OrderStatus::Expired:
            return OT_REPORT_EXPIRED;
        default:
            return 0;
    }
}

}  // namespace

MockExecutor::MockExecutor(const sdk::Context& ctx)
    : Executor(ctx),
      fee_rate_(ctx.params.get_double("fee_bps") / 1e4),
      slippage_rate_(ctx.params.get_double("slippage_bps") / 1e4),
      fill_at_close_(ctx.params.get_string("fill") == "close"),
      allow_short_(ctx.params.get_bool("allow_short")),
      funding_(ctx.params.get_bool("funding") && ctx.host.raw()->abi_minor >= 2) {
    state_.cash = state_.starting_cash = ctx.params.get_double("starting_cash");
    state_.currency = ctx.params.get_string("currency");
    if (!(state_.cash > 0)) throw sdk::Error(OT_E_INVALID_ARG, "mock: starting_cash must be > 0");
    if (state_.currency.empty()) throw sdk::Error(OT_E_INVALID_ARG, "mock: currency is empty");
    // The account holds one currency: a symbol quoted in another could never be paid for.
    for (const std::string& symbol : ctx.universe) {
        const std::string quote = symbol.substr(symbol.find('/') + 1);
        if (quote != state_.currency)
            throw sdk::Error(OT_E_INVALID_ARG, "mock: " + symbol + " is quoted in " + quote +
                                                   ", the account's currency is " +
                                                   state_.currency + " (set 'currency')");
    }
}

void MockExecutor::start() {
    if (mode() == OT_MODE_BACKTEST) return;
    std::optional<std::string> saved = host().kv_get(kStateKey);
    if (!saved) return;
    VenueState loaded = from_json(*saved);
    if (loaded.currency != state_.currency)
        throw sdk::Error(OT_E_INVALID_ARG, "mock: the saved account is in " + loaded.currency +
                                               ", the pipeline says " + state_.currency);
    // A changed starting_cash would otherwise look applied: it is in the pipeline and the report.
    if (loaded.starting_cash > 0 && loaded.starting_cash != state_.starting_cash)
        host().warn("mock: starting_cash " + number(state_.starting_cash) +
                    " is not applied: the saved account, opened with " +
                    number(loaded.starting_cash) + ", goes on; a new account needs a new journal");
    state_ = std::move(loaded);
    recent_ = nullptr;
    rebuild_indexes();
    // Final orders saved by a process killed before the journal had their reports (those still
    // in the outbox among them): kept for the restart's queries, then forgotten.
    for (OrderRef o = state_.orders.begin(); o != state_.orders.end(); ++o)
        if (o->status != OrderStatus::Open) to_forget_.push_back(o);
    host().info("mock: resumed the saved account: cash " + number(state_.cash) + " " +
                state_.currency + ", " + std::to_string(state_.orders.size()) + " orders, " +
                std::to_string(open_.size()) + " open");
}

void MockExecutor::rebuild_indexes() {
    by_client_id_.clear();
    open_.clear();
    reserved_ = 0;
    for (OrderRef o = state_.orders.begin(); o != state_.orders.end(); ++o) {
        by_client_id_[o->client_order_id] = o;
        if (o->status == OrderStatus::Open) {
            open_.push_back(o);
            reserved_ += o->reserved_cash;
        }
    }
}

void MockExecutor::save() const {
    if (mode() != OT_MODE_BACKTEST) host().kv_set(kStateKey, to_json(state_));
}

double MockExecutor::free_cash() const {
    return state_.cash - reserved_;
}

double MockExecutor::held(const std::string& symbol) const {
    auto it = state_.positions.find(symbol);
    return it == state_.positions.end() ? 0 : it->second.qty;
}

double MockExecutor::estimated_cost(const VenueOrder& o) const {
    double price = o.type == OT_ORDER_LIMIT    ? o.limit_price
                   : o.type == OT_ORDER_MARKET ? state_.last_bars.find(o.symbol)->second.close
                                               : o.stop_price;
    if (slips(o.type)) price = with_slippage(price, o.side, slippage_rate_);
    return o.qty * price * (1 + fee_rate_);
}

VenueOrder MockExecutor::make_order(const ot_order& raw) {
    VenueOrder o;
    o.client_order_id = raw.client_order_id;
    o.venue_order_id = "mock-" + std::to_string(state_.next_venue_id++);
    o.symbol = raw.symbol ? raw.symbol : "";
    o.side = raw.side;
    o.type = raw.type;
    o.qty = raw.qty;
    o.limit_price = raw.limit_price;
    o.stop_price = raw.stop_price;
    o.created_ms = host().now_ms();
    auto last = state_.last_bars.find(o.symbol);
    if (last != state_.last_bars.end()) o.placed_after_ms = last->second.open_time_ms;
    return o;
}

std::string MockExecutor::refusal(const VenueOrder& o, const ot_order& raw) const {
    bool buy = o.side == OT_SIDE_BUY;
    if (!buy && o.side != OT_SIDE_SELL) return "unknown side " + std::to_string(o.side);
    if (!(o.qty > 0) || !std::isfinite(o.qty)) return "qty must be positive, got " + number(o.qty);
    if (state_.last_bars.find(o.symbol) == state_.last_bars.end())
        return "unknown symbol '" + o.symbol + "': no bar seen for it";
    switch (o.type) {
        case OT_ORDER_MARKET:
            break;
        case OT_ORDER_LIMIT:
            if (!(o.limit_price > 0)) return "limit order without a positive limit_price";
            break;
        case OT_ORDER_STOP_MARKET:
        case OT_ORDER_TAKE_PROFIT_MARKET:
            if (!(o.stop_price > 0)) return "stop order without a positive stop_price";
            break;
        case OT_ORDER_STOP_LIMIT:
            return "stop-limit orders are not supported";
        default:
            return "unknown order type " + std::to_string(o.type);
    }
    if (o.type != OT_ORDER_MARKET && raw.tif != 0 && raw.tif != OT_TIF_GTC)
        return "only GTC is supported for resting orders";
    if (raw.stop_loss != 0 || raw.take_profit != 0)
        return "attached stop_loss/take_profit are not supported: send separate stop and "
               "take-profit orders";
    double position = held(o.symbol);
    if (raw.flags & OT_ORDER_FLAG_REDUCE_ONLY) {
        bool reduces = buy ? position < 0 : position > 0;
        if (!reduces || exceeds(o.qty, std::fabs(position)))
            return "reduce-only order would increase the position";
    }
    if (!buy && !allow_short_ && exceeds(o.qty, position))
        return "insufficient position: hold " + number(position) + ", sell " + number(o.qty);
    if (buy && exceeds(estimated_cost(o), free_cash()))
        return "insufficient cash: need " + number(estimated_cost(o)) + " " + state_.currency +
               ", free " + number(free_cash());
    return {};
}

void MockExecutor::submit(const ot_order& raw) {
    std::string id = raw.client_order_id ? raw.client_order_id : "";
    if (id.empty()) throw sdk::Error(OT_E_REJECTED, "client_order_id is required");
    if (by_client_id_.count(id)) {
        ++state_.duplicate_submits;
        save();
        host().warn("mock: duplicate client order id '" + id + "' (" +
                    std::to_string(state_.duplicate_submits) + " so far)");
        throw sdk::Error(OT_E_REJECTED, "duplicate client order id '" + id + "'");
    }
    OrderRef o = state_.orders.insert(state_.orders.end(), make_order(raw));
    by_client_id_.emplace(std::move(id), o);
    std::string why = refusal(*o, raw);
    if (!why.empty()) {
        o->status = OrderStatus::Rejected;
        o->text = why;
        o->closed_ms = o->created_ms;
        forget_after_poll(o);
        save();
        throw sdk::Error(OT_E_REJECTED, why);
    }
    if (o->side == OT_SIDE_BUY) o->reserved_cash = estimated_cost(*o);
    reserved_ += o->reserved_cash;
    open_.push_back(o);
    state_.outbox.push_back(make_report(*o, OT_REPORT_ACCEPTED, o->created_ms));
    if (o->type == OT_ORDER_MARKET && fill_at_close_) {
        const LastBar& last = state_.last_bars.find(o->symbol)->second;
        fill(o, with_slippage(last.close, o->side, slippage_rate_), last.open_time_ms);
    }
    try {
        save();
    } catch (const sdk::Error& e) {
        // The order is live in this process: the host must reconcile, not treat it as refused.
        throw sdk::Error(OT_E_AMBIGUOUS,
                         std::string("order accepted, state not saved: ") + e.what());
    }
}

void MockExecutor::cancel(const std::string&, const std::string& client_order_id) {
    auto it = by_client_id_.find(client_order_id);
    if (it == by_client_id_.end() || it->second->status != OrderStatus::Open)
        throw sdk::Error(OT_E_NOT_FOUND, "no open order '" + client_order_id + "'");
    finish(it->second, OrderStatus::Canceled, OT_REPORT_CANCELED, "canceled on request",
           host().now_ms());
    save();
}

void MockExecutor::on_bars(const sdk::Bars& bars) {
    // Funding first: a point belongs to the position held when it came, before this batch's fills.
    bool changed = funding_ && bars.series_count() != 0 && settle_funding(bars);
    for (std::size_t i = 0; i < bars.size(); ++i) {
        int64_t open_time = bars.open_time_ms(i);
        bool created = false;
        auto& [symbol, last] = last_bar_entry(bars.symbol(i), created);
        if (!created && open_time <= last.open_time_ms) continue;  // a bar already seen
        if (!bars.warmup() && !open_.empty())
            match(symbol, {bars.open(i), bars.high(i), bars.low(i), bars.close(i)}, open_time);
        last = {open_time, bars.close(i)};
        changed = true;
    }
    if (changed) save();
}

bool MockExecutor::settle_funding(const sdk::Bars& bars) {
    bool booked = false;
    for (std::size_t i = 0; i < bars.series_count(); ++i) {
        const ot_series_point& p = bars.series(i);
        if (!p.name || !p.symbol || std::strcmp(p.name, "funding_rate") != 0) continue;
        auto position = state_.positions.find(std::string_view(p.symbol));
        auto last = state_.last_bars.find(std::string_view(p.symbol));
        if (position == state_.positions.end() || position->second.qty == 0 ||
            last == state_.last_bars.end() || !std::isfinite(p.value) ||
            p.time_ms <= position->second.funded_ms)
            continue;
        position->second.funded_ms = p.time_ms;
        PendingReport r;
        r.kind = OT_REPORT_CASH;
        r.symbol = p.symbol;
        r.trade_id = "funding:" + r.symbol + ":" + std::to_string(p.time_ms);
        r.fee = position->second.qty * last->second.close * p.value;  // what the account pays
        r.time_ms = p.time_ms;
        r.text = "funding";
        state_.cash -= r.fee;
        state_.outbox.push_back(std::move(r));
        booked = true;
    }
    return booked;
}

// Consecutive bars of one symbol are the common case (a one-symbol pipeline has nothing else), so
// the entry of the previous call is tried first: a string comparison instead of a map lookup.
LastBars::value_type& MockExecutor::last_bar_entry(const char* symbol, bool& created) {
    created = false;
    if (recent_ && std::strcmp(recent_->first.c_str(), symbol) == 0) return *recent_;
    auto it = state_.last_bars.find(std::string_view(symbol));
    if (it == state_.last_bars.end()) {
        it = state_.last_bars.emplace(symbol, LastBar{}).first;
        created = true;
    }
    recent_ = &*it;
    return *it;
}

void MockExecutor::match(const std::string& symbol, const BarPrices& bar, int64_t open_time_ms) {
    candidates_.clear();
    for (OrderRef o : open_)
        if (o->symbol == symbol && o->placed_after_ms < open_time_ms) candidates_.push_back(o);
    if (candidates_.size() > 1)  // std::stable_sort allocates a buffer even for one element
        std::stable_sort(candidates_.begin(), candidates_.end(), [](OrderRef a, OrderRef b) {
            return fill_priority(a->type) < fill_priority(b->type);
        });
    for (OrderRef o : candidates_) {
        std::optional<double> price =
            trigger_price(o->type, o->side, o->limit_price, o->stop_price, bar);
        if (!price) continue;
        fill(o, slips(o->type) ? with_slippage(*price, o->side, slippage_rate_) : *price,
             open_time_ms);
    }
}

void MockExecutor::fill(OrderRef order, double price, int64_t time_ms) {
    VenueOrder& o = *order;
    double qty = o.qty - o.filled_qty();
    double notional = qty * price;
    double fee = notional * fee_rate_;
    bool buy = o.side == OT_SIDE_BUY;
    if (buy && exceeds(notional + fee, free_cash() + o.reserved_cash)) {
        finish(order, OrderStatus::Expired, OT_REPORT_EXPIRED,
               "insufficient cash at fill: need " + number(notional + fee) + ", available " +
                   number(free_cash() + o.reserved_cash),
               time_ms);
        return;
    }
    if (!buy && !allow_short_ && exceeds(qty, held(o.symbol))) {
        finish(order, OrderStatus::Expired, OT_REPORT_EXPIRED,
               "insufficient position at fill: hold " + number(held(o.symbol)) + ", sell " +
                   number(qty),
               time_ms);
        return;
    }
    state_.cash += buy ? -(notional + fee) : notional - fee;
    apply_fill(state_.positions[o.symbol], buy ? qty : -qty, price);
    o.fills.push_back(
        {o.client_order_id + "-" + std::to_string(o.fills.size() + 1), qty, price, fee, time_ms});
    state_.outbox.push_back(make_fill_report(o, o.fills.back(), o.filled_qty()));
    finish(order, OrderStatus::Filled, 0, "", time_ms);
}

void MockExecutor::finish(OrderRef o, OrderStatus status, int32_t report_kind,
                          const std::string& text, int64_t time_ms) {
    o->status = status;
    o->text = text;
    o->closed_ms = time_ms;
    reserved_ -= o->reserved_cash;
    o->reserved_cash = 0;
    open_.erase(std::find(open_.begin(), open_.end(), o));
    if (report_kind != 0) state_.outbox.push_back(make_report(*o, report_kind, time_ms));
    forget_after_poll(o);
}

void MockExecutor::forget_after_poll(OrderRef o) {
    to_forget_.push_back(o);
}

void MockExecutor::forget(std::vector<OrderRef>& orders) {
    for (OrderRef o : orders) {
        by_client_id_.erase(o->client_order_id);
        state_.orders.erase(o);
    }
    orders.clear();
}

void MockExecutor::poll(sdk::Reports& out) {
    if (state_.outbox.empty() && to_forget_.empty() && reported_.empty()) return;
    for (const PendingReport& r : state_.outbox)
        out.push(r);
    state_.outbox.clear();
    if (mode() == OT_MODE_BACKTEST) {
        forget(to_forget_);  // every report of these orders is with the host now
    } else {
        // The host journals a poll's reports before it polls again, so the orders reported last
        // time are closed in the journal: it never asks about them again. Those reported now
        // stay until then: killed before the journal has their reports, the restart's query
        // replays them.
        forget(reported_);
        reported_.swap(to_forget_);
    }
    save();
}

bool MockExecutor::query_order(const std::string&, const std::string& client_order_id,
                               sdk::Reports& out) {
    auto it = by_client_id_.find(client_order_id);
    if (it == by_client_id_.end()) return false;  // unknown, or final and forgotten
    const VenueOrder& o = *it->second;
    if (o.status == OrderStatus::Open) out.push(make_report(o, OT_REPORT_ACCEPTED, o.created_ms));
    double cum_qty = 0;
    for (const Fill& f : o.fills) {
        cum_qty += f.qty;
        out.push(make_fill_report(o, f, cum_qty));
    }
    if (int32_t kind = report_kind(o.status)) out.push(make_report(o, kind, o.closed_ms));
    return true;
}

void MockExecutor::open_orders(sdk::Reports& out) {
    for (OrderRef o : open_)
        out.push(make_report(*o, OT_REPORT_ACCEPTED, o->created_ms));
}

void MockExecutor::balances(sdk::Balances& out) {
    out.push(state_.currency.c_str(), free_cash(), reserved_);
    for (const auto& [symbol, h] : state_.positions)
        if (h.qty != 0) out.push(symbol.c_str(), h.qty, 0, h.avg_price);
}

}  // namespace orchestrade::plugins::mock

OT_PLUGIN_MODULE(OT_EXECUTOR(orchestrade::plugins::mock::MockExecutor))
