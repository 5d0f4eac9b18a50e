#include "prompt_template.hpp"

#include <fstream>
#include <stdexcept>

namespace orchestrade::llm {
namespace {

constexpr const char* kSystem =
    R"(You are a disciplined crypto trading assistant. Every {{timeframe}} you receive market data for these symbols: {{symbols}}, and the state of the portfolio. Decide on at most one action.

Answer with one JSON object and nothing else, matching this JSON schema:
{{schema}}

- action: BUY opens a long position on a flat symbol (or covers a short), SELL closes a long position, CLOSE flattens the symbol's position, HOLD does nothing. {{shorts}} A position is never added to: a BUY while long (or a SELL while short) is ignored. Only the symbols shown under Markets can be traded.
- symbol: the symbol the action is for.
- confidence: from 0 to 1.
- position_size_pct: for an entry, the share of equity to commit, above 0 and at most {{max_size_pct}}; otherwise 0.
- stop_loss and take_profit: prices. A long entry needs stop_loss below the current price and take_profit above it; a short entry the other way round. 0 for HOLD, CLOSE and exits.
- invalidation_condition: the observation that would prove the trade wrong.
- rationale: at most two sentences.

Prefer HOLD when the data shows no clear edge. Every series is ordered oldest to newest. Intraday data is on {{timeframe}} bars, the longer-term context on {{context_timeframe}} bars.)";

constexpr const char* kUser = R"(Time: {{time}}

## Portfolio
Cash: {{cash}}
Equity: {{equity}}
Total return: {{return_pct}}%
Sharpe ratio: {{sharpe}}
Open positions:
{{positions}}

## Markets
{{markets}})";

constexpr const char* kSymbol = R"(### {{symbol}}
current_price = {{price}}, current_ema20 = {{ema20}}, current_macd = {{macd}}, current_rsi7 = {{rsi7}}
Open interest: latest {{open_interest}}, average {{open_interest_avg}}
Funding rate: {{funding_rate}}
Intraday series ({{timeframe}}):
Close: {{closes}}
EMA20: {{ema20_series}}
MACD: {{macd_series}}
RSI7: {{rsi7_series}}
RSI14: {{rsi14_series}}
Longer-term context ({{context_timeframe}}):
EMA20 {{ctx_ema20}} vs EMA50 {{ctx_ema50}}
ATR3 {{ctx_atr3}} vs ATR14 {{ctx_atr14}}
Volume {{ctx_volume}} vs average {{ctx_volume_avg}}
MACD: {{ctx_macd_series}}
RSI14: {{ctx_rsi14_series}}
)";

std::string trim_newlines(std::string s) {
    while (!s.empty() && (s.front() == '\n' || s.front() == '\r'))
        s.erase(s.begin());
    while (!s.empty() && (s.back() == '\n' || s.back() == '\r'))
        s.pop_back();
    return s;
}

}  // namespace

PromptTemplates PromptTemplates::defaults() {
    return {kSystem, kUser, kSymbol, {}};
}

PromptTemplates PromptTemplates::load(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw std::runtime_error("cannot read the prompt file " + path);
    PromptTemplates t = defaults();
    t.file = path;
    std::string* section = nullptr;
    std::string text, line;
    auto flush = [&] {
        if (section) *section = trim_newlines(text) + (section == &t.symbol ? "\n" : "");
        text.clear();
    };
    int line_no = 0;
    while (std::getline(in, line)) {
        ++line_no;
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line.rfind("--- ", 0) == 0 && line.size() > 8 &&
            line.substr(line.size() - 4) == " ---") {
            flush();
            std::string name = line.substr(4, line.size() - 8);
            if (name == "system")
                section = &t.system;
            else if (name == "user")
                section = &t.user;
            else if (name == "symbol")
                section = &t.symbol;
            else
                throw std::runtime_error(path + ":" + std::to_string(line_no) +
                                         ": unknown section '" + name +
                                         "' (system, user or symbol)");
            continue;
        }
        if (!section && line.find_first_not_of(" \t") != std::string::npos)
            throw std::runtime_error(path + ":" + std::to_string(line_no) +
                                     ": text before the first '--- <section> ---' line");
        text += line + "\n";
    }
    flush();
    return t;
}

std::vector<std::string> placeholders(std::string_view text) {
    std::vector<std::string> names;
    for (std::size_t pos = text.find("{{"); pos != std::string_view::npos;
         pos = text.find("{{", pos)) {
        std::size_t end = text.find("}}", pos + 2);
        if (end == std::string_view::npos) break;
        names.emplace_back(text.substr(pos + 2, end - pos - 2));
        pos = end + 2;
    }
    return names;
}

std::vector<std::string> single_brace_names(std::string_view text,
                                            const std::set<std::string, std::less<>>& known) {
    auto is_name_char = [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '_';
    };
    std::vector<std::string> names;
    for (std::size_t open = text.find('{'); open != std::string_view::npos;
         open = text.find('{', open + 1)) {
        // Part of "{{": a placeholder as it should be (or not one at all).
        if ((open > 0 && text[open - 1] == '{') ||
            (open + 1 < text.size() && text[open + 1] == '{'))
            continue;
        std::size_t i = open + 1;
        while (i < text.size() && text[i] == ' ')
            ++i;
        const std::size_t begin = i;
        while (i < text.size() && is_name_char(text[i]))
            ++i;
        const std::size_t end = i;
        while (i < text.size() && text[i] == ' ')
            ++i;
        if (end == begin || i >= text.size() || text[i] != '}') continue;
        std::string_view name = text.substr(begin, end - begin);
        if (known.count(name)) names.emplace_back(name);
    }
    return names;
}

std::string render(std::string_view text, const TemplateValues& values) {
    std::string out;
    out.reserve(text.size() * 2);
    std::size_t pos = 0;
    while (pos < text.size()) {
        std::size_t open = text.find("{{", pos);
        std::size_t close = open == std::string_view::npos ? open : text.find("}}", open + 2);
        if (close == std::string_view::npos) {
            out.append(text.substr(pos));
            break;
        }
        out.append(text.substr(pos, open - pos));
        std::string_view name = text.substr(open + 2, close - open - 2);
        auto it = values.find(name);
        if (it == values.end())
            throw std::invalid_argument("no value for the placeholder {{" + std::string(name) +
                                        "}}");
        out += it->second;
        pos = close + 2;
    }
    return out;
}

}  // namespace orchestrade::llm
