// The spot market (/api/v3): FULL order answers with their fills, myTrades, OCO order lists for
// a stop-loss plus take-profit, and account balances.
#pragma once

#include "venue.hpp"

namespace orchestrade::plugins::binance {

class SpotVenue final : public Venue {
  public:
    explicit SpotVenue(RestClient& client) : client_(client) {}
    nlohmann::json exchange_info(const std::vector<std::string>& symbols,
                                 Priority priority) override;
    void prepare(const std::vector<std::string>&) override {}
    double last_price(const std::string& symbol) override;
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
                                        const std::string& client_id) override {
        return query(symbol, client_id);
    }
    std::map<std::string, VenueOrder> open_legs(const std::string& symbol) override;
    void cancel_protection(const ProtectionOrder& p) override;
    std::optional<VenueOrderList> order_list(const std::string& list_client_id) override;
    std::vector<Balance> balances() override;

  private:
    nlohmann::json exchange_info_of(const std::vector<std::string>& symbols, Priority priority);
    RestClient& client_;
};

}  // namespace orchestrade::plugins::binance
