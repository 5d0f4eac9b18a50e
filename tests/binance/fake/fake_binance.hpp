// A loopback fake of Binance spot (/api/v3) and USD-M futures (/fapi) for tests: it speaks the
// real wire protocol and checks what the real one checks (API key, HMAC or Ed25519 signature
// over the exact query and body, timestamp against recvWindow, filters, the pattern and uniqueness
// of client order ids, balances, margin), fills market orders at the price it serves, triggers
// resting stop-loss/take-profit orders from the same prices, and injects faults on demand.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace orchestrade::testing::binance_fake {

// HMAC-SHA256 of msg, lower-case hex: what the fake checks a signature against.
std::string hmac_hex(const std::string& key, const std::string& msg);

// One instrument, listed on both markets. Prices follow a deterministic path per second.
struct SymbolSpec {
    std::string symbol;  // "BTCUSDT"
    std::string base, quote;
    std::string tick = "0.01";
    std::string step = "0.00001";
    std::string min_qty = "0.00001";
    std::string max_qty = "9000";
    std::string min_notional = "5";
    std::string status = "TRADING";  // as exchangeInfo says it: TRADING, BREAK, HALT
    int max_algo_orders = 10;        // futures MAX_NUM_ALGO_ORDERS: open algo orders of the symbol
    double base_price = 100;
    double amplitude = 0.02;  // relative swing of the sine path
    int64_t period_s = 8;     // its period in seconds
};

enum class FaultKind {
    Latency,      // wait delay_ms before handling (delay_after: after handling)
    ErrorAfter,   // handle the request, then answer status/body instead (5xx after accept)
    ErrorBefore,  // answer status/body without handling it
    RateLimit,    // answer 429 with Retry-After; a request before it has passed gets a 418 ban
    Drop,         // handle the request, then close the connection without an answer
    PartialFill,  // the next order fills `fraction` now; the rest after delay_ms (or expires)
    PriceJump,    // before handling, the price of `symbol` jumps to `price`
};

struct Fault {
    FaultKind kind = FaultKind::Latency;
    std::string method;  // "" = any
    std::string path;    // prefix, "" = any
    std::string query;   // a part of the query string ("symbol=BTCUSDT"), "" = any
    int count = 1;       // how many matching requests it affects
    int64_t delay_ms = 0;
    bool delay_after = false;
    int status = 503;
    std::string body;
    int64_t retry_after_s = 2;
    int64_t ban_s = 120;
    double fraction = 0.5;
    bool expire_rest = false;
    std::string symbol;
    double price = 0;
};

// What the fake holds about one order (regular, order-list leg or algo order).
struct OrderView {
    bool futures = false;
    bool algo = false;
    std::string symbol, client_id, side, type, status;
    double orig_qty = 0, executed_qty = 0, price = 0, stop_price = 0;
    int64_t order_id = 0;
    int64_t list_id = -1;
    bool reduce_only = false, close_position = false;
};

struct RequestView {
    std::string method, path, query, body;
    int status = 0;
};

struct Position {
    double amount = 0, entry_price = 0;
};

class FakeBinance {
  public:
    using Clock = std::function<int64_t()>;
    // clock: milliseconds since the epoch; the wall clock when empty.
    explicit FakeBinance(Clock clock = {});
    ~FakeBinance();
    FakeBinance(const FakeBinance&) = delete;
    FakeBinance& operator=(const FakeBinance&) = delete;

    std::string url() const;  // "http://127.0.0.1:<port>"

    void add_symbol(const SymbolSpec& spec);
    // Delists symbol: its open orders are canceled, and every request naming it (exchangeInfo
    // included, for the whole list it is in) is answered -1121 "Invalid symbol.".
    void remove_symbol(const std::string& symbol);
    void add_hmac_key(const std::string& api_key, const std::string& secret);
    // public_key: the raw 32 bytes.
    void add_ed25519_key(const std::string& api_key, const std::string& public_key);

    void set_spot_balance(const std::string& asset, double free);
    double spot_balance(const std::string& asset) const;  // free + locked
    double spot_locked(const std::string& asset) const;
    void set_futures_wallet(const std::string& asset, double amount);
    double futures_wallet(const std::string& asset) const;
    Position futures_position(const std::string& symbol) const;
    void set_dual_side(bool on);
    // Open algo orders the symbol may hold (MAX_NUM_ALGO_ORDERS); one more is refused (-4045).
    void set_max_algo_orders(const std::string& symbol, int limit);
    // Settles funding for the position in symbol at its mark price: a long pays a positive
    // rate. The payment moves the wallet and is listed by /fapi/v1/income; no position, none.
    void settle_funding(const std::string& symbol, double rate);
    int leverage(const std::string& symbol) const;

    // Commission rates (fractions) for takers and makers.
    void set_commission(double spot, double futures);
    // From now on every fill is split into this many trades (as a thin book fills a large order).
    void set_trades_per_fill(int trades);
    // From now on the price of symbol is fixed at price (its past stays as it was).
    void set_price(const std::string& symbol, double price);
    // A counterparty takes qty of the resting spot limit order client_id at its price, the market
    // price unchanged: the order fills in part and, as on Binance, the other leg of its OCO
    // expires.
    void take_from(const std::string& symbol, const std::string& client_id, double qty);
    double price(const std::string& symbol) const;
    // From now on the futures mark price of symbol is fixed at price (by default it is the last
    // price): premiumIndex serves it, and algo orders working on MARK_PRICE trigger on it.
    void set_mark_price(const std::string& symbol, double price);
    // The server clock runs this far ahead of the clock given (negative: behind).
    void set_clock_skew(int64_t ms);
    int64_t server_time() const;
    void set_weight_limit(int per_minute);

    void inject(const Fault& fault);
    void clear_faults();

    // Everything it holds, oldest first.
    std::vector<OrderView> orders() const;
    // Accepted submissions per client order id (regular orders, order-list legs, algo orders).
    std::map<std::string, int> submissions() const;
    std::vector<RequestView> requests() const;
    int count_requests(const std::string& method, const std::string& path) const;

    struct State;

  private:
    std::unique_ptr<State> state_;
};

}  // namespace orchestrade::testing::binance_fake
