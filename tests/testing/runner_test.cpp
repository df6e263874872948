// Running policy tests through the library (interpreter/testing/runner): passing and failing
// cases, partial and exact reward lists, absent rewards, the value rules, expected errors and
// coverage, on the `shop` fixture policy.
//
// What the shop policy decides for tests/testing/fixtures/shop/facts/two_referrals.json at
// 2027-01-10T12:00:00+08:00, by hand:
//   referrer C-1 (3 orders, loyal): eligible.
//   referee C-2 (1 order) completed 2027-01-01T10:00+08:00: qualified #1, settles 7 days
//        later, 2027-01-08T10:00+08:00, before now.
//   referee C-3 completed 2027-01-05T09:00: qualified #2, settles 2027-01-12T09:00 (after
//   now). R-3: no completed_at: not_qualified [completed]. R-4: the referee is C-1, the referrer:
//   void [self_referral]; it would have qualified (1 order,
//        completed, not refunded), so it settles 2027-01-09T12:00 and its rewards are void.
//   referee C-5 has 4 orders: ineligible_referee [new_customer].
//   welcome (50 CNY coupon, expires 30 days after grant), per qualified or voided-but-qualifying
//   referral: C-2 granted at 2027-01-08T10:00, expires 2027-02-07T10:00+08:00 (02:00Z); C-3
//   pending (no granted_at), expires 2027-02-11T09:00; C-1 void, reason self_referral.
//   big_spender (100 points when the first order is >= 500 CNY, `loyal` doubles points to the
//   referrer): R-1 only (600 CNY): 200 points.
//   ladder by 2 qualified referrals: bronze (1) 20.00 CNY coupon and silver (2) gift "mug" valued
//   at 30 CNY, both granted at now; gold (5) not reached.  Outputs: qualified_count = 2.
#include "interpreter/testing/runner.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "tests/support/test_support.hpp"

namespace refpol::policytest {
namespace {

namespace fs = std::filesystem;

fs::path fixtures() { return testing::source_dir() / "tests/testing/fixtures"; }

class PolicyTestRunner : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("refpol-runner-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // One case on two_referrals.json with `expect` as given (indented under the case).
  RunResult run_case(const std::string& expect, bool coverage = false) {
    std::string text = fmt::format(
        "policy: {}\ncases:\n  - name: the case\n    now: 2027-01-10T12:00:00+08:00\n    facts: "
        "{}\n    expect:\n{}",
        (fixtures() / "shop/policy.refpol").string(),
        (fixtures() / "shop/facts/two_referrals.json").string(), expect);
    return run_text(text, coverage);
  }

  RunResult run_text(const std::string& text, bool coverage = false) {
    fs::path file = dir_ / "a.test.yaml";
    testing::write_text(file, text);
    RunOptions o;
    o.paths = {file.string()};
    o.coverage = coverage;
    return run_tests(o);
  }

  fs::path dir_;
};

const CaseResult& only_case(const RunResult& r) {
  static CaseResult none;
  if (r.files.size() != 1 || r.files[0].cases.size() != 1) {
    ADD_FAILURE() << "expected one case";
    return none;
  }
  return r.files[0].cases[0];
}

// `line:col: message` of each failure, and its details.
std::vector<std::string> failures(const RunResult& r) {
  std::vector<std::string> out;
  for (const auto& f : only_case(r).failures) {
    std::string where = f.where.substr(f.where.find(".yaml:") + 6);
    out.push_back(where + ": " + f.message);
    for (const auto& d : f.details) out.push_back("    " + d);
  }
  return out;
}

bool passed(const RunResult& r) {
  const CaseResult& c = only_case(r);
  EXPECT_TRUE(c.errors.empty()) << c.errors;
  return c.outcome == CaseResult::Outcome::passed;
}

TEST_F(PolicyTestRunner, TheShopFixturesPass) {
  RunOptions o;
  o.paths = {(fixtures() / "shop").string()};
  RunResult r = run_tests(o);
  EXPECT_TRUE(r.usage_errors.empty());
  EXPECT_FALSE(r.io_error);
  EXPECT_EQ(summary_line(r), "5 passed, 0 failed, 1 skipped");
  ASSERT_EQ(r.files.size(), 2u);  // basic.test.yaml, discovered.test.yaml: sorted
  EXPECT_EQ(fs::path(r.files[0].path).filename(), "basic.test.yaml");
  EXPECT_EQ(r.files[1].cases[1].skip_reason, "");
}

TEST_F(PolicyTestRunner, TheCurrentFolderIsTheDefault) {
  fs::path before = fs::current_path();
  fs::current_path(fixtures() / "shop" / "tests");
  RunResult r = run_tests(RunOptions{});
  fs::current_path(before);
  EXPECT_EQ(summary_line(r), "5 passed, 0 failed, 1 skipped");
  EXPECT_EQ(r.files[0].path, "basic.test.yaml");
  EXPECT_EQ(r.files[0].policy, "../policy.refpol");
}

TEST_F(PolicyTestRunner, PartialExpectationsCheckOnlyWhatTheyList) {
  EXPECT_TRUE(passed(run_case("      rewards:\n        - { rule: welcome }\n")));
  EXPECT_TRUE(passed(run_case("      referrals:\n        R-3: { reasons: [completed] }\n")));
}

TEST_F(PolicyTestRunner, ExactRejectsUnlistedRewards) {
  RunResult r = run_case("      rewards:\n        - { rule: welcome }\n      exact: true\n");
  EXPECT_EQ(
      failures(r),
      (std::vector<std::string>{
          "9:7: `exact: true`, but the decision has 5 rewards not listed in `rewards`",
          "      shop/welcome/referee:C-3/R-2: coupon 50.00 CNY \"welcome\" pending",
          "      shop/welcome/referee:C-1/R-4: coupon 50.00 CNY \"welcome\" void (self_referral)",
          "      shop/big_spender/referrer:C-1/R-1: points 200 points granted",
          "      shop/ladder/referrer:C-1/bronze: coupon 20.00 CNY granted",
          "      shop/ladder/referrer:C-1/silver: gift \"mug\" granted",
      }));
  EXPECT_TRUE(passed(run_case(
      "      rewards:\n"
      "        - { rule: welcome }\n        - { rule: welcome }\n        - { rule: welcome }\n"
      "        - { rule: big_spender }\n        - { rule: ladder }\n        - { rule: ladder }\n"
      "      exact: true\n")));
}

TEST_F(PolicyTestRunner, RewardsAreMatchedOneToOneInAnyOrder) {
  // The general expectation comes first, yet the two specific ones still find their rewards.
  EXPECT_TRUE(
      passed(run_case("      rewards:\n"
                      "        - { rule: welcome }\n        - { rule: welcome, recipient: C-2 }\n"
                      "        - { rule: welcome, recipient: C-3 }\n")));
  // Three welcome rewards cannot satisfy four expectations.
  RunResult r = run_case(
      "      rewards:\n"
      "        - { rule: welcome }\n        - { rule: welcome }\n        - { rule: welcome }\n"
      "        - { rule: welcome, status: void }\n");
  std::vector<std::string> f = failures(r);
  ASSERT_GE(f.size(), 2u);
  EXPECT_EQ(f[0], "11:11: no reward in the decision matches `{rule: welcome, status: void}`");
  EXPECT_EQ(f[1],
            "    every reward it matches is already matched by another expectation in `rewards`");
}

TEST_F(PolicyTestRunner, AMissingRewardShowsTheClosestFieldByField) {
  RunResult r = run_case(
      "      rewards:\n        - { rule: welcome, recipient: C-3, status: granted, amount: 50 CNY "
      "}\n");
  // C-3's coupon differs only in its status; C-2's (granted) only in its recipient; C-1's in both.
  EXPECT_EQ(failures(r), (std::vector<std::string>{
                             "8:11: no reward in the decision matches `{rule: welcome, recipient: "
                             "C-3, status: granted, amount: 50 CNY}`",
                             "    closest: shop/welcome/referee:C-2/R-1",
                             "        rule: welcome",
                             "      - recipient: C-3    (expected, line 8)",
                             "      + recipient: referee C-2",
                             "        status: granted",
                             "        amount: 50.00 CNY",
                             "    closest: shop/welcome/referee:C-3/R-2",
                             "        rule: welcome",
                             "        recipient: referee C-3",
                             "      - status: granted    (expected, line 8)",
                             "      + status: pending",
                             "        amount: 50.00 CNY",
                             "    and 1 more `welcome` rewards",
                         }));
}

TEST_F(PolicyTestRunner, AbsentRewards) {
  EXPECT_TRUE(
      passed(run_case("      absent:\n        - { rule: ladder, tier: gold }\n        - { rule: "
                      "welcome, recipient: C-5 }\n")));
  RunResult r = run_case("      absent:\n        - { rule: welcome, status: void }\n");
  EXPECT_EQ(
      failures(r),
      (std::vector<std::string>{
          "8:11: `{rule: welcome, status: void}` should be absent, but the decision has 1 such "
          "reward",
          "      shop/welcome/referee:C-1/R-4: coupon 50.00 CNY \"welcome\" void (self_referral)",
      }));
  // An empty expectation matches every reward: `absent: [{}]` means "no rewards at all".
  EXPECT_FALSE(passed(run_case("      absent: [{}]\n")));
}

TEST_F(PolicyTestRunner, ValuesCompareByMeaning) {
  EXPECT_TRUE(
      passed(run_case("      rewards:\n"
                      "        - { rule: welcome, recipient: referee, amount: 50, unit: CNY, "
                      "label: welcome, value: 50 CNY }\n"
                      "        - { rule: welcome, expires_at: 2027-02-07T10:00:00+08:00, "
                      "granted_at: 2027-01-08T02:00:00Z }\n"
                      "        - { rule: welcome, expires_at: 2027-02-11T09:00:00, settles_at: "
                      "2027-01-12T09:00:00+08:00 }\n"
                      "        - { rule: ladder, tier: silver, amount: null, unit: null, reason: "
                      "null, capped: false, value: 30.00 }\n"
                      "        - { rule: big_spender, recipient: C-1, kind: points, amount: 200 "
                      "points, tier: null, due_by: null }\n")));
  // The three expectations above took the three welcome coupons, so the void one is checked apart.
  EXPECT_TRUE(
      passed(run_case("      rewards:\n"
                      "        - { key: shop/welcome/referee:C-1/R-4, status: void, reason: "
                      "self_referral, expires_at: null }\n")));
  std::vector<std::string> f =
      failures(run_case("      rewards:\n        - { rule: welcome, amount: 50 USD }\n"));
  ASSERT_FALSE(f.empty());
  EXPECT_EQ(f[0], "8:11: no reward in the decision matches `{rule: welcome, amount: 50 USD}`");
}

TEST_F(PolicyTestRunner, VerdictsAndOutputs) {
  EXPECT_TRUE(
      passed(run_case("      referrer: { eligible: true, reasons: [], id: C-1 }\n"
                      "      referrals:\n"
                      "        R-1: { status: qualified, position: 1, referee: C-2, settles_at: "
                      "2027-01-08T02:00:00Z }\n"
                      "        R-3: { status: not_qualified, position: null, settles_at: null }\n"
                      "      outputs: { qualified_count: 2.0 }\n")));
  EXPECT_TRUE(passed(run_case("      outputs: { qualified_count: '2' }\n")));
  RunResult r = run_case(
      "      referrer: { eligible: false, reasons: [has_orders] }\n"
      "      referrals:\n"
      "        R-2: { status: void, position: 1 }\n"
      "        R-9: { status: qualified }\n"
      "      outputs: { qualified_count: [2], missing: 1 }\n");
  EXPECT_EQ(failures(r), (std::vector<std::string>{
                             "7:29: `referrer.eligible`: expected `false`, got `true`",
                             "7:45: `referrer.reasons`: expected `[has_orders]`, got `[]`",
                             "9:24: `referrals.R-2.status`: expected `void`, got `qualified`",
                             "9:40: `referrals.R-2.position`: expected `1`, got `2`",
                             "10:9: no referral `R-9` in the decision",
                             "    its referrals: [R-1, R-2, R-3, R-4, R-5]",
                             "11:18: `outputs.qualified_count`: expected `[2]`, got `2`",
                             "11:40: the policy has no output `missing`",
                             "    its outputs: [qualified_count]",
                         }));
}

TEST_F(PolicyTestRunner, ExpectedErrors) {
  std::string head =
      fmt::format("policy: {}\ncases:\n", (fixtures() / "shop/policy.refpol").string());
  std::string facts =
      "    facts: { referrer: { id: C-1, segment: x, orders: many }, referrals: [] }\n";
  EXPECT_TRUE(passed(run_text(head + "  - name: a\n    now: 2027-01-10T12:00:00Z\n" + facts +
                              "    expect: { error: expected a whole number }\n")));
  RunResult r = run_text(head + "  - name: a\n    now: 2027-01-10T12:00:00Z\n" + facts +
                         "    expect: { error: overflow }\n");
  EXPECT_EQ(
      failures(r),
      (std::vector<std::string>{
          "5:12: the facts cannot be loaded, but not with `overflow`",
          fmt::format(
              "    {}:5:55: error: facts: referrer.orders: expected a whole number, got \"many\"",
              (dir_ / "a.test.yaml").string()),
      }));
  // An error under the top-level `paid` points at the amount in the test file, even when the
  // reward key holds dots: line 5, column 97.
  const std::string paid_facts =
      "    facts: { referrer: { id: C-1, segment: x, orders: 1 }, referrals: [], paid: { ok: 1, a.b/c: -1 } }\n";
  r = run_text(head + "  - name: a\n    now: 2027-01-10T12:00:00Z\n" + paid_facts + "    expect: { error: overflow }\n");
  EXPECT_EQ(failures(r),
            (std::vector<std::string>{
                "5:12: the facts cannot be loaded, but not with `overflow`",
                fmt::format("    {}:5:97: error: facts: paid.\"a.b/c\": what was paid cannot be negative",
                            (dir_ / "a.test.yaml").string()),
            }));
  r = run_case("      error: overflow\n");
  EXPECT_EQ(failures(r),
            (std::vector<std::string>{
                "7:14: expected an error containing `overflow`, but the policy gave a decision"}));
}

TEST_F(PolicyTestRunner, InlineFactsCannotExplodeThroughAliases) {
  // Nine levels of ten aliases would be 10^9 items written out. Test files take no aliases (as
  // facts files), so the file fails as a whole at its first aliases and nothing is expanded.
  std::string text = fmt::format("policy: {}\ncases:\n  - name: a\n    now: 2027-01-10T12:00:00Z\n    facts:\n",
                                 (fixtures() / "shop/policy.refpol").string());
  text += "      l0: &l0 [xxxxxxxxxx, xxxxxxxxxx, xxxxxxxxxx, xxxxxxxxxx, xxxxxxxxxx]\n";
  for (int i = 1; i < 10; ++i) {
    text += fmt::format("      l{0}: &l{0} [*l{1}, *l{1}, *l{1}, *l{1}, *l{1}, *l{1}, *l{1}, *l{1}, *l{1}, *l{1}]\n", i, i - 1);
  }
  RunResult r = run_text(text);
  const CaseResult& c = only_case(r);
  EXPECT_EQ(c.outcome, CaseResult::Outcome::failed);
  EXPECT_EQ(c.name, "(the test file)");
  // Line 7 is `      l1: &l1 [*l0, ...`: the first alias is at column 16.
  EXPECT_NE(c.errors.find(":7:16: error: YAML aliases (`*name`) are not allowed in test files"), std::string::npos)
      << c.errors;
}

TEST_F(PolicyTestRunner, ACaseWithoutNowNeedsOneInItsFacts) {
  std::string text = fmt::format(
      "policy: {}\ncases:\n  - name: a\n    facts: {{ referrer: {{ id: C-1, segment: x, orders: 1 "
      "}}, referrals: [] }}\n",
      (fixtures() / "shop/policy.refpol").string());
  RunResult r = run_text(text);
  const CaseResult& c = only_case(r);
  EXPECT_EQ(c.outcome, CaseResult::Outcome::failed);
  EXPECT_NE(
      c.errors.find(":3:11: error: case `a` has no `now`, and its facts have no top-level `now`"),
      std::string::npos)
      << c.errors;
}

TEST_F(PolicyTestRunner, EachPolicyIsCompiledOnceAndCoverageIsShared) {
  RunOptions o;
  o.paths = {(fixtures() / "shop").string()};
  o.coverage = true;
  RunResult r = run_tests(o);
  // basic.test.yaml names ../policy.refpol, discovered.test.yaml finds the same file: one policy.
  ASSERT_EQ(r.coverage.size(), 1u);
  EXPECT_EQ(r.coverage[0]->decisions(), 5u);
  std::vector<std::string> open;
  for (const auto& item : r.coverage[0]->items()) {
    if (!item.missing().empty()) open.push_back(fmt::format("{}: {}", item.line, item.missing()));
  }
  EXPECT_EQ(open, std::vector<std::string>{"58: tier `gold` of `ladder` was never reached"});
}

TEST_F(PolicyTestRunner, CoverageCountsEveryOutcome) {
  RunResult r = run_case("      referrer: { eligible: true }\n", true);
  ASSERT_EQ(r.coverage.size(), 1u);
  std::vector<std::string> items;
  for (const auto& item : r.coverage[0]->items()) {
    items.push_back(fmt::format("{}:{} {} `{}` {}/{}", item.line, item.column, item.group,
                                item.name, item.yes, item.no));
  }
  // Conditions: has_orders held once; new_customer held for R-1..R-4, failed for R-5;
  // self_referral held for R-4 only; completed failed for R-3 only; not_refunded always held.
  // welcome gave 3 rewards, big_spender 1; its `when` held for R-1, failed for R-2 and R-4 (the
  // qualified and voided-but-qualifying referrals); bronze and silver reached, gold not; loyal
  // doubled the points.
  EXPECT_EQ(items, (std::vector<std::string>{
                       "30:15 referrer eligible `has_orders` 1/0",
                       "34:17 referee eligible `new_customer` 4/1",
                       "43:18 referral void `self_referral` 1/4",
                       "38:14 referral qualifies `completed` 4/1",
                       "39:17 referral qualifies `not_refunded` 5/0",
                       "48:1 welcome `welcome` 3/0",
                       "51:1 big_spender `big_spender` 1/0",
                       "52:10 big_spender `when` 1/2",
                       "56:3 ladder `bronze` 1/0",
                       "57:3 ladder `silver` 1/0",
                       "58:3 ladder `gold` 0/1",
                       "61:1 loyal `loyal` 1/0",
                   }));
  EXPECT_EQ(r.coverage[0]->outcomes(), 18u);
  EXPECT_EQ(r.coverage[0]->outcomes_seen(), 15u);
}

TEST_F(PolicyTestRunner, SkippedAndFilteredCasesAreCountedApart) {
  RunOptions o;
  o.paths = {(fixtures() / "failing/failing.yaml").string()};
  RunResult r = run_tests(o);
  EXPECT_EQ(summary_line(r), "1 passed, 3 failed, 1 skipped");
  o.filters = {"passes", "*gold"};
  r = run_tests(o);
  EXPECT_EQ(summary_line(r), "1 passed, 0 failed, 1 skipped");
  o.filters = {"no such case"};
  r = run_tests(o);
  EXPECT_EQ(summary_line(r), "0 passed, 0 failed");
  EXPECT_EQ(r.usage_errors, std::vector<std::string>{
                                "refpol: error: no test case matches --filter `no such case`"});
}

}  // namespace
}  // namespace refpol::policytest
