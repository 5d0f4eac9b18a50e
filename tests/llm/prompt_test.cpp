// What the model is shown: the market state (never ahead of the decision's time), the templates and
// the prompts built from them.
#include "decision.hpp"
#include "market_state.hpp"
#include "prompt_builder.hpp"
#include "prompt_template.hpp"

#include <orchestrade/testing/temp_dir.hpp>

#include <gtest/gtest.h>

#include <cmath>

namespace llm = orchestrade::llm;

namespace {

constexpr int64_t kStart = 1704067200000;  // 2024-01-01T00:00:00Z
constexpr int64_t k3m = 180000;

llm::MarketState market_with_bars(int bars, const std::vector<std::string>& universe) {
    llm::MarketState m(universe, 180, 14400, 5);
    for (int i = 0; i < bars; ++i)
        for (const std::string& s : universe) {
            double c = 100 + i + (s == "ETH/USDT" ? 1000 : 0);
            m.add_bar(s, 180, kStart + i * k3m, c + 1, c - 1, c, 10 + i);
        }
    return m;
}

llm::PromptSettings settings(std::vector<std::string> universe) {
    return {universe, "3m", "4h", 20, llm::decision_schema(universe, 20).dump()};
}

llm::PortfolioSnapshot portfolio() {
    llm::PortfolioSnapshot p;
    p.cash = 9000;
    p.equity = 10250.5;
    p.return_pct = 2.505;
    p.sharpe = std::nan("");
    p.positions.push_back({"BTC/USDT", 0.5, 100, 110, 5});
    return p;
}

std::string write_file(const orchestrade::testing::TempDir& dir, const std::string& text) {
    return dir.write("prompts.txt", text);
}

// The error a prompt file with this text gives when loaded, or "no error".
std::string load_error(const orchestrade::testing::TempDir& dir, const std::string& text) {
    try {
        llm::PromptBuilder(llm::PromptTemplates::load(write_file(dir, text)),
                           settings({"BTC/USDT"}));
    } catch (const std::exception& e) {
        return e.what();
    }
    return "no error";
}

}  // namespace

TEST(MarketState, ItsIndicatorsAreTheSdkIndicatorsOfTheClosedBars) {
    llm::MarketState m = market_with_bars(60, {"BTC/USDT"});
    std::vector<double> closes;
    for (int i = 0; i < 60; ++i)
        closes.push_back(100 + i);
    llm::SymbolSnapshot s = m.snapshot()[0];
    EXPECT_EQ(s.intraday.bars, 60u);
    EXPECT_EQ(s.intraday.close, 159);
    EXPECT_DOUBLE_EQ(s.intraday.ema20, orchestrade::indicators::ema(closes, 20).back());
    EXPECT_DOUBLE_EQ(s.intraday.rsi14, 100);  // only gains
    EXPECT_EQ(s.intraday.closes, (std::deque<double>{155, 156, 157, 158, 159}));
    EXPECT_EQ(s.intraday.ema20_series.size(), 5u);
    EXPECT_TRUE(std::isnan(s.context.ema20));  // no 4h bar yet
}

TEST(MarketState, ASymbolIsDecidedOnOnceWarmWhateverTheOthers) {
    EXPECT_TRUE(market_with_bars(49, {"BTC/USDT", "ETH/USDT"}).decision_market(kStart).in.empty());
    EXPECT_EQ(
        market_with_bars(50, {"BTC/USDT", "ETH/USDT"}).decision_market(kStart + 50 * k3m).in.size(),
        2u);
    // One symbol without bars, one still warming up: the warm one is decided on all the same.
    llm::MarketState partial({"BTC/USDT", "ETH/USDT", "SOL/USDT"}, 180, 14400, 5);
    for (int i = 0; i < 60; ++i)
        partial.add_bar("BTC/USDT", 180, kStart + i * k3m, 1, 1, 1, 1);
    for (int i = 48; i < 60; ++i)
        partial.add_bar("SOL/USDT", 180, kStart + i * k3m, 1, 1, 1, 1);
    llm::DecisionMarket d = partial.decision_market(kStart + 60 * k3m);
    ASSERT_EQ(d.in.size(), 1u);
    EXPECT_EQ(d.in[0].symbol, "BTC/USDT");
    ASSERT_EQ(d.left_out.size(), 2u);
    EXPECT_EQ(d.left_out[0].symbol, "ETH/USDT");
    EXPECT_EQ(d.left_out[0].why, llm::LeftOut::Why::NoBar);
    EXPECT_EQ(d.left_out[1].symbol, "SOL/USDT");
    EXPECT_EQ(d.left_out[1].why, llm::LeftOut::Why::NotWarm);
    EXPECT_EQ(d.left_out[1].bars, 12u);
}

TEST(MarketState, ASymbolWhoseBarsStopIsLeftOutAfterTwoMissedBars) {
    llm::MarketState m = market_with_bars(60, {"BTC/USDT"});
    const int64_t last_close = kStart + 60 * k3m;
    EXPECT_EQ(m.decision_market(last_close + 2 * k3m).in.size(), 1u);
    llm::DecisionMarket d = m.decision_market(last_close + 2 * k3m + 1);
    EXPECT_TRUE(d.in.empty());
    ASSERT_EQ(d.left_out.size(), 1u);
    EXPECT_EQ(d.left_out[0].why, llm::LeftOut::Why::Stale);
    EXPECT_EQ(d.left_out[0].last_close_ms, last_close);
}

TEST(MarketState, SeriesPointsWaitUntilTheirTime) {
    llm::MarketState m({"BTC/USDT"}, 180, 14400, 3);
    const int64_t now = kStart + 10 * k3m;
    m.add_point("BTC/USDT", "funding_rate", now - 1, 0.0001);
    m.add_point("BTC/USDT", "funding_rate", now + 1, 0.0009);  // from the future
    m.add_point("BTC/USDT", "open_interest", now - 2, 100);
    m.add_point("BTC/USDT", "open_interest", now, 200);
    m.add_point("BTC/USDT", "open_interest", now + k3m, 900);  // from the future
    m.add_point("BTC/USDT", "mark_price", now, 1);             // not used
    m.advance_to(now);
    llm::SymbolSnapshot s = m.snapshot()[0];
    EXPECT_EQ(s.funding_rate, 0.0001);
    EXPECT_EQ(s.open_interest, 200);
    EXPECT_EQ(s.open_interest_avg, 150);
    m.advance_to(now + k3m);
    s = m.snapshot()[0];
    EXPECT_EQ(s.funding_rate, 0.0009);
    EXPECT_EQ(s.open_interest, 900);
}

TEST(MarketState, OtherTimeframesAndSymbolsAreIgnored) {
    llm::MarketState m({"BTC/USDT"}, 180, 14400, 3);
    m.add_bar("BTC/USDT", 60, kStart, 1, 1, 1, 1);
    m.add_bar("XRP/USDT", 180, kStart, 1, 1, 1, 1);
    m.add_bar("BTC/USDT", 14400, kStart, 12, 8, 10, 1);
    llm::SymbolSnapshot s = m.snapshot()[0];
    EXPECT_EQ(s.intraday.bars, 0u);
    EXPECT_EQ(s.context.bars, 1u);
    EXPECT_EQ(s.context.close, 10);
}

TEST(PromptBuilder, TheSystemPromptIsStableAndHoldsTheRulesAndSchema) {
    std::vector<std::string> universe{"BTC/USDT", "ETH/USDT"};
    llm::PromptBuilder a(llm::PromptTemplates::defaults(), settings(universe));
    llm::PromptBuilder b(llm::PromptTemplates::defaults(), settings(universe));
    EXPECT_EQ(a.system(), b.system());
    EXPECT_NE(a.system().find("BTC/USDT, ETH/USDT"), std::string::npos);
    EXPECT_NE(a.system().find("\"additionalProperties\":false"), std::string::npos);
    EXPECT_NE(a.system().find("at most 20"), std::string::npos);
    // The risk stage never adds to a position: the model is not told it may.
    EXPECT_EQ(a.system().find("adds to"), std::string::npos);
    EXPECT_NE(a.system().find("a BUY while long (or a SELL while short) is ignored"),
              std::string::npos);
    EXPECT_EQ(a.system().find("2024"), std::string::npos);  // no date: providers can cache it
    EXPECT_NE(a.system().find("Shorts are not allowed: SELL only closes a long"),
              std::string::npos);
    llm::PromptSettings shorts = settings(universe);
    shorts.allow_short = true;
    EXPECT_NE(llm::PromptBuilder(llm::PromptTemplates::defaults(), shorts)
                  .system()
                  .find("Shorts are allowed: a SELL on a flat symbol opens a short."),
              std::string::npos);
    EXPECT_EQ(a.system().find("{{"), std::string::npos);
}

TEST(PromptBuilder, TheUserPromptShowsPortfolioAndEverySymbolAsOfNow) {
    std::vector<std::string> universe{"BTC/USDT", "ETH/USDT"};
    llm::PromptBuilder b(llm::PromptTemplates::defaults(), settings(universe));
    llm::MarketState m = market_with_bars(60, universe);
    m.add_point("ETH/USDT", "funding_rate", kStart, 0.0002);
    m.advance_to(kStart + 60 * k3m);
    std::string user = b.user(kStart + 60 * k3m, portfolio(), m.snapshot());
    EXPECT_NE(user.find("Time: 2024-01-01T03:00:00Z"), std::string::npos);
    EXPECT_NE(user.find("Cash: 9000\nEquity: 10250.5\nTotal return: 2.505%\nSharpe ratio: n/a"),
              std::string::npos);
    EXPECT_NE(user.find("- BTC/USDT: long 0.5 @ 100, mark 110, unrealized PnL 5"),
              std::string::npos);
    std::size_t btc = user.find("### BTC/USDT\ncurrent_price = 159,");
    std::size_t eth = user.find("### ETH/USDT\ncurrent_price = 1159,");
    ASSERT_NE(btc, std::string::npos);
    ASSERT_NE(eth, std::string::npos);
    EXPECT_LT(btc, eth);
    EXPECT_NE(user.find("Close: [155, 156, 157, 158, 159]"), std::string::npos);
    EXPECT_NE(user.find("Funding rate: 0.0002"), std::string::npos);
    EXPECT_NE(user.find("Funding rate: n/a"), std::string::npos);       // BTC has none
    EXPECT_NE(user.find("EMA20 n/a vs EMA50 n/a"), std::string::npos);  // no 4h bar yet
    EXPECT_EQ(user.find("{{"), std::string::npos);
    EXPECT_EQ(user, b.user(kStart + 60 * k3m, portfolio(), m.snapshot()));
}

TEST(PromptBuilder, APositionInASymbolLeftOutIsShownAsNotTradable) {
    std::vector<std::string> universe{"BTC/USDT", "ETH/USDT"};
    llm::PromptBuilder b(llm::PromptTemplates::defaults(), settings(universe));
    llm::MarketState m = market_with_bars(60, {"ETH/USDT"});  // BTC, which is held, has no bar
    std::string user = b.user(kStart + 60 * k3m, portfolio(), m.snapshot());
    EXPECT_NE(user.find("- BTC/USDT: long 0.5 @ 100, mark 110, unrealized PnL 5 (no current "
                        "market data: it cannot be traded in this decision)"),
              std::string::npos)
        << user;
    EXPECT_EQ(user.find("### BTC/USDT"), std::string::npos);
}

TEST(PromptTemplates, AFileReplacesTheSectionsItHas) {
    orchestrade::testing::TempDir dir;
    std::string path =
        write_file(dir,
                   "--- system ---\nTrade {{symbols}} carefully.\n"
                   "--- symbol ---\n{{symbol}} at {{price}}, 4h RSI {{ctx_rsi14}}\n");
    llm::PromptTemplates t = llm::PromptTemplates::load(path);
    EXPECT_EQ(t.system, "Trade {{symbols}} carefully.");
    EXPECT_EQ(t.user, llm::PromptTemplates::defaults().user);
    llm::PromptBuilder b(t, settings({"BTC/USDT"}));
    EXPECT_EQ(b.system(), "Trade BTC/USDT carefully.");
    llm::MarketState m = market_with_bars(50, {"BTC/USDT"});
    EXPECT_NE(b.user(kStart, portfolio(), m.snapshot()).find("BTC/USDT at 149, 4h RSI n/a"),
              std::string::npos);
}

TEST(PromptTemplates, MistakesInAFileAreReported) {
    orchestrade::testing::TempDir dir;
    EXPECT_EQ(load_error(dir, "--- user ---\nBalance {{cash}} {{cahs}}\n"),
              "the user template uses {{cahs}}, which it does not have");
    EXPECT_EQ(load_error(dir, "--- system ---\nNow is {{time}}\n"),
              "the system template uses {{time}}, which it does not have");
    EXPECT_NE(load_error(dir, "--- prologue ---\nx\n").find("unknown section 'prologue'"),
              std::string::npos);
    EXPECT_NE(load_error(dir, "hello\n--- user ---\n{{cash}}\n").find("text before the first"),
              std::string::npos);
    EXPECT_THROW(llm::PromptTemplates::load(dir.path() / "missing.txt"), std::runtime_error);
}

TEST(PromptTemplates, ASingleBracePlaceholderIsRefusedWithTheSpellingThatWorks) {
    orchestrade::testing::TempDir dir;
    const std::string file = (dir.path() / "prompts.txt").string();
    EXPECT_EQ(load_error(dir, "--- user ---\nCash: {cash}\n{{markets}}\n"),
              file +
                  ": the user template writes {cash}, which would be sent as it is: a "
                  "placeholder takes double braces, {{cash}}");
    EXPECT_EQ(load_error(dir, "--- symbol ---\n{{symbol}} at { price }\n"),
              file +
                  ": the symbol template writes {price}, which would be sent as it is: a "
                  "placeholder takes double braces, {{price}}");
    // A known name of another section is a slip too.
    EXPECT_NE(load_error(dir, "--- system ---\nAt {time} trade {{symbols}}\n").find("{{time}}"),
              std::string::npos);
}

TEST(PromptTemplates, JsonBracesInAPromptAreText) {
    orchestrade::testing::TempDir dir;
    llm::PromptTemplates t = llm::PromptTemplates::load(
        write_file(dir,
                   "--- system ---\nTrade {{symbols}}. Answer like {\"action\": \"HOLD\", "
                   "\"symbol\": \"BTC/USDT\"} or {}; {note} and {x: 1} are text.\n"));
    llm::PromptBuilder b(t, settings({"BTC/USDT"}));
    EXPECT_EQ(b.system(),
              "Trade BTC/USDT. Answer like {\"action\": \"HOLD\", \"symbol\": \"BTC/USDT\"} or "
              "{}; {note} and {x: 1} are text.");
    EXPECT_TRUE(llm::single_brace_names(llm::PromptTemplates::defaults().system +
                                            llm::PromptTemplates::defaults().user +
                                            llm::PromptTemplates::defaults().symbol,
                                        {"symbols", "schema", "time", "cash", "price"})
                    .empty());
}

TEST(PromptTemplates, RenderingNeedsAValueForEveryPlaceholder) {
    EXPECT_EQ(llm::render("a {{x}} b {{y}}", {{"x", "1"}, {"y", "2"}}), "a 1 b 2");
    EXPECT_EQ(llm::render("no placeholders {", {}), "no placeholders {");
    EXPECT_THROW(llm::render("{{x}}", {}), std::invalid_argument);
    EXPECT_EQ(llm::placeholders("{{a}} and {{b}}"), (std::vector<std::string>{"a", "b"}));
}
