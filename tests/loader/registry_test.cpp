// PluginRegistry with well-formed libraries: what it accepts, how components are found, search
// order, and that a library outlives every component taken from it.
#include <orchestrade/core/plugin_registry.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>

#include "plugin_test_support.hpp"

namespace orchestrade::core {
namespace {

namespace fs = std::filesystem;
using testing::TestHost;

std::string canonical(const std::string& path) {
    return fs::canonical(path).string();
}

TEST(Registry, AcceptsEveryComponentOfAGoodLibrary) {
    PluginRegistry registry;
    ASSERT_TRUE(registry.load_library(FIXTURE_GOOD));
    EXPECT_TRUE(registry.rejections().empty());
    ASSERT_EQ(registry.components().size(), 3u);
    EXPECT_EQ(registry.known_names(), "crossover, paper, replay");
    EXPECT_EQ(registry.known_names(OT_KIND_STRATEGY), "crossover");
    EXPECT_EQ(registry.known_names(OT_KIND_FEED), "replay");
    EXPECT_EQ(registry.known_names(OT_KIND_EXECUTOR), "paper");
}

TEST(Registry, FindsByIdAndShortNameAndKind) {
    PluginRegistry registry;
    ASSERT_TRUE(registry.load_library(FIXTURE_GOOD));
    const ComponentInfo* by_id = registry.find("test.fixture.crossover");
    ASSERT_NE(by_id, nullptr);
    EXPECT_EQ(registry.find("crossover"), by_id);
    EXPECT_EQ(registry.find("crossover", OT_KIND_STRATEGY), by_id);
    EXPECT_EQ(registry.find("crossover", OT_KIND_FEED), nullptr);
    EXPECT_EQ(registry.find("test.fixture.crossover", OT_KIND_EXECUTOR), nullptr);
    EXPECT_EQ(registry.find("crossove"), nullptr);
    EXPECT_EQ(registry.find(""), nullptr);
}

TEST(Registry, CopiesTheDescriptorAndSchema) {
    PluginRegistry registry;
    ASSERT_TRUE(registry.load_library(FIXTURE_GOOD));
    const ComponentInfo& c = *registry.find("crossover");
    EXPECT_EQ(c.id, "test.fixture.crossover");
    EXPECT_EQ(c.name, "SMA crossover");
    EXPECT_EQ(c.version, "2.1.0");
    EXPECT_EQ(c.vendor, "Fixtures");
    EXPECT_EQ(c.description, "Trades moving-average crossings");
    EXPECT_EQ(c.kind, OT_KIND_STRATEGY);
    EXPECT_EQ(c.library_path, canonical(FIXTURE_GOOD));
    EXPECT_EQ(c.abi_major, 1u);
    EXPECT_EQ(c.abi_minor, static_cast<uint32_t>(OT_ABI_MINOR));
    ASSERT_NE(c.factory, nullptr);
    ASSERT_NE(c.library, nullptr);

    ASSERT_EQ(c.params.size(), 8u);
    const ParamSpec& fast = c.params[0];
    EXPECT_EQ(fast.key, "fast");
    EXPECT_EQ(fast.type, OT_PARAM_INT);
    EXPECT_FALSE(fast.required());
    EXPECT_TRUE(fast.has_default);
    EXPECT_EQ(fast.default_text, "10");
    EXPECT_EQ(fast.min_value, 1);
    EXPECT_EQ(fast.max_value, 1000);
    EXPECT_EQ(fast.description, "fast average, in bars");
    const ParamSpec& side = c.params[3];
    EXPECT_EQ(side.type, OT_PARAM_ENUM);
    EXPECT_EQ(side.choices, (std::vector<std::string>{"long_only", "long_short"}));
    const ParamSpec& label = c.params[6];
    EXPECT_FALSE(label.required());
    EXPECT_FALSE(label.has_default);
    const ParamSpec& api_key = c.params[7];
    EXPECT_TRUE(api_key.secret());
    EXPECT_FALSE(api_key.required());

    EXPECT_TRUE(registry.find("replay")->params[0].required());
    EXPECT_EQ(registry.find("paper")->capabilities, OT_CAP_SHORT | OT_CAP_NATIVE_STOP_LOSS);
}

// A library built against shorter structs: fields beyond struct_size read as zero, and the
// param array is walked with the library's own stride.
TEST(Registry, ReadsOnlyWhatStructSizeCovers) {
    PluginRegistry registry;
    ASSERT_TRUE(registry.load_library(FIXTURE_OLD_LAYOUT));
    const ComponentInfo* c = registry.find("old");
    ASSERT_NE(c, nullptr);
    EXPECT_EQ(c->capabilities, 0u);
    ASSERT_EQ(c->params.size(), 2u);
    EXPECT_EQ(c->params[0].key, "period");
    EXPECT_EQ(c->params[0].default_text, "14");
    EXPECT_EQ(c->params[1].key, "factor");
    EXPECT_EQ(c->params[1].type, OT_PARAM_DOUBLE);
    EXPECT_EQ(c->params[1].default_text, "0.25");
    EXPECT_EQ(c->params[1].max_value, 1);
    EXPECT_TRUE(c->params[1].choices.empty());
}

TEST(Registry, LoadingTheSameLibraryTwiceKeepsOneCopy) {
    TestHost host;
    PluginRegistry registry(host.table());
    ASSERT_TRUE(registry.load_library(FIXTURE_THRESHOLD));
    ASSERT_TRUE(registry.load_library(FIXTURE_THRESHOLD));
    EXPECT_EQ(registry.components().size(), 1u);
    EXPECT_TRUE(registry.rejections().empty());
    EXPECT_EQ(std::count(host.log_lines().begin(), host.log_lines().end(), "threshold module init"),
              1);
}

TEST(Registry, ScanLoadsLibrariesInNameOrderAndSkipsMissingFolders) {
    PluginRegistry registry;
    registry.scan({FIXTURE_ROOT "/does_not_exist", FIXTURE_ROOT "/duplicates"});
    ASSERT_EQ(registry.components().size(), 2u);
    EXPECT_EQ(registry.find("dup")->name, "First copy");
    EXPECT_EQ(registry.find("dup")->library_path, canonical(FIXTURE_DUP_FIRST));
    EXPECT_NE(registry.find("unique"), nullptr);
    EXPECT_EQ(registry.rejections().size(), 2u);
}

TEST(Registry, ScanIgnoresFilesThatAreNotLibraries) {
    const testing::TempDir temp;
    const fs::path& dir = temp.path();
    fs::copy_file(FIXTURE_THRESHOLD, dir / "threshold.so");
    std::ofstream(dir / "README.txt") << "not a plugin";
    fs::create_directory(dir / "nested.so");
    PluginRegistry registry;
    registry.scan({dir.string()});
    EXPECT_EQ(registry.known_names(), "threshold");
    EXPECT_TRUE(registry.rejections().empty());
}

TEST(Registry, ModuleInitGetsTheModuleHostAndDeinitRunsWhenTheRegistryDies) {
    TestHost host;
    auto registry = std::make_unique<PluginRegistry>(host.table());
    ASSERT_TRUE(registry->load_library(FIXTURE_THRESHOLD));
    EXPECT_EQ(host.log_lines(), std::vector<std::string>{"threshold module init"});
    registry.reset();
    EXPECT_EQ(host.log_lines(),
              (std::vector<std::string>{"threshold module init", "threshold module deinit"}));
}

TEST(Registry, BuiltInModuleHostLogsToThePluginLogger) {
    testing::LogCapture capture("plugin");
    PluginRegistry registry;
    ASSERT_TRUE(registry.load_library(FIXTURE_THRESHOLD));
    const std::string expected =
        "info|" + fs::path(FIXTURE_THRESHOLD).filename().string() + ": threshold module init";
    EXPECT_EQ(capture.lines(), std::vector<std::string>{expected});
}

// An instance may outlive the registry: its library stays mapped and the module's deinit waits
// until the last component reference is gone.
TEST(Registry, ComponentKeepsItsLibraryLoadedAfterTheRegistryDies) {
    TestHost module_host;
    auto registry = std::make_unique<PluginRegistry>(module_host.table());
    ASSERT_TRUE(registry->load_library(FIXTURE_THRESHOLD));
    std::shared_ptr<const ComponentInfo> info = registry->components().front();
    registry.reset();
    EXPECT_FALSE(module_host.logged("threshold module deinit"));

    TestHost host;
    ot_param_value threshold{
        sizeof(ot_param_value), OT_PARAM_DOUBLE, "threshold", 0, 10.0, nullptr};
    ot_create_info create{};
    create.struct_size = sizeof create;
    create.params = &threshold;
    create.param_count = 1;
    void* raw = nullptr;
    ot_error err{};
    ASSERT_EQ(info->factory->create(info->factory, host.table(), &create, &raw, &err), OT_OK);
    auto* strategy = static_cast<ot_strategy*>(raw);
    testing::BarBatch bars({"BTC/USDT"});
    bars.add(0, 0, 11.0);
    testing::SignalCollector out;
    EXPECT_EQ(strategy->on_bars(strategy, bars.get(), out.sink(), &err), OT_OK);
    EXPECT_EQ(out.signals.size(), 1u);
    strategy->destroy(strategy);

    info.reset();
    EXPECT_TRUE(module_host.logged("threshold module deinit"));
}

class SearchPath : public ::testing::Test {
  protected:
    void SetUp() override {
        if (const char* old = std::getenv("ORCHESTRADE_PLUGIN_PATH")) saved_ = old;
    }
    void TearDown() override {
        if (saved_)
            setenv("ORCHESTRADE_PLUGIN_PATH", saved_->c_str(), 1);
        else
            unsetenv("ORCHESTRADE_PLUGIN_PATH");
    }
    std::optional<std::string> saved_;
};

TEST_F(SearchPath, CliDirsThenEnvironmentThenNextToTheBinaryThenInstallDir) {
    setenv("ORCHESTRADE_PLUGIN_PATH", "/opt/env_a::/opt/env_b", 1);
    const auto path = PluginRegistry::search_path({"/opt/cli_a", "/opt/cli_b"});
    const fs::path exe_dir = fs::canonical("/proc/self/exe").parent_path();
    const std::vector<std::string> head = {
        "/opt/cli_a",
        "/opt/cli_b",
        "/opt/env_a",
        "/opt/env_b",
        fs::weakly_canonical(exe_dir / ".." / "plugins").string(),
        fs::weakly_canonical(exe_dir / ".." / "lib" / "orchestrade" / "plugins").string()};
    ASSERT_EQ(path.size(), head.size() + 1);
    EXPECT_EQ(std::vector<std::string>(path.begin(), path.end() - 1), head);
    EXPECT_TRUE(fs::path(path.back()).is_absolute());
    EXPECT_EQ(fs::path(path.back()).filename(), "plugins");
}

TEST_F(SearchPath, RemovesDuplicatesByCanonicalPath) {
    setenv("ORCHESTRADE_PLUGIN_PATH", FIXTURE_ROOT "/good/../good", 1);
    const auto path = PluginRegistry::search_path({FIXTURE_ROOT "/good", FIXTURE_ROOT "/good/"});
    EXPECT_EQ(path.front(), canonical(FIXTURE_ROOT "/good"));
    EXPECT_EQ(std::count(path.begin(), path.end(), path.front()), 1);
}

}  // namespace
}  // namespace orchestrade::core
