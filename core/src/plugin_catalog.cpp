// `orchestrade plugins` / `orchestrade describe`: the registry as JSON or as readable text.
#include <orchestrade/core/pipeline.hpp>
#include <orchestrade/core/plugin_registry.hpp>

#include <spdlog/fmt/fmt.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <sstream>
#include <stdexcept>
#include <tuple>

namespace orchestrade::core {
namespace {

using nlohmann::json;

std::string_view type_name(int32_t type) {
    switch (type) {
        case OT_PARAM_BOOL:
            return "bool";
        case OT_PARAM_INT:
            return "int";
        case OT_PARAM_DOUBLE:
            return "double";
        case OT_PARAM_STRING:
            return "string";
        case OT_PARAM_ENUM:
            return "enum";
        case OT_PARAM_JSON:
            return "json";
        default:
            return "unknown";
    }
}

std::vector<std::string> capability_names(uint32_t caps) {
    std::vector<std::string> out;
    if (caps & OT_CAP_NATIVE_STOP_LOSS) out.emplace_back("native_stop_loss");
    if (caps & OT_CAP_NATIVE_TAKE_PROFIT) out.emplace_back("native_take_profit");
    if (caps & OT_CAP_SHORT) out.emplace_back("short");
    return out;
}

std::string abi_version(const ComponentInfo& c) {
    return std::to_string(c.abi_major) + "." + std::to_string(c.abi_minor);
}

bool has_bounds(const ParamSpec& p) {
    return (p.type == OT_PARAM_INT || p.type == OT_PARAM_DOUBLE) && p.min_value <= p.max_value;
}

// The default as a typed JSON value; as written when it does not parse (the registry refuses
// such plugins, but a ComponentInfo may come from elsewhere).
json default_value(const ParamSpec& p) {
    if (!p.has_default) return nullptr;
    ParamValue v;
    try {
        v = param_from_text(p, p.default_text);
    } catch (const std::invalid_argument&) {
        return p.default_text;
    }
    switch (p.type) {
        case OT_PARAM_BOOL:
            return v.int_value != 0;
        case OT_PARAM_INT:
            return v.int_value;
        case OT_PARAM_DOUBLE:
            return v.double_value;
        case OT_PARAM_JSON:
            return json::parse(v.string_value);
        default:
            return v.string_value;
    }
}

json param_to_json(const ParamSpec& p) {
    json out = {
        {"key", p.key},         {"type", type_name(p.type)},   {"required", p.required()},
        {"secret", p.secret()}, {"default", default_value(p)}, {"min", nullptr},
        {"max", nullptr},       {"choices", p.choices},        {"description", p.description}};
    if (has_bounds(p)) {
        out["min"] = p.min_value;
        out["max"] = p.max_value;
    }
    return out;
}

json to_json(const ComponentInfo& c) {
    json params = json::array();
    for (const ParamSpec& p : c.params)
        params.push_back(param_to_json(p));
    return {{"id", c.id},
            {"short_name", c.short_name},
            {"kind", kind_name(c.kind)},
            {"name", c.name},
            {"version", c.version},
            {"vendor", c.vendor},
            {"description", c.description},
            {"path", c.library_path},
            {"abi", abi_version(c)},
            {"capabilities", capability_names(c.capabilities)},
            {"params", params}};
}

// Components sorted by kind, then short name: the order users scan a listing in.
std::vector<const ComponentInfo*> sorted(const PluginRegistry& r) {
    std::vector<const ComponentInfo*> out;
    for (const auto& c : r.components())
        out.push_back(c.get());
    std::sort(out.begin(), out.end(), [](const ComponentInfo* a, const ComponentInfo* b) {
        return std::tie(a->kind, a->short_name) < std::tie(b->kind, b->short_name);
    });
    return out;
}

// Left-aligned columns, two spaces apart; the last column is not padded.
std::string table(const std::vector<std::vector<std::string>>& rows, const std::string& indent) {
    std::vector<std::size_t> widths;
    for (const auto& row : rows) {
        widths.resize(std::max(widths.size(), row.size()));
        for (std::size_t i = 0; i < row.size(); ++i)
            widths[i] = std::max(widths[i], row[i].size());
    }
    std::ostringstream out;
    for (const auto& row : rows) {
        std::string line = indent;
        for (std::size_t i = 0; i < row.size(); ++i) {
            line += row[i];
            if (i + 1 < row.size()) line += std::string(widths[i] - row[i].size() + 2, ' ');
        }
        while (!line.empty() && line.back() == ' ')
            line.pop_back();
        out << line << '\n';
    }
    return out.str();
}

std::string range_text(const ParamSpec& p) {
    if (p.type == OT_PARAM_ENUM) {
        std::string out;
        for (const std::string& c : p.choices)
            out += (out.empty() ? "" : "|") + c;
        return out;
    }
    if (!has_bounds(p)) return "";
    return fmt::format("[{}, {}]", p.min_value, p.max_value);
}

std::string flags_text(const ParamSpec& p) {
    std::string out = p.required() ? "required" : "optional";
    if (p.secret()) out += ", secret";
    return out;
}

}  // namespace

std::string component_to_json(const ComponentInfo& c) {
    return to_json(c).dump(2);
}

std::string component_to_text(const ComponentInfo& c) {
    std::vector<std::string> caps = capability_names(c.capabilities);
    std::string cap_text;
    for (const std::string& s : caps)
        cap_text += (cap_text.empty() ? "" : ", ") + s;
    std::ostringstream out;
    out << c.short_name << " (" << c.id << ")\n"
        << table({{"kind:", std::string(kind_name(c.kind))},
                  {"name:", c.name},
                  {"version:", c.version},
                  {"vendor:", c.vendor},
                  {"description:", c.description},
                  {"library:", c.library_path},
                  {"abi:", abi_version(c)},
                  {"capabilities:", cap_text.empty() ? "none" : cap_text}},
                 "  ");
    if (c.params.empty()) {
        out << "  params: none\n";
        return out.str();
    }
    std::vector<std::vector<std::string>> rows = {
        {"KEY", "TYPE", "FLAGS", "DEFAULT", "RANGE", "DESCRIPTION"}};
    for (const ParamSpec& p : c.params)
        rows.push_back({p.key, std::string(type_name(p.type)), flags_text(p),
                        p.has_default ? p.default_text : "-", range_text(p), p.description});
    out << "  params:\n" << table(rows, "    ");
    return out.str();
}

std::string catalog_to_json(const PluginRegistry& r) {
    json plugins = json::array();
    for (const ComponentInfo* c : sorted(r))
        plugins.push_back(to_json(*c));
    json rejected = json::array();
    for (const Rejection& x : r.rejections())
        rejected.push_back({{"path", x.path}, {"reason", x.reason}});
    return json{{"plugins", plugins}, {"rejected", rejected}}.dump(2);
}

std::string catalog_to_text(const PluginRegistry& r) {
    std::ostringstream out;
    const auto components = sorted(r);
    if (components.empty()) {
        out << "no plugins found\n";
    } else {
        std::vector<std::vector<std::string>> rows = {
            {"KIND", "NAME", "ID", "VERSION", "ABI", "DESCRIPTION"}};
        for (const ComponentInfo* c : components)
            rows.push_back({std::string(kind_name(c->kind)), c->short_name, c->id, c->version,
                            std::to_string(c->abi_major) + "." + std::to_string(c->abi_minor),
                            c->description});
        out << table(rows, "");
    }
    if (!r.rejections().empty()) {
        out << "\nrejected:\n";
        for (const Rejection& x : r.rejections())
            out << "  " << x.path << ": " << x.reason << '\n';
    }
    return out.str();
}

}  // namespace orchestrade::core
