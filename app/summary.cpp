#include "summary.hpp"

#include <ctime>
#include <iomanip>
#include <sstream>

namespace orchestrade::cli {

std::string format_time(int64_t ms) {
    if (ms <= 0) return "-";
    std::time_t t = static_cast<std::time_t>(ms / 1000);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M", &tm);
    return buf;
}

void print_start(std::ostream& out, const core::Pipeline& p) {
    out << "Running '" << p.name << "' (" << core::to_string(p.mode)
        << "): " << p.feed.plugin->short_name << " -> " << p.strategy.plugin->short_name << " -> "
        << p.executor.plugin->short_name << " on";
    for (const auto& s : p.universe)
        out << " " << s;
    out << "\n";
}

void print_progress(std::ostream& out, const core::Progress& p) {
    out << "\r  " << p.bars << " bars, at " << format_time(p.time_ms) << ", equity " << std::fixed
        << std::setprecision(2) << p.equity << "   " << std::flush;
}

void print_summary(std::ostream& out, const core::Pipeline& p, const core::RunSummary& s,
                   const core::StrategyFailures& failures) {
    const core::Metrics& m = s.metrics;
    std::ostringstream o;
    o << std::fixed << std::setprecision(2);
    o << "\nRun " << s.run_id << " of '" << p.name << "' " << s.status << " ("
      << core::to_string(p.mode) << (s.resumed ? ", resumed" : "") << ")\n";
    o << "  bars          " << s.bars;
    if (m.start_ms)
        o << "  (" << format_time(m.start_ms) << " to " << format_time(m.end_ms) << " UTC)";
    o << "\n";
    if (p.mode != core::Mode::Backtest) o << "  iterations    " << s.iterations << "\n";
    o << "  signals       " << s.signals << " actionable, " << s.orders << " orders, " << s.fills
      << " fills\n";
    o << "  trades        " << m.trades << " closed, win rate " << m.win_rate_pct << "%\n";
    o << "  return        " << std::showpos << m.total_return_pct << std::noshowpos << "%  (equity "
      << m.starting_equity << " -> " << m.final_equity << ")\n";
    o << "  max drawdown  " << m.max_drawdown_pct << "%\n";
    o << "  sharpe        " << m.sharpe << "  (sortino " << m.sortino << ")\n";
    o << "  fees          " << m.fees << "\n";
    for (const auto& gap : s.feed_gaps)
        o << "  feed gap      " << gap << "\n";
    if (failures.any()) o << "  failures      " << core::describe(failures) << "\n";
    if (failures.no_llm_answer())
        o << "  NO LLM CALL GOT AN ANSWER: every decision was a HOLD for want of one; see the "
             "journal's llm_call and llm_hold events\n";
    o << "  journal       " << s.journal_path << "\n";
    o << "  report        orchestrade report --journal " << s.journal_path << "\n";
    out << o.str();
}

}  // namespace orchestrade::cli
