// Owned copies of what crosses the plugin boundary, so tests can keep and compare them.
#pragma once

#include <orchestrade/ot_plugin.h>

#include <cstdint>
#include <string>
#include <vector>

namespace orchestrade::testing {

struct Bar {
    std::string symbol;
    int32_t interval_s = 60;
    int64_t open_time_ms = 0;
    double open = 0, high = 0, low = 0, close = 0, volume = 0;
};

struct SeriesPoint {
    std::string symbol;
    std::string name;
    int64_t time_ms = 0;
    double value = 0;
};

struct Signal {
    int32_t action = OT_ACTION_HOLD;
    std::string symbol;
    int64_t time_ms = 0;
    double size_pct = 0;
    double stop_loss = 0;
    double take_profit = 0;
    double confidence = -1;
    std::string reason;
    std::string metadata_json;  // empty when none was given
};

struct Order {
    std::string client_order_id;
    std::string symbol = "BTC/USDT";
    int32_t side = OT_SIDE_BUY;
    int32_t type = OT_ORDER_MARKET;
    int32_t tif = OT_TIF_GTC;
    double qty = 0;
    double limit_price = 0;
    double stop_price = 0;
    double stop_loss = 0;
    double take_profit = 0;
    int64_t time_ms = 0;
    uint32_t flags = 0;
    std::string parent_client_order_id;
};

struct Report {
    int32_t kind = 0;  // OT_REPORT_*
    std::string client_order_id;
    std::string venue_order_id;
    std::string trade_id;
    std::string symbol;
    int32_t side = 0;
    double qty = 0, price = 0, fee = 0, cum_qty = 0;
    int64_t time_ms = 0;
    std::string text;
};

struct Balance {
    std::string asset;
    double free_qty = 0;
    double locked_qty = 0;
    double avg_price = 0;
};

// A column-wise ot_bar_batch built from bars; owns the columns the C view points into.
class BarBatch {
  public:
    // now_ms defaults to the latest bar close (open time + interval).
    explicit BarBatch(const std::vector<Bar>& bars, uint32_t flags = 0, int64_t now_ms = -1,
                      std::vector<SeriesPoint> series = {});
    BarBatch(const BarBatch&) = delete;
    BarBatch& operator=(const BarBatch&) = delete;
    const ot_bar_batch& view() const { return batch_; }

  private:
    std::vector<std::string> names_;
    std::vector<const char*> symbols_;
    std::vector<uint32_t> symbol_;
    std::vector<int32_t> interval_s_;
    std::vector<int64_t> open_time_ms_;
    std::vector<double> open_, high_, low_, close_, volume_;
    std::vector<SeriesPoint> series_;
    std::vector<ot_series_point> points_;
    std::vector<const ot_series_point*> point_views_;
    ot_bar_batch batch_{};
};

}  // namespace orchestrade::testing
