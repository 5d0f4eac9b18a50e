/*
 * Orchestrade plugin ABI, major version 1.
 *
 * Pure C99. Include only this header to write a plugin in any language that can export a C
 * function. The C++ SDK (orchestrade/sdk.hpp) is a header-only layer over it.
 *
 * RULES (read before writing a plugin or a host)
 *
 * Versioning
 *   - A library exports exactly one symbol, ot_module_entry_v1, returning a static ot_module.
 *   - The host accepts a module if abi_major == OT_ABI_MAJOR and min_host_minor <= the host's
 *     OT_ABI_MINOR. abi_minor is the minor the module was built with.
 *   - Every struct that crosses the boundary begins with uint32_t struct_size. Fields are only ever
 *     appended. A reader uses min(struct_size, sizeof) and treats missing fields as zero/NULL.
 *     The exceptions have no struct_size: ot_error (fixed), and the sinks the host hands out
 *     (ot_byte_sink, ot_signal_sink, ot_feed_sink, ot_report_sink, ot_balance_sink). A sink
 *     grows only with a minor, and a plugin reads a field a minor added only when
 *     ot_host.abi_minor says the host has it (ot_feed_sink.push_bars: abi_minor >= 1).
 *   - An array of such structs (ot_descriptor.params, ot_create_info.params) is walked with the
 *     elements' own struct_size as the stride, never with the reader's sizeof.
 *   - Optional features are looked up by string id with a revision: "ot.<name>/<rev>".
 *
 * Types
 *   - Fixed-width integers, double and const char* (UTF-8, NUL-terminated) only. No enums by value,
 *     no bool, no size_t, no bitfields, no packing pragmas. "Enums" are int32_t with #defines.
 *   - Times are Unix epoch milliseconds (int64_t, UTC). A bar's time is its OPEN time.
 *   - "No price" is 0.0 for stop_loss / take_profit / limit prices.
 *
 * Ownership
 *   | what                                         | allocated by | freed by  | valid             |
 *   | ot_module, ot_factory, ot_descriptor, specs  | plugin       | nobody    | until unload      |
 *   | instance (ot_strategy/ot_executor/ot_feed)   | plugin       | plugin    | until destroy()   |
 *   | ot_host table                                | host         | host      | until destroy()   |
 *   |                                              |              |           | returns           |
 *   | inputs (batches, orders, ot_create_info)     | caller       | caller    | during the call   |
 *   | anything pushed into a sink                  | pusher       | pusher    | receiver copies   |
 *   | ot_error                                     | caller       | caller    | during the call   |
 *   Strings returned by the host (kv_get) are written into caller-owned buffers.
 *
 * Threading
 *   - Calls on one instance are never concurrent; they may come from different threads over time.
 *   - Different instances may be called in parallel: module-level state must be thread-safe.
 *   - Every ot_host function is thread-safe and never re-enters the calling instance.
 *   - Threads a plugin starts must be joined in stop().
 *
 * Errors
 *   - Fallible functions return ot_status (0 ok, > 0 informational, < 0 error) and, on error,
 *     fill the caller's ot_error. Exceptions, longjmp, exit() and signal handlers never cross.
 *   - A sink's push returns OT_E_INVALID_ARG for a struct the host refuses (the host's log says
 *     why, once per reason); return that status from the call that pushed.
 *
 * Determinism
 *   - Plugins read time only through ot_host.now_ms, sleep never, and do HTTP only through
 *     ot_host.http. In a backtest the clock is simulated and HTTP may be refused or replayed.
 *     A plugin that must wait for a service in real time asks the host (OT_EXT_STOP wait_ms).
 */
#ifndef ORCHESTRADE_OT_PLUGIN_H
#define ORCHESTRADE_OT_PLUGIN_H

#include <stdint.h>

#define OT_ABI_MAJOR 1
/* Minor 1 added ot_feed_sink.push_bars and the executor extension OT_EXT_MIN_ORDER.
   Minor 2 added the report kind OT_REPORT_CASH.
   Minor 3 added the feed status OT_BEHIND.
   Minor 4 added ot_http_response.flags (OT_HTTP_NOT_SENT). */
#define OT_ABI_MINOR 4

#if defined(_WIN32)
#define OT_EXPORT __declspec(dllexport)
#define OT_CALL __cdecl
#else
#define OT_EXPORT __attribute__((visibility("default")))
#define OT_CALL
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* ---- status codes -------------------------------------------------------------------------- */
typedef int32_t ot_status;
#define OT_OK 0
#define OT_END 1            /* feed: no more data (end of a backtest) */
#define OT_BEHIND 2         /* feed, since minor 3: more closed bars wait (see ot_feed.poll) */
#define OT_E_INVALID_ARG -1 /* bad argument or parameter */
#define OT_E_UNSUPPORTED -2 /* function or option not supported by this component */
#define OT_E_PLUGIN -3      /* plugin logic failed (an exception caught in the plugin) */
#define OT_E_HOST -4        /* a host service failed */
#define OT_E_IO -5          /* network or file I/O failed */
#define OT_E_NOMEM -6
#define OT_E_NOT_FOUND -7 /* e.g. query_order for an id the venue does not know */
#define OT_E_REJECTED -8  /* the venue refused a request; the message says why */
#define OT_E_AMBIGUOUS                                                         \
    -9 /* the outcome is unknown (timeout after send): reconcile, never resend \
        */
#define OT_E_RATE_LIMIT -10 /* throttled or banned by the venue */
#define OT_E_UNKNOWN -100

#define OT_ERROR_MESSAGE_SIZE 512
typedef struct ot_error {
    ot_status code;
    char message[OT_ERROR_MESSAGE_SIZE]; /* UTF-8, NUL-terminated, may be truncated */
} ot_error;

/* ---- small shared types --------------------------------------------------------------------- */
#define OT_MODE_BACKTEST 1
#define OT_MODE_PAPER 2
#define OT_MODE_LIVE 3

#define OT_SIDE_BUY 1
#define OT_SIDE_SELL 2

#define OT_ACTION_HOLD 0
#define OT_ACTION_BUY 1   /* enter or add long (or reduce/close a short) */
#define OT_ACTION_SELL 2  /* exit long; enters short only where risk allows shorts */
#define OT_ACTION_CLOSE 3 /* flatten the position, whatever its side */

/* A byte sink: the receiver copies the bytes. */
typedef struct ot_byte_sink {
    void* ctx;
    ot_status(OT_CALL* write)(void* ctx, const void* data, uint64_t len);
} ot_byte_sink;

/* ---- host services -------------------------------------------------------------------------- */
#define OT_LOG_DEBUG 0
#define OT_LOG_INFO 1
#define OT_LOG_WARN 2
#define OT_LOG_ERROR 3

typedef struct ot_http_request {
    uint32_t struct_size;
    uint32_t reserved0;
    const char* method;         /* "GET", "POST", "DELETE", ... */
    const char* url;            /* absolute URL */
    const char* const* headers; /* "Name: value" strings, NULL-terminated; may be NULL */
    const void* body;           /* may be NULL */
    uint64_t body_len;
    uint32_t timeout_ms; /* 0 = host default */
    uint32_t reserved;
} ot_http_request;

/* ot_http_response.flags: nothing of the request reached the server (the connection or the name
   resolution failed), so repeating it cannot duplicate anything. */
#define OT_HTTP_NOT_SENT 0x1u

typedef struct ot_http_response {
    uint32_t struct_size;
    int32_t status;              /* HTTP status, 0 if none was received */
    const ot_byte_sink* body;    /* receives the body */
    const ot_byte_sink* headers; /* receives raw header lines; may be NULL */
    /* since minor 4: OT_HTTP_* flags, written by the host during http(), on the caller's thread,
       after it tried the exchange and only when struct_size covers them; 0 (what a host older
       than minor 4 leaves) says nothing. */
    uint32_t flags;
    uint32_t reserved;
} ot_http_response;

typedef struct ot_position {
    uint32_t struct_size;
    uint32_t reserved;
    double qty; /* signed: > 0 long, < 0 short */
    double avg_price;
    double mark_price; /* last known price */
    double unrealized_pnl;
    double realized_pnl;
} ot_position;

typedef struct ot_account {
    uint32_t struct_size;
    uint32_t open_positions;
    double cash;
    double equity;
    double starting_equity;
    double realized_pnl;
    double unrealized_pnl;
    double fees;
} ot_account;

typedef struct ot_host ot_host;
struct ot_host {
    uint32_t struct_size;
    uint32_t abi_major, abi_minor; /* what the host implements */
    int32_t mode;                  /* OT_MODE_* */
    void* host_data;               /* host-private */
    const char* host_version;
    const char* instance_name; /* e.g. "strategy", for messages */

    /* [thread-safe] Writes one log line attributed to this instance. */
    void(OT_CALL* log)(const ot_host* h, int32_t level, const char* message);
    /* [thread-safe] Current time, Unix ms UTC. Simulated (the bar close) in a backtest. */
    int64_t(OT_CALL* now_ms)(const ot_host* h);
    /* [thread-safe, blocking] One HTTP exchange through the host's client (timeouts, recording).
       Returns OT_OK when a response (any status) arrived, OT_E_IO on transport failure (with
       OT_HTTP_NOT_SENT in resp->flags when the request certainly never reached the server),
       OT_E_UNSUPPORTED when HTTP is disabled (backtest). */
    ot_status(OT_CALL* http)(const ot_host* h, const ot_http_request* req, ot_http_response* resp,
                             ot_error* err);
    /* [thread-safe] Persistent key-value state of this instance (survives restarts), kept per
       mode: a live run does not see what a paper run of the same journal left. The backtests
       of one journal share theirs (recorded answers replay so): a strategy that must start
       clean in each backtest does not read its decisions from it in a backtest.
       kv_get writes the value into 'out'; returns OT_E_NOT_FOUND when the key is absent. */
    ot_status(OT_CALL* kv_get)(const ot_host* h, const char* key, const ot_byte_sink* out,
                               ot_error* err);
    ot_status(OT_CALL* kv_set)(const ot_host* h, const char* key, const void* value, uint64_t len,
                               ot_error* err);
    /* [thread-safe] Appends a record to the run journal: kind is a short name ("llm_call"),
       json a JSON object. */
    ot_status(OT_CALL* journal_append)(const ot_host* h, const char* kind, const char* json,
                                       ot_error* err);
    /* [thread-safe] The core ledger's view of the portfolio (strategies use it for sizing and
       prompts). get_position fills a flat position for an unknown symbol. */
    ot_status(OT_CALL* get_position)(const ot_host* h, const char* symbol, ot_position* out);
    ot_status(OT_CALL* get_account)(const ot_host* h, ot_account* out);
    /* [thread-safe] Optional services by id ("ot.<name>/<rev>"), or NULL. */
    const void*(OT_CALL* get_extension)(const ot_host* h, const char* id);
};

/* Host extension OT_EXT_STOP (ot_host.get_extension with that id; NULL from a host without it):
   the user's request to stop the run (Ctrl+C, SIGTERM), for a plugin blocked in a long call, and
   the process groups of a plugin's children, killed by the host when it must leave at once (a
   second Ctrl+C). */
#define OT_EXT_STOP "ot.stop/1"
typedef struct ot_stop_ext {
    uint32_t struct_size;
    uint32_t reserved;
    /* [thread-safe, cheap enough to poll] 1 once a stop was requested: the run ends after the
       current iteration, so a plugin cuts a long wait short and starts no retry. 0 otherwise. */
    int32_t(OT_CALL* stop_requested)(const ot_host* h);
    /* [thread-safe] A child process group (its leader's pid) the plugin started and waits for;
       the host kills it with SIGKILL before leaving at once. Forgotten once the plugin has reaped
       the child. Returns OT_E_UNSUPPORTED when the host cannot keep more groups. */
    ot_status(OT_CALL* watch_process_group)(const ot_host* h, int64_t pgid);
    void(OT_CALL* forget_process_group)(const ot_host* h, int64_t pgid);
    /* [thread-safe] Present when struct_size covers it. Waits `ms` milliseconds of real time (a
       service's rate limit during a backtest, whose clock is simulated), returning 1 as soon as a
       stop is requested, 0 after the whole wait. */
    int32_t(OT_CALL* wait_ms)(const ot_host* h, int64_t ms);
} ot_stop_ext;

/* ---- parameter schema ---------------------------------------------------------------------- */
#define OT_PARAM_BOOL 1
#define OT_PARAM_INT 2
#define OT_PARAM_DOUBLE 3
#define OT_PARAM_STRING 4
#define OT_PARAM_ENUM 5 /* a string from 'choices' */
#define OT_PARAM_JSON 6 /* any YAML value, handed over as JSON text */

#define OT_PARAM_REQUIRED 0x1u
#define OT_PARAM_SECRET 0x2u /* value must come from ${ENV} or a 0600 file; never logged */

typedef struct ot_param_spec {
    uint32_t struct_size;
    int32_t type;   /* OT_PARAM_* */
    uint32_t flags; /* OT_PARAM_REQUIRED | OT_PARAM_SECRET */
    uint32_t reserved;
    const char* key; /* YAML key, [a-z0-9_]+ */
    const char* description;
    double min_value; /* inclusive bounds for INT and DOUBLE; ignored when min > max */
    double max_value;
    const char* default_text;   /* default as YAML text; NULL when required or no default */
    const char* const* choices; /* ENUM only: NULL-terminated */
} ot_param_spec;

typedef struct ot_param_value { /* validated by the host; borrowed during create() */
    uint32_t struct_size;
    int32_t type; /* OT_PARAM_* */
    const char* key;
    int64_t int_value;        /* INT, BOOL (0/1) */
    double double_value;      /* DOUBLE (and INT, converted) */
    const char* string_value; /* STRING, ENUM, JSON; NULL otherwise */
} ot_param_value;

/* ---- self-description ---------------------------------------------------------------------- */
#define OT_KIND_FEED 1
#define OT_KIND_STRATEGY 2
#define OT_KIND_EXECUTOR 3

/* Executor capability flags (ot_descriptor.capabilities). */
#define OT_CAP_NATIVE_STOP_LOSS 0x1u   /* rests stop-loss orders on the venue */
#define OT_CAP_NATIVE_TAKE_PROFIT 0x2u /* rests take-profit orders on the venue */
#define OT_CAP_SHORT 0x4u              /* can hold short positions */

typedef struct ot_descriptor { /* static; valid while the library is loaded */
    uint32_t struct_size;
    int32_t kind;           /* OT_KIND_* */
    const char* id;         /* unique, reverse-DNS: "org.orchestrade.sma_cross" */
    const char* short_name; /* what pipelines may write in 'use:': "sma_cross" */
    const char* name;       /* human-readable */
    const char* version;    /* semver of the plugin */
    const char* vendor;
    const char* description;
    const ot_param_spec* params;
    uint32_t param_count;
    uint32_t capabilities; /* OT_CAP_* */
} ot_descriptor;

/* What create() receives besides the host table (borrowed during the call). */
typedef struct ot_create_info {
    uint32_t struct_size;
    int32_t mode;                 /* OT_MODE_* */
    const ot_param_value* params; /* validated values in schema order, defaults filled in; an
                                     optional parameter without a default that the pipeline
                                     leaves out is absent */
    uint32_t param_count;
    uint32_t universe_count;
    const char* const* universe; /* the pipeline's symbols, e.g. "BTC/USDT" */
    const char* base_dir;        /* directory of the pipeline file, for relative paths */
} ot_create_info;

/* ---- market data --------------------------------------------------------------------------- */
typedef struct ot_bar { /* one closed candle, as pushed by a feed */
    uint32_t struct_size;
    int32_t interval_s; /* timeframe in seconds: 60 = 1m, 14400 = 4h */
    const char* symbol;
    int64_t open_time_ms;
    double open, high, low, close, volume;
} ot_bar;

typedef struct ot_series_point { /* a scalar series other than candles */
    uint32_t struct_size;
    uint32_t reserved;
    const char* symbol;
    const char* name; /* "funding_rate", "open_interest", "mark_price", ... */
    int64_t time_ms;
    double value;
} ot_series_point;

typedef struct ot_bar_columns { /* closed candles of one symbol and timeframe, column-wise */
    uint32_t struct_size;
    int32_t interval_s;
    const char* symbol;
    uint32_t count; /* rows; row i is open_time_ms[i], open[i], ... */
    uint32_t reserved;
    const int64_t* open_time_ms;
    const double* open;
    const double* high;
    const double* low;
    const double* close;
    const double* volume;
} ot_bar_columns;

typedef struct ot_feed_sink { /* the host copies what is pushed */
    void* ctx;
    ot_status(OT_CALL* push_bar)(void* ctx, const ot_bar* bar);
    ot_status(OT_CALL* push_series)(void* ctx, const ot_series_point* point);
    /* Since minor 1: read it only when ot_host.abi_minor >= 1; it may be NULL. The same as
       push_bar for each row in order, in one call: a feed that has many bars at hand (a file, a
       page of history) spares the host a call per bar. */
    ot_status(OT_CALL* push_bars)(void* ctx, const ot_bar_columns* bars);
} ot_feed_sink;

/* The bars (and series points) that closed at one moment, column-wise; borrowed for the call.
   Row i is symbols[symbol[i]] at timeframe interval_s[i]. */
#define OT_BATCH_WARMUP                                                      \
    0x1u /* history before the run starts: update state, signals are ignored \
          */

typedef struct ot_bar_batch {
    uint32_t struct_size;
    uint32_t count;
    int64_t now_ms;             /* the moment the batch is delivered (bar close) */
    const char* const* symbols; /* symbol table */
    uint32_t symbol_count;
    uint32_t flags;         /* OT_BATCH_* */
    const uint32_t* symbol; /* per row: index into symbols */
    const int32_t* interval_s;
    const int64_t* open_time_ms;
    const double* open;
    const double* high;
    const double* low;
    const double* close;
    const double* volume;
    uint32_t series_count;
    uint32_t reserved;
    const ot_series_point* const* series; /* points that arrived since the previous batch */
} ot_bar_batch;

/* A named event from the scheduler ("pre_market", "every_3m", ...). */
typedef struct ot_event {
    uint32_t struct_size;
    uint32_t reserved;
    const char* name;
    int64_t time_ms;
    const char* payload_json; /* may be NULL */
} ot_event;

/* ---- signals ------------------------------------------------------------------------------- */
typedef struct ot_signal {
    uint32_t struct_size;
    int32_t action; /* OT_ACTION_* */
    const char* symbol;
    int64_t time_ms;           /* time of the bar that produced it (its open time) */
    double size_pct;           /* optional size hint, % of equity; 0 = use the risk config */
    double stop_loss;          /* optional price; 0 = none */
    double take_profit;        /* optional price; 0 = none */
    double confidence;         /* 0..1; negative = not given */
    const char* reason;        /* optional, copied */
    const char* metadata_json; /* optional JSON object (indicator values, rationale), copied;
                                  anything but an object is refused (OT_E_INVALID_ARG) */
} ot_signal;

typedef struct ot_signal_sink {
    void* ctx;
    ot_status(OT_CALL* push)(void* ctx, const ot_signal* signal);
} ot_signal_sink;

/* ---- orders and execution reports ---------------------------------------------------------- */
#define OT_ORDER_MARKET 1
#define OT_ORDER_LIMIT 2
#define OT_ORDER_STOP_MARKET 3
#define OT_ORDER_STOP_LIMIT 4
#define OT_ORDER_TAKE_PROFIT_MARKET 5

#define OT_TIF_GTC 1
#define OT_TIF_IOC 2
#define OT_TIF_FOK 3

#define OT_ORDER_FLAG_REDUCE_ONLY 0x1u

typedef struct ot_order {
    uint32_t struct_size;
    int32_t side;                /* OT_SIDE_* */
    const char* client_order_id; /* journaled before submit; the idempotency key (<= 36 chars) */
    const char* symbol;
    int32_t type;       /* OT_ORDER_* */
    int32_t tif;        /* OT_TIF_* */
    double qty;         /* base units, > 0 */
    double limit_price; /* LIMIT, STOP_LIMIT; 0 otherwise */
    double stop_price;  /* STOP_*, TAKE_PROFIT_*; 0 otherwise */
    double stop_loss;   /* attached to an entry; 0 = none (executors with native stops) */
    double take_profit; /* attached to an entry; 0 = none */
    int64_t time_ms;    /* when the core created it */
    uint32_t flags;     /* OT_ORDER_FLAG_* */
    uint32_t reserved;
    const char* parent_client_order_id; /* for protective legs: the entry; may be NULL */
} ot_order;

#define OT_REPORT_ACCEPTED 1 /* the venue has the order */
#define OT_REPORT_FILL 2     /* a (partial) fill: qty/price/fee are this fill's */
#define OT_REPORT_CANCELED 3
#define OT_REPORT_REJECTED 4 /* never reached the book; text says why */
#define OT_REPORT_EXPIRED 5
#define OT_REPORT_NOT_FOUND 6 /* query: the venue does not know this client id */
/* Since minor 2 (push it only when ot_host.abi_minor >= 2): money the account paid or received
   outside any fill, such as a futures funding payment. client_order_id may be NULL; symbol: the
   position it is for (may be NULL); fee: what the account paid, in quote currency (negative:
   what it received); trade_id: the venue's id of the flow, unique per text (required: the
   dedup key, a flow reported again is applied once); text: its kind, e.g. "funding"; time_ms:
   when the venue booked it. The host journals it and moves its ledger's cash. */
#define OT_REPORT_CASH 7

typedef struct ot_exec_report {
    uint32_t struct_size;
    int32_t kind; /* OT_REPORT_* */
    const char* client_order_id;
    const char* venue_order_id; /* may be NULL */
    const char* trade_id;       /* FILL: unique per fill at the venue (dedup key); may be NULL */
    const char* symbol;
    int32_t side; /* OT_SIDE_* */
    int32_t reserved;
    double qty;     /* FILL: this fill's quantity */
    double price;   /* FILL: this fill's price */
    double fee;     /* FILL: in quote currency */
    double cum_qty; /* filled so far, this fill included */
    int64_t time_ms;
    const char* text; /* reason for REJECTED/CANCELED; may be NULL */
} ot_exec_report;

typedef struct ot_report_sink {
    void* ctx;
    ot_status(OT_CALL* push)(void* ctx, const ot_exec_report* report);
} ot_report_sink;

typedef struct ot_balance { /* one asset's balance or one position, as the venue sees it */
    uint32_t struct_size;
    uint32_t reserved;
    const char* asset; /* "USDT", or a symbol for a position */
    double free_qty;   /* balance free, or signed position qty */
    double locked_qty;
    double avg_price; /* positions only */
} ot_balance;

typedef struct ot_balance_sink {
    void* ctx;
    ot_status(OT_CALL* push)(void* ctx, const ot_balance* balance);
} ot_balance_sink;

/* ---- instances ----------------------------------------------------------------------------- */
typedef struct ot_feed ot_feed;
struct ot_feed { /* allocated by create(), freed by destroy() */
    uint32_t struct_size;
    uint32_t reserved;
    void* self; /* plugin-private */
    ot_status(OT_CALL* start)(ot_feed* f, ot_error* err);
    /* Pushes the bars that closed at or before now_ms and were not pushed before, oldest first,
       at most max_bars of them (0 = no limit). Returns OT_END when a finite source is exhausted.
       In a backtest the host passes now_ms = INT64_MAX and takes what comes, in time order.
       Since minor 3 (return it only when ot_host.abi_minor >= 3): OT_BEHIND when the feed pushed
       fewer bars than have closed, max_bars aside (a catch-up it spreads over polls): the host
       takes them as history, acts on none of them, and polls again at once. */
    ot_status(OT_CALL* poll)(ot_feed* f, int64_t now_ms, uint32_t max_bars, const ot_feed_sink* out,
                             ot_error* err);
    /* History, for a strategy's warm-up: pushes the last 'count' bars of symbol/interval that
       closed at or before 'before_ms' (open_time_ms + interval <= before_ms), in close-time order;
       interval_s 0 asks for 'count' bars of every timeframe the feed delivers (the host's warm-up
       asks so first, then, if nothing came, for the pipeline's timeframe). Never a bar that poll()
       has still to push. Fewer bars, or none, when the feed has no more. May be NULL.
       Paper/live: the host asks after start(), before the first poll, with before_ms =
       INT64_MAX: what has closed before the feed's position.
       Backtest: the host polls first, then asks with before_ms = the open time of the first bar
       of the tested period (the finest bar of the first moment poll() pushed): the bars before
       the period, such as a file's rows before its start or a generator's bars before its first.
       The host drops any bar that closes after before_ms. */
    ot_status(OT_CALL* history)(ot_feed* f, const char* symbol, int32_t interval_s,
                                int64_t before_ms, uint32_t count, const ot_feed_sink* out,
                                ot_error* err);
    ot_status(OT_CALL* stop)(ot_feed* f, ot_error* err);
    void(OT_CALL* destroy)(ot_feed* f);
    const void*(OT_CALL* get_extension)(ot_feed* f, const char* id);
};

typedef struct ot_strategy ot_strategy;
struct ot_strategy {
    uint32_t struct_size;
    uint32_t reserved;
    void* self;
    ot_status(OT_CALL* start)(ot_strategy* s, ot_error* err);
    /* How many closed bars of history the strategy needs before its first signal: bars of each
       timeframe the feed delivers (30 with a 1m and a 1h feed: 30 of each). */
    uint32_t(OT_CALL* warmup_bars)(ot_strategy* s);
    ot_status(OT_CALL* on_bars)(ot_strategy* s, const ot_bar_batch* bars, const ot_signal_sink* out,
                                ot_error* err);
    /* A scheduler event. May be NULL. */
    ot_status(OT_CALL* on_event)(ot_strategy* s, const ot_event* event, const ot_signal_sink* out,
                                 ot_error* err);
    ot_status(OT_CALL* stop)(ot_strategy* s, ot_error* err);
    void(OT_CALL* destroy)(ot_strategy* s);
    const void*(OT_CALL* get_extension)(ot_strategy* s, const char* id);
};

typedef struct ot_executor ot_executor;
struct ot_executor {
    uint32_t struct_size;
    uint32_t reserved;
    void* self;
    ot_status(OT_CALL* start)(ot_executor* e, ot_error* err);
    /* Sends one order. OT_OK: the venue has it (or it was queued). OT_E_REJECTED: refused, never
       live. OT_E_AMBIGUOUS: unknown outcome; the host reconciles with query_order and never
       resubmits the same intent blindly. */
    ot_status(OT_CALL* submit)(ot_executor* e, const ot_order* order, ot_error* err);
    ot_status(OT_CALL* cancel)(ot_executor* e, const char* symbol, const char* client_order_id,
                               ot_error* err);
    /* Market data for executors that simulate fills or emulate orders. May be NULL. */
    ot_status(OT_CALL* on_bars)(ot_executor* e, const ot_bar_batch* bars, ot_error* err);
    /* Drains the reports (acks, fills, cancels, rejects, cash flows) gathered since the last
       poll. */
    ot_status(OT_CALL* poll)(ot_executor* e, const ot_report_sink* out, ot_error* err);
    /* Reports the current state of one order: ACCEPTED/FILL.../CANCELED..., or NOT_FOUND. */
    ot_status(OT_CALL* query_order)(ot_executor* e, const char* symbol, const char* client_order_id,
                                    const ot_report_sink* out, ot_error* err);
    /* Pushes one ACCEPTED report per order still open at the venue. */
    ot_status(OT_CALL* open_orders)(ot_executor* e, const ot_report_sink* out, ot_error* err);
    /* Pushes the venue's balances and positions. */
    ot_status(OT_CALL* balances)(ot_executor* e, const ot_balance_sink* out, ot_error* err);
    ot_status(OT_CALL* stop)(ot_executor* e, ot_error* err);
    void(OT_CALL* destroy)(ot_executor* e);
    const void*(OT_CALL* get_extension)(ot_executor* e, const char* id);
};

/* Executor extension OT_EXT_MIN_ORDER (get_extension with that id; NULL = no such rules): the
   smallest quantity of a symbol the venue takes in one market order at a price, from its lot
   step, minimum quantity and minimum notional. A position below it cannot be sold (the rest of
   a buy whose fee was paid in the coin, floored to the step): the host treats it as flat, so
   the next BUY enters and no SELL is sent for it. */
#define OT_EXT_MIN_ORDER "ot.executor.min_order/1"
typedef struct ot_min_order_ext {
    uint32_t struct_size;
    uint32_t reserved;
    /* [main thread] OT_OK with *qty set (0 = no minimum); OT_E_NOT_FOUND for a symbol the venue
       does not list; OT_E_UNSUPPORTED when the executor has no such rules. */
    ot_status(OT_CALL* min_order_qty)(ot_executor* e, const char* symbol, double price, double* qty,
                                      ot_error* err);
} ot_min_order_ext;

/* ---- factory and module -------------------------------------------------------------------- */
typedef struct ot_factory ot_factory;
struct ot_factory { /* static */
    uint32_t struct_size;
    uint32_t reserved;
    const ot_descriptor* descriptor;
    /* Creates one instance; *out receives an ot_feed*, ot_strategy* or ot_executor* according to
       descriptor->kind. 'host' stays valid until destroy() returns. No I/O here: only host->log
       may be called (validate and run also create each component once more, only to check its
       parameters, with host services that are not the run's: call them from start() on).
       [main thread] */
    ot_status(OT_CALL* create)(const ot_factory* f, const ot_host* host, const ot_create_info* info,
                               void** out, ot_error* err);
};

typedef struct ot_module {
    uint32_t struct_size;
    uint32_t abi_major;      /* OT_ABI_MAJOR when built; must equal the host's */
    uint32_t abi_minor;      /* OT_ABI_MINOR when built */
    uint32_t min_host_minor; /* lowest host minor this module works with */
    const char* sdk_version; /* informational */
    /* [main thread] Once after load, before anything else. May be NULL. */
    ot_status(OT_CALL* init)(const ot_host* host, ot_error* err);
    /* [main thread] Once before unload, after every instance was destroyed. May be NULL. */
    void(OT_CALL* deinit)(void);
    /* [thread-safe] */
    uint32_t(OT_CALL* factory_count)(void);
    /* [thread-safe] */
    const ot_factory*(OT_CALL* factory_at)(uint32_t index);
} ot_module;

#define OT_MODULE_ENTRY_NAME "ot_module_entry_v1"
typedef const ot_module*(OT_CALL* ot_module_entry_fn)(void);
/* Every plugin library defines exactly this and exports nothing else:
   OT_EXPORT const ot_module* OT_CALL ot_module_entry_v1(void); */

#ifdef __cplusplus
}
#endif
#endif /* ORCHESTRADE_OT_PLUGIN_H */
