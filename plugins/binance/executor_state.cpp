#include "executor_state.hpp"

#include <nlohmann/json.hpp>

#include <stdexcept>

namespace orchestrade::plugins::binance {

NLOHMANN_JSON_SERIALIZE_ENUM(LegState, {{LegState::Open, "open"},
                                        {LegState::Filled, "filled"},
                                        {LegState::Canceled, "canceled"}})
NLOHMANN_JSON_SERIALIZE_ENUM(ProtectionState, {{ProtectionState::Pending, "pending"},
                                               {ProtectionState::Placing, "placing"},
                                               {ProtectionState::Active, "active"},
                                               {ProtectionState::Done, "done"},
                                               {ProtectionState::Failed, "failed"}})
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(TrackedOrder, client_id, symbol, side, market, requested_qty,
                                   sent_ms, acked, venue_id, reported_trades, reported_qty,
                                   stop_loss, take_profit)
// A leg saved before `sent` or its quantities existed loads as not sent and not filled.
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(Leg, client_id, stop_loss, market_exit, state,
                                                reported_trades, sent, reported_qty, filled_before)
// A protection saved before `restored` existed loads as never placed again.
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(Protection, entry_id, symbol, exit_side, qty,
                                                entry_qty, stop_loss, take_profit, state,
                                                placing_ms, done_ms, restored, legs)

void to_json(nlohmann::json& j, const ExecutorState& s) {
    j = {{"orders", s.orders},
         {"protections", s.protections},
         {"baseline", s.baseline},
         {"baseline_recorded", s.baseline_recorded},
         {"funding_since", s.funding_since},
         {"funding_cursor", s.funding_cursor}};
}

void from_json(const nlohmann::json& j, ExecutorState& s) {
    j.at("orders").get_to(s.orders);
    j.at("protections").get_to(s.protections);
    j.at("baseline").get_to(s.baseline);
    j.at("baseline_recorded").get_to(s.baseline_recorded);
    // A state saved before funding was reported has neither: counting starts now.
    s.funding_since = j.value("funding_since", int64_t{0});
    s.funding_cursor = j.value("funding_cursor", int64_t{0});
}

// "-s1".."-s99", then "-s0": with entry ids of up to 32 characters, within Binance's 36.
std::string venue_leg_id(const Protection& p, const Leg& leg) {
    if (p.restored == 0) return leg.client_id;
    return p.entry_id + (leg.stop_loss ? "-s" : "-t") + std::to_string(p.restored % 100);
}

std::string venue_list_id(const Protection& p) {
    return p.entry_id + (p.restored == 0 ? "-oco" : "-o" + std::to_string(p.restored % 100));
}

std::string to_json(const ExecutorState& state) {
    return nlohmann::json(state).dump();
}

ExecutorState state_from_json(const std::string& text) {
    try {
        return nlohmann::json::parse(text).get<ExecutorState>();
    } catch (const nlohmann::json::exception& e) {
        throw std::invalid_argument(std::string("saved executor state is unreadable: ") + e.what());
    }
}

}  // namespace orchestrade::plugins::binance
