// Funding payments of USD-M futures: the executor reads /fapi/v1/income once a minute and reports
// each payment of a universe symbol as OT_REPORT_CASH, once per process, from a cursor that
// outlives a restart; never to a host older than ABI 1.2.
#include "fixture.hpp"

#include <nlohmann/json.hpp>

#include <cmath>
#include <set>

using namespace orchestrade::testing;

namespace {

constexpr int64_t kMinute = 60 * 1000;

class FundingTest : public BinanceTest {
  protected:
    // A usdm executor whose account holds qty BTC (negative: short).
    ExecutorInstance holding(double qty) {
        ExecutorInstance ex = executor("usdm");
        ex.submit(market("open-" + std::to_string(++opened_), qty > 0 ? OT_SIDE_BUY : OT_SIDE_SELL,
                         std::fabs(qty)));
        ex.poll();
        return ex;
    }

    int income_requests() const { return fake.count_requests("GET", "/fapi/v1/income"); }

    static std::vector<Report> cash(const std::vector<Report>& reports) {
        return of_kind(reports, OT_REPORT_CASH);
    }

    // GET /fapi/v1/income at the fake with this query, as given (no signature added).
    HttpReply get_income(const std::string& query) const {
        HttpRequest r;
        r.method = "GET";
        r.url = fake.url() + "/fapi/v1/income?" + query;
        r.headers = {"X-MBX-APIKEY: " + kKey};
        r.timeout_ms = 2000;
        return loopback_http()(r);
    }

    HttpReply signed_income(const std::string& query) const {
        const std::string signature = bf::hmac_hex(kSecret, query);
        return get_income(query + "&signature=" + signature);
    }

    std::string now_param() const { return "timestamp=" + std::to_string(fake.server_time()); }

    // The tranIds of every funding payment the fake booked, oldest first.
    std::vector<std::string> tran_ids() const {
        HttpReply r = signed_income("incomeType=FUNDING_FEE&startTime=0&limit=1000&" + now_param());
        std::vector<std::string> ids;
        for (const auto& row : nlohmann::json::parse(r.body))
            ids.push_back(row.at("tranId").dump());
        return ids;
    }

    static int used_weight(const HttpReply& r) {
        const std::string name = "X-MBX-USED-WEIGHT-1M: ";
        std::size_t at = r.headers.find(name);
        return at == std::string::npos ? -1 : std::atoi(r.headers.c_str() + at + name.size());
    }

    int opened_ = 0;
};

}  // namespace

TEST_F(FundingTest, APaymentIsReportedOnceAsCashWithItsSymbolAmountIdAndTime) {
    ExecutorInstance ex = holding(0.05);
    EXPECT_EQ(income_requests(), 1) << "the first poll reads the income history";
    advance(1000);
    const double wallet = fake.futures_wallet("USDT");
    fake.settle_funding("BTCUSDT", 0.0001);
    const int64_t booked = fake.server_time();
    EXPECT_NEAR(fake.futures_wallet("USDT"), wallet - 0.05 * 40000 * 0.0001, 1e-9)
        << "a long pays a positive rate";
    advance(1000);
    EXPECT_TRUE(cash(ex.poll()).empty()) << "no second request within the minute";
    EXPECT_EQ(income_requests(), 1);

    advance(kMinute);
    std::vector<Report> reports = cash(ex.poll());
    ASSERT_EQ(reports.size(), 1u);
    EXPECT_EQ(reports[0].symbol, "BTC/USDT");
    EXPECT_NEAR(reports[0].fee, 0.2, 1e-9) << "paid: a positive fee";
    EXPECT_EQ(reports[0].trade_id, tran_ids().at(0));
    EXPECT_EQ(reports[0].text, "funding");
    EXPECT_EQ(reports[0].time_ms, booked);
    EXPECT_TRUE(reports[0].client_order_id.empty());

    advance(kMinute);
    const int asked = income_requests();
    EXPECT_TRUE(cash(ex.poll()).empty()) << "read again within the overlap, not reported again";
    EXPECT_EQ(income_requests(), asked + 1);
}

TEST_F(FundingTest, OnlyPaymentsOfUniverseSymbolsAreReportedAndAShortReceivesAPositiveRate) {
    ExecutorInstance btc = holding(-0.05);
    // Another bot on the same account trades ETH.
    FakeHost other{OT_MODE_LIVE};
    other.set_http_handler(loopback_http());
    other.set_now_ms(host.now_ms());
    CreateOptions o;
    o.universe = {"ETH/USDT"};
    ExecutorInstance eth = lib.create_executor("binance", other, executor_params("usdm"), o);
    eth.start();
    eth.submit(market("eth-1", OT_SIDE_BUY, 1, "ETH/USDT"));
    eth.poll();

    advance(1000);
    fake.settle_funding("BTCUSDT", 0.0001);
    fake.settle_funding("ETHUSDT", 0.0001);
    advance(kMinute);
    std::vector<Report> reports = cash(btc.poll());
    ASSERT_EQ(reports.size(), 1u) << "ETH is not in this executor's universe";
    EXPECT_EQ(reports[0].symbol, "BTC/USDT");
    EXPECT_NEAR(reports[0].fee, -0.2, 1e-9) << "received: a negative fee";
    other.set_now_ms(host.now_ms());
    reports = cash(eth.poll());
    ASSERT_EQ(reports.size(), 1u);
    EXPECT_EQ(reports[0].symbol, "ETH/USDT");
    EXPECT_NEAR(reports[0].fee, 1 * 2000 * 0.0001, 1e-9);
}

TEST_F(FundingTest, ARestartReportsWhatWasBookedWhileDownFromTheSavedCursor) {
    {
        ExecutorInstance ex = holding(0.05);
        advance(1000);
        fake.settle_funding("BTCUSDT", 0.0001);
        advance(kMinute);
        ASSERT_EQ(cash(ex.poll()).size(), 1u);
    }
    advance(10 * kMinute);
    fake.settle_funding("BTCUSDT", -0.0002);  // while no executor runs
    advance(1000);
    {
        ExecutorInstance again = executor("usdm");
        std::vector<Report> reports = cash(again.poll());
        std::vector<std::string> ids = tran_ids();
        ASSERT_EQ(reports.size(), 2u)
            << "the one booked while down, and the first again: it is within the overlap";
        EXPECT_EQ(reports[0].trade_id, ids.at(0)) << "the same id: the host applies it once";
        EXPECT_EQ(reports[1].trade_id, ids.at(1));
        EXPECT_NEAR(reports[1].fee, -0.4, 1e-9) << "a long receives a negative rate";

        advance(120 * kMinute);
        fake.settle_funding("BTCUSDT", 0.0001);
        advance(kMinute);
        reports = cash(again.poll());
        ASSERT_EQ(reports.size(), 1u);
        EXPECT_EQ(reports[0].trade_id, tran_ids().at(2));
    }
    advance(1000);
    ExecutorInstance third = executor("usdm");
    std::vector<Report> reports = cash(third.poll());
    ASSERT_EQ(reports.size(), 1u)
        << "the saved cursor: only the last payment is within the overlap";
    EXPECT_EQ(reports[0].trade_id, tran_ids().at(2));
}

TEST_F(FundingTest, AFreshStateNeverReportsFundingBookedBeforeItsFirstStart) {
    {
        ExecutorInstance ex = holding(0.05);
        advance(1000);
        fake.settle_funding("BTCUSDT", 0.0001);
    }
    host.kv().clear();  // a new bot on an account that already holds a position
    advance(1000);
    ExecutorInstance fresh = executor("usdm");
    EXPECT_TRUE(cash(fresh.poll()).empty()) << "it is in the starting cash";
    EXPECT_EQ(income_requests(), 2);
    advance(1000);
    fake.settle_funding("BTCUSDT", 0.0001);
    advance(kMinute);
    std::vector<Report> reports = cash(fresh.poll());
    ASSERT_EQ(reports.size(), 1u);
    EXPECT_EQ(reports[0].trade_id, tran_ids().at(1));
}

TEST_F(FundingTest, AStateSavedBeforeFundingWasTrackedLoadsAndCountsFromTheUpgrade) {
    {
        ExecutorInstance ex = holding(0.05);
        advance(1000);
        fake.settle_funding("BTCUSDT", 0.0001);
    }
    host.kv()["state"] =
        R"({"orders":{},"protections":{},"baseline":{},"baseline_recorded":false})";
    advance(1000);
    ExecutorInstance upgraded = executor("usdm");
    EXPECT_TRUE(cash(upgraded.poll()).empty());
    advance(1000);
    fake.settle_funding("BTCUSDT", 0.0001);
    advance(kMinute);
    EXPECT_EQ(cash(upgraded.poll()).size(), 1u);
}

TEST_F(FundingTest, MoreThanAPageOfPaymentsIsReadPageByPage) {
    ExecutorInstance ex = holding(0.05);
    for (int i = 0; i < 1001; ++i) {
        advance(1);
        fake.settle_funding("BTCUSDT", 0.0001);
    }
    advance(kMinute);
    const int asked = income_requests();
    std::vector<Report> reports = cash(ex.poll());
    EXPECT_EQ(income_requests(), asked + 2);
    ASSERT_EQ(reports.size(), 1001u);
    std::set<std::string> ids;
    for (const Report& r : reports)
        ids.insert(r.trade_id);
    EXPECT_EQ(ids.size(), 1001u) << "each once, though the second page repeats the last time";
}

TEST_F(FundingTest, OnlyUsdmWithAHostOfAbi12AsksForFunding) {
    ExecutorInstance spot = executor("spot");
    spot.poll();
    host.set_abi_minor(1);
    ExecutorInstance ex = holding(0.05);
    for (int i = 0; i < 3; ++i) {
        advance(1000);
        fake.settle_funding("BTCUSDT", 0.0001);
        advance(kMinute);
        EXPECT_TRUE(cash(ex.poll()).empty()) << "a 1.1 host does not know OT_REPORT_CASH";
        spot.poll();
    }
    EXPECT_EQ(income_requests(), 0);
}

TEST_F(FundingTest, AFailedIncomeRequestFailsNeitherThePollNorTradingAndIsTriedAMinuteLater) {
    ExecutorInstance ex = holding(0.05);
    advance(1000);
    fake.settle_funding("BTCUSDT", 0.0001);
    advance(kMinute);
    bf::Fault f;
    f.kind = bf::FaultKind::ErrorBefore;
    f.method = "GET";
    f.path = "/fapi/v1/income";
    f.status = 503;
    f.body = "Service Unavailable.";
    fake.inject(f);
    ex.submit(market("add-1", OT_SIDE_BUY, 0.01));
    std::vector<Report> reports;
    ASSERT_NO_THROW(reports = ex.poll());
    EXPECT_DOUBLE_EQ(filled(reports, "add-1"), 0.01) << "the order's reports still come";
    EXPECT_TRUE(cash(reports).empty());
    EXPECT_EQ(income_requests(), 2);
    EXPECT_FALSE(host.logs_containing("funding payments not read now", OT_LOG_WARN).empty());

    advance(1000);
    EXPECT_TRUE(cash(ex.poll()).empty());
    EXPECT_EQ(income_requests(), 2) << "the next try waits a minute";
    advance(kMinute);
    reports = cash(ex.poll());
    ASSERT_EQ(reports.size(), 1u);
    EXPECT_NEAR(reports[0].fee, 0.2, 1e-9);
}

TEST_F(FundingTest, TheFakesIncomeEndpointIsSignedWeighsThirtyAndFiltersLikeBinance) {
    ExecutorInstance ex = holding(0.05);
    advance(1000);
    fake.settle_funding("BTCUSDT", 0.0001);
    const int64_t first = fake.server_time();
    advance(1000);
    fake.settle_funding("BTCUSDT", 0.0002);
    const std::string query = "incomeType=FUNDING_FEE&limit=1&" + now_param();

    HttpReply bad = get_income(query + "&signature=" + std::string(64, '0'));
    EXPECT_EQ(bad.status, 400);
    EXPECT_NE(bad.body.find("-1022"), std::string::npos) << bad.body;
    EXPECT_NE(get_income(query).body.find("'signature'"), std::string::npos);
    HttpReply stale = signed_income("incomeType=FUNDING_FEE&timestamp=" +
                                    std::to_string(fake.server_time() - 6000));
    EXPECT_NE(stale.body.find("-1021"), std::string::npos) << stale.body;
    EXPECT_NE(signed_income("limit=1001&" + now_param()).body.find("-1130"), std::string::npos);

    HttpReply latest = signed_income(query);
    ASSERT_EQ(latest.status, 200) << latest.body;
    nlohmann::json rows = nlohmann::json::parse(latest.body);
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0]["income"], "-0.40000000") << "without startTime: the most recent";
    EXPECT_EQ(rows[0]["symbol"], "BTCUSDT");
    EXPECT_EQ(rows[0]["asset"], "USDT");
    HttpReply again = signed_income(query);
    EXPECT_EQ(used_weight(again) - used_weight(latest), 30);

    rows = nlohmann::json::parse(
        signed_income("startTime=0&endTime=" + std::to_string(first) + "&" + now_param()).body);
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0]["income"], "-0.20000000");
    EXPECT_EQ(rows[0]["time"], first);
    rows = nlohmann::json::parse(signed_income("startTime=0&" + now_param()).body);
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_LT(rows[0]["tranId"].get<int64_t>(), rows[1]["tranId"].get<int64_t>());
    rows = nlohmann::json::parse(signed_income("symbol=ETHUSDT&" + now_param()).body);
    EXPECT_TRUE(rows.empty());
    rows = nlohmann::json::parse(signed_income("incomeType=COMMISSION&" + now_param()).body);
    EXPECT_TRUE(rows.empty());
}
