// Starts the real `refpol serve` as a child process for the HTTP tests: waits for its
// `listening on HOST:PORT` line, sends it signals, and collects its exit code and stderr log.
#pragma once
#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace refpol::testing {

class ServerProcess {
 public:
  // Runs `refpol serve --port 0 ARGS...` from the source dir. started() tells whether it printed
  // its listening line within `timeout`; first_line() is what it printed instead when it did not.
  explicit ServerProcess(const std::vector<std::string>& args,
                         std::chrono::milliseconds timeout = std::chrono::seconds(20));
  ~ServerProcess();  // SIGKILL if still running
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  bool started() const { return port_ > 0; }
  int port() const { return port_; }
  const std::string& first_line() const { return first_line_; }
  void signal(int sig) const;
  // Waits for the process to exit; its exit code (128 + signal when killed), or nullopt when it
  // is still running after `timeout`.
  std::optional<int> wait(std::chrono::milliseconds timeout);
  bool running();
  // Everything written to stderr so far (the JSON log lines).
  std::string log() const;

 private:
  pid_t pid_ = -1;
  int port_ = 0;
  std::string first_line_;
  std::string log_path_;
  std::optional<int> exit_code_;
};

}  // namespace refpol::testing
