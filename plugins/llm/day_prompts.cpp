#include "day_prompts.hpp"

#include "prompt_builder.hpp"
#include "prompt_template.hpp"
#include "text_format.hpp"

#include <cmath>
#include <cstdio>

namespace orchestrade::llm {
namespace {

// The names are those of the llm strategy's symbol template, plus the few of this summary.
constexpr const char* kMarketTemplate =
    "Market ({{timeframe}} bars, {{bars}} received, the latest closed at {{time}}):\n"
    "Closes, oldest first: {{closes}}\n"
    "Change: {{change_pct}} % since the first close shown, {{last_change_pct}} % over the last "
    "bar\n"
    "EMA20 {{ema20}}, EMA50 {{ema50}}, RSI14 {{rsi14}}, ATR14 {{atr14}}\n"
    "Volume {{volume}}, {{volume_ratio}} x its 20-bar average {{volume_avg}}\n";

// "+1.23", "-0.40"; "n/a" when undefined.
std::string percent(double from, double to) {
    if (std::isnan(from) || std::isnan(to) || from == 0) return "n/a";
    char text[32];
    std::snprintf(text, sizeof text, "%+.2f", (to / from - 1) * 100);
    return text;
}

std::string ratio(double value, double average) {
    if (std::isnan(value) || std::isnan(average) || average == 0) return "n/a";
    char text[32];
    std::snprintf(text, sizeof text, "%.2f", value / average);
    return text;
}

const char* task(DayStep step) {
    switch (step) {
        case DayStep::Screening:
            return "Should this symbol be on today's watchlist? Answer BUY if it should, your "
                   "confidence ranking it (no entry is planned yet: its size and levels are not "
                   "read, 0 will do); HOLD if not.";
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
    if (!p.not_current.empty())
        text += " at its last close, not a current price (" + p.not_current + ")";
    if (!p.entry) return text;
    const PlannedTrade& t = p.entry->trade;
    text += "; opened " + p.entry->day + " at " + format_number(t.size_pct) +
            " % of equity, stop-loss " + format_number(t.stop_loss) + ", take-profit " +
            format_number(t.take_profit);
    return t.rationale.empty() ? text : text + ": " + t.rationale;
}

std::string market_summary(const MarketView& m) {
    if (m.interval_s <= 0 || m.bars.bars == 0)
        return "Market: no bar received yet, so no market data.\n";
    const TimeframeSnapshot& t = m.bars;
    TemplateValues v;
    add_timeframe_values(v, "", t);
    v["timeframe"] = timeframe_text(m.interval_s);
    v["bars"] = std::to_string(t.bars);
    v["time"] = iso_utc(t.last_open_ms + int64_t{m.interval_s} * 1000);
    const std::size_t n = t.closes.size();
    v["change_pct"] = n < 2 ? "n/a" : percent(t.closes.front(), t.closes.back());
    v["last_change_pct"] = n < 2 ? "n/a" : percent(t.closes[n - 2], t.closes[n - 1]);
    v["volume_ratio"] = ratio(t.volume, t.volume_avg);
    std::string text = render(kMarketTemplate, v);
    if (t.bars < TimeframeState::kWarmupBars)
        text += "Not enough data yet for every indicator: " + std::to_string(t.bars) + " bar" +
                (t.bars == 1 ? "" : "s") + " received, " +
                std::to_string(TimeframeState::kWarmupBars) + " needed (n/a: not defined yet).\n";
    return text;
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
    if (!f.symbol.empty()) {
        user += "Symbol: " + f.symbol + "\nLast price: ";
        // An old close is never shown as the current price.
        user += f.price_not_current.empty()
                    ? format_number(f.price)
                    : "none current (" + f.price_not_current + "; the last close was " +
                          format_number(f.price) + ")";
        user += "\nPosition: " + format_number(f.position) + "\n";
    }
    if (f.held) user += "Open position: " + describe(*f.held) + "\n";
    if (f.market) user += market_summary(*f.market);
    if (!f.portfolio.empty()) user += f.portfolio + "\n";
    user += std::string("Task: ") + task(step) + "\n";
    return ChatRequest{std::move(system), {{"user", std::move(user)}}};
}

}  // namespace orchestrade::llm
