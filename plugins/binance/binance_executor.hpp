// The "binance" executor: market and limit orders on Binance spot or USDⓈ-M futures, with the
// core's client order id as newClientOrderId, instrument rules applied before sending, a
// stop-loss/take-profit attached to an entry resting at the venue (spot OCO, futures algo
// orders), and the rule that an order whose outcome is unknown is asked about, never resent.
// See README.md.
#pragma once

#include "exchange_rules.hpp"
#include "executor_state.hpp"
#include "rest_client.hpp"
#include "venue.hpp"

#include <orchestrade/sdk.hpp>

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace orchestrade::plugins::binance {

inline constexpr const char* kKeyTypeChoices[] = {"hmac", "ed25519", nullptr};
inline constexpr const char* kMarginTypeChoices[] = {"unchanged", "isolated", "crossed", nullptr};
inline constexpr const char* kWorkingTypeChoices[] = {"mark_price", "contract_price", nullptr};

// "BUY" / "SELL".
inline std::string side_name(int32_t side) {
    return side == OT_SIDE_BUY ? "BUY" : "SELL";
}

// An order refused before it was sent, or by the venue: the reason is the message.
[[noreturn]] inline void reject(const std::string& why) {
    throw sdk::Error(OT_E_REJECTED, why);
}

class BinanceExecutor final : public sdk::Executor {
  public:
    static constexpr sdk::Meta meta{
        "org.orchestrade.binance.executor",
        "binance",
        "Binance",
        "1.0.0",
        "Orchestrade",
        "Orders on Binance spot or USD-M futures, with stop-loss/take-profit resting at the venue",
        OT_CAP_NATIVE_STOP_LOSS | OT_CAP_NATIVE_TAKE_PROFIT | OT_CAP_SHORT};
    static constexpr ot_param_spec params[] = {
        sdk::enum_param("market", "spot", kMarketChoices, "spot or usdm (USD-M perpetual futures)"),
        sdk::string_param(
            "base_url", "",
            "REST base URL; default: production (api.binance.com / fapi.binance.com)"),
        sdk::secret_param("api_key", "API key: ${BINANCE_API_KEY} or ${file:/path}"),
        sdk::secret_param("api_secret", "HMAC secret, or Ed25519 private key (PEM or base64 seed)"),
        sdk::enum_param("key_type", "hmac", kKeyTypeChoices, "hmac or ed25519"),
        sdk::int_param("recv_window_ms", "5000", 1, 60000,
                       "How long after its timestamp Binance may still accept a request"),
        sdk::int_param("timeout_ms", "10000", 100, 120000, "HTTP timeout per request"),
        sdk::int_param("leverage", "0", 0, 125, "usdm: leverage per symbol; 0 leaves it as it is"),
        sdk::enum_param("margin_type", "unchanged", kMarginTypeChoices,
                        "usdm: isolated, crossed, or unchanged"),
        sdk::enum_param("working_type", "mark_price", kWorkingTypeChoices,
                        "usdm: price that triggers stop-loss/take-profit"),
        sdk::double_param("weight_budget_pct", "80", 1, 100,
                          "Share of the per-minute request weight queries may use; orders and "
                          "cancels may use the rest"),
        sdk::bool_param("ignore_existing_holdings", "false",
                        "spot: holdings present at the first start are not the bot's position"),
    };

    explicit BinanceExecutor(const sdk::Context& ctx);
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
    // ---- exchange rules (executor_rules.cpp) ----
    // exchangeInfo for the universe: applies its weight and order limits and returns its rules.
    RulesBySymbol read_rules(Priority priority);
    // Reads the rules again and logs what changed (a tick or step size, a symbol that stopped or
    // resumed trading). Returns whether the rules of venue symbol `symbol` changed.
    bool refresh_rules(Priority priority, const std::string& symbol);
    // Hourly, from poll; after a failure, a minute later.
    void refresh_rules_if_due();
    // Runs attempt(false). When Binance refuses it for a price or quantity rule of `symbol` that
    // has changed since the rules were read, runs attempt(true) once: it builds its order again
    // from rules_, now up to date.
    void with_current_rules(const std::string& symbol,
                            const std::function<void(bool again)>& attempt);

    // ---- orders ----
    const SymbolRules& rules_for(const std::string& symbol) const;
    double reference_price(const std::string& symbol);
    NewOrder build(const ot_order& o, const SymbolRules& rules, bool reduce_only);
    void check_levels(const ot_order& o, double reference) const;
    // submit's work; the protections an exit lifted go to `lifted`.
    void send(const ot_order& o, std::vector<Protection>& lifted);
    // Reports what is new about an order (everything, when replay) and settles it once final.
    void report(TrackedOrder& t, const VenueOrder& v, const std::vector<VenueTrade>& trades,
                bool replay, std::vector<sdk::Report>& out);
    std::vector<VenueTrade> trades_of(const VenueOrder& v);
    sdk::Report fill_report(const std::string& client_id, const std::string& symbol, int32_t side,
                            const VenueTrade& t, double cum_qty) const;
    double fill_qty(const std::string& symbol, int32_t side, const VenueTrade& t) const;
    bool in_grace(int64_t sent_ms) const;
    void sync_tracked(std::vector<sdk::Report>& out);

    // ---- stop-loss / take-profit ----
    void protect(const TrackedOrder& entry);
    ProtectionOrder protection_order(const Protection& p) const;
    // What cancel_protection needs (the ids, which levels there are), built without the rules:
    // the legs of levels the rules now refuse are canceled all the same.
    ProtectionOrder placed_legs(const Protection& p) const;
    void advance_protections(std::vector<sdk::Report>& out);
    void place(Protection& p, std::vector<sdk::Report>& out);
    void resolve_placing(Protection& p, std::vector<sdk::Report>& out);
    // ACCEPTED for each leg, so the journal knows what rests at the venue.
    void announce_legs(const Protection& p, std::vector<sdk::Report>& out) const;
    void finish(Protection& p);
    void check_legs(Protection& p, std::vector<sdk::Report>& out);
    void exit_now(Protection& p, bool stop_loss, std::vector<sdk::Report>& out);
    // Sends the market exit of exit_now (again, when it must be resent).
    void send_exit(Protection& p, std::vector<sdk::Report>& out);
    // Saves that the leg's placement goes out now.
    void sending(Protection& p, const std::string& leg_id);
    // The answer to a placement or a market exit was lost: it is awaited from now on.
    void lost(Protection& p);
    // After the target was refused: keeps the stop placed before it, if it rests, as the
    // protection, and logs and journals that the target is missing.
    bool keep_stop(Protection& p, const std::string& why, std::vector<sdk::Report>& out);
    // Binance refused the protection for good: logs and journals that the position is not
    // protected there, and watches its levels instead (when a market order can sell it).
    void watch_instead(Protection& p, const std::string& why);
    // A watched protection: sends its market exit once the price its legs would trigger on has
    // crossed a level. `prices` holds those already asked for in this poll, by venue symbol.
    void watch_levels(Protection& p, std::map<std::string, double>& prices,
                      std::vector<sdk::Report>& out);
    // Logs and journals that nothing protects a position any more.
    void unprotected(Protection& p, const std::string& why);
    // A placement refused for now (a 5xx, -1008): back to Pending, tried again with backoff;
    // the first refusal in a row says loudly that the position is not protected meanwhile.
    void retry_later(Protection& p, const std::string& why);
    // Sets when a protection refused for now is tried again; true for the first refusal in a row.
    bool back_off(Protection& p);
    // A leg whose answer was lost (a leg of a placement that was sent, or a market exit for a
    // crossed level) that Binance does not know yet but may still take; nullptr when none is.
    const Leg* in_flight(const Protection& p);
    // Before an order that reduces the position: cancels the resting legs of the symbol, and
    // adds each protection it ends to `lifted`. Throws sdk::Error(OT_E_REJECTED) when a leg
    // already closed the position, or while one whose answer was lost may still execute.
    // Returns what spot take-profits had sold in part and the core is told only now.
    double lift_protections(const std::string& symbol, const std::string& exit_id,
                            std::vector<Protection>& lifted);
    // A spot leg that is over after selling part of its quantity (canceled or expired).
    bool sold_in_part(const VenueOrder& v) const;
    // The exit was refused for certain, or never reached Binance (`what` says which): the
    // positions of the lifted protections are still held, and get their stop-loss/take-profit
    // again.
    void protect_again(std::vector<Protection>& lifted, const std::string& what);
    // Until the exit is over the core is not told that the legs it lifted were canceled (the
    // tracked exit remembers them): they are placed again for what it leaves held, and all of
    // them should it never have reached Binance.
    void hold_lifted(TrackedOrder& exit, const std::vector<Protection>& lifted);
    // An exit sent while an earlier one, not over yet, holds the protections of the symbol
    // lifted: it holds them too, so that what it sells counts when they are placed again.
    void share_lifted(TrackedOrder& exit);
    // Another exit not over yet holds the lifted protection too: it decides what becomes of it
    // once it is over, and takes the legs the core is still to be told of.
    bool pass_on(TrackedOrder& exit, const Protection& p);
    // The exit never reached Binance: the lifted protections are placed again.
    void settle_lifted(TrackedOrder& exit);
    // The exit is over at Binance: what it sold is taken from the lifted protections in turn;
    // those still holding a quantity Binance can take are placed again for it (the core keeps
    // their legs), the legs of the others are reported canceled.
    void exit_over(TrackedOrder& exit, std::vector<sdk::Report>& out);
    // Its quantity is one Binance takes for its legs (not nothing, nor dust below the step).
    bool placeable(const Protection& p) const;
    // The exit whose outcome is unknown that lifted the protection of entry_id; nullptr if none.
    const TrackedOrder* lifted_by(const std::string& entry_id) const;
    // Spot: an order list placed under the protection's list id was answered "Duplicate": adopts
    // the list there if it is this protection's, else says the position is not protected.
    void adopt_list(Protection& p, const ProtectionOrder& po, const std::string& why,
                    std::vector<sdk::Report>& out);
    Protection* protection_of_leg(const std::string& client_id, Leg** leg);
    bool leg_report(Protection& p, Leg& leg, const VenueOrder& v, bool replay,
                    std::vector<sdk::Report>& out);
    // FILL for each trade of the leg's order not reported yet (each one, when replay); returns
    // the leg's cumulative quantity, its earlier orders' included.
    double report_leg_trades(Protection& p, Leg& leg, const std::vector<VenueTrade>& trades,
                             bool replay, std::vector<sdk::Report>& out);
    // The fills of a leg that still rests (a take-profit filling in part), as they happen.
    void report_resting_fills(Protection& p, Leg& leg, const VenueOrder& v,
                              std::vector<sdk::Report>& out);
    // The order of a spot OCO's target that sold part of the position while Binance expired
    // its stop, resting or over; std::nullopt when there is none.
    std::optional<VenueOrder> target_sold_in_part(Protection& p,
                                                  const std::map<std::string, VenueOrder>& resting);
    // Cancels the rest of that target if it rests, reports what it sold and places a new OCO for
    // what is still held.
    void protect_rest(Protection& p, VenueOrder target_order, std::vector<sdk::Report>& out);
    // The target for the rest of a position was refused: the stop alone protects it.
    void protect_by_stop_alone(Protection& p, const std::string& why,
                               std::vector<sdk::Report>& out);

    // ---- funding ----
    // Once a minute: funding payments of universe symbols as OT_REPORT_CASH.
    void poll_funding(std::vector<sdk::Report>& out);
    // Where the next income query starts (server time).
    int64_t funding_from() const;
    // Nothing when the request fails: it is logged, and the next minute tries again.
    std::vector<FundingPayment> read_funding(int64_t from_ms);
    sdk::Report cash_report(const FundingPayment& f) const;
    bool in_universe(const std::string& venue) const;

    void save();
    std::string pipeline_symbol(const std::string& venue) const;

    Market market_;
    std::vector<std::string> universe_;
    bool ignore_existing_;
    bool report_funding_;  // usdm, and the host takes OT_REPORT_CASH (ABI 1.2)
    std::unique_ptr<RestClient> client_;
    std::unique_ptr<Venue> venue_;
    RulesBySymbol rules_;
    ExecutorState state_;
    std::vector<sdk::Report> outbox_;
    int64_t next_rules_refresh_ms_ = 0;                // host time
    int64_t next_funding_poll_ms_ = 0;                 // host time
    std::map<std::string, int64_t> funding_reported_;  // by this process: tranId -> booked time
};

}  // namespace orchestrade::plugins::binance
