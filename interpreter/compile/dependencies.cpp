// What each part of a compiled policy reads, worked out once after compiling, so evaluation can
// keep values it knows cannot change:
// - a definition without parameters that reads no local (no `referral`, no `position`) has one
//   value all through an evaluation, once `qualified_referrals` is known (Machine keeps it);
// - the verdict conditions of a referral (referee eligible, void, qualifies) and its settlement
//   date that read only the referral, constants and some root fields give the same answers
//   while those do not change (ReferralMemo keeps them between evaluations).
#include "interpreter/compile/dependencies.hpp"

#include <algorithm>

namespace refpol {
namespace {

struct Reads {
  bool now = false;
  bool qualified = false;
  bool wide_root = false;      // a root field past the 64 the mask holds
  std::uint64_t roots = 0;     // root fields, by slot
  std::vector<std::uint32_t> locals;  // free locals (read, not bound inside), sorted
};

void add_local(Reads& r, std::uint32_t l) {
  auto it = std::lower_bound(r.locals.begin(), r.locals.end(), l);
  if (it == r.locals.end() || *it != l) r.locals.insert(it, l);
}

void merge(Reads& into, const Reads& from) {
  into.now |= from.now;
  into.qualified |= from.qualified;
  into.wide_root |= from.wide_root;
  into.roots |= from.roots;
  for (std::uint32_t l : from.locals) add_local(into, l);
}

// `from` with the locals [first, first + count) bound.
void merge_unbound(Reads& into, const Reads& from, std::uint32_t first, std::uint32_t count) {
  Reads outer = from;
  std::erase_if(outer.locals, [&](std::uint32_t l) { return l >= first && l - first < count; });
  merge(into, outer);
}

class Analysis {
 public:
  explicit Analysis(const Program& p) : p_(p), reads_(p.nodes.size()), done_(p.nodes.size(), 0) {}

  const Reads& of(std::uint32_t node) {
    static const Reads kNothing;
    if (node == kNoNode || node >= p_.nodes.size()) return kNothing;
    if (done_[node]) return reads_[node];
    Reads r;
    const Node& n = p_.nodes[node];
    switch (n.op) {
      case Op::constant: break;
      case Op::root_field:
        if (n.slot < 64) r.roots |= std::uint64_t{1} << n.slot;
        else r.wide_root = true;
        break;
      case Op::local: r.locals.push_back(n.slot); break;
      case Op::now: r.now = true; break;
      case Op::qualified: r.qualified = true; break;
      case Op::define: merge(r, of(p_.defines[n.slot].body)); break;
      case Op::count:
      case Op::sum:
      case Op::min:
      case Op::max:
      case Op::any:
      case Op::all:
        // The loop variable is bound in the condition and the value, not in the list.
        merge(r, of(n.a));
        merge_unbound(r, of(n.b), n.slot, 1);
        merge_unbound(r, of(n.c), n.slot, 1);
        break;
      case Op::call:
        for (std::uint32_t i = 0; i < n.args_count; ++i) merge(r, of(p_.args[n.args_begin + i]));
        merge_unbound(r, of(n.c), n.slot, n.args_count);
        break;
      default:
        merge(r, of(n.a));
        merge(r, of(n.b));
        merge(r, of(n.c));
        for (std::uint32_t i = 0; i < n.args_count; ++i) merge(r, of(p_.args[n.args_begin + i]));
        break;
    }
    reads_[node] = std::move(r);
    done_[node] = 1;
    return reads_[node];
  }

 private:
  const Program& p_;
  std::vector<Reads> reads_;
  std::vector<std::uint8_t> done_;
};

}  // namespace

void analyse_dependencies(Program& p) {
  Analysis a(p);
  p.define_cacheable.assign(p.defines.size(), 0);
  for (std::size_t d = 0; d < p.defines.size(); ++d) {
    const CompiledDefine& def = p.defines[d];
    if (def.params_count != 0 || def.body == kNoNode) continue;
    p.define_cacheable[d] = a.of(def.body).locals.empty() ? 1 : 0;
  }
  // The verdict of a referral: its conditions and its settlement date (which may read its
  // position, a local like any other: then nothing is kept).
  Reads verdict;
  bool fits_a_mask = true;  // which conditions of each group decided it is kept as a 64-bit mask
  for (const auto* group : {&p.referee_eligible, &p.voids, &p.qualifies}) {
    if (group->size() > 64) fits_a_mask = false;
    for (const CompiledCondition& c : *group) merge(verdict, a.of(c.node));
  }
  merge(verdict, a.of(p.settles));
  const bool only_the_referral =
      std::all_of(verdict.locals.begin(), verdict.locals.end(), [&](std::uint32_t l) { return l == p.referral_local; });
  // The referrals are the key, not a root field the verdict reads; but a verdict that reads the
  // whole list (`count(referrals) > 3`) changes with any of them: not kept.
  const std::uint64_t referrals_bit =
      p.referrals_slot >= 0 && p.referrals_slot < 64 ? std::uint64_t{1} << p.referrals_slot : 0;
  p.verdict_memo.keepable = fits_a_mask && only_the_referral && !verdict.now && !verdict.qualified &&
                            !verdict.wide_root && (verdict.roots & referrals_bit) == 0;
  p.verdict_memo.roots = verdict.roots & ~referrals_bit;
}

}  // namespace refpol
