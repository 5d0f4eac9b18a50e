// `orchestrade report`.
#include "cli.hpp"
#include "file_checks.hpp"
#include "setup.hpp"

#include <orchestrade/core/report.hpp>

#include <filesystem>
#include <fstream>
#include <iostream>

namespace po = boost::program_options;

namespace orchestrade::cli {

int command_report(const GlobalOptions& g, const std::vector<std::string>& args) {
    std::string journal_path, html_path;
    int64_t run_id = 0;
    po::options_description opts("Options");
    opts.add_options()("journal", po::value(&journal_path)->required(), "the run journal (.db)")(
        "run", po::value(&run_id), "run id (default: the last run)")("json", "print JSON")(
        "html", po::value(&html_path), "write a self-contained HTML report to this file");
    po::variables_map vm;
    try {
        if (!parse_command(
                "Usage: orchestrade report --journal DB [--run N] [--json | --html FILE]", opts, {},
                args, vm))
            return kExitOk;
    } catch (const po::error& e) {
        std::cerr << "orchestrade report: " << e.what() << "\n";
        return kExitBadInput;
    }
    if (vm.count("json") && vm.count("html")) {
        std::cerr
            << "orchestrade report: --json and --html cannot be combined (one or the other)\n";
        return kExitBadInput;
    }
    if (!setup_logging(g)) return kExitBadInput;
    std::string problem = existing_journal_problem(journal_path);
    if (problem.empty() && vm.count("html")) problem = html_target_problem(html_path, journal_path);
    if (!problem.empty()) {
        std::cerr << "orchestrade report: " << problem << "\n";
        return kExitBadInput;
    }
    try {
        // Read-only: a report never creates, migrates (but an older journal's) or writes a file.
        core::Journal journal(journal_path, core::Journal::Durability::Synchronous,
                              core::Journal::Access::ReadOnly);
        core::RunReport r = core::build_report(journal, run_id);
        if (vm.count("html")) {
            if (const auto folder = std::filesystem::path(html_path).parent_path(); !folder.empty())
                std::filesystem::create_directories(folder);
            std::ofstream out(html_path, std::ios::binary);
            out << core::report_to_html(r);
            if (!out) {
                std::cerr << "orchestrade report: cannot write " << html_path << "\n";
                return kExitRuntime;
            }
            std::cout << "wrote " << html_path << "\n";
            return kExitOk;
        }
        std::cout << (vm.count("json") ? core::report_to_json(r) : core::report_to_text(r)) << "\n";
        return kExitOk;
    } catch (const std::exception& e) {
        std::cerr << "orchestrade report: " << e.what() << "\n";
        return kExitBadInput;
    }
}

}  // namespace orchestrade::cli
