// `refpol simulate` through the real binary on small histories whose every number is worked out
// by hand (tests/simulate/histories/), plus bad events, the window, a baseline and the CSV tables.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>

#include "tests/support/test_support.hpp"

namespace refpol {
namespace {

namespace fs = std::filesystem;
using testing::read_text;
using testing::run_refpol;
using testing::source_dir;

const std::string kPolicy = "policies/old-friends/policy.refpol";
const std::string kSmall = "tests/simulate/histories/small.jsonl";
const std::string kBad = "tests/simulate/histories/bad.jsonl";

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

struct Summary {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  explicit Summary(const std::string& text) { EXPECT_FALSE(parser.parse(text).get(root)) << text; }
  std::string str(const char* pointer) {
    std::string_view v;
    EXPECT_FALSE(root.at_pointer(pointer).get(v)) << pointer;
    return std::string(v);
  }
  std::int64_t num(const char* pointer) {
    std::int64_t v = -1;
    EXPECT_FALSE(root.at_pointer(pointer).get(v)) << pointer;
    return v;
  }
  bool is_null(const char* pointer) { return root.at_pointer(pointer).is_null(); }
};

// small.jsonl, under the old-friends policy (active phase 2026-12-08..2027-01-06, 7-day holding):
//   R3: C1 -> F3 bound 12-02 (warm-up)            -> not qualified (bound_in_active)
//   R1: C1 -> F1 bound 12-08, order 300 completed 12-10 10:00 -> qualified, settles 12-17 10:00
//   R2: C1 -> F2 bound 12-09, order 200 completed 12-11, refunded 12-12 -> not qualified
// Rewards: R1's 50 CNY first-order coupon and 20 % coupon (decided 12-10, pending, granted at
// 12-17); R2's pair (decided 12-11, pending) withdrawn when the refund comes; at 12-17, one
// settled referral gives the ladder's 100 CNY coupon and the first-100 bonus of 50 CNY.
TEST(Simulate, SmallHistoryWorkedOutByHand) {
  auto r = run_refpol({"simulate", "--policy", kPolicy, "--events", kSmall, "--to", "2027-01-11"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Summary s(r.out);
  EXPECT_EQ(s.str("/schema"), "refpol.simulation/1");
  EXPECT_EQ(s.str("/window/to"), "2027-01-11T23:59:59+08:00");
  EXPECT_EQ(s.num("/events/read"), 16);
  EXPECT_EQ(s.num("/events/skipped"), 0);
  EXPECT_EQ(s.num("/events/failed_evaluations"), 0);
  // Four new customers (F1-F4), three of them referred; C1 and C2 existed, C1 referred.
  EXPECT_EQ(s.num("/customers/new"), 4);
  EXPECT_EQ(s.num("/customers/referred_new"), 3);
  EXPECT_EQ(s.str("/customers/referred_share"), "0.7500");
  EXPECT_EQ(s.str("/referrers/participation_rate"), "0.5000");
  EXPECT_EQ(s.num("/referrals/bound"), 3);
  EXPECT_EQ(s.num("/referrals/qualified"), 1);
  EXPECT_EQ(s.num("/referrals/not_qualified"), 2);
  EXPECT_EQ(s.str("/referrals/conversion_rate"), "0.3333");
  // Six rewards: four granted (50 + 0 + 100 + 50 = 200 CNY of value), R2's two void (withdrawn).
  EXPECT_EQ(s.num("/rewards/count"), 6);
  EXPECT_EQ(s.str("/rewards/total_value"), "200.00");
  EXPECT_EQ(s.num("/rewards/by_status/granted/count"), 4);
  EXPECT_EQ(s.str("/rewards/by_status/granted/value"), "200.00");
  EXPECT_EQ(s.num("/rewards/by_status/void/count"), 2);
  EXPECT_EQ(s.num("/rewards/by_status/pending/count"), 0);
  EXPECT_EQ(s.str("/budget/used"), "200.00");
  EXPECT_TRUE(s.is_null("/budget/ran_out_on"));
  // Daily: 12-10 R1 qualifies (value 50 given), 12-11 R2's rewards are decided but later void
  // (nothing given, and R2 is not counted as qualified), 12-17 the ladder and bonus (150).
  EXPECT_EQ(s.str("/daily/3/date"), "2026-12-10");
  EXPECT_EQ(s.num("/daily/3/qualified"), 1);
  EXPECT_EQ(s.str("/daily/3/value"), "50.00");
  EXPECT_EQ(s.str("/daily/4/date"), "2026-12-11");
  EXPECT_EQ(s.num("/daily/4/qualified"), 0);
  EXPECT_EQ(s.num("/daily/4/rewards"), 2);
  EXPECT_EQ(s.str("/daily/4/value"), "0.00");
  EXPECT_EQ(s.str("/daily/5/date"), "2026-12-17");
  EXPECT_EQ(s.str("/daily/5/value"), "150.00");
  EXPECT_EQ(s.str("/daily/5/cumulative_value"), "200.00");
  EXPECT_EQ(s.str("/leaderboards/0/month"), "2026-12");
  EXPECT_EQ(s.str("/leaderboards/0/top/0/referrer"), "C1");
  EXPECT_EQ(s.num("/leaderboards/0/top/0/qualified"), 1);
  // R1: 50 CNY of rewards on a 300 CNY order is 16.67 %, within 15-25 %.
  EXPECT_EQ(s.num("/design_checks/reward_share/within"), 1);
  EXPECT_EQ(s.num("/design_checks/reward_share/below"), 0);
  EXPECT_EQ(s.str("/design_checks/rules_with_many_conditions/1/rule"), "referral qualifies");
  EXPECT_EQ(s.num("/design_checks/rules_with_many_conditions/1/conditions"), 7);
  // The void block too: six ways a referral is fraud.
  EXPECT_EQ(s.str("/design_checks/rules_with_many_conditions/2/rule"), "referral void");
  EXPECT_EQ(s.num("/design_checks/rules_with_many_conditions/2/conditions"), 6);
  EXPECT_TRUE(s.is_null("/comparison"));
  // The same input gives the same bytes.
  auto again = run_refpol({"simulate", "--policy", kPolicy, "--events", kSmall, "--to", "2027-01-11"});
  EXPECT_EQ(again.out, r.out);
}

// lapse.jsonl under fixtures/lapse.refpol (eligible for 30 days after the last order; a budget
// of one 100 CNY reward):
//   12-15 10:00 RA (A's) completes: A's reward is pending (settles 12-22), the budget is spent.
//   A's last order was 11-20 12:00, so A stops being eligible at 12-20 12:00:01: the replay
//   looks at A then (the decision's recheck_at), A's pending reward is withdrawn, the budget is
//   free again.
//   12-21 10:00 RB (B's) completes: B's reward fits, pending. 12-23 the order is refunded: the
//   pending reward is withdrawn.
// Without the look at 12-20 12:00:01, A would keep the budget until 12-22 10:00 (RA's settle
// date), B's reward would be withheld for the budget on 12-21 and stay withheld.
// Evaluations: 7 for the events that touch A or B (bound, placed, completed; B also refunded),
// 4 looks when due (A at 12-20 12:00:01 and 12-22 10:00, B at 12-28 10:00 and at 12-31 08:00:01,
// 30 days after B's last order), and A and B at the end: 13.
TEST(Simulate, EligibilityLapsingFreesTheBudgetAtThatSecond) {
  auto r = run_refpol({"simulate", "--policy", "tests/simulate/fixtures/lapse.refpol", "--events",
                       "tests/simulate/histories/lapse.jsonl", "--to", "2026-12-31"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Summary s(r.out);
  EXPECT_EQ(s.num("/events/evaluations"), 13);
  EXPECT_EQ(s.num("/rewards/count"), 2);
  EXPECT_EQ(s.num("/rewards/by_status/void/count"), 2);
  EXPECT_EQ(s.num("/rewards/by_status/withheld/count"), 0);
}

TEST(Simulate, TheWindowLeavesOutEarlierReferrals) {
  auto r = run_refpol({"simulate", "--policy", kPolicy, "--events", kSmall, "--from", "2026-12-08", "--to", "2027-01-11"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Summary s(r.out);
  EXPECT_EQ(s.str("/window/from"), "2026-12-08T00:00:00+08:00");
  EXPECT_EQ(s.num("/referrals/bound"), 2);  // R3 was bound on 12-02
  EXPECT_EQ(s.str("/referrals/conversion_rate"), "0.5000");
  EXPECT_EQ(s.num("/customers/new"), 3);  // F3 came before the window
  // --to before the refund: R2 is still qualified and its rewards pending.
  auto early = run_refpol({"simulate", "--policy", kPolicy, "--events", kSmall, "--to", "2026-12-11"});
  ASSERT_EQ(early.exit_code, 0) << early.err;
  Summary e(early.out);
  EXPECT_EQ(e.num("/referrals/qualified"), 2);
  EXPECT_EQ(e.num("/rewards/by_status/pending/count"), 4);
  EXPECT_EQ(e.str("/rewards/by_status/pending/value"), "100.00");
}

// from_window.jsonl: C1 refers F1 on 12-08; F1's 300 CNY order completes on 12-09 10:00 (and
// C1 refers F2 in January). From 12-09, nothing was decided before: R1, bound before the window,
// qualifies in it on 12-09 (F1's 50 CNY and 20 % coupons), and settles on 12-16 (C1's 100 CNY
// ladder coupon and 50 CNY first-100 bonus). Every table says so, C1's row included.
TEST(Simulate, AReferralBoundBeforeTheWindowQualifiesInIt) {
  fs::path dir = fs::temp_directory_path() / ("refpol-sim-from-" + std::to_string(getpid()));
  fs::remove_all(dir);
  auto r = run_refpol({"simulate", "--policy", kPolicy, "--events", "tests/simulate/histories/from_window.jsonl", "--from",
                       "2026-12-09", "--to", "2026-12-31", "--out", dir.string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Summary s(read_text(dir / "summary.json"));
  EXPECT_EQ(s.num("/referrals/bound"), 0);  // the cohort bound in the window: none
  EXPECT_EQ(s.str("/rewards/total_value"), "200.00");
  EXPECT_EQ(s.str("/daily/0/date"), "2026-12-09");
  EXPECT_EQ(s.num("/daily/0/qualified"), 1);
  EXPECT_EQ(s.str("/daily/0/value"), "50.00");
  EXPECT_EQ(s.str("/daily/1/date"), "2026-12-16");
  EXPECT_EQ(s.str("/daily/1/value"), "150.00");
  EXPECT_EQ(s.str("/leaderboards/0/top/0/referrer"), "C1");
  EXPECT_EQ(s.num("/leaderboards/0/top/0/qualified"), 1);
  EXPECT_EQ(read_text(dir / "referrers.csv"), "referrer,bound,qualified,rewards,total_value\nC1,0,1,2,150.00\n");
  fs::remove_all(dir);
  // A window that starts after the last event holds nothing: no look, no reward, no end.
  auto late = run_refpol({"simulate", "--policy", kPolicy, "--events", "tests/simulate/histories/from_window.jsonl",
                          "--from", "2027-02-01"});
  ASSERT_EQ(late.exit_code, 0) << late.err;
  Summary l(late.out);
  EXPECT_EQ(l.num("/events/evaluations"), 0);
  EXPECT_EQ(l.num("/rewards/count"), 0);
  EXPECT_TRUE(l.is_null("/window/to"));
}

TEST(Simulate, BadEventsStopOrAreSkippedButNeverSilently) {
  auto stop = run_refpol({"simulate", "--policy", kPolicy, "--events", kBad});
  EXPECT_EQ(stop.exit_code, 1);
  EXPECT_EQ(stop.out, "");
  EXPECT_EQ(stop.err, kBad + ":2: error: order `O-77` is not known (no earlier event created it)\n");
  auto skip = run_refpol({"simulate", "--policy", kPolicy, "--events", kBad, "--bad-events", "skip"});
  EXPECT_EQ(skip.exit_code, 0) << skip.err;
  for (const char* expected :
       {":2: warning: skipped: order `O-77` is not known",
        ":3: warning: skipped: out of order: `ts` 2026-11-30T10:00:00+08:00 is before 2026-12-01T09:00:00+08:00",
        ":4: warning: skipped: the event id `E1` was used before", ":5: warning: skipped: unknown event type `referal_bound`",
        ":6: warning: skipped: `amount` \"12,50\" is not an amount", ":7: warning: skipped: not JSON: "}) {
    EXPECT_TRUE(contains(skip.err, kBad + expected)) << expected << "\n" << skip.err;
  }
  Summary s(skip.out);
  EXPECT_EQ(s.num("/events/read"), 8);
  EXPECT_EQ(s.num("/events/applied"), 2);
  EXPECT_EQ(s.num("/events/skipped"), 6);
  EXPECT_EQ(s.num("/events/skipped_examples/4/line"), 6);
  EXPECT_EQ(s.num("/events/by_type/share"), 1);
}

// Event ids are compared as JSON strings, after their escapes; a long id differing only in its
// last byte is another id.
TEST(Simulate, RepeatedEventIdsAfterEscapes) {
  const std::string long_id(3000, 'E');
  const std::string customer =
      R"(","ts":"2026-12-01T09:00:00+08:00","type":"customer","new":true,"customer":{"id":"C1","order_count":0,"total_spend":"0","shares":0}})";
  const std::string input = R"({"id":"E1)" + customer + "\n" + R"({"id":"E\u0031)" + customer + "\n" + R"({"id":")" +
                            long_id + customer + "\n" + R"({"id":")" + long_id + "F" + customer + "\n" +
                            R"({"id":")" + long_id + customer + "\n";
  auto r = run_refpol({"simulate", "--policy", kPolicy, "--events", "-", "--bad-events", "skip"}, input);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "-:2: warning: skipped: the event id `E1` was used before\n-:5: warning: skipped: the event id `" +
                       long_id + "` was used before\nrefpol: 2 bad events skipped (`events.skipped` in summary.json)\n");
  Summary s(r.out);
  EXPECT_EQ(s.num("/events/applied"), 3);
}

TEST(Simulate, BaselineComparesRewardByReward) {
  fs::path dir = fs::temp_directory_path() / ("refpol-sim-baseline-" + std::to_string(getpid()));
  fs::create_directories(dir);
  std::string text = read_text(source_dir() / kPolicy);
  const std::string from = "coupon_100: 1 -> coupon 100 CNY";
  ASSERT_NE(text.find(from), std::string::npos);
  text.replace(text.find(from), from.size(), "coupon_100: 1 -> coupon 120 CNY");
  testing::write_text(dir / "policy.refpol", text);
  auto r = run_refpol({"simulate", "--policy", (dir / "policy.refpol").string(), "--baseline", kPolicy, "--events", kSmall,
                       "--to", "2027-01-11"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Summary s(r.out);
  EXPECT_EQ(s.str("/baseline/id"), "old-friends");
  // 120 instead of 100 for the one ladder coupon: 20 CNY more, one reward changed.
  EXPECT_EQ(s.str("/comparison/total_value"), "220.00");
  EXPECT_EQ(s.str("/comparison/baseline_total_value"), "200.00");
  EXPECT_EQ(s.str("/comparison/cost_delta"), "20.00");
  EXPECT_EQ(s.num("/comparison/gained"), 0);
  EXPECT_EQ(s.num("/comparison/lost"), 0);
  EXPECT_EQ(s.num("/comparison/changed"), 1);
  EXPECT_EQ(s.str("/comparison/changes/0/rule"), "ladder");
  EXPECT_EQ(s.str("/comparison/changes/0/value"), "120.00");
  EXPECT_EQ(s.str("/comparison/changes/0/baseline_value"), "100.00");
  fs::remove_all(dir);
}

// new_referrer.jsonl: C1 existed and referred nobody; N1, new on 12-08, referred F1. The
// participation rate is a share of the existing customers: 0 of 1.
TEST(Simulate, ANewCustomerWhoRefersIsNotAParticipatingExistingCustomer) {
  auto r = run_refpol({"simulate", "--policy", kPolicy, "--events", "tests/simulate/histories/new_referrer.jsonl"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Summary s(r.out);
  EXPECT_EQ(s.num("/referrers/existing_customers"), 1);
  EXPECT_EQ(s.num("/referrers/participating"), 0);
  EXPECT_EQ(s.str("/referrers/participation_rate"), "0.0000");
  EXPECT_EQ(s.num("/referrals/bound"), 1);
}

// first_rewarded.jsonl under first_rewarded.refpol (50 CNY per settled referral, 20 CNY more to
// the first referrer rewarded): A's friend completes on 12-09 and is refunded on 12-10, so A's
// pending 50 is withdrawn and A was never rewarded; B's friend completes on 12-11 13:00, which
// settles on 12-18 13:00. B is then the first referrer rewarded: 50 + 20 = 70 CNY in all.
TEST(Simulate, APendingRewardWithdrawnTakesNoPlaceAmongTheFirstRewarded) {
  auto r = run_refpol({"simulate", "--policy", "tests/simulate/fixtures/first_rewarded.refpol", "--events",
                       "tests/simulate/histories/first_rewarded.jsonl", "--to", "2026-12-31"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Summary s(r.out);
  EXPECT_EQ(s.str("/rewards/total_value"), "70.00");
  EXPECT_EQ(s.num("/rewards/by_status/granted/count"), 2);
  EXPECT_EQ(s.str("/rewards/by_status/granted/value"), "70.00");
  EXPECT_EQ(s.num("/rewards/by_status/void/count"), 1);  // A's withdrawn 50
}

// A reward matched in both ledgers with another unit (a 20 % coupon valued at 20 CNY against a
// 20 CNY coupon: the same kind, amount, value and status) is changed; one given under a policy
// but void under the other is gained only where it was given.
TEST(Simulate, BaselineCountsOnlyRewardsGivenAndComparesTheirUnit) {
  const std::string F = "tests/simulate/fixtures/";
  // one_reward.jsonl: C1 refers F1, whose 200 CNY order completes on 12-09.
  auto r = run_refpol({"simulate", "--policy", F + "compare_amount.refpol", "--baseline", F + "compare_percent.refpol",
                       "--events", "tests/simulate/histories/one_reward.jsonl"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Summary s(r.out);
  EXPECT_EQ(s.str("/comparison/cost_delta"), "0.00");
  EXPECT_EQ(s.num("/comparison/gained"), 0);
  EXPECT_EQ(s.num("/comparison/lost"), 0);
  EXPECT_EQ(s.num("/comparison/changed"), 1);
  EXPECT_EQ(s.str("/comparison/changes/0/rule"), "thanks");
  EXPECT_EQ(s.str("/comparison/changes/0/status"), "granted");
  EXPECT_EQ(s.str("/comparison/changes/0/baseline_status"), "granted");
  EXPECT_EQ(s.str("/comparison/changes/0/amount") + " " + s.str("/comparison/changes/0/unit"), "20.00 CNY");
  EXPECT_EQ(s.str("/comparison/changes/0/baseline_amount") + " " + s.str("/comparison/changes/0/baseline_unit"), "20 %");
  // Only the amount differs (25 % off against 20 %, valued the same): the change says so.
  r = run_refpol({"simulate", "--policy", F + "compare_percent_25.refpol", "--baseline", F + "compare_percent.refpol",
                  "--events", "tests/simulate/histories/one_reward.jsonl"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Summary p(r.out);
  EXPECT_EQ(p.num("/comparison/changed"), 1);
  EXPECT_EQ(p.str("/comparison/changes/0/kind") + " " + p.str("/comparison/changes/0/amount") + " " +
                p.str("/comparison/changes/0/unit") + " " + p.str("/comparison/changes/0/value"),
            "coupon 25 % 20.00");
  EXPECT_EQ(p.str("/comparison/changes/0/baseline_kind") + " " + p.str("/comparison/changes/0/baseline_amount") + " " +
                p.str("/comparison/changes/0/baseline_unit") + " " + p.str("/comparison/changes/0/baseline_value"),
            "coupon 20 % 20.00");
  // A share off has no amount to add up across rewards.
  EXPECT_TRUE(p.is_null("/rewards/by_kind/0/amount"));
  // refunded_reward.jsonl: the same, and the order is refunded on 12-10, before the 7 days pass:
  // both rewards of compare_two are withdrawn, so nothing is gained (the ledger has F1's welcome
  // as void, the baseline nothing) and nothing changed (thanks is void under both).
  r = run_refpol({"simulate", "--policy", F + "compare_two.refpol", "--baseline", F + "compare_one.refpol", "--events",
                  "tests/simulate/histories/refunded_reward.jsonl"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Summary t(r.out);
  EXPECT_EQ(t.str("/comparison/cost_delta"), "0.00");
  EXPECT_EQ(t.num("/comparison/gained"), 0);
  EXPECT_EQ(t.num("/comparison/lost"), 0);
  EXPECT_EQ(t.num("/comparison/changed"), 0);
  // The same history without the refund (one_reward.jsonl): the welcome is gained, pending.
  r = run_refpol({"simulate", "--policy", F + "compare_two.refpol", "--baseline", F + "compare_one.refpol", "--events",
                  "tests/simulate/histories/one_reward.jsonl", "--to", "2026-12-10"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Summary u(r.out);
  EXPECT_EQ(u.num("/comparison/gained"), 1);
  EXPECT_EQ(u.str("/comparison/changes/0/rule"), "welcome");
  EXPECT_EQ(u.str("/comparison/changes/0/status"), "pending");
  EXPECT_TRUE(u.is_null("/comparison/changes/0/baseline_status"));
}

// ineligible_referrer.jsonl: C2 (one order, 80 CNY spent: not eligible under old-friends) refers
// F1, whose 200 CNY order completes. The referral qualifies, but no reward is given: the design
// check leaves it out rather than count 0 % as a reward below 15 %.
TEST(Simulate, DesignChecksLeaveOutReferralsOfIneligibleReferrers) {
  auto r = run_refpol({"simulate", "--policy", kPolicy, "--events", "tests/simulate/histories/ineligible_referrer.jsonl"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Summary s(r.out);
  EXPECT_EQ(s.num("/referrals/qualified"), 1);
  EXPECT_EQ(s.num("/rewards/count"), 0);
  EXPECT_EQ(s.num("/design_checks/reward_share/below"), 0);
  EXPECT_EQ(s.num("/design_checks/reward_share/within"), 0);
  EXPECT_EQ(s.num("/design_checks/reward_share/above"), 0);
}

// many_conditions.refpol: `when pilot and enabled and ... and ...`, where pilot and enabled are
// definitions of constants: four parts, each define one, however compiling works them out.
// share_check.jsonl: C1's five friends each complete a first order; each referral gives C1 15 CNY
// from a budget of 30 CNY, so the last three are withheld for the budget. Their share of the
// order is what the policy decided, budget or not:
//   F1 60.00: 0.25 exactly, within.        F2 59.99: 0.250041..., above, shown 0.2501.
//   F3 80.00: 0.1875, within (withheld).   F4 0.00: a free order with a reward, above, no share.
//   F5 100.01: 0.149985..., below, shown 0.1499 (withheld).
TEST(Simulate, DesignChecksCountWhatThePolicyDecidedAndShowTheShareOutsideTheBand) {
  auto r = run_refpol({"simulate", "--policy", "tests/simulate/fixtures/share_check.refpol", "--events",
                       "tests/simulate/histories/share_check.jsonl"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Summary s(r.out);
  EXPECT_EQ(s.num("/rewards/by_status/withheld/count"), 3);
  EXPECT_EQ(s.num("/design_checks/reward_share/within"), 2);
  EXPECT_EQ(s.num("/design_checks/reward_share/above"), 2);
  EXPECT_EQ(s.num("/design_checks/reward_share/below"), 1);
  EXPECT_EQ(s.str("/design_checks/reward_share/examples/0/referral") + " " + s.str("/design_checks/reward_share/examples/0/share"),
            "R-F2 0.2501");
  EXPECT_EQ(s.str("/design_checks/reward_share/examples/1/referral"), "R-F4");
  EXPECT_TRUE(s.is_null("/design_checks/reward_share/examples/1/share"));
  EXPECT_EQ(s.str("/design_checks/reward_share/examples/2/referral") + " " + s.str("/design_checks/reward_share/examples/2/share") +
                " " + s.str("/design_checks/reward_share/examples/2/reward_value"),
            "R-F5 0.1499 15.00");
  // The report shows the null share as a dash.
  const fs::path out = fs::temp_directory_path() / "refpol_share_check";
  fs::remove_all(out);
  auto o = run_refpol({"simulate", "--policy", "tests/simulate/fixtures/share_check.refpol", "--events",
                       "tests/simulate/histories/share_check.jsonl", "--out", out.string()});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  EXPECT_TRUE(contains(read_text(out / "report.html"), "<td>R-F4</td><td>C1</td><td class=\"n\">0.00</td><td class=\"n\">15.00</td><td class=\"n\">\u2014</td>"));
  fs::remove_all(out);
}

TEST(Simulate, DesignChecksCountEveryAndedPartOfARule) {
  auto r = run_refpol({"simulate", "--policy", "tests/simulate/fixtures/many_conditions.refpol", "--events",
                       "tests/simulate/histories/one_reward.jsonl"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Summary s(r.out);
  EXPECT_EQ(s.str("/design_checks/rules_with_many_conditions/0/rule"), "thanks");
  EXPECT_EQ(s.num("/design_checks/rules_with_many_conditions/0/conditions"), 4);
}

TEST(Simulate, OutWritesTheSummaryTablesAndReport) {
  fs::path dir = fs::temp_directory_path() / ("refpol-sim-out-" + std::to_string(getpid()));
  fs::remove_all(dir);
  auto r = run_refpol({"simulate", "--policy", kPolicy, "--events", kSmall, "--to", "2027-01-11", "--out", dir.string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "");
  auto stdout_run = run_refpol({"simulate", "--policy", kPolicy, "--events", kSmall, "--to", "2027-01-11"});
  EXPECT_EQ(read_text(dir / "summary.json"), stdout_run.out);
  const std::string rewards = read_text(dir / "rewards.csv");
  EXPECT_EQ(std::count(rewards.begin(), rewards.end(), '\n'), 7);  // header + 6 rewards
  EXPECT_TRUE(contains(rewards, "old-friends/ladder/referrer:C1/coupon_100,referrer,C1,ladder,coupon_100,coupon,100.00,CNY,100.00,granted,,2026-12-17T10:00:00+08:00,"))
      << rewards;
  EXPECT_TRUE(contains(rewards, ",void,withdrawn,2026-12-11T10:00:00+08:00,")) << rewards;
  // C1: three bound, one qualified; two referrer rewards (ladder 100 + first-100 bonus 50).
  EXPECT_EQ(read_text(dir / "referrers.csv"), "referrer,bound,qualified,rewards,total_value\nC1,3,1,2,150.00\n");
  EXPECT_EQ(read_text(dir / "leaderboard.csv"), "month,rank,referrer,qualified\n2026-12,1,C1,1\n");
  const std::string daily = read_text(dir / "daily.csv");
  EXPECT_TRUE(contains(daily, "\n2026-12-17,0,0,2,150.00,200.00\n")) << daily;
  EXPECT_TRUE(contains(read_text(dir / "report.html"), "old-friends"));
  fs::remove_all(dir);
}

// one_reward.jsonl with the referrer's id `C,"1"`: a field holding a comma or a quote is quoted,
// its quotes doubled (RFC 4180), in every table. The 50 CNY thanks is decided when the order
// completes (12-09 10:00) and granted 7 days later.
TEST(Simulate, CsvFieldsWithCommasAndQuotesAreQuoted) {
  fs::path dir = fs::temp_directory_path() / ("refpol-sim-csv-" + std::to_string(getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::string history = read_text(source_dir() / "tests/simulate/histories/one_reward.jsonl");
  for (std::size_t at; (at = history.find("\"C1\"")) != std::string::npos;) history.replace(at, 4, R"("C,\"1\"")");
  {
    std::ofstream(dir / "history.jsonl") << history;
  }
  auto r = run_refpol({"simulate", "--policy", "tests/simulate/fixtures/compare_one.refpol", "--events",
                       (dir / "history.jsonl").string(), "--to", "2026-12-31", "--out", (dir / "out").string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(read_text(dir / "out/rewards.csv"),
            "key,recipient_role,recipient_id,rule,tier,kind,amount,unit,value,status,reason,first_decided_at,"
            "granted_at,settles_at,expires_at,clawback\n"
            R"("thanks/thanks/referrer:C,""1""/R1",referrer,"C,""1""",thanks,,cash,50.00,CNY,50.00,granted,,)"
            "2026-12-09T10:00:00+08:00,2026-12-16T10:00:00+08:00,2026-12-16T10:00:00+08:00,,\n");
  EXPECT_EQ(read_text(dir / "out/referrers.csv"), "referrer,bound,qualified,rewards,total_value\n\"C,\"\"1\"\"\",1,1,1,50.00\n");
  EXPECT_EQ(read_text(dir / "out/leaderboard.csv"), "month,rank,referrer,qualified\n2026-12,1,\"C,\"\"1\"\"\",1\n");
  fs::remove_all(dir);
}

// Every skipped event is reported on standard error, not only the first 100 summary.json keeps,
// and the count comes last; a line past the 16 MiB limit says so; a byte-order mark at the start
// of the file is not an event's first byte.
TEST(Simulate, EverySkippedEventIsReported) {
  std::string input = "\xEF\xBB\xBF" + read_text(source_dir() / kSmall);
  for (int i = 0; i < 150; ++i) input += "{\"id\":\"X" + std::to_string(i) + "\"}\n";
  input += std::string(16 * 1024 * 1024 + 1, ' ') + "\n";
  auto r = run_refpol({"simulate", "--policy", kPolicy, "--events", "-", "--bad-events", "skip"}, input);
  ASSERT_EQ(r.exit_code, 0) << r.err.substr(0, 2000);
  std::size_t warnings = 0;
  for (std::size_t at = 0; (at = r.err.find(": warning: skipped: ", at)) != std::string::npos; ++at) ++warnings;
  EXPECT_EQ(warnings, 151u);
  const std::size_t lines = std::count(input.begin(), input.end(), '\n');
  EXPECT_TRUE(contains(r.err, "-:" + std::to_string(lines - 1) + ": warning: skipped: missing key `type`")) << r.err.substr(r.err.size() - 500);
  EXPECT_TRUE(contains(r.err, "-:" + std::to_string(lines) +
                                  ": warning: skipped: the line is 16777217 bytes long; the limit is 16777216 (16 MiB)\n"));
  EXPECT_TRUE(r.err.ends_with("refpol: 151 bad events skipped (`events.skipped` in summary.json)\n"));
  Summary s(r.out);
  EXPECT_EQ(s.num("/events/skipped"), 151);
  EXPECT_EQ(s.num("/events/applied"), static_cast<std::int64_t>(lines - 151));
}

// A window bound given as a date-time in another zone is the same instant, shown in the policy's.
TEST(Simulate, TheWindowIsShownInThePolicysZone) {
  auto r = run_refpol({"simulate", "--policy", kPolicy, "--events", kSmall, "--from", "2026-12-01T16:00:00Z", "--to",
                       "2026-12-20T02:00:00Z"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Summary s(r.out);
  EXPECT_EQ(s.str("/window/from"), "2026-12-02T00:00:00+08:00");
  EXPECT_EQ(s.str("/window/to"), "2026-12-20T10:00:00+08:00");
}

TEST(Simulate, UsageErrors) {
  EXPECT_EQ(run_refpol({"simulate", "--policy", kPolicy, "--events", "no/such/file.jsonl"}).exit_code, 2);
  // A policy that cannot be read is a usage error, as in `refpol check`; one with errors is 1.
  EXPECT_EQ(run_refpol({"simulate", "--policy", "no/such/policy.refpol", "--events", kSmall}).exit_code, 2);
  EXPECT_EQ(run_refpol({"simulate", "--policy", kPolicy, "--baseline", "no/such/policy.refpol", "--events", kSmall}).exit_code, 2);
  EXPECT_EQ(run_refpol({"simulate", "--policy", "tests/golden/check/aggregate_errors.refpol", "--events", kSmall}).exit_code, 1);
  auto flat = run_refpol({"simulate", "--policy", "bench/flat/policy.refpol", "--events", kSmall});
  EXPECT_EQ(flat.exit_code, 2);
  EXPECT_TRUE(contains(flat.err, "standard facts schema")) << flat.err;
  EXPECT_EQ(run_refpol({"simulate", "--policy", kPolicy, "--events", kSmall, "--to", "2026-13-01"}).exit_code, 2);
  EXPECT_EQ(run_refpol({"simulate", "--policy", kPolicy, "--events", kSmall, "--bad-events", "ignore"}).exit_code, 2);
}

}  // namespace
}  // namespace refpol
