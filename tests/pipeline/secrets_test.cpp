// Secret params come from ${ENV} or ${file:...} (mode 0600), never from the file itself, and
// their values never appear in a message.
#include <gtest/gtest.h>

#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "pipeline_fixture.hpp"
#include "plugin_test_support.hpp"

namespace orchestrade::core {
namespace {

namespace fs = std::filesystem;

class Secrets : public PipelineTest {
  protected:
    std::string write_key(const std::string& name, const std::string& content, mode_t mode) {
        const fs::path file = dir_ / name;
        std::ofstream(file) << content;
        chmod(file.c_str(), mode);
        return file.string();
    }
    static std::string api_key(const std::string& yaml_value) {
        return with_strategy_params("    api_key: " + yaml_value + "\n");
    }
    static const ParamValue& key_param(const Pipeline& p) { return p.strategy.params.back(); }

    testing::TempDir temp_;
    const fs::path& dir_ = temp_.path();
};

TEST_F(Secrets, LiteralSecretIsRefusedWithoutShowingIt) {
    const std::string message = error_of(api_key("sk-live-123"));
    EXPECT_EQ(message,
              "p.yaml:8:14: strategy.params.api_key: secrets must come from ${ENV} or "
              "${file:...}, not from the pipeline file");
    EXPECT_EQ(message.find("sk-live-123"), std::string::npos);
    EXPECT_EQ(error_of(api_key("\"sk-${OT_TEST_SUFFIX}\"")),
              "p.yaml:8:14: strategy.params.api_key: secrets must come from ${ENV} or "
              "${file:...}, not from the pipeline file");
}

TEST_F(Secrets, FromTheEnvironment) {
    setenv("OT_TEST_SECRET", "sk-env", 1);
    const Pipeline p = parse(api_key("${OT_TEST_SECRET}"));
    EXPECT_EQ(key_param(p).key, "api_key");
    EXPECT_TRUE(key_param(p).secret);
    EXPECT_EQ(key_param(p).string_value, "sk-env");
    unsetenv("OT_TEST_SECRET");
}

TEST_F(Secrets, AnEmptyVariableIsReportedAtTheParameter) {
    setenv("OT_TEST_EMPTY_SECRET", "", 1);
    EXPECT_EQ(error_of(api_key("${OT_TEST_EMPTY_SECRET}")),
              "p.yaml:8:14: strategy.params.api_key: environment variable OT_TEST_EMPTY_SECRET "
              "is empty");
    unsetenv("OT_TEST_EMPTY_SECRET");
}

TEST_F(Secrets, FromAPrivateFileWithoutTheTrailingNewline) {
    const std::string file = write_key("key", "sk-file\n", 0600);
    const Pipeline p = parse(api_key("${file:" + file + "}"));
    EXPECT_EQ(key_param(p).string_value, "sk-file");
}

TEST_F(Secrets, RelativeFileIsResolvedAgainstThePipelinesFolder) {
    write_key("key", "sk-relative\r\n", 0400);
    const Pipeline p = parse_pipeline(api_key("${file:key}"), "p.yaml", dir_.string(), *registry_);
    EXPECT_EQ(key_param(p).string_value, "sk-relative");
}

TEST_F(Secrets, AnEmptyFileIsReportedAtTheParameter) {
    const std::string file = write_key("key", "\n", 0600);
    EXPECT_EQ(error_of(api_key("${file:" + file + "}")),
              "p.yaml:8:14: strategy.params.api_key: '" + file + "' is empty");
}

TEST_F(Secrets, FileReadableByOthersIsRefused) {
    const std::string file = write_key("key", "sk-file\n", 0644);
    const std::string message = error_of(api_key("${file:" + file + "}"));
    EXPECT_EQ(message,
              "p.yaml:8:14: strategy.params.api_key: '" + file + "' must have mode 0600, not 0644");
    EXPECT_EQ(message.find("sk-file"), std::string::npos);
}

TEST_F(Secrets, MissingFile) {
    const std::string file = (dir_ / "absent").string();
    EXPECT_EQ(error_of(api_key("${file:" + file + "}")),
              "p.yaml:8:14: strategy.params.api_key: cannot read '" + file +
                  "': No such file or directory");
}

TEST(SecretValues, ConversionErrorsDoNotShowThem) {
    ParamSpec spec;
    spec.key = "account";
    spec.type = OT_PARAM_INT;
    spec.flags = OT_PARAM_SECRET;
    spec.min_value = 1;
    spec.max_value = 10;
    try {
        param_from_text(spec, "acct-991");
        FAIL();
    } catch (const std::invalid_argument& e) {
        EXPECT_STREQ(e.what(), "expected an integer");
    }
    try {
        param_from_text(spec, "991");
        FAIL();
    } catch (const std::invalid_argument& e) {
        EXPECT_STREQ(e.what(), "must be between 1 and 10");
    }
    EXPECT_TRUE(param_from_text(spec, "7").secret);
}

}  // namespace
}  // namespace orchestrade::core
