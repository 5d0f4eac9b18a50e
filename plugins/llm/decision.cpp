#include "decision.hpp"

#include "text_format.hpp"

#include <cctype>

namespace orchestrade::llm {
namespace {

using json = nlohmann::json;

constexpr const char* kFields[] = {"action",
                                   "symbol",
                                   "confidence",
                                   "position_size_pct",
                                   "stop_loss",
                                   "take_profit",
                                   "invalidation_condition",
                                   "rationale"};

std::string_view trim(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())))
        s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())))
        s.remove_suffix(1);
    return s;
}

// Models in JSON mode sometimes wrap the object in a Markdown fence; nothing else is forgiven,
// text after the closing fence included (it may take the decision back).
std::string_view strip_fence(std::string_view s) {
    s = trim(s);
    if (s.size() < 6 || s.substr(0, 3) != "```" || s.substr(s.size() - 3) != "```") return s;
    std::size_t first_line = s.find('\n');
    std::size_t closing = s.size() - 3;
    if (first_line == std::string_view::npos || closing <= first_line) return s;
    return trim(s.substr(first_line + 1, closing - first_line - 1));
}

std::optional<int32_t> parse_action(const std::string& text) {
    std::string upper = text;
    for (char& c : upper)
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (upper == "BUY") return OT_ACTION_BUY;
    if (upper == "SELL") return OT_ACTION_SELL;
    if (upper == "HOLD") return OT_ACTION_HOLD;
    if (upper == "CLOSE") return OT_ACTION_CLOSE;
    return std::nullopt;
}

// A number field, or an error naming it.
bool read_number(const json& j, const char* key, double& out, std::string& error) {
    auto it = j.find(key);
    if (it == j.end() || !it->is_number()) {
        error = std::string(key) + " is missing or not a number";
        return false;
    }
    out = it->get<double>();
    return true;
}

std::string read_text(const json& j, const char* key) {
    auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

ParsedAnswer refuse(std::string why) {
    return {std::nullopt, std::move(why)};
}

// Levels of an entry: on the protective side of the price, or refused.
std::string check_levels(const Decision& d, double price, bool is_long, const DecisionRules& r) {
    if (r.require_exit_plan && (d.stop_loss <= 0 || d.take_profit <= 0))
        return "an entry needs a stop_loss and a take_profit above 0";
    if (d.stop_loss < 0 || d.take_profit < 0)
        return "stop_loss and take_profit must not be negative";
    const std::string side = is_long ? "long" : "short";
    if (d.stop_loss > 0 && (is_long ? d.stop_loss >= price : d.stop_loss <= price))
        return "stop_loss " + format_number(d.stop_loss) + " is on the wrong side of the price " +
               format_number(price) + " for a " + side + " entry";
    if (d.take_profit > 0 && (is_long ? d.take_profit <= price : d.take_profit >= price))
        return "take_profit " + format_number(d.take_profit) +
               " is on the wrong side of the price " + format_number(price) + " for a " + side +
               " entry";
    if (r.require_exit_plan && trim(d.invalidation).empty())
        return "an entry needs an invalidation_condition";
    return {};
}

}  // namespace

const char* action_name(int32_t action) {
    switch (action) {
        case OT_ACTION_BUY:
            return "BUY";
        case OT_ACTION_SELL:
            return "SELL";
        case OT_ACTION_CLOSE:
            return "CLOSE";
        default:
            return "HOLD";
    }
}

json Decision::to_json() const {
    return json{{"action", action_name(action)},
                {"symbol", symbol},
                {"confidence", confidence},
                {"position_size_pct", size_pct},
                {"stop_loss", stop_loss},
                {"take_profit", take_profit},
                {"invalidation_condition", invalidation},
                {"rationale", rationale}};
}

json decision_schema(const std::vector<std::string>& universe, double max_size_pct) {
    const std::string max = format_number(max_size_pct);
    json properties = {
        {"action",
         {{"type", "string"},
          {"enum", {"BUY", "SELL", "HOLD", "CLOSE"}},
          {"description", "BUY, SELL, HOLD or CLOSE"}}},
        {"symbol", {{"type", "string"}, {"enum", universe}}},
        {"confidence", {{"type", "number"}, {"description", "from 0 to 1"}}},
        {"position_size_pct",
         {{"type", "number"},
          {"description", "entries: % of equity, above 0 and at most " + max + "; else 0"}}},
        {"stop_loss", {{"type", "number"}, {"description", "entries: protective price; else 0"}}},
        {"take_profit", {{"type", "number"}, {"description", "entries: target price; else 0"}}},
        {"invalidation_condition",
         {{"type", "string"}, {"description", "what would prove the trade wrong"}}},
        {"rationale", {{"type", "string"}, {"description", "at most two sentences"}}},
    };
    json required = json::array();
    for (const char* f : kFields)
        required.push_back(f);
    return json{{"type", "object"},
                {"properties", properties},
                {"required", required},
                {"additionalProperties", false}};
}

ParsedAnswer parse_decision(std::string_view answer, const MarketContext& market,
                            const DecisionRules& rules) {
    std::string_view body = strip_fence(answer);
    if (body.empty()) return refuse("the answer is empty");
    json j = json::parse(body.begin(), body.end(), nullptr, false);
    if (j.is_discarded()) return refuse("the answer is not valid JSON");
    if (!j.is_object()) return refuse("the answer is not a JSON object");

    auto action_it = j.find("action");
    if (action_it == j.end() || !action_it->is_string())
        return refuse("action is missing or not a string");
    std::optional<int32_t> action = parse_action(action_it->get<std::string>());
    if (!action)
        return refuse("action '" + action_it->get<std::string>() +
                      "' is not one of BUY, SELL, HOLD, CLOSE");

    Decision d;
    d.action = *action;
    d.rationale = read_text(j, "rationale");
    d.invalidation = read_text(j, "invalidation_condition");
    if (d.action == OT_ACTION_HOLD) return {d, {}};

    d.symbol = read_text(j, "symbol");
    auto where = market.find(d.symbol);
    if (where == market.end()) {
        // Named in full: the refusal goes back to the model in the correction request.
        std::string asked;
        for (const auto& [symbol, context] : market)
            asked += (asked.empty() ? "" : ", ") + symbol;
        return refuse("symbol '" + d.symbol + "' is not one asked about (" + asked + ")");
    }
    std::string error;
    if (!read_number(j, "confidence", d.confidence, error)) return refuse(error);
    if (d.confidence < 0 || d.confidence > 1)
        return refuse("confidence " + format_number(d.confidence) + " is outside 0..1");

    const SymbolContext& s = where->second;
    const bool long_entry = d.action == OT_ACTION_BUY && s.position >= 0;
    const bool short_entry = d.action == OT_ACTION_SELL && s.position <= 0;
    if (short_entry && !rules.allow_short)
        return refuse("SELL " + d.symbol + " would open a short (no long " + d.symbol +
                      " is held), and shorts are not allowed: SELL only closes a long");
    if (!long_entry && !short_entry) return {d, {}};  // an exit: size and levels do not apply
    if (!rules.read_entry_plan) return {d, {}};

    if (!read_number(j, "position_size_pct", d.size_pct, error) ||
        !read_number(j, "stop_loss", d.stop_loss, error) ||
        !read_number(j, "take_profit", d.take_profit, error))
        return refuse(error);
    if (d.size_pct <= 0 || d.size_pct > rules.max_size_pct)
        return refuse("position_size_pct " + format_number(d.size_pct) + " is outside (0, " +
                      format_number(rules.max_size_pct) + "]");
    if (s.price <= 0) return refuse("no price is known for " + d.symbol);
    error = check_levels(d, s.price, long_entry, rules);
    if (!error.empty()) return refuse(error);
    return {d, {}};
}

}  // namespace orchestrade::llm
