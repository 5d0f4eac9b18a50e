// `orchestrade report`: a run's trades, orders, fills, signal count and metrics, read back from
// the journal.
#pragma once

#include <orchestrade/core/journal.hpp>
#include <orchestrade/core/performance.hpp>

#include <string>
#include <vector>

namespace orchestrade::core {

struct RunReport {
    RunRecord run;
    Metrics metrics;
    std::vector<Trade> trades;
    std::vector<OrderRecord> orders;
    std::vector<FillRecord> fills;
    int64_t signal_count = 0;
};

// run_id 0 = the last run. Throws std::runtime_error when the journal has no such run.
RunReport build_report(const Journal& journal, int64_t run_id = 0);
// {"run":{...},"metrics":{...},"trades":[...],"orders":[...],"fills":[...],"signals":N}
std::string report_to_json(const RunReport& r);
std::string report_to_text(const RunReport& r);

}  // namespace orchestrade::core
