// A strategy built outside the Orchestrade tree with the SDK and its indicators: RSI mean
// reversion. BUY when a symbol's RSI falls below `oversold`, SELL when it rises above
// `overbought`.
#include <orchestrade/indicators.hpp>
#include <orchestrade/sdk.hpp>

#include <map>
#include <optional>
#include <string>

namespace sdk = orchestrade::sdk;
namespace ind = orchestrade::indicators;

class RsiReversion final : public sdk::Strategy {
  public:
    static constexpr sdk::Meta meta{"com.example.rsi_reversion",
                                    "rsi_reversion",
                                    "RSI mean reversion",
                                    "1.0.0",
                                    "Example Corp",
                                    "BUY when the RSI falls below oversold, SELL above overbought"};
    static constexpr ot_param_spec params[] = {
        sdk::int_param("period", "14", 2, 1000, "bars in the RSI (Wilder)"),
        sdk::double_param("oversold", "30", 0, 100, "RSI below which to buy"),
        sdk::double_param("overbought", "70", 0, 100, "RSI above which to sell")};

    explicit RsiReversion(const sdk::Context& c)
        : Strategy(c),
          period_(static_cast<int>(c.params.get_int("period"))),
          oversold_(c.params.get_double("oversold")),
          overbought_(c.params.get_double("overbought")) {
        // The schema checks each value; how they relate is the plugin's to check.
        if (oversold_ >= overbought_)
            throw sdk::Error(OT_E_INVALID_ARG, "oversold must be below overbought");
    }

    uint32_t warmup_bars() const override {
        return static_cast<uint32_t>(ind::rsi_lookback(period_) + 1);
    }

    void on_bars(const sdk::Bars& bars, sdk::Signals& out) override {
        for (std::size_t i = 0; i < bars.size(); ++i) {
            Symbol& s = symbols_.try_emplace(bars.symbol(i), period_).first->second;
            const std::optional<double> rsi = s.rsi.update(bars.close(i));
            if (!rsi) continue;
            const int zone = *rsi < oversold_ ? -1 : *rsi > overbought_ ? 1 : 0;
            const bool entered = zone != 0 && zone != s.zone;
            s.zone = zone;
            if (!entered || bars.warmup()) continue;
            sdk::Signal signal;
            signal.action = zone < 0 ? OT_ACTION_BUY : OT_ACTION_SELL;
            signal.symbol = bars.symbol(i);
            signal.time_ms = bars.open_time_ms(i);
            signal.reason = zone < 0 ? "RSI oversold" : "RSI overbought";
            signal.metadata_json = "{\"rsi\": " + std::to_string(*rsi) + "}";
            out.push(signal);
        }
    }

  private:
    struct Symbol {
        explicit Symbol(int period) : rsi(period) {}
        ind::Rsi rsi;
        int zone = 0;  // -1 oversold, 1 overbought, 0 between
    };

    int period_;
    double oversold_;
    double overbought_;
    std::map<std::string, Symbol> symbols_;
};

OT_PLUGIN_MODULE(OT_STRATEGY(RsiReversion))
