// A strategy built outside the Orchestrade tree: BUY when the close breaks above the highest
// close of the previous `lookback` bars, SELL when it breaks below the lowest.
#include <orchestrade/sdk.hpp>

#include <algorithm>
#include <deque>
#include <map>
#include <string>

namespace sdk = orchestrade::sdk;

class Breakout final : public sdk::Strategy {
  public:
    static constexpr sdk::Meta meta{
        "com.example.breakout", "breakout",
        "Channel breakout",     "1.0.0",
        "Example Corp",         "BUY above the highest close of N bars, SELL below the lowest"};
    static constexpr ot_param_spec params[] = {
        sdk::int_param("lookback", "20", 2, 10000, "bars in the channel")};

    explicit Breakout(const sdk::Context& c)
        : Strategy(c), lookback_(static_cast<std::size_t>(c.params.get_int("lookback"))) {}

    uint32_t warmup_bars() const override { return static_cast<uint32_t>(lookback_ + 1); }

    void on_bars(const sdk::Bars& bars, sdk::Signals& out) override {
        for (std::size_t i = 0; i < bars.size(); ++i) {
            std::deque<double>& window = closes_[bars.symbol(i)];
            const double close = bars.close(i);
            if (window.size() == lookback_ && !bars.warmup()) {
                const auto [lo, hi] = std::minmax_element(window.begin(), window.end());
                sdk::Signal s;
                s.symbol = bars.symbol(i);
                s.time_ms = bars.open_time_ms(i);
                s.action = close > *hi   ? OT_ACTION_BUY
                           : close < *lo ? OT_ACTION_SELL
                                         : OT_ACTION_HOLD;
                out.push(s);
            }
            window.push_back(close);
            if (window.size() > lookback_) window.pop_front();
        }
    }

  private:
    std::size_t lookback_;
    std::map<std::string, std::deque<double>> closes_;
};

OT_PLUGIN_MODULE(OT_STRATEGY(Breakout))
