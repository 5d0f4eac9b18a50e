// What `orchestrade run` prints: the start line, progress, and the closing summary.
#pragma once

#include <orchestrade/core/engine.hpp>
#include <orchestrade/core/pipeline.hpp>

#include <ostream>

namespace orchestrade::cli {

void print_start(std::ostream& out, const core::Pipeline& p);
void print_progress(std::ostream& out, const core::Progress& p);
void print_summary(std::ostream& out, const core::Pipeline& p, const core::RunSummary& s);
// "2024-01-05 13:20" (UTC)
std::string format_time(int64_t ms);

}  // namespace orchestrade::cli
