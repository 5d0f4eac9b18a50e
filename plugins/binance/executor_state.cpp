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
                                               {ProtectionState::Watched, "watched"},
                                               {ProtectionState::Failed, "failed"}})
// An order saved before `lifted` existed loads as lifting nothing.
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(TrackedOrder, client_id, symbol, side, market,
                                                requested_qty, sent_ms, acked, venue_id,
                                                reported_trades, reported_qty, stop_loss,
                                                take_profit, lifted, lifted_legs)
// A leg saved before `sent`, its quantities or `resend` existed loads as not sent, not filled
// and not to be sent again.
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(Leg, client_id, stop_loss, market_exit, state,
                                                reported_trades, sent, reported_qty, filled_before,
                                                resend)
// A protection saved before `restored` or `refusals` existed loads as never placed again, and
// never refused.
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(Protection, entry_id, symbol, exit_side, qty,
                                                entry_qty, stop_loss, take_profit, state,
                                                placing_ms, done_ms, restored, refusals, retry_ms,
                                                legs)

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

namespace {

constexpr std::size_t kMaxClientIdSize = 36;  // Binance's client order id and list id limit

// 11 characters of A-Z a-z 0-9 that stand for an entry id too long to carry a counter: the same
// for every placement of its position, and a process that starts again finds the same.
std::string entry_digest(const std::string& entry_id) {
    uint64_t h = 14695981039346656037ULL;  // FNV-1a
    for (unsigned char c : entry_id) {
        h ^= c;
        h *= 1099511628211ULL;
    }
    static const char digits[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    std::string out;
    for (int i = 0; i < 11; ++i, h /= 62)
        out += digits[h % 62];
    return out;
}

// "<entry>-s<n>" for the n-th placement again; an entry id that leaves no room for the count
// within Binance's 36 characters gives way to its digest. A count never repeats, so neither
// does an id while the position lasts.
std::string placed_again_id(const Protection& p, char kind) {
    const std::string tail = std::string("-") + kind + std::to_string(p.restored);
    if (p.entry_id.size() + tail.size() <= kMaxClientIdSize) return p.entry_id + tail;
    return entry_digest(p.entry_id) + tail;
}

}  // namespace

std::string venue_leg_id(const Protection& p, const Leg& leg) {
    if (p.restored == 0) return leg.client_id;
    return placed_again_id(p, leg.stop_loss ? 's' : 't');
}

std::string venue_list_id(const Protection& p) {
    return p.restored == 0 ? p.entry_id + "-oco" : placed_again_id(p, 'o');
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
