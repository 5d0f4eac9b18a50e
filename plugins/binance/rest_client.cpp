#include "rest_client.hpp"

#include <charconv>

namespace orchestrade::plugins::binance {
namespace {

constexpr int64_t kResyncEveryMs = 30 * 60 * 1000;
constexpr const char* kBlockKey = "blocked_until";

std::string strip_slash(std::string url) {
    while (!url.empty() && url.back() == '/')
        url.pop_back();
    return url;
}

}  // namespace

RestClient::RestClient(const sdk::Host& host, ClientOptions options)
    : host_(host),
      options_(std::move(options)),
      base_url_(strip_slash(options_.base_url.empty() ? default_base_url(options_.market)
                                                      : options_.base_url)),
      limiter_(RateLimiter::shared(base_url_, options_.market == Market::Spot ? 6000 : 2400)),
      orders_(default_order_limits(options_.market)) {}

void RestClient::set_weight_limit(int weight_limit) {
    limiter_->set_weight_limit(weight_limit);
}

void RestClient::set_order_limits(std::vector<OrderLimit> limits) {
    orders_.set_limits(std::move(limits));
}

void RestClient::restore_block() {
    std::optional<std::string> saved = host_.kv_get(kBlockKey);
    if (!saved) return;
    int64_t until = 0;
    std::from_chars(saved->data(), saved->data() + saved->size(), until);
    bool banned = saved->find("ban") != std::string::npos;
    if (until > host_.now_ms()) {
        limiter_->block_until(until, banned);
        host_.warn(std::string("binance: ") + (banned ? "the IP ban" : "the rate-limit pause") +
                   " of an earlier run lasts until " + utc_time(until) +
                   ": no request is sent before then");
    }
}

void RestClient::note_response(int64_t now_ms, int http_status, const std::string& used_weight,
                               const std::string& retry_after) {
    std::string block = limiter_->on_response(now_ms, http_status, used_weight, retry_after);
    if (block.empty()) return;
    host_.log(http_status == 418 ? OT_LOG_ERROR : OT_LOG_WARN, "binance: " + block);
    remember_block();
}

void RestClient::remember_block() {
    host_.kv_set(kBlockKey, std::to_string(limiter_->blocked_until()) +
                                (limiter_->banned() ? " ban" : " pause"));
}

void RestClient::sync_time(Priority priority) {
    Call c;
    c.path = std::string(api_prefix(options_.market)) + "/time";
    c.priority = priority;
    int64_t sent = host_.now_ms();
    nlohmann::json j = send(c);
    int64_t received = host_.now_ms();
    if (!j.contains("serverTime") || !j["serverTime"].is_number_integer())
        throw sdk::Error(OT_E_IO, "binance: the time endpoint gave no serverTime");
    offset_ms_ = j["serverTime"].get<int64_t>() - (sent + received) / 2;
    synced_at_ms_ = received;
}

void RestClient::resync_if_stale(Priority priority) {
    if (synced_at_ms_ == 0 || host_.now_ms() - synced_at_ms_ > kResyncEveryMs) sync_time(priority);
}

nlohmann::json RestClient::call(const Call& call) {
    if (call.is_signed) resync_if_stale(call.priority);
    try {
        return send(call);
    } catch (const ApiError& e) {
        // -1021: refused before execution, so re-sending with a fresh timestamp is safe.
        if (e.binance_code != kErrTimestamp || !call.is_signed) throw;
        int64_t before = offset_ms_;
        sync_time(call.priority);
        host_.warn("binance: timestamp refused (-1021); clock offset re-synced from " +
                   std::to_string(before) + " ms to " + std::to_string(offset_ms_) + " ms");
        return send(call);
    }
}

nlohmann::json RestClient::send(const Call& call) {
    if (call.new_order) orders_.admit(server_now());
    limiter_->admit(server_now(), call.weight, call.priority, options_.weight_budget_pct);
    Params params = call.params;
    std::vector<std::string> headers;
    if (!options_.api_key.empty()) headers.push_back("X-MBX-APIKEY: " + options_.api_key);
    std::string payload;
    if (call.is_signed) {
        if (!options_.signer || options_.api_key.empty())
            throw sdk::Error(OT_E_INVALID_ARG, "binance: api_key and api_secret are required");
        params.emplace_back("recvWindow", std::to_string(options_.recv_window_ms));
        params.emplace_back("timestamp", std::to_string(server_now()));
        payload = encode_params(params);
        payload += "&signature=" + options_.signer->sign(payload);
    } else {
        payload = encode_params(params);
    }
    std::string url = base_url_ + call.path;
    std::string body;
    if (std::string(call.method) == "POST") {
        body = payload;
        headers.push_back("Content-Type: application/x-www-form-urlencoded");
    } else if (!payload.empty()) {
        url += "?" + payload;
    }
    sdk::HttpResponse r = host_.http(call.method, url, headers, body, options_.timeout_ms);
    const int64_t now = server_now();
    const std::string used_weight = r.header("X-MBX-USED-WEIGHT-1M");
    const std::string retry_after = r.header("Retry-After");
    if (call.new_order) orders_.count(now, [&](const std::string& name) { return r.header(name); });
    if (r.status < 200 || r.status >= 300) {
        ApiError error = make_api_error(r.status, r.body);
        // The account's order count, not the IP's weight: only new orders wait.
        if (r.status == 429 && error.binance_code == kErrTooManyOrders && retry_after.empty()) {
            limiter_->count_used(now, used_weight);
            host_.warn("binance: " + orders_.exceeded(now));
            throw error;
        }
        note_response(now, r.status, used_weight, retry_after);
        throw error;
    }
    note_response(now, r.status, used_weight, retry_after);
    auto json = nlohmann::json::parse(r.body, nullptr, false);
    if (json.is_discarded())
        throw sdk::Error(
            OT_E_IO, "binance: unreadable answer to " + call.path + ": " + r.body.substr(0, 120));
    return json;
}

}  // namespace orchestrade::plugins::binance
