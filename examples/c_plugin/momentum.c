/* A strategy in plain C99, written against ot_plugin.h alone: BUY when the close has risen by at
 * least threshold_pct over the last `period` bars, SELL when it has fallen by as much.
 *
 * What a plugin in any language has to do, and the C++ SDK does for you:
 *   - export ot_module_entry_v1 and nothing else (the CMake helper's version script does that);
 *   - fill struct_size in every struct it hands to the host;
 *   - walk the host's parameter array with the elements' own struct_size;
 *   - report failures as a status plus a message in the caller's ot_error. */
#include <orchestrade/ot_plugin.h>

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The closes of one symbol's last period + 1 bars, in a ring. */
typedef struct symbol_state {
    const char* symbol; /* borrowed from the universe: copied in create */
    double* closes;
    uint32_t head;  /* where the next close goes */
    uint32_t count; /* closes held, up to period + 1 */
} symbol_state;

typedef struct momentum_strategy {
    ot_strategy table; /* handed to the host; table.self points back here */
    const ot_host* host;
    uint32_t period;
    double threshold_pct;
    uint32_t symbol_count;
    symbol_state* symbols;
    char* names; /* the universe's names, one NUL-terminated block */
} momentum_strategy;

static ot_status fail(ot_error* err, ot_status code, const char* message) {
    if (err) {
        err->code = code;
        snprintf(err->message, sizeof err->message, "%s", message);
    }
    return code;
}

static void free_strategy(momentum_strategy* self) {
    uint32_t i;
    for (i = 0; i < self->symbol_count; ++i)
        free(self->symbols[i].closes);
    free(self->symbols);
    free(self->names);
    free(self);
}

static symbol_state* find_symbol(momentum_strategy* self, const char* symbol) {
    uint32_t i;
    for (i = 0; i < self->symbol_count; ++i)
        if (strcmp(self->symbols[i].symbol, symbol) == 0) return &self->symbols[i];
    return NULL;
}

/* Adds a close; returns the change in % over `period` bars once enough closes are held. */
static int push_close(const momentum_strategy* self, symbol_state* s, double close,
                      double* change_pct) {
    const uint32_t size = self->period + 1;
    s->closes[s->head] = close;
    s->head = (s->head + 1) % size;
    if (s->count < size) ++s->count;
    /* After the push, head is the oldest close: the one `period` bars back. */
    if (s->count < size || s->closes[s->head] <= 0) return 0;
    *change_pct = (close / s->closes[s->head] - 1.0) * 100.0;
    return 1;
}

static ot_status OT_CALL start(ot_strategy* s, ot_error* err) {
    const momentum_strategy* self = (const momentum_strategy*)s->self;
    char line[128];
    (void)err;
    snprintf(line, sizeof line, "momentum over %u bars, threshold %.2f%%", (unsigned)self->period,
             self->threshold_pct);
    self->host->log(self->host, OT_LOG_INFO, line);
    return OT_OK;
}

static uint32_t OT_CALL warmup_bars(ot_strategy* s) {
    return ((const momentum_strategy*)s->self)->period + 1;
}

static ot_status OT_CALL on_bars(ot_strategy* s, const ot_bar_batch* bars,
                                 const ot_signal_sink* out, ot_error* err) {
    momentum_strategy* self = (momentum_strategy*)s->self;
    uint32_t i;
    for (i = 0; i < bars->count; ++i) {
        const char* symbol = bars->symbols[bars->symbol[i]];
        symbol_state* state = find_symbol(self, symbol);
        double change_pct = 0;
        ot_signal signal;
        char metadata[64];
        if (!state) continue; /* not in the pipeline's universe */
        if (!push_close(self, state, bars->close[i], &change_pct)) continue;
        if (bars->flags & OT_BATCH_WARMUP) continue; /* history: state only */
        if (change_pct < self->threshold_pct && change_pct > -self->threshold_pct) continue;

        memset(&signal, 0, sizeof signal);
        signal.struct_size = sizeof signal;
        signal.action = change_pct > 0 ? OT_ACTION_BUY : OT_ACTION_SELL;
        signal.symbol = symbol;
        signal.time_ms = bars->open_time_ms[i];
        signal.confidence = -1; /* not given */
        signal.reason = change_pct > 0 ? "momentum up" : "momentum down";
        snprintf(metadata, sizeof metadata, "{\"change_pct\": %.4f}", change_pct);
        signal.metadata_json = metadata; /* the host copies it during push */
        if (out->push(out->ctx, &signal) != OT_OK)
            return fail(err, OT_E_HOST, "the host refused a signal");
    }
    return OT_OK;
}

static ot_status OT_CALL stop(ot_strategy* s, ot_error* err) {
    (void)s;
    (void)err;
    return OT_OK;
}

static void OT_CALL destroy(ot_strategy* s) {
    free_strategy((momentum_strategy*)s->self);
}

static const void* OT_CALL get_extension(ot_strategy* s, const char* id) {
    (void)s;
    (void)id;
    return NULL;
}

/* The i-th parameter value. A newer host may hand over longer elements: step by their size. */
static const ot_param_value* param_at(const ot_create_info* info, uint32_t i) {
    const unsigned char* base = (const unsigned char*)info->params;
    return (const ot_param_value*)(const void*)(base + (size_t)i * info->params[0].struct_size);
}

/* Copies the universe: the strategy keeps it beyond create(). */
static int copy_universe(momentum_strategy* self, const ot_create_info* info) {
    size_t total = 0, offset = 0;
    uint32_t i;
    for (i = 0; i < info->universe_count; ++i)
        total += strlen(info->universe[i]) + 1;
    self->names = (char*)malloc(total ? total : 1);
    self->symbols = (symbol_state*)calloc(info->universe_count ? info->universe_count : 1,
                                          sizeof *self->symbols);
    if (!self->names || !self->symbols) return 0;
    for (i = 0; i < info->universe_count; ++i) {
        const size_t len = strlen(info->universe[i]) + 1;
        symbol_state* state = &self->symbols[i];
        memcpy(self->names + offset, info->universe[i], len);
        state->symbol = self->names + offset;
        offset += len;
        state->closes = (double*)calloc(self->period + 1, sizeof *state->closes);
        self->symbol_count = i + 1;
        if (!state->closes) return 0;
    }
    return 1;
}

static ot_status OT_CALL create(const ot_factory* f, const ot_host* host,
                                const ot_create_info* info, void** out, ot_error* err) {
    momentum_strategy* self;
    uint32_t i;
    (void)f;
    self = (momentum_strategy*)calloc(1, sizeof *self);
    if (!self) return fail(err, OT_E_NOMEM, "out of memory");
    self->host = host;
    /* The host has checked types and bounds and filled in defaults: every key is present. */
    for (i = 0; i < info->param_count; ++i) {
        const ot_param_value* p = param_at(info, i);
        if (strcmp(p->key, "period") == 0) self->period = (uint32_t)p->int_value;
        if (strcmp(p->key, "threshold_pct") == 0) self->threshold_pct = p->double_value;
    }
    if (!copy_universe(self, info)) {
        free_strategy(self);
        return fail(err, OT_E_NOMEM, "out of memory");
    }
    self->table.struct_size = sizeof self->table;
    self->table.self = self;
    self->table.start = start;
    self->table.warmup_bars = warmup_bars;
    self->table.on_bars = on_bars;
    self->table.on_event = NULL; /* no scheduler events */
    self->table.stop = stop;
    self->table.destroy = destroy;
    self->table.get_extension = get_extension;
    *out = &self->table;
    return OT_OK;
}

static const ot_param_spec params[] = {
    {sizeof(ot_param_spec), OT_PARAM_INT, 0, 0, "period", "bars the change is measured over", 1,
     10000, "20", NULL},
    {sizeof(ot_param_spec), OT_PARAM_DOUBLE, 0, 0, "threshold_pct",
     "change in % that makes a signal (BUY above +x, SELL below -x)", 0.0, 100.0, "1.0", NULL},
};

static const ot_descriptor descriptor = {sizeof(ot_descriptor),
                                         OT_KIND_STRATEGY,
                                         "com.example.momentum",
                                         "momentum",
                                         "Momentum (C)",
                                         "1.0.0",
                                         "Example Corp",
                                         "BUY after a rise of x% over N bars, SELL after a fall",
                                         params,
                                         sizeof params / sizeof params[0],
                                         0};

static const ot_factory factory = {sizeof(ot_factory), 0, &descriptor, create};

static uint32_t OT_CALL factory_count(void) {
    return 1;
}

static const ot_factory* OT_CALL factory_at(uint32_t index) {
    return index == 0 ? &factory : NULL;
}

/* min_host_minor 0: this plugin uses nothing newer than ABI 1.0, so any 1.x host loads it. */
static const ot_module module = {
    sizeof(ot_module), OT_ABI_MAJOR, OT_ABI_MINOR, 0, "c99", NULL, NULL, factory_count, factory_at};

OT_EXPORT const ot_module* OT_CALL ot_module_entry_v1(void) {
    return &module;
}
