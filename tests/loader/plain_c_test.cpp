// A plugin written in plain C against ot_plugin.h alone loads, takes its parameter and trades.
#include <orchestrade/core/plugin_registry.hpp>

#include <gtest/gtest.h>

#include "plugin_test_support.hpp"

namespace orchestrade::core {
namespace {

class PlainCStrategy : public ::testing::Test {
  protected:
    void SetUp() override {
        ASSERT_TRUE(registry_.load_library(FIXTURE_THRESHOLD));
        info_ = registry_.find("threshold", OT_KIND_STRATEGY);
        ASSERT_NE(info_, nullptr);
        ot_param_value threshold{
            sizeof(ot_param_value), OT_PARAM_DOUBLE, "threshold", 0, 100.0, nullptr};
        const char* universe[] = {"BTC/USDT", "ETH/USDT"};
        ot_create_info create{};
        create.struct_size = sizeof create;
        create.mode = OT_MODE_BACKTEST;
        create.params = &threshold;
        create.param_count = 1;
        create.universe_count = 2;
        create.universe = universe;
        create.base_dir = ".";
        void* raw = nullptr;
        ot_error err{};
        ASSERT_EQ(info_->factory->create(info_->factory, host_.table(), &create, &raw, &err), OT_OK)
            << err.message;
        strategy_ = static_cast<ot_strategy*>(raw);
    }
    void TearDown() override {
        if (strategy_) strategy_->destroy(strategy_);
    }

    PluginRegistry registry_;
    const ComponentInfo* info_ = nullptr;
    testing::TestHost host_;
    ot_strategy* strategy_ = nullptr;
};

TEST_F(PlainCStrategy, DescribesItself) {
    EXPECT_EQ(info_->id, "test.fixture.threshold");
    EXPECT_EQ(info_->name, "Threshold (C)");
    ASSERT_EQ(info_->params.size(), 1u);
    EXPECT_EQ(info_->params[0].key, "threshold");
    EXPECT_EQ(info_->params[0].type, OT_PARAM_DOUBLE);
    EXPECT_TRUE(info_->params[0].required());
    EXPECT_EQ(strategy_->on_event, nullptr);
    EXPECT_EQ(strategy_->warmup_bars(strategy_), 0u);
}

TEST_F(PlainCStrategy, BuysAboveTheThresholdAndSellsBelowIt) {
    testing::BarBatch bars({"BTC/USDT", "ETH/USDT"});
    bars.add(0, 60'000, 99.5);
    bars.add(1, 60'000, 150);
    bars.add(0, 120'000, 100);  // equal: no signal
    bars.add(1, 120'000, 100.25);
    testing::SignalCollector out;
    ot_error err{};
    ASSERT_EQ(strategy_->start(strategy_, &err), OT_OK);
    ASSERT_EQ(strategy_->on_bars(strategy_, bars.get(), out.sink(), &err), OT_OK) << err.message;
    ASSERT_EQ(out.signals.size(), 3u);
    EXPECT_EQ(out.signals[0].action, OT_ACTION_SELL);
    EXPECT_EQ(out.signals[0].symbol, "BTC/USDT");
    EXPECT_EQ(out.signals[0].time_ms, 60'000);
    EXPECT_EQ(out.signals[0].reason, "close below threshold");
    EXPECT_EQ(out.signals[1].action, OT_ACTION_BUY);
    EXPECT_EQ(out.signals[1].symbol, "ETH/USDT");
    EXPECT_EQ(out.signals[1].reason, "close above threshold");
    EXPECT_EQ(out.signals[2].action, OT_ACTION_BUY);
    EXPECT_EQ(out.signals[2].time_ms, 120'000);
    EXPECT_EQ(strategy_->stop(strategy_, &err), OT_OK);
}

}  // namespace
}  // namespace orchestrade::core
