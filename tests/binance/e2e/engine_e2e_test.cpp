// Pipelines through the real engine (paper and live loops, wall clock, libcurl) against the
// fake exchange: the SMA-cross bot on spot, a multi-symbol futures bot with stop-loss and
// take-profit, and faults injected between runs that resume from the journal.
#include "e2e_support.hpp"

#include <orchestrade/core/engine.hpp>
#include <orchestrade/core/pipeline.hpp>
#include <orchestrade/core/plugin_registry.hpp>
#include <orchestrade/core/report.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <thread>

using namespace orchestrade;
using namespace orchestrade::testing;

namespace {

const std::string kSma = "{ use: sma_cross, params: { fast: 2, slow: 4 } }";

std::string bracket(const std::string& params) {
    return "{ use: bracket_strategy, params: { " + params + " } }";
}

class EngineE2e : public ::testing::Test {
  protected:
    EngineE2e() {
        list_symbols(fake);
        registry.scan({ORCHESTRADE_TEST_PLUGIN_DIR, ORCHESTRADE_TEST_FIXTURE_DIR});
    }

    core::RunSummary run(const std::string& yaml, int64_t iterations) {
        dir.write("pipeline.yaml", yaml);
        core::Pipeline p = core::load_pipeline((dir.path() / "pipeline.yaml").string(), registry);
        core::EngineOptions o;
        o.interval_ms = 1000;
        o.max_iterations = iterations;
        return core::run_pipeline(p, o);
    }

    // Runs the pipeline; after_ms into the run, `event` happens at the exchange.
    void run_while(const std::string& yaml, int64_t iterations, int64_t after_ms,
                   const std::function<void()>& event) {
        std::thread later([&] {
            std::this_thread::sleep_for(std::chrono::milliseconds(after_ms));
            event();
        });
        run(yaml, iterations);
        later.join();
    }

    core::Journal journal() const {
        return core::Journal(dir.journal(), core::Journal::Durability::Synchronous);
    }

    // Resting stop-loss/take-profit legs per venue symbol.
    std::map<std::string, int> resting_legs() const {
        std::map<std::string, int> out;
        for (const auto& o : fake.orders())
            if (o.algo && o.status == "NEW") ++out[o.symbol];
        return out;
    }

    E2eDir dir;
    bf::FakeBinance fake;
    core::PluginRegistry registry;
};

// The bars a run saw, from the signals the strategy sent on each (HOLD included in paper/live).
std::vector<int64_t> signal_times(core::Journal& j, const std::string& symbol) {
    std::vector<int64_t> out;
    for (const auto& s : j.signals())
        if (s.symbol == symbol) out.push_back(s.time_ms);
    return out;
}

}  // namespace

TEST_F(EngineE2e, SmaCrossInPaperModeReadsEveryBarOnceAcrossARestart) {
    const std::string yaml =
        pipeline("paper", "[BTC/USDT]", feed_block(fake, "spot"), kSma, "{ quantity: 0.01 }",
                 "{ use: mock, params: { starting_cash: 10000, fee_bps: 10, fill: close } }");
    core::RunSummary first = run(yaml, 8);
    EXPECT_EQ(first.status, "completed");
    core::RunSummary second = run(yaml, 6);
    EXPECT_TRUE(second.resumed);
    core::Journal j = journal();
    std::vector<int64_t> times = signal_times(j, "BTC/USDT");
    ASSERT_GE(times.size(), 10u);
    for (std::size_t i = 1; i < times.size(); ++i)
        EXPECT_EQ(times[i] - times[i - 1], 1000)
            << "bar " << i << ": a bar was skipped or repeated";
    EXPECT_GE(j.fills().size(), 1u) << "the strategy traded on the mock venue";
    EXPECT_EQ(fake.count_requests("POST", "/api/v3/order"), 0)
        << "paper mode never reaches the exchange";
}

TEST_F(EngineE2e, AfterALongStopNoOrderIsSentOnABarFromTheCatchUp) {
    // An entry or an exit on every bar the strategy may act on (BUY, CLOSE, BUY, ...).
    const std::string yaml = pipeline(
        "paper", "[BTC/USDT]", feed_block(fake, "spot"), bracket("hold_bars: 1, brackets: false"),
        "{ quantity: 0.01 }", "{ use: mock, params: { starting_cash: 10000, fill: close } }");
    run(yaml, 2);
    // Down for 12,000 one-second bars: more than the feed fetches in one poll (5,000 per stream).
    const std::string scope = "paper/feed:org.orchestrade.binance.feed", key = "cursor:BTCUSDT:1s";
    const int64_t cursor = std::stoll(journal().kv_get(scope, key).value());
    journal().kv_set(scope, key, std::to_string(cursor - 12000 * 1000LL));
    const int64_t restart_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count();
    const std::size_t signals_before = journal().signals().size();
    run(yaml, 2);

    core::Journal j = journal();
    const std::vector<core::SignalRecord> signals = j.signals();
    ASSERT_GT(signals.size(), signals_before) << "the strategy acted once it had caught up";
    for (std::size_t i = signals_before; i < signals.size(); ++i)
        EXPECT_GE(signals[i].time_ms, restart_ms - 5000)
            << "a signal on a bar " << (restart_ms - signals[i].time_ms) / 1000
            << " s old was acted on";
    EXPECT_GE(std::stoll(j.kv_get(scope, key).value()), restart_ms - 5000) << "it caught up";
}

TEST_F(EngineE2e, SmaCrossLiveTradesAtTheExchangeAndTheJournalAgrees) {
    const std::string yaml =
        pipeline("live", "[BTC/USDT]", feed_block(fake, "spot"), kSma, "{ quantity: 0.01 }",
                 executor_block(fake, dir.path().string(), "spot"));
    core::RunSummary summary = run(yaml, 14);
    EXPECT_EQ(summary.status, "completed");
    core::Journal j = journal();
    ASSERT_GE(j.fills().size(), 2u) << "the sine path crosses every few seconds";
    for (const auto& f : j.fills())
        EXPECT_EQ(f.trade_id.rfind("BTCUSDT:", 0), 0u) << f.trade_id;
    expect_journal_matches_exchange(dir.journal(), fake, false, {"BTC/USDT"});
    core::RunSummary again = run(yaml, 3);  // the startup check passes: journal and venue agree
    EXPECT_TRUE(again.resumed);
}

TEST_F(EngineE2e, TheDustAFeeInTheCoinLeavesDoesNotStopTheBot) {
    // A buy of 0.0123 pays its 0.1 % fee in BTC: 0.0122877 arrive; the sell is floored to the
    // step, 0.01228, and 0.0000077 BTC stay, below the smallest order. The bot must buy again at
    // the next crossing, not call itself "already long" (nor try to sell the rest) forever.
    const std::string yaml =
        pipeline("live", "[BTC/USDT]", feed_block(fake, "spot"), kSma, "{ quantity: 0.0123 }",
                 executor_block(fake, dir.path().string(), "spot"));
    run(yaml, 24);
    core::Journal j = journal();
    int buys = 0, sells = 0;
    for (const auto& o : j.orders()) {
        EXPECT_NE(o.state, core::OrderState::Rejected) << o.text;
        EXPECT_GT(o.filled_qty, 0) << o.client_order_id;
        (o.side == core::Side::Buy ? buys : sells) += 1;
    }
    EXPECT_GE(buys, 2) << "no entry after the first round trip";
    EXPECT_GE(sells, 2);
    bool dust_noted = false;
    for (const auto& s : j.signals()) {
        EXPECT_EQ(s.outcome.find("already long"), std::string::npos) << s.outcome;
        dust_noted |= s.outcome.find("(dust, not sold)") != std::string::npos;
    }
    EXPECT_FALSE(dust_noted) << "sma_cross alternates: a SELL always has a position to sell";
    // Each round trip is a trade of its own in the report, not one trade that never closes.
    const core::RunReport report = core::build_report(j);
    const auto closed = std::count_if(report.trades.begin(), report.trades.end(),
                                      [](const core::Trade& t) { return !t.open; });
    EXPECT_GE(closed, sells) << "the dust merged the round trips into one trade";
    EXPECT_EQ(report.metrics.trades, closed);
    expect_journal_matches_exchange(dir.journal(), fake, false, {"BTC/USDT"});
}

TEST_F(EngineE2e, AfterEachFaultTheExchangeHoldsExactlyTheJournalsOrders) {
    // An order on every bar: BUY, CLOSE, BUY, ... so each fault meets an order.
    const std::string yaml = pipeline(
        "live", "[BTC/USDT]", feed_block(fake, "spot"), bracket("hold_bars: 1, brackets: false"),
        "{ quantity: 0.01 }", executor_block(fake, dir.path().string(), "spot"));
    auto order_fault = [](bf::FaultKind kind) {
        bf::Fault f;
        f.kind = kind;
        f.method = "POST";
        f.path = "/api/v3/order";
        return f;
    };
    std::vector<std::pair<std::string, bf::Fault>> faults;
    bf::Fault after = order_fault(bf::FaultKind::ErrorAfter);
    after.body = "Unknown error, please check your request or try again later.";
    faults.push_back({"5xx after accepting", after});
    faults.push_back({"dropped response", order_fault(bf::FaultKind::Drop)});
    bf::Fault slow = order_fault(bf::FaultKind::Latency);
    slow.delay_ms = 2500;  // beyond the 1.5 s timeout: the order lands after the client gave up
    faults.push_back({"timeout, accepted later", slow});
    bf::Fault partial;
    partial.kind = bf::FaultKind::PartialFill;
    partial.fraction = 0.5;
    partial.delay_ms = 1500;
    faults.push_back({"partial fill", partial});

    run(yaml, 3);
    for (const auto& [name, fault] : faults) {
        SCOPED_TRACE(name);
        fake.inject(fault);
        run(yaml, 8);
        expect_journal_matches_exchange(dir.journal(), fake, false, {"BTC/USDT"});
    }
    {
        SCOPED_TRACE("429 with Retry-After in the middle of a run");
        bf::Fault limit;
        limit.kind = bf::FaultKind::RateLimit;
        limit.method = "GET";
        limit.path = "/api/v3/klines";
        limit.retry_after_s = 3;
        run_while(yaml, 8, 2500, [&] { fake.inject(limit); });
        expect_journal_matches_exchange(dir.journal(), fake, false, {"BTC/USDT"});
        int limited = 0;
        for (const auto& r : fake.requests())
            limited += r.status == 429;
        EXPECT_EQ(limited, 1);
    }
    {
        SCOPED_TRACE("the exchange clock jumps in the middle of a run");
        run_while(yaml, 6, 2500, [&] { fake.set_clock_skew(7000); });
        expect_journal_matches_exchange(dir.journal(), fake, false, {"BTC/USDT"});
    }
    for (const auto& r : fake.requests())
        EXPECT_NE(r.status, 418) << "a request went out during a pause";
    EXPECT_GE(journal().fills().size(), 10u);
}

TEST_F(EngineE2e, MultiSymbolFuturesKeepAStopAndATargetAtTheExchangeForEveryPosition) {
    const std::string yaml =
        pipeline("live", "[BTC/USDT, ETH/USDT]", feed_block(fake, "usdm"),
                 bracket("stop_pct: 5, take_pct: 5, hold_bars: 3"), "{ quantity: 0.05 }",
                 executor_block(fake, dir.path().string(), "usdm", "leverage: 5"));
    run(yaml, 7);
    EXPECT_EQ(fake.leverage("BTCUSDT"), 5);
    auto legs_match_positions = [&] {
        std::map<std::string, int> legs = resting_legs();
        for (const char* s : {"BTCUSDT", "ETHUSDT"}) {
            bool open = fake.futures_position(s).amount != 0;
            EXPECT_EQ(legs[s], open ? 2 : 0)
                << s << (open ? " is open without its two legs" : " is flat with legs left");
        }
    };
    legs_match_positions();
    int entries = 0;
    for (const auto& o : fake.orders())
        if (o.algo) {
            EXPECT_TRUE(o.close_position);
            ++entries;
        }
    EXPECT_GE(entries, 4) << "both symbols entered with both legs";
    expect_journal_matches_exchange(dir.journal(), fake, true, {"BTC/USDT", "ETH/USDT"});

    // Faults on the entry and on a leg; the resumed run passes the startup check first.
    bf::Fault after;
    after.kind = bf::FaultKind::ErrorAfter;
    after.method = "POST";
    after.path = "/fapi/v1/order";
    after.status = 500;
    after.body =
        R"({"code":-1007,"msg":"Timeout waiting for response from backend server. Send status unknown; execution status unknown."})";
    fake.inject(after);
    bf::Fault drop;
    drop.kind = bf::FaultKind::Drop;
    drop.method = "POST";
    drop.path = "/fapi/v1/algoOrder";
    fake.inject(drop);
    run(yaml, 10);
    legs_match_positions();
    expect_journal_matches_exchange(dir.journal(), fake, true, {"BTC/USDT", "ETH/USDT"});
}

// A funding payment booked while the bot is down (a long pays a positive rate) reaches the
// ledger at the next start: the startup check agrees with the wallet and trading goes on.
TEST_F(EngineE2e, FundingPaidWhileDownReachesTheLedgerAndTheRestartTrades) {
    const std::string yaml =
        pipeline("live", "[BTC/USDT]", feed_block(fake, "usdm"),
                 bracket("stop_pct: 20, take_pct: 20, hold_bars: 1000"), "{ quantity: 0.05 }",
                 executor_block(fake, dir.path().string(), "usdm"));
    run(yaml, 3);
    const bf::Position held = fake.futures_position("BTCUSDT");
    ASSERT_GT(held.amount, 0);
    const double wallet = fake.futures_wallet("USDT");
    fake.settle_funding("BTCUSDT", 0.0001);
    fake.settle_funding("BTCUSDT", -0.00004);  // and a payment the long receives
    const double paid = wallet - fake.futures_wallet("USDT");
    ASSERT_GT(paid, 0);

    core::RunSummary resumed = run(yaml, 3);
    EXPECT_EQ(resumed.status, "completed");
    core::Journal j = journal();
    const auto flows = j.cash_flows();
    ASSERT_EQ(flows.size(), 2u);
    EXPECT_EQ(flows[0].symbol, "BTC/USDT");
    EXPECT_EQ(flows[0].kind, "funding");
    EXPECT_LT(flows[0].amount, 0);
    EXPECT_GT(flows[1].amount, 0);
    EXPECT_NEAR(flows[0].amount + flows[1].amount, -paid, 1e-9);
    expect_journal_matches_exchange(dir.journal(), fake, true, {"BTC/USDT"});

    // A third start reads the same payments again (the last hour) and applies neither twice.
    EXPECT_EQ(run(yaml, 2).status, "completed");
    EXPECT_EQ(journal().cash_flows().size(), 2u);
    expect_journal_matches_exchange(dir.journal(), fake, true, {"BTC/USDT"});
}

// A stop-loss that fires while the bot is down reaches the ledger at the next start (the leg's
// fill is journaled under "<entry>-sl"), so the startup check passes and trading goes on.
TEST_F(EngineE2e, AStopLossFiredAtTheExchangeReachesTheJournal) {
    const std::string yaml =
        pipeline("live", "[BTC/USDT]", feed_block(fake, "usdm"),
                 bracket("stop_pct: 5, take_pct: 5, hold_bars: 1000"), "{ quantity: 0.05 }",
                 executor_block(fake, dir.path().string(), "usdm"));
    run(yaml, 4);
    ASSERT_NE(fake.futures_position("BTCUSDT").amount, 0);
    fake.set_price("BTCUSDT", 30000);  // through the stop
    ASSERT_EQ(fake.futures_position("BTCUSDT").amount, 0) << "the exchange closed it";
    core::RunSummary resumed = run(yaml, 4);
    EXPECT_EQ(resumed.status, "completed");
    core::Journal j = journal();
    bool stop_filled = false;
    for (const auto& f : j.fills())
        stop_filled |= is_leg_id(f.client_order_id) && f.side == core::Side::Sell;
    EXPECT_TRUE(stop_filled) << "the stop-loss fill is in the journal";
    for (const auto& o : j.orders()) {
        if (!is_leg_id(o.client_order_id)) continue;
        EXPECT_TRUE(core::is_final(o.state) || o.state == core::OrderState::Accepted)
            << o.client_order_id << " " << core::to_string(o.state);
    }
    expect_journal_matches_exchange(dir.journal(), fake, true, {"BTC/USDT"});
}

// The strategy's exit is lost before it reaches the exchange after the stop-loss/take-profit was
// lifted for it: once its recvWindow has passed the position, still held, gets its legs back (the
// journal keeps them as they were), and when the price falls through the stop the journal has
// the sale under the entry's stop-loss leg.
TEST_F(EngineE2e, AnExitThatNeverReachedTheExchangeLeavesThePositionProtected) {
    const std::string executor =
        executor_block(fake, dir.path().string(), "spot", "recv_window_ms: 1000");
    auto yaml = [&](const std::string& strategy) {
        return pipeline("live", "[BTC/USDT]", feed_block(fake, "spot"), bracket(strategy),
                        "{ quantity: 0.01 }", executor);
    };
    run(yaml("stop_pct: 2, take_pct: 2, hold_bars: 1000"), 3);
    ASSERT_GT(fake.spot_balance("BTC"), 0) << "the first run entered";
    bf::Fault lost;  // the next order, the exit, never reaches the exchange; its outcome is unknown
    lost.kind = bf::FaultKind::ErrorBefore;
    lost.method = "POST";
    lost.path = "/api/v3/order";
    lost.status = 503;
    lost.body = "Unknown error, please check your request or try again later.";
    fake.inject(lost);
    auto stop_placed_again = [&](const char* status) {
        for (const auto& o : fake.orders())
            if (o.type == "STOP_LOSS" && o.status == status &&
                o.client_id.compare(o.client_id.size() - 3, 3, "-s1") == 0)
                return true;
        return false;
    };
    run_while(yaml("stop_pct: 2, take_pct: 2, hold_bars: 1, max_closes: 1"), 14, 0, [&] {
        for (int i = 0; i < 240 && !stop_placed_again("NEW"); ++i)
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        if (stop_placed_again("NEW")) fake.set_price("BTCUSDT", 38000);  // through the stop
    });
    EXPECT_TRUE(stop_placed_again("FILLED")) << "the stop placed again sold the position";
    core::Journal j = journal();
    int exits_rejected = 0;
    for (const auto& o : j.orders())
        exits_rejected += o.side == core::Side::Sell && o.parent_client_order_id.empty() &&
                          o.state == core::OrderState::Rejected;
    EXPECT_EQ(exits_rejected, 1) << "the exit that never reached the exchange";
    bool stop_sold = false;
    for (const auto& f : j.fills())
        stop_sold |= f.side == core::Side::Sell && f.client_order_id.size() > 3 &&
                     f.client_order_id.compare(f.client_order_id.size() - 3, 3, "-sl") == 0;
    EXPECT_TRUE(stop_sold) << "the journal has the stop's sale under the entry's leg";
    expect_journal_matches_exchange(dir.journal(), fake, false, {"BTC/USDT"});
}
