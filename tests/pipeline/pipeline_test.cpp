// Valid pipelines: every setting read, defaults filled in from the plugin's schema, ${ENV}
// expanded, and the params reaching the plugin through ot_create_info.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "pipeline_fixture.hpp"
#include "plugin_test_support.hpp"

namespace orchestrade::core {
namespace {

namespace fs = std::filesystem;

const ParamValue* param(const ComponentConfig& c, const std::string& key) {
    for (const ParamValue& p : c.params)
        if (p.key == key) return &p;
    return nullptr;
}

std::vector<std::string> keys(const ComponentConfig& c) {
    std::vector<std::string> out;
    for (const ParamValue& p : c.params)
        out.push_back(p.key);
    return out;
}

constexpr const char* kFull = R"(version: 1
name: btc-cross
mode: paper
journal: runs/cross.db
universe: [BTC/USDT, ETH/USDT]
schedule: {every: 3m}
feed: {use: test.fixture.replay, params: {path: "${OT_TEST_DATA_DIR}/btc.csv"}}
strategy:
  use: crossover
  params:
    fast: 5
    band_pct: 2
    side: long_short
    verbose: true
    tags: {group: majors, weights: [1, 2.5], live: false, note: "7"}
    api_key: ${OT_TEST_API_KEY}
executor: {use: paper, params: {fee_bps: 7.5}}
risk: {position_size_pct: 20, allow_short: true}
)";

class ValidPipeline : public PipelineTest {
  protected:
    void SetUp() override {
        setenv("OT_TEST_DATA_DIR", "/data", 1);
        setenv("OT_TEST_API_KEY", "k-123", 1);
    }
    void TearDown() override {
        unsetenv("OT_TEST_DATA_DIR");
        unsetenv("OT_TEST_API_KEY");
    }
};

TEST_F(ValidPipeline, ReadsEveryTopLevelSetting) {
    const Pipeline p = parse(kFull);
    EXPECT_EQ(p.file, "p.yaml");
    EXPECT_EQ(p.base_dir, "/base");
    EXPECT_EQ(p.yaml_text, kFull);
    EXPECT_EQ(p.version, 1);
    EXPECT_EQ(p.name, "btc-cross");
    EXPECT_EQ(p.mode, Mode::Paper);
    EXPECT_EQ(p.journal, "/base/runs/cross.db");
    EXPECT_EQ(p.universe, (std::vector<std::string>{"BTC/USDT", "ETH/USDT"}));
    EXPECT_EQ(p.schedule.every_ms, 180'000);
    EXPECT_EQ(p.risk.position_size_pct, 20);
    EXPECT_EQ(p.risk.quantity, 0);
    EXPECT_TRUE(p.risk.allow_short);
}

TEST_F(ValidPipeline, ResolvesPluginsByIdOrShortNameWithTheirPosition) {
    const Pipeline p = parse(kFull);
    EXPECT_EQ(p.feed.use, "test.fixture.replay");
    EXPECT_EQ(p.feed.plugin, registry_->find("replay"));
    EXPECT_EQ(p.strategy.use, "crossover");
    EXPECT_EQ(p.strategy.plugin, registry_->find("test.fixture.crossover"));
    EXPECT_EQ(p.executor.plugin, registry_->find("paper"));
    EXPECT_EQ(p.strategy.line, 9);
    EXPECT_EQ(p.strategy.column, 3);
    EXPECT_EQ(p.feed.line, 7);
    EXPECT_EQ(p.feed.column, 7);
}

TEST_F(ValidPipeline, ParamsFollowTheSchemaWithDefaultsFilledIn) {
    const Pipeline p = parse(kFull);
    // 'label' is optional without a default: absent. Everything else in schema order.
    EXPECT_EQ(keys(p.strategy), (std::vector<std::string>{"fast", "slow", "band_pct", "side",
                                                          "verbose", "tags", "api_key"}));
    EXPECT_EQ(param(p.strategy, "fast")->type, OT_PARAM_INT);
    EXPECT_EQ(param(p.strategy, "fast")->int_value, 5);
    EXPECT_EQ(param(p.strategy, "slow")->int_value, 30);          // default
    EXPECT_EQ(param(p.strategy, "band_pct")->double_value, 2.0);  // an int where a double goes
    EXPECT_EQ(param(p.strategy, "side")->string_value, "long_short");
    EXPECT_EQ(param(p.strategy, "verbose")->int_value, 1);
    EXPECT_EQ(param(p.strategy, "tags")->string_value,
              R"({"group":"majors","live":false,"note":"7","weights":[1,2.5]})");
    EXPECT_FALSE(param(p.strategy, "fast")->secret);
    EXPECT_TRUE(param(p.strategy, "api_key")->secret);
    EXPECT_EQ(param(p.strategy, "api_key")->string_value, "k-123");

    EXPECT_EQ(param(p.feed, "path")->string_value, "/data/btc.csv");
    EXPECT_EQ(param(p.feed, "timeframe")->string_value, "1m");  // default
    EXPECT_EQ(param(p.executor, "fee_bps")->double_value, 7.5);
    EXPECT_EQ(param(p.executor, "starting_cash")->double_value, 10000);
}

TEST_F(ValidPipeline, MinimalPipelineGetsDefaults) {
    const Pipeline p = parse(
        "name: quiet\n"
        "universe: [BTC/USDT]\n"
        "feed: {use: replay, params: {path: x.csv}}\n"
        "strategy: {use: threshold, params: {threshold: 100}}\n"
        "executor: {use: paper}\n");
    EXPECT_EQ(p.version, 1);
    EXPECT_EQ(p.mode, Mode::Backtest);
    EXPECT_EQ(p.journal, "/base/var/quiet.db");
    EXPECT_EQ(p.schedule.every_ms, 0);
    EXPECT_EQ(p.risk.quantity, 0);
    EXPECT_EQ(p.risk.position_size_pct, 0);
    EXPECT_FALSE(p.risk.allow_short);
    ASSERT_EQ(p.strategy.params.size(), 1u);
    EXPECT_EQ(p.strategy.params[0].double_value, 100.0);
}

TEST_F(ValidPipeline, CParamsAreAViewTheSdkReads) {
    const Pipeline p = parse(kFull);
    const std::vector<ot_param_value> c = p.strategy.c_params();
    ASSERT_EQ(c.size(), p.strategy.params.size());
    for (const ot_param_value& v : c)
        EXPECT_EQ(v.struct_size, sizeof(ot_param_value));
    EXPECT_STREQ(c[0].key, "fast");
    EXPECT_EQ(c[0].type, OT_PARAM_INT);
    EXPECT_EQ(c[0].int_value, 5);
    EXPECT_EQ(c[0].double_value, 5.0);
    EXPECT_EQ(c[0].string_value, nullptr);
    EXPECT_STREQ(c[3].string_value, "long_short");
    EXPECT_EQ(c[4].int_value, 1);
    EXPECT_STREQ(c[6].string_value, "k-123");
}

// The parsed params reach the plugin: a 2/3 crossover signals on the third bar's crossing.
TEST_F(ValidPipeline, ParsedParamsConfigureThePlugin) {
    const Pipeline p = parse(with_strategy_params("    fast: 2\n    slow: 3\n"));
    const std::vector<ot_param_value> params = p.strategy.c_params();
    ot_create_info info{};
    info.struct_size = sizeof info;
    info.mode = static_cast<int32_t>(p.mode);
    info.params = params.data();
    info.param_count = static_cast<uint32_t>(params.size());
    testing::TestHost host;
    void* raw = nullptr;
    ot_error err{};
    const ot_factory* factory = p.strategy.plugin->factory;
    ASSERT_EQ(factory->create(factory, host.table(), &info, &raw, &err), OT_OK) << err.message;
    auto* strategy = static_cast<ot_strategy*>(raw);
    EXPECT_EQ(strategy->warmup_bars(strategy), 3u);
    testing::BarBatch bars({"BTC/USDT"});
    for (double close : {10.0, 9.0, 8.0, 7.0, 12.0, 13.0, 5.0})
        bars.add(0, 0, close);
    testing::SignalCollector out;
    ASSERT_EQ(strategy->on_bars(strategy, bars.get(), out.sink(), &err), OT_OK) << err.message;
    strategy->destroy(strategy);
    ASSERT_EQ(out.signals.size(), 2u);
    EXPECT_EQ(out.signals[0].action, OT_ACTION_BUY);
    EXPECT_EQ(out.signals[1].action, OT_ACTION_SELL);
}

TEST_F(ValidPipeline, LoadPipelineResolvesPathsAgainstTheFilesFolder) {
    const testing::TempDir temp;
    const fs::path& dir = temp.path();
    const fs::path file = dir / "bot.yaml";
    std::ofstream(file) << kFull;
    const Pipeline p = load_pipeline(file.string(), *registry_);
    EXPECT_EQ(p.file, file.string());
    EXPECT_EQ(p.base_dir, dir.string());
    EXPECT_EQ(p.journal, (dir / "runs" / "cross.db").string());
}

TEST_F(ValidPipeline, LoadPipelineReportsAMissingFile) {
    try {
        load_pipeline("/nonexistent/bot.yaml", *registry_);
        FAIL() << "expected a ConfigError";
    } catch (const ConfigError& e) {
        EXPECT_STREQ(e.what(), "/nonexistent/bot.yaml: cannot read: No such file or directory");
        EXPECT_EQ(e.line(), 0);
    }
}

TEST_F(ValidPipeline, LoadPipelineRefusesAFileOverTheSizeLimitBeforeReadingIt) {
    const testing::TempDir temp;
    const fs::path file = temp.path() / "big.yaml";
    std::ofstream(file) << kFull;
    fs::resize_file(file, kMaxPipelineFileBytes + 1);
    for (const std::string& path : {file.string(), std::string("/dev/zero")}) {
        try {
            load_pipeline(path, *registry_);
            FAIL() << "expected a ConfigError for " << path;
        } catch (const ConfigError& e) {
            EXPECT_EQ(e.what(), path + ": too large: a pipeline file holds at most 4 MiB");
        }
    }
}

}  // namespace
}  // namespace orchestrade::core
