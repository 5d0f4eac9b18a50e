#include <orchestrade/sdk.hpp>
#include <orchestrade/testing/instances.hpp>

#include <utility>

namespace orchestrade::testing {
namespace {

std::string text(const char* s) {
    return s ? s : "";
}

ot_status OT_CALL push_bar(void* ctx, const ot_bar* in) noexcept {
    ot_bar b = sdk::read_prefix(in);
    static_cast<FeedOutput*>(ctx)->bars.push_back(
        {text(b.symbol), b.interval_s, b.open_time_ms, b.open, b.high, b.low, b.close, b.volume});
    return OT_OK;
}

ot_status OT_CALL push_bars(void* ctx, const ot_bar_columns* in) noexcept {
    ot_bar_columns c = sdk::read_prefix(in);
    auto& out = *static_cast<FeedOutput*>(ctx);
    ++out.column_pushes;
    for (uint32_t i = 0; i < c.count; ++i)
        out.bars.push_back({text(c.symbol), c.interval_s, c.open_time_ms[i], c.open[i], c.high[i],
                            c.low[i], c.close[i], c.volume[i]});
    return OT_OK;
}

ot_status OT_CALL push_series(void* ctx, const ot_series_point* in) noexcept {
    ot_series_point p = sdk::read_prefix(in);
    static_cast<FeedOutput*>(ctx)->series.push_back(
        {text(p.symbol), text(p.name), p.time_ms, p.value});
    return OT_OK;
}

ot_status OT_CALL push_signal(void* ctx, const ot_signal* in) noexcept {
    ot_signal s = sdk::read_prefix(in);
    static_cast<std::vector<Signal>*>(ctx)->push_back(
        {s.action, text(s.symbol), s.time_ms, s.size_pct, s.stop_loss, s.take_profit, s.confidence,
         text(s.reason), text(s.metadata_json)});
    return OT_OK;
}

ot_status OT_CALL push_report(void* ctx, const ot_exec_report* in) noexcept {
    ot_exec_report r = sdk::read_prefix(in);
    static_cast<std::vector<Report>*>(ctx)->push_back(
        {r.kind, text(r.client_order_id), text(r.venue_order_id), text(r.trade_id), text(r.symbol),
         r.side, r.qty, r.price, r.fee, r.cum_qty, r.time_ms, text(r.text)});
    return OT_OK;
}

ot_status OT_CALL push_balance(void* ctx, const ot_balance* in) noexcept {
    ot_balance b = sdk::read_prefix(in);
    static_cast<std::vector<Balance>*>(ctx)->push_back(
        {text(b.asset), b.free_qty, b.locked_qty, b.avg_price});
    return OT_OK;
}

}  // namespace

void check(ot_status status, const ot_error& err) {
    if (status < 0) throw PluginError(status, err.message);
}

// ---- feed ---------------------------------------------------------------------------------------

FeedInstance::FeedInstance(FeedInstance&& other) noexcept
    : feed_(std::exchange(other.feed_, nullptr)), offer_push_bars_(other.offer_push_bars_) {}

FeedInstance::~FeedInstance() {
    if (feed_) feed_->destroy(feed_);
}

void FeedInstance::start() {
    ot_error err{};
    check(feed_->start(feed_, &err), err);
}

void FeedInstance::stop() {
    ot_error err{};
    check(feed_->stop(feed_, &err), err);
}

ot_feed_sink FeedInstance::sink(FeedOutput& out) const {
    return {&out, &push_bar, &push_series, offer_push_bars_ ? &push_bars : nullptr};
}

FeedOutput FeedInstance::poll(int64_t now_ms, uint32_t max_bars) {
    FeedOutput out;
    const ot_feed_sink sink = this->sink(out);
    ot_error err{};
    ot_status st = feed_->poll(feed_, now_ms, max_bars, &sink, &err);
    check(st, err);
    out.end = st == OT_END;
    out.behind = st == OT_BEHIND;
    return out;
}

std::vector<Bar> FeedInstance::drain(uint32_t max_bars) {
    std::vector<Bar> bars;
    for (;;) {
        FeedOutput out = poll(std::numeric_limits<int64_t>::max(), max_bars);
        bars.insert(bars.end(), out.bars.begin(), out.bars.end());
        if (out.end) return bars;
    }
}

FeedOutput FeedInstance::history(const std::string& symbol, int32_t interval_s, int64_t before_ms,
                                 uint32_t count) {
    if (!feed_->history) throw PluginError(OT_E_UNSUPPORTED, "the feed has no history()");
    FeedOutput out;
    const ot_feed_sink sink = this->sink(out);
    ot_error err{};
    check(feed_->history(feed_, symbol.c_str(), interval_s, before_ms, count, &sink, &err), err);
    return out;
}

// ---- strategy -----------------------------------------------------------------------------------

StrategyInstance::StrategyInstance(StrategyInstance&& other) noexcept
    : strategy_(std::exchange(other.strategy_, nullptr)) {}

StrategyInstance::~StrategyInstance() {
    if (strategy_) strategy_->destroy(strategy_);
}

void StrategyInstance::start() {
    ot_error err{};
    check(strategy_->start(strategy_, &err), err);
}

void StrategyInstance::stop() {
    ot_error err{};
    check(strategy_->stop(strategy_, &err), err);
}

uint32_t StrategyInstance::warmup_bars() {
    return strategy_->warmup_bars(strategy_);
}

std::vector<Signal> StrategyInstance::on_bars(const std::vector<Bar>& bars, uint32_t flags) {
    BarBatch batch(bars, flags);
    std::vector<Signal> signals;
    ot_signal_sink sink{&signals, &push_signal};
    ot_error err{};
    check(strategy_->on_bars(strategy_, &batch.view(), &sink, &err), err);
    return signals;
}

std::vector<Signal> StrategyInstance::on_each_bar(const std::vector<Bar>& bars, uint32_t flags) {
    std::vector<Signal> signals;
    for (const Bar& bar : bars) {
        std::vector<Signal> out = on_bars({bar}, flags);
        signals.insert(signals.end(), out.begin(), out.end());
    }
    return signals;
}

std::vector<Signal> StrategyInstance::on_event(const std::string& name, int64_t time_ms,
                                               const std::string& payload_json) {
    if (!strategy_->on_event) throw PluginError(OT_E_UNSUPPORTED, "the strategy has no on_event()");
    ot_event event{};
    event.struct_size = sizeof event;
    event.name = name.c_str();
    event.time_ms = time_ms;
    event.payload_json = payload_json.empty() ? nullptr : payload_json.c_str();
    std::vector<Signal> signals;
    ot_signal_sink sink{&signals, &push_signal};
    ot_error err{};
    check(strategy_->on_event(strategy_, &event, &sink, &err), err);
    return signals;
}

// ---- executor -----------------------------------------------------------------------------------

ExecutorInstance::ExecutorInstance(ExecutorInstance&& other) noexcept
    : executor_(std::exchange(other.executor_, nullptr)) {}

ExecutorInstance::~ExecutorInstance() {
    if (executor_) executor_->destroy(executor_);
}

void ExecutorInstance::start() {
    ot_error err{};
    check(executor_->start(executor_, &err), err);
}

void ExecutorInstance::stop() {
    ot_error err{};
    check(executor_->stop(executor_, &err), err);
}

void ExecutorInstance::submit(const Order& in) {
    ot_order o{};
    o.struct_size = sizeof o;
    o.side = in.side;
    o.client_order_id = in.client_order_id.c_str();
    o.symbol = in.symbol.c_str();
    o.type = in.type;
    o.tif = in.tif;
    o.qty = in.qty;
    o.limit_price = in.limit_price;
    o.stop_price = in.stop_price;
    o.stop_loss = in.stop_loss;
    o.take_profit = in.take_profit;
    o.time_ms = in.time_ms;
    o.flags = in.flags;
    o.parent_client_order_id =
        in.parent_client_order_id.empty() ? nullptr : in.parent_client_order_id.c_str();
    ot_error err{};
    check(executor_->submit(executor_, &o, &err), err);
}

void ExecutorInstance::cancel(const std::string& symbol, const std::string& client_order_id) {
    ot_error err{};
    check(executor_->cancel(executor_, symbol.c_str(), client_order_id.c_str(), &err), err);
}

void ExecutorInstance::on_bars(const std::vector<Bar>& bars, uint32_t flags,
                               std::vector<SeriesPoint> series) {
    if (!executor_->on_bars) throw PluginError(OT_E_UNSUPPORTED, "the executor has no on_bars()");
    BarBatch batch(bars, flags, -1, std::move(series));
    ot_error err{};
    check(executor_->on_bars(executor_, &batch.view(), &err), err);
}

std::vector<Report> ExecutorInstance::poll() {
    std::vector<Report> reports;
    ot_report_sink sink{&reports, &push_report};
    ot_error err{};
    check(executor_->poll(executor_, &sink, &err), err);
    return reports;
}

std::optional<std::vector<Report>> ExecutorInstance::query_order(
    const std::string& symbol, const std::string& client_order_id) {
    std::vector<Report> reports;
    ot_report_sink sink{&reports, &push_report};
    ot_error err{};
    ot_status st =
        executor_->query_order(executor_, symbol.c_str(), client_order_id.c_str(), &sink, &err);
    if (st == OT_E_NOT_FOUND) return std::nullopt;
    check(st, err);
    return reports;
}

std::vector<Report> ExecutorInstance::open_orders() {
    std::vector<Report> reports;
    ot_report_sink sink{&reports, &push_report};
    ot_error err{};
    check(executor_->open_orders(executor_, &sink, &err), err);
    return reports;
}

std::vector<Balance> ExecutorInstance::balances() {
    std::vector<Balance> balances;
    ot_balance_sink sink{&balances, &push_balance};
    ot_error err{};
    check(executor_->balances(executor_, &sink, &err), err);
    return balances;
}

}  // namespace orchestrade::testing
