// What the executor needs from a Binance market, with the spot and USDⓈ-M futures endpoints
// behind one interface (spot_venue.cpp, futures_venue.cpp). All errors are thrown: ApiError for
// an answer, sdk::Error(OT_E_IO) for no answer, sdk::Error(OT_E_RATE_LIMIT) for a local refusal.
#pragma once

#include "decimal.hpp"
#include "exchange_rules.hpp"
#include "rest_client.hpp"

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace orchestrade::plugins::binance {

enum class VenueStatus { New, PartiallyFilled, Filled, Canceled, Rejected, Expired, Triggered };

bool is_final(VenueStatus s);
// NEW, PARTIALLY_FILLED, FILLED, CANCELED, REJECTED, EXPIRED (and EXPIRED_IN_MATCH);
// algo orders: NEW, TRIGGERING, TRIGGERED, FINISHED, CANCELED, REJECTED, EXPIRED.
VenueStatus parse_status(const std::string& text);

struct VenueOrder {
    std::string client_id;
    std::string venue_id;  // orderId (for an algo order: the orderId it triggered, if any)
    std::string symbol;    // venue symbol
    std::string side;      // BUY / SELL
    VenueStatus status = VenueStatus::New;
    double orig_qty = 0;
    double executed_qty = 0;
    double price = 0;  // limit or trigger price
    int64_t time_ms = 0;
};

// An order as Binance describes it (regular order fields; transactTime/updateTime/time).
VenueOrder parse_order(const nlohmann::json& j);

struct VenueTrade {
    std::string id;  // unique per symbol
    double price = 0, qty = 0, commission = 0;
    std::string commission_asset;
    int64_t time_ms = 0;
};

struct NewOrder {
    std::string symbol;  // venue symbol
    std::string side;    // BUY / SELL
    bool market = true;
    Decimal qty;
    Decimal price;    // limit orders
    std::string tif;  // limit orders: GTC, IOC, FOK
    std::string client_id;
    bool reduce_only = false;  // futures only
};

struct Placed {
    VenueOrder order;
    std::vector<VenueTrade> trades;  // when the answer carries them (spot FULL)
    bool has_trades = false;
};

// A stop-loss and/or take-profit resting for one entry.
struct ProtectionOrder {
    std::string symbol;     // venue symbol
    std::string exit_side;  // SELL for a long
    Decimal qty;            // spot: what the legs sell; futures legs close the whole position
    std::optional<Decimal> stop_loss, take_profit;
    std::string list_id;  // spot OCO listClientOrderId
    std::string sl_id, tp_id;
};

// A spot order list as Binance describes it (GET /api/v3/orderList).
struct VenueOrderList {
    std::string symbol;                   // venue symbol
    std::vector<std::string> client_ids;  // of its orders
};

enum class LegKind { StopLoss, TakeProfit };

// A futures funding payment booked on the wallet (/fapi/v1/income, FUNDING_FEE).
struct FundingPayment {
    std::string id;      // tranId
    std::string symbol;  // venue symbol
    double income = 0;   // what the account received, in the margin asset (negative: paid)
    int64_t time_ms = 0;
};

class Venue {
  public:
    virtual ~Venue() = default;
    // exchangeInfo for these venue symbols; Trading priority when an order waits for it. A
    // symbol Binance does not know (delisted) is left out of the answer.
    virtual nlohmann::json exchange_info(const std::vector<std::string>& symbols,
                                         Priority priority) = 0;
    // Account settings before trading (futures: one-way mode, leverage, margin type).
    virtual void prepare(const std::vector<std::string>& symbols) = 0;
    virtual double last_price(const std::string& symbol) = 0;
    // The price a stop-loss/take-profit leg triggers on (futures: the mark price unless the legs
    // work on the contract price).
    virtual double trigger_price(const std::string& symbol) { return last_price(symbol); }
    virtual Placed place(const NewOrder& order) = 0;
    // std::nullopt when Binance answers that the order does not exist (-2013).
    virtual std::optional<VenueOrder> query(const std::string& symbol,
                                            const std::string& client_id) = 0;
    virtual std::vector<VenueTrade> trades(const std::string& symbol,
                                           const std::string& venue_order_id) = 0;
    // Throws sdk::Error(OT_E_NOT_FOUND) when there is no such open order.
    virtual void cancel(const std::string& symbol, const std::string& client_id) = 0;
    virtual std::vector<VenueOrder> open_orders(const std::string& symbol) = 0;

    // `sending` gets the client id of each leg just before the request that carries it.
    virtual void place_protection(const ProtectionOrder& p,
                                  const std::function<void(const std::string&)>& sending) = 0;
    // A protective leg by its client id; for futures the algo order, whose venue_id is the
    // order it triggered. std::nullopt when unknown.
    virtual std::optional<VenueOrder> query_leg(const std::string& symbol,
                                                const std::string& client_id) = 0;
    // The resting legs of a symbol by client id, with what each has executed (spot).
    virtual std::map<std::string, VenueOrder> open_legs(const std::string& symbol) = 0;
    // Cancels what is still resting of a protection; legs already gone are ignored.
    virtual void cancel_protection(const ProtectionOrder& p) = 0;
    // Spot: the order list with this listClientOrderId; std::nullopt when Binance has none.
    // Futures have no order lists.
    virtual std::optional<VenueOrderList> order_list(const std::string& /*list_client_id*/) {
        return std::nullopt;
    }

    struct Balance {
        std::string asset;  // asset, or venue symbol for a position
        double free = 0, locked = 0, avg_price = 0;
        bool position = false;
    };
    virtual std::vector<Balance> balances() = 0;

    // Funding payments booked at or after from_ms (server time), oldest first; a payment may
    // come twice. When there are many, only the first pages: the rest come with a later call.
    // Spot has none.
    virtual std::vector<FundingPayment> funding(int64_t /*from_ms*/) { return {}; }
};

}  // namespace orchestrade::plugins::binance
