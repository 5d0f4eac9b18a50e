// The orchestration loop, the same in every mode:
//   feed.poll -> executor.on_bars (simulated fills) -> reports -> ledger marks ->
//   strategy.on_bars -> signals -> risk -> journal intent -> executor.submit -> reports
// A backtest drives it from the data (simulated clock); paper and live from the wall clock.
#pragma once

#include <orchestrade/core/performance.hpp>
#include <orchestrade/core/pipeline.hpp>
#include <orchestrade/core/plugin_registry.hpp>

#include <atomic>
#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

namespace orchestrade::core {

// A failure while running (exit code 1), as opposed to a ConfigError (exit code 2).
class RunError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

struct Progress {
    int64_t bars = 0;
    int64_t time_ms = 0;  // simulated time of the last bar
    double equity = 0;
};

struct EngineOptions {
    bool once = false;           // one iteration (paper/live), then stop
    int64_t interval_ms = 0;     // paper/live loop period; 0 = schedule.every, else 60 s
    int64_t max_iterations = 0;  // 0 = until the feed ends or a stop is requested
    const std::atomic<bool>* stop_requested = nullptr;  // set by SIGINT/SIGTERM
    std::atomic<bool>* halt_requested = nullptr;        // set by SIGUSR1; the engine clears it
    std::function<void(const Progress&)> on_progress;   // called about twice a second
};

struct RunSummary {
    int64_t run_id = 0;
    std::string journal_path;
    std::string status;  // completed | stopped
    int64_t bars = 0;
    int64_t iterations = 0;
    int64_t signals = 0;  // actionable (non-HOLD) signals
    int64_t orders = 0;
    int64_t fills = 0;
    // The strategy's on_bars calls (one per moment: the bars that closed together, warm-up
    // included) and those that failed: all of them failed says the result measured nothing.
    int64_t strategy_calls = 0;
    int64_t strategy_failed_calls = 0;
    bool resumed = false;  // a paper/live run that continued a previous one
    // What the pipeline waited for and the feed did not deliver: a backtest's as it ended (the
    // strategy's timeframe, a universe symbol), a paper/live run's as they were told.
    std::vector<std::string> feed_gaps;
    Metrics metrics;

    bool strategy_failed_every_call() const {
        return strategy_calls > 0 && strategy_failed_calls == strategy_calls;
    }
};

// The journal's key-value entry (scope "core") through which `orchestrade halt` and
// `orchestrade resume` reach a running or a future run: "halt:<reason>" or "resume".
inline constexpr const char* kBreakerCommandKey = "breaker_command";

// Runs a validated pipeline. Throws RunError (or PluginCallError) when the run cannot go on.
RunSummary run_pipeline(const Pipeline& pipeline, const EngineOptions& options);

}  // namespace orchestrade::core

namespace orchestrade::core {

// Creates (and destroys) every component of the pipeline without starting it, so a plugin's
// own checks (e.g. sma_cross: slow > fast) fail before anything is journaled. Throws
// ConfigError at the component's `use:` line.
void check_components(const Pipeline& pipeline);

}  // namespace orchestrade::core
