// The host side of ot_feed_sink: what a feed pushes, bar by bar or as columns, is what the
// loop's batches show, in order.
#include <orchestrade/core/bar_buffer.hpp>

#include <gtest/gtest.h>

#include <vector>

namespace orchestrade::core {
namespace {

constexpr int64_t kT0 = 1704067200000;

TEST(BarBuffer, ColumnsAndSingleBarsArriveInOrderAsOneSeries) {
    BarBuffer buffer;
    const ot_feed_sink& sink = buffer.sink();
    const std::vector<int64_t> times{kT0, kT0 + 60000, kT0 + 120000};
    const std::vector<double> open{1, 2, 3}, high{2, 3, 4}, low{0.5, 1.5, 2.5},
        close{1.5, 2.5, 3.5}, volume{10, 20, 30};
    ot_bar_columns columns{
        sizeof(ot_bar_columns), 60,          "BTC/USDT",  3,          0u,
        times.data(),           open.data(), high.data(), low.data(), close.data(),
        volume.data()};
    ASSERT_EQ(sink.push_bars(sink.ctx, &columns), OT_OK);
    const ot_bar one{sizeof(ot_bar), 60, "BTC/USDT", kT0 + 180000, 4, 5, 3, 4.5, 40};
    ASSERT_EQ(sink.push_bar(sink.ctx, &one), OT_OK);

    ASSERT_EQ(buffer.size(), 4u);
    for (std::size_t i = 0; i < 4; ++i) {
        EXPECT_EQ(buffer.group_end(i), i + 1);  // one bar per moment
        EXPECT_EQ(buffer.close_time(i), kT0 + static_cast<int64_t>(i + 1) * 60000);
        EXPECT_EQ(buffer.symbol(i), "BTC/USDT");
    }
    const ot_bar_batch& b = buffer.batch(2, 4, kT0 + 240000, 0);
    ASSERT_EQ(b.count, 2u);
    EXPECT_EQ(b.symbol_count, 1u);  // one symbol table entry for both ways of pushing
    EXPECT_EQ(b.close[0], 3.5);
    EXPECT_EQ(b.volume[0], 30);
    EXPECT_EQ(b.open[1], 4);
    EXPECT_EQ(b.interval_s[1], 60);
}

TEST(BarBuffer, ColumnsWithoutASymbolOrAColumnAreRefusedWhole) {
    BarBuffer buffer;
    const ot_feed_sink& sink = buffer.sink();
    const int64_t time = kT0;
    const double price = 1;
    ot_bar_columns columns{
        sizeof(ot_bar_columns), 60, nullptr, 1, 0u, &time, &price, &price, &price, &price, &price};
    EXPECT_EQ(sink.push_bars(sink.ctx, &columns), OT_E_INVALID_ARG);
    columns.symbol = "BTC/USDT";
    columns.volume = nullptr;
    EXPECT_EQ(sink.push_bars(sink.ctx, &columns), OT_E_INVALID_ARG);
    columns.volume = &price;
    columns.interval_s = 0;
    EXPECT_EQ(sink.push_bars(sink.ctx, &columns), OT_E_INVALID_ARG);
    EXPECT_TRUE(buffer.empty());
    columns.interval_s = 60;
    columns.count = 0;  // nothing to add is not an error
    EXPECT_EQ(sink.push_bars(sink.ctx, &columns), OT_OK);
    EXPECT_TRUE(buffer.empty());
}

}  // namespace
}  // namespace orchestrade::core
