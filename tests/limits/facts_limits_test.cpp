// The facts limits (docs/facts.md#limits), each at exactly its value and one past it, in JSON
// and in YAML, with the exact message, path and position; and the values that are out of range
// rather than too big: amounts that do not fit money, dates outside 0001..9999 or that do not
// exist, invalid UTF-8, YAML aliases. Positions are worked out by hand in the comments.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "interpreter/compile/program.hpp"
#include "interpreter/eval/facts.hpp"
#include "tests/support/test_support.hpp"

namespace refpol {
namespace {

const char* kPolicy = R"(policy "facts-limits" version 1
currency CNY
record Child { amount: money  paid: date? }
facts {
  id: string
  spend: money?
  day: date?
  at: datetime?
  note: string?
  scores: list of int?
  child: Child?
}
)";

const Program& program() {
  static const std::shared_ptr<const Program> p = [] {
    CompileResult c = compile_text(
        (testing::source_dir() / "tests/limits/facts_limits.refpol").string(), kPolicy);
    EXPECT_TRUE(c.program) << render_text(c.diagnostics);
    return c.program;
  }();
  return *p;
}

struct Loaded {
  bool ok = false;
  std::vector<FactsError> errors;
  // Every error rendered as the CLI prints it, one per line.
  std::string text(const std::string& file) const {
    std::string out;
    for (const auto& e : errors) out += render_facts_error(file, e) + "\n";
    return out;
  }
};

Loaded load(bool yaml, const std::string& text) {
  Loaded r;
  FactsContext ctx{&program().policy.schema, &program().zone, 0};
  FactsDocument doc;
  r.ok =
      yaml ? load_facts_yaml(text, ctx, doc, r.errors) : load_facts_json(text, ctx, doc, r.errors);
  EXPECT_EQ(r.ok, r.errors.empty());
  return r;
}
Loaded json(const std::string& text) { return load(false, text); }
Loaded yaml(const std::string& text) { return load(true, text); }

// `{"id": "u", ` is 12 characters: what follows starts at column 13.
std::string json_doc(const std::string& extra) { return "{\"id\": \"u\", " + extra + "}"; }
// Line 1 is `id: u`; `extra` starts line 2.
std::string yaml_doc(const std::string& extra) { return "id: u\n" + extra + "\n"; }

const std::string kNotMoney =
    "expected a number that fits an exact decimal (about 18 significant digits, at most 18 after "
    "the point), got ";

TEST(FactsLimits, DocumentSizeLimitIsExact) {
  std::string text = json_doc("\"note\": \"x\"");
  text.resize(kMaxFactsBytes, ' ');  // trailing spaces are part of the document
  EXPECT_TRUE(json(text).ok);
  text += ' ';
  EXPECT_EQ(json(text).text("f.json"),
            "f.json:1:1: error: document too large: 16777217 bytes (the limit is 16777216)\n");

  std::string y = "id: u\n# ";
  y.resize(kMaxFactsBytes - 1, 'p');
  y += '\n';
  EXPECT_TRUE(yaml(y).ok);
  y += '\n';
  EXPECT_EQ(yaml(y).text("f.yaml"),
            "f.yaml:1:1: error: document too large: 16777217 bytes (the limit is 16777216)\n");
}

TEST(FactsLimits, YamlNestingLimitIsExact) {
  // The root mapping is level 1, so 63 brackets make 64 levels; `deep: ` is 6 characters, so
  // the 64th `[` (level 65) is at column 70. Unknown keys count too (and have no path).
  EXPECT_TRUE(yaml(yaml_doc("deep: " + std::string(63, '[') + std::string(63, ']'))).ok);
  EXPECT_EQ(yaml(yaml_doc("deep: " + std::string(64, '[') + std::string(64, ']'))).text("f.yaml"),
            "f.yaml:2:70: error: nesting too deep: more than 64 levels of lists and objects\n");
}

TEST(FactsLimits, YamlListLengthLimitIsExact) {
  std::string items = "0";
  for (std::size_t i = 1; i < kMaxFactsListItems; ++i) items += ",0";
  EXPECT_TRUE(yaml(yaml_doc("scores: [" + items + "]")).ok);
  // `scores: ` is 8 characters: the `[` is at column 9.
  EXPECT_EQ(yaml(yaml_doc("scores: [" + items + ",0]")).text("f.yaml"),
            "f.yaml:2:9: error: scores: list too long: 100001 items (the limit is 100000)\n");
}

// The top-level `paid` holds at most kMaxFactsListItems rewards, in JSON and YAML.
TEST(FactsLimits, PaidRewardsLimitIsExactInJsonAndYaml) {
  std::string entries = "\"k0\": 1";
  std::string yaml_entries = "k0: 1";
  for (std::size_t i = 1; i < kMaxFactsListItems; ++i) {
    entries += fmt::format(", \"k{}\": 1", i);
    yaml_entries += fmt::format(", k{}: 1", i);
  }
  EXPECT_TRUE(json(json_doc("\"paid\": {" + entries + "}")).ok);
  EXPECT_TRUE(yaml(yaml_doc("paid: {" + yaml_entries + "}")).ok);
  // `"paid": ` is 8 characters from column 13: the `{` is at column 21; in YAML `paid: ` is 6,
  // so column 7 of line 2.
  EXPECT_EQ(json(json_doc("\"paid\": {" + entries + ", \"more\": 1}")).text("f.json"),
            "f.json:1:21: error: paid: too many paid rewards: 100001 (the limit is 100000)\n");
  EXPECT_EQ(yaml(yaml_doc("paid: {" + yaml_entries + ", more: 1}")).text("f.yaml"),
            "f.yaml:2:7: error: paid: too many paid rewards: 100001 (the limit is 100000)\n");
}

TEST(FactsLimits, StringLengthLimitIsExactInJsonAndYaml) {
  const std::string at_limit(kMaxFactsStringBytes, 'x');
  EXPECT_TRUE(json(json_doc("\"note\": \"" + at_limit + "\"")).ok);
  EXPECT_TRUE(yaml(yaml_doc("note: " + at_limit)).ok);
  // `"note":` is columns 13-19: the string is at 21. In YAML `note: ` puts it at 7.
  EXPECT_EQ(json(json_doc("\"note\": \"" + at_limit + "x\"")).text("f.json"),
            "f.json:1:21: error: note: string too long: 65537 bytes (the limit is 65536)\n");
  EXPECT_EQ(yaml(yaml_doc("note: " + at_limit + "x")).text("f.yaml"),
            "f.yaml:2:7: error: note: string too long: 65537 bytes (the limit is 65536)\n");
}

TEST(FactsLimits, AmountsTooLargeForMoneyAreErrorsWithTheirPath) {
  // `"spend":` is columns 13-20: the value is at 22. In YAML `spend: ` puts it at 8.
  for (const std::string number : {"1e30", "99999999999999999999"}) {
    EXPECT_EQ(json(json_doc("\"spend\": " + number)).text("f.json"),
              "f.json:1:22: error: spend: " + kNotMoney + number + "\n");
    EXPECT_EQ(yaml(yaml_doc("spend: " + number)).text("f.yaml"),
              "f.yaml:2:8: error: spend: " + kNotMoney + number + "\n");
    // Inside a record: `"child": {` is columns 13-22, `"amount":` 23-31, the value at 33.
    EXPECT_EQ(json(json_doc("\"child\": {\"amount\": " + number + "}")).text("f.json"),
              "f.json:1:33: error: child.amount: " + kNotMoney + number + "\n");
    // Line 3 is `  amount: ...`: the value is at column 11.
    EXPECT_EQ(yaml(yaml_doc("child:\n  amount: " + number)).text("f.yaml"),
              "f.yaml:3:11: error: child.amount: " + kNotMoney + number + "\n");
  }
  // The exact range of an amount in cents is the 64-bit mantissa: ±92233720368547758.07.
  EXPECT_TRUE(json(json_doc("\"spend\": 92233720368547758.07")).ok);
  EXPECT_TRUE(json(json_doc("\"spend\": -92233720368547758.08")).ok);
  EXPECT_EQ(json(json_doc("\"spend\": 92233720368547758.08")).text("f.json"),
            "f.json:1:22: error: spend: " + kNotMoney + "92233720368547758.08\n");
  EXPECT_EQ(yaml(yaml_doc("spend: -92233720368547758.09")).text("f.yaml"),
            "f.yaml:2:8: error: spend: " + kNotMoney + "-92233720368547758.09\n");
}

TEST(FactsLimits, DatesOutOfRangeAreErrors) {
  // `"day":` is columns 13-18: the string is at 20. In YAML `day: ` puts it at 6.
  struct Case {
    const char* text;
    const char* message;
  };
  const Case cases[] = {
      {"0000-01-01", "expected a date from 0001-01-01 to 9999-12-31, got \"0000-01-01\""},
      {"10000-01-01", "expected a date (YYYY-MM-DD), got \"10000-01-01\""},
      {"2026-02-30", "expected a date (YYYY-MM-DD), got \"2026-02-30\", which does not exist"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(json(json_doc(std::string("\"day\": \"") + c.text + "\"")).text("f.json"),
              std::string("f.json:1:20: error: day: ") + c.message + "\n");
    EXPECT_EQ(yaml(yaml_doc(std::string("day: ") + c.text)).text("f.yaml"),
              std::string("f.yaml:2:6: error: day: ") + c.message + "\n");
  }
  // The first and last days of the range load.
  EXPECT_TRUE(
      json(json_doc(R"("day": "0001-01-01", "child": {"amount": 1, "paid": "9999-12-31"})")).ok);
  EXPECT_TRUE(yaml(yaml_doc("day: 0001-01-01\nchild: {amount: 1, paid: 9999-12-31}")).ok);
  // Date-times too: `"at":` is columns 13-17, the string at 19.
  EXPECT_EQ(json(json_doc(R"("at": "10000-01-01T00:00:00Z")")).text("f.json"),
            "f.json:1:19: error: at: expected a date-time (like 2026-12-08T10:00:00+08:00), got "
            "\"10000-01-01T00:00:00Z\"\n");
  EXPECT_EQ(json(json_doc(R"("at": "0000-12-31T23:00:00Z")")).text("f.json"),
            "f.json:1:19: error: at: expected a date-time (like 2026-12-08T10:00:00+08:00), got "
            "\"0000-12-31T23:00:00Z\": `0000-12-31` is not a valid date\n");
  EXPECT_EQ(yaml(yaml_doc("at: 2026-02-30T10:00:00Z")).text("f.yaml"),
            "f.yaml:2:5: error: at: expected a date-time (like 2026-12-08T10:00:00+08:00), got "
            "\"2026-02-30T10:00:00Z\": `2026-02-30` is not a valid date\n");
}

TEST(FactsLimits, InvalidUtf8IsAnErrorWithItsPosition) {
  // In a nested string of an ignored key: `"child": {"amount": 1, "label": "a` ends at column 46,
  // so the bad byte is at 47. It is a syntax error: the document has no path there.
  EXPECT_EQ(json(json_doc("\"child\": {\"amount\": 1, \"label\": \"a\xff\"}")).text("f.json"),
            "f.json:1:47: error: invalid UTF-8: byte 0xff cannot appear here\n");
  // A truncated sequence in a key: `"` at 13, `n` 14, then 0xe6 0x97 and `"`.
  EXPECT_EQ(json(json_doc("\"n\xe6\x97\": 1")).text("f.json"),
            "f.json:1:15: error: invalid UTF-8: byte 0xe6 cannot appear here\n");
  // YAML: line 3 is `  label: a` + a lone continuation byte at column 11.
  EXPECT_EQ(yaml(yaml_doc("child:\n  label: a\x80\n  amount: 1")).text("f.yaml"),
            "f.yaml:3:11: error: invalid UTF-8: byte 0x80 cannot appear here\n");
}

TEST(FactsLimits, BillionLaughsIsRefusedAtTheFirstAliases) {
  // Ten anchors, each a list of ten aliases of the one before: 10^10 strings if expanded.
  std::string text = "id: u\nl0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n";
  for (int i = 1; i < 10; ++i) {
    text += "l" + std::to_string(i) + ": &l" + std::to_string(i) + " [";
    for (int k = 0; k < 10; ++k) text += (k == 0 ? "*l" : ", *l") + std::to_string(i - 1);
    text += "]\n";
  }
  text += "note: *l9\n";
  const Loaded r = yaml(text);
  ASSERT_FALSE(r.ok);
  // Nothing is expanded: each alias is an error, and reading stops after kMaxFactsErrors.
  ASSERT_EQ(r.errors.size(), 20u);
  // Line 3 is `l1: &l1 [*l0, *l0, ...`: the aliases are at columns 10, 15, 20, ... (in keys the
  // schema ignores, so without a path).
  EXPECT_EQ(render_facts_error("f.yaml", r.errors[0]),
            "f.yaml:3:10: error: YAML aliases (`*name`) are not allowed in facts");
  EXPECT_EQ(render_facts_error("f.yaml", r.errors[19]),
            "f.yaml:4:55: error: YAML aliases (`*name`) are not allowed in facts");
  // The same through the CLI, for a facts file.
  const auto dir = std::filesystem::temp_directory_path();
  const std::string policy =
      (dir / ("refpol-bomb-" + std::to_string(::getpid()) + ".refpol")).string();
  const std::string facts =
      (dir / ("refpol-bomb-" + std::to_string(::getpid()) + ".yaml")).string();
  testing::write_text(policy, kPolicy);
  testing::write_text(facts, text);
  auto cli = testing::run_refpol(
      {"eval", "--policy", policy, "--facts", facts, "--now", "2027-01-01T00:00:00Z"});
  std::filesystem::remove(policy);
  std::filesystem::remove(facts);
  EXPECT_EQ(cli.exit_code, 1);
  EXPECT_EQ(cli.err.substr(0, cli.err.find('\n')),
            facts + ":3:10: error: YAML aliases (`*name`) are not allowed in facts");
}

}  // namespace
}  // namespace refpol
