// The seed-002 trading rules, through the real engine, csv feed and mock executor.
#include "engine_harness.hpp"

#include <orchestrade/core/bar_buffer.hpp>
#include <orchestrade/core/clock.hpp>
#include <orchestrade/core/journal.hpp>
#include <orchestrade/core/run_lock.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <map>
#include <set>

using namespace orchestrade;
using namespace orchestrade::testing;
using core::OrderState;

namespace {

std::vector<double> closes(std::size_t n, double start = 100.0, double step = 1.0) {
    std::vector<double> c;
    for (std::size_t i = 0; i < n; ++i)
        c.push_back(start + step * static_cast<double>(i));
    return c;
}

std::string outcome_of(const std::vector<core::SignalRecord>& signals, int64_t time_ms) {
    for (const auto& s : signals)
        if (s.time_ms == time_ms) return s.outcome;
    return "<no signal>";
}

}  // namespace

TEST(TradingLogic, BuyWithFlatPositionExecutesAtNextOpen) {
    EngineHarness h;
    h.write_csv(bars_from_closes(closes(5)));
    auto summary = h.run(h.pipeline_yaml(script("BUY"), mock_executor()));
    auto r = h.report();
    ASSERT_EQ(r.orders.size(), 1u);
    EXPECT_EQ(r.orders[0].side, core::Side::Buy);
    EXPECT_EQ(r.orders[0].state, OrderState::Filled);
    EXPECT_DOUBLE_EQ(r.orders[0].qty, 1.0);
    ASSERT_EQ(r.fills.size(), 1u);
    EXPECT_DOUBLE_EQ(r.fills[0].price, 100.0);  // bar 1 opens at bar 0's close
    EXPECT_EQ(r.fills[0].time_ms, kStartMs + kMinuteMs);
    EXPECT_NEAR(r.fills[0].fee, 100.0 * 0.001, 1e-12);
    EXPECT_EQ(summary.orders, 1);
}

TEST(TradingLogic, SellWithLongPositionExecutes) {
    EngineHarness h;
    h.write_csv(bars_from_closes(closes(6)));
    h.run(h.pipeline_yaml(script("BUY,HOLD,SELL"), mock_executor()));
    auto r = h.report();
    ASSERT_EQ(r.orders.size(), 2u);
    EXPECT_EQ(r.orders[1].side, core::Side::Sell);
    EXPECT_EQ(r.orders[1].state, OrderState::Filled);
    ASSERT_EQ(r.trades.size(), 1u);
    EXPECT_FALSE(r.trades[0].open);
}

TEST(TradingLogic, HoldDoesNothing) {
    EngineHarness h;
    h.write_csv(bars_from_closes(closes(5)));
    auto summary = h.run(h.pipeline_yaml(script("HOLD,HOLD,HOLD"), mock_executor()));
    EXPECT_EQ(summary.orders, 0);
    EXPECT_EQ(summary.signals, 0);
    EXPECT_TRUE(h.report().orders.empty());
}

TEST(TradingLogic, DuplicateSignalIsIgnored) {
    EngineHarness h;
    h.write_csv(bars_from_closes(closes(5)));
    h.run(h.pipeline_yaml(script("BUY,BUY"), mock_executor()));
    EXPECT_EQ(h.report().orders.size(), 1u);
    EXPECT_EQ(outcome_of(h.signals(), kStartMs + kMinuteMs), "ignored: duplicate signal");
}

TEST(TradingLogic, BuyWhileLongIsIgnored) {
    EngineHarness h;
    h.write_csv(bars_from_closes(closes(6)));
    h.run(h.pipeline_yaml(script("BUY,HOLD,BUY"), mock_executor()));
    EXPECT_EQ(h.report().orders.size(), 1u);
    EXPECT_EQ(outcome_of(h.signals(), kStartMs + 2 * kMinuteMs), "ignored: already long");
}

TEST(TradingLogic, SellWhileFlatIsIgnored) {
    EngineHarness h;
    h.write_csv(bars_from_closes(closes(5)));
    h.run(h.pipeline_yaml(script("SELL"), mock_executor()));
    EXPECT_TRUE(h.report().orders.empty());
    EXPECT_EQ(outcome_of(h.signals(), kStartMs),
              "ignored: no position to sell (shorts not allowed)");
}

TEST(TradingLogic, FullBuySellCycleRealizesThePriceDifferenceMinusFees) {
    EngineHarness h;
    h.write_csv(bars_from_closes({100, 110, 120, 130, 140}));
    h.run(h.pipeline_yaml(script("BUY,HOLD,SELL"), mock_executor(), "{ quantity: 2 }"));
    auto r = h.report();
    ASSERT_EQ(r.trades.size(), 1u);
    const auto& t = r.trades[0];
    // BUY on bar 0 fills at bar 1's open (100); SELL on bar 2 fills at bar 3's open (120).
    const double entry_fee = 2 * 100 * 0.001, exit_fee = 2 * 120 * 0.001;
    EXPECT_DOUBLE_EQ(t.entry_price, 100);
    EXPECT_DOUBLE_EQ(t.exit_price, 120);
    EXPECT_DOUBLE_EQ(t.qty, 2);
    EXPECT_EQ(t.entry_ts, kStartMs + kMinuteMs);
    EXPECT_EQ(t.exit_ts, kStartMs + 3 * kMinuteMs);
    EXPECT_NEAR(t.fees, entry_fee + exit_fee, 1e-9);
    EXPECT_NEAR(t.pnl, 2 * (120 - 100) - entry_fee - exit_fee, 1e-9);
}

TEST(TradingLogic, ManyIterationsFollowTheRules) {
    // A seeded random script; the expected orders come from the rules applied by hand.
    std::vector<std::string> actions;
    uint64_t x = 12345;
    const char* names[] = {"HOLD", "BUY", "SELL", "HOLD"};
    for (int i = 0; i < 120; ++i) {
        x = x * 6364136223846793005ULL + 1442695040888963407ULL;
        actions.push_back(names[(x >> 33) % 4]);
    }
    std::string joined;
    for (const auto& a : actions)
        joined += (joined.empty() ? "" : ",") + a;

    int expected_orders = 0;
    bool long_pos = false, pending = false;
    std::string last;
    for (const auto& a : actions) {
        // A market order fills at the next bar's open, before that bar's signal is handled.
        if (pending) {
            long_pos = !long_pos;
            pending = false;
        }
        const bool dup = a == last;
        last = a;
        if (a == "HOLD" || dup) continue;
        if ((a == "BUY" && !long_pos) || (a == "SELL" && long_pos)) {
            ++expected_orders;
            pending = true;
        }
    }

    EngineHarness h;
    h.write_csv(bars_from_closes(closes(actions.size() + 1)));
    auto summary = h.run(h.pipeline_yaml(script(joined), mock_executor()));
    EXPECT_EQ(summary.orders, expected_orders);
    EXPECT_EQ(static_cast<int>(h.report().fills.size()), expected_orders);
}

TEST(TradingLogic, AStrategyThatThrowsDoesNotStopTheLoopAndIsJournaled) {
    EngineHarness h;
    h.write_csv(bars_from_closes(closes(6)));
    auto summary = h.run(h.pipeline_yaml(script("HOLD,HOLD,HOLD,BUY", 2), mock_executor()));
    EXPECT_EQ(summary.status, "completed");
    auto errors = h.events("strategy_error");
    ASSERT_EQ(errors.size(), 1u);
    EXPECT_NE(errors[0].json.find("scripted failure at bar 2"), std::string::npos);
    EXPECT_EQ(h.report().orders.size(), 1u);  // the BUY after the failure still executes
}

TEST(TradingLogic, EmptyDataIsHandled) {
    EngineHarness h;
    h.write_csv({});
    auto summary = h.run(h.pipeline_yaml(script("BUY"), mock_executor()));
    EXPECT_EQ(summary.status, "completed");
    EXPECT_EQ(summary.bars, 0);
    EXPECT_EQ(summary.orders, 0);
}

TEST(TradingLogic, BadInputToTheStrategyIsAConfigErrorBeforeAnythingIsJournaled) {
    EngineHarness h;
    h.write_csv(bars_from_closes(closes(3)));
    auto p = h.parse(h.pipeline_yaml(script("BUY,JUMP"), mock_executor()));
    EXPECT_THROW(core::check_components(p), core::ConfigError);
    EXPECT_FALSE(std::filesystem::exists(h.journal_path()));
}

TEST(TradingLogic, AnOlderPluginsShorterStructsAreReadOnlyUpToTheirSize) {
    EngineHarness h;
    h.write_csv(bars_from_closes(closes(4)));
    auto o = quick_iterations(2);
    h.run(h.pipeline_yaml("{ use: short_signal }", mock_executor(), "{ quantity: 1 }", "paper"), o);
    auto signals = h.signals();
    ASSERT_EQ(signals.size(), 2u);
    EXPECT_EQ(signals[0].metadata_json, "{}");  // the field past its struct_size was not read
    EXPECT_EQ(signals[0].reason, "short struct");
}

TEST(TradingLogic, ASecondBacktestOnTheSameJournalStartsAfresh) {
    EngineHarness h;
    h.write_csv(bars_from_closes(closes(3)));
    // The BUY on the last bar never fills: the first run ends with an open order.
    const std::string yaml = h.pipeline_yaml(script("HOLD,HOLD,BUY"), mock_executor());
    h.run(yaml);
    auto second = h.run(yaml);
    EXPECT_EQ(second.status, "completed");
    EXPECT_EQ(second.orders, 1);
    EXPECT_EQ(h.report().orders.size(), 1u);  // the second run's own order
    EXPECT_TRUE(h.events("executor_error").empty());
}

// A backtest reserves client order ids in growing blocks; two runs that trade on every bar still
// never share an id, and each run's ids count up in the order of its orders.
TEST(TradingLogic, ClientOrderIdsStayUniqueAcrossBacktestsThatTradeOnEveryBar) {
    EngineHarness h;
    constexpr int kBars = 400;  // more orders than the first blocks (64, 128, 256) hold
    h.write_csv(bars_from_closes(closes(kBars)));
    std::string actions;
    for (int i = 0; i < kBars; ++i)
        actions += i % 2 ? ",SELL" : (i ? ",BUY" : "BUY");
    const std::string yaml = h.pipeline_yaml(script(actions), mock_executor());
    const auto first = h.run(yaml);
    const auto second = h.run(yaml);
    ASSERT_EQ(first.orders, kBars);
    ASSERT_EQ(second.orders, kBars);

    core::Journal j(h.journal_path(), core::Journal::Durability::Synchronous);
    std::set<std::string> ids;
    for (int64_t run : {first.run_id, second.run_id}) {
        auto orders = j.orders(run);
        ASSERT_EQ(orders.size(), static_cast<std::size_t>(kBars));
        std::sort(orders.begin(), orders.end(),
                  [](const auto& a, const auto& b) { return a.created_ms < b.created_ms; });
        int64_t previous = 0;
        for (const auto& o : orders) {
            ids.insert(o.client_order_id);
            const int64_t number =
                std::stoll(o.client_order_id.substr(o.client_order_id.rfind('-') + 1));
            EXPECT_GT(number, previous) << o.client_order_id;
            previous = number;
        }
    }
    EXPECT_EQ(ids.size(), static_cast<std::size_t>(2 * kBars));
}

TEST(TradingLogic, SeriesPointsReachTheStrategyNoEarlierThanTheirTime) {
    core::BarBuffer buffer;
    const ot_feed_sink& sink = buffer.sink();
    auto bar = [&](int64_t open_time) {
        ot_bar b{};
        b.struct_size = sizeof b;
        b.interval_s = 60;
        b.symbol = "BTC/USDT";
        b.open_time_ms = open_time;
        b.open = b.high = b.low = b.close = 1;
        sink.push_bar(sink.ctx, &b);
    };
    auto point = [&](int64_t time_ms) {
        ot_series_point p{};
        p.struct_size = sizeof p;
        p.symbol = "BTC/USDT";
        p.name = "funding_rate";
        p.time_ms = time_ms;
        p.value = 0.0001;
        sink.push_series(sink.ctx, &p);
    };
    bar(0);
    bar(60'000);
    point(90'000);  // belongs to the second bar's close (120 000), not the first (60 000)
    EXPECT_EQ(buffer.batch(0, 1, 60'000, 0).series_count, 0u);
    const ot_bar_batch& second = buffer.batch(1, 2, 120'000, 0);
    ASSERT_EQ(second.series_count, 1u);
    EXPECT_EQ(second.series[0]->time_ms, 90'000);
    buffer.consume(2);
    EXPECT_EQ(buffer.batch(0, 0, 180'000, 0).series_count, 0u);  // delivered once
}

TEST(TradingLogic, ABacktestRefusesPluginHttpUnlessThePipelineAllowsIt) {
    EngineHarness h;
    h.write_csv(bars_from_closes(closes(3)));
    const std::string yaml = h.pipeline_yaml(script("HOLD"), mock_executor());
    EXPECT_FALSE(h.parse(yaml).http_in_backtest);
    EXPECT_TRUE(h.parse(yaml + "http_in_backtest: true\n").http_in_backtest);
    try {
        h.parse(yaml + "http_in_backtest: sometimes\n");
        FAIL() << "a non-boolean was accepted";
    } catch (const core::ConfigError& e) {
        EXPECT_NE(std::string(e.what()).find("http_in_backtest"), std::string::npos);
    }

    // Port 9 on loopback: nothing listens, so an allowed request fails in transport instead.
    const std::string calling = h.pipeline_yaml(
        "{ use: script_strategy, params: { script: HOLD, http_url: \"http://127.0.0.1:9/\" } }",
        mock_executor());
    h.run(calling);
    auto refused = h.events("http_outcome");
    ASSERT_EQ(refused.size(), 1u);
    EXPECT_NE(refused[0].json.find("unsupported: http is disabled in backtest mode"),
              std::string::npos)
        << refused[0].json;
    h.run(calling + "http_in_backtest: true\n");
    auto allowed = h.events("http_outcome");
    ASSERT_EQ(allowed.size(), 2u);
    EXPECT_NE(allowed[1].json.find("failed: http GET failed"), std::string::npos)
        << allowed[1].json;
}

TEST(TradingLogic, PositionsAreJournaledAsTheLedgerHoldsThem) {
    EngineHarness h;
    h.write_csv(bars_from_closes({100, 110, 120, 130, 140}));
    auto o = quick_iterations(3);
    // Paper: a position row after every fill; the BUY on bar 0 fills at bar 1's open (100).
    h.run(h.pipeline_yaml(script("BUY"), mock_executor(), "{ quantity: 2 }", "paper"), o);
    core::Journal j(h.journal_path(), core::Journal::Durability::Synchronous);
    auto positions = j.positions(j.runs().back().id);
    ASSERT_EQ(positions.count("BTC/USDT"), 1u);
    EXPECT_DOUBLE_EQ(positions["BTC/USDT"].qty, 2);
    EXPECT_DOUBLE_EQ(positions["BTC/USDT"].avg_price, 100);
    EXPECT_NEAR(positions["BTC/USDT"].fees, 2 * 100 * 0.001, 1e-12);
}

TEST(TradingLogic, PaperActsOnlyOnTheNewestMomentOfAPoll) {
    // A poll that brings several bars (missed while the bot was down; here replay_bars: 4): the
    // older three warm the strategy up, only the newest may trade, at a price that is current.
    EngineHarness h;
    h.write_csv(bars_from_closes(closes(10)));
    std::string yaml =
        h.pipeline_yaml(script("BUY,SELL,BUY,SELL"), mock_executor(), "{ quantity: 1 }", "paper");
    const std::string feed = "timeframe: 1m }";
    yaml.replace(yaml.find(feed), feed.size(), "timeframe: 1m, replay_bars: 4 }");
    auto o = quick_iterations(1);
    auto summary = h.run(yaml, o);
    EXPECT_EQ(summary.bars, 4);
    auto signals = h.signals();
    ASSERT_EQ(signals.size(), 1u);
    EXPECT_EQ(signals[0].action, core::Action::Buy);
    EXPECT_EQ(signals[0].time_ms, kStartMs + 3 * kMinuteMs);
    EXPECT_EQ(signals[0].outcome, "order");
    EXPECT_EQ(h.report().orders.size(), 1u);
}

namespace {

// A paper run over 8 bars whose process dies in the strategy call of bar `exit_at`, as a SIGKILL
// there would.
void crash_a_paper_run(EngineHarness& h, int exit_at) {
    h.write_csv(bars_from_closes(closes(8)));
    auto o = quick_iterations(8);
    const std::string crashing =
        "{ use: script_strategy, params: { script: \"HOLD\", exit_at: " + std::to_string(exit_at) +
        " } }";
    ASSERT_EQ(run_until_crash(
                  h, h.pipeline_yaml(crashing, mock_executor(), "{ quantity: 1 }", "paper"), o),
              3)
        << "the scripted crash did not happen";
}

core::RunSummary resume(EngineHarness& h, const std::string& actions) {
    auto o = quick_iterations(2);
    return h.run(h.pipeline_yaml(script(actions), mock_executor(), "{ quantity: 1 }", "paper"), o);
}

}  // namespace

// A crash after the feed handed a bar over but before the loop ran it: the feed's cursor moves
// only once the bar has run, so the restarted feed hands the bar over again and its signal is
// not lost.
TEST(TradingLogic, ABarPolledButNotRunBeforeACrashIsRunAfterTheRestart) {
    EngineHarness h;
    crash_a_paper_run(h, 2);
    const auto resumed = resume(h, "SELL,HOLD");
    ASSERT_TRUE(resumed.resumed);
    core::Journal j(h.journal_path(), core::Journal::Durability::Synchronous);
    const auto signals = j.signals(resumed.run_id);
    ASSERT_FALSE(signals.empty());
    EXPECT_EQ(signals[0].time_ms, kStartMs + 2 * kMinuteMs) << "bar 2 was skipped";
}

TEST(TradingLogic, AfterARestartTheStrategyWarmsUpOnEveryTimeframeTheFeedDelivers) {
    EngineHarness h;
    auto yaml = [](int warmup) {
        return "version: 1\nname: test\nmode: paper\njournal: journal.db\nuniverse: [BTC/USDT]\n"
               "feed: { use: synthetic, params: { timeframe: 1m, higher_timeframes: 5m, bars: 0 } "
               "}\n"
               "strategy: { use: script_strategy, params: { warmup_bars: " +
               std::to_string(warmup) +
               " } }\nrisk: { quantity: 1 }\nexecutor: { use: mock, params: { fill: close } }\n";
    };
    auto o = quick_iterations(12);  // twelve 1m bars: two whole 5m bars
    h.run(yaml(0), o);
    o.max_iterations = 1;
    h.run(yaml(2), o);
    std::map<int64_t, int> per_interval;
    int64_t last_close = 0;
    for (const auto& e : h.events("warmup_bar")) {
        const auto bar = nlohmann::json::parse(e.json);
        const int64_t interval = bar.at("interval_s").get<int64_t>();
        ++per_interval[interval];
        const int64_t close = bar.at("open_time_ms").get<int64_t>() + interval * 1000;
        EXPECT_GE(close, last_close) << "warm-up bars out of time order";
        last_close = close;
    }
    EXPECT_EQ(per_interval[60], 2);
    EXPECT_EQ(per_interval[300], 2) << "the higher timeframe had no history";
}

TEST(TradingLogic, AKilledRunIsReportedInterruptedAndClosedAsSuchByTheNextRun) {
    EngineHarness h;
    crash_a_paper_run(h, 2);
    EXPECT_EQ(h.report().run.status, "interrupted");  // nothing holds the journal
    {
        core::Journal j(h.journal_path(), core::Journal::Durability::Synchronous);
        EXPECT_EQ(j.last_run()->status, "running");  // as the killed process left it
    }
    const auto resumed = resume(h, "HOLD");
    core::Journal j(h.journal_path(), core::Journal::Durability::Synchronous);
    const auto runs = j.runs();
    ASSERT_EQ(runs.size(), 2u);
    EXPECT_EQ(runs[0].status, "interrupted");
    EXPECT_EQ(runs[1].status, "completed");
}

TEST(TradingLogic, ASecondRunOnAJournalInUseRefusesToStartAndRecordsNothing) {
    EngineHarness h;
    h.write_csv(bars_from_closes(closes(8)));
    const std::string yaml =
        h.pipeline_yaml(script("BUY"), mock_executor(), "{ quantity: 1 }", "paper");
    auto o = quick_iterations(1);
    h.run(yaml, o);
    {
        core::RunLock running(h.journal_path());  // as a bot still running holds it
        EXPECT_TRUE(core::RunLock::held(h.journal_path()));
        try {
            h.run(yaml, o);
            FAIL() << "a second run started on a journal in use";
        } catch (const core::RunError& e) {
            EXPECT_NE(std::string(e.what()).find("is in use by another run"), std::string::npos)
                << e.what();
        }
    }
    EXPECT_FALSE(core::RunLock::held(h.journal_path()));
    core::Journal j(h.journal_path(), core::Journal::Durability::Synchronous);
    EXPECT_EQ(j.runs().size(), 1u);
    EXPECT_EQ(j.last_run()->status, "completed");
    h.run(yaml, o);  // once the first is gone
    EXPECT_EQ(j.runs().size(), 2u);
}

namespace {

// A paper run of 6 bars, one an iteration, that buys on bar 0 (filled at bar 1's open), sells on
// bar 3, and whose strategy does to the journal on bar 1 what `param` (delete_at or rename_at)
// says. Returns the RunError's message, or "" when the run ended without one.
std::string run_losing_its_journal(EngineHarness& h, const std::string& param) {
    h.write_csv(bars_from_closes(closes(6)));
    const std::string strategy =
        "{ use: script_strategy, params: { script: \"BUY,HOLD,HOLD,SELL\", "
        "journal: \"" +
        h.journal_path() + "\", " + param + ": 1 } }";
    auto o = quick_iterations(6);
    try {
        h.run(h.pipeline_yaml(strategy, mock_executor(), "{ quantity: 1 }", "paper"), o);
    } catch (const core::RunError& e) {
        return e.what();
    }
    return "";
}

}  // namespace

// A journal deleted under a running bot (a clean-up script, a careless rm) would take every
// record the bot makes from then on with it: the bot stops and writes the journal back, and the
// next run resumes the position from it.
TEST(TradingLogic, AJournalDeletedUnderARunningBotStopsItAndIsWrittenBackWhole) {
    EngineHarness h;
    const std::string error = run_losing_its_journal(h, "delete_at");
    EXPECT_NE(error.find("was deleted, renamed or replaced while this run used it"),
              std::string::npos)
        << error;
    ASSERT_TRUE(std::filesystem::exists(h.journal_path())) << "the journal was not written back";
    {
        core::Journal j(h.journal_path(), core::Journal::Durability::Synchronous);
        ASSERT_TRUE(j.last_run());
        EXPECT_EQ(j.last_run()->status, "failed");
        EXPECT_EQ(j.orders().size(), 1u) << "the bot traded on after its journal was gone";
        EXPECT_EQ(j.fills().size(), 1u);
    }
    const auto resumed = resume(h, "HOLD");  // the venue check passes: nothing was lost
    EXPECT_TRUE(resumed.resumed);
    const auto report = h.report();
    ASSERT_EQ(report.trades.size(), 1u);
    EXPECT_TRUE(report.trades[0].open);
}

TEST(TradingLogic, AJournalRenamedUnderARunningBotStopsItAndStaysWhereItWasMoved) {
    EngineHarness h;
    const std::string error = run_losing_its_journal(h, "rename_at");
    EXPECT_NE(error.find("was deleted, renamed or replaced while this run used it"),
              std::string::npos)
        << error;
    EXPECT_FALSE(std::filesystem::exists(h.journal_path())) << "a second copy was written";
    // The -wal stays at the old name: every record went into the moved file instead.
    const std::string wal = h.journal_path() + "-wal";
    EXPECT_TRUE(!std::filesystem::exists(wal) || std::filesystem::file_size(wal) == 0);
    core::Journal j(h.journal_path() + ".moved", core::Journal::Durability::Synchronous);
    ASSERT_TRUE(j.last_run()) << "the moved file lacks the run";
    EXPECT_EQ(j.last_run()->status, "failed");
    EXPECT_EQ(j.orders().size(), 1u);
}

namespace {

// A paper pipeline on the catch-up feed (250 missed bars, 100 a poll) whose strategy buys on the
// first bar it may act on.
std::string catch_up_pipeline(const EngineHarness& h, const std::string& feed_params) {
    std::string yaml =
        h.pipeline_yaml(script("BUY"), mock_executor("fill: close"), "{ quantity: 1 }", "paper");
    const std::string csv = "{ use: csv, params: { path: bars.csv, timeframe: 1m } }";
    yaml.replace(yaml.find(csv), csv.size(),
                 "{ use: catch_up_feed, params: { " + feed_params + " } }");
    return yaml;
}

int64_t last_closed_minute_open(int64_t now_ms) {
    return now_ms / kMinuteMs * kMinuteMs - kMinuteMs;
}

}  // namespace

TEST(TradingLogic, AFeedBehindIsPolledAgainAndOnlyTheBarItCatchesUpToActs) {
    EngineHarness h;
    auto o = quick_iterations(1);  // one iteration: three polls (100 behind, 100 behind, 50)
    const int64_t now = core::WallClock().now_ms();
    auto summary = h.run(catch_up_pipeline(h, "backlog: 250, per_poll: 100"), o);
    EXPECT_EQ(summary.bars, 250);
    auto signals = h.signals();
    ASSERT_EQ(signals.size(), 1u) << "only the newest bar reaches the strategy as live";
    EXPECT_EQ(signals[0].action, core::Action::Buy);
    EXPECT_GE(signals[0].time_ms, last_closed_minute_open(now));
    EXPECT_EQ(signals[0].outcome, "order");
}

TEST(TradingLogic, AFeedWhoseHistoryKnowsOnlyItsIntervalStillWarmsTheStrategyUp) {
    EngineHarness h;
    std::string yaml = catch_up_pipeline(h, "backlog: 1, timeframe: 1m");
    const std::string strategy = script("BUY");
    yaml.replace(yaml.find(strategy), strategy.size(),
                 "{ use: script_strategy, params: { script: BUY, warmup_bars: 3 } }");
    auto o = quick_iterations(1);
    h.run(yaml, o);
    const auto bars = h.events("warmup_bar");
    ASSERT_EQ(bars.size(), 3u) << "asked for every interval, then for the pipeline's";
    for (const auto& e : bars)
        EXPECT_EQ(nlohmann::json::parse(e.json).at("interval_s"), 60);
}

TEST(TradingLogic, AFeedThatFailsWhileBehindActsOnNothingUntilItHasCaughtUp) {
    EngineHarness h;
    auto o =
        quick_iterations(2);  // the second poll pushes its 100 bars and throws; the next catches up
    const int64_t now = core::WallClock().now_ms();
    h.run(catch_up_pipeline(h, "backlog: 250, per_poll: 100, fail_at: 2"), o);
    EXPECT_EQ(h.events("feed_error").size(), 1u);
    auto signals = h.signals();
    ASSERT_EQ(signals.size(), 1u) << "a bar of the failed poll was acted on";
    EXPECT_GE(signals[0].time_ms, last_closed_minute_open(now));
    EXPECT_EQ(h.report().orders.size(), 1u);
}

TEST(TradingLogic, ABadCsvLineFailsTheBacktestAfterEveryBarBeforeIt) {
    EngineHarness h;
    h.write_csv(bars_from_closes({100, 101, 102}));
    {
        std::ofstream out(h.dir() / "bars.csv", std::ios::app);
        out << kStartMs + 3 * kMinuteMs << ",103,104,102,abc,1\n";  // line 5
    }
    // The last good bar is the one a backtest holds back until it knows no row of its moment
    // follows: it must still run before the failure.
    EXPECT_THROW(h.run(h.pipeline_yaml(script("HOLD,HOLD,BUY"), mock_executor("fill: close"))),
                 core::RunError);
    auto signals = h.signals();
    ASSERT_EQ(signals.size(), 1u);
    EXPECT_EQ(signals[0].time_ms, kStartMs + 2 * kMinuteMs);
    EXPECT_EQ(signals[0].outcome, "order");
}

TEST(TradingLogic, ALiveRunOnAPaperBotsJournalStartsItsPluginsFromTheirOwnState) {
    EngineHarness h;
    h.write_csv(bars_from_closes({100, 101, 102, 103, 104, 105}));
    const std::string executor = "{ use: flaky_executor, params: {} }";
    auto o = quick_iterations(3);
    h.run(h.pipeline_yaml(script("HOLD"), executor, "{ quantity: 1 }", "paper"), o);
    o.max_iterations = 1;
    h.run(h.pipeline_yaml(script("HOLD"), executor, "{ quantity: 1 }", "live"), o);
    // The csv feed's replay cursor is the paper bot's: the live run reads the file from its start.
    const auto chart = h.report().chart_bars;
    ASSERT_FALSE(chart.empty());
    EXPECT_EQ(chart.front().time_ms, kStartMs);
    EXPECT_EQ(h.kv("live/feed:org.orchestrade.csv", "cursor"), std::to_string(kStartMs));
    EXPECT_EQ(h.kv("paper/feed:org.orchestrade.csv", "cursor"),
              std::to_string(kStartMs + 2 * kMinuteMs));
}
