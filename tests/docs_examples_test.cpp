// docs/language.md as a test: every ```refpol block must check without errors, every
// ```refpol-error block must give at least one error (and the codes its comments name), and the
// tables of built-ins, reward kinds and limits must match the sources.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "interpreter/check/checker.hpp"
#include "interpreter/check/checker_impl.hpp"
#include "interpreter/compile/program.hpp"
#include "interpreter/eval/decimal.hpp"
#include "interpreter/eval/evaluator.hpp"
#include "interpreter/eval/facts.hpp"
#include "interpreter/eval/facts_common.hpp"
#include "interpreter/eval/time.hpp"
#include "interpreter/parse/parser.hpp"
#include "stdlib/builtins.hpp"
#include "tests/support/test_support.hpp"

namespace refpol {
namespace {

namespace fs = std::filesystem;
using testing::read_text;
using testing::source_dir;

// What the test puts in front of a fragment (a block that does not start with `policy`).
// docs/language.md#about-the-examples shows the same four lines; keep the two in step.
constexpr const char* kFragmentPrelude =
    "policy \"doc-example\" version 1\n"
    "currency CNY\n"
    "timezone \"Asia/Shanghai\"\n"
    "import \"standard\"\n";

struct Example {
  int line = 0;             // line of the opening fence in docs/language.md
  bool expect_error = false;  // ```refpol-error
  std::string body;
};

// gtest prints a failing parameter with this: where the example is.
void PrintTo(const Example& ex, std::ostream* os) { *os << "docs/language.md:" << ex.line; }

fs::path doc_path() { return source_dir() / "docs" / "language.md"; }

// Every ```refpol and ```refpol-error block, in order. Other fenced blocks are skipped.
std::vector<Example> extract_examples(const std::string& text) {
  std::vector<Example> out;
  std::istringstream lines(text);
  std::string line;
  int number = 0;
  enum { outside, in_example, in_other } state = outside;
  while (std::getline(lines, line)) {
    ++number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    // Fences may be indented (inside list items); compare without the indentation.
    std::string trimmed = line.substr(std::min(line.find_first_not_of(' '), line.size()));
    if (state == outside) {
      if (trimmed == "```refpol" || trimmed == "```refpol-error") {
        out.push_back(Example{number, trimmed == "```refpol-error", {}});
        state = in_example;
      } else if (trimmed.rfind("```", 0) == 0) {
        state = in_other;
      }
    } else if (trimmed == "```") {
      state = outside;
    } else if (state == in_example) {
      out.back().body += line + "\n";
    }
  }
  return out;
}

const std::vector<Example>& examples() {
  static const std::vector<Example> all = extract_examples(read_text(doc_path()));
  return all;
}

// A complete policy starts with `policy` once blank lines and comments are skipped.
bool is_complete_policy(const std::string& body) {
  std::istringstream lines(body);
  std::string line;
  while (std::getline(lines, line)) {
    std::size_t first = line.find_first_not_of(" \t\r");
    if (first == std::string::npos || line[first] == '#') continue;
    return line.compare(first, 7, "policy ") == 0;
  }
  return false;
}

// Codes named in comments such as `# error E206: ...`.
std::set<std::string> expected_codes(const std::string& body) {
  static const std::regex code(R"(#.*\berror ([EW][0-9]{3})\b)");
  std::set<std::string> out;
  std::istringstream lines(body);
  std::string line;
  while (std::getline(lines, line)) {
    std::smatch m;
    if (std::regex_search(line, m, code)) out.insert(m[1].str());
  }
  return out;
}

// Diagnostics one per line. Those in the example itself point at docs/language.md: the example's
// first line is the line after its fence, and a fragment's prelude is not in the page.
std::string render(const Diagnostics& diags, int fence_line = 0, int prelude_lines = 0) {
  std::string out;
  for (const auto& d : diags.items()) {
    std::string where = d.source ? d.source->path() : "?";
    std::uint32_t line = d.source ? d.source->position(d.span.begin).line : 0;
    if (fence_line > 0 && d.source && where.find("language-md-line-") != std::string::npos) {
      where = "docs/language.md";
      line = static_cast<std::uint32_t>(fence_line + static_cast<int>(line) - prelude_lines);
    }
    out += fmt::format("  {}:{}: [{}] {}\n", where, line, d.code, d.message);
  }
  return out;
}

struct Outcome {
  Diagnostics diagnostics;
  bool complete = false;
  int prelude_lines = 0;
};

// Checks (and, when it checks, compiles) one example as a file in docs/examples/, so that it can
// import the modules there.
Outcome run_example(const Example& ex) {
  Outcome o;
  o.complete = is_complete_policy(ex.body);
  std::string text = o.complete ? ex.body : std::string(kFragmentPrelude) + ex.body;
  o.prelude_lines = o.complete ? 0 : 4;
  fs::path path = source_dir() / "docs" / "examples" / fmt::format("language-md-line-{}.refpol", ex.line);
  LoadResult loaded = load_policy_text(path.string(), text);
  o.diagnostics = loaded.diagnostics;
  if (loaded.policy) {
    CompileResult compiled = compile(std::move(*loaded.policy));
    o.diagnostics.append(compiled.diagnostics);
  }
  return o;
}

class DocExample : public ::testing::TestWithParam<Example> {};

TEST_P(DocExample, ChecksAsDocumented) {
  const Example& ex = GetParam();
  Outcome o = run_example(ex);
  std::string where = fmt::format("docs/language.md:{} (a {} in a ```{} block)", ex.line,
                                  o.complete ? "complete policy" : "fragment",
                                  ex.expect_error ? "refpol-error" : "refpol");
  if (!ex.expect_error) {
    EXPECT_FALSE(o.diagnostics.has_errors()) << where << " should check without errors, but gave:\n"
                                             << render(o.diagnostics, ex.line, o.prelude_lines) << "the example:\n"
                                             << ex.body;
    return;
  }
  EXPECT_TRUE(o.diagnostics.has_errors()) << where << " should give an error, but checked cleanly:\n"
                                          << ex.body;
  std::set<std::string> got;
  for (const auto& d : o.diagnostics.items()) got.insert(d.code);
  for (const auto& code : expected_codes(ex.body)) {
    EXPECT_TRUE(got.count(code)) << where << " should give " << code << ", but gave:\n"
                                 << render(o.diagnostics, ex.line, o.prelude_lines) << "the example:\n"
                                 << ex.body;
  }
}

std::string example_name(const ::testing::TestParamInfo<Example>& info) {
  return fmt::format("line_{}", info.param.line);
}

INSTANTIATE_TEST_SUITE_P(LanguageMd, DocExample, ::testing::ValuesIn(examples()), example_name);

TEST(DocExamples, ThereAreEnoughOfEveryKind) {
  int complete = 0, fragments = 0, errors = 0;
  for (const auto& ex : examples()) {
    if (ex.expect_error) {
      ++errors;
    } else if (is_complete_policy(ex.body)) {
      ++complete;
    } else {
      ++fragments;
    }
  }
  EXPECT_GE(complete + fragments + errors, 40);
  EXPECT_GE(complete, 3);
  EXPECT_GE(fragments, 20);
  EXPECT_GE(errors, 10);
}

// The harness itself: a broken example must fail, so a silent pass means the example is fine.
TEST(DocExamples, HarnessNoticesBrokenExamples) {
  Example good{1, false, "referrer eligible when referrer.order_count >= 1\n"};
  EXPECT_FALSE(run_example(good).diagnostics.has_errors());
  Example broken{2, false, "referrer eligible when referrer.order_cuont >= 1\n"};
  EXPECT_TRUE(run_example(broken).diagnostics.has_errors());
  Example unguarded{3, true, "referrer eligible when referrer.nps >= 9   # error E206\n"};
  Outcome o = run_example(unguarded);
  ASSERT_TRUE(o.diagnostics.has_errors());
  EXPECT_EQ(expected_codes(unguarded.body), std::set<std::string>{"E206"});
  EXPECT_EQ(o.diagnostics.items().front().code, "E206");
  EXPECT_TRUE(is_complete_policy("# comment\n\npolicy \"x\" version 1\n"));
  EXPECT_FALSE(is_complete_policy("# policy \"x\" version 1\nreward a to referrer gives cash 1 CNY\n"));
}

// The prelude in the text of the page is the one the test uses.
TEST(DocExamples, PreludeIsDocumented) {
  std::string doc = read_text(doc_path());
  std::istringstream prelude(kFragmentPrelude);
  std::string line;
  while (std::getline(prelude, line)) {
    EXPECT_NE(doc.find("  " + line + "\n"), std::string::npos) << "prelude line not shown: " << line;
  }
}

// Every built-in function is in the table, with its signature as builtins.cpp gives it.
TEST(DocTables, BuiltinsAreDocumented) {
  std::string doc = read_text(doc_path());
  for (const auto& b : builtins()) {
    std::string row = fmt::format("| `{}` |", b.signature);
    EXPECT_NE(doc.find(row), std::string::npos) << "docs/language.md lacks the row " << row;
  }
}

// Every reward kind is in the grants table.
TEST(DocTables, RewardKindsAreDocumented) {
  std::string doc = read_text(doc_path());
  for (const auto& k : check::reward_kinds()) {
    std::string row = fmt::format("| `{}` |", k.name);
    EXPECT_NE(doc.find(row), std::string::npos) << "docs/language.md lacks the row " << row;
  }
}

// Every record and field of stdlib/standard.refpol is described in "The standard schema".
TEST(DocTables, StandardSchemaIsDocumented) {
  std::string doc = read_text(doc_path());
  std::size_t begin = doc.find("\n## The standard schema");
  ASSERT_NE(begin, std::string::npos);
  std::string section = doc.substr(begin, doc.find("\n## ", begin + 1) - begin);
  LoadResult loaded = load_policy_text((source_dir() / "docs" / "examples" / "schema.refpol").string(),
                                       "policy \"schema\" version 1\ncurrency CNY\nimport \"standard\"\n");
  ASSERT_TRUE(loaded.policy) << render(loaded.diagnostics);
  for (const auto& record : loaded.policy->schema.records) {
    if (record.name != "facts") {
      EXPECT_NE(section.find("**" + record.name + "**"), std::string::npos) << "record " << record.name;
    }
    for (const auto& field : record.fields) {
      EXPECT_NE(section.find("`" + field.name + "`"), std::string::npos)
          << "field " << record.name << "." << field.name << " is not in the standard schema section";
      // Optional fields are marked with `?` wherever the section gives the field's type.
      if (field.type.optional) {
        std::size_t at = section.find("`" + field.name + "`");
        std::string rest = at == std::string::npos ? "" : section.substr(at, section.find('\n', at) - at);
        EXPECT_NE(rest.find("?`"), std::string::npos)
            << "optional field " << record.name << "." << field.name << " should be shown with `?`: " << rest;
      }
    }
  }
}

// A constant read from the text of a source file (`NAME = 123;`), for constants that live in
// the grammar or inside a .cpp file, so that this test does not have to compile them.
std::size_t source_constant(const std::string& file, const std::string& name) {
  std::string text = read_text(source_dir() / file);
  std::smatch m;
  std::regex def("\\b" + name + R"( = ([0-9]+);)");
  if (!std::regex_search(text, m, def)) {
    ADD_FAILURE() << file << " does not define " << name;
    return 0;
  }
  return std::stoul(m[1].str());
}

// The row of a markdown table that names `constant` (in backquotes), or "".
std::string table_row(const std::string& doc, const std::string& constant) {
  std::istringstream lines(doc);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.rfind("| ", 0) == 0 && line.find("`" + constant + "`") != std::string::npos) return line;
  }
  return std::string();
}

// The limits table shows each constant's value.
TEST(DocTables, LimitsMatchTheConstants) {
  std::string doc = read_text(doc_path());
  auto row_of = [&](const std::string& constant) { return table_row(doc, constant); };
  const std::vector<std::pair<std::string, std::size_t>> limits = {
      {"kMaxSourceBytes", kMaxSourceBytes},
      {"kMaxStringBytes", kMaxStringBytes},
      {"kMaxNestingDepth", source_constant("grammar/expressions.hpp", "kMaxNestingDepth")},
      {"kMaxTreeDepth", source_constant("interpreter/parse/parser.cpp", "kMaxTreeDepth")},
      {"kMaxOperandsPerChain", kMaxOperandsPerChain},
      {"kMaxImportDepth", kMaxImportDepth},
      {"kMaxDecimalScale", static_cast<std::size_t>(kMaxDecimalScale)},
      {"kMaxRewardsPerDecision", kMaxRewardsPerDecision},
      {"kMaxDefineExpansion", kMaxDefineExpansion},
      {"kMaxDefineDepth", kMaxDefineDepth},
      {"kMaxPolicyExpansion", kMaxPolicyExpansion},
      {"kMaxVersionDigits", kMaxVersionDigits},
      {"kMaxYear", static_cast<std::size_t>(kMaxYear)},
  };
  for (const auto& [name, value] : limits) {
    std::string row = row_of(name);
    ASSERT_FALSE(row.empty()) << "docs/language.md has no limits row for " << name;
    std::string shown = fmt::format(" {} ", value);
    EXPECT_NE(row.find(shown), std::string::npos)
        << "the row for " << name << " should say " << value << ": " << row;
  }
  // Facts limits are named in one sentence.
  for (const char* name : {"kMaxFactsBytes", "kMaxFactsDepth", "kMaxFactsListItems", "kMaxFactsStringBytes"}) {
    EXPECT_NE(doc.find(std::string("`") + name + "`"), std::string::npos) << name;
  }
  EXPECT_EQ(kMaxFactsBytes, 16u * 1024 * 1024);
  EXPECT_EQ(kMaxFactsDepth, 64u);
  EXPECT_EQ(kMaxFactsListItems, 100000u);
  EXPECT_EQ(kMaxFactsStringBytes, 64u * 1024);
  EXPECT_EQ(kMinYear, 1);  // "years 0001 to 9999"
  EXPECT_NE(row_of("kMinYear").find("years 0001 to"), std::string::npos);
}

// docs/facts.md's limits table shows each constant's value.
TEST(DocTables, FactsLimitsMatchTheConstants) {
  std::string doc = read_text(testing::source_dir() / "docs/facts.md");
  auto row_of = [&](const std::string& constant) { return table_row(doc, constant); };
  const std::vector<std::pair<std::string, std::string>> limits = {
      {"kMaxFactsBytes", fmt::format("({} bytes)", kMaxFactsBytes)},
      {"kMaxFactsDepth", fmt::format("| {} levels", kMaxFactsDepth)},
      {"kMaxFactsListItems", fmt::format("| {} |", kMaxFactsListItems)},
      {"kMaxFactsStringBytes", fmt::format("({} bytes)", kMaxFactsStringBytes)},
      {"kMaxDecimalScale", fmt::format("{} digits after the point", kMaxDecimalScale)},
      {"kMaxYear", fmt::format("to {}", kMaxYear)},
      {"kMaxFactsErrors", fmt::format("| {} per document", facts_detail::kMaxFactsErrors)},
  };
  for (const auto& [name, shown] : limits) {
    std::string row = row_of(name);
    ASSERT_FALSE(row.empty()) << "docs/facts.md has no limits row for " << name;
    EXPECT_NE(row.find(shown), std::string::npos) << "the row for " << name << " should say " << shown << ": " << row;
  }
}

// GitHub's anchor for a heading: lower case, spaces to `-`, punctuation dropped.
std::string slug(const std::string& heading) {
  std::string out;
  for (unsigned char c : heading) {
    if (std::isalnum(c) || c == '-' || c == '_' || c >= 0x80) {
      out += static_cast<char>(std::tolower(c));
    } else if (c == ' ') {
      out += '-';
    }
  }
  return out;
}

// Links into this page, from the page itself and from the sources (`docs/language.md#limits`),
// lead to headings that exist.
TEST(DocLinks, AnchorsExist) {
  std::string doc = read_text(doc_path());
  std::set<std::string> anchors;
  {
    std::istringstream lines(doc);
    std::string line;
    bool fenced = false;
    while (std::getline(lines, line)) {
      std::size_t first = line.find_first_not_of(' ');
      if (first != std::string::npos && line.compare(first, 3, "```") == 0) {
        fenced = !fenced;
        continue;
      }
      if (!fenced && line.rfind("#", 0) == 0) {
        std::size_t text = line.find_first_not_of("# ");
        if (text != std::string::npos) anchors.insert(slug(line.substr(text)));
      }
    }
  }
  static const std::regex local(R"(\]\(#([^)]+)\))");
  for (std::sregex_iterator it(doc.begin(), doc.end(), local), end; it != end; ++it) {
    EXPECT_TRUE(anchors.count((*it)[1].str())) << "broken link in docs/language.md: #" << (*it)[1].str();
  }
  static const std::regex from_source(R"(language\.md#([a-z0-9-]+))");
  for (const char* dir : {"interpreter", "grammar", "stdlib"}) {
    for (const auto& suffix : {std::string(".cpp"), std::string(".hpp")}) {
      for (const auto& path : testing::files_with_suffix(source_dir() / dir, suffix)) {
        std::string text = read_text(path);
        for (std::sregex_iterator it(text.begin(), text.end(), from_source), end; it != end; ++it) {
          EXPECT_TRUE(anchors.count((*it)[1].str()))
              << testing::relative(path) << " links to docs/language.md#" << (*it)[1].str()
              << ", which is not a heading";
        }
      }
    }
  }
}

}  // namespace
}  // namespace refpol
