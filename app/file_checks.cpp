#include "file_checks.hpp"

#include <orchestrade/core/journal.hpp>

#include <unistd.h>
#include <climits>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

namespace fs = std::filesystem;

namespace orchestrade::cli {

std::string folder_problem(const std::string& folder) {
    std::error_code ec;
    fs::path dir = folder.empty() ? "." : folder;
    while (!fs::exists(dir, ec))
        dir = dir.has_parent_path() ? dir.parent_path() : ".";
    if (!fs::is_directory(dir, ec)) return dir.string() + ": " + std::strerror(ENOTDIR);
    if (::access(dir.c_str(), W_OK | X_OK) != 0) return dir.string() + ": " + std::strerror(errno);
    return {};
}

std::string pipeline_journal_problem(const std::string& path) {
    const std::string journal = "journal '" + path + "'";
    for (const fs::path& part : fs::path(path))
        if (part.string().size() > NAME_MAX) return journal + ": " + std::strerror(ENAMETOOLONG);
    std::error_code ec;
    const fs::file_status status = fs::status(path, ec);
    if (fs::is_directory(status)) return journal + " is a directory";
    if (const std::string problem = folder_problem(fs::path(path).parent_path().string());
        !problem.empty())
        return journal + ": cannot write in " + problem;
    if (!fs::exists(status)) return {};
    if (!fs::is_regular_file(status)) return journal + " is not a regular file";
    if (::access(path.c_str(), W_OK) != 0) return journal + ": " + std::strerror(errno);
    if (fs::file_size(path, ec) == 0) return {};
    try {
        core::Journal::check(path);
    } catch (const std::exception& e) {
        return e.what();
    }
    return {};
}

bool is_sqlite_file(const std::string& path) {
    static constexpr char kMagic[] = "SQLite format 3";  // 16 bytes with its NUL
    char head[sizeof kMagic] = {};
    std::ifstream in(path, std::ios::binary);
    return in.read(head, sizeof head) && std::memcmp(head, kMagic, sizeof kMagic) == 0;
}

std::string existing_journal_problem(const std::string& path) {
    std::error_code ec;
    const fs::file_status status = fs::status(path, ec);
    if (!fs::exists(status)) return "no journal at " + path;
    if (fs::is_directory(status)) return path + " is a directory, not a journal";
    return {};
}

std::string html_target_problem(const std::string& html, const std::string& journal) {
    if (html.empty()) return "--html needs a file name";
    std::error_code ec;
    // By name too: a -wal file not made yet is still the journal's, and SQLite would take the
    // report for a broken one and delete it.
    const fs::path target = fs::weakly_canonical(html, ec);
    for (const char* suffix : {"", "-wal", "-shm", "-journal"})
        if (fs::equivalent(html, journal + suffix, ec) ||
            target == fs::weakly_canonical(journal + suffix, ec))
            return "--html " + html + " would overwrite the journal " + journal + suffix;
    if (const std::string problem = folder_problem(fs::path(html).parent_path().string());
        !problem.empty())
        return "--html " + html + ": cannot write in " + problem;
    if (!fs::exists(html, ec)) return {};
    if (fs::is_directory(html, ec)) return "--html " + html + ": " + std::strerror(EISDIR);
    if (is_sqlite_file(html))
        return "--html " + html + " is a SQLite database (a journal?); it is not overwritten";
    return {};
}

}  // namespace orchestrade::cli
