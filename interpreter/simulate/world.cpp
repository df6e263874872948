// Events -> world state -> facts JSON (world.hpp). The facts follow stdlib/standard.refpol; keys
// a policy does not declare are ignored by the loader, so every policy on the standard schema
// (with its own extensions carried in the customer records) reads the same documents.
#include "interpreter/simulate/world.hpp"

#include <fmt/format.h>
#include <simdjson.h>

#include <algorithm>
#include <cctype>

#include "interpreter/source/diagnostic.hpp"

namespace refpol::sim {

const char* event_type_name(EventType t) {
  static constexpr const char* kNames[kEventTypeCount] = {
      "customer",         "referral_bound",    "order_placed",         "order_completed",
      "order_refunded",   "order_returned",    "order_exchanged",      "review_flagged",
      "community_created", "community_joined", "organisation_created", "organisation_joined",
      "share"};
  return kNames[static_cast<std::size_t>(t)];
}

// ---------------------------------------------------------------------------------------------
// Reading events

struct EventReader::Impl {
  const TimeZone* zone;
  simdjson::dom::parser parser;
};

EventReader::EventReader(const TimeZone& zone) : impl_(new Impl) { impl_->zone = &zone; }
EventReader::~EventReader() { delete impl_; }

namespace {

namespace dom = simdjson::dom;

bool text_key(dom::object obj, const char* key, std::string& out, std::string& problem) {
  std::string_view v;
  auto e = obj[key];
  if (e.error() == simdjson::NO_SUCH_FIELD) {
    problem = fmt::format("missing key `{}`", key);
    return false;
  }
  if (e.get(v) != simdjson::SUCCESS) {
    problem = fmt::format("`{}` must be a string", key);
    return false;
  }
  if (v.empty()) {
    problem = fmt::format("`{}` is empty", key);
    return false;
  }
  out.assign(v);
  return true;
}

bool bool_key(dom::object obj, const char* key, bool& out, std::string& problem) {
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

// The keys each type needs, in the order Event::a, b, c holds them.
struct Shape {
  EventType type;
  const char* keys[3];
};
constexpr Shape kShapes[] = {
    {EventType::customer, {nullptr, nullptr, nullptr}},
    {EventType::referral_bound, {"referral", "referrer", "referee"}},
    {EventType::order_placed, {"order", "customer", nullptr}},
    {EventType::order_completed, {"order", nullptr, nullptr}},
    {EventType::order_refunded, {"order", nullptr, nullptr}},
    {EventType::order_returned, {"order", nullptr, nullptr}},
    {EventType::order_exchanged, {"order", nullptr, nullptr}},
    {EventType::review_flagged, {"order", "flag", nullptr}},
    {EventType::community_created, {"community", "owner", nullptr}},
    {EventType::community_joined, {"community", "customer", nullptr}},
    {EventType::organisation_created, {"organisation", "name", "organiser"}},
    {EventType::organisation_joined, {"organisation", "customer", nullptr}},
    {EventType::share, {"customer", "share", "platform"}},
};

}  // namespace

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
  std::string type, ts;
  if (!text_key(obj, "id", out.id, problem) || !text_key(obj, "type", type, problem) ||
      !text_key(obj, "ts", ts, problem)) {
    return false;
  }
  const Shape* shape = nullptr;
  for (const Shape& s : kShapes) {
    if (type == event_type_name(s.type)) shape = &s;
  }
  if (shape == nullptr) {
    problem = fmt::format("unknown event type `{}`", type);
    return false;
  }
  std::string ts_problem;
  if (!parse_datetime(ts, *impl_->zone, out.ts, ts_problem)) {
    problem = fmt::format("`ts`: {}", ts_problem);
    return false;
  }
  out.type = shape->type;
  std::string* slots[3] = {&out.a, &out.b, &out.c};
  for (int i = 0; i < 3; ++i) {
    slots[i]->clear();
    if (shape->keys[i] && !text_key(obj, shape->keys[i], *slots[i], problem)) return false;
  }
  out.fields.clear();
  out.amount.clear();
  switch (out.type) {
    case EventType::customer: {
      if (!bool_key(obj, "new", out.flag, problem)) return false;
      dom::object customer;
      if (obj["customer"].get(customer) != simdjson::SUCCESS) {
        problem = "`customer` must be an object (a Customer record)";
        return false;
      }
      for (auto field : customer) {
        out.fields.emplace_back(std::string(field.key), simdjson::minify(field.value));
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
        out.amount = "\"" + std::string(text) + "\"";
      } else if (amount.get(ignored) == simdjson::SUCCESS) {
        out.amount = simdjson::minify(amount.value_unsafe());
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

// ---------------------------------------------------------------------------------------------
// Applying events

Index World::lookup(const std::unordered_map<std::string, Index>& map, const std::string& id) const {
  auto it = map.find(id);
  return it == map.end() ? kNone : it->second;
}

Index World::find_customer(std::string_view id) const { return lookup(customer_ids_, std::string(id)); }
Index World::find_referral(std::string_view id) const { return lookup(referral_ids_, std::string(id)); }

bool World::is_referrer(Index c) const {
  const Customer& k = customers_[c];
  return !k.referrals.empty() || k.community != kNone || k.organisation != kNone || !k.share_events.empty();
}

void World::touch(Index referrer) {
  if (std::find(touched_.begin(), touched_.end(), referrer) == touched_.end()) touched_.push_back(referrer);
}

// A customer's facts change: their own (as a referrer) and those of whoever referred them, and
// of the owners of their communities and their organisation's organiser.
void World::touch_customer_and_referrers(Index c) {
  Customer& k = customers_[c];
  k.json.clear();
  ++k.version;
  if (is_referrer(c)) touch(c);
  for (Index r : k.referred_in) {
    referrals_[r].json.clear();
    ++referrals_[r].version;
    touch(referrals_[r].referrer);
  }
  for (Index g : k.member_of_communities) touch(communities_[g].owner);
  for (Index g : k.member_of_organisations) touch(organisations_[g].organiser);
}

bool World::apply(const Event& e, bool in_window, std::string& problem) {
  touched_.clear();
  auto need = [&](const std::unordered_map<std::string, Index>& map, const std::string& id, const char* what,
                  Index& out) {
    out = lookup(map, id);
    if (out == kNone) problem = fmt::format("{} `{}` is not known (no earlier event created it)", what, id);
    return out != kNone;
  };
  auto fresh = [&](const std::unordered_map<std::string, Index>& map, const std::string& id, const char* what) {
    if (map.count(id) == 0) return true;
    problem = fmt::format("{} `{}` already exists", what, id);
    return false;
  };
  Index c = kNone, o = kNone, x = kNone;
  switch (e.type) {
    case EventType::customer: {
      c = lookup(customer_ids_, e.a);
      if (c == kNone) {
        c = static_cast<Index>(customers_.size());
        customers_.emplace_back();
        customer_ids_.emplace(e.a, c);
        customers_[c].id = e.a;
        customers_[c].is_new = e.flag;
        customers_[c].created_in_window = in_window;
      }
      Customer& k = customers_[c];
      k.record_json.clear();
      k.base_orders = 0;
      k.base_spend = Decimal{};
      k.base_shares = 0;
      for (const auto& [key, value] : e.fields) {
        if (key == "order_count") k.base_orders = std::strtoll(value.c_str(), nullptr, 10);
        if (key == "shares") k.base_shares = std::strtoll(value.c_str(), nullptr, 10);
        if (key == "total_spend") {
          std::string_view v = value;
          if (!v.empty() && v.front() == '"') v = v.substr(1, v.size() - 2);
          parse_decimal(v, k.base_spend);
        }
        if (key == "last_order_at" && value.size() > 2 && value.front() == '"') {
          DateTime t;
          std::string ignored;
          static const TimeZone utc;
          if (parse_datetime(std::string_view(value).substr(1, value.size() - 2), utc, t, ignored)) k.last_order_at = t;
        }
        // customer_json writes these four as they stand; the rest as given, ready to copy.
        if (key == "order_count" || key == "total_spend" || key == "last_order_at" || key == "shares") continue;
        k.record_json += '"';
        k.record_json += json_escape(key);
        k.record_json += "\":";
        k.record_json += value;
        k.record_json += ',';
      }
      // The record's counters stand as of this event; orders and shares from here on move them.
      k.extra_orders = 0;
      k.extra_spend = Decimal{};
      k.shares_since_record = 0;
      touch_customer_and_referrers(c);
      return true;
    }
    case EventType::referral_bound: {
      Index referrer, referee;
      if (!fresh(referral_ids_, e.a, "referral") || !need(customer_ids_, e.b, "customer", referrer) ||
          !need(customer_ids_, e.c, "customer", referee)) {
        return false;
      }
      Index r = static_cast<Index>(referrals_.size());
      referrals_.push_back(Referral{e.a, referrer, referee, e.ts, e.d, in_window, {}, 0});
      referral_ids_.emplace(e.a, r);
      customers_[referrer].referrals.push_back(r);
      customers_[referee].referred_in.push_back(r);
      touch(referrer);
      return true;
    }
    case EventType::order_placed: {
      if (!fresh(order_ids_, e.a, "order") || !need(customer_ids_, e.b, "customer", c)) return false;
      Order ord;
      ord.id = e.a;
      ord.customer = c;
      ord.amount_json = e.amount;
      std::string_view digits = e.amount.front() == '"' ? std::string_view(e.amount).substr(1, e.amount.size() - 2)
                                                        : std::string_view(e.amount);
      parse_decimal(digits, ord.amount);
      ord.placed_at = e.ts;
      o = static_cast<Index>(orders_.size());
      orders_.push_back(std::move(ord));
      order_ids_.emplace(e.a, o);
      customers_[c].orders.push_back(o);
      touch_customer_and_referrers(c);
      return true;
    }
    case EventType::order_completed:
    case EventType::order_refunded:
    case EventType::order_returned:
    case EventType::order_exchanged:
    case EventType::review_flagged: {
      if (!need(order_ids_, e.a, "order", o)) return false;
      Order& ord = orders_[o];
      Customer& k = customers_[ord.customer];
      const bool counted = ord.counts();
      if (e.type == EventType::order_completed) {
        if (ord.completed_at) {
          problem = fmt::format("order `{}` is already completed", e.a);
          return false;
        }
        ord.completed_at = e.ts;
        if (!k.last_order_at || *k.last_order_at < e.ts) k.last_order_at = e.ts;
      } else if (e.type == EventType::order_refunded) {
        ord.refunded = true;
      } else if (e.type == EventType::order_returned) {
        ord.returned = true;
      } else if (e.type == EventType::order_exchanged) {
        ord.exchanged = true;
      } else {
        ord.review_flag = e.b;
        ord.flagged_at = e.ts;
      }
      if (counted != ord.counts()) {
        k.extra_orders += ord.counts() ? 1 : -1;
        k.completed_in_log += ord.counts() ? 1 : -1;
        Decimal next;
        if (ord.counts()) {
          add(k.extra_spend, ord.amount, next);
        } else {
          sub(k.extra_spend, ord.amount, next);
        }
        k.extra_spend = next;
      }
      touch_customer_and_referrers(ord.customer);
      return true;
    }
    case EventType::community_created: {
      if (!fresh(community_ids_, e.a, "community") || !need(customer_ids_, e.b, "customer", c)) return false;
      x = static_cast<Index>(communities_.size());
      communities_.push_back(Community{e.a, c, {}});
      community_ids_.emplace(e.a, x);
      customers_[c].community = x;
      touch(c);
      return true;
    }
    case EventType::community_joined: {
      if (!need(community_ids_, e.a, "community", x) || !need(customer_ids_, e.b, "customer", c)) return false;
      communities_[x].members.push_back(Community::Member{c, e.ts, e.flag});
      customers_[c].member_of_communities.push_back(x);
      touch(communities_[x].owner);
      return true;
    }
    case EventType::organisation_created: {
      if (!fresh(organisation_ids_, e.a, "organisation") || !need(customer_ids_, e.c, "customer", c)) return false;
      x = static_cast<Index>(organisations_.size());
      organisations_.push_back(Organisation{e.a, e.b, c, {}});
      organisation_ids_.emplace(e.a, x);
      customers_[c].organisation = x;
      touch(c);
      return true;
    }
    case EventType::organisation_joined: {
      if (!need(organisation_ids_, e.a, "organisation", x) || !need(customer_ids_, e.b, "customer", c)) return false;
      organisations_[x].members.push_back(c);
      customers_[c].member_of_organisations.push_back(x);
      touch(organisations_[x].organiser);
      return true;
    }
    case EventType::share: {
      if (!need(customer_ids_, e.a, "customer", c)) return false;
      Customer& k = customers_[c];
      k.share_events.emplace_back(e.b, e.ts);
      ++k.shares_since_record;
      k.share_platforms.push_back(e.c);
      touch_customer_and_referrers(c);
      return true;
    }
  }
  return false;
}

// ---------------------------------------------------------------------------------------------
// Facts

// The record as the event gave it, with the order summary and share count moved on.
const std::string& World::customer_json(Index c) {
  Customer& k = customers_[c];
  if (!k.json.empty()) return k.json;
  std::string& out = k.json;
  out = "{";
  out += k.record_json;
  Decimal spend;
  add(k.base_spend, k.extra_spend, spend);
  out += fmt::format(R"("order_count":{},"total_spend":"{}","shares":{},"last_order_at":)",
                     k.base_orders + k.extra_orders, to_string(spend),
                     k.base_shares + k.shares_since_record);
  out += k.last_order_at ? "\"" + to_string(*k.last_order_at) + "\"" : std::string("null");
  out += '}';
  return out;
}

void World::order_json(const Order& o, std::string& out) const {
  out += R"({"id":")";
  out += json_escape(o.id);
  out += R"(","placed_at":")";
  out += to_string(o.placed_at);
  out += R"(","amount":)";
  out += o.amount_json;
  out += R"(,"completed_at":)";
  out += o.completed_at ? "\"" + to_string(*o.completed_at) + "\"" : std::string("null");
  out += fmt::format(R"(,"refunded":{},"returned":{},"exchanged":{},"review_flag":)", o.refunded, o.returned,
                     o.exchanged);
  out += o.review_flag.empty() ? std::string("null") : "\"" + json_escape(o.review_flag) + "\"";
  out += R"(,"flagged_at":)";
  out += o.flagged_at ? "\"" + to_string(*o.flagged_at) + "\"" : std::string("null");
  out += '}';
}

// A referral with its referee and the referee's orders; kept until the referee changes.
const std::string& World::referral_json(Index index) {
  Referral& r = referrals_[index];
  if (!r.json.empty()) return r.json;
  std::string& out = r.json;
  out += R"({"id":")";
  out += json_escape(r.id);
  out += R"(","referee":)";
  out += customer_json(r.referee);
  out += R"(,"bound_at":")";
  out += to_string(r.bound_at);
  out += R"(","channel":")";
  out += json_escape(r.channel);
  out += R"(","first_order":)";
  const Customer& referee = customers_[r.referee];
  if (referee.orders.empty()) {
    out += "null";
  } else {
    order_json(orders_[referee.orders.front()], out);
  }
  out += R"(,"orders":[)";
  for (std::size_t j = 0; j < referee.orders.size(); ++j) {
    if (j) out += ',';
    order_json(orders_[referee.orders[j]], out);
  }
  out += "]}";
  return out;
}

void World::facts_json(Index referrer, const DateTime& now, std::string_view budget_spent,
                       std::uint64_t rewarded_referrers, std::string& out, Referrals referrals) {
  out.clear();
  out += R"({"now":")";
  out += to_string(now);
  out += R"(","referrer":)";
  out += customer_json(referrer);
  out += R"(,"referrals":[)";
  const Customer& k = customers_[referrer];
  for (std::size_t i = 0; referrals == Referrals::written && i < k.referrals.size(); ++i) {
    if (i) out += ',';
    out += referral_json(k.referrals[i]);
  }
  out += fmt::format(R"(],"campaign":{{"budget_spent":"{}","rewarded_referrers":{}}},"community":)", budget_spent,
                     rewarded_referrers);
  if (k.community == kNone) {
    out += "null";
  } else {
    const Community& g = communities_[k.community];
    out += R"({"id":")";
    out += json_escape(g.id);
    out += R"(","members":[)";
    for (std::size_t i = 0; i < g.members.size(); ++i) {
      const auto& m = g.members[i];
      const Customer& mc = customers_[m.customer];
      if (i) out += ',';
      out += fmt::format(R"({{"id":"{}","joined_at":"{}","is_new":{},"completed_orders":{}}})", json_escape(mc.id),
                         to_string(m.joined_at), m.is_new, mc.completed_in_log);
    }
    out += "]}";
  }
  out += R"(,"organisation":)";
  if (k.organisation == kNone) {
    out += "null";
  } else {
    const Organisation& g = organisations_[k.organisation];
    out += fmt::format(R"({{"id":"{}","name":"{}","organiser_id":"{}","members":[)", json_escape(g.id),
                       json_escape(g.name), json_escape(customers_[g.organiser].id));
    for (std::size_t i = 0; i < g.members.size(); ++i) {
      if (i) out += ',';
      out += customer_json(g.members[i]);
    }
    out += "]}";
  }
  out += R"(,"share_events":[)";
  for (std::size_t i = 0; i < k.share_events.size(); ++i) {
    if (i) out += ',';
    out += fmt::format(R"({{"id":"{}","shared_at":"{}","platform":"{}"}})", json_escape(k.share_events[i].first),
                       to_string(k.share_events[i].second), json_escape(k.share_platforms[i]));
  }
  out += "]}";
}

}  // namespace refpol::sim
