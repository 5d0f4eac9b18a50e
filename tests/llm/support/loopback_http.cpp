#include "loopback_http.hpp"

#include <orchestrade/sdk.hpp>

#include <httplib.h>

#include <cctype>
#include <regex>

namespace orchestrade::testing::llm {

HttpHandler loopback_http() {
    return [](const HttpRequest& req) {
        std::smatch m;
        static const std::regex url(R"(http://127\.0\.0\.1:(\d+)(/.*))");
        if (!std::regex_match(req.url, m, url))
            throw sdk::Error(OT_E_IO, "only loopback URLs are reachable in tests: " + req.url);
        httplib::Client client("127.0.0.1", std::stoi(m[1]));
        const uint32_t timeout = req.timeout_ms ? req.timeout_ms : 30000;
        client.set_connection_timeout(std::chrono::milliseconds(timeout));
        client.set_read_timeout(std::chrono::milliseconds(timeout));
        httplib::Headers headers;
        std::string content_type = "application/json";
        for (const std::string& h : req.headers) {
            auto colon = h.find(':');
            std::string name = h.substr(0, colon);
            std::string value = colon == std::string::npos ? "" : h.substr(colon + 1);
            while (!value.empty() && value.front() == ' ')
                value.erase(value.begin());
            std::string lower = name;
            for (char& c : lower)
                c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            if (lower == "content-type")
                content_type = value;
            else
                headers.emplace(name, value);
        }
        auto res = client.Post(m[2].str(), headers, req.body, content_type);
        if (!res) throw sdk::Error(OT_E_IO, "http: " + httplib::to_string(res.error()));
        HttpReply reply;
        reply.status = res->status;
        reply.body = res->body;
        for (const auto& [name, value] : res->headers)
            reply.headers += name + ": " + value + "\r\n";
        return reply;
    };
}

}  // namespace orchestrade::testing::llm
