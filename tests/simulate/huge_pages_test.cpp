// HugePageHeap and advise_huge_pages: the marks land on the memory they are meant for, as the
// kernel reports them in /proc/self/smaps (VmFlags `hg`). Skipped where the kernel has no
// transparent huge pages, and under AddressSanitizer, whose malloc has no brk heap.
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "interpreter/simulate/huge_pages.hpp"

#if defined(__SANITIZE_ADDRESS__)
#define REFPOL_TEST_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define REFPOL_TEST_ASAN 1
#endif
#endif

namespace refpol::sim {
namespace {

bool kernel_has_huge_pages() {
  std::ifstream in("/sys/kernel/mm/transparent_hugepage/enabled");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return !text.empty() && text.find("[never]") == std::string::npos;
}

// Whether the mapping holding `p` is marked for huge pages, by /proc/self/smaps.
bool marked(const void* p) {
  const auto at = reinterpret_cast<std::uintptr_t>(p);
  std::ifstream in("/proc/self/smaps");
  std::string line;
  bool inside = false;
  while (std::getline(in, line)) {
    std::uintptr_t lo = 0, hi = 0;
    char dash = 0;
    std::istringstream head(line);
    if (head >> std::hex >> lo >> dash >> hi && dash == '-') {
      inside = lo <= at && at < hi;
      continue;
    }
    if (inside && line.rfind("VmFlags:", 0) == 0) return line.find(" hg") != std::string::npos;
  }
  return false;
}

struct Mapping {
  explicit Mapping(std::size_t n) : bytes(n), p(mmap(nullptr, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)) {}
  ~Mapping() {
    if (p != MAP_FAILED) munmap(p, bytes);
  }
  std::size_t bytes;
  void* p;
};

TEST(HugePages, MarksTheAlignedPagesOfABuffer) {
  if (!kernel_has_huge_pages()) GTEST_SKIP() << "no transparent huge pages here";
  Mapping m(4 * kHugePageBytes);
  ASSERT_NE(m.p, MAP_FAILED);
  auto* bytes = static_cast<char*>(m.p);
  const auto first = (reinterpret_cast<std::uintptr_t>(bytes) + kHugePageBytes - 1) & ~(kHugePageBytes - 1);
  EXPECT_FALSE(marked(reinterpret_cast<void*>(first)));
  ASSERT_TRUE(advise_huge_pages(bytes, m.bytes));
  EXPECT_TRUE(marked(reinterpret_cast<void*>(first)));
  // The unaligned head of the buffer is left as it was.
  if (first != reinterpret_cast<std::uintptr_t>(bytes)) {
    EXPECT_FALSE(marked(bytes));
  }
}

TEST(HugePages, NothingToMarkInLessThanAnAlignedPage) {
  Mapping m(kHugePageBytes);
  ASSERT_NE(m.p, MAP_FAILED);
  auto* bytes = static_cast<char*>(m.p);
  // One byte past an aligned start leaves no whole aligned huge page inside.
  const auto aligned = (reinterpret_cast<std::uintptr_t>(bytes) + kHugePageBytes - 1) & ~(kHugePageBytes - 1);
  EXPECT_FALSE(advise_huge_pages(reinterpret_cast<void*>(aligned + 1), kHugePageBytes - 2));
  EXPECT_FALSE(advise_huge_pages(bytes, kHugePageBytes / 2));
  EXPECT_FALSE(advise_huge_pages(nullptr, 8 * kHugePageBytes));
}

TEST(HugePages, HeapGrowthIsMarked) {
#ifdef REFPOL_TEST_ASAN
  GTEST_SKIP() << "AddressSanitizer's malloc has no brk heap";
#else
  if (!kernel_has_huge_pages()) GTEST_SKIP() << "no transparent huge pages here";
  HugePageHeap heap(std::size_t{8} << 20);
  EXPECT_EQ(heap.advised(), 0u);
  heap.poll();  // nothing grew yet
  EXPECT_EQ(heap.advised(), 0u);
  // Small blocks, as a replay's strings and records are: they come from the heap, which grows
  // once what earlier tests freed there is taken.
  const auto start = reinterpret_cast<std::uintptr_t>(sbrk(0));
  std::vector<std::unique_ptr<char[]>> blocks;
  for (std::size_t taken = 0; reinterpret_cast<std::uintptr_t>(sbrk(0)) < start + 4 * kHugePageBytes; taken += 4096) {
    ASSERT_LT(taken, std::size_t{1} << 30) << "the heap does not grow";
    blocks.push_back(std::make_unique<char[]>(4096));
  }
  heap.poll();
  EXPECT_GE(heap.advised(), kHugePageBytes);
  // A block taken after the mark lies in marked memory.
  std::vector<std::unique_ptr<char[]>> later;
  std::size_t in_marked = 0;
  for (int i = 0; i < 64; ++i) {
    heap.poll();
    later.push_back(std::make_unique<char[]>(64 * 1024));
    if (marked(later.back().get())) ++in_marked;
  }
  EXPECT_GT(in_marked, 0u);
#endif
}

}  // namespace
}  // namespace refpol::sim
