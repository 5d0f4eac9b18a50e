#include <orchestrade/core/types.hpp>

#include <array>
#include <ctime>
#include <utility>

namespace orchestrade::core {
namespace {

template <class E, std::size_t N>
bool parse_name(std::string_view text, const std::array<std::pair<E, std::string_view>, N>& names,
                E& out) {
    for (const auto& [value, name] : names) {
        if (name == text) {
            out = value;
            return true;
        }
    }
    return false;
}

template <class E, std::size_t N>
std::string_view name_of(E value, const std::array<std::pair<E, std::string_view>, N>& names) {
    for (const auto& [v, name] : names)
        if (v == value) return name;
    return "unknown";
}

constexpr std::array<std::pair<Mode, std::string_view>, 3> kModes{
    {{Mode::Backtest, "backtest"}, {Mode::Paper, "paper"}, {Mode::Live, "live"}}};
constexpr std::array<std::pair<Side, std::string_view>, 2> kSides{
    {{Side::Buy, "BUY"}, {Side::Sell, "SELL"}}};
constexpr std::array<std::pair<Action, std::string_view>, 4> kActions{{{Action::Hold, "HOLD"},
                                                                       {Action::Buy, "BUY"},
                                                                       {Action::Sell, "SELL"},
                                                                       {Action::Close, "CLOSE"}}};
constexpr std::array<std::pair<OrderState, std::string_view>, 8> kStates{
    {{OrderState::Intent, "intent"},
     {OrderState::Accepted, "accepted"},
     {OrderState::PartiallyFilled, "partially_filled"},
     {OrderState::Filled, "filled"},
     {OrderState::Canceled, "canceled"},
     {OrderState::Rejected, "rejected"},
     {OrderState::Expired, "expired"},
     {OrderState::Unknown, "unknown"}}};

}  // namespace

bool is_final(OrderState s) {
    return s == OrderState::Filled || s == OrderState::Canceled || s == OrderState::Rejected ||
           s == OrderState::Expired;
}

std::string_view to_string(Mode m) {
    return name_of(m, kModes);
}
std::string_view to_string(Side s) {
    return name_of(s, kSides);
}
std::string_view to_string(Action a) {
    return name_of(a, kActions);
}
std::string_view to_string(OrderState s) {
    return name_of(s, kStates);
}
bool parse_mode(std::string_view text, Mode& out) {
    return parse_name(text, kModes, out);
}
bool parse_side(std::string_view text, Side& out) {
    return parse_name(text, kSides, out);
}
bool parse_action(std::string_view text, Action& out) {
    return parse_name(text, kActions, out);
}
bool parse_order_state(std::string_view text, OrderState& out) {
    return parse_name(text, kStates, out);
}

std::string format_time(int64_t time_ms) {
    if (time_ms == 0) return "-";
    const std::time_t seconds = static_cast<std::time_t>(time_ms / 1000);
    std::tm utc{};
    gmtime_r(&seconds, &utc);
    char buffer[32];
    std::strftime(buffer, sizeof buffer, "%Y-%m-%d %H:%M:%S", &utc);
    return buffer;
}

std::string timeframe_text(int32_t seconds) {
    static constexpr std::pair<int32_t, const char*> kUnits[] = {
        {604800, "w"}, {86400, "d"}, {3600, "h"}, {60, "m"}};
    for (const auto& [unit, suffix] : kUnits)
        if (seconds % unit == 0) return std::to_string(seconds / unit) + suffix;
    return std::to_string(seconds) + "s";
}

}  // namespace orchestrade::core
