// Shared test helpers: files, golden updates, and running the CLI as a child process.
#include "tests/support/test_support.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace refpol::testing {

std::filesystem::path source_dir() { return REFPOL_SOURCE_DIR; }

std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void write_text(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
}

std::vector<std::filesystem::path> files_with_suffix(const std::filesystem::path& dir,
                                                     const std::string& suffix) {
  std::vector<std::filesystem::path> out;
  if (!std::filesystem::exists(dir)) return out;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
    std::string name = e.path().filename().string();
    if (e.is_regular_file() && name.size() >= suffix.size() &&
        name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0) {
      out.push_back(e.path());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string relative(const std::filesystem::path& path) {
  return std::filesystem::relative(path, source_dir()).generic_string();
}

bool update_golden() {
  const char* v = std::getenv("REFPOL_UPDATE_GOLDEN");
  return v && std::string(v) == "1";
}

namespace {
std::string drain(int fd) {
  std::string s;
  struct stat st {};
  if (fstat(fd, &st) == 0 && st.st_size > 0) s.reserve(static_cast<std::size_t>(st.st_size));  // one allocation
  char buf[65536];
  ssize_t n;
  while ((n = read(fd, buf, sizeof buf)) > 0) s.append(buf, static_cast<std::size_t>(n));
  return s;
}
}  // namespace

RunResult run_refpol(const std::vector<std::string>& args, const std::string& input,
                     std::size_t address_space_bytes) {
  // Output goes to temporary files so a large output cannot deadlock the pipes.
  char out_name[] = "/tmp/refpol-test-out-XXXXXX";
  char err_name[] = "/tmp/refpol-test-err-XXXXXX";
  char in_name[] = "/tmp/refpol-test-in-XXXXXX";
  int out_fd = mkstemp(out_name), err_fd = mkstemp(err_name), in_fd = mkstemp(in_name);
  if (out_fd < 0 || err_fd < 0 || in_fd < 0) throw std::runtime_error("mkstemp failed");
  if (!input.empty() && write(in_fd, input.data(), input.size()) != static_cast<ssize_t>(input.size()))
    throw std::runtime_error("write failed");
  lseek(in_fd, 0, SEEK_SET);
  pid_t pid = fork();
  if (pid == 0) {
    dup2(in_fd, 0);
    dup2(out_fd, 1);
    dup2(err_fd, 2);
    if (chdir(REFPOL_SOURCE_DIR) != 0) _exit(127);
    if (address_space_bytes != 0) {
      rlimit limit{address_space_bytes, address_space_bytes};
      if (setrlimit(RLIMIT_AS, &limit) != 0) _exit(127);
    }
    std::vector<char*> argv;
    std::string bin = REFPOL_BINARY;
    argv.push_back(bin.data());
    std::vector<std::string> copy = args;
    for (auto& a : copy) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(bin.c_str(), argv.data());
    _exit(127);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  RunResult r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  lseek(out_fd, 0, SEEK_SET);
  lseek(err_fd, 0, SEEK_SET);
  r.out = drain(out_fd);
  r.err = drain(err_fd);
  close(out_fd);
  close(err_fd);
  close(in_fd);
  unlink(out_name);
  unlink(err_name);
  unlink(in_name);
  return r;
}

std::vector<std::string> generated_history(const std::string& flags) {
  std::vector<std::string> lines;
  FILE* pipe = popen((std::string(REFPOL_GEN_HISTORY) + " " + flags + " 2>/dev/null").c_str(), "r");
  if (!pipe) return lines;
  std::string text;
  char buf[1 << 16];
  std::size_t n;
  while ((n = fread(buf, 1, sizeof buf, pipe)) > 0) text.append(buf, n);
  pclose(pipe);
  for (std::size_t at = 0; at < text.size();) {
    std::size_t end = text.find('\n', at);
    if (end == std::string::npos) end = text.size();
    lines.push_back(text.substr(at, end - at));
    at = end + 1;
  }
  return lines;
}

}  // namespace refpol::testing
