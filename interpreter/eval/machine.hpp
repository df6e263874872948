// The expression machine: evaluates compiled nodes against one facts document. Absent values
// propagate (an operation on an absent value is absent) and a condition that is absent does not
// hold. Arithmetic that overflows stops the evaluation with an error.
#pragma once
#include "interpreter/eval/evaluator.hpp"

namespace refpol {

class Machine {
 public:
  Machine(const Program& p, const RecordV* root, DateTime now, EvalScratch& scratch)
      : p_(p), root_(root), now_(now), scratch_(scratch) {
    scratch_.locals.assign(p.local_count, Value());
    if (scratch_.define_stamps.size() < p.defines.size()) {
      scratch_.define_stamps.resize(p.defines.size(), 0);
      scratch_.define_values.resize(p.defines.size());
    }
    ++scratch_.stamp;
  }

  Value eval(std::uint32_t node);
  // Leaves (constants, facts, locals) are read in place, without a recursive call: most operands
  // are leaves, and this is the evaluator's hottest path.
  Value operand(std::uint32_t index) {
    const Node& n = p_.nodes[index];
    switch (n.op) {
      case Op::constant: return n.constant;
      case Op::root_field: return root_->fields[n.slot];
      case Op::local: return scratch_.locals[n.slot];
      case Op::field: {
        const Node& base = p_.nodes[n.a];
        if (base.op == Op::root_field || base.op == Op::local) {
          const Value& b = base.op == Op::root_field ? root_->fields[base.slot] : scratch_.locals[base.slot];
          if (b.index() != kRecord) return Absent{};
          return unsafe_get<kRecord>(b)->fields[n.slot];
        }
        return eval(index);
      }
      default: return eval(index);
    }
  }
  // 1 held, 0 failed, -1 absent.
  int truth(std::uint32_t node) {
    Value v = operand(node);
    if (v.index() == kBool) return unsafe_get<kBool>(v) ? 1 : 0;
    return -1;
  }

  void set_local(std::uint32_t slot, Value v) { scratch_.locals[slot] = v; }
  // Kept values are dropped (a new stamp): a safeguard, as the checker refuses anything that
  // reads the qualified referrals while the verdicts are being decided (E110).
  void set_qualified(const ListV* list) {
    qualified_ = list;
    ++scratch_.stamp;
  }
  DateTime now() const { return now_; }
  const Program& program() const { return p_; }
  Arena& arena() { return scratch_.arena; }

  // When time alone would change what this evaluation found (analyse_time_uses): the earliest
  // instant after now at which a comparison it made with `now` turns (INT64_MAX: none), and
  // whether it reached a use of `now` that is not followed (then any instant may).
  std::int64_t next_turn() const { return next_turn_; }
  bool time_untracked() const { return time_untracked_; }
  // Notes an instant (UTC seconds) at which the answer may change; instants not after now are
  // ignored.
  void note_turn(std::int64_t utc) {
    if (utc > now_.utc_seconds && utc < next_turn_) next_turn_ = utc;
  }

  // Where comparisons and sums of the campaign's counters are noted (EvalOptions::counter_checks),
  // and whether a use of them that is not followed was reached.
  void set_counter_checks(CounterChecks* checks) { counter_checks_ = checks; }
  bool counters_untracked() const { return counters_untracked_; }
  // What a comparison (eq ... ge) of two values gives, as evaluating it would.
  Value comparison(Op op, const Value& a, const Value& b);

  bool failed() const { return failed_; }
  const EvalError& error() const { return error_; }
  void fail(std::uint32_t node, std::string message);

  // Arithmetic shared with the rule engine (boosts, caps, budget).
  Value multiply(const Value& a, const Value& b, std::uint32_t node);
  Value add_values(const Value& a, const Value& b, std::uint32_t node, bool subtract);
  int compare_values(const Value& a, const Value& b);  // -2 when not comparable
  bool equal_values(const Value& a, const Value& b);
  DateTime to_instant(const Value& v) const;  // date -> start of that day in the zone

 private:
  const Program& p_;
  const RecordV* root_;
  DateTime now_;
  EvalScratch& scratch_;
  const ListV* qualified_ = nullptr;
  bool failed_ = false;
  EvalError error_;
  std::int64_t next_turn_ = INT64_MAX;
  bool time_untracked_ = false;
  bool counters_untracked_ = false;
  CounterChecks* counter_checks_ = nullptr;

  // A comparison or an add or sub marked in `aux` (analyse_time_uses), with its operands' values.
  Value noted_comparison(const Node& n, const Value& a, const Value& b);
  // Keeps a comparison (with its answer) or a sum of a counter in counter_checks_.
  void note_counter(const Node& n, bool left, bool compare, const Value& a, const Value& b, const Value& result);

  // For a comparison marked kNowOnLeft or kNowOnRight, with its operands' values.
  void note_comparison(const Node& n, const Value& a, const Value& b);
  std::uint32_t day_argument(std::uint32_t node) const;

  Value aggregate(const Node& n);
  // A call of one parameter with its argument worked out.
  Value call_with(const Node& n, const Value& argument);
  Value builtin(const Node& n);
  Value membership(const Value& item, const Value& container);
};

Decimal as_decimal(const Value& v);
bool is_numeric(const Value& v);

}  // namespace refpol
