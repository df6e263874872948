// Golden tests: every input file under tests/golden/{parse,check,fmt}/ has an `.expected` file
// beside it with the full output. REFPOL_UPDATE_GOLDEN=1 rewrites them (review the diff).
#include <gtest/gtest.h>

#include "interpreter/check/checker.hpp"
#include "interpreter/fmt/formatter.hpp"
#include "interpreter/parse/parser.hpp"
#include "tests/support/test_support.hpp"

namespace refpol {
namespace {

using testing::read_text;


enum class Stage { parse, check, fmt };

std::string actual_output(Stage stage, const std::filesystem::path& input) {
  std::string path = testing::relative(input);
  std::string text = read_text(input);
  switch (stage) {
    case Stage::parse: {
      auto src = std::make_shared<SourceFile>(path, text);
      ParseResult r = parse(src, FileKind::policy);
      if (!r.file) return render_text(r.diagnostics);
      return dump_ast(*r.file);
    }
    case Stage::check: return render_text(load_policy_text(path, text).diagnostics);
    case Stage::fmt: {
      FormatResult r = format_source(std::make_shared<SourceFile>(path, text));
      return r.ok ? r.text : render_text(r.diagnostics);
    }
  }
  return {};
}

class Golden : public ::testing::TestWithParam<std::pair<Stage, std::filesystem::path>> {};

TEST_P(Golden, MatchesExpected) {
  auto [stage, input] = GetParam();
  std::filesystem::path expected_path = input;
  expected_path.replace_extension(".expected");
  std::string actual = actual_output(stage, input);
  if (testing::update_golden()) {
    testing::write_text(expected_path, actual);
    GTEST_SKIP() << "rewrote " << expected_path;
  }
  ASSERT_TRUE(std::filesystem::exists(expected_path))
      << "missing " << expected_path << " (run with REFPOL_UPDATE_GOLDEN=1 and review it)";
  EXPECT_EQ(read_text(expected_path), actual) << "for " << testing::relative(input);
}

std::vector<std::pair<Stage, std::filesystem::path>> cases() {
  std::vector<std::pair<Stage, std::filesystem::path>> out;
  auto root = testing::source_dir() / "tests" / "golden";
  for (auto& p : testing::files_with_suffix(root / "parse", ".refpol")) out.emplace_back(Stage::parse, p);
  for (auto& p : testing::files_with_suffix(root / "check", ".refpol")) out.emplace_back(Stage::check, p);
  for (auto& p : testing::files_with_suffix(root / "fmt", ".refpol")) out.emplace_back(Stage::fmt, p);
  return out;
}

std::string case_name(const ::testing::TestParamInfo<std::pair<Stage, std::filesystem::path>>& info) {
  const char* stage = info.param.first == Stage::parse ? "parse" : info.param.first == Stage::check ? "check" : "fmt";
  std::string name = std::string(stage) + "_" + info.param.second.stem().string();
  for (auto& c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return name;
}

INSTANTIATE_TEST_SUITE_P(Files, Golden, ::testing::ValuesIn(cases()), case_name);

}  // namespace
}  // namespace refpol
