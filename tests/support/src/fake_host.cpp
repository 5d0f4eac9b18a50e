#include <orchestrade/sdk.hpp>
#include <orchestrade/testing/fake_host.hpp>

#include <cstring>

namespace orchestrade::testing {
namespace {

// Writes 'value' into a plugin-owned struct, never past the size the plugin declared.
template <class T>
void write_prefix(T* out, const T& value) {
    uint32_t size = out->struct_size < sizeof(T) ? out->struct_size : sizeof(T);
    T copy = value;
    copy.struct_size = out->struct_size;
    std::memcpy(out, &copy, size);
}

ot_status write_to(const ot_byte_sink* sink, const std::string& bytes) {
    if (!sink || !sink->write) return OT_OK;
    return sink->write(sink->ctx, bytes.data(), bytes.size());
}

}  // namespace

FakeHost::FakeHost(int32_t mode) {
    table_.struct_size = sizeof table_;
    table_.abi_major = OT_ABI_MAJOR;
    table_.abi_minor = OT_ABI_MINOR;
    table_.mode = mode;
    table_.host_data = this;
    table_.host_version = "test";
    table_.instance_name = "under_test";
    table_.log = &FakeHost::log;
    table_.now_ms = &FakeHost::now;
    table_.http = &FakeHost::http;
    table_.kv_get = &FakeHost::kv_get;
    table_.kv_set = &FakeHost::kv_set;
    table_.journal_append = &FakeHost::journal_append;
    table_.get_position = &FakeHost::get_position;
    table_.get_account = &FakeHost::get_account;
    table_.get_extension = &FakeHost::get_extension;
    account_.struct_size = sizeof account_;
}

int64_t FakeHost::now_ms() const {
    std::lock_guard lock(mutex_);
    return now_ms_;
}

void FakeHost::set_now_ms(int64_t now_ms) {
    std::lock_guard lock(mutex_);
    now_ms_ = now_ms;
}

std::vector<std::string> FakeHost::logs_containing(std::string_view text, int32_t level) const {
    std::lock_guard lock(mutex_);
    std::vector<std::string> out;
    for (const LogLine& line : logs_)
        if (line.level >= level && line.message.find(text) != std::string::npos)
            out.push_back(line.message);
    return out;
}

void FakeHost::fail_kv_writes(bool fail) {
    std::lock_guard lock(mutex_);
    fail_kv_writes_ = fail;
}

void FakeHost::set_position(const std::string& symbol, const ot_position& position) {
    std::lock_guard lock(mutex_);
    positions_[symbol] = position;
}

void FakeHost::set_account(const ot_account& account) {
    std::lock_guard lock(mutex_);
    account_ = account;
}

void FakeHost::set_http_handler(HttpHandler handler) {
    std::lock_guard lock(mutex_);
    http_handler_ = std::move(handler);
}

void FakeHost::set_extension(const std::string& id, const void* extension) {
    std::lock_guard lock(mutex_);
    extensions_[id] = extension;
}

FakeHost& FakeHost::self(const ot_host* h) {
    return *static_cast<FakeHost*>(h->host_data);
}

void OT_CALL FakeHost::log(const ot_host* h, int32_t level, const char* message) {
    FakeHost& host = self(h);
    std::lock_guard lock(host.mutex_);
    host.logs_.push_back({level, message ? message : ""});
}

int64_t OT_CALL FakeHost::now(const ot_host* h) {
    return self(h).now_ms();
}

ot_status OT_CALL FakeHost::http(const ot_host* h, const ot_http_request* req,
                                 ot_http_response* resp, ot_error* err) {
    FakeHost& host = self(h);
    HttpHandler handler;
    {
        std::lock_guard lock(host.mutex_);
        handler = host.http_handler_;
    }
    if (!handler) return sdk::set_error(err, OT_E_UNSUPPORTED, "HTTP is disabled in this host");
    return sdk::guarded(err, [&] {
        ot_http_request r = sdk::read_prefix(req);
        HttpRequest request;
        request.method = r.method ? r.method : "";
        request.url = r.url ? r.url : "";
        for (const char* const* p = r.headers; p && *p; ++p)
            request.headers.emplace_back(*p);
        if (r.body) request.body.assign(static_cast<const char*>(r.body), r.body_len);
        request.timeout_ms = r.timeout_ms;
        HttpReply reply = handler(request);
        resp->status = reply.status;
        ot_status st = write_to(resp->body, reply.body);
        if (st == OT_OK) st = write_to(resp->headers, reply.headers);
        return st;
    });
}

ot_status OT_CALL FakeHost::kv_get(const ot_host* h, const char* key, const ot_byte_sink* out,
                                   ot_error* err) {
    FakeHost& host = self(h);
    std::string value;
    {
        std::lock_guard lock(host.mutex_);
        auto it = host.kv_.find(key);
        if (it == host.kv_.end()) return sdk::set_error(err, OT_E_NOT_FOUND, "no such key");
        value = it->second;
    }
    return write_to(out, value);
}

ot_status OT_CALL FakeHost::kv_set(const ot_host* h, const char* key, const void* value,
                                   uint64_t len, ot_error* err) {
    FakeHost& host = self(h);
    std::lock_guard lock(host.mutex_);
    if (host.fail_kv_writes_) return sdk::set_error(err, OT_E_HOST, "kv store unavailable");
    host.kv_[key].assign(static_cast<const char*>(value), len);
    return OT_OK;
}

ot_status OT_CALL FakeHost::journal_append(const ot_host* h, const char* kind, const char* json,
                                           ot_error*) {
    FakeHost& host = self(h);
    std::lock_guard lock(host.mutex_);
    host.journal_.push_back({kind ? kind : "", json ? json : ""});
    return OT_OK;
}

ot_status OT_CALL FakeHost::get_position(const ot_host* h, const char* symbol, ot_position* out) {
    FakeHost& host = self(h);
    std::lock_guard lock(host.mutex_);
    ot_position flat{};
    auto it = host.positions_.find(symbol ? symbol : "");
    write_prefix(out, it == host.positions_.end() ? flat : it->second);
    return OT_OK;
}

ot_status OT_CALL FakeHost::get_account(const ot_host* h, ot_account* out) {
    FakeHost& host = self(h);
    std::lock_guard lock(host.mutex_);
    write_prefix(out, host.account_);
    return OT_OK;
}

const void* OT_CALL FakeHost::get_extension(const ot_host* h, const char* id) {
    FakeHost& host = self(h);
    std::lock_guard lock(host.mutex_);
    auto it = host.extensions_.find(id ? id : "");
    return it == host.extensions_.end() ? nullptr : it->second;
}

}  // namespace orchestrade::testing
