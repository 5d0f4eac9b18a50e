#include "futures_venue.hpp"

#include "json_util.hpp"

#include <cmath>
#include <map>

namespace orchestrade::plugins::binance {
namespace {

constexpr int kErrNoMarginTypeChange = -4046;  // "No need to change margin type."
constexpr std::size_t kIncomeLimit = 1000;     // the most /fapi/v1/income returns at once
constexpr int kIncomePages = 10;               // per call; a later call continues
constexpr std::size_t kTradesLimit = 1000;     // the most /fapi/v1/userTrades returns at once

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

VenueOrder parse_algo(const nlohmann::json& j) {
    VenueOrder o;
    o.client_id = j.value("clientAlgoId", "");
    if (j.contains("actualOrderId") && !j["actualOrderId"].is_null()) {
        const auto& id = j["actualOrderId"];
        std::string text = id.is_string() ? id.get<std::string>() : id.dump();
        if (!text.empty() && text != "0" && text != "-1") o.venue_id = text;
    }
    o.symbol = j.value("symbol", "");
    o.side = j.value("side", "");
    o.status = parse_status(j.value("algoStatus", "NEW"));
    o.orig_qty = number_or(j, "quantity", 0);
    o.price = number_or(j, "triggerPrice", 0);
    o.time_ms = j.value("updateTime", j.value("createTime", int64_t{0}));
    return o;
}

VenueTrade parse_user_trade(const nlohmann::json& t) {
    VenueTrade v;
    v.id = t.at("id").dump();
    v.price = number(t.at("price"));
    v.qty = number(t.at("qty"));
    v.commission = std::fabs(number_or(t, "commission", 0));
    v.commission_asset = t.value("commissionAsset", "");
    v.time_ms = t.value("time", int64_t{0});
    return v;
}

FundingPayment parse_funding(const nlohmann::json& j) {
    FundingPayment f;
    const nlohmann::json& id = j.at("tranId");
    f.id = id.is_string() ? id.get<std::string>() : id.dump();
    f.symbol = j.value("symbol", "");
    f.income = number(j.at("income"));
    f.time_ms = j.at("time").get<int64_t>();
    return f;
}

}  // namespace

nlohmann::json FuturesVenue::exchange_info(const std::vector<std::string>&, Priority priority) {
    Call c;
    c.path = "/fapi/v1/exchangeInfo";
    c.weight = 1;
    c.priority = priority;
    return client_.call(c);
}

void FuturesVenue::prepare(const std::vector<std::string>& symbols) {
    nlohmann::json mode = client_.call(signed_call("GET", "/fapi/v1/positionSide/dual", {}, 30));
    if (mode.value("dualSidePosition", false))
        throw sdk::Error(OT_E_INVALID_ARG,
                         "binance: the futures account is in hedge mode; switch it to one-way "
                         "mode (positionSide BOTH) to trade with this executor");
    for (const std::string& symbol : symbols) {
        if (!settings_.margin_type.empty()) {
            try {
                client_.call(
                    signed_call("POST", "/fapi/v1/marginType",
                                {{"symbol", symbol}, {"marginType", settings_.margin_type}}, 1));
            } catch (const ApiError& e) {
                if (e.binance_code != kErrNoMarginTypeChange) throw;
            }
        }
        if (settings_.leverage > 0)
            client_.call(signed_call(
                "POST", "/fapi/v1/leverage",
                {{"symbol", symbol}, {"leverage", std::to_string(settings_.leverage)}}, 1));
    }
}

double FuturesVenue::last_price(const std::string& symbol) {
    Call c;
    c.path = "/fapi/v1/ticker/price";
    c.params = {{"symbol", symbol}};
    return number(client_.call(c).at("price"));
}

double FuturesVenue::trigger_price(const std::string& symbol) {
    if (settings_.working_type != "MARK_PRICE") return last_price(symbol);
    Call c;
    c.path = "/fapi/v1/premiumIndex";
    c.params = {{"symbol", symbol}};
    return number(client_.call(c).at("markPrice"));
}

Placed FuturesVenue::place(const NewOrder& o) {
    Params p{{"symbol", o.symbol}, {"side", o.side}, {"type", o.market ? "MARKET" : "LIMIT"}};
    if (!o.market) p.emplace_back("timeInForce", o.tif);
    p.emplace_back("quantity", o.qty.str());
    if (!o.market) p.emplace_back("price", o.price.str());
    if (o.reduce_only) p.emplace_back("reduceOnly", "true");
    p.emplace_back("newClientOrderId", o.client_id);
    p.emplace_back("newOrderRespType", "RESULT");
    Placed out;
    out.order = parse_order(client_.call(placing_call("/fapi/v1/order", std::move(p), 0)));
    return out;
}

std::optional<VenueOrder> FuturesVenue::query(const std::string& symbol,
                                              const std::string& client_id) {
    try {
        return parse_order(client_.call(signed_call(
            "GET", "/fapi/v1/order", {{"symbol", symbol}, {"origClientOrderId", client_id}}, 1)));
    } catch (const ApiError& e) {
        if (e.binance_code == kErrNoSuchOrder) return std::nullopt;
        throw;
    }
}

// userTrades documents orderId with symbol only, not with fromId: the first page asks for the
// order's trades (oldest first), the next ones for the symbol's trades from the last id on,
// keeping the order's.
std::vector<VenueTrade> FuturesVenue::trades(const std::string& symbol,
                                             const std::string& venue_order_id) {
    std::vector<VenueTrade> out;
    Params page{
        {"symbol", symbol}, {"orderId", venue_order_id}, {"limit", std::to_string(kTradesLimit)}};
    for (;;) {
        nlohmann::json j = client_.call(signed_call("GET", "/fapi/v1/userTrades", page, 5));
        for (const auto& t : j)
            if (t.at("orderId").dump() == venue_order_id) out.push_back(parse_user_trade(t));
        if (j.size() < kTradesLimit) return out;
        page = {{"symbol", symbol},
                {"fromId", std::to_string(j.back().at("id").get<int64_t>() + 1)},
                {"limit", std::to_string(kTradesLimit)}};
    }
}

void FuturesVenue::cancel(const std::string& symbol, const std::string& client_id) {
    try {
        client_.call(signed_call("DELETE", "/fapi/v1/order",
                                 {{"symbol", symbol}, {"origClientOrderId", client_id}}, 1,
                                 Priority::Trading));
    } catch (const ApiError& e) {
        if (is_unknown_order(e))
            throw sdk::Error(OT_E_NOT_FOUND, "no open order '" + client_id + "': " + e.what());
        throw;
    }
}

std::vector<VenueOrder> FuturesVenue::open_orders(const std::string& symbol) {
    std::vector<VenueOrder> out;
    for (const auto& o :
         client_.call(signed_call("GET", "/fapi/v1/openOrders", {{"symbol", symbol}}, 1)))
        out.push_back(parse_order(o));
    for (const auto& o :
         client_.call(signed_call("GET", "/fapi/v1/openAlgoOrders", {{"symbol", symbol}}, 1)))
        out.push_back(parse_algo(o));
    return out;
}

void FuturesVenue::place_protection(const ProtectionOrder& p,
                                    const std::function<void(const std::string&)>& sending) {
    auto leg = [&](const char* type, const Decimal& trigger, const std::string& id) {
        sending(id);
        try {
            client_.call(placing_call("/fapi/v1/algoOrder",
                                      {{"algoType", "CONDITIONAL"},
                                       {"symbol", p.symbol},
                                       {"side", p.exit_side},
                                       {"type", type},
                                       {"triggerPrice", trigger.str()},
                                       {"closePosition", "true"},
                                       {"workingType", settings_.working_type},
                                       {"clientAlgoId", id}},
                                      0));
        } catch (const ApiError& e) {
            if (e.binance_code != kErrDuplicateClientId)
                throw;  // already resting from an earlier try
        }
    };
    if (p.stop_loss) leg("STOP_MARKET", *p.stop_loss, p.sl_id);
    if (p.take_profit) leg("TAKE_PROFIT_MARKET", *p.take_profit, p.tp_id);
}

std::optional<VenueOrder> FuturesVenue::query_leg(const std::string& symbol,
                                                  const std::string& client_id) {
    try {
        return parse_algo(client_.call(signed_call(
            "GET", "/fapi/v1/algoOrder", {{"symbol", symbol}, {"clientAlgoId", client_id}}, 1)));
    } catch (const ApiError& e) {
        if (e.binance_code == kErrNoSuchOrder) return std::nullopt;
        throw;
    }
}

std::map<std::string, VenueOrder> FuturesVenue::open_legs(const std::string& symbol) {
    std::map<std::string, VenueOrder> out;
    for (const auto& o :
         client_.call(signed_call("GET", "/fapi/v1/openAlgoOrders", {{"symbol", symbol}}, 1)))
        out[o.value("clientAlgoId", "")] = parse_algo(o);
    return out;
}

void FuturesVenue::cancel_protection(const ProtectionOrder& p) {
    for (const std::string* id : {&p.sl_id, &p.tp_id}) {
        if (id->empty()) continue;
        try {
            client_.call(signed_call("DELETE", "/fapi/v1/algoOrder",
                                     {{"symbol", p.symbol}, {"clientAlgoId", *id}}, 1,
                                     Priority::Trading));
        } catch (const ApiError& e) {
            if (!is_unknown_order(e)) throw;
        }
    }
}

std::vector<Venue::Balance> FuturesVenue::balances() {
    std::vector<Balance> out;
    std::map<std::string, double> entry_value;  // margin asset -> sum of qty * entry price
    for (const auto& p : client_.call(signed_call("GET", "/fapi/v3/positionRisk", {}, 5))) {
        double amt = number(p.at("positionAmt"));
        if (amt == 0) continue;
        double entry = number(p.at("entryPrice"));
        entry_value[p.value("marginAsset", "USDT")] += amt * entry;
        out.push_back({p.value("symbol", ""), amt, 0, entry, true});
    }
    for (const auto& b : client_.call(signed_call("GET", "/fapi/v3/balance", {}, 5))) {
        std::string asset = b.value("asset", "");
        double wallet = number(b.at("balance"));
        if (wallet == 0 && !entry_value.count(asset)) continue;
        // Cash as a spot-style ledger counts it: the wallet less what the open positions cost
        // at their entry price (the ledger moved cash by the notional of each fill).
        out.push_back({asset, wallet - entry_value[asset], 0, 0, false});
    }
    return out;
}

std::vector<FundingPayment> FuturesVenue::funding(int64_t from_ms) {
    std::vector<FundingPayment> out;
    for (int page = 0; page < kIncomePages; ++page) {
        nlohmann::json j = client_.call(signed_call("GET", "/fapi/v1/income",
                                                    {{"incomeType", "FUNDING_FEE"},
                                                     {"startTime", std::to_string(from_ms)},
                                                     {"limit", std::to_string(kIncomeLimit)}},
                                                    30));
        for (const auto& r : j)
            out.push_back(parse_funding(r));
        // startTime is inclusive: the next page starts at the last page's last millisecond.
        if (j.size() < kIncomeLimit || out.back().time_ms == from_ms) break;
        from_ms = out.back().time_ms;
    }
    return out;
}

}  // namespace orchestrade::plugins::binance
