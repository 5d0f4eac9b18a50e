// The pipeline `orchestrade run` uses when no file is given: SMA-cross on the bundled sample
// candles through the mock executor, in backtest mode. Paths resolve against the data folder
// (ORCHESTRADE_DATA_DIR, the install's share/orchestrade, or the source tree).
#pragma once

namespace orchestrade::cli {

inline constexpr const char* kEmbeddedPipelineName = "<embedded default>";
inline constexpr const char* kEmbeddedJournal = "var/demo.db";  // relative to the working dir

inline constexpr const char* kEmbeddedPipeline = R"(version: 1
name: demo-sma-cross
mode: backtest
universe: [BTC/USDT]
feed:     { use: csv, params: { path: examples/data/btcusdt-1m.csv, timeframe: 1m } }
strategy: { use: sma_cross, params: { fast: 10, slow: 30 } }
risk:     { position_size_pct: 50 }
executor: { use: mock, params: { starting_cash: 10000, fee_bps: 10, slippage_bps: 2, fill: next_open } }
)";

}  // namespace orchestrade::cli
