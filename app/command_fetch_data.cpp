// `orchestrade fetch-data`: downloads closed candles through a feed plugin's history (binance
// by default) into the csv feed's format, appending to an existing file where it stopped.
#include "cli.hpp"
#include "setup.hpp"
#include "summary.hpp"

#include <orchestrade/core/clock.hpp>
#include <orchestrade/core/host_services.hpp>
#include <orchestrade/core/logging.hpp>
#include <orchestrade/core/pipeline.hpp>
#include <orchestrade/core/plugin_instance.hpp>

#include <charconv>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <vector>

namespace po = boost::program_options;
namespace fs = std::filesystem;

namespace orchestrade::cli {
namespace {

constexpr uint32_t kPage = 1000;  // bars per history call

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

// Days since 1970-01-01 of a date in the proleptic Gregorian calendar.
int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

// "2024-01-31", "2024-01-31T12:00", "2024-01-31 12:00:30" (UTC) or Unix milliseconds.
int64_t parse_time(const std::string& text) {
    int64_t ms = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), ms);
    if (ec == std::errc() && end == text.data() + text.size()) return ms;
    int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
    char sep = 0;
    int n = std::sscanf(text.c_str(), "%4d-%2d-%2d%c%2d:%2d:%2d", &y, &mo, &d, &sep, &h, &mi, &s);
    if (n != 3 && n < 6)
        throw std::invalid_argument("'" + text +
                                    "' is not a date (YYYY-MM-DD[THH:MM[:SS]], UTC) or Unix ms");
    return (days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d)) * 86400 +
            h * 3600 + mi * 60 + s) *
           1000;
}

// The open time of the last complete line of an existing file; drops a torn last line.
std::optional<int64_t> resume_point(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return std::nullopt;
    std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    in.close();
    std::size_t complete = text.rfind('\n');
    if (complete == std::string::npos)
        complete = 0;
    else
        ++complete;
    if (complete != text.size()) fs::resize_file(path, complete);  // a line cut by a crash
    std::size_t begin = text.rfind('\n', complete >= 2 ? complete - 2 : 0);
    begin = begin == std::string::npos || complete < 2 ? 0 : begin + 1;
    std::string last = text.substr(begin, complete - begin);
    int64_t t = 0;
    auto [end, ec] = std::from_chars(last.data(), last.data() + last.size(), t);
    if (ec != std::errc() || end == last.data() || *end != ',') return std::nullopt;
    return t;
}

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

std::string csv_number(double v) {
    char buf[32];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
    return std::string(buf, ec == std::errc() ? end : buf);
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
        if (!parse_command("Usage: orchestrade fetch-data --symbol S --timeframe TF --from DATE "
                           "--out FILE [options]",
                           opts, {}, args, vm))
            return kExitOk;
    } catch (const po::error& e) {
        std::cerr << "orchestrade fetch-data: " << e.what() << "\n";
        return kExitBadInput;
    }
    if (!setup_logging(g)) return kExitBadInput;
    core::WallClock clock;
    int64_t start = 0, end = clock.now_ms();
    std::optional<int64_t> resume;
    int64_t interval_ms = 0;
    std::unique_ptr<core::PluginRegistry> registry = load_registry(g);
    core::ComponentConfig config;
    try {
        interval_ms = core::parse_duration_ms(timeframe);
        if (!to.empty()) {
            const int64_t to_ms = parse_time(to);
            // Checked before the file is read, changed or written and before any download.
            if (!from.empty() && parse_time(from) >= to_ms)
                throw std::invalid_argument("--from " + from + " is not before --to " + to);
            end = std::min(end, to_ms);
        }
        resume = resume_point(out);
        if (resume)
            start = *resume + interval_ms;
        else if (from.empty())
            throw std::invalid_argument("--from is required for a new file");
        else
            start = parse_time(from);
        std::map<std::string, std::string> values{{"market", market}, {"timeframes", timeframe}};
        if (!base_url.empty()) values["base_url"] = base_url;
        config = feed_config(*registry, feed, values);
    } catch (const std::exception& e) {
        std::cerr << "orchestrade fetch-data: " << e.what() << "\n";
        return kExitBadInput;
    }

    core::HostServices services;
    services.mode = core::Mode::Paper;
    services.clock = &clock;
    try {
        core::FeedInstance instance(
            config, services, "feed",
            core::CreateArgs{core::Mode::Paper, {symbol}, fs::current_path().string()});
        instance.start();
        const bool fresh = !fs::exists(out) || fs::file_size(out) == 0;
        if (fs::path(out).has_parent_path()) fs::create_directories(fs::path(out).parent_path());
        std::ofstream file(out, std::ios::binary | std::ios::app);
        if (!file) throw std::runtime_error("cannot write " + out);
        if (fresh) file << "timestamp,open,high,low,close,volume\n";
        if (resume)
            std::cerr << "resuming " << out << " after " << format_time(*resume) << " UTC\n";
        Rows rows;
        int64_t written = 0;
        const int32_t interval_s = static_cast<int32_t>(interval_ms / 1000);
        for (int64_t from_ms = start; from_ms < end;) {
            const int64_t before = std::min(from_ms + int64_t{kPage} * interval_ms, end);
            instance.history(symbol, interval_s, before, kPage, rows.sink());
            int64_t last = -1;
            for (const Row& r : rows.take()) {
                if (r.open_time < from_ms || r.open_time >= before) continue;
                file << r.open_time << ',' << csv_number(r.open) << ',' << csv_number(r.high) << ','
                     << csv_number(r.low) << ',' << csv_number(r.close) << ','
                     << csv_number(r.volume) << '\n';
                last = r.open_time;
                ++written;
            }
            file.flush();  // each page is on disk before the next is asked for
            if (!file) throw std::runtime_error("cannot write " + out);
            if (last < 0 && before >= end) break;
            from_ms = last >= 0 ? last + interval_ms : before;
            std::cerr << "\r" << written << " bars, up to " << format_time(from_ms) << " UTC"
                      << std::flush;
        }
        std::cerr << "\n";
        std::cout << "wrote " << written << " " << timeframe << " bars of " << symbol << " to "
                  << out << "\n";
        return kExitOk;
    } catch (const core::PluginCallError& e) {
        std::cerr << "orchestrade fetch-data: " << e.what() << "\n";
        return e.status() == OT_E_INVALID_ARG ? kExitBadInput : kExitRuntime;
    } catch (const std::exception& e) {
        std::cerr << "orchestrade fetch-data: " << e.what() << "\n";
        return kExitRuntime;
    }
}

}  // namespace orchestrade::cli
