#include <orchestrade/core/performance.hpp>

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <cmath>
#include <stdexcept>

namespace orchestrade::core {
namespace {

constexpr double kTolerance = 1e-9;
constexpr int64_t kDayMs = 86'400'000;
// 73.05 days: five of them make one year of 365.25 days.
constexpr int64_t kStepMs = 6'311'520'000;
constexpr int64_t kT0 = 1'700'000'000'000;

Trade closed_trade(double pnl) {
    Trade t;
    t.symbol = "BTC/USDT";
    t.pnl = pnl;
    return t;
}

FillRecord fill(const std::string& symbol, Side side, double qty, double price, double fee,
                int64_t time_ms) {
    FillRecord f;
    f.client_order_id = "c";
    f.symbol = symbol;
    f.side = side;
    f.qty = qty;
    f.price = price;
    f.fee = fee;
    f.time_ms = time_ms;
    return f;
}

// Starting equity 100, then six points whose period returns are
// +10 %, -10 %, +20 %, -20 %, +5 %, +20 %.
const double kEquity[] = {110, 99, 118.8, 95.04, 99.792, 119.7504};
const bool kInMarket[] = {true, true, false, true, true, false};

TEST(Performance, MetricsOfASixPointCurve) {
    PerformanceTracker tracker(100, 5);
    for (int i = 0; i < 6; ++i)
        tracker.add(kT0 + i * kStepMs, kEquity[i], kInMarket[i]);
    const Metrics m = tracker.metrics({}, 3.5, 25);

    const double r[] = {0.1, -0.1, 0.2, -0.2, 0.05, 0.2};
    const double mean = (0.1 - 0.1 + 0.2 - 0.2 + 0.05 + 0.2) / 6;
    double squares = 0;
    for (double x : r)
        squares += (x - mean) * (x - mean);
    const double stdev = std::sqrt(squares / 5);
    const double downside = std::sqrt((0.1 * 0.1 + 0.2 * 0.2) / 6);

    EXPECT_EQ(m.starting_equity, 100);
    EXPECT_EQ(m.final_equity, 119.7504);
    EXPECT_NEAR(m.total_return_pct, 19.7504, kTolerance);
    // The points span exactly one year, so CAGR equals the total return.
    EXPECT_NEAR(m.cagr_pct, 19.7504, kTolerance);
    EXPECT_NEAR(m.sharpe, mean / stdev * std::sqrt(5.0), kTolerance);
    EXPECT_NEAR(m.sortino, mean / downside * std::sqrt(5.0), kTolerance);
    EXPECT_NEAR(m.volatility_pct, stdev * std::sqrt(5.0) * 100, kTolerance);
    // Peak 118.8 (3rd point) down to 95.04: 23.76 / 118.8 = 20 %.
    EXPECT_NEAR(m.max_drawdown_pct, 20, kTolerance);
    // Below 118.8 from the 3rd point until the 6th point regains it: 3 steps (the first
    // drawdown, 110 -> 99, lasted 2 steps).
    EXPECT_EQ(m.max_drawdown_duration_ms, 3 * kStepMs);
    EXPECT_NEAR(m.exposure_pct, 4.0 / 6 * 100, kTolerance);
    EXPECT_EQ(m.fees, 3.5);
    EXPECT_EQ(m.realized_pnl, 25);
    EXPECT_EQ(m.periods, 6);
    EXPECT_EQ(m.start_ms, kT0);
    EXPECT_EQ(m.end_ms, kT0 + 5 * kStepMs);
}

TEST(Performance, CagrOverTwoYears) {
    PerformanceTracker tracker(100, 365);
    tracker.add(kT0, 100, false);
    tracker.add(kT0 + 10 * kStepMs, 121, false);  // two years of 365.25 days
    EXPECT_NEAR(tracker.metrics({}, 0, 0).cagr_pct, (std::sqrt(1.21) - 1) * 100, kTolerance);
}

TEST(Performance, ADrawdownStillOpenCountsUpToTheLastPoint) {
    PerformanceTracker tracker(100, 365);
    tracker.add(kT0, 120, false);
    tracker.add(kT0 + kDayMs, 90, false);
    tracker.add(kT0 + 5 * kDayMs, 100, false);
    const Metrics m = tracker.metrics({}, 0, 0);
    EXPECT_NEAR(m.max_drawdown_pct, 30.0 / 120 * 100, kTolerance);
    EXPECT_EQ(m.max_drawdown_duration_ms, 5 * kDayMs);
}

TEST(Performance, TheStartingEquityIsTheFirstPeak) {
    PerformanceTracker tracker(100, 365);
    tracker.add(kT0, 80, false);
    tracker.add(kT0 + 2 * kDayMs, 100, false);
    const Metrics m = tracker.metrics({}, 0, 0);
    EXPECT_NEAR(m.max_drawdown_pct, 20, kTolerance);
    EXPECT_EQ(m.max_drawdown_duration_ms, 2 * kDayMs);
    EXPECT_NEAR(m.total_return_pct, 0, kTolerance);
}

TEST(Performance, UndefinedRatiosAreZero) {
    const Metrics empty = PerformanceTracker(100, 365).metrics({}, 0, 0);
    EXPECT_EQ(empty.final_equity, 100);
    EXPECT_EQ(empty.periods, 0);
    EXPECT_EQ(empty.sharpe, 0);
    EXPECT_EQ(empty.exposure_pct, 0);

    PerformanceTracker rising(100, 365);
    rising.add(kT0, 200, true);
    rising.add(kT0 + kDayMs / 2, 400, true);  // constant +100 %: no deviation, no downside
    const Metrics m = rising.metrics(trade_stats({closed_trade(5)}), 0, 0);
    EXPECT_EQ(m.sharpe, 0);
    EXPECT_EQ(m.sortino, 0);
    EXPECT_EQ(m.volatility_pct, 0);
    EXPECT_EQ(m.cagr_pct, 0);  // a span under one day
    EXPECT_EQ(m.max_drawdown_pct, 0);
    EXPECT_EQ(m.max_drawdown_duration_ms, 0);
    EXPECT_EQ(m.profit_factor, 0);  // no losing trade
    EXPECT_EQ(m.win_rate_pct, 100);
}

TEST(Performance, TradeStatisticsCountClosedTradesOnly) {
    std::vector<Trade> trades = {closed_trade(30), closed_trade(-10), closed_trade(20),
                                 closed_trade(-5), closed_trade(0),   closed_trade(100)};
    trades.back().open = true;
    Metrics m;
    apply_trade_stats(m, trade_stats(trades));
    EXPECT_EQ(m.trades, 5);
    EXPECT_NEAR(m.win_rate_pct, 2.0 / 5 * 100, kTolerance);
    EXPECT_NEAR(m.profit_factor, (30.0 + 20) / (10 + 5), kTolerance);
    EXPECT_NEAR(m.avg_trade_pnl, (30.0 - 10 + 20 - 5 + 0) / 5, kTolerance);
}

TEST(Performance, PeriodsPerYearFromTheBarInterval) {
    EXPECT_EQ(periods_per_year(60), 525600);
    EXPECT_EQ(periods_per_year(14400), 2190);
    EXPECT_EQ(periods_per_year(86400), 365);
    EXPECT_EQ(periods_per_year(0), 365);
    EXPECT_EQ(periods_per_year(-60), 365);
}

TEST(Performance, StoredCurveGivesTheTrackersNumbers) {
    PerformanceTracker tracker(100, 5);
    std::vector<EquityPoint> curve;
    for (int i = 0; i < 6; ++i) {
        tracker.add(kT0 + i * kStepMs, kEquity[i], kInMarket[i]);
        // Dust the first exit left keeps equity apart from cash at every point after it.
        curve.push_back({kT0 + i * kStepMs, kEquity[i], kEquity[i] - (kInMarket[i] ? 50 : 0.01)});
    }
    // Open at points 0-1 (filled before the first, out at the second's time) and 3-4 (filled
    // after the third's time, out at the fifth's).
    std::vector<Trade> trades = {closed_trade(4), closed_trade(-2)};
    trades[0].entry_ts = kT0 - 1;
    trades[0].exit_ts = kT0 + kStepMs;
    trades[1].entry_ts = kT0 + 2 * kStepMs;
    trades[1].exit_ts = kT0 + 4 * kStepMs;
    const Metrics streamed = tracker.metrics(trade_stats(trades), 1, 2);
    const Metrics stored = compute_metrics(curve, 100, 5, trades, 1, 2);
    EXPECT_EQ(metrics_to_json(stored), metrics_to_json(streamed));
    EXPECT_NEAR(stored.exposure_pct, 4.0 / 6 * 100, kTolerance);
    EXPECT_EQ(stored.trades, 2);
}

TEST(Performance, MetricsJsonRoundTripsEveryField) {
    Metrics m;
    m.starting_equity = 1;
    m.final_equity = 2;
    m.total_return_pct = 3;
    m.cagr_pct = 4;
    m.sharpe = 5.5;
    m.sortino = 6;
    m.max_drawdown_pct = 7;
    m.max_drawdown_duration_ms = 8;
    m.volatility_pct = 9;
    m.exposure_pct = 10;
    m.fees = 11;
    m.cash_flows = -11.5;
    m.realized_pnl = -12;
    m.trades = 13;
    m.win_rate_pct = 14;
    m.profit_factor = 15;
    m.avg_trade_pnl = 16;
    m.periods = 17;
    m.start_ms = 1700000000000;
    m.end_ms = 1700000000019;

    const std::string json = metrics_to_json(m);
    EXPECT_EQ(nlohmann::json::parse(json).size(), 20u);
    EXPECT_EQ(nlohmann::json::parse(json)["cash_flows"], -11.5);
    EXPECT_EQ(nlohmann::json::parse(json)["max_drawdown_duration_ms"], 8);
    EXPECT_EQ(metrics_to_json(metrics_from_json(json)), json);
}

TEST(Performance, MetricsFromJsonToleratesMissingKeysButNotGarbage) {
    const Metrics m = metrics_from_json(R"({"sharpe": 1.25, "trades": 3, "sortino": null})");
    EXPECT_EQ(m.sharpe, 1.25);
    EXPECT_EQ(m.trades, 3);
    EXPECT_EQ(m.sortino, 0);
    EXPECT_THROW(metrics_from_json("[1, 2]"), std::runtime_error);
    EXPECT_THROW(metrics_from_json("not json"), std::runtime_error);
    EXPECT_THROW(metrics_from_json(R"({"sharpe": "high"})"), std::runtime_error);
}

TEST(Performance, TradesThroughAReversalAndAnOpenTrade) {
    const std::vector<FillRecord> fills = {
        fill("BTC/USDT", Side::Buy, 1, 100, 1, 1000),
        fill("BTC/USDT", Side::Buy, 1, 110, 1, 2000),
        fill("ETH/USDT", Side::Sell, 2, 50, 0.5, 2500),
        fill("BTC/USDT", Side::Sell, 3, 120, 3, 3000),  // closes the long 2, opens a short 1
        fill("BTC/USDT", Side::Buy, 1, 100, 1, 4000),
        fill("ETH/USDT", Side::Buy, 1, 40, 0.5, 5000),  // covers half the ETH short
    };
    const auto trades = build_trades(fills);
    ASSERT_EQ(trades.size(), 3u);

    const Trade& long_btc = trades[0];
    EXPECT_EQ(long_btc.symbol, "BTC/USDT");
    EXPECT_EQ(long_btc.side, Side::Buy);
    EXPECT_EQ(long_btc.qty, 2);
    EXPECT_EQ(long_btc.entry_ts, 1000);
    EXPECT_NEAR(long_btc.entry_price, (100 + 110) / 2.0, kTolerance);
    EXPECT_EQ(long_btc.exit_ts, 3000);
    EXPECT_NEAR(long_btc.exit_price, 120, kTolerance);
    // Fees: 1 + 1 + 2/3 of the reversal fill's 3.
    EXPECT_NEAR(long_btc.fees, 1 + 1 + 3 * 2.0 / 3, kTolerance);
    EXPECT_NEAR(long_btc.pnl, (120 - 105) * 2 - 4, kTolerance);
    EXPECT_FALSE(long_btc.open);

    const Trade& short_eth = trades[1];
    EXPECT_EQ(short_eth.symbol, "ETH/USDT");
    EXPECT_EQ(short_eth.side, Side::Sell);
    EXPECT_TRUE(short_eth.open);
    EXPECT_EQ(short_eth.qty, 2);
    EXPECT_EQ(short_eth.entry_ts, 2500);
    EXPECT_NEAR(short_eth.entry_price, 50, kTolerance);
    EXPECT_EQ(short_eth.exit_ts, 0);
    // Realized so far: (50 - 40) * 1 on the covered half, minus both fees.
    EXPECT_NEAR(short_eth.pnl, 10 - 1, kTolerance);
    EXPECT_NEAR(short_eth.fees, 1, kTolerance);

    const Trade& short_btc = trades[2];
    EXPECT_EQ(short_btc.side, Side::Sell);
    EXPECT_EQ(short_btc.qty, 1);
    EXPECT_EQ(short_btc.entry_ts, 3000);
    EXPECT_NEAR(short_btc.entry_price, 120, kTolerance);
    EXPECT_EQ(short_btc.exit_ts, 4000);
    EXPECT_NEAR(short_btc.exit_price, 100, kTolerance);
    EXPECT_NEAR(short_btc.fees, 1 + 1, kTolerance);  // 1/3 of 3, then 1
    EXPECT_NEAR(short_btc.pnl, (120 - 100) * 1 - 2, kTolerance);
    EXPECT_FALSE(short_btc.open);
}

TEST(Performance, TheTradeBuilderHandsOutEachTradeWhenItCloses) {
    std::vector<std::pair<int64_t, Trade>> closed;
    TradeBuilder builder([&](int64_t opened, Trade&& t) { closed.emplace_back(opened, t); });
    builder.add(fill("BTC/USDT", Side::Buy, 1, 100, 1, 1000));
    builder.add(fill("ETH/USDT", Side::Sell, 2, 50, 0.5, 2500));
    EXPECT_TRUE(closed.empty());
    builder.add(fill("BTC/USDT", Side::Sell, 2, 120, 2, 3000));  // closes 1, opens a short 1
    ASSERT_EQ(closed.size(), 1u);
    EXPECT_EQ(closed[0].first, 0);
    EXPECT_EQ(closed[0].second.exit_ts, 3000);
    EXPECT_NEAR(closed[0].second.pnl, 20 - 1 - 1, kTolerance);

    const auto open = builder.open_trades();  // the ETH short (opened 2nd), the BTC short (3rd)
    ASSERT_EQ(open.size(), 2u);
    for (const auto& [opened, t] : open) {
        EXPECT_TRUE(t.open);
        EXPECT_EQ(opened, t.symbol == "ETH/USDT" ? 1 : 2);
    }

    // Closed-trade statistics from the stream match those from the whole list.
    TradeStats streamed;
    for (const auto& [opened, t] : closed)
        streamed.add(t);
    const TradeStats listed = trade_stats(build_trades({
        fill("BTC/USDT", Side::Buy, 1, 100, 1, 1000),
        fill("ETH/USDT", Side::Sell, 2, 50, 0.5, 2500),
        fill("BTC/USDT", Side::Sell, 2, 120, 2, 3000),
    }));
    EXPECT_EQ(streamed.closed, listed.closed);
    EXPECT_EQ(streamed.wins, listed.wins);
    EXPECT_DOUBLE_EQ(streamed.profit, listed.profit);
    EXPECT_DOUBLE_EQ(streamed.loss, listed.loss);
}

// A spot buy that pays its fee in the coin, then an exit floored to the lot size: 0.0009 BTC
// stay, below the smallest order. The risk stage counts that as flat, and so do the trades.
TEST(Performance, AnExitThatLeavesDustEndsItsTradeAndTheNextEntryOpensAnother) {
    std::vector<FillRecord> fills = {
        fill("BTC/USDT", Side::Buy, 0.0999, 100, 0, 1000),  // 0.1 bought, 0.0001 paid as fee
        fill("BTC/USDT", Side::Sell, 0.099, 110, 0, 2000),  // 0.0009 left
        fill("BTC/USDT", Side::Buy, 0.0999, 100, 0, 3000),  // on top of the dust
        fill("BTC/USDT", Side::Sell, 0.0999, 90, 0, 4000),  // 0.0009 left again
        fill("BTC/USDT", Side::Sell, 0.0004, 90, 0, 4500),  // dust sold: it opens no trade
    };
    fills[1].trade_id = "t1";
    fills[3].trade_id = "t3";
    fills[4].trade_id = "t4";
    EXPECT_EQ(build_trades(fills).size(), 1u) << "without the marks, one trade never closes";

    const auto trades =
        build_trades(fills, 0, {dust_key("c", "t1"), dust_key("c", "t3"), dust_key("c", "t4")});
    // The dust left by the second exit is sold by the last fill: that opens no trade of its own.
    ASSERT_EQ(trades.size(), 2u);
    EXPECT_FALSE(trades[0].open);
    EXPECT_EQ(trades[0].exit_ts, 2000);
    EXPECT_NEAR(trades[0].pnl, 0.099 * 10, kTolerance);
    EXPECT_NEAR(trades[0].qty, 0.0999, kTolerance);
    EXPECT_FALSE(trades[1].open);
    EXPECT_EQ(trades[1].entry_ts, 3000);
    EXPECT_NEAR(trades[1].entry_price, 100, kTolerance);
    EXPECT_EQ(trades[1].exit_ts, 4000);
    EXPECT_NEAR(trades[1].pnl, -0.0999 * 10, kTolerance);
    EXPECT_EQ(trade_stats(trades).closed, 2);
    EXPECT_EQ(trade_stats(trades).wins, 1);
}

TEST(Performance, ScalingOutWeighsTheExitPrice) {
    const auto trades = build_trades({
        fill("BTC/USDT", Side::Buy, 3, 100, 0, 1000),
        fill("BTC/USDT", Side::Sell, 1, 110, 0, 2000),
        fill("BTC/USDT", Side::Sell, 2, 125, 0, 3000),
    });
    ASSERT_EQ(trades.size(), 1u);
    EXPECT_EQ(trades[0].qty, 3);
    EXPECT_NEAR(trades[0].exit_price, (110 + 2 * 125) / 3.0, kTolerance);
    EXPECT_EQ(trades[0].exit_ts, 3000);
    EXPECT_NEAR(trades[0].pnl, 10 + 2 * 25, kTolerance);
}

}  // namespace
}  // namespace orchestrade::core
