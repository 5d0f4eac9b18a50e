// query_order, open_orders and balances: what the venue says, for the core's reconciliation.
#include "executor.hpp"

#include "client_id.hpp"
#include "time_format.hpp"

#include <algorithm>

namespace orchestrade::plugins::robinhood {
namespace {

std::string core_symbol(std::string venue) {
    std::replace(venue.begin(), venue.end(), '-', '/');
    return venue;
}

}  // namespace

bool RobinhoodExecutor::query_order(const std::string& symbol, const std::string& client_order_id,
                                    sdk::Reports& out) {
    // Only a complete order list proves that an order is absent: a 404 met on the way does not.
    try {
        return find_order(symbol, client_order_id, out);
    } catch (const sdk::Error& e) {
        if (e.code() == OT_E_NOT_FOUND) throw sdk::Error(OT_E_IO, e.what());
        throw;
    }
}

bool RobinhoodExecutor::find_order(const std::string& symbol, const std::string& client_order_id,
                                   sdk::Reports& out) {
    LocalOrder* o = book_.find(client_order_id);
    // Held here, or a leg lifted for an exit that may still put it back (one that rested at the
    // venue is read from there below: its fills, without the cancel).
    const bool owed = o && o->cancel_deferred && o->venue_id.empty();
    if (o && (o->stage == Stage::Held || owed)) {
        out.push(report(*o, OT_REPORT_ACCEPTED, o->created_ms, "held by the executor"));
        return true;
    }
    std::optional<VenueOrder> venue;
    if (o && !o->venue_id.empty()) {
        venue = VenueOrder::from_json(
            rest_.get(kOrdersPath + o->venue_id + "/", "order " + client_order_id));
    } else {
        const int64_t now = host().now_ms();
        const int64_t since = o && o->sent_ms ? o->sent_ms - kListMarginMs : now - lookback_ms_;
        const std::string uuid = o ? o->uuid : venue_client_order_id(client_order_id);
        const std::string filter = symbol.empty() ? "" : "&symbol=" + venue_symbol(symbol);
        for (VenueOrder& row : list_orders(since, filter))
            if (row.client_order_id == uuid) venue = std::move(row);
        if (!venue) {
            const int64_t settled = o ? rest_.signature_expiry_ms(o->sent_ms) + kSettleMarginMs : 0;
            if (o && o->stage == Stage::Sending && now < settled)
                throw sdk::Error(OT_E_AMBIGUOUS,
                                 "robinhood: order " + client_order_id +
                                     " is not in the venue's list yet, but its placement signed "
                                     "at " +
                                     format_iso8601(o->sent_ms) + " may still arrive until " +
                                     format_iso8601(settled) + "; ask again after that");
            if (o && o->stage == Stage::Sending && is_stop(*o)) {
                // A stop the venue never got: the position still needs it, so it is placed
                // again (or owed back by the exit that lifted it), and for the core it is still
                // on its way.
                o->stage = Stage::Done;
                o->venue_state = "absent";
                if (lifted_by(*o))
                    o->cancel_deferred = true;
                else
                    stop_not_placed(*o, 0, false,
                                    "its stop-loss " + o->id +
                                        " never reached the venue: absent from its order list "
                                        "after the placement's signature expired");
                out.push(report(*o, OT_REPORT_ACCEPTED, o->created_ms,
                                "held by the executor: placed again"));
                save();
                return true;
            }
            if (o) {
                o->stage = Stage::Done;
                o->venue_state = "absent";
                save();
            }
            return false;
        }
        if (!o) {
            LocalOrder adopted;
            adopted.id = client_order_id;
            adopted.uuid = uuid;
            adopted.symbol = symbol.empty() ? core_symbol(venue->symbol) : symbol;
            adopted.side = venue->side == "sell" ? OT_SIDE_SELL : OT_SIDE_BUY;
            adopted.legs_placed = true;
            o = &book_.add(adopted);
        }
    }
    // The whole story, replayed from a blank record; it replaces what was pending for the order.
    LocalOrder replay = *o;
    replay.fills.resize(replay.earlier_fills);
    replay.stage = Stage::Sending;
    std::vector<PendingReport> story;
    apply(replay, *venue, story);
    *o = std::move(replay);
    auto& outbox = book_.outbox();
    outbox.erase(std::remove_if(
                     outbox.begin(), outbox.end(),
                     [&](const PendingReport& r) { return r.client_order_id == client_order_id; }),
                 outbox.end());
    for (const PendingReport& r : story)
        out.push(r);
    save();
    return true;
}

void RobinhoodExecutor::open_orders(sdk::Reports& out) {
    for (const char* state : {"open", "partially_filled"}) {
        for (const json& row :
             rest_.get_all(std::string(kOrdersPath) + "?state=" + state, "open orders")) {
            VenueOrder v = VenueOrder::from_json(row);
            LocalOrder* o = book_.find_by_uuid(v.client_order_id);
            PendingReport r;
            r.client_order_id = o ? o->id : v.client_order_id;
            r.venue_order_id = v.id;
            r.symbol = o ? o->symbol : core_symbol(v.symbol);
            r.side = v.side == "sell" ? OT_SIDE_SELL : OT_SIDE_BUY;
            for (const Execution& e : v.executions)
                r.cum_qty += e.qty;
            r.time_ms = v.created_ms;
            out.push(r);
        }
    }
    for (LocalOrder* o : book_.all())
        if (o->stage == Stage::Held)
            out.push(report(*o, OT_REPORT_ACCEPTED, o->created_ms, "held by the executor"));
}

void RobinhoodExecutor::balances(sdk::Balances& out) {
    json account = rest_.get(kAccountsPath, "account");
    if (account.contains("results") && account["results"].is_array() && !account["results"].empty())
        account = account["results"][0];
    // Buying power excludes what open buys hold; the core compares free + locked with its cash.
    double locked = 0;
    for (LocalOrder* o : book_.all()) {
        if (o->side != OT_SIDE_BUY || (o->stage != Stage::Open && o->stage != Stage::Held))
            continue;
        double price = Decimal::parse(o->limit_price.empty() ? o->stop_price : o->limit_price)
                           .value_or(Decimal{})
                           .value();
        double qty = Decimal::parse(o->qty).value_or(Decimal{}).value();
        locked += std::max(0.0, qty - o->filled_qty()) * price;
    }
    out.push(currency_.c_str(), number_field(account, "buying_power").value_or(0), locked);
    for (const json& row : rest_.get_all("/api/v1/crypto/trading/holdings/", "holdings")) {
        const std::string asset = text_field(row, "asset_code");
        const double total = number_field(row, "total_quantity").value_or(0);
        const double available =
            number_field(row, "quantity_available_for_trading").value_or(total);
        if (asset.empty()) continue;
        out.push(asset.c_str(), available, std::max(0.0, total - available));
        for (const std::string& symbol : universe_) {
            auto it = pairs_.find(venue_symbol(symbol));
            if (it != pairs_.end() && it->second.asset_code == asset)
                out.push(symbol.c_str(), total);
        }
    }
}

}  // namespace orchestrade::plugins::robinhood
