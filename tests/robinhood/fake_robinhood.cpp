#include "fake_robinhood.hpp"

#include <httplib.h>
#include <openssl/evp.h>

#include <chrono>
#include <ctime>

namespace orchestrade::testing::robinhood {
namespace {

constexpr const char* kTrading = "/api/v1/crypto/trading/";
constexpr const char* kOrders = "/api/v1/crypto/trading/orders/";
constexpr int64_t kWindowS = 30;

std::optional<std::string> unbase64(const std::string& text) {
    if (text.empty() || text.size() % 4) return std::nullopt;
    std::string out(text.size() / 4 * 3, '\0');
    int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                            reinterpret_cast<const unsigned char*>(text.data()),
                            static_cast<int>(text.size()));
    if (n < 0) return std::nullopt;
    std::size_t pad = text.size() - text.find_last_not_of('=') - 1;
    out.resize(static_cast<std::size_t>(n) - pad);
    return out;
}

bool verify(const std::string& public_key, const std::string& message, const std::string& sig) {
    auto pub = unbase64(public_key);
    auto raw = unbase64(sig);
    if (!pub || !raw || pub->size() != 32 || raw->size() != 64) return false;
    EVP_PKEY* key = EVP_PKEY_new_raw_public_key(
        EVP_PKEY_ED25519, nullptr, reinterpret_cast<const unsigned char*>(pub->data()), 32);
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    bool ok = key && ctx && EVP_DigestVerifyInit(ctx, nullptr, nullptr, nullptr, key) == 1 &&
              EVP_DigestVerify(ctx, reinterpret_cast<const unsigned char*>(raw->data()), 64,
                               reinterpret_cast<const unsigned char*>(message.data()),
                               message.size()) == 1;
    EVP_MD_CTX_free(ctx);
    EVP_PKEY_free(key);
    return ok;
}

json error_body(const std::string& type, const std::string& detail) {
    return {{"type", type}, {"errors", json::array({json{{"detail", detail}, {"attr", nullptr}}})}};
}

void send_json(httplib::Response& res, int status, const json& body) {
    res.status = status;
    res.set_content(body.dump(), "application/json");
}

std::string http_date(int64_t ms) {
    std::time_t secs = static_cast<std::time_t>(ms / 1000);
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char buf[64];
    std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    return buf;
}

// "2024-01-02T03:04:05Z" (optionally with a fraction) -> Unix ms.
std::optional<int64_t> parse_time(const std::string& text) {
    std::tm tm{};
    int consumed = 0;
    if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                    &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &consumed) != 6)
        return std::nullopt;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    return static_cast<int64_t>(timegm(&tm)) * 1000;
}

std::vector<std::string> params(const httplib::Request& req, const char* key) {
    std::vector<std::string> out;
    auto range = req.params.equal_range(key);
    for (auto it = range.first; it != range.second; ++it)
        out.push_back(it->second);
    return out;
}

bool starts_with(const std::string& s, const std::string& prefix) {
    return s.compare(0, prefix.size(), prefix) == 0;
}

bool ends_with(const std::string& s, const std::string& suffix) {
    return s.size() >= suffix.size() &&
           s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

FakeRobinhood::FakeRobinhood()
    : clock_([] {
          return std::chrono::duration_cast<std::chrono::milliseconds>(
                     std::chrono::system_clock::now().time_since_epoch())
              .count();
      }),
      server_(std::make_unique<httplib::Server>()) {
    auto handler = [this](const httplib::Request& req, httplib::Response& res) {
        handle(req, res);
    };
    server_->Get(".*", handler);
    server_->Post(".*", handler);
    port_ = server_->bind_to_any_port("127.0.0.1");
    if (port_ <= 0) throw std::runtime_error("fake robinhood: cannot bind 127.0.0.1");
    thread_ = std::thread([this] { server_->listen_after_bind(); });
    // stop() is ignored until the accept loop runs.
    while (!server_->is_running())
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

FakeRobinhood::~FakeRobinhood() {
    server_->stop();
    thread_.join();
}

void FakeRobinhood::set_clock(std::function<int64_t()> now_ms) {
    std::lock_guard lock(mutex_);
    clock_ = std::move(now_ms);
}

void FakeRobinhood::set_date_offset_ms(int64_t offset) {
    std::lock_guard lock(mutex_);
    date_offset_ms_ = offset;
}

void FakeRobinhood::set_page_size(std::size_t n) {
    std::lock_guard lock(mutex_);
    page_size_ = n;
}

void FakeRobinhood::add_fault(const FaultRule& rule) {
    std::lock_guard lock(mutex_);
    faults_.push_back(rule);
}

void FakeRobinhood::set_request_hook(RequestHook hook) {
    std::lock_guard lock(mutex_);
    hook_ = std::move(hook);
}

void FakeRobinhood::set_price_path(const std::string& symbol, std::vector<double> mids,
                                   double spread) {
    std::lock_guard lock(mutex_);
    price_paths_[symbol] = {std::move(mids), spread, 0};
}

void FakeRobinhood::set_quote(const std::string& symbol, double bid, double ask) {
    std::lock_guard lock(mutex_);
    venue_.set_quote(symbol, bid, ask, clock_());
}

void FakeRobinhood::set_quote_lag_ms(int64_t lag) {
    std::lock_guard lock(mutex_);
    quote_lag_ms_ = lag;
}

std::vector<SeenRequest> FakeRobinhood::requests() const {
    std::lock_guard lock(mutex_);
    return requests_;
}

int FakeRobinhood::bad_signatures() const {
    std::lock_guard lock(mutex_);
    return bad_signatures_;
}

int FakeRobinhood::stale_timestamps() const {
    std::lock_guard lock(mutex_);
    return stale_timestamps_;
}

void FakeRobinhood::handle(const httplib::Request& req, httplib::Response& res) {
    std::optional<FaultRule> fault;
    {
        std::lock_guard lock(mutex_);
        res.set_header("Date", http_date(clock_() + date_offset_ms_));
        requests_.push_back({req.method, req.target});
        if (!authenticate(req, res)) return;
        for (auto it = faults_.begin(); it != faults_.end(); ++it) {
            bool path = it->exact_path ? req.path == it->path_prefix
                                       : starts_with(req.path, it->path_prefix);
            path = path && ends_with(req.path, it->path_suffix);
            if (it->method != req.method || !path) continue;
            if (it->pass_first > 0) {
                --it->pass_first;
                break;
            }
            fault = *it;
            if (--it->times <= 0) faults_.erase(it);
            break;
        }
        if (fault && fault->fault == Fault::TooManyRequests) {
            if (fault->retry_after_s >= 0)
                res.set_header("Retry-After", std::to_string(fault->retry_after_s));
            send_json(res, 429, error_body("client_error", "Request was throttled."));
        } else if (fault && fault->fault == Fault::ServerErrorBefore) {
            send_json(res, 503, error_body("server_error", "Service unavailable."));
        } else if (fault && fault->fault == Fault::Refused) {
            send_json(res, 400, error_body("validation_error", "Refused by a test fault."));
        } else {
            route(req, res);
        }
        if (hook_) hook_(requests_.back(), res.status, venue_, clock_());
    }
    if (!fault) return;
    switch (fault->fault) {
        case Fault::ServerErrorAfter:
            send_json(res, 500, error_body("server_error", "Internal server error."));
            break;
        case Fault::DropAfter:
            res.body.clear();
            res.set_content_provider(
                64, "application/json",
                [](std::size_t, std::size_t, httplib::DataSink&) { return false; });
            break;
        case Fault::DelayAfter:
            std::this_thread::sleep_for(std::chrono::milliseconds(fault->delay_ms));
            break;
        default:
            break;
    }
}

bool FakeRobinhood::authenticate(const httplib::Request& req, httplib::Response& res) {
    const std::string key = req.get_header_value("x-api-key");
    const std::string ts = req.get_header_value("x-timestamp");
    const std::string sig = req.get_header_value("x-signature");
    if (key.empty() || ts.empty() || sig.empty()) {
        res.status = 400;
        res.set_content(
            "Request missing required headers. Required headers: x-api-key, x-signature, "
            "x-timestamp. Please refer to API documentation for more information.",
            "text/plain");
        return false;
    }
    if (key != kApiKey) {
        send_json(res, 401, error_body("client_error", "Invalid API key."));
        return false;
    }
    int64_t timestamp = 0;
    try {
        timestamp = std::stoll(ts);
    } catch (const std::exception&) {
        timestamp = -1;
    }
    if (std::llabs(clock_() / 1000 - timestamp) > kWindowS) {
        ++stale_timestamps_;
        send_json(res, 401, error_body("client_error", "Timestamp is invalid or expired."));
        return false;
    }
    if (!verify(public_key_, key + ts + req.target + req.method + req.body, sig)) {
        ++bad_signatures_;
        send_json(res, 401, error_body("client_error", "Invalid signature."));
        return false;
    }
    return true;
}

void FakeRobinhood::route(const httplib::Request& req, httplib::Response& res) {
    const std::string& path = req.path;
    const int64_t now = clock_();
    if (req.method == "GET" && path == std::string(kTrading) + "accounts/") {
        send_json(res, 200,
                  {{"account_number", "FAKE0001"},
                   {"status", "active"},
                   {"buying_power", std::to_string(venue_.buying_power())},
                   {"buying_power_currency", "USD"}});
    } else if (req.method == "GET" && path == std::string(kTrading) + "holdings/") {
        std::vector<std::string> wanted = params(req, "asset_code");
        std::vector<json> rows;
        for (const auto& [asset, qty] : venue_.holdings()) {
            if (!wanted.empty() && std::find(wanted.begin(), wanted.end(), asset) == wanted.end())
                continue;
            rows.push_back({{"account_number", "FAKE0001"},
                            {"asset_code", asset},
                            {"total_quantity", qty},  // bare numbers here, as the venue sends
                            {"quantity_available_for_trading", venue_.available(asset)}});
        }
        paged(req, res, rows);
    } else if (req.method == "GET" && path == std::string(kTrading) + "trading_pairs/") {
        std::vector<std::string> wanted = params(req, "symbol");
        std::vector<json> rows;
        for (const auto& [symbol, p] : venue_.pairs()) {
            if (!wanted.empty() && std::find(wanted.begin(), wanted.end(), symbol) == wanted.end())
                continue;
            rows.push_back({{"asset_code", symbol.substr(0, symbol.find('-'))},
                            {"quote_code", "USD"},
                            {"quote_increment", p.quote_increment},
                            {"asset_increment", p.asset_increment},
                            {"max_order_size", p.max_order_size},
                            {"min_order_size", p.min_order_size},
                            {"status", p.tradable ? "tradable" : "untradable"},
                            {"symbol", symbol}});
        }
        paged(req, res, rows);
    } else if (req.method == "GET" && path == "/api/v1/crypto/marketdata/best_bid_ask/") {
        json results = json::array();
        for (const std::string& symbol : params(req, "symbol")) {
            auto p = price_paths_.find(symbol);
            if (p != price_paths_.end() && !p->second.mids.empty()) {
                double mid = p->second.mids[p->second.next++ % p->second.mids.size()];
                venue_.set_quote(symbol, mid - p->second.spread / 2, mid + p->second.spread / 2,
                                 now);
            }
            if (!venue_.has_quote(symbol)) continue;
            double bid = venue_.bid(symbol), ask = venue_.ask(symbol);
            results.push_back({{"symbol", symbol},
                               {"price", (bid + ask) / 2},
                               {"bid_inclusive_of_sell_spread", std::to_string(bid)},
                               {"sell_spread", "0.001"},
                               {"ask_inclusive_of_buy_spread", std::to_string(ask)},
                               {"buy_spread", "0.001"},
                               {"timestamp", iso8601(now + date_offset_ms_ - quote_lag_ms_)}});
        }
        send_json(res, 200, {{"results", results}});
    } else if (req.method == "GET" && path == kOrders) {
        list_orders(req, res);
    } else if (req.method == "POST" && path == kOrders) {
        json body = json::parse(req.body, nullptr, false);
        if (body.is_discarded()) {
            send_json(res, 400, error_body("validation_error", "JSON parse error."));
        } else if (std::optional<FakeRefusal> r = venue_.place(body, now)) {
            send_json(res, r->status, r->body);
        } else {
            send_json(res, 201, venue_.orders().back().to_json());
        }
    } else if (starts_with(path, kOrders)) {
        std::string rest = path.substr(std::string(kOrders).size());
        std::string id = rest.substr(0, rest.find('/'));
        std::string tail = rest.substr(id.size());
        if (req.method == "GET" && tail == "/") {
            const FakeOrder* o = venue_.find(id);
            if (o)
                send_json(res, 200, o->to_json());
            else
                send_json(res, 404, error_body("client_error", "Not found."));
        } else if (req.method == "POST" && tail == "/cancel/") {
            int status = venue_.cancel(id, now);
            if (status == 200) {
                res.status = 200;
                res.set_content("Cancel request was submitted for order " + id, "text/plain");
            } else {
                send_json(res, status,
                          error_body(status == 404 ? "client_error" : "validation_error",
                                     status == 404 ? "Not found." : "Order cannot be canceled."));
            }
        } else {
            send_json(res, 404, error_body("client_error", "Not found."));
        }
    } else {
        send_json(res, 404, error_body("client_error", "Not found."));
    }
}

void FakeRobinhood::list_orders(const httplib::Request& req, httplib::Response& res) {
    std::optional<int64_t> start, end;
    for (const char* key : {"created_at_start", "created_at_end"}) {
        if (!req.has_param(key)) continue;
        std::optional<int64_t> t = parse_time(req.get_param_value(key));
        if (!t) {
            send_json(res, 400, error_body("validation_error", std::string("Invalid ") + key));
            return;
        }
        (std::string(key) == "created_at_start" ? start : end) = t;
    }
    std::vector<json> rows;
    const auto& orders = venue_.orders();
    for (auto it = orders.rbegin(); it != orders.rend(); ++it) {  // newest first
        const FakeOrder& o = *it;
        if (start && o.created_ms < *start) continue;
        if (end && o.created_ms > *end) continue;
        bool keep = true;
        for (const char* key : {"state", "symbol", "side", "type"}) {
            const std::string value = key == std::string("state")    ? o.state
                                      : key == std::string("symbol") ? o.symbol
                                      : key == std::string("side")   ? o.side
                                                                     : o.type;
            if (req.has_param(key) && req.get_param_value(key) != value) keep = false;
        }
        if (keep) rows.push_back(o.to_json());
    }
    paged(req, res, rows);
}

void FakeRobinhood::paged(const httplib::Request& req, httplib::Response& res,
                          const std::vector<json>& rows) {
    std::size_t size =
        req.has_param("limit") ? std::stoul(req.get_param_value("limit")) : page_size_;
    std::size_t from = req.has_param("cursor") ? std::stoul(req.get_param_value("cursor")) : 0;
    std::string query;
    for (const auto& [key, value] : req.params)
        if (key != "cursor") query += key + "=" + value + "&";
    auto link = [&](std::size_t at) {
        return json(base_url() + req.path + "?" + query + "cursor=" + std::to_string(at));
    };
    json page = json::array();
    for (std::size_t i = from; i < rows.size() && i < from + size; ++i)
        page.push_back(rows[i]);
    send_json(res, 200,
              {{"next", from + size < rows.size() ? link(from + size) : json()},
               {"previous", from > 0 ? link(from > size ? from - size : 0) : json()},
               {"results", page}});
}

}  // namespace orchestrade::testing::robinhood
