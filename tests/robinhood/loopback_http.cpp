#include "loopback_http.hpp"

#include <orchestrade/sdk.hpp>

#include <httplib.h>

namespace orchestrade::testing::robinhood {

HttpHandler loopback_http() {
    return [](const HttpRequest& request) {
        // "http://127.0.0.1:<port>/<path>"
        const std::string prefix = "http://";
        std::size_t host_end = request.url.find(':', prefix.size());
        std::size_t path_at = request.url.find('/', prefix.size());
        if (request.url.rfind(prefix, 0) != 0 || host_end == std::string::npos ||
            path_at == std::string::npos)
            throw sdk::Error(OT_E_IO, "loopback: unsupported url " + request.url);
        httplib::Client client(request.url.substr(prefix.size(), host_end - prefix.size()),
                               std::stoi(request.url.substr(host_end + 1, path_at - host_end - 1)));
        client.set_url_encode(false);
        uint32_t timeout = request.timeout_ms ? request.timeout_ms : 10000;
        client.set_read_timeout(std::chrono::milliseconds(timeout));
        client.set_connection_timeout(std::chrono::milliseconds(timeout));
        httplib::Request req;
        req.method = request.method;
        req.path = request.url.substr(path_at);
        for (const std::string& h : request.headers) {
            std::size_t colon = h.find(':');
            std::size_t value = h.find_first_not_of(' ', colon + 1);
            req.headers.emplace(h.substr(0, colon),
                                value == std::string::npos ? "" : h.substr(value));
        }
        req.body = request.body;
        httplib::Result result = client.send(req);
        if (!result)
            throw sdk::Error(OT_E_IO, "loopback " + request.method +
                                          " failed: " + httplib::to_string(result.error()));
        HttpReply reply;
        reply.status = result->status;
        reply.body = result->body;
        for (const auto& [name, value] : result->headers)
            reply.headers += name + ": " + value + "\r\n";
        return reply;
    };
}

}  // namespace orchestrade::testing::robinhood
