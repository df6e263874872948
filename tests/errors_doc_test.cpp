// docs/errors.md against the sources: every code the sources emit has a `## CODE title` section,
// every section names a code that is still emitted, each section's refpol examples produce it, and
// each output shown after `<!-- refpol-example: ARGS -->` is what `refpol ARGS` prints.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "interpreter/check/checker.hpp"
#include "tests/support/test_support.hpp"

namespace refpol {
namespace {

namespace fs = std::filesystem;
using testing::read_text;
using testing::source_dir;

// Code -> the first source file (relative) where a string literal "E123" or "W123" appears.
std::map<std::string, std::string> emitted_codes() {
  static const std::regex literal(R"re("([EW][0-9]{3})")re");
  std::map<std::string, std::string> out;
  for (const char* dir : {"interpreter", "grammar", "stdlib"}) {
    for (const auto& suffix : {std::string(".cpp"), std::string(".hpp")}) {
      for (const auto& path : testing::files_with_suffix(source_dir() / dir, suffix)) {
        std::string text = read_text(path);
        for (std::sregex_iterator it(text.begin(), text.end(), literal), end; it != end; ++it) {
          out.emplace((*it)[1].str(), testing::relative(path));
        }
      }
    }
  }
  return out;
}

struct Section {
  std::string code;
  std::string heading;               // the whole heading line
  std::vector<std::string> examples;  // the bodies of its ```refpol blocks
};

// Every `## ` heading of docs/errors.md, with the refpol examples that follow it.
std::vector<Section> doc_sections() {
  static const std::regex heading(R"(^## ([EW][0-9]{3}) \S.*$)");
  std::string text = read_text(source_dir() / "docs" / "errors.md");
  std::vector<Section> out;
  std::istringstream lines(text);
  std::string line;
  std::string* block = nullptr;
  bool in_other_block = false;
  while (std::getline(lines, line)) {
    if (block) {
      if (line == "```") {
        block = nullptr;
      } else {
        *block += line + "\n";
      }
      continue;
    }
    if (in_other_block) {
      if (line == "```") in_other_block = false;
      continue;
    }
    if (line.rfind("```", 0) == 0) {
      if (line == "```refpol" && !out.empty()) {
        out.back().examples.emplace_back();
        block = &out.back().examples.back();
      } else {
        in_other_block = true;
      }
      continue;
    }
    if (line.rfind("## ", 0) == 0) {
      std::smatch m;
      Section s;
      s.heading = line;
      if (std::regex_match(line, m, heading)) s.code = m[1].str();
      out.push_back(std::move(s));
    }
  }
  return out;
}

TEST(ErrorsDoc, SourcesEmitCodes) {
  // Guards the scan itself: if it found nothing, the checks below would pass vacuously.
  auto codes = emitted_codes();
  EXPECT_TRUE(codes.count("E001")) << "the scan of interpreter/ grammar/ stdlib/ found no E001";
  EXPECT_GT(codes.size(), 20u);
}

TEST(ErrorsDoc, EveryHeadingIsCodeAndTitle) {
  for (const auto& s : doc_sections()) {
    EXPECT_FALSE(s.code.empty()) << "docs/errors.md: heading `" << s.heading
                                 << "` is not `## CODE title` (such as `## E101 unknown name`)";
  }
}

TEST(ErrorsDoc, EveryEmittedCodeIsDocumented) {
  std::set<std::string> documented;
  for (const auto& s : doc_sections()) documented.insert(s.code);
  for (const auto& [code, file] : emitted_codes()) {
    EXPECT_TRUE(documented.count(code))
        << code << " is emitted in " << file << " but docs/errors.md has no `## " << code
        << " ...` section";
  }
}

TEST(ErrorsDoc, EveryDocumentedCodeIsStillEmitted) {
  auto emitted = emitted_codes();
  std::set<std::string> seen;
  for (const auto& s : doc_sections()) {
    if (s.code.empty()) continue;
    EXPECT_TRUE(seen.insert(s.code).second) << "docs/errors.md documents " << s.code << " twice";
    EXPECT_TRUE(emitted.count(s.code))
        << "docs/errors.md documents " << s.code
        << ", but no source under interpreter/, grammar/ or stdlib/ emits it any more";
  }
}

TEST(ErrorsDoc, ExamplesProduceTheirCode) {
  // Each ```refpol block is a whole policy that must produce its section's code (it may produce
  // others too). Imports resolve from docs/ and stdlib/.
  std::string path = (source_dir() / "docs" / "errors_example.refpol").string();
  std::size_t count = 0;
  for (const auto& s : doc_sections()) {
    for (const auto& example : s.examples) {
      ++count;
      LoadResult r = load_policy_text(path, example);
      bool found = false;
      for (const auto& d : r.diagnostics.items()) found = found || d.code == s.code;
      EXPECT_TRUE(found) << "the example under `" << s.heading << "` does not produce " << s.code
                         << "; it gives:\n"
                         << render_text(r.diagnostics) << "for:\n"
                         << example;
    }
  }
  EXPECT_GT(count, 40u) << "docs/errors.md: expected an example policy in most sections";
}

// `<!-- refpol-example: ARGS -->` before a fenced block: the block is what `refpol ARGS` prints
// (standard output, then standard error), as in docs/testing.md and the tutorials.
struct MarkedExample {
  int line = 0;  // of the marker
  std::vector<std::string> args;
  std::string body;
};

std::vector<MarkedExample> marked_examples(const std::string& text) {
  static const std::string marker = "<!-- refpol-example:";
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  std::vector<MarkedExample> out;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (lines[i].rfind(marker, 0) != 0) continue;
    MarkedExample m;
    m.line = static_cast<int>(i + 1);
    std::istringstream words(lines[i].substr(marker.size(), lines[i].find("-->") - marker.size()));
    for (std::string w; words >> w;) m.args.push_back(w);
    std::size_t j = i + 1;
    while (j < lines.size() && lines[j].rfind("```", 0) != 0) ++j;
    for (++j; j < lines.size() && lines[j] != "```"; ++j) m.body += lines[j] + "\n";
    out.push_back(std::move(m));
  }
  return out;
}

TEST(ErrorsDoc, MarkedExamplesMatchRealRuns) {
  std::string text = read_text(source_dir() / "docs" / "errors.md");
  auto examples = marked_examples(text);
  EXPECT_GE(examples.size(), 1u) << "docs/errors.md: no `<!-- refpol-example: ARGS -->` block";
  for (const auto& m : examples) {
    auto r = testing::run_refpol(m.args);
    EXPECT_EQ(m.body, r.out + r.err)
        << "docs/errors.md:" << m.line << ": the block differs from what refpol prints";
  }
}

TEST(ErrorsDoc, HowToReadAMessageShowsARealRun) {
  // The example message at the top of the page is the one readers copy the shape from: it must be
  // a marked block, so that MarkedExamplesMatchRealRuns checks it.
  std::string text = read_text(source_dir() / "docs" / "errors.md");
  std::size_t heading = text.find("**How to read a message**");
  ASSERT_NE(heading, std::string::npos) << "docs/errors.md has no `**How to read a message**`";
  std::size_t fence = text.find("\n```", heading);
  ASSERT_NE(fence, std::string::npos);
  std::size_t previous_line = text.rfind('\n', fence - 1);
  std::string before = text.substr(previous_line + 1, fence - previous_line - 1);
  EXPECT_EQ(before.rfind("<!-- refpol-example:", 0), 0u)
      << "docs/errors.md: the block under `How to read a message` needs a line "
         "`<!-- refpol-example: ARGS -->` before it, not `"
      << before << "`";
}

}  // namespace
}  // namespace refpol
