// One line of a simulation's event log (docs/simulate.md, "The event log") read into an Event.
#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "interpreter/eval/time.hpp"

namespace refpol::sim {

enum class EventType : std::uint8_t {
  customer,
  referral_bound,
  order_placed,
  order_completed,
  order_refunded,
  order_returned,
  order_exchanged,
  review_flagged,
  community_created,
  community_joined,
  organisation_created,
  organisation_joined,
  share,
};
inline constexpr std::size_t kEventTypeCount = 13;
const char* event_type_name(EventType t);

// The keys of a customer record the world keeps as numbers and moves on with orders and shares
// (Event::counters); the rest of the record is as the customer event gave it.
inline constexpr std::string_view kCounterFields[] = {"order_count", "total_spend", "last_order_at", "shares"};

// One event, as read from its line (strings are copies: the line's buffer is reused).
struct Event {
  EventType type = EventType::customer;
  std::string id;
  DateTime ts;
  std::string a, b, c;    // the ids and names of the type, in the order docs/simulate.md lists them
  std::string d;          // referral_bound: the channel
  bool flag = false;      // `new` (customer), `is_new` (community_joined)
  std::string amount;     // order_placed: the amount as written (a JSON number or string)
  // customer: the fields of the record, each as `"key":value,` with the value minified, but the
  // four the world moves on (order_count, total_spend, last_order_at, shares): those are in
  // `counters`, key -> minified value, in the record's order.
  std::string record;
  std::vector<std::pair<std::string, std::string>> counters;
  std::optional<DateTime> last_order_at;  // customer: `last_order_at` read (absent or null: none)
};

// Reads one line into `out`; false with a message saying what is wrong.
class EventReader {
 public:
  explicit EventReader(const TimeZone& zone);
  ~EventReader();
  EventReader(const EventReader&) = delete;
  EventReader& operator=(const EventReader&) = delete;
  bool read(std::string_view line, Event& out, std::string& problem);

 private:
  struct Impl;
  Impl* impl_;
};

}  // namespace refpol::sim
