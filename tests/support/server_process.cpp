// The child-process side of the HTTP tests: fork/exec of `refpol serve` with stdout on a pipe
// (for the listening line) and stderr in a temporary file (the log).
#include "tests/support/server_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <stdexcept>
#include <thread>

#include "tests/support/test_support.hpp"

namespace refpol::testing {

ServerProcess::ServerProcess(const std::vector<std::string>& args, std::chrono::milliseconds timeout) {
  char log_name[] = "/tmp/refpol-serve-log-XXXXXX";
  int log_fd = mkstemp(log_name);
  if (log_fd < 0) throw std::runtime_error("mkstemp failed");
  log_path_ = log_name;
  int out[2];
  if (pipe(out) != 0) throw std::runtime_error("pipe failed");
  pid_ = fork();
  if (pid_ == 0) {
    dup2(out[1], 1);
    dup2(log_fd, 2);
    close(out[0]);
    if (chdir(REFPOL_SOURCE_DIR) != 0) _exit(127);
    std::vector<std::string> all = {REFPOL_BINARY, "serve", "--port", "0"};
    all.insert(all.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : all) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  close(out[1]);
  close(log_fd);
  // Read the first line, byte by byte, until the deadline.
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::string line;
  while (std::chrono::steady_clock::now() < deadline) {
    pollfd p{out[0], POLLIN, 0};
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (poll(&p, 1, static_cast<int>(std::max<long>(1, left.count()))) <= 0) continue;
    char c = 0;
    if (read(out[0], &c, 1) != 1) break;  // the process closed stdout (it exited)
    if (c == '\n') break;
    line += c;
  }
  close(out[0]);
  first_line_ = line;
  const std::string prefix = "listening on ";
  if (line.rfind(prefix, 0) == 0) {
    auto colon = line.rfind(':');
    if (colon != std::string::npos) port_ = std::atoi(line.c_str() + colon + 1);
  }
}

ServerProcess::~ServerProcess() {
  if (pid_ > 0 && !exit_code_) {
    kill(pid_, SIGKILL);
    int status = 0;
    waitpid(pid_, &status, 0);
  }
  if (!log_path_.empty()) unlink(log_path_.c_str());
}

void ServerProcess::signal(int sig) const {
  if (pid_ > 0) kill(pid_, sig);
}

std::optional<int> ServerProcess::wait(std::chrono::milliseconds timeout) {
  if (exit_code_) return exit_code_;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    int status = 0;
    pid_t r = waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
      exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      return exit_code_;
    }
    if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

bool ServerProcess::running() { return !wait(std::chrono::milliseconds(0)).has_value(); }

std::string ServerProcess::log() const { return read_text(log_path_); }

}  // namespace refpol::testing
