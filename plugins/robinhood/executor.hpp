// The "robinhood" executor: live crypto orders on the official Robinhood Crypto Trading API.
// See README.md for what it does with each order type, protective legs, ambiguous failures and
// rate limits.
#pragma once

#include "order_book.hpp"
#include "rest_client.hpp"
#include "trading_pair.hpp"

#include <orchestrade/sdk.hpp>

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace orchestrade::plugins::robinhood {

class RobinhoodExecutor final : public sdk::Executor {
  public:
    static constexpr sdk::Meta meta{
        "org.orchestrade.robinhood",
        "robinhood",
        "Robinhood Crypto",
        "1.0.0",
        "Orchestrade",
        "Live crypto orders on the official Robinhood Crypto Trading API (API key + Ed25519). "
        "Crypto only: the official API has no equities. Live mode only.",
        OT_CAP_NATIVE_STOP_LOSS};
    static constexpr ot_param_spec params[] = {
        sdk::string_param("base_url", kProductionUrl, "API root (the production URL by default)"),
        sdk::secret_param("api_key", "API key (rh-api-...), from ${ENV} or ${file:...}"),
        sdk::secret_param("private_key",
                          "Base64 Ed25519 private key seed, from ${ENV} or ${file:...}"),
        sdk::int_param("timeout_ms", "10000", 100, 120000, "HTTP timeout of one request"),
        sdk::double_param("requests_per_minute", "100", 1, 100000, "Token bucket refill rate"),
        sdk::int_param("burst", "300", 1, 100000, "Token bucket size"),
        sdk::int_param("lookback_hours", "72", 1, 8760,
                       "How far back query_order searches for an order it has no record of"),
    };

    explicit RobinhoodExecutor(const sdk::Context& ctx);
    void start() override;
    void submit(const ot_order& order) override;
    void cancel(const std::string& symbol, const std::string& client_order_id) override;
    void poll(sdk::Reports& out) override;
    bool query_order(const std::string& symbol, const std::string& client_order_id,
                     sdk::Reports& out) override;
    void open_orders(sdk::Reports& out) override;
    void balances(sdk::Balances& out) override;
    std::optional<double> min_order_qty(const std::string& symbol, double price) const override;

  private:
    static constexpr const char* kAccountsPath = "/api/v1/crypto/trading/accounts/";
    static constexpr const char* kOrdersPath = "/api/v1/crypto/trading/orders/";
    // The venue's created_at and this host's clock may differ by up to the signature window, so
    // an order list starts this much before the host's send time.
    static constexpr int64_t kListMarginMs = 60000;
    // Once a placement's signature has expired (plus this margin) it can no longer arrive.
    static constexpr int64_t kSettleMarginMs = 5000;

    // ---- orders (executor.cpp) ----
    const TradingPair& pair(const std::string& symbol);
    void load_pairs(const std::vector<std::string>& symbols);
    LocalOrder shape(const ot_order& order);
    // Sends a recorded order. Throws sdk::Error: OT_E_REJECTED (refused, final),
    // OT_E_RATE_LIMIT (not sent, final), OT_E_AMBIGUOUS (outcome unknown, left Sending).
    void place(LocalOrder& order);
    // Asks the venue to cancel; the outcome is read back on the order. Returns false when no
    // request could be made.
    bool request_cancel(LocalOrder& order);
    // Fetches one order by venue id and applies it.
    void refresh(LocalOrder& order);
    // The venue's view of an order: new fills, a new state. Reports go to 'out'.
    void apply(LocalOrder& order, const VenueOrder& venue, std::vector<PendingReport>& out);
    // Looks for orders in the venue's list created since 'since_ms'.
    std::vector<VenueOrder> list_orders(int64_t since_ms, const std::string& query);
    // Ends a held order here; its CANCELED report goes to the outbox.
    void drop_held(LocalOrder& order, const std::string& why);
    // Cancels the protective legs that hold quantity the exit needs; they go to its
    // lifted_legs, and those still live at the venue to its waiting_for.
    void clear_legs_for_exit(LocalOrder& exit);
    // Asks the venue to cancel 'leg', which the held order waits for, and reads it back. A
    // failure is logged with what stays pending (the leg rests and can sell) and is asked again
    // by the next poll; only OT_E_RATE_LIMIT is thrown on.
    void cancel_for(const LocalOrder& held, LocalOrder& leg);
    // What the lifted legs sold after the exit arrived is no longer held: the exit is cut to the
    // rest. False when nothing is left to sell; the exit is then over (EXPIRED).
    bool cut_to_what_is_left(LocalOrder& exit);
    // The exit was refused: the position is still held, and its lifted legs rest again for what
    // they have not sold (a held take-profit waits again for its level).
    void protect_again(const LocalOrder& exit, const std::string& why);
    // Takes the order's CANCELED report back from the outbox, before the core reads it.
    void withdraw_cancel_report(const std::string& id);
    // A canceled leg, made ready to be placed again for 'qty' under a new venue client id.
    void reopen(LocalOrder& leg, const std::string& qty);
    PendingReport report(const LocalOrder& order, int32_t kind, int64_t time_ms,
                         const std::string& text = {}) const;
    void save();

    // ---- queries (executor_queries.cpp) ----
    // query_order's work; false only when a complete order list lacks the order.
    bool find_order(const std::string& symbol, const std::string& client_order_id,
                    sdk::Reports& out);

    // ---- poll (executor_poll.cpp) ----
    void resolve_sending();
    void refresh_open();
    void place_legs(LocalOrder& entry);
    void one_cancels_other();
    void cancel_lifted_legs_again();
    void watch_take_profits();
    void send_ready();

    RestClient rest_;
    std::vector<std::string> universe_;
    std::map<std::string, TradingPair> pairs_;  // by venue symbol
    OrderBook book_;
    int64_t lookback_ms_;
    std::string currency_ = "USD";
};

}  // namespace orchestrade::plugins::robinhood
