// Builds the prompts from the templates: the system prompt once, the user prompt per decision
// from the market and portfolio snapshots (which hold nothing after the decision's time).
#pragma once

#include "market_state.hpp"
#include "portfolio.hpp"
#include "prompt_template.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace orchestrade::llm {

struct PromptSettings {
    std::vector<std::string> universe;
    std::string timeframe, context_timeframe;  // as written in the pipeline: "3m", "4h"
    double max_size_pct = 20;
    std::string schema_json;
};

class PromptBuilder {
  public:
    // Throws std::invalid_argument when a template uses a placeholder its section does not have.
    PromptBuilder(PromptTemplates templates, PromptSettings settings);

    const std::string& system() const { return system_; }
    std::string user(int64_t now_ms, const PortfolioSnapshot& portfolio,
                     const std::vector<SymbolSnapshot>& market) const;

  private:
    std::string symbol_block(const SymbolSnapshot& s) const;

    PromptTemplates templates_;
    PromptSettings settings_;
    std::string system_;
};

}  // namespace orchestrade::llm
