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

// The values of one timeframe under the names the symbol template gives them, `prefix` first
// ("" for the decision timeframe, "ctx_" for the context one): price, volume, volume_avg, ema20,
// ema50, macd, macd_signal, macd_histogram, rsi7, rsi14, atr3, atr14 and the series closes,
// ema20_series, macd_series, rsi7_series, rsi14_series. The llm_day prompts use them too.
void add_timeframe_values(TemplateValues& values, const std::string& prefix,
                          const TimeframeSnapshot& t);

struct PromptSettings {
    std::vector<std::string> universe;
    std::string timeframe, context_timeframe;  // as written in the pipeline: "3m", "4h"
    double max_size_pct = 20;
    std::string schema_json;
    bool allow_short = false;  // a SELL without a long opens a short
};

class PromptBuilder {
  public:
    // Throws std::invalid_argument when a template uses a placeholder its section does not have.
    PromptBuilder(PromptTemplates templates, PromptSettings settings);

    const std::string& system() const { return system_; }
    // `market`: the symbols decided on. An open position in another symbol is still listed, marked
    // as not tradable in this decision.
    std::string user(int64_t now_ms, const PortfolioSnapshot& portfolio,
                     const std::vector<SymbolSnapshot>& market) const;

  private:
    std::string symbol_block(const SymbolSnapshot& s) const;

    PromptTemplates templates_;
    PromptSettings settings_;
    std::string system_;
};

}  // namespace orchestrade::llm
