// The "llm_day" strategy: seed 003's trading day, driven by the calendar triggers of the pipeline.
// pre_market screens the universe (but the symbols already held) into a watchlist, analyses the
// top candidates and plans entries with stop-loss and take-profit; market_open sends them as BUY
// signals (the risk stage decides), each counted as executed once its position is seen, or once
// the ledger's realized PnL shows that it opened and closed again; a symbol whose bars stopped is
// neither planned nor entered;
// monitor* events may close any open position of the universe, carried from earlier days too,
// whatever the day's state (in error, or without a market_open); eod_review journals a review,
// whatever the state too; weekly_review (on its day) flags poor performers. The day is a
// DayWorkflow kept in the host's key-value state, so a restart resumes it and never repeats a step
// already done; a pre-market that a restart interrupted (or missed) runs at market_open, before the
// entries, and a market_open interrupted before it sent them runs at the day's next monitor. Every
// step about a symbol is shown a summary of the bars received for it.
#pragma once

#include "cost_ledger.hpp"
#include "day_market.hpp"
#include "day_prompts.hpp"
#include "day_workflow.hpp"
#include "decider.hpp"
#include "left_out_log.hpp"
#include "model_params.hpp"
#include "provider.hpp"
#include "response_cache.hpp"
#include "settings.hpp"

#include <orchestrade/sdk.hpp>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace orchestrade::llm {

inline constexpr const char* kWeekdays[] = {"mon", "tue", "wed", "thu",
                                            "fri", "sat", "sun", nullptr};

class LlmDayStrategy final : public sdk::Strategy {
  public:
    static constexpr sdk::Meta meta{
        "org.orchestrade.llm_day",
        "llm_day",
        "LLM trading day",
        "1.3.0",
        "Orchestrade",
        "Runs a trading day on scheduled events: pre-market screening, analysis and entry "
        "planning, execution at market open, intraday monitoring, daily and weekly reviews; each "
        "step a checked LLM decision, the day a persisted state machine"};
    static constexpr ot_param_spec params[] = {
        ORCHESTRADE_LLM_MODEL_PARAMS,
        sdk::int_param("max_candidates", "3", 1, 50, "Watchlist symbols analysed each day"),
        sdk::enum_param("weekly_review_day", "fri", kWeekdays,
                        "Local weekday of the weekly review"),
        sdk::string_param("pre_market_event", "pre_market", "Trigger of the pre-market steps"),
        sdk::string_param("market_open_event", "market_open", "Trigger of the execution"),
        sdk::string_param("monitor_prefix", "monitor",
                          "Triggers whose name starts with this monitor the positions"),
        sdk::string_param("eod_event", "eod_review", "Trigger of the end-of-day review"),
        sdk::string_param("weekly_event", "weekly_review", "Trigger of the weekly review"),
    };

    explicit LlmDayStrategy(const sdk::Context& ctx);
    void start() override;
    // Paper and live runs start with this much history, so the first steps have their indicators.
    uint32_t warmup_bars() const override;
    void on_bars(const sdk::Bars& bars, sdk::Signals& out) override;
    void on_event(const ot_event& event, sdk::Signals& out) override;

  private:
    struct Event {
        std::string name;
        int64_t time_ms = 0;
        std::string day;  // local date
        int weekday = 0;  // 0 = Monday
    };

    // A step already done today is skipped (and journaled): it may have placed orders.
    bool already_done(const Event& e, const std::string& step);
    void pre_market(const Event& e);
    // Begins e.day and runs its pre-market: screening, analysis, entry planning. It places no
    // order, so it may run again after an interruption; "pre_market" is done once it ends.
    void run_pre_market(const Event& e);
    void plan_day(const Event& e);
    void market_open(const Event& e, sdk::Signals& out);
    // Every open position is monitored whatever the day's state; only a day whose market_open
    // sent its entries moves to intraday_monitoring. A market_open of the day that a restart
    // interrupted before it sent anything runs again first.
    void monitor(const Event& e, sdk::Signals& out);
    // The day is reviewed whatever its state: one in error stays in error, one whose market_open
    // did not run ends in error (its plan was not sent), one that never began is reviewed.
    void eod_review(const Event& e);
    // Ends e.day as its review does (end_of_day_review, or error when unfinished); returns the
    // day's note from before (day_note).
    std::string close_day(const Event& e);
    // On its day, whatever the day's state: a day whose eod_review did not run is closed first.
    void weekly_review(const Event& e);
    // e.day when the record is on an earlier day: its pre-market never ran.
    void open_day(const Event& e);
    // A market_open that sent its entries and was stopped before it moved on (a restart).
    void resume_after_market_open();
    // Why the day's state is not the one of a day that ran its pre-market and market_open ("the
    // day is in error: ..."); empty when it is.
    std::string day_note() const;
    // The model's checked decision for one step (facts: its symbol, portfolio or position; the
    // rest is filled in). An unusable answer is a HOLD, journaled with its reason: it costs that
    // symbol's step, not the day.
    Decision ask(DayStep step, const Event& e, StepFacts facts);
    Decision ask(DayStep step, const Event& e, const std::string& symbol);
    void hold_step(DayStep step, const Event& e, const std::string& symbol,
                   const std::string& reason);
    // The universe symbols with a bar whose last close is current at e: those whose bars stopped
    // are left out of planning and entries, named in a warning once per change.
    std::vector<std::string> current_symbols(const Event& e);
    // Why `symbol`'s last close is not a current price at e ("no 1h bar since ..."); empty when it
    // is, or when no bar was received.
    std::string not_current(const std::string& symbol, int64_t now_ms) const;
    // An entry sent at market open counts (executed, traded this week) once its position is seen
    // (then remembered), or once the ledger shows that its position opened and closed again (a
    // stop-loss or take-profit filled before any event saw it); one with neither by its day's
    // review, or a later day, did not open.
    void confirm_sent_entries(const Event& e);
    void count_executed(const OpenEntry& sent);
    // Journals what became of a symbol's entry of `entry_day` (default e.day): "not planned" or
    // "not sent" (a position is already open), "opened", "not opened".
    void entry_outcome(const Event& e, const std::string& symbol, const std::string& outcome,
                       const std::string& reason, const std::string& entry_day = "");
    // The entry that opened a symbol's position, kept (and saved) while that position is open.
    void remember_entry(const OpenEntry& entry);
    // Drops the open entries whose position is flat, each closed one counted in the day's
    // context with its realized PnL when known.
    void forget_closed_entries();
    // Every open position of the universe, from the host's ledger, with its entry when known.
    std::vector<std::pair<std::string, HeldPosition>> open_positions(int64_t now_ms) const;
    void save() const;
    void journal(const std::string& kind, const nlohmann::json& record) const;

    ModelSettings settings_;
    std::vector<std::string> universe_;
    std::size_t max_candidates_;
    int weekly_day_;
    std::string pre_market_event_, market_open_event_, monitor_prefix_, eod_event_, weekly_event_;
    std::map<std::string, double> last_close_;
    DayMarket market_;
    LeftOutLog left_out_log_;
    std::unique_ptr<Provider> provider_;
    ResponseCache cache_;
    Budget budget_;
    std::optional<Decider> decider_;
    std::optional<DayWorkflow> workflow_;  // loaded in start(): reading the state is I/O
};

}  // namespace orchestrade::llm
