// A registry holding the fixture plugins (feed 'replay', strategies 'crossover' and 'threshold',
// executor 'paper') and helpers to parse pipeline text against it.
#pragma once

#include <orchestrade/core/pipeline.hpp>
#include <orchestrade/core/plugin_registry.hpp>

#include <gtest/gtest.h>

#include <string>

namespace orchestrade::core {

class PipelineTest : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        registry_ = new PluginRegistry();
        registry_->load_library(FIXTURE_GOOD);
        registry_->load_library(FIXTURE_THRESHOLD);
    }
    static void TearDownTestSuite() {
        delete registry_;
        registry_ = nullptr;
    }

    static Pipeline parse(const std::string& yaml) {
        return parse_pipeline(yaml, "p.yaml", "/base", *registry_);
    }
    // The ConfigError's message, or "parsed" when there was none.
    static std::string error_of(const std::string& yaml) {
        try {
            parse(yaml);
        } catch (const ConfigError& e) {
            return e.what();
        }
        return "parsed";
    }
    // A valid pipeline whose strategy (a crossover) gets the given params block.
    static std::string with_strategy_params(const std::string& params) {
        return "name: test\n"
               "universe: [BTC/USDT]\n"
               "feed: {use: replay, params: {path: data.csv}}\n"
               "executor: {use: paper}\n"
               "strategy:\n"
               "  use: crossover\n"
               "  params:\n" +
               params;
    }

    static inline PluginRegistry* registry_ = nullptr;
};

}  // namespace orchestrade::core
