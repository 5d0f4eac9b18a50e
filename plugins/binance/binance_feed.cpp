#include "binance_feed.hpp"

#include <algorithm>
#include <charconv>
#include <set>

namespace orchestrade::plugins::binance {
namespace {

// A bar counts as closed once a later bar exists or this long after its close time: right at
// the boundary the server may still be updating it.
constexpr int64_t kCloseGraceMs = 1000;
// Pages of klines per stream and poll when catching up (a poll stays within the request weight
// budget); the rest comes with the next polls, which the host makes at once (OT_BEHIND).
constexpr int kCatchUpPages = 5;

// page[i] has closed by server_now (see kCloseGraceMs).
bool is_closed(const std::vector<Kline>& page, std::size_t i, int64_t interval_ms,
               int64_t server_now) {
    int64_t close = page[i].open_time + interval_ms;
    return close <= server_now && (i + 1 < page.size() || close + kCloseGraceMs <= server_now);
}

int64_t parse_time(const std::string& text) {
    int64_t v = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || end != text.data() + text.size())
        throw sdk::Error(OT_E_INVALID_ARG,
                         "binance_feed: stored cursor '" + text + "' is not a time");
    return v;
}

// Binance refused this stream's request itself (400 with a code: -1121 unknown symbol, a
// delisted one): the other streams are not concerned. Anything else (no answer, 5xx, 401/403,
// a proxy's error page) may be the whole feed's.
bool is_the_streams_own(const sdk::Error& e) {
    const auto* api = dynamic_cast<const ApiError*>(&e);
    return api && api->http_status == 400 && api->binance_code != 0;
}

ClientOptions client_options(const sdk::Context& ctx, Market market) {
    ClientOptions o;
    o.market = market;
    o.base_url = ctx.params.get_string("base_url");
    o.timeout_ms = static_cast<uint32_t>(ctx.params.get_int("timeout_ms"));
    o.weight_budget_pct = ctx.params.get_double("weight_budget_pct");
    return o;
}

}  // namespace

std::string BinanceFeed::Stream::key() const {
    return "cursor:" + venue_symbol + ":" + interval_name(interval_s);
}

std::string BinanceFeed::Stream::name() const {
    return symbol + " " + interval_name(interval_s);
}

BinanceFeed::BinanceFeed(const sdk::Context& ctx)
    : Feed(ctx), market_(parse_market(ctx.params.get_string("market"))) {
    if (ctx.mode == OT_MODE_BACKTEST)
        throw sdk::Error(OT_E_INVALID_ARG,
                         "binance_feed: a backtest cannot reach the network; download history "
                         "with `orchestrade fetch-data` and replay it with the csv feed");
    try {
        std::vector<std::string> timeframes = split_list(ctx.params.get_string("timeframes"));
        if (timeframes.empty()) throw std::invalid_argument("timeframes is empty");
        if (ctx.universe.empty()) throw std::invalid_argument("the pipeline has no universe");
        for (const std::string& symbol : ctx.universe)
            for (const std::string& tf : timeframes)
                streams_.push_back({symbol, venue_symbol(symbol), interval_seconds(tf), -1, {}});
        for (const std::string& name : split_list(ctx.params.get_string("series"))) {
            if (name == "funding_rate")
                funding_ = true;
            else if (name == "mark_price")
                mark_ = true;
            else if (name == "open_interest")
                open_interest_ = true;
            else
                throw std::invalid_argument("unknown series '" + name +
                                            "' (funding_rate, mark_price, open_interest)");
        }
        if ((funding_ || mark_ || open_interest_) && market_ != Market::UsdM)
            throw std::invalid_argument("series need market: usdm");
    } catch (const std::invalid_argument& e) {
        throw sdk::Error(OT_E_INVALID_ARG, std::string("binance_feed: ") + e.what());
    }
    client_ = std::make_unique<RestClient>(ctx.host, client_options(ctx, market_));
    data_ = std::make_unique<MarketData>(*client_);
}

void BinanceFeed::start() {
    client_->restore_block();
    try {
        client_->sync_time();
    } catch (const sdk::Error& e) {
        host().warn(std::string("binance_feed: cannot read the server time, using the local "
                                "clock: ") +
                    e.what());
    }
    const int64_t now = client_->server_now();
    for (Stream& s : streams_) {
        if (std::optional<std::string> saved = host().kv_get(s.key())) {
            s.cursor = parse_time(*saved);
            continue;
        }
        // A new stream starts after the last bar that has surely closed; history() covers
        // what came before it.
        s.cursor = ((now - kCloseGraceMs) / s.interval_ms() - 1) * s.interval_ms();
        save_cursor(s);
    }
}

void BinanceFeed::save_cursor(const Stream& s) {
    host().kv_set(s.key(), std::to_string(s.cursor));
}

std::vector<Kline> BinanceFeed::closed_range(const Stream& s, int64_t start, int64_t end,
                                             int64_t server_now) {
    std::vector<Kline> out;
    const std::string interval = interval_name(s.interval_s);
    for (int64_t from = start; from <= end;) {
        std::vector<Kline> page =
            data_->klines(s.venue_symbol, interval, from, end, MarketData::kMaxKlines);
        for (std::size_t i = 0; i < page.size(); ++i) {
            const Kline& k = page[i];
            if (k.open_time < from || k.open_time > end) continue;
            if (!is_closed(page, i, s.interval_ms(), server_now)) continue;
            if (!out.empty() && k.open_time <= out.back().open_time) continue;
            out.push_back(k);
        }
        if (page.size() < static_cast<std::size_t>(MarketData::kMaxKlines)) break;
        from = page.back().open_time + s.interval_ms();
    }
    return out;
}

BinanceFeed::Fetched BinanceFeed::fetch_new(Stream& s, int64_t server_now) {
    Fetched f{&s, {}, true, false};
    const std::string interval = interval_name(s.interval_s);
    int64_t from = s.cursor + s.interval_ms();
    for (int page_no = 0; page_no < kCatchUpPages; ++page_no) {
        // The next bar closes at from + interval: nothing to ask before that.
        if (from + s.interval_ms() > server_now) return f;
        f.asked = true;
        std::vector<Kline> page =
            data_->klines(s.venue_symbol, interval, from, server_now, MarketData::kMaxKlines);
        bool full = page.size() == static_cast<std::size_t>(MarketData::kMaxKlines);
        for (std::size_t i = 0; i < page.size(); ++i) {
            const Kline& k = page[i];
            if (k.open_time < from || !is_closed(page, i, s.interval_ms(), server_now)) continue;
            f.bars.push_back(k);
            from = k.open_time + s.interval_ms();
        }
        if (!full) return f;
    }
    f.complete = false;
    return f;
}

void BinanceFeed::push_bar(const Stream& s, const Kline& k, sdk::FeedOut& out) const {
    ot_bar bar{sizeof(ot_bar), s.interval_s, s.symbol.c_str(), k.open_time, k.open,
               k.high,         k.low,        k.close,          k.volume};
    out.bar(bar);
}

std::vector<BinanceFeed::Fetched> BinanceFeed::fetch_streams(int64_t server_now) {
    std::vector<Fetched> fetched;
    struct Failed {
        Stream* stream;
        std::string kind;  // failure_kind(), read before the error is copied (and sliced)
        sdk::Error error;
    };
    std::vector<Failed> failed;
    bool answered = false, feed_wide = false;
    for (Stream& s : streams_) {
        try {
            fetched.push_back(fetch_new(s, server_now));
            answered = answered || fetched.back().asked;
        } catch (const sdk::Error& e) {
            if (e.code() == OT_E_RATE_LIMIT) throw;  // the budget is the feed's: no poll
            failed.push_back({&s, failure_kind(e), e});
            feed_wide = feed_wide || !is_the_streams_own(e);
        }
    }
    for (Fetched& f : fetched)
        if (f.asked) note_answer(*f.stream);
    for (const Failed& f : failed)
        note_failure(*f.stream, f.kind, f.error.what());
    const bool all_failing = std::all_of(streams_.begin(), streams_.end(),
                                         [](const Stream& s) { return !s.failing.empty(); });
    if (!failed.empty() && !answered && (feed_wide || all_failing)) {
        const Failed& first = failed.front();
        throw sdk::Error(first.error.code(), "binance_feed: no stream could be fetched (" +
                                                 first.stream->name() + ": " + first.error.what() +
                                                 ")");
    }
    return fetched;
}

void BinanceFeed::note_failure(Stream& s, const std::string& kind, const std::string& reason) {
    if (s.failing == kind) return;
    s.failing = kind;
    host().warn("binance_feed: " + s.name() + " skipped: " + reason +
                "; the other streams go on, its bars follow once it answers again");
}

void BinanceFeed::note_answer(Stream& s) {
    if (s.failing.empty()) return;
    s.failing.clear();
    host().info("binance_feed: " + s.name() + " answers again; its missed bars follow in order");
}

bool BinanceFeed::poll(int64_t, uint32_t max_bars, sdk::FeedOut& out) {
    std::vector<Fetched> fetched;
    try {
        client_->resync_if_stale(Priority::Normal);
        fetched = fetch_streams(client_->server_now());
    } catch (const sdk::Error& e) {
        if (e.code() != OT_E_RATE_LIMIT) throw;
        host().debug(std::string("binance_feed: no poll: ") + e.what());
        return true;
    }
    // Bars go out in close-time order across streams. A stream still catching up caps what
    // may go out now, so no stream gets ahead of one with older bars pending. A stream skipped
    // for an error caps nothing: the others go on, and its bars come late, in order.
    int64_t horizon = INT64_MAX;
    for (const Fetched& f : fetched)
        if (!f.complete)
            horizon = std::min(horizon, f.bars.empty()
                                            ? f.stream->cursor + f.stream->interval_ms()
                                            : f.bars.back().open_time + f.stream->interval_ms());
    struct Row {
        int64_t close_time;
        Stream* stream;
        const Kline* kline;
    };
    std::vector<Row> rows;
    for (const Fetched& f : fetched)
        for (const Kline& k : f.bars)
            if (k.open_time + f.stream->interval_ms() <= horizon)
                rows.push_back({k.open_time + f.stream->interval_ms(), f.stream, &k});
    std::stable_sort(rows.begin(), rows.end(),
                     [](const Row& a, const Row& b) { return a.close_time < b.close_time; });
    if (max_bars && rows.size() > max_bars) rows.resize(max_bars);
    std::set<std::string> symbols;
    for (const Row& r : rows) {
        push_bar(*r.stream, *r.kline, out);
        r.stream->cursor = r.kline->open_time;
        symbols.insert(r.stream->symbol);
    }
    if (horizon != INT64_MAX) out.behind();
    for (const Stream& s : streams_)
        save_cursor(s);
    for (const std::string& symbol : symbols)
        push_series(symbol, out);
    return true;
}

void BinanceFeed::push_series(const std::string& symbol, sdk::FeedOut& out) {
    const std::string venue = venue_symbol(symbol);
    auto point = [&](const char* name, int64_t time, double value) {
        out.series({sizeof(ot_series_point), 0u, symbol.c_str(), name, time, value});
    };
    if (mark_ || funding_)
        series_request(symbol, "premium index", [&] {
            PremiumIndex p = data_->premium_index(venue);
            if (mark_) {
                point("mark_price", p.time, p.mark_price);
                point("index_price", p.time, p.index_price);
            }
            if (funding_) point("predicted_funding_rate", p.time, p.funding_rate);
        });
    if (funding_)
        series_request(symbol, "funding rate", [&] {
            const std::string key = "funding:" + venue;
            std::optional<std::string> saved = host().kv_get(key);
            int64_t after = saved ? parse_time(*saved) : -1;
            for (const FundingRate& r : data_->funding_rates(venue, after)) {
                if (r.time <= after) continue;
                point("funding_rate", r.time, r.rate);
                after = r.time;
            }
            if (after >= 0) host().kv_set(key, std::to_string(after));
        });
    if (open_interest_)
        series_request(symbol, "open interest", [&] {
            OpenInterest oi = data_->open_interest(venue);
            point("open_interest", oi.time, oi.value);
        });
}

template <class Fetch>
void BinanceFeed::series_request(const std::string& symbol, const char* what, Fetch fetch) {
    std::string& failing = series_failing_[symbol + " " + what];
    try {
        fetch();
        if (!failing.empty())
            host().info("binance_feed: " + std::string(what) + " of " + symbol + " answers again");
        failing.clear();
    } catch (const std::exception& e) {  // an unexpected answer too: the bars still go out
        const auto* error = dynamic_cast<const sdk::Error*>(&e);
        if (error && error->code() == OT_E_RATE_LIMIT) {
            host().debug("binance_feed: " + std::string(what) + " of " + symbol +
                         " not updated: " + e.what());
            return;
        }
        std::string kind = error ? failure_kind(*error) : "unexpected answer";
        if (failing == kind) return;
        failing = std::move(kind);
        host().warn("binance_feed: " + std::string(what) + " of " + symbol +
                    " not updated: " + e.what());
    }
}

void BinanceFeed::history(const std::string& symbol, int32_t interval_s, int64_t before_ms,
                          uint32_t count, sdk::FeedOut& out) {
    if (count == 0) return;
    const int64_t server_now = client_->server_now();
    struct Row {
        int64_t close_time;
        const Stream* stream;
        Kline kline;
    };
    std::vector<Row> rows;
    for (const Stream& s : streams_) {
        if (s.symbol != symbol || (interval_s != 0 && interval_s != s.interval_s)) continue;
        // Only bars already delivered (at or before the cursor): poll() pushes the later ones.
        // The last one closes by before_ms.
        int64_t last =
            std::min(s.cursor, (before_ms - s.interval_ms()) / s.interval_ms() * s.interval_ms());
        int64_t first = last - (int64_t{count} - 1) * s.interval_ms();
        try {
            for (const Kline& k : closed_range(s, first, last, server_now))
                rows.push_back({k.open_time + s.interval_ms(), &s, k});
        } catch (const sdk::Error& e) {
            if (e.code() != OT_E_RATE_LIMIT) throw;
            host().warn("binance_feed: no history for " + symbol + " now (" + e.what() +
                        "); the strategy warms up on live bars");
            return;
        }
    }
    std::stable_sort(rows.begin(), rows.end(),
                     [](const Row& a, const Row& b) { return a.close_time < b.close_time; });
    for (const Row& r : rows)
        push_bar(*r.stream, r.kline, out);
}

}  // namespace orchestrade::plugins::binance
