// What each part of a compiled policy reads, worked out once after compiling, so evaluation can
// keep values it knows cannot change:
// - a definition without parameters that reads no local (no `referral`, no `position`) has one
//   value all through an evaluation (Machine keeps it);
// - a call of a definition of one parameter that reads no other local has one value for each
//   argument all through an evaluation (Machine keeps it for records: `settled(r)` is worked out
//   once per referral, however many definitions ask);
// - the verdict conditions of a referral (referee eligible, void, qualifies) and its settlement
//   date that read only the referral, constants and some root fields give the same answers
//   while those do not change (ReferralMemo keeps them between evaluations).
#include "interpreter/compile/dependencies.hpp"

#include <algorithm>
#include <optional>
#include <vector>

#include "stdlib/builtins.hpp"

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

// Which fields of the referrer and of `referral.referee` an expression reads. A path is the
// referrer or the referral followed by up to two fields; an expression that is a path extends it,
// and a path used any other way (compared, listed, returned) is read whole. A definition's
// parameter bound to a path stands for that path in its body.
class FieldReads {
 public:
  FieldReads(const Program& p, std::int32_t referee_slot) : p_(p), referee_slot_(referee_slot) {}

  void use(std::uint32_t node) {
    Env env;
    env.push_back({p_.referral_local, Path{kReferral, {}, 0}});
    use(node, env);
  }
  std::uint64_t referrer = 0, referee = 0;

 private:
  static constexpr int kReferrer = 0, kReferral = 1;
  struct Path {
    int root = kReferrer;
    std::uint32_t fields[2] = {0, 0};
    int depth = 0;
  };
  using Env = std::vector<std::pair<std::uint32_t, std::optional<Path>>>;  // local slot -> path
  static constexpr std::uint64_t kAll = ~std::uint64_t{0};
  static constexpr std::size_t kBudget = 200000;  // nodes visited, past which all is read

  static std::uint64_t bit(std::uint32_t slot) { return slot < 64 ? std::uint64_t{1} << slot : kAll; }

  void read(const Path& path) {
    if (path.root == kReferrer) {
      referrer |= path.depth == 0 ? kAll : bit(path.fields[0]);
      return;
    }
    if (path.depth == 0) {
      referee = kAll;
    } else if (referee_slot_ >= 0 && path.fields[0] == static_cast<std::uint32_t>(referee_slot_)) {
      referee |= path.depth == 1 ? kAll : bit(path.fields[1]);
    }
  }

  static const std::optional<Path>* bound(const Env& env, std::uint32_t slot) {
    for (auto it = env.rbegin(); it != env.rend(); ++it) {
      if (it->first == slot) return &it->second;
    }
    return nullptr;
  }

  // The path `node` is, if it is one; a path too long to follow is read there.
  std::optional<Path> path(std::uint32_t node, const Env& env) {
    if (node == kNoNode) return std::nullopt;
    const Node& n = p_.nodes[node];
    switch (n.op) {
      case Op::root_field:
        if (p_.referrer_slot >= 0 && n.slot == static_cast<std::uint32_t>(p_.referrer_slot)) return Path{};
        return std::nullopt;
      case Op::local: return bound_or_none(env, n.slot);
      case Op::field: {
        std::optional<Path> base = path(n.a, env);
        if (!base) return std::nullopt;
        if (base->depth == 2) {
          read(*base);
          return std::nullopt;
        }
        base->fields[base->depth++] = n.slot;
        return base;
      }
      default: return std::nullopt;
    }
  }

  void use(std::uint32_t node, Env& env) {
    if (node == kNoNode) return;
    if (++visited_ > kBudget) {
      referrer = referee = kAll;
      return;
    }
    const Node& n = p_.nodes[node];
    if (n.op == Op::root_field || n.op == Op::local || n.op == Op::field) {
      if (std::optional<Path> p = path(node, env)) {
        read(*p);
      } else if (n.op == Op::field && !path_like(n.a, env)) {
        use(n.a, env);
      }
      return;
    }
    switch (n.op) {
      case Op::define: {
        Env inner;
        inner.push_back({p_.referral_local, bound_or_none(env, p_.referral_local)});
        use(p_.defines[n.slot].body, inner);
        return;
      }
      case Op::call: {
        // The body sees its parameters only: each bound to its argument's path, if it is one.
        Env inner;
        for (std::uint32_t i = 0; i < n.args_count; ++i) {
          const std::uint32_t arg = p_.args[n.args_begin + i];
          std::optional<Path> p = path(arg, env);
          if (!p && !path_like(arg, env)) use(arg, env);
          inner.push_back({n.slot + i, p});
        }
        use(n.c, inner);
        return;
      }
      case Op::count:
      case Op::sum:
      case Op::min:
      case Op::max:
      case Op::any:
      case Op::all:
        use(n.a, env);
        env.push_back({n.slot, std::nullopt});  // the loop variable: an item, not a path
        use(n.b, env);
        use(n.c, env);
        env.pop_back();
        return;
      default:
        use(n.a, env);
        use(n.b, env);
        use(n.c, env);
        for (std::uint32_t i = 0; i < n.args_count; ++i) use(p_.args[n.args_begin + i], env);
        return;
    }
  }

  // A field of a path too deep to follow: path() has read its prefix already.
  bool path_like(std::uint32_t node, const Env& env) {
    if (node == kNoNode) return false;
    const Node& n = p_.nodes[node];
    if (n.op != Op::field) return false;
    std::uint32_t base = n.a;
    while (base != kNoNode && p_.nodes[base].op == Op::field) base = p_.nodes[base].a;
    if (base == kNoNode) return false;
    const Node& b = p_.nodes[base];
    if (b.op == Op::root_field) return p_.referrer_slot >= 0 && b.slot == static_cast<std::uint32_t>(p_.referrer_slot);
    if (b.op == Op::local) {
      const std::optional<Path>* x = bound(env, b.slot);
      return x != nullptr && x->has_value();
    }
    return false;
  }

  static std::optional<Path> bound_or_none(const Env& env, std::uint32_t slot) {
    const std::optional<Path>* b = bound(env, slot);
    return b != nullptr ? *b : std::nullopt;
  }

  const Program& p_;
  std::int32_t referee_slot_;
  std::size_t visited_ = 0;
};

// Whether working a node out may fail (Machine::fail): it reaches an operation that can. Cycles
// do not occur; one would count as failing.
class Failures {
 public:
  explicit Failures(const Program& p) : p_(p), state_(p.nodes.size(), kUnknown) {}

  bool may_fail(std::uint32_t node) {
    if (node == kNoNode || node >= p_.nodes.size()) return false;
    if (state_[node] != kUnknown) return state_[node] != kSafe;
    state_[node] = kVisiting;
    const Node& n = p_.nodes[node];
    // A folded operation (fold_constants) keeps its operands, but is not worked out again.
    if (n.op == Op::constant) {
      state_[node] = kSafe;
      return false;
    }
    bool fails = own(n);
    for (std::uint32_t child : {n.a, n.b, n.c}) fails = fails || may_fail(child);
    for (std::uint32_t i = 0; i < n.args_count && !fails; ++i) fails = may_fail(p_.args[n.args_begin + i]);
    if (!fails && n.op == Op::define && n.slot < p_.defines.size()) fails = may_fail(p_.defines[n.slot].body);
    state_[node] = fails ? kFails : kSafe;
    return fails;
  }

 private:
  // Whether the node's own operation may fail, whatever its operands.
  static bool own(const Node& n) {
    switch (n.op) {
      case Op::add:
      case Op::sub:
      case Op::mul:
      case Op::div:
      case Op::neg:
      case Op::sum: return true;
      case Op::builtin: return builtin_may_fail(static_cast<BuiltinId>(n.aux));
      default: return false;
    }
  }
  static bool builtin_may_fail(BuiltinId id) {
    switch (id) {
      case BuiltinId::round:
      case BuiltinId::floor:
      case BuiltinId::abs: return true;
      case BuiltinId::days_between:
      case BuiltinId::hours_between:
      case BuiltinId::date_of:
      case BuiltinId::least:
      case BuiltinId::greatest:
      case BuiltinId::lower:
      case BuiltinId::upper:
      case BuiltinId::length:
      case BuiltinId::contains:
      case BuiltinId::draw: return false;
    }
    return true;
  }
  enum State : std::uint8_t { kUnknown, kVisiting, kSafe, kFails };
  const Program& p_;
  std::vector<std::uint8_t> state_;
};

}  // namespace

void for_each_reward_expression(const Program& p, const std::function<void(std::uint32_t)>& use) {
  auto grant = [&](const CompiledGrant& g) {
    use(g.amount);
    use(g.expiry_node);
    use(g.valued_at);
  };
  use(p.payout);
  for (const CompiledRule& r : p.rules) {
    use(r.loop_list);
    use(r.when);
    use(r.measure);
    grant(r.grant);
    for (const CompiledTier& t : r.tiers) grant(t.grant);
  }
  for (const CompiledBoost& b : p.boosts) {
    use(b.factor);
    use(b.when);
  }
  for (const CompiledCap& c : p.caps) use(c.limit);
  use(p.budget_total);
  grant(p.fallback);
}

void analyse_dependencies(Program& p) {
  Failures failures(p);
  p.output_may_fail.assign(p.outputs.size(), 1);
  for (std::size_t i = 0; i < p.outputs.size(); ++i) p.output_may_fail[i] = failures.may_fail(p.outputs[i].second) ? 1 : 0;
  Analysis a(p);
  p.define_cacheable.assign(p.defines.size(), 0);
  for (std::size_t d = 0; d < p.defines.size(); ++d) {
    const CompiledDefine& def = p.defines[d];
    if (def.params_count != 0 || def.body == kNoNode) continue;
    p.define_cacheable[d] = a.of(def.body).locals.empty() ? 1 : 0;
  }
  // A call of one parameter whose body reads no other local, at every place it is called.
  std::vector<std::uint8_t> pure(p.defines.size(), 2);  // 2: not called
  for (const Node& n : p.nodes) {
    if (n.op != Op::call || n.callee >= pure.size()) continue;
    Reads body;
    merge_unbound(body, a.of(n.c), n.slot, n.args_count);
    const bool ok = n.args_count == 1 && body.locals.empty();
    pure[n.callee] = pure[n.callee] != 0 && ok ? 1 : 0;
  }
  p.call_memoizable.assign(p.defines.size(), 0);
  for (std::size_t d = 0; d < pure.size(); ++d) p.call_memoizable[d] = pure[d] == 1 ? 1 : 0;
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
  // The rest of the decision: whether any of it reads the list of referrals.
  {
    bool reads = referrals_bit == 0;  // past the 64 root fields a mask holds: assume so
    auto use = [&](std::uint32_t node) {
      if (node == kNoNode) return;
      const Reads& r = a.of(node);
      if ((r.roots & referrals_bit) != 0 || r.wide_root) reads = true;
    };
    for (const CompiledCondition& c : p.referrer_eligible) use(c.node);
    for_each_reward_expression(p, use);
    use(p.budget_spent);
    for (std::size_t i = 0; i < p.outputs.size(); ++i) {
      if (p.output_may_fail[i] != 0) use(p.outputs[i].second);
    }
    p.referrals_read_outside_verdicts = reads;
  }
  // The fields of the referrer and the referee the verdict reads.
  std::int32_t referee_slot = -1;
  if (p.referrals_slot >= 0 && !p.policy.schema.records.empty()) {
    const Type& list = p.policy.schema.records[0].fields[static_cast<std::size_t>(p.referrals_slot)].type;
    if (list.kind == TypeKind::list && list.record >= 0) {
      referee_slot = p.policy.schema.records[static_cast<std::size_t>(list.record)].index_of("referee");
    }
  }
  FieldReads fields(p, referee_slot);
  for (const auto* group : {&p.referee_eligible, &p.voids, &p.qualifies}) {
    for (const CompiledCondition& c : *group) fields.use(c.node);
  }
  fields.use(p.settles);
  p.verdict_memo.referrer_fields = fields.referrer;
  p.verdict_memo.referee_fields = fields.referee;
}

}  // namespace refpol
