// A backtest whose strategy failed on every bar it was given measured nothing: it exits 1 and
// says so; one that failed on some bars only is still a result.
#include "cli_fixture.hpp"

#include <filesystem>
#include <string>

using namespace orchestrade::testing;

namespace {

std::string pipeline_with_strategy(const std::string& strategy) {
    std::string text = kGoodPipeline;
    const std::string sma = "{ use: sma_cross, params: { fast: 5, slow: 20 } }";
    return text.replace(text.find(sma), sma.size(), strategy);
}

}  // namespace

TEST_F(Cli, ABacktestWhoseStrategyFailedOnEveryBarExitsOne) {
    std::filesystem::create_directories(dir_ / "plugins");
    std::filesystem::copy_file(ORCHESTRADE_TEST_FIXTURE_DIR "/test_faulty_strategy.so",
                               dir_ / "plugins" / "test_faulty_strategy.so");
    const ProcessResult run =
        cli({"run",
             write("p.yaml", pipeline_with_strategy("{ use: faulty, params: { fault: fail } }"))});
    EXPECT_EQ(run.exit_code, 1) << run.err;
    EXPECT_NE(run.err.find("the strategy failed on every bar of this backtest (500 on_bars calls"),
              std::string::npos)
        << run.err;
    EXPECT_NE(run.out.find("500 strategy errors"), std::string::npos) << run.out;
}

TEST_F(Cli, ABacktestWhoseStrategyFailedOnOneBarExitsZero) {
    std::filesystem::create_directories(dir_ / "plugins");
    std::filesystem::copy_file(ORCHESTRADE_TEST_FIXTURE_DIR "/test_script_strategy.so",
                               dir_ / "plugins" / "test_script_strategy.so");
    const ProcessResult run =
        cli({"run", write("p.yaml", pipeline_with_strategy("{ use: script_strategy, params: { "
                                                           "script: BUY, throw_at: 3 } }"))});
    EXPECT_EQ(run.exit_code, 0) << run.err;
}
