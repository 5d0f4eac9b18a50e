// What a candle file that fetch-data wrote holds, kept beside it in FILE.meta: the csv format has
// no place for the symbol, and a file without one stays readable by every csv tool.
#pragma once

#include <optional>
#include <string>

namespace orchestrade::cli {

struct CandleFileLabel {
    std::string symbol;
    std::string timeframe;
};

// FILE.meta for FILE.
std::string label_path(const std::string& csv_path);

// The label beside csv_path; nullopt when there is none (a file of an older version, or one made
// by hand). Keys it does not know are skipped.
std::optional<CandleFileLabel> read_label(const std::string& csv_path);

// Writes the label through a temporary file. Throws std::runtime_error when it cannot.
void write_label(const std::string& csv_path, const CandleFileLabel& label);

}  // namespace orchestrade::cli
