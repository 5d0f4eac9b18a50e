#include <orchestrade/core/journal.hpp>
#include <orchestrade/core/logging.hpp>
#include <orchestrade/core/write_queue.hpp>

#include "journal_lock_wait.hpp"

#include <SQLiteCpp/SQLiteCpp.h>
#include <SQLiteCpp/VariadicBind.h>
#include <sqlite3.h>

#include <algorithm>
#include <filesystem>
#include <iterator>
#include <memory>
#include <optional>
#include <stdexcept>
#include <type_traits>

namespace orchestrade::core {
namespace {

constexpr int kBusyTimeoutMs = 5000;

// kMigrations[n] takes a journal from schema version n to n + 1.
constexpr const char* kMigrations[] = {
    R"sql(
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    pipeline_name TEXT NOT NULL,
    mode TEXT NOT NULL,
    started_ms INTEGER NOT NULL,
    ended_ms INTEGER NOT NULL DEFAULT 0,
    status TEXT NOT NULL,
    pipeline_yaml TEXT NOT NULL,
    metrics_json TEXT NOT NULL,
    starting_cash REAL NOT NULL,
    bar_interval_s INTEGER NOT NULL);
CREATE TABLE signals (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id INTEGER NOT NULL,
    time_ms INTEGER NOT NULL,
    symbol TEXT NOT NULL,
    action TEXT NOT NULL,
    size_pct REAL NOT NULL,
    stop_loss REAL NOT NULL,
    take_profit REAL NOT NULL,
    confidence REAL NOT NULL,
    reason TEXT NOT NULL,
    metadata_json TEXT NOT NULL,
    outcome TEXT NOT NULL);
CREATE INDEX signals_run ON signals(run_id);
CREATE TABLE orders (
    client_order_id TEXT PRIMARY KEY,
    run_id INTEGER NOT NULL,
    signal_id INTEGER NOT NULL,
    created_ms INTEGER NOT NULL,
    updated_ms INTEGER NOT NULL,
    symbol TEXT NOT NULL,
    side TEXT NOT NULL,
    type INTEGER NOT NULL,
    tif INTEGER NOT NULL,
    qty REAL NOT NULL,
    limit_price REAL NOT NULL,
    stop_price REAL NOT NULL,
    stop_loss REAL NOT NULL,
    take_profit REAL NOT NULL,
    flags INTEGER NOT NULL,
    parent_client_order_id TEXT NOT NULL,
    reason TEXT NOT NULL,
    state TEXT NOT NULL,
    venue_order_id TEXT NOT NULL,
    filled_qty REAL NOT NULL,
    text TEXT NOT NULL);
CREATE INDEX orders_run ON orders(run_id);
CREATE TABLE order_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    client_order_id TEXT NOT NULL,
    time_ms INTEGER NOT NULL,
    state TEXT NOT NULL,
    venue_order_id TEXT NOT NULL,
    text TEXT NOT NULL);
CREATE INDEX order_events_order ON order_events(client_order_id);
CREATE TABLE fills (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id INTEGER NOT NULL,
    client_order_id TEXT NOT NULL,
    trade_id TEXT,
    symbol TEXT NOT NULL,
    side TEXT NOT NULL,
    qty REAL NOT NULL,
    price REAL NOT NULL,
    fee REAL NOT NULL,
    time_ms INTEGER NOT NULL,
    UNIQUE (client_order_id, trade_id));
CREATE INDEX fills_run ON fills(run_id);
CREATE TABLE equity (
    run_id INTEGER NOT NULL,
    time_ms INTEGER NOT NULL,
    equity REAL NOT NULL,
    cash REAL NOT NULL);
CREATE INDEX equity_run ON equity(run_id);
CREATE TABLE events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id INTEGER NOT NULL,
    time_ms INTEGER NOT NULL,
    source TEXT NOT NULL,
    kind TEXT NOT NULL,
    json TEXT NOT NULL);
CREATE INDEX events_run_kind ON events(run_id, kind);
CREATE TABLE kv (
    scope TEXT NOT NULL,
    key TEXT NOT NULL,
    value BLOB NOT NULL,
    PRIMARY KEY (scope, key));
CREATE TABLE sequences (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
)sql",
    // 2: candles for the report's charts, aggregated to the equity sampling period.
    R"sql(
CREATE TABLE chart_bars (
    run_id INTEGER NOT NULL,
    symbol TEXT NOT NULL,
    time_ms INTEGER NOT NULL,
    open REAL NOT NULL,
    high REAL NOT NULL,
    low REAL NOT NULL,
    close REAL NOT NULL,
    PRIMARY KEY (run_id, symbol, time_ms));
)sql",
    // 3: the ledger's positions as of the latest fill (or the end of a run).
    R"sql(
CREATE TABLE positions (
    run_id INTEGER NOT NULL,
    symbol TEXT NOT NULL,
    time_ms INTEGER NOT NULL,
    qty REAL NOT NULL,
    avg_price REAL NOT NULL,
    realized_pnl REAL NOT NULL,
    fees REAL NOT NULL,
    PRIMARY KEY (run_id, symbol));
)sql",
    // 4: money paid or received outside fills (funding), which the ledger's cash includes.
    R"sql(
CREATE TABLE cash_flows (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id INTEGER NOT NULL,
    time_ms INTEGER NOT NULL,
    symbol TEXT NOT NULL,
    kind TEXT NOT NULL,
    amount REAL NOT NULL,
    ref TEXT NOT NULL,
    UNIQUE (kind, ref));
CREATE INDEX cash_flows_run ON cash_flows(run_id);
)sql",
    // 5: a flow is known once per account (Journal::account_of), not once per journal: a backtest
    // run again books the same funding again.
    R"sql(
CREATE TABLE cash_flows_5 (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id INTEGER NOT NULL,
    time_ms INTEGER NOT NULL,
    symbol TEXT NOT NULL,
    kind TEXT NOT NULL,
    amount REAL NOT NULL,
    ref TEXT NOT NULL,
    account TEXT NOT NULL,
    UNIQUE (account, kind, ref));
INSERT INTO cash_flows_5 (id, run_id, time_ms, symbol, kind, amount, ref, account)
    SELECT c.id, c.run_id, c.time_ms, c.symbol, c.kind, c.amount, c.ref,
           COALESCE((SELECT CASE r.mode WHEN 'backtest' THEN 'backtest:' || r.id ELSE r.mode END
                     FROM runs r WHERE r.id = c.run_id), '')
    FROM cash_flows c;
DROP TABLE cash_flows;
ALTER TABLE cash_flows_5 RENAME TO cash_flows;
CREATE INDEX cash_flows_run ON cash_flows(run_id);
)sql",
    // 6: the core's risk state (breaker, levels, last actions) is kept per account: a live run on
    // a journal of paper runs would otherwise start from the paper bot's. The one state there was
    // belongs to the account of the latest paper or live run.
    R"sql(
UPDATE kv SET key = 'risk_state:' || (SELECT mode FROM runs WHERE mode IN ('paper', 'live')
                                      ORDER BY id DESC LIMIT 1)
    WHERE scope = 'core' AND key = 'risk_state'
      AND EXISTS (SELECT 1 FROM runs WHERE mode IN ('paper', 'live'));
)sql",
    // 7: a plugin's state is kept per mode ("paper/executor:<id>"), as the core's is per
    // account. The state there was belongs to the latest paper or live run; a journal of
    // backtests only gives it to the backtests.
    R"sql(
UPDATE kv SET scope = COALESCE((SELECT mode FROM runs WHERE mode IN ('paper', 'live')
                                ORDER BY id DESC LIMIT 1), 'backtest') || '/' || scope
    WHERE scope <> 'core';
)sql",
};
static_assert(std::size(kMigrations) == Journal::kSchemaVersion,
              "one migration step per schema version");

constexpr const char* kRunColumns =
    "id, pipeline_name, mode, started_ms, ended_ms, status, pipeline_yaml, metrics_json, "
    "starting_cash, bar_interval_s";
constexpr const char* kSignalColumns =
    "id, run_id, time_ms, symbol, action, size_pct, stop_loss, take_profit, confidence, reason, "
    "metadata_json, outcome";
constexpr const char* kOrderColumns =
    "client_order_id, run_id, signal_id, created_ms, updated_ms, symbol, side, type, tif, qty, "
    "limit_price, stop_price, stop_loss, take_profit, flags, parent_client_order_id, reason, "
    "state, venue_order_id, filled_qty, text";
constexpr const char* kFillColumns =
    "id, run_id, client_order_id, COALESCE(trade_id, ''), symbol, side, qty, price, fee, time_ms";

std::string text_of(std::string_view text) {
    return std::string(text);
}

template <class E>
E parse_column(const SQLite::Column& column, bool (*parse)(std::string_view, E&)) {
    const std::string text = column.getString();
    E value{};
    if (!parse(text, value))
        throw std::runtime_error("unknown value '" + text + "' in column " + column.getName());
    return value;
}

// " WHERE run_id = ?" when run_id selects one run, "" for every run (run_id 0).
std::string where_run(int64_t run_id) {
    return run_id == 0 ? "" : " WHERE run_id = ?";
}

SQLite::Statement select_by_run(SQLite::Database& db, const std::string& sql, int64_t run_id) {
    SQLite::Statement query(db, sql);
    if (run_id != 0) query.bind(1, run_id);
    return query;
}

RunRecord read_run(const SQLite::Statement& q) {
    RunRecord r;
    r.id = q.getColumn(0).getInt64();
    r.pipeline_name = q.getColumn(1).getString();
    r.mode = parse_column(q.getColumn(2), parse_mode);
    r.started_ms = q.getColumn(3).getInt64();
    r.ended_ms = q.getColumn(4).getInt64();
    r.status = q.getColumn(5).getString();
    r.pipeline_yaml = q.getColumn(6).getString();
    r.metrics_json = q.getColumn(7).getString();
    r.starting_cash = q.getColumn(8).getDouble();
    r.bar_interval_s = q.getColumn(9).getInt();
    return r;
}

SignalRecord read_signal(const SQLite::Statement& q) {
    SignalRecord s;
    s.id = q.getColumn(0).getInt64();
    s.run_id = q.getColumn(1).getInt64();
    s.time_ms = q.getColumn(2).getInt64();
    s.symbol = q.getColumn(3).getString();
    s.action = parse_column(q.getColumn(4), parse_action);
    s.size_pct = q.getColumn(5).getDouble();
    s.stop_loss = q.getColumn(6).getDouble();
    s.take_profit = q.getColumn(7).getDouble();
    s.confidence = q.getColumn(8).getDouble();
    s.reason = q.getColumn(9).getString();
    s.metadata_json = q.getColumn(10).getString();
    s.outcome = q.getColumn(11).getString();
    return s;
}

OrderRecord read_order(const SQLite::Statement& q) {
    OrderRecord o;
    o.client_order_id = q.getColumn(0).getString();
    o.run_id = q.getColumn(1).getInt64();
    o.signal_id = q.getColumn(2).getInt64();
    o.created_ms = q.getColumn(3).getInt64();
    o.updated_ms = q.getColumn(4).getInt64();
    o.symbol = q.getColumn(5).getString();
    o.side = parse_column(q.getColumn(6), parse_side);
    o.type = q.getColumn(7).getInt();
    o.tif = q.getColumn(8).getInt();
    o.qty = q.getColumn(9).getDouble();
    o.limit_price = q.getColumn(10).getDouble();
    o.stop_price = q.getColumn(11).getDouble();
    o.stop_loss = q.getColumn(12).getDouble();
    o.take_profit = q.getColumn(13).getDouble();
    o.flags = q.getColumn(14).getUInt();
    o.parent_client_order_id = q.getColumn(15).getString();
    o.reason = q.getColumn(16).getString();
    o.state = parse_column(q.getColumn(17), parse_order_state);
    o.venue_order_id = q.getColumn(18).getString();
    o.filled_qty = q.getColumn(19).getDouble();
    o.text = q.getColumn(20).getString();
    return o;
}

FillRecord read_fill(const SQLite::Statement& q) {
    FillRecord f;
    f.id = q.getColumn(0).getInt64();
    f.run_id = q.getColumn(1).getInt64();
    f.client_order_id = q.getColumn(2).getString();
    f.trade_id = q.getColumn(3).getString();
    f.symbol = q.getColumn(4).getString();
    f.side = parse_column(q.getColumn(5), parse_side);
    f.qty = q.getColumn(6).getDouble();
    f.price = q.getColumn(7).getDouble();
    f.fee = q.getColumn(8).getDouble();
    f.time_ms = q.getColumn(9).getInt64();
    return f;
}

template <class Record>
std::vector<Record> read_all(SQLite::Statement& query, Record (*read)(const SQLite::Statement&)) {
    std::vector<Record> out;
    while (query.executeStep())
        out.push_back(read(query));
    return out;
}

// "'intent', 'accepted', ..." : the states is_final() calls open.
std::string open_state_list() {
    std::string list;
    for (int s = static_cast<int>(OrderState::Intent); s <= static_cast<int>(OrderState::Unknown);
         ++s) {
        const auto state = static_cast<OrderState>(s);
        if (is_final(state)) continue;
        if (!list.empty()) list += ", ";
        list += "'" + text_of(to_string(state)) + "'";
    }
    return list;
}

// Makes a cached statement ready for new bindings, even after a failed step.
SQLite::Statement& fresh(SQLite::Statement& statement) {
    statement.tryReset();
    return statement;
}

// A write whose step failed on a lock (SQLITE_BUSY) stays active until it is reset, and no
// transaction of the connection commits while one is ("SQL statements in progress"): the
// journal's next write, whatever it is, would fail too.
void reset_active_writes(sqlite3* db) {
    for (sqlite3_stmt* s = sqlite3_next_stmt(db, nullptr); s; s = sqlite3_next_stmt(db, s))
        if (sqlite3_stmt_busy(s) && !sqlite3_stmt_readonly(s)) sqlite3_reset(s);
}

// Row values are bound without a copy (the record outlives the statement's step): a backtest
// writes a few hundred thousand rows, and a copy per text column was a fifth of the writing.
void bind_value(SQLite::Statement& q, int index, const std::string& text) {
    q.bindNoCopy(index, text);
}
// NUL-terminated text of static storage (enum names, literals).
void bind_value(SQLite::Statement& q, int index, const char* text) {
    q.bindNoCopy(index, text);
}
template <class Number>
void bind_value(SQLite::Statement& q, int index, Number value) {
    static_assert(std::is_arithmetic_v<Number>, "text goes through the overloads above");
    q.bind(index, value);
}
// Binds values to the parameters after `first` (0 for a statement's first row).
template <class... Values>
void bind_row_at(SQLite::Statement& q, int first, const Values&... values) {
    int index = first;
    (bind_value(q, ++index, values), ...);
}
template <class... Values>
void bind_row(SQLite::Statement& q, const Values&... values) {
    bind_row_at(q, 0, values...);
}

const char* json_or_empty(const std::string& json) {
    return json.empty() ? "{}" : json.c_str();
}

// The NUL-terminated name of an enum value (the names are literals).
template <class Enum>
const char* name_of(Enum value) {
    return to_string(value).data();
}

constexpr int kSignalParams = 12, kOrderParams = 21, kFillParams = 9, kEquityParams = 4,
              kChartBarParams = 7;

void bind_signal(SQLite::Statement& q, int first, const SignalRecord& s, int64_t id) {
    bind_row_at(q, first, id, s.run_id, s.time_ms, s.symbol, name_of(s.action), s.size_pct,
                s.stop_loss, s.take_profit, s.confidence, s.reason, json_or_empty(s.metadata_json),
                s.outcome);
}
void bind_order(SQLite::Statement& q, int first, const OrderRecord& o) {
    bind_row_at(q, first, o.client_order_id, o.run_id, o.signal_id, o.created_ms,
                o.updated_ms == 0 ? o.created_ms : o.updated_ms, o.symbol, name_of(o.side), o.type,
                o.tif, o.qty, o.limit_price, o.stop_price, o.stop_loss, o.take_profit, o.flags,
                o.parent_client_order_id, o.reason, name_of(o.state), o.venue_order_id,
                o.filled_qty, o.text);
}
void bind_fill(SQLite::Statement& q, int first, const FillRecord& f) {
    bind_row_at(q, first, f.run_id, f.client_order_id, f.trade_id, f.symbol, name_of(f.side), f.qty,
                f.price, f.fee, f.time_ms);
}
void bind_equity(SQLite::Statement& q, int first, int64_t run_id, const EquityPoint& p) {
    bind_row_at(q, first, run_id, p.time_ms, p.equity, p.cash);
}
void bind_chart_bar(SQLite::Statement& q, int first, int64_t run_id, const ChartBar& b) {
    bind_row_at(q, first, run_id, b.symbol, b.time_ms, b.open, b.high, b.low, b.close);
}

// "(?, ?), (?, ?), ..." : `rows` copies of one row's VALUES tuple.
std::string values(const char* row, int rows) {
    std::string out;
    for (int i = 0; i < rows; ++i)
        out += (i ? ", " : "") + std::string(row);
    return out;
}

// Rows per multi-row INSERT of a backtest: a statement per row costs about a third more.
constexpr int kRowsPerInsert = 32;
constexpr const char* kSignalInsert =
    "INSERT INTO signals (id, run_id, time_ms, symbol, action, size_pct, stop_loss, take_profit, "
    "confidence, reason, metadata_json, outcome) VALUES ";
constexpr const char* kSignalValues = "(NULLIF(?, 0), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
constexpr const char* kOrderValues =
    "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
constexpr const char* kFillInsert =
    "INSERT OR IGNORE INTO fills (run_id, client_order_id, trade_id, symbol, side, qty, price, "
    "fee, time_ms) VALUES ";
constexpr const char* kFillValues = "(?, ?, NULLIF(?, ''), ?, ?, ?, ?, ?, ?)";
constexpr const char* kEquityInsert = "INSERT INTO equity (run_id, time_ms, equity, cash) VALUES ";
constexpr const char* kEquityValues = "(?, ?, ?, ?)";
constexpr const char* kChartBarInsert =
    "INSERT OR REPLACE INTO chart_bars (run_id, symbol, time_ms, open, high, low, close) VALUES ";
constexpr const char* kChartBarValues = "(?, ?, ?, ?, ?, ?, ?)";

}  // namespace

// Prepared once: these run for every bar, signal, order and fill.
struct Journal::Statements {
    explicit Statements(SQLite::Database& db)
        : insert_run(db,
                     "INSERT INTO runs (pipeline_name, mode, started_ms, ended_ms, status, "
                     "pipeline_yaml, metrics_json, starting_cash, bar_interval_s) "
                     "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"),
          insert_signal(db, std::string(kSignalInsert) + kSignalValues),
          insert_signals(db, kSignalInsert + values(kSignalValues, kRowsPerInsert)),
          signal_outcome(db, "UPDATE signals SET outcome = ? WHERE id = ?"),
          insert_order(
              db, std::string("INSERT INTO orders (") + kOrderColumns + ") VALUES " + kOrderValues),
          insert_orders(db, std::string("INSERT INTO orders (") + kOrderColumns + ") VALUES " +
                                values(kOrderValues, kRowsPerInsert)),
          update_order(db,
                       "UPDATE orders SET state = ?1, updated_ms = ?2, "
                       "venue_order_id = CASE WHEN ?3 = '' THEN venue_order_id ELSE ?3 END, "
                       "text = CASE WHEN ?4 = '' THEN text ELSE ?4 END, "
                       "filled_qty = CASE WHEN ?5 >= 0 THEN ?5 ELSE filled_qty END "
                       "WHERE client_order_id = ?6"),
          insert_order_event(db,
                             "INSERT INTO order_events (client_order_id, time_ms, state, "
                             "venue_order_id, text) VALUES (?, ?, ?, ?, ?)"),
          insert_fill(db, std::string(kFillInsert) + kFillValues),
          insert_fills(db, kFillInsert + values(kFillValues, kRowsPerInsert)),
          insert_equity(db, std::string(kEquityInsert) + kEquityValues),
          insert_equities(db, kEquityInsert + values(kEquityValues, kRowsPerInsert)),
          insert_event(db,
                       "INSERT INTO events (run_id, time_ms, source, kind, json) "
                       "VALUES (?, ?, ?, ?, ?)"),
          kv_set(db,
                 "INSERT INTO kv (scope, key, value) VALUES (?, ?, ?) "
                 "ON CONFLICT (scope, key) DO UPDATE SET value = excluded.value"),
          insert_chart_bar(db, std::string(kChartBarInsert) + kChartBarValues),
          insert_chart_bars(db, kChartBarInsert + values(kChartBarValues, kRowsPerInsert)),
          next_sequence(db,
                        "INSERT INTO sequences (name, value) VALUES (?1, ?2) "
                        "ON CONFLICT (name) DO UPDATE SET value = value + ?2 RETURNING value") {}

    SQLite::Statement insert_run;
    SQLite::Statement insert_signal;
    SQLite::Statement insert_signals;  // kRowsPerInsert rows
    SQLite::Statement signal_outcome;
    SQLite::Statement insert_order;
    SQLite::Statement insert_orders;
    SQLite::Statement update_order;
    SQLite::Statement insert_order_event;
    SQLite::Statement insert_fill;
    SQLite::Statement insert_fills;
    SQLite::Statement insert_equity;
    SQLite::Statement insert_equities;  // kRowsPerInsert rows
    SQLite::Statement insert_event;
    SQLite::Statement kv_set;
    SQLite::Statement insert_chart_bar;
    SQLite::Statement insert_chart_bars;  // kRowsPerInsert rows
    SQLite::Statement next_sequence;
};

struct Journal::PendingRows {
    std::vector<std::pair<int64_t, SignalRecord>> signals;  // (id, signal)
    std::vector<OrderRecord> orders;
    std::vector<FillRecord> fills;
    std::vector<std::pair<int64_t, EquityPoint>> equity;   // (run id, point)
    std::vector<std::pair<int64_t, ChartBar>> chart_bars;  // (run id, bar)
};

template <class Row>
void Journal::queue_row(std::vector<Row> PendingRows::*table, Row row) {
    submit(1, [this, table, row = std::move(row)]() mutable {
        std::vector<Row>& rows = (*pending_).*table;
        rows.push_back(std::move(row));
        if (rows.size() == kRowsPerInsert) insert_pending(false);
    });
}

namespace {

// Full chunks go in as one statement each; with `rest`, the remaining rows too, row by row.
template <class Row, class Bind, class One>
void insert_rows(std::vector<Row>& rows, SQLite::Statement& chunk, int params, Bind bind, One one,
                 bool rest) {
    std::size_t done = 0;
    for (; rows.size() - done >= kRowsPerInsert; done += kRowsPerInsert) {
        auto& q = fresh(chunk);
        for (int r = 0; r < kRowsPerInsert; ++r)
            bind(q, r * params, rows[done + static_cast<std::size_t>(r)]);
        q.exec();
    }
    if (rest)
        for (; done < rows.size(); ++done)
            one(rows[done]);
    rows.erase(rows.begin(), rows.begin() + static_cast<std::ptrdiff_t>(done));
}

}  // namespace

void Journal::insert_pending(bool rest) const {
    if (!pending_) return;
    insert_rows(
        pending_->signals, statements_->insert_signals, kSignalParams,
        [](SQLite::Statement& q, int first, const auto& s) {
            bind_signal(q, first, s.second, s.first);
        },
        [this](const auto& s) { insert_signal(s.second, s.first); }, rest);
    insert_rows(
        pending_->orders, statements_->insert_orders, kOrderParams,
        [](SQLite::Statement& q, int first, const OrderRecord& o) { bind_order(q, first, o); },
        [this](const OrderRecord& o) { insert_order(o); }, rest);
    insert_rows(
        pending_->fills, statements_->insert_fills, kFillParams,
        [](SQLite::Statement& q, int first, const FillRecord& f) { bind_fill(q, first, f); },
        [this](const FillRecord& f) { insert_fill(f); }, rest);
    insert_rows(
        pending_->equity, statements_->insert_equities, kEquityParams,
        [](SQLite::Statement& q, int first, const auto& e) {
            bind_equity(q, first, e.first, e.second);
        },
        [this](const auto& e) { insert_equity(e.first, e.second); }, rest);
    insert_rows(
        pending_->chart_bars, statements_->insert_chart_bars, kChartBarParams,
        [](SQLite::Statement& q, int first, const auto& b) {
            bind_chart_bar(q, first, b.first, b.second);
        },
        [this](const auto& b) { insert_chart_bar(b.first, b.second); }, rest);
}

namespace {

int schema_version_of(SQLite::Database& db) {
    if (!db.tableExists("meta")) return 0;
    SQLite::Statement query(db, "SELECT value FROM meta WHERE key = 'schema_version'");
    return query.executeStep() ? query.getColumn(0).getInt() : 0;
}

// Throws unless a file of schema `version` is ours to use: a newer schema, or version 0 with
// tables of someone else's (or, unless empty_is_new, with none), is refused.
void require_journal(SQLite::Database& db, const std::string& path, int version,
                     bool empty_is_new) {
    if (version > Journal::kSchemaVersion)
        throw std::runtime_error("journal '" + path + "' has schema version " +
                                 std::to_string(version) + ", newer than the version " +
                                 std::to_string(Journal::kSchemaVersion) +
                                 " this build supports; use a newer Orchestrade");
    if (version != 0) return;
    if (db.execAndGet("SELECT count(*) FROM sqlite_master").getInt() > 0)
        throw std::runtime_error("'" + path +
                                 "' is a SQLite database but not an Orchestrade journal");
    if (!empty_is_new)
        throw std::runtime_error("'" + path + "' is not an Orchestrade journal (it is empty)");
}

// The file itself, as an SQLite URI that reads it as it stands on disk.
std::string immutable_uri(const std::string& path) {
    std::string uri = "file:";
    for (char c : path)
        uri += c == '%' ? "%25" : c == '?' ? "%3f" : c == '#' ? "%23" : std::string(1, c);
    return uri + "?immutable=1";
}

// Read-write when it can (see Journal::open). In a folder this user cannot write (another user's
// bot, a read-only mount) SQLite cannot make the -shm file a write-ahead log needs: read-only
// then, which reads the -wal through the -shm its writer keeps; and with neither file there,
// the journal as it stands.
std::unique_ptr<SQLite::Database> open_to_read(const std::string& path) {
    std::optional<SQLite::Exception> first;
    for (int mode : {SQLite::OPEN_READWRITE, SQLite::OPEN_READONLY}) {
        try {
            auto db = std::make_unique<SQLite::Database>(path, mode | SQLite::OPEN_NOMUTEX,
                                                         kBusyTimeoutMs);
            schema_version_of(*db);  // the first read: where a -shm that cannot be made shows
            return db;
        } catch (const SQLite::Exception& e) {
            if (!first) first = e;
        }
    }
    if (std::filesystem::exists(path + "-wal")) throw *first;  // its rows would be left out
    return std::make_unique<SQLite::Database>(
        immutable_uri(path), SQLite::OPEN_READONLY | SQLite::OPEN_URI | SQLite::OPEN_NOMUTEX,
        kBusyTimeoutMs);
}

std::runtime_error open_error(const std::string& path, const SQLite::Exception& e) {
    if (e.getErrorCode() == SQLITE_NOTADB)
        return std::runtime_error("journal '" + path + "' is not a SQLite database");
    return std::runtime_error("cannot open journal '" + path + "': " + e.what());
}

}  // namespace

Journal::Journal(const std::string& path, Durability durability, Access access)
    : path_(path), durability_(durability), access_(access) {
    try {
        open();
    } catch (const SQLite::Exception& e) {
        throw open_error(path_, e);
    } catch (const std::filesystem::filesystem_error& e) {
        throw std::runtime_error("cannot create the directory of journal '" + path_ +
                                 "': " + e.code().message());
    }
}

void Journal::check(const std::string& path) {
    try {
        SQLite::Database db(path, SQLite::OPEN_READWRITE, kBusyTimeoutMs);  // writes nothing
        require_journal(db, path, schema_version_of(db), false);
    } catch (const SQLite::Exception& e) {
        throw open_error(path, e);
    }
}

Journal::~Journal() {
    try {
        if (queue_) queue_->drain();
        queue_.reset();
        std::lock_guard lock(mutex_);
        commit_batch_locked();
    } catch (const std::exception& e) {
        logger("journal")->error("{}: the last batch was not committed: {}", path_, e.what());
    }
}

void Journal::open() {
    // Memory statistics take a global lock in every SQLite allocation, and nothing here reads
    // them. Only possible before SQLite's first use in the process; later calls change nothing.
    static std::once_flag no_memory_statistics;
    std::call_once(no_memory_statistics, [] { sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); });
    // NOMUTEX: every use of the connection is serialized by mutex_ already. A read-only access
    // opens read-write all the same, and writes nothing: only a connection that may write
    // removes the -wal and -shm files as the last one closes (SQLite still opens a write
    // protected file for reading).
    const int flags = SQLite::OPEN_READWRITE | SQLite::OPEN_NOMUTEX;
    if (access_ == Access::Create) {
        const auto parent = std::filesystem::path(path_).parent_path();
        if (!parent.empty()) std::filesystem::create_directories(parent);
        db_ =
            std::make_unique<SQLite::Database>(path_, flags | SQLite::OPEN_CREATE, kBusyTimeoutMs);
    } else {
        db_ = access_ == Access::ReadOnly
                  ? open_to_read(path_)
                  : std::make_unique<SQLite::Database>(path_, flags, kBusyTimeoutMs);
        // Refused before anything (even the journal mode) is written to a file that is not ours.
        const int version = schema_version_of(*db_);
        require_journal(*db_, path_, version, false);
        if (access_ == Access::ReadOnly && version < kSchemaVersion) {
            db_.reset();
            { Journal upgrade(path_, Durability::Synchronous, Access::Existing); }  // migrates
            db_ = open_to_read(path_);
        }
    }
    // A larger per-connection allocator for the small objects of each statement step.
    sqlite3_db_config(db_->getHandle(), SQLITE_DBCONFIG_LOOKASIDE, nullptr, 1200, 1000);
    if (durability_ == Durability::Synchronous && access_ != Access::ReadOnly) {
        lock_wait_ = std::make_unique<JournalLockWait>(path_);
        lock_wait_->install(db_->getHandle());
    }
    if (access_ != Access::ReadOnly) {
        db_->exec("PRAGMA journal_mode = WAL");
        // A backtest's journal can be made again by running it again: it skips the syncs.
        db_->exec(durability_ == Durability::Synchronous ? "PRAGMA synchronous = FULL"
                                                         : "PRAGMA synchronous = OFF");
    }
    db_->exec("PRAGMA cache_size = -16384");  // 16 MiB: large batches without re-reading pages
    migrate();
    statements_ = std::make_unique<Statements>(*db_);
    if (durability_ == Durability::Batched) {
        pending_ = std::make_unique<PendingRows>();
        queue_ = std::make_unique<WriteQueue<QueuedWrite>>(
            [this](std::vector<QueuedWrite>& jobs) { run_queued(jobs); });
    }
}

void Journal::run_queued(std::vector<QueuedWrite>& jobs) {
    try {
        // The lock is taken per few jobs, not per batch: a caller's next_sequence waits for a
        // few rows, not for thousands.
        constexpr std::size_t kJobsPerLock = 64;
        for (std::size_t begin = 0; begin < jobs.size(); begin += kJobsPerLock) {
            std::lock_guard lock(mutex_);
            const std::size_t end = std::min(jobs.size(), begin + kJobsPerLock);
            for (std::size_t i = begin; i < end; ++i)
                write(jobs[i].rows, jobs[i].body);
        }
        // Rows short of a full multi-row INSERT wait for the next batch, a commit or a reader.
        std::lock_guard lock(mutex_);
        insert_pending(false);
    } catch (const std::exception& e) {
        throw std::runtime_error("journal '" + path_ + "': a write failed: " + e.what());
    }
}

void Journal::migrate() {
    int version = schema_version_of(*db_);
    require_journal(*db_, path_, version, true);
    while (version < kSchemaVersion) {
        SQLite::Transaction tx(*db_, SQLite::TransactionBehavior::IMMEDIATE);
        version = schema_version_of(*db_);  // another process may have migrated meanwhile
        require_journal(*db_, path_, version, true);
        if (version == kSchemaVersion) break;
        db_->exec(kMigrations[version]);
        ++version;
        SQLite::Statement set_version(
            *db_, "INSERT OR REPLACE INTO meta (key, value) VALUES ('schema_version', ?)");
        set_version.bind(1, std::to_string(version));
        set_version.exec();
        tx.commit();
    }
}

int Journal::schema_version() const {
    flush();
    std::lock_guard lock(mutex_);
    return schema_version_of(*db_);
}

void Journal::flush() const {
    if (!queue_) return;
    // The writer leaves short remainders of its multi-row INSERTs pending; a reader needs them.
    // They go in on the writer too, so a failure there is reported like any other write's.
    queue_->push({0, [this] { insert_pending(); }});
    queue_->drain();
}

void Journal::checkpoint() {
    flush();
    std::lock_guard lock(mutex_);
    commit_batch_locked();
    SQLite::Statement checkpoint(*db_, "PRAGMA wal_checkpoint(TRUNCATE)");
    if (checkpoint.executeStep() && checkpoint.getColumn(0).getInt() != 0)
        throw std::runtime_error("journal '" + path_ + "': the checkpoint was blocked by a reader");
}

void Journal::copy_to(const std::string& path) const {
    flush();
    std::lock_guard lock(mutex_);
    SQLite::Statement copy(*db_, "VACUUM INTO ?");
    copy.bind(1, path);
    copy.exec();
}

void Journal::submit(int rows, std::function<void()> body) {
    if (queue_) {
        queue_->push({rows, std::move(body)});
        return;
    }
    std::lock_guard lock(mutex_);
    write(rows, body);
}

void Journal::set_lock_wait(std::chrono::milliseconds warn_after,
                            std::chrono::milliseconds give_up_after) {
    std::lock_guard lock(mutex_);
    if (lock_wait_) lock_wait_->set_limits(warn_after, give_up_after);
}

void Journal::write(int rows, const std::function<void()>& body) {
    if (durability_ == Durability::Synchronous) {
        transaction(body);
        return;
    }
    if (!in_batch_) {
        db_->exec("BEGIN");
        in_batch_ = true;
    }
    body();
    batch_rows_ += rows;
    if (batch_rows_ >= kBatchRows) commit_batch_locked();
}

void Journal::write_through(const std::function<void()>& body) {
    commit_batch_locked();
    transaction(body);
}

void Journal::transaction(const std::function<void()>& body) {
    try {
        SQLite::Transaction tx(*db_);
        try {
            body();
        } catch (...) {
            reset_active_writes(db_->getHandle());  // before the rollback, which ends tx
            throw;
        }
        tx.commit();
    } catch (const SQLite::Exception& e) {
        if (lock_wait_ && (e.getErrorCode() & 0xff) == SQLITE_BUSY)
            throw std::runtime_error(lock_wait_->locked_message());
        throw;
    }
    if (lock_wait_) lock_wait_->write_succeeded();
}

void Journal::commit_batch_locked() {
    if (!in_batch_) return;
    insert_pending();
    db_->exec("COMMIT");
    in_batch_ = false;
    batch_rows_ = 0;
}

void Journal::begin_batch() {
    flush();
    std::lock_guard lock(mutex_);
    if (durability_ == Durability::Synchronous || in_batch_) return;
    db_->exec("BEGIN");
    in_batch_ = true;
}

void Journal::commit_batch() {
    flush();
    std::lock_guard lock(mutex_);
    commit_batch_locked();
}

int64_t Journal::begin_run(const RunRecord& run) {
    flush();
    std::lock_guard lock(mutex_);
    int64_t id = 0;
    write_through([&] {
        auto& q = fresh(statements_->insert_run);
        SQLite::bind(q, run.pipeline_name, text_of(to_string(run.mode)), run.started_ms,
                     run.ended_ms, run.status.empty() ? std::string("running") : run.status,
                     run.pipeline_yaml, run.metrics_json.empty() ? "{}" : run.metrics_json,
                     run.starting_cash, run.bar_interval_s);
        q.exec();
        id = db_->getLastInsertRowid();
    });
    return id;
}

void Journal::end_run(int64_t run_id, int64_t ended_ms, const std::string& status) {
    flush();
    std::lock_guard lock(mutex_);
    write_through([&] {
        SQLite::Statement q(*db_, "UPDATE runs SET ended_ms = ?, status = ? WHERE id = ?");
        SQLite::bind(q, ended_ms, status, run_id);
        q.exec();
    });
}

void Journal::save_metrics(int64_t run_id, const std::string& metrics_json) {
    submit(1, [this, run_id, metrics_json] {
        SQLite::Statement q(*db_, "UPDATE runs SET metrics_json = ? WHERE id = ?");
        SQLite::bind(q, metrics_json, run_id);
        q.exec();
    });
}

std::optional<RunRecord> Journal::run(int64_t run_id) const {
    flush();
    std::lock_guard lock(mutex_);
    SQLite::Statement q(*db_, std::string("SELECT ") + kRunColumns + " FROM runs WHERE id = ?");
    q.bind(1, run_id);
    if (!q.executeStep()) return std::nullopt;
    return read_run(q);
}

std::optional<RunRecord> Journal::last_run() const {
    flush();
    std::lock_guard lock(mutex_);
    SQLite::Statement q(
        *db_, std::string("SELECT ") + kRunColumns + " FROM runs ORDER BY id DESC LIMIT 1");
    if (!q.executeStep()) return std::nullopt;
    return read_run(q);
}

std::optional<RunRecord> Journal::first_run() const {
    flush();
    std::lock_guard lock(mutex_);
    SQLite::Statement q(*db_,
                        std::string("SELECT ") + kRunColumns + " FROM runs ORDER BY id LIMIT 1");
    if (!q.executeStep()) return std::nullopt;
    return read_run(q);
}

std::vector<RunRecord> Journal::runs() const {
    flush();
    std::lock_guard lock(mutex_);
    SQLite::Statement q(*db_, std::string("SELECT ") + kRunColumns + " FROM runs ORDER BY id");
    return read_all(q, read_run);
}

std::vector<RunRecord> Journal::close_interrupted_runs() {
    std::vector<RunRecord> out;
    for (auto& r : runs())
        if (r.status == "running") {
            end_run(r.id, r.ended_ms, "interrupted");
            r.status = "interrupted";
            out.push_back(std::move(r));
        }
    return out;
}

std::string Journal::account_of(Mode mode, int64_t run_id) {
    return mode == Mode::Backtest ? "backtest:" + std::to_string(run_id)
                                  : std::string(to_string(mode));
}

std::vector<RunRecord> Journal::resumed_runs(Mode mode, int64_t before_run_id) const {
    std::vector<RunRecord> out;
    if (mode == Mode::Backtest) return out;
    for (auto& r : runs())
        if (r.mode == mode && (before_run_id == 0 || r.id < before_run_id))
            out.push_back(std::move(r));
    return out;
}

void Journal::insert_signal(const SignalRecord& s, int64_t id) const {
    auto& q = fresh(statements_->insert_signal);
    bind_signal(q, 0, s, id);
    q.exec();
}

int64_t Journal::next_signal_id() {
    std::lock_guard ids(ids_mutex_);  // not mutex_: the writer thread holds that one for each row
    if (next_signal_id_ == 0) {
        flush();  // the table's largest id, with every queued row written
        std::lock_guard lock(mutex_);
        // AUTOINCREMENT never reuses an id: count on from the largest ever handed out.
        next_signal_id_ = db_->execAndGet(
                                 "SELECT max(COALESCE((SELECT seq FROM sqlite_sequence "
                                 "WHERE name = 'signals'), 0), COALESCE((SELECT max(id) FROM "
                                 "signals), 0)) + 1")
                              .getInt64();
    }
    return next_signal_id_++;
}

int64_t Journal::record_signal(const SignalRecord& s) {
    if (queue_) {
        const int64_t id = next_signal_id();
        queue_row(&PendingRows::signals, {id, s});
        return id;
    }
    std::lock_guard lock(mutex_);
    int64_t id = 0;
    write(1, [&] {
        insert_signal(s, 0);
        id = db_->getLastInsertRowid();
    });
    return id;
}

void Journal::set_signal_outcome(int64_t signal_id, const std::string& outcome) {
    submit(1, [this, signal_id, outcome] {
        insert_pending();  // the signal may still wait there
        auto& q = fresh(statements_->signal_outcome);
        SQLite::bind(q, outcome, signal_id);
        q.exec();
    });
}

std::vector<SignalRecord> Journal::signals(int64_t run_id) const {
    flush();
    std::lock_guard lock(mutex_);
    auto q = select_by_run(*db_,
                           std::string("SELECT ") + kSignalColumns + " FROM signals" +
                               where_run(run_id) + " ORDER BY id",
                           run_id);
    return read_all(q, read_signal);
}

int64_t Journal::signal_count(int64_t run_id) const {
    flush();
    std::lock_guard lock(mutex_);
    auto q = select_by_run(*db_, "SELECT count(*) FROM signals" + where_run(run_id), run_id);
    q.executeStep();
    return q.getColumn(0).getInt64();
}

int64_t Journal::actionable_signal_count(int64_t run_id) const {
    flush();
    std::lock_guard lock(mutex_);
    auto q = select_by_run(*db_,
                           "SELECT count(*) FROM signals WHERE action != '" +
                               std::string(name_of(Action::Hold)) + "'" +
                               (run_id == 0 ? "" : " AND run_id = ?"),
                           run_id);
    q.executeStep();
    return q.getColumn(0).getInt64();
}

void Journal::insert_order(const OrderRecord& o) const {
    auto& q = fresh(statements_->insert_order);
    bind_order(q, 0, o);
    q.exec();
}

bool Journal::insert_fill(const FillRecord& f) const {
    auto& q = fresh(statements_->insert_fill);
    bind_fill(q, 0, f);
    return q.exec() > 0;
}

void Journal::record_intent(const OrderRecord& o) {
    submit(2, [this, o] {
        insert_pending();  // orders keep their order in the table
        insert_order(o);
        auto& event = fresh(statements_->insert_order_event);
        bind_row(event, o.client_order_id, o.created_ms, name_of(o.state), o.venue_order_id,
                 o.text);
        event.exec();
    });
}

void Journal::record_order(OrderRecord o) {
    if (queue_) {
        queue_row(&PendingRows::orders, std::move(o));
        return;
    }
    submit(1, [this, o = std::move(o)] { insert_order(o); });
}

void Journal::update_order(const std::string& client_order_id, OrderState state, int64_t time_ms,
                           const std::string& venue_order_id, const std::string& text,
                           double filled_qty) {
    submit(2, [this, client_order_id, state, time_ms, venue_order_id, text, filled_qty] {
        write_order_update(client_order_id, state, time_ms, venue_order_id, text, filled_qty);
    });
}

void Journal::write_order_update(const std::string& client_order_id, OrderState state,
                                 int64_t time_ms, const std::string& venue_order_id,
                                 const std::string& text, double filled_qty) const {
    insert_pending();  // the order may still wait there
    const char* state_name = name_of(state);
    auto& q = fresh(statements_->update_order);
    bind_row(q, state_name, time_ms, venue_order_id, text, filled_qty, client_order_id);
    if (q.exec() == 0)
        throw std::runtime_error("journal '" + path_ + "': no order '" + client_order_id +
                                 "' to update");
    auto& event = fresh(statements_->insert_order_event);
    bind_row(event, client_order_id, time_ms, state_name, venue_order_id, text);
    event.exec();
}

std::optional<OrderRecord> Journal::order(const std::string& client_order_id) const {
    flush();
    std::lock_guard lock(mutex_);
    SQLite::Statement q(
        *db_, std::string("SELECT ") + kOrderColumns + " FROM orders WHERE client_order_id = ?");
    q.bind(1, client_order_id);
    if (!q.executeStep()) return std::nullopt;
    return read_order(q);
}

std::vector<OrderRecord> Journal::orders(int64_t run_id) const {
    flush();
    std::lock_guard lock(mutex_);
    auto q = select_by_run(*db_,
                           std::string("SELECT ") + kOrderColumns + " FROM orders" +
                               where_run(run_id) + " ORDER BY rowid",
                           run_id);
    return read_all(q, read_order);
}

std::vector<OrderRecord> Journal::open_orders() const {
    flush();
    std::lock_guard lock(mutex_);
    SQLite::Statement q(*db_, std::string("SELECT ") + kOrderColumns +
                                  " FROM orders WHERE state IN (" + open_state_list() +
                                  ") ORDER BY rowid");
    return read_all(q, read_order);
}

void Journal::record_position(int64_t run_id, const std::string& symbol, int64_t time_ms,
                              const Position& p) {
    submit(1, [this, run_id, symbol, time_ms, p] {
        SQLite::Statement q(*db_,
                            "INSERT OR REPLACE INTO positions (run_id, symbol, time_ms, qty, "
                            "avg_price, realized_pnl, fees) VALUES (?, ?, ?, ?, ?, ?, ?)");
        bind_row(q, run_id, symbol, time_ms, p.qty, p.avg_price, p.realized_pnl, p.fees);
        q.exec();
    });
}

std::map<std::string, Position> Journal::positions(int64_t run_id) const {
    flush();
    std::lock_guard lock(mutex_);
    SQLite::Statement q(*db_,
                        "SELECT symbol, qty, avg_price, realized_pnl, fees FROM positions "
                        "WHERE run_id = ?");
    q.bind(1, run_id);
    std::map<std::string, Position> out;
    while (q.executeStep()) {
        Position& p = out[q.getColumn(0).getString()];
        p.qty = q.getColumn(1).getDouble();
        p.avg_price = q.getColumn(2).getDouble();
        p.realized_pnl = q.getColumn(3).getDouble();
        p.fees = q.getColumn(4).getDouble();
    }
    return out;
}

void Journal::record_chart_bar(int64_t run_id, const ChartBar& b) {
    if (queue_) {
        queue_row(&PendingRows::chart_bars, {run_id, b});
        return;
    }
    submit(1, [this, run_id, &b] { insert_chart_bar(run_id, b); });
}

void Journal::insert_chart_bar(int64_t run_id, const ChartBar& b) const {
    auto& q = fresh(statements_->insert_chart_bar);
    bind_chart_bar(q, 0, run_id, b);
    q.exec();
}

std::vector<ChartBar> Journal::chart_bars(int64_t run_id) const {
    flush();
    std::lock_guard lock(mutex_);
    SQLite::Statement q(*db_,
                        "SELECT symbol, time_ms, open, high, low, close FROM chart_bars "
                        "WHERE run_id = ? ORDER BY symbol, time_ms");
    q.bind(1, run_id);
    std::vector<ChartBar> out;
    while (q.executeStep())
        out.push_back({q.getColumn(0).getString(), q.getColumn(1).getInt64(),
                       q.getColumn(2).getDouble(), q.getColumn(3).getDouble(),
                       q.getColumn(4).getDouble(), q.getColumn(5).getDouble()});
    return out;
}

int64_t Journal::next_sequence(const std::string& sequence, int64_t count) {
    if (count < 1) throw std::invalid_argument("next_sequence: count must be at least 1");
    std::lock_guard lock(mutex_);
    int64_t last = 0;
    // Counted as no row: a Batched commit then stays on the writer thread, off the caller's.
    write(0, [&] {
        auto& q = fresh(statements_->next_sequence);
        q.bind(1, sequence);
        q.bind(2, count);
        q.executeStep();
        last = q.getColumn(0).getInt64();
        q.tryReset();
    });
    return last - count + 1;
}

bool Journal::record_fill(const FillRecord& f) {
    if (queue_) {
        queue_row(&PendingRows::fills, f);
        return true;
    }
    std::lock_guard lock(mutex_);
    bool inserted = false;
    write(1, [&] { inserted = insert_fill(f); });
    return inserted;
}

bool Journal::record_fill_and_order(const FillRecord& f, OrderState state, int64_t time_ms,
                                    const std::string& venue_order_id, double filled_qty) {
    flush();  // a Batched journal's order row may still be on the writer
    std::lock_guard lock(mutex_);
    bool inserted = false;
    write(3, [&] {
        inserted = insert_fill(f);
        if (inserted)
            write_order_update(f.client_order_id, state, time_ms, venue_order_id, "", filled_qty);
    });
    return inserted;
}

bool Journal::record_cash_flow(const CashFlowRecord& c) {
    flush();  // rare: written at once in every mode, so a repeated flow is known here
    std::lock_guard lock(mutex_);
    bool inserted = false;
    write(1, [&] {
        SQLite::Statement run(*db_, "SELECT mode FROM runs WHERE id = ?");
        run.bind(1, c.run_id);
        Mode mode{};
        if (!run.executeStep() || !parse_mode(run.getColumn(0).getString(), mode))
            throw std::runtime_error("a cash flow of run " + std::to_string(c.run_id) +
                                     ", which the journal does not have");
        SQLite::Statement q(*db_,
                            "INSERT OR IGNORE INTO cash_flows (run_id, time_ms, symbol, kind, "
                            "amount, ref, account) VALUES (?, ?, ?, ?, ?, ?, ?)");
        bind_row(q, c.run_id, c.time_ms, c.symbol, c.kind, c.amount, c.ref,
                 account_of(mode, c.run_id));
        inserted = q.exec() > 0;
    });
    return inserted;
}

std::vector<CashFlowRecord> Journal::cash_flows(int64_t run_id) const {
    flush();
    std::lock_guard lock(mutex_);
    auto q = select_by_run(*db_,
                           "SELECT id, run_id, time_ms, symbol, kind, amount, ref FROM cash_flows" +
                               where_run(run_id) + " ORDER BY id",
                           run_id);
    std::vector<CashFlowRecord> out;
    while (q.executeStep())
        out.push_back({q.getColumn(0).getInt64(), q.getColumn(1).getInt64(),
                       q.getColumn(2).getInt64(), q.getColumn(3).getString(),
                       q.getColumn(4).getString(), q.getColumn(5).getDouble(),
                       q.getColumn(6).getString()});
    return out;
}

std::vector<FillRecord> Journal::fills(int64_t run_id) const {
    flush();
    std::lock_guard lock(mutex_);
    auto q = select_by_run(
        *db_,
        std::string("SELECT ") + kFillColumns + " FROM fills" + where_run(run_id) + " ORDER BY id",
        run_id);
    return read_all(q, read_fill);
}

bool Journal::has_fill(const std::string& client_order_id, const std::string& trade_id) const {
    if (trade_id.empty()) return false;
    flush();
    std::lock_guard lock(mutex_);
    SQLite::Statement q(*db_, "SELECT 1 FROM fills WHERE client_order_id = ? AND trade_id = ?");
    SQLite::bind(q, client_order_id, trade_id);
    return q.executeStep();
}

void Journal::record_equity(int64_t run_id, const EquityPoint& p) {
    if (queue_) {
        queue_row(&PendingRows::equity, {run_id, p});
        return;
    }
    submit(1, [this, run_id, &p] { insert_equity(run_id, p); });
}

void Journal::insert_equity(int64_t run_id, const EquityPoint& p) const {
    auto& q = fresh(statements_->insert_equity);
    bind_equity(q, 0, run_id, p);
    q.exec();
}

std::vector<EquityPoint> Journal::equity(int64_t run_id) const {
    flush();
    std::lock_guard lock(mutex_);
    auto q = select_by_run(
        *db_,
        "SELECT time_ms, equity, cash FROM equity" + where_run(run_id) + " ORDER BY run_id, rowid",
        run_id);
    std::vector<EquityPoint> out;
    while (q.executeStep())
        out.push_back(
            {q.getColumn(0).getInt64(), q.getColumn(1).getDouble(), q.getColumn(2).getDouble()});
    return out;
}

void Journal::record_event(const EventRecord& e) {
    submit(1, [this, e] {
        auto& q = fresh(statements_->insert_event);
        bind_row(q, e.run_id, e.time_ms, e.source, e.kind, e.json);
        q.exec();
    });
}

void Journal::set_event_count(int64_t run_id, const std::string& kind, const std::string& message,
                              int64_t count) {
    submit(1, [this, run_id, kind, message, count] {
        SQLite::Statement q(*db_,
                            "UPDATE events SET json = json_set(json, '$.count', ?1) WHERE run_id = "
                            "?2 AND kind = ?3 AND json_extract(json, '$.message') = ?4");
        SQLite::bind(q, count, run_id, kind, message);
        q.exec();
    });
}

std::vector<EventRecord> Journal::events(int64_t run_id, const std::string& kind) const {
    flush();
    std::lock_guard lock(mutex_);
    std::string sql = "SELECT id, run_id, time_ms, source, kind, json FROM events";
    if (run_id != 0 && !kind.empty()) {
        sql += " WHERE run_id = ?1 AND kind = ?2";
    } else if (run_id != 0) {
        sql += " WHERE run_id = ?1";
    } else if (!kind.empty()) {
        sql += " WHERE kind = ?2";
    }
    SQLite::Statement q(*db_, sql + " ORDER BY id");
    if (run_id != 0) q.bind(1, run_id);
    if (!kind.empty()) q.bind(2, kind);
    std::vector<EventRecord> out;
    while (q.executeStep())
        out.push_back({q.getColumn(0).getInt64(), q.getColumn(1).getInt64(),
                       q.getColumn(2).getInt64(), q.getColumn(3).getString(),
                       q.getColumn(4).getString(), q.getColumn(5).getString()});
    return out;
}

std::optional<std::string> Journal::kv_get(const std::string& scope, const std::string& key) const {
    flush();
    std::lock_guard lock(mutex_);
    SQLite::Statement q(*db_, "SELECT value FROM kv WHERE scope = ? AND key = ?");
    SQLite::bind(q, scope, key);
    if (!q.executeStep()) return std::nullopt;
    return q.getColumn(0).getString();
}

void Journal::kv_set(const std::string& scope, const std::string& key, const std::string& value) {
    kv_set_all(scope, {{key, value}});
}

void Journal::kv_set_all(const std::string& scope,
                         const std::map<std::string, std::string>& values) {
    submit(static_cast<int>(values.size()), [this, scope, values] {
        for (const auto& [key, value] : values) {
            auto& q = fresh(statements_->kv_set);
            SQLite::bind(q, scope, key);
            q.bind(3, value.data(), static_cast<int>(value.size()));
            q.exec();
        }
    });
}

}  // namespace orchestrade::core
