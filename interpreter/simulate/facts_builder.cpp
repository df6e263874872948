// FactsBuilder (facts_builder.hpp). Why the result is the one of the whole text: the loader reads
// each element of `referrals` on its own, at its own depth, into values that point nowhere else,
// so reading an element alone (load_facts_json_record, at the same depth) gives the same values,
// and an element that fails alone fails in place. Whatever else could differ is checked here
// first (the size limit, the item limit); any failure goes through the whole text again, so its
// errors are the ones the whole text gives.
#include "interpreter/simulate/facts_builder.hpp"

namespace refpol::sim {

namespace {
// An element of `referrals` stands in the root object (1) and its array (2).
constexpr std::size_t kReferralDepth = 3;
// The parsed referrals are dropped together when outdated ones take most of an arena past this.
constexpr std::size_t kCollectBytes = 64 * 1024 * 1024;
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
}

bool FactsBuilder::build(Index referrer, const DateTime& now, std::string_view budget_spent,
                         std::uint64_t rewarded_referrers, FactsDocument& out,
                         std::vector<FactsError>& errors) {
  const std::size_t before = errors.size();
  if (referrals_slot_ >= 0 &&
      build_from_parts(referrer, now, budget_spent, rewarded_referrers, out, errors)) {
    return true;
  }
  errors.resize(before);
  world_.facts_json(referrer, now, budget_spent, rewarded_referrers, text_);
  return load_facts_json(text_, ctx_, out, errors);
}

bool FactsBuilder::build_from_parts(Index referrer, const DateTime& now,
                                    std::string_view budget_spent, std::uint64_t rewarded_referrers,
                                    FactsDocument& out, std::vector<FactsError>& errors) {
  collect();
  const std::vector<Index>& mine = world_.customers()[referrer].referrals;
  if (mine.size() > kMaxFactsListItems) return false;
  world_.facts_json(referrer, now, budget_spent, rewarded_referrers, text_,
                    World::Referrals::left_empty);
  // The whole text: this one with the referrals written between the brackets, with commas.
  std::size_t size = text_.size() + (mine.empty() ? 0 : mine.size() - 1);
  for (Index r : mine) {
    const Parsed& p = parsed(r);
    if (p.value == nullptr) return false;
    size += p.text_size;
  }
  if (size > kMaxFactsBytes) return false;
  if (!load_facts_json(text_, ctx_, out, errors)) return false;
  Value* items = out.arena.values(mine.size());
  for (std::size_t i = 0; i < mine.size(); ++i) items[i] = parsed_[mine[i]].value;
  ListV* list = out.arena.list();
  list->items = items;
  list->size = static_cast<std::uint32_t>(mine.size());
  // The root's fields were just allocated, writable, in `out.arena`; only the record type that
  // hands them to the evaluator is const.
  const_cast<Value*>(out.root->fields)[referrals_slot_] = static_cast<const ListV*>(list);
  return true;
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
  live_bytes_ = 0;
}

}  // namespace refpol::sim
