// The "mock" executor: a paper/backtest venue that fills orders against the bars it is shown and
// keeps its own cash and positions, as an exchange account would. See README.md for the model.
#pragma once

#include "fill_model.hpp"
#include "venue_state.hpp"

#include <orchestrade/sdk.hpp>

#include <list>
#include <string>
#include <unordered_map>
#include <vector>

namespace orchestrade::plugins::mock {

inline constexpr const char* kFillChoices[] = {"next_open", "close", nullptr};

class MockExecutor final : public sdk::Executor {
  public:
    static constexpr sdk::Meta meta{
        "org.orchestrade.mock",
        "mock",
        "Mock venue",
        "1.0.0",
        "Orchestrade",
        "Paper/backtest venue: fills against bars with fees and slippage, keeps its own balances",
        OT_CAP_SHORT};
    static constexpr ot_param_spec params[] = {
        sdk::double_param("starting_cash", "10000", 0.01, 1e15, "Cash at the start"),
        sdk::double_param("fee_bps", "10", 0, 1000, "Fee per fill, basis points of the notional"),
        sdk::double_param("slippage_bps", "0", 0, 1000,
                          "Adverse price move on market, stop and take-profit fills, bps"),
        sdk::enum_param("fill", "next_open", kFillChoices,
                        "Market orders fill at the next bar's open or at the last close"),
        sdk::bool_param("allow_short", "false", "Allow sells beyond the held quantity"),
        sdk::string_param("currency", "USDT", "Quote currency of the cash balance"),
        sdk::bool_param("funding", "true",
                        "Charge funding at each funding_rate point the feed supplies: a position "
                        "pays qty x last close x rate (a long pays a positive rate)"),
    };

    explicit MockExecutor(const sdk::Context& ctx);
    void start() override;
    void submit(const ot_order& order) override;
    void cancel(const std::string& symbol, const std::string& client_order_id) override;
    void on_bars(const sdk::Bars& bars) override;
    void poll(sdk::Reports& out) override;
    bool query_order(const std::string& symbol, const std::string& client_order_id,
                     sdk::Reports& out) override;
    void open_orders(sdk::Reports& out) override;
    void balances(sdk::Balances& out) override;

  private:
    using OrderRef = std::list<VenueOrder>::iterator;  // into state_.orders

    VenueOrder make_order(const ot_order& o);
    // Why the venue refuses the order, or empty.
    std::string refusal(const VenueOrder& o, const ot_order& raw) const;
    double estimated_cost(const VenueOrder& o) const;
    double free_cash() const;
    double held(const std::string& symbol) const;
    // The last_bars entry of a symbol; `created` tells whether it was just added.
    LastBars::value_type& last_bar_entry(const char* symbol, bool& created);
    void match(const std::string& symbol, const BarPrices& bar, int64_t open_time_ms);
    // Books funding for each funding_rate point of the batch on the position held; true when
    // anything was booked.
    bool settle_funding(const sdk::Bars& bars);
    void fill(OrderRef o, double price, int64_t time_ms);
    // Takes an open order off the book with a final status and queues its report.
    void finish(OrderRef o, OrderStatus status, int32_t report_kind, const std::string& text,
                int64_t time_ms);
    // A final order is forgotten once the host has its last report: a backtest at the next
    // poll(), paper and live one poll later, when the host has journaled that report.
    void forget_after_poll(OrderRef o);
    void forget(std::vector<OrderRef>& orders);
    void rebuild_indexes();
    void save() const;

    double fee_rate_;
    double slippage_rate_;
    bool fill_at_close_;
    bool allow_short_;
    bool funding_;  // the parameter, and a host that takes cash reports (ABI 1.2)
    VenueState state_;
    double reserved_ = 0;  // sum of reserved_cash over open orders
    std::unordered_map<std::string, OrderRef> by_client_id_;
    std::vector<OrderRef> open_;              // open orders, in submission order
    std::vector<OrderRef> to_forget_;         // final orders whose reports poll() hands over
    std::vector<OrderRef> reported_;          // paper/live: final orders reported at the last poll
    std::vector<OrderRef> candidates_;        // scratch for match()
    LastBars::value_type* recent_ = nullptr;  // last_bar_entry()'s last answer, or null
};

}  // namespace orchestrade::plugins::mock
