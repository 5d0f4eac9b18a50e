#include <orchestrade/core/bar_buffer.hpp>
#include <orchestrade/core/struct_prefix.hpp>

#include <algorithm>
#include <cstring>
#include <numeric>

namespace orchestrade::core {

BarBuffer::BarBuffer()
    : sink_{this, &BarBuffer::push_bar, &BarBuffer::push_series, &BarBuffer::push_bars} {}

uint32_t BarBuffer::symbol_index(const char* symbol) {
    // Feeds push one symbol many times in a row: check the last one before hashing.
    if (last_symbol_ != UINT32_MAX && std::strcmp(symbols_[last_symbol_].c_str(), symbol) == 0)
        return last_symbol_;
    auto [it, inserted] = symbol_ids_.try_emplace(symbol, static_cast<uint32_t>(symbols_.size()));
    if (inserted) {
        symbols_.emplace_back(symbol);
        symbol_names_.clear();
        for (const auto& s : symbols_)
            symbol_names_.push_back(s.c_str());
    }
    last_symbol_ = it->second;
    return last_symbol_;
}

ot_status OT_CALL BarBuffer::push_bar(void* ctx, const ot_bar* pushed) {
    auto& self = *static_cast<BarBuffer*>(ctx);
    const ot_bar copy = read_prefix(pushed);
    const ot_bar* bar = &copy;
    if (!pushed || !bar->symbol || bar->interval_s <= 0) return OT_E_INVALID_ARG;
    try {
        self.symbol_.push_back(self.symbol_index(bar->symbol));
        self.interval_.push_back(bar->interval_s);
        self.open_time_.push_back(bar->open_time_ms);
        self.open_.push_back(bar->open);
        self.high_.push_back(bar->high);
        self.low_.push_back(bar->low);
        self.close_.push_back(bar->close);
        self.volume_.push_back(bar->volume);
        if (self.min_interval_s_ == 0 || bar->interval_s < self.min_interval_s_)
            self.min_interval_s_ = bar->interval_s;
        return OT_OK;
    } catch (...) {
        return OT_E_NOMEM;
    }
}

ot_status OT_CALL BarBuffer::push_bars(void* ctx, const ot_bar_columns* pushed) {
    auto& self = *static_cast<BarBuffer*>(ctx);
    const ot_bar_columns c = read_prefix(pushed);
    if (!pushed || !c.symbol || c.interval_s <= 0) return OT_E_INVALID_ARG;
    if (c.count == 0) return OT_OK;
    if (!c.open_time_ms || !c.open || !c.high || !c.low || !c.close || !c.volume)
        return OT_E_INVALID_ARG;
    try {
        const uint32_t symbol = self.symbol_index(c.symbol);
        self.symbol_.insert(self.symbol_.end(), c.count, symbol);
        self.interval_.insert(self.interval_.end(), c.count, c.interval_s);
        self.open_time_.insert(self.open_time_.end(), c.open_time_ms, c.open_time_ms + c.count);
        self.open_.insert(self.open_.end(), c.open, c.open + c.count);
        self.high_.insert(self.high_.end(), c.high, c.high + c.count);
        self.low_.insert(self.low_.end(), c.low, c.low + c.count);
        self.close_.insert(self.close_.end(), c.close, c.close + c.count);
        self.volume_.insert(self.volume_.end(), c.volume, c.volume + c.count);
        if (self.min_interval_s_ == 0 || c.interval_s < self.min_interval_s_)
            self.min_interval_s_ = c.interval_s;
        return OT_OK;
    } catch (...) {
        return OT_E_NOMEM;
    }
}

ot_status OT_CALL BarBuffer::push_series(void* ctx, const ot_series_point* pushed) {
    auto& self = *static_cast<BarBuffer*>(ctx);
    const ot_series_point point = read_prefix(pushed);
    if (!pushed || !point.symbol || !point.name) return OT_E_INVALID_ARG;
    try {
        OwnedPoint p{point, point.symbol, point.name};
        p.point.struct_size = sizeof(ot_series_point);
        self.series_.push_back(std::move(p));
        return OT_OK;
    } catch (...) {
        return OT_E_NOMEM;
    }
}

std::size_t BarBuffer::group_end(std::size_t begin) const {
    const int64_t t = close_time(begin);
    std::size_t end = begin + 1;
    while (end < size() && close_time(end) == t)
        ++end;
    return end;
}

const ot_bar_batch& BarBuffer::batch(std::size_t begin, std::size_t end, int64_t now_ms,
                                     uint32_t flags) {
    batch_.struct_size = sizeof batch_;
    batch_.count = static_cast<uint32_t>(end - begin);
    batch_.now_ms = now_ms;
    batch_.symbols = symbol_names_.data();
    batch_.symbol_count = static_cast<uint32_t>(symbol_names_.size());
    batch_.flags = flags;
    batch_.symbol = symbol_.data() + begin;
    batch_.interval_s = interval_.data() + begin;
    batch_.open_time_ms = open_time_.data() + begin;
    batch_.open = open_.data() + begin;
    batch_.high = high_.data() + begin;
    batch_.low = low_.data() + begin;
    batch_.close = close_.data() + begin;
    batch_.volume = volume_.data() + begin;
    series_view_.clear();
    for (auto& p : series_) {  // empty unless the feed pushes series (funding, open interest)
        if (p.delivered || p.point.time_ms > now_ms) continue;
        p.delivered = true;
        p.point.symbol = p.symbol.c_str();
        p.point.name = p.name.c_str();
        series_view_.push_back(&p.point);
    }
    batch_.series_count = static_cast<uint32_t>(series_view_.size());
    batch_.series = series_view_.empty() ? nullptr : series_view_.data();
    return batch_;
}

void BarBuffer::consume(std::size_t end) {
    auto drop = [end](auto& v) {
        v.erase(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(end));
    };
    drop(symbol_);
    drop(interval_);
    drop(open_time_);
    drop(open_);
    drop(high_);
    drop(low_);
    drop(close_);
    drop(volume_);
    series_.erase(std::remove_if(series_.begin(), series_.end(),
                                 [](const OwnedPoint& p) { return p.delivered; }),
                  series_.end());
}

void BarBuffer::sort_by_close_time() {
    std::vector<std::size_t> order(size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::stable_sort(order.begin(), order.end(), [this](std::size_t a, std::size_t b) {
        return close_time(a) < close_time(b);
    });
    auto reorder = [&order](auto& column) {
        auto sorted = column;
        for (std::size_t i = 0; i < order.size(); ++i)
            sorted[i] = column[order[i]];
        column = std::move(sorted);
    };
    reorder(symbol_);
    reorder(interval_);
    reorder(open_time_);
    reorder(open_);
    reorder(high_);
    reorder(low_);
    reorder(close_);
    reorder(volume_);
}

}  // namespace orchestrade::core
