// What a simulation reports (docs/simulate.md): summary.json and the CSV tables, computed from
// the world and the runners' ledgers at the end of the replay.
#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "interpreter/simulate/simulator.hpp"
#include "interpreter/source/diagnostic.hpp"

namespace refpol::sim {
namespace {

constexpr std::size_t kExamples = 100;
constexpr std::size_t kChanges = 1000;
constexpr std::size_t kLeaders = 10;

std::string money(const Decimal& d) { return to_fixed(d, 2, Rounding::half_up); }

// num / den with four places, as a JSON string; null when den is 0.
std::string rate(std::uint64_t num, std::uint64_t den) {
  if (den == 0) return "null";
  const unsigned __int128 scaled = (static_cast<unsigned __int128>(num) * 10000 * 2 + den) / (2 * den);
  const auto v = static_cast<std::uint64_t>(scaled);
  return fmt::format("\"{}.{:04}\"", v / 10000, v % 10000);
}

std::string quoted(std::string_view s) { return "\"" + json_escape(s) + "\""; }
std::string quoted_or_null(std::string_view s) { return s.empty() ? "null" : quoted(s); }
std::string date_of(const DateTime& t, const TimeZone& zone) { return to_string(local_date(t, zone)); }

// Counts `and` operands at the top of a `when` (a define or a call counts as one condition, as
// a reader sees it).
std::size_t conjuncts(const Program& p, std::uint32_t node) {
  if (node == kNoNode) return 0;
  const Node& n = p.nodes[node];
  if (n.op == Op::and_) return conjuncts(p, n.a) + conjuncts(p, n.b);
  return 1;
}

// `s` as a CSV field, appended to `out`: quoted (with its quotes doubled) when it holds a comma,
// a quote or a line break.
void append_csv_field(std::string& out, std::string_view s) {
  // A plain loop: find_first_of looks each character up in the set, several times slower.
  const bool plain = std::none_of(s.begin(), s.end(), [](char c) { return c == ',' || c == '"' || c == '\n' || c == '\r'; });
  if (plain) {
    out += s;
    return;
  }
  out += '"';
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

std::string csv_field(std::string_view s) {
  std::string out;
  append_csv_field(out, s);
  return out;
}

// Per-run sums over a ledger.
struct Totals {
  Decimal value;  // granted, pending, expired (what was given), not void or withheld
  std::map<std::pair<std::string, std::string>, std::pair<std::uint64_t, Decimal>> by_rule;  // (rule, tier)
};

bool counts_as_given(RewardStatus s) {
  return s == RewardStatus::granted || s == RewardStatus::pending || s == RewardStatus::expired;
}

// A paid reward to reverse or claw back (docs/simulate.md): `cancelled` when a later decision
// made it void (S14: a review flagged the order after the reward was paid), `no_longer_given`
// when it is still granted but no referrer's last decision lists it any more (the friend's
// order was returned after the reward settled); empty for any other reward.
const char* clawback(const LedgerEntry& e) {
  if (e.cancelled_paid) return "cancelled";
  if (e.status == RewardStatus::granted && !e.listed()) return "no_longer_given";
  return "";
}

Totals totals(const Runner& run) {
  Totals t;
  for (const LedgerEntry& e : run.ledger()) {
    auto& slot = t.by_rule[{e.rule, e.tier}];
    ++slot.first;
    if (counts_as_given(e.status) && e.value) {
      add(t.value, *e.value, t.value);
      add(slot.second, *e.value, slot.second);
    }
  }
  return t;
}


struct Day {
  std::uint64_t bound = 0, qualified = 0, rewards = 0;
  Decimal value;
};

// By date in the policy's time zone: referrals bound, referrals that became qualified, rewards
// first decided and the value given.
std::map<std::string, Day> daily(const World& world, const Runner& run) {
  const TimeZone& zone = run.program().zone;
  std::map<std::string, Day> days;
  const auto& referrals = world.referrals();
  // Bound in the window; qualified in it (nothing is decided before the window, so a referral
  // bound before it that qualifies in it counts there).
  for (Index r = 0; r < referrals.size(); ++r) {
    if (referrals[r].in_window) ++days[date_of(referrals[r].bound_at, zone)].bound;
    auto q = run.qualified_at(r);
    auto s = run.referral_status(r);
    if (q && s && *s == ReferralStatus::qualified) ++days[date_of(*q, zone)].qualified;
  }
  for (const LedgerEntry& e : run.ledger()) {
    Day& d = days[date_of(e.first_decided, zone)];
    ++d.rewards;
    if (counts_as_given(e.status) && e.value) add(d.value, *e.value, d.value);
  }
  return days;
}

// S34: by month, the top referrers by referrals that became qualified that month and are still
// qualified at the end. Ties: who reached the count first, then the smaller id.
std::map<std::string, std::vector<std::pair<Index, std::uint64_t>>> leaderboards(const World& world, const Runner& run) {
  struct Score {
    std::uint64_t qualified = 0;
    std::int64_t reached = 0;  // utc seconds of the last qualification counted
  };
  const TimeZone& zone = run.program().zone;
  const auto& referrals = world.referrals();
  const auto& customers = world.customers();
  std::map<std::string, std::map<Index, Score>> months;
  for (Index r = 0; r < referrals.size(); ++r) {
    auto q = run.qualified_at(r);
    auto s = run.referral_status(r);
    if (!q || !s || *s != ReferralStatus::qualified) continue;
    Score& sc = months[date_of(*q, zone).substr(0, 7)][referrals[r].referrer];
    ++sc.qualified;
    sc.reached = std::max(sc.reached, q->utc_seconds);
  }
  std::map<std::string, std::vector<std::pair<Index, std::uint64_t>>> out;
  for (const auto& [month, scores] : months) {
    std::vector<std::pair<Index, Score>> ranked(scores.begin(), scores.end());
    std::sort(ranked.begin(), ranked.end(), [&](const auto& a, const auto& b) {
      if (a.second.qualified != b.second.qualified) return a.second.qualified > b.second.qualified;
      if (a.second.reached != b.second.reached) return a.second.reached < b.second.reached;
      return customers[a.first].id < customers[b.first].id;
    });
    auto& top = out[month];
    for (std::size_t i = 0; i < ranked.size() && i < kLeaders; ++i) top.emplace_back(ranked[i].first, ranked[i].second.qualified);
  }
  return out;
}

}  // namespace

std::string Simulation::summary_json() const {
  const Runner& run = *runners_[0];
  const Program& program = run.program();
  const TimeZone& zone = program.zone;
  const auto& customers = world_.customers();
  const auto& referrals = world_.referrals();
  std::string out;
  auto policy_object = [](const Program& p) {
    return fmt::format(R"({{"id":{},"version":{},"hash":"{}"}})", quoted(p.policy.id), p.policy.version,
                       p.policy.content_hash);
  };
  out += fmt::format("{{\n  \"schema\": \"refpol.simulation/1\",\n  \"policy\": {},\n  \"baseline\": {},\n",
                     policy_object(program), runners_.size() > 1 ? policy_object(runners_[1]->program()) : "null");
  out += fmt::format("  \"currency\": {},\n", quoted(program.policy.currency));
  // In the policy's zone, whatever offset the events or the flags were written with.
  auto in_zone = [&](const DateTime& t) { return quoted(to_string(DateTime{t.utc_seconds, zone.offset_at(t.utc_seconds)})); };
  const std::optional<DateTime> from = options_.from ? options_.from : first_ts_;
  out += fmt::format("  \"window\": {{\"from\": {}, \"to\": {}}},\n", from ? in_zone(*from) : "null",
                     last_ts_ && window_ends_after_start() ? in_zone(end_) : "null");

  // Events.
  out += fmt::format("  \"events\": {{\"read\": {}, \"applied\": {}, \"skipped\": {}, \"evaluations\": {}, "
                     "\"reused_decisions\": {}, \"failed_evaluations\": {}, \"by_type\": {{",
                     read_, applied_, skipped_, run.evaluations(), run.reused(), run.failed());
  for (std::size_t t = 0; t < kEventTypeCount; ++t) {
    out += fmt::format("{}\"{}\": {}", t ? ", " : "", event_type_name(static_cast<EventType>(t)), by_type_[t]);
  }
  out += "},\n    \"skipped_examples\": [";
  for (std::size_t i = 0; i < problems_.size(); ++i) {
    out += fmt::format("{}{{\"line\": {}, \"message\": {}}}", i ? ", " : "", problems_[i].line,
                       quoted(problems_[i].message));
  }
  out += "],\n    \"failed_examples\": [";
  for (std::size_t i = 0; i < run.failures().size(); ++i) {
    out += fmt::format("{}{}", i ? ", " : "", quoted(run.failures()[i].message));
  }
  out += "]},\n";

  // Customers and referrers (S38).
  std::uint64_t total = customers.size(), fresh = 0, referred_new = 0, existing = 0, participating = 0;
  for (const Customer& c : customers) {
    if (c.is_new && c.created_in_window) {
      ++fresh;
      bool referred = std::any_of(c.referred_in.begin(), c.referred_in.end(),
                                  [&](Index r) { return referrals[r].in_window; });
      referred_new += referred;
    }
    if (c.is_new) continue;
    // Of the existing customers: a new customer who refers someone is not one of them.
    ++existing;
    participating += std::any_of(c.referrals.begin(), c.referrals.end(), [&](Index r) { return referrals[r].in_window; });
  }
  out += fmt::format("  \"customers\": {{\"total\": {}, \"new\": {}, \"referred_new\": {}, \"referred_share\": {}}},\n",
                     total, fresh, referred_new, rate(referred_new, fresh));
  out += fmt::format(
      "  \"referrers\": {{\"existing_customers\": {}, \"participating\": {}, \"participation_rate\": {}}},\n", existing,
      participating, rate(participating, existing));

  // Referrals by final status.
  std::uint64_t bound = 0, by_status[4] = {};
  for (Index r = 0; r < referrals.size(); ++r) {
    if (!referrals[r].in_window) continue;
    ++bound;
    auto s = run.referral_status(r);
    by_status[static_cast<std::size_t>(s ? *s : ReferralStatus::not_qualified)] += 1;
  }
  out += fmt::format(
      "  \"referrals\": {{\"bound\": {}, \"qualified\": {}, \"not_qualified\": {}, \"void\": {}, "
      "\"ineligible_referee\": {}, \"conversion_rate\": {}}},\n",
      bound, by_status[0], by_status[1], by_status[2], by_status[3], rate(by_status[0], bound));

  // Rewards.
  const Totals mine = totals(run);
  std::uint64_t count_by_status[5] = {};
  Decimal value_by_status[5];
  std::map<std::pair<std::string, std::string>, std::tuple<std::uint64_t, Decimal, Decimal>> by_kind;
  std::uint64_t withheld_budget = 0, fallback_budget = 0;
  const std::optional<DateTime>& ran_out = run.budget_ran_out();
  Decimal used;
  std::uint64_t clawback_count[2] = {};  // cancelled, no_longer_given
  Decimal clawback_value[2];
  for (const LedgerEntry& e : run.ledger()) {
    if (const std::string_view c = clawback(e); !c.empty()) {
      const std::size_t i = c == "cancelled" ? 0 : 1;
      ++clawback_count[i];
      if (e.value) add(clawback_value[i], *e.value, clawback_value[i]);
    }
    const auto s = static_cast<std::size_t>(e.status);
    ++count_by_status[s];
    if (e.value) add(value_by_status[s], *e.value, value_by_status[s]);
    auto& k = by_kind[{e.kind, e.unit}];
    ++std::get<0>(k);
    if (counts_as_given(e.status)) {
      if (e.has_amount) add(std::get<1>(k), e.amount, std::get<1>(k));
      if (e.value) add(std::get<2>(k), *e.value, std::get<2>(k));
    }
    if (e.committed() && e.value) add(used, *e.value, used);
    if ((e.status == RewardStatus::withheld && e.reason == "budget") || e.reason == "budget_fallback") {
      withheld_budget += e.status == RewardStatus::withheld;
      fallback_budget += e.reason == "budget_fallback";
    }
  }
  out += fmt::format("  \"rewards\": {{\n    \"count\": {}, \"total_value\": \"{}\",\n    \"by_status\": {{",
                     run.ledger().size(), money(mine.value));
  for (std::size_t s = 0; s < 5; ++s) {
    out += fmt::format("{}\"{}\": {{\"count\": {}, \"value\": \"{}\"}}", s ? ", " : "",
                       status_name(static_cast<RewardStatus>(s)), count_by_status[s], money(value_by_status[s]));
  }
  out += fmt::format(
      "}},\n    \"clawback\": {{\"cancelled\": {{\"count\": {}, \"value\": \"{}\"}}, "
      "\"no_longer_given\": {{\"count\": {}, \"value\": \"{}\"}}}},\n    \"by_kind\": [",
      clawback_count[0], money(clawback_value[0]), clawback_count[1], money(clawback_value[1]));
  bool first = true;
  for (const auto& [k, v] : by_kind) {
    // Shares off (`%`) and rewards without a unit (a gift, a title) have no amount to add up.
    const bool summable = !k.second.empty() && k.second != "%";
    out += fmt::format("{}{{\"kind\": {}, \"unit\": {}, \"count\": {}, \"amount\": {}, \"value\": \"{}\"}}",
                       first ? "" : ", ", quoted(k.first), quoted_or_null(k.second), std::get<0>(v),
                       summable ? quoted(to_string(std::get<1>(v))) : std::string("null"), money(std::get<2>(v)));
    first = false;
  }
  out += "],\n    \"by_rule\": [";
  first = true;
  for (const auto& [k, v] : mine.by_rule) {
    out += fmt::format("{}{{\"rule\": {}, \"tier\": {}, \"count\": {}, \"value\": \"{}\"}}", first ? "" : ", ",
                       quoted(k.first), quoted_or_null(k.second), v.first, money(v.second));
    first = false;
  }
  out += "]\n  },\n";
  out += fmt::format(
      "  \"budget\": {{\"used\": \"{}\", \"withheld_for_budget\": {}, \"fallback_for_budget\": {}, \"ran_out_on\": {}}},\n",
      money(used), withheld_budget, fallback_budget, ran_out ? quoted(date_of(*ran_out, zone)) : "null");

  // Daily (policy time zone).
  const auto days = daily(world_, run);
  out += "  \"daily\": [";
  Decimal running;
  first = true;
  for (const auto& [date, d] : days) {
    add(running, d.value, running);
    out += fmt::format(
        "{}\n    {{\"date\": \"{}\", \"bound\": {}, \"qualified\": {}, \"rewards\": {}, \"value\": \"{}\", "
        "\"cumulative_value\": \"{}\"}}",
        first ? "" : ",", date, d.bound, d.qualified, d.rewards, money(d.value), money(running));
    first = false;
  }
  out += days.empty() ? "],\n" : "\n  ],\n";

  // Leaderboards (S34).
  const auto months = leaderboards(world_, run);
  out += "  \"leaderboards\": [";
  first = true;
  for (const auto& [month, top] : months) {
    out += fmt::format("{}\n    {{\"month\": \"{}\", \"top\": [", first ? "" : ",", month);
    for (std::size_t i = 0; i < top.size(); ++i) {
      out += fmt::format("{}{{\"rank\": {}, \"referrer\": {}, \"qualified\": {}}}", i ? ", " : "", i + 1,
                         quoted(customers[top[i].first].id), top[i].second);
    }
    out += "]}";
    first = false;
  }
  out += months.empty() ? "],\n" : "\n  ],\n";

  // Design checks (S39).
  // The rewards the policy decides for a referral: those given, and those the budget withheld
  // (the budget running out is not the design).
  std::map<std::string, Decimal> per_referral;  // referral id -> value of its rewards
  for (const LedgerEntry& e : run.ledger()) {
    const bool decided = counts_as_given(e.status) || (e.status == RewardStatus::withheld && e.reason == "budget");
    if (decided && e.value && world_.find_referral(e.scope) != kNone) {
      add(per_referral[e.scope], *e.value, per_referral[e.scope]);
    }
  }
  std::uint64_t below = 0, above = 0, within = 0;
  std::string examples;
  std::size_t shown = 0;
  const auto& orders = world_.orders();
  for (Index r = 0; r < referrals.size(); ++r) {
    auto s = run.referral_status(r);
    const Customer& referee = customers[referrals[r].referee];
    if (!s || *s != ReferralStatus::qualified || referee.orders.empty()) continue;
    // A referrer the policy does not reward at all says nothing of the rewards' size.
    if (!run.referrer_eligible(referrals[r].referrer)) continue;
    const Order& o = orders[referee.orders.front()];
    auto it = per_referral.find(referrals[r].id);
    Decimal value = it == per_referral.end() ? Decimal{} : it->second;
    // A free first order: any reward is above the band (its share is shown as null); none is
    // within it.
    Decimal share;
    int lo = 0, hi = 0;
    const bool free_order = o.amount.mantissa == 0;
    if (free_order) {
      hi = value.mantissa > 0 ? 1 : 0;
    } else if (div(value, o.amount, share) != DecimalError::none) {
      continue;
    } else {
      lo = compare(share, Decimal{15, 2});
      hi = compare(share, Decimal{25, 2});
    }
    if (lo >= 0 && hi <= 0) {
      ++within;
      continue;
    }
    (lo < 0 ? below : above) += 1;
    if (shown++ < kExamples) {
      // Shown with four places, rounded away from the band, so that it is outside it as shown
      // too (0.25004 is above, shown as 0.2501, not as 0.2500).
      std::string shown_share = "null";
      Decimal rounded;
      if (!free_order && round_to(share, 4, Rounding::down, rounded) == DecimalError::none) {
        if (lo >= 0 && compare(rounded, share) != 0) add(rounded, Decimal{1, 4}, rounded);
        shown_share = quoted(to_fixed(rounded, 4, Rounding::down));
      }
      examples += fmt::format(
          "{}\n      {{\"referral\": {}, \"referrer\": {}, \"order_amount\": \"{}\", \"reward_value\": \"{}\", "
          "\"share\": {}}}",
          shown > 1 ? "," : "", quoted(referrals[r].id), quoted(customers[referrals[r].referrer].id), money(o.amount),
          money(value), shown_share);
    }
  }
  out += fmt::format(
      "  \"design_checks\": {{\n    \"reward_share\": {{\"low\": \"0.15\", \"high\": \"0.25\", \"below\": {}, "
      "\"above\": {}, \"within\": {}, \"examples\": [{}{}]}},\n    \"rules_with_many_conditions\": [",
      below, above, within, examples, examples.empty() ? "" : "\n    ");
  first = true;
  auto many = [&](std::string_view rule, std::size_t n, std::int32_t file, const Span& span) {
    if (n <= 3) return;
    out += fmt::format("{}{{\"rule\": {}, \"conditions\": {}, \"at\": {}}}", first ? "" : ", ", quoted(rule), n,
                       quoted(program.location(file, span)));
    first = false;
  };
  const std::pair<const char*, const std::vector<CompiledCondition>*> blocks[] = {
      {"referrer eligible", &program.referrer_eligible},
      {"referee eligible", &program.referee_eligible},
      {"referral qualifies", &program.qualifies},
      {"referral void", &program.voids}};
  for (const auto& [name, conditions] : blocks) {
    if (!conditions->empty()) many(name, conditions->size(), conditions->front().file, conditions->front().span);
  }
  for (const CompiledRule& rule : program.rules) many(rule.name, conjuncts(program, rule.when), rule.file, rule.span);
  out += "]\n  },\n";

  // Comparison with the baseline.
  if (runners_.size() < 2) {
    out += "  \"comparison\": null\n}\n";
    return out;
  }
  const Runner& base = *runners_[1];
  const Totals theirs = totals(base);
  Decimal delta;
  sub(mine.value, theirs.value, delta);
  out += fmt::format(
      "  \"comparison\": {{\n    \"total_value\": \"{}\", \"baseline_total_value\": \"{}\", \"cost_delta\": \"{}\",\n"
      "    \"by_rule\": [",
      money(mine.value), money(theirs.value), money(delta));
  std::map<std::pair<std::string, std::string>, std::pair<Decimal, Decimal>> rules;
  for (const auto& [k, v] : mine.by_rule) rules[k].first = v.second;
  for (const auto& [k, v] : theirs.by_rule) rules[k].second = v.second;
  first = true;
  for (const auto& [k, v] : rules) {
    out += fmt::format("{}{{\"rule\": {}, \"tier\": {}, \"value\": \"{}\", \"baseline_value\": \"{}\"}}",
                       first ? "" : ", ", quoted(k.first), quoted_or_null(k.second), money(v.first), money(v.second));
    first = false;
  }
  auto suffix = [](const LedgerEntry& e) { return std::string_view(e.key).substr(e.policy_prefix); };
  std::map<std::string_view, const LedgerEntry*> a, b;
  for (const LedgerEntry& e : run.ledger()) a.emplace(suffix(e), &e);
  for (const LedgerEntry& e : base.ledger()) b.emplace(suffix(e), &e);
  std::vector<std::string> gained, lost, changed;
  auto change = [&](const char* what, const LedgerEntry& e, const LedgerEntry* mine_e, const LedgerEntry* base_e) {
    auto val = [](const LedgerEntry* x) { return x && x->value ? quoted(money(*x->value)) : std::string("null"); };
    auto status = [](const LedgerEntry* x) { return x ? quoted(status_name(x->status)) : std::string("null"); };
    auto kind = [](const LedgerEntry* x) { return x ? quoted(x->kind) : std::string("null"); };
    auto amount = [](const LedgerEntry* x) { return x && x->has_amount ? quoted(to_string(x->amount)) : std::string("null"); };
    auto unit = [](const LedgerEntry* x) { return x ? quoted_or_null(x->unit) : std::string("null"); };
    return fmt::format(
        "{{\"recipient\": {}, \"role\": {}, \"rule\": {}, \"tier\": {}, \"scope\": {}, \"change\": \"{}\", "
        "\"kind\": {}, \"baseline_kind\": {}, \"amount\": {}, \"baseline_amount\": {}, \"unit\": {}, "
        "\"baseline_unit\": {}, \"value\": {}, \"baseline_value\": {}, \"status\": {}, \"baseline_status\": {}}}",
        quoted_or_null(e.recipient), quoted(e.role), quoted(e.rule), quoted_or_null(e.tier), quoted(e.scope), what,
        kind(mine_e), kind(base_e), amount(mine_e), amount(base_e), unit(mine_e), unit(base_e), val(mine_e), val(base_e),
        status(mine_e), status(base_e));
  };
  // Only rewards given (granted, pending or expired) count: one void or withheld in a ledger
  // was not given there.
  auto given = [](const LedgerEntry* e) { return e != nullptr && counts_as_given(e->status); };
  auto same_terms = [](const LedgerEntry& x, const LedgerEntry& y) {
    return x.kind == y.kind && x.status == y.status && x.has_amount == y.has_amount && compare(x.amount, y.amount) == 0 &&
           x.unit == y.unit && x.value.has_value() == y.value.has_value() && (!x.value || compare(*x.value, *y.value) == 0);
  };
  auto find = [](const std::map<std::string_view, const LedgerEntry*>& m, std::string_view k) -> const LedgerEntry* {
    auto it = m.find(k);
    return it == m.end() ? nullptr : it->second;
  };
  for (const auto& [k, e] : a) {
    const LedgerEntry* theirs_e = find(b, k);
    if (!given(e)) continue;
    if (!given(theirs_e)) {
      gained.push_back(change("gained", *e, e, theirs_e));
    } else if (!same_terms(*e, *theirs_e)) {
      changed.push_back(change("changed", *e, e, theirs_e));
    }
  }
  for (const auto& [k, e] : b) {
    const LedgerEntry* mine_e = find(a, k);
    if (given(e) && !given(mine_e)) lost.push_back(change("lost", *e, mine_e, e));
  }
  out += fmt::format("],\n    \"gained\": {}, \"lost\": {}, \"changed\": {},\n    \"changes\": [", gained.size(),
                     lost.size(), changed.size());
  std::size_t listed = 0;
  for (const auto* list : {&gained, &lost, &changed}) {
    for (const std::string& c : *list) {
      if (listed == kChanges) break;
      out += fmt::format("{}\n      {}", listed ? "," : "", c);
      ++listed;
    }
  }
  out += listed ? "\n    ]\n  }\n}\n" : "]\n  }\n}\n";
  return out;
}

// ---------------------------------------------------------------------------------------------
// CSV

std::string Simulation::rewards_csv() const {
  std::vector<const LedgerEntry*> entries;
  for (const LedgerEntry& e : runners_[0]->ledger()) entries.push_back(&e);
  std::sort(entries.begin(), entries.end(), [](auto* a, auto* b) { return a->key < b->key; });
  std::string out =
      "key,recipient_role,recipient_id,rule,tier,kind,amount,unit,value,status,reason,first_decided_at,granted_at,"
      "settles_at,expires_at,clawback\n";
  // A row a reward, written in place, without a string made for each cell (87,785 rows for the
  // million-event benchmark).
  out.reserve(out.size() + entries.size() * 256);
  const auto time_cell = [&out](const std::optional<DateTime>& t) {
    if (t) append_datetime(out, *t);
    out += ',';
  };
  for (const LedgerEntry* e : entries) {
    for (const std::string* text : {&e->key, &e->role, &e->recipient, &e->rule, &e->tier, &e->kind}) {
      append_csv_field(out, *text);
      out += ',';
    }
    if (e->has_amount) append_decimal(out, e->amount);
    out += ',';
    append_csv_field(out, e->unit);
    out += ',';
    if (e->value) out += money(*e->value);
    out += ',';
    out += status_name(e->status);
    out += ',';
    append_csv_field(out, e->reason);
    out += ',';
    append_datetime(out, e->first_decided);
    out += ',';
    time_cell(e->granted_at);
    time_cell(e->settles_at);
    time_cell(e->expires_at);
    out += clawback(*e);
    out += '\n';
  }
  return out;
}

std::string Simulation::referrers_csv() const {
  const Runner& run = *runners_[0];
  struct Row {
    std::uint64_t bound = 0, qualified = 0, rewards = 0;
    Decimal value;
  };
  std::map<std::string, Row> rows;
  const auto& referrals = world_.referrals();
  const auto& customers = world_.customers();
  // Bound in the window, and qualified in it (a referral bound before the window may qualify
  // in it: nothing is decided before).
  for (Index r = 0; r < referrals.size(); ++r) {
    auto s = run.referral_status(r);
    const bool qualified = s && *s == ReferralStatus::qualified;
    if (!referrals[r].in_window && !qualified) continue;
    Row& row = rows[customers[referrals[r].referrer].id];
    row.bound += referrals[r].in_window;
    row.qualified += qualified;
  }
  for (const LedgerEntry& e : run.ledger()) {
    if (e.role != "referrer" || !counts_as_given(e.status)) continue;
    Row& row = rows[e.recipient];
    ++row.rewards;
    if (e.value) add(row.value, *e.value, row.value);
  }
  std::string out = "referrer,bound,qualified,rewards,total_value\n";
  for (const auto& [id, row] : rows) {
    out += fmt::format("{},{},{},{},{}\n", csv_field(id), row.bound, row.qualified, row.rewards, money(row.value));
  }
  return out;
}

}  // namespace refpol::sim

namespace refpol::sim {

std::string Simulation::leaderboard_csv() const {
  std::string out = "month,rank,referrer,qualified\n";
  for (const auto& [month, top] : leaderboards(world_, *runners_[0])) {
    for (std::size_t i = 0; i < top.size(); ++i) {
      out += fmt::format("{},{},{},{}\n", month, i + 1, csv_field(world_.customers()[top[i].first].id), top[i].second);
    }
  }
  return out;
}

std::string Simulation::daily_csv() const {
  std::string out = "date,bound,qualified,rewards,value,cumulative_value\n";
  Decimal running;
  for (const auto& [date, d] : daily(world_, *runners_[0])) {
    add(running, d.value, running);
    out += fmt::format("{},{},{},{},{},{}\n", date, d.bound, d.qualified, d.rewards, money(d.value), money(running));
  }
  return out;
}

}  // namespace refpol::sim
