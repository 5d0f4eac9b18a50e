#include "market_data.hpp"

#include "json_util.hpp"

namespace orchestrade::plugins::binance {
namespace {

constexpr int kRecentFundingRates = 10;

int futures_kline_weight(int limit) {
    return limit < 100 ? 1 : limit < 500 ? 2 : limit <= 1000 ? 5 : 10;
}

}  // namespace

std::vector<Kline> parse_klines(const nlohmann::json& rows) {
    if (!rows.is_array()) throw sdk::Error(OT_E_IO, "binance: klines answer is not an array");
    std::vector<Kline> out;
    out.reserve(rows.size());
    for (const auto& row : rows) {
        if (!row.is_array() || row.size() < 6 || !row[0].is_number_integer())
            throw sdk::Error(OT_E_IO, "binance: unexpected kline " + row.dump());
        out.push_back({row[0].get<int64_t>(), number(row[1]), number(row[2]), number(row[3]),
                       number(row[4]), number(row[5])});
    }
    return out;
}

std::vector<Kline> MarketData::klines(const std::string& venue_symbol, const std::string& interval,
                                      int64_t start_ms, int64_t end_ms, int limit) {
    Call c;
    c.path = std::string(api_prefix(client_.market())) + "/klines";
    c.params = {{"symbol", venue_symbol},
                {"interval", interval},
                {"startTime", std::to_string(start_ms)},
                {"endTime", std::to_string(end_ms)},
                {"limit", std::to_string(limit)}};
    c.weight = client_.market() == Market::Spot ? 2 : futures_kline_weight(limit);
    return parse_klines(client_.call(c));
}

std::vector<FundingRate> MarketData::funding_rates(const std::string& venue_symbol,
                                                   int64_t after_ms) {
    Call c;
    c.path = "/fapi/v1/fundingRate";
    c.params = {{"symbol", venue_symbol}};
    if (after_ms >= 0) {
        c.params.emplace_back("startTime", std::to_string(after_ms + 1));
        c.params.emplace_back("limit", "1000");
    } else {
        c.params.emplace_back("limit", std::to_string(kRecentFundingRates));
    }
    std::vector<FundingRate> out;
    for (const auto& r : client_.call(c))
        out.push_back({r.at("fundingTime").get<int64_t>(), number(r.at("fundingRate"))});
    return out;
}

PremiumIndex MarketData::premium_index(const std::string& venue_symbol) {
    Call c;
    c.path = "/fapi/v1/premiumIndex";
    c.params = {{"symbol", venue_symbol}};
    nlohmann::json j = client_.call(c);
    return {j.at("time").get<int64_t>(), number(j.at("markPrice")), number(j.at("indexPrice")),
            number(j.at("lastFundingRate"))};
}

OpenInterest MarketData::open_interest(const std::string& venue_symbol) {
    Call c;
    c.path = "/fapi/v1/openInterest";
    c.params = {{"symbol", venue_symbol}};
    nlohmann::json j = client_.call(c);
    return {j.at("time").get<int64_t>(), number(j.at("openInterest"))};
}

}  // namespace orchestrade::plugins::binance
