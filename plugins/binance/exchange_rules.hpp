// Instrument rules from exchangeInfo (spot and USDⓈ-M field names) and their use before an order
// is sent: a quantity floored to the step size, a price rounded to the tick size, both written
// as exact decimals, and the min/max checks Binance would apply, failing with the filter's name.
#pragma once

#include "decimal.hpp"
#include "symbols.hpp"

#include <orchestrade/sdk.hpp>

#include <nlohmann/json.hpp>

#include <map>
#include <string>

namespace orchestrade::plugins::binance {

struct SymbolRules {
    std::string symbol;  // "BTCUSDT"
    std::string base, quote, status;
    Decimal tick, min_price, max_price;                   // PRICE_FILTER; 0 = no rule
    Decimal step, min_qty, max_qty;                       // LOT_SIZE
    Decimal market_step, market_min_qty, market_max_qty;  // MARKET_LOT_SIZE; 0 = as LOT_SIZE
    double min_notional =
        0;  // spot NOTIONAL/MIN_NOTIONAL.minNotional, futures MIN_NOTIONAL.notional
    bool min_notional_applies_to_market = true;
    double max_notional = 0;
    bool max_notional_applies_to_market = false;

    // qty floored to the step (MARKET_LOT_SIZE for market orders when it has one), checked
    // against the min and max. Throws sdk::Error(OT_E_REJECTED, "filter LOT_SIZE: ...").
    Decimal quantity(double qty, bool market) const;
    // price rounded to the tick and checked against PRICE_FILTER.
    Decimal price(double price, Rounding rounding) const;
    // notional = qty * reference price. reduce_only orders are exempt on futures.
    void check_notional(double notional, bool market, bool reduce_only, Market m) const;
};

using RulesBySymbol = std::map<std::string, SymbolRules>;  // by venue symbol

// The status of a universe symbol exchangeInfo no longer lists (delisted).
inline constexpr const char* kNotListed = "not listed";

// What differs between two versions of a symbol's price, quantity and notional rules, as
// "tick size 0.01 -> 0.1, ..."; "" when nothing does (the status is not compared).
std::string rules_change(const SymbolRules& before, const SymbolRules& after);

// Throws sdk::Error(OT_E_IO) when the document is not an exchangeInfo answer.
RulesBySymbol parse_exchange_info(const nlohmann::json& info);
// REQUEST_WEIGHT per minute from rateLimits, or 0 when absent.
int request_weight_limit(const nlohmann::json& info);

}  // namespace orchestrade::plugins::binance
