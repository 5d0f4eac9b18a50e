#include "venue_state.hpp"

#include <orchestrade/sdk.hpp>

#include <nlohmann/json.hpp>

namespace orchestrade::plugins::mock {

NLOHMANN_JSON_SERIALIZE_ENUM(OrderStatus, {{OrderStatus::Open, "open"},
                                           {OrderStatus::Filled, "filled"},
                                           {OrderStatus::Canceled, "canceled"},
                                           {OrderStatus::Rejected, "rejected"},
                                           {OrderStatus::Expired, "expired"}})
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Fill, trade_id, qty, price, fee, time_ms)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(VenueOrder, client_order_id, venue_order_id, symbol, side, type,
                                   qty, limit_price, stop_price, created_ms, closed_ms,
                                   placed_after_ms, reserved_cash, status, text, fills)

void to_json(nlohmann::json& j, const Holding& h) {
    j = {{"qty", h.qty}, {"avg_price", h.avg_price}, {"funded_ms", h.funded_ms}};
}

void from_json(const nlohmann::json& j, Holding& h) {
    j.at("qty").get_to(h.qty);
    j.at("avg_price").get_to(h.avg_price);
    h.funded_ms = j.value("funded_ms", int64_t{0});  // absent from accounts saved before funding
}

NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(LastBar, open_time_ms, close)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(PendingReport, kind, client_order_id, venue_order_id, trade_id,
                                   symbol, side, qty, price, fee, cum_qty, time_ms, text)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(VenueState, currency, cash, next_venue_id, duplicate_submits,
                                   positions, last_bars, orders, outbox)

double VenueOrder::filled_qty() const {
    double sum = 0;
    for (const Fill& f : fills)
        sum += f.qty;
    return sum;
}

std::string to_json(const VenueState& state) {
    nlohmann::json j(state);
    j["starting_cash"] = state.starting_cash;
    return j.dump();
}

VenueState from_json(const std::string& text) {
    try {
        const nlohmann::json j = nlohmann::json::parse(text);
        VenueState state = j.get<VenueState>();
        state.starting_cash = j.value("starting_cash", 0.0);  // absent from older accounts
        return state;
    } catch (const nlohmann::json::exception& e) {
        throw sdk::Error(OT_E_INVALID_ARG,
                         std::string("mock: saved state is unreadable: ") + e.what());
    }
}

}  // namespace orchestrade::plugins::mock
