// Tells the user which symbols a strategy leaves out and why, once per change rather than on
// every bar or event: a warning when a symbol is left out (or for another reason), a note when it
// is back.
#pragma once

#include "market_state.hpp"

#include <orchestrade/sdk.hpp>

#include <functional>
#include <map>
#include <string>
#include <vector>

namespace orchestrade::llm {

// "no 3m bar received yet", "not warm yet: 12 of 50 bars", "no 3m bar since 2024-01-01T00:03:00Z"
std::string why_left_out(const LeftOut& left, const std::string& timeframe);

class LeftOutLog {
  public:
    // "llm: ETH/USDT left out of the decision: ..." for ("llm", "the decision", "3m").
    LeftOutLog(std::string strategy, std::string left_out_of, std::string timeframe)
        : strategy_(std::move(strategy)),
          left_out_of_(std::move(left_out_of)),
          timeframe_(std::move(timeframe)) {}

    void update(const DecisionMarket& market, const sdk::Host& host);
    // `in`: the symbols taken into account now; a symbol in neither list is not mentioned.
    void update(const std::vector<LeftOut>& left_out, const std::vector<std::string>& in,
                const sdk::Host& host);
    void set_timeframe(std::string timeframe) { timeframe_ = std::move(timeframe); }

  private:
    std::string strategy_, left_out_of_, timeframe_;
    // Per symbol left out, what its warning was about (a bar count would change on every bar).
    std::map<std::string, std::string, std::less<>> told_;
};

}  // namespace orchestrade::llm
