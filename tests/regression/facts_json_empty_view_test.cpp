// Regression (fuzz_http): an empty request body reached the JSON facts loader as a default
// string_view, whose null data() went to memcpy (undefined behaviour, caught by UBSan).
#include <gtest/gtest.h>

#include <string_view>
#include <vector>

#include "interpreter/compile/program.hpp"
#include "interpreter/eval/facts.hpp"
#include "tests/support/test_support.hpp"

namespace refpol {
namespace {

TEST(Regression, FactsJsonLoadsAnEmptyViewWithoutUndefinedBehaviour) {
  CompileResult c = compile_file((testing::source_dir() / "policies/old-friends/policy.refpol").string());
  ASSERT_TRUE(c.program) << render_text(c.diagnostics);
  FactsContext ctx{&c.program->policy.schema, &c.program->zone, 0};
  FactsDocument facts;
  std::vector<FactsError> errors;
  EXPECT_FALSE(load_facts_json(std::string_view(), ctx, facts, errors));
  ASSERT_FALSE(errors.empty());
  EXPECT_TRUE(errors.front().syntax);
  EXPECT_EQ(facts.root, nullptr);
}

}  // namespace
}  // namespace refpol
