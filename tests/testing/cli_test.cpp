// The contract of `refpol test` (docs/testing.md), through the real binary: exit codes 0/1/2,
// the exact last line, --filter, --junit XML and --lcov contents, and the repository's own
// policy tests. The fixtures are in tests/testing/fixtures/; runner_test.cpp works out by hand
// what the `shop` policy decides for them.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <regex>
#include <sstream>

#include "tests/support/test_support.hpp"

namespace refpol {
namespace {

namespace fs = std::filesystem;
using testing::run_refpol;

const std::string kShop = "tests/testing/fixtures/shop";
const std::string kFailing = "tests/testing/fixtures/failing/failing.yaml";

std::string last_line(const std::string& text) {
  std::string t = text;
  if (!t.empty() && t.back() == '\n') t.pop_back();
  return t.substr(t.rfind('\n') == std::string::npos ? 0 : t.rfind('\n') + 1);
}

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

class PolicyTestCli : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("refpol-test-cli-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

TEST_F(PolicyTestCli, AllPassingExitsZero) {
  auto r = run_refpol({"test", kShop});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.err, "");
  EXPECT_EQ(last_line(r.out), "5 passed, 0 failed, 1 skipped");
  EXPECT_TRUE(contains(
      r.out,
      "SKIP tests/testing/fixtures/shop/tests/discovered.test.yaml:8:11: not written yet\n"));
}

TEST_F(PolicyTestCli, AnyFailureExitsOne) {
  auto r = run_refpol({"test", kFailing});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_EQ(last_line(r.out), "1 passed, 3 failed, 1 skipped");
  EXPECT_TRUE(contains(r.out,
                       "FAIL tests/testing/fixtures/failing/failing.yaml:4:11: wrong verdicts\n"
                       "  tests/testing/fixtures/failing/failing.yaml:8:29: `referrer.eligible`: "
                       "expected `false`, got `true`\n"));
  EXPECT_TRUE(contains(r.out, "PASS tests/testing/fixtures/failing/failing.yaml:33:11: passes\n"));
  EXPECT_TRUE(contains(r.out,
                       "SKIP tests/testing/fixtures/failing/failing.yaml:37:11: waiting for gold "
                       "(the gold tier needs five referrals)\n"));
}

TEST_F(PolicyTestCli, TheLastLineIsAlwaysTheSummary) {
  const std::regex summary(R"(^[0-9]+ passed, [0-9]+ failed(, [0-9]+ skipped)?$)");
  for (const auto& args :
       std::vector<std::vector<std::string>>{{"test", kShop},
                                             {"test", kFailing, "--coverage"},
                                             {"test", "tests/testing/fixtures/errors"},
                                             {"test", "nowhere"}}) {
    auto r = run_refpol(args);
    ASSERT_FALSE(r.out.empty());
    EXPECT_EQ(r.out.back(), '\n');
    EXPECT_TRUE(std::regex_match(last_line(r.out), summary)) << r.out;
  }
}

TEST_F(PolicyTestCli, UnknownKeysAreReportedWithLineAndColumn) {
  auto r = run_refpol({"test", "tests/testing/fixtures/errors/unknown_key.yaml"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(contains(r.out,
                       "  tests/testing/fixtures/errors/unknown_key.yaml:9:28: error: unknown key "
                       "`recipiant` in a reward\n"
                       "     9 |         - { rule: welcome, recipiant: C-2 }\n"
                       "       |                            ^~~~~~~~~\n"
                       "        hint: did you mean `recipient`?\n"))
      << r.out;
  EXPECT_EQ(last_line(r.out), "1 passed, 1 failed");
}

TEST_F(PolicyTestCli, AMissingFactsFileIsAnIoErrorAtItsLine) {
  auto r = run_refpol({"test", "tests/testing/fixtures/errors/missing_facts.yaml"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(contains(
      r.out,
      "tests/testing/fixtures/errors/missing_facts.yaml:6:12: error: the facts file "
      "`tests/testing/fixtures/shop/facts/nowhere.json` cannot be read (does it exist?)\n"))
      << r.out;
  EXPECT_EQ(last_line(r.out), "0 passed, 1 failed");
}

TEST_F(PolicyTestCli, UsageProblemsExitTwo) {
  auto r = run_refpol({"test", "nowhere"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "refpol: error: `nowhere` does not exist\n");
  EXPECT_EQ(r.out, "0 passed, 0 failed\n");

  r = run_refpol({"test", kShop + "/facts"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err,
            "refpol: error: no `*.test.yaml` files found in `tests/testing/fixtures/shop/facts`\n");

  r = run_refpol({"test", "--filter", "no such case", kShop});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "refpol: error: no test case matches --filter `no such case`\n");

  r = run_refpol({"test", "--frobnicate"});
  EXPECT_EQ(r.exit_code, 2);

  r = run_refpol({"test", kShop, "--junit", (dir_ / "no-such-folder" / "junit.xml").string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(contains(r.err, "refpol: error: cannot write `"));
  EXPECT_EQ(last_line(r.out), "5 passed, 0 failed, 1 skipped");
}

TEST_F(PolicyTestCli, FilterSelectsCasesByName) {
  auto r = run_refpol({"test", kFailing, "--filter", "tier"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out.substr(0, r.out.find('\n')),
            "FAIL tests/testing/fixtures/failing/failing.yaml:14:11: wrong tier");
  EXPECT_EQ(last_line(r.out), "0 passed, 1 failed");

  r = run_refpol({"test", kFailing, "--filter", "pass*", "--filter", "*gold"});
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_EQ(r.out,
            "PASS tests/testing/fixtures/failing/failing.yaml:33:11: passes\n"
            "SKIP tests/testing/fixtures/failing/failing.yaml:37:11: waiting for gold (the gold "
            "tier needs five referrals)\n"
            "1 passed, 0 failed, 1 skipped\n");
}

TEST_F(PolicyTestCli, JunitForPassesAndSkips) {
  fs::path xml = dir_ / "junit.xml";
  auto r = run_refpol({"test", "--junit", xml.string(), kShop + "/tests/discovered.test.yaml"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(
      testing::read_text(xml),
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<testsuites name=\"refpol test\" tests=\"2\" failures=\"0\" errors=\"0\" skipped=\"1\">\n"
      "  <testsuite name=\"tests/testing/fixtures/shop/tests/discovered.test.yaml\" tests=\"2\" "
      "failures=\"0\" "
      "errors=\"0\" skipped=\"1\">\n"
      "    <testcase classname=\"tests.testing.fixtures.shop.tests.discovered\" name=\"the "
      "file-wide now applies\" "
      "file=\"tests/testing/fixtures/shop/tests/discovered.test.yaml\" line=\"4\"/>\n"
      "    <testcase classname=\"tests.testing.fixtures.shop.tests.discovered\" name=\"not written "
      "yet\" "
      "file=\"tests/testing/fixtures/shop/tests/discovered.test.yaml\" line=\"8\"><skipped "
      "message=\"\"/></testcase>\n"
      "  </testsuite>\n"
      "</testsuites>\n");
}

TEST_F(PolicyTestCli, JunitForFailuresAndErrors) {
  fs::path xml = dir_ / "junit.xml";
  auto r = run_refpol({"test", "--junit", xml.string(), kFailing,
                       "tests/testing/fixtures/errors/unknown_key.yaml"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(last_line(r.out), "2 passed, 4 failed, 1 skipped");
  std::string x = testing::read_text(xml);
  // failing.yaml: 3 failures, 1 pass, 1 skip; unknown_key.yaml: 1 error (its keys), 1 pass.
  EXPECT_TRUE(contains(
      x,
      "<testsuites name=\"refpol test\" tests=\"7\" failures=\"3\" errors=\"1\" skipped=\"1\">\n"));
  EXPECT_TRUE(contains(x,
                       "  <testsuite name=\"tests/testing/fixtures/failing/failing.yaml\" "
                       "tests=\"5\" failures=\"3\" errors=\"0\" skipped=\"1\">\n"));
  EXPECT_TRUE(contains(x,
                       "  <testsuite name=\"tests/testing/fixtures/errors/unknown_key.yaml\" "
                       "tests=\"2\" failures=\"0\" errors=\"1\" skipped=\"0\">\n"));
  EXPECT_TRUE(contains(
      x,
      "name=\"wrong verdicts\" file=\"tests/testing/fixtures/failing/failing.yaml\" line=\"4\">\n"
      "      <failure message=\"`referrer.eligible`: expected `false`, got `true`\">"
      "tests/testing/fixtures/failing/failing.yaml:8:29: `referrer.eligible`: expected `false`, "
      "got `true`\n"))
      << x;
  EXPECT_TRUE(
      contains(x, "shop/welcome/referee:C-2/R-1: coupon 50.00 CNY &quot;welcome&quot; granted\n"));
  EXPECT_TRUE(contains(
      x,
      "<error message=\"tests/testing/fixtures/errors/unknown_key.yaml:9:28: error: unknown key "
      "`recipiant` in a reward\">"));
  EXPECT_TRUE(contains(x, "<skipped message=\"the gold tier needs five referrals\"/>"));
}

TEST_F(PolicyTestCli, LcovHasPolicyLineNumbers) {
  fs::path info = dir_ / "coverage.info";
  auto r = run_refpol(
      {"test", kShop + "/tests/basic.test.yaml", "--filter", "silver", "--lcov", info.string()});
  EXPECT_EQ(r.exit_code, 0);
  // Without --coverage nothing is printed about it.
  EXPECT_EQ(r.out,
            "PASS tests/testing/fixtures/shop/tests/basic.test.yaml:5:11: two qualified referrals "
            "reach the silver tier\n"
            "1 passed, 0 failed\n");
  // The counts of runner_test.cpp's CoverageCountsEveryOutcome, by policy line.
  EXPECT_EQ(testing::read_text(info),
            "TN:refpol\n"
            "SF:tests/testing/fixtures/shop/policy.refpol\n"
            "FN:48,welcome\nFNDA:3,welcome\n"
            "FN:51,big_spender\nFNDA:1,big_spender\n"
            "FNF:2\nFNH:2\n"
            "BRDA:30,0,0,1\nBRDA:30,0,1,0\n"
            "BRDA:34,1,0,4\nBRDA:34,1,1,1\n"
            "BRDA:38,3,0,4\nBRDA:38,3,1,1\n"
            "BRDA:39,4,0,5\nBRDA:39,4,1,0\n"
            "BRDA:43,2,0,1\nBRDA:43,2,1,4\n"
            "BRDA:52,7,0,1\nBRDA:52,7,1,2\n"
            "BRF:12\nBRH:10\n"
            "DA:30,1\nDA:34,5\nDA:38,5\nDA:39,5\nDA:43,5\nDA:48,3\nDA:51,1\nDA:52,3\n"
            "DA:56,1\nDA:57,1\nDA:58,0\nDA:61,1\n"
            "LF:12\nLH:11\n"
            "end_of_record\n");
}

TEST_F(PolicyTestCli, MinCoverageFailsBelowTheThreshold) {
  // The silver case alone sees 15 of the shop policy's 18 outcomes (docs/testing.md): 83 %.
  auto below = run_refpol({"test", kShop, "--filter", "silver", "--min-coverage", "100"});
  EXPECT_EQ(below.exit_code, 1) << below.out << below.err;
  EXPECT_TRUE(contains(below.out,
                       "coverage of tests/testing/fixtures/shop/policy.refpol is 83% (15 of 18 outcomes), "
                       "below the required 100%\n1 passed, 0 failed\n"))
      << below.out;
  // It implies --coverage: the missing items are listed.
  EXPECT_TRUE(contains(below.out, "tier `gold` of `ladder` was never reached")) << below.out;

  // 15/18 = 83.33 %: 83 is enough, 83.4 is not.
  EXPECT_EQ(run_refpol({"test", kShop, "--filter", "silver", "--min-coverage", "83"}).exit_code, 0);
  EXPECT_EQ(run_refpol({"test", kShop, "--filter", "silver", "--min-coverage", "83.4"}).exit_code, 1);
  EXPECT_EQ(run_refpol({"test", kShop, "--min-coverage", "101"}).exit_code, 2);
}

// CI runs the tests of every policy in the repository through this test: they pass, every
// campaign under policies/ has tests, and nothing in any of them is left unexercised.
TEST_F(PolicyTestCli, RepositoryPoliciesPassWithFullCoverage) {
  auto r = run_refpol({"test", "policies/", "--min-coverage", "100"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_FALSE(contains(r.out, "below the required")) << r.out;
  for (const auto& policy : testing::files_with_suffix(testing::source_dir() / "policies", "policy.refpol")) {
    std::string rel = testing::relative(policy);
    EXPECT_TRUE(contains(r.out, "coverage of " + rel + " ")) << rel << " has no tests";
  }
}

}  // namespace
}  // namespace refpol
