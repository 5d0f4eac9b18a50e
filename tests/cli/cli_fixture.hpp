// The fixture of the CLI tests: a fresh working folder per test and the binary run in it.
#pragma once

#include "process.hpp"

#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace orchestrade::testing {

class Cli : public ::testing::Test {
  protected:
    void SetUp() override {
        dir_ = std::filesystem::temp_directory_path() /
               ("orchestrade-cli-" + std::to_string(::getpid()) + "-" +
                ::testing::UnitTest::GetInstance()->current_test_info()->name());
        std::filesystem::remove_all(dir_);
        std::filesystem::create_directories(dir_);
    }
    void TearDown() override { std::filesystem::remove_all(dir_); }

    ProcessResult cli(std::vector<std::string> args) {
        args.insert(args.begin(), ORCHESTRADE_CLI);
        return run_process(args, dir_.string(), {"ORCHESTRADE_DATA_DIR=" ORCHESTRADE_SOURCE_DIR});
    }
    std::string write(const std::string& name, const std::string& text) {
        std::ofstream(dir_ / name) << text;
        return (dir_ / name).string();
    }
    std::filesystem::path dir_;
};

inline constexpr const char* kGoodPipeline = R"(version: 1
name: cli-test
mode: backtest
journal: out.db
universe: [BTC/USDT]
feed:     { use: synthetic, params: { bars: 500, seed: 3 } }
strategy: { use: sma_cross, params: { fast: 5, slow: 20 } }
executor: { use: mock }
)";

}  // namespace orchestrade::testing
