// Reusing a referrer's last decision (Runner::evaluate's `unread_change`) must change nothing:
// the whole replay of a generated history with many shares, with and without, gives the same
// summary (but for the count of reused decisions) and tables; and it happens only where the
// policy reads no `shares`.
#include <gtest/gtest.h>

#include <regex>
#include <string>
#include <vector>

#include "interpreter/compile/program.hpp"
#include "interpreter/simulate/simulator.hpp"
#include "tests/simulate/replay.hpp"
#include "tests/support/test_support.hpp"

namespace refpol::sim {
namespace {

struct Outputs : testing_replay::Outputs {
  std::uint64_t reused = 0;
};

// The replay's outputs, with the count of reused decisions taken out of the summary into
// `reused`.
Outputs replay(const std::vector<std::string>& lines, const std::string& policy, const std::string& baseline,
               bool reuse) {
  SimulationOptions options;
  options.reuse_decisions = reuse;
  Outputs out{testing_replay::replay(lines, policy, baseline, options)};
  std::smatch m;
  if (std::regex_search(out.summary, m, std::regex(R"re("reused_decisions": (\d+))re"))) {
    out.reused = std::stoull(m[1].str());
  } else {
    ADD_FAILURE() << "no reused_decisions in the summary";
  }
  out.summary = std::regex_replace(out.summary, std::regex(R"re("reused_decisions": \d+)re"), "");
  return out;
}

TEST(ReusedDecisions, ReplaysGiveTheSameOutputsWithAndWithout) {
  // Shares at a high rate; refunds, returns, exchanges and review flags move verdicts and free
  // budget; a small history so the budget of the seed 000 campaign is not what decides.
  const std::vector<std::string> lines = testing::generated_history(
      "--customers 1500 --events 15000 --seed 12 --communities 12 --organisations 8 --refund-rate 0.2 "
      "--return-rate 0.1 --exchange-rate 0.05 --review-flag-rate 0.05 --share-rate 0.6");
  ASSERT_GT(lines.size(), 14000u);
  struct Run {
    const char* policy;
    const char* baseline;
  };
  const Run runs[] = {
      {"policies/old-friends/policy.refpol", ""},
      {"policies/old-friends/policy.refpol", "policies/premium-increasing/policy.refpol"},
      // The budget runs out early and the first-ten bonus turns on the number rewarded: reused
      // decisions must see the same counters.
      {"tests/simulate/fixtures/small_budget.refpol", ""},
      // An expiry that moves with `now` asks for a look a reused decision would not: a decision
      // with one is never reused; the others are.
      {"tests/simulate/fixtures/moving_expiry.refpol", ""},
      // Its verdicts read the referee's `shares`: a share changes what it reads, so only the
      // looks at a referrer after an order of their own (which changes nothing of their facts)
      // reuse a decision.
      {"tests/simulate/fixtures/verdict_counters.refpol", ""},
      // Caps and a budget that runs out, with a fallback: a decision that paid a capped reward
      // is decided again (a cap counts paid rewards first, at the amount given now).
      {"tests/simulate/fixtures/caps_budget.refpol", ""},
  };
  for (const Run& run : runs) {
    SCOPED_TRACE(run.policy);
    const Outputs reused = replay(lines, run.policy, run.baseline, true);
    const Outputs fresh = replay(lines, run.policy, run.baseline, false);
    EXPECT_EQ(fresh.reused, 0u);
    EXPECT_GT(reused.reused, 100u);
    EXPECT_GT(std::count(fresh.rewards.begin(), fresh.rewards.end(), '\n'), 500);
    EXPECT_EQ(reused.summary, fresh.summary);
    EXPECT_EQ(reused.rewards, fresh.rewards);
    EXPECT_EQ(reused.referrers, fresh.referrers);
    EXPECT_EQ(reused.leaderboard, fresh.leaderboard);
    EXPECT_EQ(reused.daily, fresh.daily);
  }
}

// expiry_shares.jsonl: A (last order 11-20, eligible) refers F on 12-02; F's order, placed at
// 12:00, completes on 12-03 10:00, when A is given the welcome coupon (once, granted at `now`)
// and 5 CNY; A shares on 12-04 and 12-05. Evaluations: the binding (A's first decision), the
// order placed (only a referral that is not qualified changed: reused), the completion, the two
// shares and the final look: 6. Under moving_expiry.refpol the coupon expires 30 days after its
// grant at `now`, which a later decision counts from its own `now`; under dated_expiry.refpol on
// 2027-03-31. Either way the coupon is paid on 12-03 and the ledger keeps its expiry, so both
// shares and the final look reuse the decision of 12-03 (4 reused; before the ledger kept a paid
// reward's expiry, the moving one stopped reuse: 1). The rewards are the same either way, with
// and without reuse.
TEST(ReusedDecisions, AnExpiryOnADateDoesNotStopReuse) {
  const std::vector<std::string> lines = testing_replay::history_lines("expiry_shares.jsonl");
  for (const auto& [policy, reused_count] : {std::pair{"moving_expiry", 4u}, std::pair{"dated_expiry", 4u}}) {
    SCOPED_TRACE(policy);
    const std::string file = std::string("tests/simulate/fixtures/") + policy + ".refpol";
    const Outputs reused = replay(lines, file, "", true);
    const Outputs fresh = replay(lines, file, "", false);
    EXPECT_EQ(reused.reused, reused_count);
    EXPECT_NE(reused.summary.find(R"("evaluations": 6,)"), std::string::npos) << reused.summary;
    EXPECT_EQ(reused.summary, fresh.summary);
    EXPECT_EQ(reused.rewards, fresh.rewards);
    EXPECT_NE(reused.rewards.find(",welcome,,coupon,10.00,CNY,10.00,granted,,2026-12-03T10:00:00+08:00,"
                                  "2026-12-03T10:00:00+08:00,,"),
              std::string::npos)
        << reused.rewards;
  }
}

// share_then_order.jsonl under old-friends: C1 binds R1 (12-08 10:00, C1's first decision, in
// full), shares (12:00: old-friends reads no shares, reused), then F1 places an order (12-09: only
// R1 changed, not qualified before or after). The share moved C1's own record (its share count)
// without changing the decision, which stands for the record as it is now: the order placed is
// reused too, and so is the final look. 4 evaluations, 3 reused; the same outputs without reuse.
TEST(ReusedDecisions, AReusedShareLeavesLaterReferralChangesReusable) {
  const std::vector<std::string> lines = testing_replay::history_lines("share_then_order.jsonl");
  const Outputs reused = replay(lines, "policies/old-friends/policy.refpol", "", true);
  const Outputs fresh = replay(lines, "policies/old-friends/policy.refpol", "", false);
  EXPECT_EQ(reused.reused, 3u);
  EXPECT_NE(reused.summary.find(R"("evaluations": 4,)"), std::string::npos) << reused.summary;
  EXPECT_EQ(reused.summary, fresh.summary);
  EXPECT_EQ(reused.rewards, fresh.rewards);
}

// Two kinds of decision must not be reused, found by a review comparing replays:
// - expired_at_grant.jsonl under dated_expiry.refpol, in April 2027: the welcome coupon (once,
//   granted at `now`) `expires on 2027-03-31`, a day gone by, so it is expired when first given
//   and never paid; its grant time is each decision's `now`. F's order completes on 04-03 10:00;
//   A shares on 04-04 10:00, the last event: that look, and the final one, give 04-04 10:00.
// - cap_paid.jsonl under cap_paid.refpol (10 points a referral, at most 15 a referrer): R2's
//   order completes on 04-10 10:00, R1's (bound first) at 14:00, when R1 is given 10 points and
//   R2 cut to 5. At R2's settle look (04-11 10:00) R2 is granted, paid, at 5. The final look
//   (13:00) counts the paid R2 first, at the 10 the decision gives it now, which leaves 5 for R1.
TEST(ReusedDecisions, NeitherAnUnpaidGrantAtNowNorAPaidCappedRewardIsReused) {
  struct Case {
    const char* policy;
    const char* history;
    const char* to;
    std::vector<std::string> rows;  // key,...: what each row of rewards.csv starts with
  };
  const Case cases[] = {
      {"dated_expiry", "expired_at_grant.jsonl", "2027-04-04T10:00:00+08:00",
       {"dated-expiry/welcome/referrer:A/once,referrer,A,welcome,,coupon,10.00,CNY,10.00,expired,,"
        "2027-04-03T10:00:00+08:00,2027-04-04T10:00:00+08:00,,2027-03-31T23:59:59+08:00,"}},
      {"cap_paid", "cap_paid.jsonl", "2027-04-11T13:00:00+08:00",
       {"cap-paid/per_referral/referrer:A/R1,referrer,A,per_referral,,points,5,points,,pending,,"
        "2027-04-10T14:00:00+08:00,,2027-04-11T14:00:00+08:00,,",
        "cap-paid/per_referral/referrer:A/R2,referrer,A,per_referral,,points,5,points,,granted,,"
        "2027-04-10T10:00:00+08:00,2027-04-11T10:00:00+08:00,2027-04-11T10:00:00+08:00,,"}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.policy);
    const std::vector<std::string> lines = testing_replay::history_lines(c.history);
    std::string rewards[2];
    for (bool reuse : {true, false}) {
      rewards[reuse ? 0 : 1] = testing_replay::replay_until(lines, std::string(c.policy) + ".refpol", reuse, c.to).rewards;
      for (const std::string& row : c.rows) {
        EXPECT_NE(rewards[reuse ? 0 : 1].find("\n" + row + "\n"), std::string::npos) << reuse << "\n" << rewards[reuse ? 0 : 1];
      }
    }
    EXPECT_EQ(rewards[0], rewards[1]);
  }
}

// budget_order.jsonl under fixtures/budget_order.refpol (a 100 CNY budget, 50 CNY a qualified
// referral, settled 7 days after the first order completes):
//   12-04 A's referral qualifies: pending, 50 of the budget. 12-05 B's: pending, the budget is
//   full. 12-06 C's: withheld for the budget. 12-07 B's order is refunded: B's reward is
//   withdrawn, 50 CNY free again.
//   12-08 C shares. C's facts, as the policy reads them, are those of 12-06, but the budget the
//   others hold went from 100 to 50: C is evaluated again, and C's reward fits (pending; granted
//   when it settles on 12-13). Reusing C's decision of 12-06 would leave it withheld.
//   12-09 D's referral qualifies: withheld, the budget is full again (A and C).
//   12-20 A shares: A's last decision (12-11, when A's referral settled) saw the others hold 50
//   (C's), as now: it is reused.
// Evaluations: 15 for events (4 bindings, 4 orders placed, 3 completions by A, B and C, B's
// refund, C's share, D's completion, A's share), 4 due (A 12-11, B 12-12, C 12-13, D 12-16),
// 4 at the end: 23. Nine of them reused: A's share, the four orders placed on 12-03, which
// change only a referral that is not qualified before or after (its order is not completed),
// and the four final looks: each referrer's facts are those of their last look, and what the
// others hold is what it was then (A 50 as on 12-11, B 100 as on 12-12, C 50 as on 12-13, D 100
// as on 12-16).
// The same with the campaign record extended by a field (budget_order_extended.refpol): the
// counters are not followed there, so C's decision is not reused either, nor B's final look:
// B's place among the rewarded moved from 1 (A, on 12-12) to 2 (A and C) since. Eight reused.
TEST(ReusedDecisions, AShareSeesTheBudgetFreedSince) {
  for (const char* policy : {"budget_order", "budget_order_extended"}) {
    SCOPED_TRACE(policy);
    CompileResult p = compile_file((testing::source_dir() / "tests/simulate/fixtures" / (std::string(policy) + ".refpol")).string());
    ASSERT_TRUE(p.program);
    const std::string text = testing::read_text(testing::source_dir() / "tests/simulate/histories/budget_order.jsonl");
    SimulationOptions options;
    DateTime to;
    std::string problem;
    ASSERT_TRUE(parse_datetime("2026-12-31T23:59:59+08:00", p.program->zone, to, problem)) << problem;
    options.to = to;
    Simulation sim(p.program, nullptr, options);
    std::size_t line = 0, start = 0;
    while (start < text.size()) {
      const std::size_t end = text.find('\n', start);
      ASSERT_TRUE(sim.feed(std::string_view(text).substr(start, end - start), ++line)) << line;
      start = end + 1;
    }
    sim.finish();
    const std::string rewards = sim.rewards_csv();
    const std::string id = std::string(policy) == "budget_order" ? "budget-order" : "budget-order-extended";
    auto status_of = [&](const std::string& referrer) {
      const std::size_t at = rewards.find(id + "/thanks/referrer:" + referrer + "/");
      if (at == std::string::npos) return std::string("none");
      std::string row = rewards.substr(at, rewards.find('\n', at) - at);
      // key,recipient_role,recipient_id,rule,tier,kind,amount,unit,value,status,...
      for (int i = 0; i < 9; ++i) row = row.substr(row.find(',') + 1);
      return row.substr(0, row.find(','));
    };
    EXPECT_EQ(status_of("A"), "granted");
    EXPECT_EQ(status_of("B"), "void");
    EXPECT_EQ(status_of("C"), "granted");
    EXPECT_EQ(status_of("D"), "withheld");
    const std::string summary = sim.summary_json();
    const std::string counts = std::string(policy) == "budget_order" ? R"("evaluations": 23, "reused_decisions": 9,)"
                                                                     : R"("evaluations": 23, "reused_decisions": 8,)";
    EXPECT_NE(summary.find(counts), std::string::npos) << summary;
  }
}

// The facts' size limit counts shares the policy does not read: a referrer whose shares take
// their facts past 16 MB is not decided from then on (an evaluation that fails), reused
// decisions or not. 300 shares with ids of 60,000 characters: the facts pass the limit at about
// the 279th.
TEST(ReusedDecisions, SharesThatTakeTheFactsPastTheirLimitAreNotHidden) {
  const std::string customer =
      R"("kind":"purchase","segment":"active","registered_at":"2025-01-01T00:00:00+08:00","last_order_at":)"
      R"("2026-11-01T12:00:00+08:00","order_count":3,"total_spend":"900.00","service_completed":false,)"
      R"("previous_campaigns":0,"shares":0)";
  std::vector<std::string> lines = {
      R"({"id":"E1","ts":"2026-12-08T09:00:00+08:00","type":"customer","new":false,"customer":{"id":"A",)" + customer + "}}",
      R"({"id":"E2","ts":"2026-12-08T10:00:00+08:00","type":"customer","new":true,"customer":{"id":"F",)" + customer + "}}",
      R"({"id":"E3","ts":"2026-12-08T10:05:00+08:00","type":"referral_bound","referral":"R1","referrer":"A","referee":"F","channel":"link"})",
  };
  const std::string long_id(60000, 's');
  for (int i = 0; i < 300; ++i) {
    lines.push_back(R"({"id":"S)" + std::to_string(i) + R"(","ts":"2026-12-09T10:00:00+08:00","type":"share","customer":"A","share":")" +
                    long_id + std::to_string(i) + R"(","platform":"wechat"})");
  }
  const Outputs reused = replay(lines, "policies/old-friends/policy.refpol", "", true);
  const Outputs fresh = replay(lines, "policies/old-friends/policy.refpol", "", false);
  EXPECT_GT(reused.reused, 200u);
  EXPECT_EQ(reused.summary, fresh.summary);
  std::smatch m;
  ASSERT_TRUE(std::regex_search(fresh.summary, m, std::regex(R"re("failed_evaluations": (\d+))re")));
  // From the share that passes the limit to the last, and the final look.
  EXPECT_GT(std::stoi(m[1].str()), 10);
  EXPECT_LT(std::stoi(m[1].str()), 40);
}

// A decision stands while only referrals that are not qualified change (a referral bound, a
// friend's order placed), unless the policy reads the list of referrals itself
// (Program::referrals_read_outside_verdicts). two_bindings.jsonl: C1 binds R1 on 12-08, F1
// places an order on 12-09 (not completed), C1 binds R2 on 12-10, F2 places an order on 12-12.
// count_bound.refpol rewards two referrals bound: on 12-10, at the binding, although R2 is not
// qualified (not at the last look, on 12-12).
TEST(ReusedDecisions, AReferralNotQualifiedChangesNothingUnlessThePolicyReadsTheList) {
  auto flag = [](const std::string& policy) {
    CompileResult p = compile_file((testing::source_dir() / policy).string());
    EXPECT_TRUE(p.program) << policy;
    return p.program && p.program->referrals_read_outside_verdicts;
  };
  EXPECT_FALSE(flag("policies/old-friends/policy.refpol"));
  EXPECT_TRUE(flag("tests/simulate/fixtures/count_bound.refpol"));
  const std::vector<std::string> lines = testing_replay::history_lines("two_bindings.jsonl");
  for (bool reuse : {true, false}) {
    const Outputs out = replay(lines, "tests/simulate/fixtures/count_bound.refpol", "", reuse);
    EXPECT_NE(out.rewards.find("count-bound/two_friends/referrer:C1/once,referrer,C1,two_friends,,cash,10.00,CNY,10.00,"
                               "granted,,2026-12-10T10:00:00+08:00"),
              std::string::npos)
        << out.rewards;
  }
  // Under old-friends, F1's order placed, R2's binding and F2's order leave C1's decision
  // standing: reused, and so is the final look (nothing qualified, no turn of `now` before it).
  const Outputs old_friends = replay(lines, "policies/old-friends/policy.refpol", "", true);
  EXPECT_EQ(old_friends.reused, 4u);
}

// What stands for a referrer's own part of the facts (their record's version, their community's
// and organisation's) is compared whole: after a share that was not read moved one of them, an
// event that moves another must not look like no change. member_joins.jsonl: C0 owns G1, shares
// (reused), then M1 joins: member_welcome.refpol welcomes M1 (30 CNY) at once. owner_orders.jsonl:
// R owns G, M joins and shares (reused), then R's order completes: ordered_once.refpol thanks R
// (10 CNY) on 12-04, before the refund of 12-06.
TEST(ReusedDecisions, AChangeOfTheReferrersOwnFactsIsNeverMistakenForNone) {
  const struct {
    const char *policy, *history, *reward;
  } cases[] = {
      {"member_welcome", "member_joins", "roots-xor/welcome/m:M1/M1,m,M1,welcome,,cash,30.00,CNY,30.00,granted,,2026-12-03T10:00:00+08:00"},
      {"ordered_once", "owner_orders",
       "roots-xor-record/thanks/referrer:R/once,referrer,R,thanks,,cash,10.00,CNY,10.00,granted,,2026-12-04T10:00:00+08:00"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.policy);
    const std::vector<std::string> lines = testing_replay::history_lines(std::string(c.history) + ".jsonl");
    const std::string policy = "tests/simulate/fixtures/" + std::string(c.policy) + ".refpol";
    const Outputs reused = replay(lines, policy, "", true);
    const Outputs fresh = replay(lines, policy, "", false);
    EXPECT_GE(reused.reused, 1u);  // the share
    EXPECT_NE(reused.rewards.find(c.reward), std::string::npos) << reused.rewards;
    EXPECT_EQ(reused.rewards, fresh.rewards);
    EXPECT_EQ(reused.daily, fresh.daily);
    EXPECT_EQ(reused.summary, fresh.summary);
  }
}

TEST(ReusedDecisions, OnlyPoliciesThatReadNoSharesIgnoreThem) {
  auto unread = [](const std::string& policy) {
    CompileResult p = compile_file((testing::source_dir() / policy).string());
    EXPECT_TRUE(p.program) << policy;
    World world;
    Runner runner(p.program, world);
    return runner.shares_unread();
  };
  EXPECT_TRUE(unread("policies/old-friends/policy.refpol"));
  EXPECT_FALSE(unread("tests/simulate/fixtures/verdict_counters.refpol"));
  // social-sharing rewards sharers by `referrer.shares`.
  EXPECT_FALSE(unread("policies/social-sharing/policy.refpol"));
}

}  // namespace
}  // namespace refpol::sim
