// The real orchestrade binary trading live on the loopback fake: --live is required, secrets come
// from the environment and a 0600 file, and a run killed with SIGKILL again and again (with lost
// answers on the way) leaves the venue holding exactly the orders the journal says, none twice.
#include "../cli/process.hpp"
#include "venue_check.hpp"

#include <gtest/gtest.h>

#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

using namespace orchestrade;
using namespace orchestrade::testing;
namespace rh = orchestrade::testing::robinhood;
namespace fs = std::filesystem;

namespace {

constexpr const char* kOrders = "/api/v1/crypto/trading/orders/";

class RobinhoodCli : public ::testing::Test {
  protected:
    void SetUp() override {
        dir_ = fs::temp_directory_path() /
               ("orchestrade-rh-cli-" + std::to_string(::getpid()) + "-" +
                ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::remove_all(dir_);
        fs::create_directories(dir_);
        fake.set_quote("BTC-USD", 49990, 50010);
        std::ofstream csv(dir_ / "bars.csv");
        csv << "timestamp,open,high,low,close,volume\n";
        double prev = 50000;
        for (int i = 0; i < 5000; ++i) {
            double c = 50000 + 300 * std::sin(i / 2.0) + 100 * std::sin(i / 7.0);
            csv << 1704067200000LL + i * 60000LL << ',' << prev << ',' << std::max(prev, c) + 5
                << ',' << std::min(prev, c) - 5 << ',' << c << ",1\n";
            prev = c;
        }
        std::ofstream(dir_ / "private.key") << rh::kPrivateKey << "\n";
        fs::permissions(dir_ / "private.key", fs::perms::owner_read | fs::perms::owner_write);
        std::ofstream(dir_ / "live.yaml")
            << "version: 1\nname: rh-live\nmode: live\njournal: live.db\nuniverse: [BTC/USD]\n"
               "feed:     { use: csv, params: { path: bars.csv, timeframe: 1m } }\n"
               "strategy: { use: sma_cross, params: { fast: 2, slow: 4 } }\n"
               "risk:     { quantity: 0.01 }\n"
               "executor: { use: robinhood, params: { base_url: \""
            << fake.base_url() << "\", api_key: \"${ROBINHOOD_API_KEY}\", private_key: \"${file:"
            << (dir_ / "private.key").string() << "}\" } }\n";
    }
    // ORCHESTRADE_KEEP_FAILED=1 keeps a failed test's directory (journal, logs) for a look.
    void TearDown() override {
        if (HasFailure() && std::getenv("ORCHESTRADE_KEEP_FAILED"))
            std::cerr << "kept " << dir_ << "\n";
        else
            fs::remove_all(dir_);
    }

    Process start(const std::string& interval, std::vector<std::string> extra = {}) {
        const char* level = std::getenv("ORCHESTRADE_TEST_LOG_LEVEL");
        std::vector<std::string> args{ORCHESTRADE_CLI, "--log-level", level ? level : "warning",
                                      "run",           "live.yaml",   "--interval",
                                      interval};
        args.insert(args.end(), extra.begin(), extra.end());
        return Process(args, dir_.string(), {std::string("ROBINHOOD_API_KEY=") + rh::kApiKey});
    }

    std::size_t fills() const {
        try {
            if (!fs::exists(dir_ / "live.db")) return 0;
            core::Journal j((dir_ / "live.db").string(), core::Journal::Durability::Synchronous);
            return j.fills().size();
        } catch (const std::exception&) {
            return 0;  // the schema may not exist yet
        }
    }

    // A restart right after a kill may find a placement whose answer was lost and that the venue
    // could still accept for 30 s: that run says until when, and either refuses to start or
    // keeps the order (and its symbol) pending until then.
    static bool refused_for_window(const std::string& err) {
        return err.find("may still arrive until") != std::string::npos;
    }
    int refusals() const {
        int n = 0;
        for (const auto& e : fs::directory_iterator(dir_)) {
            if (e.path().filename().string().rfind(".stderr-", 0) != 0) continue;
            std::stringstream text;
            text << std::ifstream(e.path()).rdbuf();
            n += refused_for_window(text.str());
        }
        return n;
    }

    // Waits until the journal holds n fills (false after 30 s, or when a run refused to start).
    bool wait_for_fills(std::size_t n, int refusals_seen) const {
        for (int i = 0; i < 300; ++i) {
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
            if (fills() >= n) return true;
            if (refusals() > refusals_seen) return false;
        }
        return false;
    }

    ProcessResult run_to_end() {
        ProcessResult r = start("5ms", {"--live", "--max-iterations", "20"}).wait();
        // Whether it refused or ran its 20 iterations meanwhile, the order was still unresolved:
        // the journal can only agree with the venue after a run past the window.
        if (refused_for_window(r.err)) {
            std::this_thread::sleep_for(std::chrono::seconds(36));
            r = start("5ms", {"--live", "--max-iterations", "20"}).wait();
        }
        return r;
    }

    fs::path dir_;
    rh::FakeRobinhood fake;
};

}  // namespace

TEST_F(RobinhoodCli, ALivePipelineNeedsTheLiveFlag) {
    ProcessResult r = start("5ms", {"--once"}).wait();
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("--live"), std::string::npos) << r.err;
    EXPECT_TRUE(fake.requests().empty());
}

TEST_F(RobinhoodCli, TheExamplePipelinesValidate) {
    for (const char* name :
         {"robinhood-live.yaml", "robinhood-paper.yaml", "llm-day-robinhood-paper.yaml"}) {
        ProcessResult r =
            run_process({ORCHESTRADE_CLI, "validate",
                         std::string(ORCHESTRADE_SOURCE_DIR) + "/examples/pipelines/" + name},
                        dir_.string(),
                        {std::string("ROBINHOOD_API_KEY=") + rh::kApiKey,
                         std::string("ROBINHOOD_PRIVATE_KEY=") + rh::kPrivateKey});
        EXPECT_EQ(r.exit_code, 0) << name << ": " << r.err;
    }
}

TEST_F(RobinhoodCli, SigkillLosesNoFillAndSendsNoOrderTwice) {
    fake.add_fault({"POST", kOrders, rh::Fault::ServerErrorAfter, 1, -1, 0, true});
    fake.add_fault({"POST", kOrders, rh::Fault::DropAfter, 1, -1, 0, true});
    int refused = 0;
    for (int round = 0; round < 3;) {
        Process p = start("5ms", {"--live"});
        const bool got = wait_for_fills(3 + 4 * round, refused);
        p.signal(SIGKILL);
        ProcessResult r = p.wait();
        if (!got && refused_for_window(r.err)) {
            ++refused;
            std::this_thread::sleep_for(std::chrono::seconds(36));
            continue;
        }
        ASSERT_TRUE(got) << "round " << round << ": " << r.err;
        ++round;
    }
    ProcessResult last = run_to_end();
    ASSERT_EQ(last.exit_code, 0) << last.err;
    rh::expect_journal_matches_venue(fake, (dir_ / "live.db").string(), 100000);
    for (const std::string& output : {last.out, last.err}) {
        EXPECT_EQ(output.find(rh::kApiKey), std::string::npos);
        EXPECT_EQ(output.find(rh::kPrivateKey), std::string::npos);
    }
}
