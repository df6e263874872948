// The flat workload's policy written by hand in C++, as the baseline the evaluator is measured
// against: plain structs, integer cents, no interpretation.
#pragma once
#include <cstdint>
#include <string>

namespace refpol::bench {

struct FlatRecord {
  std::string id;
  bool loyal = false;
  std::int64_t last_order_days_ago = 0;
  std::int64_t total_spend_cents = 0;
  std::int64_t order_count = 0;
  std::int64_t qualified_referrals = 0;
  bool is_new_customer = false;
  std::int64_t first_order_amount_cents = 0;
  bool first_order_refunded = false;
  std::int64_t days_since_first_order = 0;
};

struct FlatDecision {
  bool eligible = false;
  const char* tier = "none";
  std::int64_t value_cents = 0;  // exact: 1.1 x is done in tenths of a cent
  bool referee_reward = false;
};

FlatDecision decide_by_hand(const FlatRecord& r);

}  // namespace refpol::bench

#include "interpreter/compile/program.hpp"
#include "interpreter/decision/decision.hpp"
#include "interpreter/eval/facts.hpp"

namespace refpol::bench {

// The same policy by hand with the evaluator's input and output: it reads the loaded facts
// document (slots found once) and fills a Decision, so that the ratio to it measures what
// interpretation costs, not what loading and deciding cost.
class FactsBaseline {
 public:
  explicit FactsBaseline(const Program& p);
  void decide(const FactsDocument& facts, Decision& out) const;

 private:
  const Program& p_;
  int referrer_ = -1, referee_ = -1;
  int id_ = -1, segment_ = -1, last_order_ = -1, spend_ = -1, orders_ = -1, qualified_ = -1;
  int is_new_ = -1, first_amount_ = -1, refunded_ = -1, days_since_ = -1;
};

}  // namespace refpol::bench
