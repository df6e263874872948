// Tests for the facts loaders (interpreter/eval/facts_json.cpp, facts_yaml.cpp): every field type,
// optional and required fields, error paths and positions, syntax errors, the limits, and YAML.
// Expected values (epoch seconds, decimal mantissas, line and column numbers) are worked out by
// hand in the comments, never copied from the loader's output.
#include "interpreter/eval/facts.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "interpreter/check/checker.hpp"

namespace refpol {
namespace {

using boost::variant2::get;

constexpr std::uint16_t kUnit = 3;  // the currency unit id the tests hand to the loader

// 2026-01-01 is day 20454 (2024-01-01 is 19723 = 1704067200 / 86400, plus 366 + 365 days);
// 2026-12-08 is the 342nd day of 2026, so day 20454 + 341.
constexpr std::int32_t kDay2026Dec8 = 20795;
// 2024-02-29 is the 60th day of 2024: 19723 + 59.
constexpr std::int32_t kDay2024Feb29 = 19782;
// 2026-12-08T00:00:00Z in seconds: 20795 * 86400.
constexpr std::int64_t kMidnight2026Dec8Utc = 1796688000;
constexpr std::int64_t kHour = 3600;

Type optional(Type t) {
  t.optional = true;
  return t;
}

FieldInfo field(const char* name, Type type) {
  FieldInfo f;
  f.name = name;
  f.type = std::move(type);
  return f;
}

// facts { flag: bool, count: int, ratio: number?, spend: money?, name: string, day: date?,
//         at: datetime?, wait: duration?, tags: list of string?, scores: list of int?,
//         note: string?, child: Child?, children: list of Child? }
// record Child { amount: money, when: date? }
enum Slot : std::size_t {
  kFlag,
  kCount,
  kRatio,
  kSpend,
  kName,
  kDay,
  kAt,
  kWait,
  kTags,
  kScores,
  kNote,
  kChild,
  kChildren
};

const Schema& test_schema() {
  static const Schema schema = [] {
    Schema s;
    Type child = Type::of(TypeKind::record);
    child.record = 1;
    RecordInfo facts;
    facts.name = "facts";
    facts.fields = {
        field("flag", Type::of(TypeKind::boolean)),
        field("count", Type::of(TypeKind::integer)),
        field("ratio", optional(Type::of(TypeKind::number))),
        field("spend", optional(Type::money_in("CNY"))),
        field("name", Type::of(TypeKind::string)),
        field("day", optional(Type::of(TypeKind::date))),
        field("at", optional(Type::of(TypeKind::datetime))),
        field("wait", optional(Type::of(TypeKind::duration))),
        field("tags", optional(Type::list_of(Type::of(TypeKind::string)))),
        field("scores", optional(Type::list_of(Type::of(TypeKind::integer)))),
        field("note", optional(Type::of(TypeKind::string))),
        field("child", optional(child)),
        field("children", optional(Type::list_of(child))),
    };
    RecordInfo child_record;
    child_record.name = "Child";
    child_record.fields = {field("amount", Type::money_in("CNY")),
                           field("when", optional(Type::of(TypeKind::date)))};
    s.records = {facts, child_record};
    s.by_name = {{"facts", 0}, {"Child", 1}};
    return s;
  }();
  return schema;
}

const Schema& standard_schema() {
  static const Schema schema = [] {
    LoadResult r = load_policy_text(std::string(REFPOL_SOURCE_DIR) + "/policies/facts_test.refpol",
                                    "policy \"t\" version 1\ncurrency CNY\nimport \"standard\"\n");
    EXPECT_TRUE(r.policy.has_value());
    return r.policy ? r.policy->schema : Schema();
  }();
  return schema;
}

const TimeZone& shanghai() {
  static const TimeZone zone = [] {
    TimeZone z;
    std::string error;
    EXPECT_TRUE(TimeZone::make("Asia/Shanghai", z, error)) << error;
    return z;
  }();
  return zone;
}

struct Loaded {
  bool ok = false;
  std::unique_ptr<FactsDocument> doc = std::make_unique<FactsDocument>();
  std::vector<FactsError> errors;
  const Schema* schema = nullptr;

  const Value& at(const char* name) const {
    const int i = schema->root().index_of(name);
    EXPECT_GE(i, 0) << name;
    return doc->root->fields[i];
  }
  std::string all_errors() const {
    std::string out;
    for (const auto& e : errors) out += render_facts_error("facts", e) + "\n";
    return out;
  }
};

Loaded load(bool yaml, std::string_view text, const Schema& schema) {
  Loaded r;
  r.schema = &schema;
  FactsContext ctx{&schema, &shanghai(), kUnit};
  r.ok = yaml ? load_facts_yaml(text, ctx, *r.doc, r.errors)
              : load_facts_json(text, ctx, *r.doc, r.errors);
  if (r.ok) {
    EXPECT_NE(r.doc->root, nullptr);
    EXPECT_TRUE(r.errors.empty());
  } else {
    EXPECT_EQ(r.doc->root, nullptr);
    EXPECT_FALSE(r.errors.empty());
  }
  return r;
}

Loaded json(std::string_view text, const Schema& schema = test_schema()) {
  return load(false, text, schema);
}
Loaded yaml(std::string_view text, const Schema& schema = test_schema()) {
  return load(true, text, schema);
}

// The error with this path (there must be exactly one), checked for position and message.
void expect_error(const Loaded& r, const std::string& path, std::uint32_t line,
                  std::uint32_t column, const std::string& message_part) {
  const FactsError* found = nullptr;
  int matches = 0;
  for (const auto& e : r.errors) {
    if (e.path == path && e.message.find(message_part) != std::string::npos) {
      found = &e;
      ++matches;
    }
  }
  ASSERT_EQ(matches, 1) << "path `" << path << "` message `" << message_part << "` in:\n"
                        << r.all_errors();
  EXPECT_EQ(found->line, line) << r.all_errors();
  EXPECT_EQ(found->column, column) << r.all_errors();
}

void expect_decimal(const Value& v, std::int64_t mantissa, int scale) {
  ASSERT_EQ(v.index(), kDecimal);
  EXPECT_EQ(get<Decimal>(v).mantissa, mantissa);
  EXPECT_EQ(get<Decimal>(v).scale, scale);
}

void expect_money(const Value& v, std::int64_t mantissa, int scale) {
  ASSERT_EQ(v.index(), kMoney);
  EXPECT_EQ(get<Money>(v).amount.mantissa, mantissa);
  EXPECT_EQ(get<Money>(v).amount.scale, scale);
  EXPECT_EQ(get<Money>(v).unit, kUnit);
}

std::string str(const Value& v) {
  EXPECT_EQ(v.index(), kString);
  return v.index() == kString ? std::string(get<Str>(v).view()) : std::string();
}

const ListV& list(const Value& v) {
  static const ListV empty;
  EXPECT_EQ(v.index(), kList);
  return v.index() == kList ? *get<const ListV*>(v) : empty;
}

const RecordV& record(const Value& v) {
  static const RecordV empty;
  EXPECT_EQ(v.index(), kRecord);
  return v.index() == kRecord ? *get<const RecordV*>(v) : empty;
}

// The smallest document the test schema accepts, with `extra` fields added at the end.
std::string minimal(const std::string& extra = "") {
  return R"({"flag": true, "count": 1, "name": "x")" + (extra.empty() ? "" : ", " + extra) + "}";
}

// ---------------------------------------------------------------------------------------------
// JSON: values

TEST(FactsJson, EveryTypeConverts) {
  const Loaded r = json(R"({"flag": true, "count": -42, "ratio": 0.1, "spend": 1977.03,
    "name": "张三 \"q\"\n", "day": "2026-12-08", "at": "2026-12-08T10:00:00", "wait": "7 days",
    "tags": ["a", "b"], "scores": [1, -2, 0], "note": null,
    "child": {"amount": "12.50", "when": "2024-02-29"},
    "children": [{"amount": 1.5e2}, {"amount": -0.001}]})");
  ASSERT_TRUE(r.ok) << r.all_errors();
  const RecordV& root = *r.doc->root;
  EXPECT_EQ(root.record, 0);
  EXPECT_EQ(root.size, 13u);

  EXPECT_EQ(get<bool>(r.at("flag")), true);
  EXPECT_EQ(get<std::int64_t>(r.at("count")), -42);
  expect_decimal(r.at("ratio"), 1, 1);     // 0.1 keeps scale 1
  expect_money(r.at("spend"), 197703, 2);  // 1977.03 exactly, never through double
  EXPECT_EQ(str(r.at("name")), "张三 \"q\"\n");
  EXPECT_EQ(get<Date>(r.at("day")).days, kDay2026Dec8);
  // No offset: 10:00 in Asia/Shanghai (UTC+8) is 02:00Z.
  EXPECT_EQ(get<DateTime>(r.at("at")).utc_seconds, kMidnight2026Dec8Utc + 2 * kHour);
  EXPECT_EQ(get<DateTime>(r.at("at")).offset_seconds, 8 * 3600);
  EXPECT_EQ(get<Duration>(r.at("wait")), (Duration{7 * 86400, 0}));

  const ListV& tags = list(r.at("tags"));
  ASSERT_EQ(tags.size, 2u);
  EXPECT_EQ(str(tags.items[0]), "a");
  EXPECT_EQ(str(tags.items[1]), "b");
  const ListV& scores = list(r.at("scores"));
  ASSERT_EQ(scores.size, 3u);
  EXPECT_EQ(get<std::int64_t>(scores.items[0]), 1);
  EXPECT_EQ(get<std::int64_t>(scores.items[1]), -2);
  EXPECT_EQ(get<std::int64_t>(scores.items[2]), 0);

  EXPECT_EQ(r.at("note").index(), kAbsent);

  const RecordV& child = record(r.at("child"));
  EXPECT_EQ(child.record, 1);
  ASSERT_EQ(child.size, 2u);
  expect_money(child.fields[0], 1250, 2);  // "12.50" as a string keeps its two places
  EXPECT_EQ(get<Date>(child.fields[1]).days, kDay2024Feb29);

  const ListV& children = list(r.at("children"));
  ASSERT_EQ(children.size, 2u);
  expect_money(record(children.items[0]).fields[0], 150, 0);  // 1.5e2 = 150 exactly
  expect_money(record(children.items[1]).fields[0], -1, 3);   // -0.001
  EXPECT_EQ(record(children.items[1]).fields[1].index(), kAbsent);
}

TEST(FactsJson, NumbersAreExact) {
  Loaded r = json(minimal(R"("ratio": "0.10", "spend": 0.30)"));
  ASSERT_TRUE(r.ok) << r.all_errors();
  expect_decimal(r.at("ratio"), 10, 2);
  expect_money(r.at("spend"), 30, 2);

  r = json(minimal(R"("ratio": 123456789012345678, "spend": 2E-3)"));
  ASSERT_TRUE(r.ok) << r.all_errors();
  expect_decimal(r.at("ratio"), 123456789012345678, 0);
  expect_money(r.at("spend"), 2, 3);

  // The largest and smallest whole numbers.
  r = json(R"({"flag": false, "count": -9223372036854775808, "name": ""})");
  ASSERT_TRUE(r.ok) << r.all_errors();
  EXPECT_EQ(get<std::int64_t>(r.at("count")), INT64_MIN);
  EXPECT_EQ(str(r.at("name")), "");
  r = json(R"({"flag": false, "count": 9223372036854775807, "name": ""})");
  ASSERT_TRUE(r.ok) << r.all_errors();
  EXPECT_EQ(get<std::int64_t>(r.at("count")), INT64_MAX);
}

TEST(FactsJson, WholeNumbersRejectFractionsAndStrings) {
  // {"flag": true, "count": ...: `{"flag": true, ` is 15 characters, `"count":` 16-23, the value
  // starts at column 25.
  expect_error(json(R"({"flag": true, "count": 4.5, "name": "x"})"), "count", 1, 25,
               "expected a whole number, got 4.5");
  expect_error(json(R"({"flag": true, "count": 1e2, "name": "x"})"), "count", 1, 25,
               "expected a whole number, got 1e2");
  expect_error(json(R"({"flag": true, "count": 1.0, "name": "x"})"), "count", 1, 25,
               "expected a whole number, got 1.0");
  expect_error(json(R"({"flag": true, "count": "5", "name": "x"})"), "count", 1, 25,
               "expected a whole number, got a string");
  expect_error(json(R"({"flag": true, "count": 9223372036854775808, "name": "x"})"), "count", 1, 25,
               "expected a whole number from -9223372036854775808 to 9223372036854775807");
}

TEST(FactsJson, HugeNumbersAreErrors) {
  Loaded r = json(minimal(R"("spend": 1e400)"));
  ASSERT_FALSE(r.ok);
  // minimal(): `{"flag": true, "count": 1, "name": "x", ` is 40 characters; `"spend":` is
  // 41-48, the value is at 50.
  expect_error(r, "spend", 1, 50, "expected a number that fits an exact decimal");
  r = json(minimal(R"("ratio": 123456789012345678901234567890)"));
  expect_error(r, "ratio", 1, 50, "got 123456789012345678901234567890");
  // 19 digits after the point are more than a Decimal keeps.
  r = json(minimal(R"("ratio": 0.1234567890123456789)"));
  expect_error(r, "ratio", 1, 50, "fits an exact decimal");
}

TEST(FactsJson, TypeMismatchesSayWhatWasExpectedAndFound) {
  Loaded r = json(minimal(R"("spend": "lots", "tags": {}, "child": [], "day": 20261208)"));
  ASSERT_FALSE(r.ok);
  EXPECT_EQ(r.errors.size(), 4u) << r.all_errors();
  expect_error(r, "spend", 1, 50, "expected an amount (a number), got \"lots\"");
  // `"lots"` is 50-55, then `, `; `"tags":` 58-64, the value at 66.
  expect_error(r, "tags", 1, 66, "expected a list of strings (an array), got an object");
  // `{}` 66-67, then `, `; `"child":` 70-77, the value at 79.
  expect_error(r, "child", 1, 79, "expected a Child (an object), got an array");
  // `[]` 79-80, then `, `; `"day":` 83-88, the value at 90.
  expect_error(r, "day", 1, 90, "expected a date (YYYY-MM-DD), got a number");
  // `{"flag": ` is 9 characters.
  r = json(R"({"flag": "yes", "count": 1, "name": "x"})");
  expect_error(r, "flag", 1, 10, "expected true or false, got a string");
}

TEST(FactsJson, Durations) {
  struct Case {
    const char* text;
    std::int64_t seconds;
    std::int32_t months;
  };
  const Case cases[] = {
      {"7 days", 7 * 86400, 0}, {"72 hours", 72 * 3600, 0},       {"3 months", 0, 3},
      {"1 week", 7 * 86400, 0}, {"90 minutes", 90 * 60, 0},       {"1 day", 86400, 0},
      {"0 days", 0, 0},         {"1 month 2 days", 2 * 86400, 1}, {"30 seconds", 30, 0},
  };
  for (const Case& c : cases) {
    const Loaded r = json(minimal(std::string(R"("wait": ")") + c.text + "\""));
    ASSERT_TRUE(r.ok) << c.text << "\n" << r.all_errors();
    EXPECT_EQ(get<Duration>(r.at("wait")), (Duration{c.seconds, c.months})) << c.text;
  }
  for (const char* bad : {"7", "days", "7 fortnights", "-3 days", "1.5 days", " 7 days", "7 days ",
                          "7 Days", "P7D", ""}) {
    const Loaded r = json(minimal(std::string(R"("wait": ")") + bad + "\""));
    ASSERT_FALSE(r.ok) << bad;
    expect_error(r, "wait", 1, 49, "expected a duration (like \"7 days\")");
  }
  expect_error(json(minimal(R"("wait": 7)")), "wait", 1, 49, "got a number");
}

TEST(FactsJson, DatesAndDateTimes) {
  Loaded r = json(minimal(R"("day": "2026-02-30")"));
  expect_error(r, "day", 1, 48, "got \"2026-02-30\", which does not exist");
  r = json(minimal(R"("day": "0000-01-01")"));
  expect_error(r, "day", 1, 48, "expected a date from 0001-01-01 to 9999-12-31");
  r = json(minimal(R"("day": "2026-2-3")"));
  expect_error(r, "day", 1, 48, "expected a date (YYYY-MM-DD), got \"2026-2-3\"");

  // With an offset the offset wins; Z is UTC; a bare date is local midnight in Shanghai.
  r = json(minimal(R"("at": "2026-12-08T10:00:00+09:00")"));
  ASSERT_TRUE(r.ok) << r.all_errors();
  EXPECT_EQ(get<DateTime>(r.at("at")).utc_seconds, kMidnight2026Dec8Utc + 1 * kHour);
  EXPECT_EQ(get<DateTime>(r.at("at")).offset_seconds, 9 * 3600);
  r = json(minimal(R"("at": "2026-12-08T10:00:00Z")"));
  ASSERT_TRUE(r.ok) << r.all_errors();
  EXPECT_EQ(get<DateTime>(r.at("at")).utc_seconds, kMidnight2026Dec8Utc + 10 * kHour);
  EXPECT_EQ(get<DateTime>(r.at("at")).offset_seconds, 0);
  r = json(minimal(R"("at": "2026-12-08")"));
  ASSERT_TRUE(r.ok) << r.all_errors();
  EXPECT_EQ(get<DateTime>(r.at("at")).utc_seconds, kMidnight2026Dec8Utc - 8 * kHour);

  r = json(minimal(R"("at": "2026-12-08T25:00:00")"));
  expect_error(r, "at", 1, 47, "hour must be 00 to 23");
  r = json(minimal(R"("at": "2026-02-30T10:00:00")"));
  expect_error(r, "at", 1, 47, "is not a valid date");
  r = json(minimal(R"("at": "tomorrow")"));
  expect_error(r, "at", 1, 47,
               "expected a date-time (like 2026-12-08T10:00:00+08:00), got \"tomorrow\"");
}

TEST(FactsJson, NowAtTopLevel) {
  Loaded r = json(minimal(R"("now": "2026-12-08T10:00:00")"));
  ASSERT_TRUE(r.ok) << r.all_errors();
  ASSERT_TRUE(r.doc->now.has_value());
  EXPECT_EQ(r.doc->now->utc_seconds, kMidnight2026Dec8Utc + 2 * kHour);
  EXPECT_EQ(r.doc->now->offset_seconds, 8 * 3600);

  r = json(minimal());
  ASSERT_TRUE(r.ok);
  EXPECT_FALSE(r.doc->now.has_value());
  r = json(minimal(R"("now": null)"));
  ASSERT_TRUE(r.ok);
  EXPECT_FALSE(r.doc->now.has_value());

  r = json(minimal(R"("now": 5)"));
  expect_error(r, "now", 1, 48, "expected a date-time");
  r = json(minimal(R"("now": "2026-12-08T10:00:00Z", "now": "2026-12-09T10:00:00Z")"));
  // `"now": "2026-12-08T10:00:00Z", ` is 31 characters from column 41; the second key is at 72.
  expect_error(r, "now", 1, 72, "duplicate key `now`");
  // `now` only counts at the top.
  r = json(minimal(R"("child": {"amount": 1, "now": 5})"));
  EXPECT_TRUE(r.ok) << r.all_errors();
}

void expect_paid(const Loaded& r, std::size_t i, const std::string& key, std::int64_t mantissa, int scale) {
  ASSERT_LT(i, r.doc->paid.size());
  EXPECT_EQ(r.doc->paid[i].key, key);
  EXPECT_EQ(r.doc->paid[i].value.mantissa, mantissa) << key;
  EXPECT_EQ(r.doc->paid[i].value.scale, scale) << key;
}

TEST(FactsJson, PaidAtTopLevel) {
  // Sorted by key; an amount as a number or a string; null for a reward without a value.
  Loaded r = json(minimal(R"("paid": {"k2": "12.50", "k1": 3, "k3": null})"));
  ASSERT_TRUE(r.ok) << r.all_errors();
  ASSERT_EQ(r.doc->paid.size(), 3u);
  expect_paid(r, 0, "k1", 3, 0);
  expect_paid(r, 1, "k2", 1250, 2);
  expect_paid(r, 2, "k3", 0, 0);

  r = json(minimal());
  ASSERT_TRUE(r.ok);
  EXPECT_TRUE(r.doc->paid.empty());
  r = json(minimal(R"("paid": null)"));
  ASSERT_TRUE(r.ok);
  EXPECT_TRUE(r.doc->paid.empty());
  r = json(minimal(R"("paid": {})"));
  ASSERT_TRUE(r.ok);
  EXPECT_TRUE(r.doc->paid.empty());

  // The extra text starts at column 41; `"paid": ` is 8 characters, so its value is at 49, the
  // first key at 50 and, after `"k": `, the first amount at 55.
  r = json(minimal(R"("paid": [1])"));
  expect_error(r, "paid", 1, 49, "expected an object from reward keys to what was paid for each, got an array");
  EXPECT_TRUE(r.doc->paid.empty());
  r = json(minimal(R"("paid": {"k": "abc"})"));
  expect_error(r, "paid.\"k\"", 1, 55, "expected an amount");
  r = json(minimal(R"("paid": {"k": {"x": 1}})"));
  expect_error(r, "paid.\"k\"", 1, 55, "expected an amount");
  r = json(minimal(R"("paid": {"k": -1})"));
  expect_error(r, "paid.\"k\"", 1, 55, "what was paid cannot be negative");
  r = json(minimal(R"("paid": {"": 1})"));
  expect_error(r, "paid.\"\"", 1, 50, "a reward key cannot be empty");
  // `{"a": 1, "b": 2, ` is 17 characters from column 49: the second "a" is at 66.
  r = json(minimal(R"("paid": {"a": 1, "b": 2, "a": 3})"));
  expect_error(r, "paid.\"a\"", 1, 66, "duplicate key `a`");
  ASSERT_EQ(r.errors.size(), 1u) << r.all_errors();
  // `"paid": {}, ` is 12 characters from column 41: the second `paid` is at 53.
  r = json(minimal(R"("paid": {}, "paid": {"a": 1})"));
  expect_error(r, "paid", 1, 53, "duplicate key `paid`");
  // `paid` only counts at the top, and a policy's own top-level `paid` field is read as declared.
  r = json(minimal(R"("child": {"amount": 1, "paid": 5})"));
  EXPECT_TRUE(r.ok) << r.all_errors();
  EXPECT_TRUE(r.doc->paid.empty());
  Schema own;
  RecordInfo facts;
  facts.name = "facts";
  facts.fields = {field("paid", Type::of(TypeKind::integer))};
  own.records = {facts};
  own.by_name = {{"facts", 0}};
  r = json(R"({"paid": 5})", own);
  ASSERT_TRUE(r.ok) << r.all_errors();
  EXPECT_TRUE(r.doc->paid.empty());
  EXPECT_EQ(get<std::int64_t>(r.at("paid")), 5);
  r = json(R"({"paid": {"k": 1}})", own);
  expect_error(r, "paid", 1, 10, "expected a whole number");
}

TEST(FactsJson, StringsAreCopiedIntoTheArena) {
  std::string text = minimal(R"("note": "a\u00e9\ud83d\ude00\t")");
  const Loaded r = json(text);
  ASSERT_TRUE(r.ok) << r.all_errors();
  text.assign(text.size(), '#');  // the input may go away
  EXPECT_EQ(str(r.at("note")), "a\xc3\xa9\xf0\x9f\x98\x80\t");
  EXPECT_EQ(str(r.at("name")), "x");
}

// ---------------------------------------------------------------------------------------------
// JSON: optional, required, unknown and duplicate fields

TEST(FactsJson, OptionalFieldsMayBeAbsentOrNull) {
  const Loaded r =
      json(R"({"flag": false, "count": 0, "name": "n", "ratio": null, "child": null})");
  ASSERT_TRUE(r.ok) << r.all_errors();
  for (const char* name :
       {"ratio", "spend", "day", "at", "wait", "tags", "scores", "note", "child", "children"}) {
    EXPECT_EQ(r.at(name).index(), kAbsent) << name;
  }
}

TEST(FactsJson, RequiredFieldsMustBeGiven) {
  // Absent: reported at the object that lacks them.
  Loaded r = json("{\n  \"flag\": true\n}");
  ASSERT_FALSE(r.ok);
  EXPECT_EQ(r.errors.size(), 2u) << r.all_errors();
  expect_error(r, "count", 1, 1, "missing required field `count`");
  expect_error(r, "name", 1, 1, "missing required field `name`");

  // In a nested record: `{"flag": true, "count": 1, "name": "x", ` is 40 characters,
  // `"child":` 41-48, the child's `{` at 50.
  r = json(minimal(R"("child": {"when": "2026-01-01"})"));
  expect_error(r, "child.amount", 1, 50, "missing required field `amount`");

  // Null: reported at the null. `{"flag": ` is 9 characters.
  r = json(R"({"flag": null, "count": 1, "name": "x"})");
  expect_error(r, "flag", 1, 10, "missing required field `flag` (it is null)");

  // A list item cannot be null.
  r = json(minimal(R"("scores": [1, null])"));
  // `"scores":` 41-49, `[` 51, `1` 52, `,` 53, null at 55.
  expect_error(r, "scores[1]", 1, 55, "expected a whole number, got null");
}

TEST(FactsJson, UnknownKeysAreIgnored) {
  const Loaded r = json(R"({"flag": true, "service_version": "9.1",
    "extra": {"a": [1, 2.5e10, {"b": null, "c": [true, false]}], "d": "\u00e9"},
    "count": 1, "name": "x", "child": {"amount": 1, "zzz": [[[]]]}, "big": 1e999})");
  ASSERT_TRUE(r.ok) << r.all_errors();
  EXPECT_EQ(get<std::int64_t>(r.at("count")), 1);
  expect_money(record(r.at("child")).fields[0], 1, 0);
}

TEST(FactsJson, UnknownKeysMustStillBeWellFormed) {
  const Loaded r = json(minimal(R"("extra": [1, 2,])"));
  ASSERT_FALSE(r.ok);
  ASSERT_EQ(r.errors.size(), 1u) << r.all_errors();
  // `"extra":` 41-48, `[1, 2,]`: `[` 50, `]` at 56.
  EXPECT_EQ(r.errors[0].line, 1u);
  EXPECT_EQ(r.errors[0].column, 56u);
  EXPECT_EQ(r.errors[0].message, "invalid JSON: expected a value, got `]`");
}

TEST(FactsJson, EscapedKeysMatch) {
  const Loaded r = json(R"({"fl\u0061g": true, "count": 1, "n\u0061me": "x"})");
  ASSERT_TRUE(r.ok) << r.all_errors();
  EXPECT_EQ(get<bool>(r.at("flag")), true);
}

TEST(FactsJson, DuplicateKeysAreErrors) {
  const Loaded r = json(R"({"flag": true, "flag": false, "count": 1, "name": "x"})");
  // `{"flag": true, ` is 15 characters: the second key is at 16.
  expect_error(r, "flag", 1, 16, "duplicate key `flag`");
}

// ---------------------------------------------------------------------------------------------
// JSON: errors, positions and paths

TEST(FactsJson, ErrorsCarryPathLineAndColumn) {
  const Loaded r = json(
      "{\n"
      "  \"flag\": \"yes\",\n"
      "  \"count\": 4.5,\n"
      "  \"name\": \"n\",\n"
      "  \"children\": [\n"
      "    {\"amount\": 1},\n"
      "    {\"amount\": \"much\"}\n"
      "  ]\n"
      "}\n");
  ASSERT_FALSE(r.ok);
  ASSERT_EQ(r.errors.size(), 3u) << r.all_errors();
  // Line 2: two spaces, `"flag":` at 3-9, the value at 11.
  expect_error(r, "flag", 2, 11, "expected true or false, got a string");
  // Line 3: `"count":` at 3-10, the value at 12.
  expect_error(r, "count", 3, 12, "expected a whole number, got 4.5");
  // Line 7: four spaces, `{` 5, `"amount":` 6-14, the value at 16.
  expect_error(r, "children[1].amount", 7, 16, "expected an amount (a number), got \"much\"");
  // In document order.
  EXPECT_EQ(r.errors[0].path, "flag");
  EXPECT_EQ(r.errors[1].path, "count");
  EXPECT_EQ(r.errors[2].path, "children[1].amount");
}

// A customer of the standard schema on one line (every required field).
std::string customer_json(const char* id) {
  return std::string(R"({"id": ")") + id +
         R"(", "kind": "purchase", "segment": "new", "registered_at": "2026-01-01T00:00:00Z", )"
         R"("order_count": 0, "total_spend": 0, "service_completed": false, )"
         R"("previous_campaigns": 0, "shares": 0})";
}

TEST(FactsJson, StandardSchemaNestedPaths) {
  const std::string text =
      "{\n"
      "  \"referrer\": " +
      customer_json("u1") +
      ",\n"
      "  \"referrals\": [\n"
      "    {\"id\": \"r1\", \"referee\": " +
      customer_json("u2") +
      ", \"bound_at\": \"2026-12-01T10:00:00\", \"channel\": \"link\", \"orders\": []},\n"
      "    {\"id\": \"r2\", \"referee\": " +
      customer_json("u3") +
      ", \"bound_at\": \"2026-12-01T10:00:00\", \"channel\": \"link\", \"orders\": [],\n"
      "     \"first_order\": {\"id\": \"o1\", \"placed_at\": \"2026-12-01T10:00:00\", "
      "\"refunded\": false, \"returned\": false, \"exchanged\": false,\n"
      "        \"amount\": \"a lot\"}}\n"
      "  ],\n"
      "  \"campaign\": {\"budget_spent\": 0, \"rewarded_referrers\": 0}\n"
      "}\n";
  Loaded r = json(text, standard_schema());
  ASSERT_FALSE(r.ok);
  ASSERT_EQ(r.errors.size(), 1u) << r.all_errors();
  // Line 7: eight spaces, `"amount":` at 9-17, the value at 19.
  expect_error(r, "referrals[1].first_order.amount", 7, 19,
               "expected an amount (a number), got \"a lot\"");

  // Fixed, it loads, and the records sit at their schema indexes.
  std::string fixed = text;
  fixed.replace(fixed.find("\"a lot\""), 7, "89.28");
  r = json(fixed, standard_schema());
  ASSERT_TRUE(r.ok) << r.all_errors();
  const Schema& s = standard_schema();
  const ListV& referrals = list(r.at("referrals"));
  ASSERT_EQ(referrals.size, 2u);
  const RecordV& second = record(referrals.items[1]);
  EXPECT_EQ(second.record, s.find("Referral"));
  EXPECT_EQ(second.size, s.records[static_cast<std::size_t>(s.find("Referral"))].fields.size());
  const int first_order =
      s.records[static_cast<std::size_t>(s.find("Referral"))].index_of("first_order");
  const RecordV& order = record(second.fields[first_order]);
  EXPECT_EQ(order.record, s.find("Order"));
  const int amount = s.records[static_cast<std::size_t>(s.find("Order"))].index_of("amount");
  expect_money(order.fields[amount], 8928, 2);
  // The first referral has no first order.
  EXPECT_EQ(record(referrals.items[0]).fields[first_order].index(), kAbsent);
}

TEST(FactsJson, StopsAfterTwentyErrors) {
  std::string scores;
  for (int i = 0; i < 30; ++i) scores += i == 0 ? "\"a\"" : ", \"a\"";
  const Loaded r = json(minimal("\"scores\": [" + scores + "]"));
  ASSERT_FALSE(r.ok);
  ASSERT_EQ(r.errors.size(), 20u);
  EXPECT_EQ(r.errors[19].path, "scores[19]");
}

TEST(FactsJson, ErrorsAreAppended) {
  Loaded r;
  r.schema = &test_schema();
  r.errors.push_back(FactsError{"earlier", 9, 9, "from before"});
  FactsContext ctx{&test_schema(), &shanghai(), kUnit};
  EXPECT_FALSE(load_facts_json("{}", ctx, *r.doc, r.errors));
  ASSERT_EQ(r.errors.size(), 4u);  // flag, count and name are missing
  EXPECT_EQ(r.errors[0].path, "earlier");
}

TEST(FactsJson, MalformedJsonHasALocation) {
  Loaded r = json(
      "{\n"
      "  \"flag\": true,\n"
      "  \"count\": 1\n"
      "  \"name\": \"x\"\n"
      "}\n");
  ASSERT_EQ(r.errors.size(), 1u) << r.all_errors();
  // The comma is missing before line 4's `"name"`, at column 3.
  EXPECT_EQ(r.errors[0].path, "");
  EXPECT_EQ(r.errors[0].line, 4u);
  EXPECT_EQ(r.errors[0].column, 3u);
  EXPECT_EQ(r.errors[0].message,
            "invalid JSON: expected `,` or `}` after an object member, got `\"`");

  // `{"name": "abc`: the string opened at column 10 is never closed.
  r = json(R"({"name": "abc)");
  ASSERT_EQ(r.errors.size(), 1u) << r.all_errors();
  EXPECT_EQ(r.errors[0].column, 10u);
  EXPECT_EQ(r.errors[0].message, "invalid JSON: string is not closed");

  // A bad literal in a known field is a syntax error, not a wrong type.
  r = json(R"({"flag": tru, "count": 1, "name": "x"})");
  ASSERT_EQ(r.errors.size(), 1u) << r.all_errors();
  EXPECT_EQ(r.errors[0].column, 10u);
  EXPECT_EQ(r.errors[0].message, "invalid JSON: expected a value, got \"tru\"");

  // Leading zeros are not JSON.
  r = json(R"({"flag": true, "count": 01, "name": "x"})");
  ASSERT_EQ(r.errors.size(), 1u) << r.all_errors();
  EXPECT_EQ(r.errors[0].column, 25u);
  EXPECT_EQ(r.errors[0].message, "invalid JSON: invalid number \"01\"");

  // Something after the document: `{"flag": true, "count": 1, "name": "x"}` is 39 characters.
  r = json(minimal() + " {}");
  ASSERT_EQ(r.errors.size(), 1u) << r.all_errors();
  EXPECT_EQ(r.errors[0].column, 41u);
  EXPECT_EQ(r.errors[0].message, "invalid JSON: expected the end of the document, got `{`");

  r = json("   ");
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].message, "invalid JSON: the document is empty");

  r = json(R"({"name": "tab	inside", "flag": true, "count": 1})");
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].column, 14u);  // the raw tab after `"tab`
  EXPECT_NE(r.errors[0].message.find("control character"), std::string::npos);

  r = json(R"({"flag": true, "count": 1, "name": "\x"})");
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].column, 37u);  // the backslash after `"name": "`
  EXPECT_EQ(r.errors[0].message, "invalid JSON: unknown escape `\\x` in a string");

  r = json(R"({"flag": true, "count": 1, "name": "\ud800"})");
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].column, 37u);
  EXPECT_EQ(r.errors[0].message, "invalid JSON: unpaired surrogate in a `\\u` escape");
}

TEST(FactsJson, ColumnsCountCodePoints) {
  // `{"note": "日本", "flag": tru`: 日 and 本 are three bytes each but one column each.
  // `{"note": ` 1-9, `"日本"` 10-13, `, ` 14-15, `"flag":` 16-22, tru at 24.
  const Loaded r = json(R"({"note": "日本", "flag": tru})");
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].line, 1u);
  EXPECT_EQ(r.errors[0].column, 24u);
}

TEST(FactsJson, InvalidUtf8HasALocation) {
  // Line 2: two spaces, `"name":` 3-9, space, `"` 11, `é` 12, the bad byte at 13.
  const Loaded r = json("{\n  \"name\": \"\xc3\xa9\xff\", \"flag\": true, \"count\": 1}");
  ASSERT_FALSE(r.ok);
  ASSERT_EQ(r.errors.size(), 1u) << r.all_errors();
  EXPECT_EQ(r.errors[0].line, 2u);
  EXPECT_EQ(r.errors[0].column, 13u);
  EXPECT_EQ(r.errors[0].message, "invalid UTF-8: byte 0xff cannot appear here");
  // Overlong encodings and UTF-16 surrogates written as UTF-8 are not UTF-8 either.
  EXPECT_FALSE(json(minimal("\"note\": \"\xc0\xaf\"")).ok);
  EXPECT_FALSE(json(minimal("\"note\": \"\xed\xa0\x80\"")).ok);
}

TEST(FactsJson, RootMustBeAnObject) {
  Loaded r = json("[1, 2]");
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].line, 1u);
  EXPECT_EQ(r.errors[0].column, 1u);
  EXPECT_EQ(r.errors[0].message, "expected an object holding the facts, got an array");
  r = json("\n  \"facts\"");
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].line, 2u);
  EXPECT_EQ(r.errors[0].column, 3u);
}

// ---------------------------------------------------------------------------------------------
// JSON: limits

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

TEST(FactsJson, DeepNestingIsRejectedQuickly) {
  const std::string open(100000, '[');
  const std::string close(100000, ']');
  for (const std::string& text : {"{\"deep\": " + open + close + "}", "{\"deep\": " + open}) {
    const auto start = std::chrono::steady_clock::now();
    const Loaded r = json(text);
    EXPECT_LT(seconds_since(start), 1.0);
    ASSERT_FALSE(r.ok);
    ASSERT_EQ(r.errors.size(), 1u) << r.all_errors();
    // The root object is level 1, so the 64th `[` is level 65. `{"deep": ` is 9 characters:
    // the first `[` is at column 10 and the 64th at 73.
    EXPECT_EQ(r.errors[0].line, 1u);
    EXPECT_EQ(r.errors[0].column, 73u);
    EXPECT_EQ(r.errors[0].message, "nesting too deep: more than 64 levels of lists and objects");
  }
  // 64 levels in all is fine.
  EXPECT_TRUE(json(minimal("\"deep\": " + std::string(63, '[') + std::string(63, ']'))).ok);
  EXPECT_FALSE(json(minimal("\"deep\": " + std::string(64, '[') + std::string(64, ']'))).ok);
}

TEST(FactsJson, ListLengthIsLimited) {
  std::string items = "0";
  for (std::size_t i = 1; i < kMaxFactsListItems; ++i) items += ",0";
  Loaded r = json(minimal("\"scores\": [" + items + "]"));
  ASSERT_TRUE(r.ok) << r.all_errors();
  EXPECT_EQ(list(r.at("scores")).size, kMaxFactsListItems);

  r = json(minimal("\"scores\": [" + items + ",0]"));
  ASSERT_FALSE(r.ok);
  // `"scores":` 41-49, `[` at 51.
  expect_error(r, "scores", 1, 51, "list too long: 100001 items (the limit is 100000)");
}

TEST(FactsJson, DocumentAndStringSizesAreLimited) {
  const std::string huge(kMaxFactsBytes + 1, ' ');
  const auto start = std::chrono::steady_clock::now();
  Loaded r = json(huge);
  EXPECT_LT(seconds_since(start), 1.0);
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].message, "document too large: 16777217 bytes (the limit is 16777216)");
  EXPECT_EQ(r.errors[0].line, 1u);
  EXPECT_EQ(r.errors[0].column, 1u);

  r = json(minimal("\"note\": \"" + std::string(kMaxFactsStringBytes, 'x') + "\""));
  EXPECT_TRUE(r.ok);
  r = json(minimal("\"note\": \"" + std::string(kMaxFactsStringBytes + 1, 'x') + "\""));
  expect_error(r, "note", 1, 49, "string too long: 65537 bytes (the limit is 65536)");
}

TEST(FactsJson, LargeDocumentsLoad) {
  // Over 1 MiB the loader uses buffers of its own rather than the per-thread ones.
  const std::string text =
      minimal("\"padding\": \"" + std::string(3 << 20, 'p') + "\", \"note\": \"after\"");
  const Loaded r = json(text);
  ASSERT_TRUE(r.ok) << r.all_errors();
  EXPECT_EQ(str(r.at("note")), "after");
  // And the small buffers still work afterwards.
  EXPECT_TRUE(json(minimal()).ok);
}

TEST(FactsJson, BrokenSchemaDoesNotCrash) {
  // A hand-made schema whose record field names no record: the field takes no value.
  Schema s;
  RecordInfo facts;
  facts.name = "facts";
  Type nowhere = Type::of(TypeKind::record);
  nowhere.record = 7;
  facts.fields = {field("x", optional(nowhere)), field("y", optional(Type::list_of(nowhere)))};
  s.records = {facts};
  for (bool as_yaml : {false, true}) {
    Loaded r = load(as_yaml, as_yaml ? "x: {a: 1}\n" : R"({"x": {"a": 1}})", s);
    EXPECT_FALSE(r.ok);
    r = load(as_yaml, as_yaml ? "y: [{a: 1}]\n" : R"({"y": [{"a": 1}]})", s);
    EXPECT_FALSE(r.ok);
    r = load(as_yaml, as_yaml ? "y: []\n" : R"({"y": []})", s);
    EXPECT_TRUE(r.ok) << r.all_errors();
  }
}

TEST(FactsJson, ArenaIsReusedBetweenDocuments) {
  FactsDocument doc;
  std::vector<FactsError> errors;
  FactsContext ctx{&test_schema(), &shanghai(), kUnit};
  ASSERT_TRUE(load_facts_json(minimal(R"("note": "first")"), ctx, doc, errors));
  const std::size_t used = doc.arena.bytes_used();
  ASSERT_TRUE(load_facts_json(minimal(R"("note": "again")"), ctx, doc, errors));
  EXPECT_EQ(doc.arena.bytes_used(), used);
  EXPECT_EQ(str(doc.root->fields[kNote]), "again");
  // A failed load leaves no root behind.
  EXPECT_FALSE(load_facts_json("{", ctx, doc, errors));
  EXPECT_EQ(doc.root, nullptr);
}

TEST(FactsJson, NeverThrowsOnGarbage) {
  FactsContext ctx{&standard_schema(), &shanghai(), kUnit};
  const std::string seed = "{\n  \"referrer\": " + customer_json("u1") +
                           ",\n  \"referrals\": [], \"campaign\": {\"budget_spent\": 1.5, "
                           "\"rewarded_referrers\": 2}, \"now\": \"2026-12-08T10:00:00Z\"}";
  std::mt19937 rng(12345);
  FactsDocument doc;
  for (int i = 0; i < 3000; ++i) {
    std::string text = seed;
    const int edits = 1 + static_cast<int>(rng() % 4);
    for (int k = 0; k < edits; ++k) {
      const std::size_t pos = rng() % text.size();
      switch (rng() % 4) {
        case 0:
          text[pos] = static_cast<char>(rng() % 256);
          break;
        case 1:
          text.erase(pos, 1 + rng() % 8);
          break;
        case 2:
          text.insert(pos, 1, "{}[]\",:\\0e-."[rng() % 12]);
          break;
        default:
          text.insert(pos, text.substr(rng() % text.size(), rng() % 16));
          break;
      }
      if (text.empty()) text = "{";
    }
    std::vector<FactsError> errors;
    bool ok = false;
    EXPECT_NO_THROW(ok = load_facts_json(text, ctx, doc, errors)) << text;
    EXPECT_EQ(ok, errors.empty()) << text;
    for (const auto& e : errors) {
      EXPECT_GE(e.line, 1u);
      EXPECT_GE(e.column, 1u);
      EXPECT_FALSE(e.message.empty());
    }
    errors.clear();
    EXPECT_NO_THROW(ok = load_facts_yaml(text, ctx, doc, errors)) << text;
    EXPECT_EQ(ok, errors.empty()) << text;
  }
}

// ---------------------------------------------------------------------------------------------
// YAML

TEST(FactsYaml, EveryTypeConverts) {
  const Loaded r = yaml(
      "flag: true\n"
      "count: -42\n"
      "ratio: 0.1\n"
      "spend: 1977.03\n"
      "name: yes\n"
      "day: 2026-12-08\n"
      "at: 2026-12-08T10:00:00\n"
      "wait: 72 hours\n"
      "tags: [a, \"b\", 3]\n"
      "scores:\n"
      "  - 1\n"
      "  - -2\n"
      "note: ~\n"
      "child: {amount: \"12.50\", when: 2024-02-29}\n"
      "children:\n"
      "  - amount: 1.5e2\n"
      "  - amount: -0.001\n"
      "    when:\n");
  ASSERT_TRUE(r.ok) << r.all_errors();
  EXPECT_EQ(get<bool>(r.at("flag")), true);
  EXPECT_EQ(get<std::int64_t>(r.at("count")), -42);
  expect_decimal(r.at("ratio"), 1, 1);
  expect_money(r.at("spend"), 197703, 2);
  EXPECT_EQ(str(r.at("name")), "yes");  // read as the string field expects
  EXPECT_EQ(get<Date>(r.at("day")).days, kDay2026Dec8);
  EXPECT_EQ(get<DateTime>(r.at("at")).utc_seconds, kMidnight2026Dec8Utc + 2 * kHour);
  EXPECT_EQ(get<Duration>(r.at("wait")), (Duration{72 * 3600, 0}));
  const ListV& tags = list(r.at("tags"));
  ASSERT_EQ(tags.size, 3u);
  EXPECT_EQ(str(tags.items[0]), "a");
  EXPECT_EQ(str(tags.items[1]), "b");
  EXPECT_EQ(str(tags.items[2]), "3");
  const ListV& scores = list(r.at("scores"));
  ASSERT_EQ(scores.size, 2u);
  EXPECT_EQ(get<std::int64_t>(scores.items[1]), -2);
  EXPECT_EQ(r.at("note").index(), kAbsent);
  const RecordV& child = record(r.at("child"));
  EXPECT_EQ(child.record, 1);
  expect_money(child.fields[0], 1250, 2);
  EXPECT_EQ(get<Date>(child.fields[1]).days, kDay2024Feb29);
  const ListV& children = list(r.at("children"));
  ASSERT_EQ(children.size, 2u);
  expect_money(record(children.items[0]).fields[0], 150, 0);
  expect_money(record(children.items[1]).fields[0], -1, 3);
  EXPECT_EQ(record(children.items[1]).fields[1].index(), kAbsent);
}

TEST(FactsYaml, ScalarsAreReadAsTheFieldExpects) {
  // Booleans are true/false only (YAML 1.2), not yes/no/on/off.
  Loaded r = yaml("flag: yes\ncount: 1\nname: x\n");
  // `flag: ` is 6 characters: the value is at column 7.
  expect_error(r, "flag", 1, 7, "expected true or false, got \"yes\"");
  r = yaml("flag: True\ncount: 1\nname: x\n");
  ASSERT_TRUE(r.ok) << r.all_errors();
  // A quoted number is text, which a whole number field does not take.
  r = yaml("flag: false\ncount: \"5\"\nname: x\n");
  expect_error(r, "count", 2, 8, "expected a whole number, got the string \"5\"");
  r = yaml("flag: false\ncount: 0x1F\nname: x\n");
  expect_error(r, "count", 2, 8, "expected a whole number, got \"0x1F\"");
  // Numbers and names are taken as written: `1_000` is not a number, `null` is no value.
  r = yaml("flag: false\ncount: 1\nname: 007\nratio: \"2.50\"\nnote: 'null'\n");
  ASSERT_TRUE(r.ok) << r.all_errors();
  EXPECT_EQ(str(r.at("name")), "007");
  expect_decimal(r.at("ratio"), 250, 2);
  EXPECT_EQ(str(r.at("note")), "null");
  r = yaml("flag: false\ncount: 1\nname: x\nratio: 1_000\n");
  expect_error(r, "ratio", 4, 8, "expected a number, got \"1_000\"");
}

TEST(FactsYaml, RequiredOptionalAndNull) {
  // Missing: at the mapping (which starts at its first key).
  Loaded r = yaml("flag: true\n");
  ASSERT_EQ(r.errors.size(), 2u) << r.all_errors();
  expect_error(r, "count", 1, 1, "missing required field `count`");
  expect_error(r, "name", 1, 1, "missing required field `name`");
  // Null or empty: at the key, since an empty value has no position of its own.
  r = yaml("flag:\ncount: ~\nname: x\n");
  ASSERT_EQ(r.errors.size(), 2u) << r.all_errors();
  expect_error(r, "flag", 1, 1, "missing required field `flag` (it is null)");
  expect_error(r, "count", 2, 1, "missing required field `count` (it is null)");
  r = yaml("flag: true\ncount: 1\nname: x\nnote: null\nchild:\n");
  ASSERT_TRUE(r.ok) << r.all_errors();
  EXPECT_EQ(r.at("note").index(), kAbsent);
  EXPECT_EQ(r.at("child").index(), kAbsent);
}

TEST(FactsYaml, StandardSchemaNestedPaths) {
  const std::string customer =
      "{id: u2, kind: purchase, segment: new, registered_at: 2026-01-01T00:00:00Z, "
      "order_count: 0, total_spend: 0, service_completed: false, previous_campaigns: 0, "
      "shares: 0}";
  const std::string text =
      "referrer:\n"
      "  id: u1\n"
      "  kind: purchase\n"
      "  segment: yes\n"
      "  registered_at: 2026-01-01T00:00:00Z\n"
      "  order_count: 3\n"
      "  total_spend: 100.50\n"
      "  service_completed: yes\n"
      "  previous_campaigns: 0\n"
      "  shares: 1\n"
      "referrals:\n"
      "  - id: r1\n"
      "    referee: " +
      customer +
      "\n"
      "    bound_at: 2026-12-01T10:00:00\n"
      "    channel: link\n"
      "    orders: []\n"
      "  - id: r2\n"
      "    referee: " +
      customer +
      "\n"
      "    bound_at: 2026-12-01T10:00:00\n"
      "    channel: link\n"
      "    orders: []\n"
      "    first_order:\n"
      "      id: o1\n"
      "      placed_at: 2026-12-01T10:00:00\n"
      "      amount: a lot\n"
      "      refunded: false\n"
      "      returned: false\n"
      "      exchanged: false\n"
      "campaign: {budget_spent: 0, rewarded_referrers: 0}\n"
      "now: 2026-12-08T10:00:00Z\n";
  const Loaded r = yaml(text, standard_schema());
  ASSERT_FALSE(r.ok);
  ASSERT_EQ(r.errors.size(), 2u) << r.all_errors();
  // Line 8: `  service_completed: ` is 21 characters, the value at 22.
  expect_error(r, "referrer.service_completed", 8, 22, "expected true or false, got \"yes\"");
  // Line 25: `      amount: ` is 14 characters, the value at 15.
  expect_error(r, "referrals[1].first_order.amount", 25, 15,
               "expected an amount (a number), got \"a lot\"");

  std::string fixed = text;
  fixed.replace(fixed.find("a lot"), 5, "89.28");
  fixed.replace(fixed.find("service_completed: yes"), 22, "service_completed: true");
  const Loaded ok = yaml(fixed, standard_schema());
  ASSERT_TRUE(ok.ok) << ok.all_errors();
  ASSERT_TRUE(ok.doc->now.has_value());
  EXPECT_EQ(ok.doc->now->utc_seconds, kMidnight2026Dec8Utc + 10 * kHour);
  const Schema& s = standard_schema();
  const RecordV& referrer = record(ok.at("referrer"));
  const RecordInfo& customer_info = s.records[static_cast<std::size_t>(s.find("Customer"))];
  EXPECT_EQ(str(referrer.fields[customer_info.index_of("segment")]), "yes");
  expect_money(referrer.fields[customer_info.index_of("total_spend")], 10050, 2);
  EXPECT_EQ(list(ok.at("referrals")).size, 2u);
}

TEST(FactsYaml, UnknownKeysAnchorsAndDuplicates) {
  Loaded r = yaml(
      "flag: true\n"
      "extra: {a: [1, {b: ~}], c: yes}\n"
      "count: 1\n"
      "name: x\n"
      "child: &c {amount: 1, zzz: [[x]]}\n");
  ASSERT_TRUE(r.ok) << r.all_errors();  // an anchor alone is fine
  r = yaml("flag: true\ncount: 1\nname: x\nflag: false\n");
  expect_error(r, "flag", 4, 1, "duplicate key `flag`");
}

TEST(FactsYaml, PaidAtTopLevel) {
  Loaded r = yaml("flag: true\ncount: 1\nname: x\npaid:\n  k2: \"12.50\"\n  k1: 3\n  k3: ~\n  k4:\n");
  ASSERT_TRUE(r.ok) << r.all_errors();
  ASSERT_EQ(r.doc->paid.size(), 4u);
  expect_paid(r, 0, "k1", 3, 0);
  expect_paid(r, 1, "k2", 1250, 2);
  expect_paid(r, 2, "k3", 0, 0);
  expect_paid(r, 3, "k4", 0, 0);
  r = yaml("flag: true\ncount: 1\nname: x\npaid:\n");
  ASSERT_TRUE(r.ok) << r.all_errors();
  EXPECT_TRUE(r.doc->paid.empty());
  r = yaml("flag: true\ncount: 1\nname: x\npaid: {}\n");
  ASSERT_TRUE(r.ok) << r.all_errors();
  EXPECT_TRUE(r.doc->paid.empty());

  // Line 4: `paid: ` is 6 characters, the value at 7.
  r = yaml("flag: true\ncount: 1\nname: x\npaid: [1]\n");
  expect_error(r, "paid", 4, 7, "expected an object from reward keys to what was paid for each, got a list");
  EXPECT_TRUE(r.doc->paid.empty());
  r = yaml("flag: true\ncount: 1\nname: x\npaid: 5\n");
  expect_error(r, "paid", 4, 7, "expected an object from reward keys to what was paid for each, got \"5\"");
  // Line 5: `  k: ` is 5 characters, the amount at 6.
  r = yaml("flag: true\ncount: 1\nname: x\npaid:\n  k: abc\n");
  expect_error(r, "paid.\"k\"", 5, 6, "expected an amount");
  r = yaml("flag: true\ncount: 1\nname: x\npaid:\n  k: {x: 1}\n");
  expect_error(r, "paid.\"k\"", 5, 6, "expected an amount");
  r = yaml("flag: true\ncount: 1\nname: x\npaid:\n  k: -1\n");
  expect_error(r, "paid.\"k\"", 5, 6, "what was paid cannot be negative");
  // After a key that is an alias or a mapping, the error names no key of `paid` (line 6: the
  // alias at column 3; line 7: `? [b]` is a key, its value `*n` at column 5).
  r = yaml("flag: true\ncount: 1\nname: &n x\npaid:\n  a: 1\n  *n : 2\n");
  expect_error(r, "paid", 6, 3, "YAML aliases (`*name`) are not allowed in facts");
  r = yaml("flag: true\ncount: 1\nname: &n x\npaid:\n  a: 1\n  ? [b]\n  : *n\n");
  expect_error(r, "paid", 7, 5, "YAML aliases (`*name`) are not allowed in facts");
  r = yaml("flag: true\ncount: 1\nname: x\npaid:\n  \"\": 1\n");
  expect_error(r, "paid.\"\"", 5, 3, "a reward key cannot be empty");
  r = yaml("flag: true\ncount: 1\nname: x\npaid:\n  a: 1\n  b: 2\n  a: 3\n");
  expect_error(r, "paid.\"a\"", 7, 3, "duplicate key `a`");
  ASSERT_EQ(r.errors.size(), 1u) << r.all_errors();
  r = yaml("flag: true\ncount: 1\nname: x\npaid: {}\npaid: {a: 1}\n");
  expect_error(r, "paid", 5, 1, "duplicate key `paid`");
  r = yaml("flag: true\ncount: 1\nname: x\nchild: {amount: 1, paid: 5}\n");
  EXPECT_TRUE(r.ok) << r.all_errors();
  EXPECT_TRUE(r.doc->paid.empty());
}

TEST(FactsYaml, AliasesAreRefused) {
  const Loaded r = yaml("flag: &f true\ncount: 1\nname: x\nchild: {amount: 1}\nnote: *f\n");
  // Line 5: `note: ` is 6 characters, the alias at 7.
  expect_error(r, "note", 5, 7, "YAML aliases (`*name`) are not allowed in facts");
}

TEST(FactsYaml, BillionLaughsIsRejectedQuickly) {
  std::string text = "flag: true\ncount: 1\nname: x\n";
  text += "l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n";
  for (int i = 1; i < 10; ++i) {
    const std::string prev = "*l" + std::to_string(i - 1);
    text += "l" + std::to_string(i) + ": &l" + std::to_string(i) + " [";
    for (int k = 0; k < 10; ++k) text += (k == 0 ? "" : ", ") + prev;
    text += "]\n";
  }
  text += "tags: *l9\n";  // 10^10 strings if expanded
  const auto start = std::chrono::steady_clock::now();
  const Loaded r = yaml(text);
  EXPECT_LT(seconds_since(start), 1.0);
  ASSERT_FALSE(r.ok);
  EXPECT_EQ(r.errors.size(), 20u);  // every alias is an error; the loader stops at twenty
  for (const auto& e : r.errors) {
    EXPECT_EQ(e.message, "YAML aliases (`*name`) are not allowed in facts");
  }
}

TEST(FactsYaml, DeepNestingIsRejectedQuickly) {
  const std::string open(100000, '[');
  const std::string close(100000, ']');
  const auto start = std::chrono::steady_clock::now();
  Loaded r = yaml("deep: " + open + close + "\n");
  EXPECT_LT(seconds_since(start), 1.0);
  ASSERT_EQ(r.errors.size(), 1u) << r.all_errors();
  // `deep: ` is 6 characters: the first `[` is at 7, the 64th (level 65) at 70.
  EXPECT_EQ(r.errors[0].line, 1u);
  EXPECT_EQ(r.errors[0].column, 70u);
  EXPECT_EQ(r.errors[0].message, "nesting too deep: more than 64 levels of lists and objects");
  // Block style nests as well.
  std::string block;
  for (int i = 0; i < 200; ++i) block += std::string(static_cast<std::size_t>(2 * i), ' ') + "a:\n";
  r = yaml(block);
  ASSERT_FALSE(r.ok);
  EXPECT_EQ(r.errors.back().message, "nesting too deep: more than 64 levels of lists and objects");
}

TEST(FactsYaml, ListLengthIsLimited) {
  std::string items = "0";
  for (std::size_t i = 0; i < kMaxFactsListItems; ++i) items += ",0";
  const Loaded r = yaml("flag: true\ncount: 1\nname: x\nscores: [" + items + "]\n");
  // Line 4: `scores: ` is 8 characters, `[` at 9.
  expect_error(r, "scores", 4, 9, "list too long: 100001 items (the limit is 100000)");
}

TEST(FactsYaml, SyntaxErrorsAndOtherShapes) {
  // `tags: [a, b]` is 12 characters; the stray `]` is at 13.
  Loaded r = yaml("tags: [a, b]]\n");
  ASSERT_EQ(r.errors.size(), 1u) << r.all_errors();
  EXPECT_EQ(r.errors[0].line, 1u);
  EXPECT_EQ(r.errors[0].column, 13u);
  EXPECT_EQ(r.errors[0].message, "invalid YAML: illegal flow end");
  // A list item where a key should be.
  r = yaml("flag: true\ncount: 1\n- x\n");
  ASSERT_EQ(r.errors.size(), 1u) << r.all_errors();
  EXPECT_EQ(r.errors[0].line, 3u);
  EXPECT_EQ(r.errors[0].column, 1u);
  EXPECT_EQ(r.errors[0].message, "invalid YAML: end of map not found");

  r = yaml("- 1\n- 2\n");
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].message, "expected a mapping holding the facts, got a list");
  r = yaml("");
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].message, "the document is empty: expected a mapping holding the facts");
  r = yaml("# nothing\n");
  ASSERT_EQ(r.errors.size(), 1u);
  r = yaml("flag: true\ncount: 1\nname: x\n---\nflag: false\n");
  ASSERT_EQ(r.errors.size(), 1u) << r.all_errors();
  EXPECT_EQ(r.errors[0].line, 4u);
  EXPECT_EQ(r.errors[0].message, "expected one YAML document, found a second one (`---`)");
}

TEST(FactsYaml, InvalidUtf8HasALocation) {
  // Line 2: `name: ` 1-6, `é` 7, the bad byte at 8.
  const Loaded r = yaml("flag: true\nname: \xc3\xa9\xfe\ncount: 1\n");
  ASSERT_EQ(r.errors.size(), 1u) << r.all_errors();
  EXPECT_EQ(r.errors[0].line, 2u);
  EXPECT_EQ(r.errors[0].column, 8u);
  EXPECT_EQ(r.errors[0].message, "invalid UTF-8: byte 0xfe cannot appear here");
}

TEST(FactsYaml, ByteOrderMarkIsSkipped) {
  const Loaded r = yaml(
      "\xef\xbb\xbf"
      "flag: yes\ncount: 1\nname: x\n");
  // The mark is not a column: `flag: ` puts the value at 7.
  expect_error(r, "flag", 1, 7, "expected true or false");
  const Loaded j = json("\xef\xbb\xbf" + minimal());
  EXPECT_TRUE(j.ok) << j.all_errors();
}

TEST(FactsErrors, Rendering) {
  EXPECT_EQ(
      render_facts_error("facts.json", FactsError{"referrals[3].first_order.amount", 12, 5,
                                                  "expected an amount (a number), got a string"}),
      "facts.json:12:5: error: referrals[3].first_order.amount: expected an amount (a "
      "number), got a string");
  EXPECT_EQ(render_facts_error("facts.yaml", FactsError{"", 1, 1, "the document is empty"}),
            "facts.yaml:1:1: error: the document is empty");
}


// load_facts_json_record with fields left to the caller (`caller_fills`): of the object read
// only, their values are not read (but must be well-formed JSON), and they are not required.
TEST(FactsJsonRecord, FieldsLeftToTheCallerAreSkippedAndNotRequired) {
  const Schema& schema = test_schema();
  FactsContext ctx{&schema, &shanghai(), kUnit};
  Arena arena;
  std::vector<FactsError> errors;
  const RecordV* out = nullptr;
  const std::uint64_t fills = std::uint64_t{1} << kCount | std::uint64_t{1} << kChild;
  // `count` is required and missing; `child` holds a value of the wrong type: both the caller's.
  ASSERT_TRUE(load_facts_json_record(R"({"flag":true,"name":"n","child":"not a record"})", ctx, 0, 1, arena,
                                     out, errors, fills));
  ASSERT_NE(out, nullptr);
  EXPECT_EQ(out->fields[kFlag].index(), kBool);
  EXPECT_EQ(out->fields[kCount].index(), kAbsent);
  EXPECT_EQ(out->fields[kChild].index(), kAbsent);
  // Without them left to the caller, both are errors, in the order of their places: the missing
  // field at the object's start, then the child's value.
  EXPECT_FALSE(load_facts_json_record(R"({"flag":true,"name":"n","child":"not a record"})", ctx, 0, 1, arena,
                                      out, errors));
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(errors[0].path, "count");
  EXPECT_EQ(errors[1].path, "child");
  // A value left to the caller must still be JSON.
  errors.clear();
  EXPECT_FALSE(load_facts_json_record(R"({"flag":true,"name":"n","count":[1,}"})", ctx, 0, 1, arena, out, errors,
                                      fills));
  EXPECT_FALSE(errors.empty());
  // Only the object read is concerned: in a child, field 0 (`amount`) is still read and required.
  errors.clear();
  EXPECT_FALSE(load_facts_json_record(R"({"flag":true,"count":1,"name":"n","children":[{"when":"2026-12-08"}]})",
                                      ctx, 0, 1, arena, out, errors, std::uint64_t{1} << 0 | fills));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].path, "children[0].amount");
}

}  // namespace
}  // namespace refpol
