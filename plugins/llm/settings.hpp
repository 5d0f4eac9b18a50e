// The strategy's parameters, read and checked once at create().
#pragma once

#include "cost_ledger.hpp"
#include "decider.hpp"
#include "provider.hpp"
#include "response_cache.hpp"

#include <orchestrade/sdk.hpp>

#include <optional>
#include <string>

namespace orchestrade::llm {

// What every component that asks the model shares: the provider, the check, the budget, the
// recorded answers (the parameters of ORCHESTRADE_LLM_MODEL_PARAMS).
struct ModelSettings {
    ProviderSettings provider;
    DeciderSettings decider;
    double daily_budget_usd = 5;
    std::optional<double> run_budget_usd;
    CacheMode cache_mode = CacheMode::ReadWrite;
    std::string cache_file;  // absolute; empty = host key-value state
};

struct Settings : ModelSettings {
    std::string timeframe, context_timeframe;  // as written
    int32_t timeframe_s = 180, context_s = 14400;
    std::size_t series_length = 10;
    std::string prompt_file;  // absolute; empty = built-in templates
};

// Both throw sdk::Error(OT_E_INVALID_ARG) naming the parameter at fault.
ModelSettings read_model_settings(const sdk::Context& ctx);
Settings read_settings(const sdk::Context& ctx);

}  // namespace orchestrade::llm
