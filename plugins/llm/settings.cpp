#include "settings.hpp"

#include <orchestrade/candles/timeframe.hpp>

namespace orchestrade::llm {
namespace {

using json = nlohmann::json;

constexpr const char* kOpenAiBase = "https://api.openai.com/v1";
constexpr const char* kAnthropicBase = "https://api.anthropic.com/v1";

[[noreturn]] void invalid(const std::string& message) {
    throw sdk::Error(OT_E_INVALID_ARG, "llm: " + message);
}

std::string optional_string(const sdk::Params& p, const char* key) {
    return p.has(key) ? p.get_string(key) : std::string();
}

std::string resolve(const std::string& path, const std::string& base_dir) {
    if (path.empty() || path.front() == '/' || base_dir.empty()) return path;
    return base_dir + "/" + path;
}

std::vector<std::string> read_command(const sdk::Params& p) {
    std::string text = optional_string(p, "command");
    if (text.empty())
        invalid("provider 'command' needs `command`, e.g. [claude, -p, --output-format, json]");
    json j = json::parse(text, nullptr, false);
    std::vector<std::string> argv;
    if (j.is_array())
        for (const json& a : j)
            if (a.is_string() && !a.get<std::string>().empty())
                argv.push_back(a.get<std::string>());
    if (argv.empty() || argv.size() != j.size())
        invalid("`command` must be a list of non-empty strings: the program and its arguments");
    return argv;
}

PriceTable read_prices(const sdk::Params& p) {
    PriceTable table = PriceTable::builtin();
    std::string text = optional_string(p, "prices");
    if (text.empty()) return table;
    try {
        table.merge(json::parse(text));
    } catch (const std::exception& e) {
        invalid(e.what());
    }
    return table;
}

}  // namespace

ModelSettings read_model_settings(const sdk::Context& ctx) {
    const sdk::Params& p = ctx.params;
    ModelSettings s;
    ProviderSettings& ps = s.provider;
    ps.kind = p.get_string("provider");
    ps.model = p.get_string("model");
    if (ps.model.empty()) invalid("`model` is empty");
    ps.api_key = optional_string(p, "api_key");
    ps.timeout_ms = static_cast<uint32_t>(p.get_int("timeout_ms"));
    ps.max_tokens = p.get_int("max_tokens");
    ps.max_tokens_field = p.get_string("max_tokens_field");
    double temperature = p.get_double("temperature");
    if (temperature >= 0) ps.temperature = temperature;
    ps.structured_output = p.get_string("structured_output");
    if (std::string effort = p.get_string("reasoning_effort"); effort != "default") {
        if (ps.kind != "openai") invalid("`reasoning_effort` is a parameter of provider 'openai'");
        ps.reasoning_effort = effort;
    }
    ps.base_url = optional_string(p, "base_url");
    while (!ps.base_url.empty() && ps.base_url.back() == '/')
        ps.base_url.pop_back();

    if (ps.kind == "command") {
        ps.command = read_command(p);
        ps.command_dir = resolve(optional_string(p, "command_dir"), ctx.base_dir);
    } else if (ps.kind == "anthropic") {
        if (ps.base_url.empty()) ps.base_url = kAnthropicBase;
        if (ps.api_key.empty())
            invalid("provider 'anthropic' needs `api_key` (e.g. ${ANTHROPIC_API_KEY})");
    } else {
        if (ps.base_url.empty()) ps.base_url = kOpenAiBase;
        if (ps.api_key.empty() && ps.base_url == kOpenAiBase)
            invalid(
                "OpenAI needs `api_key` (e.g. ${OPENAI_API_KEY}); local servers set `base_url`");
    }

    DeciderSettings& d = s.decider;
    d.model = ps.model;
    d.max_tokens = ps.max_tokens;
    d.rules.max_size_pct = p.get_double("max_size_pct");
    d.rules.require_exit_plan = p.get_bool("require_exit_plan");
    d.min_confidence = p.get_double("min_confidence");
    d.journal_prompt = p.get_bool("journal_prompt");
    ps.schema = decision_schema(ctx.universe, d.rules.max_size_pct);
    if (double most = p.get_double("max_call_cost_usd"); most >= 0) d.max_call_cost_usd = most;
    const PriceTable prices = read_prices(p);  // checked whatever the provider
    if (ps.kind == "command") {
        // The CLI adds its own prompt and may make several requests: tokens cannot bound a
        // call, and a CLI need not state what it cost. Only the user can say what a call may
        // cost at most; without that no budget can hold.
        if (!d.max_call_cost_usd)
            invalid("provider 'command' needs `max_call_cost_usd`: the most one call of `" +
                    ps.model +
                    "` may cost in USD (e.g. 0.05; 0 for a free local model). It is the "
                    "budget's worst case of each call, and the charge of a call whose cost the "
                    "command does not state");
    } else {
        d.price = prices.find(ps.model);
        if (!d.price)
            invalid("no price for model '" + ps.model +
                    "': add it to `prices` (USD per million tokens; zeros for a local server)");
    }

    s.daily_budget_usd = p.get_double("daily_budget_usd");
    if (p.get_double("run_budget_usd") > 0) s.run_budget_usd = p.get_double("run_budget_usd");
    std::string cache = p.get_string("cache");
    s.cache_mode = cache == "off"           ? CacheMode::Off
                   : cache == "replay_only" ? CacheMode::ReplayOnly
                                            : CacheMode::ReadWrite;
    s.cache_file = resolve(optional_string(p, "cache_file"), ctx.base_dir);
    return s;
}

Settings read_settings(const sdk::Context& ctx) {
    const sdk::Params& p = ctx.params;
    Settings s;
    static_cast<ModelSettings&>(s) = read_model_settings(ctx);
    s.timeframe = p.get_string("timeframe");
    s.context_timeframe = p.get_string("context_timeframe");
    s.timeframe_s = candles::parse_timeframe(s.timeframe);
    s.context_s = candles::parse_timeframe(s.context_timeframe);
    if (s.context_s <= s.timeframe_s)
        invalid("`context_timeframe` must be longer than `timeframe`");
    s.series_length = static_cast<std::size_t>(p.get_int("series_length"));
    s.prompt_file = resolve(optional_string(p, "prompt_file"), ctx.base_dir);
    s.decider.rules.allow_short = p.get_bool("allow_short");
    return s;
}

}  // namespace orchestrade::llm
