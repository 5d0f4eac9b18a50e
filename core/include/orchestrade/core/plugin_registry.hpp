// Finds, loads and vets plugin libraries (Boost.DLL, rtld_now | rtld_local). Libraries stay
// loaded for the life of the registry; every component keeps its library alive. A module's
// deinit runs, and its library is unloaded, once the registry and every copy of
// ComponentInfo::library from it are gone.
#pragma once

#include <orchestrade/ot_plugin.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace boost::dll {
class shared_library;
}

namespace orchestrade::core {

struct ParamSpec {  // an owned copy of an ot_param_spec
    std::string key;
    int32_t type = 0;
    uint32_t flags = 0;
    std::string description;
    double min_value = 1, max_value = 0;  // no bounds when min > max
    bool has_default = false;
    std::string default_text;
    std::vector<std::string> choices;
    bool required() const { return (flags & OT_PARAM_REQUIRED) != 0; }
    bool secret() const { return (flags & OT_PARAM_SECRET) != 0; }
};

struct ComponentInfo {
    std::string id;
    std::string short_name;
    std::string name;
    std::string version;
    std::string vendor;
    std::string description;
    int32_t kind = 0;  // OT_KIND_*
    uint32_t capabilities = 0;
    std::vector<ParamSpec> params;
    std::string library_path;
    uint32_t abi_major = 0, abi_minor = 0;  // what the library was built with
    const ot_factory* factory = nullptr;
    std::shared_ptr<boost::dll::shared_library> library;  // keeps the code mapped
};

struct Rejection {
    std::string path;
    std::string reason;
};

std::string_view kind_name(int32_t kind);  // "feed", "strategy", "executor", "unknown"

class PluginRegistry {
  public:
    // module_host is handed to every module's init() and must outlive the modules; nullptr = a
    // built-in one (log to the "plugin" logger, now_ms; nothing else).
    explicit PluginRegistry(const ot_host* module_host = nullptr);
    ~PluginRegistry();
    PluginRegistry(const PluginRegistry&) = delete;
    PluginRegistry& operator=(const PluginRegistry&) = delete;

    // The search path, first hit wins: each --plugin-dir, then ORCHESTRADE_PLUGIN_PATH (':'
    // separated), then <binary dir>/../plugins (build tree), <binary dir>/../lib/orchestrade/
    // plugins (relocated install) and the configured install dir. Canonical, without duplicates.
    static std::vector<std::string> search_path(const std::vector<std::string>& cli_dirs);

    // Loads every *.so in each directory (not recursive, sorted by name). Missing dirs are
    // skipped silently.
    void scan(const std::vector<std::string>& dirs);
    // Loads one library; returns false (with Rejections) when none of its components was
    // accepted. A component whose id or short name is already registered is rejected, naming
    // both paths. Loading an already loaded library again does nothing.
    bool load_library(const std::string& path);

    // By id ("org.orchestrade.sma_cross") or short name ("sma_cross"); nullptr when absent.
    const ComponentInfo* find(std::string_view id_or_short_name) const;
    const ComponentInfo* find(std::string_view id_or_short_name, int32_t kind) const;
    const std::vector<std::shared_ptr<const ComponentInfo>>& components() const {
        return components_;
    }
    const std::vector<Rejection>& rejections() const { return rejections_; }
    // "csv, mock, sma_cross, synthetic" (short names of the kind, or all kinds when 0).
    std::string known_names(int32_t kind = 0) const;

  private:
    struct Module;
    const ot_host* module_host_;
    std::vector<std::unique_ptr<Module>> modules_;
    std::vector<std::shared_ptr<const ComponentInfo>> components_;
    std::vector<Rejection> rejections_;
};

// `orchestrade plugins` / `orchestrade describe` output.
std::string component_to_json(const ComponentInfo& c);  // one JSON object
std::string component_to_text(const ComponentInfo& c);  // multi-line, with the schema
std::string catalog_to_json(const PluginRegistry& r);   // {"plugins":[...],"rejected":[...]}
std::string catalog_to_text(const PluginRegistry& r);   // a table, then rejections

}  // namespace orchestrade::core
