// An in-process host for plugin tests: an ot_host table whose clock, mode, key-value store,
// position/account answers and HTTP are controlled by the test, and whose log lines and journal
// records are captured for assertions.
#pragma once

#include <orchestrade/ot_plugin.h>

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace orchestrade::testing {

struct LogLine {
    int32_t level = OT_LOG_INFO;
    std::string message;
};

struct JournalRecord {
    std::string kind;
    std::string json;
};

struct HttpRequest {
    std::string method;
    std::string url;
    std::vector<std::string> headers;
    std::string body;
    uint32_t timeout_ms = 0;
};

struct HttpReply {
    int32_t status = 200;
    std::string body;
    std::string headers;  // raw "Name: value\r\n" lines
};

// Throw orchestrade::sdk::Error from a handler to answer with that status (e.g. OT_E_IO).
using HttpHandler = std::function<HttpReply(const HttpRequest&)>;

class FakeHost {
  public:
    explicit FakeHost(int32_t mode = OT_MODE_BACKTEST);
    FakeHost(const FakeHost&) = delete;
    FakeHost& operator=(const FakeHost&) = delete;

    // The table handed to plugins; valid while this FakeHost lives.
    const ot_host* table() const { return &table_; }

    int32_t mode() const { return table_.mode; }
    void set_mode(int32_t mode) { table_.mode = mode; }
    // The ABI minor the host claims (before plugins are created): an older host's.
    void set_abi_minor(uint32_t minor) { table_.abi_minor = minor; }
    int64_t now_ms() const;
    void set_now_ms(int64_t now_ms);

    // The plugin's persistent state. Tests may read and seed it between calls.
    std::map<std::string, std::string>& kv() { return kv_; }
    // While set, kv_set fails with OT_E_HOST (a full disk, a locked database).
    void fail_kv_writes(bool fail);

    const std::vector<LogLine>& logs() const { return logs_; }
    // Log lines of at least 'level' whose message contains 'text'.
    std::vector<std::string> logs_containing(std::string_view text,
                                             int32_t level = OT_LOG_DEBUG) const;
    const std::vector<JournalRecord>& journal() const { return journal_; }

    // get_position answers a flat position for symbols not set here.
    void set_position(const std::string& symbol, const ot_position& position);
    void set_account(const ot_account& account);
    // Without a handler, http answers OT_E_UNSUPPORTED (as a backtest host does).
    void set_http_handler(HttpHandler handler);
    void set_extension(const std::string& id, const void* extension);

  private:
    static FakeHost& self(const ot_host* h);
    static void OT_CALL log(const ot_host* h, int32_t level, const char* message);
    static int64_t OT_CALL now(const ot_host* h);
    static ot_status OT_CALL http(const ot_host* h, const ot_http_request* req,
                                  ot_http_response* resp, ot_error* err);
    static ot_status OT_CALL kv_get(const ot_host* h, const char* key, const ot_byte_sink* out,
                                    ot_error* err);
    static ot_status OT_CALL kv_set(const ot_host* h, const char* key, const void* value,
                                    uint64_t len, ot_error* err);
    static ot_status OT_CALL journal_append(const ot_host* h, const char* kind, const char* json,
                                            ot_error* err);
    static ot_status OT_CALL get_position(const ot_host* h, const char* symbol, ot_position* out);
    static ot_status OT_CALL get_account(const ot_host* h, ot_account* out);
    static const void* OT_CALL get_extension(const ot_host* h, const char* id);

    ot_host table_{};
    mutable std::mutex mutex_;
    int64_t now_ms_ = 0;
    std::map<std::string, std::string> kv_;
    bool fail_kv_writes_ = false;
    std::vector<LogLine> logs_;
    std::vector<JournalRecord> journal_;
    std::map<std::string, ot_position> positions_;
    ot_account account_{};
    HttpHandler http_handler_;
    std::map<std::string, const void*> extensions_;
};

}  // namespace orchestrade::testing
