// FactsBuilder (facts_builder.hpp). Why the result is the one of the whole text: the loader reads
// each element of a list, and each field of an object, on its own, at its own depth, into values
// that point nowhere else. So reading a part alone (load_facts_json_record, at the depth it has in
// the whole, or deeper: depth only limits what loads) gives the same values, and the fields an
// object's text leaves to the caller (`caller_fills`) can be put in from other parts read alone:
// a referral is its shell (id, bound_at, channel), its referee's record and its orders; a customer
// record is its fields from the customer event and its counters. Whatever else could differ is
// checked here first (the size limit, the item limit); any part that does not load alone sends
// the document through the whole text again, so its errors are the ones the whole text gives.
#include "interpreter/simulate/facts_builder.hpp"

#include <algorithm>
#include <charconv>
#include <limits>

namespace refpol::sim {

namespace {
// An element of `referrals` stands in the root object (1) and its array (2).
constexpr std::size_t kReferralDepth = 3;
// What the kept rest of a document is written with in place of `now` and the counters.
const DateTime kPlaceholderNow{0, 0};
const std::string kPlaceholderNowText = to_string(kPlaceholderNow);
constexpr std::string_view kPlaceholderBudget = "0";
// A community or organisation stands in the root object (1).
constexpr std::size_t kPartDepth = 2;
constexpr std::string_view kNull = "null";
}  // namespace

FactsBuilder::FactsBuilder(const FactsContext& ctx, World& world, std::size_t collect_bytes)
    : ctx_(ctx), world_(world), collect_bytes_(collect_bytes) {
  if (ctx_.schema == nullptr || ctx_.schema->records.empty()) return;
  const RecordInfo& root = ctx_.schema->root();
  const int slot = root.index_of("referrals");
  if (slot < 0) return;
  const Type& type = root.fields[static_cast<std::size_t>(slot)].type;
  if (type.kind != TypeKind::list || type.elem != TypeKind::record || type.record < 0 ||
      static_cast<std::size_t>(type.record) >= ctx_.schema->records.size()) {
    return;
  }
  referrals_slot_ = slot;
  referral_record_ = type.record;
  root_has_now_ = root.index_of("now") >= 0;
  const int campaign = root.index_of("campaign");
  if (campaign >= 0) {
    const Type& t = root.fields[static_cast<std::size_t>(campaign)].type;
    if (t.kind == TypeKind::record && t.record >= 0 &&
        static_cast<std::size_t>(t.record) < ctx_.schema->records.size()) {
      campaign_slot_ = campaign;
      campaign_record_ = t.record;
      // The standard Campaign (two counters) is made as values, as the loader would read them.
      int spent = -1, rank = -1;
      if (standard_campaign_counters(*ctx_.schema, t.record, spent, rank)) {
        campaign_spent_slot_ = spent;
        campaign_rank_slot_ = rank;
      }
    }
  }
  // A part may be null in place only where the schema allows null. (Where the schema has no such
  // field, the part stays in the rest: the loader still skips its value there, and refuses one
  // nested too deep, which an organisation's members, records from the events, may be.)
  auto how = [&](std::string_view name) {
    Optional o;
    const int slot = root.index_of(name);
    if (slot < 0) return o;
    const Type& t = root.fields[static_cast<std::size_t>(slot)].type;
    if (t.kind == TypeKind::record && t.optional && t.record >= 0 &&
        static_cast<std::size_t>(t.record) < ctx_.schema->records.size()) {
      o = Optional{Read::on_its_own, slot, t.record};
    }
    return o;
  };
  // Referrals put together from pieces: a referee record, an optional first order and a list of
  // orders of the same record type, each field within the 64 a load can leave to its caller.
  const auto& records = ctx_.schema->records;
  const RecordInfo& referral = records[static_cast<std::size_t>(referral_record_)];
  const int referee = referral.index_of("referee"), first = referral.index_of("first_order"),
            orders = referral.index_of("orders"), referrer = root.index_of("referrer");
  auto record_at = [&](const RecordInfo& r, int i, TypeKind kind) {
    if (i < 0 || i >= 64) return -1;
    const Type& t = r.fields[static_cast<std::size_t>(i)].type;
    const int record = kind == TypeKind::list ? (t.elem == TypeKind::record ? t.record : -1)
                                              : (t.kind == TypeKind::record ? t.record : -1);
    if (t.kind != kind || record < 0 || static_cast<std::size_t>(record) >= records.size()) return -1;
    return record;
  };
  const int customer = record_at(referral, referee, TypeKind::record);
  const int order = record_at(referral, orders, TypeKind::list);
  if (customer >= 0 && order >= 0 && record_at(referral, first, TypeKind::record) == order &&
      referral.fields[static_cast<std::size_t>(first)].type.optional) {
    referee_slot_ = referee;
    first_order_slot_ = first;
    orders_slot_ = orders;
    customer_record_ = customer;
    order_record_ = order;
    if (record_at(root, referrer, TypeKind::record) == customer) referrer_slot_ = referrer;
    const RecordInfo& info = records[static_cast<std::size_t>(customer)];
    if (info.fields.size() <= 64) {
      counter_fields_ = counter_fields(info);
      const std::uint64_t all = info.fields.size() == 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << info.fields.size()) - 1;
      other_fields_ = counter_fields_ != 0 ? all & ~counter_fields_ : 0;
      if (other_fields_ == 0) counter_fields_ = 0;
      // The counters are made as values where each is of the kind the standard schema gives it.
      auto slot_of = [&](const char* name, TypeKind kind, int& slot) {
        slot = info.index_of(name);
        return slot < 0 || info.fields[static_cast<std::size_t>(slot)].type.kind == kind;
      };
      counters_.as_values =
          counter_fields_ != 0 && slot_of("order_count", TypeKind::integer, counters_.orders) &&
          slot_of("total_spend", TypeKind::money, counters_.spend) &&
          slot_of("shares", TypeKind::integer, counters_.shares) &&
          slot_of("last_order_at", TypeKind::datetime, counters_.last_order);
      counters_.last_order_optional =
          counters_.last_order < 0 || info.fields[static_cast<std::size_t>(counters_.last_order)].type.optional;
    }
  }
  community_ = how("community");
  organisation_ = how("organisation");
  shares_read_ = root.index_of("share_events") >= 0;
}

bool FactsBuilder::build(Index referrer, const DateTime& now, std::string_view budget_spent,
                         std::uint64_t rewarded_referrers, FactsDocument& out,
                         std::vector<FactsError>& errors) {
  const std::size_t before = errors.size();
  whole_size_ = 0;
  if (referrals_slot_ >= 0 &&
      build_from_parts(referrer, now, budget_spent, rewarded_referrers, out)) {
    return true;
  }
  errors.resize(before);
  world_.facts_json(referrer, now, budget_spent, rewarded_referrers, text_);
  return load_facts_json(text_, ctx_, out, errors);
}

bool FactsBuilder::build_from_parts(Index referrer, const DateTime& now,
                                    std::string_view budget_spent, std::uint64_t rewarded_referrers,
                                    FactsDocument& out) {
  // A schema whose root has a field named `now`, or whose campaign is not a record, is read from
  // the whole text: its `now` is not the document's.
  if (root_has_now_) return false;
  collect();
  const std::vector<Index>& mine = world_.customers()[referrer].referrals;
  if (mine.size() > kMaxFactsListItems) return false;
  // The referrer, kept parsed by customer (as they are also someone's referee), where it loads
  // on its own.
  const RecordV* referrer_value = nullptr;
  std::size_t referrer_size = 0;
  if (referrer_slot_ >= 0) {
    const Piece& piece = customer_piece(referrer);
    referrer_value = piece.value;
    referrer_size = piece.text_size;
  }
  // The document with placeholders for `now` and the campaign's two counters, which are the only
  // parts that change at every evaluation; they are read on their own below. The referrer,
  // referrals, and the community, organisation and shares where the schema allows, are left out
  // of it too.
  FactsParts parts;
  parts.referrer = referrer_value == nullptr;
  parts.referrals = false;
  parts.community = community_.read == Read::in_rest;
  parts.organisation = organisation_.read == Read::in_rest;
  parts.shares = shares_read_;
  if (rests_.size() <= referrer) grow_kept();
  Kept& rest = rests_[referrer];
  const std::uint64_t fills = referrer_value != nullptr ? std::uint64_t{1} << referrer_slot_ : 0;
  // Where the rest holds nothing but the referrer's shares, whose list only grows, it is the
  // same text while their number is: not written again.
  const bool by_shares = !parts.referrer && !parts.community && !parts.organisation;
  const std::size_t shares = world_.customers()[referrer].share_events.size();
  const bool same_rest =
      by_shares && rest.done && rest.by_shares && rest.shares == shares && rest.caller_fills == fills;
  if (!same_rest) world_.facts_json(referrer, kPlaceholderNow, kPlaceholderBudget, 0, text_, parts);
  const std::size_t rest_size = same_rest ? rest.text.size() : text_.size();
  // `now` is mostly the same for the referrers one event touches: its text and what the loader
  // reads back from it are kept.
  if (!now_kept_ || now_in_.utc_seconds != now.utc_seconds || now_in_.offset_seconds != now.offset_seconds) {
    now_kept_ = true;
    now_in_ = now;
    now_text_.clear();
    append_datetime(now_text_, now);
    std::string problem;
    now_loads_ = parse_datetime(now_text_, *ctx_.zone, now_read_, problem);
  }
  const std::string& now_text = now_text_;
  char rank[24];
  const auto rank_size =
      static_cast<std::size_t>(std::to_chars(rank, rank + sizeof rank, rewarded_referrers).ptr - rank);
  // The whole text: this one with the real `now` and counters, the referrals written between
  // the brackets, with commas, and the parts left out in place of their null or [].
  std::size_t size = rest_size - kPlaceholderNowText.size() + now_text.size() -
                     kPlaceholderBudget.size() + budget_spent.size() - 1 + rank_size +
                     (mine.empty() ? 0 : mine.size() - 1);
  if (!shares_read_) size += world_.customers()[referrer].shares_json.size();
  if (referrer_value != nullptr) size += referrer_size - kNull.size();
  for (Index r : mine) {
    const Parsed& p = parsed(r);
    if (p.value == nullptr) return false;
    size += p.text_size;
  }
  // The community and organisation read on their own: their value, or null to keep the rest's
  // (the null it has in their place).
  const RecordV* optional_values[2] = {nullptr, nullptr};
  const Optional* optionals[2] = {&community_, &organisation_};
  for (int i = 0; i < 2; ++i) {
    const Optional& o = *optionals[i];
    if (o.read == Read::in_rest) continue;
    const std::uint64_t token = i == 0 ? world_.community_token(referrer) : world_.organisation_token(referrer);
    if (token == World::kNoPart) continue;  // null, as in the rest
    Piece& kept = i == 0 ? communities_[referrer] : organisations_[referrer];
    if (!kept.done || kept.version != token) {
      piece_text_.clear();
      if (i == 0) {
        world_.community_json(referrer, piece_text_);
      } else {
        world_.organisation_json(referrer, piece_text_);
      }
      piece(kept, token, o.record, kPartDepth);
    }
    size += kept.text_size - kNull.size();
    optional_values[i] = kept.value;
    if (optional_values[i] == nullptr) return false;
  }
  whole_size_ = size;
  if (size > kMaxFactsBytes) return false;
  const RecordV* kept = same_rest ? rest.value : kept_record(rest, text_, 0, 1, fills);
  rest.by_shares = by_shares;
  rest.shares = shares;
  if (kept == nullptr) return false;
  // `now` as the loader reads it, and the campaign as it stands in the whole text (depth 2).
  if (!now_loads_) return false;
  const DateTime now_read = now_read_;
  const RecordV* campaign = nullptr;
  if (campaign_spent_slot_ >= 0) {
    out.reset();
    campaign = campaign_values(budget_spent, rewarded_referrers, out.arena);
    if (campaign == nullptr) return false;
  } else if (campaign_slot_ >= 0) {
    text_.assign(R"({"budget_spent":")");
    text_.append(budget_spent);
    text_.append(R"(","rewarded_referrers":)");
    text_.append(rank, rank_size);
    text_.push_back('}');
    out.reset();
    campaign = load_part(text_, campaign_record_, 2, out.arena);
    if (campaign == nullptr) return false;
  } else {
    out.reset();
  }
  // The root: the kept rest's fields, with this evaluation's campaign and referrals.
  Value* fields = out.arena.values(kept->size);
  std::copy(kept->fields, kept->fields + kept->size, fields);
  Value* items = out.arena.values(mine.size());
  for (std::size_t i = 0; i < mine.size(); ++i) items[i] = parsed_[mine[i]].value;
  ListV* list = out.arena.list();
  list->items = items;
  list->size = static_cast<std::uint32_t>(mine.size());
  fields[referrals_slot_] = static_cast<const ListV*>(list);
  if (campaign_slot_ >= 0) fields[campaign_slot_] = campaign;
  for (int i = 0; i < 2; ++i) {
    if (optional_values[i] != nullptr) fields[optionals[i]->slot] = optional_values[i];
  }
  if (referrer_value != nullptr) fields[referrer_slot_] = referrer_value;
  RecordV* root = out.arena.record();
  root->fields = fields;
  root->size = kept->size;
  root->record = kept->record;
  out.root = root;
  out.now = now_read;
  return true;
}

void FactsBuilder::grow_kept() {
  const std::size_t n = world_.customers().size();
  rests_.resize(n);
  communities_.resize(n);
  organisations_.resize(n);
}

const RecordV* FactsBuilder::kept_record(Kept& kept, std::string_view text, int record, std::size_t depth,
                                         std::uint64_t caller_fills) {
  // The fields left to the caller are part of what the kept value stands for.
  if (kept.done && kept.text == text && kept.caller_fills == caller_fills) return kept.value;
  if (kept.done) live_bytes_ -= kept.bytes;
  const std::size_t start = arena_.bytes_used();
  const RecordV* value = load_part(text, record, depth, arena_, caller_fills);
  kept.done = true;
  kept.caller_fills = caller_fills;
  kept.text.assign(text);
  kept.value = value;
  kept.bytes = arena_.bytes_used() - start;
  live_bytes_ += kept.bytes;
  return value;
}

const FactsBuilder::Parsed& FactsBuilder::parsed(Index referral) {
  if (parsed_.size() <= referral) parsed_.resize(world_.referrals().size());
  Parsed& p = parsed_[referral];
  const Referral& r = world_.referrals()[referral];
  const std::uint32_t version = r.version;
  if (p.done && p.version == version) return p;
  if (p.done && p.from_pieces && p.fields_version == r.fields_version) {
    const Piece& referee = customer_piece(r.referee);
    if (referee.value != nullptr && referee.value == p.referee) {
      p.version = version;
      p.text_size = p.size_but_referee + referee.text_size;
      return p;
    }
  }
  if (p.done) live_bytes_ -= p.bytes;
  p.done = true;
  p.version = version;
  p.from_pieces = false;
  const std::size_t start = arena_.bytes_used(), counted = counted_bytes_;
  p.value = referee_slot_ >= 0 ? referral_from_pieces(referral, p) : nullptr;
  if (p.value == nullptr) {
    const std::string& text = world_.referral_json(referral);
    const RecordV* value = load_part(text, referral_record_, kReferralDepth, arena_);
    p.value = value;
    p.text_size = text.size();
    // Kept parsed, the text is only needed again when the referral changes (or its referrer's
    // facts do not load from parts), and is then written anew.
    if (value != nullptr) world_.forget_referral_json(referral);
  }
  p.bytes = arena_.bytes_used() - start - (counted_bytes_ - counted);  // the pieces count their own
  live_bytes_ += p.bytes;
  return p;
}

const RecordV* FactsBuilder::referral_from_pieces(Index referral, Parsed& p) {
  const Referral& r = world_.referrals()[referral];
  if (!p.shell.done) {
    // Read once: it lives as long as the referral, counted as a piece.
    piece_text_.clear();
    world_.referral_shell_json(referral, piece_text_);
    const std::uint64_t fills = std::uint64_t{1} << referee_slot_ | std::uint64_t{1} << orders_slot_;
    piece(p.shell, 0, referral_record_, kReferralDepth, fills);
  }
  if (p.shell.value == nullptr) return nullptr;
  const Piece& referee = customer_piece(r.referee);
  if (referee.value == nullptr) return nullptr;
  const std::vector<Index>& orders = world_.customers()[r.referee].orders;
  if (orders.size() > kMaxFactsListItems) return nullptr;
  // The whole element: the shell with the referee in place of its null, the first order in place
  // of the other (if any), and the orders' array, with commas, in place of the third.
  std::size_t size = p.shell.text_size - kNull.size() + referee.text_size - kNull.size() + 2 +
                     (orders.empty() ? 0 : orders.size() - 1);
  Value* items = arena_.values(orders.size());
  for (std::size_t i = 0; i < orders.size(); ++i) {
    const Piece& o = order_piece(orders[i]);
    if (o.value == nullptr) return nullptr;
    items[i] = o.value;
    size += o.text_size;
  }
  const RecordV* shell = p.shell.value;
  Value* fields = arena_.values(shell->size);
  std::copy(shell->fields, shell->fields + shell->size, fields);
  fields[referee_slot_] = referee.value;
  if (!orders.empty()) {
    fields[first_order_slot_] = items[0];
    size += order_pieces_[orders[0]].text_size - kNull.size();
  }
  ListV* list = arena_.list();
  list->items = items;
  list->size = static_cast<std::uint32_t>(orders.size());
  fields[orders_slot_] = static_cast<const ListV*>(list);
  RecordV* record = arena_.record();
  record->fields = fields;
  record->size = shell->size;
  record->record = shell->record;
  p.text_size = size;
  // Only where the referee's counters are written in place does the record stay current.
  p.from_pieces = counters_.as_values;
  p.fields_version = r.fields_version;
  p.referee = referee.value;
  p.size_but_referee = size - referee.text_size;
  return record;
}

const FactsBuilder::Piece& FactsBuilder::customer_piece(Index c) {
  if (customer_pieces_.size() <= c) customer_pieces_.resize(world_.customers().size());
  Piece& kept = customer_pieces_[c];
  const std::uint32_t version = world_.customers()[c].version;
  if (kept.done && kept.version == version) return kept;
  if (counter_fields_ != 0) {
    if (kept.done) live_bytes_ -= kept.bytes;
    const std::size_t start = arena_.bytes_used(), counted = counted_bytes_;
    std::size_t size = 0;
    const RecordV* value = customer_from_parts(c, size);
    if (value != nullptr) {
      // Not the record part's bytes: it counts its own.
      kept = Piece{true, version, value, size, arena_.bytes_used() - start - (counted_bytes_ - counted)};
      live_bytes_ += kept.bytes;
      counted_bytes_ += kept.bytes;
      return kept;
    }
    // What it took of the arena is outdated already: counted, but not live.
    counted_bytes_ += arena_.bytes_used() - start - (counted_bytes_ - counted);
    kept.done = false;
  }
  piece_text_.clear();
  world_.customer_json(c, piece_text_);
  return piece(kept, version, customer_record_, kReferralDepth + 1);
}

// The loader reads each field of an object on its own, so the record's fields read from one text
// and the counters from another are those of the whole: `{` + record_json (its fields, each with
// a comma after) + the counters without their `{`. record_json never holds a counter's key (the
// event reader moves those to Event::counters), so the whole has no key twice that the parts
// do not.
const RecordV* FactsBuilder::customer_from_parts(Index c, std::size_t& text_size) {
  const Customer& k = world_.customers()[c];
  if (customer_records_.size() <= c) customer_records_.resize(world_.customers().size());
  Piece& record = customer_records_[c];
  if (!record.done || record.version != k.record_version) {
    piece_text_.assign("{");
    piece_text_.append(k.record_json.data(), k.record_json.empty() ? 0 : k.record_json.size() - 1);
    piece_text_.push_back('}');
    piece(record, k.record_version, customer_record_, kReferralDepth + 1, counter_fields_);
  }
  if (record.value == nullptr) return nullptr;
  piece_text_.clear();
  world_.customer_counters_json(c, piece_text_);
  const RecordV* base = record.value;
  text_size = k.record_json.size() + piece_text_.size();
  // Made as values, the counters are written over the last ones, in the record part's own
  // fields: the record (wherever it stands as a referee or the referrer) takes no more memory
  // as they move. Everything that holds it is put together again, as its version moved.
  if (counters_.as_values) return set_counters(k, *base) ? base : nullptr;
  const RecordV* counters = load_part(piece_text_, customer_record_, kReferralDepth + 1, arena_, other_fields_);
  if (counters == nullptr) return nullptr;
  // The counters' record, just made, takes the record's other fields: no third copy.
  if (counters->size != base->size) return nullptr;
  Value* fields = const_cast<Value*>(counters->fields);
  for (std::uint32_t i = 0; i < base->size; ++i) {
    if (((counter_fields_ >> i) & 1u) == 0) fields[i] = base->fields[i];
  }
  // Its other fields being the record part's values, it stands for the record part from now on,
  // which is not kept twice: the record part's array of fields is outdated (the arena keeps it
  // until it is collected), what its fields point to (texts, lists) is not.
  const std::size_t outdated = std::min(record.bytes, sizeof(Value) * base->size + sizeof(RecordV));
  live_bytes_ -= outdated;
  record.bytes -= outdated;
  record.value = counters;
  return counters;
}

// What the loader reads from World::customer_counters_json, written into `record`'s counter
// fields: the whole numbers as they are, the spend and the last order's time read back from the
// text they are written as (so with the same scale and offset). False, with nothing written,
// where that does not load (no last order for a required field).
bool FactsBuilder::set_counters(const Customer& k, const RecordV& record) {
  const CustomerCounters c = World::counters(k);
  Value last_order;
  if (counters_.last_order >= 0) {
    if (c.last_order_at) {
      time_text_.clear();
      append_datetime(time_text_, *c.last_order_at);
      DateTime t;
      std::string problem;
      if (!parse_datetime(time_text_, *ctx_.zone, t, problem)) return false;
      last_order = t;
    } else if (!counters_.last_order_optional) {
      return false;
    }
  }
  Value spend;
  if (counters_.spend >= 0) {
    Decimal read;
    char digits[kDecimalBufferSize];
    if (parse_decimal(std::string_view(digits, write_decimal(c.spend, digits)), read) != DecimalError::none) {
      return false;
    }
    spend = Money{read, ctx_.currency_unit};
  }
  Value* fields = const_cast<Value*>(record.fields);
  if (counters_.orders >= 0) fields[counters_.orders] = c.orders;
  if (counters_.shares >= 0) fields[counters_.shares] = c.shares;
  if (counters_.spend >= 0) fields[counters_.spend] = spend;
  if (counters_.last_order >= 0) fields[counters_.last_order] = last_order;
  return true;
}

const FactsBuilder::Piece& FactsBuilder::order_piece(Index o) {
  if (order_pieces_.size() <= o) order_pieces_.resize(world_.orders().size());
  Piece& kept = order_pieces_[o];
  if (kept.done && kept.version == world_.orders()[o].version) return kept;
  piece_text_.clear();
  world_.order_json(o, piece_text_);
  return piece(kept, world_.orders()[o].version, order_record_, kReferralDepth + 2);
}

const FactsBuilder::Piece& FactsBuilder::piece(Piece& kept, std::uint64_t version, int record, std::size_t depth,
                                               std::uint64_t caller_fills) {
  if (kept.done) live_bytes_ -= kept.bytes;
  const std::size_t start = arena_.bytes_used();
  const RecordV* value = load_part(piece_text_, record, depth, arena_, caller_fills);
  kept = Piece{true, version, value, piece_text_.size(), arena_.bytes_used() - start};
  live_bytes_ += kept.bytes;
  counted_bytes_ += kept.bytes;
  return kept;
}

const RecordV* FactsBuilder::load_part(std::string_view text, int record, std::size_t depth, Arena& arena,
                                       std::uint64_t caller_fills) {
  part_errors_.clear();
  const RecordV* value = nullptr;
  if (!load_facts_json_record(text, ctx_, record, depth, arena, value, part_errors_, caller_fills)) return nullptr;
  return value;
}

// What the loader reads from {"budget_spent":"<spent>","rewarded_referrers":<rank>}: the amount
// as written, in the policy's currency, and the count; null when it would not load.
const RecordV* FactsBuilder::campaign_values(std::string_view budget_spent, std::uint64_t rewarded_referrers,
                                             Arena& arena) const {
  Decimal spent;
  if (parse_decimal(budget_spent, spent) != DecimalError::none) return nullptr;
  if (rewarded_referrers > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) return nullptr;
  Value* fields = arena.values(2);
  fields[campaign_spent_slot_] = Money{spent, ctx_.currency_unit};
  fields[campaign_rank_slot_] = static_cast<std::int64_t>(rewarded_referrers);
  RecordV* r = arena.record();
  r->fields = fields;
  r->size = 2;
  r->record = campaign_record_;
  return r;
}

std::uint64_t counter_fields(const RecordInfo& info) {
  if (info.fields.size() > 64) return ~std::uint64_t{0};
  std::uint64_t mask = 0;
  for (std::string_view name : kCounterFields) {
    const int i = info.index_of(name);
    if (i >= 0) mask |= std::uint64_t{1} << i;
  }
  return mask;
}

void FactsBuilder::collect() {
  const std::size_t used = arena_.bytes_used();
  if (used < collect_bytes_ || used < 2 * live_bytes_) return;
  arena_.reset();
  for (Parsed& p : parsed_) p = Parsed{};
  for (std::vector<Piece>* all :
       {&customer_pieces_, &order_pieces_, &customer_records_, &communities_, &organisations_}) {
    for (Piece& k : *all) k = Piece{};
  }
  for (Kept& k : rests_) k = Kept{};
  live_bytes_ = 0;
}

}  // namespace refpol::sim
