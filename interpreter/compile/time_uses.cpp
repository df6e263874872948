// How a compiled policy uses `now`, worked out once after compiling, so that an evaluation can
// say when time alone would change its decision (Decision::recheck_at):
// - `now`, and `now` plus or minus a written duration of whole seconds (days, hours: not
//   months, whose length depends on the date), are "shifted now": their value is now + d for a
//   fixed d;
// - a comparison (==, !=, <, <=, >, >=, in, not in) of a shifted now with a value that does not
//   depend on `now` is followed: the machine notes the next instant at which its answer turns
//   (the comparison's `aux` says which side is the shifted now); so is a comparison of
//   `date_of(shifted now)` with a date that does not depend on `now`;
// - any other use of a shifted now (an argument of a function or a definition, a list item, a
//   range bound, a reward amount, an output, now - now, ...) is not followed: the node is moved
//   and a `time_untracked` node put in its place, which tells the machine that the decision may
//   change at any time once it is evaluated. Only uses that an evaluation reaches count.
#include "interpreter/compile/dependencies.hpp"

#include <vector>

#include "stdlib/builtins.hpp"

namespace refpol {
namespace {

// kShifted: now + d for a fixed d. kDayOfShifted: date_of of a shifted now (its local date).
enum Kind : std::uint8_t { kFree, kShifted, kDayOfShifted };

class TimeUses {
 public:
  explicit TimeUses(Program& p) : p_(p), kind_(p.nodes.size(), 0), done_(p.nodes.size(), 0) {}

  void run() {
    const std::size_t count = p_.nodes.size();
    for (std::uint32_t i = 0; i < count; ++i) of(i);
    // Values that leave the expressions (conditions are truth values; amounts, dates, limits
    // and outputs are written into the decision) are uses too.
    auto root = [&](std::uint32_t node) {
      if (node != kNoNode && node < count && of(node) != kFree) untracked_.push_back(node);
    };
    for (const auto* group : {&p_.referrer_eligible, &p_.referee_eligible, &p_.qualifies, &p_.voids}) {
      for (const CompiledCondition& c : *group) root(c.node);
    }
    auto grant = [&](const CompiledGrant& g) {
      root(g.amount);
      root(g.expiry_node);
      root(g.valued_at);
    };
    root(p_.settles);
    root(p_.payout);
    for (const CompiledRule& r : p_.rules) {
      root(r.loop_list);
      root(r.when);
      root(r.measure);
      grant(r.grant);
      for (const CompiledTier& t : r.tiers) grant(t.grant);
    }
    for (const CompiledBoost& b : p_.boosts) {
      root(b.factor);
      root(b.when);
    }
    for (const CompiledCap& c : p_.caps) root(c.limit);
    root(p_.budget_total);
    root(p_.budget_spent);
    grant(p_.fallback);
    for (const auto& [name, node] : p_.outputs) root(node);
    wrap();
  }

 private:
  // What a node's value is: free of `now`, or a shifted now. Uses of a shifted now that are not
  // followed are listed in untracked_ and count as free from there on (the wrapper speaks for
  // them).
  std::uint8_t of(std::uint32_t node) {
    if (node == kNoNode || node >= p_.nodes.size()) return kFree;
    if (done_[node]) return kind_[node];
    done_[node] = 1;  // a guard: the graph has no cycles, but a wrong one must not recurse
    Node& n = p_.nodes[node];
    std::uint8_t k = kFree;
    switch (n.op) {
      case Op::now: k = kShifted; break;
      case Op::define: k = of(p_.defines[n.slot].body); break;
      case Op::add:
      case Op::sub: {
        std::uint8_t a = of(n.a), b = of(n.b);
        if (a == kShifted && b == kFree && fixed_duration(n.b)) {
          k = kShifted;
        } else if (n.op == Op::add && a == kFree && b == kShifted && fixed_duration(n.a)) {
          k = kShifted;
        } else if (a != kFree || b != kFree) {
          untracked_.push_back(node);
        }
        break;
      }
      case Op::eq:
      case Op::ne:
      case Op::lt:
      case Op::le:
      case Op::gt:
      case Op::ge:
      case Op::in:
      case Op::not_in: {
        std::uint8_t a = of(n.a), b = of(n.b);
        const bool membership = n.op == Op::in || n.op == Op::not_in;
        if (a != kFree && b == kFree) {
          n.aux = a == kShifted ? kNowOnLeft : kDayOfNowOnLeft;
        } else if (b != kFree && a == kFree && !membership) {
          n.aux = b == kShifted ? kNowOnRight : kDayOfNowOnRight;
        } else if (a != kFree || b != kFree) {
          untracked_.push_back(node);
        }
        break;
      }
      case Op::builtin: {
        bool other = false;
        for (std::uint32_t i = 0; i < n.args_count; ++i) other |= of(p_.args[n.args_begin + i]) != kFree;
        if (static_cast<BuiltinId>(n.aux) == BuiltinId::date_of && n.args_count == 1 &&
            of(p_.args[n.args_begin]) == kShifted) {
          k = kDayOfShifted;
        } else if (other) {
          untracked_.push_back(node);
        }
        break;
      }
      case Op::call: {
        bool shifted_argument = false;
        for (std::uint32_t i = 0; i < n.args_count; ++i) shifted_argument |= of(p_.args[n.args_begin + i]) != kFree;
        // The body reads its parameters as locals, which count as free: a call handed a shifted
        // now is not followed. Nor is a call that gives a day of now: the machine finds the
        // instant behind a day by evaluating its argument again, which a call's locals forbid.
        k = of(n.c);
        if (shifted_argument || k == kDayOfShifted) {
          untracked_.push_back(node);
          k = kFree;
        }
        break;
      }
      default: {
        bool shifted = false;
        for (std::uint32_t child : {n.a, n.b, n.c}) shifted |= of(child) != kFree;
        for (std::uint32_t i = 0; i < n.args_count; ++i) shifted |= of(p_.args[n.args_begin + i]) != kFree;
        if (shifted) untracked_.push_back(node);
        break;
      }
    }
    kind_[node] = k;
    return k;
  }

  // A duration without months that does not depend on anything: a written one, or a definition
  // of one.
  bool fixed_duration(std::uint32_t node) const {
    for (int depth = 0; depth < 64 && node != kNoNode && node < p_.nodes.size(); ++depth) {
      const Node& n = p_.nodes[node];
      if (n.op == Op::define) {
        node = p_.defines[n.slot].body;
        continue;
      }
      if (n.op != Op::constant || n.constant.index() != kDuration) return false;
      return unsafe_get<kDuration>(n.constant).months == 0;
    }
    return false;
  }

  // Each untracked use moves to a new index, and a `time_untracked` node takes its place, so
  // that everything that pointed at it now passes through the wrapper.
  void wrap() {
    std::vector<std::uint8_t> wrapped(p_.nodes.size(), 0);
    for (std::uint32_t node : untracked_) {
      if (wrapped[node]) continue;
      wrapped[node] = 1;
      Node moved = p_.nodes[node];
      p_.nodes.push_back(moved);
      Node& w = p_.nodes[node];
      w = Node{};
      w.op = Op::time_untracked;
      w.a = static_cast<std::uint32_t>(p_.nodes.size() - 1);
      w.span = moved.span;
      w.file = moved.file;
    }
  }

  Program& p_;
  std::vector<std::uint8_t> kind_, done_;
  std::vector<std::uint32_t> untracked_;
};

}  // namespace

void analyse_time_uses(Program& p) { TimeUses(p).run(); }

}  // namespace refpol
