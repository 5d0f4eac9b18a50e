// Orchestrade C++ SDK: a header-only layer over ot_plugin.h (the hourglass pattern).
//
// A plugin is a small class derived from sdk::Strategy, sdk::Executor or sdk::Feed, with a static
// `meta` and `params`, plus one OT_PLUGIN_MODULE(...) line. Every call from the host goes through
// a noexcept trampoline that turns exceptions into a status and a message: nothing C++ crosses.
#pragma once

#include <orchestrade/ot_plugin.h>

#include <cctype>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <exception>
#include <iterator>
#include <new>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#define ORCHESTRADE_SDK_VERSION "1.4.0"

namespace orchestrade::sdk {

// An error with an ABI status code; throw it from plugin code to choose the code.
class Error : public std::runtime_error {
  public:
    Error(ot_status code, const std::string& message) : std::runtime_error(message), code_(code) {}
    ot_status code() const noexcept { return code_; }

  private:
    ot_status code_;
};

// A status as people read it: "OT_E_HOST (-4)"; "status 7" for a value ot_plugin.h does not name.
inline std::string describe_status(ot_status status) {
    const char* name = nullptr;
    switch (status) {
        case OT_OK:
            name = "OT_OK";
            break;
        case OT_END:
            name = "OT_END";
            break;
        case OT_BEHIND:
            name = "OT_BEHIND";
            break;
        case OT_E_INVALID_ARG:
            name = "OT_E_INVALID_ARG";
            break;
        case OT_E_UNSUPPORTED:
            name = "OT_E_UNSUPPORTED";
            break;
        case OT_E_PLUGIN:
            name = "OT_E_PLUGIN";
            break;
        case OT_E_HOST:
            name = "OT_E_HOST";
            break;
        case OT_E_IO:
            name = "OT_E_IO";
            break;
        case OT_E_NOMEM:
            name = "OT_E_NOMEM";
            break;
        case OT_E_NOT_FOUND:
            name = "OT_E_NOT_FOUND";
            break;
        case OT_E_REJECTED:
            name = "OT_E_REJECTED";
            break;
        case OT_E_AMBIGUOUS:
            name = "OT_E_AMBIGUOUS";
            break;
        case OT_E_RATE_LIMIT:
            name = "OT_E_RATE_LIMIT";
            break;
        case OT_E_UNKNOWN:
            name = "OT_E_UNKNOWN";
            break;
        default:
            return "status " + std::to_string(status);
    }
    return std::string(name) + " (" + std::to_string(status) + ")";
}

// Host::http's error when the host says nothing of the request reached the server
// (OT_HTTP_NOT_SENT): sending it again cannot duplicate anything. A host older than ABI 1.4
// never says so: its failures are all plain Errors.
class HttpNotSent : public Error {
  public:
    using Error::Error;
};

inline ot_status set_error(ot_error* e, ot_status code, const char* message) noexcept {
    if (e) {
        e->code = code;
        std::snprintf(e->message, sizeof e->message, "%s", message ? message : "");
    }
    return code;
}

// Runs plugin code and converts any exception into a status. Used by every trampoline.
template <class F>
ot_status guarded(ot_error* e, F&& f) noexcept {
    try {
        return f();
    } catch (const Error& x) {
        return set_error(e, x.code(), x.what());
    } catch (const std::bad_alloc&) {
        return set_error(e, OT_E_NOMEM, "out of memory");
    } catch (const std::exception& x) {
        return set_error(e, OT_E_PLUGIN, x.what());
    } catch (...) {
        return set_error(e, OT_E_UNKNOWN, "unknown exception");
    }
}

// Reads a plugin-side struct received from the host: copies only the prefix both sides know.
template <class T>
T read_prefix(const T* p) noexcept {
    T out{};
    if (p) std::memcpy(&out, p, p->struct_size < sizeof(T) ? p->struct_size : sizeof(T));
    return out;
}

inline ot_status OT_CALL append_to_string(void* ctx, const void* data, uint64_t len) noexcept {
    try {
        static_cast<std::string*>(ctx)->append(static_cast<const char*>(data),
                                               static_cast<std::size_t>(len));
        return OT_OK;
    } catch (...) {
        return OT_E_NOMEM;
    }
}

struct HttpResponse {
    int status = 0;
    std::string body;
    std::string headers;  // raw header lines, "Name: value\r\n"

    // Value of a response header (case-insensitive name), or empty.
    std::string header(std::string_view name) const {
        std::size_t pos = 0;
        while (pos < headers.size()) {
            std::size_t end = headers.find('\n', pos);
            if (end == std::string::npos) end = headers.size();
            std::string_view line(headers.data() + pos, end - pos);
            std::size_t colon = line.find(':');
            if (colon == name.size()) {
                bool same = true;
                for (std::size_t i = 0; i < colon && same; ++i)
                    same = std::tolower(static_cast<unsigned char>(line[i])) ==
                           std::tolower(static_cast<unsigned char>(name[i]));
                if (same) {
                    std::string_view v = line.substr(colon + 1);
                    while (!v.empty() && (v.front() == ' ' || v.front() == '\t'))
                        v.remove_prefix(1);
                    while (!v.empty() && (v.back() == '\r' || v.back() == ' '))
                        v.remove_suffix(1);
                    return std::string(v);
                }
            }
            pos = end + 1;
        }
        return {};
    }
};

// The host's services, as a value type over the C table.
class Host {
  public:
    explicit Host(const ot_host* h) noexcept : h_(h) {}
    const ot_host* raw() const noexcept { return h_; }
    int32_t mode() const noexcept { return h_->mode; }

    void log(int32_t level, const std::string& m) const { h_->log(h_, level, m.c_str()); }
    void debug(const std::string& m) const { log(OT_LOG_DEBUG, m); }
    void info(const std::string& m) const { log(OT_LOG_INFO, m); }
    void warn(const std::string& m) const { log(OT_LOG_WARN, m); }
    void error(const std::string& m) const { log(OT_LOG_ERROR, m); }
    int64_t now_ms() const { return h_->now_ms(h_); }

    // One HTTP exchange. Throws Error(OT_E_IO / OT_E_UNSUPPORTED) when no response arrived,
    // HttpNotSent (an OT_E_IO) when the request never reached the server.
    HttpResponse http(const std::string& method, const std::string& url,
                      const std::vector<std::string>& headers = {}, const std::string& body = {},
                      uint32_t timeout_ms = 0) const {
        std::vector<const char*> hs;
        for (const auto& s : headers)
            hs.push_back(s.c_str());
        hs.push_back(nullptr);
        ot_http_request req{};
        req.struct_size = sizeof req;
        req.method = method.c_str();
        req.url = url.c_str();
        req.headers = hs.data();
        req.body = body.empty() ? nullptr : body.data();
        req.body_len = body.size();
        req.timeout_ms = timeout_ms;
        HttpResponse out;
        ot_byte_sink body_sink{&out.body, &append_to_string};
        ot_byte_sink header_sink{&out.headers, &append_to_string};
        ot_http_response resp{};
        resp.struct_size = sizeof resp;
        resp.body = &body_sink;
        resp.headers = &header_sink;
        ot_error err{};
        ot_status st = h_->http(h_, &req, &resp, &err);
        if (st != OT_OK && (resp.flags & OT_HTTP_NOT_SENT)) throw HttpNotSent(st, err.message);
        if (st != OT_OK) throw Error(st, err.message);
        out.status = resp.status;
        return out;
    }

    std::optional<std::string> kv_get(const std::string& key) const {
        std::string value;
        ot_byte_sink sink{&value, &append_to_string};
        ot_error err{};
        ot_status st = h_->kv_get(h_, key.c_str(), &sink, &err);
        if (st == OT_E_NOT_FOUND) return std::nullopt;
        if (st != OT_OK) throw Error(st, err.message);
        return value;
    }
    void kv_set(const std::string& key, const std::string& value) const {
        ot_error err{};
        ot_status st = h_->kv_set(h_, key.c_str(), value.data(), value.size(), &err);
        if (st != OT_OK) throw Error(st, err.message);
    }
    void journal(const std::string& kind, const std::string& json) const {
        ot_error err{};
        ot_status st = h_->journal_append(h_, kind.c_str(), json.c_str(), &err);
        if (st != OT_OK) throw Error(st, err.message);
    }
    ot_position position(const std::string& symbol) const {
        ot_position p{};
        p.struct_size = sizeof p;
        h_->get_position(h_, symbol.c_str(), &p);
        return p;
    }
    ot_account account() const {
        ot_account a{};
        a.struct_size = sizeof a;
        h_->get_account(h_, &a);
        return a;
    }
    template <class Ext>
    const Ext* extension(const char* id) const {
        return static_cast<const Ext*>(h_->get_extension(h_, id));
    }

  private:
    const ot_host* h_;
};

// Lookup over the host-validated parameters (defaults already filled in). The array is walked
// with the host's element size, so a newer host with a longer ot_param_value still works.
class Params {
  public:
    Params(const ot_param_value* v, uint32_t n) noexcept
        : base_(reinterpret_cast<const unsigned char*>(v)),
          stride_(v && n ? v->struct_size : 0),
          n_(n) {}
    bool has(std::string_view key) const noexcept { return find(key).has_value(); }
    int64_t get_int(std::string_view key) const { return need(key).int_value; }
    double get_double(std::string_view key) const {
        const ot_param_value p = need(key);
        return p.type == OT_PARAM_INT ? static_cast<double>(p.int_value) : p.double_value;
    }
    bool get_bool(std::string_view key) const { return need(key).int_value != 0; }
    std::string get_string(std::string_view key) const {
        const ot_param_value p = need(key);
        return p.string_value ? p.string_value : "";
    }

  private:
    std::optional<ot_param_value> find(std::string_view key) const noexcept {
        for (uint32_t i = 0; i < n_; ++i) {
            const auto* raw =
                reinterpret_cast<const ot_param_value*>(base_ + std::size_t{i} * stride_);
            ot_param_value p = read_prefix(raw);
            if (p.key && key == p.key) return p;
        }
        return std::nullopt;
    }
    ot_param_value need(std::string_view key) const {
        if (auto p = find(key)) return *p;
        throw Error(OT_E_INVALID_ARG, "parameter '" + std::string(key) + "' has no value");
    }
    const unsigned char* base_;
    uint32_t stride_;
    uint32_t n_;
};

// Everything create() receives, copied so the plugin may keep it.
struct Context {
    Host host;
    Params params;  // valid during the constructor only
    int32_t mode = OT_MODE_BACKTEST;
    std::vector<std::string> universe;
    std::string base_dir;

    Context(const ot_host* h, const ot_create_info* info)
        : host(h), params(info->params, info->param_count), mode(info->mode) {
        for (uint32_t i = 0; i < info->universe_count; ++i)
            universe.emplace_back(info->universe[i]);
        if (info->base_dir) base_dir = info->base_dir;
    }
};

// Read-only view over a borrowed batch.
class Bars {
  public:
    explicit Bars(const ot_bar_batch& b) noexcept : b_(b) {}
    std::size_t size() const noexcept { return b_.count; }
    bool warmup() const noexcept { return (b_.flags & OT_BATCH_WARMUP) != 0; }
    int64_t now_ms() const noexcept { return b_.now_ms; }
    uint32_t symbol_index(std::size_t i) const noexcept { return b_.symbol[i]; }
    const char* symbol(std::size_t i) const noexcept { return b_.symbols[b_.symbol[i]]; }
    int32_t interval_s(std::size_t i) const noexcept { return b_.interval_s[i]; }
    int64_t open_time_ms(std::size_t i) const noexcept { return b_.open_time_ms[i]; }
    double open(std::size_t i) const noexcept { return b_.open[i]; }
    double high(std::size_t i) const noexcept { return b_.high[i]; }
    double low(std::size_t i) const noexcept { return b_.low[i]; }
    double close(std::size_t i) const noexcept { return b_.close[i]; }
    double volume(std::size_t i) const noexcept { return b_.volume[i]; }
    std::size_t series_count() const noexcept { return b_.series_count; }
    const ot_series_point& series(std::size_t i) const noexcept { return *b_.series[i]; }
    const ot_bar_batch& raw() const noexcept { return b_; }

  private:
    const ot_bar_batch& b_;
};

// A signal under construction; send it with Signals::push.
struct Signal {
    int32_t action = OT_ACTION_HOLD;
    std::string symbol;
    int64_t time_ms = 0;
    double size_pct = 0;
    double stop_loss = 0;
    double take_profit = 0;
    double confidence = -1;
    std::string reason;
    std::string metadata_json;
};

class Signals {
  public:
    explicit Signals(const ot_signal_sink* s) noexcept : s_(s) {}
    void push(const Signal& in) const {
        ot_signal s{};
        s.struct_size = sizeof s;
        s.action = in.action;
        s.symbol = in.symbol.c_str();
        s.time_ms = in.time_ms;
        s.size_pct = in.size_pct;
        s.stop_loss = in.stop_loss;
        s.take_profit = in.take_profit;
        s.confidence = in.confidence;
        s.reason = in.reason.empty() ? nullptr : in.reason.c_str();
        s.metadata_json = in.metadata_json.empty() ? nullptr : in.metadata_json.c_str();
        // The host's status says why (OT_E_INVALID_ARG: a field it refuses; its log names it).
        if (const ot_status st = s_->push(s_->ctx, &s); st != OT_OK)
            throw Error(st, "signal rejected by the host: " + describe_status(st));
    }

  private:
    const ot_signal_sink* s_;
};

// An execution report that owns its strings, e.g. while it waits in an executor's outbox; send
// it with Reports::push. A cash flow (OT_REPORT_CASH) may leave client_order_id empty.
struct Report {
    int32_t kind = OT_REPORT_ACCEPTED;
    std::string client_order_id;
    std::string venue_order_id;
    std::string trade_id;
    std::string symbol;
    int32_t side = OT_SIDE_BUY;
    double qty = 0, price = 0, fee = 0, cum_qty = 0;
    int64_t time_ms = 0;
    std::string text;

    // The C view; it points into this report, so it is valid while the report lives unchanged.
    ot_exec_report view() const noexcept {
        ot_exec_report r{};
        r.struct_size = sizeof r;
        r.kind = kind;
        r.client_order_id =
            kind == OT_REPORT_CASH && client_order_id.empty() ? nullptr : client_order_id.c_str();
        r.venue_order_id = venue_order_id.empty() ? nullptr : venue_order_id.c_str();
        r.trade_id = trade_id.empty() ? nullptr : trade_id.c_str();
        r.symbol = symbol.c_str();
        r.side = side;
        r.qty = qty;
        r.price = price;
        r.fee = fee;
        r.cum_qty = cum_qty;
        r.time_ms = time_ms;
        r.text = text.empty() ? nullptr : text.c_str();
        return r;
    }
};

// Sink wrappers used by executors and feeds.
class Reports {
  public:
    explicit Reports(const ot_report_sink* s) noexcept : s_(s) {}
    void push(const ot_exec_report& r) const {
        if (s_->push(s_->ctx, &r) != OT_OK) throw Error(OT_E_HOST, "report rejected by the host");
    }
    void push(const Report& r) const { push(r.view()); }

  private:
    const ot_report_sink* s_;
};

class Balances {
  public:
    explicit Balances(const ot_balance_sink* s) noexcept : s_(s) {}
    void push(const char* asset, double free_qty, double locked_qty = 0,
              double avg_price = 0) const {
        ot_balance b{};
        b.struct_size = sizeof b;
        b.asset = asset;
        b.free_qty = free_qty;
        b.locked_qty = locked_qty;
        b.avg_price = avg_price;
        if (s_->push(s_->ctx, &b) != OT_OK) throw Error(OT_E_HOST, "balance rejected by the host");
    }

  private:
    const ot_balance_sink* s_;
};

class FeedOut {
  public:
    // host_minor: the host's ot_host.abi_minor, which says whether the sink has push_bars.
    FeedOut(const ot_feed_sink* s, uint32_t host_minor) noexcept
        : s_(s),
          push_bars_(host_minor >= 1 ? s->push_bars : nullptr),
          can_be_behind_(host_minor >= 3) {}
    void bar(const ot_bar& b) const {
        if (s_->push_bar(s_->ctx, &b) != OT_OK) throw Error(OT_E_HOST, "bar rejected by the host");
    }
    // Many bars of one symbol in one call; bar by bar to a host without push_bars.
    void bars(const ot_bar_columns& c) const {
        if (push_bars_) {
            if (push_bars_(s_->ctx, &c) != OT_OK)
                throw Error(OT_E_HOST, "bars rejected by the host");
            return;
        }
        for (uint32_t i = 0; i < c.count; ++i)
            bar({sizeof(ot_bar), c.interval_s, c.symbol, c.open_time_ms[i], c.open[i], c.high[i],
                 c.low[i], c.close[i], c.volume[i]});
    }
    void series(const ot_series_point& p) const {
        if (s_->push_series(s_->ctx, &p) != OT_OK)
            throw Error(OT_E_HOST, "series point rejected by the host");
    }
    // From poll(): more bars have closed than this poll pushed (a catch-up spread over polls).
    // The poll returns OT_BEHIND; a host older than ABI 1.3 is not told.
    void behind() noexcept { behind_ = can_be_behind_; }
    bool is_behind() const noexcept { return behind_; }

  private:
    const ot_feed_sink* s_;
    ot_status(OT_CALL* push_bars_)(void* ctx, const ot_bar_columns* bars);
    bool can_be_behind_;
    bool behind_ = false;
};

// Self-description of a component: static, constexpr.
struct Meta {
    const char* id;
    const char* short_name;
    const char* name;
    const char* version;
    const char* vendor;
    const char* description;
    uint32_t capabilities = 0;
};

constexpr ot_param_spec param(int32_t type, const char* key, const char* def, double lo, double hi,
                              const char* doc, uint32_t flags = 0,
                              const char* const* choices = nullptr) {
    return ot_param_spec{sizeof(ot_param_spec), type, flags, 0u, key, doc, lo, hi, def, choices};
}
constexpr ot_param_spec int_param(const char* key, const char* def, double lo, double hi,
                                  const char* doc) {
    return param(OT_PARAM_INT, key, def, lo, hi, doc, def ? 0u : OT_PARAM_REQUIRED);
}
constexpr ot_param_spec double_param(const char* key, const char* def, double lo, double hi,
                                     const char* doc) {
    return param(OT_PARAM_DOUBLE, key, def, lo, hi, doc, def ? 0u : OT_PARAM_REQUIRED);
}
constexpr ot_param_spec bool_param(const char* key, const char* def, const char* doc) {
    return param(OT_PARAM_BOOL, key, def, 1, 0, doc, def ? 0u : OT_PARAM_REQUIRED);
}
constexpr ot_param_spec string_param(const char* key, const char* def, const char* doc) {
    return param(OT_PARAM_STRING, key, def, 1, 0, doc, def ? 0u : OT_PARAM_REQUIRED);
}
constexpr ot_param_spec secret_param(const char* key, const char* doc, bool required = true) {
    return param(OT_PARAM_STRING, key, nullptr, 1, 0, doc,
                 OT_PARAM_SECRET | (required ? OT_PARAM_REQUIRED : 0u));
}
constexpr ot_param_spec enum_param(const char* key, const char* def, const char* const* choices,
                                   const char* doc) {
    return param(OT_PARAM_ENUM, key, def, 1, 0, doc, def ? 0u : OT_PARAM_REQUIRED, choices);
}
constexpr ot_param_spec json_param(const char* key, const char* def, const char* doc) {
    return param(OT_PARAM_JSON, key, def, 1, 0, doc, 0u);
}

// ---- base classes plugin authors derive from --------------------------------------------------

class Component {
  public:
    explicit Component(const Context& ctx) : host_(ctx.host), mode_(ctx.mode) {}
    virtual ~Component() = default;
    virtual void start() {}
    virtual void stop() {}

  protected:
    const Host& host() const noexcept { return host_; }
    int32_t mode() const noexcept { return mode_; }

  private:
    Host host_;
    int32_t mode_;
};

class Strategy : public Component {
  public:
    using Component::Component;
    virtual uint32_t warmup_bars() const { return 0; }
    virtual void on_bars(const Bars& bars, Signals& out) = 0;
    virtual void on_event(const ot_event& /*event*/, Signals& /*out*/) {}
};

class Executor : public Component {
  public:
    using Component::Component;
    // Throw Error(OT_E_REJECTED, why) for a refusal, Error(OT_E_AMBIGUOUS, why) for an unknown
    // outcome.
    virtual void submit(const ot_order& order) = 0;
    virtual void cancel(const std::string& symbol, const std::string& client_order_id) = 0;
    virtual void on_bars(const Bars& /*bars*/) {}
    virtual void poll(Reports& out) = 0;
    // Return false when the venue does not know the order.
    virtual bool query_order(const std::string& symbol, const std::string& client_order_id,
                             Reports& out) = 0;
    virtual void open_orders(Reports& out) = 0;
    virtual void balances(Balances& out) = 0;
    // The smallest quantity of symbol the venue takes in one market order at price (lot step,
    // minimum quantity, minimum notional); nothing when the venue has no such rules. The host
    // treats a smaller position as dust: flat for entries, never sold (OT_EXT_MIN_ORDER).
    virtual std::optional<double> min_order_qty(const std::string& /*symbol*/,
                                                double /*price*/) const {
        return std::nullopt;
    }
};

class Feed : public Component {
  public:
    using Component::Component;
    // Return false when a finite source is exhausted; call out.behind() when bars that have closed
    // are left for the next poll.
    virtual bool poll(int64_t now_ms, uint32_t max_bars, FeedOut& out) = 0;
    virtual void history(const std::string& /*symbol*/, int32_t /*interval_s*/,
                         int64_t /*before_ms*/, uint32_t /*count*/, FeedOut& /*out*/) {
        throw Error(OT_E_UNSUPPORTED, "this feed has no history");
    }
};

// ---- adapters: C tables with noexcept trampolines ---------------------------------------------
namespace detail {

template <class T>
constexpr uint32_t param_count() {
    return static_cast<uint32_t>(std::size(T::params));
}

template <class T, int32_t Kind>
struct Described {
    static constexpr ot_descriptor descriptor{sizeof(ot_descriptor),
                                              Kind,
                                              T::meta.id,
                                              T::meta.short_name,
                                              T::meta.name,
                                              T::meta.version,
                                              T::meta.vendor,
                                              T::meta.description,
                                              T::params,
                                              param_count<T>(),
                                              T::meta.capabilities};
};

template <class T>
struct StrategyAdapter : Described<T, OT_KIND_STRATEGY> {
    struct Box {
        ot_strategy c;
        T obj;
    };
    static T& self(ot_strategy* s) noexcept { return static_cast<Box*>(s->self)->obj; }

    static ot_status OT_CALL create(const ot_factory*, const ot_host* h, const ot_create_info* info,
                                    void** out, ot_error* e) noexcept {
        return guarded(e, [&] {
            Context ctx(h, info);
            auto* b = new Box{{sizeof(ot_strategy), 0u, nullptr, &start, &warmup, &on_bars,
                               &on_event, &stop, &destroy, &ext},
                              T(ctx)};
            b->c.self = b;
            *out = &b->c;
            return OT_OK;
        });
    }
    static ot_status OT_CALL start(ot_strategy* s, ot_error* e) noexcept {
        return guarded(e, [&] { return self(s).start(), OT_OK; });
    }
    static uint32_t OT_CALL warmup(ot_strategy* s) noexcept {
        try {
            return self(s).warmup_bars();
        } catch (...) {
            return 0;
        }
    }
    static ot_status OT_CALL on_bars(ot_strategy* s, const ot_bar_batch* b, const ot_signal_sink* o,
                                     ot_error* e) noexcept {
        return guarded(e, [&] {
            Signals sig(o);
            self(s).on_bars(Bars(*b), sig);
            return OT_OK;
        });
    }
    static ot_status OT_CALL on_event(ot_strategy* s, const ot_event* ev, const ot_signal_sink* o,
                                      ot_error* e) noexcept {
        return guarded(e, [&] {
            Signals sig(o);
            self(s).on_event(read_prefix(ev), sig);
            return OT_OK;
        });
    }
    static ot_status OT_CALL stop(ot_strategy* s, ot_error* e) noexcept {
        return guarded(e, [&] { return self(s).stop(), OT_OK; });
    }
    static void OT_CALL destroy(ot_strategy* s) noexcept { delete static_cast<Box*>(s->self); }
    static const void* OT_CALL ext(ot_strategy*, const char*) noexcept { return nullptr; }

    static constexpr ot_factory factory{sizeof(ot_factory), 0u, &StrategyAdapter::descriptor,
                                        &create};
};

template <class T>
struct ExecutorAdapter : Described<T, OT_KIND_EXECUTOR> {
    struct Box {
        ot_executor c;
        T obj;
    };
    static T& self(ot_executor* x) noexcept { return static_cast<Box*>(x->self)->obj; }

    static ot_status OT_CALL create(const ot_factory*, const ot_host* h, const ot_create_info* info,
                                    void** out, ot_error* e) noexcept {
        return guarded(e, [&] {
            Context ctx(h, info);
            auto* b = new Box{{sizeof(ot_executor), 0u, nullptr, &start, &submit, &cancel, &on_bars,
                               &poll, &query, &open, &balances, &stop, &destroy, &ext},
                              T(ctx)};
            b->c.self = b;
            *out = &b->c;
            return OT_OK;
        });
    }
    static ot_status OT_CALL start(ot_executor* x, ot_error* e) noexcept {
        return guarded(e, [&] { return self(x).start(), OT_OK; });
    }
    static ot_status OT_CALL submit(ot_executor* x, const ot_order* o, ot_error* e) noexcept {
        return guarded(e, [&] { return self(x).submit(read_prefix(o)), OT_OK; });
    }
    static ot_status OT_CALL cancel(ot_executor* x, const char* sym, const char* id,
                                    ot_error* e) noexcept {
        return guarded(e, [&] { return self(x).cancel(sym ? sym : "", id ? id : ""), OT_OK; });
    }
    static ot_status OT_CALL on_bars(ot_executor* x, const ot_bar_batch* b, ot_error* e) noexcept {
        return guarded(e, [&] { return self(x).on_bars(Bars(*b)), OT_OK; });
    }
    static ot_status OT_CALL poll(ot_executor* x, const ot_report_sink* o, ot_error* e) noexcept {
        return guarded(e, [&] {
            Reports r(o);
            self(x).poll(r);
            return OT_OK;
        });
    }
    static ot_status OT_CALL query(ot_executor* x, const char* sym, const char* id,
                                   const ot_report_sink* o, ot_error* e) noexcept {
        return guarded(e, [&] {
            Reports r(o);
            return self(x).query_order(sym ? sym : "", id ? id : "", r) ? OT_OK : OT_E_NOT_FOUND;
        });
    }
    static ot_status OT_CALL open(ot_executor* x, const ot_report_sink* o, ot_error* e) noexcept {
        return guarded(e, [&] {
            Reports r(o);
            self(x).open_orders(r);
            return OT_OK;
        });
    }
    static ot_status OT_CALL balances(ot_executor* x, const ot_balance_sink* o,
                                      ot_error* e) noexcept {
        return guarded(e, [&] {
            Balances b(o);
            self(x).balances(b);
            return OT_OK;
        });
    }
    static ot_status OT_CALL stop(ot_executor* x, ot_error* e) noexcept {
        return guarded(e, [&] { return self(x).stop(), OT_OK; });
    }
    static void OT_CALL destroy(ot_executor* x) noexcept { delete static_cast<Box*>(x->self); }
    static ot_status OT_CALL min_order(ot_executor* x, const char* symbol, double price,
                                       double* qty, ot_error* e) noexcept {
        return guarded(e, [&] {
            if (!symbol || !qty) throw Error(OT_E_INVALID_ARG, "min_order_qty: no symbol or qty");
            const std::optional<double> q = self(x).min_order_qty(symbol, price);
            if (!q) return OT_E_UNSUPPORTED;
            *qty = *q;
            return OT_OK;
        });
    }
    static constexpr ot_min_order_ext min_order_ext{sizeof(ot_min_order_ext), 0u, &min_order};
    static const void* OT_CALL ext(ot_executor*, const char* id) noexcept {
        return id && std::strcmp(id, OT_EXT_MIN_ORDER) == 0 ? &min_order_ext : nullptr;
    }

    static constexpr ot_factory factory{sizeof(ot_factory), 0u, &ExecutorAdapter::descriptor,
                                        &create};
};

template <class T>
struct FeedAdapter : Described<T, OT_KIND_FEED> {
    struct Box {
        ot_feed c;
        T obj;
        uint32_t host_minor = 0;  // the host's ABI minor: which sink functions exist
    };
    static T& self(ot_feed* f) noexcept { return static_cast<Box*>(f->self)->obj; }
    static uint32_t host_minor(ot_feed* f) noexcept {
        return static_cast<Box*>(f->self)->host_minor;
    }

    static ot_status OT_CALL create(const ot_factory*, const ot_host* h, const ot_create_info* info,
                                    void** out, ot_error* e) noexcept {
        return guarded(e, [&] {
            Context ctx(h, info);
            auto* b = new Box{
                {sizeof(ot_feed), 0u, nullptr, &start, &poll, &history, &stop, &destroy, &ext},
                T(ctx)};
            b->c.self = b;
            b->host_minor = h->abi_minor;
            *out = &b->c;
            return OT_OK;
        });
    }
    static ot_status OT_CALL start(ot_feed* f, ot_error* e) noexcept {
        return guarded(e, [&] { return self(f).start(), OT_OK; });
    }
    static ot_status OT_CALL poll(ot_feed* f, int64_t now_ms, uint32_t max_bars,
                                  const ot_feed_sink* o, ot_error* e) noexcept {
        return guarded(e, [&] {
            FeedOut out(o, host_minor(f));
            if (!self(f).poll(now_ms, max_bars, out)) return OT_END;
            return out.is_behind() ? OT_BEHIND : OT_OK;
        });
    }
    static ot_status OT_CALL history(ot_feed* f, const char* sym, int32_t interval_s,
                                     int64_t before_ms, uint32_t count, const ot_feed_sink* o,
                                     ot_error* e) noexcept {
        return guarded(e, [&] {
            FeedOut out(o, host_minor(f));
            self(f).history(sym ? sym : "", interval_s, before_ms, count, out);
            return OT_OK;
        });
    }
    static ot_status OT_CALL stop(ot_feed* f, ot_error* e) noexcept {
        return guarded(e, [&] { return self(f).stop(), OT_OK; });
    }
    static void OT_CALL destroy(ot_feed* f) noexcept { delete static_cast<Box*>(f->self); }
    static const void* OT_CALL ext(ot_feed*, const char*) noexcept { return nullptr; }

    static constexpr ot_factory factory{sizeof(ot_factory), 0u, &FeedAdapter::descriptor, &create};
};

template <std::size_t N, uint32_t MinHostMinor = 0>
struct ModuleTable {
    static inline const ot_factory* const* list = nullptr;
    static uint32_t OT_CALL count() noexcept { return static_cast<uint32_t>(N); }
    static const ot_factory* OT_CALL at(uint32_t i) noexcept { return i < N ? list[i] : nullptr; }
    static const ot_module* get(const ot_factory* const (&f)[N]) noexcept {
        list = f;
        static const ot_module m{
            sizeof(ot_module), OT_ABI_MAJOR, OT_ABI_MINOR, MinHostMinor, ORCHESTRADE_SDK_VERSION,
            nullptr,           nullptr,      &count,       &at};
        return &m;
    }
};

}  // namespace detail
}  // namespace orchestrade::sdk

#define OT_STRATEGY(T) (&::orchestrade::sdk::detail::StrategyAdapter<T>::factory)
#define OT_EXECUTOR(T) (&::orchestrade::sdk::detail::ExecutorAdapter<T>::factory)
#define OT_FEED(T) (&::orchestrade::sdk::detail::FeedAdapter<T>::factory)

// The one exported symbol of a plugin library, listing its components. It loads into any
// host of the same ABI major.
#define OT_PLUGIN_MODULE(...) OT_PLUGIN_MODULE_REQUIRING(0, __VA_ARGS__)

// The same, for a plugin that needs a host of at least ABI minor `min_host_minor` (one that
// relies on a field or service added later): older hosts refuse it with a clear reason.
#define OT_PLUGIN_MODULE_REQUIRING(min_host_minor, ...)                                   \
    extern "C" OT_EXPORT const ot_module* OT_CALL ot_module_entry_v1(void) {              \
        static const ot_factory* const factories[] = {__VA_ARGS__};                       \
        return ::orchestrade::sdk::detail::ModuleTable<std::size(factories),              \
                                                       (min_host_minor)>::get(factories); \
    }
