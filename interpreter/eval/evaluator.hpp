// Evaluation: a compiled Program and one facts document -> a Decision. Pure: no clock, no I/O,
// no randomness. A Program may be evaluated from many threads at once, each with its own
// EvalScratch.
#pragma once
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "interpreter/compile/program.hpp"
#include "interpreter/decision/decision.hpp"
#include "interpreter/eval/facts.hpp"

namespace refpol {

// A decision holds at most this many rewards; more is an evaluation error, not a silent cut.
inline constexpr std::size_t kMaxRewardsPerDecision = 100000;

// The verdicts of one referrer's referrals, kept between evaluations of their facts by a caller
// that knows what changed from one to the next (refpol simulate re-evaluates a referrer at every
// event that concerns them). Before each evaluation the caller sets `item_tokens`, one per element
// of the root `referrals` list, and `roots_token`, for the root fields the verdicts read
// (Program::verdict_memo.roots): an equal token promises equal content. A kept verdict is used
// only where both tokens are the ones it was worked out with; nothing is kept when the verdicts
// read more than that (Program::verdict_memo.keepable) or when explaining. One memo serves one
// program. The decision's referral and referee ids may point into the memo: they are good until
// the memo's next evaluation.
struct ReferralMemo {
  std::vector<std::uint64_t> item_tokens;
  std::uint64_t roots_token = 0;

  struct Kept {
    bool valid = false;
    std::uint64_t item_token = 0, roots_token = 0;
    std::string id, referee_id;
    bool referee_ok = false, voided = false, qualifies = false;
    // Which conditions of each group decided it, by their place in the group.
    std::uint64_t referee_failed = 0, void_held = 0, qual_failed = 0;
    std::optional<DateTime> settles_at;
  };
  std::vector<Kept> kept;  // by place in the list; the evaluator keeps these
};

struct EvalScratch;

// How a decision depends on the campaign's two standard counters (`campaign.budget_spent`,
// `campaign.rewarded_referrers`: Program::campaign_slot), noted during an evaluation for a caller
// that may evaluate the same facts again with other counter values (refpol simulate). `allows`
// says whether those would give the same decision: every comparison of a counter gives the same
// answer, every sum or difference made of one (only in outputs) still works out, and the
// budget's outcome is the same (each reward fits or not as before). The counters are the only
// thing that may differ: the facts, `now` and the rewards paid (EvalOptions::paid) must be the
// same, but for rewards this decision granted having been paid since.
struct CounterChecks {
  struct Check {
    bool rank = false;          // rewarded_referrers, or budget_spent
    bool compare = true;        // a comparison, or an add or sub (arithmetic)
    bool counter_left = true;   // which side the counter is on
    std::uint8_t op = 0;        // the Op
    Value other;                // the other side's value: a number or an amount
    Value result;               // a comparison's answer
  };
  bool untracked = false;  // a use not followed: only the same values give the same decision
  std::vector<Check> checks;
  // The budget's outcome stands while budget_spent > spent_above and <= spent_at_most (and the
  // budget's total less it is still a number: `budget_total`).
  std::optional<Decimal> spent_above, spent_at_most, budget_total;

  void clear() {
    untracked = false;
    checks.clear();
    spent_above.reset();
    spent_at_most.reset();
    budget_total.reset();
  }
  bool allows(const Program& program, const Decimal& budget_spent, std::int64_t rewarded_referrers,
              EvalScratch& scratch) const;
};

// Rewards a caller has already paid, for the budget: see EvalOptions::paid.
class PaidRewards {
 public:
  virtual ~PaidRewards() = default;
  // Whether `r`, the `place`-th reward of `d`, was paid; if so `value` is what was paid for it
  // in the policy's currency (zero for a reward without a value).
  virtual bool paid(const Decision& d, const Reward& r, std::uint32_t place, Decimal& value) = 0;
};

struct EvalOptions {
  std::optional<DateTime> now;  // overrides the facts' `now`
  bool explain = false;
  ReferralMemo* memo = nullptr;  // see ReferralMemo
  // False: the outputs are not written, and Decision::outputs stays empty; for a caller that
  // never reads them. Those that may fail are still worked out (an output that fails still fails
  // the evaluation); the others are not, so the decision's recheck_at and the counter checks do
  // not follow what only they read.
  bool write_outputs = true;
  // Filled (cleared first) with how the decision depends on the campaign's counters.
  CounterChecks* counter_checks = nullptr;
  // Only the referrals' verdicts (Decision::referrals, with the referrer's id) are worked out,
  // and the evaluation stops there: for a caller that knows the rest of the decision stands
  // while the verdicts do (refpol simulate, Program::referrals_read_outside_verdicts).
  bool verdicts_only = false;
  // Rewards already paid, whose money `campaign.budget_spent` counts (with everything else paid
  // or pending, but for this referrer's pending rewards). The budget does not charge them again
  // and never withholds or replaces them; one the decision cancels (`void`) or finds expired gives
  // what was paid back to the budget. Caps count them first and never cut or withhold them (at
  // the amount the decision gives them now). `paid` is asked once the rewards' statuses are set,
  // before caps and budget. Without it, the facts' top-level `paid` (FactsDocument::paid) does
  // the same.
  PaidRewards* paid = nullptr;
};

// Reusable per-thread memory: locals, temporaries and the list of qualified referrals.
struct EvalScratch {
  Arena arena;
  std::vector<Value> locals;
  std::vector<Value> temp;
  // Values of definitions already worked out (Program::define_cacheable), good while their
  // stamp is `stamp`: a new evaluation moves it on.
  std::vector<Value> define_values;
  std::vector<std::uint64_t> define_stamps;
  std::uint64_t stamp = 0;
  // Values of calls (Program::call_memoizable) by the define and its argument's record, good
  // while their stamp is `stamp`; each (define, record) has one place of 2^kept_calls_bits,
  // chosen by hashing, and a newer call there replaces the older. Tests set the bits lower to
  // make calls share places.
  struct KeptCall {
    std::uint64_t stamp = 0;
    std::uint32_t define = 0;
    const void* argument = nullptr;
    Value value;
  };
  std::vector<KeptCall> calls;
  static constexpr int kKeptCallsBits = 12;
  int kept_calls_bits = kKeptCallsBits;  // 0 to 16
  // A referral's failed (or held, for `void`) labels while it is decided, kept to reuse their
  // memory.
  std::vector<std::string_view> referee_failed, void_held, qual_failed;
  // Which rewards of the decision were paid before (EvalOptions::paid or the facts' `paid`), and
  // a reward's key, to look it up in the facts' `paid`.
  std::vector<std::uint8_t> paid_rewards;
  std::string key;
  // draw()'s digests by what was hashed (seed, 0x1F, id), as the same members are drawn again
  // evaluation after evaluation; emptied when it holds kMaxKeptDraws. Keys longer than
  // kMaxKeptDrawKey are not kept, so it stays within a few megabytes.
  std::unordered_map<std::string, std::array<std::uint8_t, 32>> draw_digests;
  std::string draw_key;
  static constexpr std::size_t kMaxKeptDraws = 1 << 14;
  static constexpr std::size_t kMaxKeptDrawKey = 128;
};

struct EvalError {
  std::string message;  // `amount overflows`, `no now: give --now or a now field`
  std::int32_t file = -1;
  Span span;
};

// Fills `out` (cleared first). Returns false with `error` set when the evaluation cannot finish
// (for example an overflow); `out` is then incomplete and must not be used.
bool evaluate(const Program& program, const FactsDocument& facts, const EvalOptions& options,
              EvalScratch& scratch, Decision& out, EvalError& error);

// Where in the policy (or an imported module) an evaluation stopped; `file` is empty for an
// error of the whole document (no `now`, too many rewards).
struct EvalErrorPlace {
  std::string_view file;  // the source's display path
  std::uint32_t line = 0, column = 0;
};
EvalErrorPlace locate(const Program& program, const EvalError& error);

// `path:line:col: error: evaluation failed: message`, the one way an evaluation error is shown.
std::string render_eval_error(const Program& program, const EvalError& error);

// Writes a runtime value as JSON (decimals exactly, dates as ISO strings).
void write_value_json(const Program& program, const Value& v, std::string& out);
// Writes a value as a person reads it: `320.00 CNY`, `2026-12-08T10:00:00+08:00`, `"loyal"`.
std::string describe_value(const Program& program, const Value& v);

}  // namespace refpol
