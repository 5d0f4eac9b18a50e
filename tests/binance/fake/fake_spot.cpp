#include "fake_state.hpp"

#include <cmath>
#include <cstdio>

namespace orchestrade::testing::binance_fake {
namespace {

constexpr double kEps = 1e-12;

std::string fixed(double v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.8f", v);
    return buf;
}

const ApiFailure kInsufficient(400, -2010,
                               "Account has insufficient balance for requested action.");

}  // namespace

void FakeBinance::State::spot_cancel(Order& o, const char* status) {
    if (o.locked > 0) {
        spot_locked[o.locked_asset] -= o.locked;
        spot_free[o.locked_asset] += o.locked;
        o.locked = 0;
    }
    o.status = status;
    o.pending_qty = 0;
    o.update_time = now();
}

void FakeBinance::State::spot_fill(Order& o, double qty, double price, bool maker) {
    (void)maker;
    const SymbolSpec& s = spec(o.symbol);
    if (o.list_id >= 0)  // one leg of an OCO fills: the other expires, what the list holds stays
        for (Order& other : orders)
            if (&other != &o && other.list_id == o.list_id && other.open()) {
                if (other.locked > 0) {
                    o.locked += other.locked;
                    o.locked_asset = other.locked_asset;
                    other.locked = 0;
                }
                spot_cancel(other, "EXPIRED");
            }
    if (o.locked > 0) {
        double release = o.locked * qty / std::max(kEps, o.orig_qty - o.executed_qty);
        release = std::min(release, o.locked);
        o.locked -= release;
        spot_locked[o.locked_asset] -= release;
        spot_free[o.locked_asset] += release;
    }
    const bool buy = o.side == "BUY";
    if (buy ? spot_free[s.quote] < qty * price - 1e-9 : spot_free[s.base] < qty - 1e-12) {
        spot_cancel(o, "EXPIRED");
        return;
    }
    for (double size : trade_sizes(qty)) {
        Trade t = trade_of(o, price, size);
        if (buy) {
            spot_free[s.quote] -= size * price;
            t.commission = size * spot_fee;  // paid in the asset received
            t.commission_asset = s.base;
            spot_free[s.base] += size - t.commission;
        } else {
            spot_free[s.base] -= size;
            t.commission = size * price * spot_fee;
            t.commission_asset = s.quote;
            spot_free[s.quote] += size * price - t.commission;
        }
        trades.push_back(t);
    }
    o.executed_qty += qty;
    o.cum_quote += qty * price;
    o.status = o.executed_qty >= o.orig_qty - 1e-12 ? "FILLED" : "PARTIALLY_FILLED";
    o.update_time = now();
    if (o.status == "FILLED") spot_cancel(o, "FILLED");  // frees what is left locked
}

void FakeBinance::State::spot_trigger(Order& o, double price) {
    const bool buy = o.side == "BUY";
    const double rest = o.orig_qty - o.executed_qty;
    if (o.type == "LIMIT" || o.type == "LIMIT_MAKER") {
        if (buy ? price <= o.price : price >= o.price) spot_fill(o, rest, o.price, true);
    } else if (o.type == "STOP_LOSS") {
        if (buy ? price >= o.stop_price : price <= o.stop_price) spot_fill(o, rest, price, false);
    } else if (o.type == "TAKE_PROFIT") {
        if (buy ? price <= o.stop_price : price >= o.stop_price) spot_fill(o, rest, price, false);
    }
}

json FakeBinance::State::spot_new_order(const Params& p) {
    const std::string symbol = p.need("symbol");
    const SymbolSpec& s = spec(symbol);
    const std::string side = p.need("side"), type = p.need("type");
    if (side != "BUY" && side != "SELL") throw ApiFailure(400, -1117, "Invalid side.");
    if (type != "MARKET" && type != "LIMIT" && type != "LIMIT_MAKER" && type != "STOP_LOSS" &&
        type != "TAKE_PROFIT")
        throw ApiFailure(400, -1116, "Invalid orderType.");
    const double qty = p.number("quantity");
    const bool market = type == "MARKET" || type == "STOP_LOSS" || type == "TAKE_PROFIT";
    const double now_price = price_now(symbol);
    const double price = type == "LIMIT" || type == "LIMIT_MAKER" ? p.number("price") : 0;
    const double stop = type == "STOP_LOSS" || type == "TAKE_PROFIT" ? p.number("stopPrice") : 0;
    std::string id =
        client_id(p, "newClientOrderId", false).value_or("web_" + std::to_string(next_order_id));
    if (find_open_client(false, false, symbol, id))
        throw ApiFailure(400, -2010, "Duplicate order sent.");
    check_filters(s, false, market, qty, market ? (stop > 0 ? stop : now_price) : price, false);
    const bool buy = side == "BUY";
    if (type == "LIMIT_MAKER" && (buy ? now_price <= price : now_price >= price))
        throw ApiFailure(400, -2010, "Order would immediately match and take.");
    if (type == "STOP_LOSS" && (buy ? now_price >= stop : now_price <= stop))
        throw ApiFailure(400, -2010, "Order would trigger immediately.");
    if (type == "TAKE_PROFIT" && (buy ? now_price <= stop : now_price >= stop))
        throw ApiFailure(400, -2010, "Order would trigger immediately.");
    const double cost = qty * (type == "LIMIT" || type == "LIMIT_MAKER" ? price : now_price);
    if (buy ? spot_free[s.quote] < cost - 1e-9 : spot_free[s.base] < qty - 1e-12)
        throw kInsufficient;

    Order o;
    o.symbol = symbol;
    o.client_id = id;
    o.side = side;
    o.type = type;
    o.tif = p.get("timeInForce").value_or("");
    o.orig_qty = qty;
    o.price = price;
    o.stop_price = stop;
    Order& placed = add_order(o);
    const std::size_t index = orders.size() - 1;
    const std::size_t trades_before = trades.size();
    auto partial = take_fault(FaultKind::PartialFill, "POST", "/api/v3/order");
    double now_qty = qty;
    if (partial) {
        now_qty = std::floor(qty * partial->fraction / std::atof(s.step.c_str()) + 1e-9) *
                  std::atof(s.step.c_str());
        placed.pending_qty = qty - now_qty;
        placed.pending_due = now() + partial->delay_ms;
        placed.expire_rest = partial->expire_rest;
    }
    const bool marketable =
        type == "MARKET" || (type == "LIMIT" && (buy ? now_price <= price : now_price >= price));
    if (marketable) {
        spot_fill(orders[index], now_qty, type == "MARKET" ? now_price : now_price, false);
        if (partial && partial->expire_rest && type == "MARKET")
            spot_cancel(orders[index], "EXPIRED");
    } else {
        Order& r = orders[index];
        r.pending_qty = 0;
        r.locked_asset = buy ? s.quote : s.base;
        r.locked = buy ? cost : qty;
        spot_free[r.locked_asset] -= r.locked;
        spot_locked[r.locked_asset] += r.locked;
    }
    json out = order_json(orders[index]);
    out["fills"] = json::array();
    for (std::size_t i = trades_before; i < trades.size(); ++i)
        out["fills"].push_back({{"price", fixed(trades[i].price)},
                                {"qty", fixed(trades[i].qty)},
                                {"commission", fixed(trades[i].commission)},
                                {"commissionAsset", trades[i].commission_asset},
                                {"tradeId", trades[i].id}});
    return out;
}

json FakeBinance::State::spot_oco(const Params& p) {
    const std::string symbol = p.need("symbol");
    const SymbolSpec& s = spec(symbol);
    const std::string side = p.need("side");
    const double qty = p.number("quantity");
    const std::string above_type = p.need("aboveType"), below_type = p.need("belowType");
    if (above_type != "LIMIT_MAKER" || below_type != "STOP_LOSS")
        throw ApiFailure(400, -1116, "Invalid orderType.");
    const double above = p.number("abovePrice"), below = p.number("belowStopPrice");
    const std::string list_id =
        client_id(p, "listClientOrderId", false).value_or("list_" + std::to_string(next_list_id));
    const std::string above_id = client_id(p, "aboveClientOrderId", false).value_or(list_id + "_a");
    const std::string below_id = client_id(p, "belowClientOrderId", false).value_or(list_id + "_b");
    // A list id is taken while its list is open ("accepted only when the previous one is filled
    // or completely expired"), an order's id while its order is: Binance answers both alike.
    for (const Order& o : orders)
        if (!o.futures && o.open() &&
            (o.list_client_id == list_id || o.client_id == above_id || o.client_id == below_id))
            throw ApiFailure(400, -2010, "Duplicate order sent.");
    const double now_price = price_now(symbol);
    if (side != "SELL" || !(above > now_price && now_price > below))
        throw ApiFailure(400, -2010,
                         "The relationship of the prices for the orders is not correct.");
    check_filters(s, false, false, qty, above, false);
    check_filters(s, false, false, qty, below, false);
    if (spot_free[s.base] < qty - 1e-12) throw kInsufficient;
    const int64_t list = next_list_id++;
    Order tp;
    tp.symbol = symbol;
    tp.client_id = above_id;
    tp.side = side;
    tp.type = "LIMIT_MAKER";
    tp.orig_qty = qty;
    tp.price = above;
    tp.list_id = list;
    tp.list_client_id = list_id;
    Order sl = tp;
    sl.client_id = below_id;
    sl.type = "STOP_LOSS";
    sl.price = 0;
    sl.stop_price = below;
    sl.locked = qty;  // the list holds the quantity once, on this leg
    sl.locked_asset = s.base;
    spot_free[s.base] -= qty;
    spot_locked[s.base] += qty;
    add_order(sl);
    add_order(tp);
    json out = spot_order_list(list);
    out["orderReports"] = {order_json(orders[orders.size() - 2]), order_json(orders.back())};
    return out;
}

json FakeBinance::State::spot_order_list(int64_t list) const {
    json legs = json::array();
    bool open = false;
    int64_t time = 0;
    std::string symbol, list_client_id;
    for (const Order& o : orders)
        if (!o.futures && o.list_id == list) {
            legs.push_back(
                {{"symbol", o.symbol}, {"orderId", o.order_id}, {"clientOrderId", o.client_id}});
            open |= o.open();
            time = o.time;
            symbol = o.symbol;
            list_client_id = o.list_client_id;
        }
    return {{"orderListId", list},
            {"contingencyType", "OCO"},
            {"listStatusType", open ? "EXEC_STARTED" : "ALL_DONE"},
            {"listOrderStatus", open ? "EXECUTING" : "ALL_DONE"},
            {"listClientOrderId", list_client_id},
            {"transactionTime", time},
            {"symbol", symbol},
            {"orders", legs}};
}

Reply FakeBinance::State::spot(const std::string& method, const std::string& path,
                               const Params& p) {
    Reply r;
    auto find = [&](bool open_only) -> Order* {
        const std::string symbol = p.need("symbol");
        spec(symbol);
        if (auto id = p.get("origClientOrderId"))
            return open_only ? find_open_client(false, false, symbol, *id)
                             : find_client(false, false, symbol, *id);
        int64_t order_id = std::atoll(p.need("orderId").c_str());
        for (Order& o : orders)
            if (!o.futures && o.order_id == order_id && (!open_only || o.open())) return &o;
        return nullptr;
    };
    if (method == "GET" && path == "/api/v3/ping") return r;
    if (method == "GET" && path == "/api/v3/time") {
        r.body = {{"serverTime", now()}};
    } else if (method == "GET" && path == "/api/v3/exchangeInfo") {
        r.body = exchange_info(false, p);
    } else if (method == "GET" && path == "/api/v3/klines") {
        r.body = klines(p);
    } else if (method == "GET" && path == "/api/v3/ticker/price") {
        r.body = {{"symbol", p.need("symbol")}, {"price", fixed(price_now(p.need("symbol")))}};
    } else if (method == "GET" && path == "/api/v3/account") {
        json balances = json::array();
        bool omit = p.get("omitZeroBalances").value_or("false") == "true";
        std::map<std::string, bool> assets;
        for (const auto& [a, v] : spot_free)
            assets[a] = true;
        for (const auto& [a, v] : spot_locked)
            assets[a] = true;
        for (const auto& [a, unused] : assets) {
            double f = spot_free[a], l = spot_locked[a];
            if (omit && std::fabs(f) < 1e-12 && std::fabs(l) < 1e-12) continue;
            balances.push_back({{"asset", a}, {"free", fixed(f)}, {"locked", fixed(l)}});
        }
        r.body = {{"makerCommission", 10}, {"takerCommission", 10}, {"canTrade", true},
                  {"accountType", "SPOT"}, {"balances", balances},  {"permissions", {"SPOT"}},
                  {"updateTime", now()}};
    } else if (method == "POST" && path == "/api/v3/order") {
        r.body = spot_new_order(p);
    } else if (method == "GET" && path == "/api/v3/order") {
        Order* o = find(false);
        if (!o) throw ApiFailure(400, -2013, "Order does not exist.");
        r.body = order_json(*o);
    } else if (method == "DELETE" && path == "/api/v3/order") {
        Order* o = find(true);
        if (!o) throw ApiFailure(400, -2011, "Unknown order sent.");
        int64_t list = o->list_id;
        spot_cancel(*o, "CANCELED");
        if (list >= 0)  // canceling a leg cancels its list
            for (Order& other : orders)
                if (other.list_id == list && other.open()) spot_cancel(other, "CANCELED");
        r.body = order_json(*o);
    } else if (method == "GET" && path == "/api/v3/openOrders") {
        r.body = json::array();
        auto symbol = p.get("symbol");
        for (const Order& o : orders)
            if (!o.futures && o.open() && (!symbol || o.symbol == *symbol))
                r.body.push_back(order_json(o));
    } else if (method == "POST" && path == "/api/v3/orderList/oco") {
        r.body = spot_oco(p);
    } else if (method == "GET" && path == "/api/v3/orderList") {
        // By orderListId or origClientOrderId (the listClientOrderId), not by symbol.
        std::optional<std::string> list_id = p.get("orderListId");
        std::optional<std::string> client = p.get("origClientOrderId");
        if (!list_id && !client)
            throw ApiFailure(400, -1102,
                             "Param 'origClientOrderId' or 'orderListId' must be sent, but both "
                             "were empty/null!");
        int64_t found = -1;
        for (const Order& o : orders)
            if (!o.futures && o.list_id >= 0 &&
                (list_id ? std::to_string(o.list_id) == *list_id : o.list_client_id == *client))
                found = o.list_id;  // the newest
        if (found < 0) throw ApiFailure(400, -2013, "Order list does not exist.");
        r.body = spot_order_list(found);
    } else if (method == "DELETE" && path == "/api/v3/orderList") {
        const std::string symbol = p.need("symbol");
        const std::string list = p.need("listClientOrderId");
        json reports = json::array();
        for (Order& o : orders)
            if (!o.futures && o.symbol == symbol && o.list_client_id == list && o.open()) {
                spot_cancel(o, "CANCELED");
                reports.push_back(order_json(o));
            }
        if (reports.empty()) throw ApiFailure(400, -2011, "Unknown order sent.");
        r.body = {{"listClientOrderId", list},
                  {"listOrderStatus", "ALL_DONE"},
                  {"orderReports", reports}};
    } else if (method == "GET" && path == "/api/v3/myTrades") {
        r.body = json::array();
        for (const Trade* t : trade_page(false, p))
            r.body.push_back({{"symbol", t->symbol},
                              {"id", t->id},
                              {"orderId", t->order_id},
                              {"orderListId", -1},
                              {"price", fixed(t->price)},
                              {"qty", fixed(t->qty)},
                              {"quoteQty", fixed(t->qty * t->price)},
                              {"commission", fixed(t->commission)},
                              {"commissionAsset", t->commission_asset},
                              {"time", t->time},
                              {"isBuyer", t->side == "BUY"},
                              {"isMaker", false},
                              {"isBestMatch", true}});
    } else {
        throw ApiFailure(404, 0,
                         "{\"code\":-1000,\"msg\":\"Not found: " + method + " " + path + "\"}");
    }
    return r;
}

}  // namespace orchestrade::testing::binance_fake
