// Exact decimal numbers for what goes on the wire: increments from the trading-pair rules and the
// quantities and prices quantised to them. Robinhood takes and returns numbers as decimal text.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace orchestrade::plugins::robinhood {

enum class Rounding { Down, Up, Nearest };

struct Decimal {
    int64_t units = 0;  // value = units / 10^scale
    int scale = 0;

    // Plain decimal text ("0.01", "0.000100000000000000", "12"); trailing zeros are dropped.
    // std::nullopt for anything else or when it does not fit.
    static std::optional<Decimal> parse(std::string_view text);
    double value() const;
    std::string text() const;  // shortest exact form: "0.0001", "12"
    bool is_zero() const { return units == 0; }
};

// The multiple of 'step' nearest to 'value' in the given direction. 'step' must be positive.
// Throws sdk::Error(OT_E_INVALID_ARG) when the result does not fit.
Decimal quantize(double value, const Decimal& step, Rounding rounding);

// Shortest text that reads back as the same double (for messages and logs).
std::string format_number(double value);

}  // namespace orchestrade::plugins::robinhood
