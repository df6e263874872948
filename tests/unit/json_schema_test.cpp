// `refpol schema`: the facts JSON Schema of a policy accepts the facts the policy accepts and
// rejects what the loader rejects (checked with the test validator of tests/support/).
#include <gtest/gtest.h>

#include <string>

#include "interpreter/check/json_schema.hpp"
#include "tests/support/mini_schema.hpp"
#include "tests/support/test_support.hpp"

namespace refpol {
namespace {

using testing::MiniSchema;
using testing::read_text;
using testing::source_dir;

std::string joined(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += s + "\n";
  return out;
}

std::string schema_of(const std::string& policy) {
  LoadResult r = load_policy((source_dir() / policy).string());
  EXPECT_TRUE(r.policy) << render_text(r.diagnostics);
  return r.policy ? facts_json_schema(*r.policy) : "";
}

// Every JSON facts file of every campaign fits its policy's schema (and the loader takes them:
// the campaigns' own tests run on these files).
TEST(FactsJsonSchema, AcceptsEveryCampaignsFacts) {
  int checked = 0;
  for (const auto& policy : testing::files_with_suffix(source_dir() / "policies", "policy.refpol")) {
    MiniSchema schema(schema_of(testing::relative(policy)));
    ASSERT_TRUE(schema.problems().empty()) << testing::relative(policy) << "\n" << joined(schema.problems());
    for (const auto& facts : testing::files_with_suffix(policy.parent_path(), ".json")) {
      EXPECT_EQ(joined(schema.validate(read_text(facts))), "") << testing::relative(facts);
      ++checked;
    }
  }
  EXPECT_GE(checked, 20);
}

TEST(FactsJsonSchema, RejectsWhatTheLoaderRejects) {
  MiniSchema schema(schema_of("bench/flat/policy.refpol"));
  ASSERT_TRUE(schema.problems().empty()) << joined(schema.problems());
  const std::string referee =
      R"("referee":{"is_new_customer":true,"first_order_amount":"120.50","first_order_refunded":false,"days_since_first_order":9})";
  auto doc = [&](const std::string& referrer_fields) {
    return R"({"now":"2026-12-20T10:00:00Z","referrer":{)" + referrer_fields + "}," + referee + "}";
  };
  const std::string good = R"("id":"u1","segment":"loyal","last_order_days_ago":20,"total_spend":900,"order_count":4,"qualified_referrals":3)";
  EXPECT_EQ(joined(schema.validate(doc(good))), "");
  // An unknown key is ignored, as by the loader.
  EXPECT_EQ(joined(schema.validate(doc(good + R"(,"debug":[1,2])"))), "");
  // A whole number sent as a string; a fraction for an int; a missing field; null for a required
  // record; a number that is not one; a date-time that is not one.
  std::string s = good;
  EXPECT_NE(joined(schema.validate(doc(s.replace(s.find("20,"), 2, "\"20\"")))), "");
  s = good;
  EXPECT_NE(joined(schema.validate(doc(s.replace(s.find("20,"), 2, "20.5")))), "");
  EXPECT_NE(joined(schema.validate(doc(R"("id":"u1","segment":"loyal")"))), "");
  EXPECT_NE(joined(schema.validate(R"({"referrer":null,)" + referee + "}")), "");
  s = good;
  EXPECT_NE(joined(schema.validate(doc(s.replace(s.find("900"), 3, "\"nine hundred\"")))), "");
  EXPECT_NE(joined(schema.validate(R"({"now":"tomorrow","referrer":{)" + good + "}," + referee + "}")), "");
  // The top-level `paid`: reward keys to amounts or null; not a list, not text for an amount.
  auto with_paid = [&](const std::string& paid) {
    return R"({"now":"2026-12-20T10:00:00Z","paid":)" + paid + R"(,"referrer":{)" + good + "}," + referee + "}";
  };
  EXPECT_EQ(joined(schema.validate(with_paid(R"({"flat-bench/ladder/referrer:u7/gift_box":"275.00","k":12,"j":null})"))), "");
  EXPECT_EQ(joined(schema.validate(with_paid("null"))), "");
  EXPECT_NE(joined(schema.validate(with_paid("[1]"))), "");
  EXPECT_NE(joined(schema.validate(with_paid(R"({"k":"a lot"})"))), "");
  EXPECT_NE(joined(schema.validate(with_paid(R"({"k":{"value":1}})"))), "");
  // Nor a negative amount, nor an empty key.
  EXPECT_NE(joined(schema.validate(with_paid(R"({"k":-1})"))), "");
  EXPECT_NE(joined(schema.validate(with_paid(R"({"k":"-1.00"})"))), "");
  EXPECT_NE(joined(schema.validate(with_paid(R"({"":1})"))), "");
}

TEST(FactsJsonSchema, OptionalFieldsAndRecordsMayBeNull) {
  MiniSchema schema(schema_of("policies/old-friends/policy.refpol"));
  ASSERT_TRUE(schema.problems().empty()) << joined(schema.problems());
  const std::string customer =
      R"({"id":"c1","kind":"purchase","segment":"loyal","registered_at":"2025-01-01T00:00:00+08:00","first_seen_at":null,)"
      R"("last_order_at":null,"order_count":3,"total_spend":"1000.00","service_completed":false,"previous_campaigns":0,"shares":0})";
  const std::string base = R"({"referrer":)" + customer + R"(,"referrals":[],"campaign":{"budget_spent":0,"rewarded_referrers":0})";
  EXPECT_EQ(joined(schema.validate(base + "}")), "");
  EXPECT_EQ(joined(schema.validate(base + R"(,"community":null,"organisation":null})")), "");
  // The policy's own extension (`organiser_id` on Organisation) is required in the schema too.
  EXPECT_NE(joined(schema.validate(base + R"(,"organisation":{"id":"o1","name":"x","members":[]}})")), "");
  EXPECT_EQ(joined(schema.validate(base + R"(,"organisation":{"id":"o1","name":"x","members":[],"organiser_id":"c1"}})")), "");
  // A list item may not be null.
  EXPECT_NE(joined(schema.validate(R"({"referrer":)" + customer +
                                   R"(,"referrals":[null],"campaign":{"budget_spent":0,"rewarded_referrers":0}})")),
            "");
}

TEST(FactsJsonSchema, CliPrintsItAndFailsLikeCheck) {
  auto ok = testing::run_refpol({"schema", "bench/flat/policy.refpol"});
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_EQ(ok.out, schema_of("bench/flat/policy.refpol"));
  auto missing = testing::run_refpol({"schema", "no/such/policy.refpol"});
  EXPECT_EQ(missing.exit_code, 2);
  auto broken = testing::run_refpol({"schema", "docs/tutorial/mistake/policy.refpol"});
  EXPECT_EQ(broken.exit_code, 1);
  EXPECT_NE(broken.err.find("E102"), std::string::npos) << broken.err;
}

}  // namespace
}  // namespace refpol
