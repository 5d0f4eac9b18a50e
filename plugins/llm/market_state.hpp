// What the strategy knows of the market at one moment: per symbol, the indicators of the decision
// timeframe and of the context timeframe, the latest funding rate and open interest. It only ever
// holds data at or before the moment it was advanced to: series points that arrive early wait.
// A decision is taken on the symbols whose data is warm and current; the others are left out.
#pragma once

#include <orchestrade/indicators.hpp>

#include <cstdint>
#include <deque>
#include <limits>
#include <map>
#include <string>
#include <vector>

namespace orchestrade::llm {

inline constexpr double kUndefined = std::numeric_limits<double>::quiet_NaN();

// The indicators of one timeframe after its latest closed bar; NaN where not defined yet.
struct TimeframeSnapshot {
    std::size_t bars = 0;
    int64_t last_open_ms = 0;  // of the latest bar; 0 before the first one
    double close = kUndefined, volume = kUndefined;
    double ema20 = kUndefined, ema50 = kUndefined;
    double macd = kUndefined, macd_signal = kUndefined, macd_histogram = kUndefined;
    double rsi7 = kUndefined, rsi14 = kUndefined;
    double atr3 = kUndefined, atr14 = kUndefined;
    double volume_avg = kUndefined;  // SMA(20) of the volume
    // The latest values, oldest first, at most series_length each (only defined values).
    std::deque<double> closes, ema20_series, macd_series, rsi7_series, rsi14_series;
};

class TimeframeState {
  public:
    explicit TimeframeState(std::size_t series_length);
    void add(int64_t open_ms, double high, double low, double close, double volume);
    const TimeframeSnapshot& snapshot() const { return snap_; }

    // Bars before every indicator is defined (EMA50 needs the most).
    static constexpr std::size_t kWarmupBars = 50;

  private:
    void keep(std::deque<double>& series, double v) const;

    std::size_t series_length_;
    indicators::Ema ema20_{20}, ema50_{50};
    indicators::Macd macd_{12, 26, 9};
    indicators::Rsi rsi7_{7}, rsi14_{14};
    indicators::Atr atr3_{3}, atr14_{14};
    indicators::Sma volume_avg_{20};
    TimeframeSnapshot snap_;
};

struct SymbolSnapshot {
    std::string symbol;
    TimeframeSnapshot intraday, context;
    double funding_rate = kUndefined;
    double open_interest = kUndefined;
    double open_interest_avg = kUndefined;  // over the latest series_length points
};

// A symbol a decision leaves out, and why.
struct LeftOut {
    enum class Why { NoBar, NotWarm, Stale };
    std::string symbol;
    Why why = Why::NoBar;
    std::size_t bars = 0;       // decision-timeframe bars received
    int64_t last_close_ms = 0;  // close of the latest one; 0 before the first
};

// The universe split at one moment, both parts in universe order.
struct DecisionMarket {
    std::vector<SymbolSnapshot> in;
    std::vector<LeftOut> left_out;
};

class MarketState {
  public:
    MarketState(std::vector<std::string> universe, int32_t intraday_s, int32_t context_s,
                std::size_t series_length);

    // A closed bar; bars of other timeframes and symbols outside the universe are ignored.
    void add_bar(const std::string& symbol, int32_t interval_s, int64_t open_ms, double high,
                 double low, double close, double volume);
    // A "funding_rate" or "open_interest" point; it takes effect once advance_to reaches its time.
    void add_point(const std::string& symbol, const std::string& name, int64_t time_ms,
                   double value);
    void advance_to(int64_t now_ms);

    std::vector<SymbolSnapshot> snapshot() const;
    // A symbol is in when it has kWarmupBars decision-timeframe bars and the latest closed at
    // most kMaxMissedBars intervals before now_ms: an older close would be traded as if current.
    DecisionMarket decision_market(int64_t now_ms) const;

    // Intervals without a new bar that are tolerated (a feed may deliver a bar late).
    static constexpr int64_t kMaxMissedBars = 2;
    // Whether a close at last_close_ms, of bars interval_ms apart, is too old to be current.
    static bool stale(int64_t last_close_ms, int64_t interval_ms, int64_t now_ms) {
        return now_ms - last_close_ms > kMaxMissedBars * interval_ms;
    }

  private:
    struct Symbol {
        TimeframeState intraday, context;
        double funding_rate = kUndefined;
        std::deque<double> open_interest;
    };
    struct Point {
        std::size_t symbol;
        bool funding;
        double value;
    };

    std::vector<std::string> universe_;
    int32_t intraday_s_, context_s_;
    std::size_t series_length_;
    std::vector<Symbol> symbols_;
    std::multimap<int64_t, Point> waiting_;  // by time; equal times keep their arrival order
};

}  // namespace orchestrade::llm
