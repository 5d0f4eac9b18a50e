// The trading day of the llm_day strategy as a state machine: the states, the one table of allowed
// transitions, and the record kept across restarts (state, day, steps done, context). Every
// transition is reported with its context; a refused one is reported too, and changes nothing.
#pragma once

#include <nlohmann/json.hpp>

#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace orchestrade::llm {

enum class DayState {
    Idle,
    PreMarketScreening,
    Analysis,
    EntryOptimisation,
    Ready,
    MarketOpenExecution,
    IntradayMonitoring,
    EndOfDayReview,
    WeeklyReview,
    Error,
};

const char* state_name(DayState state);
std::optional<DayState> parse_state(const std::string& name);
bool transition_allowed(DayState from, DayState to);

struct PlannedTrade {
    std::string symbol;
    double size_pct = 0;
    double stop_loss = 0;
    double take_profit = 0;
    std::string rationale;
};

// An entry sent at market open: first waiting for its position to be seen, then kept while that
// position is open, as what the monitoring and the reviews of later days know of it beyond the
// host's ledger.
struct OpenEntry {
    std::string day;  // when it was sent
    PlannedTrade trade;
    // The realized PnL of its symbol in the host's ledger when it was sent (flat then): a position
    // opened and closed again before the strategy saw it moved it. Unknown in a record saved by
    // an earlier version, and after a backtest's restart (its ledger starts afresh).
    std::optional<double> realized_before = std::nullopt;
};

// A position an entry opened, closed again: what the day's review is told of it.
struct ClosedEntry {
    std::string symbol;
    std::string day;          // of its entry
    double realized_pnl = 0;  // gross of fees
};

struct DayContext {
    std::vector<std::string> watchlist;
    std::vector<std::string> analysed;
    std::vector<PlannedTrade> planned;
    std::vector<std::string> executed;     // symbols whose entry of the day opened a position
    std::vector<std::string> week_traded;  // the same over the week, kept until its review
    std::vector<ClosedEntry> closed;       // entries whose position closed since the day began
};

struct DayRecord {
    DayState state = DayState::Idle;
    std::string day;             // local date "2024-01-02" of the current day
    std::set<std::string> done;  // steps of that day already run
    DayContext context;
    std::string error;                    // why the day is in the error state (until it ends)
    std::vector<OpenEntry> open_entries;  // kept across days, one per symbol
    // Sent at market open, no position seen yet: the engine may ignore a signal and the risk
    // stage refuse it, so an entry counts as executed only once its position shows.
    std::vector<OpenEntry> sent_entries;
    // The day whose market_open began (saved before it runs): while that day's market_open is not
    // done, it was interrupted before sending anything.
    std::string market_open_began;

    nlohmann::json to_json() const;
    static DayRecord from_json(const nlohmann::json& j);
};

// Receives ("workflow_transition", {from, to, reason, day, context, refused?}).
using WorkflowJournal = std::function<void(const std::string& kind, const nlohmann::json&)>;

class DayWorkflow {
  public:
    DayWorkflow(DayRecord record, WorkflowJournal journal);

    const DayRecord& record() const { return r_; }
    DayRecord& record() { return r_; }
    DayState state() const { return r_.state; }

    // Moves to `to` when the table allows it; false (and journaled as refused) when not.
    bool transition(DayState to, const std::string& reason);
    // Journals a transition to `to` as refused; nothing changes.
    void refuse(DayState to, const std::string& reason);
    // Moves to the error state with the reason; the day's remaining steps are skipped.
    void fail(const std::string& reason);
    // Starts `day`: an unfinished earlier day ends first (end_of_day_review -> idle, any other
    // state -> error), as does an interrupted pre-market of `day` itself (-> error); then the
    // context is cleared (not the open entries nor, on the same day, the steps done) and
    // pre-market screening begins.
    bool begin_day(const std::string& day);
    // Makes `day`, a later day than the record's, the current one without beginning its
    // pre-market (a monitor or a review of a day whose pre-market never ran): the earlier day
    // ends as in begin_day, one in error then moves to idle; `day` is idle, nothing done. Its
    // pre_market or market_open may still begin it.
    void open_day(const std::string& day);

  private:
    nlohmann::json entry(DayState from, DayState to, const std::string& reason) const;
    void end_earlier_day(const std::string& day);
    void reset_to(const std::string& day);

    DayRecord r_;
    WorkflowJournal journal_;
};

}  // namespace orchestrade::llm
