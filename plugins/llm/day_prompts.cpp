#include "day_prompts.hpp"

#include "text_format.hpp"

namespace orchestrade::llm {
namespace {

const char* task(DayStep step) {
    switch (step) {
        case DayStep::Screening:
            return "Should this symbol be on today's watchlist? Answer BUY (with an exit plan) if "
                   "it should, your confidence ranking it; HOLD if not.";
        case DayStep::Analysis:
            return "Analyse this symbol for a long trade today. Answer BUY (with an exit plan) if "
                   "the setup is good; HOLD if not.";
        case DayStep::EntryOptimisation:
            return "Plan today's entry: BUY with position_size_pct, a stop_loss below and a "
                   "take_profit above the price, and the invalidation condition; HOLD to skip it.";
        case DayStep::Monitoring:
            return "A position is open. Answer CLOSE if the trade's reason no longer holds; "
                   "HOLD to keep it.";
        case DayStep::DailyReview:
            return "Review today's trading. Answer HOLD, with the review as the rationale.";
        case DayStep::WeeklyReview:
            return "Review this week's trades of this symbol. Answer CLOSE to flag it as a poor "
                   "performer; HOLD if it did well enough.";
    }
    return "";
}

}  // namespace

std::string describe(const HeldPosition& p) {
    std::string text = format_number(p.qty) + " at " + format_number(p.entry_price) +
                       ", unrealized PnL " + format_number(p.unrealized_pnl);
    if (!p.entry) return text;
    const PlannedTrade& t = p.entry->trade;
    text += "; opened " + p.entry->day + " at " + format_number(t.size_pct) +
            " % of equity, stop-loss " + format_number(t.stop_loss) + ", take-profit " +
            format_number(t.take_profit);
    return t.rationale.empty() ? text : text + ": " + t.rationale;
}

const char* step_name(DayStep step) {
    switch (step) {
        case DayStep::Screening:
            return "screening";
        case DayStep::Analysis:
            return "analysis";
        case DayStep::EntryOptimisation:
            return "entry_optimisation";
        case DayStep::Monitoring:
            return "monitoring";
        case DayStep::DailyReview:
            return "daily_review";
        case DayStep::WeeklyReview:
            return "weekly_review";
    }
    return "";
}

ChatRequest day_request(DayStep step, const StepFacts& f, const std::string& schema) {
    std::string system =
        "You run one step of a trading day. Answer with only one JSON object following this "
        "schema:\n" +
        schema + "\n";
    std::string user = std::string("Workflow step: ") + step_name(step) + "\nDay: " + f.day + "\n";
    if (!f.symbol.empty())
        user += "Symbol: " + f.symbol + "\nLast price: " + format_number(f.price) +
                "\nPosition: " + format_number(f.position) + "\n";
    if (f.held) user += "Open position: " + describe(*f.held) + "\n";
    if (!f.portfolio.empty()) user += f.portfolio + "\n";
    user += std::string("Task: ") + task(step) + "\n";
    return ChatRequest{std::move(system), {{"user", std::move(user)}}};
}

}  // namespace orchestrade::llm
