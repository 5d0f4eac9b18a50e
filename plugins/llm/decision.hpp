// The decision a model must return, its JSON schema, and the local check of an answer against it.
// The check is what makes an answer safe to act on: anything it refuses becomes a HOLD.
#pragma once

#include <orchestrade/ot_plugin.h>

#include <nlohmann/json.hpp>

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace orchestrade::llm {

struct Decision {
    int32_t action = OT_ACTION_HOLD;  // OT_ACTION_*
    std::string symbol;               // empty for a HOLD
    double confidence = -1;           // 0..1; -1 for a HOLD without one
    double size_pct = 0;              // entries only
    double stop_loss = 0;             // entries only; 0 = none
    double take_profit = 0;           // entries only; 0 = none
    std::string invalidation;
    std::string rationale;

    nlohmann::json to_json() const;
};

// What the check needs to know about one symbol at decision time.
struct SymbolContext {
    double price = 0;     // the last close
    double position = 0;  // signed quantity held
};

using MarketContext = std::map<std::string, SymbolContext, std::less<>>;

struct DecisionRules {
    double max_size_pct = 20;       // an entry's position_size_pct must be in (0, max]
    bool require_exit_plan = true;  // entries need stop_loss, take_profit and an invalidation
    // false: a BUY or SELL is only a yes with a confidence (a screening); its size and levels
    // are neither read nor checked
    bool read_entry_plan = true;
    // false: a SELL without a long to close (it would open a short) is refused
    bool allow_short = true;
};

const char* action_name(int32_t action);

// The schema sent to providers: every field required, no others (the strict subset that OpenAI,
// Anthropic and local servers all accept). Bounds are described, and checked locally.
nlohmann::json decision_schema(const std::vector<std::string>& universe, double max_size_pct);

struct ParsedAnswer {
    std::optional<Decision> decision;
    std::string error;  // why the answer was refused, when there is no decision
};

// Parses a model's answer (one JSON object, optionally inside a ``` fence) and checks it: the
// action, a known symbol, confidence in 0..1, a short entry only where the rules allow shorts, and
// for an entry the size bounds and a stop-loss and take-profit on the right side of the price
// (unless the rules read no entry plan). For an exit the levels are dropped.
ParsedAnswer parse_decision(std::string_view answer, const MarketContext& market,
                            const DecisionRules& rules);

}  // namespace orchestrade::llm
