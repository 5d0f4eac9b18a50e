#include "loopback_http.hpp"

#include <orchestrade/sdk.hpp>

#include <httplib.h>

#include <stdexcept>

namespace orchestrade::testing {

HttpHandler loopback_http() {
    return [](const HttpRequest& r) {
        const std::string prefix = "http://";
        if (r.url.rfind(prefix, 0) != 0) throw std::invalid_argument("not an http URL: " + r.url);
        std::size_t slash = r.url.find('/', prefix.size());
        std::string authority = r.url.substr(prefix.size(), slash - prefix.size());
        std::string target = slash == std::string::npos ? "/" : r.url.substr(slash);
        std::size_t colon = authority.find(':');
        httplib::Client client(authority.substr(0, colon), std::stoi(authority.substr(colon + 1)));
        const uint32_t timeout = r.timeout_ms ? r.timeout_ms : 10000;
        client.set_connection_timeout(timeout / 1000, (timeout % 1000) * 1000);
        client.set_read_timeout(timeout / 1000, (timeout % 1000) * 1000);
        httplib::Headers headers;
        std::string content_type = "text/plain";
        for (const std::string& h : r.headers) {
            std::size_t c = h.find(':');
            std::string name = h.substr(0, c), value = h.substr(c + 1);
            while (!value.empty() && value.front() == ' ')
                value.erase(0, 1);
            if (name == "Content-Type")
                content_type = value;
            else
                headers.emplace(name, value);
        }
        if (r.method != "GET" && r.method != "POST" && r.method != "DELETE")
            throw std::invalid_argument("unsupported method " + r.method);
        httplib::Result res =
            r.method == "GET" ? client.Get(target.c_str(), headers)
            : r.method == "POST"
                ? client.Post(target.c_str(), headers, r.body, content_type.c_str())
                : client.Delete(target.c_str(), headers, r.body, content_type.c_str());
        if (!res)
            throw sdk::Error(OT_E_IO,
                             "http " + r.method + " failed: " + httplib::to_string(res.error()));
        HttpReply reply;
        reply.status = res->status;
        reply.body = res->body;
        for (const auto& [k, v] : res->headers)
            reply.headers += k + ": " + v + "\r\n";
        return reply;
    };
}

}  // namespace orchestrade::testing
