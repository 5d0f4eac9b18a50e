#include "market_state.hpp"

#include <algorithm>

namespace orchestrade::llm {

TimeframeState::TimeframeState(std::size_t series_length) : series_length_(series_length) {}

void TimeframeState::keep(std::deque<double>& series, double v) const {
    series.push_back(v);
    if (series.size() > series_length_) series.pop_front();
}

void TimeframeState::add(int64_t open_ms, double high, double low, double close, double volume) {
    ++snap_.bars;
    snap_.last_open_ms = open_ms;
    snap_.close = close;
    snap_.volume = volume;
    keep(snap_.closes, close);
    if (auto v = ema20_.update(close)) keep(snap_.ema20_series, snap_.ema20 = *v);
    if (auto v = ema50_.update(close)) snap_.ema50 = *v;
    if (auto v = macd_.update(close)) {
        snap_.macd = v->macd;
        snap_.macd_signal = v->signal;
        snap_.macd_histogram = v->histogram;
        keep(snap_.macd_series, v->macd);
    }
    if (auto v = rsi7_.update(close)) keep(snap_.rsi7_series, snap_.rsi7 = *v);
    if (auto v = rsi14_.update(close)) keep(snap_.rsi14_series, snap_.rsi14 = *v);
    if (auto v = atr3_.update(high, low, close)) snap_.atr3 = *v;
    if (auto v = atr14_.update(high, low, close)) snap_.atr14 = *v;
    if (auto v = volume_avg_.update(volume)) snap_.volume_avg = *v;
}

MarketState::MarketState(std::vector<std::string> universe, int32_t intraday_s, int32_t context_s,
                         std::size_t series_length)
    : universe_(std::move(universe)),
      intraday_s_(intraday_s),
      context_s_(context_s),
      series_length_(series_length) {
    for (std::size_t i = 0; i < universe_.size(); ++i)
        symbols_.push_back(
            {TimeframeState(series_length), TimeframeState(series_length), kUndefined, {}});
}

void MarketState::add_bar(const std::string& symbol, int32_t interval_s, int64_t open_ms,
                          double high, double low, double close, double volume) {
    auto it = std::find(universe_.begin(), universe_.end(), symbol);
    if (it == universe_.end()) return;
    Symbol& s = symbols_[static_cast<std::size_t>(it - universe_.begin())];
    if (interval_s == intraday_s_) s.intraday.add(open_ms, high, low, close, volume);
    if (interval_s == context_s_) s.context.add(open_ms, high, low, close, volume);
}

void MarketState::add_point(const std::string& symbol, const std::string& name, int64_t time_ms,
                            double value) {
    auto it = std::find(universe_.begin(), universe_.end(), symbol);
    if (it == universe_.end() || (name != "funding_rate" && name != "open_interest")) return;
    waiting_.emplace(time_ms, Point{static_cast<std::size_t>(it - universe_.begin()),
                                    name == "funding_rate", value});
}

void MarketState::advance_to(int64_t now_ms) {
    auto end = waiting_.upper_bound(now_ms);
    for (auto it = waiting_.begin(); it != end; ++it) {
        Symbol& s = symbols_[it->second.symbol];
        if (it->second.funding) {
            s.funding_rate = it->second.value;
        } else {
            s.open_interest.push_back(it->second.value);
            if (s.open_interest.size() > series_length_) s.open_interest.pop_front();
        }
    }
    waiting_.erase(waiting_.begin(), end);
}

std::vector<SymbolSnapshot> MarketState::snapshot() const {
    std::vector<SymbolSnapshot> all(universe_.size());
    for (std::size_t i = 0; i < universe_.size(); ++i) {
        const Symbol& s = symbols_[i];
        SymbolSnapshot& out = all[i];
        out.symbol = universe_[i];
        out.intraday = s.intraday.snapshot();
        out.context = s.context.snapshot();
        out.funding_rate = s.funding_rate;
        out.open_interest = s.open_interest.empty() ? kUndefined : s.open_interest.back();
        if (!s.open_interest.empty()) {
            double sum = 0;
            for (double v : s.open_interest)
                sum += v;
            out.open_interest_avg = sum / static_cast<double>(s.open_interest.size());
        }
    }
    return all;
}

DecisionMarket MarketState::decision_market(int64_t now_ms) const {
    DecisionMarket out;
    const int64_t interval_ms = int64_t{intraday_s_} * 1000;
    for (SymbolSnapshot& s : snapshot()) {
        const TimeframeSnapshot& t = s.intraday;
        const int64_t last_close_ms = t.bars > 0 ? t.last_open_ms + interval_ms : 0;
        LeftOut left{s.symbol, LeftOut::Why::NoBar, t.bars, last_close_ms};
        if (t.bars == 0)
            left.why = LeftOut::Why::NoBar;
        else if (t.bars < TimeframeState::kWarmupBars)
            left.why = LeftOut::Why::NotWarm;
        else if (stale(last_close_ms, interval_ms, now_ms))
            left.why = LeftOut::Why::Stale;
        else {
            out.in.push_back(std::move(s));
            continue;
        }
        out.left_out.push_back(std::move(left));
    }
    return out;
}

}  // namespace orchestrade::llm
