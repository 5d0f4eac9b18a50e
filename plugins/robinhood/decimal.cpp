#include "decimal.hpp"

#include <orchestrade/sdk.hpp>

#include <algorithm>
#include <charconv>
#include <cmath>

namespace orchestrade::plugins::robinhood {
namespace {

constexpr int kMaxScale = 18;
// Relative slack so that 0.3 / 0.1 counts as 3 steps, not 2.999...; capped far below one step,
// so that a billion steps of 1 are not rounded the wrong way.
constexpr double kStepSlack = 1e-9;
constexpr double kMaxSlackSteps = 1e-3;

double pow10(int n) {
    double p = 1;
    for (int i = 0; i < n; ++i)
        p *= 10;
    return p;
}

}  // namespace

std::optional<Decimal> Decimal::parse(std::string_view text) {
    if (text.empty()) return std::nullopt;
    bool negative = text.front() == '-';
    if (negative || text.front() == '+') text.remove_prefix(1);
    std::size_t dot = text.find('.');
    std::string_view whole = text.substr(0, dot);
    std::string_view fraction = dot == std::string_view::npos ? "" : text.substr(dot + 1);
    if (whole.empty() && fraction.empty()) return std::nullopt;
    while (!fraction.empty() && fraction.back() == '0')
        fraction.remove_suffix(1);
    if (fraction.size() > kMaxScale) return std::nullopt;
    Decimal d;
    d.scale = static_cast<int>(fraction.size());
    for (std::string_view part : {whole, fraction}) {
        for (char c : part) {
            if (c < '0' || c > '9') return std::nullopt;
            if (__builtin_mul_overflow(d.units, 10, &d.units) ||
                __builtin_add_overflow(d.units, c - '0', &d.units))
                return std::nullopt;
        }
    }
    if (negative) d.units = -d.units;
    return d;
}

double Decimal::value() const {
    return static_cast<double>(units) / pow10(scale);
}

std::string Decimal::text() const {
    std::string digits = std::to_string(units < 0 ? -units : units);
    if (static_cast<int>(digits.size()) <= scale)
        digits.insert(0, static_cast<std::size_t>(scale) + 1 - digits.size(), '0');
    std::string out = units < 0 ? "-" : "";
    out += digits.substr(0, digits.size() - static_cast<std::size_t>(scale));
    std::string fraction = digits.substr(digits.size() - static_cast<std::size_t>(scale));
    while (!fraction.empty() && fraction.back() == '0')
        fraction.pop_back();
    if (!fraction.empty()) out += "." + fraction;
    return out;
}

Decimal quantize(double value, const Decimal& step, Rounding rounding) {
    double steps = value / step.value();
    double slack = std::min(kStepSlack * std::fabs(steps), kMaxSlackSteps);
    double n = rounding == Rounding::Down ? std::floor(steps + slack)
               : rounding == Rounding::Up ? std::ceil(steps - slack)
                                          : std::round(steps);
    if (!std::isfinite(n) || std::fabs(n) * static_cast<double>(step.units) > 9e18)
        throw sdk::Error(OT_E_INVALID_ARG, "robinhood: " + format_number(value) +
                                               " cannot be expressed in steps of " + step.text());
    return Decimal{static_cast<int64_t>(n) * step.units, step.scale};
}

std::string format_number(double value) {
    char buf[400];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value, std::chars_format::fixed);
    return ec == std::errc() ? std::string(buf, end) : std::string("nan");
}

}  // namespace orchestrade::plugins::robinhood
