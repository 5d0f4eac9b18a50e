// The account and order book behind the fake Robinhood server: trading-pair rules enforced on
// every order, buying power and holdings that open orders hold, market orders filled at once at
// the ask or bid, resting orders filled when the test moves the price.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace orchestrade::testing::robinhood {

using json = nlohmann::json;

// A time as the venue writes it: 2024-01-01T00:00:00.000000+00:00.
std::string iso8601(int64_t ms);

struct FakePair {
    std::string symbol;  // "BTC-USD"
    std::string asset_increment;
    std::string quote_increment;
    std::string min_order_size;
    std::string max_order_size;
    bool tradable = true;
};

struct FakeExecution {
    double price = 0;
    double qty = 0;
    int64_t time_ms = 0;
};

struct FakeOrder {
    std::string id;
    std::string client_order_id;
    std::string symbol;
    std::string side;  // buy | sell
    std::string type;  // market | limit | stop_loss | stop_limit
    std::string state = "open";
    double qty = 0;
    std::optional<double> limit_price;
    std::optional<double> stop_price;
    bool stop_triggered = false;
    bool cancel_pending = false;
    json config;  // the *_order_config object as received
    std::vector<FakeExecution> executions;
    int64_t created_ms = 0;
    int64_t updated_ms = 0;

    double filled() const;
    double remaining() const { return qty - filled(); }
    json to_json() const;
};

// A refusal: the HTTP status and the documented error body.
struct FakeRefusal {
    int status = 400;
    json body;
};

class FakeVenue {
  public:
    FakeVenue();

    // ---- set-up by tests ----
    void set_quote(const std::string& symbol, double bid, double ask, int64_t now_ms);
    void set_buying_power(double usd) { cash_ = usd; }
    void set_holding(const std::string& asset, double qty) { holdings_[asset] = qty; }
    // Resting orders fill in two executions (half, then the rest at the next price change).
    void set_split_fills(bool split) { split_fills_ = split; }
    // Cancel requests are accepted (200) but take effect only at complete_cancels(), as the real
    // venue cancels asynchronously; the order can still fill meanwhile.
    void set_cancels_pending(bool pending) { cancels_pending_ = pending; }
    void complete_cancels(int64_t now_ms);

    // ---- the API ----
    // Validates and books an order; std::nullopt when accepted (the order is then orders().back()).
    std::optional<FakeRefusal> place(const json& body, int64_t now_ms);
    // 200, 400 (not open) or 404.
    int cancel(const std::string& id, int64_t now_ms);
    const FakeOrder* find(const std::string& id) const;
    const std::vector<FakeOrder>& orders() const { return orders_; }
    std::map<std::string, FakePair>& pairs() { return pairs_; }
    double bid(const std::string& symbol) const;
    double ask(const std::string& symbol) const;
    bool has_quote(const std::string& symbol) const { return quotes_.count(symbol) != 0; }

    // Cash not held by open buys, and holdings not held by open sells.
    double buying_power() const;
    double holding(const std::string& asset) const;
    double available(const std::string& asset) const;
    const std::map<std::string, double>& holdings() const { return holdings_; }
    int duplicate_client_ids() const { return duplicates_; }

  private:
    std::string asset_of(const std::string& symbol) const;
    double held_cash() const;
    void match(FakeOrder& o, int64_t now_ms);
    void execute(FakeOrder& o, double qty, double price, int64_t now_ms);

    std::map<std::string, FakePair> pairs_;
    std::map<std::string, std::pair<double, double>> quotes_;  // bid, ask
    std::map<std::string, double> holdings_;
    double cash_ = 100000;
    std::vector<FakeOrder> orders_;
    int duplicates_ = 0;
    bool split_fills_ = false;
    bool cancels_pending_ = false;
};

// "0.00012" is a multiple of "0.00001": exact decimal arithmetic on the texts.
bool is_multiple_of(const std::string& value, const std::string& step);

}  // namespace orchestrade::testing::robinhood
