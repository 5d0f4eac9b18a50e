#include "spot_venue.hpp"

#include "json_util.hpp"

namespace orchestrade::plugins::binance {
namespace {

constexpr std::size_t kTradesLimit = 1000;  // the most myTrades returns at once

Call signed_call(const char* method, const char* path, Params params, int weight,
                 Priority priority = Priority::Normal) {
    Call c;
    c.method = method;
    c.path = path;
    c.params = std::move(params);
    c.weight = weight;
    c.is_signed = true;
    c.priority = priority;
    return c;
}

// A request that places an order: at order priority, and counted toward the ORDERS limits.
Call placing_call(const char* path, Params params, int weight) {
    Call c = signed_call("POST", path, std::move(params), weight, Priority::Trading);
    c.new_order = true;
    return c;
}

VenueTrade parse_trade(const nlohmann::json& t, const char* id_key) {
    VenueTrade out;
    out.id = t.at(id_key).dump();
    out.price = number(t.at("price"));
    out.qty = number(t.at("qty"));
    out.commission = number_or(t, "commission", 0);
    out.commission_asset = t.value("commissionAsset", "");
    out.time_ms = t.value("time", int64_t{0});
    return out;
}

}  // namespace

nlohmann::json SpotVenue::exchange_info(const std::vector<std::string>& symbols,
                                        Priority priority) {
    try {
        return exchange_info_of(symbols, priority);
    } catch (const ApiError& e) {
        if (e.binance_code != kErrInvalidSymbol) throw;
    }
    // One unknown symbol fails the whole list: each is asked alone, the unknown ones left out.
    nlohmann::json known = {{"symbols", nlohmann::json::array()}};
    if (symbols.size() < 2) return known;
    for (const std::string& symbol : symbols) {
        nlohmann::json one;
        try {
            one = exchange_info_of({symbol}, priority);
        } catch (const ApiError& e) {
            if (e.binance_code != kErrInvalidSymbol) throw;
            continue;
        }
        for (auto& s : one.value("symbols", nlohmann::json::array()))
            known["symbols"].push_back(std::move(s));
        known["rateLimits"] = one.value("rateLimits", nlohmann::json::array());
    }
    return known;
}

nlohmann::json SpotVenue::exchange_info_of(const std::vector<std::string>& symbols,
                                           Priority priority) {
    nlohmann::json list = symbols;
    Call c;
    c.path = "/api/v3/exchangeInfo";
    c.params = {{"symbols", list.dump()}};
    c.weight = 20;
    c.priority = priority;
    return client_.call(c);
}

double SpotVenue::last_price(const std::string& symbol) {
    Call c;
    c.path = "/api/v3/ticker/price";
    c.params = {{"symbol", symbol}};
    c.weight = 2;
    return number(client_.call(c).at("price"));
}

Placed SpotVenue::place(const NewOrder& o) {
    Params p{{"symbol", o.symbol}, {"side", o.side}, {"type", o.market ? "MARKET" : "LIMIT"}};
    if (!o.market) p.emplace_back("timeInForce", o.tif);
    p.emplace_back("quantity", o.qty.str());
    if (!o.market) p.emplace_back("price", o.price.str());
    p.emplace_back("newClientOrderId", o.client_id);
    p.emplace_back("newOrderRespType", "FULL");
    nlohmann::json j = client_.call(placing_call("/api/v3/order", std::move(p), 1));
    Placed out;
    out.order = parse_order(j);
    if (j.contains("fills") && j["fills"].is_array()) {
        out.has_trades = true;
        for (const auto& f : j["fills"]) {
            VenueTrade t = parse_trade(f, "tradeId");
            t.time_ms = out.order.time_ms;
            out.trades.push_back(t);
        }
    }
    return out;
}

std::optional<VenueOrder> SpotVenue::query(const std::string& symbol,
                                           const std::string& client_id) {
    try {
        return parse_order(client_.call(signed_call(
            "GET", "/api/v3/order", {{"symbol", symbol}, {"origClientOrderId", client_id}}, 4)));
    } catch (const ApiError& e) {
        if (e.binance_code == kErrNoSuchOrder) return std::nullopt;
        throw;
    }
}

std::vector<VenueTrade> SpotVenue::trades(const std::string& symbol,
                                          const std::string& venue_order_id) {
    std::vector<VenueTrade> out;
    Params page{
        {"symbol", symbol}, {"orderId", venue_order_id}, {"limit", std::to_string(kTradesLimit)}};
    for (;;) {
        nlohmann::json j = client_.call(signed_call("GET", "/api/v3/myTrades", page, 5));
        for (const auto& t : j)
            out.push_back(parse_trade(t, "id"));
        if (j.size() < kTradesLimit) return out;
        page = {{"symbol", symbol},
                {"orderId", venue_order_id},
                {"fromId", std::to_string(j.back().at("id").get<int64_t>() + 1)},
                {"limit", std::to_string(kTradesLimit)}};
    }
}

void SpotVenue::cancel(const std::string& symbol, const std::string& client_id) {
    try {
        client_.call(signed_call("DELETE", "/api/v3/order",
                                 {{"symbol", symbol}, {"origClientOrderId", client_id}}, 1,
                                 Priority::Trading));
    } catch (const ApiError& e) {
        if (is_unknown_order(e))
            throw sdk::Error(OT_E_NOT_FOUND, "no open order '" + client_id + "': " + e.what());
        throw;
    }
}

std::vector<VenueOrder> SpotVenue::open_orders(const std::string& symbol) {
    nlohmann::json j =
        client_.call(signed_call("GET", "/api/v3/openOrders", {{"symbol", symbol}}, 6));
    std::vector<VenueOrder> out;
    for (const auto& o : j)
        out.push_back(parse_order(o));
    return out;
}

void SpotVenue::place_protection(const ProtectionOrder& p,
                                 const std::function<void(const std::string&)>& sending) {
    if (p.stop_loss && p.take_profit) {
        sending(p.sl_id);
        sending(p.tp_id);
        // Protecting a long: the take-profit rests above the price, the stop below.
        client_.call(placing_call("/api/v3/orderList/oco",
                                  {{"symbol", p.symbol},
                                   {"listClientOrderId", p.list_id},
                                   {"side", p.exit_side},
                                   {"quantity", p.qty.str()},
                                   {"aboveType", "LIMIT_MAKER"},
                                   {"aboveClientOrderId", p.tp_id},
                                   {"abovePrice", p.take_profit->str()},
                                   {"belowType", "STOP_LOSS"},
                                   {"belowClientOrderId", p.sl_id},
                                   {"belowStopPrice", p.stop_loss->str()}},
                                  1));
        return;
    }
    Params params{{"symbol", p.symbol}, {"side", p.exit_side}};
    if (p.stop_loss) {
        params.emplace_back("type", "STOP_LOSS");
        params.emplace_back("quantity", p.qty.str());
        params.emplace_back("stopPrice", p.stop_loss->str());
        params.emplace_back("newClientOrderId", p.sl_id);
    } else {
        params.emplace_back("type", "LIMIT");
        params.emplace_back("timeInForce", "GTC");
        params.emplace_back("quantity", p.qty.str());
        params.emplace_back("price", p.take_profit->str());
        params.emplace_back("newClientOrderId", p.tp_id);
    }
    sending(p.stop_loss ? p.sl_id : p.tp_id);
    client_.call(placing_call("/api/v3/order", std::move(params), 1));
}

std::map<std::string, VenueOrder> SpotVenue::open_legs(const std::string& symbol) {
    std::map<std::string, VenueOrder> out;
    for (VenueOrder& o : open_orders(symbol))
        out[o.client_id] = std::move(o);
    return out;
}

void SpotVenue::cancel_protection(const ProtectionOrder& p) {
    try {
        if (p.stop_loss && p.take_profit)
            client_.call(signed_call("DELETE", "/api/v3/orderList",
                                     {{"symbol", p.symbol}, {"listClientOrderId", p.list_id}}, 1,
                                     Priority::Trading));
        else
            cancel(p.symbol, p.stop_loss ? p.sl_id : p.tp_id);
    } catch (const ApiError& e) {
        if (!is_unknown_order(e)) throw;
    } catch (const sdk::Error& e) {
        if (e.code() != OT_E_NOT_FOUND) throw;
    }
}

std::optional<VenueOrderList> SpotVenue::order_list(const std::string& list_client_id) {
    nlohmann::json j;
    try {
        // No symbol: Binance reads only the list's id here.
        j = client_.call(
            signed_call("GET", "/api/v3/orderList", {{"origClientOrderId", list_client_id}}, 4));
    } catch (const ApiError& e) {
        // "Order list does not exist."
        if (e.binance_code == kErrNoSuchOrder ||
            e.binance_msg.find("does not exist") != std::string::npos)
            return std::nullopt;
        throw;
    }
    VenueOrderList out;
    out.symbol = j.value("symbol", "");
    for (const auto& o : j.value("orders", nlohmann::json::array()))
        out.client_ids.push_back(o.value("clientOrderId", ""));
    return out;
}

std::vector<Venue::Balance> SpotVenue::balances() {
    nlohmann::json j =
        client_.call(signed_call("GET", "/api/v3/account", {{"omitZeroBalances", "true"}}, 20));
    std::vector<Balance> out;
    for (const auto& b : j.value("balances", nlohmann::json::array()))
        out.push_back(
            {b.value("asset", ""), number(b.at("free")), number(b.at("locked")), 0, false});
    return out;
}

}  // namespace orchestrade::plugins::binance
