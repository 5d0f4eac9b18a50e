#include "exchange_rules.hpp"

namespace orchestrade::plugins::binance {
namespace {

Decimal field(const nlohmann::json& f, const char* key) {
    if (!f.contains(key)) return {};
    const auto& v = f[key];
    if (v.is_string()) return Decimal::parse(v.get<std::string>());
    if (v.is_number()) return Decimal::from_double(v.get<double>(), 12);
    return {};
}

bool flag(const nlohmann::json& f, const char* key, bool fallback) {
    return f.contains(key) && f[key].is_boolean() ? f[key].get<bool>() : fallback;
}

[[noreturn]] void fail(const std::string& filter, const std::string& what) {
    throw sdk::Error(OT_E_REJECTED, "filter " + filter + ": " + what);
}

}  // namespace

Decimal SymbolRules::quantity(double qty, bool market) const {
    bool market_lot = market && !market_step.is_zero();
    const char* filter = market_lot ? "MARKET_LOT_SIZE" : "LOT_SIZE";
    const Decimal& s = market_lot ? market_step : step;
    const Decimal& lo = market_lot ? market_min_qty : min_qty;
    const Decimal& hi = market_lot ? market_max_qty : max_qty;
    if (!(qty > 0)) fail(filter, "quantity must be positive, got " + number_text(qty));
    Decimal q =
        s.is_zero() ? Decimal::from_double(qty, 8) : Decimal::quantize(qty, s, Rounding::Down);
    if (q.is_zero() || q < lo)
        fail(filter, "quantity " + number_text(qty) + " is below the minimum " + lo.str() +
                         (s.is_zero() ? "" : " (step " + s.str() + ")"));
    if (!hi.is_zero() && hi < q)
        fail(filter, "quantity " + q.str() + " is above the maximum " + hi.str());
    return q;
}

Decimal SymbolRules::price(double p, Rounding rounding) const {
    if (!(p > 0)) fail("PRICE_FILTER", "price must be positive, got " + number_text(p));
    Decimal d = tick.is_zero() ? Decimal::from_double(p, 8) : Decimal::quantize(p, tick, rounding);
    if (d.is_zero() || d < min_price)
        fail("PRICE_FILTER",
             "price " + number_text(p) + " is below the minimum " + min_price.str());
    if (!max_price.is_zero() && max_price < d)
        fail("PRICE_FILTER", "price " + d.str() + " is above the maximum " + max_price.str());
    return d;
}

void SymbolRules::check_notional(double notional, bool market, bool reduce_only, Market m) const {
    const char* filter = m == Market::Spot ? "NOTIONAL" : "MIN_NOTIONAL";
    if (m == Market::UsdM && reduce_only) return;
    if (min_notional > 0 && (!market || min_notional_applies_to_market) &&
        notional < min_notional * (1 - 1e-12))
        fail(filter, "order value " + number_text(notional) + " " + quote +
                         " is below the minimum " + number_text(min_notional));
    if (max_notional > 0 && (!market || max_notional_applies_to_market) && notional > max_notional)
        fail(filter, "order value " + number_text(notional) + " " + quote +
                         " is above the maximum " + number_text(max_notional));
}

RulesBySymbol parse_exchange_info(const nlohmann::json& info) {
    if (!info.is_object() || !info.contains("symbols") || !info["symbols"].is_array())
        throw sdk::Error(OT_E_IO, "binance: exchangeInfo has no symbols");
    RulesBySymbol out;
    for (const auto& s : info["symbols"]) {
        SymbolRules r;
        r.symbol = s.value("symbol", "");
        r.base = s.value("baseAsset", "");
        r.quote = s.value("quoteAsset", "");
        r.status = s.value("status", "");
        for (const auto& f : s.value("filters", nlohmann::json::array())) {
            std::string type = f.value("filterType", "");
            if (type == "PRICE_FILTER") {
                r.tick = field(f, "tickSize");
                r.min_price = field(f, "minPrice");
                r.max_price = field(f, "maxPrice");
            } else if (type == "LOT_SIZE") {
                r.step = field(f, "stepSize");
                r.min_qty = field(f, "minQty");
                r.max_qty = field(f, "maxQty");
            } else if (type == "MARKET_LOT_SIZE") {
                r.market_step = field(f, "stepSize");
                r.market_min_qty = field(f, "minQty");
                r.market_max_qty = field(f, "maxQty");
            } else if (type == "NOTIONAL") {
                r.min_notional = field(f, "minNotional").to_double();
                r.min_notional_applies_to_market = flag(f, "applyMinToMarket", true);
                r.max_notional = field(f, "maxNotional").to_double();
                r.max_notional_applies_to_market = flag(f, "applyMaxToMarket", false);
            } else if (type == "MIN_NOTIONAL") {
                // Spot's older filter says minNotional; futures say notional.
                Decimal v = f.contains("notional") ? field(f, "notional") : field(f, "minNotional");
                r.min_notional = v.to_double();
                r.min_notional_applies_to_market = flag(f, "applyToMarket", true);
            }
        }
        out.emplace(r.symbol, std::move(r));
    }
    return out;
}

std::string rules_change(const SymbolRules& before, const SymbolRules& after) {
    std::string out;
    auto compare = [&](const char* what, const Decimal& a, const Decimal& b) {
        if (a < b || b < a)
            out += (out.empty() ? "" : ", ") + std::string(what) + " " + a.str() + " -> " + b.str();
    };
    compare("tick size", before.tick, after.tick);
    compare("min price", before.min_price, after.min_price);
    compare("max price", before.max_price, after.max_price);
    compare("step size", before.step, after.step);
    compare("min qty", before.min_qty, after.min_qty);
    compare("max qty", before.max_qty, after.max_qty);
    compare("market step size", before.market_step, after.market_step);
    compare("market min qty", before.market_min_qty, after.market_min_qty);
    compare("market max qty", before.market_max_qty, after.market_max_qty);
    if (before.min_notional != after.min_notional || before.max_notional != after.max_notional ||
        before.min_notional_applies_to_market != after.min_notional_applies_to_market ||
        before.max_notional_applies_to_market != after.max_notional_applies_to_market)
        out += (out.empty() ? "" : ", ") + std::string("notional ") +
               number_text(before.min_notional) + ".." + number_text(before.max_notional) + " -> " +
               number_text(after.min_notional) + ".." + number_text(after.max_notional);
    return out;
}

int request_weight_limit(const nlohmann::json& info) {
    for (const auto& l : info.value("rateLimits", nlohmann::json::array())) {
        if (l.value("rateLimitType", "") != "REQUEST_WEIGHT") continue;
        int n = l.value("intervalNum", 1);
        std::string interval = l.value("interval", "");
        int limit = l.value("limit", 0);
        if (interval == "MINUTE" && n > 0) return limit / n;
    }
    return 0;
}

}  // namespace orchestrade::plugins::binance
