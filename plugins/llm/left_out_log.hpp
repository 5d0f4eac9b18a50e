// Tells the user which symbols a decision leaves out and why, once per change rather than on
// every bar: a warning when a symbol is left out (or for another reason), a note when it is back.
#pragma once

#include "market_state.hpp"

#include <orchestrade/sdk.hpp>

#include <functional>
#include <map>
#include <string>

namespace orchestrade::llm {

// "no 3m bar received yet", "not warm yet: 12 of 50 bars", "no 3m bar since 2024-01-01T00:03:00Z"
std::string why_left_out(const LeftOut& left, const std::string& timeframe);

class LeftOutLog {
  public:
    explicit LeftOutLog(std::string timeframe) : timeframe_(std::move(timeframe)) {}

    void update(const DecisionMarket& market, const sdk::Host& host);

  private:
    std::string timeframe_;
    // Per symbol left out, what its warning was about (a bar count would change on every bar).
    std::map<std::string, std::string, std::less<>> told_;
};

}  // namespace orchestrade::llm
