#include "binance_executor.hpp"

#include "futures_venue.hpp"
#include "spot_venue.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>

namespace orchestrade::plugins::binance {
namespace {

constexpr const char* kStateKey = "state";
// Beyond recvWindow, Binance refuses a request; this covers clock-offset error on top.
constexpr int64_t kGraceSlackMs = 2000;
constexpr double kQtyTolerance = 1e-9;
constexpr int64_t kFundingPollEveryMs = 60 * 1000;
// A payment reported just before the process died may not be in the journal: a restart asks
// again from this long before the cursor (the host applies a payment once).
constexpr int64_t kFundingOverlapMs = 60 * 60 * 1000;

int32_t side_of(const std::string& name) {
    return name == "BUY" ? OT_SIDE_BUY : OT_SIDE_SELL;
}

bool valid_client_id(const std::string& id, Market m) {
    if (id.empty() || id.size() > 36) return false;
    for (char c : id) {
        bool ok = std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' ||
                  (m == Market::UsdM && (c == '.' || c == ':' || c == '/'));
        if (!ok) return false;
    }
    return true;
}

}  // namespace

BinanceExecutor::BinanceExecutor(const sdk::Context& ctx)
    : Executor(ctx),
      market_(parse_market(ctx.params.get_string("market"))),
      universe_(ctx.universe),
      ignore_existing_(ctx.params.get_bool("ignore_existing_holdings")),
      report_funding_(market_ == Market::UsdM && ctx.host.raw()->abi_minor >= 2) {
    if (ctx.mode == OT_MODE_BACKTEST)
        throw sdk::Error(OT_E_INVALID_ARG,
                         "binance: this executor places orders on Binance, so it cannot run a "
                         "backtest; use the mock executor");
    if (universe_.empty())
        throw sdk::Error(OT_E_INVALID_ARG, "binance: the pipeline has no universe");
    for (const std::string& s : universe_) {
        try {
            split_pair(s);
        } catch (const std::invalid_argument& e) {
            throw sdk::Error(OT_E_INVALID_ARG, std::string("binance: ") + e.what());
        }
    }
    ClientOptions o;
    o.market = market_;
    o.base_url = ctx.params.get_string("base_url");
    if (ctx.mode == OT_MODE_PAPER && is_production(o.base_url))
        throw sdk::Error(OT_E_INVALID_ARG,
                         "binance: paper mode never trades on production Binance: give a testnet "
                         "base_url, or use mode: live (and --live) for real money");
    o.api_key = ctx.params.get_string("api_key");
    o.recv_window_ms = ctx.params.get_int("recv_window_ms");
    o.timeout_ms = static_cast<uint32_t>(ctx.params.get_int("timeout_ms"));
    o.weight_budget_pct = ctx.params.get_double("weight_budget_pct");
    KeyType type =
        ctx.params.get_string("key_type") == "ed25519" ? KeyType::Ed25519 : KeyType::Hmac;
    try {
        o.signer.emplace(type, ctx.params.get_string("api_secret"));
    } catch (const std::invalid_argument& e) {
        throw sdk::Error(OT_E_INVALID_ARG, std::string("binance: ") + e.what());
    }
    if (o.api_key.empty()) throw sdk::Error(OT_E_INVALID_ARG, "binance: api_key is empty");
    client_ = std::make_unique<RestClient>(ctx.host, std::move(o));
    if (market_ == Market::Spot) {
        venue_ = std::make_unique<SpotVenue>(*client_);
    } else {
        FuturesSettings f;
        f.leverage = static_cast<int>(ctx.params.get_int("leverage"));
        std::string margin = ctx.params.get_string("margin_type");
        f.margin_type = margin == "isolated" ? "ISOLATED" : margin == "crossed" ? "CROSSED" : "";
        f.working_type = ctx.params.get_string("working_type") == "contract_price"
                             ? "CONTRACT_PRICE"
                             : "MARK_PRICE";
        venue_ = std::make_unique<FuturesVenue>(*client_, std::move(f));
    }
}

// ---- start ---------------------------------------------------------------------------------

void BinanceExecutor::start() {
    client_->restore_block();
    client_->sync_time();
    std::vector<std::string> symbols;
    for (const std::string& s : universe_)
        symbols.push_back(venue_symbol(s));
    rules_ = read_rules(Priority::Normal);
    for (const std::string& s : universe_) {
        auto it = rules_.find(venue_symbol(s));
        if (it == rules_.end())
            throw sdk::Error(OT_E_INVALID_ARG, "binance: " + s + " (" + venue_symbol(s) +
                                                   ") is not listed on this market");
        if (it->second.status != "TRADING")
            host().warn("binance: " + s + " is " + it->second.status +
                        " at Binance, not TRADING: new entries are refused until it trades again");
    }
    venue_->prepare(symbols);
    if (std::optional<std::string> saved = host().kv_get(kStateKey)) {
        try {
            state_ = state_from_json(*saved);
        } catch (const std::invalid_argument& e) {
            throw sdk::Error(OT_E_INVALID_ARG, std::string("binance: ") + e.what());
        }
    }
    if (market_ == Market::Spot && ignore_existing_ && !state_.baseline_recorded) {
        for (const Venue::Balance& b : venue_->balances())
            for (const std::string& s : universe_)
                if (split_pair(s).base == b.asset) state_.baseline[b.asset] = b.free + b.locked;
        state_.baseline_recorded = true;
        save();
    }
    if (market_ == Market::UsdM && state_.funding_since == 0) {
        state_.funding_since = client_->server_now();  // earlier funding is in the starting cash
        save();
    }
    host().info("binance: " + std::string(market_ == Market::Spot ? "spot" : "usdm") + " at " +
                client_->base_url() + ", clock offset " + std::to_string(client_->offset_ms()) +
                " ms, " + std::to_string(state_.orders.size()) + " order(s) and " +
                std::to_string(state_.protections.size()) + " protection(s) carried over");
}

void BinanceExecutor::save() {
    host().kv_set(kStateKey, to_json(state_));
}

std::string BinanceExecutor::pipeline_symbol(const std::string& venue) const {
    for (const std::string& s : universe_)
        if (venue_symbol(s) == venue) return s;
    return venue;
}

bool BinanceExecutor::in_grace(int64_t sent_ms) const {
    return host().now_ms() < sent_ms + client_->recv_window_ms() + kGraceSlackMs;
}

// ---- submit --------------------------------------------------------------------------------

namespace {

// Refused before it reached the matching engine (throttle, 429, 418): the same order may go
// again later, under the same client order id.
[[noreturn]] void not_sent(const sdk::Error& e) {
    throw sdk::Error(OT_E_RATE_LIMIT, std::string("not sent: ") + e.what());
}

}  // namespace

const SymbolRules& BinanceExecutor::rules_for(const std::string& symbol) const {
    auto it = rules_.end();
    if (std::find(universe_.begin(), universe_.end(), symbol) != universe_.end())
        it = rules_.find(venue_symbol(symbol));
    if (it == rules_.end())
        reject("unknown symbol '" + symbol + "': not in the pipeline's universe");
    return it->second;
}

// The exits the host sends are market orders: MARKET_LOT_SIZE when the symbol has one, and on
// spot the minimum notional when it applies to market orders (futures exits are reduce-only,
// which the notional rule exempts).
std::optional<double> BinanceExecutor::min_order_qty(const std::string& symbol,
                                                     double price) const {
    const SymbolRules& r = rules_for(symbol);
    const bool market_lot = !r.market_step.is_zero();
    double qty = std::max((market_lot ? r.market_step : r.step).to_double(),
                          (market_lot ? r.market_min_qty : r.min_qty).to_double());
    if (market_ == Market::Spot && r.min_notional > 0 && r.min_notional_applies_to_market &&
        price > 0)
        qty = std::max(qty, r.min_notional / price);
    return qty;
}

double BinanceExecutor::reference_price(const std::string& symbol) {
    double mark = host().position(symbol).mark_price;
    return mark > 0 ? mark : venue_->last_price(venue_symbol(symbol));
}

void BinanceExecutor::check_levels(const ot_order& o, double reference) const {
    if (o.stop_loss == 0 && o.take_profit == 0) return;
    bool buy = o.side == OT_SIDE_BUY;
    if (market_ == Market::Spot && !buy)
        reject("spot cannot open a short position: stop_loss/take_profit need a BUY entry");
    const char* dir = buy ? "below" : "above";
    if (o.stop_loss != 0 && (buy ? o.stop_loss >= reference : o.stop_loss <= reference))
        reject("stop_loss " + number_text(o.stop_loss) + " must be " + dir + " the price " +
               number_text(reference) + " for a " + side_name(o.side) + " entry");
    if (o.take_profit != 0 && (buy ? o.take_profit <= reference : o.take_profit >= reference))
        reject("take_profit " + number_text(o.take_profit) + " must be " +
               (buy ? "above" : "below") + " the price " + number_text(reference) + " for a " +
               side_name(o.side) + " entry");
}

NewOrder BinanceExecutor::build(const ot_order& o, const SymbolRules& rules, bool reduce_only) {
    NewOrder n;
    n.symbol = rules.symbol;
    n.side = side_name(o.side);
    n.market = o.type == OT_ORDER_MARKET;
    n.client_id = o.client_order_id;
    n.reduce_only = reduce_only && market_ == Market::UsdM;
    n.qty = rules.quantity(o.qty, n.market);
    double reference = 0;
    if (n.market) {
        reference = reference_price(o.symbol);
    } else {
        if (!(o.limit_price > 0)) reject("limit order without a positive limit_price");
        // Never a worse price than asked: buys round down, sells up.
        n.price = rules.price(o.limit_price, o.side == OT_SIDE_BUY ? Rounding::Down : Rounding::Up);
        n.tif = o.tif == OT_TIF_IOC ? "IOC" : o.tif == OT_TIF_FOK ? "FOK" : "GTC";
        reference = n.price.to_double();
    }
    rules.check_notional(n.qty.to_double() * reference, n.market, n.reduce_only, market_);
    check_levels(o, reference);
    if (o.stop_loss != 0) rules.price(o.stop_loss, Rounding::Nearest);
    if (o.take_profit != 0) rules.price(o.take_profit, Rounding::Nearest);
    return n;
}

void BinanceExecutor::submit(const ot_order& o) {
    std::vector<Protection> lifted;
    try {
        send(o, lifted);
    } catch (const sdk::Error& e) {
        if (lifted.empty()) throw;
        const std::string id = o.client_order_id;
        // Refused or held back by a rate limit: either way it was not executed.
        if (e.code() == OT_E_REJECTED || e.code() == OT_E_RATE_LIMIT) {
            protect_again(lifted, "exit " + id + " was refused (" + e.what() + ")");
        }
        throw;
    }
}

void BinanceExecutor::send(const ot_order& o, std::vector<Protection>& lifted) {
    const std::string id = o.client_order_id ? o.client_order_id : "";
    const std::string symbol = o.symbol ? o.symbol : "";
    if (!valid_client_id(id, market_))
        reject("client order id '" + id + "' is not 1-36 characters of A-Z a-z 0-9 - _");
    bool protect_entry = o.stop_loss != 0 || o.take_profit != 0;
    if (protect_entry && id.size() > 32)
        reject("client order id '" + id + "' leaves no room for the stop-loss/take-profit ids");
    if (o.type != OT_ORDER_MARKET && o.type != OT_ORDER_LIMIT)
        reject("order type " + std::to_string(o.type) +
               " is not supported: send market or limit orders, with stop_loss/take_profit "
               "attached to the entry");
    if (o.side != OT_SIDE_BUY && o.side != OT_SIDE_SELL) reject("unknown side");
    if (state_.orders.count(id)) reject("client order id '" + id + "' was already sent");
    const SymbolRules& rules = rules_for(symbol);
    if (rules.status == kNotListed)
        reject(symbol + " (" + rules.symbol +
               ") is no longer listed at Binance (delisted): no order can be placed for it, an "
               "exit neither; the position stays as it is");

    const double position = host().position(symbol).qty;
    const bool reduces = o.side == OT_SIDE_BUY ? position < 0 : position > 0;
    const bool reduce_only =
        (o.flags & OT_ORDER_FLAG_REDUCE_ONLY) ||
        (reduces && !protect_entry && o.qty <= std::fabs(position) * (1 + kQtyTolerance));
    if (!reduce_only && !rules.status.empty() && rules.status != "TRADING")
        reject(symbol + " is " + rules.status +
               " at Binance, not TRADING: no new position is opened until it trades again");
    NewOrder order;
    try {
        order = build(o, rules, reduce_only);
        const double sold = reduces ? lift_protections(symbol, id, lifted) : 0;
        // A take-profit sold part of the position unbeknown to the core: the exit sells the rest.
        if (sold > 0)
            order.qty = rules.quantity(std::min(o.qty, std::fabs(position) - sold), order.market);
    } catch (const sdk::Error& e) {
        if (e.code() == OT_E_REJECTED) throw;
        if (e.code() == OT_E_RATE_LIMIT) not_sent(e);
        reject(std::string("not sent: ") + e.what());
    }

    TrackedOrder t;
    t.client_id = id;
    t.symbol = symbol;
    t.side = o.side;
    t.market = order.market;
    t.requested_qty = o.qty;
    t.sent_ms = host().now_ms();
    t.stop_loss = o.stop_loss;
    t.take_profit = o.take_profit;
    state_.orders[id] = t;
    if (reduces) share_lifted(state_.orders[id]);
    hold_lifted(state_.orders[id], lifted);
    try {
        save();  // the send time must be on record before the request can reach Binance
    } catch (const sdk::Error& e) {
        state_.orders.erase(id);
        reject(std::string("not sent: cannot save the executor state: ") + e.what());
    }

    // The request was signed no later than now (a clock re-sync or a -1021 retry may have
    // delayed it), so Binance may take it until a recvWindow from now: its grace starts here.
    auto outcome_unknown = [&](const sdk::Error& e) {
        state_.orders[id].sent_ms = host().now_ms();
        return sdk::Error(OT_E_AMBIGUOUS, std::string("outcome unknown: ") + e.what() +
                                              "; it is asked about by client order id");
    };
    Placed placed;
    try {
        with_current_rules(symbol, [&](bool again) {
            if (again) {  // the same order on the new tick and step
                const SymbolRules& r = rules_for(symbol);
                order.qty = r.quantity(order.qty.to_double(), order.market);
                if (!order.market)
                    order.price = r.price(o.limit_price,
                                          o.side == OT_SIDE_BUY ? Rounding::Down : Rounding::Up);
            }
            placed = venue_->place(order);
        });
    } catch (const ApiError& e) {
        if (e.code() == OT_E_AMBIGUOUS) throw outcome_unknown(e);
        state_.orders.erase(id);
        save();
        if (e.code() == OT_E_RATE_LIMIT) not_sent(e);
        throw sdk::Error(OT_E_REJECTED, e.what());
    } catch (const sdk::Error& e) {
        if (e.code() == OT_E_IO) throw outcome_unknown(e);
        state_.orders.erase(id);
        save();
        if (e.code() == OT_E_RATE_LIMIT) not_sent(e);
        reject(std::string("not sent: ") + e.what());
    }
    // Binance has the order. What follows must not turn that into an error.
    TrackedOrder& tracked = state_.orders[id];
    try {
        std::vector<VenueTrade> trades =
            placed.has_trades ? placed.trades : trades_of(placed.order);
        report(tracked, placed.order, trades, false, outbox_);
    } catch (const sdk::Error& e) {
        tracked.acked = true;
        tracked.venue_id = placed.order.venue_id;
        outbox_.push_back({OT_REPORT_ACCEPTED, id, placed.order.venue_id, "", symbol, o.side, o.qty,
                           o.limit_price, 0, 0, placed.order.time_ms, ""});
        host().warn("binance: order " + id + " accepted; its fills come with the next poll (" +
                    e.what() + ")");
    }
    advance_protections(outbox_);
    save();
}

// ---- reports -------------------------------------------------------------------------------

std::vector<VenueTrade> BinanceExecutor::trades_of(const VenueOrder& v) {
    if (v.executed_qty <= 0 || v.venue_id.empty()) return {};
    return venue_->trades(v.symbol, v.venue_id);
}

double BinanceExecutor::fill_qty(const std::string& symbol, int32_t side,
                                 const VenueTrade& t) const {
    // Spot buys pay their commission in the bought asset: the position grows by the rest.
    if (market_ == Market::Spot && side == OT_SIDE_BUY &&
        t.commission_asset == split_pair(symbol).base)
        return t.qty - t.commission;
    return t.qty;
}

sdk::Report BinanceExecutor::fill_report(const std::string& client_id, const std::string& symbol,
                                         int32_t side, const VenueTrade& t, double cum_qty) const {
    Pair pair = split_pair(symbol);
    sdk::Report r;
    r.kind = OT_REPORT_FILL;
    r.client_order_id = client_id;
    r.trade_id = venue_symbol(symbol) + ":" + t.id;
    r.symbol = symbol;
    r.side = side;
    r.qty = fill_qty(symbol, side, t);
    r.price = t.price;
    // The fee in quote currency; a commission in a third asset (BNB) is not cash of the ledger.
    if (t.commission_asset == pair.quote)
        r.fee = t.commission;
    else if (t.commission_asset == pair.base)
        r.fee = t.commission * t.price;
    r.cum_qty = cum_qty;
    r.time_ms = t.time_ms;
    return r;
}

void BinanceExecutor::report(TrackedOrder& t, const VenueOrder& v,
                             const std::vector<VenueTrade>& trades, bool replay,
                             std::vector<sdk::Report>& out) {
    if (replay ? !is_final(v.status) : !t.acked)
        out.push_back({OT_REPORT_ACCEPTED, t.client_id, v.venue_id, "", t.symbol, t.side,
                       t.requested_qty, v.price, 0, 0, v.time_ms, ""});
    t.acked = true;
    t.venue_id = v.venue_id;
    double gross = 0, cum = replay ? 0 : t.reported_qty;
    for (const VenueTrade& trade : trades) {
        gross += trade.qty;
        const double qty = fill_qty(t.symbol, t.side, trade);
        const bool known = t.reported_trades.count(trade.id) > 0;
        if (known && !replay) continue;
        cum += qty;
        if (!known) {
            t.reported_trades.insert(trade.id);
            t.reported_qty += qty;
        }
        out.push_back(fill_report(t.client_id, t.symbol, t.side, trade, cum));
    }
    // Final once every trade of the order is known (userTrades may lag the order status).
    if (!is_final(v.status) || gross < v.executed_qty * (1 - kQtyTolerance)) return;
    sdk::Report final_report{0,        t.client_id,    v.venue_id,      "",
                             t.symbol, t.side,         t.requested_qty, v.price,
                             0,        t.reported_qty, v.time_ms,       ""};
    switch (v.status) {
        case VenueStatus::Filled:
            if (t.reported_qty < t.requested_qty * (1 - kQtyTolerance)) {
                final_report.kind = OT_REPORT_EXPIRED;
                final_report.text = "done at Binance: filled " + number_text(t.reported_qty) +
                                    " of " + number_text(t.requested_qty) +
                                    " (the rest was rounded to the step size, paid as "
                                    "commission or already sold by a take-profit)";
            }
            break;
        case VenueStatus::Canceled:
            final_report.kind = OT_REPORT_CANCELED;
            final_report.text = "canceled at Binance after filling " + number_text(t.reported_qty);
            break;
        case VenueStatus::Rejected:
            final_report.kind = OT_REPORT_REJECTED;
            final_report.text = "rejected by Binance";
            break;
        default:
            final_report.kind = OT_REPORT_EXPIRED;
            final_report.text = "expired at Binance after filling " + number_text(t.reported_qty);
            break;
    }
    if (final_report.kind != 0) out.push_back(final_report);
    exit_over(t, out);
    if (t.reported_qty > 0 && (t.stop_loss != 0 || t.take_profit != 0)) protect(t);
    const std::string id = t.client_id;
    state_.orders.erase(id);  // t is gone from here on
}

// ---- the other calls -----------------------------------------------------------------------

void BinanceExecutor::sync_tracked(std::vector<sdk::Report>& out) {
    std::vector<std::string> ids;
    for (const auto& [id, t] : state_.orders)
        ids.push_back(id);
    for (const std::string& id : ids) {
        TrackedOrder& t = state_.orders.at(id);
        std::optional<VenueOrder> v;
        try {
            v = venue_->query(venue_symbol(t.symbol), id);
        } catch (const sdk::Error& e) {
            if (e.code() == OT_E_RATE_LIMIT) throw;
            host().warn("binance: cannot ask about " + id + " now: " + e.what());
            continue;
        }
        if (!v) {
            if (in_grace(t.sent_ms)) continue;  // may still arrive
            out.push_back({OT_REPORT_REJECTED, id, "", "", t.symbol, t.side, t.requested_qty, 0, 0,
                           0, host().now_ms(),
                           "never reached Binance (unknown there once its recvWindow had passed)"});
            settle_lifted(t);
            state_.orders.erase(id);
            continue;
        }
        if (t.acked && v->status == VenueStatus::New) continue;  // nothing new
        try {
            report(t, *v, trades_of(*v), false, out);
        } catch (const sdk::Error& e) {
            if (e.code() == OT_E_RATE_LIMIT) throw;
            host().warn("binance: fills of " + id + " come later: " + e.what());
        }
    }
}

void BinanceExecutor::poll(sdk::Reports& out) {
    std::vector<sdk::Report> reports;
    reports.swap(outbox_);
    refresh_rules_if_due();
    try {
        sync_tracked(reports);
        advance_protections(reports);
    } catch (const sdk::Error& e) {
        if (e.code() != OT_E_RATE_LIMIT) {
            for (const sdk::Report& r : reports)
                out.push(r);
            save();
            throw;
        }
        host().debug(std::string("binance: poll cut short: ") + e.what());
    }
    poll_funding(reports);
    for (const sdk::Report& r : reports)
        out.push(r);
    save();
}

bool BinanceExecutor::query_order(const std::string& symbol, const std::string& client_order_id,
                                  sdk::Reports& out) {
    std::vector<sdk::Report> reports;
    const std::string vs = venue_symbol(symbol);
    Leg* leg = nullptr;
    if (Protection* p = protection_of_leg(client_order_id, &leg)) {
        // Canceled for an exit that may never have reached Binance: then it is placed again.
        if (const TrackedOrder* exit = lifted_by(p->entry_id))
            throw sdk::Error(OT_E_AMBIGUOUS, "stop-loss/take-profit " + client_order_id +
                                                 " was lifted for exit " + exit->client_id +
                                                 ", which is not over yet");
        if (p->state == ProtectionState::Watched) {
            // Refused at Binance, its level is held by the executor: the leg is working.
            reports.push_back({OT_REPORT_ACCEPTED, leg->client_id, "", "", p->symbol, p->exit_side,
                               p->qty, leg->stop_loss ? p->stop_loss : p->take_profit, 0, 0,
                               host().now_ms(), ""});
        } else {
            const std::string leg_id = venue_leg_id(*p, *leg);
            std::optional<VenueOrder> v =
                leg->market_exit ? venue_->query(vs, leg_id) : venue_->query_leg(vs, leg_id);
            if (!v) {
                if (leg->resend)
                    throw sdk::Error(OT_E_AMBIGUOUS, "market exit " + client_order_id +
                                                         " was refused for now and is sent again");
                if ((p->state == ProtectionState::Placing || leg->market_exit) &&
                    in_grace(p->placing_ms))
                    throw sdk::Error(OT_E_AMBIGUOUS, "stop-loss/take-profit " + client_order_id +
                                                         " is not visible at Binance yet");
                return false;
            }
            leg_report(*p, *leg, *v, true, reports);
        }
    } else {
        auto tracked = state_.orders.find(client_order_id);
        std::optional<VenueOrder> v = venue_->query(vs, client_order_id);
        if (!v) {
            if (tracked != state_.orders.end() && in_grace(tracked->second.sent_ms))
                throw sdk::Error(OT_E_AMBIGUOUS,
                                 "order " + client_order_id +
                                     " is not visible at Binance yet (sent " +
                                     std::to_string(host().now_ms() - tracked->second.sent_ms) +
                                     " ms ago): ask again once its recvWindow has passed");
            if (tracked != state_.orders.end()) {
                settle_lifted(tracked->second);
                state_.orders.erase(tracked);
            }
            save();
            return false;
        }
        if (tracked == state_.orders.end()) {
            // Not sent by this process's state (e.g. lost): follow it while it is open.
            TrackedOrder adhoc;
            adhoc.client_id = client_order_id;
            adhoc.symbol = symbol;
            adhoc.side = side_of(v->side);
            adhoc.requested_qty = v->orig_qty;
            adhoc.acked = true;
            tracked = state_.orders.emplace(client_order_id, adhoc).first;
        }
        report(tracked->second, *v, trades_of(*v), true, reports);  // forgets it once final
    }
    // What the outbox still holds for this order is now said.
    outbox_.erase(
        std::remove_if(outbox_.begin(), outbox_.end(),
                       [&](const sdk::Report& r) { return r.client_order_id == client_order_id; }),
        outbox_.end());
    for (const sdk::Report& r : reports)
        out.push(r);
    save();
    return true;
}

void BinanceExecutor::cancel(const std::string& symbol, const std::string& client_order_id) {
    Leg* leg = nullptr;
    if (Protection* p = protection_of_leg(client_order_id, &leg)) {
        venue_->cancel_protection(placed_legs(*p));
        for (Leg& l : p->legs)
            if (l.state == LegState::Open) {
                l.state = LegState::Canceled;
                outbox_.push_back({OT_REPORT_CANCELED, l.client_id, "", "", symbol, p->exit_side,
                                   p->qty, 0, 0, 0, host().now_ms(), "canceled on request"});
            }
        finish(*p);
        save();
        return;
    }
    venue_->cancel(venue_symbol(symbol), client_order_id);
    auto tracked = state_.orders.find(client_order_id);
    if (tracked == state_.orders.end()) {
        outbox_.push_back({OT_REPORT_CANCELED, client_order_id, "", "", symbol, 0, 0, 0, 0, 0,
                           host().now_ms(), "canceled on request"});
        return;
    }
    // Its levels stay: what it filled before the cancel is protected once it is over.
    try {
        std::vector<sdk::Report> reports;
        if (std::optional<VenueOrder> v = venue_->query(venue_symbol(symbol), client_order_id))
            report(tracked->second, *v, trades_of(*v), false, reports);
        outbox_.insert(outbox_.end(), reports.begin(), reports.end());
    } catch (const sdk::Error& e) {
        host().warn("binance: " + client_order_id +
                    " canceled; its final state comes with the "
                    "next poll (" +
                    e.what() + ")");
    }
    save();
}

void BinanceExecutor::open_orders(sdk::Reports& out) {
    for (const std::string& symbol : universe_) {
        for (const VenueOrder& v : venue_->open_orders(venue_symbol(symbol))) {
            sdk::Report r{OT_REPORT_ACCEPTED, v.client_id, v.venue_id, "", symbol,
                          side_of(v.side),    v.orig_qty,  v.price,    0,  v.executed_qty,
                          v.time_ms,          ""};
            out.push(r);
        }
    }
}

void BinanceExecutor::balances(sdk::Balances& out) {
    std::vector<Venue::Balance> all = venue_->balances();
    for (const Venue::Balance& b : all) {
        if (b.position) {
            const std::string symbol = pipeline_symbol(b.asset);
            out.push(symbol.c_str(), b.free, b.locked, b.avg_price);
        } else {
            out.push(b.asset.c_str(), b.free, b.locked);
        }
    }
    if (market_ != Market::Spot) return;
    // Spot has no positions: a symbol's position is its base asset held, less the baseline.
    for (const std::string& symbol : universe_) {
        const std::string base = split_pair(symbol).base;
        double held = 0;
        for (const Venue::Balance& b : all)
            if (b.asset == base) held = b.free + b.locked;
        auto baseline = state_.baseline.find(base);
        if (baseline != state_.baseline.end()) held -= baseline->second;
        out.push(symbol.c_str(), held, 0);
    }
}

// ---- funding -------------------------------------------------------------------------------

void BinanceExecutor::poll_funding(std::vector<sdk::Report>& out) {
    const int64_t now = host().now_ms();
    if (!report_funding_ || now < next_funding_poll_ms_) return;
    next_funding_poll_ms_ = now + kFundingPollEveryMs;
    for (const FundingPayment& f : read_funding(funding_from())) {
        state_.funding_cursor = std::max(state_.funding_cursor, f.time_ms);
        if (funding_reported_.emplace(f.id, f.time_ms).second && in_universe(f.symbol))
            out.push_back(cash_report(f));
    }
    // What the next query cannot return again need not be remembered.
    const int64_t from = funding_from();
    for (auto it = funding_reported_.begin(); it != funding_reported_.end();)
        it = it->second < from ? funding_reported_.erase(it) : std::next(it);
}

int64_t BinanceExecutor::funding_from() const {
    return std::max(state_.funding_since, state_.funding_cursor - kFundingOverlapMs);
}

std::vector<FundingPayment> BinanceExecutor::read_funding(int64_t from_ms) {
    int32_t level = OT_LOG_WARN;
    std::string why;
    try {
        return venue_->funding(from_ms);
    } catch (const sdk::Error& e) {
        if (e.code() == OT_E_RATE_LIMIT) level = OT_LOG_DEBUG;
        why = e.what();
    } catch (const std::exception& e) {  // an unreadable answer
        why = e.what();
    }
    host().log(level, "binance: funding payments not read now, next try in a minute: " + why);
    return {};
}

sdk::Report BinanceExecutor::cash_report(const FundingPayment& f) const {
    sdk::Report r;
    r.kind = OT_REPORT_CASH;
    r.trade_id = f.id;
    r.symbol = pipeline_symbol(f.symbol);
    r.side = 0;
    r.fee = -f.income;  // what the account paid
    r.time_ms = f.time_ms;
    r.text = "funding";
    return r;
}

bool BinanceExecutor::in_universe(const std::string& venue) const {
    return std::any_of(universe_.begin(), universe_.end(),
                       [&](const std::string& s) { return venue_symbol(s) == venue; });
}

}  // namespace orchestrade::plugins::binance
