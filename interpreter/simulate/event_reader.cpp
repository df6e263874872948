// EventReader (event_reader.hpp): simdjson's DOM, which checks the whole line (and whose error
// messages are part of the output), then the keys of the event's type.
#include "interpreter/simulate/event_reader.hpp"

#include <fmt/format.h>
#include <simdjson.h>

#include <cctype>
#include <charconv>
#include <cstdint>
#include <vector>

#include "interpreter/eval/decimal.hpp"
#include "interpreter/source/diagnostic.hpp"

namespace refpol::sim {

namespace {

namespace dom = simdjson::dom;

bool text_key(dom::object obj, std::string_view key, std::string_view& out, std::string& problem) {
  auto e = obj[key];
  if (e.error() == simdjson::NO_SUCH_FIELD) {
    problem = fmt::format("missing key `{}`", key);
    return false;
  }
  if (e.get(out) != simdjson::SUCCESS) {
    problem = fmt::format("`{}` must be a string", key);
    return false;
  }
  if (out.empty()) {
    problem = fmt::format("`{}` is empty", key);
    return false;
  }
  return true;
}

bool text_key(dom::object obj, std::string_view key, std::string& out, std::string& problem) {
  std::string_view v;
  if (!text_key(obj, key, v, problem)) return false;
  out.assign(v);
  return true;
}

bool bool_key(dom::object obj, std::string_view key, bool& out, std::string& problem) {
  auto e = obj[key];
  if (e.error() == simdjson::NO_SUCH_FIELD) {
    problem = fmt::format("missing key `{}`", key);
    return false;
  }
  if (e.get(out) != simdjson::SUCCESS) {
    problem = fmt::format("`{}` must be true or false", key);
    return false;
  }
  return true;
}

// Appends the text simdjson::minify(value) gives, without the buffers it allocates for each
// value: strings that need no escape (simdjson escapes `"`, `\` and control characters), whole
// numbers, booleans and null are written here; the rest (fractions, arrays, objects, escapes)
// by minify itself.
void append_minified(std::string& out, dom::element value) {
  switch (value.type()) {
    case dom::element_type::STRING: {
      const std::string_view s = value.get_string().value_unsafe();
      if (json_plain_prefix(s) != s.size()) break;
      out += '"';
      out += s;
      out += '"';
      return;
    }
    case dom::element_type::INT64:
    case dom::element_type::UINT64: {
      char digits[24];
      const auto end = value.type() == dom::element_type::INT64
                           ? std::to_chars(digits, digits + sizeof digits, value.get_int64().value_unsafe()).ptr
                           : std::to_chars(digits, digits + sizeof digits, value.get_uint64().value_unsafe()).ptr;
      out.append(digits, end);
      return;
    }
    case dom::element_type::BOOL:
      out += value.get_bool().value_unsafe() ? "true" : "false";
      return;
    case dom::element_type::NULL_VALUE:
      out += "null";
      return;
    default:
      break;
  }
  out += simdjson::minify(value);
}

// The record keys the world keeps as numbers and moves on (Event::counters): their place in
// kCounterFields, or -1.
int counter_index(std::string_view key) {
  for (std::size_t i = 0; i < std::size(kCounterFields); ++i) {
    if (key == kCounterFields[i]) return static_cast<int>(i);
  }
  return -1;
}

// A date-time that names an instant: `2026-12-08T10:15:00+08:00` or `...Z`, not a local time or
// a bare date (which the policy's zone would have to complete).
bool has_offset(std::string_view t) {
  if (t.size() <= 16) return false;
  return t.back() == 'Z' || t.back() == 'z' || t.find_first_of("+-", 16) != std::string_view::npos;
}

bool read_instant(std::string_view text, const TimeZone& zone, DateTime& out, std::string& why) {
  if (!parse_datetime(text, zone, out, why)) return false;
  if (has_offset(text)) return true;
  why = fmt::format("`{}` has no UTC offset: write the time and its offset, as in 2026-12-08T10:15:00+08:00", text);
  return false;
}

// The keys of the object being read, to find one given twice: `seen` has a bit for each key's
// length and first and last bytes, so a key is compared with the others only when its bit was
// set before (rarely: a few keys of distinct lengths).
struct Keys {
  std::vector<std::string_view> list;
  std::uint64_t seen = 0;
  void clear() {
    list.clear();
    seen = 0;
  }
  // Whether `key` was given before; if so `problem` says so (`where` prefixes the key).
  bool repeated(std::string_view key, std::string_view where, std::string& problem) {
    const std::uint64_t bit = std::uint64_t{1}
                              << ((key.size() * 7 + (key.empty() ? 0 : static_cast<unsigned char>(key.front()) * 3 +
                                                                           static_cast<unsigned char>(key.back()))) &
                                  63);
    if ((seen & bit) != 0) {
      for (std::string_view k : list) {
        if (k == key) {
          problem = fmt::format("key `{}{}` is given twice", where, key);
          return true;
        }
      }
    }
    seen |= bit;
    list.push_back(key);
    return false;
  }
};

// A counter of a customer record (kCounterFields, by its place `which`) as the replay moves it on:
// a whole number or an amount of 0 or more, or a date-time (or null) for `last_order_at`.
bool valid_counter(int which, dom::element value, const TimeZone& zone, std::optional<DateTime>& last_order_at,
                   std::string& problem) {
  const std::string_view key = kCounterFields[static_cast<std::size_t>(which)];
  if (key == "last_order_at") {
    std::string_view text;
    DateTime t;
    std::string why;
    if (value.is_null()) return true;
    if (value.get(text) != simdjson::SUCCESS) {
      problem = "`customer.last_order_at` must be a date-time or null";
      return false;
    }
    if (!read_instant(text, zone, t, why)) {
      problem = fmt::format("`customer.last_order_at`: {}", why);
      return false;
    }
    last_order_at = t;
    return true;
  }
  if (key == "total_spend") {
    std::string_view text;
    std::string number;
    if (value.is_number()) {
      number = simdjson::minify(value);
      text = number;
    } else if (value.get(text) != simdjson::SUCCESS) {
      text = {};
    }
    Decimal d;
    const DecimalError e = text.empty() ? DecimalError::syntax : parse_decimal(text, d);
    if (e == DecimalError::overflow) {
      problem = fmt::format("`customer.total_spend` {} is too large for an amount", text);
      return false;
    }
    if (e != DecimalError::none || d.mantissa < 0) {
      problem = "`customer.total_spend` must be an amount of 0 or more (a number or a string holding one)";
      return false;
    }
    return true;
  }
  // order_count, shares: an `int` of the facts (64 bits, signed)
  std::int64_t n = -1;
  if (value.get(n) != simdjson::SUCCESS || n < 0) {
    problem = fmt::format("`customer.{}` must be a whole number, 0 or more (at most {})", key, INT64_MAX);
    return false;
  }
  return true;
}

// The keys each type needs, in the order Event::a, b, c holds them (empty: none).
struct Shape {
  EventType type;
  std::string_view name;  // event_type_name(type)
  std::string_view keys[3];
};
constexpr Shape kShapes[] = {
    {EventType::customer, "customer", {}},
    {EventType::referral_bound, "referral_bound", {"referral", "referrer", "referee"}},
    {EventType::order_placed, "order_placed", {"order", "customer"}},
    {EventType::order_completed, "order_completed", {"order"}},
    {EventType::order_refunded, "order_refunded", {"order"}},
    {EventType::order_returned, "order_returned", {"order"}},
    {EventType::order_exchanged, "order_exchanged", {"order"}},
    {EventType::review_flagged, "review_flagged", {"order", "flag"}},
    {EventType::community_created, "community_created", {"community", "owner"}},
    {EventType::community_joined, "community_joined", {"community", "customer"}},
    {EventType::organisation_created, "organisation_created", {"organisation", "name", "organiser"}},
    {EventType::organisation_joined, "organisation_joined", {"organisation", "customer"}},
    {EventType::share, "share", {"customer", "share", "platform"}},
};

constexpr bool in_type_order() {
  for (std::size_t i = 0; i < std::size(kShapes); ++i) {
    if (static_cast<std::size_t>(kShapes[i].type) != i) return false;
  }
  return std::size(kShapes) == kEventTypeCount;
}
static_assert(in_type_order(), "kShapes is indexed by EventType");

}  // namespace

struct EventReader::Impl {
  const TimeZone* zone;
  simdjson::dom::parser parser;
  Keys keys;
};

EventReader::EventReader(const TimeZone& zone) : impl_(new Impl) { impl_->zone = &zone; }
EventReader::~EventReader() { delete impl_; }

// The names are string literals, so their data ends with a NUL.
const char* event_type_name(EventType t) { return kShapes[static_cast<std::size_t>(t)].name.data(); }

bool EventReader::read(std::string_view line, Event& out, std::string& problem) {
  dom::element doc;
  if (auto err = impl_->parser.parse(line.data(), line.size(), true).get(doc); err) {
    std::string why = simdjson::error_message(err);  // "The JSON document has ... etc."
    if (!why.empty()) why[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(why[0])));
    while (!why.empty() && why.back() == '.') why.pop_back();
    problem = "not JSON: " + why;
    return false;
  }
  dom::object obj;
  if (doc.get(obj) != simdjson::SUCCESS) {
    problem = "an event is a JSON object";
    return false;
  }
  Keys& keys = impl_->keys;
  keys.clear();
  for (auto field : obj) {
    if (keys.repeated(field.key, "", problem)) return false;
  }
  std::string_view type, ts;
  if (!text_key(obj, "id", out.id, problem) || !text_key(obj, "type", type, problem) ||
      !text_key(obj, "ts", ts, problem)) {
    return false;
  }
  const Shape* shape = nullptr;
  for (const Shape& s : kShapes) {
    if (type == s.name) shape = &s;
  }
  if (shape == nullptr) {
    problem = fmt::format("unknown event type `{}`", type);
    return false;
  }
  std::string ts_problem;
  if (!read_instant(ts, *impl_->zone, out.ts, ts_problem)) {
    problem = fmt::format("`ts`: {}", ts_problem);
    return false;
  }
  out.type = shape->type;
  std::string* slots[3] = {&out.a, &out.b, &out.c};
  for (int i = 0; i < 3; ++i) {
    slots[i]->clear();
    if (!shape->keys[i].empty() && !text_key(obj, shape->keys[i], *slots[i], problem)) return false;
  }
  out.record.clear();
  out.counters.clear();
  out.last_order_at.reset();
  out.amount.clear();
  switch (out.type) {
    case EventType::customer: {
      if (!bool_key(obj, "new", out.flag, problem)) return false;
      dom::object customer;
      if (obj["customer"].get(customer) != simdjson::SUCCESS) {
        problem = "`customer` must be an object (a Customer record)";
        return false;
      }
      keys.clear();
      unsigned given = 0;  // bit i: kCounterFields[i]
      for (auto field : customer) {
        if (keys.repeated(field.key, "customer.", problem)) return false;
        if (const int which = counter_index(field.key); which >= 0) {
          if (!valid_counter(which, field.value, *impl_->zone, out.last_order_at, problem)) return false;
          given |= 1u << which;
          out.counters.emplace_back(field.key, std::string());
          append_minified(out.counters.back().second, field.value);
        } else {
          // The key as the world writes keys (json_escape), the value as simdjson minifies it.
          out.record += '"';
          append_json_escaped(out.record, field.key);
          out.record += "\":";
          append_minified(out.record, field.value);
          out.record += ',';
        }
        if (field.key == "id") {
          std::string_view cid;
          if (field.value.get(cid) != simdjson::SUCCESS || cid.empty()) {
            problem = "`customer.id` must be a non-empty string";
            return false;
          }
          out.a.assign(cid);
        }
      }
      if (out.a.empty()) {
        problem = "missing key `customer.id`";
        return false;
      }
      // The replay counts orders, spend and shares on from the record's: it needs them.
      for (std::size_t i = 0; i < std::size(kCounterFields); ++i) {
        if ((given & (1u << i)) == 0 && kCounterFields[i] != "last_order_at") {
          problem = fmt::format("missing key `customer.{}` (the replay counts on from it)", kCounterFields[i]);
          return false;
        }
      }
      break;
    }
    case EventType::referral_bound:
      if (!text_key(obj, "channel", out.d, problem)) return false;
      break;
    case EventType::order_placed: {
      auto amount = obj["amount"];
      std::string_view text;
      double ignored;
      if (amount.get(text) == simdjson::SUCCESS) {
        // As written between its quotes, not escaped again.
        out.amount += '"';
        out.amount += text;
        out.amount += '"';
      } else if (amount.get(ignored) == simdjson::SUCCESS) {
        append_minified(out.amount, amount.value_unsafe());
      } else {
        problem = "`amount` must be a number or a string holding one";
        return false;
      }
      std::string_view digits = out.amount.front() == '"' ? std::string_view(out.amount).substr(1, out.amount.size() - 2)
                                                          : std::string_view(out.amount);
      Decimal d;
      if (parse_decimal(digits, d) != DecimalError::none || d.mantissa < 0) {
        problem = fmt::format("`amount` {} is not an amount", out.amount);
        return false;
      }
      break;
    }
    case EventType::community_joined:
      if (!bool_key(obj, "is_new", out.flag, problem)) return false;
      break;
    default: break;
  }
  return true;
}

}  // namespace refpol::sim
