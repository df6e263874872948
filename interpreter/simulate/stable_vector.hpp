// A vector whose elements never move: they live in chunks of a fixed size, so growing copies
// nothing. The world's customers are large (a dozen strings and vectors each); moving all of them
// at every doubling of a std::vector was 8 % of a replay's time.
#pragma once
#include <cstddef>
#include <memory>
#include <utility>
#include <vector>

namespace refpol::sim {

template <class T, std::size_t kChunk = 1024>
class StableVector {
  static_assert((kChunk & (kChunk - 1)) == 0, "a power of two, for cheap indexing");

 public:
  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  T& operator[](std::size_t i) { return chunks_[i / kChunk][i % kChunk]; }
  const T& operator[](std::size_t i) const { return chunks_[i / kChunk][i % kChunk]; }
  T& back() { return (*this)[size_ - 1]; }

  // Reading in order (`for (const T& x : v)`).
  class const_iterator {
   public:
    const_iterator(const StableVector* v, std::size_t i) : v_(v), i_(i) {}
    const T& operator*() const { return (*v_)[i_]; }
    const_iterator& operator++() {
      ++i_;
      return *this;
    }
    bool operator==(const const_iterator& o) const { return i_ == o.i_; }

   private:
    const StableVector* v_;
    std::size_t i_;
  };
  const_iterator begin() const { return const_iterator(this, 0); }
  const_iterator end() const { return const_iterator(this, size_); }

  // Chunks are made whole, of default elements: the next one is ready to be filled in.
  T& emplace_back() {
    if (size_ == chunks_.size() * kChunk) chunks_.push_back(std::make_unique<T[]>(kChunk));
    return (*this)[size_++];
  }
  T& push_back(T value) { return emplace_back() = std::move(value); }

 private:
  std::vector<std::unique_ptr<T[]>> chunks_;
  std::size_t size_ = 0;
};

}  // namespace refpol::sim
