// `orchestrade fetch-data`: downloads closed candles through a feed plugin's history (binance
// by default) into the csv feed's format, appending to an existing file where it stopped.
#include "candle_file.hpp"
#include "cli.hpp"
#include "setup.hpp"
#include "summary.hpp"

#include <orchestrade/candles/utc_time.hpp>
#include <orchestrade/core/clock.hpp>
#include <orchestrade/core/host_services.hpp>
#include <orchestrade/core/logging.hpp>
#include <orchestrade/core/pipeline.hpp>
#include <orchestrade/core/plugin_instance.hpp>

#include <unistd.h>
#include <atomic>
#include <csignal>
#include <iostream>
#include <map>
#include <optional>
#include <vector>

namespace po = boost::program_options;

namespace orchestrade::cli {
namespace {

constexpr uint32_t kPage = 1000;  // bars per history call

std::atomic<bool> g_stop{false};

// First signal: stop after the page being downloaded and keep what was written. Second: leave
// now (the file is as it was; the temporary one stays behind).
extern "C" void on_fetch_stop_signal(int) {
    if (g_stop.exchange(true)) _exit(130);
}

struct Row {
    int64_t open_time;
    double open, high, low, close, volume;
};

// Collects what the feed pushes.
class Rows {
  public:
    Rows() : sink_{this, &Rows::push_bar, &Rows::push_series, nullptr} {}  // bar by bar
    const ot_feed_sink& sink() const { return sink_; }
    std::vector<Row> take() { return std::exchange(rows_, {}); }

  private:
    static ot_status OT_CALL push_bar(void* ctx, const ot_bar* b) {
        static_cast<Rows*>(ctx)->rows_.push_back(
            {b->open_time_ms, b->open, b->high, b->low, b->close, b->volume});
        return OT_OK;
    }
    static ot_status OT_CALL push_series(void*, const ot_series_point*) { return OT_OK; }
    ot_feed_sink sink_;
    std::vector<Row> rows_;
};

core::ComponentConfig feed_config(const core::PluginRegistry& registry, const std::string& feed,
                                  const std::map<std::string, std::string>& values) {
    core::ComponentConfig c;
    c.use = feed;
    c.plugin = registry.find(feed, OT_KIND_FEED);
    if (!c.plugin)
        throw std::invalid_argument("no feed plugin '" + feed +
                                    "' (found: " + registry.known_names(OT_KIND_FEED) + ")");
    for (const core::ParamSpec& spec : c.plugin->params) {
        auto v = values.find(spec.key);
        if (v == values.end() && !spec.has_default) continue;
        try {
            c.params.push_back(
                core::param_from_text(spec, v != values.end() ? v->second : spec.default_text));
        } catch (const std::invalid_argument& e) {
            throw std::invalid_argument(feed + "." + spec.key + ": " + e.what());
        }
    }
    return c;
}

}  // namespace

int command_fetch_data(const GlobalOptions& g, const std::vector<std::string>& args) {
    std::string symbol, timeframe, from, to, out, market, base_url, feed;
    po::options_description opts("Options");
    opts.add_options()("symbol", po::value(&symbol)->required(), "symbol, e.g. BTC/USDT")(
        "timeframe", po::value(&timeframe)->default_value("1m"),
        "bar interval: 1m, 1h, 4h, 1d, ...")(
        "from", po::value(&from),
        "first bar (YYYY-MM-DD[THH:MM], UTC, or Unix ms); required "
        "unless --out already has bars")("to", po::value(&to),
                                         "stop before this time (default: now)")(
        "out", po::value(&out)->required(), "CSV file to write or extend")(
        "market", po::value(&market)->default_value("spot"), "spot or usdm")(
        "base-url", po::value(&base_url), "REST base URL (default: production)")(
        "feed", po::value(&feed)->default_value("binance_feed"),
        "feed plugin whose history is downloaded");
    po::variables_map vm;
    try {
        if (!parse_command(
                "Usage: orchestrade fetch-data --symbol S --out FILE [--from DATE] [--to DATE] "
                "[--timeframe TF] [options]",
                opts, {}, args, vm))
            return kExitOk;
    } catch (const po::error& e) {
        std::cerr << "orchestrade fetch-data: " << e.what() << "\n";
        return kExitBadInput;
    }
    if (!setup_logging(g)) return kExitBadInput;
    core::WallClock clock;
    int64_t start = 0, end = clock.now_ms();
    int64_t interval_ms = 0;
    std::unique_ptr<core::PluginRegistry> registry = load_registry(g);
    core::ComponentConfig config;
    std::optional<CandleFile> file;
    // Every option is checked before the file is written and before any download.
    try {
        interval_ms = core::parse_duration_ms(timeframe);
        const bool has_from = !from.empty();
        const int64_t from_ms = has_from ? candles::parse_utc_time("--from", from) : 0;
        if (!to.empty()) {
            const int64_t to_ms = candles::parse_utc_time("--to", to);
            if (has_from && from_ms >= to_ms)
                throw std::invalid_argument("--from " + from + " is not before --to " + to);
            end = std::min(end, to_ms);
        }
        std::map<std::string, std::string> values{{"market", market}, {"timeframes", timeframe}};
        if (!base_url.empty()) values["base_url"] = base_url;
        config = feed_config(*registry, feed, values);
        file.emplace(out, CandleFileLabel{symbol, timeframe}, interval_ms);
        if (file->last_open_time())
            start = *file->last_open_time() + interval_ms;
        else if (!has_from)
            throw std::invalid_argument("--from is required for a new file");
        else
            start = from_ms;
    } catch (const std::invalid_argument& e) {
        std::cerr << "orchestrade fetch-data: " << e.what() << "\n";
        return kExitBadInput;
    }

    core::HostServices services;
    services.mode = core::Mode::Paper;
    services.clock = &clock;
    int64_t written = 0;
    bool progress_shown = false;
    try {
        core::FeedInstance instance(config, services, "feed",
                                    core::CreateArgs{core::Mode::Paper, {symbol}, "."});
        instance.start();
        file->open();
        std::signal(SIGINT, on_fetch_stop_signal);
        std::signal(SIGTERM, on_fetch_stop_signal);
        if (file->last_open_time())
            std::cerr << "resuming " << out << " after " << format_time(*file->last_open_time())
                      << " UTC\n";
        Rows rows;
        const int32_t interval_s = static_cast<int32_t>(interval_ms / 1000);
        for (int64_t from_ms = start; from_ms < end;) {
            const int64_t before = std::min(from_ms + int64_t{kPage} * interval_ms, end);
            instance.history(symbol, interval_s, before, kPage, rows.sink());
            int64_t last = -1;
            for (const Row& r : rows.take()) {
                if (r.open_time < from_ms || r.open_time >= before) continue;
                file->append(r.open_time, r.open, r.high, r.low, r.close, r.volume);
                last = r.open_time;
                ++written;
            }
            file->flush();
            if ((last < 0 && before >= end) || g_stop) break;
            from_ms = last >= 0 ? last + interval_ms : before;
            std::cerr << "\r" << written << " bars, up to " << format_time(from_ms) << " UTC"
                      << std::flush;
            progress_shown = true;
        }
        if (progress_shown) std::cerr << "\n";
        file->commit();
        if (g_stop) std::cerr << "stopped; run the same command again to resume\n";
        std::cout << "wrote " << written << " " << timeframe << " bars of " << symbol << " to "
                  << out << "\n";
        return kExitOk;
    } catch (const std::exception& e) {
        std::cerr << (progress_shown ? "\n" : "") << "orchestrade fetch-data: " << e.what() << "\n";
        // Whole pages already downloaded are kept: running the command again resumes after them.
        if (written > 0) {
            try {
                file->commit();
                std::cerr << "orchestrade fetch-data: kept the " << written << " bars written to "
                          << out << "; run the same command again to resume\n";
            } catch (const std::exception& e2) {
                std::cerr << "orchestrade fetch-data: " << e2.what() << "\n";
            }
        }
        const auto* call = dynamic_cast<const core::PluginCallError*>(&e);
        return call && call->status() == OT_E_INVALID_ARG ? kExitBadInput : kExitRuntime;
    }
}

}  // namespace orchestrade::cli
