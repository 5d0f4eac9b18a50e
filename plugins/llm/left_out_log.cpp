#include "left_out_log.hpp"

#include "text_format.hpp"

namespace orchestrade::llm {
namespace {

// What stays the same while the reason does: the kind, and for a stale symbol its latest bar.
std::string reason_key(const LeftOut& left) {
    switch (left.why) {
        case LeftOut::Why::NoBar:
            return "no bar";
        case LeftOut::Why::NotWarm:
            return "not warm";
        case LeftOut::Why::Stale:
            return "stale since " + std::to_string(left.last_close_ms);
    }
    return {};
}

}  // namespace

std::string why_left_out(const LeftOut& left, const std::string& timeframe) {
    switch (left.why) {
        case LeftOut::Why::NoBar:
            return "no " + timeframe + " bar received yet";
        case LeftOut::Why::NotWarm:
            return "not warm yet: " + std::to_string(left.bars) + " of " +
                   std::to_string(TimeframeState::kWarmupBars) + " bars";
        case LeftOut::Why::Stale:
            return "no " + timeframe + " bar since " + iso_utc(left.last_close_ms);
    }
    return {};
}

void LeftOutLog::update(const DecisionMarket& market, const sdk::Host& host) {
    std::vector<std::string> in;
    for (const SymbolSnapshot& s : market.in)
        in.push_back(s.symbol);
    update(market.left_out, in, host);
}

void LeftOutLog::update(const std::vector<LeftOut>& left_out, const std::vector<std::string>& in,
                        const sdk::Host& host) {
    std::map<std::string, std::string, std::less<>> now;
    for (const LeftOut& left : left_out) {
        std::string key = reason_key(left);
        auto before = told_.find(left.symbol);
        if (before == told_.end() || before->second != key)
            host.warn(strategy_ + ": " + left.symbol + " left out of " + left_out_of_ + ": " +
                      why_left_out(left, timeframe_));
        now.emplace(left.symbol, std::move(key));
    }
    for (const std::string& symbol : in)
        if (told_.count(symbol))
            host.info(strategy_ + ": " + symbol + " is in " + left_out_of_ + " again");
    told_ = std::move(now);
}

}  // namespace orchestrade::llm
