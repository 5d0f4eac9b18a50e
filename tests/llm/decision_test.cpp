// The local check of a model's answer: what is accepted, and why everything else is refused.
#include "decision.hpp"

#include <gtest/gtest.h>

namespace llm = orchestrade::llm;
using llm::parse_decision;

namespace {

const llm::MarketContext kMarket = {{"BTC/USDT", {50000, 0}},   // flat
                                    {"ETH/USDT", {3000, 2}},    // long
                                    {"SOL/USDT", {150, -10}}};  // short
const llm::DecisionRules kRules{20, true};

std::string answer(const std::string& action, const std::string& symbol, double size, double sl,
                   double tp, double confidence = 0.7,
                   const std::string& invalidation = "below 49k") {
    return nlohmann::json{{"action", action},
                          {"symbol", symbol},
                          {"confidence", confidence},
                          {"position_size_pct", size},
                          {"stop_loss", sl},
                          {"take_profit", tp},
                          {"invalidation_condition", invalidation},
                          {"rationale", "trend"}}
        .dump();
}

std::string refusal(const std::string& text) {
    llm::ParsedAnswer p = parse_decision(text, kMarket, kRules);
    EXPECT_FALSE(p.decision) << text;
    return p.error;
}

}  // namespace

TEST(Decision, ALongEntryWithAnExitPlanIsAccepted) {
    llm::ParsedAnswer p =
        parse_decision(answer("BUY", "BTC/USDT", 10, 49000, 52000), kMarket, kRules);
    ASSERT_TRUE(p.decision) << p.error;
    EXPECT_EQ(p.decision->action, OT_ACTION_BUY);
    EXPECT_EQ(p.decision->symbol, "BTC/USDT");
    EXPECT_EQ(p.decision->size_pct, 10);
    EXPECT_EQ(p.decision->stop_loss, 49000);
    EXPECT_EQ(p.decision->take_profit, 52000);
    EXPECT_EQ(p.decision->confidence, 0.7);
    EXPECT_EQ(p.decision->invalidation, "below 49k");
    EXPECT_EQ(p.decision->rationale, "trend");
}

TEST(Decision, ASellThatWouldOpenAShortIsRefusedWhereShortsAreNotAllowed) {
    llm::DecisionRules no_shorts = kRules;
    no_shorts.allow_short = false;
    llm::ParsedAnswer p =
        parse_decision(answer("SELL", "BTC/USDT", 5, 51000, 47000), kMarket, no_shorts);
    EXPECT_FALSE(p.decision);
    EXPECT_EQ(p.error,
              "SELL BTC/USDT would open a short (no long BTC/USDT is held), and shorts are not "
              "allowed: SELL only closes a long");
    // Closing a long is what SELL is for.
    p = parse_decision(answer("SELL", "ETH/USDT", 0, 0, 0), kMarket, no_shorts);
    ASSERT_TRUE(p.decision) << p.error;
    EXPECT_EQ(p.decision->action, OT_ACTION_SELL);
}

TEST(Decision, AShortEntryNeedsItsLevelsTheOtherWayRound) {
    llm::ParsedAnswer p =
        parse_decision(answer("SELL", "BTC/USDT", 5, 51000, 47000), kMarket, kRules);
    ASSERT_TRUE(p.decision) << p.error;
    EXPECT_EQ(p.decision->action, OT_ACTION_SELL);
    EXPECT_NE(refusal(answer("SELL", "BTC/USDT", 5, 49000, 52000)).find("wrong side"),
              std::string::npos);
}

TEST(Decision, StopLossOrTakeProfitOnTheWrongSideIsRefused) {
    EXPECT_EQ(refusal(answer("BUY", "BTC/USDT", 10, 50500, 52000)),
              "stop_loss 50500 is on the wrong side of the price 50000 for a long entry");
    EXPECT_EQ(refusal(answer("BUY", "BTC/USDT", 10, 49000, 49900)),
              "take_profit 49900 is on the wrong side of the price 50000 for a long entry");
    EXPECT_NE(refusal(answer("BUY", "BTC/USDT", 10, 50000, 52000)).find("wrong side"),
              std::string::npos);
}

TEST(Decision, SizeOutOfBoundsIsRefused) {
    EXPECT_EQ(refusal(answer("BUY", "BTC/USDT", 25, 49000, 52000)),
              "position_size_pct 25 is outside (0, 20]");
    EXPECT_EQ(refusal(answer("BUY", "BTC/USDT", 0, 49000, 52000)),
              "position_size_pct 0 is outside (0, 20]");
}

TEST(Decision, AnEntryWithoutAnExitPlanIsRefusedUnlessAllowed) {
    EXPECT_EQ(refusal(answer("BUY", "BTC/USDT", 10, 0, 52000)),
              "an entry needs a stop_loss and a take_profit above 0");
    EXPECT_EQ(refusal(answer("BUY", "BTC/USDT", 10, 49000, 52000, 0.7, " ")),
              "an entry needs an invalidation_condition");
    llm::DecisionRules lax{20, false};
    EXPECT_TRUE(
        parse_decision(answer("BUY", "BTC/USDT", 10, 0, 0, 0.7, ""), kMarket, lax).decision);
}

TEST(Decision, AVerdictWithoutAnEntryPlanReadsNoSizeNorLevels) {
    // A screening's BUY is a yes: a size of 0 and no levels are not refused, and not kept.
    llm::DecisionRules verdict = kRules;
    verdict.read_entry_plan = false;
    llm::ParsedAnswer p =
        parse_decision(answer("BUY", "BTC/USDT", 0, 0, 0, 0.9, ""), kMarket, verdict);
    ASSERT_TRUE(p.decision) << p.error;
    EXPECT_EQ(p.decision->action, OT_ACTION_BUY);
    EXPECT_EQ(p.decision->confidence, 0.9);
    EXPECT_EQ(p.decision->size_pct, 0);
    EXPECT_EQ(p.decision->stop_loss, 0);
    // What a verdict needs is still checked.
    EXPECT_FALSE(
        parse_decision(answer("BUY", "BTC/USDT", 0, 0, 0, 1.5), kMarket, verdict).decision);
    EXPECT_FALSE(parse_decision(answer("BUY", "XRP/USDT", 0, 0, 0), kMarket, verdict).decision);
}

TEST(Decision, ExitsDropSizeAndLevels) {
    // SELL while long, BUY while short and CLOSE are exits: no exit plan needed, none kept.
    for (auto [action, symbol] : {std::pair{"SELL", "ETH/USDT"}, std::pair{"BUY", "SOL/USDT"},
                                  std::pair{"CLOSE", "ETH/USDT"}}) {
        llm::ParsedAnswer p = parse_decision(answer(action, symbol, 99, -5, 1), kMarket, kRules);
        ASSERT_TRUE(p.decision) << action << ": " << p.error;
        EXPECT_EQ(p.decision->size_pct, 0);
        EXPECT_EQ(p.decision->stop_loss, 0);
        EXPECT_EQ(p.decision->take_profit, 0);
    }
}

TEST(Decision, HoldNeedsOnlyAValidAction) {
    llm::ParsedAnswer p =
        parse_decision(R"({"action":"hold","rationale":"no edge"})", kMarket, kRules);
    ASSERT_TRUE(p.decision);
    EXPECT_EQ(p.decision->action, OT_ACTION_HOLD);
    EXPECT_EQ(p.decision->rationale, "no edge");
}

TEST(Decision, BadAnswersAreRefusedWithTheirReason) {
    EXPECT_EQ(refusal(""), "the answer is empty");
    EXPECT_EQ(refusal("I would buy BTC here."), "the answer is not valid JSON");
    EXPECT_EQ(refusal(R"({"action":"BUY","symbol":"BTC/US)"), "the answer is not valid JSON");
    EXPECT_EQ(refusal("[1, 2]"), "the answer is not a JSON object");
    EXPECT_EQ(refusal(R"({"symbol":"BTC/USDT"})"), "action is missing or not a string");
    EXPECT_EQ(refusal(answer("LONG", "BTC/USDT", 10, 49000, 52000)),
              "action 'LONG' is not one of BUY, SELL, HOLD, CLOSE");
    EXPECT_EQ(refusal(answer("BUY", "DOGE/USDT", 10, 1, 2)),
              "symbol 'DOGE/USDT' is not one asked about (BTC/USDT, ETH/USDT, SOL/USDT)");
    EXPECT_EQ(refusal(answer("BUY", "BTC/USDT", 10, 49000, 52000, 1.5)),
              "confidence 1.5 is outside 0..1");
    EXPECT_EQ(refusal(R"({"action":"BUY","symbol":"BTC/USDT","confidence":"high"})"),
              "confidence is missing or not a number");
    EXPECT_EQ(refusal(R"({"action":"BUY","symbol":"BTC/USDT","confidence":0.5,"stopLoss":49000})"),
              "position_size_pct is missing or not a number");
}

TEST(Decision, AMarkdownFenceAroundTheObjectIsForgiven) {
    std::string fenced = "```json\n" + answer("BUY", "BTC/USDT", 10, 49000, 52000) + "\n```";
    EXPECT_TRUE(parse_decision(fenced, kMarket, kRules).decision);
    EXPECT_FALSE(parse_decision("Here it is: " + answer("BUY", "BTC/USDT", 10, 49000, 52000),
                                kMarket, kRules)
                     .decision);
}

TEST(Decision, TextAfterTheFenceIsNotForgiven) {
    // The text after the object may take it back: the answer is not only the object.
    std::string fenced = "```json\n" + answer("BUY", "BTC/USDT", 10, 49000, 52000) + "\n```";
    EXPECT_FALSE(
        parse_decision(fenced + "\nOn reflection, HOLD: the trend is weak.", kMarket, kRules)
            .decision);
    EXPECT_FALSE(parse_decision(fenced + "\n```json\n" + answer("HOLD", "", 0, 0, 0) + "\n```",
                                kMarket, kRules)
                     .decision);
}

TEST(Decision, TheSchemaIsStrictAndNamesTheUniverse) {
    nlohmann::json schema = llm::decision_schema({"BTC/USDT", "ETH/USDT"}, 20);
    EXPECT_EQ(schema["additionalProperties"], false);
    EXPECT_EQ(schema["required"].size(), schema["properties"].size());
    EXPECT_EQ(schema["properties"]["symbol"]["enum"], nlohmann::json({"BTC/USDT", "ETH/USDT"}));
    EXPECT_EQ(schema["properties"]["action"]["enum"],
              nlohmann::json({"BUY", "SELL", "HOLD", "CLOSE"}));
}
