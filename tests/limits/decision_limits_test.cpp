// Limits of one evaluation: the number of rewards in a decision (kMaxRewardsPerDecision) at
// exactly the limit and one past it, and amounts that leave the exact range in arithmetic,
// which are errors at the operation, never a wrapped or silently changed amount.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "interpreter/compile/program.hpp"
#include "interpreter/eval/evaluator.hpp"
#include "tests/support/test_support.hpp"

namespace refpol {
namespace {

struct Outcome {
  bool ok = false;
  std::string error;  // the evaluation error, or the first facts error
  std::uint32_t line = 0, column = 0;
  Decision decision;
};

Outcome evaluate_text(const std::string& policy, const std::string& facts_json) {
  Outcome o;
  CompileResult c =
      compile_text((testing::source_dir() / "tests/limits/inline.refpol").string(), policy);
  EXPECT_TRUE(c.program) << render_text(c.diagnostics);
  if (!c.program) return o;
  FactsContext ctx{&c.program->policy.schema, &c.program->zone, 0};
  FactsDocument facts;
  std::vector<FactsError> errors;
  if (!load_facts_json(facts_json, ctx, facts, errors)) {
    o.error = errors.empty() ? "?" : errors[0].message;
    return o;
  }
  EvalOptions options;
  options.now = DateTime{1798761600, 0};  // 2027-01-01T00:00:00Z
  EvalScratch scratch;
  EvalError error;
  o.ok = evaluate(*c.program, facts, options, scratch, o.decision, error);
  if (!o.ok) {
    o.error = error.message;
    const EvalErrorPlace at = locate(*c.program, error);
    o.line = at.line;
    o.column = at.column;
  }
  return o;
}

// One reward per referral, and one more when `extra` holds.
const char* kManyRewards = R"(policy "many-rewards" version 1
currency CNY
record Customer { id: string }
record Invite { id: string }
facts {
  referrer: Customer
  referrals: list of Invite
  extra: bool
}
reward thanks to referrer for each qualified referral gives cash 1 CNY
reward bonus to referrer when extra gives cash 1 CNY
)";

std::string referrals_json(std::size_t n, bool extra) {
  std::string text = R"({"referrer": {"id": "u"}, "extra": )" +
                     std::string(extra ? "true" : "false") + R"(, "referrals": [)";
  for (std::size_t i = 0; i < n; ++i)
    text += (i == 0 ? "" : ",") + (R"({"id":"r)" + std::to_string(i) + "\"}");
  return text + "]}";
}

TEST(DecisionLimits, RewardsPerDecisionLimitIsExact) {
  static_assert(kMaxRewardsPerDecision == 100000);
  // kMaxFactsListItems referrals is as many as a list can hold: exactly the reward limit.
  static_assert(kMaxFactsListItems == kMaxRewardsPerDecision);
  Outcome at = evaluate_text(kManyRewards, referrals_json(kMaxRewardsPerDecision, false));
  ASSERT_TRUE(at.ok) << at.error;
  EXPECT_EQ(at.decision.rewards.size(), kMaxRewardsPerDecision);
  Outcome past = evaluate_text(kManyRewards, referrals_json(kMaxRewardsPerDecision, true));
  EXPECT_FALSE(past.ok);
  EXPECT_EQ(past.error, "the decision has more than 100000 rewards");
  EXPECT_EQ(past.line, 0u);  // a limit of the whole decision, not of one expression
}

const char* kAmounts = R"(policy "amounts" version 1
currency CNY
record Customer { id: string  spend: money  n: int }
facts { referrer: Customer }
output doubled = referrer.spend * 2
output summed = referrer.spend + referrer.spend
output reward_total = referrer.spend * referrer.n
)";

TEST(DecisionLimits, AmountsThatLeaveTheExactRangeAreErrorsAtTheOperation) {
  // The largest amount in cents, 92233720368547758.07 CNY, loads; adding it to itself is an
  // error at `referrer.spend + referrer.spend` (line 6, column 17 after `output summed = `).
  Outcome o = evaluate_text(kAmounts,
                            R"({"referrer": {"id": "u", "spend": 92233720368547758.07, "n": 1}})");
  EXPECT_FALSE(o.ok);
  EXPECT_EQ(o.error, "number is out of range");
  EXPECT_EQ(o.line, 6u);
  EXPECT_EQ(o.column, 17u);
  // Half of it (rounded down) is fine, exactly.
  o = evaluate_text(kAmounts,
                    R"({"referrer": {"id": "u", "spend": 46116860184273879.03, "n": 2}})");
  ASSERT_TRUE(o.ok) << o.error;
  EXPECT_EQ(o.decision.outputs[1].json, R"({"amount":"92233720368547758.06","unit":"CNY"})");
  EXPECT_EQ(o.decision.outputs[2].json, R"({"amount":"92233720368547758.06","unit":"CNY"})");
  // A whole-number factor from the facts that takes the amount out of range is an error at
  // `referrer.spend * referrer.n` (line 7, column 23 after `output reward_total = `).
  o = evaluate_text(kAmounts,
                    R"({"referrer": {"id": "u", "spend": 1000, "n": 9223372036854775807}})");
  EXPECT_FALSE(o.ok);
  EXPECT_EQ(o.error, "number is out of range");
  EXPECT_EQ(o.line, 7u);
  EXPECT_EQ(o.column, 23u);
}

const char* kRewardArithmetic = R"(policy "reward-arithmetic" version 1
currency CNY
record Customer { id: string  spend: money  share: number }
facts { referrer: Customer  spent: money }
reward cash_back to referrer once gives cash referrer.spend
reward off to referrer once gives coupon referrer.share expires never
budget 1000 CNY spent spent
)";

// The arithmetic refpol does on rewards after the expressions (rounding to cents, a share off
// shown in percent, the budget left) is exact or an error too, at the part of the policy it
// belongs to; before, the amount was shown unrounded, the share as a wrapped number, and an
// overflowing budget let rewards through.
TEST(DecisionLimits, RewardArithmeticOutsideTheExactRangeIsAnError) {
  // Within range: 12.345 CNY rounds to 12.35 (half up), a share of 0.2 is 20 %.
  Outcome o = evaluate_text(kRewardArithmetic,
                            R"({"referrer": {"id": "u", "spend": 12.345, "share": 0.2}, "spent": 0})");
  ASSERT_TRUE(o.ok) << o.error;
  ASSERT_EQ(o.decision.rewards.size(), 2u);
  EXPECT_EQ(to_string(o.decision.rewards[0].amount), "12.35");
  EXPECT_EQ(to_string(o.decision.rewards[1].amount), "20");
  EXPECT_EQ(o.decision.rewards[1].unit, "%");
  auto expect_out_of_range = [](const std::string& facts, std::uint32_t line, std::uint32_t column) {
    Outcome failed = evaluate_text(kRewardArithmetic, facts);
    EXPECT_FALSE(failed.ok) << facts;
    EXPECT_EQ(failed.error, "number is out of range") << facts;
    EXPECT_EQ(failed.line, line) << facts;
    EXPECT_EQ(failed.column, column) << facts;
  };
  // 10^17 CNY holds as a whole number but not in cents: an error at the amount (line 5, column
  // 46, after `reward cash_back to referrer once gives cash `).
  expect_out_of_range(R"({"referrer": {"id": "u", "spend": 100000000000000000, "share": 0.2}, "spent": 0})", 5, 46);
  // A share of 10^17 is 10^19 percent, out of range: an error at the share (line 6, column 42).
  expect_out_of_range(R"({"referrer": {"id": "u", "spend": 1, "share": 100000000000000000}, "spent": 0})", 6, 42);
  // 1000 CNY minus a spent of -92233720368547758.07 CNY does not fit: an error at the budget's
  // total (line 7, column 8).
  expect_out_of_range(R"({"referrer": {"id": "u", "spend": 1, "share": 0.2}, "spent": -92233720368547758.07})", 7, 8);
}

}  // namespace
}  // namespace refpol
