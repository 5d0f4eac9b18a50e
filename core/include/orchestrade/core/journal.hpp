// The run journal: one SQLite database (WAL) per pipeline. Every order intent is written here
// before the executor sees it; on restart the engine rebuilds its state from it.
#pragma once

#include <orchestrade/core/types.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace SQLite {
class Database;
}

namespace orchestrade::core {

struct RunRecord {
    int64_t id = 0;
    std::string pipeline_name;
    Mode mode = Mode::Backtest;
    int64_t started_ms = 0;  // wall clock
    int64_t ended_ms = 0;    // 0 while running
    std::string status;      // "running", "completed", "stopped", "failed: ..."
    std::string pipeline_yaml;
    std::string metrics_json;  // last saved metrics, "{}" until then
    double starting_cash = 0;
    int32_t bar_interval_s = 0;
};

// One candle of a report chart: the bars of a symbol aggregated over a period.
struct ChartBar {
    std::string symbol;
    int64_t time_ms = 0;  // the period's start
    double open = 0, high = 0, low = 0, close = 0;
};

struct EventRecord {
    int64_t id = 0;
    int64_t run_id = 0;
    int64_t time_ms = 0;
    std::string source;  // "core", "risk", "strategy", plugin instance name...
    std::string kind;    // "risk_refusal", "strategy_error", "llm_call", ...
    std::string json;
};

template <class Job>
class WriteQueue;
class JournalLockWait;

// Every member is thread-safe: calls are serialized on the one connection.
class Journal {
  public:
    // Durability: Synchronous (paper/live; every write on disk before it returns, WAL +
    // synchronous=FULL) or Batched (backtest; writes run on a writer thread, in order, grouped
    // in transactions, see begin_batch). A Batched write that fails makes every later call
    // throw that error. Reads see every write made before them, in both modes.
    enum class Durability { Synchronous, Batched };
    static constexpr int kSchemaVersion = 7;
    // Batched mode commits the open batch after this many written rows.
    static constexpr int kBatchRows = 10000;

    // What opening may do to the file. Create: open or create it (parent directories too) and
    // migrate an older schema. Existing: the file must already be an Orchestrade journal (an
    // older schema is migrated); nothing is created and a file that is not a journal is left as
    // it is. ReadOnly: as Existing, but the connection is read-only (a journal of an older schema
    // is migrated first, by a read-write connection that is closed again).
    enum class Access { Create, Existing, ReadOnly };

    // Opens the database at path as `access` says. Throws std::runtime_error with the path in the
    // message on failure, when the file is not an Orchestrade journal, or when it has a newer
    // schema than this build knows.
    Journal(const std::string& path, Durability durability, Access access = Access::Create);
    // Throws as the constructor would when `path` is not a journal this build can open. Reads
    // only: a journal of an older schema is left as it is, for the next run to migrate.
    static void check(const std::string& path);
    ~Journal();
    Journal(const Journal&) = delete;
    Journal& operator=(const Journal&) = delete;

    const std::string& path() const { return path_; }
    // Synchronous: a write lock another process holds is waited for up to give_up_after (60 s),
    // with a warning after warn_after (5 s); a write that gives up throws "database is locked:
    // another process holds the journal". Batched journals wait 5 s.
    void set_lock_wait(std::chrono::milliseconds warn_after,
                       std::chrono::milliseconds give_up_after);
    int schema_version() const;

    // Batched durability: groups writes into one transaction until commit_batch (or until
    // kBatchRows writes). A write outside a batch opens one, so a Batched journal never commits
    // row by row; the destructor commits what is left. An open batch holds the database's write
    // lock: other connections can read (what was committed) but their writes wait. Batched
    // commits survive a crash of the process but, without syncs (synchronous=OFF), not
    // necessarily a power loss. No-ops in Synchronous mode.
    void begin_batch();
    void commit_batch();
    // Batched: returns once every write made so far has run (in the open batch, not committed).
    void flush() const;
    // Moves every committed page from the -wal file into the journal file and empties the -wal:
    // for a journal file renamed or replaced under the connection, whose -wal, found by name,
    // would not follow it.
    void checkpoint();
    // Writes everything committed into a new journal file at `path` (VACUUM INTO), which must not
    // exist: the way back for a journal whose file was deleted while the connection had it open.
    void copy_to(const std::string& path) const;

    // Runs. begin_run and end_run are written through, like record_intent.
    int64_t begin_run(const RunRecord& run);
    void end_run(int64_t run_id, int64_t ended_ms, const std::string& status);
    void save_metrics(int64_t run_id, const std::string& metrics_json);
    std::optional<RunRecord> run(int64_t run_id) const;
    std::optional<RunRecord> last_run() const;
    std::optional<RunRecord> first_run() const;
    std::vector<RunRecord> runs() const;
    // The runs a run of `mode` continues, oldest first: a paper or live run resumes every earlier
    // run of its mode (those before `before_run_id`, 0 = all); a backtest starts fresh (none).
    std::vector<RunRecord> resumed_runs(Mode mode, int64_t before_run_id = 0) const;
    // Marks the runs still "running" as "interrupted" and returns them: called by a run that
    // holds the RunLock, so none of them is running any more.
    std::vector<RunRecord> close_interrupted_runs();
    // The account a run trades, which resumed_runs continue: "paper" or "live" for every run of
    // that mode, "backtest:<run id>" for a backtest (each starts from its own starting cash).
    static std::string account_of(Mode mode, int64_t run_id);

    // Signals. Returns the id; Batched mode hands ids out itself (counting on from the table's
    // largest), so another connection must not add signals while a backtest writes.
    int64_t record_signal(const SignalRecord& s);
    void set_signal_outcome(int64_t signal_id, const std::string& outcome);
    std::vector<SignalRecord> signals(int64_t run_id = 0) const;  // 0 = all runs
    int64_t signal_count(int64_t run_id = 0) const;
    int64_t actionable_signal_count(int64_t run_id = 0) const;  // not HOLD

    // Orders. In Synchronous mode (paper, live) an intent is committed before record_intent
    // returns, so it is on disk before the order is sent. A backtest (Batched) keeps intents in
    // the batch: its venue is simulated in the same process, so there is nothing to reconcile
    // after a crash, and a commit per order would dominate the run.
    void record_intent(const OrderRecord& o);
    // An order written once, as it is (a backtest's, when final or when the run ends): the row
    // is its whole history, without order_events rows.
    void record_order(OrderRecord o);
    // Changes state and updated_ms, appends an order_events row (with the venue id and text as
    // given); filled_qty < 0 leaves it unchanged, an empty venue_order_id or text keeps the
    // order's known one. Throws std::runtime_error for an unknown order (Batched: the call after
    // the writer found out).
    void update_order(const std::string& client_order_id, OrderState state, int64_t time_ms,
                      const std::string& venue_order_id, const std::string& text,
                      double filled_qty = -1);
    std::optional<OrderRecord> order(const std::string& client_order_id) const;
    std::vector<OrderRecord> orders(int64_t run_id = 0) const;
    std::vector<OrderRecord> open_orders() const;  // every run; states that are not final
    // A counter that survives restarts, for client order ids: reserves `count` consecutive
    // values and returns the first. Reserved values are never handed out again, even after a
    // crash, so a caller may keep a block in memory.
    int64_t next_sequence(const std::string& name, int64_t count = 1);

    // Fills: returns false (and writes nothing) when (client_order_id, trade_id) is known. A fill
    // without a trade_id cannot be told from another one and is always written. Batched mode
    // cannot tell yet and returns true: the caller drops repeated reports itself (the row of a
    // known fill is still not written twice).
    bool record_fill(const FillRecord& f);
    // A fill and its order's state after it (as update_order), in one transaction: a process
    // killed between two separate writes would leave the fill journaled and its order open.
    // Returns false, writing neither, when the fill is known. For paper and live (Synchronous).
    bool record_fill_and_order(const FillRecord& f, OrderState state, int64_t time_ms,
                               const std::string& venue_order_id, double filled_qty);
    std::vector<FillRecord> fills(int64_t run_id = 0) const;  // in insertion order
    // Whether the fill (client_order_id, trade_id) is journaled; never for an empty trade_id.
    bool has_fill(const std::string& client_order_id, const std::string& trade_id) const;

    // Cash flows: returns false (and writes nothing) when (kind, ref) is known in the account of
    // the run (account_of; the run must be journaled). In both modes the row is written before
    // it returns.
    bool record_cash_flow(const CashFlowRecord& c);
    std::vector<CashFlowRecord> cash_flows(int64_t run_id = 0) const;  // in insertion order

    // Equity samples
    void record_equity(int64_t run_id, const EquityPoint& p);
    std::vector<EquityPoint> equity(int64_t run_id = 0) const;

    // The ledger's position per symbol as of its latest fill (one row per run and symbol)
    void record_position(int64_t run_id, const std::string& symbol, int64_t time_ms,
                         const Position& position);
    std::map<std::string, Position> positions(int64_t run_id) const;

    // Candles for the report's charts (one row per symbol and period; a rewrite replaces it)
    void record_chart_bar(int64_t run_id, const ChartBar& bar);
    std::vector<ChartBar> chart_bars(int64_t run_id) const;

    // Free-form events (risk refusals, plugin errors, plugin journal_append records)
    void record_event(const EventRecord& e);
    // Sets "count" in the event of a repeated error: the one row of its run, kind and "message".
    void set_event_count(int64_t run_id, const std::string& kind, const std::string& message,
                         int64_t count);
    std::vector<EventRecord> events(int64_t run_id = 0, const std::string& kind = {}) const;

    // Key-value state of plugin instances (scope = instance name)
    std::optional<std::string> kv_get(const std::string& scope, const std::string& key) const;
    void kv_set(const std::string& scope, const std::string& key, const std::string& value);
    // Every value, in one transaction.
    void kv_set_all(const std::string& scope, const std::map<std::string, std::string>& values);

  private:
    struct Statements;

    void open();
    void migrate();
    // One logical write of `rows` rows, which body owns: run at once in its own transaction
    // (Synchronous) or queued for the writer thread, part of the open batch (Batched).
    void submit(int rows, std::function<void()> body);
    // Runs body as a write of `rows` rows now: its own transaction in Synchronous mode, part of
    // the open batch in Batched mode. The caller holds mutex_.
    void write(int rows, const std::function<void()>& body);
    // Commits the open batch, then runs body in its own transaction (in every mode).
    void write_through(const std::function<void()>& body);
    // Runs body in a transaction of its own, rolled back when it throws.
    void transaction(const std::function<void()>& body);
    void insert_signal(const SignalRecord& s, int64_t id) const;  // id 0: the table's next
    void insert_order(const OrderRecord& o) const;
    bool insert_fill(const FillRecord& f) const;  // INSERT OR IGNORE: true when written
    void insert_equity(int64_t run_id, const EquityPoint& p) const;
    void write_order_update(const std::string& client_order_id, OrderState state, int64_t time_ms,
                            const std::string& venue_order_id, const std::string& text,
                            double filled_qty) const;
    void insert_chart_bar(int64_t run_id, const ChartBar& b) const;
    // Batched: the writer's pending signal, order, fill, equity and chart rows go in now, or,
    // without `rest`, only those that fill a multi-row INSERT (the caller holds mutex_).
    void insert_pending(bool rest = true) const;

    struct QueuedWrite {
        int rows;
        std::function<void()> body;
    };
    // Batched: the writer thread's work on a batch of queued writes.
    void run_queued(std::vector<QueuedWrite>& jobs);
    int64_t next_signal_id();
    void commit_batch_locked();

    std::string path_;
    Durability durability_;
    Access access_;
    mutable std::mutex mutex_;
    std::unique_ptr<JournalLockWait> lock_wait_;  // Synchronous only; outlives db_
    std::unique_ptr<SQLite::Database> db_;
    std::unique_ptr<Statements> statements_;  // destroyed before db_
    bool in_batch_ = false;
    int batch_rows_ = 0;
    std::mutex ids_mutex_;
    int64_t next_signal_id_ = 0;  // Batched: 0 until the first signal; guarded by ids_mutex_
    // Batched: rows of the tables a backtest writes per order or per sampling period wait here,
    // on the writer thread, and go in as multi-row INSERTs (see insert_pending).
    struct PendingRows;
    std::unique_ptr<PendingRows> pending_;
    // Batched: a row for its table's next multi-row INSERT, added on the writer thread.
    template <class Row>
    void queue_row(std::vector<Row> PendingRows::*table, Row row);
    std::unique_ptr<WriteQueue<QueuedWrite>> queue_;  // Batched only; stopped before the rest
};

}  // namespace orchestrade::core
