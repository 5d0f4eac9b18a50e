// The binance plugin loaded through its C ABI against a FakeHost whose HTTP reaches the loopback
// fake exchange; host and fake share one clock that the test moves.
#pragma once

#include "fake_binance.hpp"
#include "loopback_http.hpp"

#include <orchestrade/sdk.hpp>
#include <orchestrade/testing/fake_host.hpp>
#include <orchestrade/testing/plugin_library.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

namespace orchestrade::testing {

namespace bf = binance_fake;

inline constexpr int64_t kT0 = 1704067200000;  // 2024-01-01 00:00:00 UTC
inline const std::string kKey = "test-api-key-0123456789";
inline const std::string kSecret = "test-api-secret-abcdefghijklmnop";

class BinanceTest : public ::testing::Test {
  protected:
    BinanceTest() : fake([this] { return host.now_ms(); }) {
        host.set_now_ms(kT0 + 500);
        host.set_http_handler(loopback_http());
        fake.add_hmac_key(kKey, kSecret);
        bf::SymbolSpec btc;
        btc.symbol = "BTCUSDT";
        btc.base = "BTC";
        btc.quote = "USDT";
        btc.base_price = 40000;
        btc.amplitude = 0;  // a flat price unless a test moves it
        fake.add_symbol(btc);
        bf::SymbolSpec eth;
        eth.symbol = "ETHUSDT";
        eth.base = "ETH";
        eth.quote = "USDT";
        eth.tick = "0.01";
        eth.step = "0.001";
        eth.min_qty = "0.001";
        eth.base_price = 2000;
        eth.amplitude = 0;
        fake.add_symbol(eth);
        fake.set_spot_balance("USDT", 10000);
        fake.set_futures_wallet("USDT", 10000);
    }

    void advance(int64_t ms) { host.set_now_ms(host.now_ms() + ms); }

    ParamMap executor_params(const std::string& market = "spot", ParamMap extra = {}) const {
        ParamMap p{{"market", market},
                   {"base_url", fake.url()},
                   {"api_key", kKey},
                   {"api_secret", kSecret},
                   {"timeout_ms", "2000"}};
        for (auto& [k, v] : extra)
            p[k] = v;
        return p;
    }

    ExecutorInstance executor(const std::string& market = "spot", ParamMap extra = {},
                              std::vector<std::string> universe = {"BTC/USDT"}) {
        CreateOptions o;
        o.universe = std::move(universe);
        ExecutorInstance ex =
            lib.create_executor("binance", host, executor_params(market, extra), o);
        ex.start();
        return ex;
    }

    // The core's view of a position, which the executor reads through the host.
    void ledger_position(const std::string& symbol, double qty, double mark) {
        ot_position p{};
        p.struct_size = sizeof p;
        p.qty = qty;
        p.mark_price = mark;
        host.set_position(symbol, p);
    }

    static Order market(const std::string& id, int32_t side, double qty,
                        const std::string& symbol = "BTC/USDT") {
        Order o;
        o.client_order_id = id;
        o.symbol = symbol;
        o.side = side;
        o.type = OT_ORDER_MARKET;
        o.qty = qty;
        return o;
    }

    // A market buy with its stop-loss and take-profit.
    static Order protected_buy(const std::string& id, double qty, double sl, double tp,
                               const std::string& symbol = "BTC/USDT") {
        Order o = market(id, OT_SIDE_BUY, qty, symbol);
        o.stop_loss = sl;
        o.take_profit = tp;
        return o;
    }

    // The status and message of a call that must fail.
    template <class F>
    static std::pair<ot_status, std::string> failure(F&& f) {
        try {
            f();
        } catch (const PluginError& e) {
            return {e.code(), e.what()};
        }
        return {OT_OK, "it succeeded"};
    }

    static std::vector<Report> of_kind(const std::vector<Report>& reports, int32_t kind) {
        std::vector<Report> out;
        std::copy_if(reports.begin(), reports.end(), std::back_inserter(out),
                     [&](const Report& r) { return r.kind == kind; });
        return out;
    }

    // The price jumps to `price` as the next POST to `path` (a leg placement) arrives.
    void gap_on(const std::string& path, double price, const std::string& symbol = "BTCUSDT") {
        bf::Fault gap;
        gap.kind = bf::FaultKind::PriceJump;
        gap.method = "POST";
        gap.path = path;
        gap.symbol = symbol;
        gap.price = price;
        fake.inject(gap);
    }

    // The first POST whose body holds `needle` is lost in transit: kept in `held` (a test
    // lands it later through `http`), answered with a timeout.
    void lose_in_transit(const std::string& needle, const HttpHandler& http, HttpRequest& held) {
        host.set_http_handler([&, needle](const HttpRequest& r) {
            if (held.body.empty() && r.method == "POST" &&
                r.body.find(needle) != std::string::npos) {
                held = r;
                throw orchestrade::sdk::Error(OT_E_IO, "http POST failed: timeout");
            }
            return http(r);
        });
    }

    static double filled(const std::vector<Report>& reports, const std::string& id) {
        double sum = 0;
        for (const Report& r : reports)
            if (r.kind == OT_REPORT_FILL && r.client_order_id == id) sum += r.qty;
        return sum;
    }

    FakeHost host{OT_MODE_LIVE};
    bf::FakeBinance fake;
    PluginLibrary lib{ORCHESTRADE_PLUGIN_FILE};
};

}  // namespace orchestrade::testing
