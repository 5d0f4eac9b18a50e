// The bare strategy call: one bar through sma_cross's on_bars via the C ABI, the way the engine
// calls it (host-side batch view, signal sink), with no feed, risk, ledger or journal around it.
#include <orchestrade/core/clock.hpp>
#include <orchestrade/core/host_services.hpp>
#include <orchestrade/core/pipeline.hpp>
#include <orchestrade/core/plugin_instance.hpp>

#include <benchmark/benchmark.h>

#include <cmath>

using namespace orchestrade::core;

namespace {

constexpr const char* kPipeline = R"(version: 1
name: bench
mode: backtest
universe: [BTC/USDT]
feed: { use: synthetic }
strategy: { use: sma_cross, params: { fast: 10, slow: 30 } }
executor: { use: mock }
)";

ot_status OT_CALL count_signal(void* ctx, const ot_signal*) {
    ++*static_cast<int64_t*>(ctx);
    return OT_OK;
}

void BM_SmaCrossOnBars(benchmark::State& state) {
    PluginRegistry registry;
    registry.scan({ORCHESTRADE_BENCH_PLUGIN_DIR});
    Pipeline p = parse_pipeline(kPipeline, "bench", ".", registry);
    WallClock clock;
    HostServices services;
    services.clock = &clock;
    StrategyInstance strategy(p.strategy, services, "strategy",
                              CreateArgs{Mode::Backtest, p.universe, "."});

    const char* symbols[] = {"BTC/USDT"};
    uint32_t symbol = 0;
    int32_t interval = 60;
    int64_t open_time = 0;
    double open = 100, high = 101, low = 99, close = 100, volume = 1;
    ot_bar_batch b{};
    b.struct_size = sizeof b;
    b.count = 1;
    b.symbols = symbols;
    b.symbol_count = 1;
    b.symbol = &symbol;
    b.interval_s = &interval;
    b.open_time_ms = &open_time;
    b.open = &open;
    b.high = &high;
    b.low = &low;
    b.close = &close;
    b.volume = &volume;
    int64_t signals = 0;
    ot_signal_sink sink{&signals, &count_signal};
    int64_t i = 0;
    for (auto _ : state) {
        close = 100 + 5 * std::sin(static_cast<double>(i) / 20.0);
        open_time = i++ * 60000;
        strategy.on_bars(b, sink);
    }
    state.SetItemsProcessed(state.iterations());
    state.counters["signals"] = static_cast<double>(signals);
}
BENCHMARK(BM_SmaCrossOnBars);

}  // namespace

BENCHMARK_MAIN();
