// Loading `*.test.yaml` files (interpreter/testing/test_file): the format of docs/testing.md,
// policy discovery, and every mistake reported at its line and column.
#include "interpreter/testing/test_file.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "interpreter/testing/runner.hpp"
#include "tests/support/test_support.hpp"

namespace refpol::policytest {
namespace {

namespace fs = std::filesystem;

// A scratch folder per test process: policy discovery looks at real folders.
class PolicyTestFile : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("refpol-testfile-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "tests");
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Loads `text` as `dir_/tests/a.test.yaml`.
  TestFile load(const std::string& text) {
    return parse_test_file((dir_ / "tests" / "a.test.yaml").string(), text);
  }

  fs::path dir_;
};

struct Seen {
  std::string message;
  std::uint32_t line = 0, column = 0;
  std::string hint;
};

std::vector<Seen> seen(const Diagnostics& ds) {
  std::vector<Seen> out;
  for (const auto& d : ds.items()) {
    auto pos = d.source->position(d.span.begin);
    out.push_back(Seen{d.message, pos.line, pos.column, d.hint});
  }
  return out;
}

TEST_F(PolicyTestFile, LoadsEveryPartOfTheFormat) {
  fs::path path = testing::source_dir() / "tests/testing/fixtures/shop/tests/basic.test.yaml";
  TestFile f = load_test_file(path.string());
  ASSERT_FALSE(f.problems.has_errors()) << render_text(f.problems);
  EXPECT_EQ(f.policy, (testing::source_dir() / "tests/testing/fixtures/shop/policy.refpol")
                          .lexically_normal()
                          .generic_string());
  ASSERT_EQ(f.cases.size(), 4u);

  const TestCase& first = f.cases[0];
  EXPECT_EQ(first.name, "two qualified referrals reach the silver tier");
  EXPECT_EQ(f.source->position(first.at.begin).line, 5u);
  EXPECT_EQ(first.now->text, "2027-01-10T12:00:00+08:00");
  EXPECT_EQ(first.facts_form, TestCase::Facts::file);
  EXPECT_EQ(first.facts_file,
            (testing::source_dir() / "tests/testing/fixtures/shop/facts/two_referrals.json")
                .lexically_normal()
                .generic_string());
  const Expectations& x = first.expect;
  EXPECT_EQ(x.referrer->eligible->text, "true");
  EXPECT_TRUE(x.referrer->reasons->items.empty());
  ASSERT_EQ(x.referrals.size(), 5u);
  EXPECT_EQ(x.referrals[2].id, "R-3");
  EXPECT_EQ(x.referrals[2].reasons->items, std::vector<std::string>{"completed"});
  EXPECT_TRUE(x.referrals[2].position->null);
  ASSERT_EQ(x.rewards.size(), 6u);
  ASSERT_EQ(x.rewards[0].fields.size(), 5u);
  EXPECT_EQ(x.rewards[0].fields[2].name, "amount");
  EXPECT_EQ(x.rewards[0].fields[2].value.text, "50 CNY");
  EXPECT_TRUE(x.rewards[1].fields[3].value.null);  // granted_at: null
  EXPECT_EQ(x.absent.size(), 2u);
  EXPECT_TRUE(x.exact);
  ASSERT_EQ(x.outputs.size(), 1u);
  EXPECT_EQ(x.outputs[0].name, "qualified_count");

  EXPECT_FALSE(f.cases[1].now);  // the facts have their own `now`
  EXPECT_FALSE(f.cases[1].expect.exact);
  EXPECT_EQ(f.cases[3].facts_form, TestCase::Facts::inline_mapping);
  EXPECT_TRUE(f.cases[3].facts_node.IsMap());
}

TEST_F(PolicyTestFile, UnknownKeysAreErrorsWithLineAndColumn) {
  TestFile f = load(
      "policy: ../p.refpol\n"
      "cases:\n"
      "  - name: one\n"
      "    fatcs: x.json\n"
      "    expect:\n"
      "      rewards:\n"
      "        - { rule: welcome, recipiant: C-2 }\n"
      "      absent: [{ zzz: 1 }]\n");
  EXPECT_FALSE(f.problems.has_errors());
  ASSERT_EQ(f.cases.size(), 1u);
  auto s = seen(f.cases[0].problems);
  ASSERT_EQ(s.size(), 3u) << render_text(f.cases[0].problems);
  EXPECT_EQ(s[0].message, "unknown key `fatcs` in a case");
  EXPECT_EQ(s[0].line, 4u);
  EXPECT_EQ(s[0].column, 5u);
  EXPECT_EQ(s[0].hint, "did you mean `facts`?");
  EXPECT_EQ(s[1].message, "unknown key `recipiant` in a reward");
  EXPECT_EQ(s[1].line, 7u);
  EXPECT_EQ(s[1].column, 28u);
  EXPECT_EQ(s[1].hint, "did you mean `recipient`?");
  EXPECT_EQ(s[2].message, "unknown key `zzz` in a reward");
  EXPECT_EQ(s[2].line, 8u);
  EXPECT_EQ(s[2].column, 18u);
  EXPECT_EQ(s[2].hint.substr(0, 30), "a reward takes `rule`, `tier`,");
}

TEST_F(PolicyTestFile, ColumnsCountCodePoints) {
  TestFile f =
      load("policy: p.refpol\ncases:\n  - { name: 老友, facts: f.json, expect: { bad: 1 } }\n");
  auto s = seen(f.cases[0].problems);
  ASSERT_EQ(s.size(), 1u);
  // `  - { name: 老友, facts: f.json, expect: { ` is 41 code points (but 45 bytes).
  EXPECT_EQ(s[0].column, 42u);
}

TEST_F(PolicyTestFile, FileLevelMistakes) {
  auto s = seen(load("polcy: p.refpol\n").problems);
  ASSERT_EQ(s.size(), 3u);
  EXPECT_EQ(s[0].message, "unknown key `polcy` in the test file");
  EXPECT_EQ(s[0].hint, "did you mean `policy`?");
  EXPECT_EQ(s[1].message,
            "the test file names no `policy`, and there is no `.refpol` file next to it or in its "
            "parent folder");
  EXPECT_EQ(s[2].message, "the test file has no `cases`");

  s = seen(load("policy: p.refpol\ncases: []\n").problems);
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s[0].message, "`cases` is empty");
  EXPECT_EQ(s[0].line, 2u);
  EXPECT_EQ(s[0].column, 8u);

  s = seen(load("policy: p.refpol\ncases:\n  - name: [1, 2\n").problems);
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s[0].message, "invalid YAML: end of sequence flow not found");

  s = seen(load("policy: p.refpol\ncases: []\n---\nb: 1\n").problems);
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s[0].message, "a test file holds one YAML document, but this is a second one (after `---`)");
  EXPECT_EQ(s[0].line, 4u);

  s = seen(load("- just\n- a list\n").problems);
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s[0].message,
            "a test file is a mapping with `cases` (and optionally `policy`), not a list");
}

TEST_F(PolicyTestFile, RepeatedKeysPointAtTheSecond) {
  TestFile f = load("policy: p.refpol\ncases:\n  - name: a\n    facts: f.json\n    name: b\n");
  ASSERT_EQ(f.cases[0].problems.items().size(), 1u);
  const Diagnostic& d = f.cases[0].problems.items()[0];
  EXPECT_EQ(d.message, "`name` is given twice in a case");
  EXPECT_EQ(d.source->position(d.span.begin).line, 5u);
  ASSERT_EQ(d.notes.size(), 1u);
  EXPECT_EQ(d.notes[0], "first given on line 3");
}

TEST_F(PolicyTestFile, ValuesAreCheckedWhenLoading) {
  TestFile f = load(
      "policy: p.refpol\n"
      "cases:\n"
      "  - name: a\n"
      "    now: tomorrow\n"
      "    facts: f.json\n"
      "    expect:\n"
      "      referrer: { eligible: maybe }\n"
      "      referrals: { R-1: { status: qualifed, position: 0 } }\n"
      "      rewards:\n"
      "        - { amount: fifty, status: paid, kind: voucher, due_by: soon, capped: 1 }\n"
      "      exact: sometimes\n");
  auto s = seen(f.cases[0].problems);
  std::vector<std::string> messages;
  for (const auto& x : s) messages.push_back(fmt::format("{}:{}: {}", x.line, x.column, x.message));
  EXPECT_EQ(
      messages,
      (std::vector<std::string>{
          "4:10: `tomorrow` is not a date-time: expected a date-time like "
          "2026-12-08T10:00:00+08:00",
          "7:29: `eligible` must be `true` or `false`, not `maybe`",
          "8:35: `qualifed` is not a referral status",
          "8:55: `position` must be a whole number from 1, or `null`, not `0`",
          "10:21: `fifty` is not an amount",
          "10:36: `paid` is not a reward status",
          "10:48: `voucher` is not a reward kind",
          "10:65: `soon` is not a date-time: expected a date-time like 2026-12-08T10:00:00+08:00",
          "10:79: `capped` must be `true` or `false`, not `1`",
          "11:14: `exact` must be `true` or `false`, not `sometimes`",
      }));
  EXPECT_EQ(s[2].hint, "did you mean `qualified`?");
}

TEST_F(PolicyTestFile, AnErrorCaseChecksNothingElse) {
  TestFile f = load(
      "policy: p.refpol\ncases:\n  - name: a\n    facts: f.json\n    expect: { error: overflow, "
      "rewards: [] }\n");
  auto s = seen(f.cases[0].problems);
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s[0].message, "`rewards` cannot be checked in a case that expects an `error`");
}

TEST_F(PolicyTestFile, CasesNeedANameAndFacts) {
  TestFile f =
      load("policy: p.refpol\ncases:\n  - now: 2027-01-01T00:00:00Z\n  - name: b\n  - just text\n");
  ASSERT_EQ(f.cases.size(), 3u);
  EXPECT_EQ(seen(f.cases[0].problems)[0].message, "case 1 has no `name`");
  EXPECT_EQ(seen(f.cases[1].problems)[0].message, "case `b` has no `facts`");
  EXPECT_EQ(seen(f.cases[2].problems)[0].message,
            "a case must be a mapping with `name`, `facts` and `expect`, not a single value");
}

TEST_F(PolicyTestFile, SkipTakesAReasonOrABoolean) {
  TestFile f = load(
      "policy: p.refpol\ncases:\n"
      "  - { name: a, facts: f.json, skip: \"waiting for the budget\" }\n"
      "  - { name: b, facts: f.json, skip: true }\n"
      "  - { name: c, facts: f.json, skip: false }\n"
      "  - { name: d, facts: f.json, skip: }\n");
  ASSERT_EQ(f.cases.size(), 4u);
  EXPECT_TRUE(f.cases[0].skip);
  EXPECT_EQ(f.cases[0].skip_reason, "waiting for the budget");
  EXPECT_TRUE(f.cases[1].skip);
  EXPECT_EQ(f.cases[1].skip_reason, "");
  EXPECT_FALSE(f.cases[2].skip);
  EXPECT_TRUE(f.cases[3].skip);
}

TEST_F(PolicyTestFile, PolicyIsFoundNextToTheFileOrInItsParent) {
  testing::write_text(dir_ / "campaign.refpol", "");
  TestFile f = load("cases:\n  - { name: a, facts: f.json }\n");
  EXPECT_FALSE(f.problems.has_errors()) << render_text(f.problems);
  EXPECT_EQ(f.policy, (dir_ / "campaign.refpol").lexically_normal().generic_string());

  testing::write_text(dir_ / "tests" / "local.refpol", "");
  EXPECT_EQ(load("cases:\n  - { name: a, facts: f.json }\n").policy,
            (dir_ / "tests" / "local.refpol").generic_string());

  testing::write_text(dir_ / "tests" / "other.refpol", "");
  auto s = seen(load("cases:\n  - { name: a, facts: f.json }\n").problems);
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s[0].message, fmt::format("the test file names no `policy`, and `{}` holds 2 policies: "
                                      "`local.refpol` and `other.refpol`",
                                      (dir_ / "tests").generic_string()));
}

TEST_F(PolicyTestFile, NoPolicyAnywhereIsAnError) {
  auto s = seen(load("cases:\n  - { name: a, facts: f.json }\n").problems);
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s[0].message,
            "the test file names no `policy`, and there is no `.refpol` file next to it or in its "
            "parent folder");
}

TEST(PolicyTestValues, Amounts) {
  std::string n, u;
  EXPECT_TRUE(parse_amount_text("50.00 CNY", n, u));
  EXPECT_EQ(n, "50.00");
  EXPECT_EQ(u, "CNY");
  EXPECT_TRUE(parse_amount_text("500 points", n, u));
  EXPECT_EQ(u, "points");
  EXPECT_TRUE(parse_amount_text("20%", n, u));
  EXPECT_EQ(n, "20");
  EXPECT_EQ(u, "%");
  EXPECT_TRUE(parse_amount_text("12.5 %", n, u));
  EXPECT_EQ(n, "12.5");
  EXPECT_TRUE(parse_amount_text("50", n, u));
  EXPECT_EQ(u, "");
  EXPECT_FALSE(parse_amount_text("fifty", n, u));
  EXPECT_FALSE(parse_amount_text("50 C N Y", n, u));
  EXPECT_FALSE(parse_amount_text("CNY 50", n, u));
}

TEST(PolicyTestValues, InlineFactsKeepQuotedScalarsQuoted) {
  YAML::Node n = YAML::Load(
      "{id: \"0042\", orders: 5, at: 2027-01-01T00:00:00Z, name: 老友, tags: [a, 'b'], none: ~}");
  EXPECT_EQ(inline_facts_text(n),
            "{id: \"0042\", orders: 5, at: \"2027-01-01T00:00:00Z\", name: \"老友\", tags: [a, "
            "\"b\"], none: null}");
}

TEST(PolicyTestValues, Filters) {
  EXPECT_TRUE(filter_matches("tier", "wrong tier"));
  EXPECT_FALSE(filter_matches("Tier", "wrong tier"));
  EXPECT_TRUE(filter_matches("*tier", "wrong tier"));
  EXPECT_FALSE(filter_matches("wrong*x", "wrong tier"));
  EXPECT_TRUE(filter_matches("w?ong *", "wrong tier"));
}

}  // namespace
}  // namespace refpol::policytest
