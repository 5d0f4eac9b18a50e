#include "decimal.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <stdexcept>

namespace orchestrade::plugins::binance {
namespace {

constexpr int kMaxScale = 16;

int64_t pow10(int n) {
    int64_t p = 1;
    for (int i = 0; i < n; ++i)
        p *= 10;
    return p;
}

}  // namespace

Decimal Decimal::parse(std::string_view text) {
    std::string_view t = text;
    bool negative = !t.empty() && t.front() == '-';
    if (negative) t.remove_prefix(1);
    if (t.empty()) throw std::invalid_argument("empty decimal");
    int64_t units = 0;
    int scale = 0;
    bool dot = false, digits = false;
    for (char c : t) {
        if (c == '.' && !dot) {
            dot = true;
            continue;
        }
        if (c < '0' || c > '9')
            throw std::invalid_argument("not a decimal: '" + std::string(text) + "'");
        if (dot && scale == kMaxScale) continue;  // beyond 1e-16: not a Binance number
        if (units > (INT64_MAX - 9) / 10)
            throw std::invalid_argument("decimal too large: '" + std::string(text) + "'");
        units = units * 10 + (c - '0');
        digits = true;
        if (dot) ++scale;
    }
    if (!digits) throw std::invalid_argument("not a decimal: '" + std::string(text) + "'");
    return normalized(negative ? -units : units, scale);
}

Decimal Decimal::normalized(int64_t units, int scale) {
    while (scale > 0 && units % 10 == 0) {
        units /= 10;
        --scale;
    }
    return Decimal(units, scale);
}

Decimal Decimal::from_double(double v, int scale) {
    return quantize(v, Decimal(1, scale), Rounding::Nearest);
}

double Decimal::to_double() const {
    double v = 0;
    std::string s = str();
    std::from_chars(s.data(), s.data() + s.size(), v);
    return v;
}

std::string Decimal::str() const {
    int64_t u = units_ < 0 ? -units_ : units_;
    std::string digits = std::to_string(u);
    if (scale_ > 0) {
        if (static_cast<int>(digits.size()) <= scale_)
            digits.insert(0, static_cast<std::size_t>(scale_ - static_cast<int>(digits.size()) + 1),
                          '0');
        digits.insert(digits.size() - static_cast<std::size_t>(scale_), ".");
    }
    return units_ < 0 ? "-" + digits : digits;
}

Decimal Decimal::quantize(double value, const Decimal& step, Rounding rounding) {
    if (step.units_ <= 0) throw std::invalid_argument("step must be positive");
    if (!std::isfinite(value)) throw std::invalid_argument("not a finite number");
    // value / step, with a tolerance for the binary representation of value (0.3 / 0.1).
    double steps =
        value * static_cast<double>(pow10(step.scale_)) / static_cast<double>(step.units_);
    double n = 0;
    switch (rounding) {
        case Rounding::Down:
            n = std::floor(steps + 1e-9);
            break;
        case Rounding::Up:
            n = std::ceil(steps - 1e-9);
            break;
        case Rounding::Nearest:
            n = std::floor(steps + 0.5);
            break;
    }
    if (std::fabs(n) * static_cast<double>(step.units_) > 9e18)
        throw std::invalid_argument("number too large for its step");
    return normalized(static_cast<int64_t>(n) * step.units_, step.scale_);
}

void Decimal::align(const Decimal& a, const Decimal& b, int64_t& ua, int64_t& ub) {
    ua = a.units_ * pow10(std::max(0, b.scale_ - a.scale_));
    ub = b.units_ * pow10(std::max(0, a.scale_ - b.scale_));
}

bool operator<(const Decimal& a, const Decimal& b) {
    int64_t ua = 0, ub = 0;
    Decimal::align(a, b, ua, ub);
    return ua < ub;
}

std::string number_text(double v) {
    char buf[32];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
    return ec == std::errc() ? std::string(buf, end) : std::to_string(v);
}

}  // namespace orchestrade::plugins::binance
