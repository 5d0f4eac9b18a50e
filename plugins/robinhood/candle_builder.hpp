// Candles of one timeframe built from sampled prices: each sample updates the open bar of its
// period; a bar is closed when its period is over. The first period of each symbol started before
// the first sample, so its bar would be incomplete and is never emitted. Periods without a sample
// produce no bar. There is no traded volume in a quote, so volume is 0.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace orchestrade::plugins::robinhood {

struct Candle {
    std::string symbol;
    int64_t open_time_ms = 0;
    double open = 0, high = 0, low = 0, close = 0;
};

class CandleBuilder {
  public:
    explicit CandleBuilder(int32_t interval_s) : interval_ms_(int64_t{interval_s} * 1000) {}

    // Closes the bars whose period ended at or before now_ms; appends them to 'closed'.
    void close_until(int64_t now_ms, std::vector<Candle>& closed);
    // A price seen at time_ms; bars it closes are appended to 'closed'.
    void add(const std::string& symbol, int64_t time_ms, double price, std::vector<Candle>& closed);

  private:
    struct Open {
        Candle bar;
        bool complete = false;  // its whole period was observed
    };
    int64_t interval_ms_;
    std::map<std::string, Open> open_;
    std::map<std::string, bool> seen_;
};

}  // namespace orchestrade::plugins::robinhood
