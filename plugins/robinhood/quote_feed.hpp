// The "robinhood_quotes" feed: candles of the universe's symbols built from Robinhood's best
// bid/ask, polled once per poll() (the API has no candle or history endpoint).
#pragma once

#include "candle_builder.hpp"
#include "quotes.hpp"
#include "rest_client.hpp"

#include <orchestrade/sdk.hpp>

#include <deque>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace orchestrade::plugins::robinhood {

inline constexpr const char* kPriceChoices[] = {"mid", "bid", "ask", nullptr};

class RobinhoodQuoteFeed final : public sdk::Feed {
  public:
    static constexpr sdk::Meta meta{
        "org.orchestrade.robinhood.quotes",
        "robinhood_quotes",
        "Robinhood quotes",
        "1.0.0",
        "Orchestrade",
        "Candles built from polled Robinhood Crypto best bid/ask quotes (crypto only; paper and "
        "live mode, no history before the first run)"};
    static constexpr ot_param_spec params[] = {
        sdk::string_param("base_url", kProductionUrl, "API root (the production URL by default)"),
        sdk::secret_param("api_key", "API key (rh-api-...), from ${ENV} or ${file:...}"),
        sdk::secret_param("private_key",
                          "Base64 Ed25519 private key seed, from ${ENV} or ${file:...}"),
        sdk::string_param("timeframe", "1m", "Bar interval: 1m, 5m, 1h, ..."),
        sdk::enum_param("price", "mid", kPriceChoices,
                        "Which quote the bars follow: the mid price, the bid or the ask"),
        sdk::int_param("history_bars", "500", 0, 100000,
                       "Closed bars kept per symbol for the strategy's warm-up after a restart"),
        sdk::int_param("max_quote_age_s", "60", 0, 86400,
                       "A quote the venue stamped longer ago than this is not used (0: any age)"),
        sdk::int_param("timeout_ms", "10000", 100, 120000, "HTTP timeout of one request"),
        sdk::double_param("requests_per_minute", "100", 1, 100000, "Token bucket refill rate"),
        sdk::int_param("burst", "300", 1, 100000, "Token bucket size"),
    };

    explicit RobinhoodQuoteFeed(const sdk::Context& ctx);
    void start() override;
    bool poll(int64_t now_ms, uint32_t max_bars, sdk::FeedOut& out) override;
    void history(const std::string& symbol, int32_t interval_s, int64_t before_ms, uint32_t count,
                 sdk::FeedOut& out) override;

  private:
    // One best bid/ask request; the prices go into the bars.
    void sample(int64_t now_ms);
    // Whether the quote is too old to price a bar; says so when a symbol's quotes go stale or
    // become fresh again.
    bool stale(const Quote& q, int64_t now_ms);
    void keep(const std::vector<Candle>& closed);
    void push(const Candle& c, sdk::FeedOut& out) const;

    RestClient rest_;
    int32_t interval_s_;
    std::string price_;
    std::size_t history_bars_;
    int64_t max_quote_age_ms_;
    std::map<std::string, std::string> by_venue_symbol_;  // "BTC-USD" -> "BTC/USD"
    CandleBuilder builder_;
    std::deque<Candle> ready_;                          // closed, not pushed yet
    std::map<std::string, std::deque<Candle>> recent_;  // closed bars per symbol, for history()
    bool warned_missing_ = false;
    std::set<std::string> stale_;  // venue symbols whose last quote was too old
};

}  // namespace orchestrade::plugins::robinhood
