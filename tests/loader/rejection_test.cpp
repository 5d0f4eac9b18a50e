// Libraries and components the registry must refuse, each with the reason a user reads; and a
// plugin whose code throws, which must come back as a status and a message.
#include <orchestrade/core/plugin_registry.hpp>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "plugin_test_support.hpp"

namespace orchestrade::core {
namespace {

namespace fs = std::filesystem;

struct BadLibrary {
    const char* name;
    const char* path;
    const char* reason;
};

class RejectedLibrary : public ::testing::TestWithParam<BadLibrary> {};

// The fixture requires three minors more than the headers it was built with.
const std::string kNewerMinorReason = "needs a newer host: the library requires ABI minor " +
                                      std::to_string(OT_ABI_MINOR + 3) +
                                      ", this host implements 1." + std::to_string(OT_ABI_MINOR);

TEST_P(RejectedLibrary, IsRefusedWithItsReason) {
    PluginRegistry registry;
    EXPECT_FALSE(registry.load_library(GetParam().path));
    EXPECT_TRUE(registry.components().empty());
    ASSERT_EQ(registry.rejections().size(), 1u);
    EXPECT_EQ(registry.rejections()[0].path, fs::canonical(GetParam().path).string());
    EXPECT_EQ(registry.rejections()[0].reason, GetParam().reason);
}

INSTANTIATE_TEST_SUITE_P(
    Fixture, RejectedLibrary,
    ::testing::Values(
        BadLibrary{"NoEntry", FIXTURE_NO_ENTRY,
                   "no ot_module_entry_v1: not an Orchestrade plugin, built for another ABI "
                   "major, or the symbol is not exported (OT_EXPORT / extern \"C\"; check with "
                   "nm -D --defined-only)"},
        BadLibrary{"NullEntry", FIXTURE_NULL_ENTRY, "ot_module_entry_v1 returned NULL"},
        BadLibrary{"SmallModule", FIXTURE_SMALL_MODULE,
                   "module table too small (struct_size 16, need at least 56)"},
        BadLibrary{"WrongMajor", FIXTURE_WRONG_MAJOR,
                   "ABI major mismatch: the library was built for ABI 2, this host implements "
                   "ABI 1"},
        BadLibrary{"NewerMinor", FIXTURE_NEWER_MINOR, kNewerMinorReason.c_str()},
        BadLibrary{"InitFails", FIXTURE_INIT_FAILS, "module init failed: licence file not found"},
        BadLibrary{"InitFailsSilently", FIXTURE_INIT_FAILS_SILENTLY,
                   "module init failed: OT_E_IO (-5)"}),
    [](const ::testing::TestParamInfo<BadLibrary>& info) { return info.param.name; });

TEST(Rejection, MissingDependencyNamesTheLibraryThatIsMissing) {
    PluginRegistry registry;
    EXPECT_FALSE(registry.load_library(FIXTURE_NEEDS_DEP));
    ASSERT_EQ(registry.rejections().size(), 1u);
    EXPECT_EQ(registry.rejections()[0].reason,
              "cannot open: libfixture_dep.so: cannot open shared object file: No such file or "
              "directory");
}

TEST(Rejection, FileThatIsNotALibraryCannotBeOpened) {
    const testing::TempDir temp;
    const fs::path file = temp.path() / "not_a_library.so";
    std::ofstream(file) << "this is text, not ELF\n";
    PluginRegistry registry;
    EXPECT_FALSE(registry.load_library(file.string()));
    ASSERT_EQ(registry.rejections().size(), 1u);
    EXPECT_EQ(registry.rejections()[0].reason.rfind("cannot open: " + file.string() + ": ", 0), 0u)
        << registry.rejections()[0].reason;
}

TEST(Rejection, MissingFileCannotBeOpened) {
    PluginRegistry registry;
    EXPECT_FALSE(registry.load_library("/nonexistent/plugin.so"));
    ASSERT_EQ(registry.rejections().size(), 1u);
    EXPECT_EQ(registry.rejections()[0].reason,
              "cannot open: /nonexistent/plugin.so: cannot open shared object file: No such file "
              "or directory");
}

TEST(Rejection, BadDescriptorsAreRefusedOneByOneAndTheGoodComponentStays) {
    PluginRegistry registry;
    EXPECT_TRUE(registry.load_library(FIXTURE_BAD_DESCRIPTORS));
    EXPECT_EQ(registry.known_names(), "fine");
    std::vector<std::string> reasons;
    for (const Rejection& r : registry.rejections())
        reasons.push_back(r.reason);
    const std::string bad = "bad descriptor: ";
    EXPECT_EQ(reasons,
              (std::vector<std::string>{
                  bad + "factory #1 has an empty id",
                  bad + "component 'test.bad.kind': unknown kind 9",
                  bad + "factory #3 has no create function",
                  bad + "component 'test.bad.short_name': empty short_name",
                  bad + "component 'test.bad.params_null': param_count is 2 but params is NULL",
                  bad + "component 'test.bad.dup_key': duplicate parameter key 'period'",
                  bad + "component 'test.bad.bad_key': invalid parameter key 'Period' (use "
                        "[a-z0-9_]+)",
                  bad + "component 'test.bad.bad_default': parameter 'period': invalid default "
                        "'ten': expected an integer, got 'ten'",
                  bad + "component 'test.bad.bounds': parameter 'period': invalid default '0': "
                        "must be between 1 and 10, got 0",
                  bad + "component 'test.bad.choice': parameter 'side': invalid default 'up': "
                        "expected one of: long, short, got 'up'",
                  bad + "component 'test.bad.required': parameter 'period': a required "
                        "parameter cannot have a default",
                  bad + "component 'test.bad.type': parameter 'period': unknown type 42",
                  bad + "factory #13: ot_descriptor.struct_size is 0, below ABI 1.0's smallest, 68 "
                        "(set it to sizeof(ot_descriptor))",
                  bad + "factory #14: ot_factory.struct_size is 0, below ABI 1.0's smallest, 24 "
                        "(set it to sizeof(ot_factory))",
                  bad + "factory #15 is NULL",
              }));
}

TEST(Rejection, DuplicateIdAndShortNameNameBothLibrariesAndTheFirstWins) {
    PluginRegistry registry;
    registry.scan({FIXTURE_ROOT "/duplicates"});
    const std::string first = fs::canonical(FIXTURE_DUP_FIRST).string();
    const std::string second = fs::canonical(FIXTURE_DUP_SECOND).string();
    ASSERT_EQ(registry.rejections().size(), 2u);
    EXPECT_EQ(registry.rejections()[0].path, second);
    EXPECT_EQ(registry.rejections()[0].reason, "duplicate id 'test.fixture.dup': " + first +
                                                   " was found first and wins over " + second);
    EXPECT_EQ(registry.rejections()[1].reason,
              "duplicate short name 'dup' of 'test.fixture.dup_other': 'test.fixture.dup' in " +
                  first + " was found first and wins over " + second);
    EXPECT_EQ(registry.find("dup")->library_path, first);
    EXPECT_EQ(registry.find("unique")->library_path, second);
}

TEST(Rejection, IsLoggedAsAWarningOfTheLoader) {
    testing::LogCapture capture("loader");
    PluginRegistry registry;
    registry.load_library(FIXTURE_WRONG_MAJOR);
    const std::string path = fs::canonical(FIXTURE_WRONG_MAJOR).string();
    EXPECT_EQ(capture.lines(),
              std::vector<std::string>{"warning|rejected " + path +
                                       ": ABI major mismatch: the library was built for ABI 2, "
                                       "this host implements ABI 1"});
}

// Exceptions thrown by plugin code come back as OT_E_PLUGIN with their text; nothing crashes.
class ThrowingPlugin : public ::testing::Test {
  protected:
    void SetUp() override {
        ASSERT_TRUE(registry_.load_library(FIXTURE_THROWING));
        info_ = registry_.find("thrower", OT_KIND_STRATEGY);
        ASSERT_NE(info_, nullptr);
    }
    ot_status create(bool fail_create, void** out, ot_error* err) {
        ot_param_value param{
            sizeof(ot_param_value), OT_PARAM_BOOL, "fail_create", fail_create ? 1 : 0, 0, nullptr};
        ot_create_info info{};
        info.struct_size = sizeof info;
        info.mode = OT_MODE_BACKTEST;
        info.params = &param;
        info.param_count = 1;
        return info_->factory->create(info_->factory, host_.table(), &info, out, err);
    }
    PluginRegistry registry_;
    const ComponentInfo* info_ = nullptr;
    testing::TestHost host_;
};

TEST_F(ThrowingPlugin, ExceptionFromCreateBecomesAStatus) {
    void* raw = nullptr;
    ot_error err{};
    EXPECT_EQ(create(true, &raw, &err), OT_E_PLUGIN);
    EXPECT_EQ(err.code, OT_E_PLUGIN);
    EXPECT_STREQ(err.message, "refusing to start: fail_create is set");
    EXPECT_EQ(raw, nullptr);
}

TEST_F(ThrowingPlugin, ExceptionFromOnBarsBecomesAStatusAndTheInstanceLivesOn) {
    void* raw = nullptr;
    ot_error err{};
    ASSERT_EQ(create(false, &raw, &err), OT_OK);
    auto* strategy = static_cast<ot_strategy*>(raw);
    testing::BarBatch bars({"BTC/USDT"});
    bars.add(0, 0, 100);
    testing::SignalCollector out;
    for (int i = 0; i < 2; ++i) {
        ot_error call_err{};
        EXPECT_EQ(strategy->on_bars(strategy, bars.get(), out.sink(), &call_err), OT_E_PLUGIN);
        EXPECT_STREQ(call_err.message, "on_bars exploded");
    }
    EXPECT_TRUE(out.signals.empty());
    strategy->destroy(strategy);
}

}  // namespace
}  // namespace orchestrade::core
