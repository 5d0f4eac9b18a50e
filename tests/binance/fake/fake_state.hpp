// The fake's internals, shared by its parts: the server plumbing (fake_server.cpp), market data
// (fake_market.cpp), the spot account (fake_spot.cpp) and the futures account (fake_futures.cpp).
#pragma once

#include "fake_binance.hpp"

#include <httplib.h>
#include <nlohmann/json.hpp>

#include <map>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace orchestrade::testing::binance_fake {

using json = nlohmann::json;

// A Binance error answer: {"code": code, "msg": msg} with an HTTP status.
struct ApiFailure : std::runtime_error {
    ApiFailure(int status, int code, const std::string& msg)
        : std::runtime_error(msg), status(status), code(code) {}
    int status;
    int code;
};

struct Reply {
    int status = 200;
    json body = json::object();
    std::vector<std::pair<std::string, std::string>> headers;
    bool drop = false;
};

class Params {
  public:
    void add(std::string key, std::string value) {
        items_.emplace_back(std::move(key), std::move(value));
    }
    std::optional<std::string> get(const std::string& key) const;
    // Throws ApiFailure(-1102) when missing.
    std::string need(const std::string& key) const;
    double number(const std::string& key) const;

  private:
    std::vector<std::pair<std::string, std::string>> items_;
};

struct Order {
    bool futures = false, algo = false;
    std::string symbol, client_id, side, type, status = "NEW", tif;
    double orig_qty = 0, executed_qty = 0, cum_quote = 0, price = 0, stop_price = 0;
    int64_t order_id = 0, list_id = -1;
    std::string list_client_id;
    bool reduce_only = false, close_position = false;
    std::string working_type;
    int64_t time = 0, update_time = 0;
    int64_t actual_order_id = 0;  // algo: the order it triggered
    double locked = 0;            // spot: funds it holds
    std::string locked_asset;
    double pending_qty = 0;  // partial-fill fault: what fills (or expires) at pending_due
    int64_t pending_due = 0;
    bool expire_rest = false;
    bool open() const { return status == "NEW" || status == "PARTIALLY_FILLED"; }
};

struct Trade {
    bool futures = false;
    int64_t id = 0, order_id = 0;
    std::string symbol, side;
    double price = 0, qty = 0, commission = 0, realized_pnl = 0;
    std::string commission_asset;
    int64_t time = 0;
};

// One flow of /fapi/v1/income.
struct Income {
    std::string symbol, type, asset;
    double amount = 0;  // received (negative: paid)
    int64_t tran_id = 0, time = 0;
};

struct Key {
    bool ed25519 = false;
    std::string secret;  // HMAC secret, or the raw Ed25519 public key
};

struct FakeBinance::State {
    mutable std::mutex mutex;
    Clock clock;
    int64_t skew = 0;
    httplib::Server server;
    std::thread thread;
    int port = 0;

    std::map<std::string, SymbolSpec> symbols;
    std::map<std::string, Key> keys;
    std::map<std::string, double> spot_free, spot_locked;
    std::map<std::string, double> wallet;
    std::map<std::string, Position> positions;
    std::map<std::string, int> leverage;
    std::map<std::string, std::string> margin_type;
    bool dual_side = false;
    double spot_fee = 0.001, futures_fee = 0.0004;
    int trades_per_fill = 1;
    std::map<std::string, std::pair<int64_t, double>> overrides;  // symbol -> (from ms, price)
    // symbol -> (from ms, mark price); the last price otherwise
    std::map<std::string, std::pair<int64_t, double>> mark_overrides;

    std::vector<Order> orders;
    std::vector<Trade> trades;
    std::vector<Income> incomes;  // in time order
    int64_t next_order_id = 1000, next_trade_id = 1, next_list_id = 1;
    int64_t next_tran_id = 9689322392;
    int64_t evaluated_ms = 0;  // resting orders were checked up to this server time

    int weight_limit = 6000;
    int64_t weight_window = -1;
    int weight_used = 0;
    int64_t paused_until = 0, banned_until = 0, ban_s = 120;

    std::vector<Fault> faults;
    std::vector<RequestView> requests;
    std::map<std::string, int> submissions;

    int64_t now() const { return clock() + skew; }

    // ---- fake_server.cpp ----
    void start();
    Reply dispatch(const httplib::Request& req);
    void authenticate(const httplib::Request& req, const Params& params, bool keyed_only);
    // The first fault of kind matching the request, counted down. query "": any query.
    std::optional<Fault> take_fault(FaultKind kind, const std::string& method,
                                    const std::string& path, const std::string& query = "");

    // ---- fake_market.cpp ----
    const SymbolSpec& spec(const std::string& symbol) const;
    double price_at(const std::string& symbol, int64_t ms) const;
    double price_now(const std::string& symbol) const { return price_at(symbol, now()); }
    double mark_at(const std::string& symbol, int64_t ms) const;
    // What triggers an algo order of this working type (MARK_PRICE or CONTRACT_PRICE).
    double trigger_price_at(const std::string& symbol, const std::string& working_type,
                            int64_t ms) const {
        return working_type == "MARK_PRICE" ? mark_at(symbol, ms) : price_at(symbol, ms);
    }
    json klines(const Params& p) const;
    json exchange_info(bool futures, const Params& p) const;
    json premium_index(const Params& p) const;
    json funding_rates(const Params& p) const;
    json open_interest(const Params& p) const;
    // Applies the price path since the last call to every resting order.
    void evaluate();
    void evaluate_at(int64_t ms);

    // ---- both accounts ----
    // A client order id or list id as sent, checked against the pattern Binance documents for
    // the market (spot: ^[a-zA-Z0-9-_]{1,36}$, futures: ^[\.A-Z\:/a-z0-9_-]{1,36}$).
    std::optional<std::string> client_id(const Params& p, const std::string& key,
                                         bool futures) const;
    Order* find_client(bool futures, bool algo, const std::string& symbol, const std::string& id);
    Order* find_open_client(bool futures, bool algo, const std::string& symbol,
                            const std::string& id);
    // Checks quantity and price against the symbol's filters (spot messages or futures codes).
    void check_filters(const SymbolSpec& s, bool futures, bool market, double qty, double price,
                       bool reduce_only) const;
    json order_json(const Order& o) const;
    Order& add_order(Order o);
    // The sizes of the trades a fill of qty is split into (8 decimals, the last takes the rest).
    std::vector<double> trade_sizes(double qty) const;
    // A new trade of `size` of order o at price, now; the commission is the caller's.
    Trade trade_of(const Order& o, double price, double size);
    // What myTrades / userTrades answer: the account's trades of a symbol, oldest first, at most
    // `limit` (default 500, max 1000) of them: from `fromId` on, else the first of `orderId`,
    // else the most recent.
    std::vector<const Trade*> trade_page(bool futures, const Params& p) const;

    // ---- fake_spot.cpp ----
    Reply spot(const std::string& method, const std::string& path, const Params& p);
    json spot_new_order(const Params& p);
    json spot_oco(const Params& p);
    // GET /api/v3/orderList: an order list (the newest one under a listClientOrderId).
    json spot_order_list(int64_t list) const;
    void spot_fill(Order& o, double qty, double price, bool maker);
    void spot_cancel(Order& o, const char* status);
    void spot_trigger(Order& o, double price);

    // ---- fake_futures.cpp ----
    Reply futures(const std::string& method, const std::string& path, const Params& p);
    json futures_new_order(const Params& p);
    json futures_algo(const Params& p);
    void futures_fill(Order& o, double qty, double price);
    void futures_trigger(Order& algo, double price);
    json algo_json(const Order& o) const;
    void settle_funding(const std::string& symbol, double rate);
    json income(const Params& p) const;
};

// Weight of an endpoint, as documented.
int endpoint_weight(const std::string& method, const std::string& path, const Params& p);

}  // namespace orchestrade::testing::binance_fake
