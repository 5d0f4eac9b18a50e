// The executor's stop-loss and take-profit: placed once an entry has filled, watched until a leg
// fills (then the other is canceled), lifted before an exit (and placed again when Binance
// refuses the exit), and placed again when a placement's outcome was unknown and Binance never
// got it.
#include "binance_executor.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <set>

namespace orchestrade::plugins::binance {
namespace {

// A rejection meaning the level is already crossed: the stop must act now.
bool already_triggered(const ApiError& e) {
    return e.binance_code == -2021 || e.binance_code == -4142 ||
           e.binance_msg.find("would trigger immediately") != std::string::npos ||
           e.binance_msg.find("would immediately match") != std::string::npos ||
           e.binance_msg.find("relationship of the prices") != std::string::npos;
}

constexpr int64_t kKeepFinishedMs = 7 * 24 * 3600 * 1000LL;
// Backoff after a refusal that passes: 1 s, doubling up to a minute.
constexpr int64_t kRetryFirstMs = 1000;
constexpr int64_t kRetryMaxMs = 60 * 1000;
constexpr double kQtyTolerance = 1e-9;

// A leg for each level of the protection, none of them sent yet.
std::vector<Leg> fresh_legs(const Protection& p) {
    std::vector<Leg> legs;
    if (p.stop_loss != 0) legs.push_back({p.entry_id + "-sl", true, false, LegState::Open, {}});
    if (p.take_profit != 0) legs.push_back({p.entry_id + "-tp", false, false, LegState::Open, {}});
    return legs;
}

// Fresh legs under the same client ids for the core, whose cumulative quantities go on from what
// the old ones sold.
std::vector<Leg> renewed_legs(const Protection& p) {
    std::vector<Leg> legs = fresh_legs(p);
    for (Leg& leg : legs)
        for (const Leg& old : p.legs)
            if (old.client_id == leg.client_id) {
                leg.reported_trades = old.reported_trades;
                leg.reported_qty = leg.filled_before = old.reported_qty;
            }
    return legs;
}

// What the legs sold since they were last placed.
double sold_since_placed(const Protection& p) {
    double sold = 0;
    for (const Leg& leg : p.legs)
        sold += leg.reported_qty - leg.filled_before;
    return sold;
}

// Placed for the rest of a position its take-profit sold in part: at the price that filled it,
// the target may now be refused.
bool rest_of_partly_filled_target(const Protection& p) {
    return p.legs.size() == 2 && p.legs[1].filled_before > 0;
}

// The levels of a protection that `price`, the one its legs trigger on, has crossed: only a level
// it has counts.
struct CrossedLevels {
    bool stop_loss = false, take_profit = false;
};

CrossedLevels crossed_at(const Protection& p, double price) {
    const bool long_position = p.exit_side == OT_SIDE_SELL;
    CrossedLevels c;
    c.stop_loss = p.stop_loss != 0 && (long_position ? price <= p.stop_loss : price >= p.stop_loss);
    c.take_profit =
        p.take_profit != 0 && (long_position ? price >= p.take_profit : price <= p.take_profit);
    return c;
}

// "stop-loss 39000 and take-profit 42000", of the levels it has.
std::string levels_text(const Protection& p) {
    std::string text;
    if (p.stop_loss != 0) text = "stop-loss " + number_text(p.stop_loss);
    if (p.take_profit != 0)
        text += (text.empty() ? "" : " and ") + std::string("take-profit ") +
                number_text(p.take_profit);
    return text;
}

}  // namespace

void BinanceExecutor::finish(Protection& p) {
    p.state = ProtectionState::Done;
    p.done_ms = host().now_ms();
}

void BinanceExecutor::announce_legs(const Protection& p, std::vector<sdk::Report>& out) const {
    for (const Leg& leg : p.legs)
        out.push_back({OT_REPORT_ACCEPTED, leg.client_id, "", "", p.symbol, p.exit_side, p.qty,
                       leg.stop_loss ? p.stop_loss : p.take_profit, 0, 0, host().now_ms(), ""});
}

void BinanceExecutor::protect(const TrackedOrder& entry) {
    Protection p;
    p.entry_id = entry.client_id;
    p.symbol = entry.symbol;
    p.exit_side = entry.side == OT_SIDE_BUY ? OT_SIDE_SELL : OT_SIDE_BUY;
    p.qty = entry.reported_qty;
    p.entry_qty = entry.requested_qty;
    p.stop_loss = entry.stop_loss;
    p.take_profit = entry.take_profit;
    p.legs = fresh_legs(p);
    state_.protections[entry.client_id] = std::move(p);
}

void BinanceExecutor::protect_again(std::vector<Protection>& lifted, const std::string& what) {
    for (Protection& p : lifted) {
        // The core is not told the legs were canceled: for it they rest on, under their ids.
        std::set<std::string> legs;
        for (const Leg& leg : p.legs)
            legs.insert(leg.client_id);
        outbox_.erase(std::remove_if(outbox_.begin(), outbox_.end(),
                                     [&](const sdk::Report& r) {
                                         return r.kind == OT_REPORT_CANCELED &&
                                                legs.count(r.client_order_id);
                                     }),
                      outbox_.end());
        ++p.restored;
        p.legs = renewed_legs(p);
        p.state = ProtectionState::Pending;
        p.placing_ms = p.done_ms = 0;
        Protection& again = state_.protections[p.entry_id] = std::move(p);
        const std::string position =
            what + ": the " + again.symbol + " position of " + again.entry_id;
        try {
            place(again, outbox_);
        } catch (const sdk::Error& e) {
            host().error("binance: " + position +
                         " is NOT protected: placing its stop-loss/take-profit again failed: " +
                         e.what() + " (tried again next poll)");
            continue;
        }
        // Watched, Failed or Pending (a refusal that passes): place() has said loudly that the
        // position is not protected at Binance.
        if (again.state != ProtectionState::Watched && again.state != ProtectionState::Failed &&
            again.state != ProtectionState::Pending)
            host().warn("binance: " + position +
                        " is protected again by its stop-loss/take-profit");
    }
    save();
}

void BinanceExecutor::hold_lifted(TrackedOrder& exit, const std::vector<Protection>& lifted) {
    std::set<std::string> legs;
    for (const Protection& p : lifted) {
        exit.lifted.push_back(p.entry_id);
        for (const Leg& leg : p.legs)
            legs.insert(leg.client_id);
    }
    auto held = std::stable_partition(outbox_.begin(), outbox_.end(), [&](const sdk::Report& r) {
        return r.kind != OT_REPORT_CANCELED || !legs.count(r.client_order_id);
    });
    for (auto it = held; it != outbox_.end(); ++it)
        exit.lifted_legs.push_back(it->client_order_id);
    outbox_.erase(held, outbox_.end());
}

void BinanceExecutor::share_lifted(TrackedOrder& exit) {
    for (const auto& [id, other] : state_.orders) {
        if (&other == &exit || other.symbol != exit.symbol) continue;
        for (const std::string& entry : other.lifted)
            if (!std::count(exit.lifted.begin(), exit.lifted.end(), entry))
                exit.lifted.push_back(entry);
    }
}

bool BinanceExecutor::pass_on(TrackedOrder& exit, const Protection& p) {
    for (auto& [id, other] : state_.orders) {
        if (&other == &exit || !std::count(other.lifted.begin(), other.lifted.end(), p.entry_id))
            continue;
        for (const Leg& leg : p.legs)
            if (std::count(exit.lifted_legs.begin(), exit.lifted_legs.end(), leg.client_id) &&
                !std::count(other.lifted_legs.begin(), other.lifted_legs.end(), leg.client_id))
                other.lifted_legs.push_back(leg.client_id);
        return true;
    }
    return false;
}

void BinanceExecutor::settle_lifted(TrackedOrder& exit) {
    if (exit.lifted.empty()) return;
    std::vector<Protection> lifted;
    for (const std::string& entry : exit.lifted) {
        auto it = state_.protections.find(entry);
        if (it != state_.protections.end() && !pass_on(exit, it->second))
            lifted.push_back(it->second);
    }
    exit.lifted.clear();
    exit.lifted_legs.clear();
    protect_again(lifted, "exit " + exit.client_id + " never reached Binance");
}

void BinanceExecutor::exit_over(TrackedOrder& exit, std::vector<sdk::Report>& out) {
    if (exit.lifted.empty()) return;
    double sold = exit.reported_qty;
    std::vector<Protection> held;
    for (const std::string& entry : exit.lifted) {
        auto it = state_.protections.find(entry);
        if (it == state_.protections.end()) continue;
        const double part = std::min(it->second.qty, sold);
        sold -= part;
        it->second.qty -= part;  // what is held, for an exit still open that holds it too
        if (pass_on(exit, it->second)) continue;
        Protection p = it->second;
        if (placeable(p)) {
            held.push_back(std::move(p));
            continue;
        }
        for (const Leg& leg : p.legs)
            if (std::count(exit.lifted_legs.begin(), exit.lifted_legs.end(), leg.client_id))
                out.push_back({OT_REPORT_CANCELED, leg.client_id, "", "", p.symbol, p.exit_side,
                               p.qty + part, 0, 0, leg.reported_qty, host().now_ms(),
                               "canceled: the position is closed by " + exit.client_id});
    }
    exit.lifted.clear();
    exit.lifted_legs.clear();
    protect_again(held, "exit " + exit.client_id + " left part of the position held");
}

bool BinanceExecutor::placeable(const Protection& p) const {
    try {
        rules_.at(venue_symbol(p.symbol)).quantity(p.qty, false);
        return true;
    } catch (const sdk::Error&) {  // nothing left, or less than Binance takes
        return false;
    }
}

const TrackedOrder* BinanceExecutor::lifted_by(const std::string& entry_id) const {
    for (const auto& [id, t] : state_.orders)
        if (std::count(t.lifted.begin(), t.lifted.end(), entry_id)) return &t;
    return nullptr;
}

ProtectionOrder BinanceExecutor::placed_legs(const Protection& p) const {
    ProtectionOrder po;
    po.symbol = venue_symbol(p.symbol);
    po.exit_side = side_name(p.exit_side);
    if (p.stop_loss != 0) po.stop_loss = Decimal::from_double(p.stop_loss, 8);
    if (p.take_profit != 0) po.take_profit = Decimal::from_double(p.take_profit, 8);
    po.list_id = venue_list_id(p);
    for (const Leg& leg : p.legs)
        (leg.stop_loss ? po.sl_id : po.tp_id) = venue_leg_id(p, leg);
    return po;
}

ProtectionOrder BinanceExecutor::protection_order(const Protection& p) const {
    const SymbolRules& r = rules_.at(venue_symbol(p.symbol));
    ProtectionOrder po;
    po.symbol = r.symbol;
    po.exit_side = side_name(p.exit_side);
    if (market_ == Market::Spot) po.qty = r.quantity(p.qty, false);
    if (p.stop_loss != 0) po.stop_loss = r.price(p.stop_loss, Rounding::Nearest);
    if (p.take_profit != 0) po.take_profit = r.price(p.take_profit, Rounding::Nearest);
    po.list_id = venue_list_id(p);
    for (const Leg& leg : p.legs)
        (leg.stop_loss ? po.sl_id : po.tp_id) = venue_leg_id(p, leg);
    return po;
}

void BinanceExecutor::unprotected(Protection& p, const std::string& why) {
    p.state = ProtectionState::Failed;
    host().error("binance: the " + p.symbol + " position of " + p.entry_id +
                 " is NOT protected: its stop-loss/take-profit was refused: " + why);
    host().journal("binance_protection_failed", nlohmann::json{{"entry", p.entry_id},
                                                               {"symbol", p.symbol},
                                                               {"stop_loss", p.stop_loss},
                                                               {"take_profit", p.take_profit},
                                                               {"reason", why}}
                                                    .dump());
}

void BinanceExecutor::watch_instead(Protection& p, const std::string& why) {
    try {
        rules_.at(venue_symbol(p.symbol)).quantity(p.qty, true);
    } catch (const sdk::Error& e) {  // dust: its market exit would be refused too
        unprotected(p, why + "; no market order can sell it either (" + e.what() + ")");
        return;
    }
    p.state = ProtectionState::Watched;
    host().error("binance: the " + p.symbol + " position of " + p.entry_id +
                 " is NOT protected at Binance: its stop-loss/take-profit was refused: " + why +
                 "; the executor watches its " + levels_text(p) +
                 " itself instead and sends a market exit once one is crossed, checked at each "
                 "poll only");
    host().journal("binance_protection_failed", nlohmann::json{{"entry", p.entry_id},
                                                               {"symbol", p.symbol},
                                                               {"stop_loss", p.stop_loss},
                                                               {"take_profit", p.take_profit},
                                                               {"reason", why},
                                                               {"watched_by", "executor"}}
                                                    .dump());
}

void BinanceExecutor::watch_levels(Protection& p, std::map<std::string, double>& prices,
                                   std::vector<sdk::Report>& out) {
    const std::string symbol = venue_symbol(p.symbol);
    auto price = prices.find(symbol);
    if (price == prices.end()) price = prices.emplace(symbol, venue_->trigger_price(symbol)).first;
    const CrossedLevels crossed = crossed_at(p, price->second);
    if (crossed.stop_loss || crossed.take_profit) exit_now(p, crossed.stop_loss, out);
}

bool BinanceExecutor::back_off(Protection& p) {
    const int64_t wait = std::min(kRetryFirstMs << std::min(p.refusals, 6), kRetryMaxMs);
    p.retry_ms = host().now_ms() + wait;
    return p.refusals++ == 0;
}

void BinanceExecutor::retry_later(Protection& p, const std::string& why) {
    p.state = ProtectionState::Pending;
    if (back_off(p))
        host().error("binance: the " + p.symbol + " position of " + p.entry_id +
                     " is NOT protected: Binance refused its stop-loss/take-profit for now (" +
                     why + "); tried again until it rests");
    else
        host().debug("binance: stop-loss/take-profit of " + p.entry_id + " refused again (" + why +
                     ")");
}

void BinanceExecutor::advance_protections(std::vector<sdk::Report>& out) {
    const int64_t now = host().now_ms();
    std::map<std::string, double> trigger_prices;
    for (auto& [id, p] : state_.protections) {
        // Delisted: Binance has no market, nor orders, for it any more.
        auto rules = rules_.find(venue_symbol(p.symbol));
        if (rules != rules_.end() && rules->second.status == kNotListed) continue;
        try {
            if (p.state == ProtectionState::Placing) resolve_placing(p, out);
            if (p.state == ProtectionState::Pending) {
                if (now >= p.retry_ms) place(p, out);
            } else if (p.state == ProtectionState::Active) {
                check_legs(p, out);
            } else if (p.state == ProtectionState::Watched) {
                watch_levels(p, trigger_prices, out);
            }
        } catch (const sdk::Error& e) {
            if (e.code() == OT_E_RATE_LIMIT) break;
            host().warn("binance: stop-loss/take-profit of " + id + ": " + e.what() +
                        " (tried again next poll)");
        }
    }
    for (auto it = state_.protections.begin(); it != state_.protections.end();) {
        const Protection& p = it->second;
        bool over = p.state == ProtectionState::Failed ||
                    (p.state == ProtectionState::Done && now - p.done_ms > kKeepFinishedMs);
        it = over ? state_.protections.erase(it) : std::next(it);
    }
}

void BinanceExecutor::place(Protection& p, std::vector<sdk::Report>& out) {
    ProtectionOrder po;
    try {
        po = protection_order(p);
    } catch (const sdk::Error& e) {
        watch_instead(p, e.what());
        return;
    }
    p.state = ProtectionState::Placing;
    p.placing_ms = host().now_ms();
    for (Leg& leg : p.legs)  // what an earlier try sent is past its recvWindow
        leg.sent = false;
    save();
    try {
        with_current_rules(p.symbol, [&](bool again) {
            if (again) po = protection_order(p);  // the same levels on the new tick and step
            venue_->place_protection(po, [&](const std::string& leg_id) { sending(p, leg_id); });
        });
        p.state = ProtectionState::Active;
        announce_legs(p, out);
        std::string what;
        if (po.stop_loss) what += "stop-loss " + po.stop_loss->str();
        if (po.take_profit)
            what +=
                (what.empty() ? "" : " and ") + std::string("take-profit ") + po.take_profit->str();
        const std::string rest =
            "binance: " + what + " rest at Binance for " + p.entry_id + " (" + p.symbol + ")";
        if (p.refusals > 0)
            host().warn(rest + ": the position is protected again");
        else
            host().info(rest);
        p.refusals = 0;
        p.retry_ms = 0;
    } catch (const ApiError& e) {
        if (e.code() == OT_E_AMBIGUOUS) {
            lost(p);
            host().warn("binance: stop-loss/take-profit of " + p.entry_id + ": outcome unknown (" +
                        e.what() + "), checked next poll");
            return;
        }
        if (e.code() == OT_E_RATE_LIMIT) {
            p.state = ProtectionState::Pending;
            throw;
        }
        if (is_transient_refusal(e)) {
            retry_later(p, e.what());
            return;
        }
        // The list's id is in use: a try whose answer was lost may have placed it after all.
        if (market_ == Market::Spot && po.stop_loss && po.take_profit && is_duplicate(e)) {
            adopt_list(p, po, e.what(), out);
            return;
        }
        if (rest_of_partly_filled_target(p)) {
            protect_by_stop_alone(p, e.what(), out);
            return;
        }
        if (!already_triggered(e)) {
            if (!keep_stop(p, e.what(), out)) watch_instead(p, e.what());
            return;
        }
        // Only a level that exists and that the price the legs trigger on has crossed is acted on.
        const double price = venue_->trigger_price(venue_symbol(p.symbol));
        const CrossedLevels crossed = crossed_at(p, price);
        if (crossed.stop_loss || crossed.take_profit)
            exit_now(p, crossed.stop_loss, out);
        else  // the price moved back since, or Binance sees another one: placed again
            retry_later(p, std::string(e.what()) + ", yet neither level is crossed at " +
                               number_text(price));
    } catch (const sdk::Error& e) {
        if (e.code() == OT_E_IO) {  // still Placing: looked up by client id next poll
            lost(p);
            return;
        }
        p.state = ProtectionState::Pending;
        throw;
    }
}

void BinanceExecutor::adopt_list(Protection& p, const ProtectionOrder& po, const std::string& why,
                                 std::vector<sdk::Report>& out) {
    p.state = ProtectionState::Pending;  // should the look-up fail: placed, and looked up, again
    const std::optional<VenueOrderList> list = venue_->order_list(po.list_id);
    if (!list) {
        watch_instead(p, why + "; Binance has no order list " + po.list_id);
        return;
    }
    const std::set<std::string> legs{po.sl_id, po.tp_id};
    if (list->symbol != po.symbol ||
        std::set<std::string>(list->client_ids.begin(), list->client_ids.end()) != legs) {
        std::string orders;
        for (const std::string& id : list->client_ids)
            orders += (orders.empty() ? "" : ", ") + id;
        watch_instead(p, why + "; the order list " + po.list_id + " at Binance is another one (" +
                             list->symbol + ": " + orders + ")");
        return;
    }
    for (Leg& leg : p.legs)
        leg.sent = true;
    p.state = ProtectionState::Active;
    announce_legs(p, out);
    host().info("binance: the order list " + po.list_id + " of " + p.entry_id +
                " is at Binance already (" + why + "): its stop-loss " + po.stop_loss->str() +
                " and take-profit " + po.take_profit->str() + " are watched");
}

bool BinanceExecutor::keep_stop(Protection& p, const std::string& why,
                                std::vector<sdk::Report>& out) {
    // On usdm the stop goes before the target: a refused target may leave it resting, and
    // unwatched its closePosition would close a later position. It is the protection now.
    if (market_ != Market::UsdM || p.legs.size() != 2 ||
        !venue_->query_leg(venue_symbol(p.symbol), venue_leg_id(p, p.legs[0])))
        return false;
    host().error("binance: the take-profit " + number_text(p.take_profit) + " of " + p.entry_id +
                 " was refused: " + why + "; the " + p.symbol +
                 " position is protected by its stop-loss " + number_text(p.stop_loss) + " only");
    host().journal("binance_protection_failed", nlohmann::json{{"entry", p.entry_id},
                                                               {"symbol", p.symbol},
                                                               {"stop_loss", p.stop_loss},
                                                               {"take_profit", p.take_profit},
                                                               {"reason", why},
                                                               {"resting", "stop_loss"}}
                                                    .dump());
    p.take_profit = 0;
    p.legs.pop_back();
    p.state = ProtectionState::Active;
    announce_legs(p, out);
    return true;
}

void BinanceExecutor::protect_by_stop_alone(Protection& p, const std::string& why,
                                            std::vector<sdk::Report>& out) {
    host().warn("binance: the take-profit " + number_text(p.take_profit) + " for the rest of the " +
                p.symbol + " position of " + p.entry_id + " was refused (" + why +
                "): the rest is protected by its stop-loss " + number_text(p.stop_loss) + " only");
    const Leg& target = p.legs.back();
    out.push_back({OT_REPORT_EXPIRED, target.client_id, "", "", p.symbol, p.exit_side, p.entry_qty,
                   p.take_profit, 0, target.reported_qty, host().now_ms(),
                   "done at Binance: sold " + number_text(target.reported_qty) +
                       ", the rest of the position is protected by the stop-loss only"});
    p.take_profit = 0;
    p.legs.pop_back();
    place(p, out);
}

std::optional<VenueOrder> BinanceExecutor::target_sold_in_part(
    Protection& p, const std::map<std::string, VenueOrder>& resting) {
    if (market_ != Market::Spot || p.legs.size() != 2) return std::nullopt;
    const Leg& stop = p.legs[0];
    const Leg& target = p.legs[1];
    if (stop.state != LegState::Open || target.state != LegState::Open || stop.market_exit ||
        target.market_exit || resting.count(venue_leg_id(p, stop)))
        return std::nullopt;
    auto rest = resting.find(venue_leg_id(p, target));
    if (rest != resting.end())
        return rest->second.executed_qty > 0 ? std::optional<VenueOrder>(rest->second)
                                             : std::nullopt;
    // Over already: a try to protect the rest canceled the list, then failed (or the process
    // stopped) before the new one was placed. What it sold is not a filled leg.
    std::optional<VenueOrder> v =
        venue_->query_leg(venue_symbol(p.symbol), venue_leg_id(p, target));
    return v && sold_in_part(*v) ? v : std::nullopt;
}

void BinanceExecutor::protect_rest(Protection& p, VenueOrder target_order,
                                   std::vector<sdk::Report>& out) {
    Leg& target = p.legs[1];
    if (!is_final(target_order.status)) {
        venue_->cancel_protection(placed_legs(p));
        std::optional<VenueOrder> v =
            venue_->query_leg(venue_symbol(p.symbol), venue_leg_id(p, target));
        if (!v) return;
        target_order = *v;
    }
    report_leg_trades(p, target, trades_of(target_order), false, out);
    // Sold in full before the cancel (settled as a filled leg), or not over yet: next poll.
    if (!is_final(target_order.status) || target_order.status == VenueStatus::Filled) return;
    const double sold = sold_since_placed(p);
    host().info("binance: the take-profit of " + p.entry_id + " sold " + number_text(sold) +
                " of " + number_text(p.qty) + " " + p.symbol +
                " and Binance expired its stop-loss: the rest is protected again");
    p.qty -= sold;
    p.legs = renewed_legs(p);
    ++p.restored;
    p.state = ProtectionState::Pending;
    place(p, out);
}

void BinanceExecutor::sending(Protection& p, const std::string& leg_id) {
    for (Leg& leg : p.legs)
        if (venue_leg_id(p, leg) == leg_id) leg.sent = true;
    save();
}

void BinanceExecutor::lost(Protection& p) {
    // A clock re-sync, a -1021 retry or the stop's round trip before the target may have signed
    // the last request seconds after the placement began: Binance may take it until a
    // recvWindow from now.
    p.placing_ms = host().now_ms();
}

void BinanceExecutor::exit_now(Protection& p, bool stop_loss, std::vector<sdk::Report>& out) {
    const std::string what = stop_loss ? "stop-loss" : "take-profit";
    const double level = stop_loss ? p.stop_loss : p.take_profit;
    host().warn("binance: the " + what + " " + number_text(level) + " of " + p.entry_id +
                " is already crossed: closing the " + p.symbol + " position with a market order");
    // Futures legs go one by one: a stop placed before the target was refused would outlive
    // the position, and its closePosition would close the next one.
    venue_->cancel_protection(placed_legs(p));
    p.legs = {{p.entry_id + (stop_loss ? "-sl" : "-tp"), stop_loss, true, LegState::Open, {}}};
    p.state = ProtectionState::Active;
    p.refusals = 0;
    announce_legs(p, out);
    send_exit(p, out);
}

void BinanceExecutor::send_exit(Protection& p, std::vector<sdk::Report>& out) {
    Leg& leg = p.legs[0];
    leg.resend = false;
    p.placing_ms = host().now_ms();
    save();
    const SymbolRules& r = rules_.at(venue_symbol(p.symbol));
    NewOrder n;
    n.symbol = r.symbol;
    n.side = side_name(p.exit_side);
    n.client_id = venue_leg_id(p, leg);
    n.reduce_only = market_ == Market::UsdM;
    try {
        Placed placed;
        with_current_rules(p.symbol, [&](bool) {
            n.qty = r.quantity(p.qty, true);  // r is updated in place when the rules change
            placed = venue_->place(n);
        });
        p.refusals = 0;
        leg_report(p, leg, placed.order, false, out);
        if (leg.state == LegState::Filled) finish(p);
    } catch (const sdk::Error& e) {
        if (e.code() == OT_E_IO || e.code() == OT_E_AMBIGUOUS) {  // checked next poll
            lost(p);
            return;
        }
        const auto* api = dynamic_cast<const ApiError*>(&e);
        // Not taken by Binance, for now: the same order goes again later, under the same id.
        if (e.code() == OT_E_RATE_LIMIT || (api && is_transient_refusal(*api))) {
            leg.resend = true;
            if (back_off(p))
                host().error("binance: the " + p.symbol + " position of " + p.entry_id +
                             " is NOT protected: the market exit " + leg.client_id +
                             " for its crossed level was refused for now (" + e.what() +
                             "); sent again until it goes through");
            return;
        }
        leg.state = LegState::Canceled;
        out.push_back(
            {OT_REPORT_REJECTED, leg.client_id, "", "", p.symbol, p.exit_side, p.qty, 0, 0,
             leg.reported_qty, host().now_ms(),
             std::string("the market exit for the crossed level was refused: ") + e.what()});
        unprotected(p, "the market exit was refused too: " + std::string(e.what()));
    }
}

void BinanceExecutor::resolve_placing(Protection& p, std::vector<sdk::Report>& out) {
    const std::string symbol = venue_symbol(p.symbol);
    std::size_t found = 0;
    for (const Leg& leg : p.legs)
        if (venue_->query_leg(symbol, venue_leg_id(p, leg))) ++found;
    if (found == p.legs.size()) {
        p.state = ProtectionState::Active;
        announce_legs(p, out);
    }
    // What is missing never arrived: placing again is safe, a resting leg refuses its duplicate.
    else if (!in_grace(p.placing_ms))
        p.state = ProtectionState::Pending;
}

double BinanceExecutor::report_leg_trades(Protection& p, Leg& leg,
                                          const std::vector<VenueTrade>& trades, bool replay,
                                          std::vector<sdk::Report>& out) {
    double cum = leg.filled_before;
    for (const VenueTrade& t : trades) {
        cum += fill_qty(p.symbol, p.exit_side, t);
        if (!replay && leg.reported_trades.count(t.id)) continue;
        leg.reported_trades.insert(t.id);
        out.push_back(fill_report(leg.client_id, p.symbol, p.exit_side, t, cum));
    }
    leg.reported_qty = cum;
    return cum;
}

void BinanceExecutor::report_resting_fills(Protection& p, Leg& leg, const VenueOrder& v,
                                           std::vector<sdk::Report>& out) {
    const double reported = leg.reported_qty - leg.filled_before;  // of this order
    if (v.executed_qty > reported * (1 + kQtyTolerance))
        report_leg_trades(p, leg, trades_of(v), false, out);
}

bool BinanceExecutor::leg_report(Protection& p, Leg& leg, const VenueOrder& v, bool replay,
                                 std::vector<sdk::Report>& out) {
    std::vector<VenueTrade> trades;
    bool executed =
        v.executed_qty > 0 || v.status == VenueStatus::Filled || v.status == VenueStatus::Triggered;
    if (executed && !v.venue_id.empty()) trades = venue_->trades(v.symbol, v.venue_id);
    if (replay && !is_final(v.status) && v.status != VenueStatus::Triggered)
        out.push_back({OT_REPORT_ACCEPTED, leg.client_id, v.venue_id, "", p.symbol, p.exit_side,
                       p.qty, v.price, 0, 0, v.time_ms, ""});
    const double cum = report_leg_trades(p, leg, trades, replay, out);
    if (!is_final(v.status)) return false;
    if (!trades.empty()) {
        const bool newly = leg.state != LegState::Filled;
        leg.state = LegState::Filled;
        if (newly)
            host().info("binance: the " + std::string(leg.stop_loss ? "stop-loss" : "take-profit") +
                        " of " + p.entry_id + " filled " + number_text(cum) + " " + p.symbol);
        // The core's leg is as large as its entry order: say it is over when it sold less.
        if ((newly || replay) && cum < p.entry_qty * (1 - 1e-9))
            out.push_back({OT_REPORT_EXPIRED, leg.client_id, v.venue_id, "", p.symbol, p.exit_side,
                           p.entry_qty, v.price, 0, cum, v.time_ms,
                           "done at Binance: sold " + number_text(cum) + ", the position held"});
        return true;
    }
    if (v.status == VenueStatus::Filled) return false;  // its trades are not listed yet
    leg.state = LegState::Canceled;
    out.push_back({OT_REPORT_CANCELED, leg.client_id, v.venue_id, "", p.symbol, p.exit_side, p.qty,
                   v.price, 0, 0, v.time_ms, "canceled at Binance"});
    return true;
}

void BinanceExecutor::check_legs(Protection& p, std::vector<sdk::Report>& out) {
    const std::string symbol = venue_symbol(p.symbol);
    const std::map<std::string, VenueOrder> resting = venue_->open_legs(symbol);
    if (std::optional<VenueOrder> target = target_sold_in_part(p, resting)) {
        protect_rest(p, *target, out);
        return;
    }
    bool filled = false, settled = true;
    for (Leg& leg : p.legs) {
        if (leg.state != LegState::Open) {
            filled |= leg.state == LegState::Filled;
            continue;
        }
        if (leg.resend) {
            if (host().now_ms() >= p.retry_ms) send_exit(p, out);
            if (p.state != ProtectionState::Active) return;  // filled, or refused for good
            settled = false;
            continue;
        }
        const std::string id = venue_leg_id(p, leg);
        auto rest = resting.find(id);
        if (!leg.market_exit && rest != resting.end()) {
            report_resting_fills(p, leg, rest->second, out);
            settled = false;
            continue;
        }
        std::optional<VenueOrder> v =
            leg.market_exit ? venue_->query(symbol, id) : venue_->query_leg(symbol, id);
        if (!v) {
            // A market exit whose answer was lost may still reach Binance in its recvWindow.
            if (leg.market_exit && in_grace(p.placing_ms)) {
                settled = false;
                continue;
            }
            // Past its recvWindow it can no longer arrive: the position is still held.
            if (leg.market_exit) {
                send_exit(p, out);
                if (p.state != ProtectionState::Active) return;
                settled = false;
                continue;
            }
            leg.state = LegState::Canceled;
            out.push_back({OT_REPORT_CANCELED, leg.client_id, "", "", p.symbol, p.exit_side, p.qty,
                           0, 0, 0, host().now_ms(), "no longer at Binance"});
            continue;
        }
        if (!leg_report(p, leg, *v, false, out)) settled = false;
        filled |= leg.state == LegState::Filled;
    }
    if (filled) {
        venue_->cancel_protection(placed_legs(p));  // what still rests of the other leg
        for (Leg& leg : p.legs) {
            if (leg.state != LegState::Open) continue;
            leg.state = LegState::Canceled;
            out.push_back({OT_REPORT_CANCELED, leg.client_id, "", "", p.symbol, p.exit_side, p.qty,
                           0, 0, 0, host().now_ms(), "canceled: the other leg filled"});
        }
        finish(p);
    } else if (settled) {
        finish(p);
        host().warn("binance: the stop-loss/take-profit of " + p.entry_id +
                    " was canceled outside this bot: the " + p.symbol +
                    " position is not protected");
    }
}

const Leg* BinanceExecutor::in_flight(const Protection& p) {
    if (!in_grace(p.placing_ms)) return nullptr;
    const std::string symbol = venue_symbol(p.symbol);
    // On usdm the legs go out one after the other: a target whose answer was lost may land
    // after the stop was found, and one after a lost stop was never sent.
    if (p.state == ProtectionState::Placing) {
        for (const Leg& leg : p.legs)
            if (leg.sent && !venue_->query_leg(symbol, venue_leg_id(p, leg))) return &leg;
        return nullptr;
    }
    if (p.state != ProtectionState::Active) return nullptr;
    for (const Leg& leg : p.legs)
        if (leg.market_exit && leg.state == LegState::Open && !leg.resend &&
            !venue_->query(symbol, venue_leg_id(p, leg)))
            return &leg;
    return nullptr;
}

double BinanceExecutor::lift_protections(const std::string& symbol, const std::string& exit_id,
                                         std::vector<Protection>& lifted) {
    const std::string vs = venue_symbol(symbol);
    double sold_unreported = 0;
    // Before anything is canceled: an exit sent while a lost request may still reach Binance
    // could execute as well as it.
    for (const auto& [id, p] : state_.protections)
        if (p.symbol == symbol)
            if (const Leg* leg = in_flight(p))
                reject("not sent: the answer to " + leg->client_id + " (stop-loss/take-profit of " +
                       id +
                       ") was lost and Binance may still execute it within its "
                       "recvWindow; an exit now could execute as well");
    for (auto& [id, p] : state_.protections) {
        if (p.symbol != symbol || p.state == ProtectionState::Done) continue;
        // Never tried, or refused and watched by the executor: nothing of it rests. Tried and to
        // be tried again (a rate limit) or refused, a leg may rest from that try (on usdm, the
        // stop before a refused target): canceled too.
        if (p.state == ProtectionState::Watched ||
            ((p.state == ProtectionState::Pending || p.state == ProtectionState::Failed) &&
             p.placing_ms == 0)) {
            if (p.state != ProtectionState::Failed) lifted.push_back(p);
            finish(p);
            continue;
        }
        const bool failed = p.state == ProtectionState::Failed;
        const bool announced = p.state == ProtectionState::Active;
        venue_->cancel_protection(placed_legs(p));
        bool filled = false;
        for (Leg& leg : p.legs) {
            if (leg.state != LegState::Open) {
                filled |= leg.state == LegState::Filled;
                continue;
            }
            const std::string leg_id = venue_leg_id(p, leg);
            std::optional<VenueOrder> v =
                leg.market_exit ? venue_->query(vs, leg_id) : venue_->query_leg(vs, leg_id);
            if (v && sold_in_part(*v)) {
                const double reported = leg.reported_qty;
                report_leg_trades(p, leg, trades_of(*v), false, outbox_);
                sold_unreported += leg.reported_qty - reported;
            } else if (v) {
                leg_report(p, leg, *v, false, outbox_);
            }
            filled |= leg.state == LegState::Filled;
            if (leg.state != LegState::Open) continue;
            leg.state = LegState::Canceled;
            if (!v && !announced) continue;  // never reached Binance: nothing to tell
            outbox_.push_back({OT_REPORT_CANCELED, leg.client_id, "", "", symbol, p.exit_side,
                               p.qty, 0, 0, leg.reported_qty, host().now_ms(),
                               "canceled: the position is closed by " + exit_id});
        }
        finish(p);
        if (filled) {
            save();
            reject("not sent: the stop-loss/take-profit of " + id + " already closed the position");
        }
        p.qty -= sold_since_placed(p);  // what is still held, should the exit be refused
        if (!failed) lifted.push_back(p);
    }
    save();
    return sold_unreported;
}

bool BinanceExecutor::sold_in_part(const VenueOrder& v) const {
    return market_ == Market::Spot && is_final(v.status) && v.status != VenueStatus::Filled &&
           v.executed_qty > 0;
}

Protection* BinanceExecutor::protection_of_leg(const std::string& client_id, Leg** leg) {
    for (auto& [id, p] : state_.protections)
        for (Leg& l : p.legs)
            if (l.client_id == client_id) {
                *leg = &l;
                return &p;
            }
    return nullptr;
}

}  // namespace orchestrade::plugins::binance
