// The requests of the llm_day workflow's steps. Every step answers with the one decision schema
// of the llm strategy, read per step: screening answers BUY (yes, its size and levels unread) or
// HOLD (no), analysis BUY or HOLD, entry optimisation a BUY with its size and exit plan,
// monitoring CLOSE or HOLD, the daily review a HOLD whose rationale is the review, the weekly
// review CLOSE to flag a poor performer. A step about a symbol shows its market: the latest
// closes and the indicators of the bars received so far.
#pragma once

#include "day_market.hpp"
#include "day_workflow.hpp"
#include "provider.hpp"

#include <optional>
#include <string>

namespace orchestrade::llm {

enum class DayStep {
    Screening,
    Analysis,
    EntryOptimisation,
    Monitoring,
    DailyReview,
    WeeklyReview
};

const char* step_name(DayStep step);

// An open position as the host's ledger has it, with the entry it was opened with when the
// strategy still knows it.
struct HeldPosition {
    double qty = 0;  // signed
    double entry_price = 0;
    double unrealized_pnl = 0;
    std::optional<OpenEntry> entry;
    // Why its mark is not a current price ("no 1h bar since ..."); empty when it is.
    std::string not_current;
};

// "2 at 100, unrealized PnL 4; opened 2024-01-01 at 10 % of equity, stop-loss 98, take-profit
// 103: <rationale>", the part after ';' when the entry is known; the PnL is said to be at an old
// price ("at its last close, not a current price: no 1h bar since ...") when it is.
std::string describe(const HeldPosition& position);

struct StepFacts {
    std::string day;                   // local date
    std::string symbol;                // empty for the daily review
    double price = 0;                  // last close of the symbol
    std::string price_not_current;     // why that close is not current: "no 1h bar since ..."
    double position = 0;               // signed quantity held
    std::string portfolio;             // daily review: what was traded and what is held
    std::optional<HeldPosition> held;  // monitoring: the position watched
    std::optional<MarketView> market;  // a step about a symbol: its bars so far
};

// The market block of a symbol step: the timeframe, the closes shown, their change, EMA20/50,
// RSI14, ATR14 and the volume against its 20-bar average, each "n/a" until defined, with a line
// saying so while there are fewer bars than every indicator needs. Deterministic: the same bars
// give the same bytes.
std::string market_summary(const MarketView& market);

ChatRequest day_request(DayStep step, const StepFacts& facts, const std::string& schema);

}  // namespace orchestrade::llm
