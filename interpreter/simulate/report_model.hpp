// summary.json as report.html reads it: every value checked against docs/simulate.md and every
// number kept as its JSON text (shown as is) with its path (for data-metric).
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "interpreter/simulate/report_svg.hpp"

namespace refpol::report {

inline constexpr std::string_view kSummarySchema = "refpol.simulation/1";

// The parts of summary.json, with fields named after its keys (docs/simulate.md).
struct Status {
  std::string name;
  Shown count, value;
};
struct KindRow {
  std::string kind;
  std::optional<std::string> unit;
  Shown count, amount, value;
};
struct RuleRow {
  std::string rule;
  std::optional<std::string> tier;
  Shown count, value, baseline_value;  // count: by_rule; baseline_value: comparison.by_rule
};
struct DailyRow {
  Shown date, bound, qualified, rewards, value, cumulative;
};
struct Leader {
  Shown rank;
  std::string referrer;
  Shown qualified;
};
struct Month {
  std::string month;
  std::vector<Leader> top;
};
struct ShareExample {
  std::string referral, referrer;
  Shown order_amount, reward_value, share;
};
struct ManyConditions {
  std::string rule;
  Shown conditions;
  std::string where;  // `line` or `at`
};
// One side of a change: the reward in that ledger (null fields where it has none).
struct ChangeSide {
  std::optional<std::string> kind, amount, unit, status;
};
struct Change {
  std::string recipient, role, rule, change;
  std::optional<std::string> tier;
  Shown value, baseline_value;
  ChangeSide mine, baseline;
};
struct Comparison {
  Shown total_value, baseline_total_value, cost_delta, gained, lost, changed;
  std::vector<RuleRow> by_rule;
  std::vector<Change> changes;
};
struct Summary {
  std::string policy_id, policy_version, policy_hash, currency;
  std::optional<std::string> from, to;
  std::optional<std::string> baseline;  // as one line of text
  Shown read, applied, skipped, evaluations;
  std::optional<Shown> failed_evaluations;  // refpol writes it; docs/simulate.md does not list it
  std::vector<std::pair<std::string, Shown>> by_type;
  std::vector<std::pair<Shown, std::string>> skipped_examples;  // line, message
  Shown customers_total, customers_new, referred_new, referred_share;
  Shown existing, participating, participation_rate;
  Shown bound, qualified, not_qualified, voided, ineligible, conversion_rate;
  Shown reward_count, total_value;
  std::vector<Status> statuses;  // granted, pending, void, expired, withheld, in this order
  // rewards.clawback: paid, then cancelled; paid, no longer given (absent from older summaries)
  std::optional<std::pair<Status, Status>> clawback;
  std::vector<KindRow> by_kind;
  std::vector<RuleRow> by_rule;
  Shown budget_used, withheld_for_budget, ran_out_on;
  std::vector<DailyRow> daily;
  std::vector<Month> leaderboards;
  Shown share_low, share_high, below, within, above;
  std::vector<ShareExample> share_examples;
  std::vector<ManyConditions> many_conditions;
  std::optional<Comparison> comparison;
};

// Reads `json` into `out`. False, with `error` set (lowercase, no final period), when it is not
// JSON or not a `refpol.simulation/1` summary: another schema, a missing key, a wrong type.
bool read_summary(std::string_view json, Summary& out, std::string& error);

}  // namespace refpol::report
