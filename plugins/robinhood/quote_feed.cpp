#include "quote_feed.hpp"

#include "quotes.hpp"
#include "trading_pair.hpp"

#include <orchestrade/candles/timeframe.hpp>

#include <nlohmann/json.hpp>

namespace orchestrade::plugins::robinhood {
namespace {

constexpr const char* kBarsKey = "bars";

RestConfig rest_config(const sdk::Context& ctx) {
    RestConfig c;
    c.name = "robinhood_quotes";
    c.base_url = ctx.params.get_string("base_url");
    c.api_key = ctx.params.get_string("api_key");
    c.private_key = ctx.params.get_string("private_key");
    c.timeout_ms = static_cast<uint32_t>(ctx.params.get_int("timeout_ms"));
    c.requests_per_minute = ctx.params.get_double("requests_per_minute");
    c.burst = static_cast<double>(ctx.params.get_int("burst"));
    return c;
}

}  // namespace

RobinhoodQuoteFeed::RobinhoodQuoteFeed(const sdk::Context& ctx)
    : Feed(ctx),
      rest_(ctx.host, rest_config(ctx)),
      interval_s_(candles::parse_timeframe(ctx.params.get_string("timeframe"))),
      price_(ctx.params.get_string("price")),
      history_bars_(static_cast<std::size_t>(ctx.params.get_int("history_bars"))),
      max_quote_age_ms_(ctx.params.get_int("max_quote_age_s") * 1000),
      builder_(interval_s_) {
    if (ctx.mode == OT_MODE_BACKTEST)
        throw sdk::Error(OT_E_INVALID_ARG,
                         "robinhood_quotes: Robinhood publishes no price history, so this feed "
                         "cannot backtest; use csv (or another feed) for backtests");
    if (ctx.universe.empty())
        throw sdk::Error(OT_E_INVALID_ARG, "robinhood_quotes: the pipeline has no universe");
    for (const std::string& s : ctx.universe)
        by_venue_symbol_[venue_symbol(s)] = s;
}

void RobinhoodQuoteFeed::start() {
    if (std::optional<std::string> saved = host().kv_get(kBarsKey)) {
        nlohmann::json doc = nlohmann::json::parse(*saved, nullptr, false);
        if (doc.is_object()) {
            for (const auto& [symbol, rows] : doc.items()) {
                for (const auto& r : rows)
                    if (r.is_array() && r.size() == 5)
                        recent_[symbol].push_back({symbol, r[0].get<int64_t>(), r[1].get<double>(),
                                                   r[2].get<double>(), r[3].get<double>(),
                                                   r[4].get<double>()});
            }
        }
    }
    try {
        sample(host().now_ms());
    } catch (const sdk::Error&) {
        rest_.check_clock();  // a wrong clock explains a refusal best
        throw;
    }
    rest_.check_clock();
}

void RobinhoodQuoteFeed::sample(int64_t now_ms) {
    std::vector<std::string> symbols;
    for (const auto& [venue, symbol] : by_venue_symbol_)
        symbols.push_back(venue);
    std::vector<Quote> quotes = parse_quotes(rest_.get(quotes_path(symbols), "best bid/ask"));
    std::vector<Candle> closed;
    for (const Quote& q : quotes) {
        auto it = by_venue_symbol_.find(q.symbol);
        if (it == by_venue_symbol_.end() || stale(q, now_ms)) continue;
        const double price = price_ == "bid" ? q.bid : price_ == "ask" ? q.ask : q.price;
        builder_.add(it->second, now_ms, price, closed);
    }
    if (quotes.size() < symbols.size() && !warned_missing_) {
        warned_missing_ = true;
        host().warn("robinhood_quotes: the venue quoted " + std::to_string(quotes.size()) + " of " +
                    std::to_string(symbols.size()) +
                    " symbols; symbols without quotes get no bars");
    }
    keep(closed);
}

bool RobinhoodQuoteFeed::stale(const Quote& q, int64_t now_ms) {
    if (max_quote_age_ms_ == 0 || q.time_ms == 0) return false;
    // The venue's stamp is read on the venue's clock.
    const int64_t age_ms = now_ms - rest_.clock_lead_ms() - q.time_ms;
    if (age_ms <= max_quote_age_ms_) {
        if (stale_.erase(q.symbol))
            host().info("robinhood_quotes: " + q.symbol + " is quoted afresh");
        return false;
    }
    if (stale_.insert(q.symbol).second)
        host().warn("robinhood_quotes: the " + q.symbol + " quote is " +
                    std::to_string(age_ms / 1000) + " s old (max_quote_age_s " +
                    std::to_string(max_quote_age_ms_ / 1000) +
                    "): not used, so no bar is built from it until the venue quotes afresh");
    return true;
}

void RobinhoodQuoteFeed::keep(const std::vector<Candle>& closed) {
    if (closed.empty()) return;
    for (const Candle& c : closed) {
        ready_.push_back(c);
        std::deque<Candle>& recent = recent_[c.symbol];
        recent.push_back(c);
        while (recent.size() > history_bars_)
            recent.pop_front();
    }
    nlohmann::json doc = nlohmann::json::object();
    for (const auto& [symbol, bars] : recent_) {
        nlohmann::json rows = nlohmann::json::array();
        for (const Candle& c : bars)
            rows.push_back({c.open_time_ms, c.open, c.high, c.low, c.close});
        doc[symbol] = std::move(rows);
    }
    host().kv_set(kBarsKey, doc.dump());
}

void RobinhoodQuoteFeed::push(const Candle& c, sdk::FeedOut& out) const {
    ot_bar bar{sizeof(ot_bar), interval_s_, c.symbol.c_str(),
               c.open_time_ms, c.open,      c.high,
               c.low,          c.close,     0};
    out.bar(bar);
}

bool RobinhoodQuoteFeed::poll(int64_t now_ms, uint32_t max_bars, sdk::FeedOut& out) {
    std::vector<Candle> closed;
    builder_.close_until(now_ms, closed);
    keep(closed);
    std::optional<sdk::Error> failure;
    try {
        sample(now_ms);
    } catch (const sdk::Error& e) {
        failure = e;  // the bars that closed are still delivered
    }
    for (uint32_t n = 0; !ready_.empty() && (max_bars == 0 || n < max_bars); ++n) {
        push(ready_.front(), out);
        ready_.pop_front();
    }
    if (failure) throw *failure;
    return true;
}

void RobinhoodQuoteFeed::history(const std::string& symbol, int32_t interval_s, int64_t before_ms,
                                 uint32_t count, sdk::FeedOut& out) {
    if (interval_s != 0 && interval_s != interval_s_) return;
    auto it = recent_.find(symbol);
    if (it == recent_.end()) return;
    std::vector<const Candle*> bars;
    for (const Candle& c : it->second)
        if (c.open_time_ms + int64_t{interval_s_} * 1000 <= before_ms) bars.push_back(&c);
    std::size_t first = bars.size() > count ? bars.size() - count : 0;
    for (std::size_t i = first; i < bars.size(); ++i)
        push(*bars[i], out);
}

}  // namespace orchestrade::plugins::robinhood
