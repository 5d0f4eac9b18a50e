// Calendar triggers through the real engine: a simulated week in a backtest, and paper runs that
// restart without firing an occurrence twice, nor report missed one from before their first start.
#include "engine_harness.hpp"

#include <nlohmann/json.hpp>

#include <ctime>

using namespace orchestrade;
using namespace orchestrade::testing;

namespace {

constexpr int64_t kMonday = 1763942400000;  // 2025-11-24 00:00 UTC, a Monday
constexpr int64_t kHour = 3'600'000;

std::vector<CsvBar> hourly_week() {
    std::vector<CsvBar> bars;
    for (int64_t h = 0; h < 7 * 24; ++h)
        bars.push_back({kMonday + h * kHour, 100, 101, 99, 100});
    return bars;
}

std::string with_schedule(const std::string& yaml, const std::string& schedule) {
    std::string out = yaml;
    out.replace(out.find("feed:"), 5, "schedule:\n" + schedule + "feed:");
    out.replace(out.find("timeframe: 1m"), 13, "timeframe: 1h");
    return out;
}

}  // namespace

TEST(SchedulerEngine, ABacktestReplaysAWeekOfTriggersOnTheSimulatedClock) {
    EngineHarness h;
    h.write_csv(hourly_week());
    const std::string schedule =
        "  tz: America/New_York\n"
        "  holidays: [2025-11-27]\n"
        "  triggers:\n"
        "    - { name: market_open, at: \"09:30\", days: mon-fri }\n"
        "    - { name: weekly_review, at: \"16:30\", days: [fri] }\n"
        "    - { name: off, at: \"12:00\", enabled: false }\n";
    h.run(with_schedule(h.pipeline_yaml(script("HOLD"), mock_executor()), schedule));
    std::vector<std::pair<std::string, int64_t>> seen;
    for (const auto& e : h.events("event_seen")) {
        auto j = nlohmann::json::parse(e.json);
        seen.emplace_back(j["name"], j["time_ms"]);
    }
    // Mon, Tue, Wed, (Thanksgiving skipped), Fri at 09:30 EST = 14:30 UTC; Friday 16:30 EST.
    const int64_t open = 14 * kHour + kHour / 2;
    std::vector<std::pair<std::string, int64_t>> expected = {
        {"market_open", kMonday + open},
        {"market_open", kMonday + 24 * kHour + open},
        {"market_open", kMonday + 48 * kHour + open},
        {"market_open", kMonday + 96 * kHour + open},
        {"weekly_review", kMonday + 96 * kHour + 21 * kHour + kHour / 2},
    };
    EXPECT_EQ(seen, expected);
}

TEST(SchedulerEngine, AnEventCanTradeAndItsOrderGoesThroughTheRiskStage) {
    EngineHarness h;
    h.write_csv(hourly_week());
    const std::string schedule =
        "  triggers:\n"
        "    - { name: open_position, at: \"10:00\", tz: UTC, days: [tue] }\n";
    std::string strategy = "{ use: script_strategy, params: { script: HOLD, on_event: BUY } }";
    h.run(with_schedule(h.pipeline_yaml(strategy, mock_executor()), schedule));
    auto r = h.report();
    ASSERT_EQ(r.orders.size(), 1u);
    EXPECT_EQ(r.orders[0].reason, "event open_position");
    EXPECT_EQ(r.orders[0].created_ms, kMonday + 24 * kHour + 10 * kHour);
}

TEST(SchedulerEngine, AnEventOrderInABacktestFillsAfterTheEventNotOnTheBarClosedBeforeIt) {
    // Rising hourly bars, each opening at 100 + hour: at 10:00 the bar from 09:00 has closed,
    // so a market order sent then fills at the open of the bar from 10:00, as it would live.
    EngineHarness h;
    std::vector<CsvBar> bars;
    for (int64_t i = 0; i < 24; ++i)
        bars.push_back({kMonday + i * kHour, 100.0 + i, 101.5 + i, 99.5 + i, 101.0 + i});
    h.write_csv(bars);
    const std::string schedule =
        "  triggers:\n"
        "    - { name: open_position, at: \"10:00\", tz: UTC, days: [mon] }\n";
    std::string strategy = "{ use: script_strategy, params: { script: HOLD, on_event: BUY } }";
    h.run(with_schedule(h.pipeline_yaml(strategy, mock_executor()), schedule));
    auto r = h.report();
    ASSERT_EQ(r.orders.size(), 1u);
    EXPECT_EQ(r.orders[0].created_ms, kMonday + 10 * kHour);
    ASSERT_EQ(r.fills.size(), 1u);
    EXPECT_EQ(r.fills[0].time_ms, kMonday + 10 * kHour);  // was 09:00, before the order
    EXPECT_DOUBLE_EQ(r.fills[0].price, 110.0);
}

TEST(SchedulerEngine, APaperRunCatchesUpOnceAndARestartDoesNotFireAgain) {
    EngineHarness h;
    h.write_csv(hourly_week());
    // A daily trigger one minute ago (UTC), inside the default 10-minute catch-up.
    const std::time_t t = std::time(nullptr) - 60;
    std::tm tm{};
    gmtime_r(&t, &tm);
    char at[8];
    std::snprintf(at, sizeof at, "%02d:%02d", tm.tm_hour, tm.tm_min);
    const std::string schedule =
        std::string("  triggers:\n    - { name: daily, at: \"") + at + "\", tz: UTC }\n";
    const std::string yaml = with_schedule(
        h.pipeline_yaml(script("HOLD"), mock_executor(), "{ quantity: 1 }", "paper"), schedule);
    auto o = quick_iterations(2);
    h.run(yaml, o);
    EXPECT_EQ(h.events("event_seen").size(), 1u);
    h.run(yaml, o);  // a restart: the occurrence is already handled
    EXPECT_EQ(h.events("event_seen").size(), 1u);
    auto schedule_events = h.events("schedule");
    ASSERT_EQ(schedule_events.size(), 1u);
    EXPECT_NE(schedule_events[0].json.find("\"fired\":true"), std::string::npos);
}

TEST(SchedulerEngine, AFirstStartAfterATriggersTimeDoesNotCountItMissed) {
    EngineHarness h;
    h.write_csv(hourly_week());
    // A daily trigger two hours ago (UTC), beyond the default 10-minute catch-up, and a fresh
    // journal: that occurrence was never this bot's to fire, so it is not reported missed.
    const std::time_t t = std::time(nullptr) - 2 * 3600;
    std::tm tm{};
    gmtime_r(&t, &tm);
    char at[8];
    std::snprintf(at, sizeof at, "%02d:%02d", tm.tm_hour, tm.tm_min);
    const std::string schedule =
        std::string("  triggers:\n    - { name: daily, at: \"") + at + "\", tz: UTC }\n";
    const std::string yaml = with_schedule(
        h.pipeline_yaml(script("HOLD"), mock_executor(), "{ quantity: 1 }", "paper"), schedule);
    h.run(yaml, quick_iterations(2));
    EXPECT_TRUE(h.events("event_seen").empty());
    EXPECT_TRUE(h.events("schedule").empty()) << h.events("schedule").at(0).json;
    // It is handled: a restart does not report it either.
    const std::optional<std::string> handled = h.kv("core", "trigger:daily");
    ASSERT_TRUE(handled);
    EXPECT_NEAR(static_cast<double>(std::stoll(*handled)), static_cast<double>(t) * 1000, 60'000);
    h.run(yaml, quick_iterations(2));
    EXPECT_TRUE(h.events("schedule").empty());
}

// After a restart nothing trades before the venue has confirmed the positions. An event due
// meanwhile waits for that, rather than fire, have its orders ignored and be spent.
TEST(SchedulerEngine, AnEventDueWhileTheStartupReconciliationIsUnansweredWaitsForIt) {
    EngineHarness h;
    h.write_csv(hourly_week());
    auto o = quick_iterations(1);
    std::string lost = h.pipeline_yaml(
        script("BUY"), "{ use: flaky_executor, params: { ambiguous_on_submit: 0 } }",
        "{ quantity: 1 }", "paper");
    lost.replace(lost.find("timeframe: 1m"), 13, "timeframe: 1h");
    h.run(lost, o);  // a BUY whose answer is lost
    ASSERT_EQ(h.report().orders.at(0).state, core::OrderState::Unknown);

    // The restarted venue cannot answer the startup query nor the next one; the third tells the
    // order never arrived. A daily trigger one minute ago buys.
    const std::time_t t = std::time(nullptr) - 60;
    std::tm tm{};
    gmtime_r(&t, &tm);
    char at[8];
    std::snprintf(at, sizeof at, "%02d:%02d", tm.tm_hour, tm.tm_min);
    const std::string yaml = with_schedule(
        h.pipeline_yaml("{ use: script_strategy, params: { script: \"HOLD\", on_event: BUY } }",
                        "{ use: flaky_executor, params: { failing_queries: 2 } }",
                        "{ quantity: 1 }", "paper"),
        std::string("  triggers:\n    - { name: daily, at: \"") + at + "\", tz: UTC }\n");
    o.max_iterations = 3;
    h.run(yaml, o);
    EXPECT_EQ(h.events("event_seen").size(), 1u);
    const auto orders = h.report().orders;  // the restarted run's
    ASSERT_EQ(orders.size(), 1u) << "the event's BUY was ignored and its occurrence spent";
    EXPECT_EQ(orders[0].state, core::OrderState::Filled);
}

TEST(SchedulerConfig, BadTriggersAreConfigErrorsWithTheirPosition) {
    EngineHarness h;
    h.write_csv(hourly_week());
    auto error_of = [&](const std::string& schedule) {
        try {
            h.parse(with_schedule(h.pipeline_yaml(script("HOLD"), mock_executor()), schedule));
        } catch (const core::ConfigError& e) {
            return std::string(e.what());
        }
        return std::string("parsed");
    };
    EXPECT_EQ(error_of("  tz: Mars/Base\n"),
              "test.yaml:7:7: schedule.tz: unknown time zone 'Mars/Base'");
    EXPECT_EQ(error_of("  triggers:\n    - { name: x, at: \"25:00\" }\n"),
              "test.yaml:8:22: schedule.triggers[0].at: expected a local time HH:MM, got '25:00'");
    EXPECT_EQ(error_of("  triggers:\n    - { name: x, at: \"09:30\", days: [mon, funday] }\n"),
              "test.yaml:8:43: schedule.triggers[0].days: unknown day 'funday'; expected mon, "
              "tue, wed, thu, fri, sat, sun");
    EXPECT_EQ(error_of("  triggers:\n    - { name: x, at: \"09:30\" }\n    - { name: x, at: "
                       "\"10:00\" }\n"),
              "test.yaml:9:7: schedule.triggers[1].name: duplicate trigger name 'x'");
    EXPECT_EQ(error_of("  triggers:\n    - { name: x, at: \"09:30\", holidays: [Christmas] }\n"),
              "test.yaml:8:42: schedule.triggers[0].holidays[0]: expected a date YYYY-MM-DD, got "
              "'Christmas'");
}
