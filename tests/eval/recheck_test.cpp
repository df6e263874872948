// Decision::recheck_at: the earliest instant at which time alone changes a decision. Every
// expected instant is worked out by hand from the policy text in the test; most tests also
// evaluate the same facts a second before and at that instant, and check that the decision is
// the same up to then and different from then on.
#include <gtest/gtest.h>

#include <filesystem>

#include "interpreter/compile/program.hpp"
#include "interpreter/decision/decision_json.hpp"
#include "interpreter/eval/evaluator.hpp"
#include "tests/support/test_support.hpp"

namespace refpol {
namespace {

class Recheck : public ::testing::Test {
 protected:
  void compile_file(const std::filesystem::path& path) {
    CompileResult r = refpol::compile_file(path.string());
    ASSERT_TRUE(r.program) << render_text(r.diagnostics);
    program_ = r.program;
  }

  void compile(const std::string& body, const std::string& zone = "UTC") {
    std::string text = "policy \"t\" version 1\ncurrency CNY\ntimezone \"" + zone + "\"\n" + body;
    CompileResult r = compile_text((testing::source_dir() / "tests/eval/recheck.refpol").string(), text);
    ASSERT_TRUE(r.program) << render_text(r.diagnostics);
    program_ = r.program;
  }

  DateTime at(const std::string& text) const {
    DateTime t;
    std::string problem;
    EXPECT_TRUE(parse_datetime(text, program_->zone, t, problem)) << problem;
    return t;
  }

  // Evaluates the facts at `now`; the decision is in d_.
  void eval(const std::string& facts, const DateTime& now) {
    std::vector<FactsError> errors;
    FactsContext ctx{&program_->policy.schema, &program_->zone, 0};
    ASSERT_TRUE(load_facts_json(facts, ctx, facts_, errors)) << (errors.empty() ? "?" : errors[0].message);
    EvalOptions options;
    options.now = now;
    EvalError error;
    ASSERT_TRUE(evaluate(*program_, facts_, options, scratch_, d_, error)) << error.message;
  }
  void eval(const std::string& facts, const std::string& now) { eval(facts, at(now)); }

  std::string recheck() const { return d_.recheck_at ? to_string(*d_.recheck_at) : "none"; }

  // What a decision says apart from the time it was made at: verdicts, eligibility, rewards
  // (their statuses, amounts and values) and outputs.
  std::string content() const {
    std::string s = d_.referrer_eligible ? "eligible" : "not eligible";
    for (auto r : d_.referrer_reasons) s += " " + std::string(r);
    for (const auto& v : d_.referrals) {
      s += "; " + std::string(v.id) + " " + referral_status_name(v.status);
      for (auto r : v.reasons) s += " " + std::string(r);
    }
    for (const auto& r : d_.rewards) {
      s += "; " + std::string(r.rule) + " " + std::string(r.tier) + " " + reward_key(d_, r) + " " + status_name(r.status) +
           " " + std::string(r.reason) + " " + (r.has_amount ? to_string(r.amount) : "-") + " " +
           (r.value ? to_string(*r.value) : "-");
    }
    for (const auto& o : d_.outputs) s += "; " + o.name + "=" + o.json;
    return s;
  }

  // The decision is the same from now to a second before recheck_at, and differs at it.
  void expect_turns_at_recheck(const std::string& facts, const std::string& now) {
    eval(facts, now);
    ASSERT_TRUE(d_.recheck_at);
    const DateTime turn = *d_.recheck_at;
    const std::string before = content();
    eval(facts, DateTime{turn.utc_seconds - 1, 0});
    EXPECT_EQ(content(), before) << "a second before " << to_string(turn);
    eval(facts, turn);
    EXPECT_NE(content(), before) << "at " << to_string(turn);
  }

  std::shared_ptr<const Program> program_;
  FactsDocument facts_;
  EvalScratch scratch_;
  Decision d_;
};

const char* kReferrer = R"(
record Referrer { id: string  vip: bool  last_order_at: datetime }
facts { referrer: Referrer }
)";

std::string referrer(const std::string& last_order_at, bool vip = false) {
  return R"({"referrer":{"id":"u1","vip":)" + std::string(vip ? "true" : "false") + R"(,"last_order_at":")" +
         last_order_at + R"("}})";
}

TEST_F(Recheck, AComparisonWithNowMinusDaysTurnsTheSecondAfterTheLimit) {
  compile(std::string(kReferrer) + R"(
referrer eligible when { recent: referrer.last_order_at >= now - 365 days }
reward r to referrer once gives coupon 10 CNY
)");
  // Holds while now - 365 days <= 2026-01-10T08:00:00Z, that is up to 2027-01-10T08:00:00Z
  // (2026 has 365 days).
  eval(referrer("2026-01-10T08:00:00Z"), "2026-12-01T00:00:00Z");
  EXPECT_TRUE(d_.referrer_eligible);
  EXPECT_EQ(recheck(), "2027-01-10T08:00:01Z");
  expect_turns_at_recheck(referrer("2026-01-10T08:00:00Z"), "2026-12-01T00:00:00Z");
  // Once it has lapsed, time alone does not bring it back.
  eval(referrer("2026-01-10T08:00:00Z"), "2027-01-10T08:00:01Z");
  EXPECT_FALSE(d_.referrer_eligible);
  EXPECT_EQ(recheck(), "none");
}

// A duration worked out from constants when compiling (2 * 7 days) is as fixed as a written one.
TEST_F(Recheck, ADurationWorkedOutFromConstantsIsFollowed) {
  compile(std::string(kReferrer) + R"(
define window = 2 * 7 days
referrer eligible when { recent: referrer.last_order_at >= now - window }
reward r to referrer once gives coupon 10 CNY
)");
  // Holds up to 2027-01-05T09:00:00Z + 14 days.
  eval(referrer("2027-01-05T09:00:00Z"), "2027-01-10T12:00:00Z");
  EXPECT_TRUE(d_.referrer_eligible);
  EXPECT_EQ(recheck(), "2027-01-19T09:00:01Z");
  expect_turns_at_recheck(referrer("2027-01-05T09:00:00Z"), "2027-01-10T12:00:00Z");
}

TEST_F(Recheck, EachComparisonTurnsWhereItsAnswerChanges) {
  // now against 2027-01-01T00:00:00Z, written on either side. `<` holds until the instant and
  // `<=` until a second after it; `>=` holds from it and `>` from a second after; `==` turns at
  // it and again a second later.
  struct Case {
    const char* condition;
    const char* now;
    const char* recheck;
  };
  const Case cases[] = {
      {"now < 2027-01-01T00:00:00Z", "2026-12-31T00:00:00Z", "2027-01-01T00:00:00Z"},
      {"now <= 2027-01-01T00:00:00Z", "2026-12-31T00:00:00Z", "2027-01-01T00:00:01Z"},
      {"now >= 2027-01-01T00:00:00Z", "2026-12-31T00:00:00Z", "2027-01-01T00:00:00Z"},
      {"now > 2027-01-01T00:00:00Z", "2026-12-31T00:00:00Z", "2027-01-01T00:00:01Z"},
      {"2027-01-01T00:00:00Z > now", "2026-12-31T00:00:00Z", "2027-01-01T00:00:00Z"},
      {"2027-01-01T00:00:00Z >= now", "2026-12-31T00:00:00Z", "2027-01-01T00:00:01Z"},
      {"2027-01-01T00:00:00Z <= now", "2026-12-31T00:00:00Z", "2027-01-01T00:00:00Z"},
      {"2027-01-01T00:00:00Z < now", "2026-12-31T00:00:00Z", "2027-01-01T00:00:01Z"},
      {"now == 2027-01-01T00:00:00Z", "2026-12-31T00:00:00Z", "2027-01-01T00:00:00Z"},
      {"now == 2027-01-01T00:00:00Z", "2027-01-01T00:00:00Z", "2027-01-01T00:00:01Z"},
      {"now != 2027-01-01T00:00:00Z", "2026-12-31T00:00:00Z", "2027-01-01T00:00:00Z"},
      // The day of now against a date: the whole day counts.
      {"date_of(now) >= 2027-01-01", "2026-12-31T00:00:00Z", "2027-01-01T00:00:00Z"},
      {"date_of(now) <= 2027-01-01", "2026-12-31T00:00:00Z", "2027-01-02T00:00:00Z"},
      {"today < 2027-01-01", "2026-12-31T00:00:00Z", "2027-01-01T00:00:00Z"},
      // The day of now + 12 hours is Jan 1 from Dec 31 12:00 to Jan 1 12:00.
      {"date_of(now + 12 hours) == 2027-01-01", "2026-12-31T00:00:00Z", "2026-12-31T12:00:00Z"},
      {"date_of(now + 12 hours) == 2027-01-01", "2026-12-31T12:00:00Z", "2027-01-01T12:00:00Z"},
      {"date_of(now) in [2027-01-01, 2027-01-03]", "2027-01-01T05:00:00Z", "2027-01-02T00:00:00Z"},
      // Shifted by a definition of a fixed duration, and by hours.
      {"now + grace > 2027-01-01T00:00:00Z", "2026-12-20T00:00:00Z", "2026-12-25T00:00:01Z"},
      {"now - 12 hours < 2027-01-01T00:00:00Z", "2026-12-20T00:00:00Z", "2027-01-01T12:00:00Z"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.condition);
    SCOPED_TRACE(c.now);
    compile(std::string(kReferrer) + "define grace = 7 days\ndefine today = date_of(now)\nreferrer eligible when { c: " + c.condition +
            " }\nreward r to referrer once gives coupon 10 CNY\n");
    eval(referrer("2026-01-10T08:00:00Z"), c.now);
    EXPECT_EQ(recheck(), c.recheck);
    expect_turns_at_recheck(referrer("2026-01-10T08:00:00Z"), c.now);
  }
  // Past the instant, `<` and `>=` never turn again.
  compile(std::string(kReferrer) + "referrer eligible when { c: now >= 2027-01-01T00:00:00Z }\n");
  eval(referrer("2026-01-10T08:00:00Z"), "2027-01-01T00:00:00Z");
  EXPECT_EQ(recheck(), "none");
}

TEST_F(Recheck, APhaseTurnsAtTheStartOfItsFirstDayAndOfTheDayAfterItsLast) {
  compile(std::string(kReferrer) + R"(
phases {
  active 2026-12-08 .. 2027-01-06
}
referrer eligible when { in_active: now in active }
reward r to referrer once gives coupon 10 CNY
)",
          "Asia/Shanghai");
  const std::string facts = referrer("2026-01-10T08:00:00Z");
  eval(facts, "2026-12-01T09:00:00+08:00");
  EXPECT_FALSE(d_.referrer_eligible);
  EXPECT_EQ(recheck(), "2026-12-08T00:00:00+08:00");
  expect_turns_at_recheck(facts, "2026-12-01T09:00:00+08:00");
  eval(facts, "2026-12-20T09:00:00+08:00");
  EXPECT_TRUE(d_.referrer_eligible);
  EXPECT_EQ(recheck(), "2027-01-07T00:00:00+08:00");
  expect_turns_at_recheck(facts, "2026-12-20T09:00:00+08:00");
  eval(facts, "2027-01-07T00:00:00+08:00");
  EXPECT_EQ(recheck(), "none");
  // The same with the day of now.
  compile(std::string(kReferrer) + R"(
phases {
  active 2026-12-08 .. 2027-01-06
}
referrer eligible when { in_active: date_of(now) in active }
)",
          "Asia/Shanghai");
  eval(facts, "2026-12-20T09:00:00+08:00");
  EXPECT_EQ(recheck(), "2027-01-07T00:00:00+08:00");
  expect_turns_at_recheck(facts, "2026-12-20T09:00:00+08:00");
}

TEST_F(Recheck, ConditionsNotReachedDoNotCount) {
  compile(std::string(kReferrer) + R"(
referrer eligible when { c: referrer.vip or now < 2027-01-01T00:00:00Z }
reward r to referrer once gives coupon 10 CNY
)");
  // A VIP is eligible whatever the time: the comparison is never looked at.
  eval(referrer("2026-01-10T08:00:00Z", true), "2026-12-01T00:00:00Z");
  EXPECT_EQ(recheck(), "none");
  eval(referrer("2026-01-10T08:00:00Z", false), "2026-12-01T00:00:00Z");
  EXPECT_EQ(recheck(), "2027-01-01T00:00:00Z");
}

TEST_F(Recheck, ThePolicysOwnDatesCount) {
  compile(std::string(kReferrer) + R"(
reward fixed to referrer once gives coupon 10 CNY expires on 2027-03-31
reward moving to referrer once gives coupon 20 CNY expires 30 days after grant
)",
          "Asia/Shanghai");
  // `expires on` a date: expired from the last second of that day. A reward granted at `now`
  // and expiring 30 days after never expires by time alone: its expiry moves with now.
  const std::string facts = referrer("2026-01-10T08:00:00Z");
  eval(facts, "2027-01-10T12:00:00+08:00");
  EXPECT_EQ(recheck(), "2027-03-31T23:59:59+08:00");
  expect_turns_at_recheck(facts, "2027-01-10T12:00:00+08:00");
}

TEST_F(Recheck, APendingRewardTurnsWhenItsReferralSettles) {
  compile(R"(import "standard"
referral qualifies when {
  completed: referral.first_order.completed_at is present
}
referral settles referral.first_order.completed_at + 7 days
reward each to referrer for each qualified referral gives cash 10 CNY expires 30 days after grant
)",
          "Asia/Shanghai");
  const std::string facts = R"({"campaign":{"budget_spent":0,"rewarded_referrers":0},
    "referrer":{"id":"u1","kind":"purchase","segment":"loyal","registered_at":"2025-01-01T00:00:00+08:00","order_count":3,
    "total_spend":900,"service_completed":false,"previous_campaigns":0,"shares":0},
    "referrals":[{"id":"r1","bound_at":"2027-01-01T10:00:00+08:00","channel":"link","orders":[],
      "first_order":{"id":"o1","placed_at":"2027-01-04T10:00:00+08:00","amount":300,"completed_at":"2027-01-05T10:00:00+08:00",
        "refunded":false,"returned":false,"exchanged":false},
      "referee":{"id":"c1","kind":"purchase","segment":"new","registered_at":"2027-01-01T10:00:00+08:00","order_count":1,
        "total_spend":300,"service_completed":false,"previous_campaigns":0,"shares":0}}]})";
  // Pending until it settles on Jan 12 10:00; then granted, and expired 30 days after that.
  eval(facts, "2027-01-10T12:00:00+08:00");
  ASSERT_EQ(d_.rewards.size(), 1u);
  EXPECT_EQ(d_.rewards[0].status, RewardStatus::pending);
  EXPECT_EQ(recheck(), "2027-01-12T10:00:00+08:00");
  expect_turns_at_recheck(facts, "2027-01-10T12:00:00+08:00");
  eval(facts, "2027-01-20T12:00:00+08:00");
  EXPECT_EQ(d_.rewards[0].status, RewardStatus::granted);
  EXPECT_EQ(recheck(), "2027-02-11T10:00:00+08:00");
  expect_turns_at_recheck(facts, "2027-01-20T12:00:00+08:00");
}

// The budget's fallback expires as any reward does: a granted one past its `expires on` day is
// expired and costs nothing, and the decision turns at the end of that day.
TEST_F(Recheck, ABudgetFallbackExpiresLikeAnyReward) {
  compile(std::string(kReferrer) + R"(
reward a to referrer once gives cash 50 CNY
reward b to referrer once gives cash 30 CNY
budget 100 CNY spent 80 CNY fallback coupon 15 CNY "谢谢" expires on 2026-12-10
)");
  const std::string facts = referrer("2026-01-10T08:00:00Z");
  // 20 CNY left: neither reward fits; a's fallback does (5 left), b's does not.
  eval(facts, "2026-12-05T00:00:00Z");
  ASSERT_EQ(d_.rewards.size(), 2u);
  EXPECT_EQ(d_.rewards[0].kind, "coupon");
  EXPECT_EQ(d_.rewards[0].status, RewardStatus::granted);
  EXPECT_EQ(d_.rewards[0].reason, "budget_fallback");
  EXPECT_EQ(to_string(*d_.rewards[0].expires_at), "2026-12-10T23:59:59Z");
  EXPECT_EQ(d_.rewards[1].status, RewardStatus::withheld);
  EXPECT_EQ(d_.rewards[1].reason, "budget");
  EXPECT_EQ(recheck(), "2026-12-10T23:59:59Z");
  expect_turns_at_recheck(facts, "2026-12-05T00:00:00Z");
  // After it: both fallbacks are expired, and cost nothing, so b's fits too.
  eval(facts, "2026-12-20T00:00:00Z");
  ASSERT_EQ(d_.rewards.size(), 2u);
  for (const Reward& r : d_.rewards) {
    EXPECT_EQ(r.kind, "coupon") << r.rule;
    EXPECT_EQ(r.status, RewardStatus::expired) << r.rule;
    EXPECT_EQ(r.reason, "budget_fallback") << r.rule;
  }
  EXPECT_EQ(recheck(), "none");
}

TEST_F(Recheck, UsesOfNowThatAreNotFollowedSayAnyTime) {
  // Each reads `now` in a way that has no single instant to give: recheck_at is `now` itself.
  const char* uses[] = {
      "referrer eligible when { c: days_between(referrer.last_order_at, now) < 30 }",
      "referrer eligible when { c: referrer.last_order_at >= now - 1 month }",
      "referrer eligible when { c: now - referrer.last_order_at < 30 days }",
      "define cutoff(t) = t - 30 days\nreferrer eligible when { c: referrer.last_order_at >= cutoff(now) }",
      "output at = now",
  };
  for (const char* use : uses) {
    SCOPED_TRACE(use);
    compile(std::string(kReferrer) + use + "\n");
    eval(referrer("2026-11-20T08:00:00Z"), "2026-12-01T00:00:00Z");
    ASSERT_TRUE(d_.recheck_at);
    EXPECT_EQ(*d_.recheck_at, at("2026-12-01T00:00:00Z"));
    EXPECT_NE(render_decision_text(d_).find("recheck: at any time"), std::string::npos);
  }
}

// A definition with a parameter that gives a shifted now is not followed when it is handed
// anything but another shifted now: here a counter.
TEST_F(Recheck, ACallHandedACounterIsNotFollowed) {
  compile(R"(import "standard"
define cutoff(n) = now - 30 days
referrer eligible when { recent: referrer.registered_at >= cutoff(campaign.rewarded_referrers) }
)");
  eval(R"({"campaign":{"budget_spent":0,"rewarded_referrers":0},
    "referrer":{"id":"u1","kind":"purchase","segment":"loyal","registered_at":"2026-11-20T00:00:00Z","order_count":3,
    "total_spend":900,"service_completed":false,"previous_campaigns":0,"shares":0},"referrals":[]})",
       "2026-12-01T00:00:00Z");
  EXPECT_TRUE(d_.referrer_eligible);
  ASSERT_TRUE(d_.recheck_at);
  EXPECT_EQ(*d_.recheck_at, at("2026-12-01T00:00:00Z"));
}

TEST_F(Recheck, APolicyThatDoesNotReadNowNeverTurns) {
  compile(std::string(kReferrer) + R"(
referrer eligible when { vip: referrer.vip }
reward r to referrer once gives coupon 10 CNY
)");
  eval(referrer("2026-01-10T08:00:00Z", true), "2026-12-01T00:00:00Z");
  EXPECT_FALSE(d_.recheck_at);
  std::string json;
  write_decision_json(d_, json);
  EXPECT_NE(json.find(R"("now":"2026-12-01T00:00:00Z","recheck_at":null,)"), std::string::npos) << json;
  EXPECT_NE(render_decision_text(d_).find("recheck: when the facts change"), std::string::npos);
}

TEST_F(Recheck, IsWrittenInThePolicysZone) {
  compile(std::string(kReferrer) + R"(
referrer eligible when { c: now < 2027-01-01T00:00:00Z }
)",
          "Asia/Shanghai");
  eval(referrer("2026-01-10T08:00:00Z"), "2026-12-01T00:00:00Z");
  std::string json;
  write_decision_json(d_, json);
  EXPECT_NE(json.find(R"("recheck_at":"2027-01-01T08:00:00+08:00")"), std::string::npos) << json;
  EXPECT_NE(render_decision_text(d_).find("recheck at 2027-01-01T08:00:00+08:00"), std::string::npos);
}

// Every facts file of every campaign in policies/: from `now` up to a second before recheck_at
// the decision stays the same, looked at every 6 hours, at each local midnight and a second
// either side of it, and a second before recheck_at. A comparison with `now` missed by
// recheck_at shows here as a change before it.
TEST_F(Recheck, NoCampaignOfTheRepositoryChangesBeforeItsRecheck) {
  namespace fs = std::filesystem;
  int files = 0, checked = 0;
  for (const auto& dir : fs::directory_iterator(testing::source_dir() / "policies")) {
    const fs::path policy = dir.path() / "policy.refpol", facts = dir.path() / "facts";
    if (!fs::exists(policy) || !fs::exists(facts)) continue;
    compile_file(policy);
    for (const auto& f : fs::directory_iterator(facts)) {
      if (f.path().extension() != ".json") continue;
      SCOPED_TRACE(f.path().string());
      const std::string text = testing::read_text(f.path());
      ++files;
      std::vector<FactsError> errors;
      FactsContext ctx{&program_->policy.schema, &program_->zone, 0};
      ASSERT_TRUE(load_facts_json(text, ctx, facts_, errors));
      ASSERT_TRUE(facts_.now);
      const DateTime now = *facts_.now;
      eval(text, now);
      ASSERT_TRUE(!d_.recheck_at || *d_.recheck_at != now) << "a use of now that is not followed";
      // Time alone never changes a decision without recheck_at: looked at for a year on.
      const std::int64_t end = d_.recheck_at ? d_.recheck_at->utc_seconds : now.utc_seconds + 366 * kSecondsPerDay;
      const std::string first = content();
      std::vector<std::int64_t> moments{end - 1};
      for (std::int64_t t = now.utc_seconds + 1; t < end; t += 6 * 3600) moments.push_back(t);
      for (Date day{local_date(now, program_->zone).days + 1};; day.days++) {
        const std::int64_t midnight = start_of_day(day, program_->zone).utc_seconds;
        if (midnight >= end) break;
        for (std::int64_t t : {midnight - 1, midnight, midnight + 1}) moments.push_back(t);
      }
      for (std::int64_t t : moments) {
        if (t <= now.utc_seconds || t >= end) continue;
        eval(text, DateTime{t, 0});
        ASSERT_EQ(content(), first) << "at " << to_string(DateTime{t, 0}) << ", before " << to_string(DateTime{end, 0});
        ++checked;
      }
    }
  }
  EXPECT_GE(files, 40);
  EXPECT_GT(checked, 1000);
}

}  // namespace
}  // namespace refpol
