#include <orchestrade/core/plugin_instance.hpp>
#include <orchestrade/core/struct_prefix.hpp>
#include <orchestrade/sdk.hpp>

#include <boost/dll/shared_library.hpp>

#include <cmath>
#include <cstddef>

namespace orchestrade::core {
namespace {

// An empty error without zeroing its 512-byte buffer: this runs for every plugin call, several
// times per bar, and a plugin that fails writes a NUL-terminated message.
ot_error make_error() {
    ot_error e;
    e.code = OT_OK;
    e.message[0] = '\0';
    return e;
}

// The smallest instance table of ABI 1.0: through destroy, the last function every table has.
template <class Table>
constexpr std::size_t kSize10 = offsetof(Table, destroy) + sizeof(void*);

}  // namespace

PluginInstance::PluginInstance(const ComponentConfig& config, HostServices& services,
                               std::string name, const CreateArgs& args)
    : info_(config.plugin), library_(config.plugin->library), name_(std::move(name)) {
    // State is kept per mode, as the core keeps its own per account: a live run on the paper
    // bot's journal must not take the paper venue's orders, cursors or balances for its own.
    host_ = std::make_unique<HostContext>(
        services, name_, std::string(to_string(args.mode)) + "/" + name_ + ":" + info_->id);
    std::vector<ot_param_value> params = config.c_params();
    std::vector<const char*> universe;
    for (const auto& s : args.universe)
        universe.push_back(s.c_str());
    ot_create_info info{};
    info.struct_size = sizeof info;
    info.mode = static_cast<int32_t>(args.mode);
    info.params = params.data();
    info.param_count = static_cast<uint32_t>(params.size());
    info.universe_count = static_cast<uint32_t>(universe.size());
    info.universe = universe.data();
    info.base_dir = args.base_dir.c_str();
    ot_error err = make_error();
    ot_status st = info_->factory->create(info_->factory, host_->table(), &info, &raw_, &err);
    check(st, err, "create");
    if (!raw_)
        throw PluginCallError(OT_E_PLUGIN,
                              name_ + " (" + info_->id + "): create returned no instance");
}

void PluginInstance::fail(ot_status status, const ot_error& err, const char* what) const {
    std::string message =
        err.message[0] ? std::string(err.message) : "error " + sdk::describe_status(status);
    throw PluginCallError(status, name_ + " (" + info_->id + "): " + what + ": " + message);
}

void PluginInstance::require_size(uint32_t struct_size, std::size_t size_10, const char* table,
                                  void (*destroy)(void*)) const {
    if (struct_size >= size_10) return;
    if (destroy) destroy(raw_);
    throw PluginCallError(OT_E_PLUGIN, name_ + " (" + info_->id + "): the " + table + " table's " +
                                           struct_size_below_10(table, struct_size, size_10));
}

void PluginInstance::require(bool present, const char* function, void (*destroy)(void*)) const {
    if (present) return;
    if (destroy) destroy(raw_);
    throw PluginCallError(
        OT_E_PLUGIN, name_ + " (" + info_->id + "): the instance has no " + function + " function");
}

// ---- feed ---------------------------------------------------------------------------------------
FeedInstance::FeedInstance(const ComponentConfig& config, HostServices& services, std::string name,
                           const CreateArgs& args)
    : PluginInstance(config, services, std::move(name), args), table_(read_prefix(f())) {
    auto destroy = [](void* p) {
        auto* x = static_cast<ot_feed*>(p);
        if (x->destroy) x->destroy(x);
    };
    require_size(f()->struct_size, kSize10<ot_feed>, "ot_feed", destroy);
    require(table_.destroy, "destroy", destroy);
    require(table_.poll, "poll", destroy);
}
FeedInstance::~FeedInstance() {
    table_.destroy(f());
}
void FeedInstance::start() {
    ot_error err = make_error();
    if (table_.start) check(table_.start(f(), &err), err, "start");
}
FeedPoll FeedInstance::poll(int64_t now_ms, uint32_t max_bars, const ot_feed_sink& sink) {
    ot_error err = make_error();
    switch (check(table_.poll(f(), now_ms, max_bars, &sink, &err), err, "poll")) {
        case OT_END:
            return FeedPoll::End;
        case OT_BEHIND:
            return FeedPoll::Behind;
        default:  // OT_OK, or news from a later minor this host does not know
            return FeedPoll::Ok;
    }
}
bool FeedInstance::history(const std::string& symbol, int32_t interval_s, int64_t before_ms,
                           uint32_t count, const ot_feed_sink& sink) {
    if (!table_.history) return false;
    ot_error err = make_error();
    ot_status st = table_.history(f(), symbol.c_str(), interval_s, before_ms, count, &sink, &err);
    if (st == OT_E_UNSUPPORTED) return false;
    check(st, err, "history");
    return true;
}
void FeedInstance::stop() {
    ot_error err = make_error();
    if (table_.stop) check(table_.stop(f(), &err), err, "stop");
}

// ---- strategy -----------------------------------------------------------------------------------
StrategyInstance::StrategyInstance(const ComponentConfig& config, HostServices& services,
                                   std::string name, const CreateArgs& args)
    : PluginInstance(config, services, std::move(name), args), table_(read_prefix(s())) {
    auto destroy = [](void* p) {
        auto* x = static_cast<ot_strategy*>(p);
        if (x->destroy) x->destroy(x);
    };
    require_size(s()->struct_size, kSize10<ot_strategy>, "ot_strategy", destroy);
    require(table_.destroy, "destroy", destroy);
    require(table_.on_bars, "on_bars", destroy);
}
StrategyInstance::~StrategyInstance() {
    table_.destroy(s());
}
void StrategyInstance::start() {
    ot_error err = make_error();
    if (table_.start) check(table_.start(s(), &err), err, "start");
}
uint32_t StrategyInstance::warmup_bars() {
    return table_.warmup_bars ? table_.warmup_bars(s()) : 0;
}
void StrategyInstance::on_bars(const ot_bar_batch& batch, const ot_signal_sink& sink) {
    ot_error err = make_error();
    check(table_.on_bars(s(), &batch, &sink, &err), err, "on_bars");
}
bool StrategyInstance::on_event(const ot_event& event, const ot_signal_sink& sink) {
    if (!table_.on_event) return false;
    ot_error err = make_error();
    check(table_.on_event(s(), &event, &sink, &err), err, "on_event");
    return true;
}
void StrategyInstance::stop() {
    ot_error err = make_error();
    if (table_.stop) check(table_.stop(s(), &err), err, "stop");
}

// ---- executor -----------------------------------------------------------------------------------
ExecutorInstance::ExecutorInstance(const ComponentConfig& config, HostServices& services,
                                   std::string name, const CreateArgs& args)
    : PluginInstance(config, services, std::move(name), args), table_(read_prefix(e())) {
    auto destroy = [](void* p) {
        auto* x = static_cast<ot_executor*>(p);
        if (x->destroy) x->destroy(x);
    };
    require_size(e()->struct_size, kSize10<ot_executor>, "ot_executor", destroy);
    require(table_.destroy, "destroy", destroy);
    require(table_.submit, "submit", destroy);
    require(table_.cancel, "cancel", destroy);
    require(table_.poll, "poll", destroy);
    require(table_.query_order, "query_order", destroy);
    require(table_.balances, "balances", destroy);
    if (table_.get_extension)
        min_order_ = read_prefix(
            static_cast<const ot_min_order_ext*>(table_.get_extension(e(), OT_EXT_MIN_ORDER)));
}

double ExecutorInstance::min_order_qty(const std::string& symbol, double price) {
    if (!min_order_.min_order_qty) return 0;
    ot_error err = make_error();
    double qty = 0;
    const ot_status st = min_order_.min_order_qty(e(), symbol.c_str(), price, &qty, &err);
    return st == OT_OK && std::isfinite(qty) && qty > 0 ? qty : 0;
}
ExecutorInstance::~ExecutorInstance() {
    table_.destroy(e());
}
void ExecutorInstance::start() {
    ot_error err = make_error();
    if (table_.start) check(table_.start(e(), &err), err, "start");
}
ot_status ExecutorInstance::submit(const ot_order& order, ot_error& err) {
    return table_.submit(e(), &order, &err);
}
ot_status ExecutorInstance::cancel(const std::string& symbol, const std::string& client_order_id,
                                   ot_error& err) {
    return table_.cancel(e(), symbol.c_str(), client_order_id.c_str(), &err);
}
void ExecutorInstance::on_bars(const ot_bar_batch& batch) {
    if (!table_.on_bars) return;
    ot_error err = make_error();
    check(table_.on_bars(e(), &batch, &err), err, "on_bars");
}
void ExecutorInstance::poll(const ot_report_sink& sink) {
    ot_error err = make_error();
    check(table_.poll(e(), &sink, &err), err, "poll");
}
ot_status ExecutorInstance::query_order(const std::string& symbol,
                                        const std::string& client_order_id,
                                        const ot_report_sink& sink) {
    ot_error err = make_error();
    ot_status st = table_.query_order(e(), symbol.c_str(), client_order_id.c_str(), &sink, &err);
    if (st == OT_E_NOT_FOUND) return st;
    return check(st, err, "query_order");
}
void ExecutorInstance::open_orders(const ot_report_sink& sink) {
    if (!table_.open_orders) return;
    ot_error err = make_error();
    check(table_.open_orders(e(), &sink, &err), err, "open_orders");
}
void ExecutorInstance::balances(const ot_balance_sink& sink) {
    ot_error err = make_error();
    check(table_.balances(e(), &sink, &err), err, "balances");
}
void ExecutorInstance::stop() {
    ot_error err = make_error();
    if (table_.stop) check(table_.stop(e(), &err), err, "stop");
}

}  // namespace orchestrade::core
