// Regression (limits audit): an amount that overflows in arithmetic was reported as "number
// number is out of range": the machine put "number " in front of describe(), which already
// starts with it. The message is the one docs/errors.md and the decimal tests use.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "tests/support/test_support.hpp"

namespace refpol {
namespace {

TEST(Regression, OverflowMessageSaysNumberOnce) {
  const std::string policy = (std::filesystem::temp_directory_path() /
                              ("refpol-overflow-" + std::to_string(::getpid()) + ".refpol"))
                                 .string();
  testing::write_text(policy, R"(policy "overflow" version 1
currency CNY
record Customer { id: string  spend: money }
facts { referrer: Customer }
output sum = referrer.spend + referrer.spend
output product = referrer.spend * 2
output quotient = referrer.spend / 0.5
)");
  const std::string facts = R"({"referrer":{"id":"u","spend":92233720368547758.07}})";
  auto r =
      testing::run_refpol({"eval", "--policy", policy, "--now", "2026-01-01T00:00:00Z"}, facts);
  std::filesystem::remove(policy);
  EXPECT_EQ(r.exit_code, 1);
  // `output sum = ` is 13 characters: the `+` chain starts at column 14 of line 5.
  EXPECT_EQ(r.err, policy + ":5:14: error: evaluation failed: number is out of range\n") << r.out;
}

}  // namespace
}  // namespace refpol
