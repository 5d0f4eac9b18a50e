// Exact decimal numbers for what Binance sends as strings (tick sizes, step sizes, quantities)
// and for what we send back: a price or quantity is quantized to its step and written with the
// step's digits, never through printf("%g").
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace orchestrade::plugins::binance {

enum class Rounding { Down, Nearest, Up };

class Decimal {
  public:
    Decimal() = default;
    // "0.00100000", "5", "12.5"; throws std::invalid_argument on anything else.
    static Decimal parse(std::string_view text);
    // v rounded to 'scale' decimals.
    static Decimal from_double(double v, int scale);

    bool is_zero() const { return units_ == 0; }
    double to_double() const;
    // Without trailing zeros: "0.001", "5", "12.5".
    std::string str() const;

    // value rounded to a multiple of step. step must be > 0.
    static Decimal quantize(double value, const Decimal& step, Rounding rounding);
    friend bool operator<(const Decimal& a, const Decimal& b);

  private:
    Decimal(int64_t units, int scale) : units_(units), scale_(scale) {}
    // Without trailing fractional zeros, so equal values have equal members.
    static Decimal normalized(int64_t units, int scale);
    // Units of a and b at the larger of their scales.
    static void align(const Decimal& a, const Decimal& b, int64_t& ua, int64_t& ub);
    int64_t units_ = 0;  // value = units_ / 10^scale_
    int scale_ = 0;
};

// Shortest text that reads back as v, for messages ("0.1", not "0.10000000000000001").
std::string number_text(double v);

}  // namespace orchestrade::plugins::binance
