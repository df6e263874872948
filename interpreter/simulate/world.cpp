// Events -> world state -> facts JSON (world.hpp). The facts follow stdlib/standard.refpol; keys
// a policy does not declare are ignored by the loader, so every policy on the standard schema
// (with its own extensions carried in the customer records) reads the same documents.
#include "interpreter/simulate/world.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cstdlib>

#include "interpreter/source/diagnostic.hpp"

namespace refpol::sim {

namespace {

// Writers that append to the text in place: a facts document is written at every evaluation, so
// no field goes through a string of its own (fmt::format, to_string) on the way.
void put_int(std::string& out, std::int64_t n) {
  char digits[24];
  out.append(digits, std::to_chars(digits, digits + sizeof digits, n).ptr);
}

void put_bool(std::string& out, bool b) { out += b ? "true" : "false"; }

// `"text"`, escaped.
void put_quoted(std::string& out, std::string_view text) {
  out += '"';
  append_json_escaped(out, text);
  out += '"';
}

void put_time(std::string& out, const DateTime& t) {
  out += '"';
  append_datetime(out, t);
  out += '"';
}

// `n` elements of a JSON array, written by `element(i)`, with commas between.
template <class Write>
void put_elements(std::string& out, std::size_t n, Write&& element) {
  for (std::size_t i = 0; i < n; ++i) {
    if (i) out += ',';
    element(i);
  }
}

void put_time(std::string& out, const std::optional<DateTime>& t) {
  if (t) {
    put_time(out, *t);
  } else {
    out += "null";
  }
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Applying events

Index World::find_customer(std::string_view id) const { return customer_ids_.find(id); }
Index World::find_referral(std::string_view id) const { return referral_ids_.find(id); }

bool World::is_referrer(Index c) const {
  const Customer& k = customers_[c];
  return !k.referrals.empty() || k.community != kNone || k.organisation != kNone || !k.share_events.empty();
}

void World::touch(Index referrer, bool facts_changed) {
  const auto it = std::find(touched_.begin(), touched_.end(), referrer);
  if (it == touched_.end()) {
    touched_.push_back(referrer);
    touched_changed_.push_back(facts_changed);
  } else if (facts_changed) {
    touched_changed_[static_cast<std::size_t>(it - touched_.begin())] = 1;
  }
}

// A customer's facts change: their own (as a referrer) and those of whoever referred them, and
// of the owners of their communities and their organisation's organiser.
void World::touch_customer_and_referrers(Index c, bool record_changed, bool counters_only) {
  Customer& k = customers_[c];
  if (record_changed) ++k.version;
  // Their own facts hold their record, not their orders: unchanged when the record is (but for
  // the parts below, which touch them again if they are their own referrer, owner or organiser).
  if (is_referrer(c)) touch(c, record_changed);
  for (Index r : k.referred_in) {
    referrals_[r].json.clear();
    ++referrals_[r].version;
    if (!counters_only) ++referrals_[r].fields_version;
    touch(referrals_[r].referrer);
  }
  for (Index g : k.member_of_communities) {
    communities_[g].members_json.clear();  // for completed_orders
    ++communities_[g].version;
    touch(communities_[g].owner);
  }
  for (Index g : k.member_of_organisations) {
    organisations_[g].members_json.clear();
    ++organisations_[g].version;
    touch(organisations_[g].organiser);
  }
}

bool World::check(const Event& e, Named& n, std::string& problem) const {
  auto need = [&](const IdTable& ids, const std::string& id, const char* what, Index& out) {
    out = ids.find(id);
    if (out == kNone) problem = fmt::format("{} `{}` is not known (no earlier event created it)", what, id);
    return out != kNone;
  };
  auto fresh = [&](const IdTable& ids, const std::string& id, const char* what) {
    if (ids.find(id) == kNone) return true;
    problem = fmt::format("{} `{}` already exists", what, id);
    return false;
  };
  n = Named{};
  switch (e.type) {
    case EventType::customer:
      return true;
    case EventType::referral_bound: {
      if (!fresh(referral_ids_, e.a, "referral") || !need(customer_ids_, e.b, "customer", n.c) ||
          !need(customer_ids_, e.c, "customer", n.other)) {
        return false;
      }
      // A customer is referred once: the first binding stands (a second would reward one first
      // order twice).
      if (const std::vector<Index>& bound = customers_[n.other].referred_in; !bound.empty()) {
        const Referral& first = referrals_[bound.front()];
        problem = fmt::format("customer `{}` is already bound, by referral `{}` of `{}`: a customer is referred once, "
                              "and the first binding stands",
                              e.c, first.id, customers_[first.referrer].id);
        return false;
      }
      return true;
    }
    case EventType::order_placed:
      return fresh(order_ids_, e.a, "order") && need(customer_ids_, e.b, "customer", n.c);
    case EventType::order_completed:
    case EventType::order_refunded:
    case EventType::order_returned:
    case EventType::order_exchanged:
    case EventType::review_flagged:
      if (!need(order_ids_, e.a, "order", n.other)) return false;
      if (e.type == EventType::order_completed && orders_[n.other].completed_at) {
        problem = fmt::format("order `{}` is already completed", e.a);
        return false;
      }
      return true;
    case EventType::community_created:
      return fresh(community_ids_, e.a, "community") && need(customer_ids_, e.b, "customer", n.c);
    case EventType::community_joined:
      return need(community_ids_, e.a, "community", n.other) && need(customer_ids_, e.b, "customer", n.c);
    case EventType::organisation_created:
      return fresh(organisation_ids_, e.a, "organisation") && need(customer_ids_, e.c, "customer", n.c);
    case EventType::organisation_joined:
      return need(organisation_ids_, e.a, "organisation", n.other) && need(customer_ids_, e.b, "customer", n.c);
    case EventType::share:
      return need(customer_ids_, e.a, "customer", n.c);
  }
  problem = "unknown event type";
  return false;
}

bool World::apply(const Event& e, bool in_window, std::string& problem) {
  Named n;
  if (!check(e, n, problem)) return false;
  apply(e, n, in_window);
  return true;
}

void World::apply(const Event& e, const Named& n, bool in_window) {
  touched_.clear();
  touched_changed_.clear();
  // Ids are numbered as their vectors: adding one gives the index of the element added next.
  auto add_id = [](IdTable& ids, const std::string& id) {
    bool added;
    return ids.insert(id, added);
  };
  const Index c = n.c;
  switch (e.type) {
    case EventType::customer: {
      bool added;
      const Index k_index = customer_ids_.insert(e.a, added);
      if (added) {
        Customer& k = customers_.emplace_back();
        k.id = e.a;
        k.is_new = e.flag;
        k.created_in_window = in_window;
      }
      Customer& k = customers_[k_index];
      k.record_json.assign(e.record);
      ++k.record_version;
      k.base_orders = 0;
      k.base_spend = Decimal{};
      k.base_shares = 0;
      for (const auto& [key, value] : e.counters) {
        if (key == "order_count") k.base_orders = std::strtoll(value.c_str(), nullptr, 10);
        if (key == "shares") k.base_shares = std::strtoll(value.c_str(), nullptr, 10);
        if (key == "total_spend") {
          std::string_view v = value;
          if (!v.empty() && v.front() == '"') v = v.substr(1, v.size() - 2);
          parse_decimal(v, k.base_spend);
        }
      }
      // Read (and checked) by the event reader; a record without one (or with null) has none.
      k.last_order_at = e.last_order_at;
      // The record's counters stand as of this event; orders and shares from here on move them.
      k.extra_orders = 0;
      k.extra_spend = Decimal{};
      k.shares_since_record = 0;
      touch_customer_and_referrers(k_index);
      return;
    }
    case EventType::referral_bound: {
      const Index referrer = c, referee = n.other;
      const Index r = add_id(referral_ids_, e.a);
      referrals_.push_back(Referral{e.a, referrer, referee, e.ts, e.d, in_window, {}, 0, 0});
      customers_[referrer].referrals.push_back(r);
      customers_[referee].referred_in.push_back(r);
      touch(referrer);
      return;
    }
    case EventType::order_placed: {
      const Index o = add_id(order_ids_, e.a);
      Order& ord = orders_.emplace_back();
      ord.id = e.a;
      ord.customer = c;
      ord.amount_json = e.amount;
      std::string_view digits = e.amount.front() == '"' ? std::string_view(e.amount).substr(1, e.amount.size() - 2)
                                                        : std::string_view(e.amount);
      parse_decimal(digits, ord.amount);
      ord.placed_at = e.ts;
      customers_[c].orders.push_back(o);
      // A new order moves no counter of the customer's record until it completes.
      touch_customer_and_referrers(c, false);
      return;
    }
    case EventType::order_completed:
    case EventType::order_refunded:
    case EventType::order_returned:
    case EventType::order_exchanged:
    case EventType::review_flagged: {
      Order& ord = orders_[n.other];
      Customer& k = customers_[ord.customer];
      const bool counted = ord.counts();
      if (e.type == EventType::order_completed) {
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
      ++ord.version;
      touch_customer_and_referrers(ord.customer);
      return;
    }
    case EventType::community_created: {
      const Index x = add_id(community_ids_, e.a);
      communities_.push_back(Community{e.a, c, {}, {}});
      customers_[c].community = x;
      touch(c);
      return;
    }
    case EventType::community_joined: {
      const Index x = n.other;
      communities_[x].members.push_back(Community::Member{c, e.ts, e.flag});
      communities_[x].members_json.clear();
      ++communities_[x].version;
      customers_[c].member_of_communities.push_back(x);
      touch(communities_[x].owner);
      return;
    }
    case EventType::organisation_created: {
      const Index x = add_id(organisation_ids_, e.a);
      organisations_.push_back(Organisation{e.a, e.b, c, {}, {}});
      customers_[c].organisation = x;
      touch(c);
      return;
    }
    case EventType::organisation_joined: {
      const Index x = n.other;
      organisations_[x].members.push_back(c);
      organisations_[x].members_json.clear();
      ++organisations_[x].version;
      customers_[c].member_of_organisations.push_back(x);
      touch(organisations_[x].organiser);
      return;
    }
    case EventType::share: {
      Customer& k = customers_[c];
      k.share_events.emplace_back(e.b, e.ts);
      ++k.shares_since_record;
      k.share_platforms.push_back(e.c);
      std::string& text = k.shares_json;
      if (!text.empty()) text += ',';
      text += R"({"id":)";
      put_quoted(text, e.b);
      text += R"(,"shared_at":)";
      put_time(text, e.ts);
      text += R"(,"platform":)";
      put_quoted(text, e.c);
      text += '}';
      // The record moves only by its `shares` counter.
      touch_customer_and_referrers(c, true, true);
      return;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Facts


// The record as the event gave it, with the order summary and share count moved on.
void World::customer_json(Index c, std::string& out) const {
  const Customer& k = customers_[c];
  out += '{';
  out += k.record_json;
  counters_body(k, out);
}

void World::customer_counters_json(Index c, std::string& out) const {
  out += '{';
  counters_body(customers_[c], out);
}

CustomerCounters World::counters(const Customer& k) {
  CustomerCounters c;
  c.orders = k.base_orders + k.extra_orders;
  c.shares = k.base_shares + k.shares_since_record;
  add(k.base_spend, k.extra_spend, c.spend);
  c.last_order_at = k.last_order_at;
  return c;
}

void World::counters_body(const Customer& k, std::string& out) const {
  const CustomerCounters c = counters(k);
  out += R"("order_count":)";
  put_int(out, c.orders);
  out += R"(,"total_spend":")";
  char digits[kDecimalBufferSize];
  out.append(digits, write_decimal(c.spend, digits));
  out += R"(","shares":)";
  put_int(out, c.shares);
  out += R"(,"last_order_at":)";
  put_time(out, c.last_order_at);
  out += '}';
}

void World::order_json(const Order& o, std::string& out) const {
  out += R"({"id":)";
  put_quoted(out, o.id);
  out += R"(,"placed_at":)";
  put_time(out, o.placed_at);
  out += R"(,"amount":)";
  out += o.amount_json;
  out += R"(,"completed_at":)";
  put_time(out, o.completed_at);
  out += R"(,"refunded":)";
  put_bool(out, o.refunded);
  out += R"(,"returned":)";
  put_bool(out, o.returned);
  out += R"(,"exchanged":)";
  put_bool(out, o.exchanged);
  out += R"(,"review_flag":)";
  if (o.review_flag.empty()) {
    out += "null";
  } else {
    put_quoted(out, o.review_flag);
  }
  out += R"(,"flagged_at":)";
  put_time(out, o.flagged_at);
  out += '}';
}

void World::forget_referral_json(Index r) {
  std::string& text = referrals_[r].json;
  text.clear();
  if (text.capacity() > spare_.capacity()) text.swap(spare_);
  std::string().swap(text);
}

// A referral with its referee and the referee's orders; kept until the referee changes.
const std::string& World::referral_json(Index index) {
  Referral& r = referrals_[index];
  if (!r.json.empty()) return r.json;
  std::string& out = r.json;
  if (out.capacity() < spare_.capacity()) {
    out.swap(spare_);
    out.clear();
  }
  const Customer& referee = customers_[r.referee];
  // One allocation, not one per doubling: the counters and the rest take under 256 bytes, an
  // order about 250.
  out.reserve(referee.record_json.size() + r.id.size() + r.channel.size() + 256 + 256 * (referee.orders.size() + 1));
  write_referral(r, false, out);
  return out;
}

void World::referral_shell_json(Index r, std::string& out) const { write_referral(referrals_[r], true, out); }

void World::write_referral(const Referral& r, bool shell, std::string& out) const {
  const Customer& referee = customers_[r.referee];
  out += R"({"id":)";
  put_quoted(out, r.id);
  out += R"(,"referee":)";
  if (shell) {
    out += "null";
  } else {
    customer_json(r.referee, out);
  }
  out += R"(,"bound_at":)";
  put_time(out, r.bound_at);
  out += R"(,"channel":)";
  put_quoted(out, r.channel);
  out += R"(,"first_order":)";
  if (shell || referee.orders.empty()) {
    out += "null";
  } else {
    order_json(orders_[referee.orders.front()], out);
  }
  if (shell) {
    out += R"(,"orders":null})";
    return;
  }
  out += R"(,"orders":[)";
  put_elements(out, referee.orders.size(), [&](std::size_t j) { order_json(orders_[referee.orders[j]], out); });
  out += "]}";
}

const std::string& World::community_members_json(Community& g) {
  std::string& out = g.members_json;
  if (!out.empty()) return out;
  put_elements(out, g.members.size(), [&](std::size_t i) {
    const Community::Member& m = g.members[i];
    out += R"({"id":)";
    put_quoted(out, customers_[m.customer].id);
    out += R"(,"joined_at":)";
    put_time(out, m.joined_at);
    out += R"(,"is_new":)";
    put_bool(out, m.is_new);
    out += R"(,"completed_orders":)";
    put_int(out, customers_[m.customer].completed_in_log);
    out += '}';
  });
  return out;
}

const std::string& World::organisation_members_json(Organisation& g) {
  std::string& out = g.members_json;
  if (!out.empty()) return out;
  put_elements(out, g.members.size(), [&](std::size_t i) { customer_json(g.members[i], out); });
  return out;
}

void World::community_json(Index referrer, std::string& out) {
  const Customer& k = customers_[referrer];
  if (k.community == kNone) {
    out += "null";
    return;
  }
  Community& g = communities_[k.community];
  out += R"({"id":)";
  put_quoted(out, g.id);
  out += R"(,"members":[)";
  out += community_members_json(g);
  out += "]}";
}

// A community's or organisation's text changes with its members (the version) and never
// otherwise: its id, name and organiser are fixed when it is created.
std::uint64_t World::community_token(Index referrer) const {
  const Index g = customers_[referrer].community;
  return g == kNone ? kNoPart : std::uint64_t{g} << 32 | communities_[g].version;
}

std::uint64_t World::organisation_token(Index referrer) const {
  const Index g = customers_[referrer].organisation;
  return g == kNone ? kNoPart : std::uint64_t{g} << 32 | organisations_[g].version;
}

void World::organisation_json(Index referrer, std::string& out) {
  const Customer& k = customers_[referrer];
  if (k.organisation == kNone) {
    out += "null";
    return;
  }
  Organisation& g = organisations_[k.organisation];
  out += R"({"id":)";
  put_quoted(out, g.id);
  out += R"(,"name":)";
  put_quoted(out, g.name);
  out += R"(,"organiser_id":)";
  put_quoted(out, customers_[g.organiser].id);
  out += R"(,"members":[)";
  out += organisation_members_json(g);
  out += "]}";
}

void World::facts_json(Index referrer, const DateTime& now, std::string_view budget_spent,
                       std::uint64_t rewarded_referrers, std::string& out, FactsParts parts) {
  out.clear();
  out += R"({"now":)";
  put_time(out, now);
  out += R"(,"referrer":)";
  if (parts.referrer) {
    customer_json(referrer, out);
  } else {
    out += "null";
  }
  out += R"(,"referrals":[)";
  const Customer& k = customers_[referrer];
  if (parts.referrals) {
    put_elements(out, k.referrals.size(), [&](std::size_t i) { out += referral_json(k.referrals[i]); });
  }
  out += R"(],"campaign":{"budget_spent":")";
  out += budget_spent;
  out += R"(","rewarded_referrers":)";
  char digits[24];
  out.append(digits, std::to_chars(digits, digits + sizeof digits, rewarded_referrers).ptr);
  out += R"(},"community":)";
  if (parts.community) {
    community_json(referrer, out);
  } else {
    out += "null";
  }
  out += R"(,"organisation":)";
  if (parts.organisation) {
    organisation_json(referrer, out);
  } else {
    out += "null";
  }
  out += R"(,"share_events":[)";
  if (parts.shares) out += k.shares_json;
  out += "]}";
}

}  // namespace refpol::sim
