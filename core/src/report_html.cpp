#include <orchestrade/core/report.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <map>
#include <set>

namespace orchestrade::core {

extern const char* const kLightweightChartsJs;

namespace {

using Json = nlohmann::json;

std::string escape(const std::string& text) {
    std::string out;
    for (char c : text) {
        switch (c) {
            case '&':
                out += "&amp;";
                break;
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            case '"':
                out += "&quot;";
                break;
            default:
                out += c;
        }
    }
    return out;
}

std::string num(double v, int digits = 2) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", digits, v);
    return buf;
}

std::string utc(int64_t ms) {
    if (ms <= 0) return "-";
    std::time_t t = static_cast<std::time_t>(ms / 1000);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M", &tm);
    return buf;
}

std::string metrics_table(const Metrics& m) {
    const std::pair<const char*, std::string> rows[] = {
        {"Return", num(m.total_return_pct) + " %"},
        {"CAGR", num(m.cagr_pct) + " %"},
        {"Sharpe", num(m.sharpe)},
        {"Sortino", num(m.sortino)},
        {"Max drawdown", num(m.max_drawdown_pct) + " %"},
        {"Drawdown duration",
         num(static_cast<double>(m.max_drawdown_duration_ms) / 3.6e6, 1) + " h"},
        {"Volatility", num(m.volatility_pct) + " %"},
        {"Exposure", num(m.exposure_pct) + " %"},
        {"Trades", std::to_string(m.trades)},
        {"Win rate", num(m.win_rate_pct) + " %"},
        {"Profit factor", num(m.profit_factor)},
        {"Average trade", num(m.avg_trade_pnl)},
        {"Fees", num(m.fees)},
        {"Cash flows, net", num(m.cash_flows)},
        {"Equity", num(m.starting_equity) + " &rarr; " + num(m.final_equity)},
    };
    std::string out = "<table class=\"metrics\">";
    for (const auto& [name, value] : rows)
        out += "<tr><th>" + std::string(name) + "</th><td>" + value + "</td></tr>";
    return out + "</table>";
}

std::string trades_table(const std::vector<Trade>& trades) {
    std::string out =
        "<table class=\"list\"><tr><th>Symbol</th><th>Side</th><th>Qty</th><th>Entry</th>"
        "<th>Price</th><th>Exit</th><th>Price</th><th>PnL</th><th>Fees</th></tr>";
    for (const auto& t : trades)
        out += "<tr><td>" + escape(t.symbol) + "</td><td>" +
               (t.side == Side::Buy ? "long" : "short") + "</td><td>" + num(t.qty, 6) +
               "</td><td>" + utc(t.entry_ts) + "</td><td>" + num(t.entry_price) + "</td><td>" +
               (t.open ? "open" : utc(t.exit_ts)) + "</td><td>" +
               (!t.open            ? num(t.exit_price)
                : t.mark_price > 0 ? "marked " + num(t.mark_price)
                                   : std::string("-")) +
               "</td><td class=\"" + (t.pnl >= 0 ? "up" : "down") + "\">" + num(t.pnl) +
               "</td><td>" + num(t.fees) + "</td></tr>";
    return out + "</table>";
}

std::string refusals_table(const std::vector<EventRecord>& refusals) {
    if (refusals.empty()) return "<p>None.</p>";
    std::string out =
        "<table class=\"list\"><tr><th>Time</th><th>Symbol</th><th>Rule</th>"
        "<th>Outcome</th></tr>";
    for (const auto& e : refusals) {
        const Json j = Json::parse(e.json, nullptr, false);
        auto field = [&](const char* k) {
            return j.is_object() ? escape(j.value(k, std::string())) : std::string();
        };
        out += "<tr><td>" + utc(e.time_ms) + "</td><td>" + field("symbol") + "</td><td>" +
               field("rule") + "</td><td>" + field("outcome") + "</td></tr>";
    }
    return out + "</table>";
}

// Chart data: candles per symbol, a marker per fill (on the candle that contains it), the
// equity curve and its drawdown.
Json chart_data(const RunReport& r) {
    Json symbols = Json::object();
    std::map<std::string, std::vector<int64_t>> starts;
    for (const auto& b : r.chart_bars) {
        symbols[b.symbol]["candles"].push_back({{"time", b.time_ms / 1000},
                                                {"open", b.open},
                                                {"high", b.high},
                                                {"low", b.low},
                                                {"close", b.close}});
        starts[b.symbol].push_back(b.time_ms);
    }
    std::map<std::string, int> fills_per_symbol;
    for (const auto& f : r.fills)
        ++fills_per_symbol[f.symbol];
    constexpr int kLabelledMarkers = 50;  // past this, labels hide the candles
    for (const auto& f : r.fills) {
        auto it = starts.find(f.symbol);
        if (it == starts.end() || it->second.empty()) continue;
        auto after = std::upper_bound(it->second.begin(), it->second.end(), f.time_ms);
        if (after == it->second.begin()) continue;
        const int64_t candle = *(after - 1);
        const bool buy = f.side == Side::Buy;
        symbols[f.symbol]["markers"].push_back(
            {{"time", candle / 1000},
             {"position", buy ? "belowBar" : "aboveBar"},
             {"color", buy ? "#1a9850" : "#d73027"},
             {"shape", buy ? "arrowUp" : "arrowDown"},
             {"text",
              fills_per_symbol[f.symbol] > kLabelledMarkers
                  ? std::string()
                  : std::string(buy ? "B " : "S ") + num(f.qty, 4) + " @ " + num(f.price)}});
    }
    Json equity = Json::array(), drawdown = Json::array();
    // As the metrics do: a resumed run starts from the account as it stood, not as it began.
    double peak = r.metrics.starting_equity > 0 ? r.metrics.starting_equity : r.run.starting_cash;
    int64_t last = -1;
    for (const auto& p : r.equity) {
        const int64_t t = p.time_ms / 1000;
        if (t <= last) continue;  // the chart needs strictly increasing times
        last = t;
        peak = std::max(peak, p.equity);
        equity.push_back({{"time", t}, {"value", p.equity}});
        drawdown.push_back({{"time", t}, {"value", peak > 0 ? (p.equity - peak) / peak * 100 : 0}});
    }
    return {{"symbols", symbols}, {"equity", equity}, {"drawdown", drawdown}};
}

constexpr const char* kStyle = R"css(
body { font: 14px/1.4 system-ui, sans-serif; margin: 24px; color: #222; }
h1 { font-size: 20px; } h2 { font-size: 16px; margin-top: 28px; }
table { border-collapse: collapse; } th, td { padding: 3px 10px; text-align: right; }
table.metrics th { text-align: left; font-weight: normal; color: #555; }
table.list tr:nth-child(even) { background: #f5f5f5; } table.list th { border-bottom: 1px solid #ccc; }
.up { color: #1a9850; } .down { color: #d73027; } .chart { width: 100%; height: 360px; margin: 8px 0; }
.small { height: 200px; } .note { color: #555; max-width: 900px; }
.warning { color: #b00020; max-width: 900px; }
)css";

constexpr const char* kRender = R"js(
(function () {
  const status = document.getElementById('status');
  let markers = 0;
  try {
    const L = LightweightCharts;
    const box = document.getElementById('charts');
    for (const [symbol, s] of Object.entries(DATA.symbols)) {
      const title = document.createElement('h2');
      title.textContent = symbol;
      const div = document.createElement('div');
      div.className = 'chart';
      box.appendChild(title);
      box.appendChild(div);
      const chart = L.createChart(div, { autoSize: true, timeScale: { timeVisible: true } });
      const candles = chart.addSeries(L.CandlestickSeries, {});
      candles.setData(s.candles || []);
      const list = (s.markers || []).slice().sort((a, b) => a.time - b.time);
      L.createSeriesMarkers(candles, list);
      markers += list.length;
      chart.timeScale().fitContent();
    }
    const eq = L.createChart(document.getElementById('equity'), { autoSize: true });
    eq.addSeries(L.LineSeries, { color: '#2166ac' }).setData(DATA.equity);
    eq.timeScale().fitContent();
    const dd = L.createChart(document.getElementById('drawdown'), { autoSize: true });
    dd.addSeries(L.AreaSeries, { lineColor: '#d73027', topColor: 'rgba(215,48,39,0.1)',
                                 bottomColor: 'rgba(215,48,39,0.4)' }).setData(DATA.drawdown);
    dd.timeScale().fitContent();
  } catch (e) {
    window.reportErrors.push(String(e && e.message || e));
  }
  status.setAttribute('data-markers', String(markers));
  status.setAttribute('data-errors', window.reportErrors.join(' | '));
  status.textContent = markers + ' markers';
})();
)js";

}  // namespace

std::string report_to_html(const RunReport& r) {
    const std::string title =
        "Orchestrade report: " + r.run.pipeline_name + ", run " + std::to_string(r.run.id);
    std::string data = chart_data(r).dump();
    // A JSON string may hold "</script>"; keep the tag from closing early.
    for (std::size_t pos = 0; (pos = data.find("</", pos)) != std::string::npos; pos += 3)
        data.replace(pos, 2, "<\\/");
    std::string out;
    out += "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>" +
           escape(title) + "</title><style>" + kStyle + "</style>\n";
    out +=
        "<script>window.reportErrors=[];window.addEventListener('error',function(e)"
        "{window.reportErrors.push(String(e.message));});</script>\n";
    out += "<script>" + std::string(kLightweightChartsJs) + "</script>\n</head><body>\n";
    out += "<h1>" + escape(title) + "</h1>\n<p>" + escape(std::string(to_string(r.run.mode))) +
           ", " + escape(r.run.status) + ", started " + utc(r.run.started_ms) + " UTC" +
           (r.journal_path.empty() ? "" : ", journal " + escape(r.journal_path)) + "</p>\n";
    out += metrics_table(r.metrics) + "\n";
    if (r.strategy_failures.any())
        out += "<p class=\"warning\"><b>Strategy failures.</b> " +
               escape(describe(r.strategy_failures)) + ".</p>\n";
    out += "<p class=\"note\"><b>Execution model.</b> " +
           escape(r.execution_model.empty() ? "unknown" : r.execution_model) +
           ". Markers sit on the candle that contains the fill; candles aggregate the run's bars "
           "over the chart period.</p>\n";
    out +=
        "<div id=\"charts\"></div>\n<h2>Equity</h2><div id=\"equity\" class=\"chart small\">"
        "</div>\n<h2>Drawdown (%)</h2><div id=\"drawdown\" class=\"chart small\"></div>\n";
    out += "<h2>Trades (" + std::to_string(r.trades.size()) + ")</h2>\n" + trades_table(r.trades);
    out += "\n<h2>Risk refusals (" + std::to_string(r.risk_refusals.size()) + ")</h2>\n" +
           refusals_table(r.risk_refusals);
    out += "\n<p id=\"status\" class=\"note\" data-markers=\"0\" data-errors=\"\"></p>\n";
    out += "<script>const DATA = " + data + ";</script>\n<script>" + std::string(kRender) +
           "</script>\n</body></html>\n";
    return out;
}

}  // namespace orchestrade::core
