// Reads a CSV file ahead of the backtest loop, on a thread of its own: the loop takes parsed
// rows while the next ones are being read and checked, so parsing runs on the second core.
// Memory stays bounded: at most kMaxChunks chunks of kChunkRows rows wait.
#pragma once

#include "csv_reader.hpp"

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace orchestrade::plugins {

class CsvPrefetcher {
  public:
    // Parsed rows, column-wise: the shape ot_feed_sink.push_bars takes them in.
    struct Chunk {
        struct Gap {  // a row whose open time is not one interval after the row before
            std::size_t row;
            uint64_t line;  // in the file, for the message
            int64_t delta_ms;
        };
        std::vector<int64_t> open_time_ms;
        std::vector<double> open, high, low, close, volume;
        std::vector<Gap> gaps;
        std::size_t size() const { return open_time_ms.size(); }
        void clear();
        void add(const CsvRow& row);
    };
    // Rows [begin, begin + count) of a chunk, valid until the next call of next().
    struct Rows {
        const Chunk* chunk = nullptr;
        std::size_t begin = 0, count = 0;
    };
    static constexpr std::size_t kChunkRows = 4096;
    static constexpr std::size_t kMaxChunks = 8;

    // interval_ms: the file's timeframe, to tell gaps.
    CsvPrefetcher(std::unique_ptr<CsvBarReader> reader, int64_t interval_ms);
    // Stops the reading thread and joins it.
    ~CsvPrefetcher();
    CsvPrefetcher(const CsvPrefetcher&) = delete;
    CsvPrefetcher& operator=(const CsvPrefetcher&) = delete;

    // The next rows in file order, at most max of them; none at the end of the file. A bad line
    // throws the reader's error (sdk::Error naming path and line) once the rows before it were
    // taken, every time.
    Rows next(std::size_t max);

  private:
    void run();
    bool take_chunk();  // false when nothing more will come

    std::unique_ptr<CsvBarReader> reader_;
    const int64_t interval_ms_;
    Chunk current_;  // the chunk being taken, owned by the caller of next()
    std::size_t taken_ = 0;

    std::mutex mutex_;
    std::condition_variable changed_;
    std::deque<Chunk> ready_;
    std::vector<Chunk> spare_;  // taken chunks, for the reader to fill again
    bool finished_ = false;     // the reader reached the end of the file or a bad line
    bool stopping_ = false;
    std::exception_ptr error_;
    std::thread thread_;  // last: started once everything above exists
};

}  // namespace orchestrade::plugins
