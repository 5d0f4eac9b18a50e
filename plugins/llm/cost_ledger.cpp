#include "cost_ledger.hpp"

#include "text_format.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>

namespace orchestrade::llm {
namespace {

// List prices as of 2026-07-30 (OpenAI) and 2026-06-30 (Anthropic); a cache read costs 0.1 x and
// a 5-minute cache write 1.25 x the input price at Anthropic. Override them with `prices`.
const std::map<std::string, Price>& builtin_prices() {
    static const std::map<std::string, Price> table = {
        {"gpt-5-nano", {0.05, 0.005, 0, 0.40}},
        {"gpt-5-mini", {0.25, 0.025, 0, 2.00}},
        {"gpt-4.1-nano", {0.10, 0.025, 0, 0.40}},
        {"gpt-4o-mini", {0.15, 0.075, 0, 0.60}},
        {"gpt-5.4-nano", {0.20, 0.02, 0, 1.25}},
        {"claude-haiku-4-5", {1.00, 0.10, 1.25, 5.00}},
        {"claude-3-5-haiku", {0.80, 0.08, 1.00, 4.00}},
        {"claude-3-haiku", {0.25, 0.03, 0.30, 1.25}},
    };
    return table;
}

double rate(const nlohmann::json& entry, const char* key, double fallback) {
    auto it = entry.find(key);
    if (it == entry.end()) return fallback;
    if (!it->is_number() || it->get<double>() < 0)
        throw std::invalid_argument(std::string("prices: ") + key + " must be a number >= 0");
    return it->get<double>();
}

// A spend as stored in the key-value state: every digit, so a restart reads back what was kept.
std::string spend_text(double usd) {
    char buf[40];
    std::snprintf(buf, sizeof buf, "%.17g", usd);
    return buf;
}

std::string format_usd(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.4f", v);
    return buf;
}

}  // namespace

PriceTable PriceTable::builtin() {
    PriceTable t;
    t.prices_ = builtin_prices();
    return t;
}

void PriceTable::merge(const nlohmann::json& table) {
    if (!table.is_object()) throw std::invalid_argument("prices must be a map of model names");
    for (const auto& [model, entry] : table.items()) {
        if (!entry.is_object() || !entry.contains("input") || !entry.contains("output"))
            throw std::invalid_argument("prices: " + model + " needs input and output prices");
        Price p;
        p.input = rate(entry, "input", 0);
        p.output = rate(entry, "output", 0);
        p.cached_input = rate(entry, "cached_input", p.input);
        p.cache_write = rate(entry, "cache_write", 1.25 * p.input);
        for (const auto& [key, value] : entry.items())
            if (key != "input" && key != "output" && key != "cached_input" && key != "cache_write")
                throw std::invalid_argument("prices: " + model + ": unknown key '" + key + "'");
        prices_[model] = p;
    }
}

std::optional<Price> PriceTable::find(const std::string& model) const {
    std::string name = model;
    if (prices_.count(name) == 0 && name.find('/') != std::string::npos)
        name = name.substr(name.rfind('/') + 1);
    if (auto it = prices_.find(name); it != prices_.end()) return it->second;
    const Price* best = nullptr;
    std::size_t best_len = 0;
    for (const auto& [known, price] : prices_)
        if (name.size() > known.size() && name.compare(0, known.size(), known) == 0 &&
            name[known.size()] == '-' && known.size() > best_len) {
            best = &price;
            best_len = known.size();
        }
    return best ? std::optional<Price>(*best) : std::nullopt;
}

double cost_usd(const Price& p, const Usage& u) {
    return (static_cast<double>(u.input) * p.input +
            static_cast<double>(u.cached_input) * p.cached_input +
            static_cast<double>(u.cache_write) * p.cache_write +
            static_cast<double>(u.output) * p.output) /
           1e6;
}

Budget::Budget(const sdk::Host& host, double daily_usd, std::optional<double> run_usd)
    : host_(host),
      daily_usd_(daily_usd),
      run_usd_(run_usd),
      stored_(host.mode() != OT_MODE_BACKTEST) {}

void Budget::load_today() {
    std::string today = utc_day(host_.now_ms());
    if (today == day_) return;
    day_ = today;
    day_spent_ = 0;
    if (!stored_) return;
    if (std::optional<std::string> stored = host_.kv_get("spent_usd/" + day_))
        day_spent_ = std::strtod(stored->c_str(), nullptr);
}

void Budget::store() const {
    if (!stored_) return;
    host_.kv_set("spent_usd/" + day_, spend_text(day_spent_ + reserved_));
}

double Budget::spent_today() {
    load_today();
    return day_spent_ + reserved_;
}

std::optional<BudgetRefusal> Budget::refusal(double worst_case_usd) {
    load_today();
    const double day_spent = day_spent_ + reserved_, run_spent = run_spent_ + reserved_;
    if (day_spent + worst_case_usd > daily_usd_)
        return BudgetRefusal{"daily_budget", "the daily budget is spent: $" +
                                                 format_usd(day_spent) + " of $" +
                                                 format_usd(daily_usd_) + " on " + day_ +
                                                 ", and the next call may cost up to $" +
                                                 format_usd(worst_case_usd)};
    if (run_usd_ && run_spent + worst_case_usd > *run_usd_)
        return BudgetRefusal{"run_budget", "the run budget is spent: $" + format_usd(run_spent) +
                                               " of $" + format_usd(*run_usd_) +
                                               ", and the next call may cost up to $" +
                                               format_usd(worst_case_usd)};
    return std::nullopt;
}

Reservation Budget::reserve(double worst_case_usd) {
    load_today();
    if (worst_case_usd <= 0) return {0, day_};
    reserved_ += worst_case_usd;
    store();
    return {worst_case_usd, day_};
}

void Budget::settle(const Reservation& reservation, double charged_usd) {
    load_today();
    reserved_ = std::max(0.0, reserved_ - reservation.usd);
    run_spent_ += charged_usd;
    if (reservation.usd > 0 && reservation.day != day_) {
        // Sent before midnight, back after it: the charge replaces the worst case on its day.
        if (stored_) {
            const std::string key = "spent_usd/" + reservation.day;
            const std::optional<std::string> stored = host_.kv_get(key);
            const double spent = stored ? std::strtod(stored->c_str(), nullptr) : 0;
            host_.kv_set(key, spend_text(std::max(0.0, spent - reservation.usd) + charged_usd));
        }
        store();
        return;
    }
    day_spent_ += charged_usd;
    if (reservation.usd > 0 || charged_usd != 0) store();
}

}  // namespace orchestrade::llm
