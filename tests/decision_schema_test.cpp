// The decision's JSON Schema (schema/decision.schema.json) and the JSON-lines error object's
// (schema/facts-error.schema.json) checked against what the real `refpol eval` writes.
//
// JSON Schema validators are not packaged for C++ here, so this file carries a small one for
// exactly the subset the two schema files use: type (one or a list, "null" included),
// properties, required, additionalProperties (true/false or a schema), items, enum, const,
// pattern (std::regex, searched as JSON Schema says, so patterns anchor themselves), $ref to
// #/$defs/..., minimum, maximum, minItems and minLength. Any other keyword is refused, so the
// schema files cannot silently use something this validator does not check. The validator is
// itself tested first on tiny schemas, including documents it must reject.
//
// The examples in docs/decision.md and docs/cli.md that are marked
// `<!-- refpol-example: ARGS -->` are run too, and must match the real output.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <memory>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "interpreter/check/checker_impl.hpp"
#include "interpreter/decision/decision.hpp"
#include "tests/support/mini_schema.hpp"
#include "tests/support/test_support.hpp"

namespace refpol {
namespace {

using refpol::testing::read_text;
using refpol::testing::run_refpol;
using refpol::testing::source_dir;
namespace dom = simdjson::dom;

using refpol::testing::MiniSchema;

std::string joined(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& e : v) s += e + "\n";
  return s;
}

MiniSchema tiny(const std::string& schema) {
  MiniSchema s(schema);
  EXPECT_TRUE(s.problems().empty()) << joined(s.problems());
  return s;
}

// ---------------------------------------------------------------------------------------------
// The validator on tiny schemas: what it accepts, and what it must refuse.

TEST(MiniSchemaTest, Types) {
  MiniSchema s = tiny(R"({"type":"string"})");
  EXPECT_TRUE(s.validate(R"("x")").empty());
  EXPECT_FALSE(s.validate("1").empty());
  EXPECT_FALSE(s.validate("null").empty());

  MiniSchema nullable = tiny(R"({"type":["integer","null"]})");
  EXPECT_TRUE(nullable.validate("3").empty());
  EXPECT_TRUE(nullable.validate("null").empty());
  EXPECT_FALSE(nullable.validate("3.5").empty());
  EXPECT_FALSE(nullable.validate(R"("3")").empty());

  MiniSchema number = tiny(R"({"type":"number"})");
  EXPECT_TRUE(number.validate("3.5").empty());
  EXPECT_TRUE(number.validate("3").empty());  // every integer is a number
  EXPECT_FALSE(number.validate("true").empty());

  MiniSchema b = tiny(R"({"type":"boolean"})");
  EXPECT_TRUE(b.validate("false").empty());
  EXPECT_FALSE(b.validate("0").empty());
}

TEST(MiniSchemaTest, ObjectsRequiredAndAdditional) {
  MiniSchema s = tiny(R"({"type":"object","properties":{"a":{"type":"string"},"b":{"type":"integer"}},
                          "required":["a"],"additionalProperties":false})");
  EXPECT_TRUE(s.validate(R"({"a":"x"})").empty());
  EXPECT_TRUE(s.validate(R"({"a":"x","b":2})").empty());
  EXPECT_FALSE(s.validate(R"({"b":2})").empty()) << "a required property is missing";
  EXPECT_FALSE(s.validate(R"({"a":"x","c":1})").empty()) << "an undeclared property";
  EXPECT_FALSE(s.validate(R"({"a":1})").empty()) << "a property of the wrong type";
  EXPECT_FALSE(s.validate(R"(["a"])").empty());

  MiniSchema map = tiny(R"({"type":"object","additionalProperties":{"type":"integer"}})");
  EXPECT_TRUE(map.validate(R"({"x":1,"y":2})").empty());
  EXPECT_FALSE(map.validate(R"({"x":1,"y":"2"})").empty());

  MiniSchema open = tiny(R"({"type":"object","properties":{"a":{"type":"string"}}})");
  EXPECT_TRUE(open.validate(R"({"a":"x","z":[1]})").empty()) << "additional properties are allowed by default";
}

TEST(MiniSchemaTest, ItemsEnumConstPattern) {
  MiniSchema items = tiny(R"({"type":"array","items":{"enum":["x","y",null,3]},"minItems":1})");
  EXPECT_TRUE(items.validate(R"(["x",null,3,"y"])").empty());
  EXPECT_FALSE(items.validate(R"(["x","z"])").empty());
  EXPECT_FALSE(items.validate(R"([4])").empty());
  EXPECT_FALSE(items.validate("[]").empty()) << "minItems";

  MiniSchema c = tiny(R"({"const":{"k":[1,"two"]}})");
  EXPECT_TRUE(c.validate(R"({"k":[1,"two"]})").empty());
  EXPECT_FALSE(c.validate(R"({"k":[1,"two",3]})").empty());
  EXPECT_FALSE(c.validate(R"({"k":[1,"TWO"]})").empty());

  // A pattern is searched for, as JSON Schema says: anchors must be written.
  MiniSchema loose = tiny(R"({"type":"string","pattern":"b+"})");
  EXPECT_TRUE(loose.validate(R"("abbc")").empty());
  EXPECT_FALSE(loose.validate(R"("ac")").empty());
  MiniSchema anchored = tiny(R"({"type":["string","null"],"pattern":"^-?(0|[1-9][0-9]*)(\\.[0-9]+)?$"})");
  EXPECT_TRUE(anchored.validate(R"("-12.50")").empty());
  EXPECT_TRUE(anchored.validate("null").empty()) << "a pattern says nothing about non-strings";
  EXPECT_FALSE(anchored.validate(R"("012.5")").empty());
  EXPECT_FALSE(anchored.validate(R"("1.")").empty());
  EXPECT_FALSE(anchored.validate(R"("x1.5")").empty());

  MiniSchema bounds = tiny(R"({"type":"integer","minimum":1,"maximum":9})");
  EXPECT_TRUE(bounds.validate("1").empty());
  EXPECT_FALSE(bounds.validate("0").empty());
  EXPECT_FALSE(bounds.validate("10").empty());
  MiniSchema len = tiny(R"({"type":"string","minLength":2})");
  EXPECT_TRUE(len.validate(R"("新客")").empty()) << "two code points, six bytes";
  EXPECT_FALSE(len.validate(R"("新")").empty());
}

TEST(MiniSchemaTest, RefsToDefs) {
  MiniSchema s = tiny(R"({"type":"object","properties":{"when":{"$ref":"#/$defs/day"}},
                          "$defs":{"day":{"type":"string","pattern":"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"}}})");
  EXPECT_TRUE(s.validate(R"({"when":"2026-12-08"})").empty());
  EXPECT_FALSE(s.validate(R"({"when":"2026-12-8"})").empty());
  EXPECT_FALSE(s.validate(R"({"when":20261208})").empty());

  // Recursive definitions work (the decision's output values are recursive).
  MiniSchema tree = tiny(R"({"$ref":"#/$defs/t","$defs":{"t":{"type":["integer","array"],"items":{"$ref":"#/$defs/t"}}}})");
  EXPECT_TRUE(tree.validate("[1,[2,[3]]]").empty());
  EXPECT_FALSE(tree.validate(R"([1,[2,["3"]]])").empty());
}

TEST(MiniSchemaTest, RefusesWhatItCannotCheck) {
  EXPECT_FALSE(MiniSchema(R"({"type":"string","format":"date-time"})").problems().empty());
  EXPECT_FALSE(MiniSchema(R"({"anyOf":[{"type":"string"}]})").problems().empty());
  EXPECT_FALSE(MiniSchema(R"({"$ref":"#/$defs/missing"})").problems().empty());
  EXPECT_FALSE(MiniSchema(R"({"$ref":"other.json#/x"})").problems().empty());
  EXPECT_FALSE(MiniSchema(R"({"type":"string","pattern":"(["})").problems().empty());
  EXPECT_FALSE(MiniSchema("{not json").problems().empty());
  // A schema with problems lets nothing through.
  EXPECT_FALSE(MiniSchema(R"({"format":"x"})").validate(R"("x")").empty());
}

TEST(MiniSchemaTest, KeyOrder) {
  MiniSchema s = tiny(R"({"type":"object","properties":{"a":{},"b":{},"c":{}}})");
  s.set_check_order(true);
  EXPECT_TRUE(s.validate(R"({"a":1,"c":3})").empty());
  EXPECT_FALSE(s.validate(R"({"b":1,"a":2})").empty());
}

// ---------------------------------------------------------------------------------------------
// The schema files.

const MiniSchema& decision_schema() {
  static const MiniSchema* s = [] {
    auto* schema = new MiniSchema(read_text(source_dir() / "schema/decision.schema.json"));
    schema->set_check_order(true);
    return schema;
  }();
  return *s;
}

const MiniSchema& error_schema() {
  static const MiniSchema* s = [] {
    auto* schema = new MiniSchema(read_text(source_dir() / "schema/facts-error.schema.json"));
    schema->set_check_order(true);
    return schema;
  }();
  return *s;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) lines.push_back(line);
  return lines;
}

// Runs `refpol eval ARGS`, expects exit 0, and validates every line as a decision.
std::vector<std::string> valid_decisions(const std::vector<std::string>& args) {
  std::vector<std::string> full = {"eval"};
  full.insert(full.end(), args.begin(), args.end());
  auto r = run_refpol(full);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::vector<std::string> lines = lines_of(r.out);
  EXPECT_FALSE(lines.empty());
  for (const auto& line : lines) {
    auto errors = decision_schema().validate(line);
    EXPECT_TRUE(errors.empty()) << joined(errors) << "in " << line;
  }
  return lines;
}

std::vector<std::string> strings_at(const std::string& json, const std::string& array_key, const std::string& field) {
  dom::parser parser;
  simdjson::padded_string padded(json);
  std::vector<std::string> out;
  dom::element doc = parser.parse(padded).value();
  // (A named array: ranging over `.value()` of a temporary result would dangle.)
  dom::array items = doc[array_key].get_array().value();
  for (dom::element item : items) {
    dom::element v = item[field];
    if (v.type() == dom::element_type::STRING) out.emplace_back(std::string_view(v));
  }
  return out;
}

std::set<std::string> enum_of(const char* def, const char* property) {
  dom::parser parser;
  simdjson::padded_string text(read_text(source_dir() / "schema/decision.schema.json"));
  dom::element root = parser.parse(text).value();
  std::set<std::string> out;
  dom::array values = root["$defs"][def]["properties"][property]["enum"].get_array().value();
  for (dom::element v : values) {
    out.emplace(std::string_view(v));
  }
  return out;
}

TEST(DecisionSchemaTest, SchemaFilesUseOnlyTheCheckedSubset) {
  EXPECT_TRUE(decision_schema().problems().empty()) << joined(decision_schema().problems());
  EXPECT_TRUE(error_schema().problems().empty()) << joined(error_schema().problems());
}

// The schema's enums are the evaluator's names, no more and no fewer.
TEST(DecisionSchemaTest, EnumsMatchTheCode) {
  std::set<std::string> statuses;
  for (auto s : {RewardStatus::granted, RewardStatus::pending, RewardStatus::void_, RewardStatus::expired,
                 RewardStatus::withheld}) {
    statuses.emplace(status_name(s));
  }
  EXPECT_EQ(enum_of("reward", "status"), statuses);
  std::set<std::string> verdicts;
  for (auto s : {ReferralStatus::qualified, ReferralStatus::not_qualified, ReferralStatus::void_,
                 ReferralStatus::ineligible_referee}) {
    verdicts.emplace(referral_status_name(s));
  }
  EXPECT_EQ(enum_of("referral", "status"), verdicts);
  std::set<std::string> kinds;
  for (const auto& k : check::reward_kinds()) kinds.emplace(k.name);
  EXPECT_EQ(enum_of("reward", "kind"), kinds);
}

// A real decision, then the same decision spoiled in one way at a time: each must fail.
TEST(DecisionSchemaTest, RejectsWrongDecisions) {
  auto lines = valid_decisions({"--policy", "tests/fixtures/eval/referral.refpol", "--facts",
                                "tests/fixtures/eval/referral.json"});
  ASSERT_EQ(lines.size(), 1u);
  const std::string good = lines[0];
  auto spoil = [&](const std::string& from, const std::string& to) {
    std::string bad = good;
    auto at = bad.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    if (at != std::string::npos) bad.replace(at, from.size(), to);
    return bad;
  };
  const std::vector<std::pair<std::string, std::string>> spoilers = {
      {R"("schema":"refpol.decision/1")", R"("schema":"refpol.decision/2")"},
      {R"("status":"expired")", R"("status":"paid")"},
      {R"("status":"qualified")", R"("status":"ok")"},
      {R"("amount":"50.00")", R"("amount":50.00)"},
      {R"("amount":"50.00")", R"("amount":"50,00")"},
      {R"("amount":"50.00")", R"("amount":"050.00")"},
      {R"("value":"50.00")", R"("value":"5e1")"},
      {R"("now":"2026-12-20T10:00:00+08:00")", R"("now":"2026-12-20 10:00:00")"},
      {R"("now":"2026-12-20T10:00:00+08:00")", R"("now":"2026-12-20T10:00:00.000+08:00")"},
      {R"("expires_at":"2026-12-08T12:00:00+08:00")", R"("expires_at":"2026-12-08")"},
      {R"("capped":false)", R"("capped":"false")"},
      {R"("capped":false,)", ""},
      {R"("position":1)", R"("position":0)"},
      {R"("position":1)", R"("position":"1")"},
      {R"("kind":"coupon")", R"("kind":"voucher")"},
      {R"("unit":"CNY")", R"("unit":"yuan")"},
      {R"("version":3)", R"("version":-3)"},
      {R"("hash":")", R"("hash":"X)"},
      {R"("recipient":{"role":"referee")", R"("recipient":{"name":"x","role":"referee")"},
      {R"("outputs":{)", R"("extra":1,"outputs":{)"},
      {R"("qualified_count":3)", R"("qualified_count":3.5)"},
      {R"("reasons":["self_referral"])", R"("reasons":["self referral"])"},
      {R"("rule":"welcome","tier":null)", R"("tier":null,"rule":"welcome")"},  // out of order
  };
  for (const auto& [from, to] : spoilers) {
    EXPECT_FALSE(decision_schema().validate(spoil(from, to)).empty()) << "accepted after " << from << " -> " << to;
  }
}

// The flat benchmark policy with three lines of the benchmark's facts (which carry no `now`).
// Worked out by hand from bench/flat/policy.refpol:
//   u0: 209 days <= 365, spend 1977.03 >= 500, new, not refunded, 29 >= 7 days: eligible;
//       3 qualified referrals reach gift_box (pays highest): cash 250 CNY, no boost (normal);
//       first order 89.28 < 100: no coupon.
//   u1: 493 > 365 days and 0 < 7 days: not eligible (recent_order, past_return_window).
//   u2: 366 > 365 days: not eligible (recent_order).
TEST(DecisionSchemaTest, FlatBenchDecisions) {
  for (bool explain : {false, true}) {
    std::vector<std::string> args = {"--policy", "bench/flat/policy.refpol", "--facts", "tests/fixtures/eval/flat.jsonl",
                                     "--now", "2026-12-20T10:00:00Z"};
    if (explain) args.push_back("--explain");
    auto lines = valid_decisions(args);
    ASSERT_EQ(lines.size(), 3u);
    EXPECT_NE(lines[0].find(R"("key":"flat-bench/ladder/referrer:u0/gift_box")"), std::string::npos);
    EXPECT_NE(lines[0].find(R"("amount":"250.00","unit":"CNY")"), std::string::npos);
    EXPECT_EQ(strings_at(lines[0], "rewards", "key").size(), 1u);
    EXPECT_NE(lines[1].find(R"("referrer":{"id":"u1","eligible":false,"reasons":["recent_order","past_return_window"]})"),
              std::string::npos);
    EXPECT_NE(lines[1].find(R"("rewards":[])"), std::string::npos);
    EXPECT_NE(lines[2].find(R"("reasons":["recent_order"]})"), std::string::npos);
    EXPECT_EQ(lines[0].find("\"explanation\"") != std::string::npos, explain);
  }
}

// The referral fixture reaches every referral status and every reward status, a cap (partial
// and withheld), the budget, expiry, settlement and payout, with and without --explain, and at
// other times (--now) too.
TEST(DecisionSchemaTest, ReferralDecisionsCoverEveryStatus) {
  const std::vector<std::string> base = {"--policy", "tests/fixtures/eval/referral.refpol", "--facts",
                                         "tests/fixtures/eval/referral.json"};
  auto lines = valid_decisions(base);
  ASSERT_EQ(lines.size(), 1u);
  auto reward_statuses = strings_at(lines[0], "rewards", "status");
  EXPECT_EQ(std::set<std::string>(reward_statuses.begin(), reward_statuses.end()),
            (std::set<std::string>{"granted", "pending", "void", "expired", "withheld"}));
  auto referral_statuses = strings_at(lines[0], "referrals", "status");
  EXPECT_EQ(std::set<std::string>(referral_statuses.begin(), referral_statuses.end()),
            (std::set<std::string>{"qualified", "not_qualified", "void", "ineligible_referee"}));
  auto reasons = strings_at(lines[0], "rewards", "reason");
  EXPECT_EQ(std::set<std::string>(reasons.begin(), reasons.end()),
            (std::set<std::string>{"self_referral", "cap", "budget"}));
  EXPECT_NE(lines[0].find(R"("capped":true)"), std::string::npos);

  for (const char* now : {"2026-11-01T00:00:00Z", "2027-06-30T23:59:59-05:00", "2030-01-01"}) {
    auto args = base;
    args.insert(args.end(), {"--now", now});
    valid_decisions(args);
  }
  auto args = base;
  args.push_back("--explain");
  auto explained = valid_decisions(args);
  ASSERT_EQ(explained.size(), 1u);
  EXPECT_NE(explained[0].find(R"("outcome":"withheld")"), std::string::npos);
  EXPECT_NE(explained[0].find(R"("outcome":"absent")"), std::string::npos);
}

// Units and kinds: MB with a partial cap, a share off in %, a count of gifts without a unit,
// points to community members with a boost, and the budget's fallback (reason budget_fallback).
TEST(DecisionSchemaTest, KindsAndUnits) {
  auto lines = valid_decisions({"--policy", "tests/fixtures/eval/kinds.refpol", "--facts", "tests/fixtures/eval/kinds.json",
                                "--explain"});
  ASSERT_EQ(lines.size(), 1u);
  auto units = strings_at(lines[0], "rewards", "unit");
  EXPECT_EQ(std::set<std::string>(units.begin(), units.end()), (std::set<std::string>{"MB", "%", "points"}));
  EXPECT_NE(lines[0].find(R"("kind":"gift","amount":"2","unit":null)"), std::string::npos);
  // Budget 100 - 40 spent = 60 CNY; the storage, shares off, gifts and points have no value, so
  // the 90 CNY cash is the first charge and does not fit: the fallback (100 points, no value, so it
  // always fits) replaces it under the same key, with its own expiry: 6 months after now.
  EXPECT_NE(lines[0].find(R"({"key":"fixture-kinds/big_cash/referrer:C-9/once","rule":"big_cash","tier":null,)"
                          R"("recipient":{"role":"referrer","id":"C-9"},"kind":"points","amount":"100","unit":"points",)"
                          R"("label":"感谢参与","status":"granted","reason":"budget_fallback","capped":false,"value":null,)"
                          R"("granted_at":"2026-12-20T08:00:00Z","settles_at":null,"due_by":null,)"
                          R"("expires_at":"2027-06-20T08:00:00Z"})"),
            std::string::npos)
      << lines[0];
  // 700 MB, then 1 GB = 1024 MB leaves 324 MB for the second referral; 333 points times 1.5 is
  // 499.5, rounded half away from zero to 500; only the new member M-1 gets them.
  EXPECT_NE(lines[0].find(R"("amount":"324","unit":"MB","label":null,"status":"granted","reason":null,"capped":true)"),
            std::string::npos);
  EXPECT_NE(lines[0].find(R"("key":"fixture-kinds/welcome_members/m:M-1/M-1")"), std::string::npos);
  EXPECT_NE(lines[0].find(R"("amount":"500","unit":"points")"), std::string::npos);
  EXPECT_EQ(lines[0].find("M-2/M-2"), std::string::npos);
}

// The per-line error objects of a JSON-lines run, against schema/facts-error.schema.json.
TEST(DecisionSchemaTest, JsonLinesErrorObjects) {
  const std::string good = read_text(source_dir() / "tests/fixtures/eval/flat.jsonl");
  auto first = lines_of(good);
  ASSERT_EQ(first.size(), 3u);
  const std::string input = first[0] + "\n" +
                            "{\"referrer\":{\"id\":\"u9\"\n" +                                  // invalid JSON
                            "{\"referrer\":{\"id\":7},\"referee\":{}}\n" +                       // wrong types, missing fields
                            "[]\n" +                                                              // not an object
                            "{\"now\":\"2026-02-30T00:00:00Z\"," + first[1].substr(1) + "\n" +  // a date that does not exist
                            first[2] + "\n";
  auto r = run_refpol({"eval", "--policy", "bench/flat/policy.refpol", "--jsonl", "--facts", "-"}, input);
  EXPECT_EQ(r.exit_code, 1) << r.err;
  auto lines = lines_of(r.out);
  ASSERT_EQ(lines.size(), 6u) << r.out;
  // Without --now every line is an error: lines 1 and 6 are fine facts, but have no `now`.
  for (std::size_t i = 0; i < lines.size(); ++i) {
    auto errors = error_schema().validate(lines[i]);
    EXPECT_TRUE(errors.empty()) << joined(errors) << "in " << lines[i];
    EXPECT_NE(lines[i].find("{\"error\":{\"line\":" + std::to_string(i + 1) + ","), std::string::npos) << lines[i];
    EXPECT_FALSE(decision_schema().validate(lines[i]).empty()) << "an error object is not a decision";
  }

  // With --now the good lines are decisions again.
  r = run_refpol({"eval", "--policy", "bench/flat/policy.refpol", "--jsonl", "--facts", "-", "--now", "2026-12-20T10:00:00Z"},
                 input);
  EXPECT_EQ(r.exit_code, 1);
  lines = lines_of(r.out);
  ASSERT_EQ(lines.size(), 6u);
  for (std::size_t i : {0u, 5u}) EXPECT_TRUE(decision_schema().validate(lines[i]).empty()) << lines[i];
  for (std::size_t i : {1u, 2u, 3u, 4u}) EXPECT_TRUE(error_schema().validate(lines[i]).empty()) << lines[i];

  // An evaluation error with its place in the policy.
  r = run_refpol({"eval", "--policy", "tests/fixtures/eval/overflow.refpol", "--jsonl", "--facts", "-", "--now",
                  "2026-12-20T10:00:00Z"},
                 "{\"referrer\":{\"id\":\"a\",\"spend\":100000000000000000}}\n");
  ASSERT_NE(r.out.find("\"policy\":{"), std::string::npos) << r.out;
  EXPECT_TRUE(error_schema().validate(lines_of(r.out)[0]).empty()) << r.out;
  EXPECT_FALSE(error_schema().validate(R"({"error":{"line":2,"problems":[{"path":"","column":0,"message":"x","policy":{"file":"p","line":0,"column":1}}]}})").empty());

  // The error schema refuses what is not an error object.
  EXPECT_FALSE(error_schema().validate(R"({"error":{"line":0,"problems":[{"path":"","column":1,"message":"x"}]}})").empty());
  EXPECT_FALSE(error_schema().validate(R"({"error":{"line":2,"problems":[]}})").empty());
  EXPECT_FALSE(error_schema().validate(R"({"error":{"line":2,"problems":[{"path":"","message":"x"}]}})").empty());
  EXPECT_FALSE(error_schema().validate(R"({"error":"bad"})").empty());
}

// ---------------------------------------------------------------------------------------------
// The examples in the documents: `<!-- refpol-example: ARGS -->` followed by a fenced block is
// run as `refpol ARGS`; a ```json block must equal the output once whitespace outside strings is
// removed from both, any other block must equal it exactly.

std::string minify(std::string_view s) {
  std::string out;
  bool in_string = false, escaped = false;
  for (char c : s) {
    if (in_string) {
      out += c;
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') in_string = true;
    if (c == ' ' || c == '\n' || c == '\r' || c == '\t') continue;
    out += c;
  }
  return out;
}

struct DocExample {
  std::string file;
  int line = 0;
  std::vector<std::string> args;
  std::string lang;
  std::string body;
};

std::vector<DocExample> doc_examples(const std::string& relative_path) {
  std::vector<DocExample> out;
  auto lines = lines_of(read_text(source_dir() / relative_path));
  const std::string marker = "<!-- refpol-example:";
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (lines[i].rfind(marker, 0) != 0) continue;
    DocExample ex;
    ex.file = relative_path;
    ex.line = static_cast<int>(i + 1);
    std::string rest = lines[i].substr(marker.size());
    rest = rest.substr(0, rest.find("-->"));
    std::istringstream words(rest);
    for (std::string w; words >> w;) ex.args.push_back(w);
    std::size_t j = i + 1;
    while (j < lines.size() && lines[j].rfind("```", 0) != 0) ++j;
    if (j >= lines.size()) {
      ADD_FAILURE() << relative_path << ":" << ex.line << ": no fenced block after the marker";
      continue;
    }
    ex.lang = lines[j].substr(3);
    for (++j; j < lines.size() && lines[j] != "```"; ++j) ex.body += lines[j] + "\n";
    out.push_back(std::move(ex));
  }
  return out;
}

TEST(DecisionSchemaTest, DocumentExamplesMatchRealRuns) {
  int examples = 0;
  for (const char* doc : {"docs/decision.md", "docs/cli.md"}) {
    for (const auto& ex : doc_examples(doc)) {
      ++examples;
      auto r = run_refpol(ex.args);
      SCOPED_TRACE(ex.file + ":" + std::to_string(ex.line));
      if (ex.lang == "json") {
        EXPECT_EQ(minify(ex.body), minify(r.out)) << r.err;
        for (const auto& line : lines_of(r.out)) {
          const MiniSchema& schema = line.rfind("{\"error\":", 0) == 0 ? error_schema() : decision_schema();
          auto errors = schema.validate(line);
          EXPECT_TRUE(errors.empty()) << joined(errors);
        }
      } else {
        EXPECT_EQ(ex.body, r.out + r.err);
      }
    }
  }
  EXPECT_GE(examples, 3) << "docs/decision.md and docs/cli.md should hold checked examples";
}

}  // namespace
}  // namespace refpol
