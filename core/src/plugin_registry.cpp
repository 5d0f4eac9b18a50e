#include <orchestrade/core/plugin_registry.hpp>
#include <orchestrade/core/struct_prefix.hpp>
#include <orchestrade/sdk.hpp>

#include <orchestrade/core/logging.hpp>
#include <orchestrade/core/pipeline.hpp>

#include <boost/dll/runtime_symbol_info.hpp>
#include <boost/dll/shared_library.hpp>

#include <dlfcn.h>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <set>
#include <stdexcept>
#include <system_error>

namespace orchestrade::core {
namespace {

namespace dll = boost::dll;
namespace fs = std::filesystem;

std::string error_text(ot_error& err, ot_status status) {
    err.message[OT_ERROR_MESSAGE_SIZE - 1] = '\0';
    if (err.message[0] != '\0') return err.message;
    return sdk::describe_status(status);
}

// ---- the module host used when the registry is given none --------------------------------------

void OT_CALL builtin_log(const ot_host* h, int32_t level, const char* message) noexcept {
    try {
        auto lvl = level <= OT_LOG_DEBUG  ? spdlog::level::debug
                   : level == OT_LOG_INFO ? spdlog::level::info
                   : level == OT_LOG_WARN ? spdlog::level::warn
                                          : spdlog::level::err;
        logger("plugin")->log(lvl, "{}: {}", h->instance_name, message ? message : "");
    } catch (...) {
    }
}

int64_t OT_CALL builtin_now_ms(const ot_host*) noexcept {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

ot_status unsupported(ot_error* err) noexcept {
    if (err) {
        err->code = OT_E_UNSUPPORTED;
        std::snprintf(err->message, sizeof err->message, "%s",
                      "not available to a module: only log and now_ms are");
    }
    return OT_E_UNSUPPORTED;
}

ot_status OT_CALL builtin_http(const ot_host*, const ot_http_request*, ot_http_response*,
                               ot_error* err) noexcept {
    return unsupported(err);
}
ot_status OT_CALL builtin_kv_get(const ot_host*, const char*, const ot_byte_sink*,
                                 ot_error* err) noexcept {
    return unsupported(err);
}
ot_status OT_CALL builtin_kv_set(const ot_host*, const char*, const void*, uint64_t,
                                 ot_error* err) noexcept {
    return unsupported(err);
}
ot_status OT_CALL builtin_journal_append(const ot_host*, const char*, const char*,
                                         ot_error* err) noexcept {
    return unsupported(err);
}
ot_status OT_CALL builtin_get_position(const ot_host*, const char*, ot_position*) noexcept {
    return OT_E_UNSUPPORTED;
}
ot_status OT_CALL builtin_get_account(const ot_host*, ot_account*) noexcept {
    return OT_E_UNSUPPORTED;
}
const void* OT_CALL builtin_get_extension(const ot_host*, const char*) noexcept {
    return nullptr;
}

// ---- one loaded library -------------------------------------------------------------------------

// Components hold aliases of the shared_ptr owning this, so deinit runs and the code is unmapped
// only once the registry and every component (and instance) from the library are gone.
struct LoadedLibrary {
    dll::shared_library library;  // declared first: unloaded last
    ot_module table{};
    std::string instance_name;
    ot_host builtin_host{};
    bool initialised = false;

    ~LoadedLibrary() {
        if (initialised && table.deinit) table.deinit();
    }

    const ot_host* make_builtin_host(const std::string& path) {
        instance_name = fs::path(path).filename().string();
        builtin_host.struct_size = sizeof builtin_host;
        builtin_host.abi_major = OT_ABI_MAJOR;
        builtin_host.abi_minor = OT_ABI_MINOR;
        builtin_host.mode = 0;  // modules are not part of a run
        builtin_host.host_version = ORCHESTRADE_VERSION;
        builtin_host.instance_name = instance_name.c_str();
        builtin_host.log = &builtin_log;
        builtin_host.now_ms = &builtin_now_ms;
        builtin_host.http = &builtin_http;
        builtin_host.kv_get = &builtin_kv_get;
        builtin_host.kv_set = &builtin_kv_set;
        builtin_host.journal_append = &builtin_journal_append;
        builtin_host.get_position = &builtin_get_position;
        builtin_host.get_account = &builtin_get_account;
        builtin_host.get_extension = &builtin_get_extension;
        return &builtin_host;
    }
};

// ---- descriptor checks --------------------------------------------------------------------------

bool valid_param_key(const std::string& key) {
    return !key.empty() && std::all_of(key.begin(), key.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    });
}

// Copies one parameter spec; returns what is wrong with it, or an empty string.
std::string copy_param(const ot_param_spec& s, ParamSpec& out) {
    out.key = s.key ? s.key : "";
    if (!valid_param_key(out.key))
        return "invalid parameter key '" + out.key + "' (use [a-z0-9_]+)";
    const std::string where = "parameter '" + out.key + "': ";
    out.type = s.type;
    if (s.type < OT_PARAM_BOOL || s.type > OT_PARAM_JSON)
        return where + "unknown type " + std::to_string(s.type);
    out.flags = s.flags;
    out.description = s.description ? s.description : "";
    out.min_value = s.min_value;
    out.max_value = s.max_value;
    if (s.type == OT_PARAM_ENUM) {
        for (const char* const* c = s.choices; c && *c; ++c)
            out.choices.emplace_back(*c);
        if (out.choices.empty()) return where + "an enum needs choices";
    }
    out.has_default = s.default_text != nullptr;
    if (!out.has_default) return {};
    out.default_text = s.default_text;
    if (out.required()) return where + "a required parameter cannot have a default";
    try {
        param_from_text(out, out.default_text);
    } catch (const std::invalid_argument& e) {
        return where + "invalid default '" + out.default_text + "': " + e.what();
    }
    return {};
}

// Copies the parameter schema. Specs are read with the plugin's own stride (the first entry's
// struct_size), so a library built against a shorter or longer ot_param_spec reads correctly.
std::string copy_params(const ot_descriptor& d, std::vector<ParamSpec>& out) {
    if (d.param_count == 0) return {};
    if (!d.params) return "param_count is " + std::to_string(d.param_count) + " but params is NULL";
    const uint32_t stride = d.params[0].struct_size;
    if (stride < offsetof(ot_param_spec, key) + sizeof(const char*))
        return "parameter specs are too small (struct_size " + std::to_string(stride) + ")";
    const auto* base = reinterpret_cast<const unsigned char*>(d.params);
    std::set<std::string> keys;
    for (uint32_t i = 0; i < d.param_count; ++i) {
        const auto* raw = reinterpret_cast<const ot_param_spec*>(base + std::size_t{i} * stride);
        if (raw->struct_size != stride)
            return "parameter #" + std::to_string(i) + " has struct_size " +
                   std::to_string(raw->struct_size) + ", the first has " + std::to_string(stride);
        ParamSpec spec;
        if (std::string problem = copy_param(read_prefix(raw), spec); !problem.empty())
            return problem;
        if (!keys.insert(spec.key).second) return "duplicate parameter key '" + spec.key + "'";
        out.push_back(std::move(spec));
    }
    return {};
}

std::string copy_component(const ot_factory* factory, uint32_t index, ComponentInfo& out) {
    const std::string which = "factory #" + std::to_string(index);
    if (!factory) return which + " is NULL";
    // The smallest struct_size of ABI 1.0 (through the last field every library sets), checked
    // first.
    constexpr std::size_t kFactorySize10 = offsetof(ot_factory, create) + sizeof(void*);
    constexpr std::size_t kDescriptorSize10 = offsetof(ot_descriptor, param_count) + 4;
    if (factory->struct_size < kFactorySize10)
        return which + ": ot_factory." +
               struct_size_below_10("ot_factory", factory->struct_size, kFactorySize10);
    const ot_factory f = read_prefix(factory);
    if (!f.create) return which + " has no create function";
    if (!f.descriptor) return which + " has no descriptor";
    if (f.descriptor->struct_size < kDescriptorSize10)
        return which + ": ot_descriptor." +
               struct_size_below_10("ot_descriptor", f.descriptor->struct_size, kDescriptorSize10);
    const ot_descriptor d = read_prefix(f.descriptor);
    out.id = d.id ? d.id : "";
    if (out.id.empty()) return which + " has an empty id";
    const std::string where = "component '" + out.id + "': ";
    out.short_name = d.short_name ? d.short_name : "";
    out.name = d.name ? d.name : "";
    out.version = d.version ? d.version : "";
    out.vendor = d.vendor ? d.vendor : "";
    out.description = d.description ? d.description : "";
    if (out.short_name.empty()) return where + "empty short_name";
    if (out.name.empty()) return where + "empty name";
    if (out.version.empty()) return where + "empty version";
    if (d.kind < OT_KIND_FEED || d.kind > OT_KIND_EXECUTOR)
        return where + "unknown kind " + std::to_string(d.kind);
    out.kind = d.kind;
    out.capabilities = d.capabilities;
    if (std::string problem = copy_params(d, out.params); !problem.empty()) return where + problem;
    out.factory = factory;
    return {};
}

// What the dynamic loader said (missing dependency, bad ELF, ...); Boost.DLL keeps only errno.
std::string loader_error(const dll::fs::error_code& ec) {
    const char* text = dlerror();
    return text ? text : ec.message();
}

}  // namespace

struct PluginRegistry::Module {
    std::string path;
    std::shared_ptr<LoadedLibrary> loaded;
};

std::string_view kind_name(int32_t kind) {
    switch (kind) {
        case OT_KIND_FEED:
            return "feed";
        case OT_KIND_STRATEGY:
            return "strategy";
        case OT_KIND_EXECUTOR:
            return "executor";
        default:
            return "unknown";
    }
}

PluginRegistry::PluginRegistry(const ot_host* module_host) : module_host_(module_host) {}

PluginRegistry::~PluginRegistry() {
    components_.clear();
    while (!modules_.empty())
        modules_.pop_back();  // deinit in reverse load order
}

std::vector<std::string> PluginRegistry::search_path(const std::vector<std::string>& cli_dirs) {
    std::vector<fs::path> candidates(cli_dirs.begin(), cli_dirs.end());
    if (const char* env = std::getenv("ORCHESTRADE_PLUGIN_PATH")) {
        std::string_view rest = env;
        while (!rest.empty()) {
            const std::size_t colon = rest.find(':');
            const std::string_view entry = rest.substr(0, colon);
            if (!entry.empty()) candidates.emplace_back(entry);
            rest = colon == std::string_view::npos ? std::string_view{} : rest.substr(colon + 1);
        }
    }
    dll::fs::error_code ec;
    const fs::path exe = dll::program_location(ec).string();
    if (!ec) {
        const fs::path exe_dir = exe.parent_path();
        candidates.push_back(exe_dir / ".." / "plugins");
        candidates.push_back(exe_dir / ".." / ORCHESTRADE_INSTALL_PLUGINDIR);
    }
    candidates.emplace_back(ORCHESTRADE_INSTALL_PLUGIN_DIR);

    std::vector<std::string> out;
    for (const fs::path& dir : candidates) {
        std::error_code fs_ec;
        fs::path key = fs::weakly_canonical(fs::absolute(dir, fs_ec), fs_ec);
        if (fs_ec) key = dir.lexically_normal();
        if (std::find(out.begin(), out.end(), key.string()) == out.end())
            out.push_back(key.string());
    }
    return out;
}

void PluginRegistry::scan(const std::vector<std::string>& dirs) {
    const std::string suffix = dll::shared_library::suffix().string();
    for (const std::string& dir : dirs) {
        std::error_code ec;
        std::vector<fs::path> libraries;
        for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
            if (it->is_regular_file(ec) && it->path().extension() == suffix)
                libraries.push_back(it->path());
        }
        std::sort(libraries.begin(), libraries.end());
        for (const fs::path& library : libraries)
            load_library(library.string());
    }
}

bool PluginRegistry::load_library(const std::string& given_path) {
    std::error_code fs_ec;
    const std::string path = fs::weakly_canonical(fs::absolute(given_path), fs_ec).string();
    for (const auto& m : modules_)
        if (m->path == path) return true;  // loading twice would run the module's init twice

    auto reject = [&](const std::string& reason) {
        rejections_.push_back({path, reason});
        logger("loader")->warn("rejected {}: {}", path, reason);
        return false;
    };
    auto registered = [this](auto&& match) -> const ComponentInfo* {
        for (const auto& c : components_)
            if (match(*c)) return c.get();
        return nullptr;
    };

    auto loaded = std::make_shared<LoadedLibrary>();
    dll::fs::error_code ec;
    dlerror();  // clear a stale message
    loaded->library.load(path, ec, dll::load_mode::rtld_now | dll::load_mode::rtld_local);
    if (ec) return reject("cannot open: " + loader_error(ec));
    if (!loaded->library.has(OT_MODULE_ENTRY_NAME))
        return reject("no " OT_MODULE_ENTRY_NAME
                      ": not an Orchestrade plugin, built for another ABI major, or the symbol "
                      "is not exported (OT_EXPORT / extern \"C\"; check with nm -D "
                      "--defined-only)");

    const ot_module* module = loaded->library.get<const ot_module*()>(OT_MODULE_ENTRY_NAME)();
    if (!module) return reject(OT_MODULE_ENTRY_NAME " returned NULL");
    constexpr std::size_t kMinModuleSize = offsetof(ot_module, factory_at) + sizeof(void*);
    if (module->struct_size < kMinModuleSize)
        return reject("module table too small (struct_size " + std::to_string(module->struct_size) +
                      ", need at least " + std::to_string(kMinModuleSize) + ")");
    loaded->table = read_prefix(module);
    const ot_module& table = loaded->table;
    if (table.abi_major != OT_ABI_MAJOR)
        return reject("ABI major mismatch: the library was built for ABI " +
                      std::to_string(table.abi_major) + ", this host implements ABI " +
                      std::to_string(OT_ABI_MAJOR));
    if (table.min_host_minor > OT_ABI_MINOR)
        return reject("needs a newer host: the library requires ABI minor " +
                      std::to_string(table.min_host_minor) + ", this host implements " +
                      std::to_string(OT_ABI_MAJOR) + "." + std::to_string(OT_ABI_MINOR));
    if (!table.factory_count || !table.factory_at)
        return reject("module table has no factory_count or factory_at");

    if (table.init) {
        const ot_host* host = module_host_ ? module_host_ : loaded->make_builtin_host(path);
        ot_error err{};
        const ot_status status = table.init(host, &err);
        if (status < 0) return reject("module init failed: " + error_text(err, status));
    }
    loaded->initialised = true;

    const uint32_t count = table.factory_count();
    if (count == 0) return reject("the module lists no components");
    std::size_t accepted = 0;
    for (uint32_t i = 0; i < count; ++i) {
        ComponentInfo info;
        if (std::string problem = copy_component(table.factory_at(i), i, info); !problem.empty()) {
            reject("bad descriptor: " + problem);
            continue;
        }
        if (const ComponentInfo* first =
                registered([&](const ComponentInfo& c) { return c.id == info.id; })) {
            reject("duplicate id '" + info.id + "': " + first->library_path +
                   " was found first and wins over " + path);
            continue;
        }
        if (const ComponentInfo* first = registered(
                [&](const ComponentInfo& c) { return c.short_name == info.short_name; })) {
            reject("duplicate short name '" + info.short_name + "' of '" + info.id + "': '" +
                   first->id + "' in " + first->library_path + " was found first and wins over " +
                   path);
            continue;
        }
        info.library_path = path;
        info.abi_major = table.abi_major;
        info.abi_minor = table.abi_minor;
        info.library = std::shared_ptr<dll::shared_library>(loaded, &loaded->library);
        logger("loader")->debug("loaded {} '{}' ({}) from {}", kind_name(info.kind),
                                info.short_name, info.id, path);
        components_.push_back(std::make_shared<const ComponentInfo>(std::move(info)));
        ++accepted;
    }
    if (accepted == 0) return false;  // nothing from it lives: deinit and unload now
    modules_.push_back(std::make_unique<Module>(Module{path, std::move(loaded)}));
    return true;
}

const ComponentInfo* PluginRegistry::find(std::string_view id_or_short_name) const {
    return find(id_or_short_name, 0);
}

const ComponentInfo* PluginRegistry::find(std::string_view id_or_short_name, int32_t kind) const {
    auto of_kind = [kind](const ComponentInfo& c) { return kind == 0 || c.kind == kind; };
    for (const auto& c : components_)
        if (c->id == id_or_short_name && of_kind(*c)) return c.get();
    for (const auto& c : components_)
        if (c->short_name == id_or_short_name && of_kind(*c)) return c.get();
    return nullptr;
}

std::string PluginRegistry::known_names(int32_t kind) const {
    std::set<std::string> names;
    for (const auto& c : components_)
        if (kind == 0 || c->kind == kind) names.insert(c->short_name);
    std::string out;
    for (const std::string& n : names)
        out += (out.empty() ? "" : ", ") + n;
    return out;
}

}  // namespace orchestrade::core
