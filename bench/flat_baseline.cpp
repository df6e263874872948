// The hand-written baseline for the flat workload (bench/flat/README.md).
#include "bench/flat_baseline.hpp"

namespace refpol::bench {

FlatDecision decide_by_hand(const FlatRecord& r) {
  FlatDecision d;
  bool referrer_ok = r.last_order_days_ago <= 365 && (r.total_spend_cents >= 50000 || r.order_count >= 3);
  bool referee_ok = r.is_new_customer && !r.first_order_refunded && r.days_since_first_order >= 7;
  d.eligible = referrer_ok && referee_ok;
  if (!d.eligible) return d;
  std::int64_t base = 0;
  if (r.qualified_referrals >= 10) {
    d.tier = "ambassador";
    base = 100000;
  } else if (r.qualified_referrals >= 5) {
    d.tier = "premium_experience";
    base = 50000;
  } else if (r.qualified_referrals >= 3) {
    d.tier = "gift_box";
    base = 25000;
  } else if (r.qualified_referrals >= 1) {
    d.tier = "coupon_100";
    base = 10000;
  }
  // x 1.1 for loyal referrers; every tier value is a multiple of 10 cents, so this is exact.
  d.value_cents = r.loyal ? base * 11 / 10 : base;
  d.referee_reward = r.first_order_amount_cents >= 10000;
  return d;
}

}  // namespace refpol::bench

namespace refpol::bench {
namespace {

Decimal number(const Value& v) {
  return v.index() == kInt ? from_int(unsafe_get<kInt>(v)) : unsafe_get<kDecimal>(v);
}

}  // namespace

FactsBaseline::FactsBaseline(const Program& p) : p_(p) {
  const Schema& s = p.policy.schema;
  referrer_ = s.root().index_of("referrer");
  referee_ = s.root().index_of("referee");
  const RecordInfo& a = s.records[static_cast<std::size_t>(s.find("Referrer"))];
  const RecordInfo& b = s.records[static_cast<std::size_t>(s.find("Referee"))];
  id_ = a.index_of("id");
  segment_ = a.index_of("segment");
  last_order_ = a.index_of("last_order_days_ago");
  spend_ = a.index_of("total_spend");
  orders_ = a.index_of("order_count");
  qualified_ = a.index_of("qualified_referrals");
  is_new_ = b.index_of("is_new_customer");
  first_amount_ = b.index_of("first_order_amount");
  refunded_ = b.index_of("first_order_refunded");
  days_since_ = b.index_of("days_since_first_order");
}

void FactsBaseline::decide(const FactsDocument& facts, Decision& out) const {
  static const Decimal k500 = from_int(500), k100 = from_int(100), k11{11, 1};
  out.clear();
  out.policy_id = p_.policy.id;
  out.policy_version = p_.policy.version;
  out.policy_hash = p_.policy.content_hash;
  const RecordV* a = unsafe_get<kRecord>(facts.root->fields[referrer_]);
  const RecordV* b = unsafe_get<kRecord>(facts.root->fields[referee_]);
  out.referrer_id = unsafe_get<kString>(a->fields[id_]).view();
  bool recent = unsafe_get<kInt>(a->fields[last_order_]) <= 365;
  bool spend = compare(number(a->fields[spend_]), k500) >= 0 || unsafe_get<kInt>(a->fields[orders_]) >= 3;
  bool is_new = unsafe_get<kBool>(b->fields[is_new_]);
  bool not_refunded = !unsafe_get<kBool>(b->fields[refunded_]);
  bool past = unsafe_get<kInt>(b->fields[days_since_]) >= 7;
  if (!recent) out.referrer_reasons.push_back("recent_order");
  if (!spend) out.referrer_reasons.push_back("spend_or_orders");
  if (!is_new) out.referrer_reasons.push_back("new_customer");
  if (!not_refunded) out.referrer_reasons.push_back("not_refunded");
  if (!past) out.referrer_reasons.push_back("past_return_window");
  out.referrer_eligible = out.referrer_reasons.empty();
  if (!out.referrer_eligible) return;
  std::int64_t n = unsafe_get<kInt>(a->fields[qualified_]);
  const char* tier = nullptr;
  std::int64_t base = 0;
  if (n >= 10) {
    tier = "ambassador";
    base = 1000;
  } else if (n >= 5) {
    tier = "premium_experience";
    base = 500;
  } else if (n >= 3) {
    tier = "gift_box";
    base = 250;
  } else if (n >= 1) {
    tier = "coupon_100";
    base = 100;
  }
  if (tier) {
    Reward& r = out.rewards.emplace_back();
    r.rule = "ladder";
    r.tier = tier;
    r.recipient_role = "referrer";
    r.recipient_id = out.referrer_id;
    r.scope = tier;
    r.kind = "cash";
    r.unit = "CNY";
    r.has_amount = true;
    Decimal amount = from_int(base);
    if (unsafe_get<kString>(a->fields[segment_]).view() == "loyal") {
      mul(amount, k11, amount);
      r.boosts = 1;
    }
    round_to(amount, 2, Rounding::half_up, r.amount);
    r.value = r.amount;
    r.granted_at = out.now;
  }
  if (compare(number(b->fields[first_amount_]), k100) >= 0) {
    Reward& r = out.rewards.emplace_back();
    r.rule = "first_order_50_off";
    r.recipient_role = "referee";
    r.scope = "once";
    r.kind = "coupon";
    r.unit = "CNY";
    r.has_amount = true;
    r.amount = Decimal{5000, 2};
    r.value = r.amount;
    r.granted_at = out.now;
  }
}

}  // namespace refpol::bench
