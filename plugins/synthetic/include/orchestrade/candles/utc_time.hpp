// Times as users write them on the command line (fetch-data's --from and --to) and in pipelines
// (the csv feed's start).
#pragma once

#include <charconv>
#include <cstdint>
#include <stdexcept>
#include <string>

namespace orchestrade::candles {
namespace detail {

// Days since 1970-01-01 of a date in the proleptic Gregorian calendar.
inline int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

inline int days_in_month(int y, int m) {
    static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : kDays[m - 1];
}

// The number of `count` digits at text[pos], or -1 when one of them is not a digit.
inline int number(const std::string& text, std::size_t pos, std::size_t count) {
    int value = 0;
    auto [end, ec] = std::from_chars(text.data() + pos, text.data() + pos + count, value);
    return ec == std::errc() && end == text.data() + pos + count && text[pos] != '-' ? value : -1;
}

}  // namespace detail

// "2024-01-31", "2024-01-31T12:00", "2024-01-31 12:00:30" (UTC) or Unix milliseconds, from 1970
// on, as Unix milliseconds. Throws std::invalid_argument naming `what` for anything else,
// including a date or a time that does not exist (2024-02-30, 25:00): none is rolled over into
// the next.
inline int64_t parse_utc_time(const std::string& what, const std::string& text) {
    int64_t ms = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), ms);
    if (ec == std::errc() && end == text.data() + text.size() && ms >= 0) return ms;
    const std::string form = " (YYYY-MM-DD[THH:MM[:SS]], UTC, or Unix ms)";
    const std::size_t n = text.size();
    const bool shaped = (n == 10 || n == 16 || n == 19) && text[4] == '-' && text[7] == '-' &&
                        (n == 10 || ((text[10] == 'T' || text[10] == ' ') && text[13] == ':')) &&
                        (n != 19 || text[16] == ':');
    if (!shaped) throw std::invalid_argument(what + " '" + text + "' is not a date" + form);
    const int y = detail::number(text, 0, 4), mo = detail::number(text, 5, 2),
              d = detail::number(text, 8, 2);
    const int h = n > 10 ? detail::number(text, 11, 2) : 0,
              mi = n > 10 ? detail::number(text, 14, 2) : 0;
    const int s = n > 16 ? detail::number(text, 17, 2) : 0;
    if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > detail::days_in_month(y, mo) || h < 0 ||
        h > 23 || mi < 0 || mi > 59 || s < 0 || s > 59)
        throw std::invalid_argument(what + " '" + text + "': no such date or time" + form);
    return (detail::days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d)) *
                86400 +
            h * 3600 + mi * 60 + s) *
           1000;
}

}  // namespace orchestrade::candles
