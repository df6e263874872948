// Transparent huge pages for a long replay's memory. A million-event replay takes about 900 MB,
// touched 4 KB at a time: a quarter of a million page faults, a fifth of its time on a virtual
// machine. The kernel (in its usual `madvise` mode) gives 2 MB pages to memory marked for them;
// glibc's malloc marks none unless the process starts with GLIBC_TUNABLES set, which a program can
// only do by starting itself again (and which a debugger or valgrind then no longer follows). So a
// replay marks its heap itself: HugePageHeap grows it in large steps and marks what it grew by,
// and buffers too large for the heap are marked where they are made (advise_huge_pages). The
// marks are only hints: where the kernel has no huge pages they do nothing, though the heap still
// grows in large steps.
#pragma once
#include <cstddef>
#include <cstdint>

namespace refpol::sim {

// Marks [p, p + bytes) as wanting huge pages: the 2 MB-aligned pages wholly inside it, which
// should not have been written yet (pages written before are left as they are). False when the
// kernel refused (or has no huge pages) or nothing of the range was aligned.
bool advise_huge_pages(void* p, std::size_t bytes);

// A huge page (x86-64, and arm64 with 4 KB pages); also the size from which a buffer is worth
// marking on its own.
inline constexpr std::size_t kHugePageBytes = std::size_t{2} << 20;

class HugePageHeap {
 public:
  // Has malloc grow its heap at least `step` bytes at a time (at most 2 GB - 1, and a 64th of
  // the address-space limit where there is one), and blocks up to
  // its limit (32 MB on 64 bits) come from it. Process-wide and kept: for a command that runs one
  // replay. Does nothing but on Linux with glibc.
  explicit HugePageHeap(std::size_t step = std::size_t{256} << 20);
  HugePageHeap(const HugePageHeap&) = delete;
  HugePageHeap& operator=(const HugePageHeap&) = delete;
  // Marks what the heap grew by since the last call, once it grew by a huge page or more (and
  // again after it shrank and grew back). Cheap enough to call for every event: it reads the
  // heap's end and mostly returns.
  void poll();
  // Bytes marked so far (for tests).
  std::size_t advised() const { return advised_bytes_; }

 private:
  std::uintptr_t marked_end_ = 0;  // the heap below this is marked (or was there before)
  std::size_t advised_bytes_ = 0;
};

}  // namespace refpol::sim
