// The HTML report: self-contained, its drawdown the metrics' own, and in headless Chromium it
// renders with no script error and one marker per fill.
#include "engine_harness.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <regex>

using namespace orchestrade;
using namespace orchestrade::testing;

namespace {

constexpr const char* kChromium = "/usr/bin/chromium";

std::string run_and_capture(const std::string& command) {
    std::string out;
    FILE* pipe = popen(command.c_str(), "r");
    if (!pipe) return out;
    std::array<char, 65536> buf;
    std::size_t n;
    while ((n = fread(buf.data(), 1, buf.size(), pipe)) > 0)
        out.append(buf.data(), n);
    pclose(pipe);
    return out;
}

std::string html_of_a_backtest(EngineHarness& h, std::size_t* fills) {
    std::vector<double> closes;
    for (int i = 0; i < 600; ++i)
        closes.push_back(100 + 8 * std::sin(i / 15.0) + 3 * std::sin(i / 4.0));
    h.write_csv(bars_from_closes(closes));
    h.run(h.pipeline_yaml("{ use: sma_cross, params: { fast: 5, slow: 20 } }",
                          "{ use: mock, params: { starting_cash: 10000, fee_bps: 10 } }",
                          "{ quantity: 1, min_order_value: 50 }"));
    auto r = h.report();
    *fills = r.fills.size();
    return core::report_to_html(r);
}

// The JSON the page draws its charts from.
nlohmann::json chart_data_of(const std::string& html) {
    const std::string start = "const DATA = ";
    const auto begin = html.find(start);
    const auto end = html.find(";</script>", begin);
    if (begin == std::string::npos || end == std::string::npos) return nullptr;
    return nlohmann::json::parse(html.substr(begin + start.size(), end - begin - start.size()));
}

}  // namespace

TEST(HtmlReport, AResumedRunsDrawdownStartsFromTheAccountAsItStoodAtTheResume) {
    // The account's first run ended at 8,000 of its 10,000; the resumed run fell to 7,600 and
    // came back: 5 % below its own start, as its metrics say, not 24 % below the first run's.
    core::RunReport r;
    r.run.id = 2;
    r.run.starting_cash = 10000;
    r.metrics.starting_equity = 8000;
    r.equity = {{kStartMs, 8000, 8000},
                {kStartMs + kMinuteMs, 7600, 7600},
                {kStartMs + 2 * kMinuteMs, 8000, 8000}};
    const nlohmann::json data = chart_data_of(core::report_to_html(r));
    ASSERT_TRUE(data.is_object());
    std::vector<double> drawdown;
    for (const auto& p : data.at("drawdown"))
        drawdown.push_back(p.at("value").get<double>());
    ASSERT_EQ(drawdown.size(), 3u);
    EXPECT_DOUBLE_EQ(drawdown[0], 0);
    EXPECT_DOUBLE_EQ(drawdown[1], -5);
    EXPECT_DOUBLE_EQ(drawdown[2], 0);
}

TEST(HtmlReport, IsSelfContained) {
    EngineHarness h;
    std::size_t fills = 0;
    const std::string html = html_of_a_backtest(h, &fills);
    EXPECT_EQ(html.find("<script src"), std::string::npos);
    EXPECT_EQ(html.find("<link"), std::string::npos);
    EXPECT_NE(html.find("LightweightCharts"), std::string::npos);
    EXPECT_NE(html.find("Execution model."), std::string::npos);
    EXPECT_NE(html.find("fill=next_open"), std::string::npos);
    EXPECT_NE(html.find("Risk refusals (0)"), std::string::npos);
    EXPECT_GT(fills, 4u);
}

TEST(HtmlReport, RendersInHeadlessChromiumWithOneMarkerPerFill) {
    if (!std::filesystem::exists(kChromium)) GTEST_SKIP() << "chromium is not installed";
    EngineHarness h;
    std::size_t fills = 0;
    const std::string html = html_of_a_backtest(h, &fills);
    const auto page = h.dir() / "report.html";
    std::ofstream(page) << html;
    const std::string dom = run_and_capture(
        std::string(kChromium) +
        " --headless --no-sandbox --disable-gpu --disable-background-networking"
        " --disable-component-update --no-first-run --disable-sync --user-data-dir=" +
        (h.dir() / "profile").string() + " --virtual-time-budget=5000 --dump-dom file://" +
        page.string() + " 2>/dev/null");
    std::smatch m;
    ASSERT_TRUE(std::regex_search(
        dom, m, std::regex("id=\"status\"[^>]*data-markers=\"(\\d+)\" data-errors=\"([^\"]*)\"")))
        << dom.substr(0, 500);
    EXPECT_EQ(m[2].str(), "") << "script errors in the page";
    EXPECT_EQ(std::stoul(m[1].str()), fills);
}
