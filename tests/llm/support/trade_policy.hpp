// The fake model's mind, shared by the fake servers and the fake command: reads a prompt built
// from the default templates and answers a valid decision that depends on the prompt alone. With
// a position open it closes it; flat, it buys one symbol (chosen by the minute of the time line)
// with a stop-loss 2 % below and a take-profit 3 % above the price.
#pragma once

#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace orchestrade::testing::llm {

struct PromptFacts {
    std::string time;                         // "2024-01-01T03:00:00Z"
    std::vector<std::string> symbols;         // in prompt order
    std::map<std::string, double> prices;     // current_price per symbol
    std::vector<std::string> open_positions;  // symbols with a position
};

inline PromptFacts read_prompt(const std::string& prompt) {
    PromptFacts f;
    std::istringstream in(prompt);
    std::string line, symbol;
    bool in_positions = false;
    while (std::getline(in, line)) {
        if (line.rfind("Time: ", 0) == 0) f.time = line.substr(6);
        if (line == "Open positions:") {
            in_positions = true;
            continue;
        }
        if (in_positions) {
            if (line.rfind("- ", 0) == 0)
                f.open_positions.push_back(line.substr(2, line.find(':') - 2));
            else
                in_positions = false;
        }
        if (line.rfind("### ", 0) == 0) {
            symbol = line.substr(4);
            f.symbols.push_back(symbol);
        }
        if (line.rfind("current_price = ", 0) == 0 && !symbol.empty())
            f.prices[symbol] = std::stod(line.substr(16));
    }
    return f;
}

inline std::string decision_json(const std::string& action, const std::string& symbol,
                                 double size_pct, double stop_loss, double take_profit,
                                 const std::string& rationale = "scripted") {
    std::ostringstream out;
    out.precision(17);
    out << "{\"action\":\"" << action << "\",\"symbol\":\"" << symbol
        << "\",\"confidence\":0.8,\"position_size_pct\":" << size_pct
        << ",\"stop_loss\":" << stop_loss << ",\"take_profit\":" << take_profit
        << ",\"invalidation_condition\":\"price closes below the stop\",\"rationale\":\""
        << rationale << "\"}";
    return out.str();
}

inline std::string policy_answer(const std::string& prompt) {
    PromptFacts f = read_prompt(prompt);
    if (f.symbols.empty()) return decision_json("HOLD", "", 0, 0, 0, "no market data");
    if (!f.open_positions.empty())
        return decision_json("CLOSE", f.open_positions.front(), 0, 0, 0, "take the result");
    int minute = f.time.size() >= 16 ? std::stoi(f.time.substr(14, 2)) : 0;
    const std::string& symbol = f.symbols[static_cast<std::size_t>(minute / 3) % f.symbols.size()];
    double price = f.prices[symbol];
    return decision_json("BUY", symbol, 10, price * 0.98, price * 1.03, "momentum");
}

}  // namespace orchestrade::testing::llm
