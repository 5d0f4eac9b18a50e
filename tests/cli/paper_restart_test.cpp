// A paper run stopped by SIGTERM, or killed by SIGKILL, resumes from its journal: no fill lost,
// no order sent twice, and the position is the one the journal says.
#include "process.hpp"

#include <orchestrade/core/journal.hpp>
#include <orchestrade/core/ledger.hpp>

#include <nlohmann/json.hpp>

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <set>

using namespace orchestrade;
using namespace orchestrade::testing;
namespace fs = std::filesystem;

namespace {

constexpr const char* kMockScope = "paper/executor:org.orchestrade.mock";

class PaperRestart : public ::testing::Test {
  protected:
    void SetUp() override {
        dir_ = fs::temp_directory_path() /
               ("orchestrade-paper-" + std::to_string(::getpid()) + "-" +
                ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::remove_all(dir_);
        fs::create_directories(dir_);
        // A wavy series with frequent SMA 2/4 crossovers, replayed one bar per iteration.
        std::ofstream csv(dir_ / "bars.csv");
        csv << "timestamp,open,high,low,close,volume\n";
        double prev = 100;
        for (int i = 0; i < 5000; ++i) {
            double c = 100 + 3 * std::sin(i / 2.0) + std::sin(i / 7.0);
            csv << 1704067200000LL + i * 60000LL << ',' << prev << ',' << std::max(prev, c) + 0.5
                << ',' << std::min(prev, c) - 0.5 << ',' << c << ",1\n";
            prev = c;
        }
        std::ofstream(dir_ / "paper.yaml") << R"(version: 1
name: paper-restart
mode: paper
journal: paper.db
universe: [BTC/USDT]
feed:     { use: csv, params: { path: bars.csv, timeframe: 1m } }
strategy: { use: sma_cross, params: { fast: 2, slow: 4 } }
risk:     { quantity: 1 }
executor: { use: mock, params: { starting_cash: 100000, fee_bps: 10, slippage_bps: 1 } }
)";
    }
    void TearDown() override { fs::remove_all(dir_); }

    Process start(const std::string& interval, std::vector<std::string> extra = {}) {
        std::vector<std::string> args{ORCHESTRADE_CLI, "--log-level", "warning", "run",
                                      "paper.yaml",    "--interval",  interval};
        args.insert(args.end(), extra.begin(), extra.end());
        return Process(args, dir_.string());
    }

    core::Journal journal() const {
        return core::Journal((dir_ / "paper.db").string(), core::Journal::Durability::Synchronous);
    }

    // Waits until the journal holds at least n fills (or 20 s pass).
    bool wait_for_fills(std::size_t n) const {
        for (int i = 0; i < 200; ++i) {
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
            if (!fs::exists(dir_ / "paper.db")) continue;
            try {
                if (journal().fills().size() >= n) return true;
            } catch (const std::exception&) {
                // the schema may not exist yet
            }
        }
        return false;
    }

    // The venue's view (the mock's persisted state) against the journal's.
    void expect_journal_matches_venue() const {
        auto j = journal();
        auto state_text = j.kv_get(kMockScope, "state");
        ASSERT_TRUE(state_text) << "the mock keeps its state in the journal's kv table";
        auto state = nlohmann::json::parse(*state_text);
        EXPECT_EQ(state.at("duplicate_submits").get<int>(), 0) << "an order was sent twice";

        auto fills = j.fills();
        std::set<std::string> journaled_trades;
        for (const auto& f : fills)
            journaled_trades.insert(f.trade_id);
        // The venue keeps its open orders and those it finished lately (it forgets the others
        // once the journal has them): each of their fills must be journaled.
        std::set<std::string> venue_ids;
        for (const auto& o : state.at("orders")) {
            EXPECT_TRUE(venue_ids.insert(o.at("client_order_id").get<std::string>()).second);
            for (const auto& f : o.at("fills"))
                EXPECT_TRUE(journaled_trades.count(f.at("trade_id").get<std::string>()))
                    << "a fill was lost: " << f.at("trade_id");
        }
        for (const auto& o : j.orders()) {
            if (!core::is_final(o.state)) {
                EXPECT_TRUE(venue_ids.count(o.client_order_id)) << o.client_order_id;
            }
        }

        core::Ledger ledger(100000);
        for (const auto& f : fills)
            ledger.apply_fill(f);
        double venue_qty = 0;
        for (const auto& [symbol, pos] : state.at("positions").items())
            if (symbol == "BTC/USDT") venue_qty = pos.at("qty").get<double>();
        // Every fill, the forgotten orders' too, is in the venue's position and cash.
        EXPECT_NEAR(ledger.position("BTC/USDT").qty, venue_qty, 1e-9)
            << "a fill was lost or invented";
        EXPECT_NEAR(ledger.cash(), state.at("cash").get<double>(), 1e-6)
            << "a fill was lost or invented";
    }

    fs::path dir_;
};

}  // namespace

TEST_F(PaperRestart, SigtermFinishesTheIterationAndTheNextRunResumes) {
    auto p = start("50ms");
    ASSERT_TRUE(wait_for_fills(2));
    p.signal(SIGTERM);
    auto first = p.wait();
    ASSERT_EQ(first.exit_code, 0) << first.err;
    EXPECT_NE(first.out.find("stopped"), std::string::npos) << first.out;
    const auto runs = journal().runs();
    ASSERT_EQ(runs.size(), 1u);
    EXPECT_EQ(runs[0].status, "stopped");
    int64_t last_bar_before = 0;
    for (const auto& s : journal().signals())
        last_bar_before = std::max(last_bar_before, s.time_ms);

    auto second = start("10ms", {"--max-iterations", "5"}).wait();
    ASSERT_EQ(second.exit_code, 0) << second.err;
    EXPECT_NE(second.out.find("resumed"), std::string::npos) << second.out;
    auto j = journal();
    ASSERT_EQ(j.runs().size(), 2u);
    for (const auto& s : j.signals(j.runs()[1].id))
        EXPECT_GT(s.time_ms, last_bar_before) << "the replay continued after the last bar seen";
    expect_journal_matches_venue();
}

TEST_F(PaperRestart, SigkillLosesNoFillAndSendsNoOrderTwice) {
    for (int round = 0; round < 3; ++round) {
        auto p = start("5ms");
        ASSERT_TRUE(wait_for_fills(3 + 4 * round));
        p.signal(SIGKILL);
        p.wait();
    }
    auto resumed = start("5ms", {"--max-iterations", "20"}).wait();
    ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
    expect_journal_matches_venue();
}
