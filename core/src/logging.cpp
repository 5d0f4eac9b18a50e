#include <orchestrade/core/logging.hpp>

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/rotating_file_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>

#include <filesystem>
#include <mutex>
#include <vector>

namespace orchestrade::core {
namespace {

// %L gives "I"; the seed's format wants "INFO", "WARNING", "ERROR".
class UpperLevelFlag final : public spdlog::custom_flag_formatter {
  public:
    void format(const spdlog::details::log_msg& msg, const std::tm&,
                spdlog::memory_buf_t& dest) override {
        static constexpr const char* kNames[] = {"TRACE", "DEBUG",    "INFO", "WARNING",
                                                 "ERROR", "CRITICAL", "OFF"};
        const char* name = kNames[static_cast<int>(msg.level)];
        dest.append(name, name + std::char_traits<char>::length(name));
    }
    std::unique_ptr<custom_flag_formatter> clone() const override {
        return std::make_unique<UpperLevelFlag>();
    }
};

std::unique_ptr<spdlog::formatter> make_formatter() {
    auto f = std::make_unique<spdlog::pattern_formatter>();
    f->add_flag<UpperLevelFlag>('*').set_pattern("%Y-%m-%d %H:%M:%S | %n | %* | %v");
    return f;
}

struct State {
    std::mutex mutex;
    std::vector<spdlog::sink_ptr> sinks;
    spdlog::level::level_enum level = spdlog::level::info;
    bool initialised = false;
};

State& state() {
    static State s;
    return s;
}

void ensure_default_sinks(State& s) {
    if (s.initialised) return;
    auto console = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
    console->set_formatter(make_formatter());
    s.sinks = {console};
    s.initialised = true;
}

}  // namespace

void init_logging(const LogOptions& options) {
    State& s = state();
    std::lock_guard lock(s.mutex);
    s.sinks.clear();
    if (options.console) {
        s.sinks.push_back(std::make_shared<spdlog::sinks::stderr_color_sink_mt>());
        s.sinks.back()->set_level(options.console_level);
    }
    if (!options.file.empty()) {
        std::filesystem::path p(options.file);
        if (p.has_parent_path()) std::filesystem::create_directories(p.parent_path());
        s.sinks.push_back(std::make_shared<spdlog::sinks::rotating_file_sink_mt>(
            options.file, 10 * 1024 * 1024, 5));
    }
    for (auto& sink : s.sinks)
        sink->set_formatter(make_formatter());
    s.level = options.level;
    s.initialised = true;
    // Loggers made before this call switch to the new sinks.
    spdlog::apply_all([&](const std::shared_ptr<spdlog::logger>& l) {
        l->sinks() = s.sinks;
        l->set_level(s.level);
    });
}

std::shared_ptr<spdlog::logger> logger(const std::string& component) {
    State& s = state();
    std::lock_guard lock(s.mutex);
    if (auto existing = spdlog::get(component)) return existing;
    ensure_default_sinks(s);
    auto l = std::make_shared<spdlog::logger>(component, s.sinks.begin(), s.sinks.end());
    l->set_level(s.level);
    spdlog::register_logger(l);
    return l;
}

}  // namespace orchestrade::core
