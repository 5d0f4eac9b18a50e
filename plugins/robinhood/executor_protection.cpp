// Keeping a position protected. Robinhood has no OCO: a position's stop-loss and take-profit are
// separate legs the executor places, lifts for an exit and puts back. The rule it keeps: while
// the bot holds a position whose entry had a stop-loss, a stop-loss rests at the venue for what
// is held, or an error says loudly that it does not ("NOT protected", and a journaled
// robinhood_protection_failed event).
//
//  - An exit (or a take-profit that reached its level) owes back the legs it lifted until it
//    ends; then they rest again for what it did not sell (settle_exits). Until then, a lifted
//    leg's CANCELED report is held back, so that for the core the leg rests on.
//  - A stop the venue refused is placed again after stop_retry_s, sized to the holding; one that
//    never reached the venue is placed again at once; a leg placed before is first looked for at
//    the venue under every client id it had, so no second stop ever rests for the same coins.
//  - A held exit is sent within kStaleMs of its arrival or not at all.
//  - After each poll, watch_protection() says so when a stop neither rests nor is on its way.
#include "executor.hpp"

#include "client_id.hpp"
#include "time_format.hpp"

#include <algorithm>
#include <map>
#include <set>

namespace orchestrade::plugins::robinhood {
namespace {

constexpr double kQtyEpsilon = 1e-12;

bool contains(const std::vector<std::string>& ids, const std::string& id) {
    return std::find(ids.begin(), ids.end(), id) != ids.end();
}

std::string held_name(const LocalOrder& held) {
    return (held.is_leg() ? "take-profit " : "exit ") + held.id;
}

// How an exit that lifted legs ended, for the log.
std::string ended_text(const LocalOrder& exit) {
    const std::string name = held_name(exit);
    const std::string& state = exit.venue_state;
    const double sold = exit.filled_qty();
    if (state == "rejected") return name + " was refused";
    if (state == "not_sent") return name + " was held back by the rate limit";
    if (state == "absent") return name + " never reached the venue";
    if (state == "stale") return name + " was not sent within 5 min";
    if (state == "nothing_left") return name + " found nothing left to sell";
    if (sold <= 0) return name + " ended without a fill (" + state + ")";
    return name + " sold " + format_number(sold);
}

double decimal_value(const std::string& text) {
    return Decimal::parse(text).value_or(Decimal{}).value();
}

}  // namespace

bool RobinhoodExecutor::is_stop(const LocalOrder& o) {
    return o.is_leg() && (o.type == OT_ORDER_STOP_MARKET || o.type == OT_ORDER_STOP_LIMIT);
}

double RobinhoodExecutor::unsold(const std::string& parent) {
    if (parent.empty()) return 0;
    double base = 0, sold = 0, exited = 0;
    for (LocalOrder* o : book_.all()) {
        if (o->parent != parent) continue;
        base = std::max(base, o->requested_qty);
        sold += o->filled_qty();  // the legs sell the same coins: one-cancels-other
        exited = std::max(exited, o->sold_by_exits);
    }
    return std::max(0.0, base - sold - exited);
}

LocalOrder* RobinhoodExecutor::lifted_by(const LocalOrder& leg, const LocalOrder* except) {
    LocalOrder* found = nullptr;
    for (LocalOrder* o : book_.all())
        if (o != except && o->legs_owed && contains(o->lifted_legs, leg.id)) found = o;
    return found;
}

void RobinhoodExecutor::settle_exits() {
    for (LocalOrder* exit : book_.all()) {
        if (!exit->legs_owed || exit->stage != Stage::Done) continue;
        // A leg whose cancel the venue took may still fill: it is read back first.
        const bool pending =
            std::any_of(exit->lifted_legs.begin(), exit->lifted_legs.end(), [&](const auto& id) {
                const LocalOrder* leg = book_.find(id);
                return leg && (leg->stage == Stage::Sending ||
                               (leg->stage == Stage::Open && leg->cancel_requested));
            });
        if (!pending) restore_legs(*exit, ended_text(*exit));
    }
}

void RobinhoodExecutor::restore_legs(LocalOrder& exit, const std::string& what) {
    exit.legs_owed = false;
    const int64_t now = host().now_ms();
    // What the exit sold is taken from the positions it lifted legs from, oldest first. A
    // take-profit's own fills are already its entry's.
    double sold = exit.is_leg() ? 0 : exit.filled_qty();
    std::vector<std::string> parents;
    for (const std::string& id : exit.lifted_legs)
        if (const LocalOrder* leg = book_.find(id); leg && !contains(parents, leg->parent))
            parents.push_back(leg->parent);
    for (const std::string& parent : parents) {
        double left = unsold(parent);
        const double take = std::min(left, sold);
        sold -= take;
        left -= take;
        if (take > 0)
            for (LocalOrder* o : book_.all())
                if (o->parent == parent) o->sold_by_exits += take;
        for (const std::string& id : exit.lifted_legs) {
            LocalOrder* leg = book_.find(id);
            // Only legs canceled for it; one that filled is over, one still resting rests on.
            if (!leg || leg->parent != parent || !leg->cancel_deferred) continue;
            if (lifted_by(*leg, &exit)) continue;  // a later exit lifted it too, and owes it
            const std::string position = "the " + leg->symbol + " position of " + parent;
            std::optional<std::string> qty;
            if (left > kQtyEpsilon * std::max(1.0, leg->requested_qty)) {
                try {
                    qty = pair(leg->symbol).quantity(left).qty.text();
                } catch (const sdk::Error& e) {
                    if (e.code() != OT_E_REJECTED) throw;
                    host().warn("robinhood: " + what + ": the " + format_number(left) +
                                " left of " + position + " is below the smallest order; " +
                                leg->id + " does not rest again");
                }
            }
            if (!qty) {  // over: the core hears it now
                leg->cancel_deferred = false;
                if (leg->announced)
                    book_.outbox().push_back(report(
                        *leg, OT_REPORT_CANCELED, now,
                        "canceled on request: " + what + ", which left nothing for it to protect"));
                continue;
            }
            // For the core the leg rests on, under its id: it is never told it was canceled.
            reopen(*leg, *qty);
            if (leg->type == OT_ORDER_TAKE_PROFIT_MARKET) {
                host().info("robinhood: " + what + ": " + leg->id +
                            " waits again for its level, for " + *qty);
                continue;
            }
            try {
                place_leg(*leg, what + ": " + position + " (" + *qty + ")");
            } catch (const sdk::Error& e) {
                if (e.code() != OT_E_RATE_LIMIT) throw;  // held: the next poll places it
            }
        }
    }
}

void RobinhoodExecutor::give_up(LocalOrder& held) {
    const std::string name = held_name(held);
    if (held.is_leg()) {
        host().warn("robinhood: " + name +
                    " could not go out within 5 min of reaching its level: it waits for its level "
                    "again, and the legs it lifted rest again");
        restore_legs(held, name + " was not sent within 5 min");
        held.triggered = false;
        held.triggered_ms = 0;
        held.type = OT_ORDER_TAKE_PROFIT_MARKET;
        held.lifted_legs.clear();
        held.waiting_for.clear();
        held.legs_sold_before = 0;
        return;
    }
    held.stage = Stage::Done;
    held.venue_state = "stale";
    const std::string text =
        "never sent: held back for more than 5 min since it arrived (by the rate limit or its "
        "protective legs' cancels), the signal is stale; the legs it lifted rest again";
    host().warn("robinhood: exit " + held.id + " " + text);
    book_.outbox().push_back(report(held, OT_REPORT_REJECTED, host().now_ms(), text));
    restore_legs(held, ended_text(held));
}

void RobinhoodExecutor::place_leg(LocalOrder& leg, const std::string& what) {
    const bool stop = is_stop(leg);
    try {
        // Placed before under other client ids: none of them may still rest (that stop would
        // sell the same coins a second time).
        if (leg.restored > 0 && rests_at_venue(leg)) return;
        if (leg.fit_to_holding && !fit_stop_to_holding(leg)) return;
    } catch (const sdk::Error& e) {
        if (e.code() == OT_E_RATE_LIMIT) {
            if (stop)
                unprotected(leg, "reading the venue before placing " + leg.id +
                                     " again was held back by the rate limit (" + e.what() +
                                     "); it is placed at the next poll");
            throw;
        }
        host().warn("robinhood: " + leg.id + " is not placed again yet: reading the venue " +
                    "failed (" + e.what() + "); tried again at the next poll");
        return;
    }
    try {
        place(leg);
        if (!what.empty())
            host().warn("robinhood: " + what + " is protected again by " + leg.id);
        else if (leg.restored > 0)
            host().info("robinhood: " + leg.id + " placed again for " + leg.qty);
    } catch (const sdk::Error& e) {
        if (e.code() == OT_E_AMBIGUOUS) {  // looked up by the next poll
            host().warn("robinhood: " + (what.empty() ? std::string() : what + ": ") + leg.id +
                        " placed, " + e.what());
            return;
        }
        if (e.code() == OT_E_RATE_LIMIT) {
            leg.stage = Stage::Held;  // not sent: send_ready() sends it
            leg.venue_state.clear();
            if (stop)
                unprotected(leg, "placing " + leg.id + " was held back by the rate limit (" +
                                     e.what() + "); it is placed at the next poll");
            throw;
        }
        if (stop) {
            stop_not_placed(leg, host().now_ms() + stop_retry_ms_, true,
                            "the venue refused its stop-loss " + leg.id + " (" + e.what() + ")");
            return;
        }
        book_.outbox().push_back(report(leg, OT_REPORT_REJECTED, host().now_ms(), e.what()));
        host().warn("robinhood: placing " + leg.id + ": " + e.what());
    }
}

bool RobinhoodExecutor::rests_at_venue(LocalOrder& leg) {
    std::set<std::string> uuids{venue_client_order_id(leg.id)};
    for (int n = 1; n <= leg.restored; ++n)
        uuids.insert(venue_client_order_id(leg.id + "#" + std::to_string(n)));
    for (const char* state : {"open", "partially_filled"}) {
        const std::string path =
            std::string(kOrdersPath) + "?state=" + state + "&symbol=" + venue_symbol(leg.symbol);
        for (const json& row : rest_.get_all(path, "open orders")) {
            VenueOrder v = VenueOrder::from_json(row);
            if (!uuids.count(v.client_order_id)) continue;
            host().warn("robinhood: " + leg.id + " already rests at the venue (client id " +
                        v.client_order_id + ", venue id " + v.id + "): followed, not placed again");
            leg.uuid = v.client_order_id;
            apply(leg, v, book_.outbox());
            return true;
        }
    }
    return false;
}

void RobinhoodExecutor::stop_not_placed(LocalOrder& stop, int64_t retry_at, bool fit,
                                        const std::string& why) {
    reopen(stop, stop.qty);
    stop.retry_at_ms = retry_at;
    stop.fit_to_holding = fit;
    const std::string when = retry_at > host().now_ms() ? "at " + format_iso8601(retry_at)
                                                        : std::string("at the next poll");
    unprotected(stop, why + "; it is placed again " + when + ", under a new client id");
}

bool RobinhoodExecutor::fit_stop_to_holding(LocalOrder& stop) {
    const TradingPair& p = pair(stop.symbol);
    double available = 0;
    for (const json& row :
         rest_.get_all("/api/v1/crypto/trading/holdings/?asset_code=" + p.asset_code, "holdings")) {
        if (text_field(row, "asset_code") != p.asset_code) continue;
        const double total = number_field(row, "total_quantity").value_or(0);
        available = number_field(row, "quantity_available_for_trading").value_or(total);
    }
    stop.fit_to_holding = false;
    const double qty = decimal_value(stop.qty);
    if (available + kQtyEpsilon * std::max(1.0, qty) >= qty) return true;
    try {
        const std::string fitted = p.quantity(available).qty.text();
        host().warn("robinhood: the account has " + format_number(available) + " " + p.asset_code +
                    " free to sell, not the " + stop.qty + " of " + stop.id +
                    ": it is placed again for " + fitted);
        stop.qty = fitted;
        return true;
    } catch (const sdk::Error& e) {
        if (e.code() != OT_E_REJECTED) throw;
    }
    // Sold outside the bot: nothing is left to protect.
    stop.stage = Stage::Done;
    stop.venue_state = "nothing_held";
    stop.released = true;
    stop.unprotected = false;
    const std::string text = "not placed again: the account has " + format_number(available) + " " +
                             p.asset_code + " free to sell, less than the smallest order";
    host().warn("robinhood: " + stop.id + " " + text + "; the " + stop.symbol + " position of " +
                stop.parent + " is no longer watched");
    journal_event(
        "robinhood_protection_ended",
        {{"entry", stop.parent}, {"symbol", stop.symbol}, {"leg", stop.id}, {"reason", text}});
    if (stop.announced)
        book_.outbox().push_back(report(stop, OT_REPORT_CANCELED, host().now_ms(), text));
    return false;
}

void RobinhoodExecutor::held_back(LocalOrder& exit, const std::string& why) {
    const int64_t since = exit.is_leg() ? exit.triggered_ms : exit.created_ms;
    for (const std::string& id : exit.lifted_legs) {
        LocalOrder* stop = book_.find(id);
        if (!stop || !is_stop(*stop) || !stop->cancel_deferred || stop->unprotected) continue;
        unprotected(*stop, held_name(exit) + " is held back by the rate limit (" + why +
                               ") after " + stop->id +
                               " was canceled for it; it is sent again at each poll until " +
                               format_iso8601(since + kStaleMs) + ", then dropped, and " +
                               stop->id + " rests again");
    }
}

void RobinhoodExecutor::unprotected(LocalOrder& stop, const std::string& why) {
    const double left = unsold(stop.parent);
    host().error("robinhood: the " + stop.symbol + " position of " + stop.parent + " (" +
                 format_number(left) + ") is NOT protected: " + why);
    if (stop.unprotected) return;  // journaled once until it is protected again
    stop.unprotected = true;
    journal_event("robinhood_protection_failed", {{"entry", stop.parent},
                                                  {"symbol", stop.symbol},
                                                  {"leg", stop.id},
                                                  {"qty", left},
                                                  {"stop_price", decimal_value(stop.stop_price)},
                                                  {"reason", why}});
}

void RobinhoodExecutor::journal_event(const std::string& kind, const json& detail) {
    try {
        host().journal(kind, detail.dump());
    } catch (const sdk::Error& e) {
        host().error("robinhood: the journal did not take the " + kind + " event (" + e.what() +
                     "): " + detail.dump());
    }
}

void RobinhoodExecutor::watch_protection() {
    std::map<std::string, LocalOrder*> stops;  // entry -> its latest stop-loss leg
    for (LocalOrder* o : book_.all())
        if (is_stop(*o)) stops[o->parent] = o;
    for (auto& [parent, stop] : stops) {
        if (stop->released) continue;
        const double left = unsold(parent);
        const double smallest = min_order_qty(stop->symbol, 0).value_or(0);
        const bool needed = left > kQtyEpsilon * std::max(1.0, stop->requested_qty) &&
                            left >= smallest * (1 - 1e-9);
        if (!needed) {
            if (stop->unprotected)
                host().info("robinhood: the " + stop->symbol + " position of " + parent +
                            " is no longer held: nothing left to protect");
            stop->unprotected = false;
            // What is left only shrinks: a finished stop has nothing more to watch.
            if (stop->stage == Stage::Done) stop->released = true;
            continue;
        }
        if (stop->stage == Stage::Open) {
            if (!stop->unprotected) continue;
            stop->unprotected = false;
            host().warn("robinhood: the " + stop->symbol + " position of " + parent + " (" +
                        format_number(left) + ") is protected again: " + stop->id +
                        " rests at the venue (venue id " + stop->venue_id + ")");
            journal_event("robinhood_protection_restored", {{"entry", parent},
                                                            {"symbol", stop->symbol},
                                                            {"leg", stop->id},
                                                            {"qty", left},
                                                            {"venue_order_id", stop->venue_id}});
            continue;
        }
        if (stop->stage == Stage::Sending || stop->unprotected) continue;  // on its way; said
        std::string why;
        if (LocalOrder* exit = lifted_by(*stop)) {
            // Selling the position now, or about to give the legs back.
            if (exit->stage == Stage::Sending || exit->stage == Stage::Done ||
                (exit->stage == Stage::Open && exit->type == OT_ORDER_MARKET))
                continue;
            why = exit->stage == Stage::Open
                      ? held_name(*exit) +
                            " rests at the venue, which holds the coins for it: " + stop->id +
                            " cannot rest beside it until it ends"
                      : held_name(*exit) + " has not gone out since " + stop->id +
                            " was canceled for it";
        } else if (stop->stage == Stage::Held) {
            why = stop->id + " waits to be placed";
        } else {
            why = stop->id + " ended at the venue (" + stop->venue_state +
                  ") while the position is still held, and not for an order of this bot; it is "
                  "not placed again";
        }
        unprotected(*stop, why);
    }
}

}  // namespace orchestrade::plugins::robinhood
