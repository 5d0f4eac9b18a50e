// Keeps the candles the report draws: each symbol's bars aggregated over a period (an hour in a
// backtest, so a run of 10M bars stores a few hundred thousand rows; every bar otherwise).
#pragma once

#include <orchestrade/core/journal.hpp>

#include <map>
#include <string>

namespace orchestrade::core {

class ChartRecorder {
  public:
    // write_through: rewrite the open period on every bar (paper/live), so a killed process
    // loses nothing; otherwise a period is written once it is complete.
    ChartRecorder(Journal& journal, int64_t run_id, int64_t period_ms, bool write_through);
    ChartRecorder(const ChartRecorder&) = delete;
    ChartRecorder& operator=(const ChartRecorder&) = delete;
    void add(const std::string& symbol, int64_t open_time_ms, double open, double high, double low,
             double close);
    void flush();  // writes every open period

  private:
    Journal& journal_;
    int64_t run_id_;
    int64_t period_ms_;
    bool write_through_;
    std::map<std::string, ChartBar> open_;
    ChartBar* last_ = nullptr;  // the symbol added last: usually the next one too
};

}  // namespace orchestrade::core
