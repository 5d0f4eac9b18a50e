// Logging in the seed's format: "2025-11-20 09:00:01 | engine | INFO | message", to the console
// and to a rotating file.
#pragma once

#include <spdlog/spdlog.h>

#include <memory>
#include <string>

namespace orchestrade::core {

struct LogOptions {
    std::string file;  // empty = console only
    spdlog::level::level_enum level = spdlog::level::info;
    bool console = true;
    // The console shows only messages at this level or above (the file still gets `level`).
    spdlog::level::level_enum console_level = spdlog::level::trace;
};

void init_logging(const LogOptions& options);
// The logger of one component ("engine", "journal", "loader", "plugin.strategy", ...), created
// on first use with the sinks of init_logging (console only before it is called).
std::shared_ptr<spdlog::logger> logger(const std::string& component);

}  // namespace orchestrade::core
