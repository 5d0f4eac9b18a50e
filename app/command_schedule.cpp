// `orchestrade schedule PIPELINE`: the next firings of the pipeline's calendar triggers.
#include "cli.hpp"
#include "setup.hpp"

#include <orchestrade/core/pipeline.hpp>
#include <orchestrade/core/scheduler.hpp>

#include <chrono>
#include <iostream>

namespace po = boost::program_options;

namespace orchestrade::cli {

namespace {
constexpr int kMaxCount = 10000;  // firings shown at most
}  // namespace

int command_schedule(const GlobalOptions& g, const std::vector<std::string>& args) {
    std::string file;
    int count = 10;
    po::options_description opts("Options");
    opts.add_options()("pipeline", po::value(&file)->required(), "pipeline file")(
        "count", po::value(&count)->default_value(10), "how many firings to show (1 to 10000)");
    po::positional_options_description pos;
    pos.add("pipeline", 1);
    po::variables_map vm;
    try {
        if (!parse_command("Usage: orchestrade schedule PIPELINE [--count N]", opts, pos, args, vm))
            return kExitOk;
    } catch (const po::error& e) {
        std::cerr << "orchestrade schedule: " << e.what() << "\n";
        return kExitBadInput;
    }
    if (count < 1 || count > kMaxCount) {
        std::cerr << "orchestrade schedule: --count " << count << " is out of range (1 to "
                  << kMaxCount << ")\n";
        return kExitBadInput;
    }
    if (!setup_logging(g)) return kExitBadInput;
    auto registry = load_registry(g, file);
    try {
        const core::Pipeline p =
            core::load_pipeline(file, *registry, core::UnreadReference::KeepText);
        if (p.schedule.triggers.empty()) {
            std::cout << file << ": no calendar triggers";
            if (p.schedule.every_ms)
                std::cout << "; the loop runs every "
                          << (p.schedule.every_ms % 1000 ? p.schedule.every_ms
                                                         : p.schedule.every_ms / 1000)
                          << (p.schedule.every_ms % 1000 ? " ms" : " s");
            std::cout << "\n";
            return kExitOk;
        }
        const core::Scheduler scheduler(p.schedule.triggers);
        const int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                                std::chrono::system_clock::now().time_since_epoch())
                                .count();
        for (const auto& t : p.schedule.triggers)
            if (!t.enabled) std::cout << "  (" << t.name << " is disabled)\n";
        for (const auto& o : scheduler.upcoming(now, count))
            std::cout << "  " << o.local_text << "  " << o.trigger << "\n";
        return kExitOk;
    } catch (const core::ConfigError& e) {
        std::cerr << e.what() << "\n";
        return kExitBadInput;
    }
}

}  // namespace orchestrade::cli
