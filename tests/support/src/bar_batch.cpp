#include <orchestrade/testing/records.hpp>

#include <algorithm>
#include <utility>

namespace orchestrade::testing {

BarBatch::BarBatch(const std::vector<Bar>& bars, uint32_t flags, int64_t now_ms,
                   std::vector<SeriesPoint> series)
    : series_(std::move(series)) {
    int64_t latest_close = 0;
    for (const Bar& bar : bars) {
        auto it = std::find(names_.begin(), names_.end(), bar.symbol);
        symbol_.push_back(static_cast<uint32_t>(it - names_.begin()));
        if (it == names_.end()) names_.push_back(bar.symbol);
        interval_s_.push_back(bar.interval_s);
        open_time_ms_.push_back(bar.open_time_ms);
        open_.push_back(bar.open);
        high_.push_back(bar.high);
        low_.push_back(bar.low);
        close_.push_back(bar.close);
        volume_.push_back(bar.volume);
        latest_close = std::max(latest_close, bar.open_time_ms + bar.interval_s * int64_t{1000});
    }
    for (const std::string& name : names_)
        symbols_.push_back(name.c_str());

    batch_.struct_size = sizeof batch_;
    batch_.count = static_cast<uint32_t>(bars.size());
    batch_.now_ms = now_ms >= 0 ? now_ms : latest_close;
    batch_.symbols = symbols_.data();
    batch_.symbol_count = static_cast<uint32_t>(symbols_.size());
    batch_.flags = flags;
    batch_.symbol = symbol_.data();
    batch_.interval_s = interval_s_.data();
    batch_.open_time_ms = open_time_ms_.data();
    batch_.open = open_.data();
    batch_.high = high_.data();
    batch_.low = low_.data();
    batch_.close = close_.data();
    batch_.volume = volume_.data();
    for (const SeriesPoint& p : series_)
        points_.push_back(
            {sizeof(ot_series_point), 0, p.symbol.c_str(), p.name.c_str(), p.time_ms, p.value});
    for (const ot_series_point& p : points_)
        point_views_.push_back(&p);
    batch_.series_count = static_cast<uint32_t>(point_views_.size());
    batch_.series = point_views_.empty() ? nullptr : point_views_.data();
}

}  // namespace orchestrade::testing
