// A backtest of sma_cross on a fixed series gives exactly the trades computed here, by hand:
// SMAs, crossover bars, next-open fills with slippage, fees.
#include "engine_harness.hpp"

using namespace orchestrade;
using namespace orchestrade::testing;

namespace {

struct Expected {
    int64_t entry_ts, exit_ts;
    double entry_price, exit_price, fees, pnl;
};

double sma(const std::vector<double>& c, std::size_t end, int n) {
    double s = 0;
    for (std::size_t i = end + 1 - n; i <= end; ++i)
        s += c[i];
    return s / n;
}

}  // namespace

TEST(BacktestExact, SmaCrossTradesMatchAnIndependentComputation) {
    std::vector<double> closes;
    for (int i = 0; i < 400; ++i)
        closes.push_back(1000 + 40 * std::sin(i / 9.0) + 15 * std::sin(i / 2.3) + 0.1 * i);
    const int fast = 5, slow = 12;
    const double qty = 0.25, fee = 10 / 1e4, slip = 2 / 1e4;

    std::vector<Expected> expected;
    bool in_trade = false;
    Expected cur{};
    for (std::size_t i = slow; i + 1 < closes.size(); ++i) {
        const double f = sma(closes, i, fast), s = sma(closes, i, slow);
        const double pf = sma(closes, i - 1, fast), ps = sma(closes, i - 1, slow);
        const double next_open = closes[i];  // bar i+1 opens at bar i's close
        const int64_t next_ts = kStartMs + static_cast<int64_t>(i + 1) * kMinuteMs;
        if (pf <= ps && f > s && !in_trade) {
            cur = {next_ts, 0, next_open * (1 + slip), 0, 0, 0};
            cur.fees = qty * cur.entry_price * fee;
            in_trade = true;
        } else if (pf >= ps && f < s && in_trade) {
            cur.exit_ts = next_ts;
            cur.exit_price = next_open * (1 - slip);
            cur.fees += qty * cur.exit_price * fee;
            cur.pnl = qty * (cur.exit_price - cur.entry_price) - cur.fees;
            expected.push_back(cur);
            in_trade = false;
        }
    }
    ASSERT_GE(expected.size(), 5u);

    EngineHarness h;
    h.write_csv(bars_from_closes(closes));
    h.run(h.pipeline_yaml("{ use: sma_cross, params: { fast: 5, slow: 12 } }",
                          "{ use: mock, params: { starting_cash: 10000, fee_bps: 10, "
                          "slippage_bps: 2, fill: next_open } }",
                          "{ quantity: 0.25 }"));
    auto r = h.report();
    std::vector<core::Trade> closed;
    for (const auto& t : r.trades)
        if (!t.open) closed.push_back(t);
    ASSERT_EQ(closed.size(), expected.size());
    for (std::size_t k = 0; k < expected.size(); ++k) {
        SCOPED_TRACE("trade " + std::to_string(k));
        EXPECT_EQ(closed[k].entry_ts, expected[k].entry_ts);
        EXPECT_EQ(closed[k].exit_ts, expected[k].exit_ts);
        EXPECT_NEAR(closed[k].entry_price, expected[k].entry_price, 1e-9);
        EXPECT_NEAR(closed[k].exit_price, expected[k].exit_price, 1e-9);
        EXPECT_NEAR(closed[k].qty, qty, 1e-12);
        EXPECT_NEAR(closed[k].fees, expected[k].fees, 1e-9);
        EXPECT_NEAR(closed[k].pnl, expected[k].pnl, 1e-9);
    }
}

TEST(BacktestExact, EquityIsSampledHourlyAndAtTheLastBarNotAtEachFill) {
    EngineHarness h;
    h.write_csv(bars_from_closes(std::vector<double>(150, 100.0)));  // 2.5 hours of 1m bars
    h.run(h.pipeline_yaml(script("HOLD,HOLD,BUY,SELL,BUY"), mock_executor()));
    ASSERT_EQ(h.report().fills.size(), 3u);
    core::Journal journal(h.journal_path(), core::Journal::Durability::Synchronous);
    std::vector<int64_t> minutes;  // close times, in minutes after the first bar opened
    for (const auto& p : journal.equity())
        minutes.push_back((p.time_ms - kStartMs) / kMinuteMs);
    EXPECT_EQ(minutes, (std::vector<int64_t>{1, 61, 121, 150}));
}
