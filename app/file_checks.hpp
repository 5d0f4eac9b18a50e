// Checks of the files a command names, made before anything is opened for writing. Each returns
// why the file cannot be used, or an empty string when it can.
#pragma once

#include <string>

namespace orchestrade::cli {

// True when the file exists and starts as a SQLite database does (a journal or another one).
bool is_sqlite_file(const std::string& path);

// The first folder of `dir` and its parents that exists, when files cannot be made in it: "plain:
// Not a directory". Empty when they can (the folders below it can then be created).
std::string folder_problem(const std::string& dir);

// Why `run` could not keep its journal at `path`: a path too long, a directory, a file that is
// not a journal (opened read-only to see; a journal of an older schema is upgraded, as by
// report), a file or a folder that cannot be written. Empty when it can (an empty or missing
// file becomes a new journal).
std::string pipeline_journal_problem(const std::string& path);

// A journal that report, halt and resume read: it must exist and be a file.
std::string existing_journal_problem(const std::string& path);

// The page report --html writes: never the journal it reads (by any name), its companion files
// or another SQLite database, and not a directory.
std::string html_target_problem(const std::string& html, const std::string& journal);

}  // namespace orchestrade::cli
