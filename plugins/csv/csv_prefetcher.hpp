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
    struct Row {
        CsvRow bar;
        uint64_t line = 0;     // in the file, for messages
        int64_t delta_ms = 0;  // open time minus the previous row's; 0 for the first
    };
    static constexpr std::size_t kChunkRows = 4096;
    static constexpr std::size_t kMaxChunks = 8;

    explicit CsvPrefetcher(std::unique_ptr<CsvBarReader> reader);
    // Stops the reading thread and joins it.
    ~CsvPrefetcher();
    CsvPrefetcher(const CsvPrefetcher&) = delete;
    CsvPrefetcher& operator=(const CsvPrefetcher&) = delete;

    // The next row in file order; false at the end of the file. A bad line throws the reader's
    // error (sdk::Error naming path and line) once the rows before it were taken, every time.
    bool next(Row& row);

  private:
    void run();
    bool take_chunk();  // false when nothing more will come

    std::unique_ptr<CsvBarReader> reader_;
    std::vector<Row> current_;  // the chunk being taken, owned by the caller of next()
    std::size_t taken_ = 0;

    std::mutex mutex_;
    std::condition_variable changed_;
    std::deque<std::vector<Row>> ready_;
    std::vector<std::vector<Row>> spare_;  // taken chunks, for the reader to fill again
    bool finished_ = false;                // the reader reached the end of the file or a bad line
    bool stopping_ = false;
    std::exception_ptr error_;
    std::thread thread_;  // last: started once everything above exists
};

}  // namespace orchestrade::plugins
