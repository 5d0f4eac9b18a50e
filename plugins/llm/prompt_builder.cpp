#include "prompt_builder.hpp"

#include "text_format.hpp"

#include <set>
#include <stdexcept>

namespace orchestrade::llm {
namespace {

const std::set<std::string, std::less<>> kSystemNames = {
    "symbols", "schema", "max_size_pct", "timeframe", "context_timeframe", "shorts"};
const std::set<std::string, std::less<>> kUserNames = {
    "time", "cash", "equity", "return_pct", "sharpe", "positions", "markets"};

TemplateValues symbol_values(const SymbolSnapshot& s, const PromptSettings& settings) {
    TemplateValues v;
    v["symbol"] = s.symbol;
    v["timeframe"] = settings.timeframe;
    v["context_timeframe"] = settings.context_timeframe;
    v["funding_rate"] = format_number(s.funding_rate);
    v["open_interest"] = format_number(s.open_interest);
    v["open_interest_avg"] = format_number(s.open_interest_avg);
    add_timeframe_values(v, "", s.intraday);
    add_timeframe_values(v, "ctx_", s.context);
    return v;
}

void check(const std::string& text, const char* section,
           const std::set<std::string, std::less<>>& allowed) {
    for (const std::string& name : placeholders(text))
        if (!allowed.count(name))
            throw std::invalid_argument("the " + std::string(section) + " template uses {{" + name +
                                        "}}, which it does not have");
}

std::string shorts_rule(bool allow_short) {
    return allow_short ? "Shorts are allowed: a SELL on a flat symbol opens a short."
                       : "Shorts are not allowed: SELL only closes a long; a SELL on a flat symbol "
                         "is refused.";
}

bool shown(const std::string& symbol, const std::vector<SymbolSnapshot>& market) {
    for (const SymbolSnapshot& s : market)
        if (s.symbol == symbol) return true;
    return false;
}

std::string positions_text(const PortfolioSnapshot& p, const std::vector<SymbolSnapshot>& market) {
    if (p.positions.empty()) return "none";
    std::string out;
    for (const OpenPosition& pos : p.positions) {
        if (!out.empty()) out += "\n";
        out += "- " + pos.symbol + ": " + (pos.qty > 0 ? "long " : "short ") +
               format_number(pos.qty > 0 ? pos.qty : -pos.qty) + " @ " +
               format_number(pos.avg_price) + ", mark " + format_number(pos.mark_price) +
               ", unrealized PnL " + format_number(pos.unrealized_pnl);
        // Its mark is as old as its latest bar, and an answer trading it would be refused.
        if (!shown(pos.symbol, market))
            out += " (no current market data: it cannot be traded in this decision)";
    }
    return out;
}

}  // namespace

void add_timeframe_values(TemplateValues& v, const std::string& prefix,
                          const TimeframeSnapshot& t) {
    v[prefix + "price"] = format_number(t.close);
    v[prefix + "volume"] = format_number(t.volume);
    v[prefix + "volume_avg"] = format_number(t.volume_avg);
    v[prefix + "ema20"] = format_number(t.ema20);
    v[prefix + "ema50"] = format_number(t.ema50);
    v[prefix + "macd"] = format_number(t.macd);
    v[prefix + "macd_signal"] = format_number(t.macd_signal);
    v[prefix + "macd_histogram"] = format_number(t.macd_histogram);
    v[prefix + "rsi7"] = format_number(t.rsi7);
    v[prefix + "rsi14"] = format_number(t.rsi14);
    v[prefix + "atr3"] = format_number(t.atr3);
    v[prefix + "atr14"] = format_number(t.atr14);
    v[prefix + "closes"] = format_series(t.closes);
    v[prefix + "ema20_series"] = format_series(t.ema20_series);
    v[prefix + "macd_series"] = format_series(t.macd_series);
    v[prefix + "rsi7_series"] = format_series(t.rsi7_series);
    v[prefix + "rsi14_series"] = format_series(t.rsi14_series);
}

PromptBuilder::PromptBuilder(PromptTemplates templates, PromptSettings settings)
    : templates_(std::move(templates)), settings_(std::move(settings)) {
    std::set<std::string, std::less<>> symbol_names;
    for (const auto& [name, value] : symbol_values(SymbolSnapshot{}, settings_))
        symbol_names.insert(name);
    // "{cash}" is the natural guess (the `command` parameter writes {model}), and would be sent
    // to the model as it is: refused, with the spelling that works.
    std::set<std::string, std::less<>> known = symbol_names;
    known.insert(kSystemNames.begin(), kSystemNames.end());
    known.insert(kUserNames.begin(), kUserNames.end());
    const std::pair<const char*, const std::string*> sections[] = {
        {"system", &templates_.system}, {"user", &templates_.user}, {"symbol", &templates_.symbol}};
    for (const auto& [section, text] : sections)
        for (const std::string& name : single_brace_names(*text, known))
            throw std::invalid_argument((templates_.file.empty() ? "" : templates_.file + ": ") +
                                        "the " + section + " template writes {" + name +
                                        "}, which would be sent as it is: a placeholder " +
                                        "takes double braces, {{" + name + "}}");
    check(templates_.system, "system", kSystemNames);
    check(templates_.user, "user", kUserNames);
    check(templates_.symbol, "symbol", symbol_names);

    std::string symbols;
    for (const std::string& s : settings_.universe)
        symbols += (symbols.empty() ? "" : ", ") + s;
    system_ = render(templates_.system, {{"symbols", symbols},
                                         {"schema", settings_.schema_json},
                                         {"max_size_pct", format_number(settings_.max_size_pct)},
                                         {"timeframe", settings_.timeframe},
                                         {"context_timeframe", settings_.context_timeframe},
                                         {"shorts", shorts_rule(settings_.allow_short)}});
}

std::string PromptBuilder::symbol_block(const SymbolSnapshot& s) const {
    return render(templates_.symbol, symbol_values(s, settings_));
}

std::string PromptBuilder::user(int64_t now_ms, const PortfolioSnapshot& portfolio,
                                const std::vector<SymbolSnapshot>& market) const {
    std::string markets;
    for (const SymbolSnapshot& s : market)
        markets += (markets.empty() ? "" : "\n") + symbol_block(s);
    return render(templates_.user, {{"time", iso_utc(now_ms)},
                                    {"cash", format_number(portfolio.cash)},
                                    {"equity", format_number(portfolio.equity)},
                                    {"return_pct", format_number(portfolio.return_pct)},
                                    {"sharpe", format_number(portfolio.sharpe)},
                                    {"positions", positions_text(portfolio, market)},
                                    {"markets", markets}});
}

}  // namespace orchestrade::llm
