// The "old friends" campaign policy (policies/old-friends/policy.refpol) tested through the C++
// API. This file is also the worked example of unit-testing a policy:
//
//   1. compile the policy once with `compile_file` (and insist on no warnings);
//   2. write facts documents inline as JSON, load them with `load_facts_json` and `evaluate`;
//   3. assert on the Decision: the referrer's verdict, each referral's verdict, the rewards
//      (status, dates, amounts, keys) and the outputs.
//
// Every expected value below was worked out by hand from the policy text, never copied from the
// program's output. Dates are in the policy's time zone, Asia/Shanghai (+08:00).
#include <gtest/gtest.h>
#include <fmt/format.h>

#include <optional>
#include <string>
#include <vector>

#include "interpreter/compile/program.hpp"
#include "interpreter/decision/decision_json.hpp"
#include "interpreter/eval/evaluator.hpp"
#include "tests/support/test_support.hpp"

namespace refpol {
namespace {

// ---------------------------------------------------------------------------------------------
// Facts builders. Each returns JSON text in the shape of the standard schema.

// `now` of most tests: 2027-01-10 noon, in the review phase.
const std::string kNow = "2027-01-10T12:00:00+08:00";

// The referrer of most tests: a purchase customer who may refer (1500 CNY over 5 orders, last
// order in November 2026), in the `normal` segment (so no starter pack).
const std::string kReferrer = R"({
  "id": "C-1", "kind": "purchase", "segment": "normal",
  "registered_at": "2024-01-01T10:00:00+08:00", "first_seen_at": "2024-01-01T10:00:00+08:00",
  "last_order_at": "2026-11-20T10:00:00+08:00", "order_count": 5, "total_spend": 1500,
  "service_completed": false, "previous_campaigns": 0, "shares": 0,
  "phone": "13800000001", "device_id": "DEV-1", "payment_fingerprint": "PAY-1",
  "address": "上海市徐汇区漕溪北路1号"
})";

// One referral. The defaults make a referral that qualifies: bound on 2026-12-10 (active
// phase), first order placed an hour later and completed on 2026-12-12 16:00, so it settles
// on 2026-12-19 16:00.
struct Ref {
  std::string id = "";
  std::string referee = "";                             // the friend's customer id
  std::string bound = "2026-12-10T10:00:00+08:00";
  std::string placed = "2026-12-10T11:00:00+08:00";     // "" = no first order yet
  std::string completed = "2026-12-12T16:00:00+08:00";  // "" = not completed
  bool refunded = false;
  bool returned = false;
  bool exchanged = false;
  std::string review_flag = "";
  std::string flagged_at = "";
  std::string channel = "link";
  std::optional<std::string> first_seen = std::nullopt;  // nullopt = at binding, "" = absent
  int previous_campaigns = 0;
  std::string referee_extra = "";  // more referee fields, e.g. R"(, "phone": "138...")"
};

// The friend as a Customer record (also used for organisation members).
std::string customer_json(const Ref& r) {
  std::string seen = r.first_seen.value_or(r.bound);
  return fmt::format(
      R"({{"id": "{id}", "kind": "purchase", "segment": "new", "registered_at": "{bound}",)"
      R"({seen} "order_count": 1, "total_spend": 300, "service_completed": false,)"
      R"( "previous_campaigns": {prev}, "shares": 0{extra}}})",
      fmt::arg("id", r.referee), fmt::arg("bound", r.bound),
      fmt::arg("seen", seen.empty() ? "" : fmt::format(R"( "first_seen_at": "{}",)", seen)),
      fmt::arg("prev", r.previous_campaigns), fmt::arg("extra", r.referee_extra));
}

std::string referral_json(const Ref& r) {
  std::string order = "null";
  if (!r.placed.empty()) {
    order = fmt::format(
        R"({{"id": "O-{id}", "placed_at": "{placed}", "amount": 300,{completed})"
        R"( "refunded": {refunded}, "returned": {returned}, "exchanged": {exchanged}{flag}}})",
        fmt::arg("id", r.id), fmt::arg("placed", r.placed),
        fmt::arg("completed", r.completed.empty() ? "" : fmt::format(R"( "completed_at": "{}",)", r.completed)),
        fmt::arg("refunded", r.refunded), fmt::arg("returned", r.returned),
        fmt::arg("exchanged", r.exchanged),
        fmt::arg("flag", r.review_flag.empty() ? ""
                                              : fmt::format(R"(, "review_flag": "{}", "flagged_at": "{}")",
                                                            r.review_flag, r.flagged_at)));
  }
  return fmt::format(
      R"({{"id": "{id}", "referee": {referee}, "bound_at": "{bound}", "channel": "{channel}",)"
      R"( "first_order": {order}, "orders": []}})",
      fmt::arg("id", r.id), fmt::arg("referee", customer_json(r)), fmt::arg("bound", r.bound),
      fmt::arg("channel", r.channel), fmt::arg("order", order));
}

// A whole facts document.
struct Doc {
  std::string now = kNow;
  std::string referrer = kReferrer;
  std::vector<Ref> referrals = {};
  std::string budget_spent = "0";
  int rewarded_referrers = 500;  // past the first-100 bonus unless a test says otherwise
  std::string more = "";         // more top-level fields, e.g. R"(, "community": {...})"
};

std::string doc_json(const Doc& d) {
  std::string refs;
  for (const Ref& r : d.referrals) refs += (refs.empty() ? "" : ",\n") + referral_json(r);
  return fmt::format(
      R"({{"now": "{now}", "referrer": {referrer}, "referrals": [{refs}],)"
      R"( "campaign": {{"budget_spent": {spent}, "rewarded_referrers": {rewarded}}}{more}}})",
      fmt::arg("now", d.now), fmt::arg("referrer", d.referrer), fmt::arg("refs", refs),
      fmt::arg("spent", d.budget_spent), fmt::arg("rewarded", d.rewarded_referrers),
      fmt::arg("more", d.more));
}

// `n` referrals with the defaults (all qualified and settled before kNow): R-01/F-01, ...
std::vector<Ref> settled_referrals(int n) {
  std::vector<Ref> out;
  for (int i = 1; i <= n; ++i) out.push_back(Ref{.id = fmt::format("R-{:02}", i), .referee = fmt::format("F-{:02}", i)});
  return out;
}

// ---------------------------------------------------------------------------------------------
// Reading the decision.

std::string text(const std::optional<DateTime>& t) { return t ? to_string(*t) : "-"; }
std::string amount(const Reward& r) { return r.has_amount ? to_string(r.amount) : "-"; }
std::string cny(const std::optional<Decimal>& d) { return d ? to_fixed(*d, 2, Rounding::half_up) : "-"; }

std::string joined(const std::vector<std::string_view>& items) {
  std::string out;
  for (auto s : items) out += (out.empty() ? "" : ",") + std::string(s);
  return out;
}

const ReferralVerdict* verdict(const Decision& d, std::string_view id) {
  for (const auto& v : d.referrals) {
    if (v.id == id) return &v;
  }
  ADD_FAILURE() << "no verdict for " << id;
  return nullptr;
}

// The rewards of one rule, in decision order.
std::vector<const Reward*> rewards(const Decision& d, std::string_view rule) {
  std::vector<const Reward*> out;
  for (const auto& r : d.rewards) {
    if (r.rule == rule) out.push_back(&r);
  }
  return out;
}

// The reward with this key, or null.
const Reward* by_key(const Decision& d, const std::string& key) {
  for (const auto& r : d.rewards) {
    if (reward_key(d, r) == key) return &r;
  }
  return nullptr;
}

// The tiers of the ladder reached, by label: "coupon_100,gift_box".
std::string ladder(const Decision& d) {
  std::vector<std::string_view> tiers;
  for (const Reward* r : rewards(d, "ladder")) tiers.push_back(r->tier);
  return joined(tiers);
}

std::string output(const Decision& d, std::string_view name) {
  for (const auto& o : d.outputs) {
    if (o.name == name) return o.json;
  }
  return "(no output)";
}

// ---------------------------------------------------------------------------------------------
// The fixture: the policy is compiled once for the whole suite.

class OldFriends : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    CompileResult r = compile_file((testing::source_dir() / "policies/old-friends/policy.refpol").string());
    program_ = r.program;
    diagnostics_ = r.diagnostics;
  }

  const Program& program() { return *program_; }

  // Loads and evaluates a facts document; `now` (if given) overrides the document's own. The
  // decision refers into the loaded facts, so it is valid until the next call.
  const Decision& eval(const std::string& facts_json, const std::string& now = "") {
    decision_.clear();
    if (!program_) {
      ADD_FAILURE() << "the policy did not compile:\n" << render_text(diagnostics_);
      return decision_;
    }
    std::vector<FactsError> errors;
    FactsContext ctx{&program().policy.schema, &program().zone, 0};
    if (!load_facts_json(facts_json, ctx, facts_, errors)) {
      ADD_FAILURE() << "facts: " << errors.at(0).path << ": " << errors.at(0).message << "\n" << facts_json;
      return decision_;
    }
    EvalOptions options;
    if (!now.empty()) {
      DateTime t;
      std::string problem;
      EXPECT_TRUE(parse_datetime(now, program().zone, t, problem)) << problem;
      options.now = t;
    }
    EvalError error;
    EXPECT_TRUE(evaluate(program(), facts_, options, scratch_, decision_, error)) << error.message;
    return decision_;
  }
  const Decision& eval(const Doc& doc, const std::string& now = "") { return eval(doc_json(doc), now); }

  static inline std::shared_ptr<const Program> program_;
  static inline Diagnostics diagnostics_;
  FactsDocument facts_;
  EvalScratch scratch_;
  Decision decision_;
};

// ---------------------------------------------------------------------------------------------

// The policy compiles with no error and no warning (the same as `refpol check`).
TEST_F(OldFriends, CompilesWithoutWarnings) {
  ASSERT_TRUE(program_) << render_text(diagnostics_);
  EXPECT_TRUE(diagnostics_.empty()) << render_text(diagnostics_);
  EXPECT_EQ(program().policy.id, "old-friends");
}

// Purchase customers (S6): an order within 365 days of `now`, and 1000 CNY spent or 3 orders.
// Service customers (S7): service completed and satisfaction >= 4.5. The labels say what failed.
TEST_F(OldFriends, ReferrerEligibilityWithReasons) {
  struct Case {
    const char* what;
    std::string referrer;
    std::string reasons;  // "" = eligible
  };
  const std::string common = R"("segment": "normal", "registered_at": "2023-01-01T10:00:00+08:00",
      "previous_campaigns": 0, "shares": 0)";
  auto purchase = [&](const std::string& fields) {
    return R"({"id": "C-1", "kind": "purchase", "service_completed": false, )" + common + ", " + fields + "}";
  };
  auto service = [&](const std::string& fields) {
    return R"({"id": "C-1", "kind": "service", "order_count": 1, "total_spend": 100, )" + common + ", " + fields + "}";
  };
  const std::vector<Case> cases = {
      // now - 365 days = 2026-01-10T12:00:00+08:00; an order at exactly that moment counts.
      {"spend exactly 1000 CNY, last order exactly 365 days ago",
       purchase(R"("last_order_at": "2026-01-10T12:00:00+08:00", "order_count": 1, "total_spend": 1000)"), ""},
      {"one second too early",
       purchase(R"("last_order_at": "2026-01-10T11:59:59+08:00", "order_count": 1, "total_spend": 1000)"),
       "recent_order"},
      {"999.99 CNY over 2 orders",
       purchase(R"("last_order_at": "2026-06-01T10:00:00+08:00", "order_count": 2, "total_spend": 999.99)"),
       "spend_or_orders"},
      {"little spend but 3 orders",
       purchase(R"("last_order_at": "2026-06-01T10:00:00+08:00", "order_count": 3, "total_spend": 200)"), ""},
      {"never ordered", purchase(R"("order_count": 0, "total_spend": 0)"), "recent_order,spend_or_orders"},
      {"service done, satisfaction exactly 4.5",
       service(R"("service_completed": true, "satisfaction": 4.5)"), ""},
      {"satisfaction 4.4", service(R"("service_completed": true, "satisfaction": 4.4)"), "satisfied"},
      {"service cycle not completed", service(R"("service_completed": false, "satisfaction": 4.9)"),
       "service_completed"},
      {"never rated", service(R"("service_completed": true)"), "satisfied"},
      {"employees are not in this plan",
       R"({"id": "C-1", "kind": "employee", "order_count": 9, "total_spend": 9000, "service_completed": true, )" +
           common + "}",
       "customer_kind"},
  };
  for (const Case& c : cases) {
    const Decision& d = eval(Doc{.referrer = c.referrer});
    EXPECT_EQ(d.referrer_eligible, c.reasons.empty()) << c.what;
    EXPECT_EQ(joined(d.referrer_reasons), c.reasons) << c.what;
  }
}

// An ineligible referrer gets no reward at all, but the referrals still get their verdicts and
// the outputs are still reported.
TEST_F(OldFriends, IneligibleReferrerGetsNothingButVerdictsRemain) {
  const Decision& d = eval(Doc{
      .referrer = R"({"id": "C-9", "kind": "purchase", "segment": "normal",
        "registered_at": "2023-01-01T10:00:00+08:00", "last_order_at": "2025-11-02T15:00:00+08:00",
        "order_count": 2, "total_spend": 640, "service_completed": false,
        "previous_campaigns": 0, "shares": 0})",
      .referrals = settled_referrals(1)});
  EXPECT_FALSE(d.referrer_eligible);
  EXPECT_EQ(joined(d.referrer_reasons), "recent_order,spend_or_orders");
  EXPECT_EQ(verdict(d, "R-01")->status, ReferralStatus::qualified);
  EXPECT_TRUE(d.rewards.empty());
  EXPECT_EQ(output(d, "qualified_count"), "1");
}

// Each referral's verdict (S1, S10-S12, S14, S15, S37): qualified, not_qualified with the failed
// labels, void with the labels that held, ineligible_referee for friends who are not new.
TEST_F(OldFriends, ReferralVerdictsAndReasons) {
  std::vector<Ref> refs = {
      {.id = "R-01", .referee = "F-01"},
      {.id = "R-02", .referee = "F-02", .refunded = true},
      {.id = "R-03", .referee = "F-03", .returned = true},
      {.id = "R-04", .referee = "F-04", .exchanged = true},
      // The last minute of the warm-up does not count...
      {.id = "R-05", .referee = "F-05", .bound = "2026-12-07T23:59:00+08:00", .placed = "2026-12-08T10:00:00+08:00",
       .completed = "2026-12-10T10:00:00+08:00"},
      // ...the last second of the active phase does (written in UTC: 23:59:59 in Shanghai)...
      {.id = "R-06", .referee = "F-06", .bound = "2027-01-06T15:59:59Z", .placed = "2027-01-07T09:00:00+08:00",
       .completed = "2027-01-08T09:00:00+08:00"},
      // ...and midnight after it, in Shanghai, is in the review phase.
      {.id = "R-07", .referee = "F-07", .bound = "2027-01-06T16:00:00Z", .placed = "2027-01-07T09:00:00+08:00",
       .completed = "2027-01-08T09:00:00+08:00"},
      // The referrer's own id, and a friend the CRM has never seen: void.
      {.id = "R-08", .referee = "C-1", .first_seen = ""},
      // A second account on the referrer's phone; one with the same payment and address.
      {.id = "R-09", .referee = "F-09", .referee_extra = R"(, "phone": "13800000001")"},
      {.id = "R-10", .referee = "F-10",
       .referee_extra = R"(, "payment_fingerprint": "PAY-1", "address": "上海市徐汇区漕溪北路1号")"},
      // Manual review: flagged exactly 12 hours after the order voids it; a minute later is too late.
      {.id = "R-11", .referee = "F-11", .review_flag = "fake_order", .flagged_at = "2026-12-10T23:00:00+08:00"},
      {.id = "R-12", .referee = "F-12", .review_flag = "fake_order", .flagged_at = "2026-12-10T23:01:00+08:00"},
      // Not new customers.
      {.id = "R-13", .referee = "F-13", .first_seen = "2026-11-01T10:00:00+08:00"},
      {.id = "R-14", .referee = "F-14", .previous_campaigns = 1},
      // Bound, no order yet: every condition about the order fails.
      {.id = "R-15", .referee = "F-15", .placed = ""},
      // The binding is valid for 30 days: ordered 30 days and 1 minute later, then exactly 30 days.
      {.id = "R-16", .referee = "F-16", .placed = "2027-01-09T10:01:00+08:00", .completed = "2027-01-09T12:00:00+08:00"},
      {.id = "R-17", .referee = "F-17", .placed = "2027-01-09T10:00:00+08:00", .completed = "2027-01-09T20:00:00+08:00"},
      // Ordered before the binding; ordered but not completed.
      {.id = "R-18", .referee = "F-18", .placed = "2026-12-10T09:00:00+08:00"},
      {.id = "R-19", .referee = "F-19", .completed = ""},
      // A self-referral by an old customer: voiding comes first, so it is reported as void
      // (self_referral), not as an ineligible referee.
      {.id = "R-20", .referee = "C-1", .first_seen = "2024-01-01T10:00:00+08:00"},
  };
  const Decision& d = eval(Doc{.referrals = refs});
  ASSERT_EQ(d.referrals.size(), refs.size());

  struct Expect {
    const char* id;
    ReferralStatus status;
    const char* reasons;
    int position;
  };
  const ReferralStatus Q = ReferralStatus::qualified, NQ = ReferralStatus::not_qualified,
                       V = ReferralStatus::void_, IR = ReferralStatus::ineligible_referee;
  const std::vector<Expect> expected = {
      {"R-01", Q, "", 1},
      {"R-02", NQ, "not_refunded", 0},
      {"R-03", NQ, "not_returned", 0},
      {"R-04", NQ, "not_exchanged", 0},
      {"R-05", NQ, "bound_in_active", 0},
      {"R-06", Q, "", 2},
      {"R-07", NQ, "bound_in_active", 0},
      {"R-08", V, "self_referral", 0},
      {"R-09", V, "same_phone", 0},
      {"R-10", V, "same_payment,same_address", 0},
      {"R-11", V, "review_flagged", 0},
      {"R-12", Q, "", 3},
      {"R-13", IR, "not_in_crm", 0},
      {"R-14", IR, "no_previous_campaign", 0},
      {"R-15", NQ, "first_order_completed,ordered_after_binding,binding_fresh,not_refunded,not_returned,not_exchanged", 0},
      {"R-16", NQ, "binding_fresh", 0},
      {"R-17", Q, "", 4},
      {"R-18", NQ, "ordered_after_binding", 0},
      {"R-19", NQ, "first_order_completed", 0},
      // The referrer referring themself: voiding speaks before referee eligibility.
      {"R-20", V, "self_referral", 0},
  };
  for (const Expect& e : expected) {
    const ReferralVerdict* v = verdict(d, e.id);
    ASSERT_TRUE(v);
    EXPECT_EQ(v->status, e.status) << e.id << " is " << referral_status_name(v->status);
    EXPECT_EQ(joined(v->reasons), e.reasons) << e.id;
    EXPECT_EQ(v->position, e.position) << e.id;
  }
  EXPECT_EQ(output(d, "qualified_count"), "4");

  // The void referrals would have qualified, so their rewards are listed as void with the first
  // label that held: a service that already paid them knows to cancel them (S14).
  struct VoidReward {
    const char* key;
    const char* reason;
  };
  for (const VoidReward& v : {VoidReward{"old-friends/first_order_benefit/referee:C-1/R-08", "self_referral"},
                              VoidReward{"old-friends/first_order_benefit/referee:F-09/R-09", "same_phone"},
                              VoidReward{"old-friends/first_order_benefit/referee:F-10/R-10", "same_payment"},
                              VoidReward{"old-friends/refer_again_coupon/referee:F-11/R-11", "review_flagged"}}) {
    const Reward* r = by_key(d, v.key);
    ASSERT_TRUE(r) << v.key;
    EXPECT_EQ(r->status, RewardStatus::void_) << v.key;
    EXPECT_EQ(r->reason, v.reason) << v.key;
  }
  // Referrals that did not qualify produce no reward at all.
  for (const char* scope : {"R-02", "R-05", "R-13", "R-15"}) {
    for (const Reward& r : d.rewards) EXPECT_NE(r.scope, scope);
  }
}

// Holding period (S13): a referral settles 7 days after its first order is completed and is due
// 72 hours later. Before the settle date its rewards are pending, from it on granted.
TEST_F(OldFriends, PendingUntilTheSettleDateThenGranted) {
  // Completed on 2027-01-03 17:00, so it settles on 2027-01-10 17:00 and is due 2027-01-13 17:00.
  Doc doc{.referrals = {{.id = "R-1", .referee = "F-1", .bound = "2027-01-02T10:00:00+08:00",
                         .placed = "2027-01-02T11:00:00+08:00", .completed = "2027-01-03T17:00:00+08:00"}}};

  const Decision& before = eval(doc, "2027-01-10T16:59:59+08:00");
  EXPECT_EQ(text(verdict(before, "R-1")->settles_at), "2027-01-10T17:00:00+08:00");
  const Reward* welcome = by_key(before, "old-friends/first_order_benefit/referee:F-1/R-1");
  ASSERT_TRUE(welcome);
  EXPECT_EQ(welcome->status, RewardStatus::pending);
  EXPECT_EQ(text(welcome->settles_at), "2027-01-10T17:00:00+08:00");
  EXPECT_EQ(text(welcome->due_by), "2027-01-13T17:00:00+08:00");
  EXPECT_FALSE(welcome->granted_at);
  // Expiry counts from the settle date: +30 days and +60 days.
  EXPECT_EQ(text(welcome->expires_at), "2027-02-09T17:00:00+08:00");
  const Reward* again = by_key(before, "old-friends/refer_again_coupon/referee:F-1/R-1");
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, RewardStatus::pending);
  EXPECT_EQ(again->kind, "coupon");
  EXPECT_EQ(amount(*again), "20");
  EXPECT_EQ(again->unit, "%");
  EXPECT_EQ(text(again->expires_at), "2027-03-11T17:00:00+08:00");
  // The ladder counts only settled referrals: nothing yet.
  EXPECT_EQ(ladder(before), "");
  EXPECT_EQ(output(before, "pending_count"), "1");

  // At the settle date itself (given in UTC) the rewards are granted, at the settle date.
  const Decision& after = eval(doc, "2027-01-10T09:00:00Z");
  welcome = by_key(after, "old-friends/first_order_benefit/referee:F-1/R-1");
  ASSERT_TRUE(welcome);
  EXPECT_EQ(welcome->status, RewardStatus::granted);
  EXPECT_EQ(text(welcome->granted_at), "2027-01-10T17:00:00+08:00");
  EXPECT_EQ(text(welcome->due_by), "2027-01-13T17:00:00+08:00");
  EXPECT_EQ(amount(*welcome), "50.00");
  EXPECT_EQ(welcome->unit, "CNY");
  EXPECT_EQ(ladder(after), "coupon_100");
  EXPECT_EQ(output(after, "settled_count"), "1");
}

// The ladder (S16, S17) pays each threshold once: 1, 3, 5 and 10 settled referrals, nothing one
// below each threshold. Each tier has its own stable key.
TEST_F(OldFriends, LadderPaysEachThresholdOnce) {
  const std::vector<std::pair<int, std::string>> expected = {
      {0, ""},
      {1, "coupon_100"},
      {2, "coupon_100"},
      {3, "coupon_100,gift_box"},
      {4, "coupon_100,gift_box"},
      {5, "coupon_100,gift_box,premium_service"},
      {9, "coupon_100,gift_box,premium_service"},
      {10, "coupon_100,gift_box,premium_service,referral_officer"},
      {11, "coupon_100,gift_box,premium_service,referral_officer"},
  };
  for (const auto& [n, tiers] : expected) {
    const Decision& d = eval(Doc{.referrals = settled_referrals(n)});
    EXPECT_EQ(ladder(d), tiers) << n << " settled referrals";
    EXPECT_EQ(rewards(d, "first_order_benefit").size(), static_cast<std::size_t>(n));
  }

  const Decision& d = eval(Doc{.referrals = settled_referrals(10)});
  const Reward* coupon = by_key(d, "old-friends/ladder/referrer:C-1/coupon_100");
  ASSERT_TRUE(coupon);
  EXPECT_EQ(coupon->kind, "coupon");
  EXPECT_EQ(amount(*coupon), "100.00");
  EXPECT_EQ(coupon->label, "100元无门槛券");
  EXPECT_EQ(text(coupon->expires_at), "2027-03-31T23:59:59+08:00");
  const Reward* box = by_key(d, "old-friends/ladder/referrer:C-1/gift_box");
  ASSERT_TRUE(box);
  EXPECT_EQ(box->kind, "gift");
  EXPECT_EQ(box->label, "品牌定制礼盒");
  EXPECT_EQ(cny(box->value), "88.00");
  const Reward* premium = by_key(d, "old-friends/ladder/referrer:C-1/premium_service");
  ASSERT_TRUE(premium);
  EXPECT_EQ(premium->kind, "experience");
  EXPECT_EQ(cny(premium->value), "300.00");
  const Reward* officer = by_key(d, "old-friends/ladder/referrer:C-1/referral_officer");
  ASSERT_TRUE(officer);
  EXPECT_EQ(officer->kind, "title");
  EXPECT_EQ(officer->label, "品牌推荐官（全年购物理赔、新品优先体验权）");
  EXPECT_FALSE(officer->expires_at);
  for (const Reward* r : rewards(d, "ladder")) EXPECT_EQ(r->status, RewardStatus::granted);
}

// The first 100 referrers (S4): the bonus needs fewer than 100 referrers rewarded before and one
// settled referral.
TEST_F(OldFriends, FirstHundredReferrersBonus) {
  const std::string key = "old-friends/first_hundred/referrer:C-1/once";
  const Decision& at99 = eval(Doc{.referrals = settled_referrals(1), .rewarded_referrers = 99});
  const Reward* bonus = by_key(at99, key);
  ASSERT_TRUE(bonus);
  EXPECT_EQ(bonus->kind, "coupon");
  EXPECT_EQ(amount(*bonus), "50.00");
  EXPECT_EQ(bonus->status, RewardStatus::granted);
  EXPECT_EQ(text(bonus->expires_at), "2027-03-31T23:59:59+08:00");

  EXPECT_FALSE(by_key(eval(Doc{.referrals = settled_referrals(1), .rewarded_referrers = 100}), key));
  // The only referral is still in its holding period: no bonus yet.
  EXPECT_FALSE(by_key(eval(Doc{.referrals = {{.id = "R-1", .referee = "F-1", .completed = "2027-01-08T10:00:00+08:00"}},
                               .rewarded_referrers = 0}),
                      key));
}

// High-value (loyal) referrers get the starter pack once a referral has settled; others do not.
TEST_F(OldFriends, StarterPackForLoyalReferrers) {
  std::string loyal = kReferrer;
  loyal.replace(loyal.find("\"normal\""), 8, "\"loyal\"");
  const Reward* pack = by_key(eval(Doc{.referrer = loyal, .referrals = settled_referrals(1)}),
                              "old-friends/starter_pack/referrer:C-1/once");
  ASSERT_TRUE(pack);
  EXPECT_EQ(amount(*pack), "100.00");
  EXPECT_TRUE(rewards(eval(Doc{.referrer = loyal}), "starter_pack").empty());
  EXPECT_TRUE(rewards(eval(Doc{.referrals = settled_referrals(1)}), "starter_pack").empty());
}

// The community members as JSON: ids M-001 ... M-<n>, all new customers, no orders.
std::string community_json(const std::string& id, int n) {
  std::string members;
  for (int i = 1; i <= n; ++i) {
    members += fmt::format(R"({}{{"id": "M-{:03}", "joined_at": "2026-12-{:02}T10:00:00+08:00", "is_new": true, "completed_orders": 0}})",
                           i > 1 ? ", " : "", i, 8 + i % 20);
  }
  return fmt::format(R"(, "community": {{"id": "{}", "members": [{}]}})", id, members);
}

// The community lottery (S31) draws 3 members once the community has 50. The draw is
// reproducible: SHA-256 of "old-friends-2026/<community id>", 0x1F, member id; smallest first.
// Worked out with python3 hashlib: for G-1 the smallest are M-026 (03622805…), M-041 (0666a00f…)
// and M-035 (13080fe2…); for G-2, M-029 (020ca0c6…), M-016 (03df3b46…) and M-043 (04da9f06…).
TEST_F(OldFriends, CommunityLotteryIsReproducible) {
  auto winners = [&](const Decision& d) {
    std::vector<std::string_view> ids;
    for (const Reward* r : rewards(d, "community_lottery")) {
      EXPECT_EQ(r->kind, "gift");
      EXPECT_EQ(r->label, "品牌爆款产品");
      ids.push_back(r->recipient_id);
    }
    return joined(ids);
  };
  EXPECT_EQ(winners(eval(Doc{.more = community_json("G-1", 50)})), "M-026,M-041,M-035");
  EXPECT_EQ(winners(eval(Doc{.more = community_json("G-1", 50)})), "M-026,M-041,M-035");  // again
  const Decision& d = eval(Doc{.more = community_json("G-1", 50)});
  EXPECT_TRUE(by_key(d, "old-friends/community_lottery/member:M-026/M-026"));
  EXPECT_EQ(output(d, "community_size"), "50");
  // Another community id is another seed, so another draw.
  EXPECT_EQ(winners(eval(Doc{.more = community_json("G-2", 50)})), "M-029,M-016,M-043");
  // 49 members: no lottery yet.
  EXPECT_EQ(winners(eval(Doc{.more = community_json("G-1", 49)})), "");
  // The digests kept between evaluations (EvalScratch::draw_digests) are emptied when full; the
  // draw is the same after.
  EXPECT_GE(scratch_.draw_digests.size(), 100u);  // G-1's 50 and G-2's 50
  scratch_.draw_digests.clear();
  for (std::size_t i = 0; scratch_.draw_digests.size() < EvalScratch::kMaxKeptDraws; ++i) {
    scratch_.draw_digests.emplace("filler " + std::to_string(i), std::array<std::uint8_t, 32>{});
  }
  EXPECT_EQ(winners(eval(Doc{.more = community_json("G-1", 50)})), "M-026,M-041,M-035");
  EXPECT_EQ(scratch_.draw_digests.size(), 50u);
  // Ids too long to keep (L-001-xxx…, 120 x's: the key is past kMaxKeptDrawKey) are hashed each
  // time and not kept. Worked out with python3 hashlib for G-7: L-035, L-007, L-034.
  std::string json = community_json("G-7", 50);
  for (std::size_t at = json.find("\"M-"); at != std::string::npos; at = json.find("\"M-", at)) {
    json.replace(at + 1, 5, json.substr(at + 2, 4).insert(0, "L") + "-" + std::string(120, 'x'));
    at += 1;
  }
  auto prefixes = [](const Decision& d) {
    std::string out;
    for (const Reward* r : rewards(d, "community_lottery")) out += std::string(r->recipient_id.substr(0, 5)) + ",";
    return out;
  };
  EXPECT_EQ(prefixes(eval(Doc{.more = json})), "L-035,L-007,L-034,");
  EXPECT_EQ(scratch_.draw_digests.size(), 50u);
}

// Community orders (S32): 10 orders completed by new members give the inviting referrer a
// 200 CNY coupon and each new member who bought extra service time.
TEST_F(OldFriends, CommunityOrdersBonus) {
  auto community = [](int buyers) {
    // The referrer (an old customer, 3 orders, not counted), `buyers` new members with one
    // order each, and one new member without an order.
    std::string members = R"({"id": "C-1", "joined_at": "2026-12-08T10:00:00+08:00", "is_new": false, "completed_orders": 3})";
    for (int i = 1; i <= buyers; ++i) {
      members += fmt::format(R"(, {{"id": "N-{:02}", "joined_at": "2026-12-09T10:00:00+08:00", "is_new": true, "completed_orders": 1}})", i);
    }
    members += R"(, {"id": "N-99", "joined_at": "2026-12-09T10:00:00+08:00", "is_new": true, "completed_orders": 0})";
    return R"(, "community": {"id": "G-5", "members": [)" + members + "]}";
  };
  const Decision& nine = eval(Doc{.more = community(9)});
  EXPECT_EQ(output(nine, "community_new_orders"), "9");
  EXPECT_TRUE(rewards(nine, "community_orders_bonus").empty());
  EXPECT_TRUE(rewards(nine, "community_service_time").empty());

  const Decision& ten = eval(Doc{.more = community(10)});
  const Reward* bonus = by_key(ten, "old-friends/community_orders_bonus/referrer:C-1/once");
  ASSERT_TRUE(bonus);
  EXPECT_EQ(amount(*bonus), "200.00");
  EXPECT_EQ(text(bonus->expires_at), "2027-03-31T23:59:59+08:00");
  std::vector<std::string_view> served;
  for (const Reward* r : rewards(ten, "community_service_time")) served.push_back(r->recipient_id);
  EXPECT_EQ(joined(served), "N-01,N-02,N-03,N-04,N-05,N-06,N-07,N-08,N-09,N-10");
  // 12 members is far from 50: no lottery.
  EXPECT_TRUE(rewards(ten, "community_lottery").empty());
}

// Organisation batch referral (S33): the organiser gets the enterprise package at 10 settled
// referrals of the organisation's members, who each get the 5 % group discount.
TEST_F(OldFriends, OrganisationBatchReferral) {
  auto org_doc = [](int members, const std::string& organiser) {
    Doc doc;
    std::string list;
    for (int i = 1; i <= members; ++i) {
      Ref r{.id = fmt::format("R-{:02}", i), .referee = fmt::format("E-{:02}", i), .channel = "organisation"};
      list += (i > 1 ? ", " : "") + customer_json(r);
      doc.referrals.push_back(r);
    }
    // Through the organisation channel, but not one of its members: it does not count.
    doc.referrals.push_back(Ref{.id = "R-99", .referee = "E-99", .channel = "organisation"});
    doc.more = fmt::format(R"(, "organisation": {{"id": "ORG-1", "name": "浦东宝妈互助会", "organiser_id": "{}", "members": [{}]}})",
                           organiser, list);
    return doc;
  };
  const std::string key = "old-friends/enterprise_package/referrer:C-1/once";

  const Decision& ten = eval(org_doc(10, "C-1"));
  EXPECT_EQ(output(ten, "organisation_valid_count"), "10");
  const Reward* package = by_key(ten, key);
  ASSERT_TRUE(package);
  EXPECT_EQ(package->kind, "service");
  EXPECT_EQ(package->label, "企业定制服务包");
  EXPECT_EQ(cny(package->value), "2000.00");
  std::vector<const Reward*> discounts = rewards(ten, "group_discount");
  ASSERT_EQ(discounts.size(), 10u);
  EXPECT_EQ(amount(*discounts[0]), "5");
  EXPECT_EQ(discounts[0]->unit, "%");
  EXPECT_EQ(reward_key(ten, *discounts[0]), "old-friends/group_discount/referee:E-01/R-01");
  EXPECT_FALSE(by_key(ten, "old-friends/group_discount/referee:E-99/R-99"));

  // 9 members (plus the outsider, so 10 qualified referrals): no package.
  EXPECT_FALSE(by_key(eval(org_doc(9, "C-1")), key));
  // 10 members, but this referrer did not organise it.
  EXPECT_FALSE(by_key(eval(org_doc(10, "C-777")), key));
}

// Budget (S5): 300000 CNY for incentives. Rewards are charged in order; one that no longer fits
// becomes the free fallback gift, keeping its key.
TEST_F(OldFriends, BudgetExhaustedGivesTheFallback) {
  // One settled referral: a 50 CNY welcome coupon, the 20 % coupon (no CNY value) and the
  // 100 CNY ladder coupon, 150 CNY in all.
  const Decision& fits = eval(Doc{.referrals = settled_referrals(1), .budget_spent = "299850"});
  for (const Reward& r : fits.rewards) EXPECT_EQ(r.status, RewardStatus::granted) << r.rule;
  EXPECT_EQ(by_key(fits, "old-friends/ladder/referrer:C-1/coupon_100")->kind, "coupon");

  // 149 CNY left: the 50 fits (99 left), the 100 does not.
  const Decision& short1 = eval(Doc{.referrals = settled_referrals(1), .budget_spent = "299851"});
  const Reward* welcome = by_key(short1, "old-friends/first_order_benefit/referee:F-01/R-01");
  ASSERT_TRUE(welcome);
  EXPECT_EQ(welcome->kind, "coupon");
  EXPECT_EQ(welcome->status, RewardStatus::granted);
  const Reward* fallback = by_key(short1, "old-friends/ladder/referrer:C-1/coupon_100");
  ASSERT_TRUE(fallback);
  EXPECT_EQ(fallback->kind, "gift");
  EXPECT_EQ(fallback->label, "感谢参与电子证书");
  EXPECT_EQ(fallback->reason, "budget_fallback");
  EXPECT_EQ(fallback->status, RewardStatus::granted);
  EXPECT_FALSE(fallback->has_amount);
  EXPECT_FALSE(fallback->value);

  // Nothing left at all: both CNY rewards become the fallback; the 20 % coupon costs nothing.
  const Decision& spent = eval(Doc{.referrals = settled_referrals(1), .budget_spent = "300000"});
  EXPECT_EQ(by_key(spent, "old-friends/first_order_benefit/referee:F-01/R-01")->reason, "budget_fallback");
  EXPECT_EQ(by_key(spent, "old-friends/ladder/referrer:C-1/coupon_100")->reason, "budget_fallback");
  EXPECT_EQ(by_key(spent, "old-friends/refer_again_coupon/referee:F-01/R-01")->kind, "coupon");
}

// Expiry (S36): an expired coupon is reported as expired, with its dates, not dropped.
TEST_F(OldFriends, ExpiredCouponIsReportedAsExpired) {
  // Settled 2026-12-19 16:00: the 50 CNY coupon expires 30 days later, 2027-01-18 16:00.
  const std::string key = "old-friends/first_order_benefit/referee:F-01/R-01";
  const Reward* r = by_key(eval(Doc{.referrals = settled_referrals(1)}, "2027-01-18T15:59:59+08:00"), key);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, RewardStatus::granted);

  const Decision& d = eval(Doc{.referrals = settled_referrals(1)}, "2027-01-18T16:00:00+08:00");
  r = by_key(d, key);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, RewardStatus::expired);
  EXPECT_EQ(text(r->granted_at), "2026-12-19T16:00:00+08:00");
  EXPECT_EQ(text(r->expires_at), "2027-01-18T16:00:00+08:00");
  // The 20 % coupon has 60 days: until 2027-02-17 16:00.
  const Reward* again = by_key(d, "old-friends/refer_again_coupon/referee:F-01/R-01");
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, RewardStatus::granted);
  EXPECT_EQ(text(again->expires_at), "2027-02-17T16:00:00+08:00");

  // The ladder's coupon expires at the end of 2027-03-31.
  const Reward* coupon = by_key(eval(Doc{.referrals = settled_referrals(1)}, "2027-04-01T00:00:00+08:00"),
                                "old-friends/ladder/referrer:C-1/coupon_100");
  ASSERT_TRUE(coupon);
  EXPECT_EQ(coupon->status, RewardStatus::expired);
}

// Evaluation is a pure function of the policy and the facts: the same facts give the same
// bytes, even after evaluating something else with the same scratch memory.
TEST_F(OldFriends, SameFactsGiveByteIdenticalJson) {
  Doc doc{.referrals = settled_referrals(4), .rewarded_referrers = 10, .more = community_json("G-1", 50)};
  doc.referrals.push_back(Ref{.id = "R-09", .referee = "F-09", .referee_extra = R"(, "device_id": "DEV-1")"});
  doc.referrals.push_back(Ref{.id = "R-10", .referee = "F-10", .completed = "2027-01-08T10:00:00+08:00"});
  std::string first, second;
  write_decision_json(eval(doc), first);
  eval(Doc{.referrals = settled_referrals(11)});
  write_decision_json(eval(doc), second);
  EXPECT_FALSE(first.empty());
  EXPECT_EQ(first, second);
}

// The example facts in policies/old-friends/facts all load and evaluate, each with its own `now`.
TEST_F(OldFriends, ExampleFactsEvaluate) {
  auto files = testing::files_with_suffix(testing::source_dir() / "policies/old-friends/facts", ".json");
  EXPECT_GE(files.size(), 4u);
  for (const auto& file : files) {
    SCOPED_TRACE(testing::relative(file));
    const Decision& d = eval(testing::read_text(file));
    EXPECT_FALSE(d.referrals.empty());
    EXPECT_TRUE(facts_.now.has_value());
  }
}

}  // namespace
}  // namespace refpol
