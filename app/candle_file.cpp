#include "candle_file.hpp"
#include "file_checks.hpp"

#include <orchestrade/core/pipeline.hpp>

#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <iterator>
#include <stdexcept>
#include <utility>

namespace fs = std::filesystem;

namespace orchestrade::cli {
namespace {

constexpr const char* kHeader = "timestamp,open,high,low,close,volume";

// The open time a bar line starts with ("1704067200000,..."), if it is one.
std::optional<int64_t> bar_time(const std::string& line) {
    int64_t t = 0;
    auto [end, ec] = std::from_chars(line.data(), line.data() + line.size(), t);
    if (ec != std::errc() || end == line.data() || end == line.data() + line.size() || *end != ',')
        return std::nullopt;
    return t;
}

// The csv feed's header, as it reads it: any case, spaces and a BOM aside.
bool is_header(const std::string& line) {
    std::string normalized;
    for (char c : line.substr(line.rfind("\xEF\xBB\xBF", 0) == 0 ? 3 : 0))
        if (c != ' ' && c != '\t' && c != '\r')
            normalized += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return normalized == kHeader;
}

// The smallest distance between the open times of two consecutive bars: the file's timeframe,
// whatever gaps it has. nullopt for fewer than two bars.
std::optional<int64_t> bar_spacing(const std::string& lines) {
    std::optional<int64_t> spacing, previous;
    for (std::size_t begin = 0; begin < lines.size();) {
        const std::size_t end = lines.find('\n', begin);
        const std::optional<int64_t> time = bar_time(lines.substr(begin, end - begin));
        if (time && previous && (!spacing || *time - *previous < *spacing))
            spacing = *time - *previous;
        if (time) previous = time;
        begin = end == std::string::npos ? lines.size() : end + 1;
    }
    return spacing;
}

// 60000 -> "1m", 5400000 -> "90m": the largest unit that counts it whole.
std::string timeframe_text(int64_t ms) {
    for (const auto& [unit_ms, unit] : {std::pair<int64_t, const char*>{604800000, "w"},
                                        {86400000, "d"},
                                        {3600000, "h"},
                                        {60000, "m"},
                                        {1000, "s"}})
        if (ms > 0 && ms % unit_ms == 0) return std::to_string(ms / unit_ms) + unit;
    return std::to_string(ms) + " ms";
}

// The label's timeframe in ms; nullopt when it has none that reads as one.
std::optional<int64_t> label_interval_ms(const CandleFileLabel& label) {
    try {
        return core::parse_duration_ms(label.timeframe);
    } catch (const std::invalid_argument&) {
        return std::nullopt;
    }
}

}  // namespace

CandleFile::CandleFile(std::string path, CandleFileLabel adding, int64_t interval_ms)
    : path_(std::move(path)),
      temp_(path_ + ".part-" + std::to_string(::getpid())),
      adding_(std::move(adding)) {
    const std::string option = "--out " + path_;
    std::error_code ec;
    const fs::file_status status = fs::status(path_, ec);
    if (fs::is_directory(status))
        throw std::invalid_argument(option + ": " + std::strerror(EISDIR));
    if (fs::exists(status) && !fs::is_regular_file(status))
        throw std::invalid_argument(option + ": not a regular file");
    if (const std::string problem = folder_problem(fs::path(path_).parent_path().string());
        !problem.empty())
        throw std::invalid_argument(option + ": cannot write in " + problem);
    if (!fs::exists(status)) return;
    std::ifstream in(path_, std::ios::binary);
    if (!in) throw std::invalid_argument(option + ": cannot read: " + std::strerror(errno));
    std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    kept_ = text.substr(0, text.rfind('\n') + 1);  // npos + 1 = 0: no whole line
    if (text.empty()) return;
    const std::string first = text.substr(0, text.find('\n'));
    if (!is_header(first) && !bar_time(first))
        throw std::invalid_argument(option + " is not a candle file (its first line is neither '" +
                                    kHeader + "' nor a bar); it is left as it is");
    if (kept_.size() < 2) return;
    const std::size_t begin = kept_.rfind('\n', kept_.size() - 2);
    last_ = bar_time(kept_.substr(begin == std::string::npos ? 0 : begin + 1));
    if (last_) refuse_other_bars(option, interval_ms);
}

// A file of another symbol or timeframe would go on with bars that do not follow its own. The
// timeframe is read from the bars; the symbol only from the label (a file without one, as older
// versions wrote, is taken to be of the symbol asked for).
void CandleFile::refuse_other_bars(const std::string& option, int64_t interval_ms) const {
    const std::optional<CandleFileLabel> label = read_label(path_);
    const std::string kept = "; it is left as it is";
    if (label && !label->symbol.empty() && label->symbol != adding_.symbol)
        throw std::invalid_argument(option + " holds bars of " + label->symbol + " (" +
                                    label_path(path_) + "), not of " + adding_.symbol + kept);
    if (const std::optional<int64_t> spacing = bar_spacing(kept_)) {
        if (*spacing != interval_ms)
            throw std::invalid_argument(option + " holds " + timeframe_text(*spacing) +
                                        " bars (they open " + std::to_string(*spacing) +
                                        " ms apart), not " + adding_.timeframe + kept);
    } else if (label && label_interval_ms(*label) && label_interval_ms(*label) != interval_ms) {
        throw std::invalid_argument(option + " holds " + label->timeframe + " bars (" +
                                    label_path(path_) + "), not " + adding_.timeframe + kept);
    }
}

CandleFile::~CandleFile() {
    if (committed_ || !out_.is_open()) return;
    out_.close();
    std::error_code ec;
    fs::remove(temp_, ec);
}

void CandleFile::open() {
    const fs::path parent = fs::path(path_).parent_path();
    if (!parent.empty()) fs::create_directories(parent);
    out_.open(temp_, std::ios::binary | std::ios::trunc);
    if (!out_) throw std::runtime_error("cannot write " + temp_ + ": " + std::strerror(errno));
    std::error_code ec;
    if (fs::exists(path_, ec)) fs::permissions(temp_, fs::status(path_).permissions(), ec);
    out_ << (kept_.empty() ? std::string(kHeader) + "\n" : kept_);
}

void CandleFile::append(int64_t open_time, double open, double high, double low, double close,
                        double volume) {
    char line[256];
    char* p = line;
    auto put = [&](auto v) { p = std::to_chars(p, line + sizeof line, v).ptr; };
    put(open_time);
    for (double v : {open, high, low, close, volume}) {
        *p++ = ',';
        put(v);
    }
    *p++ = '\n';
    out_.write(line, p - line);
}

void CandleFile::flush() {
    out_.flush();
    if (!out_) throw std::runtime_error("cannot write " + temp_);
}

void CandleFile::commit() {
    flush();
    out_.close();
    fs::rename(temp_, path_);
    committed_ = true;
    write_label(path_, adding_);
}

}  // namespace orchestrade::cli
