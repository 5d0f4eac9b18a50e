// Every mistake in a pipeline file is a ConfigError "<file>:<line>:<col>: <path>: <message>".
#include <gtest/gtest.h>

#include <cstdlib>
#include <stdexcept>

#include "pipeline_fixture.hpp"

namespace orchestrade::core {
namespace {

using PipelineErrors = PipelineTest;

const ParamValue& param_of(const Pipeline& p, const std::string& key) {
    for (const ParamValue& v : p.strategy.params)
        if (v.key == key) return v;
    throw std::out_of_range(key);
}

TEST_F(PipelineErrors, MalformedYamlPointsAtTheParserPosition) {
    EXPECT_EQ(error_of("name: test\n"
                       "universe: [BTC/USDT\n"
                       "feed: x\n"),
              "p.yaml:3:5: invalid YAML: end of sequence flow not found");
}

TEST_F(PipelineErrors, ErrorCarriesFileLineAndColumn) {
    try {
        parse(with_strategy_params("    fast: ten\n"));
        FAIL() << "expected a ConfigError";
    } catch (const ConfigError& e) {
        EXPECT_EQ(e.file(), "p.yaml");
        EXPECT_EQ(e.line(), 8);
        EXPECT_EQ(e.column(), 11);
    }
}

TEST_F(PipelineErrors, NestingTooDeepForTheYamlParser) {
    EXPECT_EQ(error_of("name: " + std::string(1000, '[') + "\n"),
              "p.yaml:2:1: invalid YAML: lists and maps nested too deeply");
}

TEST_F(PipelineErrors, EmptyFileAndNonMapDocument) {
    EXPECT_EQ(error_of(""), "p.yaml: the pipeline file is empty");
    EXPECT_EQ(error_of("- a\n- b\n"),
              "p.yaml:1:1: expected a map of pipeline settings, got a list");
}

TEST_F(PipelineErrors, ALongScalarIsQuotedCut) {
    // A csv file given as the pipeline: one plain scalar, its lines folded into one.
    std::string csv = "timestamp,open,high,low,close,volume\n";
    for (int i = 0; i < 1000; ++i)
        csv += std::to_string(1704067200000 + i * 60000) + ",42000,42100,41900,42050,1.5\n";
    EXPECT_EQ(error_of(csv),
              "p.yaml:1:1: expected a map of pipeline settings, got 'timestamp,open,high,low,"
              "close,volume 1704067200000,42000,421\u2026'");
    // A multi-byte character at the cut is left whole.
    EXPECT_EQ(error_of(std::string(59, 'a') + "\u00e9" + std::string(10, 'b') + "\n"),
              "p.yaml:1:1: expected a map of pipeline settings, got '" + std::string(59, 'a') +
                  "\u2026'");
    EXPECT_EQ(
        error_of(std::string(60, 'a') + "\n"),
        "p.yaml:1:1: expected a map of pipeline settings, got '" + std::string(60, 'a') + "'");
}

TEST_F(PipelineErrors, UnknownTopLevelKeySuggestsTheClosestOne) {
    EXPECT_EQ(error_of("name: test\nfeeed: {use: replay}\n"),
              "p.yaml:2:1: unknown key 'feeed'; did you mean 'feed'?");
    EXPECT_EQ(error_of("name: test\nbroker: x\n"),
              "p.yaml:2:1: unknown key 'broker'; expected one of: version, name, mode, journal, "
              "universe, schedule, feed, strategy, executor, risk, http_in_backtest");
}

TEST_F(PipelineErrors, UnknownParamKeySuggestsTheClosestOne) {
    EXPECT_EQ(error_of(with_strategy_params("    fast: 5\n    fsat: 7\n")),
              "p.yaml:9:5: strategy.params: unknown key 'fsat'; did you mean 'fast'?");
    EXPECT_EQ(error_of(with_strategy_params("    window: 5\n")),
              "p.yaml:8:5: strategy.params: unknown key 'window'; expected one of: fast, slow, "
              "band_pct, side, verbose, tags, label, api_key");
}

TEST_F(PipelineErrors, DuplicateKey) {
    EXPECT_EQ(error_of(with_strategy_params("    fast: 5\n    fast: 6\n")),
              "p.yaml:9:5: strategy.params: duplicate key 'fast'");
}

TEST_F(PipelineErrors, UnknownPluginListsThePluginsOfThatKind) {
    EXPECT_EQ(error_of("name: test\n"
                       "universe: [BTC/USDT]\n"
                       "feed: {use: replay, params: {path: x}}\n"
                       "strategy: {use: crosover}\n"),
              "p.yaml:4:17: strategy.use: unknown strategy plugin 'crosover'; found: crossover, "
              "threshold");
}

TEST_F(PipelineErrors, PluginOfTheWrongKind) {
    EXPECT_EQ(error_of("name: test\n"
                       "universe: [BTC/USDT]\n"
                       "feed: {use: replay, params: {path: x}}\n"
                       "strategy: {use: paper}\n"),
              "p.yaml:4:17: strategy.use: 'paper' is an executor plugin, not a strategy plugin; "
              "strategy plugins found: crossover, threshold");
}

TEST_F(PipelineErrors, MissingSectionsAndKeys) {
    EXPECT_EQ(error_of("universe: [BTC/USDT]\n"), "p.yaml:1:1: name: required key is missing");
    EXPECT_EQ(error_of("name: test\n"
                       "universe: [BTC/USDT]\n"
                       "feed: {use: replay, params: {path: x}}\n"
                       "strategy: {use: threshold, params: {threshold: 1}}\n"),
              "p.yaml:1:1: executor: required key is missing");
    EXPECT_EQ(error_of("name: test\n"
                       "universe: [BTC/USDT]\n"
                       "feed: {params: {path: x}}\n"),
              "p.yaml:3:7: feed.use: required key is missing");
}

TEST_F(PipelineErrors, MissingRequiredParam) {
    EXPECT_EQ(error_of("name: test\n"
                       "universe: [BTC/USDT]\n"
                       "feed: {use: replay, params: {timeframe: 1h}}\n"),
              "p.yaml:3:29: feed.params.path: required parameter is missing");
    EXPECT_EQ(error_of("name: test\n"
                       "universe: [BTC/USDT]\n"
                       "feed: {use: replay}\n"),
              "p.yaml:3:7: feed.params.path: required parameter is missing");
}

TEST_F(PipelineErrors, WrongTypes) {
    EXPECT_EQ(error_of(with_strategy_params("    fast: ten\n")),
              "p.yaml:8:11: strategy.params.fast: expected an integer, got 'ten'");
    EXPECT_EQ(error_of(with_strategy_params("    fast: 5.5\n")),
              "p.yaml:8:11: strategy.params.fast: expected an integer, got '5.5'");
    EXPECT_EQ(error_of(with_strategy_params("    fast: \"5\"\n")),
              "p.yaml:8:11: strategy.params.fast: expected an integer, got a quoted string '5'");
    EXPECT_EQ(error_of(with_strategy_params("    band_pct: '0.5'\n")),
              "p.yaml:8:15: strategy.params.band_pct: expected a number, got a quoted string "
              "'0.5'");
    EXPECT_EQ(error_of(with_strategy_params("    verbose: yes\n")),
              "p.yaml:8:14: strategy.params.verbose: expected true or false, got 'yes'");
    EXPECT_EQ(error_of(with_strategy_params("    label: [a, b]\n")),
              "p.yaml:8:12: strategy.params.label: expected a string, got a list");
    EXPECT_EQ(error_of(with_strategy_params("    fast:\n")),
              "p.yaml:8:5: strategy.params.fast: expected an integer, got nothing");
}

TEST_F(PipelineErrors, OutOfBounds) {
    EXPECT_EQ(error_of(with_strategy_params("    fast: 0\n")),
              "p.yaml:8:11: strategy.params.fast: must be between 1 and 1000, got 0");
    EXPECT_EQ(error_of(with_strategy_params("    band_pct: 100.5\n")),
              "p.yaml:8:15: strategy.params.band_pct: must be between 0 and 100, got 100.5");
}

TEST_F(PipelineErrors, BadEnumListsTheChoices) {
    EXPECT_EQ(error_of(with_strategy_params("    side: both\n")),
              "p.yaml:8:11: strategy.params.side: expected one of: long_only, long_short, got "
              "'both'");
}

TEST_F(PipelineErrors, MissingEnvironmentVariable) {
    unsetenv("OT_TEST_NOT_SET");
    EXPECT_EQ(error_of(with_strategy_params("    label: run-${OT_TEST_NOT_SET}\n")),
              "p.yaml:8:12: strategy.params.label: environment variable OT_TEST_NOT_SET is not "
              "set");
    EXPECT_EQ(error_of(with_strategy_params("    label: ${OT_TEST_NOT_SET\n")),
              "p.yaml:8:12: strategy.params.label: unterminated '${' (write ${NAME} or "
              "${file:/path})");
    EXPECT_EQ(error_of(with_strategy_params("    label: \"${9lives}\"\n")),
              "p.yaml:8:12: strategy.params.label: invalid variable name '${9lives}'");
}

TEST_F(PipelineErrors, TopLevelValues) {
    const std::string tail =
        "universe: [BTC/USDT]\n"
        "feed: {use: replay, params: {path: x}}\n";
    EXPECT_EQ(error_of("version: 2\nname: t\n" + tail),
              "p.yaml:1:10: version: unsupported version 2 (this build reads 1)");
    EXPECT_EQ(error_of("name: my bot\n" + tail),
              "p.yaml:1:7: name: 'my bot' may only hold letters, digits, '-', '_' and '.' (it "
              "names files)");
    EXPECT_EQ(error_of("name: t\nmode: real\n" + tail),
              "p.yaml:2:7: mode: expected one of: backtest, paper, live, got 'real'");
    EXPECT_EQ(error_of("name: t\nuniverse: []\n"),
              "p.yaml:2:11: universe: expected a non-empty list of symbols, got a list");
    EXPECT_EQ(error_of("name: t\nuniverse: [BTC/USDT, ETH/USDT, BTC/USDT]\n"),
              "p.yaml:2:32: universe[2]: duplicate symbol 'BTC/USDT'");
    EXPECT_EQ(error_of("name: t\nuniverse: [X/Y]\nschedule: {at: '09:30'}\n"),
              "p.yaml:3:12: schedule: unknown key 'at'; did you mean 'tz'?");
    EXPECT_EQ(error_of("name:\nuniverse: [X/Y]\n"),
              "p.yaml:1:1: name: expected a string, got nothing");
}

TEST_F(PipelineErrors, RiskSettings) {
    const std::string head = with_strategy_params("    fast: 5\n");
    EXPECT_EQ(error_of(head + "risk: {position_size_pct: 150}\n"),
              "p.yaml:9:27: risk.position_size_pct: must be between 1e-09 and 100, got 150");
    EXPECT_EQ(error_of(head + "risk: {quantity: -1}\n"),
              "p.yaml:9:18: risk.quantity: must be at least 1e-12, got -1");
    EXPECT_EQ(error_of(head + "risk: {quantity: 1e300}\n"),
              "p.yaml:9:18: risk.quantity: must be below 1e+15, got 1e+300");
    // The message states the real minimum, which 1e-10 is below.
    EXPECT_EQ(error_of(head + "risk: {max_drawdown_pct: 1e-10}\n"),
              "p.yaml:9:26: risk.max_drawdown_pct: must be between 1e-09 and 100, got 1e-10");
    EXPECT_EQ(error_of(head + "risk: {quantity: 1, position_size_pct: 10}\n"),
              "p.yaml:9:7: risk: give one of quantity, quote_amount, position_size_pct, "
              "risk_per_trade_pct");
    EXPECT_EQ(error_of(head + "risk: {risk_per_trade_pct: 1}\n"),
              "p.yaml:9:7: risk: risk_per_trade_pct sizes from the stop distance: set "
              "stop_loss_pct or stop_loss_atr too");
    EXPECT_EQ(error_of(head + "risk: {cooldown_after_loss: soon}\n"),
              "p.yaml:9:29: risk.cooldown_after_loss: invalid duration 'soon': expected a whole "
              "number and a unit (ms, s, m, h, d, w)");
    EXPECT_EQ(error_of(head + "risk: {allow_short: maybe}\n"),
              "p.yaml:9:21: risk.allow_short: expected true or false, got 'maybe'");
    EXPECT_EQ(error_of(head + "risk: {stop_los_pct: 2}\n"),
              "p.yaml:9:8: risk: unknown key 'stop_los_pct'; did you mean 'stop_loss_pct'?");
}

TEST_F(PipelineErrors, DurationGarbage) {
    const std::string head = "name: t\nuniverse: [BTC/USDT]\n";
    EXPECT_EQ(error_of(head + "schedule: {every: 3 minutes}\n"),
              "p.yaml:3:19: schedule.every: invalid duration '3 minutes': the unit must be one of "
              "ms, s, m, h, d, w");
    EXPECT_EQ(error_of(head + "schedule: {every: soon}\n"),
              "p.yaml:3:19: schedule.every: invalid duration 'soon': expected a whole number and a "
              "unit (ms, s, m, h, d, w)");
}

TEST_F(PipelineErrors, UniverseSymbolsAreBaseSlashQuote) {
    const std::string head = "name: t\nuniverse: [BTC/USDT, ";
    for (const std::string bad : {"BTCUSDT", "/", "BTC/", "btc/usdt", "BTC/USDT/X"})
        EXPECT_EQ(error_of(head + "'" + bad + "']\n"),
                  "p.yaml:2:22: universe[1]: expected BASE/QUOTE in capital letters and digits "
                  "(e.g. BTC/USDT), got '" +
                      bad + "'");
}

TEST_F(PipelineErrors, ASecondYamlDocumentIsRefusedWhereItStarts) {
    const std::string one = with_strategy_params("    fast: 5\n");
    EXPECT_EQ(error_of(one + "---\nmode: live\n"),
              "p.yaml:9:1: a second YAML document starts here; a pipeline file holds one");
    EXPECT_EQ(error_of(one + "--- \ngarbage: [unclosed\n"),
              "p.yaml:9:1: a second YAML document starts here; a pipeline file holds one");
    EXPECT_EQ(error_of("---\n...\n---\n" + one),
              "p.yaml:3:1: a second YAML document starts here; a pipeline file holds one");
}

TEST_F(PipelineErrors, ARecursiveAliasInAJsonParamIsNamed) {
    EXPECT_EQ(error_of(with_strategy_params("    tags: &t {a: *t}\n")),
              "p.yaml:8:11: strategy.params.tags.a: an alias refers to itself");
    EXPECT_EQ(error_of(with_strategy_params("    tags: &t [x, [*t]]\n")),
              "p.yaml:8:11: strategy.params.tags[1][0]: an alias refers to itself");
}

TEST_F(PipelineErrors, AJsonParamExpandsToABoundedSize) {
    std::string laughs = "    tags:\n      a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n";
    for (int i = 1; i <= 8; ++i) {
        const std::string prev = "*a" + std::to_string(i - 1);
        laughs += "      a" + std::to_string(i) + ": &a" + std::to_string(i) + " [";
        for (int j = 0; j < 10; ++j)
            laughs += (j ? ", " : "") + prev;
        laughs += "]\n";
    }
    EXPECT_EQ(
        error_of(with_strategy_params(laughs)),
        "p.yaml:9:43: strategy.params.tags.a4[7][8][8][8][9]: expands to more than 100000 values "
        "(aliases repeat their anchor's value)");
    const std::string deep = std::string(65, '[') + std::string(65, ']');
    EXPECT_EQ(
        error_of(with_strategy_params("    tags: " + deep + "\n")),
        "p.yaml:8:75: strategy.params.tags" +
            [] {
                std::string path;
                for (int i = 0; i < 64; ++i)
                    path += "[0]";
                return path;
            }() +
            ": nested more than 64 levels deep");
}

TEST_F(PipelineErrors, ADuplicateKeyInsideAJsonParam) {
    EXPECT_EQ(error_of(with_strategy_params("    tags: {a: {in: 1, out: 2, out: 3}}\n")),
              "p.yaml:8:31: strategy.params.tags.a: duplicate key 'out'");
}

TEST_F(PipelineErrors, ANulCharacterIsRefusedBeforeTheValueIsShown) {
    EXPECT_EQ(error_of("name: \"t\\0x\"\nuniverse: [BTC/USDT]\n"),
              "p.yaml:1:7: name: contains a NUL character (\\0)");
    EXPECT_EQ(error_of(with_strategy_params("    label: \"a.csv\\0junk\"\n")),
              "p.yaml:8:12: strategy.params.label: contains a NUL character (\\0)");
    EXPECT_EQ(error_of(with_strategy_params("    tags: [\"a\\0b\"]\n")),
              "p.yaml:8:12: strategy.params.tags[0]: contains a NUL character (\\0)");
}

TEST_F(PipelineErrors, ACoreSchemaTagReadsAsItsType) {
    EXPECT_EQ(param_of(parse(with_strategy_params("    fast: !!int 7\n")), "fast").int_value, 7);
    EXPECT_EQ(error_of(with_strategy_params("    fast: !!str 7\n")),
              "p.yaml:8:11: strategy.params.fast: expected an integer, got a string '7'");
}

TEST_F(PipelineErrors, HaltFileNamesAFile) {
    const std::string head = with_strategy_params("    fast: 5\n");
    EXPECT_EQ(error_of(head + "risk: {halt_file: ''}\n"),
              "p.yaml:9:19: risk.halt_file: must not be empty");
    EXPECT_EQ(error_of(head + "risk: {halt_file: /tmp}\n"),
              "p.yaml:9:19: risk.halt_file: '/tmp' is a directory, not a file (the run is halted "
              "while the file exists)");
    EXPECT_EQ(error_of(head + "risk: {halt_file: stop/}\n"),
              "p.yaml:9:19: risk.halt_file: '/base/stop/' is a directory, not a file (the run is "
              "halted while the file exists)");
    EXPECT_EQ(parse(head + "risk: {halt_file: stop}\n").risk.halt_file, "/base/stop");
}

TEST_F(PipelineErrors, HolidaysAreRealDates) {
    const std::string head = "name: t\nuniverse: [BTC/USDT]\n";
    EXPECT_EQ(error_of(head + "schedule: {holidays: [2026-12-25, 2026-99-99]}\n"),
              "p.yaml:3:35: schedule.holidays[1]: expected a date YYYY-MM-DD, got '2026-99-99'");
    EXPECT_EQ(error_of(head + "schedule: {triggers: [{name: a, at: '09:30', holidays: "
                              "[2026-02-31]}]}\n"),
              "p.yaml:3:57: schedule.triggers[0].holidays[0]: expected a date YYYY-MM-DD, got "
              "'2026-02-31'");
    EXPECT_EQ(error_of(head + "schedule: {holidays: [2028-02-29, 2026-02-29]}\n"),
              "p.yaml:3:35: schedule.holidays[1]: expected a date YYYY-MM-DD, got '2026-02-29'");
}

TEST_F(PipelineErrors, AReferenceKeptAsWrittenIsNamedWhenTheValueIsNeeded) {
    unsetenv("OT_TEST_NOT_SET");
    const auto kept_error = [](const std::string& yaml) -> std::string {
        try {
            parse_pipeline(yaml, "p.yaml", "/base", *registry_, UnreadReference::KeepText);
        } catch (const ConfigError& e) {
            return e.what();
        }
        return "parsed";
    };
    EXPECT_EQ(kept_error(with_strategy_params("    fast: ${OT_TEST_NOT_SET}\n")),
              "p.yaml:8:11: strategy.params.fast: environment variable OT_TEST_NOT_SET is not "
              "set");
    EXPECT_EQ(kept_error("name: t\nuniverse: [BTC/USDT]\nschedule:\n  every: ${OT_TEST_NOT_SET}\n"),
              "p.yaml:4:10: schedule.every: environment variable OT_TEST_NOT_SET is not set");
    EXPECT_EQ(kept_error(with_strategy_params("    label: ${OT_TEST_NOT_SET}\n")), "parsed");
}

}  // namespace
}  // namespace orchestrade::core
