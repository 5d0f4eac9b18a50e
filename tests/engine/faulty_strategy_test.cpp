// A strategy's mistakes, as its author reads them: a refused signal is logged once with the
// reason, a signal outside the universe is warned of once per symbol, an error repeated on every
// bar is logged a few times then counted (one journal row with its count), and a table whose
// struct_size was never set is named as such.
#include "engine_harness.hpp"

#include <orchestrade/core/logging.hpp>
#include <orchestrade/core/plugin_instance.hpp>

#include <spdlog/sinks/ringbuffer_sink.h>

#include <algorithm>
#include <memory>

namespace orchestrade::testing {
namespace {

// The engine logger's lines while it lives, as "level|message".
class EngineLog {
  public:
    EngineLog()
        : logger_(core::logger("engine")),
          sink_(std::make_shared<spdlog::sinks::ringbuffer_sink_mt>(4096)) {
        sink_->set_pattern("%l|%v");
        logger_->sinks().push_back(sink_);
    }
    ~EngineLog() {
        auto& sinks = logger_->sinks();
        sinks.erase(std::remove(sinks.begin(), sinks.end(), sink_), sinks.end());
    }
    EngineLog(const EngineLog&) = delete;
    EngineLog& operator=(const EngineLog&) = delete;

    std::vector<std::string> containing(const std::string& text) const {
        std::vector<std::string> out;
        for (const std::string& line : sink_->last_formatted())
            if (line.find(text) != std::string::npos)
                out.push_back(line.substr(0, line.find('\n')));
        return out;
    }

  private:
    std::shared_ptr<spdlog::logger> logger_;
    std::shared_ptr<spdlog::sinks::ringbuffer_sink_mt> sink_;
};

std::vector<double> closes(std::size_t n) {
    std::vector<double> out;
    for (std::size_t i = 0; i < n; ++i)
        out.push_back(100.0 + static_cast<double>(i % 7));
    return out;
}

class FaultyStrategy : public ::testing::Test {
  protected:
    core::RunSummary run(const std::string& fault, std::size_t bars = 30) {
        h_.write_csv(bars_from_closes(closes(bars)));
        return h_.run(
            h_.pipeline_yaml("{ use: faulty, params: { fault: " + fault + " } }", mock_executor()));
    }
    EngineHarness h_;
    EngineLog log_;
};

TEST_F(FaultyStrategy, ARefusedSignalIsLoggedOnceWithTheReasonAndThePluginGetsTheStatus) {
    const core::RunSummary summary = run("bad_action");
    EXPECT_EQ(log_.containing("signal refused"),
              std::vector<std::string>{"error|signal refused: action 42 is not an OT_ACTION_*"});
    // The C plugin returns the sink's status, and leaves the message empty: it is named.
    const auto errors = log_.containing("on_bars: error");
    ASSERT_FALSE(errors.empty());
    EXPECT_EQ(errors[0],
              "error|strategy (org.orchestrade.test.faulty): on_bars: error OT_E_INVALID_ARG (-1)");
    EXPECT_TRUE(h_.signals().empty());
    EXPECT_TRUE(summary.strategy_failed_every_call());
}

TEST_F(FaultyStrategy, MetadataThatIsNotAJsonObjectIsRefused) {
    run("bad_metadata");
    EXPECT_EQ(log_.containing("signal refused"),
              std::vector<std::string>{
                  "error|signal refused: metadata_json is not a JSON object: [1, 2]"});
    EXPECT_TRUE(h_.signals().empty());
}

TEST_F(FaultyStrategy, ASignalOutsideTheUniverseIsWarnedOfOncePerSymbol) {
    const core::RunSummary summary = run("outside_universe");
    const auto warnings = log_.containing("XRP/USDT is not in the pipeline's universe");
    ASSERT_EQ(warnings.size(), 1u);
    EXPECT_EQ(warnings[0].rfind("warning|signal BUY XRP/USDT refused", 0), 0u) << warnings[0];
    EXPECT_EQ(h_.signals().size(), 30u);  // each still journaled with its outcome
    EXPECT_FALSE(summary.strategy_failed_every_call());
}

TEST_F(FaultyStrategy, AnErrorOnEveryBarIsLoggedAFewTimesThenCountedAndJournaledOnce) {
    const core::RunSummary summary = run("fail", 2000);
    const std::string message =
        "strategy (org.orchestrade.test.faulty): on_bars: error OT_E_HOST (-4)";
    EXPECT_EQ(log_.containing(message),
              (std::vector<std::string>{
                  "error|" + message,
                  "error|" + message,
                  "error|" + message,
                  "error|" + message,
                  "error|" + message,
                  "error|... and 5 more like it (10 in all): " + message,
                  "error|... and 90 more like it (100 in all): " + message,
                  "error|... and 900 more like it (1000 in all): " + message,
                  "error|... and 1000 more like it (2000 in all): " + message,
              }));
    const auto events = h_.events("strategy_error");
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(events[0].json, R"({"count":2000,"message":")" + message + "\"}");
    EXPECT_EQ(h_.report().strategy_failures.strategy_errors, 2000);
    EXPECT_EQ(summary.strategy_calls, 2000);
    EXPECT_TRUE(summary.strategy_failed_every_call());
}

TEST_F(FaultyStrategy, ATableWithoutItsStructSizeIsNamedAsSuch) {
    try {
        run("zero_table");
        FAIL() << "the run started";
    } catch (const core::PluginCallError& e) {
        EXPECT_STREQ(e.what(),
                     "strategy (org.orchestrade.test.faulty): the ot_strategy table's struct_size "
                     "is 0, below ABI 1.0's smallest, 64 (set it to sizeof(ot_strategy))");
    }
}

}  // namespace
}  // namespace orchestrade::testing
