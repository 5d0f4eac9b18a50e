#include "sma_cross.hpp"

#include <orchestrade/candles/timeframe.hpp>

#include <charconv>
#include <cstring>

namespace orchestrade::plugins {
namespace {

void append_number(std::string& out, double v) {
    char buf[32];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
    out.append(buf, ec == std::errc() ? end : buf);
}

const char* reason_for(int32_t action) {
    switch (action) {
        case OT_ACTION_BUY:
            return "fast SMA crossed above slow SMA";
        case OT_ACTION_SELL:
            return "fast SMA crossed below slow SMA";
        default:
            return "no crossover";
    }
}

}  // namespace

SmaCross::SmaCross(const sdk::Context& ctx)
    : Strategy(ctx),
      fast_(static_cast<std::size_t>(ctx.params.get_int("fast"))),
      slow_(static_cast<std::size_t>(ctx.params.get_int("slow"))) {
    if (slow_ <= fast_)
        throw sdk::Error(OT_E_INVALID_ARG, "sma_cross: slow (" + std::to_string(slow_) +
                                               ") must be greater than fast (" +
                                               std::to_string(fast_) + ")");
    std::string timeframe = ctx.params.has("timeframe") ? ctx.params.get_string("timeframe") : "";
    if (!timeframe.empty()) timeframe_s_ = candles::parse_timeframe(timeframe);
    signal_.reason = reason_for(signal_.action);
}

// Batches mostly carry the same symbol table, so each entry is compared with the name it had in
// the previous batch and looked up only when it differs. Names, not pointers: the host may
// rebuild the table.
void SmaCross::resolve_symbols(const sdk::Bars& bars) {
    const ot_bar_batch& raw = bars.raw();
    if (slots_.size() != raw.symbol_count) {
        slots_.resize(raw.symbol_count);
        named_ = nullptr;
    }
    for (uint32_t i = 0; i < raw.symbol_count; ++i) {
        Slot& slot = slots_[i];
        const char* name = raw.symbols[i];
        if (slot.series && std::strcmp(slot.name.c_str(), name) == 0) continue;
        slot.name = name;
        slot.series = &series_of(name);
        if (named_ == &slot) named_ = nullptr;
    }
}

SmaCross::Series& SmaCross::series_of(const char* symbol) {
    std::string_view name = symbol;
    auto it = series_.find(name);
    if (it == series_.end())
        it = series_.emplace(std::string(name), Series{MovingAverages(fast_, slow_)}).first;
    return it->second;
}

void SmaCross::on_bars(const sdk::Bars& bars, sdk::Signals& out) {
    resolve_symbols(bars);
    for (std::size_t i = 0; i < bars.size(); ++i) {
        if (timeframe_s_ != 0 && bars.interval_s(i) != timeframe_s_) continue;
        const Slot& slot = slots_[bars.symbol_index(i)];
        Series& s = *slot.series;
        bool had_previous = s.averages.ready();
        double prev_fast = s.fast, prev_slow = s.slow;
        s.averages.add(bars.close(i));
        if (!s.averages.ready()) continue;
        s.fast = s.averages.fast();
        s.slow = s.averages.slow();
        if (!had_previous || bars.warmup()) continue;
        int32_t action = OT_ACTION_HOLD;
        if (prev_fast <= prev_slow && s.fast > s.slow) action = OT_ACTION_BUY;
        if (prev_fast >= prev_slow && s.fast < s.slow) action = OT_ACTION_SELL;
        emit(bars, i, slot, action, out);
    }
}

void SmaCross::emit(const sdk::Bars& bars, std::size_t row, const Slot& slot, int32_t action,
                    sdk::Signals& out) {
    const Series& s = *slot.series;
    if (action != signal_.action) {  // most bars repeat HOLD: its reason is already there
        signal_.action = action;
        signal_.reason = reason_for(action);
    }
    if (named_ != &slot) {  // one symbol bar after bar: copy its name once
        signal_.symbol = slot.name;
        named_ = &slot;
    }
    signal_.time_ms = bars.open_time_ms(row);
    signal_.metadata_json.clear();
    // A backtest formats no JSON for the (many) HOLD bars; paper and live persist every signal
    // with its indicator values.
    if (action != OT_ACTION_HOLD || mode() != OT_MODE_BACKTEST) {
        std::string& json = signal_.metadata_json;
        json += "{\"sma_fast\":";
        append_number(json, s.fast);
        json += ",\"sma_slow\":";
        append_number(json, s.slow);
        json += ",\"close\":";
        append_number(json, bars.close(row));
        json += '}';
    }
    out.push(signal_);
}

}  // namespace orchestrade::plugins

OT_PLUGIN_MODULE(OT_STRATEGY(orchestrade::plugins::SmaCross))
