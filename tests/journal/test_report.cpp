#include "temp_dir.hpp"

#include <orchestrade/core/report.hpp>

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <cmath>
#include <stdexcept>

namespace orchestrade::core {
namespace {

using nlohmann::json;

constexpr double kTolerance = 1e-9;
constexpr int64_t kDayMs = 86'400'000;
constexpr int64_t kT0 = 1'700'006'400'000;

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

// Journal with an older run and a backtest run that holds:
//   day 1  buy  1 BTC @ 100, fee 1    (o-1)
//   day 2  sell 1 BTC @ 110, fee 1    (o-2)  -> a closed long trade: pnl 10 - 2 = 8
//   day 3  buy  2 ETH @ 50,  fee 0.5  (o-3)  -> an open long trade
//   o-4 rejected, three signals, equity sampled each day (ETH marked at 52 on day 3).
class ReportTest : public ::testing::Test {
  protected:
    void SetUp() override {
        RunRecord old_run;
        old_run.pipeline_name = "old";
        old_run_ = journal_.begin_run(old_run);
        journal_.record_fill(fill(old_run_, "x-1", "BTC/USDT", Side::Buy, 5, 10, 0, kT0));

        RunRecord run;
        run.pipeline_name = "btc-sma";
        run.mode = Mode::Backtest;
        run.started_ms = 1'700'100'000'000;
        run.starting_cash = 1000;
        run.bar_interval_s = 86400;
        run_ = journal_.begin_run(run);
        for (int i = 0; i < 3; ++i) {
            SignalRecord s;
            s.run_id = run_;
            s.symbol = "BTC/USDT";
            s.action = i == 1 ? Action::Buy : Action::Hold;
            journal_.record_signal(s);
        }
        order("o-1", "BTC/USDT", Side::Buy, 1, OT_ORDER_MARKET, kT0 + kDayMs);
        order("o-2", "BTC/USDT", Side::Sell, 1, OT_ORDER_MARKET, kT0 + 2 * kDayMs);
        order("o-3", "ETH/USDT", Side::Buy, 2, OT_ORDER_LIMIT, kT0 + 3 * kDayMs);
        order("o-4", "ETH/USDT", Side::Buy, 1, OT_ORDER_LIMIT, kT0 + 3 * kDayMs);
        journal_.update_order("o-1", OrderState::Filled, kT0 + kDayMs, "v-1", "", 1);
        journal_.update_order("o-2", OrderState::Filled, kT0 + 2 * kDayMs, "v-2", "", 1);
        journal_.update_order("o-3", OrderState::Filled, kT0 + 3 * kDayMs, "v-3", "", 2);
        journal_.update_order("o-4", OrderState::Rejected, kT0 + 3 * kDayMs, "", "price band");
        journal_.record_fill(fill(run_, "o-1", "BTC/USDT", Side::Buy, 1, 100, 1, kT0 + kDayMs));
        journal_.record_fill(
            fill(run_, "o-2", "BTC/USDT", Side::Sell, 1, 110, 1, kT0 + 2 * kDayMs));
        journal_.record_fill(
            fill(run_, "o-3", "ETH/USDT", Side::Buy, 2, 50, 0.5, kT0 + 3 * kDayMs));
        // As the engine samples: at the close of the bar whose open the fill took.
        journal_.record_equity(run_, {kT0 + 2 * kDayMs, 899 + 100, 899});
        journal_.record_equity(run_, {kT0 + 3 * kDayMs, 1008, 1008});
        journal_.record_equity(run_, {kT0 + 4 * kDayMs, 907.5 + 2 * 52, 907.5});
        journal_.end_run(run_, 1'700'100'500'000, "completed");
    }

    static FillRecord fill(int64_t run_id, const std::string& client_order_id,
                           const std::string& symbol, Side side, double qty, double price,
                           double fee, int64_t time_ms) {
        return {0,     run_id, client_order_id, "t-" + client_order_id, symbol, side, qty,
                price, fee,    time_ms};
    }

    void order(const std::string& id, const std::string& symbol, Side side, double qty,
               int32_t type, int64_t time_ms) {
        OrderRecord o;
        o.client_order_id = id;
        o.run_id = run_;
        o.symbol = symbol;
        o.side = side;
        o.qty = qty;
        o.type = type;
        o.created_ms = time_ms;
        o.reason = "signal";
        journal_.record_intent(o);
    }

    test::TempDir dir_;
    Journal journal_{dir_.file("run.db"), Journal::Durability::Batched};
    int64_t old_run_ = 0;
    int64_t run_ = 0;
};

TEST_F(ReportTest, CollectsTheLastRun) {
    const RunReport r = build_report(journal_);
    EXPECT_EQ(r.run.id, run_);
    EXPECT_EQ(r.journal_path, journal_.path());
    EXPECT_EQ(r.orders.size(), 4u);
    EXPECT_EQ(r.fills.size(), 3u);
    EXPECT_EQ(r.signal_count, 3);
    EXPECT_EQ(r.actionable_signal_count, 1);
    ASSERT_EQ(r.trades.size(), 2u);
    EXPECT_NEAR(r.trades[0].pnl, 8, kTolerance);
    EXPECT_TRUE(r.trades[1].open);
}

TEST_F(ReportTest, ComputesMetricsFromTheEquityCurveWhenNoneWereSaved) {
    const Metrics m = build_report(journal_).metrics;
    const double r1 = 999.0 / 1000 - 1, r2 = 1008.0 / 999 - 1, r3 = 1011.5 / 1008 - 1;
    const double mean = (r1 + r2 + r3) / 3;
    const double stdev = std::sqrt(
        ((r1 - mean) * (r1 - mean) + (r2 - mean) * (r2 - mean) + (r3 - mean) * (r3 - mean)) / 2);
    EXPECT_EQ(m.starting_equity, 1000);
    EXPECT_EQ(m.final_equity, 1011.5);
    EXPECT_NEAR(m.total_return_pct, 1.15, kTolerance);
    EXPECT_NEAR(m.sharpe, mean / stdev * std::sqrt(365.0), kTolerance);  // daily bars
    EXPECT_NEAR(m.max_drawdown_pct, 0.1, kTolerance);                    // 1000 -> 999
    EXPECT_NEAR(m.exposure_pct, 2.0 / 3 * 100, kTolerance);  // positions open on days 1 and 3
    EXPECT_EQ(m.periods, 3);
    EXPECT_EQ(m.trades, 1);
    EXPECT_NEAR(m.win_rate_pct, 100, kTolerance);
    EXPECT_NEAR(m.avg_trade_pnl, 8, kTolerance);
    EXPECT_NEAR(m.fees, 2.5, kTolerance);
    EXPECT_NEAR(m.realized_pnl, 10, kTolerance);
}

TEST_F(ReportTest, AnnualisesAStoredCurveByItsSampleSpacingNotTheBarInterval) {
    // A backtest of 1-minute bars killed before it saved its metrics: its curve holds one
    // point an hour, so each return is an hourly one.
    RunRecord run;
    run.pipeline_name = "killed";
    run.mode = Mode::Backtest;
    run.starting_cash = 1000;
    run.bar_interval_s = 60;
    const int64_t id = journal_.begin_run(run);
    constexpr int64_t kHourMs = 3'600'000;
    const double equity[] = {1010, 1005, 1020, 1015};
    for (int i = 0; i < 4; ++i)
        journal_.record_equity(id, {kT0 + (i + 1) * kHourMs, equity[i], equity[i]});

    const Metrics m = build_report(journal_, id).metrics;
    double r[4], mean = 0, previous = 1000;
    for (int i = 0; i < 4; ++i) {
        r[i] = equity[i] / previous - 1;
        previous = equity[i];
        mean += r[i] / 4;
    }
    double squares = 0;
    for (double x : r)
        squares += (x - mean) * (x - mean);
    const double stdev = std::sqrt(squares / 3);
    EXPECT_NEAR(m.sharpe, mean / stdev * std::sqrt(365.0 * 24), 1e-6);
    EXPECT_NEAR(m.volatility_pct, stdev * std::sqrt(365.0 * 24) * 100, 1e-6);
}

TEST_F(ReportTest, AKilledRunsExposureLeavesOutTheDustAnExitLeft) {
    // Killed before it saved its metrics: bought 1 BTC, sold all but 0.001 (a fee taken in the
    // coin, the sale floored to the venue's step). The dust keeps equity apart from cash.
    RunRecord run;
    run.pipeline_name = "killed";
    run.mode = Mode::Backtest;
    run.starting_cash = 1000;
    run.bar_interval_s = 86400;
    const int64_t id = journal_.begin_run(run);
    journal_.record_fill(fill(id, "d-1", "BTC/USDT", Side::Buy, 1, 100, 0, kT0 + kDayMs));
    journal_.record_fill(fill(id, "d-2", "BTC/USDT", Side::Sell, 0.999, 100, 0, kT0 + 2 * kDayMs));
    journal_.record_event({0, id, kT0 + 2 * kDayMs, "core", "dust_left",
                           R"({"client_order_id": "d-2", "trade_id": "t-d-2"})"});
    for (int day = 2; day <= 4; ++day)
        journal_.record_equity(id, {kT0 + day * kDayMs, 1000, day == 2 ? 900 : 999.9});

    const RunReport r = build_report(journal_, id);
    ASSERT_EQ(r.trades.size(), 1u);
    EXPECT_FALSE(r.trades[0].open) << "the dust closed the trade";
    EXPECT_NEAR(r.metrics.exposure_pct, 100.0 / 3, kTolerance) << "in the market on day 2 only";
}

TEST_F(ReportTest, UsesSavedMetricsButRecomputesTradeStatistics) {
    Metrics saved;
    saved.sharpe = 2.5;
    saved.max_drawdown_pct = 4;
    saved.trades = 99;
    saved.fees = 123;
    journal_.save_metrics(run_, metrics_to_json(saved));

    const Metrics m = build_report(journal_).metrics;
    EXPECT_EQ(m.sharpe, 2.5);
    EXPECT_EQ(m.max_drawdown_pct, 4);
    EXPECT_EQ(m.trades, 1);
    EXPECT_NEAR(m.fees, 2.5, kTolerance);
    EXPECT_NEAR(m.realized_pnl, 10, kTolerance);
}

TEST_F(ReportTest, JsonHoldsTheContractKeysAndTradeValues) {
    const json j = json::parse(report_to_json(build_report(journal_)));
    for (const char* key : {"run", "metrics", "trades", "orders", "fills", "cash_flows", "signals"})
        EXPECT_TRUE(j.contains(key)) << key;

    const json& run = j["run"];
    EXPECT_EQ(run["id"], run_);
    EXPECT_EQ(run["name"], "btc-sma");
    EXPECT_EQ(run["mode"], "backtest");
    EXPECT_EQ(run["status"], "completed");
    EXPECT_EQ(run["started_ms"], 1'700'100'000'000);
    EXPECT_EQ(run["ended_ms"], 1'700'100'500'000);
    EXPECT_EQ(run["journal"], journal_.path());

    EXPECT_EQ(j["metrics"].size(), 20u);
    EXPECT_EQ(j["metrics"]["trades"], 1);
    EXPECT_NEAR(j["metrics"]["final_equity"].get<double>(), 1011.5, kTolerance);

    ASSERT_EQ(j["trades"].size(), 2u);
    const json& closed = j["trades"][0];
    EXPECT_EQ(closed["symbol"], "BTC/USDT");
    EXPECT_EQ(closed["side"], "long");
    EXPECT_EQ(closed["qty"], 1.0);
    EXPECT_EQ(closed["entry_ts"], kT0 + kDayMs);
    EXPECT_NEAR(closed["entry_price"].get<double>(), 100, kTolerance);
    EXPECT_EQ(closed["exit_ts"], kT0 + 2 * kDayMs);
    EXPECT_NEAR(closed["exit_price"].get<double>(), 110, kTolerance);
    EXPECT_NEAR(closed["pnl"].get<double>(), 8, kTolerance);
    EXPECT_NEAR(closed["fees"].get<double>(), 2, kTolerance);
    EXPECT_EQ(closed["open"], false);

    const json& open = j["trades"][1];
    EXPECT_EQ(open["symbol"], "ETH/USDT");
    EXPECT_EQ(open["qty"], 2.0);
    EXPECT_EQ(open["exit_ts"], 0);
    EXPECT_TRUE(open["exit_price"].is_null());
    EXPECT_EQ(open["open"], true);
    EXPECT_NEAR(open["pnl"].get<double>(), -0.5, kTolerance);

    ASSERT_EQ(j["orders"].size(), 4u);
    const json& rejected = j["orders"][3];
    for (const char* key :
         {"client_order_id", "symbol", "side", "type", "qty", "state", "created_ms", "updated_ms",
          "filled_qty", "venue_order_id", "reason", "text"})
        EXPECT_TRUE(rejected.contains(key)) << key;
    EXPECT_EQ(rejected["client_order_id"], "o-4");
    EXPECT_EQ(rejected["side"], "BUY");
    EXPECT_EQ(rejected["type"], "limit");
    EXPECT_EQ(rejected["state"], "rejected");
    EXPECT_EQ(rejected["text"], "price band");
    EXPECT_EQ(j["orders"][0]["venue_order_id"], "v-1");
    EXPECT_EQ(j["orders"][0]["filled_qty"], 1.0);

    ASSERT_EQ(j["fills"].size(), 3u);
    const json& sell = j["fills"][1];
    EXPECT_EQ(sell["client_order_id"], "o-2");
    EXPECT_EQ(sell["trade_id"], "t-o-2");
    EXPECT_EQ(sell["symbol"], "BTC/USDT");
    EXPECT_EQ(sell["side"], "SELL");
    EXPECT_EQ(sell["qty"], 1.0);
    EXPECT_EQ(sell["price"], 110.0);
    EXPECT_EQ(sell["fee"], 1.0);
    EXPECT_EQ(sell["time_ms"], kT0 + 2 * kDayMs);

    EXPECT_EQ(j["signals"], 3);
    EXPECT_EQ(j["actionable_signals"], 1);
}

TEST_F(ReportTest, SelectsARunById) {
    const RunReport r = build_report(journal_, old_run_);
    EXPECT_EQ(r.run.pipeline_name, "old");
    ASSERT_EQ(r.fills.size(), 1u);
    EXPECT_EQ(r.fills[0].client_order_id, "x-1");
    EXPECT_TRUE(r.orders.empty());
    EXPECT_EQ(r.signal_count, 0);
    EXPECT_THROW(build_report(journal_, run_ + 100), std::runtime_error);
}

TEST_F(ReportTest, TextSummarisesMetricsTradesAndCounts) {
    const std::string text = report_to_text(build_report(journal_));
    for (const char* part : {"btc-sma", "backtest", "completed", "Sharpe", "Max drawdown",
                             "Win rate", "BTC/USDT", "ETH/USDT", "long", "open", "Orders 4",
                             "3 filled", "1 rejected", "fills 3", "signals 3 (1 actionable)"})
        EXPECT_TRUE(contains(text, part)) << part << "\n" << text;
}

TEST(Report, AnEmptyJournalHasNoRunToReport) {
    test::TempDir dir;
    Journal journal(dir.file("empty.db"), Journal::Durability::Synchronous);
    try {
        build_report(journal);
        FAIL() << "expected an error";
    } catch (const std::runtime_error& e) {
        EXPECT_TRUE(contains(e.what(), "no runs")) << e.what();
    }
}

}  // namespace
}  // namespace orchestrade::core
