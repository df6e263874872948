// Turning facts into a decision: eligibility, referral verdicts, rewards in declaration order,
// boosts, caps, budget, expiry and outputs. The order of every step is documented in
// docs/language.md#evaluation-order so decisions are reproducible.
#include "interpreter/eval/evaluator.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <bit>

#include "interpreter/check/checker_impl.hpp"
#include "interpreter/decision/decision_json.hpp"
#include "interpreter/eval/machine.hpp"

namespace refpol {
namespace {

namespace v2 = boost::variant2;

// The `id` of a record, as a view into the facts.
std::string_view string_field(const Program& p, const Value& record_value) {
  if (record_value.index() != kRecord) return {};
  const RecordV* r = unsafe_get<kRecord>(record_value);
  if (r->record < 0) return {};
  std::int32_t slot = p.id_slot[static_cast<std::size_t>(r->record)];
  if (slot < 0 || r->fields[slot].index() != kString) return {};
  return unsafe_get<kString>(r->fields[slot]).view();
}

class Engine {
 public:
  Engine(const Program& p, const FactsDocument& facts, const EvalOptions& options, EvalScratch& scratch,
         Decision& out, DateTime now)
      : p_(p), facts_(facts), options_(options), scratch_(scratch), out_(out), m_(p, facts.root, now, scratch) {}

  bool run(EvalError& error) {
    const Program& p = p_;
    if (options_.counter_checks != nullptr) {
      options_.counter_checks->clear();
      m_.set_counter_checks(options_.counter_checks);
      // Counters in a campaign record other than the standard one are not followed.
      if (p.campaign_not_followed) options_.counter_checks->untracked = true;
    }
    out_.policy_id = p.policy.id;
    out_.policy_version = p.policy.version;
    out_.policy_hash = p.policy.content_hash;
    out_.now = m_.now();
    if (p.referrer_slot >= 0) out_.referrer_id = string_field(p, facts_.root->fields[p.referrer_slot]);
    // Referrals first: `qualified_referrals` may decide the referrer's eligibility.
    referrals();
    if (options_.verdicts_only) {
      if (!m_.failed()) return true;
      error = m_.error();
      return false;
    }
    m_.set_local(p.referral_local, Absent{});
    m_.set_local(p.position_local, Absent{});
    out_.referrer_eligible = conditions(p.referrer_eligible, "referrer eligible", out_.referrer_reasons, false);
    if (out_.referrer_eligible) {
      for (std::size_t i = 0; i < p.rules.size() && !m_.failed(); ++i) rule(p.rules[i]);
      if (!m_.failed()) apply_caps_and_budget();
    } else if (options_.explain) {
      explain("rewards", "", "none", "the referrer is not eligible, so no reward applies", kNoNode);
    }
    for (std::size_t i = 0; i < p.outputs.size(); ++i) {
      const auto& [name, node] = p.outputs[i];
      if (m_.failed()) break;
      if (options_.counter_checks != nullptr && options_.write_outputs && p.output_reads_counters[i] != 0) {
        options_.counter_checks->untracked = true;  // the value written changes with the counters
      }
      if (!options_.write_outputs) {
        // Only whether it fails could matter (program.hpp, output_may_fail).
        if (p.output_may_fail[i] != 0) m_.eval(node);
        continue;
      }
      OutputValue o;
      o.name = std::string(name);
      write_value_json(p, m_.eval(node), o.json);
      out_.outputs.push_back(std::move(o));
    }
    if (!m_.failed() && out_.rewards.size() > kMaxRewardsPerDecision) {
      m_.fail(kNoNode, fmt::format("the decision has more than {} rewards", kMaxRewardsPerDecision));
    }
    if (m_.failed()) {
      error = m_.error();
      return false;
    }
    if (options_.counter_checks != nullptr && m_.counters_untracked()) options_.counter_checks->untracked = true;
    if (m_.time_untracked()) {
      out_.recheck_at = m_.now();
    } else if (m_.next_turn() != INT64_MAX) {
      const std::int64_t t = m_.next_turn();
      out_.recheck_at = DateTime{t, p.zone.offset_at(t)};
    }
    return true;
  }

 private:
  const Program& p_;
  const FactsDocument& facts_;
  const EvalOptions& options_;
  EvalScratch& scratch_;
  Decision& out_;
  Machine m_;
  // Per referral, in document order: its record, whether its rewards are void, when it settles.
  struct RefState {
    Value record;
    bool qualified = false;
    bool voided_but_qualifying = false;
    std::int64_t position = 0;
    std::optional<DateTime> settles_at;
    std::size_t verdict = 0;
  };
  std::vector<RefState> refs_;
  ReferralMemo* memo_ = nullptr;  // when verdicts may be kept and reused

  // The labels of the conditions at the places `decided` gives, in order.
  static void labels(const std::vector<CompiledCondition>& conds, std::uint64_t decided,
                     std::vector<std::string_view>& out) {
    // Only the set bits: a qualified referral's masks are all zero.
    for (; decided != 0; decided &= decided - 1) {
      const auto i = static_cast<std::size_t>(std::countr_zero(decided));
      if (i < conds.size()) out.push_back(label_of(conds[i], "referral"));
    }
  }

  void explain(std::string rule, std::string label, std::string outcome, std::string detail, std::uint32_t node) {
    ExplainLine line{std::move(rule), std::move(label), std::move(outcome), std::move(detail), 0, 0, {}};
    if (node != kNoNode) {
      const Node& n = p_.nodes[node];
      const auto& src = p_.policy.files[static_cast<std::size_t>(n.file)].source;
      auto pos = src->position(n.span.begin);
      line.line = pos.line;
      line.column = pos.column;
      line.file = src->path();
    }
    out_.explanation.push_back(std::move(line));
  }

  // The values a condition looked at: every fact, name or definition it reads.
  void collect_reads(std::uint32_t node, std::vector<std::uint32_t>& reads, int depth = 0) {
    if (node == kNoNode || depth > 64 || reads.size() >= 8) return;
    const Node& n = p_.nodes[node];
    switch (n.op) {
      case Op::root_field:
      case Op::field:
      case Op::define:
      case Op::now:
        reads.push_back(node);
        return;
      case Op::local:
        return;
      default: break;
    }
    if (n.op == Op::count || n.op == Op::sum || n.op == Op::min || n.op == Op::max || n.op == Op::any ||
        n.op == Op::all || n.op == Op::call || n.op == Op::builtin) {
      reads.push_back(node);
      return;
    }
    collect_reads(n.a, reads, depth + 1);
    collect_reads(n.b, reads, depth + 1);
    collect_reads(n.c, reads, depth + 1);
  }

  std::string detail(std::uint32_t node) {
    std::vector<std::uint32_t> reads;
    collect_reads(node, reads);
    std::string s;
    for (auto r : reads) {
      const Node& n = p_.nodes[r];
      const auto& src = p_.policy.files[static_cast<std::size_t>(n.file)].source;
      if (!s.empty()) s += ", ";
      s += fmt::format("{} = {}", src->slice(n.span), describe_value(p_, m_.eval(r)));
    }
    return s;
  }

  static std::string_view label_of(const CompiledCondition& c, std::string_view what) {
    if (!c.label.empty()) return c.label;
    return what == "referrer eligible" ? std::string_view("not_eligible") : std::string_view("condition");
  }

  // Evaluates labelled conditions; returns whether all held and collects the labels that failed
  // (that held, in `any_mode`), and their places in `decided` (up to 64).
  bool conditions(const std::vector<CompiledCondition>& conds, std::string_view what,
                  std::vector<std::string_view>& failed, bool any_mode, std::uint64_t* decided = nullptr) {
    bool all = true, any = false;
    for (std::size_t i = 0; i < conds.size(); ++i) {
      const CompiledCondition& c = conds[i];
      int t = m_.truth(c.node);
      if (m_.failed()) return false;
      bool held = t == 1;
      if (held) any = true;
      if (!held) all = false;
      if (any_mode ? held : !held) {
        failed.push_back(label_of(c, what));
        if (decided != nullptr && i < 64) *decided |= std::uint64_t{1} << i;
      }
      if (options_.explain) {
        explain(std::string(what), std::string(c.label), t == 1 ? "held" : t == 0 ? "failed" : "absent", detail(c.node), c.node);
      }
    }
    return any_mode ? any : all;
  }

  void referrals() {
    const Program& p = p_;
    if (p.referrals_slot < 0) return;
    Value lv = facts_.root->fields[p.referrals_slot];
    if (lv.index() != kList) return;
    const ListV* list = unsafe_get<kList>(lv);
    Value* qualified_items = m_.arena().values(list->size);
    std::uint32_t qualified_count = 0;
    refs_.reserve(list->size);
    out_.referrals.reserve(list->size);
    // Kept verdicts only where the caller gave a token for every referral, and never when
    // explaining (the explanation needs every condition's values).
    memo_ = options_.memo;
    if (memo_ != nullptr && (!p.verdict_memo.keepable || options_.explain || memo_->item_tokens.size() != list->size)) {
      memo_ = nullptr;
    }
    if (memo_ != nullptr && memo_->kept.size() != list->size) memo_->kept.resize(list->size);
    // The referee's slot, looked up once per record type rather than by name for every referral.
    std::int32_t referee_record = -1;
    int referee = -1;
    for (std::uint32_t i = 0; i < list->size && !m_.failed(); ++i) {
      RefState st;
      st.record = list->items[i];
      m_.set_local(p.referral_local, st.record);
      ReferralVerdict v;
      // A kept verdict has the referral's ids too: not reading the record at all is most of
      // what keeping saves, as the records lie all over memory.
      ReferralMemo::Kept* kept = memo_ != nullptr ? &memo_->kept[i] : nullptr;
      const bool reuse = kept != nullptr && kept->valid && kept->item_token == memo_->item_tokens[i] &&
                         kept->roots_token == memo_->roots_token;
      if (reuse) {
        v.id = kept->id;
        v.referee_id = kept->referee_id;
      } else {
        v.id = string_field(p, st.record);
      }
      if (!reuse && st.record.index() == kRecord) {
        const RecordV* r = unsafe_get<kRecord>(st.record);
        if (r->record != referee_record) {
          referee_record = r->record;
          referee = p.policy.schema.records[static_cast<std::size_t>(r->record)].index_of("referee");
        }
        if (referee >= 0) v.referee_id = string_field(p, r->fields[referee]);
      }
      // The names of the condition groups are only read by explanations: without one they stay
      // empty, so no string is built per referral.
      std::string referee_what, void_what, qual_what;
      if (options_.explain) {
        const std::string what = fmt::format("referral {}", v.id.empty() ? std::to_string(i + 1) : std::string(v.id));
        referee_what = what + " referee eligible";
        void_what = what + " void";
        qual_what = what + " qualifies";
      }
      std::vector<std::string_view>& referee_failed = scratch_.referee_failed;
      std::vector<std::string_view>& void_held = scratch_.void_held;
      std::vector<std::string_view>& qual_failed = scratch_.qual_failed;
      referee_failed.clear();
      void_held.clear();
      qual_failed.clear();
      bool referee_ok = false, voided = false, qualifies = false;
      if (reuse) {
        referee_ok = kept->referee_ok;
        voided = kept->voided;
        qualifies = kept->qualifies;
        // Only the labels its status gives as reasons (below).
        if (voided) {
          labels(p.voids, kept->void_held, void_held);
        } else if (!referee_ok) {
          labels(p.referee_eligible, kept->referee_failed, referee_failed);
        } else if (!qualifies) {
          labels(p.qualifies, kept->qual_failed, qual_failed);
        }
      } else {
        std::uint64_t referee_mask = 0, void_mask = 0, qual_mask = 0;
        referee_ok = conditions(p.referee_eligible, referee_what, referee_failed, false, &referee_mask);
        voided = !p.voids.empty() && conditions(p.voids, void_what, void_held, true, &void_mask);
        qualifies = conditions(p.qualifies, qual_what, qual_failed, false, &qual_mask);
        if (kept != nullptr) {
          *kept = ReferralMemo::Kept{false, memo_->item_tokens[i], memo_->roots_token, std::string(v.id),
                                     std::string(v.referee_id), referee_ok, voided, qualifies, referee_mask,
                                     void_mask, qual_mask, std::nullopt};
          v.id = kept->id;
          v.referee_id = kept->referee_id;
        }
      }
      // Voiding speaks first: a self-referral is fraud, whatever else is true of the referee.
      // The labels go into memory an earlier decision's verdict had, when there is some.
      auto set_reasons = [&](const std::vector<std::string_view>& labels) {
        if (labels.empty()) return;
        if (!out_.spare_reasons.empty()) {
          v.reasons = std::move(out_.spare_reasons.back());
          out_.spare_reasons.pop_back();
        }
        v.reasons.assign(labels.begin(), labels.end());
      };
      if (voided) {
        v.status = ReferralStatus::void_;
        set_reasons(void_held);
        st.voided_but_qualifying = qualifies && referee_ok;
        // It takes no place among the qualified, but the rewards listed as void (to cancel what
        // may have been paid) are worked out at the place it would have had.
        st.position = qualified_count + 1;
      } else if (!referee_ok) {
        v.status = ReferralStatus::ineligible_referee;
        set_reasons(referee_failed);
      } else if (qualifies) {
        v.status = ReferralStatus::qualified;
        st.qualified = true;
        st.position = ++qualified_count;
        v.position = static_cast<std::int32_t>(st.position);
        qualified_items[qualified_count - 1] = st.record;
      } else {
        v.status = ReferralStatus::not_qualified;
        set_reasons(qual_failed);
      }
      if ((st.qualified || st.voided_but_qualifying) && p.settles != kNoNode) {
        if (reuse) {
          st.settles_at = kept->settles_at;
        } else {
          m_.set_local(p.position_local, st.position);
          Value s = m_.eval(p.settles);
          if (s.index() == kDateTime || s.index() == kDate) st.settles_at = m_.to_instant(s);
          if (kept != nullptr) kept->settles_at = st.settles_at;
        }
        v.settles_at = st.settles_at;
      }
      // Kept only once all of it is known, and never from an evaluation that failed part-way.
      if (kept != nullptr && !reuse && !m_.failed()) kept->valid = true;
      st.verdict = out_.referrals.size();
      out_.referrals.push_back(std::move(v));
      refs_.push_back(std::move(st));
    }
    ListV* q = m_.arena().list();
    q->items = qualified_items;
    q->size = qualified_count;
    m_.set_qualified(q);
  }

  // Money arithmetic outside expressions (rounding, shares, caps, the budget) is exact or an
  // evaluation error at `node`, like the expressions' own: never a wrapped or unrounded amount.
  bool exact(DecimalError e, std::uint32_t node) {
    if (e == DecimalError::none) return true;
    m_.fail(node, describe(e));
    return false;
  }

  // Rounded to the unit's digits: cents for a currency, hundredths of a percent, whole points.
  Decimal round_amount(const Decimal& d, std::string_view unit, std::uint32_t node) {
    Decimal r;
    int digits = unit.size() == 3 && unit != "%" ? 2 : 0;
    if (unit == "%") digits = 2;
    if (!exact(round_to(d, digits, Rounding::half_up, r), node)) return d;
    return r;
  }

  // Builds one reward from a grant in the current context (locals already bound).
  void grant(const CompiledRule& rule, const CompiledGrant& g, std::string_view tier, std::int32_t tier_index,
             std::string_view rid, std::string_view scope, const RefState* ref) {
    // Built in place; dropped again below if the evaluation fails part-way.
    Reward& r = out_.rewards.emplace_back();
    r.rule = rule.name;
    r.tier = tier;
    r.tier_index = tier_index;
    r.recipient_role = rule.recipient;
    r.recipient_id = rid;
    r.scope = scope;
    r.kind = g.kind;
    r.label = g.label;
    if (g.amount != kNoNode) {
      Value a = m_.operand(g.amount);
      if (m_.failed()) return;
      // Boosts multiply the amount, in declaration order.
      for (std::size_t b = 0; b < p_.boosts.size() && a.index() != kAbsent; ++b) {
        const CompiledBoost& boost = p_.boosts[b];
        if (!boost.kinds.empty() && std::find(boost.kinds.begin(), boost.kinds.end(), g.kind) == boost.kinds.end()) continue;
        if (!boost.recipient.empty() && boost.recipient != rule.recipient) continue;
        if (m_.truth(boost.when) != 1) continue;
        a = m_.multiply(a, m_.eval(boost.factor), boost.factor);
        if (b < 64) r.boosts |= std::uint64_t{1} << b;
      }
      if (m_.failed()) return;
      if (a.index() == kMoney) {
        const Money& money = unsafe_get<kMoney>(a);
        r.unit = p_.units[money.unit];
        r.amount = round_amount(money.amount, r.unit, g.amount);
        r.has_amount = true;
      } else if (is_numeric(a)) {
        Decimal d = as_decimal(a);
        if (g.kind == "coupon" || g.kind == "discount") {
          // A share off: 20% is held as 0.20 and shown as 20 with unit `%`.
          Decimal pct;
          if (!exact(mul(d, from_int(100), pct), g.amount)) return;
          r.unit = "%";
          r.amount = normalized(round_amount(pct, "%", g.amount));
        } else if (g.kind == "points") {
          r.unit = "points";
          r.amount = round_amount(d, "points", g.amount);
        } else {
          r.amount = d;
        }
        r.has_amount = true;
      } else if (a.index() == kAbsent) {
        r.status = RewardStatus::withheld;
        r.reason = "amount_absent";
      }
    }
    if (r.has_amount && r.amount.mantissa < 0) {
      r.status = RewardStatus::withheld;
      r.reason = "negative_amount";
    }
    if (g.valued_at != kNoNode) {
      Value v = m_.eval(g.valued_at);
      if (v.index() == kMoney) r.value = unsafe_get<kMoney>(v).amount;
    } else if (r.has_amount && r.unit == p_.units[0]) {
      r.value = r.amount;
    }
    // Status and dates.
    if (ref && ref->voided_but_qualifying) {
      r.status = RewardStatus::void_;
      const auto& reasons = out_.referrals[ref->verdict].reasons;
      if (!reasons.empty()) r.reason = reasons.front();
    }
    std::optional<DateTime> settles = ref ? ref->settles_at : std::nullopt;
    if (settles) {
      r.settles_at = settles;
      if (r.status == RewardStatus::granted && settles->utc_seconds > m_.now().utc_seconds) {
        r.status = RewardStatus::pending;
        m_.note_turn(settles->utc_seconds);  // granted from then on
      }
      if (p_.payout != kNoNode && r.status != RewardStatus::void_) {
        Value d = m_.eval(p_.payout);
        DateTime due;
        if (d.index() == kDuration && add(*settles, unsafe_get<kDuration>(d), p_.zone, due)) r.due_by = due;
      }
    }
    if (r.status == RewardStatus::granted || r.status == RewardStatus::pending) {
      if (r.status == RewardStatus::granted) r.granted_at = settles ? *settles : m_.now();
      set_expiry(r, g);
    }
  }

  // The grant's expiry for a granted or pending reward, counted from when it is granted (its
  // settle date, or now); a granted reward past it is expired.
  void set_expiry(Reward& r, const CompiledGrant& g) {
    const DateTime granted = r.settles_at ? *r.settles_at : m_.now();
    r.expires_at.reset();
    if (g.expiry == CompiledGrant::Expiry::after_grant) {
      Value d = m_.eval(g.expiry_node);
      DateTime exp;
      if (d.index() == kDuration && add(granted, unsafe_get<kDuration>(d), p_.zone, exp)) r.expires_at = exp;
    } else if (g.expiry == CompiledGrant::Expiry::on_date) {
      Value d = m_.eval(g.expiry_node);
      if (d.index() == kDate) r.expires_at = end_of_day(unsafe_get<kDate>(d), p_.zone);
    }
    if (r.status == RewardStatus::granted && r.expires_at && r.expires_at->utc_seconds <= m_.now().utc_seconds) {
      r.status = RewardStatus::expired;
    }
    // Expired from then on; an expiry counted from a grant at `now` moves with it.
    if (r.expires_at && (r.settles_at || g.expiry == CompiledGrant::Expiry::on_date)) m_.note_turn(r.expires_at->utc_seconds);
  }

  std::string_view referee_id_of(const RefState& st) { return out_.referrals[st.verdict].referee_id; }

  void rule(const CompiledRule& rule) {
    const Program& p = p_;
    // Outside per-referral rules no referral is current: boosts that read one see it absent.
    m_.set_local(p.referral_local, Absent{});
    m_.set_local(p.position_local, Absent{});
    auto when_holds = [&](std::string_view what) {
      if (rule.when == kNoNode) return true;
      int t = m_.truth(rule.when);
      if (options_.explain) explain(fmt::format("reward {}", rule.name), std::string(what), t == 1 ? "held" : t == 0 ? "failed" : "absent", detail(rule.when), rule.when);
      return t == 1;
    };
    switch (rule.form) {
      case CompiledRule::Form::each_qualified:
        for (const RefState& st : refs_) {
          if (!st.qualified && !st.voided_but_qualifying) continue;
          m_.set_local(p.referral_local, st.record);
          m_.set_local(p.position_local, st.position);
          std::string_view rid = out_.referrals[st.verdict].id;
          if (!when_holds(rid)) continue;
          std::string_view recipient = rule.recipient == "referee" ? referee_id_of(st) : out_.referrer_id;
          grant(rule, rule.grant, {}, -1, recipient, rid, &st);
          if (m_.failed()) return;
        }
        return;
      case CompiledRule::Form::each_in: {
        Value lv = m_.eval(rule.loop_list);
        if (lv.index() != kList) return;
        const ListV* list = unsafe_get<kList>(lv);
        for (std::uint32_t i = 0; i < list->size; ++i) {
          m_.set_local(rule.loop_slot, list->items[i]);
          std::string_view item_id = string_field(p, list->items[i]);
          if (item_id.empty()) item_id = m_.arena().string(std::to_string(i + 1)).view();
          if (!when_holds(item_id)) continue;
          std::string_view recipient = rule.recipient == "referrer" ? out_.referrer_id : item_id;
          grant(rule, rule.grant, {}, -1, recipient, item_id, nullptr);
          if (m_.failed()) return;
        }
        return;
      }
      case CompiledRule::Form::once: {
        if (!when_holds("")) return;
        std::string_view recipient = rule.recipient == "referrer" ? out_.referrer_id : facts_referee_id();
        grant(rule, rule.grant, {}, -1, recipient, "once", nullptr);
        return;
      }
      case CompiledRule::Form::tiers: {
        Value m = m_.eval(rule.measure);
        if (m_.failed()) return;
        std::int32_t reached = -1;
        for (std::size_t t = 0; t < rule.tiers.size(); ++t) {
          int c = m.index() == kAbsent ? -2 : m_.compare_values(m, rule.tiers[t].threshold);
          if (c >= 0) reached = static_cast<std::int32_t>(t);
        }
        if (options_.explain) {
          std::string d = fmt::format("{} = {}", p.policy.files[static_cast<std::size_t>(rule.file)].source->slice(p.nodes[rule.measure].span),
                                      describe_value(p, m));
          std::size_t next = static_cast<std::size_t>(reached + 1);
          if (next < rule.tiers.size() && m.index() != kAbsent) {
            Value gap = m_.add_values(rule.tiers[next].threshold, m, rule.measure, true);
            d += fmt::format("; {} more to reach `{}`", describe_value(p, gap), rule.tiers[next].label);
          }
          explain(fmt::format("tiers {}", rule.name), reached >= 0 ? std::string(rule.tiers[static_cast<std::size_t>(reached)].label) : "",
                  reached >= 0 ? "reached" : "none reached", d, rule.measure);
        }
        if (reached < 0) return;
        std::size_t first = rule.pays_highest ? static_cast<std::size_t>(reached) : 0;
        for (std::size_t t = first; t <= static_cast<std::size_t>(reached); ++t) {
          const CompiledTier& tier = rule.tiers[t];
          std::string_view recipient = rule.recipient == "referrer" ? out_.referrer_id : facts_referee_id();
          grant(rule, tier.grant, tier.label, static_cast<std::int32_t>(t), recipient, tier.label, nullptr);
          if (m_.failed()) return;
        }
        return;
      }
    }
  }

  std::string_view facts_referee_id() {
    if (p_.referee_slot < 0) return {};
    return string_field(p_, facts_.root->fields[p_.referee_slot]);
  }

  // The budget's fallback replaces a reward that no longer fits, if the fallback itself fits.
  template <typename Bound>
  bool try_fallback(Reward& r, Decimal& remaining, const Bound& bound) {
    const CompiledGrant& g = p_.fallback;
    Reward f = r;
    f.kind = g.kind;
    f.label = g.label;
    f.has_amount = false;
    f.unit = {};
    f.value.reset();
    if (g.amount != kNoNode) {
      Value a = m_.eval(g.amount);
      if (a.index() == kMoney) {
        f.unit = p_.units[unsafe_get<kMoney>(a).unit];
        f.amount = round_amount(unsafe_get<kMoney>(a).amount, f.unit, g.amount);
        f.has_amount = true;
      } else if (is_numeric(a)) {
        f.amount = as_decimal(a);
        f.unit = g.kind == "points" ? std::string_view("points") : std::string_view();
        f.has_amount = true;
      }
    }
    if (g.valued_at != kNoNode) {
      Value v = m_.eval(g.valued_at);
      if (v.index() == kMoney) f.value = unsafe_get<kMoney>(v).amount;
    } else if (f.has_amount && f.unit == p_.units[0]) {
      f.value = f.amount;
    }
    // The fallback's own expiry, from the same grant date.
    set_expiry(f, g);
    Decimal cost = f.value && f.status != RewardStatus::expired ? *f.value : Decimal{};
    // A fallback that costs nothing always fits, even when the budget is overspent.
    if (cost.mantissa > 0) bound(cost, compare(cost, remaining) <= 0);
    if (cost.mantissa > 0 && compare(cost, remaining) > 0) return false;
    if (!exact(sub(remaining, cost, remaining), g.amount)) return false;
    f.reason = "budget_fallback";
    r = f;
    return true;
  }

  // Which rewards were paid before (EvalOptions::paid, or the facts' `paid`), asked once their
  // statuses are set, before caps and budget: those the decision still gives are kPaid (their
  // money is in `budget_spent`, so they are neither charged again nor withheld, cut or
  // replaced); what was paid for those it cancels or finds expired is `given_back` to the
  // budget, and an expired one (kPaidExpired) is still never cut or withheld by a cap.
  static constexpr std::uint8_t kPaid = 1, kPaidExpired = 2;
  bool find_paid(std::vector<std::uint8_t>& paid, Decimal& given_back) {
    paid.assign(out_.rewards.size(), 0);
    auto settle = [&](std::uint32_t i, const Decimal& value) {
      const Reward& r = out_.rewards[i];
      if (r.status != RewardStatus::void_ && r.status != RewardStatus::expired) {
        paid[i] = kPaid;
        return true;
      }
      if (r.status == RewardStatus::expired) paid[i] = kPaidExpired;
      return p_.budget_total == kNoNode || exact(add(given_back, value, given_back), p_.budget_total);
    };
    if (options_.paid != nullptr) {
      for (std::uint32_t i = 0; i < out_.rewards.size(); ++i) {
        Decimal value;
        if (options_.paid->paid(out_, out_.rewards[i], i, value) && !settle(i, value)) return false;
      }
    } else if (!facts_.paid.empty()) {
      std::string& key = scratch_.key;
      for (std::uint32_t i = 0; i < out_.rewards.size(); ++i) {
        reward_key(out_, out_.rewards[i], key);
        auto it = std::lower_bound(facts_.paid.begin(), facts_.paid.end(), key,
                                   [](const PaidReward& e, const std::string& k) { return e.key < k; });
        if (it != facts_.paid.end() && it->key == key && !settle(i, it->value)) return false;
      }
    }
    return true;
  }

  // Caps per recipient and kind, then the campaign budget, both in reward order but for paid
  // rewards, which come first: what was paid stays paid.
  void apply_caps_and_budget() {
    const Program& p = p_;
    std::vector<std::uint8_t>& paid = scratch_.paid_rewards;
    Decimal given_back;
    if ((!p.caps.empty() || p.budget_total != kNoNode) && !find_paid(paid, given_back)) return;
    for (const CompiledCap& cap : p.caps) {
      Value limit = m_.eval(cap.limit);
      Decimal lim = as_decimal(limit);
      std::vector<std::pair<std::string_view, Decimal>> used;
      for (int pass = 0; pass < 2; ++pass) {
        for (std::size_t i = 0; i < out_.rewards.size(); ++i) {
          if ((paid[i] != 0) != (pass == 0)) continue;
          Reward& r = out_.rewards[i];
          if (r.kind != cap.kind || r.recipient_role != cap.recipient || !r.has_amount) continue;
          if (r.status != RewardStatus::granted && r.status != RewardStatus::pending && r.status != RewardStatus::expired) continue;
          auto it = std::find_if(used.begin(), used.end(), [&](const auto& u) { return u.first == r.recipient_id; });
          if (it == used.end()) {
            used.emplace_back(r.recipient_id, Decimal{});
            it = used.end() - 1;
          }
          Decimal remaining;
          if (!exact(sub(lim, it->second, remaining), cap.limit)) return;
          if (paid[i] == 0 && compare(remaining, Decimal{}) <= 0) {
            r.status = RewardStatus::withheld;
            r.reason = "cap";
            r.granted_at.reset();
            r.expires_at.reset();
            continue;
          }
          if (paid[i] == 0 && compare(r.amount, remaining) > 0) {
            // The reward's value shrinks in proportion: 300 of 500 points valued 5 CNY is 3 CNY.
            if (r.value) {
              Decimal share, scaled;
              if (!exact(div(remaining, r.amount, share), cap.limit) || !exact(mul(*r.value, share, scaled), cap.limit) ||
                  !exact(round_to(scaled, 2, Rounding::half_up, scaled), cap.limit)) {
                return;
              }
              r.value = scaled;
            }
            r.amount = round_amount(remaining, r.unit, cap.limit);
            r.capped = true;
          }
          if (!exact(add(it->second, r.amount, it->second), cap.limit)) return;
        }
      }
    }
    if (p.budget_total == kNoNode) return;
    Decimal remaining;
    const Decimal spent = as_decimal(m_.eval(p.budget_spent));
    const Decimal total = as_decimal(m_.eval(p.budget_total));
    if (!exact(sub(total, spent, remaining), p.budget_total)) {
      return;
    }
    // Each reward fits while spent <= spent + remaining - its cost, and does not while spent is
    // above that: the counter checks keep the narrowest of those bounds.
    CounterChecks* checks = p.budget_spent_is_counter ? options_.counter_checks : nullptr;
    if (checks != nullptr) checks->budget_total = total;
    auto bound = [&](const Decimal& cost, bool fits) {
      if (checks == nullptr) return;
      Decimal b;
      if (add(spent, remaining, b) != DecimalError::none || sub(b, cost, b) != DecimalError::none) {
        checks->untracked = true;
        return;
      }
      std::optional<Decimal>& kept = fits ? checks->spent_at_most : checks->spent_above;
      if (!kept || (fits ? compare(b, *kept) < 0 : compare(b, *kept) > 0)) kept = b;
    };
    // Paid rewards: their money is in `budget_spent` already; what was paid for those the
    // decision cancels or finds expired comes back.
    if (!exact(add(remaining, given_back, remaining), p.budget_total)) return;
    for (std::uint32_t i = 0; i < out_.rewards.size(); ++i) {
      Reward& r = out_.rewards[i];
      if (paid[i] == kPaid || (r.status != RewardStatus::granted && r.status != RewardStatus::pending)) continue;
      if (!r.value) continue;
      if (compare(*r.value, remaining) <= 0) {
        bound(*r.value, true);
        if (!exact(sub(remaining, *r.value, remaining), p.budget_total)) return;
        continue;
      }
      bound(*r.value, false);
      if (p.has_fallback && try_fallback(r, remaining, bound)) continue;
      if (m_.failed()) return;
      r.status = RewardStatus::withheld;
      r.reason = "budget";
      r.granted_at.reset();
      r.expires_at.reset();
      if (options_.explain) {
        explain("budget", std::string(r.rule), "withheld",
                fmt::format("{} needed, {} left", to_string(*r.value), to_string(remaining)), p.budget_total);
      }
    }
  }
};

}  // namespace

bool evaluate(const Program& program, const FactsDocument& facts, const EvalOptions& options, EvalScratch& scratch,
              Decision& out, EvalError& error) {
  out.clear();
  scratch.arena.reset();
  std::optional<DateTime> now = options.now ? options.now : facts.now;
  if (!now) {
    error.message = "no `now`: give a top-level `now` in the facts or --now";
    return false;
  }
  if (!facts.root) {
    error.message = "no facts";
    return false;
  }
  Engine engine(program, facts, options, scratch, out, *now);
  return engine.run(error);
}

EvalErrorPlace locate(const Program& program, const EvalError& error) {
  if (error.file < 0) return {};
  const auto& src = program.policy.files[static_cast<std::size_t>(error.file)].source;
  const auto pos = src->position(error.span.begin);
  return EvalErrorPlace{src->path(), pos.line, pos.column};
}

std::string render_eval_error(const Program& program, const EvalError& error) {
  const EvalErrorPlace at = locate(program, error);
  const std::string where = at.file.empty() ? std::string() : fmt::format("{}:{}:{}: ", at.file, at.line, at.column);
  return fmt::format("{}error: evaluation failed: {}", where, error.message);
}

void Decision::clear() {
  policy_id = {};
  policy_hash = {};
  referrer_id = {};
  referrer_eligible = true;
  referrer_reasons.clear();
  for (ReferralVerdict& v : referrals) {
    if (v.reasons.capacity() == 0) continue;
    v.reasons.clear();
    spare_reasons.push_back(std::move(v.reasons));
  }
  referrals.clear();
  rewards.clear();
  outputs.clear();
  explanation.clear();
  recheck_at.reset();
}

}  // namespace refpol
