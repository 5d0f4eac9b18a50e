/* ot_plugin.h compiled as C (built twice: C99 and C11, -Wall -Wextra -pedantic -Werror). It also
 * reports the layout a C compiler gives every struct in the golden table, which layout_test
 * compares with what the C++ compiler sees. */
#include <orchestrade/ot_plugin.h>

#include <stddef.h>

#include "abi_layout.h"

#define OT_LAYOUT_STRUCT(T, size) {#T, NULL, sizeof(T)},
#define OT_LAYOUT_FIELD(T, field, offset) {#T, #field, offsetof(T, field)},
static const abi_layout_entry entries[] = {
#include "layout_golden.def"
};

const abi_layout_entry* ABI_LAYOUT_FN(uint32_t* count) {
    *count = (uint32_t)(sizeof entries / sizeof entries[0]);
    return entries;
}
