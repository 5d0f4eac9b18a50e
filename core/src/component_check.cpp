#include <orchestrade/core/engine.hpp>
#include <orchestrade/core/plugin_instance.hpp>

namespace orchestrade::core {
namespace {

template <class Instance>
void try_create(const Pipeline& p, const ComponentConfig& c, const char* role,
                HostServices& services) {
    try {
        Instance instance(c, services, role, CreateArgs{p.mode, p.universe, p.base_dir});
    } catch (const PluginCallError& e) {
        throw ConfigError(p.file, c.line, c.column, std::string(role) + ": " + e.what());
    }
}

}  // namespace

void check_components(const Pipeline& pipeline) {
    WallClock clock;
    HostServices services;
    services.mode = pipeline.mode;
    services.clock = &clock;
    services.http_enabled = false;
    try_create<FeedInstance>(pipeline, pipeline.feed, "feed", services);
    try_create<StrategyInstance>(pipeline, pipeline.strategy, "strategy", services);
    try_create<ExecutorInstance>(pipeline, pipeline.executor, "executor", services);
}

}  // namespace orchestrade::core
