// `orchestrade run` and `orchestrade validate`.
#include "cli.hpp"
#include "embedded_pipeline.hpp"
#include "file_checks.hpp"
#include "pipeline_journal.hpp"
#include "setup.hpp"
#include "summary.hpp"

#include <orchestrade/core/engine.hpp>
#include <orchestrade/core/pipeline.hpp>
#include <orchestrade/core/plugin_instance.hpp>
#include <orchestrade/core/report.hpp>

#include <orchestrade/core/child_process_groups.hpp>
#include <orchestrade/core/logging.hpp>

#include <semaphore.h>
#include <unistd.h>
#include <atomic>
#include <cerrno>
#include <csignal>
#include <filesystem>
#include <iostream>
#include <thread>

namespace po = boost::program_options;
namespace fs = std::filesystem;

namespace orchestrade::cli {
namespace {

std::atomic<bool> g_stop{false};
std::atomic<bool> g_halt{false};
sem_t g_stop_posted;  // the handler's way to wake StopAnnouncer: sem_post is async-signal-safe

extern "C" void on_halt_signal(int) {
    g_halt.store(true);
}

// First signal: finish the iteration and stop cleanly. Second: leave now (the journal is
// transactional, so nothing committed is lost), killing the plugins' children first: they run in
// process groups of their own, which nothing else would end.
extern "C" void on_stop_signal(int) {
    if (g_stop.exchange(true)) {
        core::child_process_groups().kill_all();
        _exit(130);
    }
    sem_post(&g_stop_posted);
}

// Logs the first stop signal, which a handler cannot do, while the run goes on.
class StopAnnouncer {
  public:
    StopAnnouncer() {
        sem_init(&g_stop_posted, 0, 0);
        thread_ = std::thread([] {
            while (sem_wait(&g_stop_posted) != 0 && errno == EINTR) {
            }
            if (g_stop.load())
                core::logger("run")->warn(
                    "stop requested: the run stops after the current iteration (a second "
                    "Ctrl+C leaves at once)");
        });
    }
    StopAnnouncer(const StopAnnouncer&) = delete;
    StopAnnouncer& operator=(const StopAnnouncer&) = delete;
    ~StopAnnouncer() {
        sem_post(&g_stop_posted);
        thread_.join();
    }

  private:
    std::thread thread_;
};

core::Pipeline load(const std::string& file, const core::PluginRegistry& registry) {
    if (!file.empty()) {
        core::Pipeline p = core::load_pipeline(file, registry);
        check_pipeline_journal(p);
        return p;
    }
    core::Pipeline p =
        core::parse_pipeline(kEmbeddedPipeline, kEmbeddedPipelineName, data_dir(), registry);
    std::error_code ec;
    const fs::path here = fs::current_path(ec);
    if (ec)
        throw core::ConfigError(
            kEmbeddedPipelineName, 0, 0,
            "the journal goes to " + std::string(kEmbeddedJournal) +
                " in the working directory, which cannot be used: " + ec.message());
    p.journal = (here / kEmbeddedJournal).string();
    if (const std::string problem = pipeline_journal_problem(p.journal); !problem.empty())
        throw core::ConfigError(kEmbeddedPipelineName, 0, 0,
                                problem + " (the demo's journal, in the working directory)");
    return p;
}

core::StrategyFailures strategy_failures_of(const core::RunSummary& summary) {
    core::Journal journal(summary.journal_path, core::Journal::Durability::Synchronous,
                          core::Journal::Access::ReadOnly);
    return core::strategy_failures(journal, summary.run_id);
}

}  // namespace

int command_run(const GlobalOptions& g, const std::vector<std::string>& args) {
    std::string file, interval;
    po::options_description opts("Options");
    opts.add_options()("pipeline", po::value(&file), "pipeline file (default: the embedded demo)")(
        "once", "run a single iteration, then stop (paper/live; exit 2 for a backtest)")(
        "interval", po::value(&interval), "loop period in paper/live mode, e.g. 30s, 1m, 500ms")(
        "live", "allow live trading with real money (required by mode: live)")(
        "max-iterations", po::value<int64_t>()->default_value(0),
        "stop after N iterations (paper/live; 0 = no limit)")(
        "quiet,q", "print only the summary (and warnings and errors; the log file keeps all)");
    po::positional_options_description pos;
    pos.add("pipeline", 1);
    po::variables_map vm;
    try {
        if (!parse_command("Usage: orchestrade run [PIPELINE] [options]", opts, pos, args, vm))
            return kExitOk;
    } catch (const po::error& e) {
        std::cerr << "orchestrade run: " << e.what() << "\n";
        return kExitBadInput;
    }
    const bool quiet = vm.count("quiet") > 0;
    core::EngineOptions options;
    options.once = vm.count("once") > 0;
    options.max_iterations = vm["max-iterations"].as<int64_t>();
    if (options.max_iterations < 0) {
        std::cerr << "orchestrade run: --max-iterations " << options.max_iterations
                  << " is negative (N > 0 stops after N iterations, 0 = no limit)\n";
        return kExitBadInput;
    }
    if (!setup_logging(g, "var/log/orchestrade.log", quiet)) return kExitBadInput;

    options.stop_requested = &g_stop;
    options.halt_requested = &g_halt;
    try {
        if (!interval.empty()) options.interval_ms = core::parse_duration_ms(interval);
    } catch (const std::exception& e) {
        std::cerr << "orchestrade run: --interval: " << e.what() << "\n";
        return kExitBadInput;
    }

    auto registry = load_registry(g, file);
    core::Pipeline pipeline;
    try {
        pipeline = load(file, *registry);
        if (pipeline.mode == core::Mode::Live && !vm.count("live")) {
            std::cerr << pipeline.file
                      << ": mode is live: add --live to trade real money (or use mode: paper)\n";
            return kExitBadInput;
        }
        // Someone who believes --live switches a pipeline to real money must not trade on paper
        // (or replay a backtest) without knowing it.
        if (pipeline.mode != core::Mode::Live && vm.count("live")) {
            std::cerr << pipeline.file << ": --live trades real money only with mode: live; this "
                      << "pipeline's mode is " << core::to_string(pipeline.mode) << "\n";
            return kExitBadInput;
        }
        core::check_components(pipeline);
    } catch (const core::ConfigError& e) {
        std::cerr << e.what() << "\n";
        return kExitBadInput;
    }
    // A backtest runs every bar its feed has: a loop option would silently do nothing.
    if (pipeline.mode == core::Mode::Backtest) {
        std::vector<std::string> loop_options;
        if (options.once) loop_options.push_back("--once");
        if (!interval.empty()) loop_options.push_back("--interval");
        if (options.max_iterations != 0) loop_options.push_back("--max-iterations");
        if (!loop_options.empty()) {
            std::cerr << "orchestrade run: ";
            for (std::size_t i = 0; i < loop_options.size(); ++i)
                std::cerr << (i ? ", " : "") << loop_options[i];
            std::cerr << (loop_options.size() == 1 ? " applies" : " apply")
                      << " to paper and live runs only; " << pipeline.file
                      << " is a backtest, which runs every bar of its feed\n";
            return kExitBadInput;
        }
    }

    StopAnnouncer announcer;
    std::signal(SIGINT, on_stop_signal);
    std::signal(SIGTERM, on_stop_signal);
    std::signal(SIGUSR1, on_halt_signal);  // kill switch: block entries, keep exits
    if (!quiet) print_start(std::cerr, pipeline);
    if (!quiet && isatty(STDERR_FILENO))
        options.on_progress = [](const core::Progress& p) { print_progress(std::cerr, p); };
    try {
        core::RunSummary summary = core::run_pipeline(pipeline, options);
        const core::StrategyFailures failures = strategy_failures_of(summary);
        print_summary(std::cout, pipeline, summary, failures);
        // A backtest that never reached its model measured nothing: its result must not pass
        // for the strategy's. A paper or live run may live through an outage.
        if (pipeline.mode == core::Mode::Backtest && failures.no_llm_answer()) {
            std::cerr << "orchestrade run: no LLM call of this backtest got an answer: its "
                         "result says nothing about the strategy\n";
            return kExitRuntime;
        }
        if (pipeline.mode == core::Mode::Backtest && summary.strategy_failed_every_call()) {
            std::cerr << "orchestrade run: the strategy failed on every bar of this backtest ("
                      << summary.strategy_failed_calls
                      << " on_bars calls; the log and the journal's strategy_error events say "
                         "why): its result says nothing about the strategy\n";
            return kExitRuntime;
        }
        return kExitOk;
    } catch (const core::ConfigError& e) {  // a component refused a parameter at its start
        std::cerr << e.what() << "\n";
        return kExitBadInput;
    } catch (const std::exception& e) {
        std::cerr << "orchestrade run: " << e.what() << "\n";
        return kExitRuntime;
    }
}

int command_validate(const GlobalOptions& g, const std::vector<std::string>& args) {
    std::string file;
    po::options_description opts("Options");
    opts.add_options()("pipeline", po::value(&file)->required(), "pipeline file");
    po::positional_options_description pos;
    pos.add("pipeline", 1);
    po::variables_map vm;
    try {
        if (!parse_command("Usage: orchestrade validate PIPELINE", opts, pos, args, vm))
            return kExitOk;
    } catch (const po::error& e) {
        std::cerr << "orchestrade validate: " << e.what() << "\n";
        return kExitBadInput;
    }
    if (!setup_logging(g)) return kExitBadInput;
    auto registry = load_registry(g, file);
    try {
        core::Pipeline p = core::load_pipeline(file, *registry);
        core::check_components(p);
        check_pipeline_journal(p);
        std::cout << file << ": ok (" << core::to_string(p.mode) << ": "
                  << p.feed.plugin->short_name << " -> " << p.strategy.plugin->short_name << " -> "
                  << p.executor.plugin->short_name << ", journal " << p.journal << ")\n";
        return kExitOk;
    } catch (const core::ConfigError& e) {
        std::cerr << e.what() << "\n";
        return kExitBadInput;
    }
}

}  // namespace orchestrade::cli
