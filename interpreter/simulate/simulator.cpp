// The replay (simulator.hpp): events into the world, decisions into the ledger. The sums and
// tables over the ledger are in summary.cpp.
#include "interpreter/simulate/simulator.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "interpreter/decision/decision_json.hpp"
#include "interpreter/source/diagnostic.hpp"

namespace refpol::sim {

namespace {
constexpr std::size_t kKeptProblems = 100;

// Whether the entry says what the reward says: its status, what it gives, and when.
bool same_terms(const LedgerEntry& e, const Reward& r) {
  return e.status == r.status && e.has_amount == r.has_amount && e.amount == r.amount && e.value == r.value &&
         e.kind == r.kind && e.unit == r.unit && e.label == r.label && e.reason == r.reason &&
         e.granted_at == r.granted_at && e.settles_at == r.settles_at && e.expires_at == r.expires_at;
}

// The entry takes what the reward gives, and when; its status is set apart (set_status).
void take_terms(LedgerEntry& e, const Reward& r) {
  e.kind.assign(r.kind);
  e.unit.assign(r.unit);
  e.label.assign(r.label);
  e.reason.assign(r.reason);
  e.has_amount = r.has_amount;
  e.amount = r.amount;
  e.value = r.value;
  e.granted_at = r.granted_at;
  e.settles_at = r.settles_at;
  e.expires_at = r.expires_at;
}

// Equal, and written the same (`100` is not `100.00` in the facts' text).
bool same_decimal(const Decimal& a, const Decimal& b) { return a.mantissa == b.mantissa && a.scale == b.scale; }

}  // namespace

// ---------------------------------------------------------------------------------------------
// Runner

Runner::Runner(std::shared_ptr<const Program> program, World& world, bool keep_verdicts, bool reuse_decisions)
    : program_(std::move(program)),
      world_(world),
      builder_(FactsContext{&program_->policy.schema, &program_->zone, 0}, world),
      reuse_decisions_(reuse_decisions) {
  // Verdicts are kept between a referrer's evaluations when they read no more than the referral
  // and the referrer: the world says when either changed (Referral::version, Customer::version).
  const Program& p = *program_;
  std::uint64_t others = p.verdict_memo.roots;
  if (p.referrer_slot >= 0 && p.referrer_slot < 64) others &= ~(std::uint64_t{1} << p.referrer_slot);
  keep_verdicts_ = keep_verdicts && p.verdict_memo.keepable && others == 0;
  // A customer record's counters move without its record part (Customer::record_version); a
  // referee's alone move on a share (Referral::fields_version does not). Verdicts that read none
  // of them are kept by those versions instead, so a share or an order of the referrer's own
  // does not decide every referral again.
  const Schema& schema = p.policy.schema;
  auto record_of = [&](int record, std::string_view field) {
    if (record < 0 || static_cast<std::size_t>(record) >= schema.records.size()) return -1;
    const RecordInfo& info = schema.records[static_cast<std::size_t>(record)];
    const int i = info.index_of(field);
    return i < 0 ? -1 : info.fields[static_cast<std::size_t>(i)].type.record;
  };
  auto counters = [&](int record) {
    return record < 0 ? ~std::uint64_t{0} : counter_fields(schema.records[static_cast<std::size_t>(record)]);
  };
  const int referral_record = [&] {
    if (p.referrals_slot < 0) return -1;
    return schema.records[0].fields[static_cast<std::size_t>(p.referrals_slot)].type.record;
  }();
  // A share moves a customer's `shares` and adds to the root's `share_events` (whose length the
  // facts' limits count): nothing the policy reads when it reads neither.
  shares_unread_ = !p.fields_read_unknown && schema.records[0].index_of("share_events") < 0;
  for (std::size_t r = 0; r < schema.records.size() && r < p.fields_read.size(); ++r) {
    const int f = schema.records[r].index_of("shares");
    if (f >= 0 && (f >= 64 || (p.fields_read[r] >> f & 1) != 0)) shares_unread_ = false;
  }
  referrer_by_record_ = (p.verdict_memo.referrer_fields & counters(record_of(0, "referrer"))) == 0;
  referee_by_fields_ = (p.verdict_memo.referee_fields & counters(record_of(referral_record, "referee"))) == 0;
}

void Runner::set_status(LedgerEntry& e, RewardStatus status) {
  const bool was = e.committed();
  const bool was_paid = e.status == RewardStatus::granted;
  e.status = status;
  if (status == RewardStatus::granted) {
    if (!e.paid) {
      // Its owner's next decision counts it paid (another referrer's decision may pay an entry
      // of theirs, under a key both give).
      newly_paid_ = true;
      referrers_[e.owner].paid_by_last = true;
    }
    e.paid = true;
    if (e.role == "referrer") referrers_[e.owner].rewarded = true;
  }
  if (was_paid && status == RewardStatus::void_) e.cancelled_paid = true;
  if (status != RewardStatus::void_) e.cancelled_paid = false;  // given again (record)
  if (e.value && was_paid != (status == RewardStatus::granted)) {
    Decimal& paid = referrers_[e.owner].paid;
    was_paid ? sub(paid, *e.value, paid) : add(paid, *e.value, paid);
  }
  if (was == e.committed() || !e.value) return;
  Decimal& mine = referrers_[e.owner].committed;
  if (e.committed()) {
    add(mine, *e.value, mine);
    add(total_committed_, *e.value, total_committed_);
  } else {
    sub(mine, *e.value, mine);
    sub(total_committed_, *e.value, total_committed_);
  }
}

// An entry with a recipient id is the only one in `by_key_` with its key parts, so an entry found
// equal by its parts is the one `by_key_` would give.
std::optional<std::uint32_t> Runner::find(const Reward& r, std::uint32_t place, Index owner) {
  const std::vector<std::uint32_t>& last = referrers_[owner].last_listed;
  const std::ptrdiff_t guess = static_cast<std::ptrdiff_t>(place) + shift_;
  if (guess >= 0 && static_cast<std::size_t>(guess) < last.size()) {
    const std::uint32_t i = last[static_cast<std::size_t>(guess)];
    const LedgerEntry& e = ledger_[i];
    if (e.recipient == r.recipient_id && e.scope == r.scope && e.rule == r.rule && e.role == r.recipient_role) {
      return i;
    }
  }
  auto it = by_key_.find(KeyParts{r.rule, r.recipient_role, r.recipient_id, r.scope});
  if (it == by_key_.end()) return std::nullopt;
  shift_ = static_cast<std::ptrdiff_t>(ledger_[it->second].listed_at) - static_cast<std::ptrdiff_t>(place);
  return it->second;
}

std::optional<std::uint32_t> Runner::entry_of(const Decision& d, const Reward& r, std::uint32_t place, Index owner) {
  // A recipient without an id is named in the key by the referrer's id: look those up by the
  // key text itself.
  if (r.recipient_id.empty()) {
    key_ = reward_key(d, r);
    if (auto it = by_text_.find(key_); it != by_text_.end()) return it->second;
    return std::nullopt;
  }
  return find(r, place, owner);
}

bool Runner::expire_due(LedgerEntry& e, const DateTime& now) {
  if (e.status != RewardStatus::granted || !e.expires_at || e.expires_at->utc_seconds > now.utc_seconds) {
    return false;
  }
  set_status(e, RewardStatus::expired);
  return true;
}

std::optional<DateTime> Runner::unlisted(LedgerEntry& e, const DateTime& now) {
  if (e.status == RewardStatus::pending) {
    e.reason = "withdrawn";
    set_status(e, RewardStatus::void_);
  } else if (!expire_due(e, now) && e.status == RewardStatus::granted && e.expires_at) {
    return DateTime{e.expires_at->utc_seconds + 1, e.expires_at->offset_seconds};
  }
  return std::nullopt;
}

bool Runner::PaidLookup::paid(const Decision& d, const Reward& r, std::uint32_t place, Decimal& value) {
  const std::optional<std::uint32_t> found = runner->entry_of(d, r, place, owner);
  if (!found) return false;
  std::vector<std::uint32_t>& kept = runner->found_;
  if (kept.size() <= place) kept.resize(place + 1, kNone);
  kept[place] = *found;
  const LedgerEntry& e = runner->ledger_[*found];
  // Another referrer's reward under the same key (a member of two communities) is theirs to count.
  if (e.owner != owner) return false;
  if (e.status == RewardStatus::granted) {
    // A decision may work out an earlier expiry than the one the reward was paid with (an expiry
    // that depends on the facts): the ledger keeps it granted to its own (record), so its money
    // stays spent and nothing is given back.
    value = e.value && r.status != RewardStatus::expired ? *e.value : Decimal{};
    return true;
  }
  // Paid, then expired (and perhaps cancelled after that: record keeps it lapsed): a cap still
  // counts it first, and its money is no longer spent (nothing to give back). One cancelled while
  // granted had its money given back: the decision charges it as a new grant.
  if (e.paid && (e.status == RewardStatus::expired || (e.status == RewardStatus::void_ && !e.cancelled_paid))) {
    value = Decimal{};
    return true;
  }
  return false;
}

std::uint32_t Runner::record(const Decision& d, const Reward& r, std::uint32_t place, Index owner) {
  if (!budget_ran_out_ && ((r.status == RewardStatus::withheld && r.reason == "budget") || r.reason == "budget_fallback")) {
    budget_ran_out_ = d.now;  // decisions come in time order
  }
  // Found already when the budget asked; one not found then may have been made since (by an
  // earlier reward of the same key), so it is looked for again.
  const std::optional<std::uint32_t> found =
      place < found_.size() && found_[place] != kNone ? std::optional<std::uint32_t>(found_[place]) : entry_of(d, r, place, owner);
  if (found) {
    LedgerEntry& e = ledger_[*found];
    e.listed_at = place;
    // Cancelled after it was paid (its money given back), then given again (or found expired) by
    // this decision: a new grant, on this decision's terms, which the decision charged as new.
    const bool given_again = e.status == RewardStatus::void_ && e.cancelled_paid &&
                             (r.status == RewardStatus::granted || r.status == RewardStatus::pending ||
                              r.status == RewardStatus::expired);
    if (e.paid && !given_again && (e.status == RewardStatus::granted || e.status == RewardStatus::expired ||
                                   e.status == RewardStatus::void_)) {
      // Paid: what it is stays, and when. It may still be cancelled; while granted it expires at
      // the expiry it was given (expire_until), whatever this decision works out from its own
      // `now` (`expires 30 days after grant` on a reward without a settle date, or an expiry
      // that depends on the facts). One that expired and was then cancelled, given again, has
      // lapsed all the same: expired, not paid a second time. A cancelled one the decision
      // withholds stays cancelled.
      if (r.status == RewardStatus::void_ && e.status != RewardStatus::void_) {
        e.reason.assign(r.reason);
        set_status(e, RewardStatus::void_);
      } else if (e.status == RewardStatus::void_ && !e.cancelled_paid && r.status != RewardStatus::void_) {
        e.reason.clear();
        set_status(e, RewardStatus::expired);
      }
    } else if (!same_terms(e, r)) {
      // Not paid yet: it is what the latest decision says (a budget fallback, a capped amount).
      set_status(e, RewardStatus::withheld);  // no longer counts its old value
      take_terms(e, r);
      set_status(e, r.status);
    }
    queue_expiry(*found);
    return *found;
  }
  LedgerEntry e;
  e.key = reward_key(d, r);
  e.policy_prefix = d.policy_id.size() + 1;
  e.owner = owner;
  e.rule.assign(r.rule);
  e.tier.assign(r.tier);
  e.role.assign(r.recipient_role);
  e.recipient.assign(r.recipient_id);
  e.scope.assign(r.scope);
  take_terms(e, r);
  e.status = RewardStatus::withheld;  // counted by set_status below
  e.listed_at = place;
  e.first_decided = d.now;
  const auto index = static_cast<std::uint32_t>(ledger_.size());
  ledger_.push_back(std::move(e));
  const LedgerEntry& kept = ledger_.back();
  if (kept.recipient.empty()) {
    by_text_.emplace(kept.key, index);
  } else {
    by_key_.emplace(KeyParts{kept.rule, kept.role, kept.recipient, kept.scope}, index);
  }
  referrers_[owner].owned.push_back(index);
  set_status(ledger_.back(), r.status);
  queue_expiry(index);
  return index;
}

void Runner::queue_expiry(std::uint32_t i) {
  LedgerEntry& e = ledger_[i];
  if (e.status != RewardStatus::granted || !e.expires_at || e.expiry_queued == e.expires_at->utc_seconds) return;
  e.expiry_queued = e.expires_at->utc_seconds;
  expiries_.emplace_back(e.expiry_queued, i);
  std::push_heap(expiries_.begin(), expiries_.end(), std::greater<>());
}

void Runner::expire_until(const DateTime& now) {
  while (!expiries_.empty() && expiries_.front().first <= now.utc_seconds) {
    std::pop_heap(expiries_.begin(), expiries_.end(), std::greater<>());
    const auto [seconds, i] = expiries_.back();
    expiries_.pop_back();
    LedgerEntry& e = ledger_[i];
    if (e.expiry_queued == seconds) e.expiry_queued = INT64_MIN;  // granted again later, it is queued again
    expire_due(e, now);  // not if cancelled since, or given a later expiry (queued too)
  }
}

void Runner::note_versions(PerReferrer& state, Index referrer) const {
  const std::vector<Index>& mine = world_.customers()[referrer].referrals;
  state.versions_seen.resize(mine.size());
  for (std::size_t i = 0; i < mine.size(); ++i) state.versions_seen[i] = world_.referrals()[mine[i]].version;
}

Runner::Roots Runner::roots(Index referrer) const {
  return Roots{world_.customers()[referrer].version, world_.community_token(referrer), world_.organisation_token(referrer)};
}

void Runner::store_verdicts(PerReferrer& state, Index referrer, const DateTime& now) {
  // The verdicts come in the order of the facts' referrals, which is the world's order.
  // They are kept by referrer, in that order, so this loop reads and writes one array.
  const std::vector<Index>& mine = world_.customers()[referrer].referrals;
  std::vector<Verdict>& verdicts = state.verdicts;
  for (std::size_t i = verdicts.size(); i < mine.size(); ++i) place_[mine[i]] = static_cast<std::uint32_t>(i);
  if (verdicts.size() < mine.size()) verdicts.resize(mine.size());
  for (std::size_t i = 0; i < decision_.referrals.size() && i < mine.size(); ++i) {
    const ReferralVerdict& v = decision_.referrals[i];
    Verdict& kept = verdicts[i];
    kept.status = v.status;
    if (v.status == ReferralStatus::qualified && !kept.qualified_at) kept.qualified_at = now;
  }
}

bool Runner::verdicts_leave_decision(const PerReferrer& state, Index referrer) const {
  const std::vector<Index>& mine = world_.customers()[referrer].referrals;
  if (decision_.referrals.size() != mine.size()) return false;
  auto quiet = [](ReferralStatus s) { return s == ReferralStatus::not_qualified || s == ReferralStatus::ineligible_referee; };
  for (std::size_t i = 0; i < mine.size(); ++i) {
    const ReferralStatus now_status = decision_.referrals[i].status;
    const bool known = i < state.verdicts.size() && state.verdicts[i].status.has_value();
    const bool changed = i >= state.versions_seen.size() || state.versions_seen[i] != world_.referrals()[mine[i]].version;
    if (!changed) {
      // Read as it was: its verdict is what it was (and kept by the memo).
      if (!known || state.verdicts[i].status != now_status) return false;
      continue;
    }
    if (!quiet(now_status) || (known && !quiet(*state.verdicts[i].status))) return false;
  }
  return true;
}

void Runner::schedule(const DateTime& when, Index referrer) {
  const Due d{when.utc_seconds, referrer};
  PerReferrer& state = referrers_[referrer];
  if (std::find(state.due.begin(), state.due.end(), d.first) != state.due.end()) return;
  state.due.push_back(d.first);
  state.due_offset = when.offset_seconds;
  due_.push_back(d);
  std::push_heap(due_.begin(), due_.end(), std::greater<Due>());
}

const Runner::Verdict* Runner::verdict(Index r) const {
  if (r >= place_.size() || r >= world_.referrals().size()) return nullptr;
  const Index referrer = world_.referrals()[r].referrer;
  if (referrer >= referrers_.size() || place_[r] >= referrers_[referrer].verdicts.size()) return nullptr;
  return &referrers_[referrer].verdicts[place_[r]];
}

void Runner::advance(const DateTime& t) {
  while (!due_.empty() && due_.front().first <= t.utc_seconds) {
    std::pop_heap(due_.begin(), due_.end(), std::greater<Due>());
    const auto [seconds, referrer] = due_.back();
    due_.pop_back();
    std::vector<std::int64_t>& pending = referrers_[referrer].due;
    if (auto it = std::find(pending.begin(), pending.end(), seconds); it != pending.end()) {
      *it = pending.back();
      pending.pop_back();
    }
    evaluate(referrer, DateTime{seconds, referrers_[referrer].due_offset});
  }
}

void Runner::evaluate(Index referrer, const DateTime& now, bool unread_change, bool after_event) {
  const std::size_t customers = world_.customers().size();
  while (referrers_.size() < customers) referrers_.emplace_back();
  PerReferrer& state = referrers_[referrer];
  const std::size_t referrals = world_.referrals().size();
  if (place_.size() < referrals) place_.resize(referrals, kNone);
  // Every paid reward past its `expires_at` has expired, whoever owns it and whether or not a
  // decision still lists it, before anything is counted: its money is no longer spent (a
  // decision that counts `expires 30 days after grant` from its own `now` would not say so).
  expire_until(now);
  // The campaign's counters as a service would send them: others' committed value, and this
  // referrer's place among the rewarded (docs/simulate.md, "How the replay works").
  Decimal others;
  sub(total_committed_, state.committed, others);
  const std::uint32_t rank = state.rewarded_rank != kNone ? state.rewarded_rank : rewarded_count_;
  ++evaluations_;
  // The same facts (as the policy reads them), before any `now` comparison turns, with the same
  // counters: the same decision, and applying it again would change nothing in the ledger or
  // the schedule (every moment it named up to now has been looked at already). The replay looks
  // at every referrer at their recheck_at anyway, before any later event, so `reuse_until` is a
  // safeguard here rather than a condition that ever fails.
  // A share lengthens the facts' text by its own text when it is the referrer's, and by a digit
  // of a `shares` counter at most at each place its customer stands in the facts (the referrer,
  // a referee, a member, each counted): the facts stay within their size limit, as they did,
  // while this bound does (64 more for the counters and `now`, whose text may be longer).
  // The referrer's own paid rewards count in budget_spent. Those the last decision granted, paid
  // since, leave it standing (charged first, they take no room from the rewards before them,
  // which fitted with them charged after), so while `paid` is what that decision left, the
  // spent it was given is compared. Any other change of `paid` (a paid reward no longer listed
  // expired, another referrer's decision changed an entry of theirs) is not followed: the
  // referrer is decided again.
  const auto same_counters = [&] {
    if (!same_decimal(state.paid, state.paid_after)) return false;
    if (rank == state.rank_seen && same_decimal(others, state.others_seen)) return true;
    Decimal spent;
    add(others, state.paid_seen, spent);
    return state.counters.allows(*program_, spent, rank, scratch_);
  };
  // A cap counts the referrer's paid rewards first, at the amount the decision gives them now
  // (which a cap may have cut when they were granted): a decision that paid a reward of theirs
  // may not give the same answer again with it paid. Not reused then.
  const bool paid_leaves_caps = program_->caps.empty() || !state.paid_by_last;
  if (unread_change && reuse_decisions_ && paid_leaves_caps && now.utc_seconds < state.reuse_until && same_counters()) {
    const Customer& k = world_.customers()[referrer];
    std::size_t places = 1 + k.referrals.size();
    if (k.community != kNone) places += world_.communities()[k.community].members.size();
    if (k.organisation != kNone) places += world_.organisations()[k.organisation].members.size();
    const std::size_t bound = state.size_bound + (k.shares_json.size() - state.shares_bytes) + places;
    if (bound + 64 <= kMaxFactsBytes) {
      state.size_bound = bound;
      state.shares_bytes = k.shares_json.size();
      // The decision stands for the facts as they are now: what a later look compares with
      // (the referrals-only reuse below) is what they are now.
      state.roots_seen = roots(referrer);
      note_versions(state, referrer);
      ++reused_;
      return;
    }
  }
  // After an event (a look at a moment due schedules the next one, so it is always decided in
  // full), only referrals changed (a referral bound, a friend's order placed), and the policy reads
  // them only through their verdicts and the qualified ones: when no referral that changed is
  // qualified (or void, which may still cancel rewards), now or at the last decision, that
  // decision stands but for those verdicts, which are worked out alone (EvalOptions::
  // verdicts_only; Program::referrals_read_outside_verdicts). The counters and `now` are
  // checked as above.
  const std::int64_t reuse_until = state.reuse_until;
  const bool referrals_only = after_event && !unread_change && reuse_decisions_ && paid_leaves_caps && program_->verdict_memo.keepable &&
                              !program_->referrals_read_outside_verdicts && now.utc_seconds < reuse_until &&
                              state.roots_seen == roots(referrer) && same_counters();
  state.reuse_until = INT64_MIN;  // until this evaluation succeeds
  errors_.clear();
  EvalError error;
  // Everything paid or pending, but this referrer's pending rewards (its decision charges those).
  Decimal spent;
  add(others, state.paid, spent);
  const Decimal paid_seen = state.paid;
  bool ok = builder_.build(referrer, now, to_string(spent), rank, facts_, errors_);
  EvalOptions options;
  options.write_outputs = false;  // the replay reads the rewards and verdicts only
  if (reuse_decisions_) options.counter_checks = &state.counters;
  found_.clear();
  if (program_->budget_total != kNoNode) {
    paid_lookup_.runner = this;
    paid_lookup_.owner = referrer;
    shift_ = 0;
    options.paid = &paid_lookup_;
  }
  if (keep_verdicts_) {
    ReferralMemo& memo = state.memo;
    const std::vector<Index>& mine = world_.customers()[referrer].referrals;
    memo.item_tokens.resize(mine.size());
    for (std::size_t i = 0; i < mine.size(); ++i) {
      const Referral& r = world_.referrals()[mine[i]];
      memo.item_tokens[i] = std::uint64_t{mine[i]} << 32 | (referee_by_fields_ ? r.fields_version : r.version);
    }
    const Customer& k = world_.customers()[referrer];
    memo.roots_token = referrer_by_record_ ? k.record_version : k.version;
    options.memo = &memo;
  }
  if (ok && referrals_only && builder_.whole_size() != 0) {
    EvalOptions verdicts = options;
    verdicts.verdicts_only = true;
    verdicts.counter_checks = nullptr;  // the last decision's stand
    verdicts.paid = nullptr;
    EvalError ignored;  // a failure is the full evaluation's to report
    if (refpol::evaluate(*program_, facts_, verdicts, scratch_, decision_, ignored) &&
        verdicts_leave_decision(state, referrer)) {
      store_verdicts(state, referrer, now);
      state.reuse_until = reuse_until;
      state.size_bound = builder_.whole_size();
      state.shares_bytes = world_.customers()[referrer].shares_json.size();
      ++reused_;
      return;
    }
  }
  if (ok) ok = refpol::evaluate(*program_, facts_, options, scratch_, decision_, error);
  if (!ok) {
    ++failed_;
    if (failures_.size() < kKeptProblems) {
      std::string what = !errors_.empty()
                             ? fmt::format("the facts of referrer `{}` do not fit the policy: {}: {}",
                                           world_.customers()[referrer].id, errors_.front().path, errors_.front().message)
                             : fmt::format("evaluating referrer `{}` failed: {}", world_.customers()[referrer].id,
                                           error.message);
      failures_.push_back(Problem{0, std::move(what)});
    }
    return;
  }
  state.eligible = decision_.referrer_eligible;
  store_verdicts(state, referrer, now);
  state.roots_seen = roots(referrer);
  note_versions(state, referrer);
  // Only the next moment this referrer's answer can change by itself is scheduled: the
  // evaluation then schedules the one after.
  std::optional<DateTime> next;
  auto consider = [&](const DateTime& t) {
    if (t > now && (!next || t < *next)) next = t;
  };
  listing_.clear();
  shift_ = 0;
  // A paid reward keeps its expiry (record), whatever the decision counts from its own `now`
  // (`expires 30 days after grant` on a reward without a settle date): the moment after the
  // entry's is looked at, not the decision's, so a later decision, reused or not, asks for the
  // same looks. A reward granted at `now` that was never paid (expired when first given:
  // `expires on` a day gone by) takes its grant time from each decision: such a decision is not
  // reused.
  bool moving = false;
  newly_paid_ = false;
  for (const Reward& r : decision_.rewards) {
    const std::uint32_t entry = record(decision_, r, static_cast<std::uint32_t>(listing_.size()), referrer);
    listing_.push_back(entry);
    const LedgerEntry& e = ledger_[entry];
    if (r.settles_at) consider(*r.settles_at);
    // (One never paid, and expired already, has nothing left to look at: `expires 0 days after
    // grant` would otherwise ask for a look every second.)
    const bool unpaid_live = !e.paid && (r.status == RewardStatus::granted || r.status == RewardStatus::pending);
    if (const std::optional<DateTime>& expiry = e.paid ? e.expires_at : r.expires_at;
        expiry && (unpaid_live || (e.paid && e.status == RewardStatus::granted))) {
      consider(DateTime{expiry->utc_seconds + 1, expiry->offset_seconds});
    }
    if (r.granted_at && *r.granted_at == now && !r.settles_at && !e.paid) moving = true;
  }
  state.paid_by_last = newly_paid_;
  for (const ReferralVerdict& v : decision_.referrals) {
    if (v.settles_at) consider(*v.settles_at);
  }
  // And when a comparison with `now` turns by itself: eligibility lapsing a year after the last
  // order, say (a recheck_at equal to now says nothing more).
  if (decision_.recheck_at) consider(*decision_.recheck_at);
  // Reused only where the facts were put together from their parts, whose size is known.
  state.reuse_until = builder_.whole_size() == 0 || moving ? INT64_MIN
                      : !decision_.recheck_at              ? INT64_MAX
                                                           : decision_.recheck_at->utc_seconds;
  state.size_bound = builder_.whole_size();
  state.shares_bytes = world_.customers()[referrer].shares_json.size();
  state.others_seen = others;
  state.paid_seen = paid_seen;
  state.rank_seen = rank;
  // This decision's listing replaces its last one in each entry's count of the last decisions
  // that list it.
  for (std::uint32_t i : state.last_listed) --ledger_[i].listers;
  for (std::uint32_t i : listing_) ++ledger_[i].listers;
  // A reward no last decision gives any more. A pending one (its order was refunded before it
  // settled, say) will never be paid: it is withdrawn. Granted ones stay: they were paid (and
  // are reported as no longer given); they still expire at their `expires_at`, as the decision
  // would have said, so their owner is looked at then. An entry of another referrer that this
  // decision gave under the same key is theirs to look at again, unless another last decision
  // still lists it.
  for (std::uint32_t i : state.last_listed) {
    LedgerEntry& e = ledger_[i];
    if (e.owner == referrer || e.listed()) continue;
    if (const std::optional<DateTime> then = unlisted(e, now)) schedule(*then, e.owner);
  }
  state.last_listed.assign(listing_.begin(), listing_.end());
  for (std::uint32_t i : state.owned) {
    LedgerEntry& e = ledger_[i];
    if (e.listed()) continue;
    if (const std::optional<DateTime> then = unlisted(e, now)) consider(*then);
  }
  if (next) schedule(*next, referrer);
  // Rewarded: paid a reward of their own (a pending one may still be withdrawn; one to their
  // friend is not theirs).
  if (state.rewarded_rank == kNone && state.rewarded) {
    state.rewarded_rank = rewarded_count_++;
  }
  state.paid_after = state.paid;
}

// ---------------------------------------------------------------------------------------------
// Simulation

Simulation::Simulation(std::shared_ptr<const Program> policy, std::shared_ptr<const Program> baseline,
                       SimulationOptions options)
    : options_(options), reader_(policy->zone) {
  runners_.push_back(std::make_unique<Runner>(std::move(policy), world_, options.keep_verdicts, options.reuse_decisions));
  if (baseline) {
    runners_.push_back(std::make_unique<Runner>(std::move(baseline), world_, options.keep_verdicts, options.reuse_decisions));
  }
}

bool Simulation::feed(std::string_view text, std::size_t line) {
  if (past_end_) return true;
  if (text.find_first_not_of(" \t\r") == std::string_view::npos) {
    ++blank_;
    return true;
  }
  ++read_;
  std::string problem;
  auto bad = [&](std::string message) { return skip(line, std::move(message)); };
  if (!reader_.read(text, event_, problem)) return bad(std::move(problem));
  if (options_.to && event_.ts > *options_.to) {
    past_end_ = true;
    return true;
  }
  if (last_ts_ && event_.ts < *last_ts_) {
    return bad(fmt::format("out of order: `ts` {} is before {} of the event before it", to_string(event_.ts),
                           to_string(*last_ts_)));
  }
  bool added;
  event_ids_.insert(event_.id, added);
  if (!added) return bad(fmt::format("the event id `{}` was used before", event_.id));
  const bool in_window = !options_.from || event_.ts >= *options_.from;
  World::Named named;
  if (!world_.check(event_, named, problem)) return bad(std::move(problem));
  // The referrers due by now are looked at as the world stood then, before this event.
  if (in_window) {
    for (auto& runner : runners_) runner->advance(event_.ts);
  }
  world_.apply(event_, named, in_window);
  ++applied_;
  ++by_type_[static_cast<std::size_t>(event_.type)];
  last_ts_ = event_.ts;
  if (!first_ts_ && in_window) first_ts_ = event_.ts;
  if (!in_window) return true;
  const std::vector<Index>& touched = world_.touched();
  const std::vector<std::uint8_t>& changed = world_.touched_facts_changed();
  for (auto& runner : runners_) {
    const bool unread = event_.type == EventType::share && runner->shares_unread();
    for (std::size_t i = 0; i < touched.size(); ++i) {
      runner->evaluate(touched[i], event_.ts, unread || changed[i] == 0, /*after_event=*/true);
    }
  }
  return true;
}

bool Simulation::reject(std::size_t line, std::string message) {
  if (past_end_) return true;
  ++read_;
  return skip(line, std::move(message));
}

bool Simulation::skip(std::size_t line, std::string message) {
  ++skipped_;
  last_problem_ = Problem{line, std::move(message)};
  if (problems_.size() < kKeptProblems) problems_.push_back(last_problem_);
  return options_.skip_bad_events;
}

void Simulation::finish(const std::function<void()>& between) {
  if (finished_) return;
  finished_ = true;
  end_ = options_.to ? *options_.to : (last_ts_ ? *last_ts_ : DateTime{});
  // A window that starts after the history's last event (and has no `--to`) holds nothing.
  if (!last_ts_ || !window_ends_after_start()) return;
  for (auto& runner : runners_) runner->advance(end_);
  // Every moment due up to the end has been looked at, and every change of a referrer's facts
  // since their last decision was looked at when it came: their facts are those of their last
  // look, which stands where no comparison with `now` turns by the end and the counters make no
  // difference (Runner::evaluate's `unread_change`).
  for (Index c = 0; c < world_.customers().size(); ++c) {
    if (!world_.is_referrer(c)) continue;
    for (auto& runner : runners_) runner->evaluate(c, end_, /*unread_change=*/true);
    if (between) between();
  }
}

}  // namespace refpol::sim
