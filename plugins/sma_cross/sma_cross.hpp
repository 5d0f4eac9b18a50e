// The "sma_cross" strategy: BUY when the fast simple moving average of the closes crosses above
// the slow one, SELL when it crosses below, HOLD on every other bar; per symbol.
#pragma once

#include "moving_averages.hpp"

#include <orchestrade/sdk.hpp>

#include <functional>
#include <map>
#include <string>
#include <vector>

namespace orchestrade::plugins {

class SmaCross final : public sdk::Strategy {
  public:
    static constexpr sdk::Meta meta{
        "org.orchestrade.sma_cross",
        "sma_cross",
        "SMA crossover",
        "1.0.0",
        "Orchestrade",
        "BUY/SELL when the fast SMA of the closes crosses the slow one"};
    static constexpr ot_param_spec params[] = {
        sdk::int_param("fast", "10", 1, 1000, "Bars in the fast SMA"),
        sdk::int_param("slow", "30", 2, 10000, "Bars in the slow SMA; more than fast"),
        sdk::param(OT_PARAM_STRING, "timeframe", nullptr, 1, 0,
                   "Only bars of this interval (1m, 4h, ...); default: every bar"),
    };

    explicit SmaCross(const sdk::Context& ctx);
    uint32_t warmup_bars() const override { return static_cast<uint32_t>(slow_ + 1); }
    void on_bars(const sdk::Bars& bars, sdk::Signals& out) override;

  private:
    struct Series {
        MovingAverages averages;
        double fast = 0, slow = 0;  // after the latest close, once ready
    };

    // A symbol of the batch's table and its series; the name is kept to check the next table.
    struct Slot {
        std::string name;
        Series* series = nullptr;
    };

    void resolve_symbols(const sdk::Bars& bars);
    Series& series_of(const char* symbol);
    void emit(const sdk::Bars& bars, std::size_t row, const Slot& slot, int32_t action,
              sdk::Signals& out);

    std::size_t fast_, slow_;
    int32_t timeframe_s_ = 0;  // 0 = every bar
    std::map<std::string, Series, std::less<>> series_;
    std::vector<Slot> slots_;      // per symbol of the current batch
    sdk::Signal signal_;           // reused, so a bar allocates nothing
    const Slot* named_ = nullptr;  // the slot whose name signal_.symbol holds
};

}  // namespace orchestrade::plugins
