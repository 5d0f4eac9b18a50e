// Runs the orchestrade binary as a child process for CLI tests.
#pragma once

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>
#include <csignal>

#include <chrono>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace orchestrade::testing {

struct ProcessResult {
    int exit_code = -1;  // -1 when killed by a signal
    std::string out, err;
};

class Process {
  public:
    // Starts `args` in `cwd`; stdout and stderr go to files read back by wait().
    Process(const std::vector<std::string>& args, const std::string& cwd,
            const std::vector<std::string>& extra_env = {})
        : out_path_(cwd + "/.stdout-" + std::to_string(counter())),
          err_path_(cwd + "/.stderr-" + std::to_string(counter()++)) {
        std::vector<char*> argv;
        for (const auto& a : args)
            argv.push_back(const_cast<char*>(a.c_str()));
        argv.push_back(nullptr);
        std::vector<std::string> env_store;
        for (char** e = environ; *e; ++e)
            env_store.emplace_back(*e);
        for (const auto& e : extra_env)
            env_store.push_back(e);
        std::vector<char*> envp;
        for (auto& e : env_store)
            envp.push_back(e.data());
        envp.push_back(nullptr);

        posix_spawn_file_actions_t fa;
        posix_spawn_file_actions_init(&fa);
        posix_spawn_file_actions_addopen(&fa, 1, out_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                         0644);
        posix_spawn_file_actions_addopen(&fa, 2, err_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                         0644);
        posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
        posix_spawn_file_actions_addchdir_np(&fa, cwd.c_str());
        int rc = posix_spawn(&pid_, argv[0], &fa, nullptr, argv.data(), envp.data());
        posix_spawn_file_actions_destroy(&fa);
        if (rc != 0) throw std::runtime_error("cannot start " + args[0]);
    }

    void signal(int sig) { ::kill(pid_, sig); }

    ProcessResult wait() {
        int status = 0;
        waitpid(pid_, &status, 0);
        return result(status);
    }

    // wait(), but killed (SIGKILL) when it has not ended within `limit`.
    ProcessResult wait_at_most(std::chrono::milliseconds limit) {
        const auto deadline = std::chrono::steady_clock::now() + limit;
        int status = 0;
        while (waitpid(pid_, &status, WNOHANG) == 0) {
            if (std::chrono::steady_clock::now() > deadline) {
                signal(SIGKILL);
                return wait();
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        return result(status);
    }

  private:
    ProcessResult result(int status) const {
        ProcessResult r;
        r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        r.out = slurp(out_path_);
        r.err = slurp(err_path_);
        return r;
    }
    static int& counter() {
        static int n = 0;
        return n;
    }
    static std::string slurp(const std::string& path) {
        std::ifstream in(path);
        std::stringstream s;
        s << in.rdbuf();
        return s.str();
    }
    pid_t pid_ = -1;
    std::string out_path_, err_path_;
};

inline ProcessResult run_process(const std::vector<std::string>& args, const std::string& cwd,
                                 const std::vector<std::string>& env = {}) {
    return Process(args, cwd, env).wait();
}

}  // namespace orchestrade::testing
