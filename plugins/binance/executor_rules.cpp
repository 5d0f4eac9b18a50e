// The executor's copy of the exchange rules: read at start, again every hour and at once when
// Binance refuses an order for a price or quantity rule, so a tick or step size changed while
// the bot runs does not leave new positions unprotected, and a symbol that stops trading
// (BREAK, HALT) refuses new entries.
#include "binance_executor.hpp"

namespace orchestrade::plugins::binance {
namespace {

constexpr int64_t kRulesRefreshEveryMs = 60 * 60 * 1000;
constexpr int64_t kRulesRetryMs = 60 * 1000;
constexpr const char* kTrading = "TRADING";

}  // namespace

RulesBySymbol BinanceExecutor::read_rules(Priority priority) {
    std::vector<std::string> symbols;
    for (const std::string& s : universe_)
        symbols.push_back(venue_symbol(s));
    nlohmann::json info = venue_->exchange_info(symbols, priority);
    RulesBySymbol rules = parse_exchange_info(info);
    if (int limit = request_weight_limit(info)) client_->set_weight_limit(limit);
    client_->set_order_limits(order_limits(info));
    next_rules_refresh_ms_ = host().now_ms() + kRulesRefreshEveryMs;
    return rules;
}

bool BinanceExecutor::refresh_rules(Priority priority, const std::string& symbol) {
    RulesBySymbol fresh = read_rules(priority);
    bool changed = false;
    for (const std::string& s : universe_) {
        const std::string vs = venue_symbol(s);
        SymbolRules& current = rules_.at(vs);  // every universe symbol was listed at start
        auto it = fresh.find(vs);
        SymbolRules next = it != fresh.end() ? it->second : current;
        if (it == fresh.end()) next.status = kNotListed;
        if (next.status != current.status) {
            if (next.status == kTrading)
                host().info("binance: " + s + " is TRADING again at Binance");
            else if (next.status == kNotListed)
                host().error("binance: " + s + " (" + vs +
                             ") is no longer listed at Binance (delisted): every order for it is "
                             "refused, exits included, until it is listed again");
            else
                host().error("binance: " + s + " is " + next.status +
                             " at Binance, no longer TRADING: new entries are refused until it "
                             "trades again");
        }
        const std::string change = rules_change(current, next);
        if (!change.empty()) {
            host().warn("binance: the rules of " + s + " changed at Binance: " + change);
            changed = changed || vs == symbol;
        }
        current = next;  // in place: references into rules_ stay valid
    }
    return changed;
}

void BinanceExecutor::refresh_rules_if_due() {
    const int64_t now = host().now_ms();
    if (now < next_rules_refresh_ms_) return;
    try {
        refresh_rules(Priority::Normal, "");
    } catch (const std::exception& e) {  // no answer, an error, or an unreadable one
        next_rules_refresh_ms_ = now + kRulesRetryMs;
        const auto* error = dynamic_cast<const sdk::Error*>(&e);
        host().log(error && error->code() == OT_E_RATE_LIMIT ? OT_LOG_DEBUG : OT_LOG_WARN,
                   std::string("binance: exchangeInfo not read again now, next try in a minute: ") +
                       e.what());
    }
}

void BinanceExecutor::with_current_rules(const std::string& symbol,
                                         const std::function<void(bool again)>& attempt) {
    try {
        attempt(false);
        return;
    } catch (const ApiError& e) {
        if (!is_rules_refusal(e)) throw;
        bool changed = false;
        try {
            changed = refresh_rules(Priority::Trading, venue_symbol(symbol));
        } catch (const std::exception& read) {
            host().warn("binance: " + std::string(e.what()) +
                        ", and exchangeInfo could not be read again: " + read.what());
        }
        if (!changed) throw;
        host().info("binance: " + std::string(e.what()) + " for " + symbol +
                    ": sent again under its new rules");
    }
    attempt(true);
}

}  // namespace orchestrade::plugins::binance
