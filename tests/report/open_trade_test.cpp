// A trade still open when the run ended is marked at its symbol's last close: its PnL in the
// text, JSON and HTML report is what the run's final equity counts for it.
#include "engine_harness.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

using namespace orchestrade;
using namespace orchestrade::testing;

namespace {

TEST(OpenTrade, IsMarkedAtTheLastCloseAsTheFinalEquityIs) {
    EngineHarness h;
    std::vector<double> closes;
    for (int i = 0; i < 10; ++i)
        closes.push_back(200 - i);  // falling: no entry
    for (int i = 0; i < 20; ++i)
        closes.push_back(191 + 2 * i);  // rising: one BUY, never a SELL
    h.write_csv(bars_from_closes(closes));
    h.run(h.pipeline_yaml("{ use: sma_cross, params: { fast: 2, slow: 4 } }",
                          "{ use: mock, params: { starting_cash: 10000, fee_bps: 10 } }"));
    const core::RunReport r = h.report();
    ASSERT_EQ(r.trades.size(), 1u);
    const core::Trade& t = r.trades[0];
    ASSERT_TRUE(t.open);
    const double last = closes.back();
    EXPECT_EQ(t.mark_price, last);
    EXPECT_NEAR(t.pnl, (last - t.entry_price) * t.qty - t.fees, 1e-9);
    EXPECT_NEAR(t.pnl, r.metrics.final_equity - r.metrics.starting_equity, 1e-6)
        << "the trade list and the equity disagree";

    const nlohmann::json trade = nlohmann::json::parse(core::report_to_json(r))["trades"][0];
    EXPECT_EQ(trade["open"], true);
    EXPECT_EQ(trade["mark_price"], last);
    EXPECT_NEAR(trade["pnl"].get<double>(), t.pnl, 1e-9);
    EXPECT_TRUE(trade["exit_price"].is_null());

    const std::string text = core::report_to_text(r);
    EXPECT_NE(text.find("open (marked 229)"), std::string::npos) << text;
    const std::string html = core::report_to_html(r);
    EXPECT_NE(html.find("<td>open</td><td>marked 229.00</td>"), std::string::npos);
}

}  // namespace
