// `orchestrade halt` and `orchestrade resume`: the manual kill switch. The command is left in
// the journal; a running paper/live run applies it at its next iteration, a stopped one when it
// starts. A halt blocks entries; exits and stops still run.
#include "cli.hpp"
#include "file_checks.hpp"
#include "setup.hpp"

#include <orchestrade/core/engine.hpp>
#include <orchestrade/core/journal.hpp>

#include <iostream>
#include <memory>

namespace po = boost::program_options;

namespace orchestrade::cli {
namespace {

int breaker_command(const GlobalOptions& g, const std::vector<std::string>& args, bool halt) {
    std::string journal_path, reason = "requested from the command line";
    po::options_description opts("Options");
    opts.add_options()("journal", po::value(&journal_path)->required(), "the run journal (.db)");
    if (halt) opts.add_options()("reason", po::value(&reason), "why (kept in the journal)");
    po::variables_map vm;
    const char* name = halt ? "halt" : "resume";
    try {
        if (!parse_command(std::string("Usage: orchestrade ") + name + " --journal DB" +
                               (halt ? " [--reason TEXT]" : ""),
                           opts, {}, args, vm))
            return kExitOk;
    } catch (const po::error& e) {
        std::cerr << "orchestrade " << name << ": " << e.what() << "\n";
        return kExitBadInput;
    }
    if (!setup_logging(g)) return kExitBadInput;
    if (const std::string problem = existing_journal_problem(journal_path); !problem.empty()) {
        std::cerr << "orchestrade " << name << ": " << problem << "\n";
        return kExitBadInput;
    }
    // Only an existing journal is opened: a file that is not one is bad input, left untouched.
    std::unique_ptr<core::Journal> journal;
    try {
        journal = std::make_unique<core::Journal>(
            journal_path, core::Journal::Durability::Synchronous, core::Journal::Access::Existing);
    } catch (const std::exception& e) {
        std::cerr << "orchestrade " << name << ": " << e.what() << "\n";
        return kExitBadInput;
    }
    try {
        journal->kv_set("core", core::kBreakerCommandKey, halt ? "halt:" + reason : "resume");
        std::cout << (halt ? "halt" : "resume")
                  << " recorded; the run applies it at its next iteration\n";
        return kExitOk;
    } catch (const std::exception& e) {
        std::cerr << "orchestrade " << name << ": " << e.what() << "\n";
        return kExitRuntime;
    }
}

}  // namespace

int command_halt(const GlobalOptions& g, const std::vector<std::string>& args) {
    return breaker_command(g, args, true);
}

int command_resume(const GlobalOptions& g, const std::vector<std::string>& args) {
    return breaker_command(g, args, false);
}

}  // namespace orchestrade::cli
