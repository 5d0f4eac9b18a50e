// The command line's answers to bad input: exit 2 naming the option or the file, never a crash.
#include "cli_fixture.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

using namespace orchestrade::testing;
namespace fs = std::filesystem;

TEST_F(Cli, ADeletedWorkingDirectoryIsReportedNotAborted) {
    write("p.yaml", kGoodPipeline);
    for (const std::string command : {"validate p.yaml", "run p.yaml", "schedule p.yaml", "run"}) {
        fs::create_directories(dir_ / "gone");
        // The shell enters the folder and deletes it before the binary starts there.
        auto r = run_process({"/bin/sh", "-c", "cd gone && rmdir ../gone && exec \"$0\" " + command,
                              ORCHESTRADE_CLI},
                             dir_.string());
        EXPECT_EQ(r.exit_code, 2) << command << "\n" << r.err;
        EXPECT_EQ(r.err.find("terminate called"), std::string::npos) << command << "\n" << r.err;
        EXPECT_NE(r.err.find(command == "run" ? "working directory" : "p.yaml: cannot read"),
                  std::string::npos)
            << command << "\n"
            << r.err;
    }
}
