// The "llm" strategy: on every closed bar of its timeframe it shows a language model the
// indicators of every universe symbol on two timeframes, funding, open interest and the portfolio,
// and turns the model's checked JSON decision into signals (with stop-loss and take-profit).
// Anything unusable, and anything the budget does not allow, is a HOLD with its reason.
#pragma once

#include "cost_ledger.hpp"
#include "decider.hpp"
#include "market_state.hpp"
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

inline constexpr const char* kProviders[] = {"openai", "anthropic", "command", nullptr};
inline constexpr const char* kTokenFields[] = {"max_completion_tokens", "max_tokens", nullptr};
inline constexpr const char* kStructuredModes[] = {"json_schema", "json_object", "none", nullptr};
inline constexpr const char* kCacheModes[] = {"read_write", "replay_only", "off", nullptr};

class LlmStrategy final : public sdk::Strategy {
  public:
    static constexpr sdk::Meta meta{
        "org.orchestrade.llm",
        "llm",
        "LLM trading decisions",
        "1.0.0",
        "Orchestrade",
        "Asks a language model for a checked JSON trading decision on every bar; HOLD on "
        "anything invalid, within a daily budget, with recorded answers for replays"};
    static constexpr ot_param_spec params[] = {
        sdk::enum_param("provider", "openai", kProviders,
                        "openai (any Chat Completions server), anthropic or command"),
        sdk::string_param("model", nullptr, "Model name, e.g. gpt-5-mini or claude-haiku-4-5"),
        sdk::param(OT_PARAM_STRING, "base_url", nullptr, 1, 0,
                   "API base with its version path; default the provider's own"),
        sdk::secret_param("api_key", "API key, from ${ENV} or ${file:...}", false),
        sdk::json_param("command", nullptr,
                        "provider command: program and arguments; {model} and {schema} are "
                        "replaced"),
        sdk::param(OT_PARAM_STRING, "command_dir", nullptr, 1, 0,
                   "provider command: working directory"),
        sdk::int_param("timeout_ms", "60000", 100, 600000, "Time limit of one request"),
        sdk::int_param("max_tokens", "1024", 16, 100000, "Answer length limit, in tokens"),
        sdk::enum_param("max_tokens_field", "max_completion_tokens", kTokenFields,
                        "openai: the request field of the limit (some local servers read "
                        "max_tokens)"),
        sdk::double_param("temperature", "0", -1, 2,
                          "Sampling temperature; -1 = not sent (models that only take their "
                          "default)"),
        sdk::enum_param("structured_output", "json_schema", kStructuredModes,
                        "How the JSON answer is requested"),
        sdk::string_param("timeframe", "3m", "Decision timeframe: one decision per closed bar"),
        sdk::string_param("context_timeframe", "4h", "Longer timeframe shown as context"),
        sdk::int_param("series_length", "10", 1, 500, "Values per series in the prompt"),
        sdk::double_param("max_size_pct", "20", 0.01, 100,
                          "Largest position_size_pct (% of equity) an entry may ask for"),
        sdk::double_param("min_confidence", "0", 0, 1,
                          "Below this confidence a decision is a HOLD"),
        sdk::bool_param("require_exit_plan", "true",
                        "Entries need stop_loss, take_profit and an invalidation condition"),
        sdk::double_param("daily_budget_usd", "5", 0, 1e6,
                          "Spend limit per UTC day (host time), kept across restarts"),
        sdk::double_param("run_budget_usd", "0", 0, 1e6,
                          "Spend limit of this run, for backtests (their days are simulated); "
                          "0 = none"),
        sdk::json_param("prices", nullptr,
                        "USD per million tokens by model: {model: {input, cached_input, "
                        "cache_write, output}}, over the built-in table"),
        sdk::enum_param("cache", "read_write", kCacheModes,
                        "Recorded answers: replay and record, replay only (never call), or off"),
        sdk::param(OT_PARAM_STRING, "cache_file", nullptr, 1, 0,
                   "JSON-lines file for recorded answers; default the host's key-value state"),
        sdk::param(OT_PARAM_STRING, "prompt_file", nullptr, 1, 0,
                   "File whose --- system/user/symbol --- sections replace the prompt templates"),
        sdk::bool_param("journal_prompt", "false", "Journal the full request with each call"),
    };

    explicit LlmStrategy(const sdk::Context& ctx);
    void start() override;
    uint32_t warmup_bars() const override;
    void on_bars(const sdk::Bars& bars, sdk::Signals& out) override;

  private:
    void decide(int64_t now_ms, sdk::Signals& out);
    void emit(const Verdict& verdict, const std::vector<SymbolSnapshot>& market,
              sdk::Signals& out) const;

    Settings settings_;
    std::vector<std::string> universe_;
    MarketState market_;
    SharpeRatio sharpe_;
    std::unique_ptr<Provider> provider_;
    ResponseCache cache_;
    Budget budget_;
    std::optional<PromptBuilder> prompts_;  // made in start(): reading the prompt file is I/O
    std::optional<Decider> decider_;
    bool told_warming_up_ = false;
};

}  // namespace orchestrade::llm
