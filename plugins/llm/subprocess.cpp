#include "subprocess.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

extern char** environ;

namespace orchestrade::llm {
namespace {

class Fd {
  public:
    Fd() = default;
    explicit Fd(int fd) : fd_(fd) {}
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    ~Fd() { reset(); }
    int get() const { return fd_; }
    void reset(int fd = -1) {
        if (fd_ >= 0) ::close(fd_);
        fd_ = fd;
    }

  private:
    int fd_ = -1;
};

struct Pipe {
    Fd read, write;
    bool open() {
        int fds[2];
        if (::pipe2(fds, O_CLOEXEC) != 0) return false;
        read.reset(fds[0]);
        write.reset(fds[1]);
        return true;
    }
};

std::string system_error(const char* what) {
    return std::string(what) + ": " + std::strerror(errno);
}

// Writes to a pipe whose reader may be gone without dying of SIGPIPE: the signal is blocked for
// this thread during the write and a pending one is taken back.
ssize_t write_without_sigpipe(int fd, const char* data, std::size_t len) {
    sigset_t pipe_set, old;
    sigemptyset(&pipe_set);
    sigaddset(&pipe_set, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_set, &old);
    ssize_t n = ::write(fd, data, len);
    if (n < 0 && errno == EPIPE) {
        int saved = errno;
        timespec zero{0, 0};
        sigtimedwait(&pipe_set, nullptr, &zero);
        errno = saved;
    }
    pthread_sigmask(SIG_SETMASK, &old, nullptr);
    return n;
}

void set_nonblocking(int fd) {
    ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
}

void record_status(int status, ProcessResult& r) {
    if (WIFEXITED(status)) r.exit_code = WEXITSTATUS(status);
    if (WIFSIGNALED(status)) r.term_signal = WTERMSIG(status);
}

pid_t spawn(const std::vector<std::string>& argv, const std::string& dir, Pipe& in, Pipe& out,
            Pipe& err, std::string& error) {
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, in.read.get(), 0);
    posix_spawn_file_actions_adddup2(&actions, out.write.get(), 1);
    posix_spawn_file_actions_adddup2(&actions, err.write.get(), 2);
    if (!dir.empty()) posix_spawn_file_actions_addchdir_np(&actions, dir.c_str());
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    sigset_t none, pipe_default;
    sigemptyset(&none);
    sigemptyset(&pipe_default);
    sigaddset(&pipe_default, SIGPIPE);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setsigdefault(&attr, &pipe_default);
    posix_spawnattr_setpgroup(&attr, 0);
    posix_spawnattr_setflags(
        &attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP);
    std::vector<char*> args;
    for (const std::string& a : argv)
        args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    pid_t pid = -1;
    int rc = posix_spawnp(&pid, args[0], &actions, &attr, args.data(), environ);
    posix_spawnattr_destroy(&attr);
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) {
        error = "cannot start '" + argv[0] + "': " + std::strerror(rc);
        return -1;
    }
    return pid;
}

}  // namespace

ProcessResult run_process(const std::vector<std::string>& argv, const std::string& input,
                          uint32_t timeout_ms, const std::string& dir, const ProcessWatch* watch,
                          std::size_t max_output) {
    ProcessResult r;
    if (argv.empty()) {
        r.error = "no command to run";
        return r;
    }
    Pipe in, out, err;
    if (!in.open() || !out.open() || !err.open()) {
        r.error = system_error("pipe");
        return r;
    }
    Fd timer(::timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC));
    if (timer.get() < 0) {
        r.error = system_error("timerfd_create");
        return r;
    }
    itimerspec limit{};
    limit.it_value.tv_sec = timeout_ms / 1000;
    limit.it_value.tv_nsec = static_cast<long>(timeout_ms % 1000) * 1000000L;
    if (timeout_ms == 0) limit.it_value.tv_nsec = 1;

    pid_t pid = spawn(argv, dir, in, out, err, r.error);
    if (pid < 0) return r;
    r.started = true;
    if (watch) watch->started(pid);
    in.read.reset();
    out.write.reset();
    err.write.reset();
    Fd process(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
    bool exited = false;
    auto reaped = [&] {
        exited = true;
        if (watch) watch->ended(pid);
    };
    auto kill_group = [&] {
        ::kill(-pid, SIGKILL);
        int status = 0;
        if (!exited && ::waitpid(pid, &status, 0) == pid) record_status(status, r);
        if (!exited) reaped();
    };
    if (process.get() < 0) {
        r.error = system_error("pidfd_open");
        kill_group();
        return r;
    }
    ::timerfd_settime(timer.get(), 0, &limit, nullptr);
    set_nonblocking(in.write.get());
    set_nonblocking(out.read.get());
    set_nonblocking(err.read.get());

    std::size_t written = 0;
    if (input.empty()) in.write.reset();
    while (!exited || out.read.get() >= 0 || err.read.get() >= 0) {
        pollfd fds[5];
        nfds_t n = 0;
        auto poll_for = [&](int fd, short events) {
            if (fd >= 0) fds[n++] = {fd, events, 0};
        };
        poll_for(timer.get(), POLLIN);
        poll_for(in.write.get(), POLLOUT);
        poll_for(out.read.get(), POLLIN);
        poll_for(err.read.get(), POLLIN);
        if (!exited) poll_for(process.get(), POLLIN);
        if (::poll(fds, n, watch ? ProcessWatch::kStopPollMs : -1) < 0 && errno != EINTR) {
            r.error = system_error("poll");
            kill_group();
            return r;
        }
        if (watch && watch->stop_requested()) {
            r.stopped = true;
            kill_group();
            return r;
        }
        for (nfds_t i = 0; i < n; ++i) {
            if (!fds[i].revents) continue;
            int fd = fds[i].fd;
            if (fd == timer.get()) {
                r.timed_out = true;
                kill_group();
                return r;
            }
            if (fd == in.write.get()) {
                ssize_t k =
                    write_without_sigpipe(fd, input.data() + written, input.size() - written);
                if (k > 0) written += static_cast<std::size_t>(k);
                if ((k < 0 && errno != EAGAIN && errno != EINTR) || written == input.size())
                    in.write.reset();
            } else if (fd == out.read.get() || fd == err.read.get()) {
                char buf[65536];
                ssize_t k = ::read(fd, buf, sizeof buf);
                if (k > 0) {
                    (fd == out.read.get() ? r.out : r.err).append(buf, static_cast<std::size_t>(k));
                    if (r.out.size() + r.err.size() > max_output) {
                        r.output_too_large = true;
                        kill_group();
                        return r;
                    }
                } else if (k == 0 || (errno != EAGAIN && errno != EINTR)) {
                    (fd == out.read.get() ? out.read : err.read).reset();
                }
            } else if (fd == process.get()) {
                int status = 0;
                if (::waitpid(pid, &status, WNOHANG) == pid) {
                    record_status(status, r);
                    reaped();
                }
            }
        }
    }
    return r;
}

}  // namespace orchestrade::llm
