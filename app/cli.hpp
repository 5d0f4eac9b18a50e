// The orchestrade command line: shared options and one function per command.
#pragma once

#include <string>
#include <vector>

namespace orchestrade::cli {

// Exit codes: 0 ok, 1 runtime failure, 2 bad input or configuration.
constexpr int kExitOk = 0;
constexpr int kExitRuntime = 1;
constexpr int kExitBadInput = 2;

struct GlobalOptions {
    std::vector<std::string> plugin_dirs;
    std::string log_level = "info";
    std::string log_file;  // empty = console only
};

// Each command parses its own arguments (args excludes the command name).
int command_run(const GlobalOptions& g, const std::vector<std::string>& args);
int command_validate(const GlobalOptions& g, const std::vector<std::string>& args);
int command_plugins(const GlobalOptions& g, const std::vector<std::string>& args);
int command_describe(const GlobalOptions& g, const std::vector<std::string>& args);
int command_report(const GlobalOptions& g, const std::vector<std::string>& args);
int command_fetch_data(const GlobalOptions& g, const std::vector<std::string>& args);
int command_schedule(const GlobalOptions& g, const std::vector<std::string>& args);
int command_halt(const GlobalOptions& g, const std::vector<std::string>& args);
int command_resume(const GlobalOptions& g, const std::vector<std::string>& args);

}  // namespace orchestrade::cli
