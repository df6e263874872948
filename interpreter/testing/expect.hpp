// Comparing a decision with what a test case expects: verdicts, rewards (matched one to one),
// absent rewards, exact reward lists and outputs. Each mismatch becomes a Failure that points at
// the expectation's line in the test file and shows expected against actual.
#pragma once
#include <string>
#include <vector>

#include "interpreter/compile/program.hpp"
#include "interpreter/decision/decision.hpp"
#include "interpreter/testing/test_file.hpp"

namespace refpol::policytest {

struct Failure {
  std::string where;                 // `path:line:col` in the test file (or a facts file)
  std::string message;               // lowercase, names in backticks
  std::vector<std::string> details;  // lines shown under it: the diff
  std::uint32_t offset = 0;          // where it is in the test file, for ordering
};

// `path:line:col` of a span in the test file.
std::string where(const SourceFile& file, Span span);

// Every way `decision` differs from `expect`; empty when the case passes. Date-times without an
// offset in the test file are read in the policy's time zone.
std::vector<Failure> check_decision(const Program& program, const Decision& decision,
                                    const Expectations& expect, const SourceFile& test_file);

// One line about a reward for people: `shop/welcome/referee:C-2/R-2: coupon 50.00 CNY pending`.
std::string describe_reward(const Decision& decision, const Reward& reward);

}  // namespace refpol::policytest
