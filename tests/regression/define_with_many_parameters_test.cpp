// Regression (found reading the evaluator while fuzzing): a call to a definition with more than
// 16 parameters left parameters 17 and up unset (the machine copied at most 16 arguments), so they
// read as absent and a condition on them silently failed.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "interpreter/compile/program.hpp"
#include "interpreter/eval/evaluator.hpp"
#include "tests/support/test_support.hpp"

namespace refpol {
namespace {

// `p1, p2, ..., pN`
std::string parameters(int count) {
  std::string out;
  for (int i = 1; i <= count; ++i) out += (i > 1 ? ", p" : "p") + std::to_string(i);
  return out;
}

TEST(Regression, CallPassesEveryArgumentOfADefinitionWithMoreThan16Parameters) {
  const int n = 20;
  std::string args;
  for (int i = 1; i < n; ++i) args += "0, ";
  args += "referrer.n";
  const std::string policy = "policy \"t\" version 1\ncurrency CNY\n"
                             "record Referrer { id: string  n: int }\nfacts { referrer: Referrer }\n"
                             "define last(" + parameters(n) + ") = p" + std::to_string(n) + "\n" +
                             "reward r to referrer once when last(" + args + ") == 7 gives cash 1 CNY\n";
  CompileResult c = compile_text((testing::source_dir() / "tests/regression/inline.refpol").string(), policy);
  ASSERT_TRUE(c.program) << render_text(c.diagnostics);
  FactsContext ctx{&c.program->policy.schema, &c.program->zone, 0};
  FactsDocument facts;
  EvalScratch scratch;
  Decision decision;
  EvalOptions options;
  std::string problem;
  DateTime now;
  ASSERT_TRUE(parse_datetime("2027-01-01T00:00:00Z", c.program->zone, now, problem)) << problem;
  options.now = now;
  for (int value : {7, 8, 7}) {
    std::vector<FactsError> errors;
    const std::string json = R"({"referrer":{"id":"u1","n":)" + std::to_string(value) + "}}";
    ASSERT_TRUE(load_facts_json(json, ctx, facts, errors)) << errors.at(0).message;
    EvalError error;
    ASSERT_TRUE(evaluate(*c.program, facts, options, scratch, decision, error)) << error.message;
    EXPECT_EQ(decision.rewards.size(), value == 7 ? 1u : 0u) << "n = " << value;
  }
}

}  // namespace
}  // namespace refpol
