// `refpol simulate` under a limit on its address space (ulimit -v): a replay that fits runs to
// the end (the heap's large growth steps of huge_pages.hpp shrink to fit the limit), and one that
// does not ends with an error that says where, never an abort. Not under AddressSanitizer, which
// reserves far more address space than any such limit.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "tests/support/test_support.hpp"

#if defined(__SANITIZE_ADDRESS__)
#define REFPOL_TEST_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define REFPOL_TEST_ASAN 1
#endif
#endif

namespace refpol {
namespace {

namespace fs = std::filesystem;
using testing::run_refpol;

constexpr std::size_t kMB = std::size_t{1} << 20;

// Where the history is, once a test has asked for it (only those tests write it: every other
// test of this binary runs in a process of its own and must not pay for it).
std::string& written_history() {
  static std::string path;
  return path;
}

// A 100,000-event history (about 100 MB to replay), written on first use; empty if that failed.
const std::string& history() {
  static const std::string path = [] {
    const fs::path file = fs::temp_directory_path() / ("refpol-memory-limit-" + std::to_string(::getpid()) + ".jsonl");
    const std::string command = std::string(REFPOL_GEN_HISTORY) +
                                " --events 100000 --customers 10000 --seed 42 > " + file.string();
    written_history() = file.string();
    if (std::system(command.c_str()) != 0) return std::string();
    return file.string();
  }();
  return path;
}

struct RemoveHistory : ::testing::Environment {
  void TearDown() override {
    std::error_code ec;
    if (!written_history().empty()) fs::remove(written_history(), ec);
  }
};

#ifndef REFPOL_TEST_ASAN

TEST(SimulateMemoryLimit, AReplayThatFitsTheLimitRunsToTheEnd) {
  ASSERT_FALSE(history().empty());
  // Without a limit the replay peaks at about 100 MB; 200 MB of address space leaves room for
  // the program itself, but not for a 256 MB growth step on top.
  auto r = run_refpol({"simulate", "--policy", "policies/old-friends/policy.refpol", "--events", history()}, "",
                      200 * kMB);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("\"evaluations\""), std::string::npos);
}

TEST(SimulateMemoryLimit, RunningOutOfMemoryIsAnErrorThatSaysWhere) {
  ASSERT_FALSE(history().empty());
  auto r = run_refpol({"simulate", "--policy", "policies/old-friends/policy.refpol", "--events", history()}, "",
                      80 * kMB);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("refpol: error: out of memory while "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("give it more memory"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("terminate"), std::string::npos) << r.err;
  EXPECT_TRUE(r.out.empty());
}

#endif  // REFPOL_TEST_ASAN

[[maybe_unused]] const auto* const kRemoveHistory = ::testing::AddGlobalTestEnvironment(new RemoveHistory);

}  // namespace
}  // namespace refpol
