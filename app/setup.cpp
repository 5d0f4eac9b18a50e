#include "setup.hpp"

#include <orchestrade/core/logging.hpp>

#include <boost/dll/runtime_symbol_info.hpp>

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <optional>

namespace po = boost::program_options;
namespace fs = std::filesystem;

namespace orchestrade::cli {

namespace {

// The --log-level names: the help's, plus "warn" for "warning".
std::optional<spdlog::level::level_enum> log_level(const std::string& name) {
    if (name == "debug") return spdlog::level::debug;
    if (name == "info") return spdlog::level::info;
    if (name == "warning" || name == "warn") return spdlog::level::warn;
    if (name == "error") return spdlog::level::err;
    return std::nullopt;
}

// Why the log file cannot be opened for appending, or empty when it can.
std::string log_file_problem(const std::string& file) {
    const fs::path parent = fs::path(file).parent_path();
    std::error_code ec;
    if (!parent.empty() && !fs::is_directory(parent, ec)) {
        fs::create_directories(parent, ec);
        if (ec) return "cannot create the directory " + parent.string() + ": " + ec.message();
    }
    if (fs::is_directory(file, ec)) return "cannot open: " + std::string(std::strerror(EISDIR));
    std::FILE* f = std::fopen(file.c_str(), "ab");
    if (!f) return "cannot open: " + std::string(std::strerror(errno));
    std::fclose(f);
    return {};
}

std::string upper(std::string text) {
    for (char& c : text)
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return text;
}

}  // namespace

bool valid_log_level(const std::string& name) {
    return log_level(name).has_value();
}

bool setup_logging(const GlobalOptions& g, const std::string& default_file, bool quiet_console) {
    core::LogOptions o;
    o.level = log_level(g.log_level).value_or(spdlog::level::info);
    if (quiet_console) o.console_level = spdlog::level::warn;
    const bool explicit_file = !g.log_file.empty();
    const std::string file = explicit_file ? g.log_file : default_file;
    std::string problem;
    if (!file.empty()) {
        problem = log_file_problem(file);
        if (problem.empty()) {
            o.file = file;
            try {
                core::init_logging(o);
                return true;
            } catch (const std::exception& e) {
                problem = e.what();
            }
        }
        if (explicit_file) {
            std::cerr << "orchestrade: --log-file " << file << ": " << problem << "\n";
            return false;
        }
        o.file.clear();
    }
    core::init_logging(o);
    if (!problem.empty())
        core::logger("cli")->warn(
            "log file {}: {}; logging to the console only (--log-file PATH chooses another file)",
            file, problem);
    return true;
}

std::unique_ptr<core::PluginRegistry> load_registry(const GlobalOptions& g,
                                                    const std::string& pipeline_file) {
    std::vector<std::string> dirs = g.plugin_dirs;
    std::error_code ec;
    // Without a working directory (deleted) a relative file is not found: loading says so.
    const fs::path pipeline = pipeline_file.empty() ? fs::path() : fs::absolute(pipeline_file, ec);
    if (!pipeline.empty() && !ec) dirs.push_back((pipeline.parent_path() / "plugins").string());
    auto registry = std::make_unique<core::PluginRegistry>();
    registry->scan(core::PluginRegistry::search_path(dirs));
    return registry;
}

bool parse_command(const std::string& usage, po::options_description& opts,
                   const po::positional_options_description& pos,
                   const std::vector<std::string>& args, po::variables_map& vm) {
    opts.add_options()("help,h", "show this help");
    const po::parsed_options parsed =
        po::command_line_parser(args).options(opts).positional(pos).run();
    po::store(parsed, vm);
    if (vm.count("help")) {
        std::cout << usage << "\n\n" << opts << "\n";
        return false;
    }
    // Positional arguments are named as the usage line shows them (PIPELINE), not as options.
    const auto positional = [&pos](const std::string& name) {
        for (unsigned i = 0; i < pos.max_total_count(); ++i)
            if (pos.name_for_position(i) == name) return true;
        return false;
    };
    for (const po::option& o : parsed.options)
        if (positional(o.string_key) && o.value.size() == 1 && o.value.front().empty())
            throw po::error("the " + upper(o.string_key) + " argument is empty");
    try {
        po::notify(vm);
    } catch (const po::required_option& e) {
        const std::string& option = e.get_option_name();
        const std::string name = option.substr(option.find_first_not_of('-'));
        if (positional(name)) throw po::error("missing the " + upper(name) + " argument");
        throw;
    }
    return true;
}

std::string data_dir() {
    if (const char* env = std::getenv("ORCHESTRADE_DATA_DIR")) return env;
    fs::path exe_dir = boost::dll::program_location().parent_path().string();
    fs::path installed = exe_dir.parent_path() / ORCHESTRADE_INSTALL_DATADIR / "orchestrade";
    if (fs::exists(installed / "examples")) return installed.string();
    if (fs::exists(fs::path(ORCHESTRADE_INSTALL_DATA_DIR) / "examples"))
        return ORCHESTRADE_INSTALL_DATA_DIR;
    return ORCHESTRADE_SOURCE_DIR;
}

}  // namespace orchestrade::cli
