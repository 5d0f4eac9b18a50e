// What every command needs before it starts: logging and the plugin registry.
#pragma once

#include "cli.hpp"

#include <orchestrade/core/plugin_registry.hpp>

#include <boost/program_options.hpp>

#include <memory>
#include <string>
#include <vector>

namespace orchestrade::cli {

void setup_logging(const GlobalOptions& g, const std::string& default_file = {});
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
