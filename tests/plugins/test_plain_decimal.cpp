// The csv feed's fast path for plain decimals must give exactly what std::from_chars gives, or
// step aside.
#include "plain_decimal.hpp"

#include <gtest/gtest.h>

#include <charconv>
#include <cstring>
#include <random>
#include <string>

using orchestrade::plugins::parse_plain_decimal;

namespace {

// Either the fast path declines, or it stops where from_chars stops with the same bits.
void expect_as_from_chars(const std::string& text, bool must_take = false) {
    const char* begin = text.data();
    const char* end = begin + text.size();
    double fast = -12345;
    const char* stop = parse_plain_decimal(begin, end, fast);
    if (!stop) {
        EXPECT_FALSE(must_take) << "declined '" << text << "'";
        EXPECT_EQ(fast, -12345) << "touched the value of '" << text << "'";
        return;
    }
    double reference = 0;
    auto [reference_stop, ec] = std::from_chars(begin, end, reference);
    ASSERT_EQ(ec, std::errc()) << text;
    EXPECT_EQ(stop, reference_stop) << text;
    uint64_t a = 0, b = 0;
    std::memcpy(&a, &fast, sizeof a);
    std::memcpy(&b, &reference, sizeof b);
    EXPECT_EQ(a, b) << "'" << text << "': " << fast << " vs " << reference;
}

}  // namespace

TEST(PlainDecimal, TakesTheNumbersOfACandleFileWithFromCharsValues) {
    for (const char* s :
         {"30026.77", "0.1", "0.3", "181.1240", "1704067200000", "-1.5", "-0.00", "0",
          "9007199254740992", "12345678.12345678", "7x", "5.25,", "0.0000000000000001", "42 "})
        expect_as_from_chars(s, true);
}

TEST(PlainDecimal, LeavesEveryOtherShapeToFromChars) {
    for (const char* s :
         {"", "-", ".5", "1.", "1.e3", "1e3", "2.5E-3", "inf", "nan", "+1", "9007199254740993",
          "12345678901234567890", "0.00000000000000000000001", "abc", "-x"}) {
        double v = -12345;
        EXPECT_EQ(parse_plain_decimal(s, s + std::strlen(s), v), nullptr) << s;
        EXPECT_EQ(v, -12345) << s;
    }
}

TEST(PlainDecimal, AgreesWithFromCharsOnRandomDecimals) {
    std::mt19937_64 rng(20261121);
    for (int i = 0; i < 200000; ++i) {
        const int digits = 1 + static_cast<int>(rng() % 19);
        std::string text = rng() % 4 == 0 ? "-" : "";
        const int point = static_cast<int>(rng() % static_cast<uint64_t>(digits));  // 0: none
        for (int d = 0; d < digits; ++d) {
            if (point != 0 && d == digits - point) text += '.';
            text += static_cast<char>('0' + rng() % 10);
        }
        if (text.back() == '.') text += '0';
        expect_as_from_chars(text);
        if (HasFailure()) return;
    }
}
