#include "trading_pair.hpp"

#include <orchestrade/sdk.hpp>

#include <algorithm>
#include <cctype>
#include <cmath>

namespace orchestrade::plugins::robinhood {
namespace {

Decimal positive_increment(const json& row, const char* key, const std::string& symbol) {
    std::optional<Decimal> d = decimal_field(row, key);
    if (!d || d->units <= 0)
        throw sdk::Error(OT_E_PLUGIN, "robinhood: trading pair " + symbol + " has no usable " +
                                          key + ": " + row.value(key, json()).dump());
    return *d;
}

}  // namespace

std::string venue_symbol(std::string_view symbol) {
    std::string out(symbol);
    std::replace(out.begin(), out.end(), '/', '-');
    for (char& c : out)
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return out;
}

TradingPair TradingPair::from_json(const json& row) {
    TradingPair p;
    p.symbol = text_field(row, "symbol");
    p.asset_code = text_field(row, "asset_code");
    p.quote_code = text_field(row, "quote_code");
    p.asset_increment = positive_increment(row, "asset_increment", p.symbol);
    p.quote_increment = positive_increment(row, "quote_increment", p.symbol);
    p.min_order_size = number_field(row, "min_order_size");
    p.max_order_size = number_field(row, "max_order_size");
    p.tradable = text_field(row, "status") == "tradable";
    return p;
}

TradingPair::Quantity TradingPair::quantity(double requested) const {
    if (!(requested > 0) || !std::isfinite(requested))
        throw sdk::Error(OT_E_REJECTED,
                         "quantity must be positive, got " + format_number(requested));
    Quantity q;
    q.qty = quantize(requested, asset_increment, Rounding::Down);
    q.unsent = std::max(0.0, requested - q.qty.value());
    const double sent = q.qty.value();
    if (q.qty.is_zero() || (min_order_size && sent < *min_order_size * (1 - 1e-12)))
        throw sdk::Error(OT_E_REJECTED,
                         symbol + ": quantity " + format_number(requested) + " is below the " +
                             "minimum order size " +
                             format_number(min_order_size.value_or(asset_increment.value())) +
                             " (asset increment " + asset_increment.text() + ")");
    if (max_order_size && sent > *max_order_size * (1 + 1e-12))
        throw sdk::Error(OT_E_REJECTED, symbol + ": quantity " + q.qty.text() +
                                            " is above the maximum order size " +
                                            format_number(*max_order_size));
    return q;
}

Decimal TradingPair::price(double requested, Rounding rounding, const char* what) const {
    Decimal p = requested > 0 && std::isfinite(requested)
                    ? quantize(requested, quote_increment, rounding)
                    : Decimal{};
    if (p.units <= 0)
        throw sdk::Error(OT_E_REJECTED, symbol + ": " + what + " " + format_number(requested) +
                                            " is not a positive multiple of the quote increment " +
                                            quote_increment.text());
    return p;
}

}  // namespace orchestrade::plugins::robinhood
