// The "llm" strategy: on every closed bar of its timeframe it shows a language model the
// indicators of every universe symbol whose data is warm and current on two timeframes, funding,
// open interest and the portfolio, and turns the model's checked JSON decision into signals (with
// stop-loss and take-profit). Anything unusable, and anything the budget does not allow, is a HOLD
// with its reason; so is every symbol left out of the decision.
#pragma once

#include "context_gap_log.hpp"
#include "cost_ledger.hpp"
#include "decider.hpp"
#include "left_out_log.hpp"
#include "market_state.hpp"
#include "model_params.hpp"
#include "portfolio.hpp"
#include "prompt_builder.hpp"
#include "provider.hpp"
#include "response_cache.hpp"
#include "settings.hpp"

#include <orchestrade/sdk.hpp>

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace orchestrade::llm {

class LlmStrategy final : public sdk::Strategy {
  public:
    static constexpr sdk::Meta meta{
        "org.orchestrade.llm",
        "llm",
        "LLM trading decisions",
        "1.1.0",
        "Orchestrade",
        "Asks a language model for a checked JSON trading decision on every bar; HOLD on "
        "anything invalid, within a daily budget, with recorded answers for replays"};
    static constexpr ot_param_spec params[] = {
        ORCHESTRADE_LLM_MODEL_PARAMS,
        sdk::string_param("timeframe", "3m", "Decision timeframe: one decision per closed bar"),
        sdk::string_param("context_timeframe", "4h", "Longer timeframe shown as context"),
        sdk::int_param("series_length", "10", 1, 500, "Values per series in the prompt"),
        sdk::param(OT_PARAM_STRING, "prompt_file", nullptr, 1, 0,
                   "File whose --- system/user/symbol --- sections replace the prompt templates"),
        sdk::bool_param("allow_short", "false",
                        "A SELL without a long opens a short: set it as the risk stage's"),
    };

    explicit LlmStrategy(const sdk::Context& ctx);
    void start() override;
    uint32_t warmup_bars() const override;
    void on_bars(const sdk::Bars& bars, sdk::Signals& out) override;

  private:
    void decide(int64_t now_ms, const DecisionMarket& market, sdk::Signals& out);
    void emit(const Verdict& verdict, int64_t now_ms, const DecisionMarket& market,
              sdk::Signals& out) const;
    sdk::Signal decided_signal(const Verdict& verdict, const SymbolSnapshot& s) const;

    Settings settings_;
    std::vector<std::string> universe_;
    MarketState market_;
    SharpeRatio sharpe_;
    std::unique_ptr<Provider> provider_;
    ResponseCache cache_;
    Budget budget_;
    std::optional<PromptBuilder> prompts_;  // made in start(): reading the prompt file is I/O
    std::optional<Decider> decider_;
    LeftOutLog left_out_log_;
    ContextGapLog context_gap_log_;
    bool told_warming_up_ = false;
    bool decided_ = false;  // a decision was taken: from then on, a symbol left out is warned of
};

}  // namespace orchestrade::llm
