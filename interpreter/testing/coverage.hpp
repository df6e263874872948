// Policy coverage: which conditions, `when`s, rules, tiers and boosts of a policy the test cases
// exercised, read from each decision's explanation and rewards (evaluate with explain on).
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "interpreter/compile/program.hpp"
#include "interpreter/decision/decision.hpp"

namespace refpol::policytest {

struct CoverageItem {
  // condition: a labelled condition of `referrer eligible`, `referee eligible`, `referral
  // qualifies` or `referral void` (held / failed); when: a reward's `when` (held / failed);
  // rule: a `reward` rule (gave a reward / did not); tier (reached / not); boost (applied / not).
  enum class Kind : std::uint8_t { condition, when, rule, tier, boost } kind = Kind::condition;
  std::string group;  // `referrer eligible`, ...; the rule's name for when and tier
  std::string name;   // the label (or the condition's text), rule, tier or boost name
  std::string file;
  std::uint32_t line = 0, column = 0;
  std::uint64_t yes = 0;  // held, applied, reached: how often
  std::uint64_t no = 0;   // failed (or absent), not applied, not reached: how often

  // Conditions need both outcomes; the others need to have happened once.
  bool two_sided() const { return kind == Kind::condition || kind == Kind::when; }
  std::size_t outcomes() const { return two_sided() ? 2 : 1; }
  std::size_t outcomes_seen() const { return (yes > 0 ? 1 : 0) + (two_sided() && no > 0 ? 1 : 0); }
  // `never failed`, `was never reached`, ... or empty when covered.
  std::string missing() const;
};

class Coverage {
 public:
  explicit Coverage(std::shared_ptr<const Program> program);

  // Adds one decision, evaluated with EvalOptions::explain.
  void record(const Decision& decision);

  const std::string& policy() const { return policy_; }
  std::size_t decisions() const { return decisions_; }
  const std::vector<CoverageItem>& items() const { return items_; }
  std::size_t outcomes() const;
  std::size_t outcomes_seen() const;

 private:
  std::shared_ptr<const Program> program_;
  std::string policy_;
  std::size_t decisions_ = 0;
  std::vector<CoverageItem> items_;
  std::map<std::string, std::size_t> conditions_;          // `group|file|line|column` -> item
  std::map<std::string, std::size_t> whens_;               // rule name -> item
  std::map<std::string, std::size_t> rules_;               // rule name -> item
  std::map<std::string, std::vector<std::size_t>> tiers_;  // tiers rule -> items, in order
  std::vector<std::size_t> boosts_;                        // program boost index -> item

  std::size_t add(CoverageItem item);
  void position(std::uint32_t node, CoverageItem& item) const;
};

// For people: a summary line per policy, then every item not fully covered as
// `policy.refpol:LINE:COL: what was never seen`.
std::string render_coverage_text(const std::vector<const Coverage*>& coverage);

// LCOV tracefile: per policy file, rules as functions (FN/FNDA), conditions and `when`s as
// branches (held, failed), and every item as a line (DA) with how often it was exercised.
std::string render_lcov(const std::vector<const Coverage*>& coverage);

}  // namespace refpol::policytest
