// The arena behind runtime values: bump allocation in blocks that are kept across resets.
#include "interpreter/eval/value.hpp"

#include <cstring>
#include <new>

namespace refpol {

namespace {
// Blocks start small, so many small documents held at once stay small, and double up to a cap.
constexpr std::size_t kFirstBlockSize = 1024;
constexpr std::size_t kMaxBlockSize = 64 * 1024;
}

void* Arena::allocate(std::size_t bytes, std::size_t align) {
  if (current_ == 0 && offset_ == 0) {
    std::size_t start = (inline_used_ + align - 1) & ~(align - 1);
    if (start + bytes <= kInlineBytes) {
      inline_used_ = start + bytes;
      used_total_ += bytes;
      return inline_ + start;
    }
  }
  for (;;) {
    if (current_ < blocks_.size()) {
      Block& b = blocks_[current_];
      std::size_t start = (offset_ + align - 1) & ~(align - 1);
      if (start + bytes <= b.size) {
        offset_ = start + bytes;
        used_total_ += bytes;
        return b.data.get() + start;
      }
      ++current_;
      offset_ = 0;
      continue;
    }
    std::size_t grown = blocks_.empty() ? kFirstBlockSize : std::min(blocks_.back().size * 2, kMaxBlockSize);
    std::size_t size = std::max(grown, bytes + align);
    // Not zeroed: every byte handed out is written before it is read, and zeroing touched each
    // page of a large arena up front.
    blocks_.push_back(Block{std::make_unique_for_overwrite<std::byte[]>(size), size});
    current_ = blocks_.size() - 1;
    offset_ = 0;
  }
}

Value* Arena::values(std::size_t n) {
  if (n == 0) return nullptr;
  auto* p = static_cast<Value*>(allocate(sizeof(Value) * n, alignof(Value)));
  for (std::size_t i = 0; i < n; ++i) new (p + i) Value();
  return p;
}

Str Arena::string(std::string_view text) {
  if (text.empty()) return Str{"", 0};
  auto* p = static_cast<char*>(allocate(text.size(), 1));
  std::memcpy(p, text.data(), text.size());
  return Str{p, static_cast<std::uint32_t>(text.size())};
}

RecordV* Arena::record() { return new (allocate(sizeof(RecordV), alignof(RecordV))) RecordV(); }
ListV* Arena::list() { return new (allocate(sizeof(ListV), alignof(ListV))) ListV(); }
RangeV* Arena::range() { return new (allocate(sizeof(RangeV), alignof(RangeV))) RangeV(); }

void Arena::reset() {
  inline_used_ = 0;
  current_ = 0;
  offset_ = 0;
  used_total_ = 0;
}

}  // namespace refpol
