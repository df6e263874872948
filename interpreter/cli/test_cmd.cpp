// `refpol test`: runs the `*.test.yaml` cases, prints a report ending in `N passed, M failed`,
// and writes JUnit XML and LCOV coverage when asked. Exit 0 all passed, 1 some failed, 2 usage
// or I/O problems (docs/testing.md).
#include <fmt/format.h>

#include <cstdio>
#include <fstream>

#include "interpreter/cli/commands.hpp"
#include "interpreter/testing/report.hpp"
#include "interpreter/testing/runner.hpp"

namespace refpol::cli {
namespace {

bool write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) return false;
  out << text;
  out.close();
  return static_cast<bool>(out);
}

}  // namespace

int run_test(const TestCmdOptions& o) {
  policytest::RunOptions options;
  options.paths = o.paths;
  options.filters = o.filters;
  options.coverage = o.coverage || o.min_coverage || !o.lcov.empty();
  policytest::RunResult result = policytest::run_tests(options);

  bool io_error = result.io_error;
  for (const auto& e : result.usage_errors) std::fputs((e + "\n").c_str(), stderr);
  if (!o.junit.empty() && !write_file(o.junit, policytest::render_junit(result))) {
    std::fputs(fmt::format("refpol: error: cannot write `{}`\n", o.junit).c_str(), stderr);
    io_error = true;
  }
  if (!o.lcov.empty()) {
    std::vector<const policytest::Coverage*> all;
    for (const auto& c : result.coverage) all.push_back(c.get());
    if (!write_file(o.lcov, policytest::render_lcov(all))) {
      std::fputs(fmt::format("refpol: error: cannot write `{}`\n", o.lcov).c_str(), stderr);
      io_error = true;
    }
  }
  std::vector<std::string> below;
  if (o.min_coverage) below = policytest::coverage_below(result, *o.min_coverage);
  std::string report = policytest::render_text_report(result, o.coverage || o.min_coverage, below);
  std::fwrite(report.data(), 1, report.size(), stdout);
  std::fflush(stdout);
  if (io_error || !result.usage_errors.empty()) return kExitUsage;
  return result.failed > 0 || !below.empty() ? kExitFindings : kExitOk;
}

}  // namespace refpol::cli
