// Runs pipelines through the real engine and plugins in a temporary folder.
#pragma once

#include <orchestrade/core/engine.hpp>
#include <orchestrade/core/journal.hpp>
#include <orchestrade/core/pipeline.hpp>
#include <orchestrade/core/plugin_registry.hpp>
#include <orchestrade/core/report.hpp>

#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

namespace orchestrade::testing {

inline constexpr int64_t kStartMs = 1704067200000;  // 2024-01-01 00:00 UTC
inline constexpr int64_t kMinuteMs = 60000;

struct CsvBar {
    int64_t open_time;
    double open, high, low, close;
};

// Bars whose open is the previous close, so "next bar's open" equals "this bar's close".
inline std::vector<CsvBar> bars_from_closes(const std::vector<double>& closes) {
    std::vector<CsvBar> bars;
    for (std::size_t i = 0; i < closes.size(); ++i) {
        double open = i == 0 ? closes[0] : closes[i - 1];
        double c = closes[i];
        bars.push_back({kStartMs + static_cast<int64_t>(i) * kMinuteMs, open,
                        std::max(open, c) + 1.0, std::min(open, c) - 1.0, c});
    }
    return bars;
}

class EngineHarness {
  public:
    EngineHarness() {
        dir_ = std::filesystem::temp_directory_path() /
               ("orchestrade-engine-" + std::to_string(::getpid()) + "-" +
                std::to_string(counter()++));
        std::filesystem::remove_all(dir_);
        std::filesystem::create_directories(dir_);
        registry_.scan({ORCHESTRADE_TEST_PLUGIN_DIR, ORCHESTRADE_TEST_FIXTURE_DIR});
    }
    ~EngineHarness() { std::filesystem::remove_all(dir_); }

    const std::filesystem::path& dir() const { return dir_; }
    std::string journal_path() const { return (dir_ / "journal.db").string(); }

    std::string write_csv(const std::vector<CsvBar>& bars, const std::string& name = "bars.csv") {
        std::ofstream out(dir_ / name);
        out << "timestamp,open,high,low,close,volume\n";
        out.precision(17);
        for (const auto& b : bars)
            out << b.open_time << ',' << b.open << ',' << b.high << ',' << b.low << ',' << b.close
                << ",1\n";
        return name;
    }

    // A pipeline with the given strategy/executor/risk blocks over bars.csv.
    std::string pipeline_yaml(const std::string& strategy, const std::string& executor,
                              const std::string& risk = "{ quantity: 1 }",
                              const std::string& mode = "backtest") const {
        return "version: 1\nname: test\nmode: " + mode + "\njournal: journal.db\n" +
               "universe: [BTC/USDT]\n" +
               "feed: { use: csv, params: { path: bars.csv, timeframe: 1m } }\n" +
               "strategy: " + strategy + "\nrisk: " + risk + "\nexecutor: " + executor + "\n";
    }

    core::Pipeline parse(const std::string& yaml) const {
        return core::parse_pipeline(yaml, "test.yaml", dir_.string(), registry_);
    }

    core::RunSummary run(const std::string& yaml, core::EngineOptions options = {}) {
        return core::run_pipeline(parse(yaml), options);
    }

    core::RunReport report() const {
        core::Journal j(journal_path(), core::Journal::Durability::Synchronous);
        return core::build_report(j);
    }

    std::vector<core::SignalRecord> signals() const {
        core::Journal j(journal_path(), core::Journal::Durability::Synchronous);
        return j.signals();
    }

    std::vector<core::EventRecord> events(const std::string& kind) const {
        core::Journal j(journal_path(), core::Journal::Durability::Synchronous);
        return j.events(0, kind);
    }

    std::optional<std::string> kv(const std::string& scope, const std::string& key) const {
        core::Journal j(journal_path(), core::Journal::Durability::Synchronous);
        return j.kv_get(scope, key);
    }

    const core::PluginRegistry& registry() const { return registry_; }

  private:
    static int& counter() {
        static int n = 0;
        return n;
    }
    std::filesystem::path dir_;
    core::PluginRegistry registry_;
};

// A paper/live loop that runs `iterations` iterations back to back (1 ms period).
inline core::EngineOptions quick_iterations(int64_t iterations) {
    core::EngineOptions o;
    o.interval_ms = 1;
    o.max_iterations = iterations;
    return o;
}

// Runs the pipeline in a child process, which a fixture ends with exit code 3 where a crash is
// wanted (script_strategy's exit_at, flaky_executor's exit_on_submit), as a SIGKILL there would.
// Returns the child's exit code: 3 when the crash happened, 0 when the run ended without it.
inline int run_until_crash(EngineHarness& h, const std::string& yaml,
                           const core::EngineOptions& options) {
    const pid_t child = ::fork();
    if (child < 0) return -1;
    if (child == 0) {
        try {
            h.run(yaml, options);
        } catch (...) {
        }
        std::_Exit(0);
    }
    int status = 0;
    if (::waitpid(child, &status, 0) != child || !WIFEXITED(status)) return -1;
    return WEXITSTATUS(status);
}

inline std::string mock_executor(const std::string& extra = "") {
    return "{ use: mock, params: { starting_cash: 100000, fee_bps: 10, slippage_bps: 0" +
           (extra.empty() ? "" : ", " + extra) + " } }";
}

// The test venue of fixtures/flaky_executor.cpp with the given faults ("reject_on_submit: 1").
inline std::string flaky(const std::string& faults) {
    return "{ use: flaky_executor, params: { " + faults + " } }";
}

inline std::string script(const std::string& actions, int throw_at = -1) {
    return "{ use: script_strategy, params: { script: \"" + actions +
           "\", throw_at: " + std::to_string(throw_at) + " } }";
}

}  // namespace orchestrade::testing
