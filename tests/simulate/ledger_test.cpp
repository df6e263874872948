// The replay's ledger (docs/simulate.md, "How the replay works"): a reward not yet paid is what
// the latest decision says, and the campaign never pays more than its budget, on hand-made
// histories whose every reward is worked out by hand below. Each runs with and without reused
// decisions.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <regex>
#include <string>
#include <vector>

#include "interpreter/simulate/simulator.hpp"
#include "tests/simulate/replay.hpp"
#include "tests/support/test_support.hpp"

namespace refpol::sim {
namespace {

// A row of rewards.csv: key,recipient_role,recipient_id,rule,tier,kind,amount,unit,value,status,
// reason,first_decided_at,granted_at,settles_at,expires_at,clawback.
struct Row {
  std::string kind, amount, value, status, reason;
};

// The rows of rewards.csv by the recipient's id (each recipient here has one reward).
std::map<std::string, Row> rows_by_recipient(const std::string& csv) {
  std::map<std::string, Row> rows;
  std::size_t start = csv.find('\n') + 1;
  while (start < csv.size()) {
    const std::size_t end = csv.find('\n', start);
    std::vector<std::string> cells;
    std::size_t from = start;
    for (std::size_t comma; (comma = csv.find(',', from)) < end; from = comma + 1) cells.push_back(csv.substr(from, comma - from));
    cells.push_back(csv.substr(from, end - from));
    EXPECT_EQ(cells.size(), 16u) << csv.substr(start, end - start);
    if (cells.size() == 16) rows[cells[2]] = Row{cells[5], cells[6], cells[8], cells[9], cells[10]};
    start = end + 1;
  }
  return rows;
}

// The last cell (clawback) of the rewards.csv row of `key`.
std::string clawback_of(const std::string& csv, const std::string& key) {
  const std::size_t start = csv.find("\n" + key + ",");
  if (start == std::string::npos) return "(no row)";
  const std::size_t end = csv.find('\n', start + 1);
  const std::size_t comma = csv.rfind(',', end);
  return csv.substr(comma + 1, end - comma - 1);
}

std::string summary_field(const std::string& summary, const std::string& pattern) {
  std::smatch m;
  if (!std::regex_search(summary, m, std::regex(pattern))) return "(missing)";
  return m[1].str();
}

using testing_replay::history_lines;

// The replay to the end of 2026-12-31 (Asia/Shanghai), or to `until`, bad events skipped.
testing_replay::Outputs replay(const std::vector<std::string>& lines, const std::string& policy, bool reuse,
                               const std::string& until = "2026-12-31T23:59:59+08:00") {
  return testing_replay::replay_until(lines, policy, reuse, until);
}

testing_replay::Outputs replay(const std::string& history, const std::string& policy, bool reuse,
                               const std::string& until = "2026-12-31T23:59:59+08:00") {
  return replay(history_lines(history), policy, reuse, until);
}

// budget_order.jsonl under a 100 CNY budget of 50 CNY rewards with a fallback gift:
//   12-04 A's friend completes: A's 50 CNY, pending (nothing spent).
//   12-05 B's friend completes: B's 50 CNY, pending (50 spent by A, 50 left).
//   12-06 C's friend completes: 100 spent by others, so C's reward is the gift (budget_fallback).
//   12-07 B's friend's order is refunded: B's pending reward is withdrawn (void), 50 CNY freed.
//   12-08 C shares: C is decided again with 50 spent by others: C's reward, still pending, is
//         the 50 CNY again, with no reason.
//   12-09 D's friend completes: A and C have spent the 100: D's reward is the gift.
//   Each settles 7 days after completion, before the end of the window: all granted.
// A ledger that kept C's reward as first decided would show a gift for C, and D's 50 CNY.
TEST(Ledger, APendingRewardIsWhatTheLatestDecisionSays) {
  for (bool reuse : {true, false}) {
    SCOPED_TRACE(reuse);
    const testing_replay::Outputs out = replay("budget_order.jsonl", "budget_fallback.refpol", reuse);
    std::map<std::string, Row> rows = rows_by_recipient(out.rewards);
    ASSERT_EQ(rows.size(), 4u) << out.rewards;
    EXPECT_EQ(rows["A"].kind + " " + rows["A"].amount + " " + rows["A"].status + " " + rows["A"].reason, "cash 50.00 granted ");
    EXPECT_EQ(rows["B"].kind + " " + rows["B"].amount + " " + rows["B"].status + " " + rows["B"].reason,
              "cash 50.00 void withdrawn");
    EXPECT_EQ(rows["C"].kind + " " + rows["C"].amount + " " + rows["C"].status + " " + rows["C"].reason, "cash 50.00 granted ");
    EXPECT_EQ(rows["D"].kind + " " + rows["D"].amount + " " + rows["D"].value + " " + rows["D"].status + " " + rows["D"].reason,
              "gift   granted budget_fallback");
    EXPECT_EQ(summary_field(out.summary, R"re("used": "([0-9.]+)")re"), "100.00");
    EXPECT_EQ(summary_field(out.summary, R"re("fallback_for_budget": (\d+))re"), "1");
    // The budget first ran out for C on 12-06, though C's reward was the 50 CNY again from 12-08.
    EXPECT_EQ(summary_field(out.summary, R"re("ran_out_on": "([0-9-]+)")re"), "2026-12-06");
  }
}

// budget_paid.jsonl: 60 CNY a referral from a budget of 100 CNY, A the only referrer.
//   12-03 12:00 FA's order completes: 60 CNY, pending; granted (paid) at 12-04 12:00.
//   12-05 FA's order is refunded: RA1 no longer qualifies and its reward is no longer listed,
//         but it was paid: A is decided again with those 60 counted as spent (the one recount;
//         A's later decisions start from that count, and it stays right).
//   12-06 12:00 FA2's order completes: with nothing spent the 60 CNY would fit; with the paid
//         60 counted, 40 are left, so RA2's reward is the gift, pending; granted at 12-07 12:00.
// Without counting the paid reward, A would be paid 120 CNY from the 100.
TEST(Ledger, APaidRewardNoLongerListedStillCountsAgainstTheBudget) {
  for (bool reuse : {true, false}) {
    SCOPED_TRACE(reuse);
    const testing_replay::Outputs out = replay("budget_paid.jsonl", "budget_paid.refpol", reuse);
    const std::string& csv = out.rewards;
    EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 3) << csv;  // the header and two rewards
    EXPECT_NE(csv.find("budget-paid/thanks/referrer:A/RA1,referrer,A,thanks,,cash,60.00,CNY,60.00,granted,,"), std::string::npos)
        << csv;
    EXPECT_NE(csv.find("budget-paid/thanks/referrer:A/RA2,referrer,A,thanks,,gift,,,,granted,budget_fallback,"), std::string::npos)
        << csv;
    EXPECT_EQ(summary_field(out.summary, R"re("used": "([0-9.]+)")re"), "60.00");
    EXPECT_EQ(summary_field(out.summary, R"re("ran_out_on": "([0-9-]+)")re"), "2026-12-06");
    // RA1 was paid (granted 12-04 12:00) before FA's order was refunded: still granted, but the
    // last decision no longer lists it, so it is to be clawed back or reviewed.
    EXPECT_EQ(clawback_of(csv, "budget-paid/thanks/referrer:A/RA1"), "no_longer_given");
    EXPECT_EQ(clawback_of(csv, "budget-paid/thanks/referrer:A/RA2"), "");
    EXPECT_EQ(summary_field(out.summary, R"re("clawback": (\{.*?\}\}),)re"),
              R"({"cancelled": {"count": 0, "value": "0.00"}, "no_longer_given": {"count": 1, "value": "60.00"}})");
  }
}

// budget_first.jsonl: A's friend FA completes an order on 12-03 12:00: RA1's 40 CNY (pending
// until 12-10 12:00) and the 50 CNY bonus, granted (paid) at once: 90 of the 100 CNY.
// On 12-05 12:00 FA2 completes one: the decision lists RA1's 40, RA2's 40, then the bonus. In
// that order the bonus would no longer fit (20 left) and be given as the gift, though it was paid,
// and A would get 130 CNY. The paid bonus is charged first: RA1's 40 fits (10 left), RA2's does
// not and is the gift.
TEST(Ledger, APaidRewardIsChargedBeforeTheOthers) {
  for (bool reuse : {true, false}) {
    SCOPED_TRACE(reuse);
    const testing_replay::Outputs out = replay("budget_first.jsonl", "budget_first.refpol", reuse);
    const std::string& csv = out.rewards;
    EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 4) << csv;  // the header and three rewards
    EXPECT_NE(csv.find("budget-first/thanks/referrer:A/RA1,referrer,A,thanks,,cash,40.00,CNY,40.00,granted,,"), std::string::npos)
        << csv;
    EXPECT_NE(csv.find("budget-first/thanks/referrer:A/RA2,referrer,A,thanks,,gift,,,,granted,budget_fallback,"), std::string::npos)
        << csv;
    EXPECT_NE(csv.find("budget-first/bonus/referrer:A/once,referrer,A,bonus,,cash,50.00,CNY,50.00,granted,,"), std::string::npos)
        << csv;
    EXPECT_EQ(summary_field(out.summary, R"re("used": "([0-9.]+)")re"), "90.00");
  }
}

// budget_void.jsonl: 60 CNY a referral from 100 CNY, no fallback; A refers FA and FA2, B refers FB.
//   12-01 12:00 FA's order completes: RA1's 60, pending; granted (paid) at 12-02 12:00.
//   12-03 12:00 FA2's order completes: the paid 60 is charged first, 40 are left: RA2's 60 is
//         withheld (budget).
//   12-04 14:00 FA's order is flagged for review: RA1 is void, and so is its paid reward, which
//         no longer counts: RA2's 60 fits, and has settled (12-04 12:00): granted.
//   12-05 A shares (a decision that may be reused: it must be the one of 12-04 14:00).
//   12-06 12:00 FB's order completes: A's 60 are spent, 40 are left: RB's 60 is withheld.
// Counting RA1 as paid in the decision that voids it would withhold RA2 and, with reused
// decisions, keep it so past A's share.
TEST(Ledger, APaidRewardTheDecisionCancelsNoLongerCounts) {
  for (bool reuse : {true, false}) {
    SCOPED_TRACE(reuse);
    const testing_replay::Outputs out = replay("budget_void.jsonl", "budget_void.refpol", reuse);
    const std::string& csv = out.rewards;
    EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 4) << csv;  // the header and three rewards
    EXPECT_NE(csv.find("budget-void/thanks/referrer:A/RA1,referrer,A,thanks,,cash,60.00,CNY,60.00,void,manual_review,"),
              std::string::npos)
        << csv;
    EXPECT_NE(csv.find("budget-void/thanks/referrer:A/RA2,referrer,A,thanks,,cash,60.00,CNY,60.00,granted,,"), std::string::npos)
        << csv;
    EXPECT_NE(csv.find("budget-void/thanks/referrer:B/RB,referrer,B,thanks,,cash,60.00,CNY,60.00,withheld,budget,"),
              std::string::npos)
        << csv;
    EXPECT_EQ(summary_field(out.summary, R"re("used": "([0-9.]+)")re"), "60.00");
    // RA1 was paid, then voided by the review: cancelled after payment, 60 CNY to claw back.
    EXPECT_EQ(clawback_of(csv, "budget-void/thanks/referrer:A/RA1"), "cancelled");
    EXPECT_EQ(clawback_of(csv, "budget-void/thanks/referrer:A/RA2"), "");
    EXPECT_EQ(clawback_of(csv, "budget-void/thanks/referrer:B/RB"), "");
    EXPECT_EQ(summary_field(out.summary, R"re("clawback": (\{.*?\}\}),)re"),
              R"({"cancelled": {"count": 1, "value": "60.00"}, "no_longer_given": {"count": 0, "value": "0.00"}})");
  }
}

// A bad event is skipped whole: its `ts` moves no time on. Here one dated 12-20 comes between
// FA's completed order (12-03 12:00; RA1 settles 12-04 12:00) and its refund at 12-04 10:00.
// The referrers due are looked at only when the refund's own `ts` comes, before it is applied
// and after the order was refunded: RA1 never settles, and its pending reward is withdrawn.
// Looking at them up to 12-20 for the bad event would pay it on 12-04 12:00, as if the refund
// had not come.
// paid_expiry.jsonl: three referrers' friends complete an order on 12-01 12:00; each referrer's
// 60 CNY coupon is granted on 12-02 12:00 (a day later) and expires on 12-03 12:00 (a day after
// that).
//   RC's order is refunded on 12-02 18:00: the coupon was paid, its decision no longer lists it,
//   and it still expires on 12-03 12:00.
//   RA's order is flagged by review on 12-04 10:00, after its coupon expired: void, but it keeps
//   the dates it was paid with, and there is nothing to claw back.
//   RB's order is refunded on 12-04 11:00, after its coupon expired: it stays expired.
TEST(Ledger, APaidRewardStillExpiresAndAnExpiredOneIsNotClawedBack) {
  for (bool reuse : {true, false}) {
    SCOPED_TRACE(reuse);
    const testing_replay::Outputs out = replay("paid_expiry.jsonl", "paid_expiry.refpol", reuse);
    const std::string& csv = out.rewards;
    EXPECT_NE(csv.find("paid-expiry/thanks/referrer:A/RA,referrer,A,thanks,,coupon,60.00,CNY,60.00,void,manual_review,"
                       "2026-12-01T12:00:00+08:00,2026-12-02T12:00:00+08:00,2026-12-02T12:00:00+08:00,"
                       "2026-12-03T12:00:00+08:00,\n"),
              std::string::npos)
        << csv;
    EXPECT_NE(csv.find("paid-expiry/thanks/referrer:B/RB,referrer,B,thanks,,coupon,60.00,CNY,60.00,expired,,"), std::string::npos)
        << csv;
    EXPECT_NE(csv.find("paid-expiry/thanks/referrer:C/RC,referrer,C,thanks,,coupon,60.00,CNY,60.00,expired,,"), std::string::npos)
        << csv;
    for (const char* key : {"paid-expiry/thanks/referrer:A/RA", "paid-expiry/thanks/referrer:B/RB", "paid-expiry/thanks/referrer:C/RC"}) {
      EXPECT_EQ(clawback_of(csv, key), "") << key;
    }
    EXPECT_EQ(summary_field(out.summary, R"re("clawback": (\{.*?\}\}),)re"),
              R"({"cancelled": {"count": 0, "value": "0.00"}, "no_longer_given": {"count": 0, "value": "0.00"}})");
    EXPECT_EQ(summary_field(out.summary, R"re("used": "([0-9.]+)")re"), "0.00");
  }
}

// paid_lapse.jsonl under a 100 CNY budget of 60 CNY coupons valid for a day after grant:
//   RA1 completes 12-01 12:00 and is paid 12-02 12:00 (60 spent); its order is refunded 12-02
//   18:00, so A's decisions no longer list it, but its 60 stay spent until it expires, 12-03 12:00.
//   RA2 completes 12-02 19:00: 40 left, so withheld for the budget.
//   12-03 12:00: A shares (nothing the policy reads) and RA1 expires: its 60 are free, so A is
//   decided again (not reused) and RA2 fits (pending). Then, in the same second, B's friend
//   completes: A's 60 pending leave 40, so RB is withheld. The replay stops at 12-03 13:00.
TEST(Ledger, AnUnlistedPaidRewardThatExpiresFreesItsMoneyAtOnce) {
  for (bool reuse : {true, false}) {
    SCOPED_TRACE(reuse);
    const testing_replay::Outputs out = replay("paid_lapse.jsonl", "paid_lapse.refpol", reuse, "2026-12-03T13:00:00+08:00");
    const std::string& csv = out.rewards;
    EXPECT_NE(csv.find("paid-lapse/thanks/referrer:A/RA1,referrer,A,thanks,,coupon,60.00,CNY,60.00,expired,,"), std::string::npos)
        << csv;
    EXPECT_NE(csv.find("paid-lapse/thanks/referrer:A/RA2,referrer,A,thanks,,coupon,60.00,CNY,60.00,pending,,"), std::string::npos)
        << csv;
    EXPECT_NE(csv.find("paid-lapse/thanks/referrer:B/RB,referrer,B,thanks,,coupon,60.00,CNY,60.00,withheld,budget,"),
              std::string::npos)
        << csv;
  }
}

// paid_regrant.jsonl: RA1's 60 CNY is paid 12-02 12:00; its friend's record says "blocked" on
// 12-03 (void: cancelled after payment), then "new" again on 12-04 (granted again). At the end
// it is a granted reward like any other: nothing to claw back, 60 CNY used.
TEST(Ledger, ARewardGrantedAgainIsNoLongerCancelled) {
  for (bool reuse : {true, false}) {
    SCOPED_TRACE(reuse);
    const testing_replay::Outputs out = replay("paid_regrant.jsonl", "paid_regrant.refpol", reuse);
    EXPECT_NE(out.rewards.find("paid-regrant/thanks/referrer:A/RA1,referrer,A,thanks,,cash,60.00,CNY,60.00,granted,,"),
              std::string::npos)
        << out.rewards;
    EXPECT_EQ(clawback_of(out.rewards, "paid-regrant/thanks/referrer:A/RA1"), "");
    EXPECT_EQ(summary_field(out.summary, R"re("clawback": (\{.*?\}\}),)re"),
              R"({"cancelled": {"count": 0, "value": "0.00"}, "no_longer_given": {"count": 0, "value": "0.00"}})");
    EXPECT_EQ(summary_field(out.summary, R"re("used": "([0-9.]+)")re"), "60.00");
    // Stopped on 12-03 13:00, it is cancelled.
    const testing_replay::Outputs then = replay("paid_regrant.jsonl", "paid_regrant.refpol", reuse, "2026-12-03T13:00:00+08:00");
    EXPECT_EQ(clawback_of(then.rewards, "paid-regrant/thanks/referrer:A/RA1"), "cancelled");
  }
}

TEST(Ledger, ASkippedEventMovesNoTimeOn) {
  std::vector<std::string> lines = history_lines("budget_paid.jsonl");
  lines.resize(7);  // the three customers, the two referrals, FA's order placed and completed
  lines.push_back(R"({"id":"E8","ts":"2026-12-20T10:00:00+08:00","type":"order_completed","order":"NO-SUCH-ORDER"})");
  lines.push_back(R"({"id":"E9","ts":"2026-12-04T10:00:00+08:00","type":"order_refunded","order":"O1"})");
  for (bool reuse : {true, false}) {
    SCOPED_TRACE(reuse);
    const testing_replay::Outputs out = replay(lines, "budget_paid.refpol", reuse);
    EXPECT_EQ(summary_field(out.summary, R"re("skipped": (\d+))re"), "1");
    EXPECT_NE(out.rewards.find("budget-paid/thanks/referrer:A/RA1,referrer,A,thanks,,cash,60.00,CNY,60.00,void,withdrawn,"),
              std::string::npos)
        << out.rewards;
    EXPECT_EQ(summary_field(out.summary, R"re("used": "([0-9.]+)")re"), "0.00");
  }
}

// budget_shared.jsonl: O1's community G1 and O2's G2; M joins G1 on 12-02 (30 CNY, paid at once,
// the entry O1's), then G2 on 12-03, and N joins G2 on 12-04. O2's decisions list M's reward under
// the same key: it is O1's, paid by O1's decision and counted in what others spent, so O2's
// decision charges it as any reward (70 left: M's 30 and N's 30 fit) and counts nothing as paid
// and unlisted. The ledger pays M once: 60 CNY in all, and no decision is made again.
TEST(Ledger, AnotherReferrersPaidRewardIsTheirsToCount) {
  for (bool reuse : {true, false}) {
    SCOPED_TRACE(reuse);
    const testing_replay::Outputs out = replay("budget_shared.jsonl", "budget_shared.refpol", reuse);
    std::map<std::string, Row> rows = rows_by_recipient(out.rewards);
    ASSERT_EQ(rows.size(), 2u) << out.rewards;
    EXPECT_EQ(rows["M"].amount + " " + rows["M"].status, "30.00 granted");
    EXPECT_EQ(rows["N"].amount + " " + rows["N"].status, "30.00 granted");
    EXPECT_EQ(summary_field(out.summary, R"re("used": "([0-9.]+)")re"), "60.00");
  }
}

// shared_expiry.jsonl: P and Q own a community each; M joins both, so the reward to M is one key,
// P's entry. The budget is 30 CNY.
//   12-02 10:00 Q's friend F completes: Q's 30 CNY, pending until 12-09 (30 spent).
//   12-02 11:00 M joins P's community: P's coupon to M is withheld (budget).
//   12-02 13:00 P completes two orders (5): no longer eligible, P's decision lists nothing.
//   12-03 10:00 F's order is refunded: Q's pending reward is withdrawn (void), 30 CNY freed.
//   12-03 12:00 M joins Q's community: Q's decision grants the coupon under P's key, valid for a
//               day (to 12-04 12:00).
//   12-03 14:00 Q completes two orders: no longer eligible, Q's decision lists nothing.
//   12-05 10:00 P shares and is looked at: the coupon, granted, listed by neither, is past its
//               expiry: expired, and no longer charged.
// P must look again at an entry of theirs that another referrer's decision changed: a ledger that
// looked only at the entries its owner's decisions listed would leave the coupon granted and
// 30 CNY spent.
TEST(Ledger, AnEntryAnotherReferrerGrantedStillExpiresForItsOwner) {
  for (bool reuse : {true, false}) {
    SCOPED_TRACE(reuse);
    const testing_replay::Outputs out = replay("shared_expiry.jsonl", "shared_expiry.refpol", reuse);
    std::map<std::string, Row> rows = rows_by_recipient(out.rewards);
    ASSERT_EQ(rows.size(), 2u) << out.rewards;
    EXPECT_EQ(rows["Q"].status + " " + rows["Q"].reason, "void withdrawn");
    EXPECT_EQ(rows["M"].kind + " " + rows["M"].amount + " " + rows["M"].status, "coupon 30.00 expired");
    EXPECT_NE(out.rewards.find(",2026-12-02T11:00:00+08:00,2026-12-03T12:00:00+08:00,,2026-12-04T12:00:00+08:00,"),
              std::string::npos)
        << out.rewards;
    EXPECT_EQ(summary_field(out.summary, R"re("used": "([0-9.]+)")re"), "0.00");
  }
}

// shared_listing.jsonl: P and Q own a community each; M joins both, so the coupon to M is one
// key, P's entry (granted when M joins P's community on 12-02).
//   12-03 13:00 P completes two orders (5): no longer eligible, P's decision lists nothing. Q's
//               still gives M's coupon: it is not a reward to claw back.
//   12-10 13:00 Q completes two orders: no decision lists it any more: no longer given.
// A ledger that asked only the owner's last decision would call it no longer given from 12-03.
TEST(Ledger, ASharedKeyIsListedWhileAnyReferrersLastDecisionGivesIt) {
  for (bool reuse : {true, false}) {
    SCOPED_TRACE(reuse);
    const std::string key = "shared-listing/welcome/m:M/M";
    testing_replay::Outputs out = replay("shared_listing.jsonl", "shared_listing.refpol", reuse, "2026-12-05T00:00:00+08:00");
    EXPECT_EQ(clawback_of(out.rewards, key), "");
    EXPECT_EQ(rows_by_recipient(out.rewards)["M"].status, "granted");
    EXPECT_EQ(summary_field(out.summary, R"re("no_longer_given": \{"count": ([0-9]+))re"), "0");
    out = replay("shared_listing.jsonl", "shared_listing.refpol", reuse);
    EXPECT_EQ(clawback_of(out.rewards, key), "no_longer_given");
    EXPECT_EQ(summary_field(out.summary, R"re("no_longer_given": \{"count": 1, "value": "([0-9.]+)")re"), "30.00");
  }
}

// listed_expiry.jsonl: P owns a community, under a 30 CNY budget of one-day coupons to members.
//   12-02 11:00 M joins: M's coupon, granted, expires 12-03 11:00 (30 spent).
//   12-03 11:00:01 P is looked at: P's decision still gives M's coupon, counting its day from its
//               own `now`, but the coupon given on 12-02 has expired: no longer spent.
//   12-05 10:00 N joins: M's coupon is not charged again, so N's fits: granted (30 spent).
// A ledger that took the decision's word would keep M's coupon granted for ever, and withhold
// N's for the budget.
TEST(Ledger, AListedPaidRewardStillExpiresWhenItWasGivenTo) {
  for (bool reuse : {true, false}) {
    SCOPED_TRACE(reuse);
    testing_replay::Outputs out = replay("listed_expiry.jsonl", "listed_expiry.refpol", reuse, "2026-12-04T00:00:00+08:00");
    std::map<std::string, Row> rows = rows_by_recipient(out.rewards);
    EXPECT_EQ(rows["M"].status, "expired");
    EXPECT_NE(out.rewards.find(",2026-12-02T11:00:00+08:00,,2026-12-03T11:00:00+08:00,"), std::string::npos) << out.rewards;
    EXPECT_EQ(summary_field(out.summary, R"re("used": "([0-9.]+)")re"), "0.00");
    out = replay("listed_expiry.jsonl", "listed_expiry.refpol", reuse, "2026-12-05T12:00:00+08:00");
    rows = rows_by_recipient(out.rewards);
    ASSERT_EQ(rows.size(), 2u) << out.rewards;
    EXPECT_EQ(rows["M"].status, "expired");
    EXPECT_EQ(rows["N"].status + " " + rows["N"].reason, "granted ");
    EXPECT_EQ(summary_field(out.summary, R"re("used": "([0-9.]+)")re"), "30.00");
  }
}

// expiry_before_decision.jsonl, under listed_expiry.refpol (one-day coupons to members, a 30 CNY
// budget): Q and P own a community each, Q created first.
//   12-02 11:00 M joins P's: P's coupon to M, granted, expires 12-03 11:00 (30 spent).
//   12-02 12:00 N joins Q's: the budget is spent, N's coupon is withheld.
//   12-02 13:00 M joins Q's: Q's decisions list M's coupon too (P's entry).
//   12-03 11:00:01 both are due; whoever is looked at first, M's coupon has expired before
//               anything is counted, so Q's decision fits N's coupon: granted then, expiring
//               12-04 11:00:01.
// A ledger that expired an entry only before its owner's decision would give Q (looked at first,
// being the first customer) a budget still spent, and N nothing until the end.
TEST(Ledger, APaidRewardHasExpiredBeforeAnyDecisionCountsIt) {
  for (bool reuse : {true, false}) {
    SCOPED_TRACE(reuse);
    testing_replay::Outputs out =
        replay("expiry_before_decision.jsonl", "listed_expiry.refpol", reuse, "2026-12-03T12:00:00+08:00");
    std::map<std::string, Row> rows = rows_by_recipient(out.rewards);
    EXPECT_EQ(rows["M"].status, "expired");
    EXPECT_EQ(rows["N"].status, "granted");
    EXPECT_NE(out.rewards.find("m:N/N,m,N,welcome,,coupon,30.00,CNY,30.00,granted,,2026-12-02T12:00:00+08:00,"
                               "2026-12-03T11:00:01+08:00,,2026-12-04T11:00:01+08:00,"),
              std::string::npos)
        << out.rewards;
  }
}

// var_expiry.jsonl: C1's friend completes on 12-02 10:00; the coupon settles and is granted on
// 12-03 10:00, valid 30 days (to 2027-01-02 10:00). C1 shares on 12-06: later decisions count 2
// days instead, which would have ended on 12-05. The coupon was given with 30 days: it stays
// granted, with its expiry.
TEST(Ledger, APaidRewardKeepsTheExpiryItWasGivenWith) {
  for (bool reuse : {true, false}) {
    SCOPED_TRACE(reuse);
    const testing_replay::Outputs out = replay("var_expiry.jsonl", "var_expiry.refpol", reuse);
    EXPECT_NE(out.rewards.find(",granted,,2026-12-02T10:00:00+08:00,2026-12-03T10:00:00+08:00,2026-12-03T10:00:00+08:00,"
                               "2027-01-02T10:00:00+08:00,"),
              std::string::npos)
        << out.rewards;
  }
}

// var_budget.jsonl, under var_expiry.refpol (a 10 CNY budget): C1's first friend completes on 12-02,
// the coupon is granted on 12-03 10:00 with 30 days (to 2027-01-02); the second completes on 12-04
// and settles on 12-05, when the budget is spent: withheld. C1 shares on 12-06: a decision now
// works out the first coupon's expiry as 12-05, past, but the coupon was given with 30 days: it
// stays granted and its money spent, so the second stays withheld (10 CNY used, not 20).
TEST(Ledger, AnEarlierExpiryWorkedOutLaterGivesNoMoneyBack) {
  for (bool reuse : {true, false}) {
    SCOPED_TRACE(reuse);
    const testing_replay::Outputs out = replay("var_budget.jsonl", "var_expiry.refpol", reuse, "2026-12-07T00:00:00+08:00");
    EXPECT_NE(out.rewards.find("/R1,referrer,C1,thanks,,coupon,10.00,CNY,10.00,granted,,"), std::string::npos) << out.rewards;
    EXPECT_NE(out.rewards.find("/R2,referrer,C1,thanks,,coupon,10.00,CNY,10.00,withheld,budget,"), std::string::npos) << out.rewards;
    EXPECT_EQ(summary_field(out.summary, R"re("used": "([0-9.]+)")re"), "10.00");
  }
}

// void_then_expired.jsonl, under void_regrant.refpol: the coupon is granted on 12-02 12:00 (valid
// to 12-03 12:00), cancelled at 18:00 (the friend is blocked: void, paid, to claw back), and the
// friend is unblocked on 12-04, past the coupon's expiry: the reward is given again, expired. It
// is no longer a cancelled one.
TEST(Ledger, ACancelledRewardGivenAgainPastItsExpiryIsExpired) {
  for (bool reuse : {true, false}) {
    SCOPED_TRACE(reuse);
    testing_replay::Outputs out = replay("void_then_expired.jsonl", "void_regrant.refpol", reuse, "2026-12-03T00:00:00+08:00");
    EXPECT_EQ(clawback_of(out.rewards, "void-regrant/thanks/referrer:C1/R1"), "cancelled");
    out = replay("void_then_expired.jsonl", "void_regrant.refpol", reuse, "2026-12-10T00:00:00+08:00");
    EXPECT_EQ(rows_by_recipient(out.rewards)["C1"].status, "expired");
    EXPECT_EQ(clawback_of(out.rewards, "void-regrant/thanks/referrer:C1/R1"), "");
    EXPECT_EQ(summary_field(out.summary, R"re("cancelled": \{"count": ([0-9]+))re"), "0");
  }
}

// zero_expiry.jsonl: C1's friend completes on 12-02 10:00; the welcome coupon is valid 0 days,
// expired as soon as it is given. Nothing is left to look at: the replay does not look at C1
// again each second (it did: 3,604 looks by 11:00).
TEST(Ledger, ARewardExpiredWhenGivenAsksForNoMoreLooks) {
  for (bool reuse : {true, false}) {
    SCOPED_TRACE(reuse);
    const testing_replay::Outputs out = replay("zero_expiry.jsonl", "zero_expiry.refpol", reuse, "2026-12-02T11:00:00+08:00");
    EXPECT_EQ(summary_field(out.summary, R"re("evaluations": ([0-9]+))re"), "4");
    EXPECT_EQ(rows_by_recipient(out.rewards)["C1"].status, "expired");
  }
}

// regrant.jsonl: C1 refers F1 and F2. F1's order completes on 12-01 12:00: the 60 CNY coupon is
// paid on 12-02 12:00. F1 is blocked on 12-03 10:00: cancelled, its money given back. F2's coupon
// is paid on 12-04 12:00 (60 spent). F1 is unblocked on 12-05 10:00: the decision gives R1 again,
// as a new grant; under regrant_fallback.refpol (100 CNY budget) 40 are left, so it is the free
// fallback gift, and the ledger holds what the decision charged: 60 CNY used, not 120. Under
// regrant_cap.refpol (10 points a referral, capped at 15), R2's 10 points paid come first and R1
// gets 5: 15 points, not 20.
TEST(Ledger, ACancelledRewardGivenAgainIsANewGrantOnTheDecisionsTerms) {
  for (bool reuse : {true, false}) {
    SCOPED_TRACE(reuse);
    const std::string r1 = "regrant-fallback/thanks/referrer:C1/R1";
    testing_replay::Outputs out = replay("regrant.jsonl", "regrant_fallback.refpol", reuse, "2026-12-04T23:59:59+08:00");
    EXPECT_EQ(clawback_of(out.rewards, r1), "cancelled");
    EXPECT_EQ(summary_field(out.summary, R"re("used": "([0-9.]+)")re"), "60.00");
    out = replay("regrant.jsonl", "regrant_fallback.refpol", reuse, "2026-12-05T23:59:59+08:00");
    EXPECT_NE(out.rewards.find(r1 + ",referrer,C1,thanks,,gift,,,,granted,budget_fallback,"), std::string::npos) << out.rewards;
    EXPECT_EQ(clawback_of(out.rewards, r1), "");
    EXPECT_EQ(summary_field(out.summary, R"re("used": "([0-9.]+)")re"), "60.00");
    out = replay("regrant.jsonl", "regrant_cap.refpol", reuse, "2026-12-06T23:59:59+08:00");
    EXPECT_NE(out.rewards.find("/R1,referrer,C1,per_referral,,points,5,points,0.50,granted,"), std::string::npos) << out.rewards;
    EXPECT_NE(out.rewards.find("/R2,referrer,C1,per_referral,,points,10,points,1.00,granted,"), std::string::npos) << out.rewards;
  }
}

// lapsed_void.jsonl, under lapsed_regrant.refpol: C1's coupon is paid on 12-02 12:00, valid a day;
// it expires on 12-03 12:00. F1 is blocked on 12-04 (void) and unblocked on 12-05, after C1 has
// shared (a decision now counts the coupon valid for ever). It lapsed before it was cancelled:
// expired, not paid a second time.
TEST(Ledger, ARewardThatLapsedBeforeItWasCancelledIsNotPaidAgain) {
  for (bool reuse : {true, false}) {
    SCOPED_TRACE(reuse);
    const testing_replay::Outputs out = replay("lapsed_void.jsonl", "lapsed_regrant.refpol", reuse, "2026-12-06T23:59:59+08:00");
    EXPECT_NE(out.rewards.find(",coupon,60.00,CNY,60.00,expired,,2026-12-01T12:00:00+08:00,2026-12-02T12:00:00+08:00,"
                               "2026-12-02T12:00:00+08:00,2026-12-03T12:00:00+08:00,"),
              std::string::npos)
        << out.rewards;
    EXPECT_EQ(summary_field(out.summary, R"re("used": "([0-9.]+)")re"), "0.00");
  }
}

}  // namespace
}  // namespace refpol::sim
