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
