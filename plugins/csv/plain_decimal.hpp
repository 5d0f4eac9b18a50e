// The fast path for the numbers of a candle file. Prices and volumes come as plain decimals,
// [-]digits[.digits]: their value is the digits as an integer divided by 10^(fraction digits).
// When that integer is at most 2^53 and there are at most 22 fraction digits, both operands are
// exact doubles and the one IEEE division rounds the quotient correctly, so the result is the
// same double std::from_chars returns (Clinger's fast path), at a fraction of its cost. Any other
// shape (an exponent, more digits, "1.", ".5", inf, nan) is left to std::from_chars.
#pragma once

#include <cstdint>

namespace orchestrade::plugins {

// Parses a plain decimal at p; returns where it stops (as std::from_chars would), or nullptr
// when the text has another shape and value is untouched.
inline const char* parse_plain_decimal(const char* p, const char* end, double& value) {
    static constexpr double kPow10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                        1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                        1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
    constexpr int kMaxDigits = 19;  // 10^19 - 1 still fits in uint64_t
    static_assert(kMaxDigits <= 22, "10^(fraction digits) must be an exact double");
    const bool negative = p != end && *p == '-';
    const char* s = negative ? p + 1 : p;
    // More than kMaxDigits digits wrap the integer; such a number is declined below anyway.
    uint64_t digits = 0;
    const char* integer = s;
    for (; s != end && static_cast<unsigned>(*s - '0') < 10; ++s)
        digits = digits * 10 + static_cast<unsigned>(*s - '0');
    if (s == integer) return nullptr;
    long count = s - integer;
    int fraction = 0;
    if (s != end && *s == '.') {
        const char* first = ++s;
        for (; s != end && static_cast<unsigned>(*s - '0') < 10; ++s)
            digits = digits * 10 + static_cast<unsigned>(*s - '0');
        fraction = static_cast<int>(s - first);
        if (fraction == 0) return nullptr;
        count += fraction;
    }
    if (s != end && (*s == 'e' || *s == 'E')) return nullptr;
    if (count > kMaxDigits || digits > (uint64_t{1} << 53)) return nullptr;
    const double v = static_cast<double>(digits) / kPow10[fraction];
    value = negative ? -v : v;
    return s;
}

}  // namespace orchestrade::plugins
