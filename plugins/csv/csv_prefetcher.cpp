#include "csv_prefetcher.hpp"

#include <pthread.h>

#include <algorithm>

namespace orchestrade::plugins {

void CsvPrefetcher::Chunk::clear() {
    for (auto* column : {&open, &high, &low, &close, &volume})
        column->clear();
    open_time_ms.clear();
    gaps.clear();
}

void CsvPrefetcher::Chunk::add(const CsvRow& row) {
    open_time_ms.push_back(row.open_time_ms);
    open.push_back(row.open);
    high.push_back(row.high);
    low.push_back(row.low);
    close.push_back(row.close);
    volume.push_back(row.volume);
}

CsvPrefetcher::CsvPrefetcher(std::unique_ptr<CsvBarReader> reader, int64_t interval_ms)
    : reader_(std::move(reader)), interval_ms_(interval_ms), thread_([this] { run(); }) {}

CsvPrefetcher::~CsvPrefetcher() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    changed_.notify_all();
    thread_.join();
}

void CsvPrefetcher::run() {
    pthread_setname_np(pthread_self(), "csv-reader");  // as top -H and perf show it
    std::exception_ptr error;
    bool more = true;
    while (more) {
        Chunk chunk;
        {
            std::lock_guard lock(mutex_);
            if (!spare_.empty()) {
                chunk = std::move(spare_.back());
                spare_.pop_back();
            }
        }
        chunk.clear();
        try {
            CsvRow row;
            while (chunk.size() < kChunkRows && (more = reader_->next(row))) {
                if (reader_->after_gap(interval_ms_))
                    chunk.gaps.push_back({chunk.size(), reader_->line(), reader_->delta_ms()});
                chunk.add(row);
            }
        } catch (...) {
            error = std::current_exception();
            more = false;
        }
        std::unique_lock lock(mutex_);
        changed_.wait(lock, [&] { return stopping_ || ready_.size() < kMaxChunks; });
        if (stopping_) return;
        if (chunk.size() != 0) ready_.push_back(std::move(chunk));
        if (!more) {
            finished_ = true;
            error_ = error;
        }
        lock.unlock();
        changed_.notify_all();
    }
}

bool CsvPrefetcher::take_chunk() {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return !ready_.empty() || finished_; });
    if (ready_.empty()) {
        if (error_) std::rethrow_exception(error_);
        return false;
    }
    if (current_.open.capacity() != 0) spare_.push_back(std::move(current_));
    current_ = std::move(ready_.front());
    ready_.pop_front();
    taken_ = 0;
    lock.unlock();
    changed_.notify_all();  // room for the reader
    return true;
}

CsvPrefetcher::Rows CsvPrefetcher::next(std::size_t max) {
    if (taken_ == current_.size() && !take_chunk()) return {};
    Rows rows{&current_, taken_, std::min(max, current_.size() - taken_)};
    taken_ += rows.count;
    return rows;
}

}  // namespace orchestrade::plugins
