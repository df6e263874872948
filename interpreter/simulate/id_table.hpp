// Ids numbered 0, 1, 2 ... in the order they are first added: the event ids a replay has seen,
// and the world's customer, referral, order, community and organisation ids. A replay looks an
// id up for nearly every event, so this is one open-addressing table over one copy of the ids'
// bytes, with no allocation per id (std::unordered_map<std::string> took a node, and often a
// string, per id, and a cache miss to follow each).
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace refpol::sim {

class IdTable {
 public:
  using Hash = std::uint64_t (*)(std::string_view);
  static constexpr std::uint32_t kMissing = 0xFFFFFFFF;

  // `hash` is there for tests, which make ids collide on purpose.
  explicit IdTable(Hash hash = &hash_id) : hash_(hash) {}

  // The number of `id`, or kMissing.
  std::uint32_t find(std::string_view id) const;
  // The number of `id`, a new one (the next in order) when `added` comes back true.
  std::uint32_t insert(std::string_view id, bool& added);
  std::string_view id(std::uint32_t n) const {
    const std::size_t begin = n == 0 ? 0 : ends_[n - 1];
    return std::string_view(text_).substr(begin, ends_[n] - begin);
  }
  std::uint32_t size() const { return static_cast<std::uint32_t>(ends_.size()); }

  static std::uint64_t hash_id(std::string_view id);

 private:
  // A slot tells most ids apart without reading the ids' text (which lies elsewhere, a cache
  // miss away): ids of up to 8 bytes whole, longer ones by their first 8 bytes and length.
  struct Slot {
    std::uint32_t tag;     // the high bits of the id's hash (the top ones choose the slot) and,
                           // in the low 4, the id's length, or 15 for 15 bytes and more
    std::uint32_t n;       // kMissing: empty
    std::uint64_t prefix;  // the id's first 8 bytes, zero after its end
  };
  static std::uint32_t tag_of(std::uint64_t hash, std::size_t size) {
    return (static_cast<std::uint32_t>(hash >> 32) & ~std::uint32_t{0xF}) |
           static_cast<std::uint32_t>(size < 15 ? size : 15);
  }
  static std::uint64_t prefix_of(std::string_view id);
  // Whether the slot holds `id` (whose tag matched).
  bool holds(const Slot& s, std::string_view id, std::uint64_t prefix) const {
    return s.prefix == prefix && (id.size() <= 8 || this->id(s.n) == id);
  }
  void grow();

  Hash hash_;
  std::vector<Slot> slots_;         // a power of two, at most half full
  int shift_ = 32;                  // a tag's slot is tag >> shift_ (32 - log2 of the slots)
  std::string text_;                // every id, one after the other
  std::vector<std::uint64_t> ends_;  // by number: where its id ends in `text_`
};

}  // namespace refpol::sim
