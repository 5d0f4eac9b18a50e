// One Binance REST endpoint family (spot or USDⓈ-M futures) through the host's HTTP: builds and
// signs requests, keeps the server-time offset (re-synced on -1021), turns error answers into
// ApiError, spends the shared request-weight budget and keeps new orders within the ORDERS
// limits.
#pragma once

#include "api_error.hpp"
#include "order_limits.hpp"
#include "rate_limiter.hpp"
#include "signer.hpp"
#include "symbols.hpp"

#include <orchestrade/sdk.hpp>

#include <nlohmann/json.hpp>

#include <memory>
#include <optional>
#include <string>

namespace orchestrade::plugins::binance {

struct Call {
    const char* method = "GET";
    std::string path;  // "/api/v3/order"
    Params params;
    int weight = 1;
    bool is_signed = false;
    Priority priority = Priority::Normal;
    bool new_order = false;  // places an order: counts toward the ORDERS limits
};

struct ClientOptions {
    Market market = Market::Spot;
    std::string base_url;  // empty: the production URL of the market
    std::string api_key;   // empty for market data only
    std::optional<Signer> signer;
    int64_t recv_window_ms = 5000;
    uint32_t timeout_ms = 10000;
    double weight_budget_pct = 80;
};

class RestClient {
  public:
    RestClient(const sdk::Host& host, ClientOptions options);

    // The decoded JSON of a 2xx answer. Throws ApiError for an error answer, sdk::Error with
    // OT_E_IO when no answer arrived (timeout, dropped connection) and OT_E_RATE_LIMIT when the
    // request was not sent because of the weight budget or a ban.
    nlohmann::json call(const Call& call);

    // Measures the offset to the server clock (GET .../time). Inside an order call it goes at
    // the order's priority, so a budget spent on queries does not hold the order back.
    void sync_time(Priority priority = Priority::Normal);
    // sync_time() when the last measure is older than half an hour (or there is none).
    void resync_if_stale(Priority priority);
    int64_t server_now() const { return host_.now_ms() + offset_ms_; }
    int64_t offset_ms() const { return offset_ms_; }
    // Applies a ban or pause remembered by an earlier process, and the live weight limit.
    void restore_block();
    void set_weight_limit(int weight_limit);
    // The ORDERS limits from exchangeInfo (empty: keep the defaults).
    void set_order_limits(std::vector<OrderLimit> limits);
    Market market() const { return options_.market; }
    const std::string& base_url() const { return base_url_; }
    int64_t recv_window_ms() const { return options_.recv_window_ms; }

  private:
    nlohmann::json send(const Call& call);
    // The weight an answer reports, and the pause or ban a 429/418 starts.
    void note_response(int64_t now_ms, int http_status, const std::string& used_weight,
                       const std::string& retry_after);
    void remember_block();

    sdk::Host host_;
    ClientOptions options_;
    std::string base_url_;
    std::shared_ptr<RateLimiter> limiter_;
    OrderLimiter orders_;  // the account's, so this client's
    int64_t offset_ms_ = 0;
    int64_t synced_at_ms_ = 0;  // host time of the last sync, 0 = never
};

}  // namespace orchestrade::plugins::binance
