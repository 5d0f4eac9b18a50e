// Streams candles out of a CSV file in fixed-size chunks (memory does not grow with the file),
// validating every line as it goes.
//
// Format: an optional header line `timestamp,open,high,low,close,volume`, then one bar per line;
// timestamp is the bar's open time in Unix ms. Blank lines are skipped.
#pragma once

#include <orchestrade/sdk.hpp>

#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace orchestrade::plugins {

struct CsvRow {
    int64_t open_time_ms = 0;
    double open = 0, high = 0, low = 0, close = 0, volume = 0;
};

// A file's times that are not Unix ms of its timeframe: bars opening closer together than the
// timeframe (another timeframe, or timestamps in seconds) or after the year 9999 (timestamps in
// microseconds, as in Binance's dumps since 2025). The feed refuses these at create.
class TimeScaleError : public sdk::Error {
  public:
    explicit TimeScaleError(const std::string& message) : sdk::Error(OT_E_INVALID_ARG, message) {}
};

class CsvBarReader {
  public:
    // Opens the file and consumes the header if there is one. Throws sdk::Error(OT_E_INVALID_ARG).
    // interval_ms: the file's timeframe; bars that open closer together than that are refused
    // (0: none are).
    CsvBarReader(std::string path, int64_t interval_ms);

    // The next bar in file order; false at the end of the file. Throws
    // sdk::Error(OT_E_INVALID_ARG, "path:line: what is wrong"), a TimeScaleError for its times.
    bool next(CsvRow& row);
    // Makes the next call to next() return the last row again.
    void unread() { replay_last_ = true; }

    const std::string& path() const { return path_; }
    // Line number of the last row returned (1-based).
    uint64_t line() const { return row_line_; }
    // Open time of the last row minus that of the row before it; 0 for the first row.
    int64_t delta_ms() const { return delta_ms_; }
    // Whether the last row is further from the row before it than one bar of interval_ms.
    bool after_gap(int64_t interval_ms) const { return delta_ms_ != 0 && delta_ms_ != interval_ms; }

  private:
    bool read_line(std::string_view& line);
    void parse(std::string_view line, CsvRow& row) const;
    // Throws why parse() refused the field of `column` that starts at line[pos]: a wrong number
    // of fields if the commas say so, else a bad number.
    [[noreturn]] void fail_field(std::string_view line, std::size_t pos, int column) const;
    [[noreturn]] void fail(uint64_t line, const std::string& message) const;
    [[noreturn]] void fail_time_scale(const std::string& message) const;

    struct FileCloser {
        void operator()(std::FILE* f) const { std::fclose(f); }
    };

    std::string path_;
    int64_t interval_ms_;
    std::unique_ptr<std::FILE, FileCloser> file_;
    std::vector<char> buffer_;
    std::size_t begin_ = 0, end_ = 0;  // unread bytes in buffer_
    bool eof_ = false;
    uint64_t line_ = 0;  // lines read so far
    CsvRow last_{};
    bool have_last_ = false;
    bool replay_last_ = false;
    uint64_t row_line_ = 0;
    int64_t delta_ms_ = 0;
};

}  // namespace orchestrade::plugins
