#include <orchestrade/core/ledger.hpp>

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <stdexcept>

namespace orchestrade::core {
namespace {

constexpr double kTolerance = 1e-9;

FillRecord fill(Side side, double qty, double price, double fee = 0,
                const std::string& symbol = "BTC/USDT") {
    FillRecord f;
    f.client_order_id = "c";
    f.symbol = symbol;
    f.side = side;
    f.qty = qty;
    f.price = price;
    f.fee = fee;
    return f;
}

TEST(Ledger, OpeningALongPaysPriceAndFee) {
    Ledger ledger(10000);
    ledger.apply_fill(fill(Side::Buy, 2, 100, 1));

    const Position p = ledger.position("BTC/USDT");
    EXPECT_EQ(p.qty, 2);
    EXPECT_EQ(p.avg_price, 100);
    EXPECT_EQ(p.fees, 1);
    EXPECT_NEAR(ledger.cash(), 10000 - 2 * 100 - 1, kTolerance);
    EXPECT_EQ(ledger.fees(), 1);
    EXPECT_EQ(ledger.realized_pnl(), 0);
    EXPECT_EQ(ledger.open_positions(), 1);
    // Marked at the fill price until mark() says otherwise.
    EXPECT_NEAR(ledger.equity(), 9799 + 2 * 100, kTolerance);
    EXPECT_EQ(ledger.starting_cash(), 10000);
}

TEST(Ledger, IncreaseReduceAndCloseALong) {
    Ledger ledger(10000);
    ledger.apply_fill(fill(Side::Buy, 2, 100));
    ledger.apply_fill(fill(Side::Buy, 1, 130));
    EXPECT_NEAR(ledger.position("BTC/USDT").avg_price, (2 * 100 + 1 * 130) / 3.0, kTolerance);

    ledger.apply_fill(fill(Side::Sell, 1, 120));  // realizes (120 - 110) * 1
    Position p = ledger.position("BTC/USDT");
    EXPECT_NEAR(p.qty, 2, kTolerance);
    EXPECT_NEAR(p.avg_price, 110, kTolerance);
    EXPECT_NEAR(p.realized_pnl, 10, kTolerance);
    EXPECT_NEAR(ledger.cash(), 10000 - 200 - 130 + 120, kTolerance);

    ledger.apply_fill(fill(Side::Sell, 2, 100));  // realizes (100 - 110) * 2
    p = ledger.position("BTC/USDT");
    EXPECT_EQ(p.qty, 0);
    EXPECT_EQ(p.avg_price, 0);
    EXPECT_NEAR(p.realized_pnl, 10 - 20, kTolerance);
    EXPECT_EQ(ledger.open_positions(), 0);
    EXPECT_NEAR(ledger.cash(), 10000 - 10, kTolerance);
    EXPECT_NEAR(ledger.equity(), 10000 - 10, kTolerance);
}

TEST(Ledger, ShortGainsWhenThePriceFalls) {
    Ledger ledger(1000);
    ledger.apply_fill(fill(Side::Sell, 3, 50));
    EXPECT_EQ(ledger.position("BTC/USDT").qty, -3);
    EXPECT_EQ(ledger.position("BTC/USDT").avg_price, 50);
    EXPECT_NEAR(ledger.cash(), 1000 + 150, kTolerance);

    ledger.apply_fill(fill(Side::Buy, 1, 40));  // covers 1: (40 - 50) * 1 * -1
    EXPECT_NEAR(ledger.realized_pnl(), 10, kTolerance);
    EXPECT_EQ(ledger.position("BTC/USDT").qty, -2);
    EXPECT_EQ(ledger.position("BTC/USDT").avg_price, 50);

    ledger.mark("BTC/USDT", 45);
    EXPECT_NEAR(ledger.unrealized_pnl(), -2 * (45 - 50), kTolerance);
    EXPECT_NEAR(ledger.equity(), 1000 + 150 - 40 - 2 * 45, kTolerance);
    EXPECT_NEAR(ledger.gross_exposure(), 2 * 45, kTolerance);
}

TEST(Ledger, ReversalRealizesTheClosedPartAndOpensTheRestAtTheFillPrice) {
    Ledger ledger(10000);
    ledger.apply_fill(fill(Side::Buy, 2, 100, 1));
    ledger.apply_fill(fill(Side::Sell, 5, 110, 5));

    const Position p = ledger.position("BTC/USDT");
    EXPECT_NEAR(p.qty, -3, kTolerance);
    EXPECT_EQ(p.avg_price, 110);
    EXPECT_NEAR(p.realized_pnl, (110 - 100) * 2, kTolerance);
    EXPECT_EQ(p.fees, 6);
    EXPECT_NEAR(ledger.cash(), 10000 - 200 - 1 + 550 - 5, kTolerance);
    // Equity = starting cash + realized - fees while marked at the reversal price.
    EXPECT_NEAR(ledger.equity(), 10000 + 20 - 6, kTolerance);

    ledger.apply_fill(fill(Side::Buy, 4, 90));  // covers 3: (90 - 110) * 3 * -1, long 1 @ 90
    const Position q = ledger.position("BTC/USDT");
    EXPECT_NEAR(q.qty, 1, kTolerance);
    EXPECT_EQ(q.avg_price, 90);
    EXPECT_NEAR(q.realized_pnl, 20 + 60, kTolerance);
}

TEST(Ledger, RealizedPnlIsGrossOfFees) {
    Ledger ledger(1000);
    ledger.apply_fill(fill(Side::Buy, 1, 100, 2));
    ledger.apply_fill(fill(Side::Sell, 1, 110, 3));
    EXPECT_NEAR(ledger.realized_pnl(), 10, kTolerance);
    EXPECT_EQ(ledger.fees(), 5);
    EXPECT_NEAR(ledger.cash(), 1000 + 10 - 5, kTolerance);
}

TEST(Ledger, EquityUsesMarksAcrossSymbols) {
    Ledger ledger(10000);
    ledger.apply_fill(fill(Side::Buy, 2, 100, 0, "BTC/USDT"));
    ledger.apply_fill(fill(Side::Sell, 10, 20, 0, "ETH/USDT"));
    ledger.mark("BTC/USDT", 120);
    ledger.mark("ETH/USDT", 25);
    ledger.mark("SOL/USDT", 7);  // a symbol not held: a known price, no position

    EXPECT_EQ(ledger.open_positions(), 2);
    EXPECT_EQ(ledger.position("SOL/USDT").mark_price, 7);
    EXPECT_EQ(ledger.position("SOL/USDT").qty, 0);
    EXPECT_NEAR(ledger.cash(), 10000 - 200 + 200, kTolerance);
    EXPECT_NEAR(ledger.equity(), 10000 + 2 * 120 - 10 * 25, kTolerance);
    EXPECT_NEAR(ledger.unrealized_pnl(), 2 * (120 - 100) + -10 * (25 - 20), kTolerance);
    EXPECT_NEAR(ledger.gross_exposure(), 2 * 120 + 10 * 25, kTolerance);

    ledger.apply_fill(fill(Side::Buy, 1, 130, 0, "BTC/USDT"));  // a fill is the newest price
    EXPECT_EQ(ledger.position("BTC/USDT").mark_price, 130);
}

TEST(Ledger, RoundingDustClosesThePosition) {
    Ledger ledger(100);
    ledger.apply_fill(fill(Side::Buy, 0.1, 10));
    ledger.apply_fill(fill(Side::Buy, 0.2, 10));  // 0.30000000000000004
    ledger.apply_fill(fill(Side::Sell, 0.3, 11));
    EXPECT_EQ(ledger.position("BTC/USDT").qty, 0);
    EXPECT_EQ(ledger.position("BTC/USDT").avg_price, 0);
    EXPECT_EQ(ledger.open_positions(), 0);
}

TEST(Ledger, OpenPositionsFollowEveryKindOfFill) {
    Ledger ledger(1000);
    ledger.apply_fill(fill(Side::Buy, 2, 10));
    ledger.apply_fill(fill(Side::Sell, 1, 10, 0, "ETH/USDT"));  // a short
    EXPECT_EQ(ledger.open_positions(), 2);
    ledger.apply_fill(fill(Side::Sell, 3, 10));  // long 2 reversed to short 1: still open
    EXPECT_EQ(ledger.open_positions(), 2);
    ledger.apply_fill(fill(Side::Buy, 1, 10));                   // closed
    ledger.apply_fill(fill(Side::Buy, 0.5, 10, 0, "ETH/USDT"));  // reduced
    EXPECT_EQ(ledger.open_positions(), 1);
    ledger.mark("ETH/USDT", 12);
    EXPECT_NEAR(ledger.equity(), ledger.cash() - 0.5 * 12, kTolerance);
    ledger.apply_fill(fill(Side::Buy, 0.5, 12, 0, "ETH/USDT"));
    EXPECT_EQ(ledger.open_positions(), 0);
    ledger.mark("BTC/USDT", 1e9);  // marks of flat positions do not change the equity
    EXPECT_EQ(ledger.equity(), ledger.cash());
}

TEST(Ledger, ACashFlowMovesCashAndEquityButNoPosition) {
    Ledger ledger(10000);
    ledger.apply_fill(fill(Side::Buy, 2, 100));
    ledger.apply_cash_flow(-0.75);  // funding paid by the long
    ledger.apply_cash_flow(0.25);   // and received later
    EXPECT_NEAR(ledger.cash(), 10000 - 200 - 0.5, kTolerance);
    EXPECT_NEAR(ledger.equity(), 10000 - 0.5, kTolerance);
    EXPECT_NEAR(ledger.cash_flows(), -0.5, kTolerance);
    EXPECT_EQ(ledger.position("BTC/USDT").qty, 2);
    EXPECT_EQ(ledger.realized_pnl(), 0);
    EXPECT_EQ(ledger.fees(), 0);
    EXPECT_THROW(ledger.apply_cash_flow(std::numeric_limits<double>::quiet_NaN()),
                 std::invalid_argument);
    EXPECT_NEAR(ledger.cash(), 10000 - 200 - 0.5, kTolerance);
}

TEST(Ledger, UnknownSymbolIsFlat) {
    const Ledger ledger(5);
    const Position p = ledger.position("NONE");
    EXPECT_EQ(p.qty, 0);
    EXPECT_EQ(p.realized_pnl, 0);
    EXPECT_EQ(ledger.equity(), 5);
}

TEST(Ledger, RefusesMeaninglessFills) {
    Ledger ledger(100);
    EXPECT_THROW(ledger.apply_fill(fill(Side::Buy, 0, 10)), std::invalid_argument);
    EXPECT_THROW(ledger.apply_fill(fill(Side::Buy, -1, 10)), std::invalid_argument);
    EXPECT_THROW(ledger.apply_fill(fill(Side::Buy, 1, std::nan(""))), std::invalid_argument);
    EXPECT_THROW(ledger.apply_fill(fill(Side::Buy, 1, 10, std::numeric_limits<double>::infinity())),
                 std::invalid_argument);
    EXPECT_EQ(ledger.cash(), 100);
    EXPECT_EQ(ledger.open_positions(), 0);
}

}  // namespace
}  // namespace orchestrade::core
