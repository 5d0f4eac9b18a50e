#include <orchestrade/core/risk_stage.hpp>

#include <spdlog/fmt/fmt.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>

namespace orchestrade::core {
namespace {

constexpr int64_t kDayMs = 86'400'000;
constexpr int64_t kHourMs = 3'600'000;

// Quantities are kept to 1e-8 base units so journal, ledger and venue agree on the digits.
double round_qty(double q) {
    return std::floor(q * 1e8 + 1e-6) / 1e8;
}

RiskDecision ignored(std::string why) {
    return {std::nullopt, "ignored: " + why, {}};
}
RiskDecision refused(const std::string& rule, const std::string& detail) {
    return {std::nullopt, "refused: " + rule + ": " + detail, rule};
}

}  // namespace

std::string_view to_string(BreakerState s) {
    switch (s) {
        case BreakerState::Active:
            return "ACTIVE";
        case BreakerState::Reducing:
            return "REDUCING";
        case BreakerState::Halted:
            return "HALTED";
    }
    return "ACTIVE";
}

RiskStage::RiskStage(const RiskConfig& config) : config_(config) {}

// ---- signals --------------------------------------------------------------------------------

RiskDecision RiskStage::evaluate(const SignalRecord& signal, const Ledger& ledger, double price,
                                 bool order_pending, int64_t now_ms,
                                 const MinOrderQty& min_order_qty) {
    // As in the seed: a signal equal to the previous one for the symbol (HOLD included) is a
    // duplicate, so BUY, BUY sends once while BUY, HOLD, BUY may enter again once flat. Only a
    // signal that was acted on counts: after a refusal (a limit, a breaker) or a protective
    // exit (forget()) the same signal may act again.
    auto last = last_action_.find(signal.symbol);
    const bool duplicate = last != last_action_.end() && last->second == signal.action;
    if (signal.action == Action::Hold) {
        remember(signal.symbol, Action::Hold);
        return {std::nullopt, "hold", {}};
    }
    if (duplicate) return ignored("duplicate signal");
    RiskDecision d = decide(signal, ledger, price, order_pending, now_ms, min_order_qty);
    if (d.order) remember(signal.symbol, signal.action);
    return d;
}

RiskDecision RiskStage::decide(const SignalRecord& signal, const Ledger& ledger, double price,
                               bool order_pending, int64_t now_ms,
                               const MinOrderQty& min_order_qty) {
    if (order_pending) return ignored("an order for " + signal.symbol + " is still open");

    const double held = ledger.position(signal.symbol).qty;
    const double smallest = held != 0 && min_order_qty ? min_order_qty(signal.symbol, price) : 0;
    const bool dust = is_dust(held, smallest);
    const double pos = dust ? 0 : held;
    auto nothing_to_exit = [&](const char* otherwise) {
        return ignored(
            dust ? fmt::format("the {:.10g} {} held is below the venue's smallest order {:.10g} "
                               "(dust, not sold)",
                               held, signal.symbol, smallest)
                 : std::string(otherwise));
    };
    auto exit = [&](Side side, double qty) {
        OrderRequest req;
        req.side = side;
        req.qty = round_qty(qty);
        if (req.qty <= 0) return RiskDecision{std::nullopt, "ignored: position rounds to zero", {}};
        return RiskDecision{req, "order", {}};
    };
    switch (signal.action) {
        case Action::Buy:
            if (pos > 0) return ignored("already long");
            if (pos < 0) return exit(Side::Buy, -pos);
            return entry(signal, ledger, price, Side::Buy, now_ms, min_order_qty);
        case Action::Sell:
            if (pos > 0) return exit(Side::Sell, pos);
            if (pos < 0) return ignored("already short");
            if (!config_.allow_short)
                return nothing_to_exit("no position to sell (shorts not allowed)");
            return entry(signal, ledger, price, Side::Sell, now_ms, min_order_qty);
        case Action::Close:
            if (pos == 0) return nothing_to_exit("no position to close");
            return exit(pos > 0 ? Side::Sell : Side::Buy, std::fabs(pos));
        case Action::Hold:
            break;
    }
    return {std::nullopt, "hold", {}};
}

double RiskStage::stop_for(const SignalRecord& signal, Side side, double price) const {
    if (signal.stop_loss > 0) return signal.stop_loss;
    const double dir = side == Side::Buy ? -1 : 1;  // a long's stop is below the price
    if (config_.stop_loss_atr > 0) {
        auto atr = atr_.find(signal.symbol);
        if (atr != atr_.end() && atr->second > 0)
            return price + dir * config_.stop_loss_atr * atr->second;
    }
    if (config_.stop_loss_pct > 0) return price * (1 + dir * config_.stop_loss_pct / 100);
    return 0;
}

double RiskStage::take_profit_for(const SignalRecord& signal, Side side, double price) const {
    if (signal.take_profit > 0) return signal.take_profit;
    if (config_.take_profit_pct <= 0) return 0;
    const double dir = side == Side::Buy ? 1 : -1;
    return price * (1 + dir * config_.take_profit_pct / 100);
}

int RiskStage::open_positions(const Ledger& ledger, const MinOrderQty& min_order_qty) {
    if (!min_order_qty) return ledger.open_positions();
    // Each symbol's rest after its exits (a fee paid in the coin, a step) would otherwise hold a
    // slot of max_open_positions for good.
    int open = 0;
    for (const auto& [symbol, p] : ledger.positions())
        if (p.qty != 0 && !is_dust(p.qty, min_order_qty(symbol, p.mark_price))) ++open;
    return open;
}

RiskDecision RiskStage::entry(const SignalRecord& signal, const Ledger& ledger, double price,
                              Side side, int64_t now_ms, const MinOrderQty& min_order_qty) {
    if (state_ != BreakerState::Active)
        return refused("breaker", std::string(to_string(state_)) + " (" + state_reason_ +
                                      "): entries are blocked, exits are not");
    if (price <= 0) return refused("no_price", "no price known for " + signal.symbol);
    auto cool = cooldown_until_.find(signal.symbol);
    if (cool != cooldown_until_.end() && now_ms < cool->second)
        return refused("cooldown_after_loss",
                       fmt::format("{} cools down for {} more s after a loss", signal.symbol,
                                   (cool->second - now_ms + 999) / 1000));
    if (config_.max_open_positions > 0) {
        const int open = open_positions(ledger, min_order_qty);
        if (open >= config_.max_open_positions)
            return refused("max_open_positions", fmt::format("{} positions open, the limit is {}",
                                                             open, config_.max_open_positions));
    }
    while (!entry_times_.empty() && entry_times_.front() <= now_ms - kHourMs)
        entry_times_.pop_front();
    if (config_.max_orders_per_hour > 0 &&
        static_cast<int64_t>(entry_times_.size()) >= config_.max_orders_per_hour)
        return refused("max_orders_per_hour",
                       fmt::format("{} entries in the last hour, the limit is {}",
                                   entry_times_.size(), config_.max_orders_per_hour));

    OrderRequest req;
    req.side = side;
    req.entry = true;
    req.stop_loss = stop_for(signal, side, price);
    // The pipeline asks for a stop on every entry: none is better than an unprotected position.
    if (req.stop_loss <= 0 && config_.stop_loss_atr > 0) {
        auto seed = atr_seed_.find(signal.symbol);
        const int64_t seen = seed == atr_seed_.end() ? 0 : seed->second.n;
        return refused("stop_loss_atr",
                       seen < config_.atr_period
                           ? fmt::format("no ATR for {} yet ({} of the {} bars it needs)",
                                         signal.symbol, seen, config_.atr_period)
                           : fmt::format("the ATR of {} is 0: no stop distance", signal.symbol));
    }
    req.take_profit = take_profit_for(signal, side, price);
    if (req.stop_loss > 0 && (side == Side::Buy ? req.stop_loss >= price : req.stop_loss <= price))
        return refused("stop_loss",
                       fmt::format("stop {:.10g} is on the wrong side of the price {:.10g}",
                                   req.stop_loss, price));
    // A target the price has already passed (levels planned hours before, a gap) would exit at
    // once: a round trip for nothing but fees.
    if (req.take_profit > 0 &&
        (side == Side::Buy ? req.take_profit <= price : req.take_profit >= price))
        return refused("take_profit",
                       fmt::format("take-profit {:.10g} is on the wrong side of the price {:.10g}",
                                   req.take_profit, price));

    const double equity = ledger.equity();
    double qty = 0;
    if (config_.quantity > 0 && signal.size_pct <= 0) {
        qty = config_.quantity;
    } else if (config_.quote_amount > 0 && signal.size_pct <= 0) {
        qty = config_.quote_amount / price;
    } else if (config_.risk_per_trade_pct > 0 && signal.size_pct <= 0) {
        if (req.stop_loss <= 0) return refused("risk_per_trade_pct", "no stop distance known yet");
        qty = equity * config_.risk_per_trade_pct / 100 / std::fabs(price - req.stop_loss);
    } else {
        const double pct = signal.size_pct > 0             ? signal.size_pct
                           : config_.position_size_pct > 0 ? config_.position_size_pct
                                                           : kDefaultPositionSizePct;
        qty = equity * pct / 100 / price;
    }

    // Limits that shrink an entry before they refuse it.
    std::string capped;
    auto cap_value = [&](double max_value, const char* rule) {
        if (max_value <= 0 || qty * price <= max_value) return;
        qty = std::max(0.0, max_value / price);
        capped = std::string(" (capped by ") + rule + ")";
    };
    // A stop close to the price makes the stop-distance size huge (a stop 0.1 % away and 1 % at
    // risk is ten times the equity): leverage only where the pipeline allows it.
    if (config_.risk_per_trade_pct > 0 && signal.size_pct <= 0 &&
        config_.max_gross_exposure_pct <= 0)
        cap_value(equity, "equity: risk_per_trade_pct with a close stop");
    cap_value(config_.max_order_value, "max_order_value");
    if (config_.max_position_value > 0) {
        const double held = std::fabs(ledger.position(signal.symbol).qty) * price;
        cap_value(config_.max_position_value - held, "max_position_value");
        if (qty * price <= 0)
            return refused("max_position_value",
                           fmt::format("{} already holds {:.2f}, the limit is {}", signal.symbol,
                                       held, config_.max_position_value));
    }
    if (config_.max_gross_exposure_pct > 0 && equity > 0) {
        const double room = equity * config_.max_gross_exposure_pct / 100 - ledger.gross_exposure();
        if (room <= 0)
            return refused("max_gross_exposure_pct",
                           fmt::format("gross exposure {:.2f} is at the limit of {}% of equity",
                                       ledger.gross_exposure(), config_.max_gross_exposure_pct));
        cap_value(room, "max_gross_exposure_pct");
    }
    qty = round_qty(qty);
    if (qty <= 0) return refused("size", "the order size rounds to zero");
    if (config_.min_order_value > 0 && qty * price < config_.min_order_value)
        return refused("min_order_value", fmt::format("order value {:.2f} is below {}", qty * price,
                                                      config_.min_order_value));
    req.qty = qty;
    entry_times_.push_back(now_ms);
    return {req, "order" + capped, {}};
}

// ---- market data and fills ----------------------------------------------------------------------

void RiskStage::update_atr(const std::string& symbol, double high, double low, double close) {
    if (config_.stop_loss_atr <= 0) return;
    // Wilder's ATR, seeded with the mean of the first atr_period true ranges.
    AtrSeed& s = atr_seed_[symbol];
    const double tr =
        s.n == 0
            ? high - low
            : std::max({high - low, std::fabs(high - s.prev_close), std::fabs(low - s.prev_close)});
    s.prev_close = close;
    ++s.n;
    const auto period = static_cast<double>(config_.atr_period);
    if (s.n <= config_.atr_period) {
        s.sum += tr;
        if (s.n == config_.atr_period) atr_[symbol] = s.sum / period;
    } else {
        double& atr = atr_[symbol];
        atr = (atr * (period - 1) + tr) / period;
    }
}

void RiskStage::on_history_bar(const std::string& symbol, double high, double low, double close) {
    update_atr(symbol, high, low, close);
}

void RiskStage::on_bar(const std::string& symbol, int64_t close_ms, double high, double low,
                       double close) {
    update_atr(symbol, high, low, close);
    auto it = protection_.find(symbol);
    if (it == protection_.end() || it->second.trailing_pct <= 0 || close_ms <= it->second.since_ms)
        return;
    Protection& p = it->second;
    if (p.side == Side::Buy) {
        p.best = std::max(p.best, high);
        p.stop = std::max(p.stop, p.best * (1 - p.trailing_pct / 100));
    } else {
        p.best = p.best > 0 ? std::min(p.best, low) : low;
        const double trail = p.best * (1 + p.trailing_pct / 100);
        p.stop = p.stop > 0 ? std::min(p.stop, trail) : trail;
    }
}

std::optional<ProtectiveExit> RiskStage::check_exit(const std::string& symbol, int64_t close_ms,
                                                    double open, double high, double low,
                                                    const Position& position) const {
    auto it = protection_.find(symbol);
    if (it == protection_.end() || position.qty == 0 || close_ms <= it->second.since_ms)
        return std::nullopt;
    const Protection& p = it->second;
    const bool is_long = position.qty > 0;
    ProtectiveExit exit;
    exit.side = is_long ? Side::Sell : Side::Buy;
    exit.qty = round_qty(std::fabs(position.qty));
    const char* stop_name = p.trailing_pct > 0 ? "trailing stop" : "stop-loss";
    if (is_long) {
        if (p.stop > 0 && (open <= p.stop || low <= p.stop))
            exit.reason = stop_name;
        else if (p.take_profit > 0 && (open >= p.take_profit || high >= p.take_profit))
            exit.reason = "take-profit";
    } else {
        if (p.stop > 0 && (open >= p.stop || high >= p.stop))
            exit.reason = stop_name;
        else if (p.take_profit > 0 && (open <= p.take_profit || low <= p.take_profit))
            exit.reason = "take-profit";
    }
    if (exit.reason.empty() || exit.qty <= 0) return std::nullopt;
    return exit;
}

void RiskStage::on_fill(const std::string& symbol, const Position& before, const Position& after,
                        double stop_loss, double take_profit, bool watch_levels, int64_t now_ms) {
    const bool opened = before.qty == 0 && after.qty != 0;
    const bool reversed = before.qty * after.qty < 0;
    const bool closed = before.qty != 0 && (after.qty == 0 || reversed);
    if (closed) {
        protection_.erase(symbol);
        if (config_.cooldown_after_loss_ms > 0 && after.realized_pnl < before.realized_pnl)
            cooldown_until_[symbol] = now_ms + config_.cooldown_after_loss_ms;
    }
    if ((opened || reversed) && watch_levels &&
        (stop_loss > 0 || take_profit > 0 || config_.trailing_stop_pct > 0)) {
        Protection p;
        p.side = after.qty > 0 ? Side::Buy : Side::Sell;
        p.stop = stop_loss;
        p.take_profit = take_profit;
        p.trailing_pct = config_.trailing_stop_pct;
        p.best = after.avg_price;
        p.since_ms = now_ms;
        if (p.trailing_pct > 0) {
            const double trail = after.qty > 0 ? p.best * (1 - p.trailing_pct / 100)
                                               : p.best * (1 + p.trailing_pct / 100);
            p.stop = p.stop == 0     ? trail
                     : after.qty > 0 ? std::max(p.stop, trail)
                                     : std::min(p.stop, trail);
        }
        protection_[symbol] = p;
    }
}

const Protection* RiskStage::protection(const std::string& symbol) const {
    auto it = protection_.find(symbol);
    return it == protection_.end() ? nullptr : &it->second;
}

// ---- breakers -----------------------------------------------------------------------------------

std::optional<std::string> RiskStage::update_equity(int64_t now_ms, double equity) {
    const int64_t day = now_ms / kDayMs;
    const BreakerState before = state_;
    if (day != day_) {
        day_ = day;
        day_start_equity_ = equity;
        if (state_ == BreakerState::Reducing) {
            state_ = BreakerState::Active;
            state_reason_ = "a new day";
        }
    }
    peak_equity_ = std::max(peak_equity_, equity);
    if (state_ != BreakerState::Halted && config_.max_drawdown_pct > 0 && peak_equity_ > 0) {
        const double dd = (peak_equity_ - equity) / peak_equity_ * 100;
        if (dd >= config_.max_drawdown_pct) {
            state_ = BreakerState::Halted;
            state_reason_ = fmt::format("max_drawdown_pct: drawdown {:.2f}% from the peak {:.2f}",
                                        dd, peak_equity_);
        }
    }
    if (state_ == BreakerState::Active && config_.max_daily_loss_pct > 0 && day_start_equity_ > 0) {
        const double loss = (day_start_equity_ - equity) / day_start_equity_ * 100;
        if (loss >= config_.max_daily_loss_pct) {
            state_ = BreakerState::Reducing;
            state_reason_ = fmt::format("max_daily_loss_pct: down {:.2f}% today", loss);
        }
    }
    if (state_ == before) return std::nullopt;
    return fmt::format("{} -> {}: {}", to_string(before), to_string(state_), state_reason_);
}

std::optional<std::string> RiskStage::halt(const std::string& reason) {
    if (state_ == BreakerState::Halted) return std::nullopt;
    const BreakerState before = state_;
    state_ = BreakerState::Halted;
    state_reason_ = "manual halt: " + reason;
    return fmt::format("{} -> HALTED: {}", to_string(before), state_reason_);
}

std::optional<std::string> RiskStage::resume() {
    if (state_ == BreakerState::Active) return std::nullopt;
    const BreakerState before = state_;
    state_ = BreakerState::Active;
    state_reason_ = "resumed";
    peak_equity_ = 0;  // the drawdown is measured afresh from here
    return fmt::format("{} -> ACTIVE: resumed", to_string(before));
}

// ---- persistence --------------------------------------------------------------------------------

std::string RiskStage::save() const {
    nlohmann::json j;
    j["state"] = std::string(to_string(state_));
    j["reason"] = state_reason_;
    j["day"] = day_;
    j["day_start_equity"] = day_start_equity_;
    j["peak_equity"] = peak_equity_;
    j["cooldown_until"] = cooldown_until_;
    j["entry_times"] = entry_times_;
    auto& prot = j["protection"] = nlohmann::json::object();
    for (const auto& [symbol, p] : protection_)
        prot[symbol] = {{"side", std::string(to_string(p.side))},
                        {"stop", p.stop},
                        {"take_profit", p.take_profit},
                        {"trailing_pct", p.trailing_pct},
                        {"best", p.best},
                        {"since_ms", p.since_ms}};
    auto& last = j["last_action"] = nlohmann::json::object();
    for (const auto& [symbol, a] : last_action_)
        last[symbol] = std::string(to_string(a));
    return j.dump();
}

void RiskStage::load(const std::string& text) {
    const auto j = nlohmann::json::parse(text);
    const std::string state = j.value("state", "ACTIVE");
    state_ = state == "HALTED"     ? BreakerState::Halted
             : state == "REDUCING" ? BreakerState::Reducing
                                   : BreakerState::Active;
    state_reason_ = j.value("reason", "");
    day_ = j.value("day", int64_t{-1});
    day_start_equity_ = j.value("day_start_equity", 0.0);
    peak_equity_ = j.value("peak_equity", 0.0);
    cooldown_until_ = j.value("cooldown_until", std::map<std::string, int64_t>{});
    entry_times_ = j.value("entry_times", std::deque<int64_t>{});
    protection_.clear();
    const auto protection = j.value("protection", nlohmann::json::object());
    for (const auto& [symbol, p] : protection.items())
        protection_[symbol] = {p.value("side", "BUY") == "SELL" ? Side::Sell : Side::Buy,
                               p.value("stop", 0.0),
                               p.value("take_profit", 0.0),
                               p.value("trailing_pct", 0.0),
                               p.value("best", 0.0),
                               p.value("since_ms", int64_t{0})};
    const auto last_action = j.value("last_action", nlohmann::json::object());
    for (const auto& [symbol, a] : last_action.items()) {
        Action action;
        if (parse_action(a.get<std::string>(), action)) last_action_[symbol] = action;
    }
}

}  // namespace orchestrade::core
