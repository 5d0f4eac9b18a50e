#include <orchestrade/core/bar_buffer.hpp>
#include <orchestrade/core/chart_recorder.hpp>
#include <orchestrade/core/clock.hpp>
#include <orchestrade/core/engine.hpp>
#include <orchestrade/core/feed_coverage.hpp>
#include <orchestrade/core/host_services.hpp>
#include <orchestrade/core/journal.hpp>
#include <orchestrade/core/ledger.hpp>
#include <orchestrade/core/logging.hpp>
#include <orchestrade/core/order_router.hpp>
#include <orchestrade/core/plugin_instance.hpp>
#include <orchestrade/core/risk_stage.hpp>
#include <orchestrade/core/run_lock.hpp>
#include <orchestrade/core/scheduler.hpp>
#include <orchestrade/core/struct_prefix.hpp>

#include <orchestrade/core/repeated_errors.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstring>
#include <filesystem>
#include <limits>
#include <map>
#include <optional>
#include <set>

namespace orchestrade::core {
namespace {

using steady = std::chrono::steady_clock;

constexpr uint32_t kBacktestChunk = 4096;       // bars per feed poll in a backtest
constexpr int64_t kEquitySampleMs = 3'600'000;  // backtest equity rows: hourly, and the last
constexpr int64_t kDefaultIntervalMs = 60'000;
constexpr int64_t kWallClockJumpMs = 1'000;  // a sleep's wall time beyond its real one: a step

// The ot_signal_sink handed to strategies. In a backtest a HOLD only updates the risk stage's
// memory: a run of 10M bars must not copy a reason string per bar.
class SignalCollector {
  public:
    SignalCollector(bool keep_holds, RiskStage& risk)
        : sink_{this, &SignalCollector::push}, keep_holds_(keep_holds), risk_(risk) {}
    const ot_signal_sink& sink() const { return sink_; }
    std::vector<SignalRecord>& signals() { return signals_; }

  private:
    static ot_status OT_CALL push(void* ctx, const ot_signal* pushed) {
        auto& self = *static_cast<SignalCollector*>(ctx);
        try {
            if (const std::string why = refusal(pushed); !why.empty()) {
                // Once per distinct reason: a strategy that repeats it on every bar says it once.
                if (self.refusals_.insert(why).second)
                    logger("engine")->error("signal refused: {}", why);
                return OT_E_INVALID_ARG;
            }
            if (pushed->action == OT_ACTION_HOLD && !self.keep_holds_) {
                // A HOLD after a HOLD of the same symbol changes nothing: skip the lookup.
                if (std::strcmp(self.last_hold_.c_str(), pushed->symbol) != 0) {
                    self.risk_.remember(pushed->symbol, Action::Hold);
                    self.last_hold_ = pushed->symbol;
                }
                return OT_OK;
            }
            self.last_hold_.clear();
            const ot_signal sig = read_prefix(pushed);
            const ot_signal* s = &sig;
            SignalRecord r;
            r.time_ms = s->time_ms;
            r.symbol = s->symbol;
            r.action = static_cast<Action>(s->action);
            r.size_pct = s->size_pct;
            r.stop_loss = s->stop_loss;
            r.take_profit = s->take_profit;
            r.confidence = s->confidence;
            if (s->reason) r.reason = s->reason;
            r.metadata_json = s->metadata_json ? s->metadata_json : "{}";  // an object: refusal()
            self.signals_.push_back(std::move(r));
            return OT_OK;
        } catch (...) {
            return OT_E_NOMEM;
        }
    }

    // Why the host refuses a pushed signal (the sink returns OT_E_INVALID_ARG); empty if it
    // does not. action and symbol are in every minor's struct: a HOLD is read in place.
    static std::string refusal(const ot_signal* pushed) {
        if (!pushed) return "NULL signal";
        if (!holds(pushed->struct_size, offsetof(ot_signal, symbol), sizeof(char*)))
            return "struct_size " + std::to_string(pushed->struct_size) +
                   " is too small to hold the symbol (set it to sizeof(ot_signal))";
        if (!pushed->symbol) return "the symbol is NULL";
        if (pushed->action < OT_ACTION_HOLD || pushed->action > OT_ACTION_CLOSE)
            return "action " + std::to_string(pushed->action) + " is not an OT_ACTION_*";
        if (pushed->action == OT_ACTION_HOLD) return {};  // its metadata is never read
        const ot_signal s = read_prefix(pushed);
        if (s.metadata_json && !nlohmann::json::parse(s.metadata_json, nullptr, false).is_object())
            return std::string("metadata_json is not a JSON object: ") +
                   std::string(s.metadata_json).substr(0, 80);
        return {};
    }

    ot_signal_sink sink_;
    bool keep_holds_;
    RiskStage& risk_;
    std::vector<SignalRecord> signals_;
    std::string last_hold_;           // the symbol of the last HOLD, while nothing else came since
    std::set<std::string> refusals_;  // the reasons logged
};

// The ot_balance_sink used to read the venue's balances at startup.
class BalanceCollector {
  public:
    BalanceCollector() : sink_{this, &BalanceCollector::push} {}
    const ot_balance_sink& sink() const { return sink_; }
    std::map<std::string, ot_balance> balances;  // asset -> balance (asset string not kept)

  private:
    static ot_status OT_CALL push(void* ctx, const ot_balance* pushed) {
        const ot_balance b = read_prefix(pushed);
        if (!pushed || !b.asset) return OT_E_INVALID_ARG;
        try {
            static_cast<BalanceCollector*>(ctx)->balances[b.asset] = b;
            return OT_OK;
        } catch (...) {
            return OT_E_NOMEM;
        }
    }
    ot_balance_sink sink_;
};

std::string quote_currency(const std::string& symbol) {
    auto slash = symbol.find('/');
    return slash == std::string::npos ? std::string() : symbol.substr(slash + 1);
}

// A component's `timeframe` parameter in seconds (0 without one): the feed's bar interval, the
// strategy's decision bars.
int32_t timeframe_param_s(const ComponentConfig& component) {
    for (const auto& p : component.params) {
        if (p.key != "timeframe" || p.type != OT_PARAM_STRING) continue;
        try {
            return static_cast<int32_t>(parse_duration_ms(p.string_value) / 1000);
        } catch (const std::exception&) {
            return 0;
        }
    }
    return 0;
}

class Engine {
  public:
    Engine(const Pipeline& pipeline, const EngineOptions& options)
        : p_(pipeline),
          o_(options),
          log_(logger("engine")),
          backtest_(pipeline.mode == Mode::Backtest),
          risk_(pipeline.risk),
          signals_(!backtest_, risk_) {}

    RunSummary run() {
        open();
        try {
            if (backtest_)
                backtest_loop();
            else
                live_loop();
        } catch (...) {
            close("failed");
            throw;
        }
        close(stopped_ ? "stopped" : "completed");
        return summary_;
    }

  private:
    // ---- startup --------------------------------------------------------------------------
    // A component that refuses to start over a parameter (OT_E_INVALID_ARG: a file that is not
    // there, a symbol the venue does not list) is a configuration error at its pipeline line.
    template <class Start>
    void start(const ComponentConfig& c, const char* role, Start start_component) {
        try {
            start_component();
        } catch (const PluginCallError& e) {
            if (e.status() != OT_E_INVALID_ARG) throw;
            throw ConfigError(p_.file, c.line, c.column, std::string(role) + ": " + e.what());
        }
    }

    void open() {
        journal_.emplace(p_.journal, backtest_ ? Journal::Durability::Batched
                                               : Journal::Durability::Synchronous);
        summary_.journal_path = p_.journal;
        try {
            run_lock_.emplace(p_.journal);
        } catch (const std::runtime_error& e) {
            throw RunError(e.what());
        }
        for (const auto& r : journal_->close_interrupted_runs())
            log_->warn(
                "run {} of '{}' ended without closing (killed, or its machine stopped): "
                "marked interrupted",
                r.id, r.pipeline_name);
        services_.mode = p_.mode;
        services_.clock = backtest_ ? static_cast<const Clock*>(&sim_clock_) : &wall_clock_;
        services_.journal = &*journal_;
        services_.http_enabled = !backtest_ || p_.http_in_backtest;
        services_.stop_requested = o_.stop_requested;

        const std::vector<RunRecord> previous = journal_->resumed_runs(p_.mode);
        summary_.resumed = !previous.empty();

        CreateArgs args{p_.mode, p_.universe, p_.base_dir};
        feed_.emplace(p_.feed, services_, "feed", args);
        strategy_.emplace(p_.strategy, services_, "strategy", args);
        executor_.emplace(p_.executor, services_, "executor", args);
        if (executor_->has_min_order_qty())
            min_order_qty_ = [this](const std::string& symbol, double price) {
                return executor_->min_order_qty(symbol, price);
            };
        start(p_.executor, "executor", [this] { executor_->start(); });
        start(p_.feed, "feed", [this] { feed_->start(); });
        if (!backtest_) feed_->hold_state();
        start(p_.strategy, "strategy", [this] { strategy_->start(); });

        double starting_cash = previous.empty() ? venue_cash() : previous.front().starting_cash;
        ledger_.emplace(starting_cash);
        services_.ledger = &*ledger_;

        RunRecord run;
        run.pipeline_name = p_.name;
        run.mode = p_.mode;
        run.started_ms = wall_clock_.now_ms();
        run.status = "running";
        run.pipeline_yaml = p_.yaml_text;
        run.starting_cash = starting_cash;
        run.bar_interval_s = timeframe_param_s(p_.feed);
        run_id_ = journal_->begin_run(run);
        services_.run_id = run_id_;
        summary_.run_id = run_id_;
        interval_s_ = run.bar_interval_s;
        coverage_.emplace(p_.universe, p_.strategy.plugin->short_name,
                          timeframe_param_s(p_.strategy), !backtest_);

        for (const auto& r : previous)
            resume_from(r.id);
        if (!previous.empty()) warn_of_another_pipelines_account(previous.back());
        warn_of_positions_outside_the_universe();
        // A run's metrics are its own, as `report --run` computes them: trades closed, fees,
        // realized PnL and cash flows since it started (a trade opened before, closed now, counts).
        trade_stats_ = {};
        fees_before_run_ = ledger_->fees();
        realized_before_run_ = ledger_->realized_pnl();
        cash_flows_before_run_ = ledger_->cash_flows();
        if (!backtest_)
            if (auto saved = journal_->kv_get("core", risk_state_key())) risk_.load(*saved);
        router_.emplace(*journal_, *ledger_, *executor_, p_.mode, run_id_, *services_.clock);
        router_->on_fill([this](const OrderRecord& o, const FillRecord& f, const Position& before,
                                const Position& after) {
            // The core watches only the levels the executor does not rest itself.
            const uint32_t caps = executor_->info().capabilities;
            const Position left = tradable(f.symbol, after);
            risk_.on_fill(f.symbol, tradable(f.symbol, before), left,
                          caps & OT_CAP_NATIVE_STOP_LOSS ? 0 : o.stop_loss,
                          caps & OT_CAP_NATIVE_TAKE_PROFIT ? 0 : o.take_profit, true, f.time_ms);
            const bool protective = o.signal_id == 0 || !o.parent_client_order_id.empty();
            if (protective && before.qty != 0 && left.qty == 0) risk_.forget(f.symbol);
            risk_dirty_ = true;
            // The new levels are kept at once: a crash before the end of the iteration (a slow
            // strategy call) must not leave the position unwatched after a restart.
            save_risk_state();
            const bool leaves_dust = after.qty != 0 && left.qty == 0 && before.qty != 0 &&
                                     (f.side == Side::Buy) != (before.qty > 0);
            if (leaves_dust)
                record_event("core", "dust_left", f.time_ms,
                             {{"symbol", f.symbol},
                              {"client_order_id", f.client_order_id},
                              {"trade_id", f.trade_id},
                              {"qty", after.qty}});
            trades_.add(f, leaves_dust);
            if (!backtest_) journal_->record_position(run_id_, f.symbol, f.time_ms, after);
        });
        // The signal's order ended short (rejected, canceled, not found, never sent): the next
        // signal of its action may act, and the signal's outcome, read again at a restart, says
        // it did not (a bar the feed hands over again after a crash inside the submit acts anew).
        router_->on_unfilled_end([this](const OrderRecord& o) {
            journal_->set_signal_outcome(o.signal_id, unfilled_outcome(o));
            risk_.forget(o.symbol);
            risk_dirty_ = true;
        });
        apply_breaker_commands();
        record_execution_model();
        if (!p_.schedule.triggers.empty()) scheduler_.emplace(p_.schedule.triggers);
        if (!backtest_) {
            adopt_new_triggers(wall_clock_.now_ms());
            try {
                int fills = router_->reconcile();
                fills += router_->poll();  // what the venue did while the run was down
                if (fills) log_->info("reconciliation recovered {} fill(s) from the venue", fills);
            } catch (const RunError&) {
                throw;
            } catch (const std::exception& e) {
                // Not answered yet (a 429, an order not visible yet): its symbols stay blocked,
                // the loop asks again, and the venue check waits until every order is answered.
                record_error("reconcile_error", e.what());
            }
            venue_check_pending_ = true;
            check_venue_once_reconciled();
            warm_up(std::numeric_limits<int64_t>::max());
        }
        log_->info("run {} of '{}' started in {} mode{}; journal {}", run_id_, p_.name,
                   to_string(p_.mode), summary_.resumed ? " (resumed)" : "", p_.journal);
    }

    // The journal is the account: a pipeline renamed, or another one pointed at the journal,
    // trades what the earlier runs left. Legitimate after a rename, a surprise otherwise.
    void warn_of_another_pipelines_account(const RunRecord& last) {
        if (last.pipeline_name == p_.name) return;
        const std::string text = fmt::format(
            "'{}' continues the {} account of '{}' (run {} of journal {}): its positions and cash "
            "carry over; a pipeline of its own needs a journal of its own",
            p_.name, to_string(p_.mode), last.pipeline_name, last.id, p_.journal);
        log_->warn("{}", text);
        record_event("core", "account_of_another_pipeline", wall_clock_.now_ms(),
                     {{"pipeline", last.pipeline_name}, {"message", text}});
    }

    void record_event(const char* source, const std::string& kind, int64_t time_ms,
                      const nlohmann::json& json) {
        EventRecord e;
        e.run_id = run_id_;
        e.time_ms = time_ms;
        e.source = source;
        e.kind = kind;
        e.json = json.dump();
        journal_->record_event(e);
    }

    // A resumed run whose universe dropped a symbol still holds what earlier runs bought of it.
    void warn_of_positions_outside_the_universe() {
        for (const auto& [symbol, position] : ledger_->positions()) {
            if (position.qty == 0 ||
                std::find(p_.universe.begin(), p_.universe.end(), symbol) != p_.universe.end())
                continue;
            const std::string text = fmt::format(
                "{:.10g} {} held since an earlier run is not in the universe: no bar prices it "
                "(it counts at {:.10g}) and no stop watches it",
                position.qty, symbol, position.mark_price);
            log_->warn("{}", text);
            record_event("core", "position_outside_universe", wall_clock_.now_ms(),
                         {{"symbol", symbol}, {"qty", position.qty}, {"message", text}});
        }
    }

    double venue_cash() {
        BalanceCollector b;
        executor_->balances(b.sink());
        auto it = b.balances.find(quote_currency(p_.universe.front()));
        if (it == b.balances.end()) {
            log_->warn("the executor reports no {} balance; starting cash is 0",
                       quote_currency(p_.universe.front()));
            return 0;
        }
        return it->second.free_qty + it->second.locked_qty;
    }

    // Rebuilds the ledger and the duplicate-signal memory from an earlier run.
    void resume_from(int64_t run_id) {
        const std::set<std::string> dust = dust_fills(journal_->events(run_id, "dust_left"));
        for (const auto& f : journal_->fills(run_id)) {
            ledger_->apply_fill(f);
            trades_.add(f, dust.count(dust_key(f.client_order_id, f.trade_id)) != 0);
        }
        for (const auto& c : journal_->cash_flows(run_id))
            ledger_->apply_cash_flow(c.amount);
        for (const auto& s : journal_->signals(run_id)) {
            if (s.action == Action::Hold || s.outcome.rfind("order", 0) == 0)
                risk_.remember(s.symbol, s.action);
            else if (is_unfilled_outcome(s.outcome))  // as on_unfilled_end did in that run
                risk_.forget(s.symbol);
        }
    }

    void check_venue_once_reconciled() {
        if (!venue_check_pending_ || router_->reconcile_pending()) return;
        check_against_venue();
        venue_check_pending_ = false;
    }

    // Paper and live refuse to trade on a ledger that disagrees with the venue.
    void check_against_venue() {
        BalanceCollector b;
        executor_->balances(b.sink());
        std::string problems;
        for (const auto& symbol : p_.universe) {
            auto it = b.balances.find(symbol);
            double venue = it == b.balances.end() ? 0 : it->second.free_qty;
            double ours = ledger_->position(symbol).qty;
            if (std::fabs(venue - ours) > 1e-9 * std::max(1.0, std::fabs(ours)))
                problems += " " + symbol + ": journal " + std::to_string(ours) + ", venue " +
                            std::to_string(venue) + ";";
        }
        auto cash = b.balances.find(quote_currency(p_.universe.front()));
        if (cash != b.balances.end()) {
            double venue = cash->second.free_qty + cash->second.locked_qty;
            if (std::fabs(venue - ledger_->cash()) > 1e-6 * std::max(1.0, std::fabs(venue)))
                problems += " cash: journal " + std::to_string(ledger_->cash()) + ", venue " +
                            std::to_string(venue) + ";";
        }
        if (!problems.empty())
            throw RunError("the journal and the venue disagree, refusing to trade:" + problems);
    }

    // Strategies rebuild their indicators from history before their first bar: of every
    // timeframe the feed delivers (a higher one too), or of the pipeline's from a feed that gives
    // nothing when asked for all. Paper and live ask for what has closed (before_ms INT64_MAX), a
    // backtest for what closed by the start of its tested period, so that its first bar is
    // decided as a paper run's would be. The bars reach the strategy alone, as OT_BATCH_WARMUP:
    // no executor, stop, chart, equity sample or signal sees them. They mark the ledger, which
    // in a backtest is flat: its equity stays the starting cash.
    void warm_up(int64_t before_ms) {
        // The risk stage's ATR, when an entry's stop depends on it, needs its own bars.
        const uint32_t asked = std::max(strategy_->warmup_bars(), risk_.history_bars_needed());
        if (asked == 0) return;
        BarBuffer history;
        bool feed_has_history = true;
        for (const auto& symbol : p_.universe) {
            const std::size_t before = history.size();
            feed_has_history = feed_->history(symbol, 0, before_ms, asked, history.sink());
            if (!feed_has_history) break;
            if (history.size() == before && interval_s_ != 0)
                feed_->history(symbol, interval_s_, before_ms, asked, history.sink());
        }
        history.sort_by_close_time();
        // A bar that closes later is not history: it belongs to the tested period.
        std::size_t usable = 0;
        while (usable < history.size() && history.close_time(usable) <= before_ms)
            ++usable;
        if (usable < history.size())
            log_->warn("the feed's history had {} bar(s) closing after {} UTC: not used",
                       history.size() - usable, format_time(before_ms));
        int32_t finest = std::numeric_limits<int32_t>::max();
        for (std::size_t i = 0; i < usable; ++i)
            finest = std::min(finest, history.interval_s(i));
        for (std::size_t begin = 0; begin < usable;) {
            const std::size_t end = history.group_end(begin);
            const int64_t close_ms = history.close_time(begin);
            if (backtest_) sim_clock_.set(close_ms);
            const ot_bar_batch& batch = history.batch(begin, end, close_ms, OT_BATCH_WARMUP);
            for (std::size_t i = begin; i < end; ++i) {
                const std::size_t row = i - begin;
                ledger_->mark(history.symbol(i), batch.close[row]);
                if (batch.interval_s[row] == finest)
                    risk_.on_history_bar(history.symbol(i), batch.high[row], batch.low[row],
                                         batch.close[row]);
            }
            strategy_->on_bars(batch, signals_.sink());
            begin = end;
        }
        signals_.signals().clear();
        record_warm_up(history, usable, asked, before_ms, feed_has_history);
    }

    // Says, in the log and the journal ("warmup"), how much history the strategy had: less than
    // it asked for is no error, it then warms up on the run's first bars.
    void record_warm_up(const BarBuffer& history, std::size_t usable, uint32_t asked,
                        int64_t before_ms, bool feed_has_history) {
        std::map<std::string, std::map<int32_t, int64_t>> bars;  // symbol -> interval -> count
        for (std::size_t i = 0; i < usable; ++i)
            ++bars[history.symbol(i)][history.interval_s(i)];
        bool short_of_asked = false;
        std::string text;
        nlohmann::json series = nlohmann::json::array();
        for (const auto& symbol : p_.universe) {
            const auto it = bars.find(symbol);
            if (it == bars.end()) {
                short_of_asked = true;
                continue;
            }
            std::string counts;
            for (const auto& [interval_s, count] : it->second) {
                short_of_asked = short_of_asked || count < asked;
                counts += fmt::format("{}{} {}", counts.empty() ? "" : ", ",
                                      timeframe_text(interval_s), count);
                series.push_back({{"symbol", symbol}, {"interval_s", interval_s}, {"bars", count}});
            }
            text += fmt::format("{}{} {}", text.empty() ? "" : "; ", symbol, counts);
        }
        const std::string until = backtest_
                                      ? fmt::format(" closed by {} UTC, where the backtest starts",
                                                    format_time(before_ms))
                                      : std::string();
        const char* first_bars = backtest_ ? "the backtest's first bars" : "the first live bars";
        if (usable == 0)
            log_->info("{}: the warm-up ({} bar(s) of each timeframe asked for) comes from {}",
                       feed_has_history ? "the feed had no history" + until
                                        : std::string("the feed gives no history"),
                       asked, first_bars);
        else
            log_->info("strategy warmed up on {} bar(s) of history{} ({}){}", usable, until, text,
                       short_of_asked
                           ? fmt::format(": less than the {} of each timeframe it asked for, the "
                                         "rest comes from {}",
                                         asked, first_bars)
                           : std::string());
        nlohmann::json record = {{"asked", asked}, {"bars", usable}, {"series", series}};
        if (backtest_) record["before_ms"] = before_ms;
        record_event("core", "warmup", backtest_ ? before_ms : wall_clock_.now_ms(), record);
    }

    // How fills are produced, kept with the run so a report can explain backtest-vs-live
    // differences: the executor, its parameters (secrets left out) and who watches the stops.
    void record_execution_model() {
        std::string params;
        for (const auto& v : p_.executor.params) {
            if (v.secret) continue;
            std::string value = v.type == OT_PARAM_INT      ? std::to_string(v.int_value)
                                : v.type == OT_PARAM_DOUBLE ? fmt::format("{}", v.double_value)
                                : v.type == OT_PARAM_BOOL   ? (v.int_value ? "true" : "false")
                                                            : v.string_value;
            params += (params.empty() ? "" : ", ") + v.key + "=" + value;
        }
        std::string text = p_.executor.plugin->short_name + " (" + params + ")";
        const uint32_t caps = executor_->info().capabilities;
        const bool native_stop = caps & OT_CAP_NATIVE_STOP_LOSS;
        const bool native_target = caps & OT_CAP_NATIVE_TAKE_PROFIT;
        if (native_stop && native_target)
            text += "; stop-loss and take-profit rest at the venue";
        else
            text +=
                std::string(native_stop ? "; stop-loss rests at the venue" : "") + "; " +
                (native_stop     ? "targets"
                 : native_target ? "stops"
                                 : "stops and targets") +
                " are watched by the core on each bar's high/low and exit with a market "
                "order" +
                (native_stop || native_target ? "" : " (stop first when both are inside one bar)");
        record_event("core", "execution_model", services_.clock->now_ms(), {{"text", text}});
    }

    // The kill switches: `orchestrade halt|resume` (a command left in the journal, for the paper
    // or live bot: a backtest on the same journal leaves it), the halt file, SIGUSR1.
    void apply_breaker_commands() {
        if (auto command = backtest_ ? std::nullopt : journal_->kv_get("core", kBreakerCommandKey);
            command && !command->empty()) {
            journal_->kv_set("core", kBreakerCommandKey, "");
            if (*command == "resume")
                breaker_event(risk_.resume());
            else
                breaker_event(risk_.halt(command->substr(command->find(':') + 1)));
        }
        if (!p_.risk.halt_file.empty()) {
            const bool exists = std::filesystem::exists(p_.risk.halt_file);
            if (exists && !halted_by_file_)
                breaker_event(risk_.halt("halt file " + p_.risk.halt_file));
            if (!exists && halted_by_file_) breaker_event(risk_.resume());
            halted_by_file_ = exists;
        }
        if (o_.halt_requested && o_.halt_requested->exchange(false))
            breaker_event(risk_.halt("SIGUSR1"));
    }

    void breaker_event(const std::optional<std::string>& transition) {
        if (!transition) return;
        log_->warn("risk: {}", *transition);
        record_event("risk", "risk_state", services_.clock->now_ms(),
                     {{"state", to_string(risk_.state())},
                      {"reason", risk_.state_reason()},
                      {"transition", *transition}});
        risk_dirty_ = true;
    }

    // The breaker and levels of the account the run trades: the paper bot's and the live bot's
    // are two, and a backtest on their journal keeps none.
    std::string risk_state_key() const {
        return "risk_state:" + Journal::account_of(p_.mode, run_id_);
    }

    void save_risk_state() {
        if (backtest_ || !risk_dirty_) return;
        journal_->kv_set("core", risk_state_key(), risk_.save());
        risk_dirty_ = false;
    }

    // Stops and targets the core protects itself, checked on each new bar before the strategy.
    int protective_exits(std::size_t begin, std::size_t end, const ot_bar_batch& batch,
                         int64_t now_ms) {
        if (!risk_.watches_prices()) return 0;
        int fills = 0;
        for (std::size_t i = begin; i < end; ++i) {
            const std::size_t row = i - begin;
            // The finest timeframe only: a coarser bar closing now (the 4h beside the 3m) spans
            // hours before the entry, and its range would trip levels the price never crossed
            // since, skew the trailing stop's best price and mix into the ATR.
            if (batch.interval_s[row] > buffer_.min_interval_s()) continue;
            const std::string& symbol = buffer_.symbol(i);
            if (!router_->has_open_order(symbol) && !venue_check_pending_) {
                // Only a watched position asks the executor whether it is dust.
                auto exit = risk_.protection(symbol)
                                ? risk_.check_exit(symbol, now_ms, batch.open[row], batch.high[row],
                                                   batch.low[row],
                                                   tradable(symbol, ledger_->position(symbol)))
                                : std::nullopt;
                if (exit) {
                    log_->log(backtest_ ? spdlog::level::debug : spdlog::level::info,
                              "{} of {} triggered: {} {:.10g}", exit->reason, symbol,
                              to_string(exit->side), exit->qty);
                    OrderRequest req;
                    req.side = exit->side;
                    req.qty = exit->qty;
                    guarded("executor_error", [&] {
                        fills += router_->submit(req, symbol, 0, now_ms, exit->reason).fills;
                        ++summary_.orders;
                    });
                }
            }
            risk_.on_bar(symbol, now_ms, batch.high[row], batch.low[row], batch.close[row]);
        }
        return fills;
    }

    // A trigger the journal has no record of (a first start, or a trigger new to the pipeline)
    // missed nothing: its occurrences before the start were never this journal's to fire. Its
    // latest one is stored as handled, silently, unless it is within its catch-up tolerance: that
    // one fires, as a restart within catch_up fires a missed time.
    void adopt_new_triggers(int64_t now_ms) {
        if (!scheduler_) return;
        for (const auto& t : scheduler_->triggers()) {
            if (!t.enabled || journal_->kv_get("core", "trigger:" + t.name)) continue;
            const auto latest = scheduler_->latest_at_or_before(t, now_ms);
            if (!latest || now_ms - latest->time_ms <= t.catch_up_ms) continue;
            journal_->kv_set("core", "trigger:" + t.name, std::to_string(latest->time_ms));
            log_->debug("trigger {}: first run of this journal, its occurrence of {} is past",
                        t.name, latest->local_text);
        }
    }

    // Calendar events due at now_ms go to the strategy before the bars of that moment. Paper and
    // live persist each handled occurrence first, so it fires at most once across restarts; a
    // backtest starts afresh at its first bar.
    int fire_due_events(int64_t now_ms) {
        if (!scheduler_) return 0;
        if (backtest_ && handled_.empty())  // nothing before the data's first moment
            for (const auto& t : scheduler_->triggers())
                handled_[t.name] = now_ms - 1;
        auto last_handled = [&](const std::string& name) -> int64_t {
            if (backtest_) return handled_[name];
            auto v = journal_->kv_get("core", "trigger:" + name);
            return v ? std::stoll(*v) : 0;
        };
        int fills = 0;
        for (const auto& d : scheduler_->due(now_ms, last_handled)) {
            const std::string& name = d.occurrence.trigger;
            if (backtest_)
                handled_[name] = d.occurrence.time_ms;
            else
                journal_->kv_set("core", "trigger:" + name, std::to_string(d.occurrence.time_ms));
            const bool fire = d.fire || (backtest_ && d.late_ms <= bar_gap_ms_);
            record_event("scheduler", "schedule", now_ms,
                         {{"trigger", name},
                          {"scheduled_ms", d.occurrence.time_ms},
                          {"local", d.occurrence.local_text},
                          {"fired", fire},
                          {"late_ms", d.late_ms}});
            if (!fire) {
                log_->warn(
                    "trigger {} of {} missed by {} s, beyond its catch-up tolerance: skipped", name,
                    d.occurrence.local_text, d.late_ms / 1000);
                continue;
            }
            log_->log(backtest_ ? spdlog::level::debug : spdlog::level::info, "trigger {} ({})",
                      name, d.occurrence.local_text);
            const std::string payload =
                nlohmann::json{{"local", d.occurrence.local_text}, {"late_ms", d.late_ms}}.dump();
            ot_event ev{};
            ev.struct_size = sizeof ev;
            ev.name = name.c_str();
            ev.time_ms = d.occurrence.time_ms;
            ev.payload_json = payload.c_str();
            signals_.signals().clear();
            guarded("strategy_error", [&] { strategy_->on_event(ev, signals_.sink()); });
            for (auto& s : signals_.signals())
                fills += handle_signal(s, now_ms);
            signals_.signals().clear();
        }
        return fills;
    }

    // ---- loops ----------------------------------------------------------------------------
    void backtest_loop() {
        journal_->begin_batch();
        bool more = true, warmed_up = false;
        std::optional<std::string> feed_error;
        auto last_progress = steady::now();
        while (true) {
            if (more) {
                std::size_t before = buffer_.size();
                try {
                    more = feed_->poll(std::numeric_limits<int64_t>::max(), kBacktestChunk,
                                       buffer_.sink()) != FeedPoll::End;
                } catch (const std::exception& e) {
                    // The bars before the failure are still run (the last moment was held back
                    // for rows of the same time); then the run fails.
                    feed_error = std::string("the feed failed: ") + e.what();
                    more = false;
                }
                if (more && buffer_.size() == before) more = false;  // nothing new: treat as end
            }
            const std::size_t n = buffer_.size();
            if (n == 0) break;
            std::size_t begin = 0;
            while (begin < n) {
                std::size_t end = buffer_.group_end(begin);
                if (end == n && more) break;  // the next chunk may add rows to this moment
                if (!warmed_up) {
                    warm_up(first_open(begin, end));
                    warmed_up = true;
                }
                step(begin, end);
                begin = end;
            }
            buffer_.consume(begin);
            if (!more && buffer_.empty()) break;
            if (stop_requested()) {
                stopped_ = true;
                break;
            }
            if (o_.on_progress && steady::now() - last_progress > std::chrono::milliseconds(500)) {
                last_progress = steady::now();
                o_.on_progress({summary_.bars, last_bar_ms_, ledger_->equity()});
            }
        }
        if (feed_error) throw RunError(*feed_error);
        // What never arrived, as the run ends: the summary says it too.
        for (const auto& gap : coverage_->at_end()) {
            tell(gap);
            summary_.feed_gaps.push_back(gap.message);
        }
        journal_->commit_batch();
        if (summary_.bars == 0) log_->warn("the feed produced no bars: nothing to trade");
    }

    // Where a backtest's tested period begins: the open of its first moment's finest bar (a 4h
    // bar that closes with the first 3m bar opened hours before the period).
    int64_t first_open(std::size_t begin, std::size_t end) const {
        int64_t open = buffer_.open_time(begin);
        for (std::size_t i = begin + 1; i < end; ++i)
            open = std::max(open, buffer_.open_time(i));
        return open;
    }

    void live_loop() {
        const int64_t interval =
            o_.interval_ms > 0
                ? o_.interval_ms
                : (p_.schedule.every_ms > 0 ? p_.schedule.every_ms : kDefaultIntervalMs);
        bool more = true;
        while (true) {
            check_journal_in_place();
            apply_breaker_commands();
            more = iteration();
            ++summary_.iterations;
            save_metrics();
            save_risk_state();
            if (!more) {
                log_->info("the feed has no more data");
                break;
            }
            if (o_.once || (o_.max_iterations && summary_.iterations >= o_.max_iterations)) break;
            if (stop_requested() || !sleep_until_next(interval)) {
                stopped_ = true;
                break;
            }
        }
    }

    // A bot left running for months outlives the files around it: a journal deleted or replaced
    // under it would take every order, fill and position it records from then on with it.
    void check_journal_in_place() {
        if (run_lock_->still_in_place()) return;
        throw RunError("the journal '" + p_.journal +
                       "' was deleted, renamed or replaced while this run used it: stopping, as "
                       "nothing it records from now on would reach a restart (a deleted journal "
                       "is written back as the run ends)");
    }

    // A journal deleted, renamed or replaced under the run: its -wal, found by name, does not
    // follow the file, so every page goes into the file itself; a deleted one lives on in the
    // open connection only, and is written back to its path, where the next run resumes.
    void keep_journal_moved_away() {
        if (!run_lock_ || run_lock_->still_in_place()) return;
        const bool deleted = run_lock_->deleted();
        try {
            journal_->checkpoint();
            if (deleted) journal_->copy_to(p_.journal);
        } catch (const std::exception& e) {
            log_->error(
                "the journal '{}' was {} while the run used it, and its records could "
                "not be kept: {}",
                p_.journal, deleted ? "deleted" : "moved", e.what());
            return;
        }
        if (deleted)
            log_->warn(
                "the journal '{}' was deleted while the run used it: written back there, "
                "with every record",
                p_.journal);
    }

    // One paper/live iteration: new bars (if any) through the loop, then the venue's reports.
    bool iteration() {
        const int64_t now = wall_clock_.now_ms();
        FeedPoll polled = FeedPoll::Ok;
        std::size_t caught_up = 0;
        // A feed behind (catching up after a long stop) is polled again at once: none of what
        // it pushed meanwhile is the market as it stands.
        while (true) {
            try {
                polled = feed_->poll(wall_clock_.now_ms(), 0, buffer_.sink());
            } catch (const std::exception& e) {
                record_error("feed_error", e.what());
                // Mid catch-up, what the feed pushed before it failed is old too: none acts.
                polled = caught_up ? FeedPoll::Behind : FeedPoll::Ok;
                break;
            }
            if (polled != FeedPoll::Behind || buffer_.empty() || stop_requested()) break;
            caught_up += run_moments(false);
            buffer_.clear();
            feed_->commit_state();
        }
        if (buffer_.empty() || venue_check_pending_) ask_the_venue();
        // Events due now go to the strategy before this moment's bars. Nothing trades before the
        // venue has confirmed the positions after a restart: an event due meanwhile would have
        // its orders ignored and its occurrence spent, so it waits for that (a late one within
        // its catch-up tolerance).
        if (!venue_check_pending_) summary_.fills += fire_due_events(now);
        if (buffer_.empty() && !caught_up) {
            log_->info("no new bar; waiting for the next one");
        }
        // Only the newest moment of a poll is acted on. Older ones (bars missed while the bot was
        // down, or a wake-up late by a bar) reach the strategy as warm-up: it learns from them,
        // but their signals would trade on stale prices. The venue and the core's stops still
        // see every bar.
        caught_up += run_moments(polled != FeedPoll::Behind);  // Behind: stopped or failed
        if (caught_up) log_->info("{} older bar(s) went to the strategy as warm-up", caught_up);
        buffer_.clear();
        feed_->commit_state();  // only now: a crash before it polls these bars again
        return polled != FeedPoll::End;
    }

    // The venue's reports, and the check against it once the startup reconciliation is answered.
    void ask_the_venue() {
        guarded("executor_error", [&] { summary_.fills += router_->poll(); });
        check_venue_once_reconciled();
    }

    // Runs the buffer's moments, the newest acted on only with `act_on_newest`; returns the bars
    // that went as warm-up.
    std::size_t run_moments(bool act_on_newest) {
        std::size_t warmup = 0;
        for (std::size_t begin = 0; begin < buffer_.size();) {
            const std::size_t end = buffer_.group_end(begin);
            const bool act = act_on_newest && end == buffer_.size();
            step(begin, end, act ? 0 : OT_BATCH_WARMUP);
            if (!act) warmup += end - begin;
            begin = end;
        }
        return warmup;
    }

    // Sleeps to the next iteration (next_iteration_ms) or scheduled event; false when a stop was
    // requested meanwhile.
    bool sleep_until_next(int64_t interval_ms) {
        const int64_t now = wall_clock_.now_ms();
        int64_t wake = next_iteration_ms(now, interval_ms);
        if (scheduler_)
            for (const auto& next : scheduler_->upcoming(now, 1))
                wake = std::min(wake, next.time_ms);
        log_->debug("waiting {} ms for the next iteration", wake - now);
        const Sleep slept =
            sleep_until(wake, wall_clock_, steady_clock_, [this] { return stop_requested(); });
        if (std::abs(slept.wall_clock_jump_ms) >= kWallClockJumpMs)
            log_->warn(
                "the system clock jumped {} by {} ms while the loop slept (an NTP step, a "
                "resumed machine): the loop goes on by the new time",
                slept.wall_clock_jump_ms > 0 ? "forward" : "back",
                std::abs(slept.wall_clock_jump_ms));
        return !slept.stopped;
    }

    // ---- one moment: the bars that closed together -----------------------------------------
    // flags: OT_BATCH_WARMUP for a moment whose signals are not acted on.
    void step(std::size_t begin, std::size_t end, uint32_t flags = 0) {
        const int64_t close_ms = buffer_.close_time(begin);
        if (backtest_) {
            sim_clock_.set(close_ms);
            bar_gap_ms_ = std::max<int64_t>(close_ms - last_close_ms_, 0);
            if (last_close_ms_ == 0) bar_gap_ms_ = 0;
            last_close_ms_ = close_ms;
        }
        int fills = 0;
        const ot_bar_batch& batch = buffer_.batch(begin, end, close_ms, flags);

        guarded("executor_error", [&] {
            executor_->on_bars(batch);
            fills += router_->poll(batch.series_count > 0);  // series: perhaps funding booked
        });
        for (std::size_t i = begin; i < end; ++i) {
            const std::size_t row = i - begin;
            ledger_->mark(buffer_.symbol(i), buffer_.close(i));
            chart(batch.interval_s[row])
                .add(buffer_.symbol(i), batch.open_time_ms[row], batch.open[row], batch.high[row],
                     batch.low[row], batch.close[row]);
            coverage_->add(buffer_.symbol_id(i), buffer_.symbol(i), batch.interval_s[row],
                           close_ms);
        }
        // Moments of a catch-up are old: whether a symbol stopped is judged on the newest.
        if (!(flags & OT_BATCH_WARMUP) && coverage_->check_due(close_ms))
            for (const auto& gap : coverage_->check(close_ms)) {
                tell(gap);
                if (!backtest_) summary_.feed_gaps.push_back(gap.message);
            }
        tracker();  // a resumed run's starting equity: marked, before this bar's trades
        fills += protective_exits(begin, end, batch, close_ms);
        // The simulated clock is at these bars' close: the venue and the stops have seen them, so
        // an event's order fills on a later bar, not at the open of one that closed before it.
        if (backtest_ && scheduler_) fills += fire_due_events(close_ms);

        signals_.signals().clear();
        ++summary_.strategy_calls;
        if (!guarded("strategy_error", [&] { strategy_->on_bars(batch, signals_.sink()); }))
            ++summary_.strategy_failed_calls;
        if (flags & OT_BATCH_WARMUP) signals_.signals().clear();
        for (auto& s : signals_.signals())
            fills += handle_signal(s, close_ms);

        const double equity = ledger_->equity();
        breaker_event(risk_.update_equity(close_ms, equity));
        // Dust left by exits is not time in the market (exposure_pct).
        tracker().add(close_ms, equity,
                      ledger_->open_positions() > 0 &&
                          RiskStage::open_positions(*ledger_, min_order_qty_) > 0);
        if (!backtest_ || close_ms - last_equity_ms_ >= kEquitySampleMs)
            record_equity(close_ms, equity);
        summary_.fills += fills;
        summary_.bars += static_cast<int64_t>(end - begin);
        last_bar_ms_ = buffer_.close_time(begin) - int64_t{batch.interval_s[0]} * 1000;
    }

    // A position below the venue's smallest order (OT_EXT_MIN_ORDER) is dust: the risk stage
    // sees it flat, so no stop watches it and the next entry is not refused as "already long".
    Position tradable(const std::string& symbol, Position p) {
        // qty first: a flat position does not ask the executor.
        if (p.qty != 0 && is_dust(p.qty, executor_->min_order_qty(symbol, p.mark_price))) p.qty = 0;
        return p;
    }

    void record_equity(int64_t time_ms, double equity) {
        journal_->record_equity(run_id_, {time_ms, equity, ledger_->cash()});
        last_equity_ms_ = time_ms;
    }

    int handle_signal(SignalRecord& s, int64_t now_ms) {
        s.run_id = run_id_;
        const bool known =
            std::find(p_.universe.begin(), p_.universe.end(), s.symbol) != p_.universe.end();
        RiskDecision d;
        if (!known) {
            d.outcome = "refused: " + s.symbol + " is not in the pipeline's universe";
            if (symbols_outside_universe_.insert(s.symbol).second)
                log_->warn(
                    "signal {} {} refused: {} is not in the pipeline's universe (said once "
                    "per symbol)",
                    to_string(s.action), s.symbol, s.symbol);
        } else if (venue_check_pending_ && s.action != Action::Hold &&
                   !router_->has_open_order(s.symbol)) {
            // Positions not confirmed by the venue yet. Not shown to the risk stage: a signal it
            // remembered as acted on would make the same signal a duplicate once the venue answers.
            d.outcome = "ignored: the startup reconciliation with the venue is not done";
        } else {
            const double price = ledger_->position(s.symbol).mark_price;
            d = risk_.evaluate(s, *ledger_, price, router_->has_open_order(s.symbol), now_ms,
                               min_order_qty_);
        }
        s.outcome = d.outcome;
        if (s.action != Action::Hold) ++summary_.signals;
        const int64_t id = journal_->record_signal(s);
        if (!d.rule.empty())
            record_event("risk", "risk_refusal", now_ms,
                         {{"symbol", s.symbol},
                          {"action", to_string(s.action)},
                          {"rule", d.rule},
                          {"outcome", d.outcome},
                          {"signal_id", id}});
        if (!backtest_)
            log_->info("signal {} {} ({}): {}", to_string(s.action), s.symbol,
                       s.reason.empty() ? "no reason given" : s.reason, d.outcome);
        if (!d.order) return 0;

        ++summary_.orders;
        int fills = 0;
        guarded("executor_error", [&] {
            auto sent = router_->submit(*d.order, s.symbol, id, now_ms, s.reason);
            fills = sent.fills;
            if (sent.state == OrderState::Unknown)  // a rejection tells on_unfilled_end
                journal_->set_signal_outcome(id,
                                             std::string(to_string(sent.state)) + ": " + sent.text);
        });
        return fills;
    }

    // ---- errors, metrics, shutdown ---------------------------------------------------------
    // Returns false when f failed (its error recorded).
    template <class F>
    bool guarded(const char* kind, F&& f) {
        try {
            f();
            return true;
        } catch (const RunError&) {
            throw;
        } catch (const std::exception& e) {
            record_error(kind, e.what());
            return false;
        }
    }

    // Something the pipeline waits for that the feed does not deliver: a warning and a
    // `feed_gap` event.
    void tell(const FeedGap& gap) {
        log_->warn("{}", gap.message);
        nlohmann::json record = {{"message", gap.message}};
        if (!gap.symbol.empty()) record["symbol"] = gap.symbol;
        if (!gap.timeframe.empty()) record["timeframe"] = gap.timeframe;
        record_event("core", "feed_gap", services_.clock->now_ms(), record);
    }

    // An error repeated on every bar is logged a few times, then counted (RepeatedErrors).
    void record_error(const char* kind, const std::string& message) {
        const RepeatedErrors::Occurrence o = errors_.add(kind, message, services_.clock->now_ms());
        if (o.log) log_->error("{}", message);
        if (o.first)
            record_event("core", kind, services_.clock->now_ms(),
                         {{"message", message}, {"count", 1}});
        if (o.unlogged > 0) report_repeats(kind, message, o.unlogged, o.count);
    }

    void report_repeats(const std::string& kind, const std::string& message, int64_t unlogged,
                        int64_t count) {
        log_->error("... and {} more like it ({} in all): {}", unlogged, count, message);
        journal_->set_event_count(run_id_, kind, message, count);
    }

    ChartRecorder& chart(int32_t interval_s) {
        if (!chart_) {
            const int64_t bar_ms = int64_t{interval_s} * 1000;
            chart_.emplace(*journal_, run_id_,
                           backtest_ ? std::max(bar_ms, kEquitySampleMs) : bar_ms, !backtest_);
        }
        return *chart_;
    }

    PerformanceTracker& tracker() {
        if (!tracker_) {
            int32_t interval = interval_s_ > 0 ? interval_s_ : buffer_.min_interval_s();
            // A resumed run starts from the account as it stands at its first bar, marked to
            // that bar; otherwise its first period's return would be all the earlier runs' PnL.
            tracker_.emplace(summary_.resumed ? ledger_->equity() : ledger_->starting_cash(),
                             periods_per_year(interval));
        }
        return *tracker_;
    }

    Metrics current_metrics() {
        Metrics m = tracker().metrics(trade_stats_, ledger_->fees() - fees_before_run_,
                                      ledger_->realized_pnl() - realized_before_run_);
        m.cash_flows = ledger_->cash_flows() - cash_flows_before_run_;
        return m;
    }

    void save_metrics() { journal_->save_metrics(run_id_, metrics_to_json(current_metrics())); }

    void close(const std::string& status) {
        if (!journal_ || !run_id_) return;
        try {
            risk_dirty_ = true;
            save_risk_state();
            if (chart_) chart_->flush();
            if (router_) router_->flush();
            if (backtest_ && last_close_ms_ > last_equity_ms_)
                record_equity(last_close_ms_, ledger_->equity());
            for (const auto& e : errors_.take_unlogged())
                report_repeats(e.kind, e.message, e.unlogged, e.count);
            for (const auto& [symbol, position] : ledger_->positions())
                journal_->record_position(run_id_, symbol, services_.clock->now_ms(), position);
            journal_->commit_batch();
            summary_.metrics = current_metrics();
            journal_->save_metrics(run_id_, metrics_to_json(summary_.metrics));
            if (strategy_) strategy_->stop();
            if (feed_) feed_->stop();
            if (executor_) executor_->stop();
        } catch (const std::exception& e) {
            log_->error("while stopping: {}", e.what());
        }
        summary_.status = status;
        try {
            journal_->end_run(run_id_, wall_clock_.now_ms(), status);
        } catch (const std::exception& e) {
            if (status != "failed") throw;
            log_->error("while stopping: {}", e.what());  // the run's own error goes on
        }
        log_->info("run {} {}: {} bar(s), {} signal(s), {} order(s), {} fill(s)", run_id_, status,
                   summary_.bars, summary_.signals, summary_.orders, summary_.fills);
        keep_journal_moved_away();
    }

    bool stop_requested() const {
        return o_.stop_requested && o_.stop_requested->load(std::memory_order_relaxed);
    }

    const Pipeline& p_;
    EngineOptions o_;
    std::shared_ptr<spdlog::logger> log_;
    const bool backtest_;
    SimulatedClock sim_clock_;
    WallClock wall_clock_;
    SteadyClock steady_clock_;  // the paper/live loop's sleeps
    HostServices services_;
    std::optional<RunLock> run_lock_;  // released after the journal's last commit
    std::optional<Journal> journal_;
    std::optional<Ledger> ledger_;
    // Instances are destroyed before the services and journal they use (reverse order).
    std::optional<FeedInstance> feed_;
    std::optional<StrategyInstance> strategy_;
    std::optional<ExecutorInstance> executor_;
    std::optional<OrderRouter> router_;
    MinOrderQty min_order_qty_;  // empty when the executor knows no smallest order
    std::optional<PerformanceTracker> tracker_;
    // Closed-trade statistics of this run, built from the fills as they happen: a long run's
    // metrics never reload its fills.
    TradeStats trade_stats_;
    // The ledger's, from earlier runs.
    double fees_before_run_ = 0, realized_before_run_ = 0, cash_flows_before_run_ = 0;
    TradeBuilder trades_{[this](int64_t, Trade&& t) { trade_stats_.add(t); }};
    std::optional<ChartRecorder> chart_;
    std::optional<Scheduler> scheduler_;
    std::map<std::string, int64_t> handled_;  // backtest: last occurrence handled per trigger
    int64_t last_close_ms_ = 0, bar_gap_ms_ = 0;
    BarBuffer buffer_;
    std::optional<FeedCoverage> coverage_;
    RiskStage risk_;
    SignalCollector signals_;
    RunSummary summary_;
    // A paper or live run says an error still goes on at least every 10 minutes.
    RepeatedErrors errors_{backtest_ ? 0 : 600'000};
    std::set<std::string> symbols_outside_universe_;  // warned of once each
    int64_t run_id_ = 0;
    int32_t interval_s_ = 0;
    int64_t last_equity_ms_ = std::numeric_limits<int64_t>::min() / 2;
    int64_t last_bar_ms_ = 0;
    bool stopped_ = false;
    bool risk_dirty_ = false;
    bool venue_check_pending_ = false;  // paper/live: compare with the venue once reconciled
    bool halted_by_file_ = false;
};

}  // namespace

RunSummary run_pipeline(const Pipeline& pipeline, const EngineOptions& options) {
    Engine engine(pipeline, options);
    return engine.run();
}

}  // namespace orchestrade::core
