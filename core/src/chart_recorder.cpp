#include <orchestrade/core/chart_recorder.hpp>

#include <algorithm>

namespace orchestrade::core {

ChartRecorder::ChartRecorder(Journal& journal, int64_t run_id, int64_t period_ms,
                             bool write_through)
    : journal_(journal), run_id_(run_id), period_ms_(period_ms), write_through_(write_through) {}

void ChartRecorder::add(const std::string& symbol, int64_t open_time_ms, double open, double high,
                        double low, double close) {
    bool inserted = false;
    if (!last_ || last_->symbol != symbol) {
        auto it = open_.try_emplace(symbol);
        inserted = it.second;
        last_ = &it.first->second;
    }
    ChartBar& bar = *last_;
    // Most bars fall in the period of the one before: no division for them.
    const bool same_period =
        !inserted && open_time_ms >= bar.time_ms && open_time_ms - bar.time_ms < period_ms_;
    const int64_t start = same_period ? bar.time_ms : open_time_ms - open_time_ms % period_ms_;
    if (inserted || bar.time_ms != start) {
        if (!inserted && !write_through_) journal_.record_chart_bar(run_id_, bar);
        bar = ChartBar{symbol, start, open, high, low, close};
    } else {
        bar.high = std::max(bar.high, high);
        bar.low = std::min(bar.low, low);
        bar.close = close;
    }
    if (write_through_) journal_.record_chart_bar(run_id_, bar);
}

void ChartRecorder::flush() {
    for (const auto& [symbol, bar] : open_)
        journal_.record_chart_bar(run_id_, bar);
}

}  // namespace orchestrade::core
