// A pipeline's journal path that cannot be a journal: validate finds it, and run refuses it
// before anything starts, at the `journal` line, leaving the file as it is.
#include "cli_fixture.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

using namespace orchestrade::testing;
namespace fs = std::filesystem;

namespace {

std::string slurp(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

std::string with_journal(const std::string& journal) {
    std::string text = kGoodPipeline;
    return text.replace(text.find("journal: out.db"), 15, "journal: " + journal);
}

}  // namespace

TEST_F(Cli, AJournalPathThatCannotBeAJournalIsBadConfiguration) {
    fs::create_directories(dir_ / "folder.db");
    write("notes.db", "my notes\n");
    ASSERT_EQ(cli({"run", write("p.yaml", kGoodPipeline)}).exit_code, 0);
    fs::rename(dir_ / "out.db", dir_ / "journal.db");
    for (const auto& [journal, message] :
         {std::pair<std::string, std::string>{"folder.db", "folder.db' is a directory"},
          {"notes.db", "notes.db' is not a SQLite database"},
          {"q.yaml", "q.yaml' is not a SQLite database"},  // the pipeline itself
          {"notes.db/x.db",
           "notes.db/x.db': cannot write in " + (dir_ / "notes.db").string() + ": Not a directory"},
          {"/dev/null", "journal '/dev/null' is not a regular file"},
          {std::string(300, 'j') + ".db", "File name too long"}}) {
        const std::string p = write("q.yaml", with_journal(journal));
        for (const char* command : {"validate", "run"}) {
            auto r = cli({command, p});
            EXPECT_EQ(r.exit_code, 2) << command << " " << journal << "\n" << r.err;
            EXPECT_NE(r.err.find("q.yaml:4:10: "), std::string::npos) << r.err;
            EXPECT_NE(r.err.find(message), std::string::npos) << r.err;
        }
    }
    EXPECT_EQ(slurp(dir_ / "notes.db"), "my notes\n");
    // The default journal, var/<name>.db, is pointed at by the name.
    fs::create_directories(dir_ / "var" / "cli-test.db");
    std::string no_journal = kGoodPipeline;
    no_journal.erase(no_journal.find("journal: out.db\n"), 16);
    auto r = cli({"validate", write("q.yaml", no_journal)});
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_NE(r.err.find("q.yaml:2:7: "), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("cli-test.db' is a directory"), std::string::npos) << r.err;
    // A journal, an empty file and a folder still to be made are fine.
    write("empty.db", "");
    for (const char* journal : {"journal.db", "empty.db", "new/sub/j.db"})
        EXPECT_EQ(cli({"validate", write("q.yaml", with_journal(journal))}).exit_code, 0)
            << journal;
}

TEST_F(Cli, AnotherApplicationsDatabaseIsRefusedUnchanged) {
    const std::string db = (dir_ / "other.db").string();
    sqlite3* handle = nullptr;
    ASSERT_EQ(sqlite3_open(db.c_str(), &handle), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(handle, "CREATE TABLE x(a)", nullptr, nullptr, nullptr), SQLITE_OK);
    sqlite3_close(handle);
    const std::string before = slurp(db);
    const std::string p = write("p.yaml", with_journal("other.db"));
    for (const char* command : {"validate", "run"}) {
        auto r = cli({command, p});
        EXPECT_EQ(r.exit_code, 2) << command << "\n" << r.err;
        EXPECT_NE(r.err.find("p.yaml:4:10: '" + db +
                             "' is a SQLite database but not an Orchestrade journal"),
                  std::string::npos)
            << r.err;
    }
    EXPECT_EQ(slurp(db), before);  // not switched to WAL, its change counter as it was
}

// `validate` writes nothing: a journal of an older schema is checked as it is, and left for the
// run to migrate.
TEST_F(Cli, ValidateLeavesAJournalOfAnOlderSchemaAsItIs) {
    const std::string p = write("p.yaml", kGoodPipeline);
    ASSERT_EQ(cli({"run", p}).exit_code, 0);
    const std::string db = (dir_ / "out.db").string();
    auto schema_version = [&] {
        sqlite3* handle = nullptr;
        EXPECT_EQ(sqlite3_open(db.c_str(), &handle), SQLITE_OK);
        std::string version;
        sqlite3_exec(
            handle, "SELECT value FROM meta WHERE key = 'schema_version'",
            [](void* out, int, char** values, char**) {
                *static_cast<std::string*>(out) = values[0];
                return 0;
            },
            &version, nullptr);
        sqlite3_close(handle);
        return version;
    };
    const std::string current = schema_version();
    {  // as an older build left it
        sqlite3* handle = nullptr;
        ASSERT_EQ(sqlite3_open(db.c_str(), &handle), SQLITE_OK);
        ASSERT_EQ(
            sqlite3_exec(handle, "UPDATE meta SET value = value - 1 WHERE key = 'schema_version'",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
        sqlite3_close(handle);
    }
    const std::string older = slurp(db);
    ASSERT_EQ(schema_version(), std::to_string(std::stoi(current) - 1));
    auto r = cli({"validate", p});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(slurp(db), older) << "validate changed the journal";
    ASSERT_EQ(cli({"run", p}).exit_code, 0);
    EXPECT_EQ(schema_version(), current);
}
