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
        sdk::int_param("stop_retry_s", "30", 1, 3600,
                       "How long after the venue refused a protective stop-loss it is placed "
                       "again (meanwhile an error says the position is not protected)"),
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
    // An exit (or a take-profit that reached its level) the executor holds is not sent later
    // than this after it arrived: as the core does with an order held back by the rate limit,
    // the signal is stale by then, and the legs it lifted rest again.
    static constexpr int64_t kStaleMs = 5 * 60 * 1000;

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
    // lifted_legs, and those still live at the venue to its waiting_for. The exit's record is
    // saved before the first cancel goes out.
    void clear_legs_for_exit(LocalOrder& exit);
    // A held leg taken off for an exit: over here, its final report deferred.
    void lift_held(LocalOrder& leg);
    // Asks the venue to cancel 'leg', which the held order waits for, and reads it back. A
    // failure is logged with what stays pending (the leg rests and can sell) and is asked again
    // by the next poll; only OT_E_RATE_LIMIT is thrown on.
    void cancel_for(const LocalOrder& held, LocalOrder& leg);
    // What the lifted legs sold after the exit arrived is no longer held: the exit is cut to the
    // rest. False when nothing is left to sell; the exit is then over (EXPIRED).
    bool cut_to_what_is_left(LocalOrder& exit);
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

    // ---- keeping positions protected (executor_protection.cpp) ----
    static bool is_stop(const LocalOrder& o);
    // What the legs of the entry 'parent' still protect: their quantity, less what they sold and
    // what the exits that lifted them sold.
    double unsold(const std::string& parent);
    // The exit (or triggered take-profit) that lifted 'leg' and still owes it back, if any.
    LocalOrder* lifted_by(const LocalOrder& leg, const LocalOrder* except = nullptr);
    // Every exit that ended, once its lifted legs ended too, gives them back: see restore_legs.
    void settle_exits();
    // The legs 'exit' lifted rest again for what the position still holds (what it did not
    // sell); those with nothing left to protect are over, and the core hears so now.
    void restore_legs(LocalOrder& exit, const std::string& what);
    // A held exit or triggered take-profit older than kStaleMs: dropped (the take-profit waits
    // again for its level), its legs rest again.
    void give_up(LocalOrder& held);
    // Places a held leg (again): a leg placed before is first looked for at the venue under all
    // its client ids. A refused stop is placed again later (stop_not_placed); OT_E_RATE_LIMIT is
    // thrown on with the leg held, to be placed by the next poll.
    void place_leg(LocalOrder& leg, const std::string& what);
    // True when one of the leg's client ids rests at the venue; the leg then follows it.
    bool rests_at_venue(LocalOrder& leg);
    // A stop the venue refused or never got: placed again at 'retry_at' under a new client id,
    // and the position is said NOT protected meanwhile.
    void stop_not_placed(LocalOrder& stop, int64_t retry_at, bool fit, const std::string& why);
    // Before a refused stop goes again: sized to what the account holds (false: nothing held,
    // the protection is over).
    bool fit_stop_to_holding(LocalOrder& stop);
    // An exit held back by the rate limit after the stops it lifted were canceled.
    void held_back(LocalOrder& exit, const std::string& why);
    // Level error with "NOT protected", and a journaled event the first time.
    void unprotected(LocalOrder& stop, const std::string& why);
    void journal_event(const std::string& kind, const json& detail);
    // After each poll: a position whose stop neither rests nor is on its way says so loudly.
    void watch_protection();

    RestClient rest_;
    std::vector<std::string> universe_;
    std::map<std::string, TradingPair> pairs_;  // by venue symbol
    OrderBook book_;
    int64_t lookback_ms_;
    int64_t stop_retry_ms_;
    std::string currency_ = "USD";
};

}  // namespace orchestrade::plugins::robinhood
