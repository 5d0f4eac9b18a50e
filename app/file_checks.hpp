// Checks of the files a command names, made before anything is opened for writing. Each returns
// why the file cannot be used, or an empty string when it can.
#pragma once

#include <string>

namespace orchestrade::cli {

// True when the file exists and starts as a SQLite database does (a journal or another one).
bool is_sqlite_file(const std::string& path);

// A journal that report, halt and resume read: it must exist and be a file.
std::string existing_journal_problem(const std::string& path);

// The page report --html writes: never the journal it reads (by any name), its companion files
// or another SQLite database, and not a directory.
std::string html_target_problem(const std::string& html, const std::string& journal);

}  // namespace orchestrade::cli
