// Bar timeframes as written in pipelines: a count and a unit s/m/h/d/w ("1m", "15m", "4h", "1d").
#pragma once

#include <orchestrade/sdk.hpp>

#include <charconv>
#include <cstdint>
#include <string>
#include <string_view>

namespace orchestrade::candles {

// Seconds in 'text'; throws sdk::Error(OT_E_INVALID_ARG) for anything else.
inline int32_t parse_timeframe(std::string_view text) {
    int64_t unit = 0;
    if (!text.empty()) {
        switch (text.back()) {
            case 's':
                unit = 1;
                break;
            case 'm':
                unit = 60;
                break;
            case 'h':
                unit = 3600;
                break;
            case 'd':
                unit = 86400;
                break;
            case 'w':
                unit = 604800;
                break;
        }
    }
    int64_t count = 0;
    std::string_view digits = text.substr(0, text.empty() ? 0 : text.size() - 1);
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), count);
    bool ok = unit != 0 && !digits.empty() && ec == std::errc() &&
              end == digits.data() + digits.size() && count > 0 && count <= INT32_MAX / unit;
    if (!ok)
        throw sdk::Error(OT_E_INVALID_ARG, "timeframe '" + std::string(text) +
                                               "': expected a count and a unit s/m/h/d/w, "
                                               "like 1m, 15m, 4h or 1d");
    return static_cast<int32_t>(count * unit);
}

}  // namespace orchestrade::candles
