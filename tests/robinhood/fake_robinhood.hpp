// A loopback fake of the Robinhood Crypto Trading API (v1) on 127.0.0.1. It checks what the real
// service checks — the API key, the x-timestamp inside its 30 s window, the Ed25519 signature of
// api_key + timestamp + path + method + body against the registered public key — and serves the
// account, holdings, trading pairs, best bid/ask and orders (with cursor pagination) of a
// FakeVenue. Faults can be injected per request: 429, 5xx before or after the order was accepted,
// a response dropped or delayed after the order was accepted, a request refused.
#pragma once

#include "fake_venue.hpp"

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace httplib {
class Server;
struct Request;
struct Response;
}  // namespace httplib

namespace orchestrade::testing::robinhood {

// The documented example credentials (api-specs §0.4).
inline constexpr const char* kApiKey = "rh-api-6148effc-c0b1-486c-8940-a1d099456be6";
inline constexpr const char* kPrivateKey = "xQnTJVeQLmw1/Mg2YimEViSpw/SdJcgNXZ5kQkAXNPU=";
inline constexpr const char* kPublicKey = "jPItx4TLjcnSUnmnXQQyAKL4eJj3+oWNNMmmm2vATqk=";

enum class Fault {
    TooManyRequests,    // 429 (with Retry-After when retry_after_s >= 0), nothing done
    ServerErrorBefore,  // 503, nothing done
    Refused,            // 400 validation_error, nothing done (a venue rule the fake does not model)
    ServerErrorAfter,   // the request is carried out, then 500
    DropAfter,          // carried out, then the connection closes without a response body
    DelayAfter,         // carried out, answered after delay_ms
};

struct FaultRule {
    std::string method;       // "POST", "GET"
    std::string path_prefix;  // e.g. "/api/v1/crypto/trading/orders/"
    Fault fault = Fault::ServerErrorAfter;
    int times = 1;  // how many matching requests it hits
    int retry_after_s = -1;
    int delay_ms = 0;
    bool exact_path = false;       // match the path exactly (e.g. the order list, not one order)
    std::string path_suffix = {};  // and end with this too ("/cancel/": any order's cancel)
    int pass_first = 0;            // matching requests let through untouched before it hits
};

struct SeenRequest {
    std::string method;
    std::string target;  // path and query as received
};

// Runs under the server's lock once an authenticated request was answered (a fault's answer
// included), with the status sent and the fake's time: a test acts at the venue at a precise
// moment of a run, e.g. moves the price right after a given order was placed.
using RequestHook =
    std::function<void(const SeenRequest& request, int status, FakeVenue& venue, int64_t now_ms)>;

class FakeRobinhood {
  public:
    FakeRobinhood();
    ~FakeRobinhood();
    FakeRobinhood(const FakeRobinhood&) = delete;
    FakeRobinhood& operator=(const FakeRobinhood&) = delete;

    std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }

    // The clock the fake judges timestamps by and stamps orders with (the system clock unless
    // a test sets one). The Date header is this clock plus date_offset_ms.
    void set_clock(std::function<int64_t()> now_ms);
    void set_date_offset_ms(int64_t offset);
    void set_page_size(std::size_t n);
    void add_fault(const FaultRule& rule);
    void set_request_hook(RequestHook hook);
    // Each best bid/ask request moves the symbol's mid price to the next value of the path.
    void set_price_path(const std::string& symbol, std::vector<double> mids, double spread);
    void set_quote(const std::string& symbol, double bid, double ask);
    // Best bid/ask quotes are stamped this long before the venue's time (a stalled quote
    // service answering with what it last had); 0 by default.
    void set_quote_lag_ms(int64_t lag);

    // Runs 'f' on the venue under the server's lock.
    template <class F>
    auto with_venue(F&& f) {
        std::lock_guard lock(mutex_);
        return f(venue_);
    }
    std::vector<SeenRequest> requests() const;
    int bad_signatures() const;
    int stale_timestamps() const;

  private:
    void handle(const httplib::Request& req, httplib::Response& res);
    // Carries out an authenticated request; sets the status and JSON body.
    void route(const httplib::Request& req, httplib::Response& res);
    bool authenticate(const httplib::Request& req, httplib::Response& res);
    void list_orders(const httplib::Request& req, httplib::Response& res);
    void paged(const httplib::Request& req, httplib::Response& res, const std::vector<json>& rows);

    mutable std::mutex mutex_;
    FakeVenue venue_;
    std::function<int64_t()> clock_;
    int64_t date_offset_ms_ = 0;
    int64_t quote_lag_ms_ = 0;
    const std::string public_key_ = kPublicKey;  // the key registered for kApiKey
    std::size_t page_size_ = 100;
    std::vector<FaultRule> faults_;
    RequestHook hook_;
    struct PricePath {
        std::vector<double> mids;
        double spread = 0;
        std::size_t next = 0;
    };
    std::map<std::string, PricePath> price_paths_;
    std::vector<SeenRequest> requests_;
    int bad_signatures_ = 0;
    int stale_timestamps_ = 0;

    std::unique_ptr<httplib::Server> server_;
    int port_ = 0;
    std::thread thread_;
};

}  // namespace orchestrade::testing::robinhood
