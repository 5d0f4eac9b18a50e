// The two time formats the venue speaks: ISO 8601 in payloads and filters, and the HTTP Date
// header (used to detect clock skew, since the API has no server-time endpoint).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace orchestrade::plugins::robinhood {

// "2024-01-02T03:04:05Z", "2024-01-02T03:04:05.123456-04:00", ... -> Unix ms.
std::optional<int64_t> parse_iso8601_ms(std::string_view text);
// Unix ms -> "2024-01-02T03:04:05Z" (whole seconds, rounded down).
std::string format_iso8601(int64_t ms);
// "Sun, 06 Nov 1994 08:49:37 GMT" -> Unix ms.
std::optional<int64_t> parse_http_date_ms(std::string_view text);

}  // namespace orchestrade::plugins::robinhood
