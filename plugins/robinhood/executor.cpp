#include "executor.hpp"

#include "client_id.hpp"
#include "order_body.hpp"
#include "time_format.hpp"

#include <algorithm>

namespace orchestrade::plugins::robinhood {
namespace {

constexpr const char* kStateKey = "orders";
// The core treats an order as filled within this relative difference.
constexpr double kQtyEpsilon = 1e-12;

RestConfig rest_config(const sdk::Context& ctx) {
    RestConfig c;
    c.name = "robinhood";
    c.base_url = ctx.params.get_string("base_url");
    c.api_key = ctx.params.get_string("api_key");
    c.private_key = ctx.params.get_string("private_key");
    c.timeout_ms = static_cast<uint32_t>(ctx.params.get_int("timeout_ms"));
    c.requests_per_minute = ctx.params.get_double("requests_per_minute");
    c.burst = static_cast<double>(ctx.params.get_int("burst"));
    return c;
}

const char* side_name(int32_t side) {
    return side == OT_SIDE_SELL ? "sell" : "buy";
}

[[noreturn]] void reject(const std::string& why) {
    throw sdk::Error(OT_E_REJECTED, "robinhood: " + why);
}

std::string join(const std::vector<std::string>& names) {
    std::string out;
    for (const std::string& n : names)
        out += (out.empty() ? "" : ", ") + n;
    return out;
}

// The venue cancels asynchronously: a leg lifted for an exit can still sell until then, or while
// it rests again because the exit was throttled.
std::string sold_by_legs_text(const LocalOrder& exit) {
    return "the protective legs it replaced (" + join(exit.lifted_legs) + ") sold " +
           format_number(exit.sold_by_legs) +
           (exit.throttled
                ? " after it arrived (they rested again while it was held back by the rate limit)"
                : " before their cancel took effect");
}

// What waits for a leg's cancel: an exit from the core, or a take-profit that reached its level.
std::string held_name(const LocalOrder& held) {
    return (held.is_leg() ? "take-profit " : "exit ") + held.id;
}

// Why a filled order ends below the quantity the core asked for.
std::string shortfall_text(const LocalOrder& o) {
    std::string text = "filled " + o.qty;
    if (o.sold_by_legs > 0) text += "; " + sold_by_legs_text(o);
    if (o.unsent > kQtyEpsilon * std::max(1.0, o.requested_qty))
        text += "; the remaining " + format_number(o.unsent) +
                " is below the asset increment and was not sent";
    return text;
}

}  // namespace

RobinhoodExecutor::RobinhoodExecutor(const sdk::Context& ctx)
    : Executor(ctx),
      rest_(ctx.host, rest_config(ctx)),
      universe_(ctx.universe),
      lookback_ms_(ctx.params.get_int("lookback_hours") * 3600000),
      stop_retry_ms_(ctx.params.get_int("stop_retry_s") * 1000) {
    if (ctx.mode != OT_MODE_LIVE)
        throw sdk::Error(OT_E_INVALID_ARG,
                         "robinhood: this executor places real orders, so it runs in mode: live "
                         "only (with --live); for paper trading use the mock executor, with the "
                         "robinhood_quotes feed for prices");
}

// ---- setup ---------------------------------------------------------------------------------

void RobinhoodExecutor::start() {
    if (std::optional<std::string> saved = host().kv_get(kStateKey))
        book_ = OrderBook::from_json(*saved);
    RestResponse r = rest_.send("GET", kAccountsPath);
    rest_.check_clock();
    json account = rest_.expect_json(r, Call::Read, "account");
    if (account.contains("results") && account["results"].is_array() && !account["results"].empty())
        account = account["results"][0];
    const std::string status = text_field(account, "status");
    if (status != "active")
        throw sdk::Error(OT_E_REJECTED, "robinhood: the account is '" + status + "', not active");
    const std::string currency = text_field(account, "buying_power_currency");
    if (!currency.empty()) currency_ = currency;

    std::vector<std::string> symbols;
    for (const std::string& s : universe_)
        symbols.push_back(venue_symbol(s));
    load_pairs(symbols);
    std::size_t live = 0;
    for (LocalOrder* o : book_.all())
        live += o->stage != Stage::Done;
    host().info("robinhood: account active, buying power " +
                format_number(number_field(account, "buying_power").value_or(0)) + " " + currency_ +
                "; " + std::to_string(pairs_.size()) + " trading pair(s); " + std::to_string(live) +
                " order(s) resumed from the saved state");
}

void RobinhoodExecutor::load_pairs(const std::vector<std::string>& symbols) {
    std::string path = "/api/v1/crypto/trading/trading_pairs/";
    char sep = '?';
    for (const std::string& s : symbols) {
        path += sep + std::string("symbol=") + s;
        sep = '&';
    }
    for (const json& row : rest_.get_all(path, "trading pairs")) {
        TradingPair p = TradingPair::from_json(row);
        pairs_[p.symbol] = p;
    }
    for (const std::string& s : symbols) {
        auto it = pairs_.find(s);
        if (it == pairs_.end())
            throw sdk::Error(OT_E_INVALID_ARG,
                             "robinhood: " + s + " is not a Robinhood trading pair (symbols are " +
                                 "written like BTC/USD; the official API trades crypto only)");
        if (!it->second.tradable)
            throw sdk::Error(OT_E_INVALID_ARG, "robinhood: " + s + " is not tradable now");
    }
}

const TradingPair& RobinhoodExecutor::pair(const std::string& symbol) {
    const std::string s = venue_symbol(symbol);
    if (pairs_.find(s) == pairs_.end()) {
        try {
            load_pairs({s});
        } catch (const sdk::Error& e) {
            throw sdk::Error(e.code() == OT_E_INVALID_ARG ? OT_E_REJECTED : e.code(), e.what());
        }
    }
    return pairs_.at(s);
}

// The pair's asset increment and minimum order size, as loaded at start (no request here).
std::optional<double> RobinhoodExecutor::min_order_qty(const std::string& symbol, double) const {
    const auto it = pairs_.find(venue_symbol(symbol));
    if (it == pairs_.end()) return std::nullopt;
    const TradingPair& p = it->second;
    return std::max(p.asset_increment.value(), p.min_order_size.value_or(0));
}

// ---- placing -------------------------------------------------------------------------------

LocalOrder RobinhoodExecutor::shape(const ot_order& raw) {
    LocalOrder o;
    o.id = raw.client_order_id;
    o.uuid = venue_client_order_id(o.id);
    o.parent = raw.parent_client_order_id ? raw.parent_client_order_id : "";
    o.symbol = raw.symbol ? raw.symbol : "";
    o.side = raw.side;
    o.type = raw.type;
    if (o.side != OT_SIDE_BUY && o.side != OT_SIDE_SELL)
        reject("unknown side " + std::to_string(o.side));
    if (o.type < OT_ORDER_MARKET || o.type > OT_ORDER_TAKE_PROFIT_MARKET)
        reject("unknown order type " + std::to_string(o.type));
    if (o.type != OT_ORDER_MARKET && raw.tif != 0 && raw.tif != OT_TIF_GTC)
        reject("resting orders are good-till-canceled only (no IOC/FOK at Robinhood)");
    const TradingPair& p = pair(o.symbol);
    if (!p.tradable) reject(p.symbol + " is not tradable now");
    TradingPair::Quantity q = p.quantity(raw.qty);
    o.requested_qty = raw.qty;
    o.qty = q.qty.text();
    o.unsent = q.unsent;
    const bool sell = o.side == OT_SIDE_SELL;
    if (o.type == OT_ORDER_LIMIT || o.type == OT_ORDER_STOP_LIMIT)
        o.limit_price =
            p.price(raw.limit_price, sell ? Rounding::Up : Rounding::Down, "limit price").text();
    if (o.type != OT_ORDER_MARKET && o.type != OT_ORDER_LIMIT)
        o.stop_price = p.price(raw.stop_price, Rounding::Nearest, "stop price").text();
    if (raw.stop_loss > 0 || raw.take_profit > 0) {
        if (o.is_leg()) reject("a protective leg cannot carry legs of its own");
        const bool inverted =
            raw.stop_loss > 0 && raw.take_profit > 0 &&
            (sell ? raw.stop_loss <= raw.take_profit : raw.stop_loss >= raw.take_profit);
        if (inverted)
            reject("stop_loss " + format_number(raw.stop_loss) + " and take_profit " +
                   format_number(raw.take_profit) + " are on the wrong sides for a " +
                   side_name(o.side));
        o.stop_loss = raw.stop_loss;
        o.take_profit = raw.take_profit;
    }
    o.created_ms = host().now_ms();
    if (o.unsent > kQtyEpsilon * std::max(1.0, o.requested_qty))
        host().info("robinhood: order " + o.id + ": quantity " + format_number(raw.qty) +
                    " rounded down to " + o.qty + " (asset increment " + p.asset_increment.text() +
                    ")");
    return o;
}

void RobinhoodExecutor::submit(const ot_order& raw) {
    const std::string id = raw.client_order_id ? raw.client_order_id : "";
    if (id.empty()) reject("client_order_id is required");
    // A throttled attempt never reached the venue: the core sends that intent again, same id.
    std::optional<LocalOrder> earlier;
    if (const LocalOrder* known = book_.find(id)) {
        if (known->venue_state != "not_sent")
            reject("order " + id + " was already submitted; it is never sent twice");
        earlier = *known;
    }
    LocalOrder& o = book_.add(shape(raw));
    if (earlier && !earlier->lifted_legs.empty()) {
        // The core sends it at the size it first asked, but its legs rested again meanwhile:
        // what they sold since it first arrived is no longer held.
        o.lifted_legs = earlier->lifted_legs;
        o.legs_sold_before = earlier->legs_sold_before;
        o.throttled = true;
    }
    if (!o.is_leg()) {
        // An order against a position supersedes the legs that protect it. An entry that
        // filled since the last poll gets its legs now, lifted at once with the others: they
        // rest after all if this order fails or leaves part of the position.
        for (LocalOrder* entry : book_.all())
            if (!entry->is_leg() && entry->symbol == o.symbol && entry->side != o.side &&
                entry->stage == Stage::Done && !entry->legs_placed)
                place_legs(*entry);
        clear_legs_for_exit(o);
    }
    if (o.type == OT_ORDER_TAKE_PROFIT_MARKET || !o.waiting_for.empty()) {
        const std::string why = o.waiting_for.empty()
                                    ? "held until the price reaches " + o.stop_price
                                    : "held until the protective legs are canceled";
        book_.outbox().push_back(report(o, OT_REPORT_ACCEPTED, o.created_ms, why));
        host().info("robinhood: order " + o.id + " " + why);
        save();
        return;
    }
    if (!cut_to_what_is_left(o)) {
        settle_exits();
        save();
        return;
    }
    try {
        place(o);
    } catch (const sdk::Error& e) {
        // Refused or throttled: the position is still held, and the lifted legs rest again (the
        // core sends a throttled order again later, and it lifts them again then).
        settle_exits();
        save();
        if (e.code() == OT_E_RATE_LIMIT && !o.lifted_legs.empty())
            host().info("robinhood: exit " + o.id +
                        " goes out when the core sends it again, for what the legs have not "
                        "sold by then");
        throw;
    }
    // Filled at once: what it did not sell of the positions it lifted legs from rests again.
    settle_exits();
    save();
}

void RobinhoodExecutor::place(LocalOrder& o) {
    o.stage = Stage::Sending;
    o.sent_ms = host().now_ms();
    try {
        save();
    } catch (const sdk::Error& e) {
        o.stage = Stage::Done;
        o.venue_state = "not_sent";
        reject("order " + o.id + " not sent: its record could not be saved first: " + e.what());
    }
    const std::string what = "place order " + o.id;
    RestResponse r;
    try {
        r = rest_.send("POST", kOrdersPath, order_body(o, venue_symbol(o.symbol)));
    } catch (const sdk::Error& e) {
        if (e.code() == OT_E_RATE_LIMIT) {
            o.stage = Stage::Done;
            o.venue_state = "not_sent";
            save();
            throw;
        }
        save();
        throw sdk::Error(OT_E_AMBIGUOUS, std::string(e.what()) +
                                             "; the venue may have the order: it is looked up "
                                             "by its client id, never sent again");
    }
    std::optional<VenueOrder> venue;
    try {
        venue = VenueOrder::from_json(rest_.expect_json(r, Call::PlaceOrder, what));
    } catch (const sdk::Error& e) {
        if (e.code() != OT_E_AMBIGUOUS && e.code() != OT_E_IO) {
            o.stage = Stage::Done;
            o.venue_state = r.status == 429 ? "not_sent" : "rejected";
        }
        save();
        if (o.stage == Stage::Done) throw;
        throw sdk::Error(OT_E_AMBIGUOUS, e.what());
    }
    if (!venue->client_order_id.empty() && venue->client_order_id != o.uuid) {
        save();
        throw sdk::Error(OT_E_AMBIGUOUS, "robinhood: " + what + ": the answer names client id " +
                                             venue->client_order_id + ", not " + o.uuid);
    }
    apply(o, *venue, book_.outbox());
    host().info("robinhood: order " + o.id + " placed: " + side_name(o.side) + " " + o.qty + " " +
                venue_symbol(o.symbol) + " " + venue_order_type(o.type) + " (venue id " +
                venue->id + ")");
    try {
        save();
    } catch (const sdk::Error& e) {
        throw sdk::Error(OT_E_AMBIGUOUS,
                         "robinhood: order " + o.id + " placed, state not saved: " + e.what());
    }
}

void RobinhoodExecutor::clear_legs_for_exit(LocalOrder& exit) {
    auto& lifted = exit.lifted_legs;
    auto lift = [&](const LocalOrder& leg) {
        if (std::find(lifted.begin(), lifted.end(), leg.id) != lifted.end()) return;
        lifted.push_back(leg.id);
        exit.legs_sold_before += leg.filled_qty();
    };
    std::vector<LocalOrder*> live;
    for (LocalOrder* leg : book_.all()) {
        if (!leg->is_leg() || leg->symbol != exit.symbol || leg->side != exit.side ||
            leg->stage == Stage::Done)
            continue;
        lift(*leg);
        exit.legs_owed = true;
        if (leg->legs_owed) {
            // A take-profit that reached its level and lifted the stop: this exit replaces it,
            // and owes back what it lifted.
            leg->legs_owed = false;
            for (const std::string& id : leg->lifted_legs)
                if (const LocalOrder* other = book_.find(id)) lift(*other);
        }
        if (leg->stage == Stage::Held) {
            lift_held(*leg);
            continue;
        }
        exit.waiting_for.push_back(leg->id);
        if (leg->stage == Stage::Open) live.push_back(leg);
    }
    if (live.empty()) return;
    // On disk before the first cancel goes out: killed after the cancels, a restarted process
    // still knows this exit (it then goes out, or the legs rest again) and which legs it owes.
    save();
    for (LocalOrder* leg : live) {
        try {
            cancel_for(exit, *leg);
        } catch (const sdk::Error&) {  // throttled: the next poll asks again
        }
        save();
    }
    auto& wait = exit.waiting_for;
    wait.erase(std::remove_if(wait.begin(), wait.end(),
                              [&](const std::string& id) {
                                  const LocalOrder* w = book_.find(id);
                                  return !w || w->stage == Stage::Done;
                              }),
               wait.end());
}

void RobinhoodExecutor::lift_held(LocalOrder& leg) {
    leg.stage = Stage::Done;
    leg.venue_state = "canceled";
    leg.cancel_deferred = true;
}

void RobinhoodExecutor::cancel_for(const LocalOrder& held, LocalOrder& leg) {
    try {
        if (request_cancel(leg) && leg.stage != Stage::Done) refresh(leg);
    } catch (const sdk::Error& e) {
        if (leg.cancel_requested)
            host().warn("robinhood: " + held_name(held) + ": the venue took the cancel of " +
                        leg.id + ", but reading it back failed (" + e.what() +
                        "); read again at the next poll");
        else
            host().warn("robinhood: " + held_name(held) + " is held until " + leg.id +
                        " is canceled, and the cancel request failed (" + e.what() +
                        "): " + leg.id +
                        " still rests at the venue and can still sell; the cancel is asked again "
                        "at the next poll");
        if (e.code() == OT_E_RATE_LIMIT) throw;
    }
}

bool RobinhoodExecutor::cut_to_what_is_left(LocalOrder& exit) {
    double sold = -exit.legs_sold_before;
    for (const std::string& id : exit.lifted_legs)
        if (const LocalOrder* leg = book_.find(id)) sold += leg->filled_qty();
    const double tolerance = kQtyEpsilon * std::max(1.0, exit.requested_qty);
    if (sold <= tolerance) return true;
    exit.sold_by_legs = sold;
    const double left = exit.requested_qty - sold;
    std::string why = "nothing is left to sell";
    if (left > tolerance) {
        try {
            const TradingPair::Quantity q = pair(exit.symbol).quantity(left);
            exit.qty = q.qty.text();
            exit.unsent = q.unsent;
            host().info("robinhood: exit " + exit.id + " sells " + exit.qty + ", not " +
                        format_number(exit.requested_qty) + ": " + sold_by_legs_text(exit));
            return true;
        } catch (const sdk::Error& e) {
            if (e.code() != OT_E_REJECTED) throw;
            why = "the " + format_number(left) + " left is below the smallest order";
        }
    }
    exit.stage = Stage::Done;
    exit.venue_state = "nothing_left";
    const std::string text = "not sent: " + sold_by_legs_text(exit) + "; " + why;
    host().info("robinhood: exit " + exit.id + " " + text);
    book_.outbox().push_back(report(exit, OT_REPORT_EXPIRED, host().now_ms(), text));
    return false;
}

void RobinhoodExecutor::reopen(LocalOrder& leg, const std::string& qty) {
    ++leg.restored;
    // The canceled order keeps its client id at the venue: the new one needs its own.
    leg.uuid = venue_client_order_id(leg.id + "#" + std::to_string(leg.restored));
    leg.qty = qty;
    leg.earlier_fills = leg.fills.size();
    leg.stage = Stage::Held;
    leg.triggered = leg.cancel_requested = leg.cancel_deferred = leg.fit_to_holding = false;
    leg.retry_at_ms = 0;
    leg.waiting_for.clear();
    leg.venue_id.clear();
    leg.venue_state.clear();
    leg.sent_ms = 0;
}

// ---- reading orders back -------------------------------------------------------------------

PendingReport RobinhoodExecutor::report(const LocalOrder& o, int32_t kind, int64_t time_ms,
                                        const std::string& text) const {
    PendingReport r;
    r.kind = kind;
    r.client_order_id = o.id;
    r.venue_order_id = o.venue_id;
    r.symbol = o.symbol;
    r.side = o.side;
    r.qty = Decimal::parse(o.qty).value_or(Decimal{}).value();
    r.price = Decimal::parse(o.type == OT_ORDER_LIMIT ? o.limit_price : o.stop_price)
                  .value_or(Decimal{})
                  .value();
    r.cum_qty = o.filled_qty();
    r.time_ms = time_ms;
    r.text = text;
    return r;
}

void RobinhoodExecutor::apply(LocalOrder& o, const VenueOrder& v, std::vector<PendingReport>& out) {
    const int64_t now = host().now_ms();
    o.venue_id = v.id;
    o.venue_state = v.state;
    if (o.stage == Stage::Sending || o.stage == Stage::Held) {
        o.stage = Stage::Open;
        o.announced = true;
        out.push_back(report(o, OT_REPORT_ACCEPTED, v.created_ms ? v.created_ms : now));
    }
    for (std::size_t i = o.fills.size() - o.earlier_fills; i < v.executions.size(); ++i) {
        const Execution& e = v.executions[i];
        o.fills.push_back(e);
        PendingReport fill = report(o, OT_REPORT_FILL, e.time_ms);
        fill.trade_id = v.id + "-" + std::to_string(i + 1);
        fill.qty = e.qty;
        fill.price = e.price;
        out.push_back(std::move(fill));
    }
    if (!v.is_final() || o.stage == Stage::Done) return;
    o.stage = Stage::Done;
    const double tolerance = kQtyEpsilon * std::max(1.0, o.requested_qty);
    if (v.state == "canceled" && o.is_leg() && lifted_by(o)) {
        // Canceled for an exit that still owes it back: whether it is over depends on the exit.
        o.cancel_deferred = true;
    } else if (v.state == "canceled") {
        out.push_back(report(o, OT_REPORT_CANCELED, now,
                             o.cancel_requested ? "canceled on request" : "canceled at the venue"));
    } else if (v.state == "failed") {
        out.push_back(report(o, OT_REPORT_EXPIRED, now, "failed at the venue"));
    } else if (o.unsent + o.sold_by_legs > tolerance) {
        out.push_back(report(o, OT_REPORT_EXPIRED, now, shortfall_text(o)));
    } else if (o.is_leg() && o.sold_by_exits > tolerance) {
        // It rested for the rest of a position an exit sold part of: it ends short of the
        // entry's quantity.
        out.push_back(report(o, OT_REPORT_EXPIRED, now,
                             "filled " + format_number(o.filled_qty()) + "; exits sold " +
                                 format_number(o.sold_by_exits) + " of the position it protected"));
    }
}

void RobinhoodExecutor::refresh(LocalOrder& o) {
    json doc = rest_.get(kOrdersPath + o.venue_id + "/", "order " + o.id);
    apply(o, VenueOrder::from_json(doc), book_.outbox());
}

std::vector<VenueOrder> RobinhoodExecutor::list_orders(int64_t since_ms, const std::string& query) {
    std::vector<VenueOrder> out;
    for (const json& row : rest_.get_all(
             std::string(kOrdersPath) + "?created_at_start=" + format_iso8601(since_ms) + query,
             "order list"))
        out.push_back(VenueOrder::from_json(row));
    return out;
}

bool RobinhoodExecutor::request_cancel(LocalOrder& o) {
    if (o.stage != Stage::Open || o.venue_id.empty()) return false;
    if (o.cancel_requested) return true;
    RestResponse r = rest_.send("POST", kOrdersPath + o.venue_id + "/cancel/");
    if (r.status >= 200 && r.status < 300) {
        o.cancel_requested = true;
        return true;
    }
    if (r.status == 400 || r.status == 404) {  // no longer cancelable: read what happened
        refresh(o);
        return true;
    }
    throw sdk::Error(status_for_http_error(r.status, Call::Cancel),
                     "robinhood: cancel " + o.id + ": " + describe_http_error(r.status, r.body));
}

void RobinhoodExecutor::drop_held(LocalOrder& o, const std::string& why) {
    o.stage = Stage::Done;
    o.venue_state = "canceled";
    book_.outbox().push_back(report(o, OT_REPORT_CANCELED, host().now_ms(), why));
}

void RobinhoodExecutor::save() {
    host().kv_set(kStateKey, book_.to_json());
}

// ---- canceling -----------------------------------------------------------------------------

void RobinhoodExecutor::cancel(const std::string&, const std::string& client_order_id) {
    LocalOrder* o = book_.find(client_order_id);
    if (!o || o->stage == Stage::Done)
        throw sdk::Error(OT_E_NOT_FOUND, "robinhood: no open order " + client_order_id);
    // A protective leg canceled on request: the position is no longer watched.
    if (o->is_leg()) o->released = true;
    if (o->stage == Stage::Held) {
        drop_held(*o, "canceled on request");
    } else if (o->stage == Stage::Sending) {
        throw sdk::Error(OT_E_IO, "robinhood: order " + client_order_id +
                                      " is still being looked up at the venue; cancel it later");
    } else if (request_cancel(*o) && o->stage != Stage::Done) {
        try {
            refresh(*o);
        } catch (const sdk::Error& e) {
            host().warn("robinhood: " + std::string(e.what()) + "; read again at the next poll");
        }
    }
    settle_exits();  // a held exit canceled: the legs it lifted rest again
    save();
}

}  // namespace orchestrade::plugins::robinhood
