// Writing a test run for people (one line per case, failures as diffs under it, the summary
// last) and for CI tools (JUnit XML).
#pragma once
#include <string>
#include <vector>

#include "interpreter/testing/runner.hpp"

namespace refpol::policytest {

// `PASS|FAIL|SKIP path:line:col: name` per case, the reasons under each failure, then the
// coverage (when given), any `notes` (one per line, such as coverage below the required
// minimum) and `N passed, M failed[, K skipped]` as the last line.
std::string render_text_report(const RunResult& result, bool coverage,
                               const std::vector<std::string>& notes = {});

// One line for each policy whose share of outcomes seen is below `min_percent` (0-100), such as
// `coverage of p.refpol is 83% (15 of 18 outcomes), below the required 100%`.
std::vector<std::string> coverage_below(const RunResult& result, double min_percent);

// JUnit XML: one <testsuite> per test file, one <testcase> per case; a failed expectation is a
// <failure>, a case stopped by a problem (test file, facts, policy) an <error>.
std::string render_junit(const RunResult& result);

}  // namespace refpol::policytest
