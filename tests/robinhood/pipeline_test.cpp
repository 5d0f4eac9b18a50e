// Pipelines through the real engine against the loopback fake: paper trading on Robinhood prices
// (quote feed + mock executor), live trading through the robinhood executor with faults injected
// on the way, and a Robinhood-only pipeline.
#include "../engine/engine_harness.hpp"
#include "fake_robinhood.hpp"
#include "venue_check.hpp"

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdlib>

#include <sys/wait.h>
#include <unistd.h>

using namespace orchestrade;
using namespace orchestrade::testing;
namespace rh = orchestrade::testing::robinhood;

namespace {

constexpr const char* kOrders = "/api/v1/crypto/trading/orders/";

class RobinhoodPipeline : public ::testing::Test {
  protected:
    void SetUp() override {
        ::setenv("ROBINHOOD_API_KEY", rh::kApiKey, 1);
        ::setenv("ROBINHOOD_PRIVATE_KEY", rh::kPrivateKey, 1);
        fake.set_quote("BTC-USD", 49990, 50010);
        std::vector<double> closes;
        for (int i = 0; i < 40; ++i)
            closes.push_back(50000 + 10 * (i % 7));
        h.write_csv(bars_from_closes(closes));
    }

    std::string credentials() const {
        return "base_url: \"" + fake.base_url() +
               "\", api_key: \"${ROBINHOOD_API_KEY}\", private_key: \"${ROBINHOOD_PRIVATE_KEY}\"";
    }
    std::string pipeline(const std::string& mode, const std::string& feed,
                         const std::string& executor, const std::string& script,
                         const std::string& risk = "{ quantity: 0.01 }") const {
        return "version: 1\nname: rh\nmode: " + mode + "\njournal: journal.db\n" +
               "universe: [BTC/USD]\nfeed: " + feed + "\nstrategy: { use: script_strategy, " +
               "params: { script: \"" + script + "\" } }\nrisk: " + risk + "\n" +
               "executor: " + executor + "\n";
    }
    std::string live(const std::string& feed, const std::string& script,
                     const std::string& risk = "{ quantity: 0.01 }") const {
        return pipeline("live", feed, "{ use: robinhood, params: { " + credentials() + " } }",
                        script, risk);
    }
    // The strategy's exit: the one sell the core sent itself (legs have a parent).
    core::OrderRecord exit_order() const {
        core::Journal journal(h.journal_path(), core::Journal::Durability::Synchronous);
        for (const core::OrderRecord& o : journal.orders())
            if (o.side == core::Side::Sell && o.parent_client_order_id.empty()) return o;
        ADD_FAILURE() << "no exit in the journal";
        return {};
    }
    std::vector<core::OrderRecord> legs() const {
        core::Journal journal(h.journal_path(), core::Journal::Durability::Synchronous);
        std::vector<core::OrderRecord> out;
        for (const core::OrderRecord& o : journal.orders())
            if (!o.parent_client_order_id.empty()) out.push_back(o);
        return out;
    }
    double holding() {
        return fake.with_venue([](rh::FakeVenue& v) { return v.holding("BTC"); });
    }
    static core::EngineOptions every(int64_t interval_ms, int64_t iterations) {
        core::EngineOptions o;
        o.interval_ms = interval_ms;
        o.max_iterations = iterations;
        return o;
    }

    EngineHarness h;
    rh::FakeRobinhood fake;
};

const char* kCsv = "{ use: csv, params: { path: bars.csv, timeframe: 1m } }";
const char* kTrades = "BUY,SELL,BUY,SELL,BUY,SELL,BUY,SELL,BUY,SELL,BUY,SELL";
const char* kProtected = "{ quantity: 0.01, stop_loss_pct: 2 }";

}  // namespace

TEST_F(RobinhoodPipeline, LiveTradesLandAtTheVenueExactlyAsJournaled) {
    core::RunSummary s = h.run(live(kCsv, kTrades), every(10, 14));
    EXPECT_EQ(s.status, "completed");
    EXPECT_GE(s.fills, 10);
    rh::expect_journal_matches_venue(fake, h.journal_path(), 100000);
}

TEST_F(RobinhoodPipeline, AfterEachFaultTheVenueHoldsExactlyTheJournaledOrders) {
    fake.add_fault({"POST", kOrders, rh::Fault::ServerErrorAfter, 1, -1, 0, true});
    fake.add_fault({"POST", kOrders, rh::Fault::DropAfter, 1, -1, 0, true});
    fake.add_fault({"POST", kOrders, rh::Fault::TooManyRequests, 1, 0, 0, true});
    fake.add_fault({"GET", kOrders, rh::Fault::ServerErrorBefore, 2});
    fake.add_fault({"POST", kOrders, rh::Fault::ServerErrorAfter, 1, -1, 0, true});
    core::RunSummary s = h.run(live(kCsv, kTrades), every(10, 16));
    EXPECT_EQ(s.status, "completed");
    auto orders = h.report().orders;
    int rejected = 0;
    for (const auto& o : orders)
        rejected += o.state == core::OrderState::Rejected;
    EXPECT_EQ(rejected, 1) << "only the throttled order never reached the venue";
    rh::expect_journal_matches_venue(fake, h.journal_path(), 100000);

    // The next run starts from a journal that agrees with the venue.
    core::RunSummary again = h.run(live(kCsv, kTrades), every(10, 4));
    EXPECT_TRUE(again.resumed);
    rh::expect_journal_matches_venue(fake, h.journal_path(), 100000);
}

// The core attaches the stop to the entry; the executor rests it at the venue once the entry
// filled, exactly once. When it fires at the venue, its fill reaches the journal and the ledger
// as a child order of the entry, and the resumed run agrees with the venue.
TEST_F(RobinhoodPipeline, AStopLossFiredAtTheVenueReachesTheJournal) {
    const std::string protected_yaml =
        pipeline("live", kCsv, "{ use: robinhood, params: { " + credentials() + " } }", "BUY",
                 "{ quantity: 0.01, stop_loss_pct: 2 }");
    h.run(protected_yaml, every(10, 3));
    std::vector<rh::FakeOrder> orders =
        fake.with_venue([](rh::FakeVenue& v) { return v.orders(); });
    ASSERT_EQ(orders.size(), 2u) << "the entry and its stop";
    EXPECT_EQ(orders[1].type, "stop_loss");
    EXPECT_EQ(orders[1].state, "open");
    fake.set_quote("BTC-USD", 40000, 40010);  // through the stop
    ASSERT_EQ(fake.with_venue([](rh::FakeVenue& v) { return v.holding("BTC"); }), 0);

    const std::string resumed_yaml =
        pipeline("live", kCsv, "{ use: robinhood, params: { " + credentials() + " } }", "HOLD",
                 "{ quantity: 0.01, stop_loss_pct: 2 }");
    std::string failure;
    try {
        h.run(resumed_yaml, every(10, 3));
    } catch (const std::exception& e) {
        failure = e.what();
    }
    core::Journal journal(h.journal_path(), core::Journal::Durability::Synchronous);
    bool leg_fill = false;
    for (const core::FillRecord& f : journal.fills())
        leg_fill |= f.client_order_id.size() > 3 &&
                    f.client_order_id.compare(f.client_order_id.size() - 3, 3, "-sl") == 0;
    EXPECT_EQ(fake.with_venue([](rh::FakeVenue& v) { return v.orders().size(); }), 2u);
    EXPECT_EQ(failure, "");
    EXPECT_TRUE(leg_fill);
    rh::expect_journal_matches_venue(fake, h.journal_path(), 100000);
}

// The venue fails to take the stop's cancel (503 twice) when the strategy exits: the exit waits
// while the stop still rests, each poll asks for the cancel again, and once the venue took it the
// exit sells the position.
TEST_F(RobinhoodPipeline, AnExitWaitsForAStopWhoseCancelFailedUntilTheVenueCanceledIt) {
    fake.add_fault({"POST", kOrders, rh::Fault::ServerErrorBefore, 2, -1, 0, false, "/cancel/"});
    h.run(live(kCsv, "BUY,SELL", kProtected), every(10, 6));
    core::OrderRecord exit = exit_order();
    EXPECT_EQ(exit.state, core::OrderState::Filled) << exit.text;
    EXPECT_DOUBLE_EQ(exit.filled_qty, 0.01);
    ASSERT_EQ(legs().size(), 1u);
    EXPECT_EQ(legs()[0].state, core::OrderState::Canceled);
    int cancels = 0;
    for (const rh::SeenRequest& r : fake.requests())
        cancels += r.method == "POST" && r.target.find("/cancel/") != std::string::npos;
    EXPECT_EQ(cancels, 3);
    EXPECT_DOUBLE_EQ(holding(), 0);
    rh::expect_journal_matches_venue(fake, h.journal_path(), 100000);
}

// The exit is throttled (429) after the stop was canceled for it, so the stop rests again; it
// fires and sells half before the core sends the exit again at its first size. The exit goes out
// for the half still held and ends expired with it; nothing is refused or put back.
TEST_F(RobinhoodPipeline, AThrottledExitSentAgainByTheCoreSellsOnlyWhatTheStopLeft) {
    // Bars of the last minutes: the core sends a throttled order again only while it is fresh.
    const int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
    std::vector<double> closes(10, 50000);
    std::vector<CsvBar> bars = bars_from_closes(closes);
    for (std::size_t i = 0; i < bars.size(); ++i)
        bars[i].open_time = now / kMinuteMs * kMinuteMs + (static_cast<int64_t>(i) - 2) * kMinuteMs;
    h.write_csv(bars);
    rh::FaultRule throttled{"POST", kOrders, rh::Fault::TooManyRequests, 1, 0, 0, true};
    throttled.pass_first = 2;  // the entry and its stop go out; the exit is throttled
    fake.add_fault(throttled);
    int placements = 0;
    fake.set_request_hook(
        [&](const rh::SeenRequest& r, int status, rh::FakeVenue& venue, int64_t now_ms) {
            if (r.method != "POST" || r.target != kOrders || ++placements != 4) return;
            EXPECT_EQ(status, 201) << "the fourth placement is the stop put back";
            venue.set_split_fills(true);
            venue.set_quote("BTC-USD", 44000, 44020, now_ms);  // it fires and sells half
        });
    core::RunSummary s = h.run(live(kCsv, "BUY,SELL", kProtected), every(10, 6));
    EXPECT_EQ(s.status, "completed");
    core::OrderRecord exit = exit_order();
    EXPECT_EQ(exit.state, core::OrderState::Expired) << exit.text;
    EXPECT_DOUBLE_EQ(exit.filled_qty, 0.005);
    EXPECT_NE(exit.text.find("sold 0.005"), std::string::npos) << exit.text;
    ASSERT_EQ(legs().size(), 1u);
    EXPECT_DOUBLE_EQ(legs()[0].filled_qty, 0.005);
    EXPECT_EQ(fake.with_venue([](rh::FakeVenue& v) { return v.orders().size(); }), 4u)
        << "entry, stop, stop put back, exit; nothing refused or put back again";
    EXPECT_DOUBLE_EQ(holding(), 0);
    rh::expect_journal_matches_venue(fake, h.journal_path(), 100000);
}

// (1) The venue fails the stop's cancel once, so the exit waits; once the cancel is taken, the
// exit is throttled. Until it goes out at the next iteration nothing protects the position, and
// the journal says so.
TEST_F(RobinhoodPipeline, AnExitThrottledAfterItsStopWasCanceledIsJournaledAsNotProtected) {
    fake.add_fault({"POST", kOrders, rh::Fault::ServerErrorBefore, 1, -1, 0, false, "/cancel/"});
    rh::FaultRule throttled{"POST", kOrders, rh::Fault::TooManyRequests, 1, 0, 0, true};
    throttled.pass_first = 2;  // the entry and its stop go out; the exit is throttled
    fake.add_fault(throttled);
    core::RunSummary s = h.run(live(kCsv, "BUY,SELL", kProtected), every(10, 6));
    EXPECT_EQ(s.status, "completed");
    core::OrderRecord exit = exit_order();
    EXPECT_EQ(exit.state, core::OrderState::Filled) << exit.text;
    std::vector<core::EventRecord> failed = h.events("robinhood_protection_failed");
    ASSERT_EQ(failed.size(), 1u);
    EXPECT_EQ(failed[0].source, "executor");
    EXPECT_NE(failed[0].json.find("held back by the rate limit"), std::string::npos)
        << failed[0].json;
    ASSERT_EQ(legs().size(), 1u);
    EXPECT_EQ(legs()[0].state, core::OrderState::Canceled);
    EXPECT_DOUBLE_EQ(holding(), 0);
    rh::expect_journal_matches_venue(fake, h.journal_path(), 100000);
}

// (3) The venue refuses the entry's stop-loss: the journal says the position is not protected,
// the stop is placed again stop_retry_s later, and the journal says it is protected again.
TEST_F(RobinhoodPipeline, AStopTheVenueRefusedRestsLaterAndTheJournalSaysWhenItDidNot) {
    rh::FaultRule refused{"POST", kOrders, rh::Fault::Refused, 1, -1, 0, true};
    refused.pass_first = 1;  // the entry goes out; its stop is refused
    fake.add_fault(refused);
    const std::string executor =
        "{ use: robinhood, params: { " + credentials() + ", stop_retry_s: 1 } }";
    core::RunSummary s = h.run(pipeline("live", kCsv, executor, "BUY", kProtected), every(100, 20));
    EXPECT_EQ(s.status, "completed");
    ASSERT_EQ(h.events("robinhood_protection_failed").size(), 1u);
    EXPECT_NE(h.events("robinhood_protection_failed")[0].json.find("refused"), std::string::npos);
    EXPECT_EQ(h.events("robinhood_protection_restored").size(), 1u);
    std::vector<rh::FakeOrder> orders =
        fake.with_venue([](rh::FakeVenue& v) { return v.orders(); });
    ASSERT_EQ(orders.size(), 2u) << "the entry and its stop, placed again";
    EXPECT_EQ(orders[1].type, "stop_loss");
    EXPECT_EQ(orders[1].state, "open");
    ASSERT_EQ(legs().size(), 1u);
    EXPECT_EQ(legs()[0].state, core::OrderState::Accepted);
    fake.set_quote("BTC-USD", 40000, 40010);  // through the stop: its fill reaches the journal
    h.run(pipeline("live", kCsv, executor, "HOLD", kProtected), every(10, 3));
    EXPECT_DOUBLE_EQ(holding(), 0);
    EXPECT_EQ(legs()[0].state, core::OrderState::Filled);
    rh::expect_journal_matches_venue(fake, h.journal_path(), 100000);
}

// (6) The process is killed right after the venue took the stop's cancel for the strategy's
// exit, before the exit was placed. The restarted run still has the exit (the executor saved it
// before the cancel went out): it goes out, and the position is not left without its stop.
TEST_F(RobinhoodPipeline, AKillRightAfterTheStopsCancelLeavesTheExitToTheRestartedRun) {
    std::atomic<pid_t> child{0};
    fake.set_request_hook([&](const rh::SeenRequest& r, int, rh::FakeVenue&, int64_t) {
        const std::string cancel = "/cancel/";
        const bool is_cancel =
            r.target.size() > cancel.size() &&
            r.target.compare(r.target.size() - cancel.size(), cancel.size(), cancel) == 0;
        if (r.method == "POST" && is_cancel && child > 0) ::kill(child, SIGKILL);
    });
    const pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
        try {
            h.run(live(kCsv, "BUY,SELL", kProtected), every(10, 6));
        } catch (...) {
        }
        std::_Exit(0);
    }
    child = pid;
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFSIGNALED(status)) << "the run ended before the exit's cancel";
    fake.set_request_hook(nullptr);
    std::vector<rh::FakeOrder> orders =
        fake.with_venue([](rh::FakeVenue& v) { return v.orders(); });
    ASSERT_EQ(orders.size(), 2u) << "the entry and its stop; the exit was not placed";
    EXPECT_EQ(orders[1].state, "canceled");

    core::RunSummary s = h.run(live(kCsv, "HOLD", kProtected), every(10, 4));
    EXPECT_TRUE(s.resumed);
    core::OrderRecord exit = exit_order();
    EXPECT_EQ(exit.state, core::OrderState::Filled) << exit.text;
    EXPECT_DOUBLE_EQ(holding(), 0);
    ASSERT_EQ(legs().size(), 1u);
    EXPECT_EQ(legs()[0].state, core::OrderState::Canceled);
    rh::expect_journal_matches_venue(fake, h.journal_path(), 100000);
}

// A journal with a fill whose order is still "accepted" (what a SIGKILL between two separate
// writes left, before the fill and the order's update became one transaction), while the
// executor's saved state holds the order as done. The restart must close the order from the
// venue's answer and trade on: an order left open would block every later signal of its symbol,
// forever.
TEST_F(RobinhoodPipeline, AFillJournaledWithoutItsOrderUpdateClosesTheOrderOnRestart) {
    h.run(live(kCsv, "BUY"), every(10, 3));
    std::string id;
    {
        core::Journal journal(h.journal_path(), core::Journal::Durability::Synchronous);
        std::vector<core::OrderRecord> orders = journal.orders();
        ASSERT_EQ(orders.size(), 1u);
        ASSERT_EQ(orders[0].state, core::OrderState::Filled);
        ASSERT_EQ(journal.fills().size(), 1u);
        id = orders[0].client_order_id;
        // What the kill left: the order as submit() journaled it, before its fill was applied.
        journal.update_order(id, core::OrderState::Accepted, orders[0].created_ms, "", "", 0);
    }
    core::RunSummary s = h.run(live(kCsv, "SELL"), every(10, 6));
    EXPECT_TRUE(s.resumed);
    core::Journal journal(h.journal_path(), core::Journal::Durability::Synchronous);
    EXPECT_EQ(journal.order(id)->state, core::OrderState::Filled);
    EXPECT_TRUE(journal.open_orders().empty());
    EXPECT_EQ(fake.with_venue([](rh::FakeVenue& v) { return v.orders().size(); }), 2u)
        << "the SELL after the restart was refused as 'order pending'";
    rh::expect_journal_matches_venue(fake, h.journal_path(), 100000);
}

TEST_F(RobinhoodPipeline, PaperTradesOnRobinhoodPricesWithoutTouchingTheAccount) {
    fake.set_price_path("BTC-USD", {50000, 50100, 49900, 50200, 50050}, 10);
    const std::string feed =
        "{ use: robinhood_quotes, params: { " + credentials() + ", timeframe: 1s } }";
    const std::string mock =
        "{ use: mock, params: { starting_cash: 10000, currency: USD, fill: close } }";
    core::RunSummary s = h.run(pipeline("paper", feed, mock, "BUY,SELL,BUY"), every(100, 45));
    EXPECT_GE(s.bars, 3);
    EXPECT_GE(s.fills, 2);
    for (const rh::SeenRequest& r : fake.requests())
        EXPECT_EQ(r.target.rfind("/api/v1/crypto/marketdata/best_bid_ask/", 0), 0u) << r.target;
    EXPECT_TRUE(fake.with_venue([](rh::FakeVenue& v) { return v.orders().empty(); }));
}

TEST_F(RobinhoodPipeline, ARobinhoodOnlyPipelineTradesOnItsOwnPrices) {
    fake.set_price_path("BTC-USD", {50000, 50100, 49900, 50200, 50050}, 10);
    const std::string feed =
        "{ use: robinhood_quotes, params: { " + credentials() + ", timeframe: 1s } }";
    core::RunSummary s = h.run(live(feed, "BUY,SELL,BUY"), every(100, 45));
    EXPECT_GE(s.fills, 2);
    rh::expect_journal_matches_venue(fake, h.journal_path(), 100000);
}

TEST_F(RobinhoodPipeline, TheExecutorRefusesAPaperPipeline) {
    const std::string paper =
        pipeline("paper", kCsv, "{ use: robinhood, params: { " + credentials() + " } }", "BUY");
    try {
        core::check_components(h.parse(paper));
        FAIL() << "a paper pipeline accepted the live executor";
    } catch (const std::exception& e) {
        EXPECT_NE(std::string(e.what()).find("mode: live"), std::string::npos) << e.what();
    }
}
