// The pipeline file: parsed with yaml-cpp, validated against the schema of each plugin it names,
// with file:line:col in every error. Unknown keys are errors. Secrets come from ${ENV} or
// ${file:/path} (a file with mode 0600), never from the file itself.
#pragma once

#include <orchestrade/core/plugin_registry.hpp>
#include <orchestrade/core/scheduler.hpp>
#include <orchestrade/core/types.hpp>

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace orchestrade::core {

// "pipeline.yaml:12:7: strategy.params.fast: expected an integer, got 'ten'"
class ConfigError : public std::runtime_error {
  public:
    ConfigError(std::string file, int line, int column, const std::string& message);
    const std::string& file() const { return file_; }
    int line() const { return line_; }      // 1-based; 0 when unknown
    int column() const { return column_; }  // 1-based; 0 when unknown

  private:
    std::string file_;
    int line_, column_;
};

struct ParamValue {
    std::string key;
    int32_t type = 0;  // OT_PARAM_*
    int64_t int_value = 0;
    double double_value = 0;
    std::string string_value;  // STRING, ENUM, JSON (as JSON text)
    bool secret = false;       // never print string_value
};

struct ComponentConfig {
    std::string use;  // as written
    const ComponentInfo* plugin = nullptr;
    std::vector<ParamValue> params;  // one per schema entry, defaults filled in, schema order
    int line = 0, column = 0;
    // A borrowed view for ot_create_info; valid while this ComponentConfig lives.
    std::vector<ot_param_value> c_params() const;
};

struct ScheduleConfig {
    int64_t every_ms = 0;  // paper/live loop period; 0 = 60 s (a backtest follows its bars)
    // Named calendar events delivered to the strategy (strategy.on_event).
    std::vector<CalendarTrigger> triggers;
};

// The risk block of a pipeline (see RiskStage). Every key is optional; 0 means "not set".
struct RiskConfig {
    // Sizing of entries: at most one of quantity, quote_amount, position_size_pct,
    // risk_per_trade_pct. None = RiskStage::kDefaultPositionSizePct of equity.
    double quantity = 0;            // base units
    double quote_amount = 0;        // quote currency per entry
    double position_size_pct = 0;   // % of equity
    double risk_per_trade_pct = 0;  // % of equity lost if the stop is hit (needs a stop)
    bool allow_short = false;
    // Protective exits attached to entries (a signal's own levels take precedence).
    double stop_loss_pct = 0;
    double take_profit_pct = 0;
    double trailing_stop_pct = 0;
    double stop_loss_atr = 0;  // stop distance in ATRs (Wilder, atr_period bars)
    int64_t atr_period = 14;
    // Limits on entries.
    double max_position_value = 0;  // per symbol, quote currency
    int64_t max_open_positions = 0;
    double max_gross_exposure_pct = 0;
    double min_order_value = 0;
    double max_order_value = 0;
    int64_t max_orders_per_hour = 0;
    int64_t cooldown_after_loss_ms = 0;  // per symbol, after a losing trade
    // Breakers: ACTIVE -> REDUCING (daily loss, until the next UTC day) -> HALTED (drawdown
    // from the peak, or a manual halt, until `orchestrade resume`). Entries are blocked in both;
    // exits and stops always pass.
    double max_daily_loss_pct = 0;
    double max_drawdown_pct = 0;
    std::string halt_file;  // while this file exists, the run is HALTED
};

struct Pipeline {
    std::string file;      // for messages ("<embedded default>" for the built-in one)
    std::string base_dir;  // relative paths in params are resolved against it by the plugins
    std::string yaml_text;
    int version = 1;
    std::string name;
    Mode mode = Mode::Backtest;
    std::string journal;  // path, resolved against base_dir
    // Where a problem with the journal points: its value, or `name` for the default journal.
    int journal_line = 0, journal_column = 0;
    std::vector<std::string> universe;
    ScheduleConfig schedule;
    ComponentConfig feed, strategy, executor;
    RiskConfig risk;
    // A backtest refuses plugins' HTTP unless this is set (e.g. to record an LLM's answers once,
    // so later re-runs replay them for free).
    bool http_in_backtest = false;
};

// What the reader does with a ${...} it cannot read (a variable not set, a file missing).
enum class UnreadReference {
    Fail,      // a ConfigError naming it: the pipeline is about to run
    KeepText,  // the value keeps "${NAME}" as written: a command that only reads the pipeline
               // (schedule) needs no secrets
};

// load_pipeline refuses a larger file before reading it whole.
constexpr std::size_t kMaxPipelineFileBytes = std::size_t{4} << 20;

// Throws ConfigError. 'file' names the source in messages; base_dir resolves relative paths.
Pipeline parse_pipeline(const std::string& yaml_text, const std::string& file,
                        const std::string& base_dir, const PluginRegistry& registry,
                        UnreadReference unread = UnreadReference::Fail);
Pipeline load_pipeline(const std::string& path, const PluginRegistry& registry,
                       UnreadReference unread = UnreadReference::Fail);

// Reads a value written as YAML text (a plugin's default_text) as the type of 'spec', checking
// bounds and choices. Throws std::invalid_argument saying what is wrong.
ParamValue param_from_text(const ParamSpec& spec, const std::string& yaml_text);

// "3m" -> 180000, "1h" -> 3600000, "500ms", "30s", "1d"; throws std::invalid_argument.
int64_t parse_duration_ms(const std::string& text);

}  // namespace orchestrade::core
