#include "temp_dir.hpp"

#include <orchestrade/core/journal.hpp>
#include <orchestrade/core/write_queue.hpp>

#include <SQLiteCpp/SQLiteCpp.h>
#include <SQLiteCpp/VariadicBind.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <stdexcept>
#include <thread>
#include <vector>

namespace orchestrade::core {
namespace {

using Durability = Journal::Durability;

// The message of the error opening path throws, or "" when it opens.
std::string open_error(const std::string& path) {
    try {
        Journal journal(path, Durability::Synchronous);
    } catch (const std::runtime_error& e) {
        return e.what();
    }
    return "";
}

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

OrderRecord intent(const std::string& client_order_id, int64_t run_id = 1) {
    OrderRecord o;
    o.client_order_id = client_order_id;
    o.run_id = run_id;
    o.created_ms = 1000;
    o.symbol = "BTC/USDT";
    o.qty = 0.5;
    return o;
}

SignalRecord buy_signal() {
    SignalRecord s;
    s.run_id = 1;
    s.symbol = "BTC/USDT";
    s.action = Action::Buy;
    return s;
}

std::set<std::string> open_ids(const Journal& journal) {
    std::set<std::string> ids;
    for (const auto& o : journal.open_orders())
        ids.insert(o.client_order_id);
    return ids;
}

TEST(Journal, CreatesTheSchemaInWalModeWithParentDirectories) {
    test::TempDir dir;
    const std::string path = dir.file("var/nested/run.db");
    {
        Journal journal(path, Durability::Synchronous);
        EXPECT_EQ(journal.path(), path);
        EXPECT_EQ(journal.schema_version(), Journal::kSchemaVersion);
    }
    SQLite::Database db(path);
    EXPECT_EQ(db.execAndGet("PRAGMA journal_mode").getString(), "wal");
    EXPECT_EQ(db.execAndGet("SELECT value FROM meta WHERE key = 'schema_version'").getInt(),
              Journal::kSchemaVersion);
    for (const char* table :
         {"meta", "runs", "signals", "orders", "order_events", "fills", "equity", "events", "kv",
          "sequences", "chart_bars", "positions", "cash_flows"})
        EXPECT_TRUE(db.tableExists(table)) << table;
}

TEST(Journal, RefusesANewerSchemaNamingBothVersions) {
    test::TempDir dir;
    const std::string path = dir.file("run.db");
    { Journal journal(path, Durability::Synchronous); }
    {
        SQLite::Database db(path, SQLite::OPEN_READWRITE);
        db.exec("UPDATE meta SET value = '" + std::to_string(Journal::kSchemaVersion + 1) +
                "' WHERE key = 'schema_version'");
    }
    const std::string error = open_error(path);
    EXPECT_TRUE(contains(error, path)) << error;
    EXPECT_TRUE(contains(error, "schema version " + std::to_string(Journal::kSchemaVersion + 1)))
        << error;
    EXPECT_TRUE(contains(error, "version " + std::to_string(Journal::kSchemaVersion))) << error;
}

TEST(Journal, NamesAFileThatIsNotADatabase) {
    test::TempDir dir;
    const std::string path = dir.file("notes.txt");
    std::ofstream(path) << std::string(4096, 'x');
    const std::string error = open_error(path);
    EXPECT_TRUE(contains(error, path)) << error;
    EXPECT_TRUE(contains(error, "not a SQLite database")) << error;
}

TEST(Journal, RefusesAnotherApplicationsDatabase) {
    test::TempDir dir;
    const std::string path = dir.file("other.db");
    {
        SQLite::Database db(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
        db.exec("CREATE TABLE customers (id INTEGER)");
    }
    const std::string error = open_error(path);
    EXPECT_TRUE(contains(error, "not an Orchestrade journal")) << error;
    SQLite::Database db(path);
    EXPECT_FALSE(db.tableExists("runs"));
}

class JournalDurability : public ::testing::TestWithParam<Durability> {};

TEST_P(JournalDurability, ReopeningKeepsEveryRecord) {
    test::TempDir dir;
    const std::string path = dir.file("run.db");
    int64_t run_id = 0, signal_id = 0;
    {
        Journal journal(path, GetParam());
        RunRecord run;
        run.pipeline_name = "btc-sma";
        run.mode = Mode::Paper;
        run.started_ms = 1700000000000;
        run.pipeline_yaml = "version: 1\n";
        run.starting_cash = 10000;
        run.bar_interval_s = 60;
        run_id = journal.begin_run(run);

        SignalRecord s;
        s.run_id = run_id;
        s.time_ms = 60000;
        s.symbol = "BTC/USDT";
        s.action = Action::Buy;
        s.size_pct = 20;
        s.stop_loss = 95;
        s.take_profit = 120;
        s.confidence = 0.75;
        s.reason = "fast crossed slow";
        s.metadata_json = R"({"fast":101.5,"slow":100.25})";
        signal_id = journal.record_signal(s);
        journal.set_signal_outcome(signal_id, "order");

        OrderRecord o = intent("c-1", run_id);
        o.signal_id = signal_id;
        o.side = Side::Sell;
        o.type = OT_ORDER_LIMIT;
        o.tif = OT_TIF_IOC;
        o.limit_price = 101;
        o.stop_loss = 95;
        o.take_profit = 120;
        o.flags = OT_ORDER_FLAG_REDUCE_ONLY;
        o.parent_client_order_id = "c-0";
        o.reason = "entry";
        journal.record_intent(o);
        journal.update_order("c-1", OrderState::Filled, 1500, "v-9", "", 0.5);

        FillRecord f{0, run_id, "c-1", "t-1", "BTC/USDT", Side::Sell, 0.5, 101.5, 0.05, 1400};
        EXPECT_TRUE(journal.record_fill(f));
        journal.record_equity(run_id, {60000, 10001.5, 9000});
        journal.record_event({0, run_id, 60000, "risk", "risk_refusal", R"({"rule":"max_dd"})"});
        journal.kv_set("strategy", "state", "warm");
        journal.save_metrics(run_id, R"({"sharpe":1.5})");
        journal.end_run(run_id, 1700000100000, "completed");
    }
    Journal journal(path, Durability::Synchronous);

    const auto run = journal.run(run_id);
    ASSERT_TRUE(run);
    EXPECT_EQ(run->pipeline_name, "btc-sma");
    EXPECT_EQ(run->mode, Mode::Paper);
    EXPECT_EQ(run->started_ms, 1700000000000);
    EXPECT_EQ(run->ended_ms, 1700000100000);
    EXPECT_EQ(run->status, "completed");
    EXPECT_EQ(run->pipeline_yaml, "version: 1\n");
    EXPECT_EQ(run->metrics_json, R"({"sharpe":1.5})");
    EXPECT_EQ(run->starting_cash, 10000);
    EXPECT_EQ(run->bar_interval_s, 60);

    const auto signals = journal.signals(run_id);
    ASSERT_EQ(signals.size(), 1u);
    EXPECT_EQ(signals[0].id, signal_id);
    EXPECT_EQ(signals[0].time_ms, 60000);
    EXPECT_EQ(signals[0].action, Action::Buy);
    EXPECT_EQ(signals[0].size_pct, 20);
    EXPECT_EQ(signals[0].stop_loss, 95);
    EXPECT_EQ(signals[0].take_profit, 120);
    EXPECT_EQ(signals[0].confidence, 0.75);
    EXPECT_EQ(signals[0].reason, "fast crossed slow");
    EXPECT_EQ(signals[0].metadata_json, R"({"fast":101.5,"slow":100.25})");
    EXPECT_EQ(signals[0].outcome, "order");

    const auto order = journal.order("c-1");
    ASSERT_TRUE(order);
    EXPECT_EQ(order->run_id, run_id);
    EXPECT_EQ(order->signal_id, signal_id);
    EXPECT_EQ(order->created_ms, 1000);
    EXPECT_EQ(order->updated_ms, 1500);
    EXPECT_EQ(order->side, Side::Sell);
    EXPECT_EQ(order->type, OT_ORDER_LIMIT);
    EXPECT_EQ(order->tif, OT_TIF_IOC);
    EXPECT_EQ(order->qty, 0.5);
    EXPECT_EQ(order->limit_price, 101);
    EXPECT_EQ(order->flags, OT_ORDER_FLAG_REDUCE_ONLY);
    EXPECT_EQ(order->parent_client_order_id, "c-0");
    EXPECT_EQ(order->reason, "entry");
    EXPECT_EQ(order->state, OrderState::Filled);
    EXPECT_EQ(order->venue_order_id, "v-9");
    EXPECT_EQ(order->filled_qty, 0.5);

    const auto fills = journal.fills(run_id);
    ASSERT_EQ(fills.size(), 1u);
    EXPECT_EQ(fills[0].trade_id, "t-1");
    EXPECT_EQ(fills[0].side, Side::Sell);
    EXPECT_EQ(fills[0].price, 101.5);
    EXPECT_EQ(fills[0].fee, 0.05);
    EXPECT_EQ(fills[0].time_ms, 1400);

    const auto equity = journal.equity(run_id);
    ASSERT_EQ(equity.size(), 1u);
    EXPECT_EQ(equity[0].equity, 10001.5);
    EXPECT_EQ(equity[0].cash, 9000);

    const auto events = journal.events(run_id, "risk_refusal");
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(events[0].source, "risk");
    EXPECT_EQ(events[0].json, R"({"rule":"max_dd"})");
    EXPECT_EQ(journal.kv_get("strategy", "state"), "warm");
}

INSTANTIATE_TEST_SUITE_P(BothModes, JournalDurability,
                         ::testing::Values(Durability::Synchronous, Durability::Batched),
                         [](const auto& info) {
                             return info.param == Durability::Batched ? "Batched" : "Synchronous";
                         });

TEST(Journal, ASynchronousIntentIsOnDiskWhenRecordIntentReturns) {
    test::TempDir dir;
    const std::string path = dir.file("run.db");
    Journal writer(path, Durability::Synchronous);
    writer.record_intent(intent("c-1"));
    Journal reader(path, Durability::Synchronous);
    EXPECT_TRUE(reader.order("c-1"));
}

// Another process (a backup, the sqlite3 shell in a transaction) holding the write lock for
// longer than SQLite's 5 s busy timeout: a paper or live journal waits for it.
TEST(Journal, ASynchronousWriteWaitsForALockHeldLongerThanFiveSeconds) {
    test::TempDir dir;
    const std::string path = dir.file("run.db");
    Journal journal(path, Durability::Synchronous);
    SQLite::Database other(path, SQLite::OPEN_READWRITE);
    other.exec("BEGIN IMMEDIATE");
    std::thread holder([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(5'500));
        other.exec("COMMIT");
    });
    const auto started = std::chrono::steady_clock::now();
    EXPECT_NO_THROW(journal.kv_set("executor", "state", "{}"));
    holder.join();
    EXPECT_GE(std::chrono::steady_clock::now() - started, std::chrono::milliseconds(5'000));
    EXPECT_EQ(journal.kv_get("executor", "state"), "{}");
}

// A write that gave up on the lock says why, and leaves the connection as it was: the next
// writes, of any table, commit once the lock is free (the failed statement held every later
// commit back: "cannot commit transaction - SQL statements in progress").
TEST(Journal, AWriteThatGaveUpOnALockNamesItAndTheNextWritesGoThrough) {
    test::TempDir dir;
    const std::string path = dir.file("run.db");
    Journal journal(path, Durability::Synchronous);
    journal.set_lock_wait(std::chrono::milliseconds(20), std::chrono::milliseconds(100));
    SQLite::Database other(path, SQLite::OPEN_READWRITE);
    other.exec("BEGIN IMMEDIATE");
    try {
        journal.kv_set("executor", "state", "{}");
        FAIL() << "wrote through another process's lock";
    } catch (const std::runtime_error& e) {
        EXPECT_TRUE(contains(e.what(), "journal '" + path +
                                           "': database is locked: another process holds the "
                                           "journal"))
            << e.what();
    }
    other.exec("COMMIT");
    EXPECT_NO_THROW(journal.record_event({0, 1, 1, "core", "executor_error", "{}"}));
    EXPECT_NO_THROW(journal.record_intent(intent("c-1")));
    EXPECT_NO_THROW(journal.kv_set("executor", "state", "{}"));
    EXPECT_TRUE(journal.order("c-1"));
    EXPECT_EQ(journal.kv_get("executor", "state"), "{}");
}

TEST(Journal, ABatchedIntentIsCommittedWithItsBatch) {
    test::TempDir dir;
    const std::string path = dir.file("run.db");
    Journal writer(path, Durability::Batched);
    writer.begin_batch();
    writer.record_intent(intent("c-1"));
    writer.record_equity(1, {60000, 100, 100});

    Journal reader(path, Durability::Synchronous);
    EXPECT_FALSE(reader.order("c-1"));
    writer.commit_batch();
    EXPECT_TRUE(reader.order("c-1"));
    EXPECT_EQ(reader.equity().size(), 1u);
}

TEST(Journal, BatchedWritesAreInvisibleToOthersUntilCommitted) {
    test::TempDir dir;
    const std::string path = dir.file("run.db");
    Journal writer(path, Durability::Batched);
    Journal reader(path, Durability::Synchronous);
    for (int i = 0; i < Journal::kBatchRows; ++i) {
        writer.record_equity(1, {i, 100, 100});
        if (i == 10) {
            writer.flush();  // written, not committed
            EXPECT_TRUE(reader.equity().empty());
            EXPECT_EQ(writer.equity().size(), 11u);  // the writer reads its own batch
        }
    }
    writer.flush();
    EXPECT_EQ(reader.equity().size(), static_cast<size_t>(Journal::kBatchRows));  // auto-commit
    writer.record_equity(1, {Journal::kBatchRows, 100, 100});
    writer.flush();
    EXPECT_EQ(reader.equity().size(), static_cast<size_t>(Journal::kBatchRows));
}

TEST(Journal, BatchedSignalIdsCountOnFromTheTable) {
    test::TempDir dir;
    const std::string path = dir.file("run.db");
    SignalRecord s = buy_signal();
    {
        Journal first(path, Durability::Synchronous);
        EXPECT_EQ(first.record_signal(s), 1);
        EXPECT_EQ(first.record_signal(s), 2);
    }
    Journal batched(path, Durability::Batched);
    EXPECT_EQ(batched.record_signal(s), 3);
    s.action = Action::Sell;
    EXPECT_EQ(batched.record_signal(s), 4);
    batched.set_signal_outcome(4, "order");
    const auto signals = batched.signals();
    ASSERT_EQ(signals.size(), 4u);
    EXPECT_EQ(signals[3].id, 4);
    EXPECT_EQ(signals[3].action, Action::Sell);
    EXPECT_EQ(signals[3].outcome, "order");
}

TEST(Journal, ARowThatFailsWhileWaitingForItsMultiRowInsertFailsTheBatchedJournal) {
    // A batched signal waits on the writer for more rows to share its INSERT. If another
    // connection takes its id meanwhile, the read that makes it go in gets the write's error,
    // and so does every later call.
    test::TempDir dir;
    const std::string path = dir.file("run.db");
    SignalRecord s = buy_signal();
    Journal batched(path, Durability::Batched);
    ASSERT_EQ(batched.record_signal(s), 1);
    {
        Journal other(path, Durability::Synchronous);
        ASSERT_EQ(other.record_signal(s), 1);
    }
    try {
        batched.signals();
        FAIL() << "the signal's id was taken, yet its row went in";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("a write failed"), std::string::npos) << e.what();
    }
    EXPECT_THROW(batched.record_equity(1, {60000, 100, 100}), std::runtime_error);
}

TEST(Journal, ABatchedWriteThatFailsFailsEveryLaterCall) {
    test::TempDir dir;
    Journal journal(dir.file("run.db"), Durability::Batched);
    journal.record_intent(intent("c-1"));
    journal.record_intent(intent("c-1"));  // the same client order id: refused by the table
    journal.record_equity(1, {60000, 100, 100});
    try {
        journal.flush();
        FAIL() << "the failed write was not reported";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("a write failed"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("run.db"), std::string::npos) << e.what();
    }
    EXPECT_THROW(journal.record_equity(1, {120000, 100, 100}), std::runtime_error);
    EXPECT_THROW(journal.orders(), std::runtime_error);
}

TEST(Journal, ABatchedJournalKeepsEveryRowOfManyOrdersAndSamplesInOrder) {
    // More rows than one multi-row INSERT takes, and a remainder: 100 of each; the chart's
    // second symbol fills its INSERTs at other moments than the rest.
    test::TempDir dir;
    const std::string path = dir.file("run.db");
    std::vector<int64_t> signal_ids;
    {
        Journal journal(path, Durability::Batched);
        for (int i = 0; i < 100; ++i) {
            SignalRecord s;
            s.run_id = 1;
            s.time_ms = i;
            s.symbol = "BTC/USDT";
            s.action = i % 2 ? Action::Sell : Action::Buy;
            s.reason = "crossed " + std::to_string(i);
            s.metadata_json = i % 3 ? "" : R"({"i":)" + std::to_string(i) + "}";
            signal_ids.push_back(journal.record_signal(s));
            OrderRecord o = intent("c-" + std::to_string(i));
            o.signal_id = signal_ids.back();
            o.state = OrderState::Filled;
            o.filled_qty = 0.5;
            journal.record_order(o);
            FillRecord f{0,         1,   o.client_order_id, "t-1", "BTC/USDT",
                         Side::Buy, 0.5, 100.0 + i,         0.1,   1000 + i};
            journal.record_fill(f);
            journal.record_fill(f);  // a repeat: its row is not written twice
            journal.record_equity(1, {3600000LL * i, 1000.0 + i, 500.0 + i});
            journal.record_chart_bar(1, {"BTC/USDT", 3600000LL * i, 1, 2, 0.5, 1.0 + i});
            if (i % 3 == 0) journal.record_chart_bar(1, {"ETH/USDT", 3600000LL * i, 1, 2, 0.5, 1});
        }
        journal.set_signal_outcome(signal_ids.back(), "rejected: no");  // possibly still pending
        journal.record_chart_bar(1, {"ETH/USDT", 0, 1, 9, 0.5, 7});     // the same period, again
    }
    Journal reader(path, Durability::Synchronous);
    const auto signals = reader.signals();
    const auto orders = reader.orders();
    const auto fills = reader.fills();
    ASSERT_EQ(signals.size(), 100u);
    ASSERT_EQ(orders.size(), 100u);
    ASSERT_EQ(fills.size(), 100u);
    for (std::size_t i = 0; i < 100; ++i) {
        EXPECT_EQ(signals[i].id, signal_ids[i]);
        EXPECT_EQ(signals[i].time_ms, static_cast<int64_t>(i));
        EXPECT_EQ(signals[i].reason, "crossed " + std::to_string(i));
        EXPECT_EQ(signals[i].metadata_json, i % 3 ? "{}" : R"({"i":)" + std::to_string(i) + "}");
        EXPECT_EQ(orders[i].client_order_id, "c-" + std::to_string(i));
        EXPECT_EQ(orders[i].state, OrderState::Filled);
        EXPECT_EQ(orders[i].signal_id, signal_ids[i]);
        EXPECT_EQ(fills[i].client_order_id, "c-" + std::to_string(i));
        EXPECT_EQ(fills[i].price, 100.0 + static_cast<double>(i));
        EXPECT_EQ(fills[i].time_ms, 1000 + static_cast<int64_t>(i));
    }
    EXPECT_EQ(signals.back().outcome, "rejected: no");

    const auto equity = reader.equity(1);
    const auto chart = reader.chart_bars(1);  // by symbol, then time
    ASSERT_EQ(equity.size(), 100u);
    ASSERT_EQ(chart.size(), 134u);
    for (std::size_t i = 0; i < 100; ++i) {
        EXPECT_EQ(equity[i].time_ms, 3600000 * static_cast<int64_t>(i));
        EXPECT_EQ(equity[i].equity, 1000.0 + static_cast<double>(i));
        EXPECT_EQ(equity[i].cash, 500.0 + static_cast<double>(i));
        EXPECT_EQ(chart[i].symbol, "BTC/USDT");
        EXPECT_EQ(chart[i].time_ms, 3600000 * static_cast<int64_t>(i));
        EXPECT_EQ(chart[i].close, 1.0 + static_cast<double>(i));
    }
    EXPECT_EQ(chart[100].symbol, "ETH/USDT");
    EXPECT_EQ(chart[100].high, 9);  // the later row of a period replaces the earlier one
    EXPECT_EQ(chart[100].close, 7);
    EXPECT_EQ(chart[133].time_ms, 3600000LL * 99);
}

TEST(Journal, ABatchedJournalDoesNotHoldMoreThanItsQueueBound) {
    test::TempDir dir;
    Journal journal(dir.file("run.db"), Durability::Batched);
    // Many more writes than the queue holds: push blocks until the writer catches up, and
    // every row arrives in order.
    const int rows = static_cast<int>(WriteQueue<int>::kMaxWaiting) * 3;
    for (int i = 0; i < rows; ++i)
        journal.record_equity(1, {i, static_cast<double>(i), 0});
    const auto equity = journal.equity(1);
    ASSERT_EQ(equity.size(), static_cast<size_t>(rows));
    for (int i = 0; i < rows; ++i)
        ASSERT_EQ(equity[static_cast<size_t>(i)].time_ms, i);
}

TEST(Journal, ClosingABatchedJournalCommitsItsLastBatch) {
    test::TempDir dir;
    const std::string path = dir.file("run.db");
    {
        Journal journal(path, Durability::Batched);
        journal.begin_batch();
        journal.record_equity(1, {60000, 101, 100});
        journal.kv_set("feed", "cursor", "42");
    }
    Journal journal(path, Durability::Batched);
    EXPECT_EQ(journal.equity(1).size(), 1u);
    EXPECT_EQ(journal.kv_get("feed", "cursor"), "42");
}

TEST(Journal, AFillAndItsOrderUpdateAreWrittenTogetherOrNotAtAll) {
    test::TempDir dir;
    Journal journal(dir.file("run.db"), Durability::Synchronous);
    journal.record_intent(intent("c-1"));
    FillRecord f{0, 1, "c-1", "t-1", "BTC/USDT", Side::Buy, 0.5, 100, 0.1, 1000};
    EXPECT_TRUE(journal.record_fill_and_order(f, OrderState::Filled, 1000, "v-1", 0.5));
    EXPECT_EQ(journal.order("c-1")->state, OrderState::Filled);
    EXPECT_EQ(journal.order("c-1")->filled_qty, 0.5);
    EXPECT_EQ(journal.order("c-1")->venue_order_id, "v-1");
    // The same trade again: nothing is written, the order keeps its state.
    EXPECT_FALSE(journal.record_fill_and_order(f, OrderState::PartiallyFilled, 2000, "", 1));
    EXPECT_EQ(journal.order("c-1")->filled_qty, 0.5);
    // The order update fails (no such order): the fill does not stay without it.
    FillRecord orphan{0, 1, "c-9", "t-9", "BTC/USDT", Side::Buy, 1, 100, 0.1, 3000};
    EXPECT_THROW(journal.record_fill_and_order(orphan, OrderState::Filled, 3000, "", 1),
                 std::runtime_error);
    ASSERT_EQ(journal.fills().size(), 1u);
    EXPECT_EQ(journal.fills()[0].trade_id, "t-1");
}

TEST(Journal, DropsADuplicateFill) {
    test::TempDir dir;
    Journal journal(dir.file("run.db"), Durability::Synchronous);
    FillRecord f{0, 1, "c-1", "t-1", "BTC/USDT", Side::Buy, 1, 100, 0.1, 1000};
    EXPECT_TRUE(journal.record_fill(f));
    f.price = 999;  // a replayed report: same order, same venue trade id
    EXPECT_FALSE(journal.record_fill(f));
    f.trade_id = "t-2";
    EXPECT_TRUE(journal.record_fill(f));
    f.client_order_id = "c-2";
    f.trade_id = "t-1";  // trade ids are unique per order only
    EXPECT_TRUE(journal.record_fill(f));

    const auto fills = journal.fills();
    ASSERT_EQ(fills.size(), 3u);
    EXPECT_EQ(fills[0].price, 100);
    EXPECT_EQ(fills[1].trade_id, "t-2");
    EXPECT_EQ(fills[2].client_order_id, "c-2");
}

namespace {

int64_t begin_run(Journal& journal, Mode mode) {
    RunRecord run;
    run.pipeline_name = "funding";
    run.mode = mode;
    return journal.begin_run(run);
}

}  // namespace

TEST_P(JournalDurability, RecordsACashFlowOncePerKindAndIdInAnAccount) {
    test::TempDir dir;
    Journal journal(dir.file("run.db"), GetParam());
    const int64_t paper = begin_run(journal, Mode::Paper);
    journal.begin_batch();
    CashFlowRecord c{0, paper, 1000, "BTC/USDT", "funding", -1.5, "9689322392"};
    EXPECT_TRUE(journal.record_cash_flow(c));
    c.amount = -99;  // reported again after a restart: the same flow
    EXPECT_FALSE(journal.record_cash_flow(c));
    c.kind = "interest";  // another kind's id space
    EXPECT_TRUE(journal.record_cash_flow(c));
    journal.commit_batch();

    // A paper run resumes the paper account: a flow it knows stays known.
    const int64_t resumed = begin_run(journal, Mode::Paper);
    c.run_id = resumed;
    c.kind = "funding";
    EXPECT_FALSE(journal.record_cash_flow(c));
    c.ref = "9689322393";
    EXPECT_TRUE(journal.record_cash_flow(c));
    // Live trades another account; each backtest is an account of its own.
    c.run_id = begin_run(journal, Mode::Live);
    EXPECT_TRUE(journal.record_cash_flow(c));
    for (int i = 0; i < 2; ++i) {
        c.run_id = begin_run(journal, Mode::Backtest);
        EXPECT_TRUE(journal.record_cash_flow(c)) << "backtest " << i;
        EXPECT_FALSE(journal.record_cash_flow(c)) << "backtest " << i;
    }
    c.run_id = 99;
    EXPECT_THROW(journal.record_cash_flow(c), std::runtime_error);

    const auto first = journal.cash_flows(paper);
    ASSERT_EQ(first.size(), 2u);
    EXPECT_DOUBLE_EQ(first[0].amount, -1.5);
    EXPECT_EQ(first[0].symbol, "BTC/USDT");
    EXPECT_EQ(first[0].time_ms, 1000);
    EXPECT_EQ(first[1].kind, "interest");
    EXPECT_EQ(journal.cash_flows(resumed).size(), 1u);
    EXPECT_EQ(journal.cash_flows().size(), 6u);
}

TEST(Journal, MigratesASchema3JournalKeepingItsRows) {
    test::TempDir dir;
    const std::string path = dir.file("run.db");
    {
        Journal journal(path, Durability::Synchronous);
        journal.record_fill({0, 1, "c-1", "t-1", "BTC/USDT", Side::Buy, 1, 100, 0.1, 1000});
    }
    {  // what a build of schema 3 left
        SQLite::Database db(path, SQLite::OPEN_READWRITE);
        db.exec("DROP TABLE cash_flows");
        db.exec("UPDATE meta SET value = '3' WHERE key = 'schema_version'");
    }
    Journal journal(path, Durability::Synchronous);
    EXPECT_EQ(journal.schema_version(), Journal::kSchemaVersion);
    EXPECT_EQ(journal.fills().size(), 1u);
    const int64_t run = begin_run(journal, Mode::Paper);
    EXPECT_TRUE(journal.record_cash_flow({0, run, 2000, "BTC/USDT", "funding", 0.3, "1"}));
    EXPECT_EQ(journal.cash_flows().size(), 1u);
}

// Schema 4 knew a flow once per journal; its rows keep their ids and go to their run's account.
// Schema 5 kept one risk state per journal; it was the latest paper or live run's.
TEST(Journal, MigratesASchema5JournalsRiskStateToTheAccountOfItsLatestBot) {
    test::TempDir dir;
    const std::string path = dir.file("run.db");
    {
        Journal journal(path, Durability::Synchronous);
        begin_run(journal, Mode::Paper);
        begin_run(journal, Mode::Live);
        begin_run(journal, Mode::Backtest);
        journal.kv_set("core", "risk_state", R"({"state":"HALTED"})");
        journal.kv_set("core", "trigger:open", "1000");
    }
    {
        SQLite::Database db(path, SQLite::OPEN_READWRITE);
        db.exec("UPDATE meta SET value = '5' WHERE key = 'schema_version'");
    }
    Journal journal(path, Durability::Synchronous);
    EXPECT_EQ(journal.schema_version(), Journal::kSchemaVersion);
    EXPECT_FALSE(journal.kv_get("core", "risk_state"));
    EXPECT_EQ(journal.kv_get("core", "risk_state:live"), R"({"state":"HALTED"})");
    EXPECT_FALSE(journal.kv_get("core", "risk_state:paper"));
    EXPECT_EQ(journal.kv_get("core", "trigger:open"), "1000");
}

// Schema 6 kept one state per plugin instance for every mode; it was the latest bot's.
TEST(Journal, MigratesASchema6JournalsPluginStateToTheModeOfItsLatestBot) {
    test::TempDir dir;
    for (const Mode latest_bot : {Mode::Live, Mode::Backtest}) {
        const std::string path = dir.file(std::string(to_string(latest_bot)) + ".db");
        {
            Journal journal(path, Durability::Synchronous);
            if (latest_bot == Mode::Live) {
                begin_run(journal, Mode::Paper);
                begin_run(journal, Mode::Live);
            }
            begin_run(journal, Mode::Backtest);
            journal.kv_set("executor:org.orchestrade.binance", "state", "orders");
            journal.kv_set("core", "trigger:open", "1000");
        }
        {
            SQLite::Database db(path, SQLite::OPEN_READWRITE);
            db.exec("UPDATE meta SET value = '6' WHERE key = 'schema_version'");
        }
        Journal journal(path, Durability::Synchronous);
        EXPECT_EQ(journal.schema_version(), Journal::kSchemaVersion);
        const std::string mode(to_string(latest_bot));
        EXPECT_EQ(journal.kv_get(mode + "/executor:org.orchestrade.binance", "state"), "orders");
        EXPECT_FALSE(journal.kv_get("executor:org.orchestrade.binance", "state"));
        EXPECT_FALSE(journal.kv_get("paper/executor:org.orchestrade.binance", "state"));
        EXPECT_EQ(journal.kv_get("core", "trigger:open"), "1000");
    }
}

TEST(Journal, MigratesASchema4JournalsCashFlowsToTheirAccounts) {
    test::TempDir dir;
    const std::string path = dir.file("run.db");
    int64_t paper = 0, backtest = 0;
    {
        Journal journal(path, Durability::Synchronous);
        paper = begin_run(journal, Mode::Paper);
        backtest = begin_run(journal, Mode::Backtest);
    }
    {  // what a build of schema 4 left
        SQLite::Database db(path, SQLite::OPEN_READWRITE);
        db.exec("DROP TABLE cash_flows");
        db.exec(R"sql(
CREATE TABLE cash_flows (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id INTEGER NOT NULL,
    time_ms INTEGER NOT NULL,
    symbol TEXT NOT NULL,
    kind TEXT NOT NULL,
    amount REAL NOT NULL,
    ref TEXT NOT NULL,
    UNIQUE (kind, ref));
CREATE INDEX cash_flows_run ON cash_flows(run_id);)sql");
        SQLite::Statement insert(db,
                                 "INSERT INTO cash_flows (id, run_id, time_ms, symbol, kind, "
                                 "amount, ref) VALUES (?, ?, 1000, 'BTC/USDT', 'funding', ?, ?)");
        SQLite::bind(insert, 7, paper, -1.0, "p-1");
        insert.exec();
        insert.reset();
        SQLite::bind(insert, 8, backtest, -2.0, "b-1");
        insert.exec();
        db.exec("UPDATE meta SET value = '4' WHERE key = 'schema_version'");
    }
    Journal journal(path, Durability::Synchronous);
    EXPECT_EQ(journal.schema_version(), Journal::kSchemaVersion);
    const auto flows = journal.cash_flows();
    ASSERT_EQ(flows.size(), 2u);
    EXPECT_EQ(flows[0].id, 7);
    EXPECT_EQ(flows[0].ref, "p-1");
    EXPECT_EQ(flows[1].run_id, backtest);
    EXPECT_DOUBLE_EQ(flows[1].amount, -2.0);
    const int64_t resumed = begin_run(journal, Mode::Paper);
    EXPECT_FALSE(journal.record_cash_flow({0, resumed, 2000, "BTC/USDT", "funding", -1, "p-1"}));
    const int64_t again = begin_run(journal, Mode::Backtest);
    EXPECT_TRUE(journal.record_cash_flow({0, again, 2000, "BTC/USDT", "funding", -2, "b-1"}));
    EXPECT_GT(journal.cash_flows(again).at(0).id, 8) << "an id was handed out twice";
}

TEST(Journal, ExistingAndReadOnlyOpensLeaveAFileThatIsNotAJournalAsItIs) {
    test::TempDir dir;
    const std::string empty = dir.file("empty.db");
    std::ofstream{empty};
    const std::string other = dir.file("other.db");
    {
        SQLite::Database(other, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE)
            .exec("CREATE TABLE t (x)");
    }
    const auto other_size = std::filesystem::file_size(other);
    for (auto access : {Journal::Access::Existing, Journal::Access::ReadOnly}) {
        EXPECT_THROW(Journal(empty, Durability::Synchronous, access), std::runtime_error);
        EXPECT_EQ(std::filesystem::file_size(empty), 0u);
        try {
            Journal j(other, Durability::Synchronous, access);
            FAIL() << "opened a database that is not a journal";
        } catch (const std::runtime_error& e) {
            EXPECT_NE(std::string(e.what()).find("not an Orchestrade journal"), std::string::npos);
        }
        EXPECT_EQ(std::filesystem::file_size(other), other_size);
        EXPECT_THROW(Journal(dir.file("missing.db"), Durability::Synchronous, access),
                     std::runtime_error);
        EXPECT_FALSE(std::filesystem::exists(dir.file("missing.db")));
    }
}

TEST(Journal, AReadOnlyOpenOfAnOlderSchemaMigratesItFirst) {
    test::TempDir dir;
    const std::string path = dir.file("run.db");
    {
        Journal journal(path, Durability::Synchronous);
        journal.record_fill({0, 1, "c-1", "t-1", "BTC/USDT", Side::Buy, 1, 100, 0.1, 1000});
    }
    {
        SQLite::Database db(path, SQLite::OPEN_READWRITE);
        db.exec("DROP TABLE cash_flows");
        db.exec("UPDATE meta SET value = '3' WHERE key = 'schema_version'");
    }
    Journal journal(path, Durability::Synchronous, Journal::Access::ReadOnly);
    EXPECT_EQ(journal.schema_version(), Journal::kSchemaVersion);
    EXPECT_EQ(journal.fills().size(), 1u);
    EXPECT_TRUE(journal.cash_flows().empty());
}

TEST(Journal, KeepsFillsWithoutATradeId) {
    test::TempDir dir;
    Journal journal(dir.file("run.db"), Durability::Synchronous);
    FillRecord f{0, 1, "c-1", "", "BTC/USDT", Side::Buy, 1, 100, 0, 1000};
    EXPECT_TRUE(journal.record_fill(f));
    EXPECT_TRUE(journal.record_fill(f));
    ASSERT_EQ(journal.fills().size(), 2u);
    EXPECT_EQ(journal.fills()[0].trade_id, "");
}

TEST(Journal, OpenOrdersFollowStateChanges) {
    test::TempDir dir;
    Journal journal(dir.file("run.db"), Durability::Synchronous);
    for (const char* id : {"a", "b", "c", "d", "e", "f"})
        journal.record_intent(intent(id));
    journal.update_order("a", OrderState::Accepted, 2000, "v-a", "");
    journal.update_order("b", OrderState::Filled, 2000, "v-b", "", 0.5);
    journal.update_order("c", OrderState::Rejected, 2000, "", "insufficient balance");
    journal.update_order("e", OrderState::PartiallyFilled, 2000, "v-e", "", 0.2);
    journal.update_order("f", OrderState::Unknown, 2000, "", "timeout after send");
    EXPECT_EQ(open_ids(journal), (std::set<std::string>{"a", "d", "e", "f"}));

    journal.update_order("a", OrderState::Canceled, 3000, "", "user");
    journal.update_order("e", OrderState::Expired, 3000, "", "");
    EXPECT_EQ(open_ids(journal), (std::set<std::string>{"d", "f"}));
}

TEST(Journal, UpdateOrderKeepsWhatItIsNotGiven) {
    test::TempDir dir;
    const std::string path = dir.file("run.db");
    Journal journal(path, Durability::Synchronous);
    journal.record_intent(intent("c-1"));
    journal.update_order("c-1", OrderState::PartiallyFilled, 2000, "v-1", "", 0.2);
    journal.update_order("c-1", OrderState::Canceled, 3000, "", "user cancel");
    journal.update_order("c-1", OrderState::Canceled, 3500, "", "");

    const auto o = journal.order("c-1");
    ASSERT_TRUE(o);
    EXPECT_EQ(o->state, OrderState::Canceled);
    EXPECT_EQ(o->created_ms, 1000);
    EXPECT_EQ(o->updated_ms, 3500);
    EXPECT_EQ(o->filled_qty, 0.2);
    EXPECT_EQ(o->venue_order_id, "v-1");
    EXPECT_EQ(o->text, "user cancel");

    SQLite::Database db(path);
    SQLite::Statement q(db,
                        "SELECT state, time_ms, venue_order_id, text FROM order_events "
                        "WHERE client_order_id = 'c-1' ORDER BY id");
    std::vector<std::string> history;
    while (q.executeStep())
        history.push_back(q.getColumn(0).getString() + "@" + q.getColumn(1).getString() + " " +
                          q.getColumn(2).getString() + " " + q.getColumn(3).getString());
    EXPECT_EQ(history, (std::vector<std::string>{"intent@1000  ", "partially_filled@2000 v-1 ",
                                                 "canceled@3000  user cancel", "canceled@3500  "}));

    EXPECT_THROW(journal.update_order("nope", OrderState::Filled, 1, "", ""), std::runtime_error);
}

TEST(Journal, RefusesASecondIntentWithTheSameClientOrderId) {
    test::TempDir dir;
    Journal journal(dir.file("run.db"), Durability::Synchronous);
    journal.record_intent(intent("c-1"));
    EXPECT_THROW(journal.record_intent(intent("c-1")), std::runtime_error);
    EXPECT_EQ(journal.orders().size(), 1u);
}

TEST(Journal, SequencesCountOnAcrossRestarts) {
    test::TempDir dir;
    const std::string path = dir.file("run.db");
    {
        Journal journal(path, Durability::Batched);
        EXPECT_EQ(journal.next_sequence("orders"), 1);
        EXPECT_EQ(journal.next_sequence("orders"), 2);
        EXPECT_EQ(journal.next_sequence("other"), 1);
        EXPECT_EQ(journal.next_sequence("orders"), 3);
    }
    Journal journal(path, Durability::Synchronous);
    EXPECT_EQ(journal.next_sequence("orders"), 4);
    EXPECT_EQ(journal.next_sequence("other"), 2);
}

TEST(Journal, SequencesAreSharedByThreadsAndConnections) {
    test::TempDir dir;
    const std::string path = dir.file("run.db");
    Journal first(path, Durability::Synchronous);
    Journal second(path, Durability::Synchronous);
    EXPECT_EQ(first.next_sequence("orders"), 1);
    EXPECT_EQ(second.next_sequence("orders"), 2);
    EXPECT_EQ(first.next_sequence("orders"), 3);

    Journal batched(dir.file("batched.db"), Durability::Batched);
    std::vector<int64_t> values[4];
    std::vector<std::thread> threads;
    for (auto& mine : values)
        threads.emplace_back([&batched, &mine] {
            for (int i = 0; i < 250; ++i)
                mine.push_back(batched.next_sequence("orders"));
        });
    for (auto& t : threads)
        t.join();
    std::set<int64_t> all;
    for (const auto& mine : values)
        all.insert(mine.begin(), mine.end());
    EXPECT_EQ(all.size(), 1000u);
    EXPECT_EQ(*all.begin(), 1);
    EXPECT_EQ(*all.rbegin(), 1000);
}

TEST(Journal, KeyValueStateRoundTrips) {
    test::TempDir dir;
    const std::string path = dir.file("run.db");
    const std::string binary("a\0b\xff", 4);
    {
        Journal journal(path, Durability::Synchronous);
        EXPECT_FALSE(journal.kv_get("strategy", "k"));
        journal.kv_set("strategy", "k", "one");
        journal.kv_set("strategy", "k", "two");
        journal.kv_set("feed", "k", binary);
        journal.kv_set("feed", "empty", "");
        EXPECT_EQ(journal.kv_get("strategy", "k"), "two");
    }
    Journal journal(path, Durability::Synchronous);
    EXPECT_EQ(journal.kv_get("strategy", "k"), "two");
    EXPECT_EQ(journal.kv_get("feed", "k"), binary);
    EXPECT_EQ(journal.kv_get("feed", "empty"), "");
    EXPECT_FALSE(journal.kv_get("feed", "missing"));
}

TEST(Journal, RunsAreListedInOrderAndQueriesFilterByRun) {
    test::TempDir dir;
    Journal journal(dir.file("run.db"), Durability::Synchronous);
    EXPECT_FALSE(journal.last_run());
    RunRecord run;
    run.pipeline_name = "first";
    const int64_t first = journal.begin_run(run);
    run.pipeline_name = "second";
    run.mode = Mode::Live;
    const int64_t second = journal.begin_run(run);

    EXPECT_EQ(journal.first_run()->id, first);
    EXPECT_EQ(journal.last_run()->pipeline_name, "second");
    EXPECT_EQ(journal.last_run()->status, "running");
    EXPECT_EQ(journal.last_run()->metrics_json, "{}");
    ASSERT_EQ(journal.runs().size(), 2u);
    EXPECT_EQ(journal.runs()[1].mode, Mode::Live);
    EXPECT_FALSE(journal.run(second + 1));

    SignalRecord s;
    s.run_id = first;
    journal.record_signal(s);
    s.run_id = second;
    journal.record_signal(s);
    journal.record_signal(s);
    EXPECT_EQ(journal.signal_count(first), 1);
    EXPECT_EQ(journal.signal_count(second), 2);
    EXPECT_EQ(journal.signal_count(), 3);
    EXPECT_EQ(journal.signals(second)[0].metadata_json, "{}");

    journal.record_intent(intent("x", first));
    journal.record_intent(intent("y", second));
    ASSERT_EQ(journal.orders(second).size(), 1u);
    EXPECT_EQ(journal.orders(second)[0].client_order_id, "y");
    EXPECT_EQ(journal.orders().size(), 2u);

    journal.record_equity(first, {1, 10, 10});
    journal.record_equity(second, {2, 20, 20});
    ASSERT_EQ(journal.equity(second).size(), 1u);
    EXPECT_EQ(journal.equity(second)[0].equity, 20);

    journal.record_event({0, first, 1, "core", "a", "{}"});
    journal.record_event({0, second, 2, "core", "a", "{}"});
    journal.record_event({0, second, 3, "core", "b", "{}"});
    EXPECT_EQ(journal.events().size(), 3u);
    EXPECT_EQ(journal.events(second).size(), 2u);
    EXPECT_EQ(journal.events(0, "a").size(), 2u);
    EXPECT_EQ(journal.events(second, "b").size(), 1u);
}

TEST(Journal, ReadingAJournalLeavesNoWalOrShmFileBehind) {
    test::TempDir dir;
    const std::string path = dir.file("run.db");
    { Journal journal(path, Durability::Synchronous); }
    ASSERT_FALSE(std::filesystem::exists(path + "-wal"));
    Journal::check(path);
    { Journal journal(path, Durability::Synchronous, Journal::Access::ReadOnly); }
    EXPECT_FALSE(std::filesystem::exists(path + "-wal"));
    EXPECT_FALSE(std::filesystem::exists(path + "-shm"));
}

}  // namespace
}  // namespace orchestrade::core
