// Loads a plugin library in-process and creates its components against a FakeHost, the way the
// host does: parameters are parsed per the component's schema, defaults filled in.
#pragma once

#include <orchestrade/ot_plugin.h>
#include <orchestrade/testing/fake_host.hpp>
#include <orchestrade/testing/instances.hpp>

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace orchestrade::testing {

using ParamMap = std::map<std::string, std::string>;

struct CreateOptions {
    std::vector<std::string> universe{"BTC/USDT"};
    std::string base_dir;
};

class PluginLibrary {
  public:
    // dlopens the library and checks its module table; throws std::runtime_error on failure.
    explicit PluginLibrary(const std::string& path);
    ~PluginLibrary();
    PluginLibrary(const PluginLibrary&) = delete;
    PluginLibrary& operator=(const PluginLibrary&) = delete;

    const ot_module& module() const { return *module_; }
    std::vector<const ot_descriptor*> descriptors() const;
    // By id or short name; throws std::runtime_error when absent.
    const ot_factory& factory(std::string_view id_or_short_name) const;

    // The mode comes from the host. Values are YAML-like text parsed per the schema type
    // (int, double, bool true/false, string, enum, json); missing keys take default_text.
    // Unknown keys, missing required keys, out-of-range numbers and unknown enum choices throw
    // std::invalid_argument; a failing create() throws PluginError.
    FeedInstance create_feed(std::string_view name, FakeHost& host, const ParamMap& params = {},
                             const CreateOptions& options = {}) const;
    StrategyInstance create_strategy(std::string_view name, FakeHost& host,
                                     const ParamMap& params = {},
                                     const CreateOptions& options = {}) const;
    ExecutorInstance create_executor(std::string_view name, FakeHost& host,
                                     const ParamMap& params = {},
                                     const CreateOptions& options = {}) const;

  private:
    void* create(std::string_view name, int32_t kind, FakeHost& host, const ParamMap& params,
                 const CreateOptions& options) const;

    void* handle_ = nullptr;
    const ot_module* module_ = nullptr;
};

}  // namespace orchestrade::testing
