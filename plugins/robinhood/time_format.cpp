#include "time_format.hpp"

#include <array>
#include <cstdio>

namespace orchestrade::plugins::robinhood {
namespace {

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
int64_t days_from_civil(int64_t y, int64_t m, int64_t d) {
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const int64_t yoe = y - era * 400;
    const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

void civil_from_days(int64_t z, int64_t& y, int64_t& m, int64_t& d) {
    z += 719468;
    const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const int64_t doe = z - era * 146097;
    const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const int64_t mp = (5 * doy + 2) / 153;
    d = doy - (153 * mp + 2) / 5 + 1;
    m = mp < 10 ? mp + 3 : mp - 9;
    y = yoe + era * 400 + (m <= 2);
}

// Reads exactly 'width' digits at 'pos'.
bool digits(std::string_view s, std::size_t pos, std::size_t width, int64_t& out) {
    if (pos + width > s.size()) return false;
    out = 0;
    for (std::size_t i = pos; i < pos + width; ++i) {
        if (s[i] < '0' || s[i] > '9') return false;
        out = out * 10 + (s[i] - '0');
    }
    return true;
}

bool valid(int64_t mo, int64_t d, int64_t h, int64_t mi, int64_t s) {
    return mo >= 1 && mo <= 12 && d >= 1 && d <= 31 && h <= 23 && mi <= 59 && s <= 60;
}

}  // namespace

std::optional<int64_t> parse_iso8601_ms(std::string_view t) {
    int64_t y, mo, d, h, mi, s;
    if (!digits(t, 0, 4, y) || t.size() < 19 || t[4] != '-' || !digits(t, 5, 2, mo) ||
        t[7] != '-' || !digits(t, 8, 2, d) || (t[10] != 'T' && t[10] != ' ') ||
        !digits(t, 11, 2, h) || t[13] != ':' || !digits(t, 14, 2, mi) || t[16] != ':' ||
        !digits(t, 17, 2, s) || !valid(mo, d, h, mi, s))
        return std::nullopt;
    std::size_t pos = 19;
    int64_t ms = 0;
    if (pos < t.size() && t[pos] == '.') {
        int64_t scale = 100;
        for (++pos; pos < t.size() && t[pos] >= '0' && t[pos] <= '9'; ++pos, scale /= 10)
            ms += (t[pos] - '0') * scale;
    }
    int64_t offset_min = 0;
    if (pos < t.size() && (t[pos] == 'Z' || t[pos] == 'z')) {
        ++pos;
    } else if (pos < t.size() && (t[pos] == '+' || t[pos] == '-')) {
        int64_t oh, om;
        bool colon = pos + 3 < t.size() && t[pos + 3] == ':';
        if (!digits(t, pos + 1, 2, oh) || !digits(t, pos + (colon ? 4 : 3), 2, om))
            return std::nullopt;
        offset_min = (t[pos] == '-' ? -1 : 1) * (oh * 60 + om);
        pos += colon ? 6 : 5;
    }
    if (pos != t.size()) return std::nullopt;
    int64_t secs = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s - offset_min * 60;
    return secs * 1000 + ms;
}

std::string format_iso8601(int64_t ms) {
    int64_t secs = ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000);
    int64_t days = secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400);
    int64_t rem = secs - days * 86400;
    int64_t y, m, d;
    civil_from_days(days, y, m, d);
    char buf[64];
    std::snprintf(buf, sizeof buf, "%04lld-%02lld-%02lldT%02lld:%02lld:%02lldZ",
                  static_cast<long long>(y), static_cast<long long>(m), static_cast<long long>(d),
                  static_cast<long long>(rem / 3600), static_cast<long long>(rem / 60 % 60),
                  static_cast<long long>(rem % 60));
    return buf;
}

std::optional<int64_t> parse_http_date_ms(std::string_view t) {
    static constexpr std::array<const char*, 12> kMonths{"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    // IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT"
    if (t.size() != 29 || t[3] != ',' || t.substr(26) != "GMT") return std::nullopt;
    int64_t d, y, h, mi, s, mo = 0;
    for (std::size_t i = 0; i < kMonths.size(); ++i)
        if (t.substr(8, 3) == kMonths[i]) mo = static_cast<int64_t>(i) + 1;
    if (mo == 0 || !digits(t, 5, 2, d) || !digits(t, 12, 4, y) || !digits(t, 17, 2, h) ||
        !digits(t, 20, 2, mi) || !digits(t, 23, 2, s) || !valid(mo, d, h, mi, s))
        return std::nullopt;
    return (days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s) * 1000;
}

}  // namespace orchestrade::plugins::robinhood
