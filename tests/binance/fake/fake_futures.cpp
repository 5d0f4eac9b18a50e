#include "fake_state.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace orchestrade::testing::binance_fake {
namespace {

std::string fixed(double v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.8f", v);
    return buf;
}

double sign(double v) {
    return v > 0 ? 1 : v < 0 ? -1 : 0;
}

int64_t int_param(const Params& p, const std::string& key, int64_t fallback) {
    auto v = p.get(key);
    return v ? std::atoll(v->c_str()) : fallback;
}

}  // namespace

void FakeBinance::State::futures_fill(Order& o, double qty, double price) {
    const SymbolSpec& s = spec(o.symbol);
    Position& pos = positions[o.symbol];
    const double delta = o.side == "BUY" ? qty : -qty;
    double realized = 0;
    if (pos.amount == 0 || sign(pos.amount) == sign(delta)) {
        pos.entry_price =
            (std::fabs(pos.amount) * pos.entry_price + qty * price) / std::fabs(pos.amount + delta);
        pos.amount += delta;
    } else {
        const double closing = std::min(qty, std::fabs(pos.amount));
        realized = (price - pos.entry_price) * closing * sign(pos.amount);
        const double before = pos.amount;
        pos.amount += delta;
        if (std::fabs(pos.amount) < 1e-12)
            pos = Position{};
        else if (sign(pos.amount) != sign(before))
            pos.entry_price = price;
    }
    for (double size : trade_sizes(qty)) {
        Trade t = trade_of(o, price, size);
        t.commission = size * price * futures_fee;
        t.commission_asset = s.quote;
        t.realized_pnl = realized * size / qty;
        t.time = now();
        wallet[s.quote] -= t.commission;
        trades.push_back(t);
    }
    wallet[s.quote] += realized;
    o.executed_qty += qty;
    o.cum_quote += qty * price;
    o.status = o.executed_qty >= o.orig_qty - 1e-12 ? "FILLED" : "PARTIALLY_FILLED";
    o.update_time = now();
}

void FakeBinance::State::futures_trigger(Order& algo, double price) {
    const std::size_t index = static_cast<std::size_t>(&algo - orders.data());
    const double amount = positions[algo.symbol].amount;
    const bool closes = algo.side == "SELL" ? amount > 0 : amount < 0;
    double qty = algo.close_position
                     ? (closes ? std::fabs(amount) : 0)
                     : std::min(algo.orig_qty,
                                algo.reduce_only && closes ? std::fabs(amount) : algo.orig_qty);
    if (qty <= 0) {
        algo.status = "EXPIRED";
        algo.update_time = now();
        return;
    }
    Order actual;
    actual.futures = true;
    actual.symbol = algo.symbol;
    actual.client_id = "autoclose-" + std::to_string(algo.order_id);
    actual.side = algo.side;
    actual.type = "MARKET";
    actual.orig_qty = qty;
    actual.reduce_only = true;
    Order& placed = add_order(actual);
    const int64_t actual_id = placed.order_id;
    futures_fill(placed, qty, price);
    orders[index].actual_order_id = actual_id;
    orders[index].status = "FINISHED";
    orders[index].update_time = now();
}

json FakeBinance::State::algo_json(const Order& o) const {
    return {{"algoId", o.order_id},
            {"clientAlgoId", o.client_id},
            {"algoType", "CONDITIONAL"},
            {"orderType", o.type},
            {"symbol", o.symbol},
            {"side", o.side},
            {"positionSide", "BOTH"},
            {"timeInForce", "GTC"},
            {"quantity", fixed(o.orig_qty)},
            {"algoStatus", o.status},
            {"triggerPrice", fixed(o.stop_price)},
            {"price", "0"},
            {"workingType", o.working_type},
            {"closePosition", o.close_position},
            {"reduceOnly", o.reduce_only},
            {"createTime", o.time},
            {"updateTime", o.update_time},
            {"actualOrderId", o.actual_order_id ? std::to_string(o.actual_order_id) : ""}};
}

void FakeBinance::State::settle_funding(const std::string& symbol, double rate) {
    const std::string asset = spec(symbol).quote;
    auto pos = positions.find(symbol);
    if (pos == positions.end() || pos->second.amount == 0) return;
    Income i;
    i.symbol = symbol;
    i.type = "FUNDING_FEE";
    i.asset = asset;
    i.amount = -pos->second.amount * price_now(symbol) * rate;
    i.tran_id = next_tran_id++;
    i.time = now();
    wallet[asset] += i.amount;
    incomes.push_back(i);
}

json FakeBinance::State::income(const Params& p) const {
    const int64_t limit = int_param(p, "limit", 100);
    if (limit < 1 || limit > 1000)
        throw ApiFailure(400, -1130, "Data sent for parameter 'limit' is not valid.");
    const auto type = p.get("incomeType"), symbol = p.get("symbol");
    if (symbol) spec(*symbol);
    const bool from_start = p.get("startTime").has_value();
    const int64_t start = int_param(p, "startTime", 0), end = int_param(p, "endTime", now());
    std::vector<const Income*> found;
    for (const Income& i : incomes)
        if ((!type || i.type == *type) && (!symbol || i.symbol == *symbol) && i.time >= start &&
            i.time <= end)
            found.push_back(&i);
    // The first `limit` from startTime on; without startTime, the most recent.
    const auto n = static_cast<std::ptrdiff_t>(std::min<std::size_t>(found.size(), limit));
    const auto first = from_start ? found.begin() : found.end() - n;
    json rows = json::array();
    for (auto it = first; it != first + n; ++it)
        rows.push_back({{"symbol", (*it)->symbol},
                        {"incomeType", (*it)->type},
                        {"income", fixed((*it)->amount)},
                        {"asset", (*it)->asset},
                        {"info", (*it)->type},
                        {"time", (*it)->time},
                        {"tranId", (*it)->tran_id},
                        {"tradeId", ""}});
    return rows;
}

json FakeBinance::State::futures_new_order(const Params& p) {
    const std::string symbol = p.need("symbol");
    const SymbolSpec& s = spec(symbol);
    const std::string side = p.need("side"), type = p.need("type");
    if (type == "STOP_MARKET" || type == "TAKE_PROFIT_MARKET" || type == "STOP" ||
        type == "TAKE_PROFIT" || type == "TRAILING_STOP_MARKET")
        throw ApiFailure(400, -4120,
                         "Order type not supported for this endpoint. Please use the Algo Order "
                         "API endpoints instead.");
    if (type != "MARKET" && type != "LIMIT") throw ApiFailure(400, -1116, "Invalid orderType.");
    double qty = p.number("quantity");
    const bool market = type == "MARKET";
    const double now_price = price_now(symbol);
    const double price = market ? 0 : p.number("price");
    const bool reduce_only = p.get("reduceOnly").value_or("false") == "true";
    std::string id =
        client_id(p, "newClientOrderId", true).value_or("web_" + std::to_string(next_order_id));
    if (find_open_client(true, false, symbol, id))
        throw ApiFailure(400, -4116, "clientOrderId is duplicated.");
    check_filters(s, true, market, qty, market ? now_price : price, reduce_only);
    const double amount = positions[symbol].amount;
    const double delta = side == "BUY" ? qty : -qty;
    if (reduce_only) {
        if (!(side == "SELL" ? amount > 0 : amount < 0))
            throw ApiFailure(400, -2022, "ReduceOnly Order is rejected.");
        qty = std::min(qty, std::fabs(amount));
    } else {
        double added = std::max(0.0, std::fabs(amount + delta) - std::fabs(amount));
        int lev = leverage.count(symbol) ? leverage[symbol] : 20;
        double used = 0, unrealized = 0;
        for (const auto& [sym, pos] : positions) {
            used += std::fabs(pos.amount) * pos.entry_price /
                    (leverage.count(sym) ? leverage[sym] : 20);
            unrealized += (price_now(sym) - pos.entry_price) * pos.amount;
        }
        if (added * now_price / lev > wallet[s.quote] + unrealized - used + 1e-9)
            throw ApiFailure(400, -2019, "Margin is insufficient.");
    }
    Order o;
    o.futures = true;
    o.symbol = symbol;
    o.client_id = id;
    o.side = side;
    o.type = type;
    o.tif = p.get("timeInForce").value_or("");
    o.orig_qty = qty;
    o.price = price;
    o.reduce_only = reduce_only;
    add_order(o);
    const std::size_t index = orders.size() - 1;
    double now_qty = qty;
    if (auto partial = take_fault(FaultKind::PartialFill, "POST", "/fapi/v1/order")) {
        now_qty = std::floor(qty * partial->fraction / std::atof(s.step.c_str()) + 1e-9) *
                  std::atof(s.step.c_str());
        orders[index].pending_qty = qty - now_qty;
        orders[index].pending_due = now() + partial->delay_ms;
        orders[index].expire_rest = partial->expire_rest;
    }
    const bool marketable = market || (side == "BUY" ? now_price <= price : now_price >= price);
    if (marketable) futures_fill(orders[index], now_qty, now_price);
    return order_json(orders[index]);
}

json FakeBinance::State::futures_algo(const Params& p) {
    if (p.need("algoType") != "CONDITIONAL") throw ApiFailure(400, -1116, "Invalid algoType.");
    const std::string symbol = p.need("symbol");
    const SymbolSpec& s = spec(symbol);
    const std::string side = p.need("side"), type = p.need("type");
    if (type != "STOP_MARKET" && type != "TAKE_PROFIT_MARKET")
        throw ApiFailure(400, -1116, "Invalid orderType.");
    const double trigger = p.number("triggerPrice");
    const bool close_position = p.get("closePosition").value_or("false") == "true";
    if (close_position && p.get("quantity"))
        throw ApiFailure(400, -4136,
                         "Target strategy invalid for orderType STOP_MARKET,closePosition true");
    const std::string id = p.need("clientAlgoId");
    client_id(p, "clientAlgoId", true);
    if (find_open_client(true, true, symbol, id))
        throw ApiFailure(400, -4116, "clientOrderId is duplicated.");
    const auto resting = std::count_if(orders.begin(), orders.end(), [&](const Order& o) {
        return o.algo && o.symbol == symbol && o.open();
    });
    if (resting >= s.max_algo_orders) throw ApiFailure(400, -4045, "Reach max stop order limit.");
    double tick = std::atof(s.tick.c_str());
    if (std::fabs(trigger / tick - std::round(trigger / tick)) > 1e-6)
        throw ApiFailure(400, -1013, "Filter failure: PRICE_FILTER");
    const std::string working_type = p.get("workingType").value_or("CONTRACT_PRICE");
    const double now_price = trigger_price_at(symbol, working_type, now());
    const bool sell = side == "SELL";
    const bool immediate = type == "STOP_MARKET"
                               ? (sell ? trigger >= now_price : trigger <= now_price)
                               : (sell ? trigger <= now_price : trigger >= now_price);
    if (immediate) throw ApiFailure(400, -2021, "Order would immediately trigger.");
    Order o;
    o.futures = true;
    o.algo = true;
    o.symbol = symbol;
    o.client_id = id;
    o.side = side;
    o.type = type;
    o.stop_price = trigger;
    o.close_position = close_position;
    o.reduce_only = p.get("reduceOnly").value_or("false") == "true";
    o.orig_qty = close_position ? 0 : p.number("quantity");
    o.working_type = working_type;
    return algo_json(add_order(o));
}

Reply FakeBinance::State::futures(const std::string& method, const std::string& path,
                                  const Params& p) {
    Reply r;
    auto find = [&](bool algo, bool open_only) -> Order* {
        const std::string symbol = p.need("symbol");
        spec(symbol);
        auto id = p.get(algo ? "clientAlgoId" : "origClientOrderId");
        if (id)
            return open_only ? find_open_client(true, algo, symbol, *id)
                             : find_client(true, algo, symbol, *id);
        int64_t order_id = std::atoll(p.need(algo ? "algoId" : "orderId").c_str());
        for (Order& o : orders)
            if (o.futures && o.algo == algo && o.order_id == order_id && (!open_only || o.open()))
                return &o;
        return nullptr;
    };
    if (method == "GET" && path == "/fapi/v1/ping") return r;
    if (method == "GET" && path == "/fapi/v1/time") {
        r.body = {{"serverTime", now()}};
    } else if (method == "GET" && path == "/fapi/v1/exchangeInfo") {
        r.body = exchange_info(true, p);
    } else if (method == "GET" && path == "/fapi/v1/klines") {
        r.body = klines(p);
    } else if (method == "GET" && path == "/fapi/v1/premiumIndex") {
        r.body = premium_index(p);
    } else if (method == "GET" && path == "/fapi/v1/fundingRate") {
        r.body = funding_rates(p);
    } else if (method == "GET" && path == "/fapi/v1/openInterest") {
        r.body = open_interest(p);
    } else if (method == "GET" && path == "/fapi/v1/ticker/price") {
        r.body = {{"symbol", p.need("symbol")},
                  {"price", fixed(price_now(p.need("symbol")))},
                  {"time", now()}};
    } else if (method == "GET" && path == "/fapi/v1/positionSide/dual") {
        r.body = {{"dualSidePosition", dual_side}};
    } else if (method == "POST" && path == "/fapi/v1/leverage") {
        const std::string symbol = p.need("symbol");
        spec(symbol);
        int lev = std::atoi(p.need("leverage").c_str());
        if (lev < 1 || lev > 125) throw ApiFailure(400, -4028, "Leverage is not valid");
        leverage[symbol] = lev;
        r.body = {{"symbol", symbol}, {"leverage", lev}, {"maxNotionalValue", "1000000"}};
    } else if (method == "POST" && path == "/fapi/v1/marginType") {
        const std::string symbol = p.need("symbol");
        spec(symbol);
        const std::string type = p.need("marginType");
        if (margin_type.count(symbol) ? margin_type[symbol] == type : type == "CROSSED")
            throw ApiFailure(400, -4046, "No need to change margin type.");
        margin_type[symbol] = type;
        r.body = {{"code", 200}, {"msg", "success"}};
    } else if (method == "POST" && path == "/fapi/v1/order") {
        r.body = futures_new_order(p);
    } else if (method == "GET" && path == "/fapi/v1/order") {
        Order* o = find(false, false);
        if (!o) throw ApiFailure(400, -2013, "Order does not exist.");
        r.body = order_json(*o);
    } else if (method == "DELETE" && path == "/fapi/v1/order") {
        Order* o = find(false, true);
        if (!o) throw ApiFailure(400, -2011, "Unknown order sent.");
        o->status = "CANCELED";
        o->pending_qty = 0;
        o->update_time = now();
        r.body = order_json(*o);
    } else if (method == "GET" && path == "/fapi/v1/openOrders") {
        r.body = json::array();
        auto symbol = p.get("symbol");
        for (const Order& o : orders)
            if (o.futures && !o.algo && o.open() && (!symbol || o.symbol == *symbol))
                r.body.push_back(order_json(o));
    } else if (method == "GET" && path == "/fapi/v1/userTrades") {
        r.body = json::array();
        for (const Trade* t : trade_page(true, p))
            r.body.push_back(
                {{"symbol", t->symbol},
                 {"id", t->id},
                 {"orderId", t->order_id},
                 {"side", t->side},
                 {"price", fixed(t->price)},
                 {"qty", fixed(t->qty)},
                 {"quoteQty", fixed(t->qty * t->price)},
                 {"commission", fixed(-t->commission)},  // as the docs' sample shows it
                 {"commissionAsset", t->commission_asset},
                 {"realizedPnl", fixed(t->realized_pnl)},
                 {"positionSide", "BOTH"},
                 {"buyer", t->side == "BUY"},
                 {"maker", false},
                 {"time", t->time}});
    } else if (method == "GET" && path == "/fapi/v1/income") {
        r.body = income(p);
    } else if (method == "POST" && path == "/fapi/v1/algoOrder") {
        r.body = futures_algo(p);
    } else if (method == "GET" && path == "/fapi/v1/algoOrder") {
        Order* o = find(true, false);
        if (!o) throw ApiFailure(400, -2013, "Order does not exist.");
        r.body = algo_json(*o);
    } else if (method == "DELETE" && path == "/fapi/v1/algoOrder") {
        Order* o = find(true, true);
        if (!o) throw ApiFailure(400, -2011, "Unknown order sent.");
        o->status = "CANCELED";
        o->update_time = now();
        r.body = {{"algoId", o->order_id},
                  {"clientAlgoId", o->client_id},
                  {"code", "200"},
                  {"msg", "success"}};
    } else if (method == "GET" && path == "/fapi/v1/openAlgoOrders") {
        r.body = json::array();
        auto symbol = p.get("symbol");
        for (const Order& o : orders)
            if (o.algo && o.open() && (!symbol || o.symbol == *symbol))
                r.body.push_back(algo_json(o));
    } else if (method == "GET" && path == "/fapi/v3/balance") {
        r.body = json::array();
        for (const auto& [asset, amount] : wallet)
            r.body.push_back({{"accountAlias", "fake"},
                              {"asset", asset},
                              {"balance", fixed(amount)},
                              {"crossWalletBalance", fixed(amount)},
                              {"crossUnPnl", "0"},
                              {"availableBalance", fixed(amount)},
                              {"maxWithdrawAmount", fixed(amount)},
                              {"marginAvailable", true},
                              {"updateTime", now()}});
    } else if (method == "GET" && path == "/fapi/v3/positionRisk") {
        r.body = json::array();
        for (const auto& [symbol, pos] : positions) {
            if (pos.amount == 0) continue;
            double mark = price_now(symbol);
            r.body.push_back({{"symbol", symbol},
                              {"positionSide", "BOTH"},
                              {"positionAmt", fixed(pos.amount)},
                              {"entryPrice", fixed(pos.entry_price)},
                              {"breakEvenPrice", fixed(pos.entry_price)},
                              {"markPrice", fixed(mark)},
                              {"unRealizedProfit", fixed((mark - pos.entry_price) * pos.amount)},
                              {"liquidationPrice", "0"},
                              {"isolatedMargin", "0"},
                              {"notional", fixed(mark * pos.amount)},
                              {"marginAsset", spec(symbol).quote},
                              {"isolatedWallet", "0"},
                              {"initialMargin", "0"},
                              {"maintMargin", "0"},
                              {"positionInitialMargin", "0"},
                              {"openOrderInitialMargin", "0"},
                              {"adl", 1},
                              {"bidNotional", "0"},
                              {"askNotional", "0"},
                              {"updateTime", now()}});
        }
    } else {
        throw ApiFailure(404, 0,
                         "{\"code\":-1000,\"msg\":\"Not found: " + method + " " + path + "\"}");
    }
    return r;
}

}  // namespace orchestrade::testing::binance_fake
