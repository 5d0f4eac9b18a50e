// `orchestrade plugins` and `orchestrade describe`.
#include "cli.hpp"
#include "setup.hpp"

#include <iostream>

namespace po = boost::program_options;

namespace orchestrade::cli {

int command_plugins(const GlobalOptions& g, const std::vector<std::string>& args) {
    po::options_description opts("Options");
    opts.add_options()("json", "print JSON");
    po::variables_map vm;
    try {
        if (!parse_command("Usage: orchestrade plugins [--json]", opts, {}, args, vm))
            return kExitOk;
    } catch (const po::error& e) {
        std::cerr << "orchestrade plugins: " << e.what() << "\n";
        return kExitBadInput;
    }
    if (!setup_logging(g)) return kExitBadInput;
    auto registry = load_registry(g);
    std::cout << (vm.count("json") ? core::catalog_to_json(*registry)
                                   : core::catalog_to_text(*registry))
              << "\n";
    return kExitOk;
}

int command_describe(const GlobalOptions& g, const std::vector<std::string>& args) {
    std::string id;
    po::options_description opts("Options");
    opts.add_options()("id", po::value(&id)->required(), "plugin id or short name")("json",
                                                                                    "print JSON");
    po::positional_options_description pos;
    pos.add("id", 1);
    po::variables_map vm;
    try {
        if (!parse_command("Usage: orchestrade describe ID [--json]", opts, pos, args, vm))
            return kExitOk;
    } catch (const po::error& e) {
        std::cerr << "orchestrade describe: " << e.what() << "\n";
        return kExitBadInput;
    }
    if (!setup_logging(g)) return kExitBadInput;
    auto registry = load_registry(g);
    const core::ComponentInfo* c = registry->find(id);
    if (!c) {
        std::cerr << "orchestrade describe: no plugin '" << id
                  << "'; found: " << registry->known_names() << "\n";
        return kExitBadInput;
    }
    std::cout << (vm.count("json") ? core::component_to_json(*c) : core::component_to_text(*c))
              << "\n";
    return kExitOk;
}

}  // namespace orchestrade::cli
