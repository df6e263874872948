// Running policy tests: find the `*.test.yaml` files, compile each policy once, evaluate every
// case through the library and compare its decision with the case's expectations.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "interpreter/testing/coverage.hpp"
#include "interpreter/testing/expect.hpp"

namespace refpol::policytest {

struct RunOptions {
  std::vector<std::string> paths;    // test files or folders (searched recursively); none: "."
  std::vector<std::string> filters;  // run only cases whose name contains one (or matches a glob)
  bool coverage = false;             // evaluate with explanations and record coverage
};

struct CaseResult {
  enum class Outcome : std::uint8_t { passed, failed, skipped } outcome = Outcome::passed;
  std::string name;
  std::string where;  // `path:line:col` of its name
  std::uint32_t line = 0;
  std::string skip_reason;
  std::vector<Failure> failures;  // expectations the decision did not meet
  std::string errors;  // problems that stopped the case: its test file entries, facts, `now`
};

struct FileResult {
  std::string path;
  std::string policy;
  // A file whose problems stop it as a whole (bad YAML, unknown top-level keys, a policy that
  // cannot be found or does not compile) holds one failed case, named after the file.
  std::vector<CaseResult> cases;
};

struct RunResult {
  std::vector<FileResult> files;
  std::vector<std::unique_ptr<Coverage>> coverage;  // one per policy, in order of first use
  std::vector<std::string> usage_errors;            // `refpol: error: ...` lines: paths, I/O
  bool io_error = false;  // a file (test, policy, facts) could not be read
  std::size_t passed = 0, failed = 0, skipped = 0;
};

RunResult run_tests(const RunOptions& options);

// Exactly `N passed, M failed`, then `, K skipped` when any were skipped.
std::string summary_line(const RunResult& result);

// Whether `name` is selected by a filter: a substring, or with `*` / `?` a glob on the whole name.
bool filter_matches(const std::string& filter, const std::string& name);

// Inline facts (a YAML mapping in the test file) as YAML text for the facts loader: one line of
// flow YAML that keeps every scalar plain or quoted as it was written.
std::string inline_facts_text(const YAML::Node& facts);

}  // namespace refpol::policytest
