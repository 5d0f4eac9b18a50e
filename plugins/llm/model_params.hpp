// The parameters every component that asks the model takes (read by read_model_settings): the
// provider, the answer check, the daily budget and the recorded answers. A macro, so a component
// can list them inside its own constexpr params[] array.
#pragma once

#include <orchestrade/sdk.hpp>

namespace orchestrade::llm {

inline constexpr const char* kProviders[] = {"openai", "anthropic", "command", nullptr};
inline constexpr const char* kTokenFields[] = {"max_completion_tokens", "max_tokens", nullptr};
inline constexpr const char* kReasoningEfforts[] = {"default", "minimal", "low",
                                                    "medium",  "high",    nullptr};
inline constexpr const char* kStructuredModes[] = {"json_schema", "json_object", "none", nullptr};
inline constexpr const char* kCacheModes[] = {"read_write", "replay_only", "off", nullptr};

}  // namespace orchestrade::llm

// clang-format off
#define ORCHESTRADE_LLM_MODEL_PARAMS                                                              \
    sdk::enum_param("provider", "openai", kProviders,                                             \
                    "openai (any Chat Completions server), anthropic or command"),                \
    sdk::string_param("model", nullptr, "Model name, e.g. gpt-5-mini or claude-haiku-4-5"),       \
    sdk::param(OT_PARAM_STRING, "base_url", nullptr, 1, 0,                                        \
               "API base with its version path; default the provider's own"),                     \
    sdk::secret_param("api_key", "API key, from ${ENV} or ${file:...}", false),                   \
    sdk::json_param("command", nullptr,                                                           \
                    "provider command: program and arguments; {model} and {schema} are "          \
                    "replaced"),                                                                  \
    sdk::param(OT_PARAM_STRING, "command_dir", nullptr, 1, 0,                                     \
               "provider command: working directory"),                                            \
    sdk::int_param("timeout_ms", "60000", 100, 600000, "Time limit of one request"),              \
    sdk::int_param("max_tokens", "1024", 16, 100000, "Answer length limit, in tokens"),           \
    sdk::enum_param("max_tokens_field", "max_completion_tokens", kTokenFields,                    \
                    "openai: the request field of the limit (some local servers read "            \
                    "max_tokens)"),                                                               \
    sdk::double_param("temperature", "0", -1, 2,                                                  \
                      "Sampling temperature; -1 = not sent (models that only take their "         \
                      "default)"),                                                                \
    sdk::enum_param("reasoning_effort", "default", kReasoningEfforts,                             \
                    "openai reasoning models: how much they think before answering; their "       \
                    "reasoning counts against max_tokens (default = not sent)"),                  \
    sdk::enum_param("structured_output", "json_schema", kStructuredModes,                         \
                    "How the JSON answer is requested"),                                          \
    sdk::double_param("max_size_pct", "20", 0.01, 100,                                            \
                      "Largest position_size_pct (% of equity) an entry may ask for"),            \
    sdk::double_param("min_confidence", "0", 0, 1,                                                \
                      "Below this confidence a decision is a HOLD"),                              \
    sdk::bool_param("require_exit_plan", "true",                                                  \
                    "Entries need stop_loss, take_profit and an invalidation condition"),         \
    sdk::double_param("daily_budget_usd", "5", 0, 1e6,                                            \
                      "Spend limit per UTC day (host time), kept across restarts"),               \
    sdk::double_param("run_budget_usd", "0", 0, 1e6,                                              \
                      "Spend limit of this run, for backtests (their days are simulated); "       \
                      "0 = none"),                                                                \
    sdk::double_param("max_call_cost_usd", "-1", -1, 1e6,                                         \
                      "The most one call may cost, in USD (-1 = not set); required by provider "  \
                      "command (0 for a free model): the budget's worst case of a call, and its " \
                      "charge when its cost is not stated"),                                      \
    sdk::json_param("prices", nullptr,                                                            \
                    "USD per million tokens by model: {model: {input, cached_input, "             \
                    "cache_write, output}}, over the built-in table"),                            \
    sdk::enum_param("cache", "read_write", kCacheModes,                                           \
                    "Recorded answers: replay and record, replay only (never call), or off"),     \
    sdk::param(OT_PARAM_STRING, "cache_file", nullptr, 1, 0,                                      \
               "JSON-lines file for recorded answers; default the host's key-value state"),       \
    sdk::bool_param("journal_prompt", "false", "Journal the full request with each call")
// clang-format on
