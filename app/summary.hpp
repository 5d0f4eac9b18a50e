// What `orchestrade run` prints: the start line, progress, and the closing summary.
#pragma once

#include <orchestrade/core/engine.hpp>
#include <orchestrade/core/pipeline.hpp>
#include <orchestrade/core/report.hpp>

#include <ostream>

namespace orchestrade::cli {

void print_start(std::ostream& out, const core::Pipeline& p);
void print_progress(std::ostream& out, const core::Progress& p);
// With the strategy's failures when it had any, loudly when no model call got an answer.
void print_summary(std::ostream& out, const core::Pipeline& p, const core::RunSummary& s,
                   const core::StrategyFailures& failures);
// "2024-01-05 13:20" (UTC)
std::string format_time(int64_t ms);

}  // namespace orchestrade::cli
