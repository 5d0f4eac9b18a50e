// The risk stage on its own: sizing, each limit, the breakers, protective exits, persistence.
#include <orchestrade/core/risk_stage.hpp>

#include <gtest/gtest.h>

#include <string>
#include <vector>

using namespace orchestrade::core;

namespace {

constexpr int64_t kT0 = 1704067200000;  // 2024-01-01 00:00 UTC
constexpr int64_t kMinute = 60'000, kHour = 3'600'000, kDay = 86'400'000;

SignalRecord signal(Action a, const std::string& symbol = "BTC/USDT") {
    SignalRecord s;
    s.symbol = symbol;
    s.action = a;
    return s;
}

Ledger flat(double cash = 10'000) {
    return Ledger(cash);
}

void open_long(Ledger& l, const std::string& symbol, double qty, double price) {
    FillRecord f;
    f.symbol = symbol;
    f.side = Side::Buy;
    f.qty = qty;
    f.price = price;
    l.apply_fill(f);
}

// A venue whose smallest order is qty for every symbol.
MinOrderQty smallest(double qty) {
    return [qty](const std::string&, double) { return qty; };
}

}  // namespace

TEST(RiskSizing, DefaultIsTenPercentOfEquity) {
    RiskStage r(RiskConfig{});
    auto d = r.evaluate(signal(Action::Buy), flat(), 100, false, kT0);
    ASSERT_TRUE(d.order);
    EXPECT_DOUBLE_EQ(d.order->qty, 10);  // 10% of 10,000 at 100
    EXPECT_TRUE(d.order->entry);
}

TEST(RiskSizing, QuoteAmountAndQuantityAndSignalHint) {
    RiskConfig c;
    c.quote_amount = 250;
    EXPECT_DOUBLE_EQ(RiskStage(c).evaluate(signal(Action::Buy), flat(), 50, false, kT0).order->qty,
                     5);
    RiskConfig q;
    q.quantity = 0.3;
    EXPECT_DOUBLE_EQ(RiskStage(q).evaluate(signal(Action::Buy), flat(), 50, false, kT0).order->qty,
                     0.3);
    auto hinted = signal(Action::Buy);
    hinted.size_pct = 20;  // the strategy's hint wins over the configured size
    EXPECT_DOUBLE_EQ(RiskStage(q).evaluate(hinted, flat(), 50, false, kT0).order->qty, 40);
}

TEST(RiskSizing, RiskPerTradeSizesFromTheStopDistance) {
    RiskConfig c;
    c.risk_per_trade_pct = 1;  // lose 100 of 10,000 if the stop is hit
    c.stop_loss_pct = 2;       // stop at 98 for a price of 100
    auto d = RiskStage(c).evaluate(signal(Action::Buy), flat(), 100, false, kT0);
    ASSERT_TRUE(d.order);
    EXPECT_NEAR(d.order->stop_loss, 98, 1e-9);
    EXPECT_NEAR(d.order->qty, 100.0 / 2.0, 1e-8);
}

TEST(RiskSizing, ACloseStopNeverSizesAnEntryAboveTheEquity) {
    RiskConfig c;
    c.risk_per_trade_pct = 1;
    c.stop_loss_pct = 0.1;  // 1 % at risk over 0.1 %: ten times the equity of 10,000
    auto d = RiskStage(c).evaluate(signal(Action::Buy), flat(), 100, false, kT0);
    ASSERT_TRUE(d.order);
    EXPECT_NEAR(d.order->qty, 100.0, 1e-8);  // 10,000 of equity at 100
    EXPECT_NE(d.outcome.find("capped by equity"), std::string::npos) << d.outcome;
    c.max_gross_exposure_pct = 300;  // leverage the pipeline allows
    d = RiskStage(c).evaluate(signal(Action::Buy), flat(), 100, false, kT0);
    ASSERT_TRUE(d.order);
    EXPECT_NEAR(d.order->qty, 300.0, 1e-8);
}

TEST(RiskSizing, AtrStopUsesWildersAverage) {
    RiskConfig c;
    c.stop_loss_atr = 2;
    c.atr_period = 3;
    RiskStage r(c);
    // True ranges: 2 (first bar: high-low), then max(h-l, |h-pc|, |l-pc|).
    r.on_bar("BTC/USDT", kT0 + kMinute, 101, 99, 100);   // TR 2
    r.on_bar("BTC/USDT", kT0 + kMinute, 104, 100, 103);  // TR 4
    r.on_bar("BTC/USDT", kT0 + kMinute, 103, 97, 98);    // TR 6 -> ATR seed (2+4+6)/3 = 4
    r.on_bar("BTC/USDT", kT0 + kMinute, 99, 97, 98);     // TR 2 -> ATR (4*2+2)/3 = 10/3
    auto d = r.evaluate(signal(Action::Buy), flat(), 98, false, kT0);
    ASSERT_TRUE(d.order);
    EXPECT_NEAR(d.order->stop_loss, 98 - 2 * (10.0 / 3.0), 1e-9);
}

TEST(RiskSizing, AnEntryWhoseAtrStopIsNotKnownYetIsRefused) {
    RiskConfig c;
    c.stop_loss_atr = 2;
    c.atr_period = 3;
    RiskStage r(c);
    r.on_bar("BTC/USDT", kT0 + kMinute, 101, 99, 100);
    auto d = r.evaluate(signal(Action::Buy), flat(), 100, false, kT0);
    EXPECT_FALSE(d.order) << "an entry without the stop the pipeline asks for";
    EXPECT_EQ(d.rule, "stop_loss_atr");
    EXPECT_EQ(d.outcome,
              "refused: stop_loss_atr: no ATR for BTC/USDT yet (1 of the 3 bars it needs)");
    c.stop_loss_pct = 5;  // a fallback while the ATR is not known
    d = RiskStage(c).evaluate(signal(Action::Buy), flat(), 100, false, kT0);
    ASSERT_TRUE(d.order);
    EXPECT_NEAR(d.order->stop_loss, 95, 1e-9);
}

TEST(RiskSizing, HistoryBarsTeachTheAtrAndNeedAsManyBarsAsItsPeriod) {
    RiskConfig c;
    c.stop_loss_atr = 2;
    c.atr_period = 3;
    RiskStage r(c);
    EXPECT_EQ(r.history_bars_needed(), 3u);
    EXPECT_EQ(RiskStage(RiskConfig{}).history_bars_needed(), 0u);
    r.on_history_bar("BTC/USDT", 101, 99, 100);   // TR 2
    r.on_history_bar("BTC/USDT", 104, 100, 103);  // TR 4
    r.on_history_bar("BTC/USDT", 103, 97, 98);    // TR 6 -> ATR 4
    auto d = r.evaluate(signal(Action::Buy), flat(), 98, false, kT0);
    ASSERT_TRUE(d.order);
    EXPECT_NEAR(d.order->stop_loss, 98 - 2 * 4.0, 1e-9);
}

TEST(RiskLimits, MaxOpenPositionsRefusesEntriesButNotExits) {
    RiskConfig c;
    c.max_open_positions = 1;
    RiskStage r(c);
    Ledger l = flat();
    open_long(l, "ETH/USDT", 1, 100);
    auto d = r.evaluate(signal(Action::Buy), l, 100, false, kT0);
    EXPECT_FALSE(d.order);
    EXPECT_EQ(d.rule, "max_open_positions");
    EXPECT_EQ(d.outcome, "refused: max_open_positions: 1 positions open, the limit is 1");
    auto exit = r.evaluate(signal(Action::Sell, "ETH/USDT"), l, 100, false, kT0);
    ASSERT_TRUE(exit.order);
    EXPECT_FALSE(exit.order->entry);
}

TEST(RiskLimits, OrderValueCapsAndFloors) {
    RiskConfig c;
    c.position_size_pct = 50;  // 5,000
    c.max_order_value = 1'000;
    auto d = RiskStage(c).evaluate(signal(Action::Buy), flat(), 100, false, kT0);
    ASSERT_TRUE(d.order);
    EXPECT_DOUBLE_EQ(d.order->qty, 10);
    EXPECT_EQ(d.outcome, "order (capped by max_order_value)");
    RiskConfig m;
    m.quantity = 0.01;
    m.min_order_value = 5;
    auto small = RiskStage(m).evaluate(signal(Action::Buy), flat(), 100, false, kT0);
    EXPECT_FALSE(small.order);
    EXPECT_EQ(small.rule, "min_order_value");
}

TEST(RiskLimits, PositionValueAndGrossExposure) {
    RiskConfig c;
    c.position_size_pct = 50;
    c.max_gross_exposure_pct = 60;  // 6,000 of 10,000 equity
    RiskStage r(c);
    Ledger l = flat();
    open_long(l, "ETH/USDT", 40, 100);  // 4,000 exposed
    auto d = r.evaluate(signal(Action::Buy), l, 100, false, kT0);
    ASSERT_TRUE(d.order);
    EXPECT_NEAR(d.order->qty, 20, 1e-8);  // only 2,000 of room
    open_long(l, "BTC/USDT", 20, 100);
    auto full = r.evaluate(signal(Action::Buy, "SOL/USDT"), l, 100, false, kT0);
    EXPECT_EQ(full.rule, "max_gross_exposure_pct");
}

TEST(RiskLimits, OrderRateCapCountsEntriesInTheLastHour) {
    RiskConfig c;
    c.max_orders_per_hour = 2;
    RiskStage r(c);
    Ledger l = flat();
    EXPECT_TRUE(r.evaluate(signal(Action::Buy, "A/USDT"), l, 10, false, kT0).order);
    EXPECT_TRUE(r.evaluate(signal(Action::Buy, "B/USDT"), l, 10, false, kT0 + kMinute).order);
    EXPECT_EQ(r.evaluate(signal(Action::Buy, "C/USDT"), l, 10, false, kT0 + 2 * kMinute).rule,
              "max_orders_per_hour");
    EXPECT_TRUE(r.evaluate(signal(Action::Buy, "D/USDT"), l, 10, false, kT0 + kHour + 1).order);
}

TEST(RiskLimits, CooldownAfterALossingTradeOnlyForThatSymbol) {
    RiskConfig c;
    c.cooldown_after_loss_ms = 30 * kMinute;
    RiskStage r(c);
    Position before{1, 100, 0, 100, 0}, after{0, 0, -5, 95, 0};
    r.on_fill("BTC/USDT", before, after, 0, 0, true, kT0);
    auto d = r.evaluate(signal(Action::Buy), flat(), 95, false, kT0 + 10 * kMinute);
    EXPECT_EQ(d.rule, "cooldown_after_loss");
    EXPECT_TRUE(r.evaluate(signal(Action::Buy, "ETH/USDT"), flat(), 95, false, kT0).order);
    r.remember("BTC/USDT", Action::Hold);
    EXPECT_TRUE(r.evaluate(signal(Action::Buy), flat(), 95, false, kT0 + 31 * kMinute).order);
}

TEST(RiskBreakers, DailyLossReducesUntilTheNextDayAndBlocksOnlyEntries) {
    RiskConfig c;
    c.max_daily_loss_pct = 5;
    RiskStage r(c);
    EXPECT_FALSE(r.update_equity(kT0, 10'000));
    EXPECT_FALSE(r.update_equity(kT0 + kHour, 9'600));  // -4%
    auto t = r.update_equity(kT0 + 2 * kHour, 9'500);   // -5%
    ASSERT_TRUE(t);
    EXPECT_EQ(*t, "ACTIVE -> REDUCING: max_daily_loss_pct: down 5.00% today");
    Ledger l = flat();
    open_long(l, "ETH/USDT", 1, 100);
    EXPECT_EQ(r.evaluate(signal(Action::Buy), l, 100, false, kT0).rule, "breaker");
    EXPECT_TRUE(r.evaluate(signal(Action::Sell, "ETH/USDT"), l, 100, false, kT0).order);
    auto next_day = r.update_equity(kT0 + kDay, 9'500);
    ASSERT_TRUE(next_day);
    EXPECT_EQ(r.state(), BreakerState::Active);
}

TEST(RiskBreakers, DrawdownHaltsUntilResumed) {
    RiskConfig c;
    c.max_drawdown_pct = 10;
    RiskStage r(c);
    r.update_equity(kT0, 10'000);
    r.update_equity(kT0 + kMinute, 12'000);               // peak
    auto t = r.update_equity(kT0 + 2 * kMinute, 10'800);  // -10% from the peak
    ASSERT_TRUE(t);
    EXPECT_EQ(r.state(), BreakerState::Halted);
    EXPECT_FALSE(r.update_equity(kT0 + 2 * kDay, 12'500));  // a new day does not lift a halt
    EXPECT_EQ(r.state(), BreakerState::Halted);
    EXPECT_TRUE(r.resume());
    EXPECT_EQ(r.state(), BreakerState::Active);
}

TEST(RiskBreakers, StateSurvivesSaveAndLoad) {
    RiskConfig c;
    c.max_drawdown_pct = 10;
    c.stop_loss_pct = 5;
    RiskStage r(c);
    r.update_equity(kT0, 10'000);
    r.update_equity(kT0 + kMinute, 8'000);
    Position before{}, after{2, 100, 0, 100, 0};
    r.on_fill("BTC/USDT", before, after, 95, 120, true, kT0);
    r.remember("ETH/USDT", Action::Buy);

    RiskStage restored(c);
    restored.load(r.save());
    EXPECT_EQ(restored.state(), BreakerState::Halted);
    EXPECT_EQ(restored.state_reason(), r.state_reason());
    ASSERT_TRUE(restored.protection("BTC/USDT"));
    EXPECT_DOUBLE_EQ(restored.protection("BTC/USDT")->stop, 95);
    EXPECT_DOUBLE_EQ(restored.protection("BTC/USDT")->take_profit, 120);
    EXPECT_EQ(restored.protection("BTC/USDT")->since_ms, kT0);  // bars before it stay ignored
    EXPECT_FALSE(restored.check_exit("BTC/USDT", kT0, 100, 100, 90, after));
    EXPECT_EQ(restored.evaluate(signal(Action::Buy, "ETH/USDT"), flat(), 10, false, kT0).outcome,
              "ignored: duplicate signal");
}

TEST(ProtectiveExits, StopTakeProfitGapAndBothInOneBar) {
    RiskStage r(RiskConfig{});
    Position before{}, pos{2, 100, 0, 100, 0};
    r.on_fill("BTC/USDT", before, pos, 95, 110, true, kT0);
    EXPECT_FALSE(r.check_exit("BTC/USDT", kT0 + kMinute, 100, 109, 96, pos));  // inside both levels
    auto gap = r.check_exit("BTC/USDT", kT0 + kMinute, 90, 91, 89, pos);  // opens below the stop
    ASSERT_TRUE(gap);
    EXPECT_EQ(gap->reason, "stop-loss");
    EXPECT_EQ(gap->side, Side::Sell);
    EXPECT_DOUBLE_EQ(gap->qty, 2);
    auto both =
        r.check_exit("BTC/USDT", kT0 + kMinute, 100, 111, 94, pos);  // both levels inside one bar
    ASSERT_TRUE(both);
    EXPECT_EQ(both->reason, "stop-loss");
    auto tp = r.check_exit("BTC/USDT", kT0 + kMinute, 105, 112, 104, pos);
    ASSERT_TRUE(tp);
    EXPECT_EQ(tp->reason, "take-profit");
    // The position closes: its levels go (an emulated OCO leaves no leg behind).
    r.on_fill("BTC/USDT", pos, Position{}, 0, 0, true, kT0);
    EXPECT_EQ(r.protection("BTC/USDT"), nullptr);
}

TEST(ProtectiveExits, ShortLevelsAreMirrored) {
    RiskStage r(RiskConfig{});
    Position before{}, pos{-1, 100, 0, 100, 0};
    r.on_fill("BTC/USDT", before, pos, 105, 90, true, kT0);
    auto stop = r.check_exit("BTC/USDT", kT0 + kMinute, 101, 106, 100, pos);
    ASSERT_TRUE(stop);
    EXPECT_EQ(stop->reason, "stop-loss");
    EXPECT_EQ(stop->side, Side::Buy);
    EXPECT_EQ(r.check_exit("BTC/USDT", kT0 + kMinute, 95, 96, 89, pos)->reason, "take-profit");
}

TEST(ProtectiveExits, TrailingStopFollowsTheBestPrice) {
    RiskConfig c;
    c.trailing_stop_pct = 10;
    RiskStage r(c);
    Position before{}, pos{1, 100, 0, 100, 0};
    r.on_fill("BTC/USDT", before, pos, 0, 0, true, kT0);
    EXPECT_DOUBLE_EQ(r.protection("BTC/USDT")->stop, 90);
    r.on_bar("BTC/USDT", kT0 + kMinute, 120, 110, 118);
    EXPECT_DOUBLE_EQ(r.protection("BTC/USDT")->stop, 108);
    r.on_bar("BTC/USDT", kT0 + kMinute, 115, 109, 110);  // a lower high never lowers the stop
    EXPECT_DOUBLE_EQ(r.protection("BTC/USDT")->stop, 108);
    auto exit = r.check_exit("BTC/USDT", kT0 + kMinute, 109, 110, 107, pos);
    ASSERT_TRUE(exit);
    EXPECT_EQ(exit->reason, "trailing stop");
}

TEST(ProtectiveExits, ABarThatClosedBeforeTheEntryMovesNoLevel) {
    RiskConfig c;
    c.trailing_stop_pct = 10;
    RiskStage r(c);
    Position before{}, pos{1, 100, 0, 100, 0};
    const int64_t filled = kT0 + 10 * kMinute;
    r.on_fill("BTC/USDT", before, pos, 95, 110, true, filled);
    // A bar that closed at or before the fill (a coarser bar, a bar replayed after a restart)
    // lies before the position: neither its low nor its high counts.
    EXPECT_FALSE(r.check_exit("BTC/USDT", filled, 100, 120, 80, pos));
    r.on_bar("BTC/USDT", filled, 150, 80, 100);
    EXPECT_DOUBLE_EQ(r.protection("BTC/USDT")->stop, 95);
    EXPECT_DOUBLE_EQ(r.protection("BTC/USDT")->best, 100);
    // The bar in which it filled closes after it: that one counts.
    auto exit = r.check_exit("BTC/USDT", filled + kMinute, 100, 101, 94, pos);
    ASSERT_TRUE(exit);
    EXPECT_EQ(exit->reason, "trailing stop");
}

TEST(ProtectiveExits, NativeProtectionIsNotWatched) {
    RiskStage r(RiskConfig{});
    Position before{}, pos{1, 100, 0, 100, 0};
    r.on_fill("BTC/USDT", before, pos, 95, 110, false, kT0);
    EXPECT_FALSE(r.check_exit("BTC/USDT", kT0 + kMinute, 90, 91, 89, pos));
}

TEST(RiskDust, APositionBelowTheVenuesSmallestOrderIsFlatForEntriesAndNeverSold) {
    RiskConfig c;
    c.quantity = 0.01;
    c.max_open_positions = 1;  // the rest is not an open position for the limit either
    RiskStage r(c);
    Ledger l = flat();
    open_long(l, "BTC/USDT", 0.0000077, 100'000);  // what a fee paid in BTC left
    auto sell = r.evaluate(signal(Action::Sell), l, 100'000, false, kT0, smallest(0.00001));
    EXPECT_FALSE(sell.order);
    EXPECT_EQ(sell.outcome,
              "ignored: the 7.7e-06 BTC/USDT held is below the venue's smallest order 1e-05 "
              "(dust, not sold)");
    EXPECT_FALSE(
        r.evaluate(signal(Action::Close), l, 100'000, false, kT0, smallest(0.00001)).order);
    auto buy = r.evaluate(signal(Action::Buy), l, 100'000, false, kT0 + kMinute, smallest(0.00001));
    ASSERT_TRUE(buy.order) << buy.outcome;
    EXPECT_TRUE(buy.order->entry);
    EXPECT_DOUBLE_EQ(buy.order->qty, 0.01);
    // Without the venue's rule the same position is a position: no second entry.
    RiskStage unaware(c);
    EXPECT_EQ(unaware.evaluate(signal(Action::Buy), l, 100'000, false, kT0).outcome,
              "ignored: already long");
    // Once the entry filled, a SELL closes everything, the old rest included.
    open_long(l, "BTC/USDT", 0.01, 100'000);
    auto exit =
        r.evaluate(signal(Action::Sell), l, 100'000, false, kT0 + 2 * kMinute, smallest(0.00001));
    ASSERT_TRUE(exit.order) << exit.outcome;
    EXPECT_DOUBLE_EQ(exit.order->qty, 0.0100077);
}

TEST(RiskDust, RestsInOtherSymbolsDoNotHoldSlotsOfMaxOpenPositions) {
    RiskConfig c;
    c.quantity = 1;
    c.max_open_positions = 2;
    RiskStage r(c);
    Ledger l = flat(1'000'000);
    open_long(l, "BTC/USDT", 1, 100);          // a position
    open_long(l, "ETH/USDT", 0.00004, 2'000);  // rests of earlier round trips
    open_long(l, "SOL/USDT", 0.003, 150);
    // The venue's smallest order differs per symbol, and the rule asks each symbol for its own.
    std::vector<std::string> asked;
    MinOrderQty venue = [&](const std::string& symbol, double price) {
        asked.push_back(symbol);
        EXPECT_GT(price, 0) << symbol;
        return symbol == "ETH/USDT" ? 0.0001 : symbol == "SOL/USDT" ? 0.01 : 0.00001;
    };
    auto buy = r.evaluate(signal(Action::Buy, "ADA/USDT"), l, 0.5, false, kT0, venue);
    ASSERT_TRUE(buy.order) << buy.outcome;
    EXPECT_EQ(asked, (std::vector<std::string>{"BTC/USDT", "ETH/USDT", "SOL/USDT"}));
    // Without the venue's rules the rests count: three positions open.
    RiskStage unaware(c);
    EXPECT_EQ(unaware.evaluate(signal(Action::Buy, "ADA/USDT"), l, 0.5, false, kT0).outcome,
              "refused: max_open_positions: 3 positions open, the limit is 2");
    // A second real position fills the limit.
    open_long(l, "ETH/USDT", 1, 2'000);
    EXPECT_EQ(r.evaluate(signal(Action::Buy, "XRP/USDT"), l, 0.6, false, kT0, venue).outcome,
              "refused: max_open_positions: 2 positions open, the limit is 2");
}

TEST(RiskLevels, AnEntryWhoseTakeProfitThePriceHasPassedIsRefused) {
    auto planned = signal(Action::Buy);
    planned.stop_loss = 90;
    planned.take_profit = 105;  // planned at 100; the price opened at 106
    RiskStage r(RiskConfig{});
    auto d = r.evaluate(planned, flat(), 106, false, kT0);
    EXPECT_FALSE(d.order);
    EXPECT_EQ(d.rule, "take_profit");
    EXPECT_EQ(d.outcome,
              "refused: take_profit: take-profit 105 is on the wrong side of the price 106");
    auto short_entry = signal(Action::Sell);
    short_entry.take_profit = 95;
    RiskConfig shorts;
    shorts.allow_short = true;
    EXPECT_EQ(RiskStage(shorts).evaluate(short_entry, flat(), 94, false, kT0).rule, "take_profit");
    EXPECT_TRUE(RiskStage(shorts).evaluate(short_entry, flat(), 96, false, kT0).order);
}

TEST(RiskDuplicates, ARefusedSignalIsNotADuplicateWhenItComesAgain) {
    RiskConfig c;
    c.max_open_positions = 1;
    RiskStage r(c);
    Ledger holding = flat();
    open_long(holding, "ETH/USDT", 1, 100);
    auto refused = r.evaluate(signal(Action::Buy), holding, 100, false, kT0);
    EXPECT_EQ(refused.rule, "max_open_positions");
    // The slot is free again: the same BUY enters.
    auto again = r.evaluate(signal(Action::Buy), flat(), 100, false, kT0 + kMinute);
    ASSERT_TRUE(again.order);
    EXPECT_EQ(r.evaluate(signal(Action::Buy), flat(), 100, false, kT0 + 2 * kMinute).outcome,
              "ignored: duplicate signal");
}

TEST(RiskDuplicates, AfterForgetTheSameSignalActsAgain) {
    RiskStage r(RiskConfig{});
    ASSERT_TRUE(r.evaluate(signal(Action::Buy), flat(), 100, false, kT0).order);
    r.forget("BTC/USDT");  // a stop-loss closed the position
    EXPECT_TRUE(r.evaluate(signal(Action::Buy), flat(), 100, false, kT0 + kMinute).order);
}
