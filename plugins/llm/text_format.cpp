#include "text_format.hpp"

#include <cmath>
#include <cstdio>
#include <utility>

namespace orchestrade::llm {
namespace {

struct Civil {
    int64_t year;
    int month, day, hour, minute, second;
};

int64_t floor_div(int64_t a, int64_t b) {
    int64_t q = a / b;
    return (a % b < 0) ? q - 1 : q;
}

// Proleptic Gregorian date of a Unix time (H. Hinnant's days-to-civil algorithm).
Civil to_civil(int64_t ms) {
    int64_t days = floor_div(ms, 86400000);
    int64_t seconds = floor_div(ms, 1000) - days * 86400;
    int64_t z = days + 719468;
    int64_t era = floor_div(z, 146097);
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
    int month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
    int64_t year = yoe + era * 400 + (month <= 2 ? 1 : 0);
    return {year,
            month,
            day,
            static_cast<int>(seconds / 3600),
            static_cast<int>(seconds / 60 % 60),
            static_cast<int>(seconds % 60)};
}

}  // namespace

std::string format_number(double v) {
    if (std::isnan(v)) return "n/a";
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.8g", v);
    return buf;
}

std::string format_series(const std::deque<double>& values) {
    std::string out = "[";
    for (std::size_t i = 0; i < values.size(); ++i) {
        if (i) out += ", ";
        out += format_number(values[i]);
    }
    return out + "]";
}

std::string iso_utc(int64_t ms) {
    Civil c = to_civil(ms);
    char buf[40];
    std::snprintf(buf, sizeof buf, "%04lld-%02d-%02dT%02d:%02d:%02dZ",
                  static_cast<long long>(c.year), c.month, c.day, c.hour, c.minute, c.second);
    return buf;
}

std::string utc_day(int64_t ms) {
    return iso_utc(ms).substr(0, 10);
}

std::string timeframe_text(int32_t seconds) {
    constexpr std::pair<int32_t, char> kUnits[] = {
        {604800, 'w'}, {86400, 'd'}, {3600, 'h'}, {60, 'm'}};
    for (const auto& [unit, name] : kUnits)
        if (seconds > 0 && seconds % unit == 0) return std::to_string(seconds / unit) + name;
    return std::to_string(seconds) + "s";
}

}  // namespace orchestrade::llm
