// IdTable (id_table.hpp): linear probing from the high bits of the hash, which the slot keeps
// (as its tag): growing reads the slots in order and writes them in nearly the same order, and
// needs neither the ids nor their hashes again.
#include "interpreter/simulate/id_table.hpp"

#include <cstring>

#include "interpreter/simulate/huge_pages.hpp"

namespace refpol::sim {

// Eight bytes at a time, then murmur3's finaliser so that ids differing in one digit land far
// apart. Ids are short (`E1234567`, `C-98765`), so this is a few multiplications.
std::uint64_t IdTable::hash_id(std::string_view id) {
  constexpr std::uint64_t kOdd = 0x9E3779B97F4A7C15ull;
  std::uint64_t h = (id.size() + 1) * kOdd;
  const char* p = id.data();
  std::size_t n = id.size();
  auto take = [&](std::uint64_t word) {
    h = (h ^ word) * kOdd;
    h ^= h >> 29;
  };
  for (; n >= 8; p += 8, n -= 8) {
    std::uint64_t word;
    std::memcpy(&word, p, 8);
    take(word);
  }
  if (n > 0) {
    std::uint64_t word = 0;
    std::memcpy(&word, p, n);
    take(word);
  }
  h ^= h >> 33;
  h *= 0xFF51AFD7ED558CCDull;
  h ^= h >> 33;
  h *= 0xC4CEB9FE1A85EC53ull;
  h ^= h >> 33;
  return h;
}

std::uint64_t IdTable::prefix_of(std::string_view id) {
  std::uint64_t prefix = 0;
  if (!id.empty()) std::memcpy(&prefix, id.data(), id.size() < 8 ? id.size() : 8);
  return prefix;
}

std::uint32_t IdTable::find(std::string_view id) const {
  if (slots_.empty()) return kMissing;
  const std::uint32_t tag = tag_of(hash_(id), id.size());
  const std::uint64_t prefix = prefix_of(id);
  const std::size_t mask = slots_.size() - 1;
  for (std::size_t i = tag >> shift_;; i = (i + 1) & mask) {
    const Slot& s = slots_[i];
    if (s.n == kMissing) return kMissing;
    if (s.tag == tag && holds(s, id, prefix)) return s.n;
  }
}

std::uint32_t IdTable::insert(std::string_view id, bool& added) {
  if ((ends_.size() + 1) * 2 > slots_.size()) grow();
  const std::uint32_t tag = tag_of(hash_(id), id.size());
  const std::uint64_t prefix = prefix_of(id);
  const std::size_t mask = slots_.size() - 1;
  std::size_t i = tag >> shift_;
  for (;; i = (i + 1) & mask) {
    const Slot& s = slots_[i];
    if (s.n == kMissing) break;
    if (s.tag == tag && holds(s, id, prefix)) {
      added = false;
      return s.n;
    }
  }
  const auto n = static_cast<std::uint32_t>(ends_.size());
  slots_[i] = Slot{tag, n, prefix};
  text_.append(id);
  ends_.push_back(text_.size());
  added = true;
  return n;
}

void IdTable::grow() {
  const std::size_t size = slots_.empty() ? 16 : slots_.size() * 2;
  std::vector<Slot> slots;
  // A large table is marked for huge pages before it is first written (huge_pages.hpp).
  slots.reserve(size);
  if (size * sizeof(Slot) >= kHugePageBytes) advise_huge_pages(slots.data(), size * sizeof(Slot));
  slots.assign(size, Slot{0, kMissing, 0});
  const int shift = slots_.empty() ? 28 : shift_ - 1;  // 16 slots: the tag's top 4 bits
  const std::size_t mask = slots.size() - 1;
  for (const Slot& s : slots_) {
    if (s.n == kMissing) continue;
    std::size_t i = s.tag >> shift;
    while (slots[i].n != kMissing) i = (i + 1) & mask;
    slots[i] = s;
  }
  slots_.swap(slots);
  shift_ = shift;
}

}  // namespace refpol::sim
