// Regression (found while fuzzing; timeouts): definitions that each use the one before twice cost
// 2^n. With parameters the checker checks, and the compiler compiles, the body once per call, so
// 40 of them keep `refpol check` busy for days; without parameters the check is fast but every
// evaluation walks the whole expansion (24 of them: 40 s per decision under ASan).
#include <gtest/gtest.h>

#include <string>

#include "interpreter/compile/program.hpp"
#include "tests/support/test_support.hpp"

namespace refpol {
namespace {

// Fixed by limits on how far definitions are written out (E123, kMaxDefineExpansion and
// kMaxPolicyExpansion in interpreter/check/checker.hpp): each definition's written-out size is
// worked out once, and the checker stops at the first definition past the limit without looking
// into the bodies it would expand. Both policies are now refused in milliseconds; their exact
// errors are golden cases (tests/golden/check/define_expansion, policy_expansion) and the limits
// are tested at their values in tests/limits/policy_limits_test.cpp.
TEST(Regression, DefinitionsThatCallEachOtherTwiceAreRejectedQuickly) {
  std::string policy = "policy \"t\" version 1\ncurrency CNY\nimport \"standard\"\ndefine d0(x) = x\n";
  for (int i = 1; i < 40; ++i) {
    policy += "define d" + std::to_string(i) + "(x) = d" + std::to_string(i - 1) + "(x) + d" +
              std::to_string(i - 1) + "(x)\n";
  }
  policy += "referrer eligible when d39(referrer.order_count) > 0\n";
  CompileResult c = compile_text((testing::source_dir() / "tests/regression/inline.refpol").string(), policy);
  EXPECT_FALSE(c.program);
  ASSERT_TRUE(c.diagnostics.has_errors());
  EXPECT_EQ(c.diagnostics.items().front().code, "E123");
}

TEST(Regression, DefinitionsWithoutParametersThatDoubleAreRejectedQuickly) {
  std::string policy = "policy \"t\" version 1\ncurrency CNY\nimport \"standard\"\n"
                       "define d0 = referrer.order_count\n";
  for (int i = 1; i < 40; ++i) {
    policy += "define d" + std::to_string(i) + " = d" + std::to_string(i - 1) + " + d" + std::to_string(i - 1) + "\n";
  }
  policy += "referrer eligible when d39 > 0\nreward r to referrer once gives cash 1 CNY\n";
  CompileResult c = compile_text((testing::source_dir() / "tests/regression/inline.refpol").string(), policy);
  EXPECT_FALSE(c.program);  // it compiled, and each evaluation ran 2^39 additions
  ASSERT_TRUE(c.diagnostics.has_errors());
  EXPECT_EQ(c.diagnostics.items().front().code, "E123");
}

}  // namespace
}  // namespace refpol
