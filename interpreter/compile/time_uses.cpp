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
//   and an `untracked` node (aux bit 1) put in its place, which tells the machine that the
//   decision may change at any time once it is evaluated. Only uses that an evaluation reaches
//   count.
// The campaign's two counters (`campaign.budget_spent`, `campaign.rewarded_referrers`) are
// followed the same way, for a caller that evaluates the same facts again with other counters
// (EvalOptions::counter_checks): a comparison of a counter with a value that does not depend on
// them, an add or sub of a counter and such a value (whose result may only be an output), the
// budget's `spent` and outputs are followed; any other use is wrapped (aux bit 2).
#include "interpreter/compile/dependencies.hpp"
#include "interpreter/eval/facts.hpp"

#include <vector>

#include "stdlib/builtins.hpp"

namespace refpol {
namespace {

// kShifted: now + d for a fixed d. kDayOfShifted: date_of of a shifted now (its local date).
// kCampaign: the campaign record; kCounter: one of its counters; kCounterDerived: a counter plus
// or minus a value free of both.
enum Kind : std::uint8_t { kFree, kShifted, kDayOfShifted, kCampaign, kCounter, kCounterDerived };

std::uint8_t untracked_bits(std::uint8_t kind) {
  if (kind == kFree) return 0;
  return kind == kShifted || kind == kDayOfShifted ? kUntrackedTime : kUntrackedCounters;
}

class TimeUses {
 public:
  explicit TimeUses(Program& p) : p_(p), kind_(p.nodes.size(), 0), done_(p.nodes.size(), 0) {
    const Schema& schema = p.policy.schema;
    const int slot = schema.records.empty() ? -1 : schema.records[0].index_of("campaign");
    if (slot < 0) return;
    const Type& t = schema.records[0].fields[static_cast<std::size_t>(slot)].type;
    int spent = -1, rank = -1;
    if (t.kind != TypeKind::record || !standard_campaign_counters(schema, t.record, spent, rank)) {
      p.campaign_not_followed = true;  // not the standard record (extended, say): not followed
      return;
    }
    p.campaign_slot = slot;
    p.campaign_spent_field = spent;
    p.campaign_rank_field = rank;
  }

  void run() {
    const std::size_t count = p_.nodes.size();
    for (std::uint32_t i = 0; i < count; ++i) of(i);
    // Values that leave the expressions (conditions are truth values; amounts, dates, limits
    // and outputs are written into the decision) are uses too.
    auto root = [&](std::uint32_t node) {
      if (node != kNoNode && node < count && of(node) != kFree) untracked_.emplace_back(node, untracked_bits(of(node)));
    };
    for (const auto* group : {&p_.referrer_eligible, &p_.referee_eligible, &p_.qualifies, &p_.voids}) {
      for (const CompiledCondition& c : *group) root(c.node);
    }
    root(p_.settles);
    for_each_reward_expression(p_, root);
    // The budget's spent as the counter itself: the engine notes what the outcome needs of it.
    if (p_.budget_spent != kNoNode && of(p_.budget_spent) == kCounter &&
        counter_field(p_.budget_spent) == p_.campaign_spent_field) {
      p_.budget_spent_is_counter = true;
    } else {
      root(p_.budget_spent);
    }
    // An output may hold a counter or a value made from one: written, it changes with them (the
    // engine says so); worked out but not written, only whether it fails matters, which the
    // machine notes.
    p_.output_reads_counters.assign(p_.outputs.size(), 0);
    for (std::size_t i = 0; i < p_.outputs.size(); ++i) {
      const std::uint8_t k = of(p_.outputs[i].second);
      if (k == kCounter || k == kCounterDerived) {
        p_.output_reads_counters[i] = 1;
      } else {
        root(p_.outputs[i].second);
      }
    }
    wrap();
  }

 private:
  // What a node's value is (Kind): free of `now` and the counters, or one of the kinds followed.
  // Uses that are not followed are listed in untracked_ and count as free from there on (the
  // wrapper speaks for them).
  std::uint8_t of(std::uint32_t node) {
    if (node == kNoNode || node >= p_.nodes.size()) return kFree;
    if (done_[node]) return kind_[node];
    done_[node] = 1;  // a guard: the graph has no cycles, but a wrong one must not recurse
    Node& n = p_.nodes[node];
    std::uint8_t k = kFree;
    switch (n.op) {
      case Op::now: k = kShifted; break;
      case Op::define: k = of(p_.defines[n.slot].body); break;
      case Op::root_field:
        if (p_.campaign_slot >= 0 && n.slot == static_cast<std::uint32_t>(p_.campaign_slot)) k = kCampaign;
        break;
      case Op::field: {
        const std::uint8_t a = of(n.a);
        if (a == kCampaign) {
          k = kCounter;
        } else if (a != kFree) {
          untrack(node, untracked_bits(a));
        }
        break;
      }
      case Op::add:
      case Op::sub: {
        std::uint8_t a = of(n.a), b = of(n.b);
        if (a == kShifted && b == kFree && fixed_duration(n.b)) {
          k = kShifted;
        } else if (n.op == Op::add && a == kFree && b == kShifted && fixed_duration(n.a)) {
          k = kShifted;
        } else if (a == kCounter && b == kFree) {
          k = kCounterDerived;
          n.aux = kCounterArithLeft;
        } else if (a == kFree && b == kCounter) {
          k = kCounterDerived;
          n.aux = kCounterArithRight;
        } else if (a != kFree || b != kFree) {
          untrack(node, static_cast<std::uint8_t>(untracked_bits(a) | untracked_bits(b)));
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
        const auto time = [](std::uint8_t x) { return x == kShifted || x == kDayOfShifted; };
        if (time(a) && b == kFree) {
          n.aux = a == kShifted ? kNowOnLeft : kDayOfNowOnLeft;
        } else if (time(b) && a == kFree && !membership) {
          n.aux = b == kShifted ? kNowOnRight : kDayOfNowOnRight;
        } else if (a == kCounter && b == kFree && !membership) {
          n.aux = kCounterOnLeft;
        } else if (b == kCounter && a == kFree && !membership) {
          n.aux = kCounterOnRight;
        } else if (a != kFree || b != kFree) {
          untrack(node, static_cast<std::uint8_t>(untracked_bits(a) | untracked_bits(b)));
        }
        break;
      }
      case Op::builtin: {
        std::uint8_t bits = 0;
        for (std::uint32_t i = 0; i < n.args_count; ++i) bits |= untracked_bits(of(p_.args[n.args_begin + i]));
        if (static_cast<BuiltinId>(n.aux) == BuiltinId::date_of && n.args_count == 1 &&
            of(p_.args[n.args_begin]) == kShifted) {
          k = kDayOfShifted;
        } else if (bits != 0) {
          untrack(node, bits);
        }
        break;
      }
      case Op::call: {
        std::uint8_t bits = 0;
        for (std::uint32_t i = 0; i < n.args_count; ++i) bits |= untracked_bits(of(p_.args[n.args_begin + i]));
        // The body reads its parameters as locals, which count as free: a call handed a shifted
        // now or a counter is not followed. Nor is a call that gives anything but a shifted now:
        // the machine finds the instant behind a day, and the counter behind a value, by
        // following definitions, which a call's locals forbid.
        k = of(n.c);
        if (k != kFree && k != kShifted) bits |= untracked_bits(k);
        if (bits != 0) {
          untrack(node, static_cast<std::uint8_t>(bits | untracked_bits(k)));  // a shifted now too
          k = kFree;
        }
        break;
      }
      default: {
        std::uint8_t bits = 0;
        for (std::uint32_t child : {n.a, n.b, n.c}) bits |= untracked_bits(of(child));
        for (std::uint32_t i = 0; i < n.args_count; ++i) bits |= untracked_bits(of(p_.args[n.args_begin + i]));
        if (bits != 0) untrack(node, bits);
        break;
      }
    }
    kind_[node] = k;
    return k;
  }

  void untrack(std::uint32_t node, std::uint8_t bits) { untracked_.emplace_back(node, bits); }

  // The field of the campaign a counter node reads, through definitions; -1 if none.
  std::int32_t counter_field(std::uint32_t node) const {
    node = p_.behind_defines(node);
    if (node >= p_.nodes.size() || p_.nodes[node].op != Op::field) return -1;
    return static_cast<std::int32_t>(p_.nodes[node].slot);
  }

  // A duration without months that does not depend on anything: a written one, or a definition
  // of one.
  bool fixed_duration(std::uint32_t node) const {
    node = p_.behind_defines(node);
    if (node >= p_.nodes.size()) return false;
    const Node& n = p_.nodes[node];
    return n.op == Op::constant && n.constant.index() == kDuration && unsafe_get<kDuration>(n.constant).months == 0;
  }

  // Each untracked use moves to a new index, and an `untracked` node takes its place, so that
  // everything that pointed at it now passes through the wrapper.
  void wrap() {
    std::vector<std::uint8_t> bits(p_.nodes.size(), 0);
    for (const auto& [node, b] : untracked_) bits[node] |= b;
    const std::size_t count = bits.size();
    for (std::uint32_t node = 0; node < count; ++node) {
      if (bits[node] == 0) continue;
      Node moved = p_.nodes[node];
      p_.nodes.push_back(moved);
      Node& w = p_.nodes[node];
      w = Node{};
      w.op = Op::untracked;
      w.aux = bits[node];
      w.a = static_cast<std::uint32_t>(p_.nodes.size() - 1);
      w.span = moved.span;
      w.file = moved.file;
    }
  }

  Program& p_;
  std::vector<std::uint8_t> kind_, done_;
  std::vector<std::pair<std::uint32_t, std::uint8_t>> untracked_;
};

}  // namespace

void analyse_time_uses(Program& p) { TimeUses(p).run(); }

}  // namespace refpol
