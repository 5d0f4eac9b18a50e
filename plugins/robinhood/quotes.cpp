#include "quotes.hpp"

#include "time_format.hpp"

namespace orchestrade::plugins::robinhood {

std::string quotes_path(const std::vector<std::string>& venue_symbols) {
    std::string path = "/api/v1/crypto/marketdata/best_bid_ask/";
    char sep = '?';
    for (const std::string& s : venue_symbols) {
        path += sep + std::string("symbol=") + s;
        sep = '&';
    }
    return path;
}

std::vector<Quote> parse_quotes(const json& doc) {
    std::vector<Quote> out;
    auto results = doc.find("results");
    if (results == doc.end() || !results->is_array()) return out;
    for (const json& row : *results) {
        if (!row.is_object()) continue;
        Quote q;
        q.symbol = text_field(row, "symbol");
        q.bid = number_field(row, "bid_inclusive_of_sell_spread")
                    .value_or(number_field(row, "bid").value_or(0));
        q.ask = number_field(row, "ask_inclusive_of_buy_spread")
                    .value_or(number_field(row, "ask").value_or(0));
        q.price =
            number_field(row, "price").value_or(q.bid > 0 && q.ask > 0 ? (q.bid + q.ask) / 2 : 0);
        q.time_ms = parse_iso8601_ms(text_field(row, "timestamp")).value_or(0);
        if (!q.symbol.empty() && q.bid > 0 && q.ask > 0 && q.price > 0) out.push_back(q);
    }
    return out;
}

}  // namespace orchestrade::plugins::robinhood
