#include "llm_strategy.hpp"

#include "llm_day_strategy.hpp"

namespace orchestrade::llm {
namespace {

using json = nlohmann::json;

constexpr double kSecondsPerYear = 365.0 * 86400.0;
constexpr const char* kSharpeKey = "sharpe";

}  // namespace

LlmStrategy::LlmStrategy(const sdk::Context& ctx)
    : Strategy(ctx),
      settings_(read_settings(ctx)),
      universe_(ctx.universe),
      market_(universe_, settings_.timeframe_s, settings_.context_s, settings_.series_length),
      sharpe_(kSecondsPerYear / settings_.timeframe_s),
      provider_(make_provider(settings_.provider, ctx.host)),
      cache_(ctx.host, settings_.cache_mode, settings_.cache_file),
      budget_(ctx.host, settings_.daily_budget_usd, settings_.run_budget_usd),
      left_out_log_("llm", "the decision", settings_.timeframe),
      context_gap_log_(settings_.context_timeframe, settings_.context_s) {
    if (universe_.empty()) throw sdk::Error(OT_E_INVALID_ARG, "llm: the universe is empty");
}

void LlmStrategy::start() {
    PromptTemplates templates = PromptTemplates::defaults();
    try {
        if (!settings_.prompt_file.empty())
            templates = PromptTemplates::load(settings_.prompt_file);
        prompts_.emplace(
            std::move(templates),
            PromptSettings{universe_, settings_.timeframe, settings_.context_timeframe,
                           settings_.decider.rules.max_size_pct, settings_.provider.schema.dump(),
                           settings_.decider.rules.allow_short});
    } catch (const std::exception& e) {
        throw sdk::Error(OT_E_INVALID_ARG, std::string("llm: prompt templates: ") + e.what());
    }
    decider_.emplace(host(), *provider_, cache_, budget_, settings_.decider);
    // A backtest's ratio starts afresh, so running it again shows the model the same prompts.
    if (mode() == OT_MODE_BACKTEST) return;
    if (std::optional<std::string> saved = host().kv_get(kSharpeKey)) {
        try {
            sharpe_.load(*saved);
        } catch (const std::exception& e) {
            host().warn(std::string("llm: the saved Sharpe ratio is unreadable (") + e.what() +
                        "); it starts afresh");
        }
    }
}

uint32_t LlmStrategy::warmup_bars() const {
    return static_cast<uint32_t>(TimeframeState::kWarmupBars);
}

void LlmStrategy::on_bars(const sdk::Bars& bars, sdk::Signals& out) {
    const int64_t now = bars.now_ms();
    bool decision_bar = false;
    for (std::size_t i = 0; i < bars.size(); ++i) {
        // A bar that has not closed by now would be a look into the future: never used.
        if (bars.open_time_ms(i) + int64_t{bars.interval_s(i)} * 1000 > now) continue;
        market_.add_bar(bars.symbol(i), bars.interval_s(i), bars.open_time_ms(i), bars.high(i),
                        bars.low(i), bars.close(i), bars.volume(i));
        decision_bar = decision_bar || bars.interval_s(i) == settings_.timeframe_s;
    }
    for (std::size_t i = 0; i < bars.series_count(); ++i) {
        const ot_series_point& p = bars.series(i);
        if (p.symbol && p.name) market_.add_point(p.symbol, p.name, p.time_ms, p.value);
    }
    market_.advance_to(now);
    if (bars.warmup() || !decision_bar) return;
    const DecisionMarket market = market_.decision_market(now);
    // Before the first decision the symbols warm up together: a note, not a warning per symbol.
    if (market.in.empty() && !decided_) {
        if (!told_warming_up_)
            host().info("llm: waiting for " + std::to_string(warmup_bars()) + " " +
                        settings_.timeframe + " bars of a symbol before the first decision");
        told_warming_up_ = true;
        return;
    }
    left_out_log_.update(market, host());
    if (market.in.empty()) return;
    context_gap_log_.update(market, now, host());
    decided_ = true;
    decide(now, market, out);
}

void LlmStrategy::decide(int64_t now_ms, const DecisionMarket& market, sdk::Signals& out) {
    PortfolioSnapshot portfolio = read_portfolio(host(), universe_, sharpe_);
    if (mode() != OT_MODE_BACKTEST) host().kv_set(kSharpeKey, sharpe_.save());
    // Only the symbols shown can be traded: an answer about another is refused.
    MarketContext context;
    for (const SymbolSnapshot& s : market.in)
        context[s.symbol] = SymbolContext{s.intraday.close, host().position(s.symbol).qty};
    ChatRequest request{prompts_->system(),
                        {{"user", prompts_->user(now_ms, portfolio, market.in)}}};
    Verdict verdict = decider_->decide(std::move(request), context, now_ms);
    emit(verdict, now_ms, market, out);
}

// One signal per universe symbol, so the risk stage sees HOLD between two equal decisions for a
// symbol; a symbol left out holds, saying why.
void LlmStrategy::emit(const Verdict& v, int64_t now_ms, const DecisionMarket& market,
                       sdk::Signals& out) const {
    auto in = market.in.begin();
    auto left = market.left_out.begin();
    for (const std::string& symbol : universe_) {  // both parts are in universe order
        if (in != market.in.end() && in->symbol == symbol) {
            out.push(decided_signal(v, *in++));
            continue;
        }
        sdk::Signal signal;
        signal.symbol = symbol;
        signal.time_ms = now_ms - int64_t{settings_.timeframe_s} * 1000;  // the decided bar's open
        signal.reason =
            "HOLD: left out of the decision: " + why_left_out(*left++, settings_.timeframe);
        out.push(signal);
    }
}

sdk::Signal LlmStrategy::decided_signal(const Verdict& v, const SymbolSnapshot& s) const {
    const Decision& d = v.decision;
    sdk::Signal signal;
    signal.symbol = s.symbol;
    signal.time_ms = s.intraday.last_open_ms;
    if (!v.accepted) {
        signal.reason = "HOLD: " + v.reason;
    } else if (d.action == OT_ACTION_HOLD) {
        signal.reason = "LLM: HOLD" + (d.rationale.empty() ? "" : " - " + d.rationale);
    } else if (d.symbol != s.symbol) {
        signal.reason = std::string("LLM: ") + action_name(d.action) + " " + d.symbol;
    } else {
        signal.action = d.action;
        signal.size_pct = d.size_pct;
        signal.stop_loss = d.stop_loss;
        signal.take_profit = d.take_profit;
        signal.confidence = d.confidence;
        signal.reason = d.rationale.empty() ? "LLM decision" : d.rationale;
        signal.metadata_json = json{
            {"provider", provider_->name()},
            {"model", settings_.decider.model},
            {"prompt_hash", v.prompt_hash},
            {"cached", v.cached},
            {"invalidation_condition", d.invalidation},
            {"rationale",
             d.rationale}}.dump();
    }
    return signal;
}

}  // namespace orchestrade::llm

OT_PLUGIN_MODULE(OT_STRATEGY(orchestrade::llm::LlmStrategy),
                 OT_STRATEGY(orchestrade::llm::LlmDayStrategy))
