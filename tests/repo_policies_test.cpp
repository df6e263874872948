// Every .refpol in the repository: it checks (policies/ and bench/ with no warnings at all), it is
// formatted (`refpol fmt --check`), formatting it again changes nothing, and the formatted text
// parses to an equal tree.
#include <gtest/gtest.h>

#include "interpreter/check/checker.hpp"
#include "interpreter/fmt/formatter.hpp"
#include "interpreter/parse/parser.hpp"
#include "tests/support/test_support.hpp"

namespace refpol {
namespace {

std::vector<std::filesystem::path> repo_policies() {
  std::vector<std::filesystem::path> out;
  for (const char* dir : {"policies", "stdlib", "bench", "docs/examples", "docs/tutorial"}) {
    for (auto& p : testing::files_with_suffix(testing::source_dir() / dir, ".refpol")) {
      // The tutorial's deliberate mistake must not check; docs/tutorial.md shows its error.
      if (testing::relative(p) != "docs/tutorial/mistake/policy.refpol") out.push_back(p);
    }
  }
  return out;
}

class RepoPolicy : public ::testing::TestWithParam<std::filesystem::path> {};

TEST_P(RepoPolicy, IsFormattedAndFormattingIsStable) {
  const auto& path = GetParam();
  std::string text = testing::read_text(path);
  FormatResult once = format_source(std::make_shared<SourceFile>(testing::relative(path), text));
  ASSERT_TRUE(once.ok) << render_text(once.diagnostics);
  EXPECT_EQ(once.text, text) << testing::relative(path) << " is not formatted: run refpol fmt --write";
  FormatResult twice = format_source(std::make_shared<SourceFile>(testing::relative(path), once.text));
  ASSERT_TRUE(twice.ok);
  EXPECT_EQ(twice.text, once.text);
}

TEST_P(RepoPolicy, ChecksCleanly) {
  const auto& path = GetParam();
  std::string rel = testing::relative(path);
  bool is_module = rel.rfind("stdlib/", 0) == 0 || rel.rfind("docs/examples/", 0) == 0;
  if (is_module) {
    ParseResult r = parse(std::make_shared<SourceFile>(rel, testing::read_text(path)), FileKind::module);
    EXPECT_TRUE(r.file) << render_text(r.diagnostics);
    return;
  }
  LoadResult r = load_policy(path.string());
  EXPECT_FALSE(r.diagnostics.has_errors()) << render_text(r.diagnostics);
  EXPECT_EQ(r.diagnostics.warning_count(), 0u) << render_text(r.diagnostics);
}

TEST_P(RepoPolicy, CliAgrees) {
  std::string rel = testing::relative(GetParam());
  auto fmt = testing::run_refpol({"fmt", "--check", rel});
  EXPECT_EQ(fmt.exit_code, 0) << fmt.out << fmt.err;
  if (rel.rfind("stdlib/", 0) != 0 && rel.rfind("docs/examples/", 0) != 0) {
    auto check = testing::run_refpol({"check", rel});
    EXPECT_EQ(check.exit_code, 0) << check.out;
  }
}

std::string name(const ::testing::TestParamInfo<std::filesystem::path>& info) {
  std::string n = testing::relative(info.param);
  for (auto& c : n) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return n;
}

INSTANTIATE_TEST_SUITE_P(Repo, RepoPolicy, ::testing::ValuesIn(repo_policies()), name);

}  // namespace
}  // namespace refpol
