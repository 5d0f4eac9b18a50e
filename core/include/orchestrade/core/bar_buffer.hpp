// Receives what a feed pushes (the ot_feed_sink behind feed.poll) and hands it to plugins as
// ot_bar_batch views: consecutive rows that close at the same moment form one batch.
#pragma once

#include <orchestrade/ot_plugin.h>

#include <cstdint>
#include <deque>
#include <string>
#include <unordered_map>
#include <vector>

namespace orchestrade::core {

class BarBuffer {
  public:
    BarBuffer();
    const ot_feed_sink& sink() const { return sink_; }

    std::size_t size() const { return open_time_.size(); }
    bool empty() const { return open_time_.empty(); }
    int64_t close_time(std::size_t row) const {
        return open_time_[row] + int64_t{interval_[row]} * 1000;
    }
    const std::string& symbol(std::size_t row) const { return symbols_[symbol_[row]]; }
    // The row's symbol as an index, the same for a symbol for the buffer's life.
    uint32_t symbol_id(std::size_t row) const { return symbol_[row]; }
    int32_t interval_s(std::size_t row) const { return interval_[row]; }
    int64_t open_time(std::size_t row) const { return open_time_[row]; }
    double close(std::size_t row) const { return close_[row]; }
    int32_t min_interval_s() const { return min_interval_s_; }

    // Rows [begin, end) as a batch delivered at now_ms. The view lives until the buffer changes.
    const ot_bar_batch& batch(std::size_t begin, std::size_t end, int64_t now_ms, uint32_t flags);
    // End of the group of rows that close at the same time as `begin`.
    std::size_t group_end(std::size_t begin) const;
    // Drops rows [0, end) and the series points already delivered.
    void consume(std::size_t end);
    void clear() { consume(size()); }
    // Puts the rows in close-time order, rows of one close in the order they came: history asked
    // for symbol by symbol becomes one timeline, as a run's bars are.
    void sort_by_close_time();

  private:
    static ot_status OT_CALL push_bar(void* ctx, const ot_bar* bar);
    static ot_status OT_CALL push_bars(void* ctx, const ot_bar_columns* bars);
    static ot_status OT_CALL push_series(void* ctx, const ot_series_point* point);
    uint32_t symbol_index(const char* symbol);

    ot_feed_sink sink_;
    std::vector<std::string> symbols_;
    std::vector<const char*> symbol_names_;  // c_str() of symbols_, for batches
    std::unordered_map<std::string, uint32_t> symbol_ids_;
    uint32_t last_symbol_ = UINT32_MAX;
    int32_t min_interval_s_ = 0;

    std::vector<uint32_t> symbol_;
    std::vector<int32_t> interval_;
    std::vector<int64_t> open_time_;
    std::vector<double> open_, high_, low_, close_, volume_;

    struct OwnedPoint {
        ot_series_point point;
        std::string symbol, name;
        bool delivered = false;
    };
    // Points travel with the first batch whose time is at or after their own, never earlier:
    // a strategy must not see a funding rate before its moment.
    std::deque<OwnedPoint> series_;
    std::vector<const ot_series_point*> series_view_;
    ot_bar_batch batch_{};
};

}  // namespace orchestrade::core
