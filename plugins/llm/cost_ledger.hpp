// What calls cost and how much may still be spent: a price table (USD per million tokens), and a
// daily budget that a restart does not reset.
#pragma once

#include "provider.hpp"

#include <orchestrade/sdk.hpp>

#include <nlohmann/json.hpp>

#include <map>
#include <optional>
#include <string>

namespace orchestrade::llm {

// USD per million tokens.
struct Price {
    double input = 0;
    double cached_input = 0;
    double cache_write = 0;
    double output = 0;
};

class PriceTable {
  public:
    // Built-in list prices of cheap models (see kPricesAsOf in the .cpp).
    static PriceTable builtin();
    // Adds or replaces models from {"model": {"input": .., "cached_input": .., "cache_write": ..,
    // "output": ..}}; a missing cached_input costs as input, a missing cache_write 1.25 x input.
    // Throws std::invalid_argument on anything else.
    void merge(const nlohmann::json& table);
    // An exact name; else a known name followed by a dated suffix ("claude-haiku-4-5-20251001")
    // or preceded by a vendor ("openai/gpt-5-mini").
    std::optional<Price> find(const std::string& model) const;

  private:
    std::map<std::string, Price> prices_;
};

double cost_usd(const Price& price, const Usage& usage);

// Why a call must not be made: which limit ("daily_budget", "run_budget") and what to say.
struct BudgetRefusal {
    std::string cause;
    std::string text;
};

// A call's worst case, counted on the day it was sent until settle() replaces it by the charge.
struct Reservation {
    double usd = 0;
    std::string day;
};

// The spend of the host's current UTC day and of this run, against their limits. Paper and live
// store the day's spend under "spent_usd/<yyyy-mm-dd>", so a restart does not reset it; a
// backtest keeps its (simulated) days in memory, so each backtest starts with its full budget.
class Budget {
  public:
    Budget(const sdk::Host& host, double daily_usd, std::optional<double> run_usd);
    // Why a call that may cost up to `worst_case_usd` must not be made, if it must not.
    std::optional<BudgetRefusal> refusal(double worst_case_usd);
    // A call about to be sent is counted (and stored) at its worst case until settle() replaces
    // that with its charge: a crash while it is out leaves the worst case spent.
    Reservation reserve(double worst_case_usd);
    // The charge goes to the day the call was sent on; settle({}, usd) charges a call that
    // reserved nothing.
    void settle(const Reservation& reservation, double charged_usd);
    // Spent today, with the calls still out at their worst case.
    double spent_today();

  private:
    void load_today();
    void store() const;

    sdk::Host host_;
    double daily_usd_;
    std::optional<double> run_usd_;
    bool stored_;  // paper and live: the day's spend lives in the host's key-value state
    std::string day_;
    double day_spent_ = 0;
    double run_spent_ = 0;
    double reserved_ = 0;  // worst cases of the calls out
};

}  // namespace orchestrade::llm
