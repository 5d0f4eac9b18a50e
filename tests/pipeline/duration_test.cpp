// Durations in pipelines and on the command line: "<positive integer><unit>".
#include <orchestrade/core/pipeline.hpp>

#include <gtest/gtest.h>

#include <stdexcept>

namespace orchestrade::core {
namespace {

TEST(Duration, EveryUnit) {
    EXPECT_EQ(parse_duration_ms("500ms"), 500);
    EXPECT_EQ(parse_duration_ms("30s"), 30'000);
    EXPECT_EQ(parse_duration_ms("3m"), 180'000);
    EXPECT_EQ(parse_duration_ms("4h"), 14'400'000);
    EXPECT_EQ(parse_duration_ms("1d"), 86'400'000);
    EXPECT_EQ(parse_duration_ms("2w"), 1'209'600'000);
}

TEST(Duration, GarbageIsRejected) {
    for (const char* text : {"", "m", "3", "3 m", "3M", "1.5h", "-1m", "+1m", "0s", "3mm", "h1",
                             "99999999999999999999s", "9999999999999999w"})
        EXPECT_THROW(parse_duration_ms(text), std::invalid_argument) << text;
}

TEST(Duration, MessageSaysWhatIsExpected) {
    try {
        parse_duration_ms("0s");
        FAIL();
    } catch (const std::invalid_argument& e) {
        EXPECT_STREQ(e.what(), "invalid duration '0s': must be greater than zero");
    }
}

}  // namespace
}  // namespace orchestrade::core
