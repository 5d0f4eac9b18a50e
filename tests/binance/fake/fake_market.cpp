#include "fake_state.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>

namespace orchestrade::testing::binance_fake {
namespace {

constexpr double kPi = 3.14159265358979323846;
constexpr int64_t kFundingEveryMs = 8 * 3600 * 1000;

int64_t interval_ms(const std::string& name) {
    static const std::map<std::string, int64_t> kIntervals = {
        {"1s", 1000},     {"1m", 60000},     {"3m", 180000},   {"5m", 300000},
        {"15m", 900000},  {"30m", 1800000},  {"1h", 3600000},  {"2h", 7200000},
        {"4h", 14400000}, {"6h", 21600000},  {"8h", 28800000}, {"12h", 43200000},
        {"1d", 86400000}, {"3d", 259200000}, {"1w", 604800000}};
    auto it = kIntervals.find(name);
    if (it == kIntervals.end()) throw ApiFailure(400, -1120, "Invalid interval.");
    return it->second;
}

std::string fixed(double v, int decimals = 8) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
    return buf;
}

bool multiple_of(double v, double step) {
    if (step <= 0) return true;
    double n = v / step;
    return std::fabs(n - std::round(n)) < 1e-6;
}

int64_t param_int(const Params& p, const std::string& key, int64_t fallback) {
    auto v = p.get(key);
    return v ? std::atoll(v->c_str()) : fallback;
}

}  // namespace

const SymbolSpec& FakeBinance::State::spec(const std::string& symbol) const {
    auto it = symbols.find(symbol);
    if (it == symbols.end()) throw ApiFailure(400, -1121, "Invalid symbol.");
    return it->second;
}

double FakeBinance::State::price_at(const std::string& symbol, int64_t ms) const {
    const SymbolSpec& s = spec(symbol);
    auto o = overrides.find(symbol);
    if (o != overrides.end() && ms >= o->second.first) return o->second.second;
    int64_t second = ms / 1000;
    double p = s.base_price * (1 + s.amplitude * std::sin(2 * kPi * static_cast<double>(second) /
                                                          static_cast<double>(s.period_s)));
    double tick = std::atof(s.tick.c_str());
    return tick > 0 ? std::round(p / tick) * tick : p;
}

double FakeBinance::State::mark_at(const std::string& symbol, int64_t ms) const {
    auto o = mark_overrides.find(symbol);
    if (o != mark_overrides.end() && ms >= o->second.first) return o->second.second;
    return price_at(symbol, ms);
}

json FakeBinance::State::klines(const Params& p) const {
    const std::string symbol = p.need("symbol");
    spec(symbol);
    const int64_t step = interval_ms(p.need("interval"));
    const int64_t limit = std::min<int64_t>(param_int(p, "limit", 500), 1500);
    const int64_t t = now();
    const int64_t current = t / step * step;  // the bar in progress
    int64_t end = std::min(param_int(p, "endTime", t), t);
    int64_t last = end / step * step;
    int64_t first;
    if (p.get("startTime")) {
        int64_t start = param_int(p, "startTime", 0);
        first = (start + step - 1) / step * step;
        last = std::min(last, first + (limit - 1) * step);
    } else {
        first = last - (limit - 1) * step;
    }
    json rows = json::array();
    for (int64_t open = first; open <= last && open <= current; open += step) {
        const int64_t until = std::min(open + step, t / 1000 * 1000 + 1000);  // seconds so far
        const int64_t sample = std::max<int64_t>(1000, step / 240 / 1000 * 1000);
        double hi = price_at(symbol, open), lo = hi;
        for (int64_t s = open; s < until; s += sample) {
            hi = std::max(hi, price_at(symbol, s));
            lo = std::min(lo, price_at(symbol, s));
        }
        double close = price_at(symbol, until - 1000);
        hi = std::max(hi, close);
        lo = std::min(lo, close);
        double volume = 10 + static_cast<double>((open / 1000) % 7);
        rows.push_back({open, fixed(price_at(symbol, open)), fixed(hi), fixed(lo), fixed(close),
                        fixed(volume), open + step - 1, fixed(volume * close), 42,
                        fixed(volume / 2), fixed(volume * close / 2), "0"});
    }
    return rows;
}

json FakeBinance::State::exchange_info(bool futures, const Params& p) const {
    std::vector<std::string> wanted;
    if (auto list = p.get("symbols")) {
        json names = json::parse(*list, nullptr, false);
        if (!names.is_array())
            throw ApiFailure(400, -1100, "Illegal characters found in parameter 'symbols'.");
        for (const auto& n : names)
            wanted.push_back(n.get<std::string>());
    } else if (auto one = p.get("symbol")) {
        wanted.push_back(*one);
    }
    for (const auto& w : wanted)
        spec(w);
    json out = {{"timezone", "UTC"},
                {"serverTime", now()},
                {"rateLimits",
                 {{{"rateLimitType", "REQUEST_WEIGHT"},
                   {"interval", "MINUTE"},
                   {"intervalNum", 1},
                   {"limit", weight_limit}},
                  {{"rateLimitType", "ORDERS"},
                   {"interval", "SECOND"},
                   {"intervalNum", 10},
                   {"limit", 100}}}},
                {"exchangeFilters", json::array()},
                {"symbols", json::array()}};
    for (const auto& [name, s] : symbols) {
        if (!wanted.empty() && std::find(wanted.begin(), wanted.end(), name) == wanted.end())
            continue;
        json filters = json::array();
        filters.push_back({{"filterType", "PRICE_FILTER"},
                           {"minPrice", s.tick},
                           {"maxPrice", "1000000"},
                           {"tickSize", s.tick}});
        filters.push_back({{"filterType", "LOT_SIZE"},
                           {"minQty", s.min_qty},
                           {"maxQty", s.max_qty},
                           {"stepSize", s.step}});
        filters.push_back({{"filterType", "MARKET_LOT_SIZE"},
                           {"minQty", s.min_qty},
                           {"maxQty", s.max_qty},
                           {"stepSize", s.step}});
        if (futures) {
            filters.push_back({{"filterType", "MIN_NOTIONAL"}, {"notional", s.min_notional}});
            filters.push_back(
                {{"filterType", "MAX_NUM_ALGO_ORDERS"}, {"limit", s.max_algo_orders}});
        } else {
            filters.push_back({{"filterType", "NOTIONAL"},
                               {"minNotional", s.min_notional},
                               {"applyMinToMarket", true},
                               {"maxNotional", "9000000"},
                               {"applyMaxToMarket", false},
                               {"avgPriceMins", 5}});
        }
        json sym = {{"symbol", name},
                    {"status", s.status},
                    {"baseAsset", s.base},
                    {"quoteAsset", s.quote},
                    {"filters", filters}};
        if (futures) {
            sym["contractType"] = "PERPETUAL";
            sym["marginAsset"] = s.quote;
            sym["orderTypes"] = {"LIMIT",       "MARKET",      "STOP",
                                 "STOP_MARKET", "TAKE_PROFIT", "TAKE_PROFIT_MARKET"};
        } else {
            sym["ocoAllowed"] = true;
            sym["orderTypes"] = {"LIMIT",           "LIMIT_MAKER", "MARKET",           "STOP_LOSS",
                                 "STOP_LOSS_LIMIT", "TAKE_PROFIT", "TAKE_PROFIT_LIMIT"};
        }
        out["symbols"].push_back(sym);
    }
    return out;
}

json FakeBinance::State::premium_index(const Params& p) const {
    const std::string symbol = p.need("symbol");
    const int64_t t = now();
    double price = price_at(symbol, t);
    return {{"symbol", symbol},
            {"markPrice", fixed(mark_at(symbol, t))},
            {"indexPrice", fixed(price * 0.9999)},
            {"estimatedSettlePrice", fixed(price)},
            {"lastFundingRate", "0.00010000"},
            {"interestRate", "0.00010000"},
            {"nextFundingTime", (t / kFundingEveryMs + 1) * kFundingEveryMs},
            {"time", t}};
}

json FakeBinance::State::funding_rates(const Params& p) const {
    const std::string symbol = p.need("symbol");
    spec(symbol);
    const int64_t limit = std::min<int64_t>(param_int(p, "limit", 100), 1000);
    const int64_t t = now();
    int64_t last = std::min(param_int(p, "endTime", t), t) / kFundingEveryMs;
    int64_t first = p.get("startTime")
                        ? (param_int(p, "startTime", 0) + kFundingEveryMs - 1) / kFundingEveryMs
                        : last - limit + 1;
    json rows = json::array();
    for (int64_t k = first; k <= last && static_cast<int64_t>(rows.size()) < limit; ++k)
        rows.push_back({{"symbol", symbol},
                        {"fundingTime", k * kFundingEveryMs},
                        {"fundingRate", fixed(0.0001 * (1 + std::sin(static_cast<double>(k))))},
                        {"markPrice", fixed(price_at(symbol, k * kFundingEveryMs))}});
    return rows;
}

json FakeBinance::State::open_interest(const Params& p) const {
    const std::string symbol = p.need("symbol");
    spec(symbol);
    const int64_t t = now();
    return {{"symbol", symbol},
            {"openInterest", fixed(1000 + static_cast<double>((t / 60000) % 100), 3)},
            {"time", t}};
}

void FakeBinance::State::evaluate() {
    evaluate_at(now());
}

void FakeBinance::State::evaluate_at(int64_t until) {
    // Second by second, so a level crossed between two requests still triggers, at the price
    // of that second.
    int64_t from = std::max(evaluated_ms / 1000 * 1000 + 1000, until - 3600 * 1000);
    std::vector<int64_t> moments;
    for (int64_t s = from; s <= until; s += 1000)
        moments.push_back(s);
    if (moments.empty() || moments.back() != until) moments.push_back(until);
    for (int64_t ms : moments) {
        for (std::size_t i = 0; i < orders.size(); ++i) {
            if (!orders[i].open()) continue;
            Order& o = orders[i];
            const double price = price_at(o.symbol, ms);
            if (o.pending_qty > 0) {
                if (ms < o.pending_due) continue;
                double rest = o.pending_qty;
                o.pending_qty = 0;
                if (o.expire_rest) {
                    if (o.futures) {
                        o.status = "EXPIRED";
                        o.update_time = ms;
                    } else {
                        spot_cancel(o, "EXPIRED");
                    }
                } else if (o.futures) {
                    futures_fill(o, rest, price);
                } else {
                    spot_fill(o, rest, price, false);
                }
                continue;
            }
            if (o.algo) {
                bool sell = o.side == "SELL";
                bool stop = o.type == "STOP_MARKET";
                const double level = trigger_price_at(o.symbol, o.working_type, ms);
                bool hit = stop ? (sell ? level <= o.stop_price : level >= o.stop_price)
                                : (sell ? level >= o.stop_price : level <= o.stop_price);
                if (hit) futures_trigger(orders[i], price);
                continue;
            }
            if (o.futures) {
                if (o.type == "LIMIT" && (o.side == "BUY" ? price <= o.price : price >= o.price))
                    futures_fill(o, o.orig_qty - o.executed_qty, o.price);
                continue;
            }
            spot_trigger(o, price);
        }
    }
    evaluated_ms = std::max(evaluated_ms, until);
}

Order* FakeBinance::State::find_client(bool futures, bool algo, const std::string& symbol,
                                       const std::string& id) {
    for (auto it = orders.rbegin(); it != orders.rend(); ++it)
        if (it->futures == futures && it->algo == algo && it->symbol == symbol &&
            it->client_id == id)
            return &*it;
    return nullptr;
}

std::optional<std::string> FakeBinance::State::client_id(const Params& p, const std::string& key,
                                                         bool futures) const {
    std::optional<std::string> id = p.get(key);
    if (!id) return id;
    bool legal = !id->empty() && id->size() <= 36;
    for (char c : *id)
        legal &= std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' ||
                 (futures && (c == '.' || c == ':' || c == '/'));
    if (!legal)
        throw ApiFailure(400, -1100,
                         "Illegal characters found in parameter '" + key + "'; legal range is '" +
                             (futures ? "^[\\.A-Z\\:/a-z0-9_-]{1,36}$" : "^[a-zA-Z0-9-_]{1,36}$") +
                             "'.");
    return id;
}

Order* FakeBinance::State::find_open_client(bool futures, bool algo, const std::string& symbol,
                                            const std::string& id) {
    Order* o = find_client(futures, algo, symbol, id);
    return o && o->open() ? o : nullptr;
}

std::vector<double> FakeBinance::State::trade_sizes(double qty) const {
    const int n = std::max(1, trades_per_fill);
    const double piece = std::floor(qty / n * 1e8 + 1e-6) / 1e8;
    std::vector<double> sizes(static_cast<std::size_t>(n - 1), piece);
    sizes.push_back(qty - piece * (n - 1));
    return sizes;
}

Trade FakeBinance::State::trade_of(const Order& o, double price, double size) {
    Trade t;
    t.futures = o.futures;
    t.id = next_trade_id++;
    t.order_id = o.order_id;
    t.symbol = o.symbol;
    t.side = o.side;
    t.price = price;
    t.qty = size;
    t.time = now();
    return t;
}

std::vector<const Trade*> FakeBinance::State::trade_page(bool futures, const Params& p) const {
    const std::string symbol = p.need("symbol");
    spec(symbol);
    const auto order_id = p.get("orderId"), from_id = p.get("fromId");
    // Futures document orderId only with symbol: the combination with fromId is refused here, so
    // the executor is held to what is documented.
    if (futures && order_id && from_id)
        throw ApiFailure(400, -1128, "Combination of optional parameters invalid.");
    const int64_t limit = std::atoll(p.get("limit").value_or("500").c_str());
    if (limit < 1 || limit > 1000)
        throw ApiFailure(400, -1130, "Data sent for parameter 'limit' is not valid.");
    const int64_t from = from_id ? std::atoll(from_id->c_str()) : 0;
    std::vector<const Trade*> found;
    for (const Trade& t : trades)
        if (t.futures == futures && t.symbol == symbol && t.id >= from &&
            (!order_id || std::to_string(t.order_id) == *order_id))
            found.push_back(&t);
    const auto n = static_cast<std::ptrdiff_t>(std::min<std::size_t>(found.size(), limit));
    const bool oldest_first = from_id || order_id;
    return {oldest_first ? found.begin() : found.end() - n,
            oldest_first ? found.begin() + n : found.end()};
}

void FakeBinance::State::check_filters(const SymbolSpec& s, bool futures, bool market, double qty,
                                       double price, bool reduce_only) const {
    const char* lot = market ? "Filter failure: MARKET_LOT_SIZE" : "Filter failure: LOT_SIZE";
    if (futures) {  // USD-M answers the quantity range with codes of its own
        if (!(qty > 0)) throw ApiFailure(400, -4003, "Quantity less than or equal to zero.");
        if (qty < std::atof(s.min_qty.c_str()) - 1e-12)
            throw ApiFailure(400, -4004, "Quantity less than min quantity.");
        if (qty > std::atof(s.max_qty.c_str()) + 1e-12)
            throw ApiFailure(400, -4005, "Quantity greater than max quantity.");
    }
    if (!(qty > 0) || !multiple_of(qty, std::atof(s.step.c_str())) ||
        qty < std::atof(s.min_qty.c_str()) - 1e-12 || qty > std::atof(s.max_qty.c_str()))
        throw ApiFailure(400, -1013, lot);
    if (!market && (!(price > 0) || !multiple_of(price, std::atof(s.tick.c_str()))))
        throw ApiFailure(400, -1013, "Filter failure: PRICE_FILTER");
    double min_notional = std::atof(s.min_notional.c_str());
    if (qty * price < min_notional - 1e-9) {
        if (!futures) throw ApiFailure(400, -1013, "Filter failure: NOTIONAL");
        if (!reduce_only)
            throw ApiFailure(400, -4164,
                             "Order's notional must be no smaller than " + s.min_notional +
                                 " (unless you choose reduce only).");
    }
}

json FakeBinance::State::order_json(const Order& o) const {
    json j = {{"symbol", o.symbol},
              {"orderId", o.order_id},
              {"clientOrderId", o.client_id},
              {"price", fixed(o.price)},
              {"origQty", fixed(o.orig_qty)},
              {"executedQty", fixed(o.executed_qty)},
              {"status", o.status},
              {"timeInForce", o.tif.empty() ? "GTC" : o.tif},
              {"type", o.type},
              {"side", o.side},
              {"stopPrice", fixed(o.stop_price)},
              {"time", o.time},
              {"updateTime", o.update_time}};
    if (o.futures) {
        j["avgPrice"] = fixed(o.executed_qty > 0 ? o.cum_quote / o.executed_qty : 0);
        j["cumQuote"] = fixed(o.cum_quote);
        j["reduceOnly"] = o.reduce_only;
        j["closePosition"] = o.close_position;
        j["positionSide"] = "BOTH";
        j["origType"] = o.type;
    } else {
        j["orderListId"] = o.list_id;
        j["cummulativeQuoteQty"] = fixed(o.cum_quote);
        j["isWorking"] = o.open();
        j["transactTime"] = o.time;
    }
    return j;
}

Order& FakeBinance::State::add_order(Order o) {
    o.order_id = next_order_id++;
    o.time = o.update_time = now();
    ++submissions[o.client_id];
    orders.push_back(std::move(o));
    return orders.back();
}

}  // namespace orchestrade::testing::binance_fake
