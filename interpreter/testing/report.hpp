// Writing a test run for people (one line per case, failures as diffs under it, the summary
// last) and for CI tools (JUnit XML).
#pragma once
#include <string>

#include "interpreter/testing/runner.hpp"

namespace refpol::policytest {

// `PASS|FAIL|SKIP path:line:col: name` per case, the reasons under each failure, then the
// coverage (when given) and `N passed, M failed[, K skipped]` as the last line.
std::string render_text_report(const RunResult& result, bool coverage);

// JUnit XML: one <testsuite> per test file, one <testcase> per case; a failed expectation is a
// <failure>, a case stopped by a problem (test file, facts, policy) an <error>.
std::string render_junit(const RunResult& result);

}  // namespace refpol::policytest
