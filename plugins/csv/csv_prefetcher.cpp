#include "csv_prefetcher.hpp"

#include <pthread.h>

namespace orchestrade::plugins {

CsvPrefetcher::CsvPrefetcher(std::unique_ptr<CsvBarReader> reader)
    : reader_(std::move(reader)), thread_([this] { run(); }) {}

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
        std::vector<Row> chunk;
        {
            std::lock_guard lock(mutex_);
            if (!spare_.empty()) {
                chunk.swap(spare_.back());
                spare_.pop_back();
            }
        }
        chunk.clear();
        chunk.reserve(kChunkRows);
        try {
            Row row;
            while (chunk.size() < kChunkRows && (more = reader_->next(row.bar))) {
                row.line = reader_->line();
                row.delta_ms = reader_->delta_ms();
                chunk.push_back(row);
            }
        } catch (...) {
            error = std::current_exception();
            more = false;
        }
        std::unique_lock lock(mutex_);
        changed_.wait(lock, [&] { return stopping_ || ready_.size() < kMaxChunks; });
        if (stopping_) return;
        if (!chunk.empty()) ready_.push_back(std::move(chunk));
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
    if (current_.capacity() != 0) spare_.push_back(std::move(current_));
    current_ = std::move(ready_.front());
    ready_.pop_front();
    taken_ = 0;
    lock.unlock();
    changed_.notify_all();  // room for the reader
    return true;
}

bool CsvPrefetcher::next(Row& row) {
    if (taken_ == current_.size() && !take_chunk()) return false;
    row = current_[taken_++];
    return true;
}

}  // namespace orchestrade::plugins
