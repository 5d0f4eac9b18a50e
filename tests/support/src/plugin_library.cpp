#include <orchestrade/testing/plugin_library.hpp>

#include "params.hpp"

#include <dlfcn.h>

#include <stdexcept>

namespace orchestrade::testing {

PluginLibrary::PluginLibrary(const std::string& path) {
    handle_ = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!handle_) throw std::runtime_error("cannot load " + path + ": " + dlerror());
    auto entry = reinterpret_cast<ot_module_entry_fn>(dlsym(handle_, OT_MODULE_ENTRY_NAME));
    if (!entry) {
        dlclose(handle_);
        throw std::runtime_error(path + " has no " OT_MODULE_ENTRY_NAME);
    }
    module_ = entry();
    if (!module_ || module_->abi_major != OT_ABI_MAJOR || !module_->factory_count ||
        !module_->factory_at) {
        dlclose(handle_);
        throw std::runtime_error(path + ": missing or incompatible module table");
    }
}

PluginLibrary::~PluginLibrary() {
    dlclose(handle_);
}

std::vector<const ot_descriptor*> PluginLibrary::descriptors() const {
    std::vector<const ot_descriptor*> out;
    for (uint32_t i = 0; i < module_->factory_count(); ++i)
        out.push_back(module_->factory_at(i)->descriptor);
    return out;
}

const ot_factory& PluginLibrary::factory(std::string_view id_or_short_name) const {
    for (uint32_t i = 0; i < module_->factory_count(); ++i) {
        const ot_factory* f = module_->factory_at(i);
        if (id_or_short_name == f->descriptor->id || id_or_short_name == f->descriptor->short_name)
            return *f;
    }
    throw std::runtime_error("no component '" + std::string(id_or_short_name) + "'");
}

void* PluginLibrary::create(std::string_view name, int32_t kind, FakeHost& host,
                            const ParamMap& params, const CreateOptions& options) const {
    const ot_factory& f = factory(name);
    if (f.descriptor->kind != kind)
        throw std::runtime_error("component '" + std::string(name) + "' has another kind");
    ParsedParams values(*f.descriptor, params);
    std::vector<const char*> universe;
    for (const std::string& symbol : options.universe)
        universe.push_back(symbol.c_str());

    ot_create_info info{};
    info.struct_size = sizeof info;
    info.mode = host.mode();
    info.params = values.data();
    info.param_count = values.size();
    info.universe_count = static_cast<uint32_t>(universe.size());
    info.universe = universe.data();
    info.base_dir = options.base_dir.c_str();
    void* instance = nullptr;
    ot_error err{};
    check(f.create(&f, host.table(), &info, &instance, &err), err);
    return instance;
}

FeedInstance PluginLibrary::create_feed(std::string_view name, FakeHost& host,
                                        const ParamMap& params,
                                        const CreateOptions& options) const {
    return FeedInstance(static_cast<ot_feed*>(create(name, OT_KIND_FEED, host, params, options)));
}

StrategyInstance PluginLibrary::create_strategy(std::string_view name, FakeHost& host,
                                                const ParamMap& params,
                                                const CreateOptions& options) const {
    return StrategyInstance(
        static_cast<ot_strategy*>(create(name, OT_KIND_STRATEGY, host, params, options)));
}

ExecutorInstance PluginLibrary::create_executor(std::string_view name, FakeHost& host,
                                                const ParamMap& params,
                                                const CreateOptions& options) const {
    return ExecutorInstance(
        static_cast<ot_executor*>(create(name, OT_KIND_EXECUTOR, host, params, options)));
}

}  // namespace orchestrade::testing
