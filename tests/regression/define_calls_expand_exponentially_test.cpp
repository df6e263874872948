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

// Not fixed yet (the first does not even finish): enable both with the fix. The fix is a limit on
// how far definitions expand. The checker gives each definition an expanded size, its own nodes
// plus the expanded sizes of the definitions it names or calls, worked out once per definition
// (memoised, so the check itself stays linear and a call no longer re-checks the body when the
// argument types were seen before), and reports an error, with a new code, where a definition,
// condition or rule passes a named constant (kMaxDefineExpansion, say 100,000 nodes), naming the
// chain of definitions. The compiler inlines calls and the machine walks definitions exactly that
// far, so both are then bounded too. The limit needs its code in docs/errors.md, a line in
// docs/language.md#limits and golden cases in tests/golden/check/.
TEST(Regression, DISABLED_DefinitionsThatCallEachOtherTwiceAreRejectedQuickly) {
  std::string policy = "policy \"t\" version 1\ncurrency CNY\nimport \"standard\"\ndefine d0(x) = x\n";
  for (int i = 1; i < 40; ++i) {
    policy += "define d" + std::to_string(i) + "(x) = d" + std::to_string(i - 1) + "(x) + d" +
              std::to_string(i - 1) + "(x)\n";
  }
  policy += "referrer eligible when d39(referrer.order_count) > 0\n";
  CompileResult c = compile_text((testing::source_dir() / "tests/regression/inline.refpol").string(), policy);
  EXPECT_FALSE(c.program);
  EXPECT_TRUE(c.diagnostics.has_errors());
}

TEST(Regression, DISABLED_DefinitionsWithoutParametersThatDoubleAreRejectedQuickly) {
  std::string policy = "policy \"t\" version 1\ncurrency CNY\nimport \"standard\"\n"
                       "define d0 = referrer.order_count\n";
  for (int i = 1; i < 40; ++i) {
    policy += "define d" + std::to_string(i) + " = d" + std::to_string(i - 1) + " + d" + std::to_string(i - 1) + "\n";
  }
  policy += "referrer eligible when d39 > 0\nreward r to referrer once gives cash 1 CNY\n";
  CompileResult c = compile_text((testing::source_dir() / "tests/regression/inline.refpol").string(), policy);
  EXPECT_FALSE(c.program);  // today it compiles, and each evaluation runs 2^39 additions
  EXPECT_TRUE(c.diagnostics.has_errors());
}

}  // namespace
}  // namespace refpol
