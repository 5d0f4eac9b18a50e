#include "csv_reader.hpp"
#include "plain_decimal.hpp"

#include <orchestrade/sdk.hpp>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <type_traits>

namespace orchestrade::plugins {
namespace {

constexpr std::size_t kChunkBytes = 1 << 20;  // also the longest line accepted
constexpr std::string_view kHeader = "timestamp,open,high,low,close,volume";
constexpr const char* kColumns[] = {"timestamp", "open", "high", "low", "close", "volume"};
constexpr int kColumnCount = 6;

// What trim() drops from the front of a field, and from its back.
bool is_leading_blank(char c) {
    return c == ' ' || c == '\t';
}
bool is_trailing_blank(char c) {
    return c == ' ' || c == '\t' || c == '\r';
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && is_leading_blank(s.front()))
        s.remove_prefix(1);
    while (!s.empty() && is_trailing_blank(s.back()))
        s.remove_suffix(1);
    return s;
}

// Reads the field that starts at p into value in one pass: blanks, the number, blanks, then ','
// (after the last column: the end of the line). Returns where the next field starts, or null when
// the field is anything else. As no number contains a blank or a comma, it accepts exactly what
// splitting at the commas, trimming and parsing each whole field would, with the same values.
template <class T>
const char* parse_field(const char* p, const char* end, bool last, T& value) {
    while (p != end && is_leading_blank(*p))
        ++p;
    const char* stop = nullptr;
    if constexpr (std::is_same_v<T, double>) stop = parse_plain_decimal(p, end, value);
    if (!stop) {
        auto [from_chars_stop, ec] = std::from_chars(p, end, value);
        if (ec != std::errc()) return nullptr;
        if constexpr (std::is_floating_point_v<T>) {
            if (!std::isfinite(value)) return nullptr;
        }
        stop = from_chars_stop;
    }
    while (stop != end && is_trailing_blank(*stop))
        ++stop;
    if (last) return stop == end ? stop : nullptr;
    return stop != end && *stop == ',' ? stop + 1 : nullptr;
}

std::string format(double v) {
    char buf[32];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
    return std::string(buf, ec == std::errc() ? end : buf);
}

bool is_header(std::string_view line) {
    std::string normalized;
    for (char c : line)
        if (c != ' ' && c != '\t' && c != '\r')
            normalized += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return normalized == kHeader;
}

std::string spacing_problem(int64_t delta_ms, int64_t interval_ms) {
    if (delta_ms >= interval_ms) return {};
    return "bar opens " + std::to_string(delta_ms) +
           " ms after the previous one, inside the timeframe's " + std::to_string(interval_ms) +
           " ms: is `timeframe` wrong, or are the timestamps in seconds?";
}

// Unix ms after the year 9999 are what timestamps in microseconds read as.
std::string open_time_problem(int64_t open_time_ms) {
    constexpr int64_t kLastMs = 253402300799999;  // 9999-12-31 23:59:59.999 UTC
    if (open_time_ms <= kLastMs) return {};
    return "timestamp " + std::to_string(open_time_ms) +
           " is after the year 9999 in Unix ms: are the timestamps in microseconds?";
}

}  // namespace

CsvBarReader::CsvBarReader(std::string path, int64_t interval_ms)
    : path_(std::move(path)), interval_ms_(interval_ms), buffer_(kChunkBytes) {
    file_.reset(std::fopen(path_.c_str(), "rb"));
    if (!file_)
        throw sdk::Error(OT_E_INVALID_ARG, "cannot open '" + path_ + "': " + std::strerror(errno));
    std::string_view first;
    bool more = read_line(first);
    while (more && trim(first).empty())
        more = read_line(first);
    first = trim(first);
    if (first.substr(0, 3) == "\xEF\xBB\xBF") first.remove_prefix(3);  // a UTF-8 byte order mark
    if (first.empty()) return;
    if (std::isdigit(static_cast<unsigned char>(first.front())) || first.front() == '-') {
        begin_ = static_cast<std::size_t>(first.data() - buffer_.data());  // read it again
        --line_;
    } else if (!is_header(first)) {
        fail(line_, "expected the header '" + std::string(kHeader) + "' or a bar");
    }
}

bool CsvBarReader::read_line(std::string_view& line) {
    for (;;) {
        const char* start = buffer_.data() + begin_;
        if (const void* nl = std::memchr(start, '\n', end_ - begin_)) {
            const char* stop = static_cast<const char*>(nl);
            line = std::string_view(start, static_cast<std::size_t>(stop - start));
            begin_ += line.size() + 1;
            ++line_;
            return true;
        }
        if (eof_) {
            if (begin_ == end_) return false;
            line = std::string_view(start, end_ - begin_);
            begin_ = end_;
            ++line_;
            return true;
        }
        if (begin_ == 0 && end_ == buffer_.size()) fail(line_ + 1, "line longer than 1 MiB");
        std::memmove(buffer_.data(), start, end_ - begin_);
        end_ -= begin_;
        begin_ = 0;
        std::size_t n = std::fread(buffer_.data() + end_, 1, buffer_.size() - end_, file_.get());
        if (n == 0) {
            if (std::ferror(file_.get()))
                throw sdk::Error(OT_E_IO, "cannot read '" + path_ + "': " + std::strerror(errno));
            eof_ = true;
        }
        end_ += n;
    }
}

bool CsvBarReader::next(CsvRow& row) {
    if (replay_last_) {
        replay_last_ = false;
        row = last_;
        return true;
    }
    std::string_view line;
    do {
        if (!read_line(line)) return false;
    } while (trim(line).empty());
    parse(line, row);
    if (std::string problem = open_time_problem(row.open_time_ms); !problem.empty())
        fail_time_scale(problem);
    if (have_last_ && row.open_time_ms <= last_.open_time_ms)
        fail(line_, "timestamp " + std::to_string(row.open_time_ms) +
                        " is not after the previous bar's " + std::to_string(last_.open_time_ms));
    delta_ms_ = have_last_ ? row.open_time_ms - last_.open_time_ms : 0;
    if (have_last_ && delta_ms_ < interval_ms_)
        fail_time_scale(spacing_problem(delta_ms_, interval_ms_));
    last_ = row;
    have_last_ = true;
    row_line_ = line_;
    return true;
}

void CsvBarReader::parse(std::string_view line, CsvRow& row) const {
    double* prices[] = {&row.open, &row.high, &row.low, &row.close, &row.volume};
    const char* const end = line.data() + line.size();
    const char* field = line.data();
    for (int column = 0; column < kColumnCount; ++column) {
        bool last = column == kColumnCount - 1;
        const char* next = column == 0 ? parse_field(field, end, last, row.open_time_ms)
                                       : parse_field(field, end, last, *prices[column - 1]);
        if (!next) fail_field(line, static_cast<std::size_t>(field - line.data()), column);
        field = next;
    }
    if (row.open <= 0 || row.high <= 0 || row.low <= 0 || row.close <= 0)
        fail(line_, "prices must be positive");
    if (row.volume < 0) fail(line_, "volume " + format(row.volume) + " is negative");
    if (row.high < std::max(row.open, row.close))
        fail(line_, "high " + format(row.high) + " is below max(open, close) " +
                        format(std::max(row.open, row.close)));
    if (row.low > std::min(row.open, row.close))
        fail(line_, "low " + format(row.low) + " is above min(open, close) " +
                        format(std::min(row.open, row.close)));
}

void CsvBarReader::fail_field(std::string_view line, std::size_t pos, int column) const {
    std::string_view rest = line.substr(pos);
    std::size_t comma = rest.find(',');
    if ((comma == std::string_view::npos) != (column == kColumnCount - 1)) {
        auto fields = std::count(line.begin(), line.end(), ',') + 1;
        fail(line_,
             "expected 6 fields (" + std::string(kHeader) + "), found " + std::to_string(fields));
    }
    std::string field(trim(rest.substr(0, comma)));
    fail(line_, "bad number '" + field + "' in column '" + kColumns[column] + "'");
}

void CsvBarReader::fail(uint64_t line, const std::string& message) const {
    throw sdk::Error(OT_E_INVALID_ARG, path_ + ":" + std::to_string(line) + ": " + message);
}

void CsvBarReader::fail_time_scale(const std::string& message) const {
    throw TimeScaleError(path_ + ":" + std::to_string(line_) + ": " + message);
}

}  // namespace orchestrade::plugins
