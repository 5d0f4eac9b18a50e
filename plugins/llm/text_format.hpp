// Deterministic text for prompts and journal records: the same numbers and times give the same
// bytes on every run, so prompt hashes (and the response cache) stay stable.
#pragma once

#include <cstdint>
#include <deque>
#include <string>

namespace orchestrade::llm {

// Up to 8 significant digits; "n/a" for NaN (a value not defined yet).
std::string format_number(double v);
// "[a, b, c]", oldest first.
std::string format_series(const std::deque<double>& values);
// "2024-01-01T04:03:00Z"
std::string iso_utc(int64_t ms);
// "2024-01-01"
std::string utc_day(int64_t ms);
// A bar interval as pipelines write it: "3m", "1h", "4h", "1d"; "90s" when no larger unit fits.
std::string timeframe_text(int32_t seconds);

}  // namespace orchestrade::llm
