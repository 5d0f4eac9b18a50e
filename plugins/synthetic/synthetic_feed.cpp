#include "synthetic_feed.hpp"

#include <orchestrade/candles/timeframe.hpp>

#include <charconv>
#include <deque>

namespace orchestrade::plugins {
namespace {

// Backtest polls with max_bars = 0 still return in chunks, so the host never holds the whole run.
constexpr uint32_t kChunk = 65536;
constexpr const char* kCursorKey = "cursor";

}  // namespace

SyntheticFeed::SyntheticFeed(const sdk::Context& ctx)
    : Feed(ctx),
      interval_s_(candles::parse_timeframe(ctx.params.get_string("timeframe"))),
      bars_(ctx.params.get_int("bars")),
      symbols_(ctx.universe) {
    if (symbols_.empty())
        throw sdk::Error(OT_E_INVALID_ARG, "the synthetic feed needs at least one universe symbol");
    walk_.seed = static_cast<uint64_t>(ctx.params.get_int("seed"));
    walk_.start_ms = ctx.params.get_int("start_ms");
    walk_.interval_ms = int64_t{interval_s_} * 1000;
    walk_.start_price = ctx.params.get_double("start_price");
    walk_.volatility = ctx.params.get_double("volatility");
    walk_.drift = ctx.params.get_double("drift");
    for (const std::string& symbol : symbols_)
        walks_.emplace_back(walk_, symbol);
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
    int64_t resume_steps = (last - walk_.start_ms) / walk_.interval_ms + 1;
    if (bars_ > 0 && resume_steps > bars_) resume_steps = bars_;
    for (candles::RandomWalk& walk : walks_)
        while (walk.index() < resume_steps)
            walk.next();
    host().info("synthetic: resuming after bar " + *cursor);
}

bool SyntheticFeed::exhausted() const {
    return bars_ > 0 && steps_done() >= bars_;
}

void SyntheticFeed::push(std::size_t symbol, const candles::Candle& c, sdk::FeedOut& out) const {
    ot_bar bar{sizeof(ot_bar), interval_s_, symbols_[symbol].c_str(),
               c.open_time_ms, c.open,      c.high,
               c.low,          c.close,     c.volume};
    out.bar(bar);
}

bool SyntheticFeed::poll(int64_t, uint32_t max_bars, sdk::FeedOut& out) {
    if (exhausted()) return false;
    bool backtest = mode() == OT_MODE_BACKTEST;
    // Paper and live replay one whole time step per poll.
    std::size_t limit = backtest ? (max_bars ? max_bars : kChunk) : symbols_.size();
    int64_t last_open = 0;
    for (std::size_t pushed = 0; pushed < limit && !exhausted(); ++pushed) {
        candles::Candle c = walks_[next_symbol_].next();
        push(next_symbol_, c, out);
        last_open = c.open_time_ms;
        next_symbol_ = (next_symbol_ + 1) % walks_.size();
    }
    if (!backtest) host().kv_set(kCursorKey, std::to_string(last_open));
    return true;
}

void SyntheticFeed::history(const std::string& symbol, int32_t interval_s, int64_t before_ms,
                            uint32_t count, sdk::FeedOut& out) {
    std::size_t index = 0;
    while (index < symbols_.size() && symbols_[index] != symbol)
        ++index;
    if (index == symbols_.size() || interval_s != interval_s_ || count == 0) return;
    // Only bars already replayed have closed: history never reaches past the replay position.
    int64_t available = walks_[index].index();
    std::deque<candles::Candle> last;
    candles::RandomWalk walk(walk_, symbol);
    while (walk.index() < available) {
        candles::Candle c = walk.next();
        if (c.open_time_ms >= before_ms) break;
        if (last.size() == count) last.pop_front();
        last.push_back(c);
    }
    for (const candles::Candle& c : last)
        push(index, c, out);
}

}  // namespace orchestrade::plugins

OT_PLUGIN_MODULE(OT_FEED(orchestrade::plugins::SyntheticFeed))
