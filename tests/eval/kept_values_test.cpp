// What evaluation keeps: definitions worked out once per evaluation (Program::define_cacheable)
// and referral verdicts kept between evaluations (ReferralMemo), with the dependency analysis
// that says when either is allowed. Expected values are worked out from the policy texts here.
#include <gtest/gtest.h>
#include <fmt/format.h>

#include "interpreter/compile/program.hpp"
#include "interpreter/decision/decision_json.hpp"
#include "interpreter/eval/evaluator.hpp"
#include "tests/support/test_support.hpp"

namespace refpol {
namespace {

std::shared_ptr<const Program> compiled(const std::string& body) {
  const std::string text = "policy \"k\" version 1\ncurrency CNY\ntimezone \"Asia/Shanghai\"\nimport \"standard\"\n" + body;
  CompileResult r = compile_text((testing::source_dir() / "tests/eval/kept.refpol").string(), text);
  EXPECT_TRUE(r.program) << render_text(r.diagnostics);
  return r.program;
}

bool cacheable(const Program& p, std::string_view define) {
  for (std::size_t d = 0; d < p.defines.size(); ++d) {
    if (p.defines[d].name == define) return p.define_cacheable[d] != 0;
  }
  ADD_FAILURE() << "no define " << define;
  return false;
}

std::uint64_t root_bit(const Program& p, const char* field) {
  return std::uint64_t{1} << p.policy.schema.root().index_of(field);
}

TEST(Dependencies, DefinitionsWithoutParametersOrLocalsAreKeptForAnEvaluation) {
  auto p = compiled(R"(
define spend = referrer.total_spend
define settled_count = count(r in qualified_referrals where r.bound_at + 7 days <= now)
define bound_total = count(referrals)
define is_link(r) = r.channel == "link"
define links = count(r in referrals where is_link(r))
output a = spend
output b = settled_count
output c = bound_total
output d = links
reward x to referrer for each qualified referral when is_link(referral) and position >= 1 gives cash 1 CNY
)");
  ASSERT_TRUE(p);
  EXPECT_TRUE(cacheable(*p, "spend"));
  EXPECT_TRUE(cacheable(*p, "settled_count"));  // `r` is bound by the count; `now` is one per evaluation
  EXPECT_TRUE(cacheable(*p, "bound_total"));
  EXPECT_TRUE(cacheable(*p, "links"));          // the call's parameter is bound by the call
  EXPECT_FALSE(cacheable(*p, "is_link"));       // has a parameter
}

TEST(Dependencies, VerdictsAreKeptOnlyWhenTheyReadTheReferralConstantsAndRootFields) {
  struct Case {
    const char* body;
    bool keepable;
    std::vector<const char*> roots;
  };
  const Case cases[] = {
      {"referral qualifies when { done: referral.first_order.completed_at is present }\n", true, {}},
      {"referral qualifies when { done: referral.first_order.completed_at is present }\n"
       "referral settles referral.first_order.completed_at + 7 days\n", true, {}},
      {"define fresh(r) = r.channel != \"poster\"\n"
       "phases {\n  active 2026-12-08 .. 2027-01-06\n}\n"
       "referral qualifies when {\n  in_active: referral.bound_at in active\n  fresh: fresh(referral)\n}\n",
       true, {}},
      {"referral void when { self: referral.referee.id == referrer.id }\n", true, {"referrer"}},
      {"referee eligible when referral.referee.segment != (community.id ?? \"x\")\n", true, {"community"}},
      // `now`, the qualified referrals, the whole list and the position change without the
      // referral changing.
      {"referral qualifies when { recent: referral.bound_at >= now - 30 days }\n", false, {}},
      {"referral qualifies when { few: count(referrals) < 10 }\n", false, {}},
      {"referral settles if position > 3 then referral.bound_at + 7 days else referral.bound_at\n", false, {}},
      {"define recent = referrer.registered_at >= now - 365 days\n"
       "referral void when { stale: not (recent ?? false) }\n",
       false, {}},
  };
  for (const Case& c : cases) {
    auto p = compiled(c.body);
    ASSERT_TRUE(p) << c.body;
    EXPECT_EQ(p->verdict_memo.keepable, c.keepable) << c.body;
    if (!c.keepable) continue;
    std::uint64_t roots = 0;
    for (const char* r : c.roots) roots |= root_bit(*p, r);
    EXPECT_EQ(p->verdict_memo.roots, roots) << c.body;
  }
}

// The fields of the referrer and of the referee a verdict reads, followed through definitions
// and their parameters; a record used whole (listed, compared) counts as all of its fields.
TEST(Dependencies, VerdictsSayWhichFieldsOfTheReferrerAndTheRefereeTheyRead) {
  struct Case {
    const char* body;
    std::vector<const char*> referrer, referee;  // field names; {"*"}: all
  };
  const Case cases[] = {
      {"referral qualifies when { done: referral.first_order.completed_at is present }\n", {}, {}},
      {"define same_phone(x, y) = x.phone is present and y.phone is present and x.phone == y.phone\n"
       "referral void when { same_phone: same_phone(referral.referee, referrer) }\n",
       {"phone"}, {"phone"}},
      {"define seen(r) = r.referee.first_seen_at is present and r.referee.first_seen_at < r.bound_at\n"
       "referee eligible when { new: not seen(referral) }\n",
       {}, {"first_seen_at"}},
      {"define phone_of(x) = x.phone ?? \"\"\ndefine same(x, y) = phone_of(x) == phone_of(y)\n"
       "referral void when { same: same(referral.referee, referrer) }\n",
       {"phone"}, {"phone"}},
      {"referee eligible when { few: referral.referee.shares < 3 }\n"
       "referral void when { busy: referrer.order_count > 12 }\n",
       {"order_count"}, {"shares"}},
      {"referral void when { listed: any(x in [referrer] where x.id == \"a\") }\n", {"*"}, {}},
      {"define first(x, y) = x ?? y\n"
       "referral void when { either: first(referral.referee, referrer).id == \"a\" }\n",
       {"*"}, {"*"}},
      {"referral void when { ordered: count(o in referral.orders where o.refunded) > 0 }\n", {}, {}},
      {"referral settles referral.bound_at + referrer.previous_campaigns * 1 days\n", {"previous_campaigns"}, {}},
  };
  for (const Case& c : cases) {
    auto p = compiled(c.body);
    ASSERT_TRUE(p) << c.body;
    const RecordInfo& customer = p->policy.schema.records[static_cast<std::size_t>(p->policy.schema.by_name.at("Customer"))];
    auto mask = [&](const std::vector<const char*>& names) {
      std::uint64_t m = 0;
      for (const char* n : names) {
        if (std::string_view(n) == "*") return ~std::uint64_t{0};
        m |= std::uint64_t{1} << customer.index_of(n);
      }
      return m;
    };
    EXPECT_EQ(p->verdict_memo.referrer_fields, mask(c.referrer)) << c.body;
    EXPECT_EQ(p->verdict_memo.referee_fields, mask(c.referee)) << c.body;
  }
}

// A definition that reads the qualified referrals is refused in the verdicts (E110), as
// `qualified_referrals` written out is: they would see it absent while it is being decided. Once
// they are decided, the rules and outputs read it as the list of them.
TEST(KeptValues, ADefinitionOfTheQualifiedReferralsIsRefusedInVerdictsAndKnownAfter) {
  const std::string header = "policy \"k\" version 1\ncurrency CNY\nimport \"standard\"\n";
  const std::string define = "define qualified_now = count(qualified_referrals)\n";
  for (const char* verdict : {"referral qualifies when { counted: (qualified_now ?? 0) >= 0 }\n",
                              "referee eligible when { counted: (qualified_now ?? 0) >= 0 }\n",
                              "referral void when { many: (qualified_now ?? 0) > 10 }\n",
                              "referral settles referral.bound_at + (qualified_now ?? 0) * 1 days\n"}) {
    CompileResult r = compile_text("kept.refpol", header + define + verdict);
    EXPECT_FALSE(r.program) << verdict;
    EXPECT_NE(render_text(r.diagnostics).find("`qualified_now` reads `qualified_referrals`"), std::string::npos)
        << verdict << render_text(r.diagnostics);
    EXPECT_NE(render_text(r.diagnostics).find("[E110]"), std::string::npos) << verdict;
  }
  auto p = compiled(R"(
define qualified_now = count(qualified_referrals)
referral qualifies when {
  done: referral.first_order.completed_at is present
}
referrer eligible when (qualified_now ?? 0) >= 0
output counted = qualified_now
)");
  ASSERT_TRUE(p);
  ASSERT_TRUE(cacheable(*p, "qualified_now"));
  std::string refs;
  for (int i = 1; i <= 3; ++i) {
    const bool done = i != 2;
    refs += fmt::format(R"({}{{"id":"r{}","bound_at":"2027-01-01T10:00:00+08:00","channel":"link","orders":[],
      "first_order":{{"id":"o{}","placed_at":"2027-01-02T10:00:00+08:00","amount":100,"completed_at":{},
      "refunded":false,"returned":false,"exchanged":false}},
      "referee":{{"id":"f{}","kind":"purchase","segment":"new","registered_at":"2027-01-01T10:00:00+08:00",
      "order_count":1,"total_spend":100,"service_completed":false,"previous_campaigns":0,"shares":0}}}})",
                        i > 1 ? "," : "", i, i, done ? "\"2027-01-03T10:00:00+08:00\"" : "null", i);
  }
  const std::string facts = fmt::format(R"({{"now":"2027-01-10T00:00:00+08:00",
    "campaign":{{"budget_spent":0,"rewarded_referrers":0}},
    "referrer":{{"id":"u1","kind":"purchase","segment":"loyal","registered_at":"2025-01-01T00:00:00+08:00",
    "order_count":3,"total_spend":900,"service_completed":false,"previous_campaigns":0,"shares":0}},
    "referrals":[{}]}})",
                                        refs);
  FactsDocument doc;
  std::vector<FactsError> errors;
  ASSERT_TRUE(load_facts_json(facts, FactsContext{&p->policy.schema, &p->zone, 0}, doc, errors));
  EvalScratch scratch;
  Decision d;
  EvalError error;
  ASSERT_TRUE(evaluate(*p, doc, EvalOptions{}, scratch, d, error)) << error.message;
  ASSERT_EQ(d.outputs.size(), 1u);
  EXPECT_EQ(d.outputs[0].json, "2");  // r1 and r3: r2's first order is not completed
}

// Referrals whose content the test controls, with tokens it hands to the memo.
struct MemoRun {
  std::shared_ptr<const Program> program;
  FactsDocument doc;
  EvalScratch scratch;
  Decision decision;
  std::string json;

  static std::string referral(int i, const std::string& referee, bool refunded) {
    return fmt::format(R"({{"id":"r{}","bound_at":"2027-01-01T10:00:00+08:00","channel":"link","orders":[],
      "first_order":{{"id":"o{}","placed_at":"2027-01-02T10:00:00+08:00","amount":100,
      "completed_at":"2027-01-03T10:00:00+08:00","refunded":{},"returned":false,"exchanged":false}},
      "referee":{{"id":"{}","kind":"purchase","segment":"new","registered_at":"2027-01-01T10:00:00+08:00",
      "order_count":1,"total_spend":100,"service_completed":false,"previous_campaigns":0,"shares":0}}}})",
                       i, i, refunded ? "true" : "false", referee);
  }

  // Evaluates facts with `referrer_id` and the referrals given; true on success.
  bool run(const std::string& referrer_id, const std::vector<std::string>& referrals, ReferralMemo* memo,
           bool explain = false) {
    std::string list;
    for (const std::string& r : referrals) list += (list.empty() ? "" : ",") + r;
    const std::string facts = fmt::format(R"({{"now":"2027-01-20T00:00:00+08:00",
      "campaign":{{"budget_spent":0,"rewarded_referrers":0}},
      "referrer":{{"id":"{}","kind":"purchase","segment":"loyal","registered_at":"2025-01-01T00:00:00+08:00",
      "order_count":3,"total_spend":900,"service_completed":false,"previous_campaigns":0,"shares":0}},
      "referrals":[{}]}})",
                                          referrer_id, list);
    std::vector<FactsError> errors;
    if (!load_facts_json(facts, FactsContext{&program->policy.schema, &program->zone, 0}, doc, errors)) return false;
    EvalOptions options;
    options.memo = memo;
    options.explain = explain;
    EvalError error;
    if (!evaluate(*program, doc, options, scratch, decision, error)) return false;
    json.clear();
    write_decision_json(decision, json);
    return true;
  }
};

const char* kMemoPolicy = R"(
referral qualifies when {
  completed: referral.first_order.completed_at is present
  not_refunded: not referral.first_order.refunded
}
referral void when { self_referral: referral.referee.id == referrer.id }
referral settles referral.first_order.completed_at + 7 days
reward welcome to referee for each qualified referral gives cash 10 CNY
tiers ladder to referrer by count(qualified_referrals) pays each {
  one: 1 -> cash 5 CNY
  two: 2 -> cash 7 CNY
}
)";

// With tokens that follow the content, a memo changes nothing, evaluation after evaluation, as
// referrals are added, change, and the referrer changes.
TEST(KeptValues, KeptVerdictsGiveTheDecisionWorkedOutAfresh) {
  MemoRun with, without;
  with.program = without.program = compiled(kMemoPolicy);
  ASSERT_TRUE(with.program);
  ASSERT_TRUE(with.program->verdict_memo.keepable);
  ReferralMemo memo;
  struct Step {
    std::string referrer;
    std::vector<std::pair<std::string, std::uint64_t>> referrals;  // text, token
    std::uint64_t referrer_token;
  };
  const std::string r1 = MemoRun::referral(1, "f1", false), r2 = MemoRun::referral(2, "f2", false),
                    r2_refunded = MemoRun::referral(2, "f2", true), r3 = MemoRun::referral(3, "u2", false);
  const Step steps[] = {
      {"u1", {{r1, 10}}, 1},
      {"u1", {{r1, 10}, {r2, 20}}, 1},
      {"u1", {{r1, 10}, {r2_refunded, 21}}, 1},
      {"u1", {{r1, 10}, {r2_refunded, 21}, {r3, 30}}, 1},
      {"u2", {{r1, 10}, {r2_refunded, 21}, {r3, 30}}, 2},  // r3 becomes a self-referral
      {"u2", {{r1, 10}, {r2, 22}, {r3, 30}}, 2},
      {"u2", {{r3, 30}, {r1, 10}}, 2},  // another order: the places no longer match the tokens kept
  };
  for (std::size_t s = 0; s < std::size(steps); ++s) {
    std::vector<std::string> texts;
    memo.item_tokens.clear();
    for (const auto& [text, token] : steps[s].referrals) {
      texts.push_back(text);
      memo.item_tokens.push_back(token);
    }
    memo.roots_token = steps[s].referrer_token;
    ASSERT_TRUE(without.run(steps[s].referrer, texts, nullptr)) << s;
    ASSERT_TRUE(with.run(steps[s].referrer, texts, &memo)) << s;
    EXPECT_EQ(with.json, without.json) << "step " << s;
  }
  // The last step by hand: r3's referee is the referrer u2, so it is void; r1 qualified, r2 refunded.
  ASSERT_EQ(without.decision.referrals.size(), 2u);
  EXPECT_EQ(without.decision.referrals[0].status, ReferralStatus::void_);
  EXPECT_EQ(without.decision.referrals[1].status, ReferralStatus::qualified);
}

// kMemoPolicy and one referral, qualified, evaluated once with the memo (tokens 7 and 1).
void start_with_one_qualified(MemoRun& run, ReferralMemo& memo) {
  run.program = compiled(kMemoPolicy);
  ASSERT_TRUE(run.program);
  memo.item_tokens = {7};
  memo.roots_token = 1;
  ASSERT_TRUE(run.run("u1", {MemoRun::referral(1, "f1", false)}, &memo));
  ASSERT_EQ(run.decision.referrals[0].status, ReferralStatus::qualified);
}

// The memo trusts its tokens: a verdict with the same tokens is used as kept, even when the
// content changed behind them. That is what makes it worth having, and why a caller's tokens
// must follow every change. Either token moving on works the verdict out again.
TEST(KeptValues, EqualTokensReuseTheVerdictAndEitherTokenMovingOnRenewsIt) {
  MemoRun run;
  ReferralMemo memo;
  start_with_one_qualified(run, memo);
  if (HasFatalFailure()) return;
  // Refunded now, but the token says unchanged: the kept verdict (qualified) stands.
  ASSERT_TRUE(run.run("u1", {MemoRun::referral(1, "f1", true)}, &memo));
  EXPECT_EQ(run.decision.referrals[0].status, ReferralStatus::qualified);
  memo.item_tokens = {8};
  ASSERT_TRUE(run.run("u1", {MemoRun::referral(1, "f1", true)}, &memo));
  EXPECT_EQ(run.decision.referrals[0].status, ReferralStatus::not_qualified);
  ASSERT_EQ(run.decision.referrals[0].reasons.size(), 1u);
  EXPECT_EQ(run.decision.referrals[0].reasons[0], "not_refunded");
  // The referrer becomes the referee (f1): void only once the referrer's token moves on.
  ASSERT_TRUE(run.run("f1", {MemoRun::referral(1, "f1", true)}, &memo));
  EXPECT_EQ(run.decision.referrals[0].status, ReferralStatus::not_qualified);
  memo.roots_token = 2;
  ASSERT_TRUE(run.run("f1", {MemoRun::referral(1, "f1", true)}, &memo));
  EXPECT_EQ(run.decision.referrals[0].status, ReferralStatus::void_);
  EXPECT_EQ(run.decision.referrals[0].reasons[0], "self_referral");
  // The ids come from the memo when kept: still the referral's.
  ASSERT_TRUE(run.run("f1", {MemoRun::referral(1, "f1", true)}, &memo));
  EXPECT_EQ(run.decision.referrals[0].id, "r1");
  EXPECT_EQ(run.decision.referrals[0].referee_id, "f1");
}

// Explaining, a token list that does not match the referrals, or verdicts that read `now`: the
// memo is left alone and the verdicts are worked out.
TEST(KeptValues, TheMemoIsNotUsedWhereItCannotBeTrusted) {
  MemoRun run;
  ReferralMemo memo;
  start_with_one_qualified(run, memo);
  if (HasFatalFailure()) return;
  ASSERT_TRUE(run.run("u1", {MemoRun::referral(1, "f1", true)}, &memo, /*explain=*/true));
  EXPECT_EQ(run.decision.referrals[0].status, ReferralStatus::not_qualified);
  EXPECT_FALSE(run.decision.explanation.empty());
  memo.item_tokens = {7, 8};  // two tokens, one referral
  ASSERT_TRUE(run.run("u1", {MemoRun::referral(1, "f1", true)}, &memo));
  EXPECT_EQ(run.decision.referrals[0].status, ReferralStatus::not_qualified);

  MemoRun timed;
  timed.program = compiled("referral qualifies when { recent: referral.bound_at >= now - 10 days }\n");
  ASSERT_TRUE(timed.program);
  ASSERT_FALSE(timed.program->verdict_memo.keepable);
  ReferralMemo other;
  other.item_tokens = {1};
  ASSERT_TRUE(timed.run("u1", {MemoRun::referral(1, "f1", false)}, &other));
  // Bound 2027-01-01, now 2027-01-20: more than 10 days.
  EXPECT_EQ(timed.decision.referrals[0].status, ReferralStatus::not_qualified);
  EXPECT_TRUE(other.kept.empty());
}


// One Decision reused for evaluation after evaluation (its verdicts' `reasons` memory handed on
// to the next) gives what a new Decision gives each time; the reasons checked by hand at the end.
TEST(KeptValues, AReusedDecisionGivesTheReasonsOfANewOne) {
  MemoRun reused;
  reused.program = compiled(kMemoPolicy);
  ASSERT_TRUE(reused.program);
  const std::string r1 = MemoRun::referral(1, "f1", false), r2 = MemoRun::referral(2, "f2", true),
                    r3 = MemoRun::referral(3, "u1", true);
  const std::vector<std::vector<std::string>> steps = {{r2, r3}, {r1}, {r3, r2, r1}, {}, {r2}, {r1, r3}};
  for (std::size_t s = 0; s < steps.size(); ++s) {
    MemoRun fresh;
    fresh.program = reused.program;
    ASSERT_TRUE(fresh.run("u1", steps[s], nullptr)) << s;
    ASSERT_TRUE(reused.run("u1", steps[s], nullptr)) << s;
    EXPECT_EQ(reused.json, fresh.json) << "step " << s;
  }
  // The last step: r1 qualified, r3 (refunded, and a self-referral) void for the self-referral
  // alone.
  ASSERT_EQ(reused.decision.referrals.size(), 2u);
  EXPECT_EQ(reused.decision.referrals[0].status, ReferralStatus::qualified);
  EXPECT_TRUE(reused.decision.referrals[0].reasons.empty());
  EXPECT_EQ(reused.decision.referrals[1].status, ReferralStatus::void_);
  EXPECT_EQ(reused.decision.referrals[1].reasons, std::vector<std::string_view>{"self_referral"});
}

// Outputs worked out but not written (EvalOptions::write_outputs): no outputs in the decision,
// the rest as with them, and an output that cannot be worked out still fails the evaluation.
TEST(KeptValues, OutputsNotWrittenAreStillWorkedOut) {
  auto p = compiled(R"(
reward welcome to referee for each qualified referral gives cash 10 CNY
output bound = count(referrals)
output doubled = referrer.order_count * 2
)");
  ASSERT_TRUE(p);
  auto run = [&](std::int64_t order_count, bool write, Decision& d, EvalError& error) {
    const std::string facts = fmt::format(R"({{"now":"2027-01-20T00:00:00+08:00",
      "campaign":{{"budget_spent":0,"rewarded_referrers":0}},
      "referrer":{{"id":"u1","kind":"purchase","segment":"loyal","registered_at":"2025-01-01T00:00:00+08:00",
      "order_count":{},"total_spend":900,"service_completed":false,"previous_campaigns":0,"shares":0}},
      "referrals":[{}]}})",
                                          order_count, MemoRun::referral(1, "f1", false));
    FactsDocument doc;
    std::vector<FactsError> errors;
    EXPECT_TRUE(load_facts_json(facts, FactsContext{&p->policy.schema, &p->zone, 0}, doc, errors));
    EvalScratch scratch;
    EvalOptions options;
    options.write_outputs = write;
    return evaluate(*p, doc, options, scratch, d, error);
  };
  Decision written, unwritten;
  EvalError error;
  ASSERT_TRUE(run(3, true, written, error)) << error.message;
  ASSERT_TRUE(run(3, false, unwritten, error)) << error.message;
  ASSERT_EQ(written.outputs.size(), 2u);
  EXPECT_EQ(written.outputs[0].json, "1");
  EXPECT_EQ(written.outputs[1].json, "6");
  EXPECT_TRUE(unwritten.outputs.empty());
  ASSERT_EQ(unwritten.rewards.size(), 1u);
  EXPECT_EQ(unwritten.rewards[0].rule, "welcome");
  EXPECT_EQ(to_string(unwritten.rewards[0].amount), "10.00");  // CNY, in cents
  // 2^62 * 2 does not fit a whole number: both fail, at the multiplication.
  for (bool write : {true, false}) {
    Decision d;
    EvalError failed;
    EXPECT_FALSE(run(4611686018427387904, write, d, failed)) << write;
    EXPECT_EQ(failed.message, "whole number overflows") << write;
  }
}

// Which outputs may fail (Program::output_may_fail): those that reach arithmetic, a sum, or a
// builtin that rounds or takes an absolute value, also through a definition or a call.
TEST(KeptValues, OutputsThatMayFailAreKnownWhenCompiled) {
  auto p = compiled(R"(
define late(r) = r.bound_at + 1 day > now
define spend = referrer.total_spend
output bound = count(referrals)
output big = referrer.order_count > 3 and lower(referrer.id) != "x"
output days = days_between(referrer.registered_at, now)
output spend_out = spend
output doubled = referrer.order_count * 2
output late_count = count(r in referrals where late(r))
output rounded = round(spend)
output left = 10 CNY - referrer.total_spend
output orders = sum(r.first_order.amount for r in referrals where r.first_order is present)
)");
  ASSERT_TRUE(p);
  const std::vector<std::uint8_t> expected = {0, 0, 0, 0, 1, 1, 1, 1, 1};
  ASSERT_EQ(p->outputs.size(), expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(p->output_may_fail[i], expected[i]) << p->outputs[i].first;
  }
}

// Not written, an output that cannot fail is not worked out at all: what it reads of `now` does
// not bring the decision's recheck_at forward. One that may fail is, and does.
TEST(KeptValues, OutputsNotWrittenThatCannotFailAreNotWorkedOut) {
  for (const char* output : {"days_between(referrer.registered_at, now)", "days_between(referrer.registered_at, now) * 2"}) {
    SCOPED_TRACE(output);
    auto p = compiled(std::string("output days = ") + output + "\n");
    ASSERT_TRUE(p);
    const bool may_fail = p->output_may_fail.at(0) != 0;
    EXPECT_EQ(may_fail, std::string_view(output).ends_with("* 2"));
    const std::string facts = R"({"now":"2027-01-20T00:00:00+08:00",
      "campaign":{"budget_spent":0,"rewarded_referrers":0},
      "referrer":{"id":"u1","kind":"purchase","segment":"loyal","registered_at":"2025-01-01T00:00:00+08:00",
      "order_count":3,"total_spend":900,"service_completed":false,"previous_campaigns":0,"shares":0},
      "referrals":[]})";
    FactsDocument doc;
    std::vector<FactsError> errors;
    ASSERT_TRUE(load_facts_json(facts, FactsContext{&p->policy.schema, &p->zone, 0}, doc, errors));
    for (bool write : {true, false}) {
      EvalScratch scratch;
      EvalOptions options;
      options.write_outputs = write;
      Decision d;
      EvalError error;
      ASSERT_TRUE(evaluate(*p, doc, options, scratch, d, error)) << error.message;
      // `now` handed to a function is not followed: worked out, it may change at any time.
      if (write || may_fail) {
        ASSERT_TRUE(d.recheck_at) << write;
        EXPECT_EQ(to_string(*d.recheck_at), "2027-01-20T00:00:00+08:00") << write;
      } else {
        EXPECT_FALSE(d.recheck_at) << to_string(*d.recheck_at);
      }
      EXPECT_EQ(d.outputs.size(), write ? 1u : 0u);
    }
  }
}

// A call of one parameter is kept by the definition and its argument for one evaluation: two
// definitions called on the same referral keep their own values, and the next evaluation, whose
// records lie at the same places in the reused document, works them out again.
TEST(KeptValues, CallsAreKeptByDefinitionAndArgumentForOneEvaluation) {
  // Also with one place for every call: each call then replaces the one kept before.
  for (int bits : {EvalScratch::kKeptCallsBits, 0}) {
    SCOPED_TRACE(bits);
    MemoRun run;
    run.scratch.kept_calls_bits = bits;
    run.program = compiled(R"(
define refunded(r) = r.first_order is present and r.first_order.refunded
define kept(r) = r.first_order is present and not r.first_order.refunded
referral qualifies when { done: referral.first_order.completed_at is present }
output refunded_count = count(r in referrals where refunded(r))
output kept_count = count(r in referrals where kept(r))
output both = count(r in referrals where refunded(r) and kept(r))
output either = count(r in referrals where refunded(r) or kept(r))
output referrals_count = count(referrals)
)");
    ASSERT_TRUE(run.program);
    ASSERT_TRUE(run.program->call_memoizable[0] && run.program->call_memoizable[1]);
    auto outputs = [&] {
      std::string all;
      for (const OutputValue& o : run.decision.outputs) all += o.name + "=" + o.json + " ";
      return all;
    };
    ASSERT_TRUE(run.run("u1", {MemoRun::referral(1, "f1", true), MemoRun::referral(2, "f2", false)}, nullptr));
    EXPECT_EQ(outputs(), "refunded_count=1 kept_count=1 both=0 either=2 referrals_count=2 ");
    ASSERT_TRUE(run.run("u1", {MemoRun::referral(1, "f1", true), MemoRun::referral(2, "f2", true)}, nullptr));
    EXPECT_EQ(outputs(), "refunded_count=2 kept_count=0 both=0 either=2 referrals_count=2 ");
    // The same text but for the flags: the records are read into the same places.
    ASSERT_TRUE(run.run("u1", {MemoRun::referral(1, "f1", false), MemoRun::referral(2, "f2", false)}, nullptr));
    EXPECT_EQ(outputs(), "refunded_count=0 kept_count=2 both=0 either=2 referrals_count=2 ");
    ASSERT_TRUE(run.run("u1", {MemoRun::referral(1, "f1", false), MemoRun::referral(2, "f2", true),
                               MemoRun::referral(3, "f3", true)},
                        nullptr));
    EXPECT_EQ(outputs(), "refunded_count=2 kept_count=1 both=0 either=3 referrals_count=3 ");
  }
}

}  // namespace
}  // namespace refpol
