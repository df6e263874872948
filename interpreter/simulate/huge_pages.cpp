// HugePageHeap and advise_huge_pages (huge_pages.hpp). glibc's own setting for this
// (glibc.malloc.hugetlb=1) does the same inside malloc: marks the heap after each time it grows.
#include "interpreter/simulate/huge_pages.hpp"

#include <algorithm>
#include <climits>

#if defined(__linux__)
#include <sys/mman.h>
#define REFPOL_MADVISE 1
#endif
#if defined(__linux__) && defined(__GLIBC__)
#include <malloc.h>
#include <sys/resource.h>
#include <unistd.h>
#define REFPOL_HUGE_HEAP 1
#endif

namespace refpol::sim {

namespace {
std::uintptr_t round_down(std::uintptr_t p) { return p & ~(kHugePageBytes - 1); }
std::uintptr_t round_up(std::uintptr_t p) { return (p + kHugePageBytes - 1) & ~(kHugePageBytes - 1); }
}  // namespace

bool advise_huge_pages(void* p, std::size_t bytes) {
#ifdef REFPOL_MADVISE
  const auto begin = reinterpret_cast<std::uintptr_t>(p);
  if (p == nullptr || bytes > UINTPTR_MAX - begin) return false;
  const std::uintptr_t lo = round_up(begin), hi = round_down(begin + bytes);
  if (hi <= lo) return false;
  return ::madvise(reinterpret_cast<void*>(lo), hi - lo, MADV_HUGEPAGE) == 0;
#else
  (void)p;
  (void)bytes;
  return false;
#endif
}

HugePageHeap::HugePageHeap(std::size_t step) {
#ifdef REFPOL_HUGE_HEAP
  // Growing by `step` leaves most of each step untouched until after poll() has marked it.
  // Under a limit on the address space (ulimit -v), a large step would make malloc fail long
  // before memory runs out (glibc asks for the whole step, also when it falls back to mmap): the
  // step is then at most a 64th of the limit. mallopt takes an int, and a negative pad stops the
  // heap from growing at all.
  rlimit limit{};
  if (::getrlimit(RLIMIT_AS, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY) {
    step = std::min<std::size_t>(step, static_cast<std::size_t>(limit.rlim_cur / 64));
  }
  ::mallopt(M_TOP_PAD, static_cast<int>(std::min<std::size_t>(step, INT_MAX)));
  // glibc's largest on 64 bits (its limit is 4 MB times the size of a long): blocks up to this
  // size come from the heap instead of a mapping of their own.
  ::mallopt(M_MMAP_THRESHOLD, static_cast<int>(4 * 1024 * 1024 * sizeof(long)));
  marked_end_ = reinterpret_cast<std::uintptr_t>(::sbrk(0));
#else
  (void)step;
#endif
}

void HugePageHeap::poll() {
#ifdef REFPOL_HUGE_HEAP
  const auto end = reinterpret_cast<std::uintptr_t>(::sbrk(0));
  // The heap shrank (malloc gave memory at its top back): what grows there again is unmarked.
  if (end < marked_end_) marked_end_ = round_down(end);
  if (end < marked_end_ + kHugePageBytes) return;
  // The last, partial huge page is marked with the next growth.
  const std::uintptr_t lo = round_up(marked_end_), hi = round_down(end);
  if (hi <= lo) return;
  if (advise_huge_pages(reinterpret_cast<void*>(lo), hi - lo)) advised_bytes_ += hi - lo;
  marked_end_ = hi;
#endif
}

}  // namespace refpol::sim
