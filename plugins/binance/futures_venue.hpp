// The USDⓈ-M futures market (/fapi): one-way position mode, leverage and margin type from the
// pipeline, RESULT order answers with fills from userTrades, stop-loss and take-profit as
// conditional algo orders (/fapi/v1/algoOrder, closePosition), balances and positions, funding
// payments.
#pragma once

#include "venue.hpp"

namespace orchestrade::plugins::binance {

struct FuturesSettings {
    int leverage = 0;                         // 0: leave as it is
    std::string margin_type;                  // ISOLATED, CROSSED, or empty: leave as it is
    std::string working_type = "MARK_PRICE";  // what triggers the stops
};

class FuturesVenue final : public Venue {
  public:
    FuturesVenue(RestClient& client, FuturesSettings settings)
        : client_(client), settings_(std::move(settings)) {}
    nlohmann::json exchange_info(const std::vector<std::string>& symbols,
                                 Priority priority) override;
    void prepare(const std::vector<std::string>& symbols) override;
    double last_price(const std::string& symbol) override;
    double trigger_price(const std::string& symbol) override;
    Placed place(const NewOrder& order) override;
    std::optional<VenueOrder> query(const std::string& symbol,
                                    const std::string& client_id) override;
    std::vector<VenueTrade> trades(const std::string& symbol,
                                   const std::string& venue_order_id) override;
    void cancel(const std::string& symbol, const std::string& client_id) override;
    std::vector<VenueOrder> open_orders(const std::string& symbol) override;
    void place_protection(const ProtectionOrder& p,
                          const std::function<void(const std::string&)>& sending) override;
    std::optional<VenueOrder> query_leg(const std::string& symbol,
                                        const std::string& client_id) override;
    std::map<std::string, VenueOrder> open_legs(const std::string& symbol) override;
    void cancel_protection(const ProtectionOrder& p) override;
    std::vector<Balance> balances() override;
    std::vector<FundingPayment> funding(int64_t from_ms) override;

  private:
    RestClient& client_;
    FuturesSettings settings_;
};

}  // namespace orchestrade::plugins::binance
