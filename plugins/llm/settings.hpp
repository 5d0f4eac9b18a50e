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

struct Settings {
    ProviderSettings provider;
    DeciderSettings decider;
    std::string timeframe, context_timeframe;  // as written
    int32_t timeframe_s = 180, context_s = 14400;
    std::size_t series_length = 10;
    double daily_budget_usd = 5;
    std::optional<double> run_budget_usd;
    CacheMode cache_mode = CacheMode::ReadWrite;
    std::string cache_file;   // absolute; empty = host key-value state
    std::string prompt_file;  // absolute; empty = built-in templates
};

// Throws sdk::Error(OT_E_INVALID_ARG) naming the parameter at fault.
Settings read_settings(const sdk::Context& ctx);

}  // namespace orchestrade::llm
