#include "file_checks.hpp"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

namespace fs = std::filesystem;

namespace orchestrade::cli {

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
    std::error_code ec;
    if (!fs::exists(html, ec)) return {};
    if (fs::is_directory(html, ec)) return "--html " + html + ": " + std::strerror(EISDIR);
    for (const char* suffix : {"", "-wal", "-shm", "-journal"})
        if (fs::equivalent(html, journal + suffix, ec))
            return "--html " + html + " would overwrite the journal " + journal + suffix;
    if (is_sqlite_file(html))
        return "--html " + html + " is a SQLite database (a journal?); it is not overwritten";
    return {};
}

}  // namespace orchestrade::cli
