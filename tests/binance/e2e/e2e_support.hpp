// End-to-end support: a fake exchange on the wall clock, pipelines that point the binance
// plugin at it (secrets from 0600 files), and the check that matters after every fault: the
// exchange holds exactly the orders the journal says, none twice, and the journal's positions
// and cash (fills and funding) are the exchange's.
#pragma once

#include "fake_binance.hpp"

#include <orchestrade/core/journal.hpp>
#include <orchestrade/core/ledger.hpp>

#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace orchestrade::testing {

namespace bf = binance_fake;

inline const std::string kApiKey = "e2e-key-7f3a9c";
inline const std::string kApiSecret = "e2e-secret-52d1e8b0c4";

class E2eDir {
  public:
    E2eDir() {
        path_ = std::filesystem::temp_directory_path() /
                ("orchestrade-binance-" + std::to_string(::getpid()) + "-" +
                 ::testing::UnitTest::GetInstance()->current_test_info()->name());
        std::filesystem::remove_all(path_);
        std::filesystem::create_directories(path_);
        secret("api_key", kApiKey);
        secret("api_secret", kApiSecret);
    }
    ~E2eDir() { std::filesystem::remove_all(path_); }
    const std::filesystem::path& path() const { return path_; }
    std::string journal() const { return (path_ / "journal.db").string(); }
    void write(const std::string& name, const std::string& text) const {
        std::ofstream(path_ / name) << text;
    }

  private:
    void secret(const std::string& name, const std::string& value) const {
        write(name, value);
        ::chmod((path_ / name).c_str(), 0600);
    }
    std::filesystem::path path_;
};

// A fake with BTC/USDT and ETH/USDT whose prices swing with an 8-second period, so a fast/slow
// SMA pair on 1-second bars crosses every few seconds.
inline void list_symbols(bf::FakeBinance& fake) {
    fake.add_hmac_key(kApiKey, kApiSecret);
    bf::SymbolSpec btc;
    btc.symbol = "BTCUSDT";
    btc.base = "BTC";
    btc.quote = "USDT";
    btc.base_price = 40000;
    btc.amplitude = 0.004;
    fake.add_symbol(btc);
    bf::SymbolSpec eth = btc;
    eth.symbol = "ETHUSDT";
    eth.base = "ETH";
    eth.step = "0.001";
    eth.min_qty = "0.001";
    eth.base_price = 2000;
    eth.period_s = 6;
    fake.add_symbol(eth);
    fake.set_spot_balance("USDT", 10000);
    fake.set_futures_wallet("USDT", 10000);
}

inline std::string executor_block(const bf::FakeBinance& fake, const std::string& dir,
                                  const std::string& market, const std::string& extra = "") {
    return "{ use: binance, params: { market: " + market + ", base_url: \"" + fake.url() +
           "\", api_key: \"${file:" + dir + "/api_key}\", api_secret: \"${file:" + dir +
           "/api_secret}\", timeout_ms: 1500" + (extra.empty() ? "" : ", " + extra) + " } }";
}

inline std::string feed_block(const bf::FakeBinance& fake, const std::string& market) {
    return "{ use: binance_feed, params: { market: " + market + ", base_url: \"" + fake.url() +
           "\", timeframes: 1s } }";
}

inline std::string pipeline(const std::string& mode, const std::string& universe,
                            const std::string& feed, const std::string& strategy,
                            const std::string& risk, const std::string& executor) {
    return "version: 1\nname: binance-e2e\nmode: " + mode +
           "\njournal: journal.db\nuniverse: " + universe + "\nfeed: " + feed +
           "\nstrategy: " + strategy + "\nrisk: " + risk + "\nexecutor: " + executor + "\n";
}

inline bool is_core_id(const std::string& id) {
    return id.rfind("ot-", 0) == 0;
}

inline bool is_leg_id(const std::string& id) {
    return id.size() > 3 &&
           (id.compare(id.size() - 3, 3, "-sl") == 0 || id.compare(id.size() - 3, 3, "-tp") == 0);
}

// The core's id of an order at the exchange: a leg placed there again under "<entry>-s<n>" or
// "<entry>-t<n>" is the core's "<entry>-sl" or "<entry>-tp".
inline std::string core_id(const std::string& id) {
    const std::size_t dash = id.rfind('-');
    if (dash == std::string::npos || dash + 2 >= id.size() ||
        (id[dash + 1] != 's' && id[dash + 1] != 't'))
        return id;
    for (std::size_t i = dash + 2; i < id.size(); ++i)
        if (!std::isdigit(static_cast<unsigned char>(id[i]))) return id;
    return id.substr(0, dash) + (id[dash + 1] == 's' ? "-sl" : "-tp");
}

// The check after every fault. futures: positions are the exchange's positions and cash is the
// wallet less what the positions cost; spot: positions are base balances and cash is USDT.
inline void expect_journal_matches_exchange(const std::string& journal_path,
                                            const bf::FakeBinance& fake, bool futures,
                                            const std::vector<std::string>& symbols) {
    core::Journal j(journal_path, core::Journal::Durability::Synchronous);
    for (const auto& [id, n] : fake.submissions())
        EXPECT_EQ(n, 1) << id << " was placed " << n << " times";

    std::set<std::string> at_exchange;  // entries, exits and their stop-loss/take-profit legs
    for (const auto& o : fake.orders())
        if (is_core_id(o.client_id)) at_exchange.insert(core_id(o.client_id));
    std::set<std::string> in_journal;
    for (const auto& o : j.orders()) {
        in_journal.insert(o.client_order_id);
        if (o.state == core::OrderState::Rejected)
            EXPECT_FALSE(at_exchange.count(o.client_order_id))
                << o.client_order_id << " is rejected in the journal but at the exchange";
        else
            EXPECT_TRUE(at_exchange.count(o.client_order_id))
                << o.client_order_id << " (" << core::to_string(o.state)
                << ") is not at the exchange";
        EXPECT_NE(o.state, core::OrderState::Unknown) << o.client_order_id << " was never resolved";
    }
    for (const auto& id : at_exchange)
        EXPECT_TRUE(in_journal.count(id)) << id << " is at the exchange only";

    auto first = j.first_run();
    ASSERT_TRUE(first);
    core::Ledger ledger(first->starting_cash);
    for (const auto& f : j.fills())
        ledger.apply_fill(f);
    for (const auto& c : j.cash_flows())  // funding
        ledger.apply_cash_flow(c.amount);
    double entry_value = 0;
    for (const std::string& s : symbols) {
        const std::string venue = s.substr(0, s.find('/')) + s.substr(s.find('/') + 1);
        double venue_qty = futures ? fake.futures_position(venue).amount
                                   : fake.spot_balance(s.substr(0, s.find('/')));
        if (futures) entry_value += venue_qty * fake.futures_position(venue).entry_price;
        EXPECT_NEAR(ledger.position(s).qty, venue_qty, 1e-9) << s;
    }
    double venue_cash =
        futures ? fake.futures_wallet("USDT") - entry_value : fake.spot_balance("USDT");
    EXPECT_NEAR(ledger.cash(), venue_cash, 1e-6);
}

}  // namespace orchestrade::testing
