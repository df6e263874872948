// FactsBuilder against the JSON text it stands in for: after every event of a history, each
// touched referrer's facts built from parts must be the document load_facts_json reads from
// World::facts_json, value for value, and fail with the same errors when that one fails.
#include <gtest/gtest.h>
#include <fmt/format.h>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "interpreter/compile/program.hpp"
#include "interpreter/eval/evaluator.hpp"
#include "interpreter/simulate/facts_builder.hpp"
#include "tests/support/test_support.hpp"

namespace refpol::sim {
namespace {

using testing::source_dir;

// Equal values: same alternative and, for scalars, the same JSON (decimals with their scale).
bool same_value(const Program& p, const Value& a, const Value& b, std::string& where) {
  if (a.index() != b.index()) return false;
  if (a.index() == kList) {
    const ListV* x = unsafe_get<kList>(a);
    const ListV* y = unsafe_get<kList>(b);
    if (x->size != y->size) return false;
    for (std::uint32_t i = 0; i < x->size; ++i) {
      if (!same_value(p, x->items[i], y->items[i], where)) {
        where = "[" + std::to_string(i) + "]" + where;
        return false;
      }
    }
    return true;
  }
  if (a.index() == kRecord) {
    const RecordV* x = unsafe_get<kRecord>(a);
    const RecordV* y = unsafe_get<kRecord>(b);
    if (x->record != y->record || x->size != y->size) return false;
    const RecordInfo& info = p.policy.schema.records[static_cast<std::size_t>(x->record)];
    for (std::uint32_t i = 0; i < x->size; ++i) {
      if (!same_value(p, x->fields[i], y->fields[i], where)) {
        where = "." + info.fields[i].name + where;
        return false;
      }
    }
    return true;
  }
  if (a.index() == kDecimal) {
    const Decimal& x = unsafe_get<kDecimal>(a);
    const Decimal& y = unsafe_get<kDecimal>(b);
    return x.mantissa == y.mantissa && x.scale == y.scale;
  }
  if (a.index() == kMoney) {
    const Money& x = unsafe_get<kMoney>(a);
    const Money& y = unsafe_get<kMoney>(b);
    return x.unit == y.unit && x.amount.mantissa == y.amount.mantissa && x.amount.scale == y.amount.scale;
  }
  std::string x, y;
  write_value_json(p, a, x);
  write_value_json(p, b, y);
  return x == y;
}

// One policy's builder over the shared world, and the plain JSON route beside it.
struct Route {
  std::shared_ptr<const Program> program;
  FactsContext ctx;
  FactsBuilder builder;
  FactsDocument built, read;
  std::string text;
  std::size_t compared = 0, failed = 0, sized = 0;

  Route(std::shared_ptr<const Program> p, World& world, std::size_t collect_bytes)
      : program(std::move(p)),
        ctx{&program->policy.schema, &program->zone, 0},
        builder(ctx, world, collect_bytes) {}

  void compare(World& world, Index referrer, const DateTime& now, const std::string& context) {
    std::vector<FactsError> built_errors, read_errors;
    const bool built_ok = builder.build(referrer, now, "123.40", 7, built, built_errors);
    world.facts_json(referrer, now, "123.40", 7, text);
    const bool read_ok = load_facts_json(text, ctx, read, read_errors);
    ++compared;
    if (builder.whole_size() != 0) {
      EXPECT_EQ(builder.whole_size(), text.size()) << context;
      ++sized;
    }
    ASSERT_EQ(built_ok, read_ok) << context;
    ASSERT_EQ(built_errors.size(), read_errors.size()) << context;
    for (std::size_t i = 0; i < read_errors.size(); ++i) {
      EXPECT_EQ(built_errors[i].path, read_errors[i].path) << context;
      EXPECT_EQ(built_errors[i].message, read_errors[i].message) << context;
      EXPECT_EQ(built_errors[i].line, read_errors[i].line) << context;
      EXPECT_EQ(built_errors[i].column, read_errors[i].column) << context;
    }
    if (!read_ok) {
      ++failed;
      return;
    }
    ASSERT_EQ(built.now.has_value(), read.now.has_value()) << context;
    if (read.now) {
      EXPECT_EQ(to_string(*built.now), to_string(*read.now)) << context;
    }
    std::string where;
    ASSERT_TRUE(same_value(*program, Value(built.root), Value(read.root), where))
        << context << ": facts" << where << " differ";
  }
};

std::vector<std::shared_ptr<const Program>> standard_policies() {
  CompileResult first = compile_file((source_dir() / "policies/old-friends/policy.refpol").string());
  CompileResult second = compile_file((source_dir() / "policies/social-sharing/policy.refpol").string());
  EXPECT_TRUE(first.program && second.program);
  return {first.program, second.program};
}

// Feeds `lines` to a world and compares the policies' facts (by default two on the standard
// schema) for every touched referrer after every event; at the end, for every referrer. The
// first policy's counts are checked.
void replay_and_compare(const std::vector<std::string>& lines, std::size_t expect_failed_at_least,
                        std::vector<std::shared_ptr<const Program>> programs = standard_policies(),
                        std::size_t collect_bytes = FactsBuilder::kCollectBytes) {
  for (const auto& p : programs) ASSERT_TRUE(p);
  World world;
  std::vector<std::unique_ptr<Route>> owned;
  for (const auto& p : programs) owned.push_back(std::make_unique<Route>(p, world, collect_bytes));
  EventReader reader(programs[0]->zone);
  Event event;
  std::string problem;
  DateTime last;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (!reader.read(lines[i], event, problem) || !world.apply(event, true, problem)) continue;
    last = event.ts;
    for (Index referrer : world.touched()) {
      for (auto& route : owned) {
        route->compare(world, referrer, event.ts, "line " + std::to_string(i + 1));
        if (::testing::Test::HasFatalFailure()) return;
      }
    }
  }
  for (Index c = 0; c < world.customers().size(); ++c) {
    if (!world.is_referrer(c)) continue;
    for (auto& route : owned) {
      route->compare(world, c, last, "the end");
      if (::testing::Test::HasFatalFailure()) return;
    }
  }
  std::size_t failed = 0;
  for (auto& r : owned) failed += r->failed;
  EXPECT_GT(owned[0]->compared, 0u);
  EXPECT_GT(owned[0]->sized, owned[0]->compared / 2);
  EXPECT_GE(failed, expect_failed_at_least);
}

// Refunds, returns, exchanges, review flags, self-referrals, shared identities, communities,
// organisations and shares, all at high rates.
TEST(FactsBuilder, SameFactsAsTheJsonTextOnAGeneratedHistory) {
  std::vector<std::string> lines = testing::generated_history(
      "--customers 1500 --events 12000 --seed 9 --communities 12 --organisations 8 --refund-rate 0.2 "
      "--return-rate 0.1 --exchange-rate 0.05 --review-flag-rate 0.05 --self-referral-rate 0.02 "
      "--duplicate-identity-rate 0.05 --share-rate 0.5");
  ASSERT_GT(lines.size(), 11000u);
  replay_and_compare(lines, 0);
}

// Customer records the policies cannot read, as the referrer, as a referee and as an
// organisation member, then fixed: the errors must be those of the whole text, and the parts
// read again once they change. Optional fields are absent, fields hold escapes, nested values
// and numbers in both forms, and one value is nested deeper than a document may be.
TEST(FactsBuilder, SameErrorsAndValuesOnHandWrittenRecords) {
  // A referee's record is read at depth 4, so 60 nested arrays in one of its fields fit the
  // depth limit and 61 do not (as the referrer's, at depth 2, both fit).
  const std::string fits = std::string(60, '[') + "1" + std::string(60, ']');
  const std::string deep = std::string(61, '[') + "1" + std::string(61, ']');
  const std::string ok_customer =
      R"("kind":"purchase","segment":"loyal","registered_at":"2022-10-05T22:35:18+08:00","first_seen_at":"2022-10-05T22:35:18+08:00","order_count":3,"total_spend":1200.5,"service_completed":false,"previous_campaigns":0,"shares":1,"market":"CN")";
  std::vector<std::string> lines = {
      R"({"id":"E1","ts":"2026-12-01T00:00:00+08:00","type":"customer","new":false,"customer":{"id":"C-1",)" + ok_customer + R"(,"phone":"1\"8\\6\u00e9","note":{"a":[1,2,{"b":null}]}}})",
      R"({"id":"E2","ts":"2026-12-01T00:00:00+08:00","type":"customer","new":true,"customer":{"id":"F-1",)" + ok_customer + R"(,"extra":)" + fits + R"(}})",
      R"({"id":"E3","ts":"2026-12-01T00:00:00+08:00","type":"customer","new":true,"customer":{"id":"F-2","order_count":0,"total_spend":"0.00","shares":0,"kind":"purchase","previous_campaigns":"none"}})",
      R"({"id":"E4","ts":"2026-12-08T10:00:00+08:00","type":"referral_bound","referral":"R-1","referrer":"C-1","referee":"F-1","channel":"link"})",
      R"({"id":"E5","ts":"2026-12-08T11:00:00+08:00","type":"referral_bound","referral":"R-2","referrer":"C-1","referee":"F-2","channel":"organisation"})",
      R"({"id":"E6","ts":"2026-12-08T12:00:00+08:00","type":"order_placed","order":"O-1","customer":"F-1","amount":"300.10"})",
      R"({"id":"E7","ts":"2026-12-08T13:00:00+08:00","type":"order_completed","order":"O-1"})",
      R"({"id":"E8","ts":"2026-12-08T14:00:00+08:00","type":"customer","new":true,"customer":{"id":"F-2",)" + ok_customer + R"(,"extra":)" + deep + R"(}})",
      R"({"id":"E9","ts":"2026-12-08T15:00:00+08:00","type":"customer","new":true,"customer":{"id":"F-2",)" + ok_customer + R"(}})",
      R"({"id":"E10","ts":"2026-12-09T10:00:00+08:00","type":"order_placed","order":"O-2","customer":"F-2","amount":99})",
      R"({"id":"E11","ts":"2026-12-09T11:00:00+08:00","type":"review_flagged","order":"O-2","flag":"fraud"})",
      R"({"id":"E12","ts":"2026-12-09T12:00:00+08:00","type":"order_refunded","order":"O-1"})",
      R"({"id":"E13","ts":"2026-12-09T13:00:00+08:00","type":"organisation_created","organisation":"G-1","name":"Acme \"Co\"","organiser":"C-1"})",
      R"({"id":"E14","ts":"2026-12-09T14:00:00+08:00","type":"organisation_joined","organisation":"G-1","customer":"F-2"})",
      R"({"id":"E15","ts":"2026-12-09T15:00:00+08:00","type":"community_created","community":"K-1","owner":"C-1"})",
      R"({"id":"E16","ts":"2026-12-09T16:00:00+08:00","type":"community_joined","community":"K-1","customer":"F-1","is_new":true})",
      R"({"id":"E17","ts":"2026-12-09T17:00:00+08:00","type":"share","customer":"C-1","share":"S-1","platform":"wechat"})",
      R"({"id":"E18","ts":"2026-12-10T10:00:00+08:00","type":"customer","new":true,"customer":{"id":"F-1","order_count":0,"total_spend":"0.00","shares":0,"kind":"purchase"}})",
      R"({"id":"E19","ts":"2026-12-10T11:00:00+08:00","type":"order_returned","order":"O-2"})",
      R"({"id":"E20","ts":"2026-12-10T12:00:00+08:00","type":"customer","new":false,"customer":{"id":"C-1","order_count":0,"total_spend":"0.00","shares":0,"kind":7}})",
      R"({"id":"E21","ts":"2026-12-10T13:00:00+08:00","type":"customer","new":true,"customer":{"id":"F-1",)" + ok_customer + R"(}})",
      R"({"id":"E22","ts":"2026-12-10T14:00:00+08:00","type":"customer","new":false,"customer":{"id":"C-1",)" + ok_customer + R"(}})",
      R"({"id":"E23","ts":"2026-12-10T15:00:00+08:00","type":"order_exchanged","order":"O-2"})",
      // An organisation member who is nobody's referee: the organisation, read on its own, is
      // what fails, then fits, then is too deep (a member stands at depth 4, as a referee), then
      // is fixed.
      R"({"id":"E24","ts":"2026-12-11T10:00:00+08:00","type":"customer","new":false,"customer":{"id":"X-1",)" + ok_customer + R"(}})",
      R"({"id":"E25","ts":"2026-12-11T11:00:00+08:00","type":"organisation_joined","organisation":"G-1","customer":"X-1"})",
      R"({"id":"E26","ts":"2026-12-11T12:00:00+08:00","type":"customer","new":false,"customer":{"id":"X-1","order_count":0,"total_spend":"0.00","shares":0,"kind":"purchase"}})",
      R"({"id":"E27","ts":"2026-12-11T13:00:00+08:00","type":"customer","new":false,"customer":{"id":"X-1",)" + ok_customer + R"(,"extra":)" + fits + R"(}})",
      R"({"id":"E28","ts":"2026-12-11T14:00:00+08:00","type":"customer","new":false,"customer":{"id":"X-1",)" + ok_customer + R"(,"extra":)" + deep + R"(}})",
      R"({"id":"E29","ts":"2026-12-11T15:00:00+08:00","type":"customer","new":false,"customer":{"id":"X-1",)" + ok_customer + R"(}})",
  };
  replay_and_compare(lines, 6);
}


// With the arena collected whenever outdated parts take as much as current ones (a threshold of
// one byte), every part is read again after each collection: the same facts.
TEST(FactsBuilder, SameFactsWhenTheKeptPartsAreDroppedAndReadAgain) {
  std::vector<std::string> lines = testing::generated_history(
      "--customers 400 --events 3000 --seed 5 --communities 4 --organisations 3 --refund-rate 0.2 "
      "--review-flag-rate 0.05 --share-rate 0.5");
  ASSERT_GT(lines.size(), 2500u);
  replay_and_compare(lines, 0, standard_policies(), 1);
}

// A policy with its own schema, without `community`, `organisation` or the customers' counters:
// those parts stay in the rest of the document, where the loader still refuses a value nested
// too deep in an organisation member (a customer record from the events, at depth 4 there).
TEST(FactsBuilder, SameFactsAndErrorsUnderASchemaWithoutTheOptionalParts) {
  const std::string text = R"(policy "own" version 1
currency CNY
timezone "Asia/Shanghai"
record Customer { id: string  kind: string }
record Order { id: string  placed_at: datetime  amount: money  completed_at: datetime?  refunded: bool }
record Referral { id: string  referee: Customer  bound_at: datetime  channel: string  first_order: Order?  orders: list of Order }
facts { referrer: Customer  referrals: list of Referral }
referral qualifies when { done: referral.first_order.completed_at is present }
reward thanks to referrer for each qualified referral gives cash 1 CNY
)";
  CompileResult own = compile_text((source_dir() / "tests/simulate/own.refpol").string(), text);
  ASSERT_TRUE(own.program);
  const std::string customer = R"("kind":"purchase","segment":"loyal","registered_at":"2022-10-05T22:35:18+08:00","order_count":3,"total_spend":12,"service_completed":false,"previous_campaigns":0,"shares":1)";
  const std::string deep = std::string(61, '[') + "1" + std::string(61, ']');
  const std::vector<std::string> lines = {
      R"({"id":"E1","ts":"2026-12-01T00:00:00+08:00","type":"customer","new":false,"customer":{"id":"C-1",)" + customer + R"(}})",
      R"({"id":"E2","ts":"2026-12-01T00:00:00+08:00","type":"customer","new":true,"customer":{"id":"F-1",)" + customer + R"(}})",
      R"({"id":"E3","ts":"2026-12-01T00:00:00+08:00","type":"customer","new":false,"customer":{"id":"X-1",)" + customer + R"(}})",
      R"({"id":"E4","ts":"2026-12-08T10:00:00+08:00","type":"referral_bound","referral":"R-1","referrer":"C-1","referee":"F-1","channel":"link"})",
      R"({"id":"E5","ts":"2026-12-08T12:00:00+08:00","type":"order_placed","order":"O-1","customer":"F-1","amount":"300.10"})",
      R"({"id":"E6","ts":"2026-12-08T13:00:00+08:00","type":"order_completed","order":"O-1"})",
      R"({"id":"E7","ts":"2026-12-09T13:00:00+08:00","type":"organisation_created","organisation":"G-1","name":"Acme","organiser":"C-1"})",
      R"({"id":"E8","ts":"2026-12-09T14:00:00+08:00","type":"organisation_joined","organisation":"G-1","customer":"X-1"})",
      R"({"id":"E9","ts":"2026-12-09T15:00:00+08:00","type":"community_created","community":"K-1","owner":"C-1"})",
      R"({"id":"E10","ts":"2026-12-09T16:00:00+08:00","type":"community_joined","community":"K-1","customer":"F-1","is_new":true})",
      R"({"id":"E11","ts":"2026-12-09T17:00:00+08:00","type":"share","customer":"C-1","share":"S-1","platform":"wechat"})",
      R"({"id":"E12","ts":"2026-12-10T10:00:00+08:00","type":"customer","new":false,"customer":{"id":"X-1",)" + customer + R"(,"extra":)" + deep + R"(}})",
      R"({"id":"E13","ts":"2026-12-10T11:00:00+08:00","type":"customer","new":false,"customer":{"id":"X-1",)" + customer + R"(}})",
  };
  // E12 makes C-1's facts fail (X-1 is in C-1's organisation); both policies see it.
  replay_and_compare(lines, 2, {own.program, standard_policies()[0]});
}

}  // namespace
}  // namespace refpol::sim

namespace refpol::sim {
namespace {

// A referee's shares move only their record's counters, written in place: the referral kept
// stands as it is, with the referee's new counters and its size moved on (from 9 shares to 10,
// the text is a byte longer).
TEST(FactsBuilder, SameFactsAndSizeAsARefereesSharesCrossATen) {
  const std::string customer =
      R"("kind":"purchase","segment":"loyal","registered_at":"2022-10-05T22:35:18+08:00","order_count":3,"total_spend":"1200.50","service_completed":false,"previous_campaigns":0)";
  std::vector<std::string> lines = {
      R"({"id":"E1","ts":"2026-12-01T00:00:00+08:00","type":"customer","new":false,"customer":{"id":"C-1",)" + customer + R"(,"shares":1}})",
      R"({"id":"E2","ts":"2026-12-01T00:00:00+08:00","type":"customer","new":true,"customer":{"id":"F-1",)" + customer + R"(,"shares":8}})",
      R"({"id":"E3","ts":"2026-12-08T10:00:00+08:00","type":"referral_bound","referral":"R-1","referrer":"C-1","referee":"F-1","channel":"link"})",
      R"({"id":"E4","ts":"2026-12-08T12:00:00+08:00","type":"order_placed","order":"O-1","customer":"F-1","amount":"300.10"})",
  };
  for (int i = 1; i <= 4; ++i) {
    lines.push_back(fmt::format(
        R"({{"id":"S{}","ts":"2026-12-09T1{}:00:00+08:00","type":"share","customer":"F-1","share":"SH-{}","platform":"wechat"}})", i,
        i, i));
  }
  lines.push_back(R"({"id":"E5","ts":"2026-12-10T13:00:00+08:00","type":"order_completed","order":"O-1"})");
  lines.push_back(R"({"id":"E6","ts":"2026-12-10T14:00:00+08:00","type":"share","customer":"F-1","share":"SH-9","platform":"qq"})");
  replay_and_compare(lines, 0);
}

// A policy with its own schema: `customer` (the Customer record), the other records, `extra`
// (more records), the facts with `facts_more` in them, and one reward to the referrer.
std::shared_ptr<const Program> own_policy(const std::string& customer, const std::string& extra,
                                          const std::string& facts_more, const std::string& when) {
  const std::string text = R"(policy "own" version 1
currency CNY
timezone "Asia/Shanghai"
)" + customer + R"(
record Order { id: string  placed_at: datetime  amount: money  completed_at: datetime?  refunded: bool }
record Referral { id: string  referee: Customer  bound_at: datetime  channel: string  first_order: Order?  orders: list of Order }
)" + extra + R"(
facts { referrer: Customer  referrals: list of Referral)" + facts_more + R"( }
referral qualifies when { done: referral.first_order.completed_at is present }
reward thanks to referrer for each qualified referral)" + when + R"( gives cash 1 CNY
)";
  CompileResult r = compile_text((source_dir() / "tests/simulate/own.refpol").string(), text);
  EXPECT_TRUE(r.program) << render_text(r.diagnostics);
  return r.program;
}

// The campaign is made as values where it is the standard record of two counters (in either
// order), and read from its text where the policy's Campaign has more: the same facts either way.
TEST(FactsBuilder, SameCampaignWhetherMadeAsValuesOrRead) {
  auto own = [](const std::string& campaign) {
    return own_policy("record Customer { id: string  kind: string }", campaign, "  campaign: Campaign",
                      " when campaign.budget_spent < 1000 CNY");
  };
  const std::vector<std::shared_ptr<const Program>> programs = {
      own("record Campaign { rewarded_referrers: int  budget_spent: money }"),
      own("record Campaign { budget_spent: money  rewarded_referrers: int  region: string? }"),
      own("record Campaign { budget_spent: money  rewarded_referrers: number }"),
  };
  std::vector<std::string> lines =
      testing::generated_history("--customers 200 --events 1500 --seed 9 --refund-rate 0.2");
  ASSERT_GT(lines.size(), 1000u);
  replay_and_compare(lines, 0, programs);
}

// A customer's counters are made as values where they are of the standard kinds (all of them or
// some), and read from their text where one is not; a required `last_order_at` that a customer
// lacks fails the facts as the text does.
TEST(FactsBuilder, SameCountersWhetherMadeAsValuesOrRead) {
  auto own = [](const std::string& customer) { return own_policy(customer, "", "", ""); };
  const std::vector<std::shared_ptr<const Program>> programs = {
      own("record Customer { id: string  kind: string  total_spend: money  last_order_at: datetime? }"),
      own("record Customer { id: string  order_count: number  total_spend: money  last_order_at: datetime? }"),
      own("record Customer { id: string  order_count: int  total_spend: money  last_order_at: datetime  shares: int }"),
  };
  std::vector<std::string> lines = testing::generated_history(
      "--customers 200 --events 1500 --seed 11 --refund-rate 0.2 --share-rate 0.5");
  ASSERT_GT(lines.size(), 1000u);
  // The last one's facts fail for every referrer with a referee who never ordered before.
  replay_and_compare(lines, 1, programs);
}

}  // namespace
}  // namespace refpol::sim
