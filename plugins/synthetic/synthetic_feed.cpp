#include "synthetic_feed.hpp"

#include <orchestrade/candles/timeframe.hpp>

#include <algorithm>
#include <charconv>
#include <deque>
#include <map>

namespace orchestrade::plugins {
namespace {

// Backtest polls with max_bars = 0 still return in chunks, so the host never holds the whole run.
constexpr uint32_t kChunk = 65536;
constexpr const char* kCursorKey = "cursor";

int64_t close_ms(const StreamItem& item) {
    return item.candle.open_time_ms + int64_t{item.interval_s} * 1000;
}

std::vector<int32_t> parse_higher(const std::string& list, int32_t base_s) {
    std::vector<int32_t> out;
    std::size_t pos = 0;
    while (pos < list.size()) {
        std::size_t comma = list.find(',', pos);
        if (comma == std::string::npos) comma = list.size();
        std::string item = list.substr(pos, comma - pos);
        while (!item.empty() && item.front() == ' ')
            item.erase(item.begin());
        while (!item.empty() && item.back() == ' ')
            item.pop_back();
        int32_t s = candles::parse_timeframe(item);
        if (s <= base_s || s % base_s != 0)
            throw sdk::Error(OT_E_INVALID_ARG, "synthetic: higher timeframe '" + item +
                                                   "' is not a multiple of the timeframe");
        out.push_back(s);
        pos = comma + 1;
    }
    return out;
}

}  // namespace

SyntheticFeed::SyntheticFeed(const sdk::Context& ctx)
    : Feed(ctx), bars_(ctx.params.get_int("bars")), symbols_(ctx.universe) {
    if (symbols_.empty())
        throw sdk::Error(OT_E_INVALID_ARG, "the synthetic feed needs at least one universe symbol");
    config_.interval_s = candles::parse_timeframe(ctx.params.get_string("timeframe"));
    config_.higher_intervals_s =
        parse_higher(ctx.params.get_string("higher_timeframes"), config_.interval_s);
    config_.series = ctx.params.get_bool("series");
    config_.walk.seed = static_cast<uint64_t>(ctx.params.get_int("seed"));
    config_.walk.start_ms = ctx.params.get_int("start_ms");
    config_.walk.interval_ms = int64_t{config_.interval_s} * 1000;
    config_.walk.start_price = ctx.params.get_double("start_price");
    config_.walk.volatility = ctx.params.get_double("volatility");
    config_.walk.drift = ctx.params.get_double("drift");
    for (const std::string& symbol : symbols_)
        streams_.emplace_back(config_, symbol);
}

void SyntheticFeed::start() {
    if (mode() == OT_MODE_BACKTEST) return;
    std::optional<std::string> cursor = host().kv_get(kCursorKey);
    if (!cursor) return;
    int64_t last = 0;
    auto [end, ec] = std::from_chars(cursor->data(), cursor->data() + cursor->size(), last);
    if (ec != std::errc() || end != cursor->data() + cursor->size())
        throw sdk::Error(OT_E_INVALID_ARG,
                         "synthetic: stored cursor '" + *cursor + "' is not a time");
    int64_t resume_steps = (last - config_.walk.start_ms) / config_.walk.interval_ms + 1;
    if (bars_ > 0 && resume_steps > bars_) resume_steps = bars_;
    // Regenerated rather than skipped: the aggregates and series carry state from bar to bar.
    for (CandleStream& stream : streams_) {
        while (stream.index() < resume_steps) {
            scratch_.clear();
            stream.next(scratch_);
        }
    }
    host().info("synthetic: resuming after bar " + *cursor);
}

bool SyntheticFeed::exhausted() const {
    return bars_ > 0 && steps_done() >= bars_;
}

void SyntheticFeed::generate() {
    scratch_.clear();
    streams_[next_symbol_].next(scratch_);
    for (const StreamItem& item : scratch_)
        pending_.push_back({next_symbol_, item});
    next_symbol_ = (next_symbol_ + 1) % streams_.size();
}

void SyntheticFeed::push(std::size_t symbol, const StreamItem& item, sdk::FeedOut& out) const {
    if (item.name) {
        ot_series_point p{sizeof(ot_series_point),
                          0u,
                          symbols_[symbol].c_str(),
                          item.name,
                          item.time_ms,
                          item.value};
        out.series(p);
        return;
    }
    const candles::Candle& c = item.candle;
    ot_bar bar{sizeof(ot_bar), item.interval_s, symbols_[symbol].c_str(),
               c.open_time_ms, c.open,          c.high,
               c.low,          c.close,         c.volume};
    out.bar(bar);
}

bool SyntheticFeed::poll(int64_t, uint32_t max_bars, sdk::FeedOut& out) {
    if (exhausted() && pending_.empty()) return false;
    if (mode() != OT_MODE_BACKTEST) {
        replay_step(out);
        return true;
    }
    const std::size_t limit = max_bars ? max_bars : kChunk;
    for (std::size_t bars = 0; bars < limit;) {
        if (pending_.empty()) {
            if (exhausted()) break;
            generate();
        }
        const Pending& next = pending_.front();
        if (!next.item.name) ++bars;
        push(next.symbol, next.item, out);
        pending_.pop_front();
    }
    // The series points known at the last bar's close go with it.
    while (!pending_.empty() && pending_.front().item.name) {
        push(pending_.front().symbol, pending_.front().item, out);
        pending_.pop_front();
    }
    return true;
}

void SyntheticFeed::replay_step(sdk::FeedOut& out) {
    do {
        generate();
    } while (next_symbol_ != 0);
    int64_t last_open = 0;
    for (const Pending& p : pending_) {
        push(p.symbol, p.item, out);
        if (!p.item.name && p.item.interval_s == config_.interval_s)
            last_open = p.item.candle.open_time_ms;
    }
    pending_.clear();
    host().kv_set(kCursorKey, std::to_string(last_open));
}

int64_t SyntheticFeed::bars_closed_by(int64_t time_ms) const {
    return time_ms < config_.walk.start_ms
               ? 0
               : (time_ms - config_.walk.start_ms) / config_.walk.interval_ms;
}

int64_t SyntheticFeed::bars_before_start(int32_t interval_s, uint32_t count, int64_t before_ms,
                                         const Kept& replayed) const {
    const int64_t base_ms = config_.walk.interval_ms;
    int64_t needed = 0;
    auto need = [&](int32_t s) {
        if (interval_s != 0 && interval_s != s) return;
        const auto it = replayed.find(s);
        const int64_t have = it == replayed.end() ? 0 : static_cast<int64_t>(it->second.size());
        // A window more than the bars lacking: the first one may be partial.
        if (have < count)
            needed = std::max(needed, (count - have + 1) * (int64_t{s} * 1000 / base_ms));
    };
    need(config_.interval_s);
    for (int32_t s : config_.higher_intervals_s)
        need(s);
    if (needed == 0) return 0;
    // Bars between before_ms and the start are not history of before_ms.
    if (before_ms < config_.walk.start_ms)
        needed += (config_.walk.start_ms - before_ms + base_ms - 1) / base_ms;
    // None opens before 1970.
    return std::min({needed, config_.walk.start_ms / base_ms, kMaxBarsBeforeStart});
}

void SyntheticFeed::history(const std::string& symbol, int32_t interval_s, int64_t before_ms,
                            uint32_t count, sdk::FeedOut& out) {
    std::size_t index = 0;
    while (index < symbols_.size() && symbols_[index] != symbol)
        ++index;
    if (index == symbols_.size() || count == 0) return;
    // The last `count` bars of each interval asked for (0: the base one and every higher one)
    // that closed by before_ms.
    auto keep = [&](const StreamItem& item, Kept& kept) {
        if (item.name || (interval_s != 0 && item.interval_s != interval_s) ||
            close_ms(item) > before_ms)
            return;
        std::deque<StreamItem>& last = kept[item.interval_s];
        if (last.size() == count) last.pop_front();
        last.push_back(item);
    };
    // Of the walk from its start, only bars already replayed have closed: poll() pushes the rest.
    const int64_t replayable = std::min(streams_[index].index(), bars_closed_by(before_ms));
    Kept replayed;
    std::vector<StreamItem> items;
    CandleStream stream(config_, symbol);
    while (stream.index() < replayable) {
        items.clear();
        stream.next(items);
        for (const StreamItem& item : items)
            keep(item, replayed);
    }
    // What they lack comes from the walk before the start, which precedes them.
    items.clear();
    CandleStream::before_start(config_, symbol,
                               bars_before_start(interval_s, count, before_ms, replayed), items);
    Kept kept;
    for (const StreamItem& item : items)
        keep(item, kept);
    for (const auto& [interval, bars] : replayed)
        for (const StreamItem& item : bars)
            keep(item, kept);
    std::vector<const StreamItem*> ordered;
    for (const auto& [interval, bars] : kept)
        for (const StreamItem& item : bars)
            ordered.push_back(&item);
    // By close time, a higher bar after the base bar that closes it, as the stream gives them.
    std::stable_sort(ordered.begin(), ordered.end(), [](const StreamItem* a, const StreamItem* b) {
        return close_ms(*a) < close_ms(*b);
    });
    for (const StreamItem* item : ordered)
        push(index, *item, out);
}

}  // namespace orchestrade::plugins

OT_PLUGIN_MODULE(OT_FEED(orchestrade::plugins::SyntheticFeed))
