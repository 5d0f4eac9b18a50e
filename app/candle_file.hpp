// fetch-data's --out file. An existing one is read and checked, never changed in place: the bars
// go to a temporary file beside it, which replaces it only once it holds whole lines.
#pragma once

#include "candle_file_label.hpp"

#include <cstdint>
#include <fstream>
#include <optional>
#include <string>

namespace orchestrade::cli {

class CandleFile {
  public:
    // Reads and checks the file without changing anything. Throws std::invalid_argument (bad
    // input) when `path` cannot be a candle file: a directory, a file that starts with neither
    // the csv header nor a bar, a folder that cannot be made; or when its bars cannot be
    // continued with bars of `adding` (interval_ms apart): bars of another timeframe, or of
    // another symbol by its label.
    CandleFile(std::string path, CandleFileLabel adding, int64_t interval_ms);
    ~CandleFile();  // removes the temporary file unless committed
    CandleFile(const CandleFile&) = delete;
    CandleFile& operator=(const CandleFile&) = delete;

    // The open time of the last whole bar of the existing file (a line cut by a crash is dropped).
    std::optional<int64_t> last_open_time() const { return last_; }

    // Starts the temporary file with the existing whole lines, or the header. Throws
    // std::runtime_error when it cannot be written.
    void open();
    void append(int64_t open_time, double open, double high, double low, double close,
                double volume);
    void flush();
    // Replaces the file with the temporary one and labels it.
    void commit();

  private:
    void refuse_other_bars(const std::string& option, int64_t interval_ms) const;

    std::string path_, temp_;
    CandleFileLabel adding_;
    std::string kept_;  // the existing file's whole lines
    std::optional<int64_t> last_;
    std::ofstream out_;
    bool committed_ = false;
};

}  // namespace orchestrade::cli
