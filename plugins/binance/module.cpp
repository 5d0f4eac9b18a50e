// The binance plugin library: one feed and one executor.
#include "binance_executor.hpp"
#include "binance_feed.hpp"

OT_PLUGIN_MODULE(OT_FEED(orchestrade::plugins::binance::BinanceFeed),
                 OT_EXECUTOR(orchestrade::plugins::binance::BinanceExecutor))
