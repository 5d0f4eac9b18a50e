/* The layout of the public structs as measured by the C translation units (header_c.c). */
#ifndef ORCHESTRADE_TESTS_ABI_LAYOUT_H
#define ORCHESTRADE_TESTS_ABI_LAYOUT_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct abi_layout_entry {
    const char* type;
    const char* field; /* NULL for the struct's size */
    uint64_t value;    /* sizeof, or offsetof */
} abi_layout_entry;

const abi_layout_entry* abi_layout_c99(uint32_t* count);
const abi_layout_entry* abi_layout_c11(uint32_t* count);

#ifdef __cplusplus
}
#endif
#endif
