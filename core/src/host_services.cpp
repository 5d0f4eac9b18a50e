#include <orchestrade/core/child_process_groups.hpp>
#include <orchestrade/core/host_services.hpp>
#include <orchestrade/core/logging.hpp>
#include <orchestrade/core/struct_prefix.hpp>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdio>
#include <cstring>
#include <thread>

namespace orchestrade::core {
namespace {

ot_status fail(ot_error* err, ot_status code, const std::string& message) {
    if (err) {
        err->code = code;
        std::snprintf(err->message, sizeof err->message, "%s", message.c_str());
    }
    return code;
}

ot_status write(const ot_byte_sink* sink, const std::string& bytes) {
    if (!sink || !sink->write) return OT_OK;
    return sink->write(sink->ctx, bytes.data(), bytes.size());
}

// Only the fields the plugin's struct has are written back: a plugin of minor 3 has no flags.
void write_outcome(ot_http_response* out, const HttpResult& result) {
    if (holds(out->struct_size, offsetof(ot_http_response, status), sizeof out->status))
        out->status = result.status;
    if (holds(out->struct_size, offsetof(ot_http_response, flags), sizeof out->flags))
        out->flags = result.not_sent ? OT_HTTP_NOT_SENT : 0u;
}

}  // namespace

HostContext::HostContext(HostServices& services, std::string instance_name, std::string state_scope)
    : services_(services),
      instance_name_(std::move(instance_name)),
      state_scope_(std::move(state_scope)),
      logger_(logger(instance_name_)) {
    table_.struct_size = sizeof table_;
    table_.abi_major = OT_ABI_MAJOR;
    table_.abi_minor = OT_ABI_MINOR;
    table_.mode = static_cast<int32_t>(services.mode);
    table_.host_data = this;
    table_.host_version = ORCHESTRADE_VERSION;
    table_.instance_name = instance_name_.c_str();
    table_.log = &HostContext::log;
    table_.now_ms = &HostContext::now_ms;
    table_.http = &HostContext::http;
    table_.kv_get = &HostContext::kv_get;
    table_.kv_set = &HostContext::kv_set;
    table_.journal_append = &HostContext::journal_append;
    table_.get_position = &HostContext::get_position;
    table_.get_account = &HostContext::get_account;
    table_.get_extension = &HostContext::get_extension;
}

HostContext& HostContext::from(const ot_host* h) {
    return *static_cast<HostContext*>(h->host_data);
}

void OT_CALL HostContext::log(const ot_host* h, int32_t level, const char* message) {
    auto& self = from(h);
    const char* m = message ? message : "";
    switch (level) {
        case OT_LOG_DEBUG:
            self.logger_->debug(m);
            break;
        case OT_LOG_WARN:
            self.logger_->warn(m);
            break;
        case OT_LOG_ERROR:
            self.logger_->error(m);
            break;
        default:
            self.logger_->info(m);
            break;
    }
}

int64_t OT_CALL HostContext::now_ms(const ot_host* h) {
    return from(h).services_.clock->now_ms();
}

ot_status OT_CALL HostContext::http(const ot_host* h, const ot_http_request* pushed,
                                    ot_http_response* out, ot_error* err) {
    auto& self = from(h);
    const ot_http_request request = read_prefix(pushed);
    const ot_http_request* req = &request;
    ot_http_response response = read_prefix(out);
    ot_http_response* resp = &response;
    if (!pushed || !out || !req->url || !req->method)
        return fail(err, OT_E_INVALID_ARG, "http: request, method and url are required");
    if (!self.services_.http_enabled)
        return fail(err, OT_E_UNSUPPORTED, "http is disabled in backtest mode");
    HttpRequest r;
    r.method = req->method;
    r.url = req->url;
    for (const char* const* hdr = req->headers; hdr && *hdr; ++hdr)
        r.headers.emplace_back(*hdr);
    if (req->body && req->body_len)
        r.body.assign(static_cast<const char*>(req->body), static_cast<size_t>(req->body_len));
    if (req->timeout_ms) r.timeout_ms = req->timeout_ms;
    HttpResult result = self.services_.http.send(r);
    write_outcome(out, result);
    if (!result.ok) return fail(err, OT_E_IO, "http " + r.method + " failed: " + result.error);
    if (write(resp->body, result.body) != OT_OK || write(resp->headers, result.headers) != OT_OK)
        return fail(err, OT_E_HOST, "http: the response sink refused the data");
    return OT_OK;
}

ot_status OT_CALL HostContext::kv_get(const ot_host* h, const char* key, const ot_byte_sink* out,
                                      ot_error* err) {
    auto& self = from(h);
    if (!key) return fail(err, OT_E_INVALID_ARG, "kv_get: key is required");
    if (!self.services_.journal) return OT_E_NOT_FOUND;
    try {
        std::lock_guard lock(self.services_.mutex);
        if (auto held = self.held_state_.find(key); held != self.held_state_.end())
            return write(out, held->second);
        auto value = self.services_.journal->kv_get(self.state_scope_, key);
        if (!value) return OT_E_NOT_FOUND;
        return write(out, *value);
    } catch (const std::exception& e) {
        return fail(err, OT_E_HOST, std::string("kv_get: ") + e.what());
    }
}

ot_status OT_CALL HostContext::kv_set(const ot_host* h, const char* key, const void* value,
                                      uint64_t len, ot_error* err) {
    auto& self = from(h);
    if (!key || (!value && len)) return fail(err, OT_E_INVALID_ARG, "kv_set: key is required");
    if (!self.services_.journal) return OT_OK;  // no journal (validation): state is not kept
    try {
        std::lock_guard lock(self.services_.mutex);
        std::string text(static_cast<const char*>(value), static_cast<size_t>(len));
        if (self.hold_state_)
            self.held_state_[key] = std::move(text);
        else
            self.services_.journal->kv_set(self.state_scope_, key, text);
        return OT_OK;
    } catch (const std::exception& e) {
        return fail(err, OT_E_HOST, std::string("kv_set: ") + e.what());
    }
}

void HostContext::hold_state_writes() {
    std::lock_guard lock(services_.mutex);
    hold_state_ = true;
}

void HostContext::commit_held_state() {
    std::lock_guard lock(services_.mutex);
    commit_held_locked();
}

void HostContext::release_held_state() {
    std::lock_guard lock(services_.mutex);
    commit_held_locked();
    hold_state_ = false;  // not when the commit threw: the writes stay held for the next one
}

void HostContext::commit_held_locked() {
    if (held_state_.empty() || !services_.journal) return;
    services_.journal->kv_set_all(state_scope_, held_state_);
    held_state_.clear();
}

ot_status OT_CALL HostContext::journal_append(const ot_host* h, const char* kind, const char* json,
                                              ot_error* err) {
    auto& self = from(h);
    if (!kind || !*kind) return fail(err, OT_E_INVALID_ARG, "journal_append: kind is required");
    if (!self.services_.journal) return OT_OK;
    try {
        std::lock_guard lock(self.services_.mutex);
        EventRecord e;
        e.run_id = self.services_.run_id;
        e.time_ms = self.services_.clock->now_ms();
        e.source = self.instance_name_;
        e.kind = kind;
        e.json = json ? json : "{}";
        self.services_.journal->record_event(e);
        return OT_OK;
    } catch (const std::exception& e) {
        return fail(err, OT_E_HOST, std::string("journal_append: ") + e.what());
    }
}

ot_status OT_CALL HostContext::get_position(const ot_host* h, const char* symbol,
                                            ot_position* out) {
    auto& self = from(h);
    if (!out || !symbol) return OT_E_INVALID_ARG;
    ot_position p{};
    p.struct_size = out->struct_size < sizeof p ? out->struct_size : sizeof p;
    if (self.services_.ledger) {
        std::lock_guard lock(self.services_.mutex);
        Position pos = self.services_.ledger->position(symbol);
        p.qty = pos.qty;
        p.avg_price = pos.avg_price;
        p.mark_price = pos.mark_price;
        p.unrealized_pnl = pos.unrealized_pnl();
        p.realized_pnl = pos.realized_pnl;
    }
    std::memcpy(out, &p, p.struct_size);
    return OT_OK;
}

ot_status OT_CALL HostContext::get_account(const ot_host* h, ot_account* out) {
    auto& self = from(h);
    if (!out) return OT_E_INVALID_ARG;
    ot_account a{};
    a.struct_size = out->struct_size < sizeof a ? out->struct_size : sizeof a;
    if (self.services_.ledger) {
        std::lock_guard lock(self.services_.mutex);
        const Ledger& l = *self.services_.ledger;
        a.open_positions = static_cast<uint32_t>(l.open_positions());
        a.cash = l.cash();
        a.equity = l.equity();
        a.starting_equity = l.starting_cash();
        a.realized_pnl = l.realized_pnl();
        a.unrealized_pnl = l.unrealized_pnl();
        a.fees = l.fees();
    }
    std::memcpy(out, &a, a.struct_size);
    return OT_OK;
}

const void* OT_CALL HostContext::get_extension(const ot_host*, const char* id) {
    static const ot_stop_ext stop = {sizeof(ot_stop_ext),
                                     0,
                                     &HostContext::stop_requested,
                                     &HostContext::watch_process_group,
                                     &HostContext::forget_process_group,
                                     &HostContext::wait_ms};
    if (id && std::strcmp(id, OT_EXT_STOP) == 0) return &stop;
    return nullptr;
}

int32_t OT_CALL HostContext::stop_requested(const ot_host* h) {
    const std::atomic<bool>* flag = from(h).services_.stop_requested;
    return flag && flag->load(std::memory_order_relaxed) ? 1 : 0;
}

int32_t OT_CALL HostContext::wait_ms(const ot_host* h, int64_t ms) {
    using steady = std::chrono::steady_clock;
    constexpr auto kStopCheck = std::chrono::milliseconds(50);
    const steady::time_point until =
        steady::now() + std::chrono::milliseconds(std::max<int64_t>(0, ms));
    for (steady::time_point now = steady::now(); now < until; now = steady::now()) {
        if (stop_requested(h)) return 1;
        std::this_thread::sleep_for(std::min<steady::duration>(kStopCheck, until - now));
    }
    return stop_requested(h);
}

ot_status OT_CALL HostContext::watch_process_group(const ot_host*, int64_t pgid) {
    return child_process_groups().watch(pgid) ? OT_OK : OT_E_UNSUPPORTED;
}

void OT_CALL HostContext::forget_process_group(const ot_host*, int64_t pgid) {
    child_process_groups().forget(pgid);
}

}  // namespace orchestrade::core
