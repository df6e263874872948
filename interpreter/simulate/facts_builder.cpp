// FactsBuilder (facts_builder.hpp). Why the result is the one of the whole text: the loader reads
// each element of `referrals` on its own, at its own depth, into values that point nowhere else,
// so reading an element alone (load_facts_json_record, at the same depth) gives the same values,
// and an element that fails alone fails in place. Whatever else could differ is checked here
// first (the size limit, the item limit); any failure goes through the whole text again, so its
// errors are the ones the whole text gives.
#include "interpreter/simulate/facts_builder.hpp"

#include <algorithm>
#include <charconv>

namespace refpol::sim {

namespace {
// An element of `referrals` stands in the root object (1) and its array (2).
constexpr std::size_t kReferralDepth = 3;
// The parsed referrals are dropped together when outdated ones take most of an arena past this.
constexpr std::size_t kCollectBytes = 64 * 1024 * 1024;
// What the kept rest of a document is written with in place of `now` and the counters.
const DateTime kPlaceholderNow{0, 0};
const std::string kPlaceholderNowText = to_string(kPlaceholderNow);
constexpr std::string_view kPlaceholderBudget = "0";
}  // namespace

FactsBuilder::FactsBuilder(const FactsContext& ctx, World& world) : ctx_(ctx), world_(world) {
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
    }
  }
}

bool FactsBuilder::build(Index referrer, const DateTime& now, std::string_view budget_spent,
                         std::uint64_t rewarded_referrers, FactsDocument& out,
                         std::vector<FactsError>& errors) {
  const std::size_t before = errors.size();
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
  // The document with placeholders for `now` and the campaign's two counters, which are the only
  // parts that change at every evaluation; they are read on their own below.
  world_.facts_json(referrer, kPlaceholderNow, kPlaceholderBudget, 0, text_, World::Referrals::left_empty);
  const std::string now_text = to_string(now);
  char rank[24];
  const auto rank_size =
      static_cast<std::size_t>(std::to_chars(rank, rank + sizeof rank, rewarded_referrers).ptr - rank);
  // The whole text: this one with the real `now` and counters, and the referrals written between
  // the brackets, with commas.
  std::size_t size = text_.size() - kPlaceholderNowText.size() + now_text.size() -
                     kPlaceholderBudget.size() + budget_spent.size() - 1 + rank_size +
                     (mine.empty() ? 0 : mine.size() - 1);
  for (Index r : mine) {
    const Parsed& p = parsed(r);
    if (p.value == nullptr) return false;
    size += p.text_size;
  }
  if (size > kMaxFactsBytes) return false;
  const RecordV* kept = rest(referrer, text_);
  if (kept == nullptr) return false;
  // `now` as the loader reads it, and the campaign as it stands in the whole text (depth 2).
  DateTime now_read;
  std::string problem;
  if (!parse_datetime(now_text, *ctx_.zone, now_read, problem)) return false;
  const RecordV* campaign = nullptr;
  if (campaign_slot_ >= 0) {
    text_.assign(R"({"budget_spent":")");
    text_.append(budget_spent);
    text_.append(R"(","rewarded_referrers":)");
    text_.append(rank, rank_size);
    text_.push_back('}');
    part_errors_.clear();
    out.reset();
    if (!load_facts_json_record(text_, ctx_, campaign_record_, 2, out.arena, campaign, part_errors_)) {
      return false;
    }
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
  RecordV* root = out.arena.record();
  root->fields = fields;
  root->size = kept->size;
  root->record = kept->record;
  out.root = root;
  out.now = now_read;
  return true;
}

const RecordV* FactsBuilder::rest(Index referrer, std::string_view text) {
  if (rests_.size() <= referrer) rests_.resize(world_.customers().size());
  Rest& r = rests_[referrer];
  if (r.done && r.text == text) return r.value;
  if (r.done) live_bytes_ -= r.bytes;
  const std::size_t start = arena_.bytes_used();
  part_errors_.clear();
  const RecordV* value = nullptr;
  if (!load_facts_json_record(text, ctx_, 0, 1, arena_, value, part_errors_)) value = nullptr;
  r.done = true;
  r.text.assign(text);
  r.value = value;
  r.bytes = arena_.bytes_used() - start;
  live_bytes_ += r.bytes;
  return value;
}

const FactsBuilder::Parsed& FactsBuilder::parsed(Index referral) {
  if (parsed_.size() <= referral) parsed_.resize(world_.referrals().size());
  Parsed& p = parsed_[referral];
  const std::uint32_t version = world_.referrals()[referral].version;
  if (p.done && p.version == version) return p;
  const std::string& text = world_.referral_json(referral);
  if (p.done) live_bytes_ -= p.bytes;
  const std::size_t start = arena_.bytes_used();
  part_errors_.clear();
  const RecordV* value = nullptr;
  if (!load_facts_json_record(text, ctx_, referral_record_, kReferralDepth, arena_, value,
                              part_errors_)) {
    value = nullptr;
  }
  p = Parsed{true, version, value, text.size(), arena_.bytes_used() - start};
  live_bytes_ += p.bytes;
  // Kept parsed, the text is only needed again when the referral changes (or its referrer's
  // facts do not load from parts), and is then written anew.
  if (value != nullptr) world_.forget_referral_json(referral);
  return p;
}

void FactsBuilder::collect() {
  const std::size_t used = arena_.bytes_used();
  if (used < kCollectBytes || used < 2 * live_bytes_) return;
  arena_.reset();
  for (Parsed& p : parsed_) p = Parsed{};
  for (Rest& r : rests_) r = Rest{};
  live_bytes_ = 0;
}

}  // namespace refpol::sim
