#include "setup.hpp"

#include <orchestrade/core/logging.hpp>

#include <boost/dll/runtime_symbol_info.hpp>

#include <cstdlib>
#include <filesystem>
#include <iostream>

namespace po = boost::program_options;
namespace fs = std::filesystem;

namespace orchestrade::cli {

void setup_logging(const GlobalOptions& g, const std::string& default_file) {
    core::LogOptions o;
    o.file = g.log_file.empty() ? default_file : g.log_file;
    o.level = spdlog::level::from_str(g.log_level == "warning" ? "warn" : g.log_level);
    core::init_logging(o);
}

std::unique_ptr<core::PluginRegistry> load_registry(const GlobalOptions& g,
                                                    const std::string& pipeline_file) {
    std::vector<std::string> dirs = g.plugin_dirs;
    if (!pipeline_file.empty())
        dirs.push_back((fs::absolute(pipeline_file).parent_path() / "plugins").string());
    auto registry = std::make_unique<core::PluginRegistry>();
    registry->scan(core::PluginRegistry::search_path(dirs));
    return registry;
}

bool parse_command(const std::string& usage, po::options_description& opts,
                   const po::positional_options_description& pos,
                   const std::vector<std::string>& args, po::variables_map& vm) {
    opts.add_options()("help,h", "show this help");
    po::store(po::command_line_parser(args).options(opts).positional(pos).run(), vm);
    if (vm.count("help")) {
        std::cout << usage << "\n\n" << opts << "\n";
        return false;
    }
    po::notify(vm);
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
