// HugePageHeap and advise_huge_pages (huge_pages.hpp). glibc's own setting for this
// (glibc.malloc.hugetlb=1) does the same inside malloc: marks the heap after each time it grows.
#include "interpreter/simulate/huge_pages.hpp"

#if defined(__linux__) && defined(__GLIBC__)
#include <malloc.h>
#include <sys/mman.h>
#include <unistd.h>
#define REFPOL_HUGE_PAGES 1
#endif

namespace refpol::sim {

bool advise_huge_pages(void* p, std::size_t bytes) {
#ifdef REFPOL_HUGE_PAGES
  const auto begin = reinterpret_cast<std::uintptr_t>(p);
  const std::uintptr_t lo = (begin + kHugePageBytes - 1) & ~(kHugePageBytes - 1);
  const std::uintptr_t hi = (begin + bytes) & ~(kHugePageBytes - 1);
  if (p == nullptr || hi <= lo) return false;
  return ::madvise(reinterpret_cast<void*>(lo), hi - lo, MADV_HUGEPAGE) == 0;
#else
  (void)p;
  (void)bytes;
  return false;
#endif
}

HugePageHeap::HugePageHeap(std::size_t step) {
#ifdef REFPOL_HUGE_PAGES
  // Growing by `step` leaves most of each step untouched until after poll() has marked it.
  ::mallopt(M_TOP_PAD, static_cast<int>(step));
  // glibc's largest: blocks up to 32 MB come from the heap instead of their own mapping.
  ::mallopt(M_MMAP_THRESHOLD, 32 << 20);
  marked_end_ = reinterpret_cast<std::uintptr_t>(::sbrk(0));
#else
  (void)step;
#endif
}

void HugePageHeap::poll() {
#ifdef REFPOL_HUGE_PAGES
  const auto end = reinterpret_cast<std::uintptr_t>(::sbrk(0));
  if (end < marked_end_ + kHugePageBytes) return;
  // The last, partial huge page is marked with the next growth.
  const std::uintptr_t lo = (marked_end_ + kHugePageBytes - 1) & ~(kHugePageBytes - 1);
  const std::uintptr_t hi = end & ~(kHugePageBytes - 1);
  if (hi <= lo) return;
  if (advise_huge_pages(reinterpret_cast<void*>(lo), hi - lo)) advised_bytes_ += hi - lo;
  marked_end_ = hi;
#endif
}

}  // namespace refpol::sim
