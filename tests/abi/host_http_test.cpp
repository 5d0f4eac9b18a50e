// The host's ot_host.http through the real client: it tells a plugin when nothing of a request
// reached the server (OT_HTTP_NOT_SENT), never when a server took it, and writes no field past
// the plugin's struct_size.
#include <orchestrade/core/host_services.hpp>

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <thread>

namespace core = orchestrade::core;

namespace {

// A loopback socket bound to a free port; it accepts connections only after listen().
class LoopbackSocket {
  public:
    LoopbackSocket() : fd_(socket(AF_INET, SOCK_STREAM, 0)) {
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t len = sizeof addr;
        if (bind(fd_, reinterpret_cast<sockaddr*>(&addr), len) != 0 ||
            getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0)
            throw std::runtime_error("cannot bind a loopback socket");
        port_ = ntohs(addr.sin_port);
    }
    ~LoopbackSocket() { close(fd_); }
    LoopbackSocket(const LoopbackSocket&) = delete;
    LoopbackSocket& operator=(const LoopbackSocket&) = delete;

    std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/v1"; }
    void listen_for_one() const { listen(fd_, 1); }
    // Accepts one connection, reads the request's head and closes without an answer.
    void drop_after_the_request() const {
        int conn = accept(fd_, nullptr, nullptr);
        std::string got;
        char buf[4096];
        while (got.find("\r\n\r\n") == std::string::npos) {
            ssize_t n = read(conn, buf, sizeof buf);
            if (n <= 0) break;
            got.append(buf, static_cast<std::size_t>(n));
        }
        close(conn);
    }

  private:
    int fd_;
    uint16_t port_ = 0;
};

class HostHttp : public ::testing::Test {
  protected:
    // POSTs to `url` with a response struct of `struct_size` bytes, its flags preset to `flags`.
    ot_status post(const std::string& url, uint32_t struct_size, uint32_t flags = 0) {
        ot_http_request req{};
        req.struct_size = sizeof req;
        req.method = "POST";
        req.url = url.c_str();
        req.body = "{}";
        req.body_len = 2;
        req.timeout_ms = 2000;
        response = ot_http_response{};
        response.struct_size = struct_size;
        response.flags = flags;
        ot_error err{};
        return context.table()->http(context.table(), &req, &response, &err);
    }

    core::HostServices services;
    core::HostContext context{services, "strategy", "test"};
    ot_http_response response{};
};

}  // namespace

TEST_F(HostHttp, ARefusedConnectionIsFlaggedNotSent) {
    LoopbackSocket closed;  // bound, not listening: the connection is refused
    EXPECT_EQ(post(closed.url(), sizeof(ot_http_response)), OT_E_IO);
    EXPECT_EQ(response.flags, OT_HTTP_NOT_SENT);
}

TEST_F(HostHttp, ARequestTheServerTookAndThenDroppedIsNotFlagged) {
    LoopbackSocket server;
    server.listen_for_one();
    std::thread drop([&] { server.drop_after_the_request(); });
    EXPECT_EQ(post(server.url(), sizeof(ot_http_response), OT_HTTP_NOT_SENT), OT_E_IO);
    drop.join();
    EXPECT_EQ(response.flags, 0u);  // the server may have acted on it
}

TEST_F(HostHttp, APluginOfMinor3GetsNoFlags) {
    LoopbackSocket closed;
    const uint32_t minor3_size = offsetof(ot_http_response, flags);
    EXPECT_EQ(post(closed.url(), minor3_size, 0xdeadu), OT_E_IO);
    EXPECT_EQ(response.flags, 0xdeadu);  // past its struct_size: left as it was
}
