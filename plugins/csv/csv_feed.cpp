#include "csv_feed.hpp"

#include <orchestrade/candles/timeframe.hpp>
#include <orchestrade/candles/utc_time.hpp>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <deque>
#include <filesystem>
#include <limits>
#include <memory>
#include <stdexcept>

namespace orchestrade::plugins {
namespace {

// Backtest polls with max_bars = 0 still return in chunks, so the host never holds the whole file.
constexpr uint32_t kChunk = 65536;
constexpr const char* kCursorKey = "cursor";

std::string resolve(const std::string& base_dir, const std::string& path) {
    std::filesystem::path p(path);
    if (p.is_relative() && !base_dir.empty()) p = std::filesystem::path(base_dir) / p;
    return p.lexically_normal().string();
}

std::string first_symbol(const sdk::Context& ctx) {
    std::string symbol = ctx.params.has("symbol") ? ctx.params.get_string("symbol") : "";
    if (symbol.empty() && !ctx.universe.empty()) symbol = ctx.universe.front();
    if (symbol.empty())
        throw sdk::Error(OT_E_INVALID_ARG, "csv: set 'symbol' or give the pipeline a universe");
    // Bars of a symbol outside the universe reach no order: the run would trade nothing.
    const auto& u = ctx.universe;
    if (!u.empty() && std::find(u.begin(), u.end(), symbol) == u.end()) {
        std::string names;
        for (const std::string& s : u)
            names += (names.empty() ? "" : ", ") + s;
        throw sdk::Error(OT_E_INVALID_ARG,
                         "csv: symbol '" + symbol + "' is not in the universe (" + names + ")");
    }
    return symbol;
}

// No `start` (or an empty one): every bar is run.
int64_t start_time(const sdk::Context& ctx) {
    const std::string start = ctx.params.has("start") ? ctx.params.get_string("start") : "";
    if (start.empty()) return std::numeric_limits<int64_t>::min();
    try {
        return candles::parse_utc_time("csv: start", start);
    } catch (const std::invalid_argument& e) {
        throw sdk::Error(OT_E_INVALID_ARG, e.what());
    }
}

// Checked at create, so `orchestrade validate` finds a missing file, not the run's first poll.
void require_readable_file(const std::string& path) {
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec))
        throw sdk::Error(OT_E_INVALID_ARG, "csv: '" + path + "' is a directory, not a file");
    std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "rb"),
                                                         &std::fclose);
    if (!file)
        throw sdk::Error(OT_E_INVALID_ARG,
                         "csv: cannot open '" + path + "': " + std::strerror(errno));
}

}  // namespace

CsvFeed::CsvFeed(const sdk::Context& ctx)
    : Feed(ctx),
      path_(resolve(ctx.base_dir, ctx.params.get_string("path"))),
      interval_s_(candles::parse_timeframe(ctx.params.get_string("timeframe"))),
      symbol_(first_symbol(ctx)),
      replay_bars_(ctx.params.get_int("replay_bars")),
      start_ms_(start_time(ctx)) {
    require_readable_file(path_);
    refuse_another_time_scale();
}

void CsvFeed::start() {
    reader_ = std::make_unique<CsvBarReader>(path_, interval_ms());
    if (mode() == OT_MODE_BACKTEST) {
        // A backtest reads the whole file in order: parse it ahead on the second core.
        prefetcher_ = std::make_unique<CsvPrefetcher>(std::move(reader_), interval_ms());
        return;
    }
    std::optional<std::string> cursor = host().kv_get(kCursorKey);
    int64_t last = std::numeric_limits<int64_t>::min();
    if (cursor) {
        auto [end, ec] = std::from_chars(cursor->data(), cursor->data() + cursor->size(), last);
        if (ec != std::errc() || end != cursor->data() + cursor->size())
            throw sdk::Error(OT_E_INVALID_ARG,
                             "csv: stored cursor '" + *cursor + "' is not a time");
    }
    // The replay goes on after the saved cursor, and never begins before `start`: the bars
    // skipped are history.
    CsvRow row;
    while (reader_->next(row)) {
        if (row.open_time_ms > last && !before_start(row.open_time_ms)) {
            reader_->unread();
            break;
        }
        pushed_any_ = true;
        last_pushed_ms_ = row.open_time_ms;
    }
    if (cursor) host().info("csv: resuming " + path_ + " after bar " + *cursor);
}

void CsvFeed::push(const CsvRow& row, sdk::FeedOut& out) const {
    ot_bar bar{sizeof(ot_bar), interval_s_, symbol_.c_str(), row.open_time_ms, row.open,
               row.high,       row.low,     row.close,       row.volume};
    out.bar(bar);
}

// The header and the first two bars at create, so that `orchestrade validate` refuses a file of
// another timeframe, in seconds or in microseconds, as the run would. Any other fault in the bars
// is left to the read, which delivers the bars before it.
void CsvFeed::refuse_another_time_scale() const {
    CsvBarReader first_bars(path_, interval_ms());
    CsvRow row;
    try {
        if (first_bars.next(row)) first_bars.next(row);
    } catch (const TimeScaleError&) {
        throw;
    } catch (const sdk::Error&) {
    }
}

void CsvFeed::stop() {
    prefetcher_.reset();
    if (gaps_ > kGapsNamed)
        host().warn(path_ + ": " + std::to_string(gaps_) + " gaps between bars in all");
}

void CsvFeed::warn_gap(int64_t delta_ms, uint64_t line) {
    // A session market's file has a gap every night: the first few are named, the rest counted.
    if (++gaps_ > kGapsNamed) return;
    host().warn(path_ + ":" + std::to_string(line) + ": gap: " + std::to_string(delta_ms) +
                " ms since the previous bar, expected " + std::to_string(interval_ms()) +
                (gaps_ == kGapsNamed ? " (further gaps are counted, not named)" : ""));
}

// A backtest hands the prefetched rows over as columns, in as few calls as chunks allow.
uint64_t CsvFeed::push_backtest_rows(uint64_t limit, sdk::FeedOut& out) {
    uint64_t pushed = 0;
    while (pushed < limit) {
        CsvPrefetcher::Rows rows;
        try {
            rows = prefetcher_->next(limit - pushed);
        } catch (...) {
            // A bad line. A poll that throws loses what it pushed (the host drops the bars of a
            // failed poll), so the bars before the line go out with this poll and the next poll
            // raises the error: the prefetcher throws it again on every call.
            if (pushed == 0) throw;
            break;
        }
        if (rows.count == 0) break;
        const CsvPrefetcher::Chunk& c = *rows.chunk;
        // The rows before `start` are history: the run begins after them.
        std::size_t b = rows.begin;
        const std::size_t e = rows.begin + rows.count;
        while (b < e && before_start(c.open_time_ms[b]))
            ++b;
        if (b == e) continue;
        for (const auto& gap : c.gaps)
            if (gap.row >= b && gap.row < e) warn_gap(gap.delta_ms, gap.line);
        ot_bar_columns columns{sizeof(ot_bar_columns),
                               interval_s_,
                               symbol_.c_str(),
                               static_cast<uint32_t>(e - b),
                               0u,
                               c.open_time_ms.data() + b,
                               c.open.data() + b,
                               c.high.data() + b,
                               c.low.data() + b,
                               c.close.data() + b,
                               c.volume.data() + b};
        out.bars(columns);
        pushed += e - b;
        last_pushed_ms_ = c.open_time_ms[e - 1];
    }
    return pushed;
}

bool CsvFeed::next_replay_row(CsvRow& row) {
    if (!reader_->next(row)) return false;
    if (reader_->after_gap(interval_ms())) warn_gap(reader_->delta_ms(), reader_->line());
    return true;
}

bool CsvFeed::poll(int64_t, uint32_t max_bars, sdk::FeedOut& out) {
    bool backtest = mode() == OT_MODE_BACKTEST;
    if (backtest ? !prefetcher_ : !reader_)
        throw sdk::Error(OT_E_PLUGIN, "csv: poll() before start()");
    uint64_t limit =
        backtest ? (max_bars ? max_bars : kChunk) : static_cast<uint64_t>(replay_bars_);
    if (!backtest && max_bars) limit = std::min<uint64_t>(limit, max_bars);
    uint64_t pushed = backtest ? push_backtest_rows(limit, out) : 0;
    CsvRow row;
    while (!backtest && pushed < limit && next_replay_row(row)) {
        push(row, out);
        ++pushed;
        last_pushed_ms_ = row.open_time_ms;
    }
    if (pushed == 0) {
        if (!pushed_any_ && start_ms_ != std::numeric_limits<int64_t>::min())
            host().warn("csv: no bar of " + path_ + " closes after start: nothing to run");
        return false;
    }
    pushed_any_ = true;
    if (!backtest) host().kv_set(kCursorKey, std::to_string(last_pushed_ms_));
    return true;
}

void CsvFeed::history(const std::string& symbol, int32_t interval_s, int64_t before_ms,
                      uint32_t count, sdk::FeedOut& out) {
    if (symbol != symbol_ || (interval_s != 0 && interval_s != interval_s_) || count == 0 ||
        !pushed_any_)
        return;
    // Only bars already replayed (or before `start`) have closed: history never reaches past
    // the replay position. In a backtest, before_ms is where the tested bars begin.
    const int64_t before = std::min(before_ms, last_pushed_ms_ + interval_ms());
    CsvBarReader reader(path_, interval_ms());
    std::deque<CsvRow> last;
    CsvRow row;
    while (reader.next(row) && row.open_time_ms + interval_ms() <= before) {
        if (last.size() == count) last.pop_front();
        last.push_back(row);
    }
    for (const CsvRow& r : last)
        push(r, out);
}

}  // namespace orchestrade::plugins

OT_PLUGIN_MODULE(OT_FEED(orchestrade::plugins::CsvFeed))
