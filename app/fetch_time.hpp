// The dates fetch-data's --from and --to accept.
#pragma once

#include <cstdint>
#include <string>

namespace orchestrade::cli {

// "2024-01-31", "2024-01-31T12:00", "2024-01-31 12:00:30" (UTC) or Unix milliseconds, from 1970
// on. Throws std::invalid_argument naming `option` for anything else, including a date or a
// time that does not exist (2024-02-30, 25:00): none is rolled over into the next.
int64_t parse_time(const std::string& option, const std::string& text);

}  // namespace orchestrade::cli
