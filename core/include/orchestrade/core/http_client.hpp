// The HTTP client plugins use through ot_host.http: libcurl with timeouts. Plugins never link
// libcurl themselves, so there is one place for proxies, TLS settings and recording.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace orchestrade::core {

struct HttpRequest {
    std::string method = "GET";
    std::string url;
    std::vector<std::string> headers;  // "Name: value"
    std::string body;
    uint32_t timeout_ms = 10000;
};

struct HttpResult {
    bool ok = false;  // a response arrived (any status)
    int status = 0;
    std::string headers;  // raw header lines
    std::string body;
    std::string error;      // transport error when !ok ("Timeout was reached", ...)
    bool not_sent = false;  // !ok, and nothing of the request reached the server
};

class HttpClient {
  public:
    HttpClient();
    ~HttpClient();
    HttpClient(const HttpClient&) = delete;
    HttpClient& operator=(const HttpClient&) = delete;

    // Thread-safe: each call uses its own handle.
    HttpResult send(const HttpRequest& request) const;
};

}  // namespace orchestrade::core
