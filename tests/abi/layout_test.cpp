// The ABI is frozen: every public struct keeps the size and field offsets in layout_golden.def,
// the constants keep their values, and C and C++ compilers agree on all of it.
#include <orchestrade/ot_plugin.h>

#include <gtest/gtest.h>

#include <cstddef>
#include <cstring>
#include <fstream>
#include <iterator>
#include <regex>
#include <set>
#include <string>
#include <type_traits>

#include "abi_layout.h"

// ---- compile-time checks: an accidental edit of ot_plugin.h breaks the build -------------------
#define OT_LAYOUT_STRUCT(T, size) static_assert(sizeof(T) == (size), "sizeof(" #T ") changed");
#define OT_LAYOUT_FIELD(T, field, offset) \
    static_assert(offsetof(T, field) == (offset), "offset of " #T "." #field " changed");
#include "layout_golden.def"
#undef OT_LAYOUT_STRUCT
#undef OT_LAYOUT_FIELD

static_assert(OT_ABI_MAJOR == 1 && OT_ABI_MINOR == 4);
static_assert(OT_OK == 0 && OT_END == 1 && OT_BEHIND == 2 && OT_E_INVALID_ARG == -1 &&
              OT_E_UNSUPPORTED == -2 && OT_E_PLUGIN == -3 && OT_E_HOST == -4 && OT_E_IO == -5 &&
              OT_E_NOMEM == -6 && OT_E_NOT_FOUND == -7 && OT_E_REJECTED == -8 &&
              OT_E_AMBIGUOUS == -9 && OT_E_RATE_LIMIT == -10 && OT_E_UNKNOWN == -100);
static_assert(OT_ERROR_MESSAGE_SIZE == 512);
static_assert(OT_MODE_BACKTEST == 1 && OT_MODE_PAPER == 2 && OT_MODE_LIVE == 3);
static_assert(OT_SIDE_BUY == 1 && OT_SIDE_SELL == 2);
static_assert(OT_ACTION_HOLD == 0 && OT_ACTION_BUY == 1 && OT_ACTION_SELL == 2 &&
              OT_ACTION_CLOSE == 3);
static_assert(OT_LOG_DEBUG == 0 && OT_LOG_INFO == 1 && OT_LOG_WARN == 2 && OT_LOG_ERROR == 3);
static_assert(OT_HTTP_NOT_SENT == 0x1u);
static_assert(OT_PARAM_BOOL == 1 && OT_PARAM_INT == 2 && OT_PARAM_DOUBLE == 3 &&
              OT_PARAM_STRING == 4 && OT_PARAM_ENUM == 5 && OT_PARAM_JSON == 6);
static_assert(OT_PARAM_REQUIRED == 0x1u && OT_PARAM_SECRET == 0x2u);
static_assert(OT_KIND_FEED == 1 && OT_KIND_STRATEGY == 2 && OT_KIND_EXECUTOR == 3);
static_assert(OT_CAP_NATIVE_STOP_LOSS == 0x1u && OT_CAP_NATIVE_TAKE_PROFIT == 0x2u &&
              OT_CAP_SHORT == 0x4u);
static_assert(OT_BATCH_WARMUP == 0x1u);
static_assert(OT_ORDER_MARKET == 1 && OT_ORDER_LIMIT == 2 && OT_ORDER_STOP_MARKET == 3 &&
              OT_ORDER_STOP_LIMIT == 4 && OT_ORDER_TAKE_PROFIT_MARKET == 5);
static_assert(OT_TIF_GTC == 1 && OT_TIF_IOC == 2 && OT_TIF_FOK == 3);
static_assert(OT_ORDER_FLAG_REDUCE_ONLY == 0x1u);
static_assert(std::is_same_v<ot_module_entry_fn, const ot_module* (*)(void)>);
static_assert(OT_REPORT_ACCEPTED == 1 && OT_REPORT_FILL == 2 && OT_REPORT_CANCELED == 3 &&
              OT_REPORT_REJECTED == 4 && OT_REPORT_EXPIRED == 5 && OT_REPORT_NOT_FOUND == 6 &&
              OT_REPORT_CASH == 7);

namespace {

// ---- the same table at run time, to compare with the C compilers' view -------------------------
#define OT_LAYOUT_STRUCT(T, size) {#T, nullptr, size},
#define OT_LAYOUT_FIELD(T, field, offset) {#T, #field, offset},
const abi_layout_entry kGolden[] = {
#include "layout_golden.def"
};
#undef OT_LAYOUT_STRUCT
#undef OT_LAYOUT_FIELD

std::string name_of(const abi_layout_entry& e) {
    return std::string(e.type) + (e.field ? std::string(".") + e.field : " (size)");
}

void expect_matches_golden(const abi_layout_entry* entries, uint32_t count) {
    ASSERT_EQ(count, std::size(kGolden));
    for (uint32_t i = 0; i < count; ++i) {
        SCOPED_TRACE(name_of(kGolden[i]));
        EXPECT_STREQ(entries[i].type, kGolden[i].type);
        EXPECT_STREQ(entries[i].field, kGolden[i].field);
        EXPECT_EQ(entries[i].value, kGolden[i].value);
    }
}

TEST(AbiLayout, C99CompilerAgreesWithGoldenTable) {
    uint32_t count = 0;
    const abi_layout_entry* entries = abi_layout_c99(&count);
    expect_matches_golden(entries, count);
}

TEST(AbiLayout, C11CompilerAgreesWithGoldenTable) {
    uint32_t count = 0;
    const abi_layout_entry* entries = abi_layout_c11(&count);
    expect_matches_golden(entries, count);
}

// A struct added to the header without a golden entry would escape the checks above.
TEST(AbiLayout, GoldenTableCoversEveryPublicStruct) {
    std::ifstream in(OT_PLUGIN_HEADER);
    ASSERT_TRUE(in) << OT_PLUGIN_HEADER;
    const std::string header{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    std::set<std::string> in_header;
    const std::regex definition(R"(struct\s+(ot_\w+)\s*\{)");
    for (std::sregex_iterator it(header.begin(), header.end(), definition), end; it != end; ++it)
        in_header.insert((*it)[1]);
    std::set<std::string> in_golden;
    for (const abi_layout_entry& e : kGolden)
        in_golden.insert(e.type);
    EXPECT_EQ(in_header.size(), 31u);
    EXPECT_EQ(in_header, in_golden);
}

TEST(AbiLayout, EntryPointNameIsStable) {
    EXPECT_STREQ(OT_MODULE_ENTRY_NAME, "ot_module_entry_v1");
}

}  // namespace
