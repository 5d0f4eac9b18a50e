// The robinhood plugin library: the executor and the quote feed.
#include "executor.hpp"
#include "quote_feed.hpp"

OT_PLUGIN_MODULE(OT_EXECUTOR(orchestrade::plugins::robinhood::RobinhoodExecutor),
                 OT_FEED(orchestrade::plugins::robinhood::RobinhoodQuoteFeed))
