// Signed requests to the Robinhood Crypto Trading API through the host's HTTP client, behind a
// token bucket and a back-off after HTTP 429. Nothing here waits: a request without a token is
// refused with OT_E_RATE_LIMIT and the caller tries again later.
#pragma once

#include "json_fields.hpp"
#include "signer.hpp"
#include "token_bucket.hpp"
#include "venue_errors.hpp"

#include <orchestrade/sdk.hpp>

#include <optional>
#include <string>
#include <vector>

namespace orchestrade::plugins::robinhood {

inline constexpr const char* kProductionUrl = "https://trading.robinhood.com";
// The API accepts a signed request for this long after its x-timestamp.
inline constexpr int64_t kSignatureWindowMs = 30000;

struct RestConfig {
    std::string name;  // prefix of messages and log lines
    std::string base_url;
    std::string api_key;
    std::string private_key;  // base64 seed; only used to build the signer
    uint32_t timeout_ms = 10000;
    double requests_per_minute = 100;
    double burst = 300;
};

struct RestResponse {
    int status = 0;
    std::string body;
    sdk::HttpResponse raw;
};

class RestClient {
  public:
    RestClient(const sdk::Host& host, const RestConfig& config);

    // One signed exchange, any HTTP status. Throws sdk::Error: OT_E_RATE_LIMIT (no token, or
    // backing off after a 429), or the host's error when no response arrived (OT_E_IO).
    RestResponse send(const std::string& method, const std::string& path,
                      const std::string& body = {});
    // A 2xx answer's JSON; anything else throws sdk::Error with the status's meaning for 'call'.
    json expect_json(const RestResponse& response, Call call, const std::string& what) const;
    json get(const std::string& path, const std::string& what);
    // Every page's 'results', following the 'next' cursor.
    std::vector<json> get_all(const std::string& path, const std::string& what);

    // Throws sdk::Error(OT_E_INVALID_ARG) when the last measured skew is outside the signature
    // window; warns when it is large. For start(): the venue would refuse every request.
    void check_clock() const;
    // When a request signed at 'sent_ms' (this host's clock) stops being accepted. The venue
    // judges its age by its own clock, so a host clock ahead of the venue's moves this later.
    int64_t signature_expiry_ms(int64_t sent_ms) const;
    // This host's clock minus the venue's, as last measured (0 before any answer).
    int64_t clock_lead_ms() const { return skew_ms_.value_or(0); }

  private:
    void before_send(const std::string& method, const std::string& path);
    void after_response(const sdk::HttpResponse& response);
    std::string skew_hint() const;

    sdk::Host host_;
    RestConfig config_;
    Signer signer_;
    TokenBucket bucket_;
    int64_t backoff_until_ms_ = 0;
    int consecutive_429_ = 0;
    bool refusing_ = false;  // a refusal was logged; log again only after a request went out
    std::optional<int64_t> skew_ms_;  // host clock minus the venue's Date header, last seen
};

}  // namespace orchestrade::plugins::robinhood
