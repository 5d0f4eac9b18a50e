// A plugin library exports ot_module_entry_v1 and nothing else (hidden visibility + version
// script), so plugins never shadow each other's or the host's symbols.
#include <gtest/gtest.h>

#include <dlfcn.h>

#include <array>
#include <cstdio>
#include <memory>
#include <set>
#include <sstream>
#include <string>

namespace {

// Names of the defined dynamic symbols, as `nm -D --defined-only` lists them.
std::set<std::string> exported_symbols(const std::string& library) {
    const std::string command = std::string(NM_PROGRAM) + " -D --defined-only '" + library + "'";
    std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(command.c_str(), "r"), &pclose);
    std::set<std::string> names;
    if (!pipe) return names;
    std::array<char, 512> line{};
    while (fgets(line.data(), line.size(), pipe.get())) {
        std::istringstream fields(line.data());
        std::string address, type, name;
        if (fields >> address >> type >> name) names.insert(name);
    }
    return names;
}

struct Library {
    const char* name;
    const char* path;
};

class ExportedSymbols : public ::testing::TestWithParam<Library> {};

TEST_P(ExportedSymbols, OnlyTheEntryPoint) {
    EXPECT_EQ(exported_symbols(GetParam().path), std::set<std::string>{"ot_module_entry_v1"});
}

INSTANTIATE_TEST_SUITE_P(Fixture, ExportedSymbols,
                         ::testing::Values(Library{"CppSdk", FIXTURE_GOOD},
                                           Library{"PlainC", FIXTURE_THRESHOLD},
                                           Library{"Throwing", FIXTURE_THROWING}),
                         [](const ::testing::TestParamInfo<Library>& info) {
                             return info.param.name;
                         });

TEST(ExportedSymbols, InternalFunctionsOfAPlainCPluginAreNotVisible) {
    void* handle = dlopen(FIXTURE_THRESHOLD, RTLD_NOW | RTLD_LOCAL);
    ASSERT_NE(handle, nullptr) << dlerror();
    EXPECT_NE(dlsym(handle, "ot_module_entry_v1"), nullptr);
    EXPECT_EQ(dlsym(handle, "threshold_internal_helper"), nullptr);
    dlclose(handle);
}

}  // namespace
