// Constant folding (fold_constants, interpreter/compile/constants.cpp): what is folded when the
// policy is compiled, and that evaluation gives what it gave before, errors and explanations
// included.
#include <gtest/gtest.h>

#include "interpreter/compile/program.hpp"
#include "interpreter/eval/evaluator.hpp"
#include "tests/support/test_support.hpp"

namespace refpol {
namespace {

std::shared_ptr<const Program> compiled(const std::string& body) {
  const std::string text = "policy \"k\" version 1\ncurrency CNY\ntimezone \"Asia/Shanghai\"\nimport \"standard\"\n" + body;
  CompileResult r = compile_text((testing::source_dir() / "tests/eval/constants.refpol").string(), text);
  EXPECT_TRUE(r.program) << render_text(r.diagnostics);
  return r.program;
}

const std::string kFacts = R"({"now":"2027-01-20T00:00:00+08:00",
  "campaign":{"budget_spent":0,"rewarded_referrers":0},
  "referrer":{"id":"u1","kind":"purchase","segment":"loyal","registered_at":"2025-01-01T00:00:00+08:00",
  "order_count":3,"total_spend":900,"service_completed":false,"previous_campaigns":0,"shares":0},
  "referrals":[]})";

bool run(const Program& p, Decision& d, EvalError& error, bool explain = false) {
  FactsDocument doc;
  std::vector<FactsError> errors;
  if (!load_facts_json(kFacts, FactsContext{&p.policy.schema, &p.zone, 0}, doc, errors)) {
    ADD_FAILURE() << errors.at(0).message;
    return false;
  }
  EvalScratch scratch;
  EvalOptions options;
  options.explain = explain;
  return evaluate(p, doc, options, scratch, d, error);
}

Op output_op(const Program& p, std::string_view name) {
  for (const auto& [output, node] : p.outputs) {
    if (output == name) return p.nodes[node].op;
  }
  ADD_FAILURE() << "no output " << name;
  return Op::constant;
}

std::string output_json(const Decision& d, std::string_view name) {
  for (const OutputValue& o : d.outputs) {
    if (o.name == name) return o.json;
  }
  return "(none)";
}

// Outputs on constants, definitions of them and facts.
const std::string kOutputs = R"(
define campaign_budget = 500000 CNY
define incentive = campaign_budget * 60%
output incentive = incentive
output promotion = campaign_budget * 20%
output fortnight = 2 * 7 days
output later = 2026-12-01 + 1 month
output big = 3 > 2 and not (1 == 2)
output small = not (3 > 2)
output least_of = least(campaign_budget, 20 CNY)
output doubled = referrer.order_count * 2
output joined = "a" + "b"
)";

TEST(Constants, OperationsOnConstantsAreWorkedOutWhenCompiled) {
  auto p = compiled(kOutputs + "output broken = 1 / 0\n");
  ASSERT_TRUE(p);
  // Folded: arithmetic and comparisons on constants and definitions of them.
  for (const char* name : {"promotion", "fortnight", "later", "small"}) EXPECT_EQ(output_op(*p, name), Op::constant) << name;
  // Not `and` or `or` (simulate's design checks count their parts), nor builtin calls
  // (explanations list them as values read).
  EXPECT_EQ(output_op(*p, "big"), Op::and_);
  EXPECT_EQ(output_op(*p, "least_of"), Op::builtin);
  // The definition stays a definition (explanations name it); its body is folded.
  EXPECT_EQ(output_op(*p, "incentive"), Op::define);
  // Not folded: a fact, a text (it would live in an evaluation's memory), an error.
  EXPECT_EQ(output_op(*p, "doubled"), Op::mul);
  EXPECT_EQ(output_op(*p, "joined"), Op::add);
  EXPECT_EQ(output_op(*p, "broken"), Op::div);

  // The division by zero still fails the evaluation, where it did.
  Decision d;
  EvalError error;
  EXPECT_FALSE(run(*p, d, error));
  EXPECT_EQ(error.message, "division by zero");
}

TEST(Constants, FoldedValuesAreTheValuesEvaluationGave) {
  auto p = compiled(kOutputs);
  ASSERT_TRUE(p);
  Decision d;
  EvalError error;
  ASSERT_TRUE(run(*p, d, error)) << error.message;
  // 500,000 x 60 % and x 20 % (as the product of 500000 and 0.6 or 0.2 is written: with one
  // decimal, as before folding), two weeks, a month after 1 December, and true.
  EXPECT_EQ(output_json(d, "incentive"), R"({"amount":"300000.0","unit":"CNY"})");
  EXPECT_EQ(output_json(d, "promotion"), R"({"amount":"100000.0","unit":"CNY"})");
  EXPECT_EQ(output_json(d, "fortnight"), R"("14 days")");
  EXPECT_EQ(output_json(d, "later"), R"("2027-01-01")");
  EXPECT_EQ(output_json(d, "big"), "true");
  EXPECT_EQ(output_json(d, "doubled"), "6");
  EXPECT_EQ(output_json(d, "joined"), R"("ab")");
}

// An explanation lists the definitions a condition reads, also inside an operation that was
// folded.
TEST(Constants, ExplanationsStillNameTheDefinitionsRead) {
  auto p = compiled(R"(
define min_spend = 400 CNY
referrer eligible when {
  spent: referrer.total_spend >= min_spend * 2
  capped: referrer.total_spend >= least(min_spend * 100, 800 CNY)
}
)");
  ASSERT_TRUE(p);
  Decision d;
  EvalError error;
  ASSERT_TRUE(run(*p, d, error, /*explain=*/true)) << error.message;
  EXPECT_TRUE(d.referrer_eligible);  // 900 >= 800
  std::string spent, capped;
  for (const ExplainLine& line : d.explanation) {
    if (line.label == "spent") spent = line.detail;
    if (line.label == "capped") capped = line.detail;
  }
  EXPECT_EQ(spent, "referrer.total_spend = 900 CNY, min_spend = 400 CNY");
  EXPECT_EQ(capped, "referrer.total_spend = 900 CNY, least(min_spend * 100, 800 CNY) = 800 CNY");
}

}  // namespace
}  // namespace refpol
