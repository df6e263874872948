// CounterChecks: how a decision depends on the campaign's counters. For every facts file of every
// campaign in policies/, the same facts are evaluated again with many other counter values; where
// the checks of the first evaluation allow those values, the decision (verdicts, rewards with
// their statuses, amounts and values; outputs worked out but not written, as refpol simulate
// does) must be the same. And the budget's bounds are tight: a cent past them changes it.
#include <gtest/gtest.h>

#include <filesystem>
#include <regex>

#include "interpreter/compile/program.hpp"
#include "interpreter/decision/decision_json.hpp"
#include "interpreter/eval/evaluator.hpp"
#include "tests/support/test_support.hpp"

namespace refpol {
namespace {

namespace fs = std::filesystem;

struct Evaluation {
  std::shared_ptr<const Program> program;
  FactsDocument facts;
  EvalScratch scratch;
  Decision decision;
  CounterChecks checks;

  // Evaluates `text` with its campaign counters replaced; false (with a failure) if it does not.
  bool eval(const std::string& text, const std::string& spent, std::int64_t rank, bool note) {
    static const std::regex spent_re(R"("budget_spent"\s*:\s*[-0-9.]+)"), rank_re(R"("rewarded_referrers"\s*:\s*[0-9]+)");
    std::string t = std::regex_replace(text, spent_re, "\"budget_spent\": " + spent);
    t = std::regex_replace(t, rank_re, "\"rewarded_referrers\": " + std::to_string(rank));
    std::vector<FactsError> errors;
    FactsContext ctx{&program->policy.schema, &program->zone, 0};
    if (!load_facts_json(t, ctx, facts, errors)) {
      ADD_FAILURE() << (errors.empty() ? "?" : errors[0].message);
      return false;
    }
    EvalOptions options;
    options.write_outputs = false;
    if (note) options.counter_checks = &checks;
    EvalError error;
    const bool ok = evaluate(*program, facts, options, scratch, decision, error);
    EXPECT_TRUE(ok) << error.message;
    return ok;
  }

  std::string content() const {
    std::string s = decision.referrer_eligible ? "eligible" : "not eligible";
    for (auto r : decision.referrer_reasons) s += " " + std::string(r);
    for (const auto& v : decision.referrals) s += "; " + std::string(v.id) + " " + referral_status_name(v.status);
    for (const auto& r : decision.rewards) {
      s += "; " + reward_key(decision, r) + " " + std::string(r.kind) + " " + status_name(r.status) + " " +
           std::string(r.reason) + " " + (r.has_amount ? to_string(r.amount) : "-") + " " +
           (r.value ? to_string(*r.value) : "-") + " " + std::string(r.label);
    }
    return s;
  }
};

TEST(CounterChecks, AllowedCountersGiveTheSameDecisionOnEveryCampaign) {
  int files = 0, allowed = 0, refused = 0, tight = 0;
  for (const auto& dir : fs::directory_iterator(testing::source_dir() / "policies")) {
    const fs::path policy = dir.path() / "policy.refpol", facts = dir.path() / "facts";
    if (!fs::exists(policy) || !fs::exists(facts)) continue;
    CompileResult compiled = compile_file(policy.string());
    ASSERT_TRUE(compiled.program) << policy;
    for (const auto& f : fs::directory_iterator(facts)) {
      if (f.path().extension() != ".json") continue;
      const std::string text = testing::read_text(f.path());
      if (text.find("\"budget_spent\"") == std::string::npos) continue;
      SCOPED_TRACE(f.path().string());
      ++files;
      Evaluation run;
      run.program = compiled.program;
      // The file's own counters, noted.
      std::smatch m;
      ASSERT_TRUE(std::regex_search(text, m, std::regex(R"("budget_spent"\s*:\s*([-0-9.]+))")));
      const std::string spent0 = m[1].str();
      ASSERT_TRUE(std::regex_search(text, m, std::regex(R"("rewarded_referrers"\s*:\s*([0-9]+))")));
      const std::int64_t rank0 = std::stoll(m[1].str());
      ASSERT_TRUE(run.eval(text, spent0, rank0, true));
      const std::string first = run.content();
      const CounterChecks checks = run.checks;
      // Other counters: spent from nothing to past any budget here, ranks around the first-N
      // limits the campaigns use.
      for (std::int64_t spent = 0; spent <= 1'200'000; spent += 12'500) {
        for (std::int64_t rank : {std::int64_t{0}, std::int64_t{1}, std::int64_t{99}, std::int64_t{100},
                                  std::int64_t{999}, std::int64_t{1000}, std::int64_t{5000}, rank0}) {
          Decimal s;
          ASSERT_EQ(parse_decimal(std::to_string(spent), s), DecimalError::none);
          if (!checks.allows(*run.program, s, rank, run.scratch)) {
            ++refused;
            continue;
          }
          ++allowed;
          ASSERT_TRUE(run.eval(text, std::to_string(spent), rank, false));
          ASSERT_EQ(run.content(), first) << "budget_spent " << spent << ", rewarded_referrers " << rank;
        }
      }
      // The budget's bounds: the last spent that keeps every reward fitting, and a cent more.
      if (checks.spent_at_most) {
        const std::string at = to_string(*checks.spent_at_most);
        Decimal past;
        ASSERT_EQ(add(*checks.spent_at_most, Decimal{1, 2}, past), DecimalError::none);
        ASSERT_TRUE(run.eval(text, at, rank0, false));
        EXPECT_EQ(run.content(), first) << "at " << at;
        ASSERT_TRUE(run.eval(text, to_string(past), rank0, false));
        EXPECT_NE(run.content(), first) << "a cent past " << at;
        ++tight;
      }
    }
  }
  EXPECT_GE(files, 20);
  EXPECT_GT(allowed, 1000);
  EXPECT_GT(refused, 1000);
  EXPECT_GE(tight, 5);
}

// Uses of the counters that are not followed: nothing but the same values is allowed.
TEST(CounterChecks, UsesThatAreNotFollowedAllowNothingElse) {
  const char* uses[] = {
      "reward r to referrer once when campaign.budget_spent * 2 < 100 CNY gives cash 1 CNY",
      "reward r to referrer once when campaign.rewarded_referrers in [1, 2] gives cash 1 CNY",
      "define left(c) = 100 CNY - c.budget_spent\nreward r to referrer once when left(campaign) > 0 CNY gives cash 1 CNY",
  };
  for (const char* use : uses) {
    SCOPED_TRACE(use);
    CompileResult c = compile_text((testing::source_dir() / "tests/eval/counters.refpol").string(),
                                   std::string("policy \"t\" version 1\ncurrency CNY\nimport \"standard\"\n") + use + "\n");
    ASSERT_TRUE(c.program) << render_text(c.diagnostics);
    Evaluation run;
    run.program = c.program;
    const std::string text = testing::read_text(testing::source_dir() / "policies/old-friends/facts/budget_exhausted.json");
    ASSERT_TRUE(run.eval(text, "0", 0, true));
    EXPECT_TRUE(run.checks.untracked);
    EXPECT_FALSE(run.checks.allows(*run.program, Decimal{1, 0}, 0, run.scratch));
  }
}

}  // namespace
}  // namespace refpol
