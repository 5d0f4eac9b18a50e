#include "llm_day_strategy.hpp"

#include "text_format.hpp"

#include <algorithm>
#include <cstdio>

namespace orchestrade::llm {
namespace {

using json = nlohmann::json;

constexpr const char* kStateKey = "llm_day.workflow";
constexpr int64_t kDayMs = 86'400'000;
constexpr std::size_t kClosesShown = 10;

// Days since 1970-01-01 of a civil date (H. Hinnant's algorithm).
int64_t days_from_civil(int y, int m, int d) {
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const int64_t yoe = y - era * 400;
    const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

int weekday_of(int64_t days) {  // 0 = Monday; 1970-01-01 was a Thursday
    return static_cast<int>(((days % 7) + 7 + 3) % 7);
}

std::string date_of(int64_t days) {
    // The inverse of days_from_civil.
    days += 719468;
    const int64_t era = (days >= 0 ? days : days - 146096) / 146097;
    const int64_t doe = days - era * 146097;
    const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const int64_t mp = (5 * doy + 2) / 153;
    const int d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
    const int m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
    const int y = static_cast<int>(yoe + era * 400 + (m <= 2));
    char text[16];
    std::snprintf(text, sizeof text, "%04d-%02d-%02d", y, m, d);
    return text;
}

bool starts_with(const std::string& s, const std::string& prefix) {
    return !prefix.empty() && s.compare(0, prefix.size(), prefix) == 0;
}

// The pre-market of the record's day began and did not end: a restart stopped it. (The state
// is checked too: a record saved by an earlier version marks the step done when it begins.)
bool pre_market_interrupted(const DayRecord& r) {
    return r.done.count("pre_market") == 0 || r.state == DayState::PreMarketScreening ||
           r.state == DayState::Analysis || r.state == DayState::EntryOptimisation;
}

// The market_open of the record's day began and stopped (a crash, a restart) before it sent
// anything: it is marked done before its signals leave.
bool market_open_interrupted(const DayRecord& r) {
    return r.market_open_began == r.day && r.done.count("market_open") == 0 &&
           r.state != DayState::Error;
}

int weekday_index(const std::string& name) {
    for (int i = 0; kWeekdays[i]; ++i)
        if (name == kWeekdays[i]) return i;
    return 4;
}

}  // namespace

LlmDayStrategy::LlmDayStrategy(const sdk::Context& ctx)
    : Strategy(ctx),
      settings_(read_model_settings(ctx)),
      universe_(ctx.universe),
      max_candidates_(static_cast<std::size_t>(ctx.params.get_int("max_candidates"))),
      weekly_day_(weekday_index(ctx.params.get_string("weekly_review_day"))),
      pre_market_event_(ctx.params.get_string("pre_market_event")),
      market_open_event_(ctx.params.get_string("market_open_event")),
      monitor_prefix_(ctx.params.get_string("monitor_prefix")),
      eod_event_(ctx.params.get_string("eod_event")),
      weekly_event_(ctx.params.get_string("weekly_event")),
      market_(kClosesShown),
      left_out_log_("llm_day", "planning and entries", ""),
      provider_(make_provider(settings_.provider, ctx.host)),
      cache_(ctx.host, settings_.cache_mode, settings_.cache_file),
      budget_(ctx.host, settings_.daily_budget_usd, settings_.run_budget_usd) {
    if (universe_.empty()) throw sdk::Error(OT_E_INVALID_ARG, "llm_day: the universe is empty");
}

void LlmDayStrategy::start() {
    decider_.emplace(host(), *provider_, cache_, budget_, settings_.decider);
    DayRecord record;
    if (std::optional<std::string> saved = host().kv_get(kStateKey)) {
        record = DayRecord::from_json(json::parse(*saved));
        host().info(std::string("llm_day: resuming day ") + record.day + " in state " +
                    state_name(record.state));
        if (market_open_interrupted(record))
            host().warn("llm_day: the market_open of " + record.day +
                        " was interrupted before it sent its entries; it runs again (with the "
                        "pre-market if that did not complete) at that day's next monitor");
        else if (record.state != DayState::Idle && record.state != DayState::Error &&
                 pre_market_interrupted(record))
            host().warn("llm_day: the pre-market of " + record.day +
                        " did not complete; it runs again at that day's market_open");
        if (mode() == OT_MODE_BACKTEST) {
            // A backtest's ledger starts afresh: the realized PnL an earlier run saw is not its.
            for (OpenEntry& o : record.sent_entries)
                o.realized_before.reset();
            for (OpenEntry& o : record.open_entries)
                o.realized_before.reset();
        }
    }
    workflow_.emplace(std::move(record), [this](const std::string& kind, const json& j) {
        journal(kind, j);
        const std::string text = std::string(j.value("refused", false) ? "refused " : "") +
                                 j["from"].get<std::string>() + " -> " +
                                 j["to"].get<std::string>() + ": " + j["reason"].get<std::string>();
        if (j.value("refused", false))
            host().warn("llm_day: " + text);
        else
            host().info("llm_day: " + text);
    });
}

uint32_t LlmDayStrategy::warmup_bars() const {
    return static_cast<uint32_t>(TimeframeState::kWarmupBars);
}

void LlmDayStrategy::on_bars(const sdk::Bars& bars, sdk::Signals& /*out*/) {
    for (std::size_t i = 0; i < bars.size(); ++i) {
        // A bar that has not closed by now would be a look into the future: never used.
        if (bars.open_time_ms(i) + int64_t{bars.interval_s(i)} * 1000 > bars.now_ms()) continue;
        last_close_[bars.symbol(i)] = bars.close(i);
        market_.add_bar(bars.symbol(i), bars.interval_s(i), bars.open_time_ms(i), bars.high(i),
                        bars.low(i), bars.close(i), bars.volume(i));
    }
}

void LlmDayStrategy::on_event(const ot_event& ev, sdk::Signals& out) {
    Event e;
    e.name = ev.name ? ev.name : "";
    e.time_ms = ev.time_ms;
    // The local date comes with the event ("2024-01-02 06:30 EST"); UTC when it does not.
    int64_t days = (e.time_ms >= 0 ? e.time_ms : e.time_ms - kDayMs + 1) / kDayMs;
    json payload = json::parse(ev.payload_json ? ev.payload_json : "", nullptr, false);
    int y = 0, m = 0, d = 0;
    if (payload.is_object() && payload.value("local", "").size() >= 10 &&
        std::sscanf(payload.value("local", "").c_str(), "%4d-%2d-%2d", &y, &m, &d) == 3)
        days = days_from_civil(y, m, d);
    e.day = date_of(days);
    e.weekday = weekday_of(days);

    confirm_sent_entries(e);
    if (e.name == pre_market_event_)
        pre_market(e);
    else if (e.name == market_open_event_)
        market_open(e, out);
    else if (starts_with(e.name, monitor_prefix_))
        monitor(e, out);
    else if (e.name == eod_event_)
        eod_review(e);
    else if (e.name == weekly_event_)
        weekly_review(e);
    else
        host().debug("llm_day: event " + e.name + " is not one of the workflow's");
    save();
}

bool LlmDayStrategy::already_done(const Event& e, const std::string& step) {
    const DayRecord& r = workflow_->record();
    if (r.day != e.day || r.done.count(step) == 0) return false;
    journal("workflow_skip", {{"day", e.day}, {"step", step}, {"reason", "already done"}});
    host().warn("llm_day: " + step + " of " + e.day + " was already done: skipped");
    return true;
}

void LlmDayStrategy::pre_market(const Event& e) {
    if (already_done(e, "pre_market")) return;
    run_pre_market(e);
}

void LlmDayStrategy::run_pre_market(const Event& e) {
    if (!workflow_->begin_day(e.day)) return;
    save();  // the day has begun: a restart before the end sees a pre-market that did not complete
    plan_day(e);
    workflow_->record().done.insert("pre_market");  // completed, with a plan or in error
}

void LlmDayStrategy::plan_day(const Event& e) {
    DayRecord& r = workflow_->record();
    std::vector<std::pair<double, std::string>> candidates;
    const std::vector<std::string> current = current_symbols(e);
    for (const std::string& symbol : universe_) {
        if (last_close_.count(symbol) == 0) continue;  // no bar yet: nothing to judge it by
        if (host().position(symbol).qty != 0) {
            entry_outcome(e, symbol, "not planned", "a position is already open");
            continue;
        }
        if (std::find(current.begin(), current.end(), symbol) == current.end()) {
            entry_outcome(e, symbol, "not planned", not_current(symbol, e.time_ms));
            continue;
        }
        const Decision d = ask(DayStep::Screening, e, symbol);
        if (d.action == OT_ACTION_BUY) candidates.emplace_back(d.confidence, symbol);
    }
    if (last_close_.empty()) return workflow_->fail("screening: no prices yet");
    std::stable_sort(candidates.begin(), candidates.end(),
                     [](const auto& a, const auto& b) { return a.first > b.first; });
    for (const auto& c : candidates)
        r.context.watchlist.push_back(c.second);
    if (!workflow_->transition(DayState::Analysis, "watchlist chosen")) return;

    for (std::size_t i = 0; i < r.context.watchlist.size() && i < max_candidates_; ++i) {
        const Decision d = ask(DayStep::Analysis, e, r.context.watchlist[i]);
        if (d.action == OT_ACTION_BUY) r.context.analysed.push_back(r.context.watchlist[i]);
    }
    if (!workflow_->transition(DayState::EntryOptimisation, "candidates analysed")) return;

    for (const std::string& symbol : r.context.analysed) {
        const Decision d = ask(DayStep::EntryOptimisation, e, symbol);
        if (d.action == OT_ACTION_BUY)
            r.context.planned.push_back(
                {symbol, d.size_pct, d.stop_loss, d.take_profit, d.rationale});
    }
    workflow_->transition(DayState::Ready, "entries planned");
}

void LlmDayStrategy::market_open(const Event& e, sdk::Signals& out) {
    if (already_done(e, "market_open")) return;
    DayRecord& r = workflow_->record();
    r.market_open_began = e.day;
    save();  // a restart before it is done knows that nothing was sent
    if (r.day != e.day || pre_market_interrupted(r)) {
        // The process was down at the pre-market's time, or stopped while it ran, and its trigger
        // does not fire twice. It places no order: run it now, so the day can still trade.
        // A day a monitor opened is idle: its pre-market never began.
        const bool began = r.day == e.day && r.state != DayState::Idle;
        const std::string why =
            "the pre-market of " + e.day +
            (began ? std::string(" stopped in ") + state_name(r.state) + " (a restart?)"
                   : std::string(" never ran"));
        journal("workflow_recover",
                {{"day", e.day}, {"step", "pre_market"}, {"before", e.name}, {"reason", why}});
        host().warn("llm_day: " + why + ": it runs now, before " + e.name);
        run_pre_market(e);
    }
    if (!workflow_->transition(DayState::MarketOpenExecution, "market_open of " + e.day)) return;
    // The engine would ignore a BUY of a symbol held (a duplicate), or add to its position.
    // Nor is an entry sent on a price the market has left behind: its bars stopped.
    const std::vector<std::string> current = current_symbols(e);
    std::vector<PlannedTrade> entries;
    for (const PlannedTrade& t : r.context.planned) {
        if (host().position(t.symbol).qty != 0)
            entry_outcome(e, t.symbol, "not sent", "a position is already open");
        else if (std::find(current.begin(), current.end(), t.symbol) == current.end())
            entry_outcome(e, t.symbol, "not sent", not_current(t.symbol, e.time_ms));
        else
            entries.push_back(t);
    }
    // Done and saved before any signal leaves: a restart must never send these orders again.
    r.done.insert("market_open");
    for (const PlannedTrade& t : entries)
        r.sent_entries.push_back({e.day, t, host().position(t.symbol).realized_pnl});
    save();
    for (const PlannedTrade& t : entries) {
        sdk::Signal s;
        s.action = OT_ACTION_BUY;
        s.symbol = t.symbol;
        s.time_ms = e.time_ms;
        s.size_pct = t.size_pct;
        s.stop_loss = t.stop_loss;
        s.take_profit = t.take_profit;
        s.reason = t.rationale.empty() ? "planned entry" : t.rationale;
        s.metadata_json = json{{"workflow", "llm_day"}, {"day", e.day}, {"step", e.name}}.dump();
        out.push(s);
    }
    workflow_->transition(DayState::IntradayMonitoring, "planned entries sent");
}

void LlmDayStrategy::open_day(const Event& e) {
    const std::string earlier = workflow_->record().day;
    workflow_->open_day(e.day);
    host().info("llm_day: " + e.name + " of " + e.day + " comes before any pre-market of that day" +
                (earlier.empty() ? std::string() : " (the workflow was on " + earlier + ")") +
                ": the day opens without one");
}

void LlmDayStrategy::resume_after_market_open() {
    const DayRecord& r = workflow_->record();
    if (r.state == DayState::MarketOpenExecution && r.done.count("market_open"))
        workflow_->transition(DayState::IntradayMonitoring, "resumed after market_open");
}

std::string LlmDayStrategy::day_note() const {
    const DayRecord& r = workflow_->record();
    if (market_open_interrupted(r))
        return "the day's market_open was interrupted before it sent its entries";
    switch (r.state) {
        case DayState::Error:
            return "the day is in error: " + r.error;
        case DayState::Idle:
            if (r.done.count("pre_market") == 0)
                return "the day's pre-market and market_open did not run";
            return "the day was already reviewed";
        case DayState::PreMarketScreening:
        case DayState::Analysis:
        case DayState::EntryOptimisation:
            return "the day's pre-market did not complete and its market_open has not run";
        case DayState::Ready:
            return "the day's market_open has not run";
        case DayState::MarketOpenExecution:
        case DayState::IntradayMonitoring:
            return "";
        case DayState::EndOfDayReview:
        case DayState::WeeklyReview:
            return "the day was already reviewed";
    }
    return "";
}

void LlmDayStrategy::monitor(const Event& e, sdk::Signals& out) {
    if (already_done(e, e.name)) return;
    DayRecord& r = workflow_->record();
    // Positions are watched whatever became of the day's entries: carried ones need it most when
    // the day went wrong. The state moves on only for a day whose market_open sent its entries.
    if (r.day != e.day) open_day(e);
    resume_after_market_open();
    if (market_open_interrupted(r)) {
        // Nothing was sent: the day's entries may still go out, planned afresh if the pre-market
        // did not complete either. The day's review is the cut-off.
        const std::string why =
            "the market_open of " + e.day + " was interrupted before it sent its entries";
        journal("workflow_recover",
                {{"day", e.day}, {"step", "market_open"}, {"before", e.name}, {"reason", why}});
        host().warn("llm_day: " + why + ": it runs now, before " + e.name);
        market_open(e, out);
    }
    r.done.insert(e.name);
    const std::string note = day_note();
    forget_closed_entries();
    const std::vector<std::pair<std::string, HeldPosition>> held = open_positions(e.time_ms);
    const std::string what = e.name + " of " + e.day + ": " + std::to_string(held.size()) +
                             " open position" + (held.size() == 1 ? "" : "s") + " monitored";
    if (r.state == DayState::Error)
        host().warn("llm_day: " + what + " on a day in error (" + r.error + ")");
    else if (!note.empty())
        host().info("llm_day: " + what + "; " + note);
    std::vector<std::string> monitored, closed;
    for (const auto& [symbol, position] : held) {
        monitored.push_back(symbol);
        StepFacts facts;
        facts.symbol = symbol;
        facts.held = position;
        const Decision d = ask(DayStep::Monitoring, e, facts);
        if (d.action != OT_ACTION_CLOSE) continue;
        closed.push_back(symbol);
        sdk::Signal s;
        s.action = OT_ACTION_CLOSE;
        s.symbol = symbol;
        s.time_ms = e.time_ms;
        s.reason = d.rationale.empty() ? "closed while monitoring" : d.rationale;
        s.metadata_json = json{{"workflow", "llm_day"}, {"day", e.day}, {"step", e.name}}.dump();
        out.push(s);
    }
    json record = {{"day", e.day},
                   {"event", e.name},
                   {"state", state_name(r.state)},
                   {"positions", monitored},
                   {"closed", closed}};
    if (!note.empty()) record["note"] = note;
    if (r.state == DayState::Error) record["error"] = r.error;
    journal("workflow_monitor", record);
}

std::string LlmDayStrategy::close_day(const Event& e) {
    DayRecord& r = workflow_->record();
    if (r.day != e.day) open_day(e);
    resume_after_market_open();
    const std::string note = day_note();
    if (r.state == DayState::IntradayMonitoring ||
        (r.state == DayState::Idle && r.done.count("pre_market") == 0))
        workflow_->transition(DayState::EndOfDayReview,
                              e.name + " of " + e.day + (note.empty() ? "" : " (" + note + ")"));
    else if (r.state != DayState::Error)
        // Its entries were planned, or being planned, and never sent: the day did not complete.
        workflow_->fail("day " + e.day + " ends unfinished in " + state_name(r.state) + " (" +
                        note + ")");
    return note;
}

void LlmDayStrategy::eod_review(const Event& e) {
    if (already_done(e, "eod_review")) return;
    DayRecord& r = workflow_->record();
    const std::string note = close_day(e);
    if (r.state == DayState::Error)
        host().warn("llm_day: eod_review of " + e.day + " reviews a day in error (" + r.error +
                    ")");
    r.done.insert("eod_review");
    forget_closed_entries();
    std::string portfolio;
    if (r.state == DayState::Error)
        portfolio = "The day's workflow is in error: " + r.error + "\n";
    else if (!note.empty())
        portfolio = "Note: " + note + "\n";
    portfolio += "Executed today:";
    for (const std::string& symbol : r.context.executed)
        portfolio += " " + symbol;
    json closed = json::array();
    if (!r.context.closed.empty()) portfolio += "\nClosed since the day began:";
    for (const ClosedEntry& c : r.context.closed) {
        portfolio += "\n- " + c.symbol + " (entered " + c.day + "): realized PnL " +
                     format_number(c.realized_pnl) + " before fees";
        closed.push_back({{"symbol", c.symbol}, {"day", c.day}, {"realized_pnl", c.realized_pnl}});
    }
    portfolio += "\nOpen positions:";
    for (const auto& [symbol, held] : open_positions(e.time_ms))
        portfolio += "\n- " + symbol + ": " + describe(held);
    StepFacts facts;
    facts.portfolio = portfolio;
    const Decision d = ask(DayStep::DailyReview, e, facts);
    json record = {{"day", e.day},
                   {"review", d.rationale},
                   {"executed", r.context.executed},
                   {"closed", closed},
                   {"state", state_name(r.state)}};
    if (r.state == DayState::Error) record["error"] = r.error;
    journal("workflow_review", record);
    if (e.weekday != weekly_day_ && r.state == DayState::EndOfDayReview)
        workflow_->transition(DayState::Idle, "day reviewed");
}

void LlmDayStrategy::weekly_review(const Event& e) {
    if (e.weekday != weekly_day_) {
        host().info("llm_day: " + e.name + " of " + e.day + " is not on the weekly review day");
        return;
    }
    if (already_done(e, "weekly_review")) return;
    DayRecord& r = workflow_->record();
    // The week is reviewed whatever became of the day: one whose eod_review did not run (the
    // process was down, its trigger skipped) is closed first, as eod_review closes it, without
    // its daily review.
    std::string note;
    if (r.day != e.day || r.done.count("eod_review") == 0) {
        const std::string day_note = close_day(e);
        note = "the day's " + eod_event_ + " did not run: the day was closed without its review" +
               (day_note.empty() ? "" : " (" + day_note + ")");
        host().warn("llm_day: " + e.name + " of " + e.day + ": " + note);
    }
    // A day in error was reviewed in error (eod_review): its week is reviewed too, in error.
    const bool in_error = r.state == DayState::Error;
    if (in_error)
        host().warn("llm_day: weekly_review of " + e.day + " runs on a day in error (" + r.error +
                    ")");
    else if (!workflow_->transition(DayState::WeeklyReview, "weekly_review of " + e.day))
        return;
    r.done.insert("weekly_review");
    std::vector<std::string> reviewed = r.context.week_traded, flagged;
    std::sort(reviewed.begin(), reviewed.end());
    reviewed.erase(std::unique(reviewed.begin(), reviewed.end()), reviewed.end());
    for (const std::string& symbol : reviewed) {
        const Decision d = ask(DayStep::WeeklyReview, e, symbol);
        if (d.action == OT_ACTION_CLOSE || d.action == OT_ACTION_SELL) flagged.push_back(symbol);
    }
    json record = {{"day", e.day}, {"reviewed", reviewed}, {"flagged", flagged}};
    if (in_error) record["error"] = r.error;
    if (!note.empty()) record["note"] = note;
    journal("workflow_weekly_review", record);
    r.context.week_traded.clear();
    if (!in_error) workflow_->transition(DayState::Idle, "week reviewed");
}

Decision LlmDayStrategy::ask(DayStep step, const Event& e, const std::string& symbol) {
    StepFacts facts;
    facts.symbol = symbol;
    return ask(step, e, facts);
}

Decision LlmDayStrategy::ask(DayStep step, const Event& e, StepFacts facts) {
    // A step about one symbol takes a decision about that symbol only: the answer's levels and
    // verdict are applied to it, so an answer naming another symbol is refused.
    MarketContext market;
    for (const auto& [s, price] : last_close_)
        if (facts.symbol.empty() || s == facts.symbol)
            market[s] = SymbolContext{price, host().position(s).qty};
    facts.day = e.day;
    if (auto it = market.find(facts.symbol); it != market.end()) {
        facts.price = it->second.price;
        facts.position = it->second.position;
        facts.price_not_current = not_current(facts.symbol, e.time_ms);
    }
    if (!facts.symbol.empty()) facts.market = market_.view(facts.symbol);
    DecisionRules rules = settings_.decider.rules;
    rules.read_entry_plan = step != DayStep::Screening;  // a screening BUY is only a yes
    Verdict v = decider_->decide(day_request(step, facts, settings_.provider.schema.dump()), market,
                                 e.time_ms, rules);
    if (!v.accepted) hold_step(step, e, facts.symbol, v.reason);
    return v.decision;
}

void LlmDayStrategy::hold_step(DayStep step, const Event& e, const std::string& symbol,
                               const std::string& reason) {
    const std::string what = std::string(step_name(step)) + (symbol.empty() ? "" : " of " + symbol);
    journal("workflow_hold", {{"day", e.day},
                              {"event", e.name},
                              {"step", step_name(step)},
                              {"symbol", symbol},
                              {"reason", reason}});
    host().warn("llm_day: " + what + " on " + e.day + " is a HOLD: " + reason);
}

std::vector<std::string> LlmDayStrategy::current_symbols(const Event& e) {
    std::vector<std::string> current;
    std::vector<LeftOut> stale;
    for (const std::string& symbol : universe_) {
        if (std::optional<LeftOut> left = market_.stale(symbol, e.time_ms))
            stale.push_back(*left);
        else if (last_close_.count(symbol))
            current.push_back(symbol);
    }
    if (!stale.empty())
        left_out_log_.set_timeframe(timeframe_text(market_.view(stale.front().symbol).interval_s));
    left_out_log_.update(stale, current, host());
    return current;
}

std::string LlmDayStrategy::not_current(const std::string& symbol, int64_t now_ms) const {
    const std::optional<LeftOut> left = market_.stale(symbol, now_ms);
    return left ? why_left_out(*left, timeframe_text(market_.view(symbol).interval_s)) : "";
}

void LlmDayStrategy::count_executed(const OpenEntry& sent) {
    DayRecord& r = workflow_->record();
    if (sent.day == r.day) r.context.executed.push_back(sent.trade.symbol);
    r.context.week_traded.push_back(sent.trade.symbol);
}

void LlmDayStrategy::confirm_sent_entries(const Event& e) {
    DayRecord& r = workflow_->record();
    std::vector<OpenEntry> waiting;
    for (const OpenEntry& sent : r.sent_entries) {
        const std::string& symbol = sent.trade.symbol;
        const ot_position p = host().position(symbol);
        if (p.qty > 0) {
            count_executed(sent);
            remember_entry(sent);
            entry_outcome(e, symbol, "opened", "its position is open", sent.day);
        } else if (sent.realized_before && p.realized_pnl != *sent.realized_before) {
            // Flat again, its stop-loss or take-profit filled before this event: nothing but the
            // PnL it realized shows that it traded (the strategy alone enters the symbol).
            const double pnl = p.realized_pnl - *sent.realized_before;
            count_executed(sent);
            r.context.closed.push_back({symbol, sent.day, pnl});
            entry_outcome(e, symbol, "opened and closed",
                          "its position was opened and closed again before " + e.name + " of " +
                              e.day + ", realized PnL " + format_number(pnl),
                          sent.day);
        } else if (sent.day == e.day && e.name != eod_event_ && e.name != weekly_event_) {
            waiting.push_back(sent);  // a market order fills within the day
        } else {
            entry_outcome(e, symbol, "not opened",
                          "no position by " + e.name + " of " + e.day +
                              ": the signal was ignored or refused (see its outcome in the "
                              "journal's signals)",
                          sent.day);
        }
    }
    r.sent_entries = std::move(waiting);
}

void LlmDayStrategy::entry_outcome(const Event& e, const std::string& symbol,
                                   const std::string& outcome, const std::string& reason,
                                   const std::string& entry_day) {
    const std::string day = entry_day.empty() ? e.day : entry_day;
    journal("workflow_entry", {{"day", day},
                               {"event", e.name},
                               {"symbol", symbol},
                               {"outcome", outcome},
                               {"reason", reason}});
    const std::string text =
        "llm_day: the entry of " + symbol + " of " + day + " " + outcome + " (" + reason + ")";
    if (outcome == "not opened")
        host().warn(text);
    else
        host().info(text);
}

void LlmDayStrategy::remember_entry(const OpenEntry& entry) {
    std::vector<OpenEntry>& entries = workflow_->record().open_entries;
    entries.erase(
        std::remove_if(entries.begin(), entries.end(),
                       [&](const OpenEntry& o) { return o.trade.symbol == entry.trade.symbol; }),
        entries.end());
    entries.push_back(entry);
}

void LlmDayStrategy::forget_closed_entries() {
    DayRecord& r = workflow_->record();
    std::vector<OpenEntry> open;
    for (const OpenEntry& o : r.open_entries) {
        const ot_position p = host().position(o.trade.symbol);
        if (p.qty != 0)
            open.push_back(o);
        else if (o.realized_before)
            r.context.closed.push_back(
                {o.trade.symbol, o.day, p.realized_pnl - *o.realized_before});
    }
    r.open_entries = std::move(open);
}

std::vector<std::pair<std::string, HeldPosition>> LlmDayStrategy::open_positions(
    int64_t now_ms) const {
    std::vector<std::pair<std::string, HeldPosition>> held;
    for (const std::string& symbol : universe_) {
        const ot_position p = host().position(symbol);
        if (p.qty == 0) continue;
        HeldPosition& h = held.emplace_back(symbol, HeldPosition{}).second;
        h.qty = p.qty;
        h.entry_price = p.avg_price;
        h.unrealized_pnl = p.unrealized_pnl;
        h.not_current = not_current(symbol, now_ms);
        for (const OpenEntry& o : workflow_->record().open_entries)
            if (o.trade.symbol == symbol) h.entry = o;
    }
    return held;
}

void LlmDayStrategy::save() const {
    host().kv_set(kStateKey, workflow_->record().to_json().dump());
}

void LlmDayStrategy::journal(const std::string& kind, const json& record) const {
    host().journal(kind, record.dump());
}

}  // namespace orchestrade::llm
