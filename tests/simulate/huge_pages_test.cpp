// HugePageHeap and advise_huge_pages: the marks land on the memory they are meant for, and only
// there, as the kernel reports them in /proc/self/smaps (VmFlags `hg`). Skipped where the kernel
// has no transparent huge pages (madvise would refuse everything), and the heap's tests without
// glibc or under AddressSanitizer, whose malloc has no brk heap.
#include <gtest/gtest.h>

#include <climits>
#include <cstdint>
#include <fstream>
#include <iterator>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "interpreter/simulate/huge_pages.hpp"

#if defined(__linux__)
#include <sys/mman.h>
#include <unistd.h>
#if defined(__GLIBC__)
#include <malloc.h>
#define REFPOL_TEST_GLIBC_HEAP 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#undef REFPOL_TEST_GLIBC_HEAP
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#undef REFPOL_TEST_GLIBC_HEAP
#endif
#endif

namespace refpol::sim {
namespace {

#if defined(__linux__)

bool kernel_has_huge_pages() {
  std::ifstream in("/sys/kernel/mm/transparent_hugepage/enabled");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return !text.empty() && text.find("[never]") == std::string::npos;
}

// Whether the mapping holding `p` is marked for huge pages, by /proc/self/smaps.
bool marked(std::uintptr_t at) {
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
bool marked(const void* p) { return marked(reinterpret_cast<std::uintptr_t>(p)); }

// `pages` huge pages of fresh memory starting on a huge-page boundary (`base`).
struct AlignedMapping {
  explicit AlignedMapping(std::size_t pages)
      : bytes((pages + 1) * kHugePageBytes),
        p(mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)) {
    if (p != MAP_FAILED) base = (reinterpret_cast<std::uintptr_t>(p) + kHugePageBytes - 1) & ~(kHugePageBytes - 1);
  }
  ~AlignedMapping() {
    if (p != MAP_FAILED) munmap(p, bytes);
  }
  void* at(std::size_t offset) const { return reinterpret_cast<void*>(base + offset); }
  std::size_t bytes;
  void* p;
  std::uintptr_t base = 0;
};

constexpr std::size_t kSmallPage = 4096;

TEST(HugePages, MarksOnlyTheWholeAlignedPagesInside) {
  if (!kernel_has_huge_pages()) GTEST_SKIP() << "no transparent huge pages here";
  AlignedMapping m(5);
  ASSERT_NE(m.p, MAP_FAILED);
  // From one small page past a boundary to one small page past the third boundary after it: the
  // two huge pages wholly inside are marked, the partial ones at either end are not.
  ASSERT_TRUE(advise_huge_pages(m.at(kSmallPage), 3 * kHugePageBytes));
  EXPECT_FALSE(marked(m.at(kSmallPage)));
  EXPECT_FALSE(marked(m.at(kHugePageBytes - 1)));
  EXPECT_TRUE(marked(m.at(kHugePageBytes)));
  EXPECT_TRUE(marked(m.at(3 * kHugePageBytes - 1)));
  EXPECT_FALSE(marked(m.at(3 * kHugePageBytes)));
}

TEST(HugePages, NothingToMarkWithoutAWholeAlignedPage) {
  if (!kernel_has_huge_pages()) GTEST_SKIP() << "no transparent huge pages here";
  AlignedMapping m(3);
  ASSERT_NE(m.p, MAP_FAILED);
  EXPECT_FALSE(advise_huge_pages(m.at(1), kHugePageBytes - 2));
  EXPECT_FALSE(advise_huge_pages(m.at(0), kHugePageBytes - 1));
  EXPECT_FALSE(advise_huge_pages(m.at(kSmallPage), kHugePageBytes));  // across a boundary
  EXPECT_FALSE(advise_huge_pages(nullptr, 8 * kHugePageBytes));
  EXPECT_FALSE(advise_huge_pages(reinterpret_cast<void*>(UINTPTR_MAX - kSmallPage), 8 * kHugePageBytes));
  EXPECT_FALSE(marked(m.at(0)));
  EXPECT_FALSE(marked(m.at(kHugePageBytes)));
  // The same memory can be marked: the refusals above were for the ranges, not the kernel.
  EXPECT_TRUE(advise_huge_pages(m.at(0), kHugePageBytes));
  EXPECT_TRUE(marked(m.at(0)));
}

#if defined(REFPOL_TEST_GLIBC_HEAP)

// Takes small blocks (as a replay's strings and records are) until the heap's end has moved
// `bytes` past where it was: what earlier tests freed there is taken first.
void grow_heap(std::vector<std::unique_ptr<char[]>>& blocks, std::size_t bytes) {
  const auto start = reinterpret_cast<std::uintptr_t>(sbrk(0));
  for (std::size_t taken = 0; reinterpret_cast<std::uintptr_t>(sbrk(0)) < start + bytes; taken += kSmallPage) {
    ASSERT_LT(taken, std::size_t{1} << 30) << "the heap does not grow";
    blocks.push_back(std::make_unique<char[]>(kSmallPage));
  }
}

// Of `n` blocks taken one after another, with a poll before each, how many lie in marked memory.
std::size_t marked_of_new_blocks(HugePageHeap& heap, std::vector<std::unique_ptr<char[]>>& blocks, int n) {
  std::size_t in_marked = 0;
  for (int i = 0; i < n; ++i) {
    heap.poll();
    blocks.push_back(std::make_unique<char[]>(64 * 1024));
    if (marked(blocks.back().get())) ++in_marked;
  }
  return in_marked;
}

TEST(HugePages, HeapGrowthIsMarked) {
  if (!kernel_has_huge_pages()) GTEST_SKIP() << "no transparent huge pages here";
  HugePageHeap heap(std::size_t{8} << 20);
  EXPECT_EQ(heap.advised(), 0u);
  heap.poll();  // nothing grew yet
  EXPECT_EQ(heap.advised(), 0u);
  std::vector<std::unique_ptr<char[]>> blocks;
  grow_heap(blocks, 4 * kHugePageBytes);
  heap.poll();
  EXPECT_GE(heap.advised(), kHugePageBytes);
  EXPECT_GT(marked_of_new_blocks(heap, blocks, 64), 0u);
}

TEST(HugePages, HeapGrownAgainAfterShrinkingIsMarked) {
  if (!kernel_has_huge_pages()) GTEST_SKIP() << "no transparent huge pages here";
  HugePageHeap heap(std::size_t{8} << 20);
  std::vector<std::unique_ptr<char[]>> blocks;
  grow_heap(blocks, 16 * kHugePageBytes);
  heap.poll();
  const std::size_t first = heap.advised();
  ASSERT_GE(first, kHugePageBytes);
  const auto high = reinterpret_cast<std::uintptr_t>(sbrk(0));
  blocks.clear();
  malloc_trim(0);  // gives the freed top of the heap back
  if (reinterpret_cast<std::uintptr_t>(sbrk(0)) + 4 * kHugePageBytes > high) GTEST_SKIP() << "the heap did not shrink";
  heap.poll();
  grow_heap(blocks, 8 * kHugePageBytes);
  heap.poll();
  EXPECT_GT(heap.advised(), first);
  EXPECT_GT(marked_of_new_blocks(heap, blocks, 64), 0u);
}

TEST(HugePages, AStepTooLargeForMallocStillLetsTheHeapGrow) {
  {
    HugePageHeap heap(std::size_t{3} << 30);  // more than mallopt's int holds (negative as an int)
    // Blocks until the heap grew (or, where the kernel refuses a step that large, until malloc
    // took its own mappings instead): none may fail.
    const auto start = reinterpret_cast<std::uintptr_t>(sbrk(0));
    std::vector<std::unique_ptr<char[]>> blocks;
    std::size_t taken = 0;
    EXPECT_NO_THROW({
      for (; taken < (std::size_t{64} << 20) && reinterpret_cast<std::uintptr_t>(sbrk(0)) < start + kHugePageBytes;
           taken += kSmallPage) {
        blocks.push_back(std::make_unique<char[]>(kSmallPage));
      }
    });
    EXPECT_GT(taken, 0u);
  }
  mallopt(M_TOP_PAD, 128 * 1024);  // glibc's default, for the tests after this one
}

#endif  // REFPOL_TEST_GLIBC_HEAP
#endif  // __linux__

}  // namespace
}  // namespace refpol::sim
