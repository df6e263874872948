// The subcommands of the `refpol` binary. Only cli/ prints or chooses an exit code.
#pragma once
#include <optional>
#include <string>
#include <vector>

namespace refpol::cli {

// Exit codes shared by every subcommand (docs/cli.md).
inline constexpr int kExitOk = 0;
inline constexpr int kExitFindings = 1;  // errors in the input, failing tests, unformatted files
inline constexpr int kExitUsage = 2;     // bad arguments or unreadable files

int run(const std::vector<std::string>& args);

struct CheckOptions {
  std::vector<std::string> files;
  std::string format = "text";
};
int run_check(const CheckOptions& options);

struct FmtOptions {
  std::vector<std::string> files;
  bool write = false;
  bool check = false;
};
int run_fmt(const FmtOptions& options);

struct EvalCmdOptions {
  std::string policy;
  std::string facts = "-";
  std::string now;
  bool explain = false;
  bool jsonl = false;
  std::string format = "json";
};
int run_eval(const EvalCmdOptions& options);

struct SimulateCmdOptions {
  std::string policy, events, from, to, baseline, out;
  std::string bad_events = "stop";
};
int run_simulate(const SimulateCmdOptions& options);

struct SchemaCmdOptions {
  std::string policy;
};
int run_schema(const SchemaCmdOptions& options);

struct ServeCmdOptions {
  std::string policy;
  std::string host = "127.0.0.1";
  int port = 8080;
  unsigned threads = 0;
  std::size_t max_body_bytes = 0;   // 0: the default of serve/service.hpp
  std::size_t max_batch_items = 0;  // 0: the default
  unsigned keep_alive_seconds = 5;
};
int run_serve(const ServeCmdOptions& options);

struct TestCmdOptions {
  std::vector<std::string> paths;  // test files or folders; none: the current folder
  std::vector<std::string> filters;
  bool coverage = false;
  std::optional<double> min_coverage;  // percent; below it on any policy, exit 1
  std::string lcov;   // write LCOV coverage here
  std::string junit;  // write JUnit XML here
};
int run_test(const TestCmdOptions& options);

}  // namespace refpol::cli
