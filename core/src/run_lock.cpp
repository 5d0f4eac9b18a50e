#include <orchestrade/core/run_lock.hpp>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <stdexcept>
#include <thread>

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

namespace orchestrade::core {

RunLock::RunLock(const std::string& journal_path) : path_(journal_path) {
    fd_ = ::open(journal_path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_ < 0)
        throw std::runtime_error("cannot open journal '" + journal_path +
                                 "' to lock it: " + std::strerror(errno));
    // A few tries: held() by a `report` holds it for a moment too.
    int error = 0;
    for (int attempt = 0; attempt < 20; ++attempt) {
        if (::flock(fd_, LOCK_EX | LOCK_NB) == 0) return;
        error = errno;
        if (error != EWOULDBLOCK) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(25));
    }
    ::close(fd_);
    if (error == EWOULDBLOCK)
        throw std::runtime_error("journal '" + journal_path +
                                 "' is in use by another run; stop that one first (two runs on "
                                 "one journal would trade the same bars twice)");
    throw std::runtime_error("cannot lock journal '" + journal_path + "': " + std::strerror(error));
}

RunLock::~RunLock() {
    ::close(fd_);  // releases the lock
}

bool RunLock::still_in_place() const {
    struct stat locked {
    }, named{};
    if (::fstat(fd_, &locked) != 0) return false;
    if (::stat(path_.c_str(), &named) != 0) return errno != ENOENT && errno != ENOTDIR;
    return locked.st_dev == named.st_dev && locked.st_ino == named.st_ino;
}

bool RunLock::deleted() const {
    struct stat locked {
    }, named{};
    return ::fstat(fd_, &locked) == 0 && locked.st_nlink == 0 &&
           ::stat(path_.c_str(), &named) != 0 && errno == ENOENT;
}

bool RunLock::held(const std::string& journal_path) {
    const int fd = ::open(journal_path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return false;
    const bool free = ::flock(fd, LOCK_EX | LOCK_NB) == 0;  // released again by close
    ::close(fd);
    return !free;
}

}  // namespace orchestrade::core
