#include "day_workflow.hpp"

#include <utility>

namespace orchestrade::llm {
namespace {

using json = nlohmann::json;

struct Transition {
    DayState from, to;
};

// The day's path; besides these, every state but idle and error may fail into error. A day whose
// pre-market never ran (idle) is still reviewed; a day in error ends when a later one opens
// without a pre-market (its own next pre-market leaves it directly).
constexpr Transition kTransitions[] = {
    {DayState::Idle, DayState::PreMarketScreening},
    {DayState::PreMarketScreening, DayState::Analysis},
    {DayState::Analysis, DayState::EntryOptimisation},
    {DayState::EntryOptimisation, DayState::Ready},
    {DayState::Ready, DayState::MarketOpenExecution},
    {DayState::MarketOpenExecution, DayState::IntradayMonitoring},
    {DayState::IntradayMonitoring, DayState::EndOfDayReview},
    {DayState::EndOfDayReview, DayState::Idle},
    {DayState::EndOfDayReview, DayState::WeeklyReview},
    {DayState::WeeklyReview, DayState::Idle},
    {DayState::Error, DayState::PreMarketScreening},
    {DayState::Idle, DayState::EndOfDayReview},
    {DayState::Error, DayState::Idle},
};

constexpr std::pair<DayState, const char*> kNames[] = {
    {DayState::Idle, "idle"},
    {DayState::PreMarketScreening, "pre_market_screening"},
    {DayState::Analysis, "analysis"},
    {DayState::EntryOptimisation, "entry_optimisation"},
    {DayState::Ready, "ready"},
    {DayState::MarketOpenExecution, "market_open_execution"},
    {DayState::IntradayMonitoring, "intraday_monitoring"},
    {DayState::EndOfDayReview, "end_of_day_review"},
    {DayState::WeeklyReview, "weekly_review"},
    {DayState::Error, "error"},
};

json trade_json(const PlannedTrade& t) {
    return {{"symbol", t.symbol},
            {"size_pct", t.size_pct},
            {"stop_loss", t.stop_loss},
            {"take_profit", t.take_profit},
            {"rationale", t.rationale}};
}

PlannedTrade trade_from(const json& t) {
    return {t.value("symbol", ""), t.value("size_pct", 0.0), t.value("stop_loss", 0.0),
            t.value("take_profit", 0.0), t.value("rationale", "")};
}

json trades_json(const std::vector<PlannedTrade>& trades) {
    json out = json::array();
    for (const PlannedTrade& t : trades)
        out.push_back(trade_json(t));
    return out;
}

std::vector<PlannedTrade> trades_from(const json& j) {
    std::vector<PlannedTrade> out;
    for (const json& t : j)
        out.push_back(trade_from(t));
    return out;
}

json entries_json(const std::vector<OpenEntry>& entries) {
    json out = json::array();
    for (const OpenEntry& e : entries) {
        json entry = trade_json(e.trade);
        entry["day"] = e.day;
        if (e.realized_before) entry["realized_pnl_before"] = *e.realized_before;
        out.push_back(entry);
    }
    return out;
}

std::vector<OpenEntry> entries_from(const json& j) {
    std::vector<OpenEntry> out;
    for (const json& e : j) {
        OpenEntry& entry = out.emplace_back(OpenEntry{e.value("day", ""), trade_from(e), {}});
        if (e.contains("realized_pnl_before"))
            entry.realized_before = e.at("realized_pnl_before").get<double>();
    }
    return out;
}

json closed_json(const std::vector<ClosedEntry>& closed) {
    json out = json::array();
    for (const ClosedEntry& c : closed)
        out.push_back({{"symbol", c.symbol}, {"day", c.day}, {"realized_pnl", c.realized_pnl}});
    return out;
}

std::vector<ClosedEntry> closed_from(const json& j) {
    std::vector<ClosedEntry> out;
    for (const json& c : j)
        out.push_back({c.value("symbol", ""), c.value("day", ""), c.value("realized_pnl", 0.0)});
    return out;
}

std::vector<std::string> strings_from(const json& j, const char* key) {
    return j.contains(key) ? j.at(key).get<std::vector<std::string>>() : std::vector<std::string>();
}

json context_json(const DayContext& c) {
    return {{"watchlist", c.watchlist},          {"analysed", c.analysed},
            {"planned", trades_json(c.planned)}, {"executed", c.executed},
            {"week_traded", c.week_traded},      {"closed", closed_json(c.closed)}};
}

}  // namespace

const char* state_name(DayState state) {
    for (const auto& [s, name] : kNames)
        if (s == state) return name;
    return "error";
}

std::optional<DayState> parse_state(const std::string& name) {
    for (const auto& [s, n] : kNames)
        if (name == n) return s;
    return std::nullopt;
}

bool transition_allowed(DayState from, DayState to) {
    if (to == DayState::Error) return from != DayState::Idle && from != DayState::Error;
    for (const Transition& t : kTransitions)
        if (t.from == from && t.to == to) return true;
    return false;
}

json DayRecord::to_json() const {
    return {{"state", state_name(state)},
            {"day", day},
            {"done", done},
            {"context", context_json(context)},
            {"error", error},
            {"open_entries", entries_json(open_entries)},
            {"sent_entries", entries_json(sent_entries)},
            {"market_open_began", market_open_began}};
}

DayRecord DayRecord::from_json(const json& j) {
    DayRecord r;
    r.state = parse_state(j.value("state", "idle")).value_or(DayState::Error);
    r.day = j.value("day", "");
    r.done = j.value("done", std::set<std::string>());
    r.error = j.value("error", "");
    const json c = j.value("context", json::object());
    r.context.watchlist = strings_from(c, "watchlist");
    r.context.analysed = strings_from(c, "analysed");
    r.context.planned = trades_from(c.value("planned", json::array()));
    r.context.executed = strings_from(c, "executed");
    r.context.week_traded = strings_from(c, "week_traded");
    r.context.closed = closed_from(c.value("closed", json::array()));
    r.open_entries = entries_from(j.value("open_entries", json::array()));
    r.sent_entries = entries_from(j.value("sent_entries", json::array()));
    r.market_open_began = j.value("market_open_began", "");
    return r;
}

DayWorkflow::DayWorkflow(DayRecord record, WorkflowJournal journal)
    : r_(std::move(record)), journal_(std::move(journal)) {}

json DayWorkflow::entry(DayState from, DayState to, const std::string& reason) const {
    return {{"from", state_name(from)},
            {"to", state_name(to)},
            {"reason", reason},
            {"day", r_.day},
            {"context", context_json(r_.context)}};
}

bool DayWorkflow::transition(DayState to, const std::string& reason) {
    const DayState from = r_.state;
    if (!transition_allowed(from, to)) {
        refuse(to, reason);
        return false;
    }
    r_.state = to;
    if (to == DayState::Error) r_.error = reason;
    journal_("workflow_transition", entry(from, to, reason));
    return true;
}

void DayWorkflow::refuse(DayState to, const std::string& reason) {
    json e = entry(r_.state, to, reason);
    e["refused"] = true;
    journal_("workflow_transition", e);
}

void DayWorkflow::fail(const std::string& reason) {
    transition(DayState::Error, reason);
}

void DayWorkflow::end_earlier_day(const std::string& day) {
    if (r_.state == DayState::EndOfDayReview)
        transition(DayState::Idle, "day " + r_.day + " closed without a weekly review");
    else if (r_.state != DayState::Idle && r_.state != DayState::Error && r_.day == day)
        fail("the pre-market of " + day + " was interrupted in " + state_name(r_.state) +
             ": it starts again");
    else if (r_.state != DayState::Idle && r_.state != DayState::Error)
        fail("day " + r_.day + " ended unfinished in " + state_name(r_.state));
}

void DayWorkflow::reset_to(const std::string& day) {
    std::vector<std::string> week = std::move(r_.context.week_traded);
    r_.context = DayContext{};
    r_.context.week_traded = std::move(week);
    // The steps a day already ran (a monitor before its pre-market) stay done.
    if (r_.day != day) r_.done.clear();
    r_.day = day;
    r_.error.clear();
}

bool DayWorkflow::begin_day(const std::string& day) {
    end_earlier_day(day);
    reset_to(day);
    return transition(DayState::PreMarketScreening, "pre_market of " + day);
}

void DayWorkflow::open_day(const std::string& day) {
    end_earlier_day(day);
    if (r_.state == DayState::Error)
        transition(DayState::Idle,
                   "day " + r_.day + " ended in error; " + day + " opens without a pre-market");
    reset_to(day);
}

}  // namespace orchestrade::llm
