// The compiled form of a checked policy: names resolved to slots, constants folded into values,
// rules in evaluation order. Immutable once built, so one Program serves many threads.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "interpreter/check/checker.hpp"
#include "interpreter/eval/value.hpp"
#include "stdlib/builtins.hpp"

namespace refpol {

enum class Op : std::uint8_t {
  constant,
  root_field,   // slot: field of the facts root
  field,        // a: record expression, slot: field
  local,        // slot: local variable (referral, loop names, parameters)
  now,
  qualified,    // the list of qualified referrals
  not_,
  neg,
  and_,
  or_,
  add,
  sub,
  mul,
  div,
  coalesce,     // a ?? b
  eq,
  ne,
  lt,
  le,
  gt,
  ge,
  in,
  not_in,
  present,
  absent,
  if_,
  list,         // args
  range,
  count,        // a: list, b: where (or none), slot: loop variable
  sum,          // a: list, b: where, c: value
  min,
  max,
  any,
  all,
  builtin,      // aux: BuiltinId, args
  call,         // callee: define index, args -> parameter slots (from `slot`), c: its body
  define,       // slot: define index (a value without parameters)
  untracked,    // a: the node it stands for, a use of `now` (aux bit 1) or of the campaign's
                // counters (aux bit 2) that evaluation does not follow (time_uses.cpp)
};

// `aux` of a comparison (eq ... not_in) whose one side is `now` shifted by a fixed duration, or
// that instant's date (`date_of(now)`: a builtin node, or a define of one), and whose other side
// does not depend on `now` (analyse_time_uses): which side, and which of the two. The machine
// notes when its answer would turn.
inline constexpr std::uint8_t kNowOnLeft = 1, kNowOnRight = 2, kDayOfNowOnLeft = 3, kDayOfNowOnRight = 4;
// `aux` of a comparison (eq ... ge) of one of the campaign's counters (Program::campaign_slot)
// with a value that does not depend on them, and of an add or sub of a counter and such a value:
// which side the counter is. With EvalOptions::counter_checks, the machine notes each.
inline constexpr std::uint8_t kCounterOnLeft = 5, kCounterOnRight = 6, kCounterArithLeft = 7, kCounterArithRight = 8;
inline constexpr std::uint8_t kUntrackedTime = 1, kUntrackedCounters = 2;

inline constexpr std::uint32_t kNoNode = 0xFFFFFFFF;

struct Node {
  Op op = Op::constant;
  std::uint8_t aux = 0;
  std::uint32_t a = kNoNode, b = kNoNode, c = kNoNode;
  std::uint32_t slot = 0;
  std::uint32_t args_begin = 0, args_count = 0;
  std::uint32_t callee = 0;  // call: the define called (its body is compiled into `c` at each call)
  Value constant;
  Span span;
  std::int32_t file = 0;
};

struct CompiledCondition {
  std::string_view label;  // empty for a single unlabelled condition
  std::uint32_t node = kNoNode;
  Span span;
  std::int32_t file = 0;
};

struct CompiledGrant {
  std::string_view kind;
  std::uint32_t amount = kNoNode;
  std::string_view label;
  enum class Expiry : std::uint8_t { none, never, on_date, after_grant } expiry = Expiry::none;
  std::uint32_t expiry_node = kNoNode;
  std::uint32_t valued_at = kNoNode;
};

struct CompiledTier {
  std::string_view label;  // the written label, or the threshold text
  Value threshold;
  CompiledGrant grant;
  Span span;
};

struct CompiledRule {
  enum class Form : std::uint8_t { each_qualified, each_in, once, tiers } form = Form::once;
  std::string_view name;
  std::string_view recipient;  // referrer, referee, or the loop name
  std::uint32_t loop_list = kNoNode;
  std::uint32_t loop_slot = 0;
  std::uint32_t when = kNoNode;
  CompiledGrant grant;
  // tiers
  std::uint32_t measure = kNoNode;
  bool pays_highest = false;
  std::vector<CompiledTier> tiers;
  Span span;
  std::int32_t file = 0;
};

struct CompiledBoost {
  std::string_view name;
  std::uint32_t factor = kNoNode;
  std::vector<std::string_view> kinds;
  std::string_view recipient;
  std::uint32_t when = kNoNode;
};

struct CompiledCap {
  std::string_view kind;
  std::string_view recipient;
  std::uint32_t limit = kNoNode;
};

struct CompiledDefine {
  std::string_view name;
  std::uint32_t body = kNoNode;
  std::uint32_t params_begin = 0;  // first parameter slot
  std::uint32_t params_count = 0;
};

struct Program {
  CheckedPolicy policy;
  TimeZone zone;
  std::vector<std::string> units;  // unit id -> name; 0 is the policy currency
  std::vector<Node> nodes;
  std::vector<std::uint32_t> args;
  std::vector<CompiledDefine> defines;
  std::uint32_t local_count = 0;
  Arena constants;  // strings, lists and ranges of constant values

  std::vector<CompiledCondition> referrer_eligible, referee_eligible, qualifies, voids;
  std::uint32_t settles = kNoNode;
  std::uint32_t payout = kNoNode;
  std::vector<CompiledRule> rules;
  std::vector<CompiledBoost> boosts;
  std::vector<CompiledCap> caps;
  std::uint32_t budget_total = kNoNode, budget_spent = kNoNode;
  bool has_fallback = false;
  CompiledGrant fallback;
  std::vector<std::pair<std::string_view, std::uint32_t>> outputs;

  // What evaluation may keep (analyse_dependencies, dependencies.cpp).
  // Per define: 1 when it has no parameters and reads no local, so it has one value all
  // through an evaluation.
  std::vector<std::uint8_t> define_cacheable;
  // Per define: 1 when it has one parameter and reads no other local, so a call's value depends
  // on its argument alone within an evaluation (Machine keeps it by the argument's record).
  std::vector<std::uint8_t> call_memoizable;
  // Per output: 1 when working it out may fail the evaluation (it reaches arithmetic that can
  // overflow or divide by zero, a sum, or a builtin that rounds or takes an absolute value).
  // An evaluation that does not write its outputs (EvalOptions::write_outputs) works out only
  // these: the others cannot change its outcome.
  std::vector<std::uint8_t> output_may_fail;
  // Whether anything but the referrals' verdicts (their conditions and settlement dates) reads
  // the root `referrals` list: the referrer's eligibility, the rules, boosts, caps, budget and
  // fallback, or an output that may fail. When nothing does, the rest of a decision sees the
  // referrals only as `qualified_referrals` (and the void ones that would qualify): a referral
  // that is not, and was not, one of those changes nothing but its own verdict.
  bool referrals_read_outside_verdicts = true;
  // Whether a referral's verdict (its referee eligible, void and qualifies conditions, and its
  // settlement date) reads only the referral, constants and the root fields in `roots`: not
  // `now`, not `qualified_referrals`, not its position. Then ReferralMemo may keep it.
  struct VerdictMemo {
    bool keepable = false;
    std::uint64_t roots = 0;  // root fields read, by slot
    // The fields of the referrer (root field `referrer`) and of the referral's referee
    // (`referral.referee`) it reads, by slot: all ones where it reads the record whole, hands it
    // somewhere the analysis does not follow, or has more fields than a mask holds. A caller may
    // keep verdicts while only other fields change.
    std::uint64_t referrer_fields = ~std::uint64_t{0}, referee_fields = ~std::uint64_t{0};
  } verdict_memo;

  // The fields read by a field access (`x.f`) anywhere in the policy, by record: bit i is field
  // i (all ones past 64 fields). A record used whole (written as an output, compared) is not
  // counted; `fields_read_unknown` is set when an access's record could not be told.
  std::vector<std::uint64_t> fields_read;
  bool fields_read_unknown = false;

  // The standard campaign counters (analyse_time_uses): the root field `campaign` when its record
  // is the standard one, of `budget_spent` (money) and `rewarded_referrers` (int), and their
  // slots in it; -1 otherwise. `budget_spent_is_counter`: the budget's `spent` is that field
  // itself (the engine notes how the budget's outcome depends on it). `output_reads_counters`:
  // by output, whether its value depends on a counter (it does not change the rest).
  std::int32_t campaign_slot = -1, campaign_spent_field = -1, campaign_rank_field = -1;
  bool budget_spent_is_counter = false;
  bool campaign_not_followed = false;  // a root `campaign` that is not the standard record
  std::vector<std::uint8_t> output_reads_counters;

  // Where things are in the facts.
  std::int32_t referrals_slot = -1;  // root field `referrals`
  std::int32_t referrer_slot = -1;   // root field `referrer`
  std::int32_t referee_slot = -1;    // root field `referee` (flat schemas)
  std::uint32_t referral_local = 0;  // local slot bound to the current referral
  std::uint32_t position_local = 0;  // local slot bound to its position
  std::vector<std::int32_t> id_slot;  // per record: slot of its `id` field, or -1

  std::uint16_t unit_id(std::string_view name) const;
  // The node a value comes from: `node` itself, or the body of the definition (without
  // parameters) it names, followed through definitions.
  std::uint32_t behind_defines(std::uint32_t node) const;
  // `path:line` of a span, for explanations.
  std::string location(std::int32_t file, Span span) const;
};

struct CompileResult {
  std::shared_ptr<const Program> program;
  Diagnostics diagnostics;
};

// Compiles a checked policy. Fails only on constants the checker cannot judge (a phase date
// outside the supported range, say), reported as diagnostics.
CompileResult compile(CheckedPolicy policy);

// load_policy + compile, the usual way in: the policy file to a ready Program.
CompileResult compile_file(const std::string& path);
CompileResult compile_text(const std::string& path, std::string text);

}  // namespace refpol
