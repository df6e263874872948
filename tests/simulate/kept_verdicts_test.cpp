// Keeping referral verdicts between a referrer's evaluations (ReferralMemo, keyed by the world's
// Referral::version or fields_version and Customer::version or record_version) must change
// nothing: the whole replay of generated histories, with and without, gives the same summary and
// tables, under the seed 000 campaign alone and with a baseline, and under a campaign whose
// verdicts read the counters.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "interpreter/compile/program.hpp"
#include "interpreter/simulate/simulator.hpp"
#include "tests/simulate/replay.hpp"
#include "tests/support/test_support.hpp"

namespace refpol::sim {
namespace {

using testing_replay::Outputs;

Outputs replay(const std::vector<std::string>& lines, const std::string& policy, const std::string& baseline,
               bool keep_verdicts) {
  SimulationOptions options;
  options.keep_verdicts = keep_verdicts;
  return testing_replay::replay(lines, policy, baseline, options);
}

void expect_same(const Outputs& kept, const Outputs& fresh, const std::string& what) {
  EXPECT_EQ(kept.summary, fresh.summary) << what;
  EXPECT_EQ(kept.rewards, fresh.rewards) << what;
  EXPECT_EQ(kept.referrers, fresh.referrers) << what;
  EXPECT_EQ(kept.leaderboard, fresh.leaderboard) << what;
  EXPECT_EQ(kept.daily, fresh.daily) << what;
}

// Refunds, returns, exchanges, review flags, self-referrals and shared identities (void
// verdicts that read the referrer), communities, organisations and shares, all at high rates.
TEST(KeptVerdicts, ReplaysGiveTheSameOutputsWithAndWithout) {
  const std::vector<std::string> lines = testing::generated_history(
      "--customers 1500 --events 15000 --seed 11 --communities 12 --organisations 8 --refund-rate 0.2 "
      "--return-rate 0.1 --exchange-rate 0.05 --review-flag-rate 0.05 --self-referral-rate 0.03 "
      "--duplicate-identity-rate 0.05 --share-rate 0.5");
  ASSERT_GT(lines.size(), 14000u);
  struct Run {
    const char* policy;
    const char* baseline;
    bool reads_counters;  // whether the policy's verdicts read a customer's counters
    long rewards;         // more reward rows than this (1,348 under old-friends, 1,830 under the fixture)
  };
  const Run runs[] = {
      // Verdicts kept by the record's and the referral's fields' versions, which shares and the
      // referrer's own orders do not move.
      {"policies/old-friends/policy.refpol", "", false, 1000},
      {"policies/old-friends/policy.refpol", "policies/premium-increasing/policy.refpol", false, 1000},
      // Verdicts that read the counters shares and orders move: kept by the versions those move.
      {"tests/simulate/fixtures/verdict_counters.refpol", "", true, 1500},
  };
  for (const Run& run : runs) {
    CompileResult p = compile_file((testing::source_dir() / run.policy).string());
    ASSERT_TRUE(p.program);
    const Schema& schema = p.program->policy.schema;
    const std::uint64_t counters = sim::counter_fields(schema.records[static_cast<std::size_t>(schema.by_name.at("Customer"))]);
    const auto& memo = p.program->verdict_memo;
    EXPECT_EQ(((memo.referrer_fields | memo.referee_fields) & counters) != 0, run.reads_counters) << run.policy;
    const Outputs kept = replay(lines, run.policy, run.baseline, true);
    const Outputs fresh = replay(lines, run.policy, run.baseline, false);
    ASSERT_NE(kept.summary.find("\"evaluations\""), std::string::npos);
    // The replay decided many rewards (one CSV row each, after the header).
    EXPECT_GT(std::count(kept.rewards.begin(), kept.rewards.end(), '\n'), run.rewards) << run.policy;
    expect_same(kept, fresh, run.policy);
  }
}

// A referral bound after its referrer's facts stopped loading has no verdict: it is counted as
// not qualified, and the referral decided before keeps its own. (Verdicts are kept by referrer,
// in the order of their referrals: a referral never placed there must not read another's.)
TEST(KeptVerdicts, AReferralNeverDecidedHasNoVerdict) {
  const std::string customer =
      R"("kind":"purchase","segment":"new","registered_at":"2026-12-08T10:00:00+08:00","order_count":0,)"
      R"("total_spend":0,"service_completed":false,"previous_campaigns":0,"shares":0)";
  const std::vector<std::string> lines = {
      R"({"id":"E1","ts":"2026-12-08T09:00:00+08:00","type":"customer","new":false,"customer":{"id":"C1",)"
      R"("kind":"purchase","segment":"active","registered_at":"2025-01-01T00:00:00+08:00","last_order_at":)"
      R"("2026-10-01T12:00:00+08:00","order_count":5,"total_spend":"2000.00","service_completed":false,)"
      R"("previous_campaigns":0,"shares":0}})",
      R"({"id":"E2","ts":"2026-12-08T10:00:00+08:00","type":"customer","new":true,"customer":{"id":"F1",)" + customer + "}}",
      R"({"id":"E3","ts":"2026-12-08T10:05:00+08:00","type":"referral_bound","referral":"R1","referrer":"C1","referee":"F1","channel":"link"})",
      R"({"id":"E4","ts":"2026-12-08T11:00:00+08:00","type":"order_placed","order":"O1","customer":"F1","amount":"300.00"})",
      R"({"id":"E5","ts":"2026-12-09T11:00:00+08:00","type":"order_completed","order":"O1"})",
      // F2's record has no `kind`, which the standard Customer requires: from its binding on, C1's
      // facts do not load and C1 is not decided again.
      R"({"id":"E6","ts":"2026-12-10T10:00:00+08:00","type":"customer","new":true,"customer":{"id":"F2",)"
      R"("segment":"new","registered_at":"2026-12-10T10:00:00+08:00","order_count":0,"total_spend":0,)"
      R"("service_completed":false,"previous_campaigns":0,"shares":0}})",
      R"({"id":"E7","ts":"2026-12-10T10:05:00+08:00","type":"referral_bound","referral":"R2","referrer":"C1","referee":"F2","channel":"link"})",
  };
  for (bool keep : {true, false}) {
    CompileResult p = compile_file((testing::source_dir() / "policies/old-friends/policy.refpol").string());
    ASSERT_TRUE(p.program);
    SimulationOptions options;
    options.keep_verdicts = keep;
    Simulation sim(p.program, nullptr, options);
    for (std::size_t i = 0; i < lines.size(); ++i) ASSERT_TRUE(sim.feed(lines[i], i + 1)) << i;
    sim.finish();
    const std::string summary = sim.summary_json();
    EXPECT_NE(summary.find(R"("referrals": {"bound": 2, "qualified": 1, "not_qualified": 1, "void": 0)"),
              std::string::npos)
        << summary;
    EXPECT_NE(summary.find(R"("failed_evaluations": 2)"), std::string::npos) << summary;
  }
}

}  // namespace
}  // namespace refpol::sim
