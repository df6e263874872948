// The contract of `refpol eval` (docs/cli.md), through the real binary: exit codes, JSON lines
// with a bad line in the middle, .jsonl by extension, stdin, --now, YAML, --format text,
// --explain, and byte-identical output. Fixtures are in tests/fixtures/eval/; every expected value
// is worked out by hand from the policy and the facts, in the comments.
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sstream>
#include <string>
#include <vector>

#include "tests/support/test_support.hpp"

namespace refpol {
namespace {

using testing::read_text;
using testing::run_refpol;
using testing::RunResult;
using testing::source_dir;

const std::string kFlat = "bench/flat/policy.refpol";
const std::string kReferral = "tests/fixtures/eval/referral.refpol";
const std::string kReferralFacts = "tests/fixtures/eval/referral.json";

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

// The three benchmark lines of tests/fixtures/eval/flat.jsonl (u0, u1, u2; no `now`).
std::vector<std::string> flat_lines() { return lines_of(read_text(source_dir() / "tests/fixtures/eval/flat.jsonl")); }

// ---------------------------------------------------------------------------------------------
// Exit codes: 0 when every input was decided, 1 when some input had errors (its facts, or its
// evaluation), 2 for usage and I/O problems, a policy with errors among them.

TEST(EvalCliTest, ExitZeroWhenEverythingIsDecided) {
  RunResult r = run_refpol({"eval", "--policy", kReferral, "--facts", kReferralFacts});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  ASSERT_EQ(lines_of(r.out).size(), 1u);
  EXPECT_EQ(r.out.back(), '\n');
  EXPECT_EQ(r.out.rfind("{\"schema\":\"refpol.decision/1\",\"policy\":{\"id\":\"fixture-referral\",\"version\":3,", 0), 0u)
      << r.out;
}

TEST(EvalCliTest, ExitOneForFactsErrors) {
  // `order_count` must be a whole number: line 1 is `{"now": ...`, the referrer's fields start on
  // line 2 (`"referrer": {"id": "u7", ...`), `"order_count": "four"` is on line 3.
  std::string facts =
      "{\"now\": \"2026-12-20T10:00:00Z\",\n"
      " \"referrer\": {\"id\": \"u7\", \"segment\": \"loyal\", \"last_order_days_ago\": 20, \"total_spend\": 900,\n"
      "              \"order_count\": \"four\", \"qualified_referrals\": 3},\n"
      " \"referee\": {\"is_new_customer\": true, \"first_order_amount\": 120, \"first_order_refunded\": false,\n"
      "             \"days_since_first_order\": 9}}\n";
  RunResult r = run_refpol({"eval", "--policy", kFlat, "--facts", "-"}, facts);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "") << "no decision for facts with errors";
  // Column 30: 14 spaces, `"order_count": ` is 15 characters, the value starts after them.
  EXPECT_TRUE(contains(r.err, "-:3:30: error: referrer.order_count: expected a whole number, got a string")) << r.err;
}

TEST(EvalCliTest, ExitOneWhenNowIsMissing) {
  // The benchmark facts carry no `now`, and no --now is given.
  RunResult r = run_refpol({"eval", "--policy", kFlat, "--facts", "-"}, flat_lines()[0] + "\n");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_TRUE(contains(r.err, "no `now`: give a top-level `now` in the facts or --now")) << r.err;
}

TEST(EvalCliTest, ExitTwoForAPolicyWithErrors) {
  RunResult r = run_refpol({"eval", "--policy", "tests/fixtures/eval/broken.refpol", "--facts", kReferralFacts});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.out, "");
  // `total_spent` on line 6: `referrer eligible when referrer.` is 32 characters, so column 33.
  EXPECT_TRUE(contains(r.err, "tests/fixtures/eval/broken.refpol:6:33: error: unknown field `total_spent`")) << r.err;
  EXPECT_TRUE(contains(r.err, "[E102]")) << r.err;
  EXPECT_TRUE(contains(r.err, "total_spend")) << "the suggestion: " << r.err;
}

TEST(EvalCliTest, ExitTwoForMissingFiles) {
  RunResult r = run_refpol({"eval", "--policy", kReferral, "--facts", "tests/fixtures/eval/no-such-facts.json"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.out, "");
  EXPECT_TRUE(contains(r.err, "`tests/fixtures/eval/no-such-facts.json` cannot be read")) << r.err;

  r = run_refpol({"eval", "--policy", "tests/fixtures/eval/no-such-policy.refpol", "--facts", kReferralFacts});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.out, "");
  EXPECT_TRUE(contains(r.err, "[E020]")) << r.err;
}

TEST(EvalCliTest, ExitTwoForUsageErrors) {
  const std::vector<std::vector<std::string>> bad = {
      {"eval", "--facts", kReferralFacts},                                           // no --policy
      {"eval", "--policy", kReferral, "--facts", kReferralFacts, "--format", "xml"},  // unknown format
      {"eval", "--policy", kReferral, "--facts", kReferralFacts, "--now", "tomorrow"},
      {"eval", "--policy", kReferral, "--facts", kReferralFacts, "--now", "2026-02-30T10:00"},
      {"eval", "--policy", kReferral, "--facts", kReferralFacts, "--verbose"},  // unknown flag
      {"evaluate", "--policy", kReferral},                                        // unknown subcommand
      {},                                                                          // no subcommand
  };
  for (const auto& args : bad) {
    RunResult r = run_refpol(args);
    std::string shown;
    for (const auto& a : args) shown += a + " ";
    EXPECT_EQ(r.exit_code, 2) << shown << r.out << r.err;
    EXPECT_EQ(r.out, "") << shown;
    EXPECT_NE(r.err, "") << shown;
  }
  RunResult help = run_refpol({"eval", "--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_TRUE(contains(help.out, "--policy")) << help.out;
}

// ---------------------------------------------------------------------------------------------
// JSON lines.

// Line 2 is bad, line 3 is blank; lines 1 and 4 are decided, in order, with an error object for
// line 2 that names its line. Exit 1: some input had errors.
TEST(EvalCliTest, JsonLinesWithABadLineInTheMiddle) {
  auto flat = flat_lines();
  ASSERT_EQ(flat.size(), 3u);
  // u1's line with `last_order_days_ago` as a string. Counting the characters before the value:
  // `{` 1, `"referrer":` 11, `{` 1, `"id":` 5, `"u1",` 5, `"segment":` 10, `"new",` 6,
  // `"last_order_days_ago":` 22: 61 characters, so the value is at column 62.
  std::string bad = flat[1];
  const std::string from = "\"last_order_days_ago\":493";
  ASSERT_EQ(bad.find(from), 39u);
  bad.replace(bad.find(from), from.size(), "\"last_order_days_ago\":\"493\"");
  const std::string input = flat[0] + "\n" + bad + "\n" + "   \n" + flat[2] + "\n";
  RunResult r = run_refpol({"eval", "--policy", kFlat, "--jsonl", "--facts", "-", "--now", "2026-12-20T10:00:00Z"}, input);
  EXPECT_EQ(r.exit_code, 1) << r.err;
  auto out = lines_of(r.out);
  ASSERT_EQ(out.size(), 3u) << r.out;
  EXPECT_TRUE(contains(out[0], "\"referrer\":{\"id\":\"u0\",\"eligible\":true,\"reasons\":[]}")) << out[0];
  EXPECT_EQ(out[1],
            "{\"error\":{\"line\":2,\"problems\":[{\"path\":\"referrer.last_order_days_ago\",\"column\":62,"
            "\"message\":\"expected a whole number, got a string\"}]}}");
  // u2: 366 days since the last order is more than 365, the other conditions hold.
  EXPECT_TRUE(contains(out[2], "\"referrer\":{\"id\":\"u2\",\"eligible\":false,\"reasons\":[\"recent_order\"]}")) << out[2];
}

// Invalid JSON and an evaluation error (no `now`) on their own lines; the stream goes on.
TEST(EvalCliTest, JsonLinesErrorKinds) {
  auto flat = flat_lines();
  // Line 1 stops after `{"referrer":{"id":"u9"`, 22 characters: the problem is at column 23.
  const std::string input = "{\"referrer\":{\"id\":\"u9\"\n" + flat[0] + "\n";
  RunResult r = run_refpol({"eval", "--policy", kFlat, "--jsonl", "--facts", "-"}, input);
  EXPECT_EQ(r.exit_code, 1);
  auto out = lines_of(r.out);
  ASSERT_EQ(out.size(), 2u) << r.out;
  EXPECT_EQ(out[0].rfind("{\"error\":{\"line\":1,\"problems\":[{\"path\":\"\",\"column\":23,\"message\":\"invalid JSON", 0), 0u)
      << out[0];
  EXPECT_EQ(out[1],
            "{\"error\":{\"line\":2,\"problems\":[{\"path\":\"\",\"column\":0,"
            "\"message\":\"no `now`: give a top-level `now` in the facts or --now\"}]}}");
}

// An evaluation error in JSON lines says where in the policy the evaluation stopped, as the
// single-document mode and `refpol serve` do; the next line is decided as usual.
TEST(EvalCliTest, JsonLinesEvaluationErrorsSayWhereInThePolicy) {
  const std::string policy = "tests/fixtures/eval/overflow.refpol";
  const std::string input = R"({"referrer":{"id":"a","spend":100000000000000000}})" "\n"
                            R"({"referrer":{"id":"b","spend":12.5}})" "\n";
  RunResult r = run_refpol({"eval", "--policy", policy, "--jsonl", "--facts", "-", "--now", "2026-12-20T10:00:00Z"}, input);
  EXPECT_EQ(r.exit_code, 1);
  auto out = lines_of(r.out);
  ASSERT_EQ(out.size(), 2u) << r.out;
  EXPECT_EQ(out[0], "{\"error\":{\"line\":1,\"problems\":[{\"path\":\"\",\"column\":0,\"message\":\"number is out of range\","
                    "\"policy\":{\"file\":\"" + policy + "\",\"line\":12,\"column\":46}}]}}");
  EXPECT_NE(out[1].find(R"("amount":"12.50","unit":"CNY")"), std::string::npos) << out[1];
  // The same document alone: the same place, in the words of a diagnostic.
  r = run_refpol({"eval", "--policy", policy, "--facts", "-", "--now", "2026-12-20T10:00:00Z"},
                 R"({"referrer":{"id":"a","spend":100000000000000000}})");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, policy + ":12:46: error: evaluation failed: number is out of range\n");
}

// A file whose name ends in .jsonl is read as JSON lines without --jsonl.
TEST(EvalCliTest, JsonlFileDetectedByExtension) {
  RunResult by_name = run_refpol({"eval", "--policy", kFlat, "--facts", "tests/fixtures/eval/flat.jsonl", "--now",
                                  "2026-12-20T10:00:00Z"});
  EXPECT_EQ(by_name.exit_code, 0) << by_name.err;
  auto out = lines_of(by_name.out);
  ASSERT_EQ(out.size(), 3u);
  EXPECT_TRUE(contains(out[0], "\"id\":\"u0\""));
  EXPECT_TRUE(contains(out[1], "\"id\":\"u1\""));
  EXPECT_TRUE(contains(out[2], "\"id\":\"u2\""));
  // The same stream through stdin with --jsonl gives the same bytes.
  RunResult piped = run_refpol({"eval", "--policy", kFlat, "--jsonl", "--facts", "-", "--now", "2026-12-20T10:00:00Z"},
                               read_text(source_dir() / "tests/fixtures/eval/flat.jsonl"));
  EXPECT_EQ(piped.exit_code, 0);
  EXPECT_EQ(piped.out, by_name.out);
}

// `--facts -` reads stdin; so does leaving --facts out.
TEST(EvalCliTest, FactsFromStdin) {
  RunResult file = run_refpol({"eval", "--policy", kReferral, "--facts", kReferralFacts});
  const std::string facts = read_text(source_dir() / kReferralFacts);
  RunResult dash = run_refpol({"eval", "--policy", kReferral, "--facts", "-"}, facts);
  RunResult none = run_refpol({"eval", "--policy", kReferral}, facts);
  EXPECT_EQ(dash.exit_code, 0) << dash.err;
  EXPECT_EQ(none.exit_code, 0) << none.err;
  EXPECT_EQ(dash.out, file.out);
  EXPECT_EQ(none.out, file.out);
}

// --now wins over the facts' `now`. At 2027-01-10 00:00 Shanghai time (written without an offset,
// so read in the policy's time zone):
//  - R-2 settled on 2026-12-25T09:00 (completed 12-18T09:00 + 7 days): its coupon is granted at
//    the settle date and expires 30 days later, 2027-01-24T09:00, which is after now;
//  - the tier coupon `expires on 2026-12-31` ended at 2026-12-31T23:59:59+08:00: expired.
TEST(EvalCliTest, NowFlagOverridesTheFacts) {
  RunResult r = run_refpol({"eval", "--policy", kReferral, "--facts", kReferralFacts, "--now", "2027-01-10T00:00"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "\"now\":\"2027-01-10T00:00:00+08:00\"")) << r.out;
  EXPECT_TRUE(contains(r.out,
                       "{\"key\":\"fixture-referral/welcome/referee:C-2002/R-2\",\"rule\":\"welcome\",\"tier\":null,"
                       "\"recipient\":{\"role\":\"referee\",\"id\":\"C-2002\"},\"kind\":\"coupon\",\"amount\":\"50.00\","
                       "\"unit\":\"CNY\",\"label\":\"新客首单立减\",\"status\":\"granted\",\"reason\":null,\"capped\":false,"
                       "\"value\":\"50.00\",\"granted_at\":\"2026-12-25T09:00:00+08:00\",\"settles_at\":\"2026-12-25T09:00:00+08:00\","
                       "\"due_by\":\"2026-12-28T09:00:00+08:00\",\"expires_at\":\"2027-01-24T09:00:00+08:00\"}"))
      << r.out;
  EXPECT_TRUE(contains(r.out, "\"key\":\"fixture-referral/ladder/referrer:C-1001/first\"")) << r.out;
  EXPECT_TRUE(contains(r.out, "\"status\":\"expired\",\"reason\":null,\"capped\":false,\"value\":\"100.00\","
                              "\"granted_at\":\"2027-01-10T00:00:00+08:00\",\"settles_at\":null,\"due_by\":null,"
                              "\"expires_at\":\"2026-12-31T23:59:59+08:00\"}"))
      << r.out;

  // The same instant written with another offset is the same moment, shown as written.
  RunResult utc = run_refpol({"eval", "--policy", kReferral, "--facts", kReferralFacts, "--now", "2027-01-09T16:00:00Z"});
  EXPECT_TRUE(contains(utc.out, "\"now\":\"2027-01-09T16:00:00Z\"")) << utc.out;
  EXPECT_TRUE(contains(utc.out, "\"granted_at\":\"2027-01-09T16:00:00Z\"")) << "tiers are granted at now";
}

// YAML facts (by extension) give the very same decision as the JSON facts.
TEST(EvalCliTest, YamlFacts) {
  RunResult json = run_refpol({"eval", "--policy", kReferral, "--facts", kReferralFacts});
  RunResult yaml = run_refpol({"eval", "--policy", kReferral, "--facts", "tests/fixtures/eval/referral.yaml"});
  EXPECT_EQ(yaml.exit_code, 0) << yaml.err;
  EXPECT_EQ(yaml.out, json.out);
}

// ---------------------------------------------------------------------------------------------
// --format text and --explain.

// u7 is loyal with 3 qualified referrals: the highest tier reached is gift_box (3), 250 CNY, and
// the loyal boost (times 1.1, to the referrer) makes it 275.00 CNY. The referee's first order of
// 120 is at least 100: a 50 CNY coupon, not boosted (the boost is to the referrer only); the
// flat schema's referee has no id, shown as `-`.
TEST(EvalCliTest, TextFormat) {
  RunResult r = run_refpol({"eval", "--policy", kFlat, "--facts", "tests/fixtures/eval/flat-loyal.json", "--format", "text"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out,
            "policy flat-bench version 1, as of 2026-12-20T10:00:00Z\n"
            "referrer u7: eligible\n"
            "rewards:\n"
            "  ladder (gift_box) to referrer u7: cash 275.00 CNY [granted]\n"
            "  first_order_50_off to referee -: coupon 50.00 CNY [granted]\n"
            // The flat policy never reads `now`: time alone does not change the decision.
            "recheck: when the facts change (time alone does not change this decision)\n");

  RunResult ref = run_refpol({"eval", "--policy", kReferral, "--facts", kReferralFacts, "--format", "text"});
  EXPECT_EQ(ref.exit_code, 0) << ref.err;
  EXPECT_TRUE(contains(ref.out, "policy fixture-referral version 3, as of 2026-12-20T10:00:00+08:00\n")) << ref.out;
  EXPECT_TRUE(contains(ref.out, "  R-3 (referee C-1001): void (held: self_referral), settles 2026-12-08T10:00:00+08:00\n"))
      << ref.out;
  EXPECT_TRUE(contains(ref.out, "  R-4 (referee C-2004): not_qualified (failed: completed not_refunded)\n")) << ref.out;
  EXPECT_TRUE(contains(ref.out, "  R-5 (referee C-2005): ineligible_referee (failed: first_campaign)\n")) << ref.out;
  EXPECT_TRUE(contains(ref.out, "  ladder (second) to referrer C-1001: gift \"定制礼盒\" [withheld] reason budget\n")) << ref.out;
  EXPECT_TRUE(contains(ref.out, "  qualified_count = 3\n")) << ref.out;
}

// u1 (493 days since the last order, first order 0 days ago) fails recent_order and
// past_return_window; --explain names them with the values they looked at.
TEST(EvalCliTest, ExplainNamesTheFailingConditionAndItsValue) {
  RunResult r = run_refpol({"eval", "--policy", kFlat, "--facts", "-", "--now", "2026-12-20T10:00:00Z", "--explain",
                            "--format", "text"},
                           flat_lines()[1] + "\n");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "referrer u1: not eligible (failed: recent_order past_return_window)\n")) << r.out;
  EXPECT_TRUE(contains(r.out, "  referrer eligible `recent_order`: failed (referrer.last_order_days_ago = 493)"))
      << r.out;
  EXPECT_TRUE(contains(r.out, "  referrer eligible `past_return_window`: failed (referee.days_since_first_order = 0)"))
      << r.out;
  EXPECT_TRUE(contains(r.out, "  referrer eligible `spend_or_orders`: held (referrer.total_spend = 992, referrer.order_count = 1)"))
      << r.out;
  EXPECT_TRUE(contains(r.out, "  rewards: none (the referrer is not eligible, so no reward applies)\n")) << r.out;

  RunResult json = run_refpol({"eval", "--policy", kFlat, "--facts", "-", "--now", "2026-12-20T10:00:00Z", "--explain"},
                              flat_lines()[1] + "\n");
  // recent_order is on line 30 of the policy, its condition starting at column 17.
  EXPECT_TRUE(contains(json.out, "{\"rule\":\"referrer eligible\",\"label\":\"recent_order\",\"outcome\":\"failed\","
                                 "\"detail\":\"referrer.last_order_days_ago = 493\",\"at\":\"bench/flat/policy.refpol:30:17\"}"))
      << json.out;
}

// The distance to the next tier: u0 has 3 qualified referrals, so it reached gift_box (3) and
// needs 2 more for premium_experience (5). In the referral fixture 3 referrals qualified: `second`
// (2) is reached and `fifth` (5) is 2 away.
TEST(EvalCliTest, ExplainGivesTheTierDistance) {
  RunResult r = run_refpol({"eval", "--policy", kFlat, "--facts", "-", "--now", "2026-12-20T10:00:00Z", "--explain"},
                           flat_lines()[0] + "\n");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "{\"rule\":\"tiers ladder\",\"label\":\"gift_box\",\"outcome\":\"reached\","
                              "\"detail\":\"referrer.qualified_referrals = 3; 2 more to reach `premium_experience`\""))
      << r.out;
  // first_order_amount 89.28 is under 100: the referee's coupon is not given.
  EXPECT_TRUE(contains(r.out, "{\"rule\":\"reward first_order_50_off\",\"label\":\"\",\"outcome\":\"failed\","
                              "\"detail\":\"referee.first_order_amount = 89.28\""))
      << r.out;

  RunResult ref = run_refpol({"eval", "--policy", kReferral, "--facts", kReferralFacts, "--explain", "--format", "text"});
  EXPECT_TRUE(contains(ref.out, "  tiers ladder `second`: reached (count(qualified_referrals) = 3; 2 more to reach `fifth`)"))
      << ref.out;
  // R-4 has no first order: `completed` failed, and `not_refunded` reads an absent value.
  EXPECT_TRUE(contains(ref.out, "  referral R-4 qualifies `completed`: failed (referral.first_order.completed_at = absent)"))
      << ref.out;
  EXPECT_TRUE(contains(ref.out, "  referral R-4 qualifies `not_refunded`: absent (referral.first_order.refunded = absent)"))
      << ref.out;
  // The budget: 1000 - 790 = 210 CNY left; charged in reward order 50 (R-2 coupon), 50 (R-6
  // coupon), 5 (R-1 points), 3 (R-2 points, capped to 300 of 500), 100 (tier coupon): 2 CNY left,
  // not enough for the 88 CNY gift box.
  EXPECT_TRUE(contains(ref.out, "  budget `ladder`: withheld (88 needed, 2.00 left)")) << ref.out;
}

// ---------------------------------------------------------------------------------------------
// Reproducibility.

TEST(EvalCliTest, EvaluatingTwiceGivesIdenticalBytes) {
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"eval", "--policy", kReferral, "--facts", kReferralFacts, "--explain"},
           {"eval", "--policy", kReferral, "--facts", kReferralFacts, "--format", "text", "--explain"},
           {"eval", "--policy", kFlat, "--facts", "tests/fixtures/eval/flat.jsonl", "--now", "2026-12-20T10:00:00Z"},
           {"eval", "--policy", "tests/fixtures/eval/kinds.refpol", "--facts", "tests/fixtures/eval/kinds.json"}}) {
    RunResult a = run_refpol(args);
    RunResult b = run_refpol(args);
    EXPECT_EQ(a.exit_code, 0) << a.err;
    EXPECT_FALSE(a.out.empty());
    EXPECT_EQ(a.out, b.out);
  }
}

// referral_reordered.json is referral.json with the keys of every object in reverse order.
TEST(EvalCliTest, KeyOrderOfTheFactsDoesNotMatter) {
  RunResult a = run_refpol({"eval", "--policy", kReferral, "--facts", kReferralFacts, "--explain"});
  RunResult b = run_refpol({"eval", "--policy", kReferral, "--facts", "tests/fixtures/eval/referral_reordered.json", "--explain"});
  EXPECT_EQ(a.exit_code, 0) << a.err;
  EXPECT_EQ(b.exit_code, 0) << b.err;
  EXPECT_EQ(a.out, b.out);
  // Make sure the fixture really is reordered.
  EXPECT_NE(read_text(source_dir() / "tests/fixtures/eval/referral_reordered.json").find("{\"campaign\":"), std::string::npos);
}

}  // namespace
}  // namespace refpol

namespace refpol {
namespace {

// A line over the facts size limit (16 MiB) gets an error object naming its size, is never held
// whole in memory, and the next line is still decided.
TEST(EvalCliTest, JsonLinesOverTheSizeLimitGetAnErrorAndTheStreamGoesOn) {
  const std::string huge = "{\"a\":\"" + std::string(17u * 1024 * 1024, 'x') + "\"}";  // 17 MiB + 8 bytes
  const std::string input = huge + "\n" + flat_lines()[0] + "\n";
  RunResult r = run_refpol({"eval", "--policy", kFlat, "--jsonl", "--now", "2026-12-20T10:00:00Z"}, input);
  EXPECT_EQ(r.exit_code, 1) << r.err;
  auto out = lines_of(r.out);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0], "{\"error\":{\"line\":1,\"problems\":[{\"path\":\"\",\"column\":0,\"message\":"
                    "\"document too large: 17825800 bytes (the limit is 16777216)\"}]}}");
  EXPECT_TRUE(contains(out[1], "\"referrer\":{\"id\":\"u0\",\"eligible\":true")) << out[1];
}

// A service that streams one line and waits for its decision gets it before it sends the next
// (and before it closes its end): decisions are not held back to fill a block.
TEST(EvalCliTest, JsonLinesAnswersEachLineAsItArrives) {
  int to_child[2], from_child[2];
  ASSERT_EQ(pipe(to_child), 0);
  ASSERT_EQ(pipe(from_child), 0);
  pid_t pid = fork();
  if (pid == 0) {
    dup2(to_child[0], 0);
    dup2(from_child[1], 1);
    close(to_child[1]);
    close(from_child[0]);
    if (chdir(REFPOL_SOURCE_DIR) != 0) _exit(127);
    execl(REFPOL_BINARY, REFPOL_BINARY, "eval", "--policy", kFlat.c_str(), "--jsonl", "--now",
          "2026-12-20T10:00:00Z", static_cast<char*>(nullptr));
    _exit(127);
  }
  close(to_child[0]);
  close(from_child[1]);
  const auto flat = flat_lines();
  std::string answers;
  for (int i = 0; i < 3; ++i) {
    const std::string line = flat[static_cast<std::size_t>(i)] + "\n";
    ASSERT_EQ(write(to_child[1], line.data(), line.size()), static_cast<ssize_t>(line.size()));
    // Wait (at most 10 s) for one whole line back.
    std::string got;
    while (got.find('\n') == std::string::npos) {
      pollfd p{from_child[0], POLLIN, 0};
      ASSERT_EQ(poll(&p, 1, 10000), 1) << "no decision for line " << i + 1 << " while the input stays open";
      char buf[4096];
      ssize_t n = read(from_child[0], buf, sizeof buf);
      ASSERT_GT(n, 0);
      got.append(buf, static_cast<std::size_t>(n));
    }
    EXPECT_TRUE(contains(got, "\"referrer\":{\"id\":\"u" + std::to_string(i) + "\"")) << got;
    answers += got;
  }
  close(to_child[1]);
  int status = 0;
  waitpid(pid, &status, 0);
  close(from_child[0]);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  EXPECT_EQ(lines_of(answers).size(), 3u);
}

}  // namespace
}  // namespace refpol
