// Binance error answers: what they mean for an order (refused, unknown outcome, not found,
// throttled) and a message a user can act on ("insufficient balance", "filter LOT_SIZE failed").
#pragma once

#include <orchestrade/sdk.hpp>

#include <string>

namespace orchestrade::plugins::binance {

inline constexpr int kErrTimestamp = -1021;
inline constexpr int kErrInvalidSymbol = -1121;
inline constexpr int kErrNoSuchOrder = -2013;
inline constexpr int kErrCancelRejected = -2011;
inline constexpr int kErrDuplicateClientId = -4116;

// An HTTP answer other than 2xx. code/msg come from the {"code","msg"} body (0/"" if none).
class ApiError : public sdk::Error {
  public:
    ApiError(ot_status status, int http_status, int code, std::string msg,
             const std::string& message)
        : sdk::Error(status, message),
          http_status(http_status),
          binance_code(code),
          binance_msg(std::move(msg)) {}
    int http_status;
    int binance_code;
    std::string binance_msg;
};

enum class Outcome {
    Rejected,     // the venue refused it: nothing was executed
    Ambiguous,    // unknown: it may or may not have been executed
    RateLimited,  // 429/418: refused, back off
    BadTimestamp  // -1021: refused, re-sync the clock
};

// -2013, or -2011 "Unknown order sent.": the order is not (or no longer) open at the venue.
bool is_unknown_order(const ApiError& e);

// "Duplicate order sent." (spot, for a client order id or an order list's id in use) or -4116
// (futures): an order under that id is open already.
bool is_duplicate(const ApiError& e);

// Refused for a price or quantity rule of the symbol (-1013 "Filter failure: ..." other than
// MAX_NUM_*, -1111 precision; on futures -4002/-4013 price above the max or below the min,
// -4003/-4004/-4005 quantity not positive, below the min or above the max, -4014/-4023 price or
// quantity not a multiple of the tick or step): the rules the order was built with may have
// changed at Binance since they were read.
bool is_rules_refusal(const ApiError& e);

// A definite refusal that says nothing of the order and passes: "Service Unavailable." and other
// 5xx refusals, -1008 system throttling, a 403 from the web application firewall. The same
// request may go again later, with backoff.
bool is_transient_refusal(const ApiError& e);

Outcome classify(int http_status, int code, const std::string& msg);
// "insufficient balance: Account has insufficient balance for requested action. (Binance -2010)"
std::string describe(int http_status, int code, const std::string& msg);
// What kind of failure e is, without the details that vary between two of the same kind (a
// timeout's milliseconds): "HTTP 400 -1121", "HTTP 503", "status -5". Telling a user about a
// failure once, not on every retry, compares these.
std::string failure_kind(const sdk::Error& e);
// Builds the error for an answer, with the ABI status its outcome implies.
ApiError make_api_error(int http_status, const std::string& body);

}  // namespace orchestrade::plugins::binance
