#include <orchestrade/core/journal.hpp>
#include <orchestrade/core/ledger.hpp>
#include <orchestrade/core/performance.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <map>
#include <stdexcept>

namespace orchestrade::core {
namespace {

constexpr int64_t kDayMs = 86'400'000;
constexpr double kYearMs = 365.25 * kDayMs;

// The Metrics fields in declaration order; each is a double or an integer.
struct MetricsField {
    const char* key;
    double Metrics::*real;
    int64_t Metrics::*integer;
};
constexpr MetricsField kMetricsFields[] = {
    {"starting_equity", &Metrics::starting_equity, nullptr},
    {"final_equity", &Metrics::final_equity, nullptr},
    {"total_return_pct", &Metrics::total_return_pct, nullptr},
    {"cagr_pct", &Metrics::cagr_pct, nullptr},
    {"sharpe", &Metrics::sharpe, nullptr},
    {"sortino", &Metrics::sortino, nullptr},
    {"max_drawdown_pct", &Metrics::max_drawdown_pct, nullptr},
    {"max_drawdown_duration_ms", nullptr, &Metrics::max_drawdown_duration_ms},
    {"volatility_pct", &Metrics::volatility_pct, nullptr},
    {"exposure_pct", &Metrics::exposure_pct, nullptr},
    {"fees", &Metrics::fees, nullptr},
    {"cash_flows", &Metrics::cash_flows, nullptr},
    {"realized_pnl", &Metrics::realized_pnl, nullptr},
    {"trades", nullptr, &Metrics::trades},
    {"win_rate_pct", &Metrics::win_rate_pct, nullptr},
    {"profit_factor", &Metrics::profit_factor, nullptr},
    {"avg_trade_pnl", &Metrics::avg_trade_pnl, nullptr},
    {"periods", nullptr, &Metrics::periods},
    {"start_ms", nullptr, &Metrics::start_ms},
    {"end_ms", nullptr, &Metrics::end_ms},
};

}  // namespace

PerformanceTracker::PerformanceTracker(double starting_equity, double periods_per_year)
    : starting_equity_(starting_equity),
      periods_per_year_(periods_per_year),
      last_equity_(starting_equity),
      peak_(starting_equity) {}

void PerformanceTracker::add(int64_t time_ms, double equity, bool in_market) {
    if (n_ == 0) {
        start_ms_ = time_ms;
        peak_time_ = time_ms;
    }
    const double r = last_equity_ > 0 ? equity / last_equity_ - 1 : 0;
    ++n_;
    const double delta = r - mean_;
    mean_ += delta / static_cast<double>(n_);
    m2_ += delta * (r - mean_);
    if (r < 0) downside_sq_ += r * r;

    if (equity >= peak_) {
        if (below_peak_) max_dd_duration_ = std::max(max_dd_duration_, time_ms - peak_time_);
        peak_ = equity;
        peak_time_ = time_ms;
        below_peak_ = false;
    } else {
        below_peak_ = true;
        if (peak_ > 0) max_dd_ = std::max(max_dd_, (peak_ - equity) / peak_ * 100);
        max_dd_duration_ = std::max(max_dd_duration_, time_ms - peak_time_);
    }
    if (in_market) ++in_market_;
    last_equity_ = equity;
    end_ms_ = time_ms;
}

Metrics PerformanceTracker::metrics(const TradeStats& trades, double fees,
                                    double realized_pnl) const {
    Metrics m;
    m.starting_equity = starting_equity_;
    m.final_equity = last_equity_;
    if (starting_equity_ > 0) {
        const double growth = m.final_equity / starting_equity_;
        m.total_return_pct = (growth - 1) * 100;
        if (end_ms_ - start_ms_ >= kDayMs) {
            const double years = static_cast<double>(end_ms_ - start_ms_) / kYearMs;
            m.cagr_pct = growth > 0 ? (std::pow(growth, 1 / years) - 1) * 100 : -100;
        }
    }
    const double annualize = std::sqrt(periods_per_year_);
    const double stdev = n_ > 1 ? std::sqrt(std::max(m2_, 0.0) / static_cast<double>(n_ - 1)) : 0;
    if (stdev > 0) m.sharpe = mean_ / stdev * annualize;
    const double downside = n_ > 0 ? std::sqrt(downside_sq_ / static_cast<double>(n_)) : 0;
    if (downside > 0) m.sortino = mean_ / downside * annualize;
    m.volatility_pct = stdev * annualize * 100;
    m.max_drawdown_pct = max_dd_;
    m.max_drawdown_duration_ms = max_dd_duration_;
    m.exposure_pct = n_ > 0 ? 100.0 * static_cast<double>(in_market_) / static_cast<double>(n_) : 0;
    m.fees = fees;
    m.realized_pnl = realized_pnl;
    apply_trade_stats(m, trades);
    m.periods = n_;
    m.start_ms = start_ms_;
    m.end_ms = end_ms_;
    return m;
}

double periods_per_year(int32_t interval_s) {
    return interval_s > 0 ? 365.0 * 86400.0 / interval_s : 365.0;
}

Metrics compute_metrics(const std::vector<EquityPoint>& curve, double starting_equity,
                        double periods_per_year, const std::vector<Trade>& trades, double fees,
                        double realized_pnl) {
    // A fill shows in the samples after it, so a trade covers the points in (entry, exit]. Not
    // equity != cash: dust an exit leaves keeps those apart with no position to speak of.
    std::vector<int64_t> entries, exits;
    for (const auto& t : trades) {
        entries.push_back(t.entry_ts);
        if (!t.open) exits.push_back(t.exit_ts);
    }
    std::sort(entries.begin(), entries.end());
    std::sort(exits.begin(), exits.end());
    const auto before = [](const std::vector<int64_t>& times, int64_t t) {
        return std::lower_bound(times.begin(), times.end(), t) - times.begin();
    };
    PerformanceTracker tracker(starting_equity, periods_per_year);
    for (const auto& p : curve)
        tracker.add(p.time_ms, p.equity, before(entries, p.time_ms) > before(exits, p.time_ms));
    return tracker.metrics(trade_stats(trades), fees, realized_pnl);
}

void TradeStats::add(const Trade& t) {
    if (t.open) return;
    ++closed;
    if (t.pnl > 0) {
        ++wins;
        profit += t.pnl;
    } else {
        loss += t.pnl;
    }
}

TradeStats trade_stats(const std::vector<Trade>& trades) {
    TradeStats s;
    for (const auto& t : trades)
        s.add(t);
    return s;
}

void apply_trade_stats(Metrics& m, const TradeStats& s) {
    m.trades = s.closed;
    m.win_rate_pct =
        s.closed > 0 ? 100.0 * static_cast<double>(s.wins) / static_cast<double>(s.closed) : 0;
    m.profit_factor = s.loss < 0 ? s.profit / -s.loss : 0;
    m.avg_trade_pnl = s.closed > 0 ? (s.profit + s.loss) / static_cast<double>(s.closed) : 0;
}

std::string metrics_to_json(const Metrics& m) {
    nlohmann::ordered_json j = nlohmann::ordered_json::object();
    for (const auto& field : kMetricsFields) {
        if (field.real) {
            j[field.key] = m.*field.real;
        } else {
            j[field.key] = m.*field.integer;
        }
    }
    return j.dump();
}

Metrics metrics_from_json(const std::string& json) {
    const auto j = nlohmann::json::parse(json, nullptr, false);
    if (!j.is_object()) throw std::runtime_error("metrics are not a JSON object: " + json);
    Metrics m;
    for (const auto& field : kMetricsFields) {
        const auto it = j.find(field.key);
        if (it == j.end() || it->is_null()) continue;
        if (!it->is_number())
            throw std::runtime_error(std::string("metric '") + field.key + "' is not a number");
        if (field.real) {
            m.*field.real = it->get<double>();
        } else {
            m.*field.integer = it->get<int64_t>();
        }
    }
    return m;
}

void TradeBuilder::start(const FillRecord& f, double qty, double fee, double position) {
    Open& o = open_[f.symbol];
    o = Open{};
    o.opened = next_++;
    o.trade.symbol = f.symbol;
    o.trade.side = position > 0 ? Side::Buy : Side::Sell;
    o.trade.qty = qty;
    o.trade.entry_ts = f.time_ms;
    o.trade.fees = fee;
    o.entry_qty = qty;
    o.entry_value = qty * f.price;
}

void TradeBuilder::settle(Open& o) {
    Trade& t = o.trade;
    t.entry_price = o.entry_value / o.entry_qty;
    t.exit_price = o.exit_qty > 0 ? o.exit_value / o.exit_qty : 0;
    t.pnl = o.realized - t.fees;
}

void TradeBuilder::add(const FillRecord& f, bool leaves_dust) {
    const Position before = ledger_.position(f.symbol);
    ledger_.apply_fill(f);
    const Position after = ledger_.position(f.symbol);
    const bool reversal = after.qty != 0 && (after.qty > 0) != (before.qty > 0);
    auto it = open_.find(f.symbol);
    if (it == open_.end()) {  // flat, or dust an earlier trade left: only an entry opens a trade
        if (before.qty == 0 || (f.side == Side::Buy) == (before.qty > 0))
            start(f, f.qty, f.fee, after.qty);
        else if (reversal)
            start(f, std::abs(after.qty), f.fee * std::abs(after.qty) / f.qty, after.qty);
        return;
    }
    Open& o = it->second;
    Trade& t = o.trade;
    if ((f.side == Side::Buy) == (before.qty > 0)) {
        o.entry_qty += f.qty;
        o.entry_value += f.qty * f.price;
        t.fees += f.fee;
        t.qty = std::max(t.qty, std::abs(after.qty));
        return;
    }
    const double closed = reversal ? std::abs(before.qty) : f.qty;
    const double closing_fee = f.fee * closed / f.qty;
    o.exit_qty += closed;
    o.exit_value += closed * f.price;
    o.realized += after.realized_pnl - before.realized_pnl;
    t.fees += closing_fee;
    if (after.qty != 0 && !reversal && !leaves_dust) return;
    t.exit_ts = f.time_ms;
    settle(o);
    const int64_t opened = o.opened;
    Trade done = std::move(t);
    open_.erase(f.symbol);
    if (on_closed_) on_closed_(opened, std::move(done));
    if (reversal) start(f, std::abs(after.qty), f.fee - closing_fee, after.qty);
}

std::vector<std::pair<int64_t, Trade>> TradeBuilder::open_trades(
    const std::map<std::string, double>& marks) const {
    std::vector<std::pair<int64_t, Trade>> out;
    for (const auto& [symbol, o] : open_) {
        Open settled = o;
        settled.trade.open = true;
        settle(settled);
        if (const auto mark = marks.find(symbol); mark != marks.end()) {
            Position held = ledger_.position(symbol);
            held.mark_price = mark->second;
            settled.trade.pnl += held.unrealized_pnl();
            settled.trade.mark_price = mark->second;
        }
        out.emplace_back(settled.opened, std::move(settled.trade));
    }
    return out;
}

std::string dust_key(const std::string& client_order_id, const std::string& trade_id) {
    return client_order_id + '\n' + trade_id;
}

std::set<std::string> dust_fills(const std::vector<EventRecord>& dust_left_events) {
    std::set<std::string> keys;
    for (const EventRecord& e : dust_left_events) {
        const auto j = nlohmann::json::parse(e.json, nullptr, false);
        if (j.is_object())
            keys.insert(dust_key(j.value("client_order_id", ""), j.value("trade_id", "")));
    }
    return keys;
}

std::vector<Trade> build_trades(const std::vector<FillRecord>& fills, std::size_t first_own,
                                const std::set<std::string>& dust_fills,
                                const std::map<std::string, double>& marks) {
    std::vector<std::pair<int64_t, Trade>> numbered;
    std::size_t i = 0;
    TradeBuilder builder([&](int64_t opened, Trade&& t) {
        if (i >= first_own) numbered.emplace_back(opened, std::move(t));
    });
    for (; i < fills.size(); ++i)
        builder.add(fills[i],
                    !dust_fills.empty() && dust_fills.count(dust_key(fills[i].client_order_id,
                                                                     fills[i].trade_id)) != 0);
    for (auto& open : builder.open_trades(marks))
        numbered.push_back(std::move(open));
    std::sort(numbered.begin(), numbered.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    std::vector<Trade> trades;
    trades.reserve(numbered.size());
    for (auto& [opened, t] : numbered)
        trades.push_back(std::move(t));
    return trades;
}

}  // namespace orchestrade::core
