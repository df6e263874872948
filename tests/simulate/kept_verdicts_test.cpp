// Keeping referral verdicts between a referrer's evaluations (ReferralMemo, keyed by the world's
// Referral::version and Customer::version) must change nothing: the whole replay of generated
// histories, with and without, gives the same summary and tables, under the seed 000 campaign alone and with a baseline.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "interpreter/compile/program.hpp"
#include "interpreter/simulate/simulator.hpp"
#include "tests/support/test_support.hpp"

namespace refpol::sim {
namespace {

struct Outputs {
  std::string summary, rewards, referrers, leaderboard, daily;
};

Outputs replay(const std::vector<std::string>& lines, const std::string& policy, const std::string& baseline,
               bool keep_verdicts) {
  CompileResult p = compile_file((testing::source_dir() / policy).string());
  CompileResult b;
  if (!baseline.empty()) b = compile_file((testing::source_dir() / baseline).string());
  EXPECT_TRUE(p.program);
  SimulationOptions options;
  options.skip_bad_events = true;
  options.keep_verdicts = keep_verdicts;
  Simulation sim(p.program, b.program, options);
  for (std::size_t i = 0; i < lines.size() && sim.wants_more(); ++i) sim.feed(lines[i], i + 1);
  sim.finish();
  return Outputs{sim.summary_json(), sim.rewards_csv(), sim.referrers_csv(), sim.leaderboard_csv(),
                 sim.daily_csv()};
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
  const std::pair<const char*, const char*> runs[] = {
      {"policies/old-friends/policy.refpol", ""},
      {"policies/old-friends/policy.refpol", "policies/premium-increasing/policy.refpol"},
  };
  for (const auto& [policy, baseline] : runs) {
    const Outputs kept = replay(lines, policy, baseline, true);
    const Outputs fresh = replay(lines, policy, baseline, false);
    ASSERT_NE(kept.summary.find("\"evaluations\""), std::string::npos);
    // The replay decided many rewards (one CSV row each, after the header): 1,348 under
    // old-friends alone on this history.
    EXPECT_GT(std::count(kept.rewards.begin(), kept.rewards.end(), '\n'), 1000) << policy;
    expect_same(kept, fresh, policy);
  }
}

}  // namespace
}  // namespace refpol::sim
