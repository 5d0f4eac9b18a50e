// What every command needs before it starts: logging and the plugin registry.
#pragma once

#include "cli.hpp"

#include <orchestrade/core/plugin_registry.hpp>

#include <boost/program_options.hpp>

#include <memory>
#include <string>
#include <vector>

namespace orchestrade::cli {

// The --log-level names accepted (the help's, plus "warn" for "warning").
bool valid_log_level(const std::string& name);
// Sets up the console and, when --log-file or default_file names one, the rotating log file.
// An explicit --log-file that cannot be opened is bad input: prints why and returns false. When
// only default_file cannot be opened, logs one warning and carries on with the console. A quiet
// console shows warnings and errors only; the file still gets every message of --log-level.
bool setup_logging(const GlobalOptions& g, const std::string& default_file = {},
                   bool quiet_console = false);
// Scans the search path: --plugin-dir, then the plugins/ folder next to the pipeline file (when
// one is given), ORCHESTRADE_PLUGIN_PATH, next to the binary, the install dir.
std::unique_ptr<core::PluginRegistry> load_registry(const GlobalOptions& g,
                                                    const std::string& pipeline_file = {});

// Parses a command's own options; returns false (after printing help) when --help was given.
bool parse_command(const std::string& usage, boost::program_options::options_description& opts,
                   const boost::program_options::positional_options_description& pos,
                   const std::vector<std::string>& args, boost::program_options::variables_map& vm);

// The folder the embedded pipeline's relative paths resolve against.
std::string data_dir();

}  // namespace orchestrade::cli
