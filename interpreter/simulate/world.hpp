// The world a simulation replays: customers, referrals, orders, communities, organisations and
// shares, built from the event log of docs/simulate.md, and each referrer's facts document as a
// production service would send it. Nothing here knows a policy.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "interpreter/eval/decimal.hpp"
#include "interpreter/eval/time.hpp"
#include "interpreter/simulate/event_reader.hpp"
#include "interpreter/simulate/id_table.hpp"
#include "interpreter/simulate/stable_vector.hpp"

namespace refpol::sim {

using Index = std::uint32_t;
inline constexpr Index kNone = IdTable::kMissing;

struct Order {
  std::string id;
  Index customer = kNone;
  std::string amount_json;  // as the event wrote it, re-emitted as is
  Decimal amount;
  DateTime placed_at;
  std::optional<DateTime> completed_at, flagged_at;
  std::string review_flag;
  bool refunded = false, returned = false, exchanged = false;
  std::uint32_t version = 0;  // moves on each time the order's `{...}` in the facts changes
  bool counts() const { return completed_at && !refunded && !returned; }
};

struct Customer {
  std::string id;
  bool is_new = false;
  bool created_in_window = false;
  // The fields of the record as the event gave them, each as `"key":value,` (but the order
  // summary and share count, which move on: customer_json writes those).
  std::string record_json;
  // The record's own order summary, moved on by completed (and refunded) orders.
  std::int64_t base_orders = 0, extra_orders = 0, base_shares = 0, shares_since_record = 0;
  std::int64_t completed_in_log = 0;  // completed, kept orders seen in the log (community members)
  Decimal base_spend, extra_spend;
  std::optional<DateTime> last_order_at;
  std::vector<Index> orders;          // placed, in time order
  std::vector<Index> referrals;       // as the referrer
  std::vector<Index> referred_in;     // as the referee
  std::vector<std::pair<std::string, DateTime>> share_events;  // id and time
  std::vector<std::string> share_platforms;
  std::string shares_json;  // the elements of `share_events` in the facts, as shares come
  Index community = kNone, organisation = kNone;          // owned / organised
  std::vector<Index> member_of_communities, member_of_organisations;
  // Moves on each time the customer's `{...}` in the facts (customer_json()) may change. The
  // text is not kept: it is mostly the record, copied as fast as a kept copy would be, which
  // would take as much memory again.
  std::uint32_t version = 0;
  std::uint32_t record_version = 0;  // moves on each time `record_json` changes
};

// A customer's counters as they stand (the record's own, moved on by orders and shares).
struct CustomerCounters {
  std::int64_t orders = 0, shares = 0;
  Decimal spend;
  std::optional<DateTime> last_order_at;
};

struct Referral {
  std::string id;
  Index referrer = kNone, referee = kNone;
  DateTime bound_at;
  std::string channel;
  bool in_window = false;
  std::string json;  // cached `{...}` of the referral with its referee and orders, empty when stale
  std::uint32_t version = 0;  // moves on each time `json` goes stale
  // Moves on with `version`, except when only the referee's counters moved (a share): a verdict
  // that reads none of them may be kept by this one.
  std::uint32_t fields_version = 0;
};

struct Community {
  std::string id;
  Index owner = kNone;
  struct Member {
    Index customer;
    DateTime joined_at;
    bool is_new;
  };
  std::vector<Member> members;
  // Kept, as the owner is looked at again for each change of any member: the `members` array's
  // elements, empty when stale.
  std::string members_json;
  std::uint32_t version = 0;  // moves on each time `members_json` goes stale
};

struct Organisation {
  std::string id, name;
  Index organiser = kNone;
  std::vector<Index> members;
  std::string members_json;  // as Community::members_json
  std::uint32_t version = 0;  // as Community::version
};

// Which parts World::facts_json writes in full.
struct FactsParts {
  bool referrer = true, referrals = true, community = true, organisation = true, shares = true;
};

class World {
 public:
  // What an event names that check() looked up: a customer, and the referee, order, community
  // or organisation.
  struct Named {
    Index c = kNone, other = kNone;
  };
  // Whether the event can be applied: false with a message when it refers to something unknown,
  // repeats an id or completes an order again.
  bool check(const Event& e, Named& named, std::string& problem) const;
  // Applies an event check() passed, with what it found. `in_window` marks what the metrics count.
  void apply(const Event& e, const Named& named, bool in_window);
  // Both: false with a message, and nothing changed, when check() fails.
  bool apply(const Event& e, bool in_window, std::string& problem);
  // The referrers whose facts the last applied event changed (docs/simulate.md, "How the replay
  // works"), without repeats.
  const std::vector<Index>& touched() const { return touched_; }
  // By place in touched(): 0 where nothing of that referrer's facts changed, only the time moved
  // on (a customer placing an order: their own record's counters move when it completes).
  const std::vector<std::uint8_t>& touched_facts_changed() const { return touched_changed_; }

  // The facts document of `referrer` as JSON text, with `now` and the campaign counters given.
  // A reader that keeps parts parsed and puts them in itself has them left out: the `referrals`
  // and `share_events` arrays written empty, `referrer`, `community` and `organisation` written
  // null. Each part's text is then customer_json(), referral_json(), community_json(),
  // organisation_json() and Customer::shares_json.
  void facts_json(Index referrer, const DateTime& now, std::string_view budget_spent,
                  std::uint64_t rewarded_referrers, std::string& out, FactsParts parts = FactsParts{});
  // The value of `community` (of `organisation`) in `referrer`'s facts, appended to `out`:
  // an object, or null.
  void community_json(Index referrer, std::string& out);
  void organisation_json(Index referrer, std::string& out);
  // Tokens that change whenever community_json() (organisation_json()) of `referrer` may;
  // kNoPart when it is null.
  static constexpr std::uint64_t kNoPart = ~std::uint64_t{0};
  std::uint64_t community_token(Index referrer) const;
  std::uint64_t organisation_token(Index referrer) const;
  // One element of the `referrals` array of its referrer's facts; Referral::version tells when
  // it changed.
  const std::string& referral_json(Index r);
  // The same element with its referee, first order and orders written null, for a reader that
  // puts in the parts below; what stays changes only with the referral itself.
  void referral_shell_json(Index r, std::string& out) const;
  // A customer's `{...}` as it stands in the facts (the referrer, a referee, an organisation
  // member); Customer::version tells when it may have changed.
  void customer_json(Index c, std::string& out) const;
  // Its counters alone, as an object: `{"order_count":...}`. customer_json() is `{`,
  // Customer::record_json, then this without its `{`.
  void customer_counters_json(Index c, std::string& out) const;
  // The values customer_counters_json writes.
  static CustomerCounters counters(const Customer& k);
  // An order's `{...}` (a first order, an element of `orders`); Order::version tells when it
  // changed.
  void order_json(Index o, std::string& out) const { order_json(orders_[o], out); }
  // Frees the text referral_json() keeps, for a reader that keeps the referral parsed instead;
  // it is written again if asked for. (The largest such buffer is kept for the next referral
  // written: they are written and forgotten one after another.)
  void forget_referral_json(Index r);

  // Indexed like vectors; elements never move.
  const StableVector<Customer>& customers() const { return customers_; }
  const std::vector<Community>& communities() const { return communities_; }
  const std::vector<Organisation>& organisations() const { return organisations_; }
  const StableVector<Referral>& referrals() const { return referrals_; }
  const StableVector<Order>& orders() const { return orders_; }
  Index find_customer(std::string_view id) const;
  Index find_referral(std::string_view id) const;
  // Customers that may have facts worth a decision: a referral, a community, an organisation or a share.
  bool is_referrer(Index c) const;

 private:
  void touch(Index referrer, bool facts_changed = true);
  // `record_changed`: the customer's own `{...}` may have changed (not only their orders).
  // `counters_only`: nothing of the customer but their record's counters moved.
  void touch_customer_and_referrers(Index c, bool record_changed = true, bool counters_only = false);
  void order_json(const Order& o, std::string& out) const;
  void counters_body(const Customer& k, std::string& out) const;  // `"order_count":...}`
  // A referral's element of `referrals`, or its shell (referral_shell_json).
  void write_referral(const Referral& r, bool shell, std::string& out) const;
  const std::string& community_members_json(Community& g);
  const std::string& organisation_members_json(Organisation& g);

  StableVector<Customer> customers_;
  StableVector<Referral> referrals_;
  StableVector<Order> orders_;
  std::vector<Community> communities_;
  std::vector<Organisation> organisations_;
  // Numbered as the vectors above: an id's number is its index.
  IdTable customer_ids_, referral_ids_, order_ids_, community_ids_, organisation_ids_;
  std::vector<Index> touched_;
  std::vector<std::uint8_t> touched_changed_;
  std::string spare_;  // see forget_referral_json
};

}  // namespace refpol::sim
