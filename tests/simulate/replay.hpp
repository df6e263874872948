// A whole replay through the library, for tests that compare two ways of running it.
#pragma once
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "interpreter/compile/program.hpp"
#include "interpreter/simulate/simulator.hpp"
#include "tests/support/test_support.hpp"

namespace refpol::sim::testing_replay {

struct Outputs {
  std::string summary, rewards, referrers, leaderboard, daily;
};

// Replays `lines` under `policy` (and `baseline`, if not empty), both paths from the source
// directory, with bad events skipped.
inline Outputs replay(const std::vector<std::string>& lines, const std::string& policy, const std::string& baseline,
                      SimulationOptions options) {
  CompileResult p = compile_file((testing::source_dir() / policy).string());
  CompileResult b;
  if (!baseline.empty()) b = compile_file((testing::source_dir() / baseline).string());
  EXPECT_TRUE(p.program) << policy;
  options.skip_bad_events = true;
  Simulation sim(p.program, b.program, options);
  for (std::size_t i = 0; i < lines.size() && sim.wants_more(); ++i) sim.feed(lines[i], i + 1);
  sim.finish();
  return Outputs{sim.summary_json(), sim.rewards_csv(), sim.referrers_csv(), sim.leaderboard_csv(), sim.daily_csv()};
}

// Replays `lines` under tests/simulate/fixtures/`fixture` to `until` (a date-time in the
// policy's zone), with or without reused decisions, bad events skipped.
inline Outputs replay_until(const std::vector<std::string>& lines, const std::string& fixture, bool reuse,
                            const std::string& until) {
  SimulationOptions options;
  options.reuse_decisions = reuse;
  const std::string policy = "tests/simulate/fixtures/" + fixture;
  CompileResult p = compile_file((testing::source_dir() / policy).string());
  EXPECT_TRUE(p.program) << policy;
  if (!p.program) return Outputs{};
  DateTime to;
  std::string problem;
  EXPECT_TRUE(parse_datetime(until, p.program->zone, to, problem)) << problem;
  options.to = to;
  return replay(lines, policy, "", options);
}

// The lines of tests/simulate/histories/`history`.
inline std::vector<std::string> history_lines(const std::string& history) {
  const std::string text = testing::read_text(testing::source_dir() / "tests/simulate/histories" / history);
  std::vector<std::string> lines;
  for (std::size_t start = 0; start < text.size();) {
    const std::size_t end = text.find('\n', start);
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

}  // namespace refpol::sim::testing_replay
