#include "api_error.hpp"

#include <nlohmann/json.hpp>

namespace orchestrade::plugins::binance {
namespace {

bool contains(const std::string& text, const char* part) {
    return text.find(part) != std::string::npos;
}

// What a code means, in words, or empty when the message says it all.
std::string meaning(int code, const std::string& msg) {
    if (contains(msg, "Filter failure: ")) {
        std::string filter = msg.substr(msg.find("Filter failure: ") + 16);
        return "filter " + filter + " failed";
    }
    if (contains(msg, "insufficient balance")) return "insufficient balance";
    if (contains(msg, "Duplicate order") || code == kErrDuplicateClientId)
        return "duplicate client order id";
    switch (code) {
        case -1003:
            return "too many requests";
        case -1013:
            return "invalid order";
        case -1021:
            return "timestamp outside recvWindow (clock offset)";
        case -1022:
            return "invalid signature (check api_secret and key_type)";
        case -1111:
            return "too many decimals (tick or step size)";
        case -1121:
            return "unknown symbol";
        case -2010:
            return "order rejected";
        case -2011:
            return "cancel rejected";
        case -2013:
            return "no such order";
        case -2014:
        case -2015:
            return "API key rejected (key, IP allow-list or permissions)";
        case -2018:
            return "insufficient balance";
        case -2019:
            return "insufficient margin";
        case -2021:
        case -4142:
            return "the stop would trigger immediately";
        case -2022:
            return "reduce-only order rejected (no position to reduce)";
        case -4003:
        case -4004:
        case -4005:
        case -4023:
            return "filter LOT_SIZE failed";
        case -4002:
        case -4013:
            return "filter PRICE_FILTER failed";
        case -4120:
            return "conditional orders must use the algo order API";
        case -4164:
            return "filter MIN_NOTIONAL failed";
        default:
            return {};
    }
}

}  // namespace

bool is_unknown_order(const ApiError& e) {
    return e.binance_code == kErrNoSuchOrder ||
           (e.binance_code == kErrCancelRejected && contains(e.binance_msg, "Unknown order"));
}

bool is_duplicate(const ApiError& e) {
    return contains(e.binance_msg, "Duplicate order") || e.binance_code == kErrDuplicateClientId;
}

bool is_rules_refusal(const ApiError& e) {
    switch (e.binance_code) {
        case -1111:  // precision
        case -4002:  // price greater than max price
        case -4003:  // quantity less than or equal to zero
        case -4004:  // quantity less than min quantity
        case -4005:  // quantity greater than max quantity
        case -4013:  // price less than min price
        case -4014:  // price not increased by tick size
        case -4023:  // quantity not increased by step size
            return true;
        default:
            break;
    }
    return e.binance_code == -1013 && contains(e.binance_msg, "Filter failure") &&
           !contains(e.binance_msg, "MAX_NUM");
}

bool is_transient_refusal(const ApiError& e) {
    return e.code() == OT_E_REJECTED &&
           (e.http_status >= 500 || e.http_status == 403 || e.binance_code == -1008);
}

Outcome classify(int http_status, int code, const std::string& msg) {
    if (http_status == 429 || http_status == 418) return Outcome::RateLimited;
    if (code == kErrTimestamp) return Outcome::BadTimestamp;
    if (code == -1007 || code == -1006) return Outcome::Ambiguous;
    if (http_status == 408) return Outcome::Ambiguous;
    if (http_status >= 500) {
        // "Service Unavailable." and system throttling (-1008) are definite failures.
        if (code == -1008 || contains(msg, "Service Unavailable")) return Outcome::Rejected;
        return Outcome::Ambiguous;
    }
    return Outcome::Rejected;
}

std::string describe(int http_status, int code, const std::string& msg) {
    std::string what = meaning(code, msg);
    if (http_status == 418) what = "IP banned by Binance (HTTP 418)";
    if (http_status == 429) what = "rate limit exceeded (HTTP 429)";
    if (code == 0) {
        std::string text = "HTTP " + std::to_string(http_status);
        return msg.empty() ? text : text + ": " + msg;
    }
    std::string text = msg + " (Binance " + std::to_string(code) + ")";
    return what.empty() ? text : what + ": " + text;
}

std::string failure_kind(const sdk::Error& e) {
    if (const auto* api = dynamic_cast<const ApiError*>(&e)) {
        std::string kind = "HTTP " + std::to_string(api->http_status);
        return api->binance_code ? kind + " " + std::to_string(api->binance_code) : kind;
    }
    return "status " + std::to_string(e.code());
}

ApiError make_api_error(int http_status, const std::string& body) {
    int code = 0;
    std::string msg;
    auto json = nlohmann::json::parse(body, nullptr, false);
    if (json.is_object() && json.contains("code") && json["code"].is_number_integer()) {
        code = json["code"].get<int>();
        if (json.contains("msg") && json["msg"].is_string()) msg = json["msg"].get<std::string>();
    } else {
        msg = body.substr(0, 200);
    }
    ot_status status = OT_E_REJECTED;
    switch (classify(http_status, code, msg)) {
        case Outcome::Ambiguous:
            status = OT_E_AMBIGUOUS;
            break;
        case Outcome::RateLimited:
            status = OT_E_RATE_LIMIT;
            break;
        default:
            if (code == kErrNoSuchOrder) status = OT_E_NOT_FOUND;
            break;
    }
    return ApiError(status, http_status, code, msg, describe(http_status, code, msg));
}

}  // namespace orchestrade::plugins::binance
