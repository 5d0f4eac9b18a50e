/* One strategy built as libraries of other ABI versions (FIXTURE_VARIANT), to check what the
 * installed host does with each:
 *   1 NEWER_MINOR  built against a later minor (1.1) that appended fields to every struct it
 *                  hands over, min_host_minor 0: loads, its longer structs are read by prefix.
 *   2 OLDER_MINOR  built against an earlier layout: descriptor without 'capabilities', parameter
 *                  specs without 'choices' (a smaller stride): loads, missing fields read as 0.
 *   3 NEEDS_HOST   requires host minor OT_ABI_MINOR + 1: refused, with the reason.
 *   4 MAJOR_2      an ABI 2 library, which exports ot_module_entry_v2 only: refused.
 *   5 MAJOR_2_V1   says ABI major 2 through ot_module_entry_v1: refused, with the reason.
 * FIXTURE_NAME (a string) makes each variant's id and short name unique.
 * The strategy: BUY when a bar closes above its open by more than 'min_move', SELL when below. */
#include <orchestrade/ot_plugin.h>

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#define NEWER_MINOR 1
#define OLDER_MINOR 2
#define NEEDS_HOST 3
#define MAJOR_2 4
#define MAJOR_2_V1 5

#if FIXTURE_VARIANT == NEWER_MINOR
/* What 1.1 might have appended. The host must not care. */
typedef struct param_spec {
    ot_param_spec base;
    double step;
} param_spec;
typedef struct descriptor {
    ot_descriptor base;
    const char* homepage;
} descriptor;
typedef struct strategy_table {
    ot_strategy base;
    void (*on_idle)(ot_strategy* s);
} strategy_table;
typedef struct plugin_signal {
    ot_signal base;
    double expected_move;
} plugin_signal;
typedef struct module_table {
    ot_module base;
    const void* (*get_extension)(const char* id);
} module_table;
#define BUILT_MINOR (OT_ABI_MINOR + 1)
#define PARAM_SPEC(type, key, doc, lo, hi, def) \
    { {sizeof(param_spec), type, 0, 0, key, doc, lo, hi, def, NULL}, 0.5 }
#define DESCRIPTOR_SIZE sizeof(descriptor)
#define APPENDED(value) , value /* initialises an appended field */
#else
typedef struct param_spec { /* OLDER_MINOR: ot_param_spec without 'choices' */
    uint32_t struct_size;
    int32_t type;
    uint32_t flags;
    uint32_t reserved;
    const char* key;
    const char* description;
    double min_value;
    double max_value;
    const char* default_text;
} param_spec;
typedef struct descriptor {
    ot_descriptor base;
} descriptor;
typedef struct strategy_table {
    ot_strategy base;
} strategy_table;
typedef struct plugin_signal {
    ot_signal base;
} plugin_signal;
typedef struct module_table {
    ot_module base;
} module_table;
#define BUILT_MINOR OT_ABI_MINOR
#define PARAM_SPEC(type, key, doc, lo, hi, def) \
    { sizeof(param_spec), type, 0, 0, key, doc, lo, hi, def }
/* Ends before 'capabilities' (which is set below, and must read as 0). */
#define DESCRIPTOR_SIZE offsetof(ot_descriptor, capabilities)
#define APPENDED(value)
#endif

typedef struct compat_strategy {
    strategy_table table;
    double min_move;
} compat_strategy;

static ot_status OT_CALL on_bars(ot_strategy* s, const ot_bar_batch* bars,
                                 const ot_signal_sink* out, ot_error* err) {
    const compat_strategy* self = (const compat_strategy*)s->self;
    uint32_t i;
    (void)err;
    for (i = 0; i < bars->count; ++i) {
        const double move = bars->close[i] - bars->open[i];
        plugin_signal sig;
        if (move <= self->min_move && move >= -self->min_move) continue;
        memset(&sig, 0, sizeof sig);
        sig.base.struct_size = sizeof sig;
        sig.base.action = move > 0 ? OT_ACTION_BUY : OT_ACTION_SELL;
        sig.base.symbol = bars->symbols[bars->symbol[i]];
        sig.base.time_ms = bars->open_time_ms[i];
        sig.base.confidence = -1;
        if (out->push(out->ctx, &sig.base) != OT_OK) return OT_E_HOST;
    }
    return OT_OK;
}

static ot_status OT_CALL start_or_stop(ot_strategy* s, ot_error* err) {
    (void)s;
    (void)err;
    return OT_OK;
}

static uint32_t OT_CALL warmup_bars(ot_strategy* s) {
    (void)s;
    return 0;
}

static void OT_CALL destroy(ot_strategy* s) {
    free(s->self);
}

static const void* OT_CALL get_extension(ot_strategy* s, const char* id) {
    (void)s;
    (void)id;
    return NULL;
}

static ot_status OT_CALL create(const ot_factory* f, const ot_host* host,
                                const ot_create_info* info, void** out, ot_error* err) {
    const unsigned char* params = (const unsigned char*)info->params;
    compat_strategy* self = (compat_strategy*)calloc(1, sizeof *self);
    uint32_t i;
    (void)f;
    (void)host;
    if (!self) {
        err->code = OT_E_NOMEM;
        return OT_E_NOMEM;
    }
    for (i = 0; i < info->param_count; ++i) {
        const ot_param_value* p =
            (const ot_param_value*)(const void*)(params + i * info->params[0].struct_size);
        if (strcmp(p->key, "min_move") == 0) self->min_move = p->double_value;
    }
    self->table.base.struct_size = sizeof self->table;
    self->table.base.self = self;
    self->table.base.start = start_or_stop;
    self->table.base.warmup_bars = warmup_bars;
    self->table.base.on_bars = on_bars;
    self->table.base.stop = start_or_stop;
    self->table.base.destroy = destroy;
    self->table.base.get_extension = get_extension;
    *out = &self->table.base;
    return OT_OK;
}

static const param_spec params[] = {
    PARAM_SPEC(OT_PARAM_DOUBLE, "min_move", "smallest close - open that makes a signal", 0, 1e9,
               "0.5"),
    PARAM_SPEC(OT_PARAM_INT, "unused", "a second spec, to check the stride", 1, 9, "3"),
};

static const descriptor desc = {
    {DESCRIPTOR_SIZE, OT_KIND_STRATEGY, "test.compat." FIXTURE_NAME, FIXTURE_NAME,
     "ABI compatibility", "1.0.0", "Tests", "BUY on a rising bar, SELL on a falling one",
     (const ot_param_spec*)(const void*)params, 2, OT_CAP_SHORT} APPENDED("https://example.com")};

static const ot_factory factory = {sizeof(ot_factory), 0, &desc.base, create};

static uint32_t OT_CALL factory_count(void) {
    return 1;
}

static const ot_factory* OT_CALL factory_at(uint32_t index) {
    return index == 0 ? &factory : NULL;
}

#if FIXTURE_VARIANT == MAJOR_2 || FIXTURE_VARIANT == MAJOR_2_V1
#define MAJOR 2
#else
#define MAJOR OT_ABI_MAJOR
#endif
#if FIXTURE_VARIANT == NEEDS_HOST
#define MIN_HOST_MINOR (OT_ABI_MINOR + 1)
#else
#define MIN_HOST_MINOR 0
#endif

static const module_table module = {{sizeof(module_table), MAJOR, BUILT_MINOR, MIN_HOST_MINOR,
                                     "compat", NULL, NULL, factory_count,
                                     factory_at} APPENDED(NULL)};

#if FIXTURE_VARIANT == MAJOR_2
OT_EXPORT const ot_module* OT_CALL ot_module_entry_v2(void) {
    return &module.base;
}
#else
OT_EXPORT const ot_module* OT_CALL ot_module_entry_v1(void) {
    return &module.base;
}
#endif
