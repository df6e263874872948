// Regression (limits audit): a `*.test.yaml` file could use YAML aliases. yaml-cpp shares an
// aliased node rather than copying it, so loading was quick, but `refpol test` then expanded
// them: an expected output of ten nested aliases (10^10 values) was printed in full for the
// failure message and never finished, and the same in `facts:` built 16 MiB of text before the
// facts loader refused it. Test files now refuse aliases at load time, as facts files do.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "interpreter/testing/test_file.hpp"
#include "tests/support/test_support.hpp"

namespace refpol {
namespace {

namespace fs = std::filesystem;

// Ten anchors, each a list of ten aliases of the one before, inside the first case's facts.
std::string bomb(bool in_outputs) {
  std::string text =
      "policy: " + (testing::source_dir() / "tests/testing/fixtures/shop/policy.refpol").string() +
      "\nnow: 2027-01-10T12:00:00+08:00\ncases:\n  - name: bomb\n    facts:\n";
  text += "      l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n";
  for (int i = 1; i < 10; ++i) {
    text += "      l" + std::to_string(i) + ": &l" + std::to_string(i) + " [";
    for (int k = 0; k < 10; ++k) text += (k == 0 ? "*l" : ", *l") + std::to_string(i - 1);
    text += "]\n";
  }
  text += in_outputs ? "      referrer: {id: C-1}\n    expect: {outputs: {qualified_count: *l9}}\n"
                     : "      referrer: *l9\n    expect: {}\n";
  return text;
}

TEST(Regression, TestFileAliasBombIsRefusedAtLoad) {
  for (bool in_outputs : {false, true}) {
    policytest::TestFile f = policytest::parse_test_file("bomb.test.yaml", bomb(in_outputs));
    ASSERT_EQ(f.problems.items().size(), 20u) << render_text(f.problems);  // the first 20 of 91
    const Diagnostic& first = f.problems.items()[0];
    // Line 7 is `      l1: &l1 [*l0, ...`: the first alias is at column 16.
    auto pos = first.source->position(first.span.begin);
    EXPECT_EQ(pos.line, 7u);
    EXPECT_EQ(pos.column, 16u);
    EXPECT_EQ(first.span.end - first.span.begin, 3u);  // `*l0`
    EXPECT_EQ(first.message, "YAML aliases (`*name`) are not allowed in test files");
    EXPECT_TRUE(f.cases.empty());
  }
  // Through the CLI the file fails as a whole, at once (this never finished before).
  const fs::path path =
      fs::temp_directory_path() / ("refpol-bomb-" + std::to_string(::getpid()) + ".test.yaml");
  testing::write_text(path, bomb(true));
  auto r = testing::run_refpol({"test", path.string()});
  fs::remove(path);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find(path.string() +
                       ":7:16: error: YAML aliases (`*name`) are not allowed in test files"),
            std::string::npos)
      << r.out.substr(0, 600);
}

}  // namespace
}  // namespace refpol
