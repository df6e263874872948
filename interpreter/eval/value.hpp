// Runtime values: a small trivially-copyable variant (Boost.Variant2). Strings, lists and records
// point into the arena of the facts document or the program that owns them.
#pragma once
#include <boost/variant2/variant.hpp>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "interpreter/eval/decimal.hpp"
#include "interpreter/eval/time.hpp"

namespace refpol {

struct Absent {
  bool operator==(const Absent&) const { return true; }
};

// An amount with a unit: a currency (`CNY`), `points` or `MB`. Units are interned per program.
struct Money {
  Decimal amount;
  std::uint16_t unit = 0;
};

struct Str {
  const char* data = nullptr;
  std::uint32_t size = 0;
  std::string_view view() const { return {data, size}; }
};

struct ListV;
struct RecordV;
struct RangeV;

using Value = boost::variant2::variant<Absent, bool, std::int64_t, Decimal, Money, Str, Date, DateTime,
                                       Duration, const ListV*, const RecordV*, const RangeV*>;

// Indexes of the alternatives, for switch statements on Value::index().
enum ValueIndex : std::size_t {
  kAbsent = 0,
  kBool,
  kInt,
  kDecimal,
  kMoney,
  kString,
  kDate,
  kDateTime,
  kDuration,
  kList,
  kRecord,
  kRange,
};

// The alternative at index I, for code that has just checked `v.index() == I`.
template <std::size_t I>
inline const auto& unsafe_get(const Value& v) {
  return *boost::variant2::get_if<I>(&v);
}

struct ListV {
  const Value* items = nullptr;
  std::uint32_t size = 0;
};

// A record's fields are stored by slot: the field's index in its schema record.
struct RecordV {
  const Value* fields = nullptr;
  std::uint32_t size = 0;
  std::int32_t record = -1;  // index in the schema
};

struct RangeV {
  Value first;
  Value last;
};

// Owns the memory behind strings, lists, records and ranges. Reset between documents so a
// stream of facts reuses its blocks instead of allocating for each.
class Arena {
 public:
  Arena() = default;
  Arena(const Arena&) = delete;
  Arena& operator=(const Arena&) = delete;

  Value* values(std::size_t n);
  Str string(std::string_view text);
  RecordV* record();
  ListV* list();
  RangeV* range();
  void reset();
  std::size_t bytes_used() const { return used_total_; }

 private:
  void* allocate(std::size_t bytes, std::size_t align);
  // A small document lives entirely in this inline block, next to its owner: one cache miss to
  // reach it instead of three, when many documents are held at once.
  static constexpr std::size_t kInlineBytes = 512;
  alignas(16) std::byte inline_[kInlineBytes];
  std::size_t inline_used_ = 0;
  struct Block {
    std::unique_ptr<std::byte[]> data;
    std::size_t size = 0;
  };
  std::vector<Block> blocks_;
  std::size_t current_ = 0;  // block in use
  std::size_t offset_ = 0;   // within it
  std::size_t used_total_ = 0;
};

}  // namespace refpol
