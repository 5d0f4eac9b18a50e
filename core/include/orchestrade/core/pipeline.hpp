// The pipeline file: parsed with yaml-cpp, validated against the schema of each plugin it names,
// with file:line:col in every error. Unknown keys are errors. Secrets come from ${ENV} or
// ${file:/path} (a file with mode 0600), never from the file itself.
#pragma once

#include <orchestrade/core/plugin_registry.hpp>
#include <orchestrade/core/types.hpp>

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
    int64_t every_ms = 0;  // 0 = the feed's bar interval (backtest: every bar)
};

// Risk keys (see RiskStage). Sizing: quantity (fixed base units) or position_size_pct (of
// equity); neither = 100% of equity.
struct RiskConfig {
    double quantity = 0;
    double position_size_pct = 0;
    bool allow_short = false;
};

struct Pipeline {
    std::string file;      // for messages ("<embedded default>" for the built-in one)
    std::string base_dir;  // relative paths in params are resolved against it by the plugins
    std::string yaml_text;
    int version = 1;
    std::string name;
    Mode mode = Mode::Backtest;
    std::string journal;  // path, resolved against base_dir
    std::vector<std::string> universe;
    ScheduleConfig schedule;
    ComponentConfig feed, strategy, executor;
    RiskConfig risk;
};

// Throws ConfigError. 'file' names the source in messages; base_dir resolves relative paths.
Pipeline parse_pipeline(const std::string& yaml_text, const std::string& file,
                        const std::string& base_dir, const PluginRegistry& registry);
Pipeline load_pipeline(const std::string& path, const PluginRegistry& registry);

// Reads a value written as YAML text (a plugin's default_text) as the type of 'spec', checking
// bounds and choices. Throws std::invalid_argument saying what is wrong.
ParamValue param_from_text(const ParamSpec& spec, const std::string& yaml_text);

// "3m" -> 180000, "1h" -> 3600000, "500ms", "30s", "1d"; throws std::invalid_argument.
int64_t parse_duration_ms(const std::string& text);

}  // namespace orchestrade::core
