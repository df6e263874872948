// The decision: what the facts justify as of `now`, for a referral service to store and a person
// to read. Built by the evaluator, written as JSON (decision_json) or text (decision_text).
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "interpreter/eval/value.hpp"

namespace refpol {

inline constexpr const char* kDecisionSchema = "refpol.decision/1";

enum class RewardStatus : std::uint8_t { granted, pending, void_, expired, withheld };
const char* status_name(RewardStatus s);

enum class ReferralStatus : std::uint8_t { qualified, not_qualified, void_, ineligible_referee };
const char* referral_status_name(ReferralStatus s);

// A decision's views point into the Program and the FactsDocument it was evaluated from, so that
// evaluating allocates nothing per decision: copy what you keep beyond either of them (the JSON
// and text writers do).
struct Reward {
  std::string_view rule;           // the reward or tiers rule's name
  std::string_view tier;           // the tier's label, or empty
  std::int32_t tier_index = -1;
  std::string_view recipient_role; // "referrer", "referee" or a loop name
  std::string_view recipient_id;   // empty when the facts give no id
  std::string_view scope;          // referral id, tier label, item id, or "once": part of the key
  std::string_view kind;           // coupon, cash, ...
  bool has_amount = false;
  Decimal amount;
  std::string_view unit;           // CNY, points, MB, or "%" for a share off
  std::string_view label;          // the gift's or title's name
  RewardStatus status = RewardStatus::granted;
  std::string_view reason;         // for void (the first void label) and withheld (`cap`, ...)
  std::uint64_t boosts = 0;        // bit i: boost i of the program applied
  bool capped = false;             // reduced by a cap
  std::optional<DateTime> granted_at;
  std::optional<DateTime> settles_at;
  std::optional<DateTime> due_by;
  std::optional<DateTime> expires_at;
  std::optional<Decimal> value;    // cost in the policy currency, counted against the budget
};

struct ReferralVerdict {
  std::string_view id;
  std::string_view referee_id;
  ReferralStatus status = ReferralStatus::not_qualified;
  std::vector<std::string_view> reasons;  // labels that decided it
  std::int32_t position = 0;         // 1-based among qualified referrals, 0 otherwise
  std::optional<DateTime> settles_at;
};

struct OutputValue {
  std::string name;
  std::string json;  // the value already written as JSON
};

// One explanation line: a condition or rule, whether it held, and the values it looked at.
struct ExplainLine {
  std::string rule;      // `referrer eligible`, `referral r1 qualifies`, `tiers ladder`
  std::string label;     // condition label, tier label, or empty
  std::string outcome;   // `held`, `failed`, `absent`, or free text for tiers
  std::string detail;    // `referrer.total_spend = 320.00 CNY, needs >= 500 CNY`
  std::uint32_t line = 0;
  std::uint32_t column = 0;
  std::string file;
};

struct Decision {
  std::string_view policy_id;
  std::uint64_t policy_version = 0;
  std::string_view policy_hash;
  DateTime now;
  std::string_view referrer_id;
  bool referrer_eligible = true;
  std::vector<std::string_view> referrer_reasons;  // failed labels
  std::vector<ReferralVerdict> referrals;
  std::vector<Reward> rewards;
  std::vector<OutputValue> outputs;
  std::vector<ExplainLine> explanation;  // filled only when asked
  // The earliest instant after `now` at which the same facts could give a different decision:
  // a referral settling, a reward expiring, a comparison with `now` turning. None when time
  // alone never changes it; `now` itself when the policy uses `now` in a way evaluation does not
  // follow (docs/decision.md). Dates that are `now` itself, or counted from it, move with `now`
  // and do not count.
  std::optional<DateTime> recheck_at;
  // The memory of earlier verdicts' `reasons`, kept by clear() for the next decision's.
  std::vector<std::vector<std::string_view>> spare_reasons;

  // Keeps capacity so a stream of evaluations does not allocate for each.
  void clear();
};

}  // namespace refpol
