// Exact decimals: what is sent to Binance has exactly the digits of the step or tick size.
#include "decimal.hpp"

#include <gtest/gtest.h>

namespace bn = orchestrade::plugins::binance;
using bn::Decimal;
using bn::Rounding;

TEST(Decimal, ParsesBinanceStringsAndWritesThemWithoutTrailingZeros) {
    EXPECT_EQ(Decimal::parse("0.00100000").str(), "0.001");
    EXPECT_EQ(Decimal::parse("5").str(), "5");
    EXPECT_EQ(Decimal::parse("100000.00000000").str(), "100000");
    EXPECT_EQ(Decimal::parse("-1.50").str(), "-1.5");
    EXPECT_TRUE(Decimal::parse("0.00000000").is_zero());
    EXPECT_DOUBLE_EQ(Decimal::parse("0.01634790").to_double(), 0.0163479);
    EXPECT_THROW(Decimal::parse("1e-5"), std::invalid_argument);
    EXPECT_THROW(Decimal::parse(""), std::invalid_argument);
    EXPECT_THROW(Decimal::parse("."), std::invalid_argument);
}

TEST(Decimal, QuantizesToTheStepWithoutBinaryNoise) {
    Decimal step = Decimal::parse("0.00001000");
    EXPECT_EQ(Decimal::quantize(0.0123456, step, Rounding::Down).str(), "0.01234");
    EXPECT_EQ(Decimal::quantize(0.0123456, step, Rounding::Up).str(), "0.01235");
    EXPECT_EQ(Decimal::quantize(0.0123449, step, Rounding::Nearest).str(), "0.01234");
    // 0.3 / 0.1 is 2.9999999999999996 in binary: still three steps.
    EXPECT_EQ(Decimal::quantize(0.3, Decimal::parse("0.1"), Rounding::Down).str(), "0.3");
    EXPECT_EQ(Decimal::quantize(0.00999, step, Rounding::Down).str(), "0.00999");
    EXPECT_EQ(Decimal::quantize(42113.456, Decimal::parse("0.01"), Rounding::Nearest).str(),
              "42113.46");
    EXPECT_EQ(Decimal::quantize(7, Decimal::parse("5"), Rounding::Down).str(), "5");
    EXPECT_EQ(Decimal::quantize(0.000004, step, Rounding::Down).str(), "0");
}

TEST(Decimal, ComparesAcrossScales) {
    EXPECT_TRUE(Decimal::parse("0.001") < Decimal::parse("0.01"));
    EXPECT_FALSE(Decimal::parse("0.010") < Decimal::parse("0.01"));
    EXPECT_FALSE(Decimal::parse("0.01") < Decimal::parse("0.010"));
    EXPECT_TRUE(Decimal::parse("9") < Decimal::parse("9000.5"));
    EXPECT_EQ(Decimal::from_double(0.1 + 0.2, 8).str(), "0.3");
}
