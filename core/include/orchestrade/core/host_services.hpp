// The host side of the plugin ABI: the services behind every ot_host table (log, clock, HTTP,
// key-value state, journal, portfolio), and one table per plugin instance.
#pragma once

#include <orchestrade/ot_plugin.h>
#include <orchestrade/core/clock.hpp>
#include <orchestrade/core/http_client.hpp>
#include <orchestrade/core/journal.hpp>
#include <orchestrade/core/ledger.hpp>

#include <spdlog/logger.h>

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>

namespace orchestrade::core {

// What all instances of one run share. Host calls are thread-safe: they take `mutex`.
struct HostServices {
    Mode mode = Mode::Backtest;
    const Clock* clock = nullptr;
    Journal* journal = nullptr;  // may be null (validation, catalog)
    const Ledger* ledger = nullptr;
    int64_t run_id = 0;
    bool http_enabled = true;  // off in backtests: a backtest must not reach the network
    const std::atomic<bool>* stop_requested = nullptr;  // what OT_EXT_STOP reports
    HttpClient http;
    std::mutex mutex;
};

// One ot_host table, owned by the host, outliving the instance it was given to.
class HostContext {
  public:
    // instance_name: "feed", "strategy", "executor"; scope: key of its persistent state.
    HostContext(HostServices& services, std::string instance_name, std::string state_scope);
    HostContext(const HostContext&) = delete;
    HostContext& operator=(const HostContext&) = delete;

    const ot_host* table() const { return &table_; }
    const std::string& instance_name() const { return instance_name_; }

    // From now on the instance's kv_set writes are held (its kv_get sees them) until
    // commit_held_state() writes them, in one transaction.
    void hold_state_writes();
    void commit_held_state();
    // Commits the held writes and writes through again from now on.
    void release_held_state();

  private:
    static HostContext& from(const ot_host* h);
    void commit_held_locked();  // the caller holds services_.mutex
    static void OT_CALL log(const ot_host* h, int32_t level, const char* message);
    static int64_t OT_CALL now_ms(const ot_host* h);
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
    static int32_t OT_CALL stop_requested(const ot_host* h);
    static ot_status OT_CALL watch_process_group(const ot_host* h, int64_t pgid);
    static void OT_CALL forget_process_group(const ot_host* h, int64_t pgid);
    static int32_t OT_CALL wait_ms(const ot_host* h, int64_t ms);

    HostServices& services_;
    std::string instance_name_;
    std::string state_scope_;
    bool hold_state_ = false;
    std::map<std::string, std::string> held_state_;  // guarded by services_.mutex
    std::shared_ptr<spdlog::logger> logger_;
    ot_host table_{};
};

}  // namespace orchestrade::core
