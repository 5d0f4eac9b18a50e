// `orchestrade plugins` / `describe` output: JSON a script can rely on, and readable text.
#include <orchestrade/core/plugin_registry.hpp>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <string>

namespace orchestrade::core {
namespace {

using nlohmann::json;

// The ABI the fixtures were built with, as the catalog prints it.
const std::string kAbi = "1." + std::to_string(OT_ABI_MINOR);

class Catalog : public ::testing::Test {
  protected:
    void SetUp() override {
        registry_.load_library(FIXTURE_THRESHOLD);
        registry_.load_library(FIXTURE_GOOD);
        registry_.load_library(FIXTURE_NO_ENTRY);
    }
    PluginRegistry registry_;
};

TEST_F(Catalog, ComponentJsonHasTheDescriptorAndTypedSchema) {
    const json c = json::parse(component_to_json(*registry_.find("crossover")));
    EXPECT_EQ(c["id"], "test.fixture.crossover");
    EXPECT_EQ(c["short_name"], "crossover");
    EXPECT_EQ(c["kind"], "strategy");
    EXPECT_EQ(c["name"], "SMA crossover");
    EXPECT_EQ(c["version"], "2.1.0");
    EXPECT_EQ(c["vendor"], "Fixtures");
    EXPECT_EQ(c["description"], "Trades moving-average crossings");
    EXPECT_EQ(c["path"], std::filesystem::canonical(FIXTURE_GOOD).string());
    EXPECT_EQ(c["abi"], kAbi);
    EXPECT_EQ(c["capabilities"], json::array());
    ASSERT_EQ(c["params"].size(), 8u);

    EXPECT_EQ(c["params"][0], json::parse(R"({"key": "fast", "type": "int", "required": false,
        "secret": false, "default": 10, "min": 1.0, "max": 1000.0, "choices": [],
        "description": "fast average, in bars"})"));
    EXPECT_EQ(c["params"][2]["default"], 0.5);
    EXPECT_EQ(c["params"][3]["type"], "enum");
    EXPECT_EQ(c["params"][3]["choices"], json::parse(R"(["long_only", "long_short"])"));
    EXPECT_EQ(c["params"][3]["min"], nullptr);
    EXPECT_EQ(c["params"][4]["default"], false);
    EXPECT_EQ(c["params"][5]["type"], "json");
    EXPECT_EQ(c["params"][5]["default"], nullptr);
    EXPECT_EQ(c["params"][7]["secret"], true);

    const json paper = json::parse(component_to_json(*registry_.find("paper")));
    EXPECT_EQ(paper["capabilities"], json::parse(R"(["native_stop_loss", "short"])"));
}

TEST_F(Catalog, CatalogJsonListsPluginsByKindAndTheRejected) {
    const json catalog = json::parse(catalog_to_json(registry_));
    std::vector<std::string> names;
    for (const json& p : catalog["plugins"])
        names.push_back(p["short_name"]);
    EXPECT_EQ(names, (std::vector<std::string>{"replay", "crossover", "threshold", "paper"}));
    ASSERT_EQ(catalog["rejected"].size(), 1u);
    EXPECT_EQ(catalog["rejected"][0]["path"],
              std::filesystem::canonical(FIXTURE_NO_ENTRY).string());
    EXPECT_EQ(
        catalog["rejected"][0]["reason"],
        "no ot_module_entry_v1: not an Orchestrade plugin, built for another ABI major, or the "
        "symbol is not exported (OT_EXPORT / extern \"C\"; check with nm -D --defined-only)");
}

TEST_F(Catalog, TextTableHasOneRowPerPluginThenTheRejected) {
    const std::string text = catalog_to_text(registry_);
    const std::string expected_head =
        "KIND      NAME       ID                      VERSION  ABI  DESCRIPTION\n"
        "feed      replay     test.fixture.replay     1.0.0    " +
        kAbi +
        "  Replays nothing\n"
        "strategy  crossover  test.fixture.crossover  2.1.0    " +
        kAbi +
        "  Trades moving-average "
        "crossings\n"
        "strategy  threshold  test.fixture.threshold  1.0.0    " +
        kAbi +
        "  Buys above a price, sells "
        "below it\n"
        "executor  paper      test.fixture.paper      0.3.0    " +
        kAbi +
        "  Acknowledges orders\n"
        "\nrejected:\n  ";
    EXPECT_EQ(text.substr(0, expected_head.size()), expected_head);
    EXPECT_NE(text.find("no_entry.so: no ot_module_entry_v1"), std::string::npos);
}

TEST_F(Catalog, ComponentTextShowsTheSchema) {
    const std::string text = component_to_text(*registry_.find("crossover"));
    EXPECT_EQ(text.rfind("crossover (test.fixture.crossover)\n  kind:          strategy\n", 0), 0u)
        << text;
    EXPECT_NE(text.find("  capabilities:  none\n"), std::string::npos) << text;
    EXPECT_NE(text.find("  params:\n"
                        "    KEY       TYPE    FLAGS             DEFAULT    RANGE                 "
                        "DESCRIPTION\n"
                        "    fast      int     optional          10         [1, 1000]             "
                        "fast average, in bars\n"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("    side      enum    optional          long_only  long_only|long_short  "
                        "which side may be entered\n"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("    api_key   string  optional, secret  -                                "
                        "key of a data vendor\n"),
              std::string::npos)
        << text;
}

TEST(CatalogEmpty, SaysNoPluginsWereFound) {
    PluginRegistry registry;
    EXPECT_EQ(catalog_to_text(registry), "no plugins found\n");
    EXPECT_EQ(json::parse(catalog_to_json(registry)),
              json::parse(R"({"plugins": [], "rejected": []})"));
}

}  // namespace
}  // namespace orchestrade::core
