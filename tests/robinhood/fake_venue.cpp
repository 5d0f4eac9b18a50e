#include "fake_venue.hpp"

#include <cctype>
#include <cstdio>
#include <ctime>
#include <regex>

namespace orchestrade::testing::robinhood {
namespace {

// Exact decimal: digits * 10^-scale, in 128 bits.
struct Exact {
    __int128 digits = 0;
    int scale = 0;
};

std::optional<Exact> exact(const std::string& text) {
    Exact e;
    bool dot = false;
    bool any = false;
    for (char c : text) {
        if (c == '.' && !dot) {
            dot = true;
        } else if (std::isdigit(static_cast<unsigned char>(c)) && e.scale < 30) {
            e.digits = e.digits * 10 + (c - '0');
            e.scale += dot;
            any = true;
        } else {
            return std::nullopt;
        }
    }
    if (!any) return std::nullopt;
    return e;
}

__int128 scaled(const Exact& e, int scale) {
    __int128 v = e.digits;
    for (int i = e.scale; i < scale; ++i)
        v *= 10;
    return v;
}

std::string text(double v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.18f", v);  // padded to 18 places, as the venue sends
    return buf;
}

FakeRefusal refusal(const std::string& detail, const std::string& attr = "non_field_errors") {
    return {400, json{{"type", "validation_error"},
                      {"errors", json::array({json{{"detail", detail}, {"attr", attr}}})}}};
}

double number(const json& config, const char* key) {
    return std::stod(config.at(key).get<std::string>());
}

}  // namespace

std::string iso8601(int64_t ms) {
    std::time_t secs = static_cast<std::time_t>(ms / 1000);
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char buf[64];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03d000+00:00", tm.tm_year + 1900,
                  tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                  static_cast<int>(ms % 1000));
    return buf;
}

bool is_multiple_of(const std::string& value, const std::string& step) {
    std::optional<Exact> v = exact(value), s = exact(step);
    if (!v || !s || s->digits == 0) return false;
    int scale = std::max(v->scale, s->scale);
    return scaled(*v, scale) % scaled(*s, scale) == 0;
}

double FakeOrder::filled() const {
    double sum = 0;
    for (const FakeExecution& e : executions)
        sum += e.qty;
    return sum;
}

json FakeOrder::to_json() const {
    json out{{"id", id},
             {"account_number", "FAKE0001"},
             {"symbol", symbol},
             {"client_order_id", client_order_id},
             {"side", side},
             {"type", type},
             {"state", state},
             {"filled_asset_quantity", text(filled())},
             {"created_at", iso8601(created_ms)},
             {"updated_at", iso8601(updated_ms)},
             {"executions", json::array()}};
    double notional = 0;
    for (const FakeExecution& e : executions) {
        out["executions"].push_back({{"effective_price", text(e.price)},
                                     {"quantity", text(e.qty)},
                                     {"timestamp", iso8601(e.time_ms)}});
        notional += e.price * e.qty;
    }
    out["average_price"] = executions.empty() ? json() : json(notional / filled());
    out[type + "_order_config"] = config;
    return out;
}

FakeVenue::FakeVenue() {
    pairs_["BTC-USD"] = {
        "BTC-USD", "0.000000010000000000", "0.010000000000000000", "0.000001", "20", true};
    pairs_["ETH-USD"] = {"ETH-USD", "0.000001", "0.01", "0.0001", "500", true};
    pairs_["DOGE-USD"] = {"DOGE-USD", "1", "0.000001", "1", "1000000", true};
}

std::string FakeVenue::asset_of(const std::string& symbol) const {
    return symbol.substr(0, symbol.find('-'));
}

double FakeVenue::bid(const std::string& symbol) const {
    auto it = quotes_.find(symbol);
    return it == quotes_.end() ? 0 : it->second.first;
}

double FakeVenue::ask(const std::string& symbol) const {
    auto it = quotes_.find(symbol);
    return it == quotes_.end() ? 0 : it->second.second;
}

double FakeVenue::held_cash() const {
    double held = 0;
    for (const FakeOrder& o : orders_) {
        if (o.side != "buy" || (o.state != "open" && o.state != "partially_filled")) continue;
        double price = o.limit_price  ? *o.limit_price
                       : o.stop_price ? *o.stop_price
                                      : ask(o.symbol);
        held += o.remaining() * price;
    }
    return held;
}

double FakeVenue::buying_power() const {
    return cash_ - held_cash();
}

double FakeVenue::holding(const std::string& asset) const {
    auto it = holdings_.find(asset);
    return it == holdings_.end() ? 0 : it->second;
}

double FakeVenue::available(const std::string& asset) const {
    double held = 0;
    for (const FakeOrder& o : orders_)
        if (o.side == "sell" && asset_of(o.symbol) == asset &&
            (o.state == "open" || o.state == "partially_filled"))
            held += o.remaining();
    return holding(asset) - held;
}

const FakeOrder* FakeVenue::find(const std::string& id) const {
    for (const FakeOrder& o : orders_)
        if (o.id == id) return &o;
    return nullptr;
}

std::optional<FakeRefusal> FakeVenue::place(const json& body, int64_t now_ms) {
    static const std::regex kUuid("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$");
    static const char* kConfigs[] = {"market_order_config", "limit_order_config",
                                     "stop_loss_order_config", "stop_limit_order_config"};
    if (!body.is_object()) return refusal("Expected a JSON object.");
    FakeOrder o;
    o.client_order_id = body.value("client_order_id", "");
    o.side = body.value("side", "");
    o.type = body.value("type", "");
    o.symbol = body.value("symbol", "");
    if (!std::regex_match(o.client_order_id, kUuid))
        return refusal("Must be a valid UUID.", "client_order_id");
    for (const FakeOrder& other : orders_) {
        if (other.client_order_id == o.client_order_id) {
            ++duplicates_;
            return refusal("An order with this client_order_id already exists.", "client_order_id");
        }
    }
    if (o.side != "buy" && o.side != "sell") return refusal("Invalid side.", "side");
    auto pair = pairs_.find(o.symbol);
    if (pair == pairs_.end()) return refusal("Invalid symbol.", "symbol");
    if (!pair->second.tradable) return refusal("Trading pair is not tradable.", "symbol");
    int configs = 0;
    for (const char* key : kConfigs)
        configs += body.contains(key);
    const std::string config_key = o.type + "_order_config";
    if (configs != 1 || !body.contains(config_key) || !body[config_key].is_object())
        return refusal("Exactly one order config matching the type is required.", "type");
    o.config = body[config_key];
    if (o.config.contains("quote_amount"))
        return refusal("This fake takes asset_quantity only.", "quote_amount");
    if (!o.config.contains("asset_quantity") || !o.config["asset_quantity"].is_string())
        return refusal("This field is required.", "asset_quantity");
    const FakePair& p = pair->second;
    const std::string qty = o.config["asset_quantity"];
    if (!is_multiple_of(qty, p.asset_increment))
        return refusal("Quantity must be a multiple of " + p.asset_increment + ".",
                       "asset_quantity");
    o.qty = std::stod(qty);
    if (o.qty < std::stod(p.min_order_size) || o.qty > std::stod(p.max_order_size))
        return refusal("Quantity is outside the allowed order size.", "asset_quantity");
    for (const char* key : {"limit_price", "stop_price"}) {
        if (!o.config.contains(key)) continue;
        if (!o.config[key].is_string() || !is_multiple_of(o.config[key], p.quote_increment))
            return refusal("Price must be a multiple of " + p.quote_increment + ".", key);
    }
    if (o.type == "limit" || o.type == "stop_limit") {
        if (!o.config.contains("limit_price"))
            return refusal("This field is required.", "limit_price");
        o.limit_price = number(o.config, "limit_price");
    }
    if (o.type == "stop_loss" || o.type == "stop_limit") {
        if (!o.config.contains("stop_price"))
            return refusal("This field is required.", "stop_price");
        o.stop_price = number(o.config, "stop_price");
    }
    if (o.type != "market" && o.config.value("time_in_force", "gtc") != "gtc")
        return refusal("Invalid time_in_force.", "time_in_force");
    if (o.type == "market" && !has_quote(o.symbol)) return refusal("No price for this symbol.");
    if (o.side == "buy") {
        double price = o.limit_price  ? *o.limit_price
                       : o.stop_price ? *o.stop_price
                                      : ask(o.symbol);
        if (o.qty * price > buying_power() + 1e-9) return refusal("Insufficient buying power.");
    } else if (o.qty > available(asset_of(o.symbol)) + 1e-12) {
        return refusal("Insufficient holdings.");
    }
    o.id = "00000000-0000-4000-8000-" +
           std::string(12 - std::to_string(orders_.size() + 1).size(), '0') +
           std::to_string(orders_.size() + 1);
    o.created_ms = o.updated_ms = now_ms;
    orders_.push_back(std::move(o));
    match(orders_.back(), now_ms);
    return std::nullopt;
}

int FakeVenue::cancel(const std::string& id, int64_t now_ms) {
    for (FakeOrder& o : orders_) {
        if (o.id != id) continue;
        if (o.state != "open" && o.state != "partially_filled") return 400;
        o.cancel_pending = true;
        if (!cancels_pending_) complete_cancels(now_ms);
        return 200;
    }
    return 404;
}

void FakeVenue::complete_cancels(int64_t now_ms) {
    for (FakeOrder& o : orders_) {
        if (!o.cancel_pending || (o.state != "open" && o.state != "partially_filled")) continue;
        o.state = "canceled";
        o.updated_ms = now_ms;
    }
}

void FakeVenue::set_quote(const std::string& symbol, double bid, double ask, int64_t now_ms) {
    quotes_[symbol] = {bid, ask};
    for (FakeOrder& o : orders_)
        if (o.symbol == symbol) match(o, now_ms);
}

void FakeVenue::match(FakeOrder& o, int64_t now_ms) {
    if ((o.state != "open" && o.state != "partially_filled") || !has_quote(o.symbol)) return;
    const bool buy = o.side == "buy";
    const double market = buy ? ask(o.symbol) : bid(o.symbol);
    if (o.type == "market") return execute(o, o.remaining(), market, now_ms);
    if (o.stop_price && !o.stop_triggered)
        o.stop_triggered = buy ? market >= *o.stop_price : market <= *o.stop_price;
    if (o.stop_price && !o.stop_triggered) return;
    if (o.limit_price && (buy ? market > *o.limit_price : market < *o.limit_price)) return;
    const bool split = split_fills_ && o.executions.empty();
    execute(o, split ? o.remaining() / 2 : o.remaining(), market, now_ms);
}

void FakeVenue::execute(FakeOrder& o, double qty, double price, int64_t now_ms) {
    o.executions.push_back({price, qty, now_ms});
    const std::string asset = asset_of(o.symbol);
    if (o.side == "buy") {
        cash_ -= qty * price;
        holdings_[asset] += qty;
    } else {
        cash_ += qty * price;
        holdings_[asset] -= qty;
    }
    o.state = o.remaining() <= 1e-12 * o.qty ? "filled" : "partially_filled";
    o.updated_ms = now_ms;
}

}  // namespace orchestrade::testing::robinhood
