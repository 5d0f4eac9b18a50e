#include <orchestrade/core/pipeline.hpp>

#include "yaml_documents.hpp"

#include <date/date.h>
#include <spdlog/fmt/fmt.h>
#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/yaml.h>
#include <nlohmann/json.hpp>

#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <limits>
#include <map>
#include <optional>
#include <regex>
#include <set>
#include <string_view>
#include <utility>

namespace orchestrade::core {
namespace {

namespace fs = std::filesystem;

constexpr const char* kSecretRule =
    "secrets must come from ${ENV} or ${file:...}, not from the pipeline file";

std::string location(const std::string& file, int line, int column) {
    if (line <= 0) return file + ": ";
    return file + ":" + std::to_string(line) + ":" + std::to_string(column) + ": ";
}

std::string join_path(const std::string& parent, const std::string& key) {
    return parent.empty() ? key : parent + "." + key;
}

std::string join(const std::vector<std::string>& items) {
    std::string out;
    for (const std::string& s : items)
        out += (out.empty() ? "" : ", ") + s;
    return out;
}

std::string with_article(std::string_view noun) {
    const bool vowel =
        !noun.empty() && std::string_view("aeiou").find(noun[0]) != std::string_view::npos;
    return (vowel ? "an " : "a ") + std::string(noun);
}

// A scalar as an error quotes it: its first 60 bytes or so, so that a data file given as the
// pipeline does not fill the terminal. Never cut inside a UTF-8 character.
std::string quoted_scalar(const std::string& text) {
    constexpr std::size_t kLongest = 60;
    if (text.size() <= kLongest) return "'" + text + "'";
    std::size_t cut = kLongest;
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80)
        --cut;
    return "'" + text.substr(0, cut) + "\u2026'";
}

std::string shape(const YAML::Node& node) {
    switch (node.Type()) {
        case YAML::NodeType::Sequence:
            return "a list";
        case YAML::NodeType::Map:
            return "a map";
        case YAML::NodeType::Scalar:
            return quoted_scalar(node.Scalar());
        default:
            return "nothing";
    }
}

// BASE/QUOTE, as the executors split a symbol into the asset and the currency it is priced in.
bool is_symbol(const std::string& symbol) {
    static const std::regex kSymbol("[A-Z0-9]+/[A-Z0-9]+");
    return std::regex_match(symbol, kSymbol);
}

// Optimal string alignment distance: like Levenshtein, with a transposition costing 1.
std::size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
    for (std::size_t i = 0; i <= a.size(); ++i)
        d[i][0] = i;
    for (std::size_t j = 0; j <= b.size(); ++j)
        d[0][j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
        }
    }
    return d[a.size()][b.size()];
}

std::string unknown_key_message(const std::string& key, const std::vector<std::string>& known) {
    std::string message = "unknown key '" + key + "'";
    if (known.empty()) return message + "; this plugin takes no parameters";
    const std::string* best = nullptr;
    std::size_t best_distance = 3;
    for (const std::string& k : known) {
        const std::size_t distance = edit_distance(key, k);
        if (distance < best_distance) best = &k, best_distance = distance;
    }
    if (best) return message + "; did you mean '" + *best + "'?";
    return message + "; expected one of: " + join(known);
}

// ---- scalar values ------------------------------------------------------------------------------

// A scalar as written, after ${...} expansion.
struct Text {
    std::string value;
    bool typed = true;                  // plain (or substituted): may be read as a number or a bool
    bool from_reference = false;        // the whole value was one ${...}
    std::optional<ConfigError> unread;  // a ${...} kept as written, and why it was not read
};

// Reads a scalar's text: the pipeline's reader expands ${...}; defaults are taken as written.
using TextReader = std::function<Text(const YAML::Node&, const std::string& path)>;

// Plain scalars, and those tagged as a number or a bool (!!int 2), may be read as one.
bool typed_tag(const std::string& tag) {
    return tag == "?" || tag == "tag:yaml.org,2002:int" || tag == "tag:yaml.org,2002:float" ||
           tag == "tag:yaml.org,2002:bool";
}

Text text_as_written(const YAML::Node& node, const std::string&) {
    return {node.Scalar(), typed_tag(node.Tag()), false, std::nullopt};
}

bool is_reference(const std::string& raw) {
    return raw.size() > 3 && raw.rfind("${", 0) == 0 && raw.find('}') == raw.size() - 1;
}

std::optional<int64_t> to_int(std::string_view s) {
    if (!s.empty() && s.front() == '+') s.remove_prefix(1);
    if (s.empty() || s.front() == '+') return std::nullopt;
    int64_t out = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    if (ec != std::errc{} || end != s.data() + s.size()) return std::nullopt;
    return out;
}

std::optional<double> to_double(std::string_view s) {
    if (!s.empty() && s.front() == '+') s.remove_prefix(1);
    if (s.empty() || s.front() == '+') return std::nullopt;
    double out = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    if (ec != std::errc{} || end != s.data() + s.size() || !std::isfinite(out)) return std::nullopt;
    return out;
}

std::optional<bool> to_bool(std::string_view s) {
    if (s == "true" || s == "True" || s == "TRUE") return true;
    if (s == "false" || s == "False" || s == "FALSE") return false;
    return std::nullopt;
}

// A value that is wrong at a place of its own inside a parameter (a JSON value's key or item).
struct ValueError : std::invalid_argument {
    ValueError(const YAML::Node& at, std::string path, const std::string& message)
        : std::invalid_argument(message), mark(at.Mark()), path(std::move(path)) {}
    YAML::Mark mark;
    std::string path;
};

// Aliases repeat their anchor's value: these bound what a JSON parameter may expand to.
constexpr std::size_t kMaxJsonDepth = 64;
constexpr std::size_t kMaxJsonValues = 100'000;

class JsonBuilder {
  public:
    explicit JsonBuilder(const TextReader& read) : read_(read) {}

    nlohmann::json build(const YAML::Node& node, const std::string& path) {
        for (const YAML::Node& outer : open_)
            if (outer.is(node)) throw ValueError(node, path, "an alias refers to itself");
        if (open_.size() == kMaxJsonDepth)
            throw ValueError(node, path,
                             fmt::format("nested more than {} levels deep", kMaxJsonDepth));
        if (++values_ > kMaxJsonValues)
            throw ValueError(node, path,
                             fmt::format("expands to more than {} values (aliases repeat their "
                                         "anchor's value)",
                                         kMaxJsonValues));
        if (node.IsScalar()) return scalar(node, path);
        if (!node.IsSequence() && !node.IsMap()) return nullptr;
        open_.push_back(node);
        nlohmann::json out = node.IsSequence() ? list(node, path) : map(node, path);
        open_.pop_back();
        return out;
    }

  private:
    nlohmann::json scalar(const YAML::Node& node, const std::string& path) const {
        const Text t = read_(node, path);
        if (!t.typed) return t.value;
        if (auto b = to_bool(t.value)) return *b;
        if (auto i = to_int(t.value)) return *i;
        if (auto d = to_double(t.value)) return *d;
        return t.value;
    }

    nlohmann::json list(const YAML::Node& node, const std::string& path) {
        nlohmann::json out = nlohmann::json::array();
        std::size_t i = 0;
        for (const auto& item : node)
            out.push_back(build(item, path + "[" + std::to_string(i++) + "]"));
        return out;
    }

    nlohmann::json map(const YAML::Node& node, const std::string& path) {
        nlohmann::json out = nlohmann::json::object();
        for (const auto& kv : node) {
            if (!kv.first.IsScalar()) throw ValueError(kv.first, path, "JSON keys must be strings");
            const std::string& key = kv.first.Scalar();
            if (out.contains(key)) throw ValueError(kv.first, path, "duplicate key '" + key + "'");
            out[key] = build(kv.second, join_path(path, key));
        }
        return out;
    }

    const TextReader& read_;
    std::vector<YAML::Node> open_;  // the lists and maps being built, outermost first
    std::size_t values_ = 0;
};

void check_bounds(const ParamSpec& spec, double value, const std::string& shown) {
    if (spec.min_value > spec.max_value) return;
    if (value >= spec.min_value && value <= spec.max_value) return;
    std::string message = fmt::format("must be between {} and {}", spec.min_value, spec.max_value);
    if (!spec.secret()) message += ", got " + shown;
    throw std::invalid_argument(message);
}

std::string expected_value(const ParamSpec& spec) {
    switch (spec.type) {
        case OT_PARAM_BOOL:
            return "expected true or false";
        case OT_PARAM_INT:
            return "expected an integer";
        case OT_PARAM_DOUBLE:
            return "expected a number";
        case OT_PARAM_ENUM:
            return "expected one of: " + join(spec.choices);
        default:
            return "expected a string";
    }
}

// Converts one value to the spec's type; throws std::invalid_argument (never showing a secret).
ParamValue convert(const ParamSpec& spec, const YAML::Node& node, const std::string& path,
                   const TextReader& read) {
    ParamValue out;
    out.key = spec.key;
    out.type = spec.type;
    out.secret = spec.secret();
    if (spec.type == OT_PARAM_JSON) {
        out.string_value = JsonBuilder(read).build(node, path).dump();
        return out;
    }
    const std::string expected = expected_value(spec);
    if (!node.IsScalar()) throw std::invalid_argument(expected + ", got " + shape(node));
    const Text text = read(node, path);
    auto mismatch = [&] {
        if (spec.secret()) return std::invalid_argument(expected);
        if (text.unread) throw *text.unread;
        const char* what = text.typed          ? ", got '"
                           : node.Tag() == "!" ? ", got a quoted string '"
                                               : ", got a string '";
        return std::invalid_argument(expected + what + text.value + "'");
    };
    switch (spec.type) {
        case OT_PARAM_BOOL: {
            const auto b = text.typed ? to_bool(text.value) : std::nullopt;
            if (!b) throw mismatch();
            out.int_value = *b ? 1 : 0;
            break;
        }
        case OT_PARAM_INT: {
            const auto i = text.typed ? to_int(text.value) : std::nullopt;
            if (!i) throw mismatch();
            check_bounds(spec, static_cast<double>(*i), std::to_string(*i));
            out.int_value = *i;
            out.double_value = static_cast<double>(*i);
            break;
        }
        case OT_PARAM_DOUBLE: {
            const auto d = text.typed ? to_double(text.value) : std::nullopt;
            if (!d) throw mismatch();
            check_bounds(spec, *d, fmt::format("{}", *d));
            out.double_value = *d;
            break;
        }
        case OT_PARAM_ENUM:
            if (std::find(spec.choices.begin(), spec.choices.end(), text.value) ==
                spec.choices.end())
                throw mismatch();
            out.string_value = text.value;
            break;
        default:
            out.string_value = text.value;
    }
    return out;
}

// ---- the pipeline file --------------------------------------------------------------------------

struct Entry {
    YAML::Node key, value;
    // Where to point for a problem with the value: an empty value has no position of its own.
    const YAML::Node& at() const { return value.IsNull() ? key : value; }
};
using Entries = std::map<std::string, Entry>;

class Parser {
  public:
    Parser(const std::string& file, const std::string& base_dir, const PluginRegistry& registry,
           UnreadReference unread)
        : file_(file), base_dir_(base_dir), registry_(registry), unread_(unread) {}

    Pipeline parse(const std::string& yaml_text) const {
        YAML::Node root;
        try {
            if (const auto second = second_document(yaml_text))
                throw ConfigError(file_, second->line + 1, second->column + 1,
                                  "a second YAML document starts here; a pipeline file holds one");
            root = YAML::Load(yaml_text);
        } catch (const YAML::DeepRecursion& e) {  // yaml-cpp calls it "bad file"
            throw ConfigError(file_, e.mark.line + 1, e.mark.column + 1,
                              "invalid YAML: lists and maps nested too deeply");
        } catch (const YAML::Exception& e) {
            throw ConfigError(file_, e.mark.line + 1, e.mark.column + 1, "invalid YAML: " + e.msg);
        }
        if (root.IsNull()) throw ConfigError(file_, 0, 0, "the pipeline file is empty");
        if (!root.IsMap())
            fail(root, "", "expected a map of pipeline settings, got " + shape(root));
        const Entries top = entries(root, "",
                                    {"version", "name", "mode", "journal", "universe", "schedule",
                                     "feed", "strategy", "executor", "risk", "http_in_backtest"});
        Pipeline p;
        p.file = file_;
        p.base_dir = base_dir_;
        p.yaml_text = yaml_text;
        if (const Entry* e = find(top, "version")) {
            p.version = static_cast<int>(typed(*e, "version", OT_PARAM_INT).int_value);
            if (p.version != 1)
                fail(e->at(), "version",
                     "unsupported version " + std::to_string(p.version) + " (this build reads 1)");
        }
        const Entry& name = require(root, top, "", "name");
        p.name = pipeline_name(name);
        if (const Entry* e = find(top, "mode")) p.mode = mode(*e);
        const Entry* journal_entry = find(top, "journal");
        p.journal = journal(journal_entry, p.name);
        const YAML::Mark journal_at = (journal_entry ? journal_entry : &name)->at().Mark();
        p.journal_line = journal_at.line + 1;
        p.journal_column = journal_at.column + 1;
        p.universe = universe(require(root, top, "", "universe"));
        if (const Entry* e = find(top, "schedule")) p.schedule = schedule(e->value);
        p.feed = component(root, top, "feed", OT_KIND_FEED);
        p.strategy = component(root, top, "strategy", OT_KIND_STRATEGY);
        p.executor = component(root, top, "executor", OT_KIND_EXECUTOR);
        if (const Entry* e = find(top, "risk")) p.risk = risk(e->value);
        share_allow_short(find(top, "strategy")->value, p);
        if (const Entry* e = find(top, "http_in_backtest"))
            p.http_in_backtest = typed(*e, "http_in_backtest", OT_PARAM_BOOL).int_value != 0;
        return p;
    }

  private:
    // A strategy that plans shorts (the llm strategy's `allow_short`) cannot read the risk
    // stage's setting: unset, its parameter takes it; set otherwise, the pipeline contradicts
    // itself (shorts planned and then dropped, or never planned).
    void share_allow_short(const YAML::Node& strategy, Pipeline& p) const {
        for (ParamValue& v : p.strategy.params) {
            if (v.key != "allow_short" || v.type != OT_PARAM_BOOL) continue;
            const YAML::Node given = strategy["params"] ? strategy["params"]["allow_short"]
                                                        : YAML::Node(YAML::NodeType::Undefined);
            if (!given.IsDefined()) {
                v.int_value = p.risk.allow_short ? 1 : 0;
            } else if ((v.int_value != 0) != p.risk.allow_short) {
                const char* strategy_says = v.int_value != 0 ? "true" : "false";
                const char* risk_says = p.risk.allow_short ? "true" : "false";
                fail(given, "strategy.params.allow_short",
                     std::string(strategy_says) + ", but risk.allow_short is " + risk_says +
                         ": set them alike, or leave the strategy's out (it takes the risk "
                         "stage's)");
            }
        }
    }

    [[noreturn]] void fail(const YAML::Node& at, const std::string& path,
                           const std::string& message) const {
        const YAML::Mark mark = at.Mark();
        throw ConfigError(file_, mark.line + 1, mark.column + 1,
                          path.empty() ? message : path + ": " + message);
    }

    // The entries of a map (null = empty); unknown and duplicate keys are errors.
    Entries entries(const YAML::Node& node, const std::string& path,
                    const std::vector<std::string>& known) const {
        Entries out;
        if (node.IsNull()) return out;
        if (!node.IsMap()) fail(node, path, "expected a map, got " + shape(node));
        for (const auto& kv : node) {
            if (!kv.first.IsScalar()) fail(kv.first, path, "keys must be strings");
            const std::string& key = kv.first.Scalar();
            if (key.find('\0') != std::string::npos)
                fail(kv.first, path, "keys must not contain a NUL character (\\0)");
            if (std::find(known.begin(), known.end(), key) == known.end())
                fail(kv.first, path, unknown_key_message(key, known));
            if (!out.emplace(key, Entry{kv.first, kv.second}).second)
                fail(kv.first, path, "duplicate key '" + key + "'");
        }
        return out;
    }

    static const Entry* find(const Entries& entries, const std::string& key) {
        auto it = entries.find(key);
        return it == entries.end() ? nullptr : &it->second;
    }

    const Entry& require(const YAML::Node& map, const Entries& entries, const std::string& path,
                         const std::string& key) const {
        if (const Entry* e = find(entries, key)) return *e;
        fail(map, join_path(path, key), "required key is missing");
    }

    Text read_text(const YAML::Node& node, const std::string& path) const {
        const std::string& raw = node.Scalar();
        Text out = text_as_written(node, path);
        if (raw.find("${") != std::string::npos) {
            out.value = expand(raw, node, path, out.unread);
            out.typed = true;
            out.from_reference = is_reference(raw);
        }
        // No setting can hold a NUL, and a message showing the value would stop at it.
        if (out.value.find('\0') != std::string::npos)
            fail(node, path, "contains a NUL character (\\0)");
        return out;
    }

    TextReader reader() const {
        return [this](const YAML::Node& n, const std::string& p) { return read_text(n, p); };
    }

    // 'unread' gets the error of the first reference kept as written (UnreadReference::KeepText).
    std::string expand(const std::string& raw, const YAML::Node& at, const std::string& path,
                       std::optional<ConfigError>& unread) const {
        std::string out;
        std::size_t pos = 0;
        for (std::size_t open; (open = raw.find("${", pos)) != std::string::npos;) {
            out.append(raw, pos, open - pos);
            const std::size_t close = raw.find('}', open + 2);
            if (close == std::string::npos)
                fail(at, path, "unterminated '${' (write ${NAME} or ${file:/path})");
            const std::string ref = raw.substr(open + 2, close - open - 2);
            try {
                out += ref.rfind("file:", 0) == 0 ? read_file(ref.substr(5), at, path)
                                                  : read_env(ref, at, path);
            } catch (const ConfigError& e) {
                if (unread_ == UnreadReference::Fail) throw;
                if (!unread) unread = e;
                out.append(raw, open, close + 1 - open);
            }
            pos = close + 1;
        }
        out.append(raw, pos);
        return out;
    }

    std::string read_env(const std::string& name, const YAML::Node& at,
                         const std::string& path) const {
        const bool valid = !name.empty() && !std::isdigit(static_cast<unsigned char>(name[0])) &&
                           std::all_of(name.begin(), name.end(), [](char c) {
                               return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
                           });
        if (!valid) fail(at, path, "invalid variable name '${" + name + "}'");
        const char* value = std::getenv(name.c_str());
        if (!value) fail(at, path, "environment variable " + name + " is not set");
        return value;
    }

    std::string read_file(const std::string& name, const YAML::Node& at,
                          const std::string& path) const {
        if (name.empty()) fail(at, path, "${file:} needs a path");
        const fs::path file = secret_file(name);
        struct stat st {};
        if (::stat(file.c_str(), &st) != 0)
            fail(at, path, "cannot read '" + file.string() + "': " + std::strerror(errno));
        if (!S_ISREG(st.st_mode)) fail(at, path, "'" + file.string() + "' is not a regular file");
        if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0)
            fail(at, path,
                 fmt::format("'{}' must have mode 0600, not {:04o}", file.string(),
                             st.st_mode & 07777));
        std::ifstream in(file, std::ios::binary);
        if (!in) fail(at, path, "cannot read '" + file.string() + "'");
        std::string content{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
        while (!content.empty() && (content.back() == '\n' || content.back() == '\r'))
            content.pop_back();
        return content;
    }

    ParamValue typed(const Entry& entry, const std::string& path, int32_t type) const {
        ParamSpec spec;
        spec.key = path;
        spec.type = type;
        return param(spec, entry, path);
    }

    // A setting that must be understood: a ${...} that could not be read is reported as such,
    // not as a bad value (UnreadReference::KeepText keeps it as written).
    std::string text(const Entry& entry, const std::string& path) const {
        if (entry.value.IsScalar())
            if (const auto unread = read_text(entry.value, path).unread) throw *unread;
        return kept_text(entry, path);
    }

    // A setting that a command only reading the pipeline may keep as written (a path).
    std::string kept_text(const Entry& entry, const std::string& path) const {
        std::string value = typed(entry, path, OT_PARAM_STRING).string_value;
        if (value.empty()) fail(entry.at(), path, "must not be empty");
        return value;
    }

    std::string pipeline_name(const Entry& entry) const {
        std::string name = text(entry, "name");
        const bool safe = std::all_of(name.begin(), name.end(), [](char c) {
            return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
        });
        if (!safe)
            fail(entry.at(), "name",
                 "'" + name + "' may only hold letters, digits, '-', '_' and '.' (it names files)");
        return name;
    }

    Mode mode(const Entry& entry) const {
        const std::string value = text(entry, "mode");
        Mode out = Mode::Backtest;
        if (!parse_mode(value, out))
            fail(entry.at(), "mode", "expected one of: backtest, paper, live, got '" + value + "'");
        return out;
    }

    std::string journal(const Entry* entry, const std::string& name) const {
        fs::path path = entry ? kept_text(*entry, "journal") : "var/" + name + ".db";
        if (path.is_relative() && !base_dir_.empty()) path = fs::path(base_dir_) / path;
        return path.lexically_normal().string();
    }

    std::vector<std::string> universe(const Entry& entry) const {
        const YAML::Node& node = entry.value;
        if (!node.IsSequence() || node.size() == 0)
            fail(entry.at(), "universe",
                 "expected a non-empty list of symbols, got " + shape(node));
        std::vector<std::string> out;
        for (std::size_t i = 0; i < node.size(); ++i) {
            const std::string path = "universe[" + std::to_string(i) + "]";
            const Entry item{node[i], node[i]};
            std::string symbol = kept_text(item, path);
            if (!read_text(node[i], path).unread && !is_symbol(symbol))
                fail(node[i], path,
                     "expected BASE/QUOTE in capital letters and digits (e.g. BTC/USDT), got '" +
                         symbol + "'");
            if (std::find(out.begin(), out.end(), symbol) != out.end())
                fail(node[i], path, "duplicate symbol '" + symbol + "'");
            out.push_back(std::move(symbol));
        }
        return out;
    }

    int64_t duration(const Entry& entry, const std::string& path) const {
        try {
            return parse_duration_ms(text(entry, path));
        } catch (const std::invalid_argument& x) {
            fail(entry.at(), path, x.what());
        }
    }

    std::string time_zone(const Entry& entry, const std::string& path) const {
        std::string tz = text(entry, path);
        try {
            check_time_zone(tz);
        } catch (const std::invalid_argument& x) {
            fail(entry.at(), path, x.what());
        }
        return tz;
    }

    std::set<std::string> holidays(const Entry& entry, const std::string& path) const {
        if (!entry.value.IsSequence())
            fail(entry.at(), path,
                 "expected a list of dates (YYYY-MM-DD), got " + shape(entry.value));
        std::set<std::string> out;
        for (std::size_t i = 0; i < entry.value.size(); ++i) {
            const std::string item_path = path + "[" + std::to_string(i) + "]";
            std::string day = text(Entry{entry.value[i], entry.value[i]}, item_path);
            static const std::regex kDate("(\\d{4})-(\\d{2})-(\\d{2})");
            std::smatch m;
            if (!std::regex_match(day, m, kDate) ||
                !date::year_month_day(date::year(std::stoi(m[1])),
                                      date::month(static_cast<unsigned>(std::stoi(m[2]))),
                                      date::day(static_cast<unsigned>(std::stoi(m[3]))))
                     .ok())
                fail(entry.value[i], item_path, "expected a date YYYY-MM-DD, got '" + day + "'");
            out.insert(std::move(day));
        }
        return out;
    }

    // days: [mon, wed, fri] | "weekdays" | "daily" | "mon-fri"
    uint8_t weekdays(const Entry& entry, const std::string& path) const {
        static const char* const kNames[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
        auto index = [&](const std::string& name, const YAML::Node& at) {
            for (int i = 0; i < 7; ++i)
                if (name == kNames[i]) return i;
            fail(at, path,
                 "unknown day '" + name + "'; expected mon, tue, wed, thu, fri, sat, sun");
        };
        if (entry.value.IsScalar()) {
            const std::string v = text(entry, path);
            if (v == "daily") return 0x7f;
            if (v == "weekdays") return 0x1f;
            const auto dash = v.find('-');
            if (dash == std::string::npos) return static_cast<uint8_t>(1u << index(v, entry.at()));
            const int from = index(v.substr(0, dash), entry.at());
            const int to = index(v.substr(dash + 1), entry.at());
            uint8_t mask = 0;
            for (int d = from;; d = (d + 1) % 7) {
                mask |= static_cast<uint8_t>(1u << d);
                if (d == to) break;
            }
            return mask;
        }
        if (!entry.value.IsSequence() || entry.value.size() == 0)
            fail(entry.at(), path, "expected a list of days, 'weekdays', 'daily' or 'mon-fri'");
        uint8_t mask = 0;
        for (std::size_t i = 0; i < entry.value.size(); ++i)
            mask |= static_cast<uint8_t>(
                1u << index(text(Entry{entry.value[i], entry.value[i]}, path), entry.value[i]));
        return mask;
    }

    ScheduleConfig schedule(const YAML::Node& node) const {
        const Entries e =
            entries(node, "schedule", {"every", "tz", "holidays", "catch_up", "triggers"});
        ScheduleConfig out;
        if (const Entry* every = find(e, "every"))
            out.every_ms = duration(*every, "schedule.every");
        CalendarTrigger defaults;
        defaults.catch_up_ms = 10 * 60 * 1000;
        if (const Entry* tz = find(e, "tz")) defaults.tz = time_zone(*tz, "schedule.tz");
        if (const Entry* h = find(e, "holidays"))
            defaults.holidays = holidays(*h, "schedule.holidays");
        if (const Entry* c = find(e, "catch_up"))
            defaults.catch_up_ms = duration(*c, "schedule.catch_up");
        const Entry* list = find(e, "triggers");
        if (!list) return out;
        if (!list->value.IsSequence())
            fail(list->at(), "schedule.triggers",
                 "expected a list of triggers, got " + shape(list->value));
        for (std::size_t i = 0; i < list->value.size(); ++i) {
            const std::string path = "schedule.triggers[" + std::to_string(i) + "]";
            const YAML::Node& item = list->value[i];
            if (!item.IsMap())
                fail(item, path, "expected a map with name and at, got " + shape(item));
            const Entries t = entries(
                item, path, {"name", "at", "tz", "days", "holidays", "catch_up", "enabled"});
            CalendarTrigger trigger = defaults;
            trigger.name = text(require(item, t, path, "name"), path + ".name");
            for (const auto& other : out.triggers)
                if (other.name == trigger.name)
                    fail(item, path + ".name", "duplicate trigger name '" + trigger.name + "'");
            const Entry& at = require(item, t, path, "at");
            const std::string hhmm = text(at, path + ".at");
            static const std::regex kTime("([01]?\\d|2[0-3]):([0-5]\\d)");
            std::smatch m;
            if (!std::regex_match(hhmm, m, kTime))
                fail(at.at(), path + ".at", "expected a local time HH:MM, got '" + hhmm + "'");
            trigger.minute_of_day = std::stoi(m[1]) * 60 + std::stoi(m[2]);
            if (const Entry* tz = find(t, "tz")) trigger.tz = time_zone(*tz, path + ".tz");
            if (const Entry* d = find(t, "days")) trigger.weekdays = weekdays(*d, path + ".days");
            if (const Entry* h = find(t, "holidays"))
                trigger.holidays = holidays(*h, path + ".holidays");
            if (const Entry* c = find(t, "catch_up"))
                trigger.catch_up_ms = duration(*c, path + ".catch_up");
            if (const Entry* en = find(t, "enabled"))
                trigger.enabled = typed(*en, path + ".enabled", OT_PARAM_BOOL).int_value != 0;
            out.triggers.push_back(std::move(trigger));
        }
        return out;
    }

    static constexpr double kNoUpperBound = 1e15;
    // One row per risk key: its type and inclusive bounds, and where it goes.
    struct RiskKey {
        const char* key;
        int32_t
            type;  // OT_PARAM_DOUBLE, OT_PARAM_INT, OT_PARAM_BOOL, OT_PARAM_STRING, or 0 = duration
        double min, max;
        std::function<void(RiskConfig&, const ParamValue&)> set;
    };

    static const std::vector<RiskKey>& risk_keys() {
        auto d = [](double RiskConfig::*m) {
            return [m](RiskConfig& r, const ParamValue& v) { r.*m = v.double_value; };
        };
        auto i = [](int64_t RiskConfig::*m) {
            return [m](RiskConfig& r, const ParamValue& v) { r.*m = v.int_value; };
        };
        constexpr double kBig = kNoUpperBound;
        static const std::vector<RiskKey> keys{
            {"quantity", OT_PARAM_DOUBLE, 1e-12, kBig, d(&RiskConfig::quantity)},
            {"quote_amount", OT_PARAM_DOUBLE, 1e-12, kBig, d(&RiskConfig::quote_amount)},
            {"position_size_pct", OT_PARAM_DOUBLE, 1e-9, 100, d(&RiskConfig::position_size_pct)},
            {"risk_per_trade_pct", OT_PARAM_DOUBLE, 1e-9, 100, d(&RiskConfig::risk_per_trade_pct)},
            {"allow_short", OT_PARAM_BOOL, 0, 1,
             [](RiskConfig& r, const ParamValue& v) { r.allow_short = v.int_value != 0; }},
            {"stop_loss_pct", OT_PARAM_DOUBLE, 1e-9, 99.999, d(&RiskConfig::stop_loss_pct)},
            {"take_profit_pct", OT_PARAM_DOUBLE, 1e-9, 10000, d(&RiskConfig::take_profit_pct)},
            {"trailing_stop_pct", OT_PARAM_DOUBLE, 1e-9, 99.999, d(&RiskConfig::trailing_stop_pct)},
            {"stop_loss_atr", OT_PARAM_DOUBLE, 1e-9, 1000, d(&RiskConfig::stop_loss_atr)},
            {"atr_period", OT_PARAM_INT, 1, 10000, i(&RiskConfig::atr_period)},
            {"max_position_value", OT_PARAM_DOUBLE, 1e-12, kBig,
             d(&RiskConfig::max_position_value)},
            {"max_open_positions", OT_PARAM_INT, 1, 1e6, i(&RiskConfig::max_open_positions)},
            {"max_gross_exposure_pct", OT_PARAM_DOUBLE, 1e-9, 10000,
             d(&RiskConfig::max_gross_exposure_pct)},
            {"min_order_value", OT_PARAM_DOUBLE, 1e-12, kBig, d(&RiskConfig::min_order_value)},
            {"max_order_value", OT_PARAM_DOUBLE, 1e-12, kBig, d(&RiskConfig::max_order_value)},
            {"max_orders_per_hour", OT_PARAM_INT, 1, 1e6, i(&RiskConfig::max_orders_per_hour)},
            {"cooldown_after_loss", 0, 0, 0, i(&RiskConfig::cooldown_after_loss_ms)},
            {"max_daily_loss_pct", OT_PARAM_DOUBLE, 1e-9, 100, d(&RiskConfig::max_daily_loss_pct)},
            {"max_drawdown_pct", OT_PARAM_DOUBLE, 1e-9, 100, d(&RiskConfig::max_drawdown_pct)},
            {"halt_file", OT_PARAM_STRING, 0, 0,
             [](RiskConfig& r, const ParamValue& v) { r.halt_file = v.string_value; }},
        };
        return keys;
    }

    // A file whose existence halts the run, relative to the pipeline's folder.
    std::string halt_file(const Entry& entry, const std::string& path) const {
        fs::path file = kept_text(entry, path);
        if (file.is_relative() && !base_dir_.empty()) file = fs::path(base_dir_) / file;
        file = file.lexically_normal();
        std::error_code ec;
        if (file.filename().empty() || fs::is_directory(file, ec))
            fail(entry.at(), path,
                 "'" + file.string() +
                     "' is a directory, not a file (the run is halted while "
                     "the file exists)");
        return file.string();
    }

    RiskConfig risk(const YAML::Node& node) const {
        std::vector<std::string> names;
        for (const auto& k : risk_keys())
            names.emplace_back(k.key);
        const Entries e = entries(node, "risk", names);
        RiskConfig out;
        int sizing_keys = 0;
        for (const auto& k : risk_keys()) {
            const Entry* entry = find(e, k.key);
            if (!entry) continue;
            const std::string path = std::string("risk.") + k.key;
            ParamValue v;
            if (k.type == 0) {
                try {
                    v.int_value = parse_duration_ms(text(*entry, path));
                } catch (const std::invalid_argument& x) {
                    fail(entry->at(), path, x.what());
                }
            } else if (k.type != OT_PARAM_STRING) {
                v = typed(*entry, path, k.type);
            }
            const double number =
                k.type == OT_PARAM_INT ? static_cast<double>(v.int_value) : v.double_value;
            if ((k.type == OT_PARAM_DOUBLE || k.type == OT_PARAM_INT) &&
                (number < k.min || number > k.max))
                fail(entry->at(), path,
                     k.max < kNoUpperBound
                         ? fmt::format("must be between {} and {}, got {}", k.min, k.max, number)
                     : number < k.min ? fmt::format("must be at least {}, got {}", k.min, number)
                                      : fmt::format("must be below {:g}, got {}", k.max, number));
            if (k.type == OT_PARAM_STRING) v.string_value = halt_file(*entry, path);
            k.set(out, v);
            const std::string key = k.key;
            sizing_keys += key == "quantity" || key == "quote_amount" ||
                           key == "position_size_pct" || key == "risk_per_trade_pct";
        }
        if (sizing_keys > 1)
            fail(node, "risk",
                 "give one of quantity, quote_amount, position_size_pct, risk_per_trade_pct");
        if (out.risk_per_trade_pct > 0 && out.stop_loss_pct <= 0 && out.stop_loss_atr <= 0)
            fail(node, "risk",
                 "risk_per_trade_pct sizes from the stop distance: set stop_loss_pct or "
                 "stop_loss_atr too");
        if (out.min_order_value > 0 && out.max_order_value > 0 &&
            out.min_order_value > out.max_order_value)
            fail(node, "risk", "min_order_value is greater than max_order_value");
        return out;
    }

    ComponentConfig component(const YAML::Node& root, const Entries& top,
                              const std::string& section, int32_t kind) const {
        const Entry& entry = require(root, top, "", section);
        const YAML::Node& node = entry.value;
        if (!node.IsMap())
            fail(entry.at(), section, "expected a map with 'use' and 'params', got " + shape(node));
        const Entries e = entries(node, section, {"use", "params"});
        ComponentConfig out;
        out.line = node.Mark().line + 1;
        out.column = node.Mark().column + 1;
        const Entry& use = require(node, e, section, "use");
        const std::string use_path = section + ".use";
        out.use = text(use, use_path);
        out.plugin = registry_.find(out.use, kind);
        if (!out.plugin) {
            const std::string wanted(kind_name(kind));
            std::string known = registry_.known_names(kind);
            if (known.empty()) known = "none";
            if (const ComponentInfo* other = registry_.find(out.use))
                fail(use.at(), use_path,
                     "'" + out.use + "' is " + with_article(kind_name(other->kind)) +
                         " plugin, not " + with_article(wanted) + " plugin; " + wanted +
                         " plugins found: " + known);
            fail(use.at(), use_path,
                 "unknown " + wanted + " plugin '" + out.use + "'; found: " + known);
        }
        out.params = params(out.plugin->params, find(e, "params"), node, section + ".params");
        return out;
    }

    std::vector<ParamValue> params(const std::vector<ParamSpec>& schema, const Entry* given,
                                   const YAML::Node& owner, const std::string& path) const {
        std::vector<std::string> keys;
        for (const ParamSpec& spec : schema)
            keys.push_back(spec.key);
        const YAML::Node& at = given ? given->at() : owner;
        const Entries values = given ? entries(given->value, path, keys) : Entries{};
        std::vector<ParamValue> out;
        for (const ParamSpec& spec : schema) {
            const std::string key_path = join_path(path, spec.key);
            const Entry* value = find(values, spec.key);
            if (value) {
                out.push_back(param(spec, *value, key_path));
            } else if (spec.required()) {
                fail(at, key_path, "required parameter is missing");
            } else if (spec.has_default) {
                out.push_back(param_from_text(spec, spec.default_text));
            }
        }
        return out;
    }

    ParamValue param(const ParamSpec& spec, const Entry& entry, const std::string& path) const {
        const YAML::Node& node = entry.value;
        if (spec.secret() && !(node.IsScalar() && is_reference(node.Scalar())))
            fail(entry.at(), path, kSecretRule);
        if ((spec.secret() || spec.required()) && node.IsScalar() && is_reference(node.Scalar()))
            refuse_empty_variable(node, path);
        try {
            return convert(spec, node, path, reader());
        } catch (const ValueError& e) {
            throw ConfigError(file_, e.mark.line + 1, e.mark.column + 1, e.path + ": " + e.what());
        } catch (const std::invalid_argument& e) {
            fail(entry.at(), path, e.what());
        }
    }

    // A secret or required value that is one ${NAME} or ${file:...} holding nothing: said at the
    // parameter, not later by the plugin at its component as a value that is empty. A command
    // that keeps unread references as written (schedule) needs no such value.
    void refuse_empty_variable(const YAML::Node& node, const std::string& path) const {
        const std::string& raw = node.Scalar();
        const std::string name = raw.substr(2, raw.size() - 3);
        if (unread_ == UnreadReference::KeepText || !read_text(node, path).value.empty()) return;
        if (name.rfind("file:", 0) == 0)
            fail(node, path, "'" + secret_file(name.substr(5)).string() + "' is empty");
        fail(node, path, "environment variable " + name + " is empty");
    }

    fs::path secret_file(const std::string& name) const {
        fs::path file = name;
        return file.is_relative() ? fs::path(base_dir_) / file : file;
    }

    std::string file_;
    std::string base_dir_;
    const PluginRegistry& registry_;
    UnreadReference unread_;
};

}  // namespace

ConfigError::ConfigError(std::string file, int line, int column, const std::string& message)
    : std::runtime_error(location(file, line, column) + message),
      file_(std::move(file)),
      line_(line),
      column_(column) {}

std::vector<ot_param_value> ComponentConfig::c_params() const {
    std::vector<ot_param_value> out;
    out.reserve(params.size());
    for (const ParamValue& p : params) {
        ot_param_value v{};
        v.struct_size = sizeof v;
        v.type = p.type;
        v.key = p.key.c_str();
        v.int_value = p.int_value;
        v.double_value = p.double_value;
        const bool text =
            p.type == OT_PARAM_STRING || p.type == OT_PARAM_ENUM || p.type == OT_PARAM_JSON;
        v.string_value = text ? p.string_value.c_str() : nullptr;
        out.push_back(v);
    }
    return out;
}

Pipeline parse_pipeline(const std::string& yaml_text, const std::string& file,
                        const std::string& base_dir, const PluginRegistry& registry,
                        UnreadReference unread) {
    return Parser(file, base_dir, registry, unread).parse(yaml_text);
}

Pipeline load_pipeline(const std::string& path, const PluginRegistry& registry,
                       UnreadReference unread) {
    std::error_code ec;
    // A directory opens as a stream and fails only when read, with an exception of its own.
    if (fs::is_directory(path, ec))
        throw ConfigError(path, 0, 0, std::string("cannot read: ") + std::strerror(EISDIR));
    std::ifstream in(path, std::ios::binary);
    if (!in) throw ConfigError(path, 0, 0, std::string("cannot read: ") + std::strerror(errno));
    const auto too_large = [&] {
        return ConfigError(path, 0, 0,
                           fmt::format("too large: a pipeline file holds at most {} MiB",
                                       kMaxPipelineFileBytes >> 20));
    };
    if (fs::is_regular_file(path, ec) && fs::file_size(path, ec) > kMaxPipelineFileBytes)
        throw too_large();
    // Read at most one byte past the limit: a device or a pipe tells no size.
    std::string text(kMaxPipelineFileBytes + 1, '\0');
    try {
        in.read(text.data(), static_cast<std::streamsize>(text.size()));
    } catch (const std::ios_base::failure& e) {
        throw ConfigError(path, 0, 0, std::string("cannot read: ") + e.what());
    }
    if (in.bad()) throw ConfigError(path, 0, 0, "cannot read: " + std::string(std::strerror(EIO)));
    text.resize(static_cast<std::size_t>(in.gcount()));
    if (text.size() > kMaxPipelineFileBytes) throw too_large();
    const fs::path base = fs::absolute(path).parent_path().lexically_normal();
    return parse_pipeline(text, path, base.string(), registry, unread);
}

ParamValue param_from_text(const ParamSpec& spec, const std::string& yaml_text) {
    if (spec.type == OT_PARAM_STRING && yaml_text.empty()) {
        ParamValue out;
        out.key = spec.key;
        out.type = spec.type;
        out.secret = spec.secret();
        return out;
    }
    YAML::Node node;
    try {
        node = YAML::Load(yaml_text);
    } catch (const YAML::Exception& e) {
        throw std::invalid_argument("not valid YAML: " + e.msg);
    }
    return convert(spec, node, spec.key, &text_as_written);
}

int64_t parse_duration_ms(const std::string& text) {
    static const std::map<std::string, int64_t, std::less<>> kUnits = {
        {"ms", 1},        {"s", 1000},       {"m", 60'000},
        {"h", 3'600'000}, {"d", 86'400'000}, {"w", 604'800'000}};
    auto invalid = [&](const std::string& why) {
        return std::invalid_argument("invalid duration '" + text + "': " + why);
    };
    const std::size_t digits = static_cast<std::size_t>(
        std::find_if_not(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; }) -
        text.begin());
    if (digits == 0) throw invalid("expected a whole number and a unit (ms, s, m, h, d, w)");
    const auto unit = kUnits.find(std::string_view(text).substr(digits));
    if (unit == kUnits.end()) throw invalid("the unit must be one of ms, s, m, h, d, w");
    int64_t count = 0;
    const auto parsed = std::from_chars(text.data(), text.data() + digits, count);
    if (parsed.ec != std::errc{} || count > std::numeric_limits<int64_t>::max() / unit->second)
        throw invalid("too long");
    if (count == 0) throw invalid("must be greater than zero");
    return count * unit->second;
}

}  // namespace orchestrade::core
