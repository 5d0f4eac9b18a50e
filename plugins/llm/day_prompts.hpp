// The requests of the llm_day workflow's steps. Every step answers with the one decision schema
// of the llm strategy, read per step: screening and analysis answer BUY (yes) or HOLD (no), entry
// optimisation a BUY with its size and exit plan, monitoring CLOSE or HOLD, the daily review a
// HOLD whose rationale is the review, the weekly review CLOSE to flag a poor performer.
#pragma once

#include "provider.hpp"

#include <string>

namespace orchestrade::llm {

enum class DayStep {
    Screening,
    Analysis,
    EntryOptimisation,
    Monitoring,
    DailyReview,
    WeeklyReview
};

const char* step_name(DayStep step);

struct StepFacts {
    std::string day;        // local date
    std::string symbol;     // empty for the daily review
    double price = 0;       // last close of the symbol
    double position = 0;    // signed quantity held
    std::string portfolio;  // daily review: what was traded and what is held
};

ChatRequest day_request(DayStep step, const StepFacts& facts, const std::string& schema);

}  // namespace orchestrade::llm
