#include "order_book.hpp"

#include <orchestrade/sdk.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>

namespace orchestrade::plugins::robinhood {

NLOHMANN_JSON_SERIALIZE_ENUM(Stage, {{Stage::Held, "held"},
                                     {Stage::Sending, "sending"},
                                     {Stage::Open, "open"},
                                     {Stage::Done, "done"}})
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Execution, price, qty, time_ms)
// Fields an order saved by an older version lacks (lifted_legs and later ones) load as defaults.
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(
    LocalOrder, id, uuid, parent, symbol, side, type, requested_qty, qty, limit_price, stop_price,
    unsent, stop_loss, take_profit, legs_placed, stage, triggered, cancel_requested, waiting_for,
    lifted_legs, legs_sold_before, sold_by_legs, throttled, restored, legs_owed, triggered_ms,
    announced, cancel_deferred, sold_by_exits, retry_at_ms, fit_to_holding, unprotected, released,
    venue_id, venue_state, created_ms, sent_ms, seq, fills, earlier_fills)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(PendingReport, kind, client_order_id, venue_order_id, trade_id,
                                   symbol, side, qty, price, cum_qty, time_ms, text)

double LocalOrder::filled_qty() const {
    double sum = 0;
    for (const Execution& e : fills)
        sum += e.qty;
    return sum;
}

LocalOrder* OrderBook::find(const std::string& id) {
    auto it = orders_.find(id);
    return it == orders_.end() ? nullptr : &it->second;
}

LocalOrder* OrderBook::find_by_uuid(const std::string& uuid) {
    for (auto& [id, o] : orders_)
        if (o.uuid == uuid) return &o;
    return nullptr;
}

LocalOrder& OrderBook::add(LocalOrder order) {
    order.seq = next_seq_++;
    std::string id = order.id;
    return orders_[id] = std::move(order);
}

std::vector<LocalOrder*> OrderBook::all() {
    std::vector<LocalOrder*> out;
    for (auto& [id, o] : orders_)
        out.push_back(&o);
    std::sort(out.begin(), out.end(), [](auto* a, auto* b) { return a->seq < b->seq; });
    return out;
}

std::vector<LocalOrder*> OrderBook::siblings(const LocalOrder& leg) {
    std::vector<LocalOrder*> out;
    if (!leg.is_leg()) return out;
    for (LocalOrder* o : all())
        if (o->parent == leg.parent && o->id != leg.id) out.push_back(o);
    return out;
}

void OrderBook::prune() {
    std::vector<LocalOrder*> done;
    for (LocalOrder* o : all())
        if (o->stage == Stage::Done) done.push_back(o);
    for (std::size_t i = 0; i + kKeepDone < done.size(); ++i) {
        std::string id = done[i]->id;
        orders_.erase(id);
    }
}

std::string OrderBook::to_json() const {
    nlohmann::json doc;
    doc["next_seq"] = next_seq_;
    doc["orders"] = nlohmann::json::array();
    for (const auto& [id, o] : orders_)
        doc["orders"].push_back(o);
    doc["outbox"] = outbox_;
    return doc.dump();
}

OrderBook OrderBook::from_json(const std::string& text) {
    try {
        nlohmann::json doc = nlohmann::json::parse(text);
        OrderBook book;
        book.next_seq_ = doc.at("next_seq").get<uint64_t>();
        for (const auto& row : doc.at("orders")) {
            LocalOrder o = row.get<LocalOrder>();
            if (!row.contains("announced")) {
                // Saved by a version that did not follow protection: a leg that reached the
                // venue was reported to the core, and a finished stop is not watched.
                o.announced = !o.venue_id.empty() || o.restored > 0;
                o.released = o.stage == Stage::Done;
            }
            std::string id = o.id;
            book.orders_.emplace(std::move(id), std::move(o));
        }
        book.outbox_ = doc.at("outbox").get<std::vector<PendingReport>>();
        return book;
    } catch (const nlohmann::json::exception& e) {
        throw sdk::Error(OT_E_INVALID_ARG,
                         std::string("robinhood: saved order state is unreadable: ") + e.what());
    }
}

}  // namespace orchestrade::plugins::robinhood
