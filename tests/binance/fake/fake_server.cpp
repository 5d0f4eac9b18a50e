#include "fake_state.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>

namespace orchestrade::testing::binance_fake {

std::string hmac_hex(const std::string& key, const std::string& msg) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
         reinterpret_cast<const unsigned char*>(msg.data()), msg.size(), digest, &len);
    static const char hex[] = "0123456789abcdef";
    std::string out;
    for (unsigned i = 0; i < len; ++i) {
        out += hex[digest[i] >> 4];
        out += hex[digest[i] & 15];
    }
    return out;
}

namespace {

int64_t wall_clock_ms() {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

std::string percent_decode(const std::string& s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '%' && i + 2 < s.size()) {
            out += static_cast<char>(std::strtol(s.substr(i + 1, 2).c_str(), nullptr, 16));
            i += 2;
        } else {
            out += s[i] == '+' ? ' ' : s[i];
        }
    }
    return out;
}

void parse_into(const std::string& text, Params& p) {
    std::size_t pos = 0;
    while (pos < text.size()) {
        std::size_t amp = text.find('&', pos);
        if (amp == std::string::npos) amp = text.size();
        std::string item = text.substr(pos, amp - pos);
        std::size_t eq = item.find('=');
        if (!item.empty())
            p.add(percent_decode(item.substr(0, eq)),
                  eq == std::string::npos ? "" : percent_decode(item.substr(eq + 1)));
        pos = amp + 1;
    }
}

// Splits "...&signature=xyz" off text; returns the signature ("" when absent).
std::string cut_signature(std::string& text) {
    std::size_t at = text.rfind("signature=");
    if (at == std::string::npos || (at != 0 && text[at - 1] != '&')) return {};
    std::string sig = text.substr(at + 10);
    text.erase(at == 0 ? 0 : at - 1);
    return sig;
}

bool ed25519_verify(const std::string& public_key, const std::string& msg,
                    const std::string& sig_b64) {
    std::string sig(sig_b64.size(), '\0');
    int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(sig.data()),
                            reinterpret_cast<const unsigned char*>(sig_b64.data()),
                            static_cast<int>(sig_b64.size()));
    if (n < 64) return false;
    sig.resize(64);
    EVP_PKEY* key = EVP_PKEY_new_raw_public_key(
        EVP_PKEY_ED25519, nullptr, reinterpret_cast<const unsigned char*>(public_key.data()),
        public_key.size());
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    bool ok = key && ctx && EVP_DigestVerifyInit(ctx, nullptr, nullptr, nullptr, key) == 1 &&
              EVP_DigestVerify(ctx, reinterpret_cast<const unsigned char*>(sig.data()), 64,
                               reinterpret_cast<const unsigned char*>(msg.data()), msg.size()) == 1;
    EVP_MD_CTX_free(ctx);
    EVP_PKEY_free(key);
    return ok;
}

bool lower_equal(std::string a, std::string b) {
    std::transform(a.begin(), a.end(), a.begin(), ::tolower);
    std::transform(b.begin(), b.end(), b.begin(), ::tolower);
    return a == b;
}

bool is_public(const std::string& path) {
    static const char* const kPublic[] = {
        "/api/v3/ping",          "/api/v3/time",          "/api/v3/exchangeInfo",
        "/api/v3/klines",        "/api/v3/ticker/price",  "/fapi/v1/ping",
        "/fapi/v1/time",         "/fapi/v1/exchangeInfo", "/fapi/v1/klines",
        "/fapi/v1/premiumIndex", "/fapi/v1/fundingRate",  "/fapi/v1/openInterest",
        "/fapi/v1/ticker/price"};
    for (const char* p : kPublic)
        if (path == p) return true;
    return false;
}

}  // namespace

// ---- Params ---------------------------------------------------------------------------------

std::optional<std::string> Params::get(const std::string& key) const {
    for (const auto& [k, v] : items_)  // the first occurrence wins, as for query over body
        if (k == key) return v;
    return std::nullopt;
}

std::string Params::need(const std::string& key) const {
    auto v = get(key);
    if (!v || v->empty())
        throw ApiFailure(400, -1102,
                         "Mandatory parameter '" + key +
                             "' was not sent, was empty/null, or "
                             "malformed.");
    return *v;
}

double Params::number(const std::string& key) const {
    std::string v = need(key);
    char* end = nullptr;
    double d = std::strtod(v.c_str(), &end);
    if (end == v.c_str() || *end != '\0')
        throw ApiFailure(400, -1100, "Illegal characters found in parameter '" + key + "'.");
    return d;
}

int endpoint_weight(const std::string& method, const std::string& path, const Params& p) {
    bool has_symbol = p.get("symbol").has_value();
    if (path == "/api/v3/exchangeInfo" || path == "/api/v3/account") return 20;
    if (path == "/api/v3/myTrades") return p.get("orderId") ? 5 : 20;
    if (path == "/api/v3/klines" || path == "/api/v3/ticker/price") return 2;
    if (path == "/api/v3/order" || path == "/api/v3/orderList") return method == "GET" ? 4 : 1;
    if (path == "/api/v3/openOrders") return has_symbol ? 6 : 80;
    if (path == "/fapi/v3/balance" || path == "/fapi/v3/positionRisk" ||
        path == "/fapi/v1/userTrades")
        return 5;
    if (path == "/fapi/v1/positionSide/dual" || path == "/fapi/v1/income") return 30;
    if (path == "/fapi/v1/klines") {
        int limit = std::atoi(p.get("limit").value_or("500").c_str());
        return limit < 100 ? 1 : limit < 500 ? 2 : limit <= 1000 ? 5 : 10;
    }
    if ((path == "/fapi/v1/order" || path == "/fapi/v1/algoOrder") && method == "POST") return 0;
    if (path == "/fapi/v1/openOrders" || path == "/fapi/v1/openAlgoOrders")
        return has_symbol ? 1 : 40;
    return 1;
}

// ---- plumbing -------------------------------------------------------------------------------

void FakeBinance::State::start() {
    auto handler = [this](const httplib::Request& req, httplib::Response& res) {
        std::optional<Fault> latency;
        {
            std::lock_guard lock(mutex);
            latency = take_fault(FaultKind::Latency, req.method, req.path);
        }
        if (latency && !latency->delay_after)
            std::this_thread::sleep_for(std::chrono::milliseconds(latency->delay_ms));
        Reply reply = dispatch(req);
        if (latency && latency->delay_after)
            std::this_thread::sleep_for(std::chrono::milliseconds(latency->delay_ms));
        for (const auto& [k, v] : reply.headers)
            res.set_header(k, v);
        res.status = reply.status;
        std::string body = reply.body.dump();
        if (reply.drop) {
            // Headers go out, the body never does: the client sees the connection close.
            res.set_content_provider(body.size(), "application/json",
                                     [](size_t, size_t, httplib::DataSink&) { return false; });
            return;
        }
        res.set_content(body, "application/json");
    };
    server.Get(R"(/.*)", handler);
    server.Post(R"(/.*)", handler);
    server.Delete(R"(/.*)", handler);
    port = server.bind_to_any_port("127.0.0.1");
    thread = std::thread([this] { server.listen_after_bind(); });
    // stop() before the accept loop runs would be lost and leave the thread blocked.
    while (!server.is_running())
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

std::optional<Fault> FakeBinance::State::take_fault(FaultKind kind, const std::string& method,
                                                    const std::string& path,
                                                    const std::string& query) {
    for (auto it = faults.begin(); it != faults.end(); ++it) {
        if (it->kind != kind) continue;
        if (!it->method.empty() && it->method != method) continue;
        if (!it->path.empty() && path.rfind(it->path, 0) != 0) continue;
        if (!it->query.empty() && query.find(it->query) == std::string::npos) continue;
        Fault f = *it;
        if (--it->count <= 0) faults.erase(it);
        return f;
    }
    return std::nullopt;
}

void FakeBinance::State::authenticate(const httplib::Request& req, const Params& p,
                                      bool keyed_only) {
    std::string api_key = req.get_header_value("X-MBX-APIKEY");
    auto key = keys.find(api_key);
    if (api_key.empty() || key == keys.end())
        throw ApiFailure(401, -2015, "Invalid API-key, IP, or permissions for action.");
    if (keyed_only) return;
    std::string query = req.target.find('?') == std::string::npos
                            ? std::string()
                            : req.target.substr(req.target.find('?') + 1);
    std::string body = req.body;
    std::string sig = cut_signature(body);
    if (sig.empty()) sig = cut_signature(query);
    if (sig.empty())
        throw ApiFailure(
            400, -1102,
            "Mandatory parameter 'signature' was not sent, was empty/null, or malformed.");
    const std::string payload = query + body;
    bool ok = key->second.ed25519 ? ed25519_verify(key->second.secret, payload, percent_decode(sig))
                                  : lower_equal(hmac_hex(key->second.secret, payload), sig);
    if (!ok) throw ApiFailure(400, -1022, "Signature for this request is not valid.");
    int64_t ts = std::atoll(p.need("timestamp").c_str());
    int64_t window = std::atoll(p.get("recvWindow").value_or("5000").c_str());
    if (window > 60000) throw ApiFailure(400, -1131, "recvWindow must be less than 60000");
    int64_t server = now();
    if (ts >= server + 1000)
        throw ApiFailure(400, -1021,
                         "Timestamp for this request was 1000ms ahead of the server's time.");
    if (server - ts > window)
        throw ApiFailure(400, -1021, "Timestamp for this request is outside of the recvWindow.");
}

Reply FakeBinance::State::dispatch(const httplib::Request& req) {
    std::lock_guard lock(mutex);
    const std::string query = req.target.find('?') == std::string::npos
                                  ? std::string()
                                  : req.target.substr(req.target.find('?') + 1);
    RequestView view{req.method, req.path, query, req.body, 0};
    Params p;
    parse_into(query, p);  // query first: its values win
    parse_into(req.body, p);
    Reply reply;
    const int64_t t = now();
    try {
        // Bans and pauses first: a client that keeps going after a 429 gets banned.
        if (t < banned_until) {
            reply.status = 418;
            reply.headers.push_back(
                {"Retry-After", std::to_string((banned_until - t + 999) / 1000)});
            throw ApiFailure(418, -1003, "Way too many requests; IP banned.");
        }
        if (t < paused_until) {
            banned_until = t + ban_s * 1000;
            reply.status = 418;
            reply.headers.push_back({"Retry-After", std::to_string(ban_s)});
            throw ApiFailure(418, -1003, "Way too many requests; IP banned.");
        }
        int64_t window = t / 60000;
        if (window != weight_window) {
            weight_window = window;
            weight_used = 0;
        }
        const int weight = endpoint_weight(req.method, req.path, p);
        if (auto f = take_fault(FaultKind::RateLimit, req.method, req.path, query)) {
            paused_until = t + f->retry_after_s * 1000;
            ban_s = f->ban_s;
            reply.headers.push_back({"Retry-After", std::to_string(f->retry_after_s)});
            throw ApiFailure(429, -1003,
                             "Too many requests; please use the websocket for live updates.");
        }
        if (weight_used + weight > weight_limit) {
            int64_t retry = (window + 1) * 60 - t / 1000;
            paused_until = (window + 1) * 60000;
            reply.headers.push_back({"Retry-After", std::to_string(retry)});
            throw ApiFailure(429, -1003,
                             "Too much request weight used; current limit is " +
                                 std::to_string(weight_limit) + " request weight per 1 MINUTE.");
        }
        weight_used += weight;
        if (auto f = take_fault(FaultKind::ErrorBefore, req.method, req.path, query)) {
            if (f->status == 418 || f->status == 429)
                reply.headers.push_back({"Retry-After", std::to_string(f->retry_after_s)});
            throw ApiFailure(f->status, 0, f->body);
        }
        if (!is_public(req.path)) authenticate(req, p, false);
        evaluate();
        if (auto f = take_fault(FaultKind::PriceJump, req.method, req.path, query))
            overrides[f->symbol] = {t, f->price};
        Reply handled = req.path.rfind("/api/", 0) == 0 ? spot(req.method, req.path, p)
                                                        : futures(req.method, req.path, p);
        handled.headers.insert(handled.headers.end(), reply.headers.begin(), reply.headers.end());
        reply = std::move(handled);
        if (auto f = take_fault(FaultKind::ErrorAfter, req.method, req.path, query)) {
            reply.status = f->status;
            reply.body = json::parse(f->body, nullptr, false);
            if (reply.body.is_discarded()) reply.body = f->body;
        }
        if (take_fault(FaultKind::Drop, req.method, req.path, query)) reply.drop = true;
    } catch (const ApiFailure& e) {
        reply.status = e.status;
        if (e.code == 0) {
            json parsed = json::parse(e.what(), nullptr, false);
            reply.body = parsed.is_discarded() ? json(e.what()) : parsed;
        } else {
            reply.body = {{"code", e.code}, {"msg", e.what()}};
        }
    }
    reply.headers.push_back({"X-MBX-USED-WEIGHT-1M", std::to_string(weight_used)});
    view.status = reply.status;
    requests.push_back(std::move(view));
    return reply;
}

// ---- FakeBinance ----------------------------------------------------------------------------

FakeBinance::FakeBinance(Clock clock) : state_(std::make_unique<State>()) {
    state_->clock = clock ? std::move(clock) : Clock(&wall_clock_ms);
    state_->evaluated_ms = state_->now();
    state_->start();
}

FakeBinance::~FakeBinance() {
    state_->server.stop();
    if (state_->thread.joinable()) state_->thread.join();
}

std::string FakeBinance::url() const {
    return "http://127.0.0.1:" + std::to_string(state_->port);
}

void FakeBinance::add_symbol(const SymbolSpec& spec) {
    std::lock_guard lock(state_->mutex);
    state_->symbols[spec.symbol] = spec;
}

void FakeBinance::remove_symbol(const std::string& symbol) {
    std::lock_guard lock(state_->mutex);
    state_->evaluate();
    for (Order& o : state_->orders) {
        if (o.symbol != symbol || !o.open()) continue;
        if (o.futures) {
            o.status = "CANCELED";
            o.update_time = state_->now();
        } else {
            state_->spot_cancel(o, "CANCELED");
        }
    }
    state_->symbols.erase(symbol);
}

void FakeBinance::add_hmac_key(const std::string& api_key, const std::string& secret) {
    std::lock_guard lock(state_->mutex);
    state_->keys[api_key] = {false, secret};
}

void FakeBinance::add_ed25519_key(const std::string& api_key, const std::string& public_key) {
    std::lock_guard lock(state_->mutex);
    state_->keys[api_key] = {true, public_key};
}

void FakeBinance::set_spot_balance(const std::string& asset, double free) {
    std::lock_guard lock(state_->mutex);
    state_->spot_free[asset] = free;
}

double FakeBinance::spot_balance(const std::string& asset) const {
    std::lock_guard lock(state_->mutex);
    auto f = state_->spot_free.find(asset);
    auto l = state_->spot_locked.find(asset);
    return (f == state_->spot_free.end() ? 0 : f->second) +
           (l == state_->spot_locked.end() ? 0 : l->second);
}

double FakeBinance::spot_locked(const std::string& asset) const {
    std::lock_guard lock(state_->mutex);
    auto l = state_->spot_locked.find(asset);
    return l == state_->spot_locked.end() ? 0 : l->second;
}

void FakeBinance::set_futures_wallet(const std::string& asset, double amount) {
    std::lock_guard lock(state_->mutex);
    state_->wallet[asset] = amount;
}

double FakeBinance::futures_wallet(const std::string& asset) const {
    std::lock_guard lock(state_->mutex);
    auto it = state_->wallet.find(asset);
    return it == state_->wallet.end() ? 0 : it->second;
}

Position FakeBinance::futures_position(const std::string& symbol) const {
    std::lock_guard lock(state_->mutex);
    state_->evaluate();
    auto it = state_->positions.find(symbol);
    return it == state_->positions.end() ? Position{} : it->second;
}

void FakeBinance::set_dual_side(bool on) {
    std::lock_guard lock(state_->mutex);
    state_->dual_side = on;
}

void FakeBinance::set_max_algo_orders(const std::string& symbol, int limit) {
    std::lock_guard lock(state_->mutex);
    state_->symbols.at(symbol).max_algo_orders = limit;
}

void FakeBinance::settle_funding(const std::string& symbol, double rate) {
    std::lock_guard lock(state_->mutex);
    state_->evaluate();
    state_->settle_funding(symbol, rate);
}

int FakeBinance::leverage(const std::string& symbol) const {
    std::lock_guard lock(state_->mutex);
    auto it = state_->leverage.find(symbol);
    return it == state_->leverage.end() ? 20 : it->second;
}

void FakeBinance::set_commission(double spot, double futures) {
    std::lock_guard lock(state_->mutex);
    state_->spot_fee = spot;
    state_->futures_fee = futures;
}

void FakeBinance::set_trades_per_fill(int trades) {
    std::lock_guard lock(state_->mutex);
    state_->trades_per_fill = trades;
}

void FakeBinance::set_price(const std::string& symbol, double price) {
    std::lock_guard lock(state_->mutex);
    state_->evaluate();
    state_->overrides[symbol] = {state_->now(), price};
    state_->evaluate_at(state_->now());
}

void FakeBinance::set_mark_price(const std::string& symbol, double price) {
    std::lock_guard lock(state_->mutex);
    state_->evaluate();
    state_->mark_overrides[symbol] = {state_->now(), price};
    state_->evaluate_at(state_->now());
}

void FakeBinance::take_from(const std::string& symbol, const std::string& client_id, double qty) {
    std::lock_guard lock(state_->mutex);
    state_->evaluate();
    Order* o = state_->find_open_client(false, false, symbol, client_id);
    if (!o || (o->type != "LIMIT" && o->type != "LIMIT_MAKER"))
        throw std::invalid_argument("take_from: no resting limit order " + client_id);
    state_->spot_fill(*o, qty, o->price, true);
}

double FakeBinance::price(const std::string& symbol) const {
    std::lock_guard lock(state_->mutex);
    return state_->price_now(symbol);
}

void FakeBinance::set_clock_skew(int64_t ms) {
    std::lock_guard lock(state_->mutex);
    state_->skew = ms;
}

int64_t FakeBinance::server_time() const {
    std::lock_guard lock(state_->mutex);
    return state_->now();
}

void FakeBinance::set_weight_limit(int per_minute) {
    std::lock_guard lock(state_->mutex);
    state_->weight_limit = per_minute;
}

void FakeBinance::inject(const Fault& fault) {
    std::lock_guard lock(state_->mutex);
    state_->faults.push_back(fault);
}

void FakeBinance::clear_faults() {
    std::lock_guard lock(state_->mutex);
    state_->faults.clear();
}

std::vector<OrderView> FakeBinance::orders() const {
    std::lock_guard lock(state_->mutex);
    state_->evaluate();
    std::vector<OrderView> out;
    for (const Order& o : state_->orders)
        out.push_back({o.futures, o.algo, o.symbol, o.client_id, o.side, o.type, o.status,
                       o.orig_qty, o.executed_qty, o.price, o.stop_price, o.order_id, o.list_id,
                       o.reduce_only, o.close_position});
    return out;
}

std::map<std::string, int> FakeBinance::submissions() const {
    std::lock_guard lock(state_->mutex);
    return state_->submissions;
}

std::vector<RequestView> FakeBinance::requests() const {
    std::lock_guard lock(state_->mutex);
    return state_->requests;
}

int FakeBinance::count_requests(const std::string& method, const std::string& path) const {
    std::lock_guard lock(state_->mutex);
    return static_cast<int>(
        std::count_if(state_->requests.begin(), state_->requests.end(),
                      [&](const RequestView& r) { return r.method == method && r.path == path; }));
}

}  // namespace orchestrade::testing::binance_fake
