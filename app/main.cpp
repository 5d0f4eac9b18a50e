// orchestrade: run, validate and inspect trading pipelines.
#include "cli.hpp"
#include "setup.hpp"

#include <orchestrade/ot_plugin.h>

#include <boost/program_options.hpp>

#include <filesystem>
#include <iostream>
#include <map>

namespace po = boost::program_options;
using namespace orchestrade::cli;

namespace {

constexpr const char* kUsage = R"(Usage: orchestrade [global options] <command> [options]

Commands:
  run [PIPELINE]        run a pipeline (the embedded demo when no file is given)
  validate PIPELINE     check a pipeline without running it
  plugins [--json]      list the plugins found
  describe ID           show one plugin and its parameters
  report --journal DB   show a run's trades, orders, fills and metrics
  fetch-data            download candles (Binance) into a CSV file for backtests
  schedule PIPELINE     show the next firings of its calendar triggers
  halt --journal DB     block new entries of a run (exits and stops still run)
  resume --journal DB   lift a halt

Run 'orchestrade <command> --help' for a command's options.

Global options)";

using Command = int (*)(const GlobalOptions&, const std::vector<std::string>&);

}  // namespace

int main(int argc, char** argv) {
    GlobalOptions g;
    po::options_description global(kUsage);
    global.add_options()("help,h", "show this help")("version", "show the version")(
        "plugin-dir", po::value(&g.plugin_dirs)->composing(),
        "search this folder for plugins first (repeatable)")(
        "log-level", po::value(&g.log_level)->default_value("info"),
        "debug, info, warning (or warn) or error")(
        "log-file", po::value(&g.log_file),
        "also log to this rotating file; exit 2 when it cannot be opened (run: default "
        "var/log/orchestrade.log, console only with a warning when that cannot be opened)");
    po::options_description hidden;
    hidden.add_options()("command", po::value<std::string>())(
        "args", po::value<std::vector<std::string>>());
    po::options_description all;
    all.add(global).add(hidden);
    po::positional_options_description pos;
    pos.add("command", 1).add("args", -1);

    const std::map<std::string, Command> commands{{"run", &command_run},
                                                  {"validate", &command_validate},
                                                  {"plugins", &command_plugins},
                                                  {"describe", &command_describe},
                                                  {"report", &command_report},
                                                  {"schedule", &command_schedule},
                                                  {"halt", &command_halt},
                                                  {"resume", &command_resume},
                                                  {"fetch-data", &command_fetch_data}};
    try {
        po::variables_map vm;
        po::parsed_options parsed = po::command_line_parser(argc, argv)
                                        .options(all)
                                        .positional(pos)
                                        .allow_unregistered()
                                        .run();
        po::store(parsed, vm);
        po::notify(vm);
        // Options before the command are global ones; a command's own go after its name.
        for (const po::option& o : parsed.options) {
            if (o.string_key == "command") break;
            if (!o.unregistered) continue;
            const std::string option = o.original_tokens.front();
            if (!vm.count("command"))
                throw po::error("unknown option '" + option + "' (see orchestrade --help)");
            throw po::error("'" + option + "' is not a global option; a command's options go " +
                            "after its name: orchestrade " + vm["command"].as<std::string>() + " " +
                            option);
        }
        if (vm.count("version")) {
            std::cout << "orchestrade " << ORCHESTRADE_VERSION << " (plugin ABI " << OT_ABI_MAJOR
                      << "." << OT_ABI_MINOR << ")\n";
            return kExitOk;
        }
        if (!vm.count("command")) {
            std::cout << global << "\n";
            return vm.count("help") ? kExitOk : kExitBadInput;
        }
        if (!valid_log_level(g.log_level)) {
            std::cerr << "orchestrade: --log-level '" << g.log_level
                      << "' is not one of debug, info, warning (or warn), error\n";
            return kExitBadInput;
        }
        for (const std::string& dir : g.plugin_dirs) {
            std::error_code ec;
            if (!std::filesystem::is_directory(dir, ec)) {
                std::cerr << "orchestrade: --plugin-dir " << dir << ": "
                          << (std::filesystem::exists(dir, ec) ? "not a directory"
                                                               : "no such directory")
                          << "\n";
                return kExitBadInput;
            }
        }
        const std::string name = vm["command"].as<std::string>();
        auto it = commands.find(name);
        if (it == commands.end()) {
            std::cerr << "orchestrade: unknown command '" << name << "'; see orchestrade --help\n";
            return kExitBadInput;
        }
        // Everything after the command name belongs to the command, options included.
        std::vector<std::string> rest =
            po::collect_unrecognized(parsed.options, po::include_positional);
        rest.erase(rest.begin());
        if (vm.count("help")) rest.push_back("--help");
        return it->second(g, rest);
    } catch (const po::error& e) {
        std::cerr << "orchestrade: " << e.what() << "\n";
        return kExitBadInput;
    } catch (const std::exception& e) {  // nothing a command missed may end in an abort
        std::cerr << "orchestrade: " << e.what() << "\n";
        return kExitRuntime;
    }
}
