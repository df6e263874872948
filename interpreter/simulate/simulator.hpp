// `refpol simulate`: replays an event history through one policy (and optionally a baseline),
// keeping a ledger of rewards by key as production would, and sums up the campaign
// (docs/simulate.md). The CLI reads the lines; this library never prints.
#pragma once
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "interpreter/compile/program.hpp"
#include "interpreter/decision/decision.hpp"
#include "interpreter/eval/evaluator.hpp"
#include "interpreter/simulate/facts_builder.hpp"
#include "interpreter/simulate/stable_vector.hpp"
#include "interpreter/simulate/world.hpp"

namespace refpol::sim {

// One reward as the ledger keeps it: until it is paid (granted), what the latest decision says
// it is (a pending coupon may become the budget's fallback); once paid, what was paid, and only
// its status moves on (void, expired).
struct LedgerEntry {
  std::string key;
  std::size_t policy_prefix = 0;  // key.substr(policy_prefix): the key without the policy id
  Index owner = kNone;            // the referrer whose decision gave it
  std::string rule, tier, role, recipient, scope, kind, unit, label, reason;
  bool has_amount = false;
  Decimal amount;
  std::optional<Decimal> value;
  RewardStatus status = RewardStatus::granted;
  std::uint32_t listed_at = 0;  // its place among the rewards of the decision that last gave it
  DateTime first_decided;
  std::optional<DateTime> granted_at, settles_at, expires_at;
  bool paid = false;            // it was granted (paid) at some time: its terms stay
  bool cancelled_paid = false;  // it went from granted (paid) to void
  // How many referrers' last decisions list it: its owner's, and another's that gives the same
  // key (a member of two communities gets one reward, the first owner's entry).
  std::uint32_t listers = 0;
  std::int64_t expiry_queued = INT64_MIN;  // the expires_at (utc seconds) in Runner::expiries_
  bool committed() const { return status == RewardStatus::granted || status == RewardStatus::pending; }
  bool listed() const { return listers != 0; }
};

struct Problem {
  std::size_t line = 0;  // 0: not tied to an input line (an evaluation)
  std::string message;
};

// The replay of one policy over the shared world.
class Runner {
 public:
  Runner(std::shared_ptr<const Program> program, World& world, bool keep_verdicts = true,
         bool reuse_decisions = true);
  // Decides for `referrer` as of `now` and records what changed in the ledger. `unread_change`:
  // the facts changed since the referrer's last evaluation only in fields the policy never reads
  // (shares_unread()), or not at all (World::touched_facts_changed: only the time moved on);
  // then the last decision is reused when nothing else it depends on moved:
  // no `now` comparison of it turned (recheck_at), and the campaign's counters are the same or
  // give the same decision (CounterChecks).
  // `after_event`: the look follows an event that touched the referrer (not a moment they were
  // due at, whose look schedules the next: that one is always decided in full).
  void evaluate(Index referrer, const DateTime& now, bool unread_change = false, bool after_event = false);
  // Whether the policy never reads a `shares` field, and its facts have no `share_events`: a
  // share then changes nothing it reads.
  bool shares_unread() const { return shares_unread_; }
  // Evaluates, in time order, the referrers due for a look before or at `t`: when a referral of
  // theirs settles or a reward of theirs expires, as a production service's scheduled job would.
  void advance(const DateTime& t);

  const Program& program() const { return *program_; }
  const std::deque<LedgerEntry>& ledger() const { return ledger_; }
  std::optional<ReferralStatus> referral_status(Index r) const {
    const Verdict* v = verdict(r);
    return v != nullptr ? v->status : std::nullopt;
  }
  std::optional<DateTime> qualified_at(Index r) const {
    const Verdict* v = verdict(r);
    return v != nullptr ? v->qualified_at : std::nullopt;
  }
  // Whether the referrer's last decision found them eligible (false before any).
  bool referrer_eligible(Index referrer) const { return referrer < referrers_.size() && referrers_[referrer].eligible; }
  std::uint64_t evaluations() const { return evaluations_; }
  // How many of those reused the referrer's last decision (evaluate's `unread_change`).
  std::uint64_t reused() const { return reused_; }
  // When a decision first withheld a reward for the budget or gave the fallback instead, even if
  // budget was freed later.
  const std::optional<DateTime>& budget_ran_out() const { return budget_ran_out_; }
  std::uint64_t failed() const { return failed_; }
  const std::vector<Problem>& failures() const { return failures_; }

 private:
  // Records the `place`-th reward of `owner`'s decision; gives its ledger entry.
  std::uint32_t record(const Decision& d, const Reward& r, std::uint32_t place, Index owner);
  // The ledger entry of the `place`-th reward of `owner`'s decision `d`, if it has one.
  std::optional<std::uint32_t> entry_of(const Decision& d, const Reward& r, std::uint32_t place, Index owner);
  // The ledger's granted rewards of `owner`, for the budget (EvalOptions::paid).
  struct PaidLookup : PaidRewards {
    Runner* runner = nullptr;
    Index owner = kNone;
    bool paid(const Decision& d, const Reward& r, std::uint32_t place, Decimal& value) override;
  };
  PaidLookup paid_lookup_;
  // By place, the entries paid() found for the rewards of the evaluation under way (kNone: not
  // asked, or none): record() takes them from here. The budget does not change which reward
  // stands at a place (a fallback keeps the key of the reward it replaces).
  std::vector<std::uint32_t> found_;
  // The entry of a reward to a recipient with an id, if the ledger has one.
  std::optional<std::uint32_t> find(const Reward& r, std::uint32_t place, Index owner);
  void schedule(const DateTime& when, Index referrer);
  // What changes whenever anything of a referrer's facts but their referrals may: their
  // Customer::version (record, counters, shares), their community's and their organisation's
  // tokens. Compared whole: a mix of them could come out the same after all moved.
  struct Roots {
    std::uint32_t version = 0;
    std::uint64_t community = 0, organisation = 0;
    bool operator==(const Roots&) const = default;
  };
  Roots roots(Index referrer) const;
  void set_status(LedgerEntry& e, RewardStatus status);
  // Expires `e` when it is granted and past its `expires_at` at `now`; whether it did.
  bool expire_due(LedgerEntry& e, const DateTime& now);
  // Puts entry `i` in `expiries_` when it is granted with an expiry not there yet.
  void queue_expiry(std::uint32_t i);
  // Expires every granted entry whose expiry is at or before `now`.
  void expire_until(const DateTime& now);
  // After `e` was found listed by no last decision at `now`: a pending reward is withdrawn; a
  // granted one expires if it is past its `expires_at`, and otherwise the moment after that is
  // returned, for its owner to be looked at then.
  std::optional<DateTime> unlisted(LedgerEntry& e, const DateTime& now);

  std::shared_ptr<const Program> program_;
  World& world_;
  FactsBuilder builder_;
  FactsDocument facts_;
  EvalScratch scratch_;
  Decision decision_;
  std::vector<FactsError> errors_;
  std::string key_;

  std::deque<LedgerEntry> ledger_;  // a deque: entries never move, so `by_key_` may view them
  std::vector<std::uint32_t> listing_;
  bool newly_paid_ = false;  // set_status paid an entry for the first time
  std::ptrdiff_t shift_ = 0;
  // (utc seconds, referrer) to look at again, each once: a min-heap for the order; each
  // referrer's own moments (PerReferrer::due, mostly one or none) tell a new moment from one
  // already due.
  using Due = std::pair<std::int64_t, Index>;
  std::vector<Due> due_;
  // (expires_at in utc seconds, entry) of granted entries: a min-heap, stale ones skipped.
  std::vector<std::pair<std::int64_t, std::uint32_t>> expiries_;
  // What makes a reward's key (rule, role, recipient, scope), as views: found without building
  // the key text for rewards the ledger already has.
  struct KeyParts {
    std::string_view rule, role, recipient, scope;
    bool operator==(const KeyParts&) const = default;
  };
  struct KeyHash {
    std::size_t operator()(const KeyParts& k) const noexcept {
      std::hash<std::string_view> h;
      std::size_t x = h(k.rule);
      for (std::string_view p : {k.role, k.recipient, k.scope}) x = x * 1000003u ^ h(p);
      return x;
    }
  };
  std::unordered_map<KeyParts, std::uint32_t, KeyHash> by_key_;
  std::unordered_map<std::string, std::uint32_t> by_text_;  // rewards to a recipient without an id
  Decimal total_committed_;
  std::uint32_t rewarded_count_ = 0;
  // A referral's latest verdict and when it first qualified.
  struct Verdict {
    std::optional<ReferralStatus> status;
    std::optional<DateTime> qualified_at;
  };
  const Verdict* verdict(Index r) const;
  std::vector<std::uint32_t> place_;
  std::uint64_t evaluations_ = 0, failed_ = 0, reused_ = 0;
  std::optional<DateTime> budget_ran_out_;
  bool reuse_decisions_ = true, shares_unread_ = false;
  std::vector<Problem> failures_;  // the first few
  // Referrals' verdicts kept while the referral and the referrer are unchanged, when the
  // policy's verdicts read no more than those (keep_verdicts_); by the referrer's
  // Customer::record_version (not version) and the referrals' Referral::fields_version (not
  // version) when they read none of the counters.
  bool keep_verdicts_ = false;
  bool referrer_by_record_ = false, referee_by_fields_ = false;
  // What is kept by referrer, side by side: an evaluation reads one place, not one per array.
  struct PerReferrer {
    Decimal committed;                     // value of granted and pending rewards
    Decimal paid;                          // value of granted rewards
    std::uint32_t rewarded_rank = kNone;   // how many were rewarded before them
    bool rewarded = false;                 // paid a reward as the referrer (set_status)
    bool eligible = false;                 // in their last decision
    // Their last decision paid a reward not paid before, or another's paid an entry of theirs.
    bool paid_by_last = false;
    // As of their last decision worked out in full, or reused since for a change it does not
    // read (a share): what stands for their own part of the facts (referrals aside: roots())
    // and each referral's Referral::version.
    Roots roots_seen;
    std::vector<std::uint32_t> versions_seen;
    std::int32_t due_offset = 0;           // the offset to show their next due time in
    std::vector<std::int64_t> due;         // the moments (utc seconds) they are due at, in due_
    std::vector<std::uint32_t> owned;      // their ledger entries
    // The entry of each reward of their last decision, in order. A decision mostly gives the
    // rewards of the one before, in the same order, so the entry is first looked for there, at
    // the place the previous reward had (`shift_`), before in `by_key_`.
    std::vector<std::uint32_t> last_listed;
    // Their referrals' latest verdicts, in the order of their referrals (place_ gives a
    // referral's place there).
    std::vector<Verdict> verdicts;
    ReferralMemo memo;
    // What their last decision depends on besides the facts: it stands until `reuse_until`
    // (utc seconds: its recheck_at; INT64_MIN when it cannot be reused, as after a failure)
    // while the counters are these.
    std::int64_t reuse_until = INT64_MIN;
    // `others_seen` and `paid_seen` make the budget_spent it was given; `paid_after` is `paid`
    // once it was recorded (with the rewards it granted paid).
    Decimal others_seen, paid_seen, paid_after;
    std::uint32_t rank_seen = 0;
    CounterChecks counters;  // how it depends on them, for other values
    // At most how long their facts' whole text is now (the facts' size limit counts shares the
    // policy does not read), and the length of their shares' text when that was worked out.
    std::size_t size_bound = 0, shares_bytes = 0;
  };
  // After a decision (or its verdicts alone): the verdicts kept for `referrer`'s referrals.
  void store_verdicts(PerReferrer& state, Index referrer, const DateTime& now);
  // Notes each of `referrer`'s referrals' Referral::version in `state.versions_seen`.
  void note_versions(PerReferrer& state, Index referrer) const;
  // Whether the verdicts just worked out (decision_.referrals) leave `referrer`'s last decision
  // standing: the referrals that changed since it are not qualified (nor void), and were not.
  bool verdicts_leave_decision(const PerReferrer& state, Index referrer) const;
  // Elements never move: growing it with the customers moves nothing (a std::vector of them,
  // tens of MB, was moved into new memory, faulted in page by page, at each doubling).
  StableVector<PerReferrer> referrers_;
};

struct SimulationOptions {
  std::optional<DateTime> from, to;
  bool skip_bad_events = false;
  // Keep referrals' verdicts between a referrer's evaluations (ReferralMemo) where the policy
  // allows it. Off only to check that keeping them changes nothing.
  bool keep_verdicts = true;
  // Reuse a referrer's last decision when a share changed nothing the policy reads
  // (Runner::evaluate). Off only to check that reusing changes nothing.
  bool reuse_decisions = true;
};

// Feeds the event lines to the world and the runners, in order.
class Simulation {
 public:
  Simulation(std::shared_ptr<const Program> policy, std::shared_ptr<const Program> baseline,
             SimulationOptions options);
  // One line of the log (1-based `line`). False when the line is bad and bad events stop the
  // replay; the problem is last_problem().
  bool feed(std::string_view text, std::size_t line);
  // A line that is bad before it is read (longer than the reader keeps), as feed() reports one.
  bool reject(std::size_t line, std::string message);
  // False when the input ended past --to (nothing more needs to be read).
  bool wants_more() const { return !past_end_; }
  // Whether the window's end (known once finish() ran) is not before its start.
  bool window_ends_after_start() const { return !options_.from || !(end_ < *options_.from); }
  // The final evaluation of every referrer, at --to (or the last event). Call once, at the end.
  // `between` is called between two referrers (the CLI marks new memory for huge pages there).
  void finish(const std::function<void()>& between = {});

  // summary.json (docs/simulate.md), with a final newline.
  std::string summary_json() const;
  // The CSV tables: rewards.csv, referrers.csv, leaderboard.csv, daily.csv.
  std::string rewards_csv() const;
  std::string referrers_csv() const;
  std::string leaderboard_csv() const;
  std::string daily_csv() const;

  const std::vector<Problem>& problems() const { return problems_; }  // the first 100
  const Problem& last_problem() const { return last_problem_; }
  std::uint64_t skipped() const { return skipped_; }
  std::uint64_t events_read() const { return read_; }

 private:
  friend struct Summary;
  // Counts a bad event and reports it; whether the replay goes on.
  bool skip(std::size_t line, std::string message);
  SimulationOptions options_;
  World world_;
  std::vector<std::unique_ptr<Runner>> runners_;  // [0] the policy, [1] the baseline if any
  EventReader reader_;
  Event event_;
  IdTable event_ids_;  // of the events read, applied or not
  std::optional<DateTime> last_ts_, first_ts_;
  std::uint64_t read_ = 0, applied_ = 0, skipped_ = 0, blank_ = 0;
  std::uint64_t by_type_[kEventTypeCount] = {};
  std::vector<Problem> problems_;  // bad events (the first 100 are kept)
  Problem last_problem_;
  bool past_end_ = false, finished_ = false;
  DateTime end_;
};

}  // namespace refpol::sim
