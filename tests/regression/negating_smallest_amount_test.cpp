// Regression (limits audit): `-x` and `abs(x)` ignored the overflow that `neg` reports for the
// smallest mantissa, -2^63 (facts accept -92233720368547758.08 CNY). `-x` of such an amount
// came back unchanged (the wrong sign), of such a number as 0, and `abs` stayed negative. Now
// each is an evaluation error, like every other overflow.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "interpreter/compile/program.hpp"
#include "interpreter/eval/evaluator.hpp"
#include "tests/support/test_support.hpp"

namespace refpol {
namespace {

const char* kPolicy = R"(policy "neg" version 1
currency CNY
record Customer { id: string  spend: money  x: number  n: int }
facts { referrer: Customer }
output value = {}
)";

// Evaluates `output value = EXPR` over facts with the smallest amount and number; returns the
// evaluation error ("" when it succeeds) and the output's JSON.
std::pair<std::string, std::string> run(const std::string& expr,
                                        const std::string& spend = "-92233720368547758.08",
                                        const std::string& x = "-9223372036854775808") {
  std::string text = kPolicy;
  text.replace(text.find("{}"), 2, expr);
  CompileResult c =
      compile_text((testing::source_dir() / "tests/regression/neg.refpol").string(), text);
  EXPECT_TRUE(c.program) << render_text(c.diagnostics);
  if (!c.program) return {"no program", ""};
  FactsContext ctx{&c.program->policy.schema, &c.program->zone, 0};
  FactsDocument facts;
  std::vector<FactsError> errors;
  const std::string json = R"({"referrer":{"id":"u","spend":)" + spend + R"(,"x":)" + x +
                           R"(,"n":-9223372036854775808}})";
  EXPECT_TRUE(load_facts_json(json, ctx, facts, errors))
      << (errors.empty() ? "" : errors[0].message);
  EvalOptions options;
  options.now = DateTime{0, 0};
  EvalScratch scratch;
  Decision decision;
  EvalError error;
  if (!evaluate(*c.program, facts, options, scratch, decision, error)) return {error.message, ""};
  return {"", decision.outputs.empty() ? "" : decision.outputs[0].json};
}

TEST(Regression, NegatingTheSmallestAmountIsAnErrorNotAWrongSign) {
  EXPECT_EQ(run("-referrer.spend").first, "number is out of range");
  EXPECT_EQ(run("abs(referrer.spend)").first, "number is out of range");
  EXPECT_EQ(run("-referrer.x").first, "number is out of range");
  EXPECT_EQ(run("abs(referrer.x)").first, "number is out of range");
  EXPECT_EQ(run("-referrer.n").first, "whole number overflows");  // was right already
  // One unit above the smallest, both still work and are exact.
  auto [error, json] = run("-referrer.spend", "-92233720368547758.07");
  EXPECT_EQ(error, "");
  EXPECT_EQ(json, R"({"amount":"92233720368547758.07","unit":"CNY"})");
  std::tie(error, json) = run("abs(referrer.x)", "0", "-9223372036854775807");
  EXPECT_EQ(error, "");
  EXPECT_EQ(json, R"("9223372036854775807")");
}

}  // namespace
}  // namespace refpol
