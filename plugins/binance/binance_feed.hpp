// The "binance_feed" feed: closed klines of every universe symbol at every configured
// timeframe, spot or USDⓈ-M futures, plus futures series (funding rate, mark price, open
// interest). Paper/live: each poll fetches only the streams whose next bar has closed, pushes
// closed bars oldest first and keeps a per-stream cursor in the host's state, so no bar is
// pushed twice or skipped, across polls and restarts. See README.md.
#pragma once

#include "market_data.hpp"
#include "rest_client.hpp"

#include <orchestrade/sdk.hpp>

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace orchestrade::plugins::binance {

class BinanceFeed final : public sdk::Feed {
  public:
    static constexpr sdk::Meta meta{
        "org.orchestrade.binance.feed",
        "binance_feed",
        "Binance market data",
        "1.0.0",
        "Orchestrade",
        "Closed klines (spot or USD-M futures) and futures funding rate, mark price, open "
        "interest"};
    static constexpr ot_param_spec params[] = {
        sdk::enum_param("market", "spot", kMarketChoices, "spot or usdm (USD-M perpetual futures)"),
        sdk::string_param(
            "base_url", "",
            "REST base URL; default: production (api.binance.com / fapi.binance.com)"),
        sdk::string_param("timeframes", "1m", "Comma-separated intervals: 1m, 3m, 1h, 4h, ..."),
        sdk::string_param("series", "",
                          "usdm only, comma-separated: funding_rate, mark_price, open_interest"),
        sdk::int_param("timeout_ms", "10000", 100, 120000, "HTTP timeout per request"),
        sdk::double_param("weight_budget_pct", "50", 1, 100,
                          "Share of the per-minute request weight market data may use"),
    };

    explicit BinanceFeed(const sdk::Context& ctx);
    void start() override;
    bool poll(int64_t now_ms, uint32_t max_bars, sdk::FeedOut& out) override;
    void history(const std::string& symbol, int32_t interval_s, int64_t before_ms, uint32_t count,
                 sdk::FeedOut& out) override;

  private:
    struct Stream {
        std::string symbol;        // "BTC/USDT"
        std::string venue_symbol;  // "BTCUSDT"
        int32_t interval_s = 60;
        int64_t cursor = -1;  // open time of the last bar delivered
        std::string failing;  // failure_kind() of its last fetch; empty while it answers
        std::string key() const;
        std::string name() const;  // "BTC/USDT 3m"
        int64_t interval_ms() const { return int64_t{interval_s} * 1000; }
    };
    struct Fetched {
        Stream* stream;
        std::vector<Kline> bars;
        bool complete = true;  // reached the present
        bool asked = false;    // a request was sent (its next bar had closed)
    };

    // The new bars of every stream that answers. A stream whose request fails is skipped for
    // this poll (its cursor stays, so its bars come once it answers again); the poll fails only
    // when nothing answered and the failure is the feed's, not one stream's.
    std::vector<Fetched> fetch_streams(int64_t server_now);
    Fetched fetch_new(Stream& s, int64_t server_now);
    // Warns that s is skipped, once per kind of failure (failure_kind()).
    void note_failure(Stream& s, const std::string& kind, const std::string& reason);
    void note_answer(Stream& s);
    // Closed bars of s with start <= open time <= end, oldest first.
    std::vector<Kline> closed_range(const Stream& s, int64_t start, int64_t end,
                                    int64_t server_now);
    void push_bar(const Stream& s, const Kline& k, sdk::FeedOut& out) const;
    void push_series(const std::string& symbol, sdk::FeedOut& out);
    // Runs one series request of symbol; a failure is a warning, once per change of reason.
    template <class Fetch>
    void series_request(const std::string& symbol, const char* what, Fetch fetch);
    void save_cursor(const Stream& s);

    Market market_;
    std::unique_ptr<RestClient> client_;
    std::unique_ptr<MarketData> data_;
    std::vector<Stream> streams_;
    bool funding_ = false, mark_ = false, open_interest_ = false;
    std::map<std::string, std::string> series_failing_;  // "<symbol> <what>" -> failure kind
};

}  // namespace orchestrade::plugins::binance
