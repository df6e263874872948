// The evaluator through its C++ API: tier hit policies, boosts and rounding, calendar-month
// expiry, caps, budget, settle dates, absent data, and one Program evaluated from many threads.
// Every expected value is worked out by hand from the policy text in the test.
#include <gtest/gtest.h>
#include <fmt/format.h>

#include <thread>

#include "interpreter/compile/program.hpp"
#include "interpreter/decision/decision_json.hpp"
#include "interpreter/eval/evaluator.hpp"
#include "tests/support/test_support.hpp"

namespace refpol {
namespace {

struct EvalRun {
  std::shared_ptr<const Program> program;
  FactsDocument facts;
  EvalScratch scratch;
  Decision decision;
};

std::shared_ptr<const Program> compile_or_fail(const std::string& text) {
  CompileResult r = compile_text((testing::source_dir() / "tests/eval/inline.refpol").string(), text);
  EXPECT_TRUE(r.program) << render_text(r.diagnostics);
  return r.program;
}

// Evaluates `facts_json` and returns false (with a test failure) on any error.
bool eval(EvalRun& run, const std::string& facts_json, const std::string& now = "") {
  std::vector<FactsError> errors;
  FactsContext ctx{&run.program->policy.schema, &run.program->zone, 0};
  if (!load_facts_json(facts_json, ctx, run.facts, errors)) {
    ADD_FAILURE() << "facts: " << (errors.empty() ? "?" : errors[0].path + ": " + errors[0].message);
    return false;
  }
  EvalOptions options;
  if (!now.empty()) {
    DateTime t;
    std::string problem;
    EXPECT_TRUE(parse_datetime(now, run.program->zone, t, problem)) << problem;
    options.now = t;
  }
  EvalError error;
  bool ok = evaluate(*run.program, run.facts, options, run.scratch, run.decision, error);
  EXPECT_TRUE(ok) << error.message;
  return ok;
}

std::string amount(const Reward& r) { return r.has_amount ? to_string(r.amount) : "-"; }

const char* kFlatSchema = R"(
record Referrer { id: string  n: int  segment: string  spend: money }
facts { referrer: Referrer }
)";

TEST(Evaluator, TiersPayEachThresholdOrOnlyTheHighest) {
  for (bool highest : {false, true}) {
    EvalRun run;
    run.program = compile_or_fail(fmt::format(R"(policy "t" version 1
currency CNY
{}
tiers ladder to referrer by referrer.n pays {} {{
  one: 1 -> cash 10 CNY
  three: 3 -> cash 30 CNY
  five: 5 -> cash 50 CNY
}}
)",
                                              kFlatSchema, highest ? "highest" : "each"));
    ASSERT_TRUE(run.program);
    ASSERT_TRUE(eval(run, R"({"referrer":{"id":"u1","n":4,"segment":"new","spend":0}})", "2027-01-01T00:00:00Z"));
    // n = 4 reaches `one` and `three` but not `five`.
    if (highest) {
      ASSERT_EQ(run.decision.rewards.size(), 1u);
      EXPECT_EQ(run.decision.rewards[0].tier, "three");
      EXPECT_EQ(amount(run.decision.rewards[0]), "30.00");  // currency amounts are in cents
    } else {
      ASSERT_EQ(run.decision.rewards.size(), 2u);
      EXPECT_EQ(run.decision.rewards[0].tier, "one");
      EXPECT_EQ(run.decision.rewards[1].tier, "three");
      EXPECT_EQ(reward_key(run.decision, run.decision.rewards[1]), "t/ladder/referrer:u1/three");
    }
  }
}

TEST(Evaluator, ExactlyAtAThresholdCountsAndOneBelowDoesNot) {
  EvalRun run;
  run.program = compile_or_fail(std::string(R"(policy "t" version 1
currency CNY
)") + kFlatSchema + R"(
reward big to referrer once when referrer.spend >= 500.00 CNY gives cash 1 CNY
)");
  ASSERT_TRUE(run.program);
  ASSERT_TRUE(eval(run, R"({"referrer":{"id":"u1","n":0,"segment":"new","spend":500}})", "2027-01-01T00:00:00Z"));
  EXPECT_EQ(run.decision.rewards.size(), 1u);
  ASSERT_TRUE(eval(run, R"({"referrer":{"id":"u1","n":0,"segment":"new","spend":499.99}})", "2027-01-01T00:00:00Z"));
  EXPECT_EQ(run.decision.rewards.size(), 0u);
}

TEST(Evaluator, BoostsMultiplyExactlyAndRoundHalfUpToCents) {
  EvalRun run;
  run.program = compile_or_fail(std::string(R"(policy "t" version 1
currency CNY
)") + kFlatSchema + R"(
reward base to referrer once gives cash 99.99 CNY
boost loyal times 1.15 to referrer when referrer.segment == "loyal"
boost holiday times 110% on cash when referrer.n >= 2
)");
  ASSERT_TRUE(run.program);
  // 99.99 x 1.15 = 114.9885 -> 114.99 (half up); the 110% boost does not apply at n = 1.
  ASSERT_TRUE(eval(run, R"({"referrer":{"id":"u1","n":1,"segment":"loyal","spend":0}})", "2027-01-01T00:00:00Z"));
  ASSERT_EQ(run.decision.rewards.size(), 1u);
  EXPECT_EQ(amount(run.decision.rewards[0]), "114.99");
  EXPECT_EQ(run.decision.rewards[0].boosts, 1u);
  // Both: 99.99 x 1.15 x 1.10 = 126.48735 -> 126.49; never through binary floating point.
  ASSERT_TRUE(eval(run, R"({"referrer":{"id":"u1","n":2,"segment":"loyal","spend":0}})", "2027-01-01T00:00:00Z"));
  EXPECT_EQ(amount(run.decision.rewards[0]), "126.49");
  EXPECT_EQ(run.decision.rewards[0].boosts, 3u);
}

TEST(Evaluator, CalendarMonthExpiryClampsToTheEndOfTheMonth) {
  EvalRun run;
  run.program = compile_or_fail(std::string(R"(policy "t" version 1
currency CNY
timezone "Asia/Shanghai"
)") + kFlatSchema + R"(
reward c to referrer once gives coupon 10 CNY expires 1 month after grant
reward d to referrer once gives coupon 20 CNY expires on 2027-03-31
)");
  ASSERT_TRUE(run.program);
  ASSERT_TRUE(eval(run, R"({"referrer":{"id":"u1","n":0,"segment":"new","spend":0}})", "2027-01-31T10:00:00+08:00"));
  ASSERT_EQ(run.decision.rewards.size(), 2u);
  // Granted at `now` (no settle date); Jan 31 + 1 month = Feb 28 (2027 is not a leap year).
  EXPECT_EQ(to_string(*run.decision.rewards[0].expires_at), "2027-02-28T10:00:00+08:00");
  // A fixed date expires at the end of that day in the policy's time zone.
  EXPECT_EQ(to_string(*run.decision.rewards[1].expires_at), "2027-03-31T23:59:59+08:00");
  // After that day it is reported as expired, not dropped.
  ASSERT_TRUE(eval(run, R"({"referrer":{"id":"u1","n":0,"segment":"new","spend":0}})", "2027-04-01T00:00:00+08:00"));
  EXPECT_EQ(run.decision.rewards[1].status, RewardStatus::expired);
}

const char* kReferralPolicy = R"(policy "ref" version 2
currency CNY
timezone "Asia/Shanghai"
import "standard"

referral qualifies when {
  completed: referral.first_order.completed_at is present
  not_refunded: not referral.first_order.refunded
}
referral void when {
  self_referral: referral.referee.id == referrer.id
}
referral settles referral.first_order.completed_at + 7 days
payout due 72 hours after settlement

reward storage_each to referrer for each qualified referral gives storage 500 MB
cap storage at 1 GB per referrer
reward welcome to referee for each qualified referral gives cash 100 CNY
budget 250 CNY spent campaign.budget_spent
)";

std::string referral(const std::string& id, const std::string& referee, bool completed, bool refunded,
                     const std::string& completed_at = "2027-01-05T10:00:00+08:00") {
  std::string order = completed ? fmt::format(R"({{"id":"o{0}","placed_at":"2027-01-04T10:00:00+08:00","amount":300,"completed_at":"{1}","refunded":{2},"returned":false,"exchanged":false}})",
                                              id, completed_at, refunded ? "true" : "false")
                                : "null";
  return fmt::format(R"({{"id":"{0}","bound_at":"2027-01-01T10:00:00+08:00","channel":"link","orders":[],"first_order":{1},
    "referee":{{"id":"{2}","kind":"purchase","segment":"new","registered_at":"2027-01-01T10:00:00+08:00","order_count":1,
    "total_spend":300,"service_completed":false,"previous_campaigns":0,"shares":0}}}})",
                     id, order, referee);
}

std::string referral_facts(const std::string& referrals, const std::string& spent = "0") {
  return fmt::format(R"({{"campaign":{{"budget_spent":{0},"rewarded_referrers":0}},
    "referrer":{{"id":"u1","kind":"purchase","segment":"loyal","registered_at":"2025-01-01T00:00:00+08:00","order_count":3,
    "total_spend":900,"service_completed":false,"previous_campaigns":0,"shares":0}},
    "referrals":[{1}]}})",
                     spent, referrals);
}

TEST(Evaluator, ReferralVerdictsSettleDatesAndPayoutDeadline) {
  EvalRun run;
  run.program = compile_or_fail(kReferralPolicy);
  ASSERT_TRUE(run.program);
  std::string refs = referral("r1", "c1", true, false) + "," + referral("r2", "c2", true, true) + "," +
                     referral("r3", "u1", true, false) + "," + referral("r4", "c4", false, false);
  ASSERT_TRUE(eval(run, referral_facts(refs), "2027-01-10T12:00:00+08:00"));
  const auto& v = run.decision.referrals;
  ASSERT_EQ(v.size(), 4u);
  EXPECT_EQ(v[0].status, ReferralStatus::qualified);
  EXPECT_EQ(v[0].position, 1);
  EXPECT_EQ(v[1].status, ReferralStatus::not_qualified);
  ASSERT_EQ(v[1].reasons.size(), 1u);
  EXPECT_EQ(v[1].reasons[0], "not_refunded");
  EXPECT_EQ(v[2].status, ReferralStatus::void_);
  EXPECT_EQ(v[2].reasons[0], "self_referral");
  EXPECT_EQ(v[3].status, ReferralStatus::not_qualified);
  EXPECT_EQ(v[3].reasons[0], "completed");
  // r1 completed on Jan 5 10:00 +08:00: it settles 7 days later, Jan 12 10:00, after `now`.
  ASSERT_TRUE(v[0].settles_at);
  EXPECT_EQ(to_string(*v[0].settles_at), "2027-01-12T10:00:00+08:00");
  const Reward& storage = run.decision.rewards[0];
  EXPECT_EQ(storage.rule, "storage_each");
  EXPECT_EQ(storage.status, RewardStatus::pending);
  EXPECT_EQ(to_string(*storage.due_by), "2027-01-15T10:00:00+08:00");
  EXPECT_FALSE(storage.granted_at);
  // The self-referral would have qualified: its rewards are reported void, so a service that
  // stored them cancels them.
  bool saw_void = false;
  for (const Reward& r : run.decision.rewards) {
    if (r.scope == "r3") {
      EXPECT_EQ(r.status, RewardStatus::void_);
      EXPECT_EQ(r.reason, "self_referral");
      saw_void = true;
    }
  }
  EXPECT_TRUE(saw_void);
  // After the settle date the same reward is granted, at its settle date.
  ASSERT_TRUE(eval(run, referral_facts(refs), "2027-01-12T10:00:00+08:00"));
  EXPECT_EQ(run.decision.rewards[0].status, RewardStatus::granted);
  EXPECT_EQ(to_string(*run.decision.rewards[0].granted_at), "2027-01-12T10:00:00+08:00");
}

TEST(Evaluator, CapsCutTheLastRewardAndWithholdTheRest) {
  EvalRun run;
  run.program = compile_or_fail(kReferralPolicy);
  ASSERT_TRUE(run.program);
  std::string refs;
  for (int i = 1; i <= 4; ++i) refs += (i > 1 ? "," : "") + referral("r" + std::to_string(i), "c" + std::to_string(i), true, false);
  ASSERT_TRUE(eval(run, referral_facts(refs, "0"), "2027-02-01T00:00:00+08:00"));
  // 1 GB = 1024 MB: 500 + 500 + 24 (capped), then nothing left.
  std::vector<std::string> storage;
  std::vector<RewardStatus> status;
  for (const Reward& r : run.decision.rewards) {
    if (r.rule == "storage_each") {
      storage.push_back(amount(r));
      status.push_back(r.status);
    }
  }
  ASSERT_EQ(storage.size(), 4u);
  EXPECT_EQ(storage[0], "500");
  EXPECT_EQ(storage[1], "500");
  EXPECT_EQ(storage[2], "24");
  EXPECT_EQ(status[3], RewardStatus::withheld);
}

// A paid reward comes first in its cap too: it is neither cut nor withheld.
TEST(Evaluator, CapsCountPaidRewardsFirst) {
  EvalRun run;
  run.program = compile_or_fail(kReferralPolicy);
  ASSERT_TRUE(run.program);
  std::string refs;
  for (int i = 1; i <= 4; ++i) refs += (i > 1 ? "," : "") + referral("r" + std::to_string(i), "c" + std::to_string(i), true, false);
  std::string facts = referral_facts(refs, "0");
  facts.insert(1, R"("paid":{"ref/storage_each/referrer:u1/r4":null},)");
  ASSERT_TRUE(eval(run, facts, "2027-02-01T00:00:00+08:00"));
  // r4's 500 MB was paid: counted first, 524 of the 1024 MB left for r1 (500), r2 (24, cut),
  // and nothing for r3.
  std::vector<std::string> storage;
  std::vector<RewardStatus> status;
  for (const Reward& r : run.decision.rewards) {
    if (r.rule == "storage_each") {
      storage.push_back(amount(r));
      status.push_back(r.status);
    }
  }
  ASSERT_EQ(storage.size(), 4u);
  EXPECT_EQ(storage[0], "500");
  EXPECT_EQ(storage[1], "24");
  EXPECT_EQ(status[2], RewardStatus::withheld);
  EXPECT_EQ(storage[3], "500");
  EXPECT_EQ(status[3], RewardStatus::granted);
}

// A paid reward that has expired is still counted first by its cap, and never cut or withheld.
TEST(Evaluator, CapsCountAnExpiredPaidRewardFirstToo) {
  EvalRun run;
  run.program = compile_or_fail(R"(policy "capx" version 1
currency CNY
timezone "Asia/Shanghai"
import "standard"
referral qualifies when {
  completed: referral.first_order.completed_at is present
}
referral settles referral.first_order.completed_at + 1 day
reward thanks to referrer for each qualified referral gives coupon 60 CNY "x" expires 10 days after grant
cap coupon at 60 CNY per referrer
)");
  ASSERT_TRUE(run.program);
  // r1 completed 2027-01-09 20:00: pending until 01-10 20:00. r2 completed 2026-12-20 10:00, was
  // granted 12-21 10:00 and expired 12-31 10:00; it was paid.
  const std::string refs = referral("r1", "c1", true, false, "2027-01-09T20:00:00+08:00") + "," +
                           referral("r2", "c2", true, false, "2026-12-20T10:00:00+08:00");
  std::string facts = referral_facts(refs, "60");
  facts.insert(1, R"("paid":{"capx/thanks/referrer:u1/r2":60},)");
  ASSERT_TRUE(eval(run, facts, "2027-01-10T12:00:00+08:00"));
  ASSERT_EQ(run.decision.rewards.size(), 2u);
  const Reward& r1 = run.decision.rewards[0];
  const Reward& r2 = run.decision.rewards[1];
  // r2's 60 fill the cap: r1 is withheld; r2 stays expired, uncut.
  EXPECT_EQ(r2.status, RewardStatus::expired);
  EXPECT_EQ(amount(r2), "60.00");
  EXPECT_FALSE(r2.capped);
  EXPECT_EQ(r1.status, RewardStatus::withheld);
  EXPECT_EQ(r1.reason, "cap");
}

TEST(Evaluator, BudgetIsSpentInRewardOrder) {
  EvalRun run;
  run.program = compile_or_fail(kReferralPolicy);
  ASSERT_TRUE(run.program);
  std::string refs = referral("r1", "c1", true, false) + "," + referral("r2", "c2", true, false);
  // 250 budget, 100 already spent: the first 100 CNY welcome fits (50 left), the second does not.
  ASSERT_TRUE(eval(run, referral_facts(refs, "100"), "2027-02-01T00:00:00+08:00"));
  std::vector<const Reward*> welcome;
  for (const Reward& r : run.decision.rewards) {
    if (r.rule == "welcome") welcome.push_back(&r);
  }
  ASSERT_EQ(welcome.size(), 2u);
  EXPECT_EQ(welcome[0]->status, RewardStatus::granted);
  EXPECT_EQ(welcome[1]->status, RewardStatus::withheld);
  EXPECT_EQ(welcome[1]->reason, "budget");
}

// The facts' top-level `paid` (docs/facts.md): `budget_spent` counts what was paid; the budget
// does not charge the paid rewards the decision lists again, nor withhold them; EvalOptions::paid,
// when given, is used instead.
TEST(Evaluator, BudgetKeepsThePaidRewardsOfTheFacts) {
  EvalRun run;
  run.program = compile_or_fail(kReferralPolicy);
  ASSERT_TRUE(run.program);
  const std::string refs = referral("r1", "c1", true, false) + "," + referral("r2", "c2", true, false);
  auto welcome_status = [&](std::size_t i) {
    std::vector<const Reward*> welcome;
    for (const Reward& r : run.decision.rewards) {
      if (r.rule == "welcome") welcome.push_back(&r);
    }
    EXPECT_EQ(welcome.size(), 2u);
    return welcome.size() == 2u ? welcome[i]->status : RewardStatus::void_;
  };
  auto with_paid = [&](const std::string& paid, const std::string& spent) {
    std::string facts = referral_facts(refs, spent);
    return facts.insert(1, R"("paid":)" + paid + ","), facts;
  };
  const std::string now = "2027-02-01T00:00:00+08:00";
  // 250 budget. Others took 100 and r2's welcome (key ref/welcome/referee:c2/r2) was paid 100:
  // 200 spent, 50 left. r2's is not charged again and stays granted; r1's 100 does not fit.
  ASSERT_TRUE(eval(run, with_paid(R"({"ref/welcome/referee:c2/r2": 100})", "200"), now));
  EXPECT_EQ(welcome_status(0), RewardStatus::withheld);
  EXPECT_EQ(welcome_status(1), RewardStatus::granted);
  // Without `paid`, the same 200 spent: r1's is charged first and withheld, then r2's too.
  ASSERT_TRUE(eval(run, with_paid("{}", "200"), now));
  EXPECT_EQ(welcome_status(0), RewardStatus::withheld);
  EXPECT_EQ(welcome_status(1), RewardStatus::withheld);
  // A paid key this decision does not list (r9's order was returned after it was paid) is in
  // the 160 spent already, and is not charged again: 90 left, neither welcome fits.
  ASSERT_TRUE(eval(run, with_paid(R"({"ref/welcome/referee:c9/r9": "60.00"})", "160"), now));
  EXPECT_EQ(welcome_status(0), RewardStatus::withheld);
  EXPECT_EQ(welcome_status(1), RewardStatus::withheld);
  // Only others' 100 spent, nothing paid: r1's fits (50 left), r2's does not.
  ASSERT_TRUE(eval(run, with_paid("{}", "100"), now));
  EXPECT_EQ(welcome_status(0), RewardStatus::granted);
  EXPECT_EQ(welcome_status(1), RewardStatus::withheld);

  // EvalOptions::paid is used instead of the facts' `paid`: here it says nothing was paid, so
  // with 200 spent r1's is withheld, and r2's too.
  struct NothingPaid : PaidRewards {
    bool paid(const Decision&, const Reward&, std::uint32_t, Decimal&) override { return false; }
  } nothing;
  std::vector<FactsError> errors;
  FactsContext ctx{&run.program->policy.schema, &run.program->zone, 0};
  ASSERT_TRUE(load_facts_json(with_paid(R"({"ref/welcome/referee:c2/r2": 100})", "200"), ctx, run.facts, errors));
  EvalOptions options;
  std::string problem;
  options.now.emplace();
  ASSERT_TRUE(parse_datetime(now, run.program->zone, *options.now, problem)) << problem;
  options.paid = &nothing;
  EvalError error;
  ASSERT_TRUE(evaluate(*run.program, run.facts, options, run.scratch, run.decision, error)) << error.message;
  EXPECT_EQ(welcome_status(0), RewardStatus::withheld);
  EXPECT_EQ(welcome_status(1), RewardStatus::withheld);

  // The explanation of the withheld reward counts what is left after what was paid. (The
  // reward's value is in cents, 100.00; 250 - 200 = 50.)
  options.paid = nullptr;
  options.explain = true;
  ASSERT_TRUE(evaluate(*run.program, run.facts, options, run.scratch, run.decision, error)) << error.message;
  std::string budget_lines;
  for (const ExplainLine& line : run.decision.explanation) {
    if (line.rule == "budget") budget_lines += line.label + ": " + line.detail + "\n";
  }
  EXPECT_EQ(budget_lines, "welcome: 100.00 needed, 50 left\n");
}

TEST(Evaluator, AbsentOptionalFactsMakeAGuardedConditionFail) {
  EvalRun run;
  run.program = compile_or_fail(R"(policy "t" version 1
currency CNY
import "standard"
referrer eligible when {
  promoter: referrer.nps is present and referrer.nps >= 9
}
)");
  ASSERT_TRUE(run.program);
  std::string facts = referral_facts("");
  ASSERT_TRUE(eval(run, facts, "2027-01-01T00:00:00Z"));
  EXPECT_FALSE(run.decision.referrer_eligible);
  ASSERT_EQ(run.decision.referrer_reasons.size(), 1u);
  EXPECT_EQ(run.decision.referrer_reasons[0], "promoter");
}

TEST(Evaluator, OneProgramEvaluatedFromManyThreadsGivesTheSameBytes) {
  CompileResult compiled = compile_file((testing::source_dir() / "bench/flat/policy.refpol").string());
  ASSERT_TRUE(compiled.program) << render_text(compiled.diagnostics);
  std::shared_ptr<const Program> program = compiled.program;
  std::vector<std::string> inputs;
  for (int i = 0; i < 600; ++i) {
    inputs.push_back(fmt::format(
        R"({{"referrer":{{"id":"u{0}","segment":"{1}","last_order_days_ago":{2},"total_spend":{3}.{4:02},"order_count":{5},"qualified_referrals":{6}}},)"
        R"("referee":{{"is_new_customer":{7},"first_order_amount":{8}.5,"first_order_refunded":{9},"days_since_first_order":{10}}}}})",
        i, i % 3 == 0 ? "loyal" : "normal", i % 400, 400 + i, i % 100, i % 5, i % 12, i % 7 != 0 ? "true" : "false",
        80 + i % 50, i % 11 == 0 ? "true" : "false", i % 10));
  }
  auto run_all = [&](std::size_t start, std::vector<std::string>& out) {
    FactsDocument facts;
    EvalScratch scratch;
    Decision decision;
    FactsContext ctx{&program->policy.schema, &program->zone, 0};
    EvalOptions options;
    options.now = DateTime{};
    out.assign(inputs.size(), "");
    for (std::size_t k = 0; k < inputs.size(); ++k) {
      std::size_t i = (start + k) % inputs.size();  // each thread in a different order
      std::vector<FactsError> errors;
      EvalError error;
      if (!load_facts_json(inputs[i], ctx, facts, errors) || !evaluate(*program, facts, options, scratch, decision, error)) {
        out[i] = "error";
        continue;
      }
      write_decision_json(decision, out[i]);
    }
  };
  std::vector<std::string> sequential;
  run_all(0, sequential);
  std::vector<std::vector<std::string>> results(4);
  std::vector<std::thread> threads;
  for (std::size_t t = 0; t < results.size(); ++t) threads.emplace_back(run_all, t * 150, std::ref(results[t]));
  for (auto& t : threads) t.join();
  for (const auto& r : results) EXPECT_EQ(r, sequential);
  EXPECT_EQ(std::count(sequential.begin(), sequential.end(), "error"), 0);
}

}  // namespace
}  // namespace refpol

namespace refpol {
namespace {

TEST(Evaluator, SumOfNoAmountsIsZeroOfAnyUnit) {
  EvalRun run;
  run.program = compile_or_fail(R"(policy "t" version 1
currency CNY
import "standard"
define spent = sum(r.first_order.amount for r in referrals where r.first_order is present)
reward nothing_yet to referrer once when spent == 0 CNY and spent + 10 CNY >= 10 CNY gives cash 1 CNY
)");
  ASSERT_TRUE(run.program);
  // No referrals at all: the sum is zero, `== 0 CNY` holds and `+ 10 CNY` is 10 CNY.
  ASSERT_TRUE(eval(run, referral_facts(""), "2027-01-01T00:00:00Z"));
  EXPECT_EQ(run.decision.rewards.size(), 1u);
}

}  // namespace
}  // namespace refpol

namespace refpol {
namespace {

// A void referral that would have qualified lists its would-be rewards as void, worked out at the
// place it would have had (one more than the qualified referrals before it), not at position 0;
// the referrals after it keep their positions. (Found with the premium-increasing ladder, where
// a void referral showed 250 CNY, an amount the ladder never pays.)
TEST(Evaluator, AVoidReferralsRewardsUseThePlaceItWouldHaveHad) {
  EvalRun run;
  run.program = compile_or_fail(R"(policy "ladder" version 1
currency CNY
timezone "Asia/Shanghai"
import "standard"
referral qualifies when referral.first_order.completed_at is present
referral void when { self_referral: referral.referee.id == referrer.id }
reward step to referrer for each qualified referral gives cash 300 CNY + (position - 1) * 50 CNY
)");
  ASSERT_TRUE(run.program);
  // r1 qualifies (1st: 300), r2 is the referrer himself (void; would have been 2nd: 350),
  // r3 qualifies (2nd: 350).
  std::string refs = referral("r1", "c1", true, false) + "," + referral("r2", "u1", true, false) + "," +
                     referral("r3", "c3", true, false);
  ASSERT_TRUE(eval(run, referral_facts(refs), "2027-01-10T12:00:00+08:00"));
  ASSERT_EQ(run.decision.referrals.size(), 3u);
  EXPECT_EQ(run.decision.referrals[1].status, ReferralStatus::void_);
  EXPECT_EQ(run.decision.referrals[1].position, 0);
  EXPECT_EQ(run.decision.referrals[2].position, 2);
  ASSERT_EQ(run.decision.rewards.size(), 3u);
  EXPECT_EQ(run.decision.rewards[0].scope, "r1");
  EXPECT_EQ(amount(run.decision.rewards[0]), "300.00");
  EXPECT_EQ(run.decision.rewards[1].scope, "r2");
  EXPECT_EQ(run.decision.rewards[1].status, RewardStatus::void_);
  EXPECT_EQ(amount(run.decision.rewards[1]), "350.00");
  EXPECT_EQ(run.decision.rewards[2].scope, "r3");
  EXPECT_EQ(amount(run.decision.rewards[2]), "350.00");
}

}  // namespace
}  // namespace refpol
