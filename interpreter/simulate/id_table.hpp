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
  struct Slot {
    std::uint32_t tag;  // the high half of the id's hash: its top bits choose the slot
    std::uint32_t n;    // kMissing: empty
  };
  void grow();

  Hash hash_;
  std::vector<Slot> slots_;         // a power of two, at most half full
  int shift_ = 32;                  // a tag's slot is tag >> shift_ (32 - log2 of the slots)
  std::string text_;                // every id, one after the other
  std::vector<std::uint64_t> ends_;  // by number: where its id ends in `text_`
};

}  // namespace refpol::sim
