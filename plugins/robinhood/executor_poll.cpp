// poll(): everything the executor does between the core's calls — resolving placements whose
// answer was lost, reading fills, placing and canceling protective legs, sending held orders.
#include "executor.hpp"

#include "client_id.hpp"
#include "quotes.hpp"

#include <algorithm>
#include <set>

namespace orchestrade::plugins::robinhood {
namespace {

// One venue exchange inside poll(): a failure is logged and the work is tried again at the next
// poll; a refused request token ends this poll's venue work.
template <class F>
void attempt(const sdk::Host& host, const std::string& what, F&& f) {
    try {
        f();
    } catch (const sdk::Error& e) {
        if (e.code() == OT_E_RATE_LIMIT) throw;
        host.warn("robinhood: " + what + ": " + e.what() + "; tried again at the next poll");
    }
}

}  // namespace

void RobinhoodExecutor::poll(sdk::Reports& out) {
    try {
        resolve_sending();
        refresh_open();
        for (LocalOrder* o : book_.all())
            if (!o->is_leg() && o->stage == Stage::Done && !o->legs_placed) place_legs(*o);
        one_cancels_other();
        cancel_lifted_legs_again();
        watch_take_profits();
        send_ready();
    } catch (const sdk::Error& e) {
        if (e.code() != OT_E_RATE_LIMIT) throw;
    }
    // Also when the rate limit ended the steps above: a leg put back then waits, held.
    try {
        settle_exits();
    } catch (const sdk::Error& e) {
        if (e.code() != OT_E_RATE_LIMIT) throw;
    }
    watch_protection();  // no request
    for (const PendingReport& r : book_.outbox())
        out.push(r);
    book_.outbox().clear();
    book_.prune();  // only here: the steps above hold pointers into the book
    save();
}

void RobinhoodExecutor::resolve_sending() {
    std::vector<LocalOrder*> pending;
    int64_t since = 0;
    for (LocalOrder* o : book_.all()) {
        if (o->stage != Stage::Sending) continue;
        since = pending.empty() ? o->sent_ms : std::min(since, o->sent_ms);
        pending.push_back(o);
    }
    if (pending.empty()) return;
    attempt(host(), "looking up unanswered placements", [&] {
        std::vector<VenueOrder> rows = list_orders(since - kListMarginMs, "");
        const int64_t now = host().now_ms();
        for (LocalOrder* o : pending) {
            auto it = std::find_if(rows.begin(), rows.end(), [&](const VenueOrder& v) {
                return v.client_order_id == o->uuid;
            });
            if (it != rows.end()) {
                host().info("robinhood: order " + o->id +
                            " reached the venue (found by its client id, venue id " + it->id + ")");
                apply(*o, *it, book_.outbox());
            } else if (now >= rest_.signature_expiry_ms(o->sent_ms) + kSettleMarginMs) {
                o->stage = Stage::Done;
                o->venue_state = "absent";
                const std::string why =
                    "never reached the venue: absent from its order list after the placement's "
                    "signature expired";
                if (is_stop(*o) && lifted_by(*o)) {  // owed back by the exit that lifted it
                    o->cancel_deferred = true;
                    continue;
                }
                if (is_stop(*o)) {  // the position still needs it: placed again at once
                    stop_not_placed(*o, 0, false, "its stop-loss " + o->id + " " + why);
                    continue;
                }
                host().warn("robinhood: order " + o->id + " " + why);
                book_.outbox().push_back(report(*o, OT_REPORT_REJECTED, now, why));
            }
        }
    });
}

void RobinhoodExecutor::refresh_open() {
    for (LocalOrder* o : book_.all())
        if (o->stage == Stage::Open)
            attempt(host(), "reading order " + o->id, [&] { refresh(*o); });
}

void RobinhoodExecutor::place_legs(LocalOrder& entry) {
    entry.legs_placed = true;
    const double filled = entry.filled_qty();
    if (filled <= 0 || (entry.stop_loss <= 0 && entry.take_profit <= 0)) return;
    const int32_t exit_side = entry.side == OT_SIDE_BUY ? OT_SIDE_SELL : OT_SIDE_BUY;
    const bool sell = exit_side == OT_SIDE_SELL;
    LocalOrder leg;
    leg.parent = entry.id;
    leg.symbol = entry.symbol;
    leg.side = exit_side;
    leg.requested_qty = filled;
    leg.legs_placed = true;
    leg.created_ms = host().now_ms();
    try {
        const TradingPair& p = pair(entry.symbol);
        leg.qty = p.quantity(filled).qty.text();
        if (entry.stop_loss > 0) {
            LocalOrder stop = leg;
            stop.id = entry.id + "-sl";
            stop.type = OT_ORDER_STOP_MARKET;
            stop.stop_price = p.price(entry.stop_loss, Rounding::Nearest, "stop-loss").text();
            stop.uuid = venue_client_order_id(stop.id);
            book_.add(stop);
        }
        if (entry.take_profit > 0) {
            // With a stop-loss resting, the venue holds the whole position for it, so the
            // take-profit waits here for its price, then replaces the stop with a market order.
            LocalOrder target = leg;
            target.id = entry.id + "-tp";
            if (entry.stop_loss > 0) {
                target.type = OT_ORDER_TAKE_PROFIT_MARKET;
                target.stop_price =
                    p.price(entry.take_profit, Rounding::Nearest, "take-profit").text();
            } else {
                target.type = OT_ORDER_LIMIT;
                target.limit_price =
                    p.price(entry.take_profit, sell ? Rounding::Up : Rounding::Down, "take-profit")
                        .text();
            }
            target.uuid = venue_client_order_id(target.id);
            book_.add(target);
        }
        host().info("robinhood: protecting " + entry.id + " (" + leg.qty + " " + entry.symbol +
                    "): stop-loss " + format_number(entry.stop_loss) + ", take-profit " +
                    format_number(entry.take_profit) + " (0 = none)");
    } catch (const sdk::Error& e) {
        host().error("robinhood: order " + entry.id + " is NOT protected: " + e.what());
    }
}

void RobinhoodExecutor::one_cancels_other() {
    for (LocalOrder* leg : book_.all()) {
        // Fills of the venue order it rests as now: legs put back rest for what is left.
        if (!leg->is_leg() || leg->fills.size() <= leg->earlier_fills) continue;
        for (LocalOrder* other : book_.siblings(*leg)) {
            if (other->stage == Stage::Held) {
                drop_held(*other, "the other protective leg filled (one-cancels-other)");
            } else if (other->stage == Stage::Open && !other->cancel_requested) {
                host().info("robinhood: " + leg->id + " filled: canceling " + other->id +
                            " (one-cancels-other)");
                attempt(host(), "canceling " + other->id, [&] { request_cancel(*other); });
            }
        }
    }
}

// A held order waits for the legs it lifted to end at the venue. A cancel the venue did not take
// (5xx, no answer, 429) is asked again at every poll, within the rate limit, until it does or
// the leg filled; meanwhile the leg rests and can sell, and the held order is cut to what it
// leaves.
void RobinhoodExecutor::cancel_lifted_legs_again() {
    for (LocalOrder* held : book_.all()) {
        if (held->stage != Stage::Held) continue;
        for (const std::string& id : held->waiting_for) {
            LocalOrder* leg = book_.find(id);
            if (!leg || leg->stage != Stage::Open || leg->cancel_requested) continue;
            host().info("robinhood: asking the venue again to cancel " + leg->id + ", which " +
                        held->id + " waits for");
            cancel_for(*held, *leg);
        }
    }
}

void RobinhoodExecutor::watch_take_profits() {
    std::vector<LocalOrder*> armed;
    std::set<std::string> symbols;
    for (LocalOrder* o : book_.all()) {
        if (o->stage != Stage::Held || o->type != OT_ORDER_TAKE_PROFIT_MARKET || o->triggered)
            continue;
        armed.push_back(o);
        symbols.insert(venue_symbol(o->symbol));
    }
    if (armed.empty()) return;
    attempt(host(), "reading prices for take-profits", [&] {
        std::vector<Quote> quotes =
            parse_quotes(rest_.get(quotes_path({symbols.begin(), symbols.end()}), "quotes"));
        for (LocalOrder* o : armed) {
            const double level = Decimal::parse(o->stop_price).value_or(Decimal{}).value();
            for (const Quote& q : quotes) {
                if (q.symbol != venue_symbol(o->symbol)) continue;
                const bool sell = o->side == OT_SIDE_SELL;
                if (sell ? q.bid < level : q.ask > level) continue;
                o->triggered = true;
                o->triggered_ms = host().now_ms();
                host().info("robinhood: take-profit " + o->id + " reached (" +
                            (sell ? "bid " + format_number(q.bid) : "ask " + format_number(q.ask)) +
                            ", level " + o->stop_price +
                            "): the other legs are canceled, then it "
                            "goes out at market");
                // It lifts the other legs as an exit does: if it fails, they rest again.
                std::vector<LocalOrder*> live;
                for (LocalOrder* other : book_.siblings(*o)) {
                    if (other->stage == Stage::Done) continue;
                    o->lifted_legs.push_back(other->id);
                    o->legs_sold_before += other->filled_qty();
                    o->legs_owed = true;
                    if (other->stage == Stage::Held) {
                        lift_held(*other);
                        continue;
                    }
                    o->waiting_for.push_back(other->id);
                    if (other->stage == Stage::Open) live.push_back(other);
                }
                if (!live.empty()) save();  // before the cancels, as for an exit
                for (LocalOrder* other : live) {
                    cancel_for(*o, *other);
                    save();
                }
            }
        }
    });
}

void RobinhoodExecutor::send_ready() {
    const int64_t now = host().now_ms();
    for (LocalOrder* o : book_.all()) {
        if (o->stage != Stage::Held) continue;
        if (o->type == OT_ORDER_TAKE_PROFIT_MARKET && !o->triggered) continue;
        if (o->retry_at_ms > now) continue;
        const std::vector<LocalOrder*> siblings = book_.siblings(*o);
        if (std::any_of(siblings.begin(), siblings.end(),
                        [](const LocalOrder* s) { return s->fills.size() > s->earlier_fills; })) {
            drop_held(*o, "the other protective leg filled (one-cancels-other)");
            continue;
        }
        auto& wait = o->waiting_for;
        wait.erase(std::remove_if(wait.begin(), wait.end(),
                                  [&](const std::string& id) {
                                      const LocalOrder* w = book_.find(id);
                                      return !w || w->stage == Stage::Done;
                                  }),
                   wait.end());
        if (!wait.empty()) continue;
        if (o->is_leg() && !o->triggered) {
            // A protective leg: placed for the first time, put back, or again after a refusal.
            place_leg(*o, "");
            continue;
        }
        const int64_t since = o->is_leg() ? o->triggered_ms : o->created_ms;
        if (o->legs_owed && now - since > kStaleMs) {
            give_up(*o);
            continue;
        }
        if (o->type == OT_ORDER_TAKE_PROFIT_MARKET) o->type = OT_ORDER_MARKET;
        if (!cut_to_what_is_left(*o)) continue;
        try {
            place(*o);
        } catch (const sdk::Error& e) {
            if (e.code() == OT_E_RATE_LIMIT) {
                o->stage = Stage::Held;  // it was not sent: the next poll tries again
                o->venue_state.clear();
                held_back(*o, e.what());
                throw;
            }
            if (o->stage == Stage::Done)
                book_.outbox().push_back(report(*o, OT_REPORT_REJECTED, host().now_ms(), e.what()));
            host().warn("robinhood: sending held order " + o->id + ": " + e.what());
        }
    }
}

}  // namespace orchestrade::plugins::robinhood
