// Tells the user when the symbols of a decision lack their context timeframe (no bar of it yet,
// or none for kMaxMissedBars of its intervals), once per change rather than on every decision:
// their prompts then show the context as n/a, or as of its latest bar.
#pragma once

#include "market_state.hpp"

#include <orchestrade/sdk.hpp>

#include <string>

namespace orchestrade::llm {

class ContextGapLog {
  public:
    ContextGapLog(std::string context_timeframe, int32_t context_s)
        : timeframe_(std::move(context_timeframe)), interval_ms_(int64_t{context_s} * 1000) {}

    void update(const DecisionMarket& market, int64_t now_ms, const sdk::Host& host);

  private:
    std::string timeframe_;
    int64_t interval_ms_;
    std::string told_;  // the last warning; empty while every context is current
};

}  // namespace orchestrade::llm
