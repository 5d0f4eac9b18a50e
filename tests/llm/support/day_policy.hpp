// The fake model of the llm_day workflow, shared by the fake command: answers each step from its
// prompt alone. Screening and analysis say yes (BUY), entry optimisation plans a BUY of 10 % with
// a stop 2 % below and a target 3 % above the last price, monitoring keeps positions, the daily
// review holds with a review, the weekly review flags every symbol. A line "<day> <step>" in
// <state-dir>/bad makes that step's answers invalid on that day; in <state-dir>/close, it makes
// them a CLOSE of the symbol asked about.
#pragma once

#include "trade_policy.hpp"

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

namespace orchestrade::testing::llm {

inline bool is_day_prompt(const std::string& prompt) {
    return prompt.find("Workflow step: ") != std::string::npos;
}

inline std::string day_answer(const std::string& prompt, const std::string& state_dir) {
    std::string step, day, symbol;
    double price = 0;
    std::istringstream in(prompt);
    for (std::string line; std::getline(in, line);) {
        if (line.rfind("Workflow step: ", 0) == 0 && step.empty()) step = line.substr(15);
        if (line.rfind("Day: ", 0) == 0 && day.empty()) day = line.substr(5);
        if (line.rfind("Symbol: ", 0) == 0 && symbol.empty()) symbol = line.substr(8);
        // "none current (...)" for a symbol whose bars stopped: no price to plan with.
        if (line.rfind("Last price: ", 0) == 0 && price == 0)
            price = std::strtod(line.c_str() + 12, nullptr);
    }
    std::ifstream bad(state_dir + "/bad");
    for (std::string line; std::getline(bad, line);)
        if (line == day + " " + step) return "not json";
    std::ifstream close(state_dir + "/close");
    for (std::string line; std::getline(close, line);)
        if (line == day + " " + step)
            return decision_json("CLOSE", symbol, 0, 0, 0, "scripted close");
    if (step == "screening" || step == "analysis" || step == "entry_optimisation")
        return decision_json("BUY", symbol, 10, price * 0.98, price * 1.03, step + " says yes");
    if (step == "weekly_review") return decision_json("CLOSE", symbol, 0, 0, 0, "poor week");
    if (step == "daily_review") return decision_json("HOLD", "", 0, 0, 0, "a quiet day");
    return decision_json("HOLD", symbol, 0, 0, 0, "keep it");
}

}  // namespace orchestrade::testing::llm
