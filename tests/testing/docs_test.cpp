// docs/testing.md and the tutorials as tests: `<!-- refpol-example: ARGS -->` before a fenced block runs
// `refpol ARGS` and the block must equal its output (standard output, then standard error);
// `<!-- refpol-file: PATH -->` before a block says the block is that file, byte for byte.
#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "tests/support/test_support.hpp"

namespace refpol {
namespace {

using testing::read_text;
using testing::source_dir;

struct Marked {
  int line = 0;
  std::string kind;  // refpol-example or refpol-file
  std::string argument;
  std::string body;
};

std::vector<Marked> marked_blocks(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  std::vector<Marked> out;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    for (const std::string kind : {"refpol-example", "refpol-file"}) {
      std::string marker = "<!-- " + kind + ":";
      if (lines[i].rfind(marker, 0) != 0) continue;
      Marked m;
      m.line = static_cast<int>(i + 1);
      m.kind = kind;
      m.argument = lines[i].substr(marker.size(), lines[i].find("-->") - marker.size());
      std::size_t j = i + 1;
      while (j < lines.size() && lines[j].rfind("```", 0) != 0) ++j;
      for (++j; j < lines.size() && lines[j] != "```"; ++j) m.body += lines[j] + "\n";
      out.push_back(std::move(m));
    }
  }
  return out;
}

struct Counts {
  int examples = 0;
  int files = 0;
};

// Checks every marked block of `doc` (relative to the source dir) against a real run or file.
Counts check_marked_blocks(const std::string& doc) {
  Counts n;
  for (const Marked& m : marked_blocks(read_text(source_dir() / doc))) {
    SCOPED_TRACE(doc + ":" + std::to_string(m.line));
    std::istringstream words(m.argument);
    std::vector<std::string> args;
    for (std::string w; words >> w;) args.push_back(w);
    if (m.kind == "refpol-file") {
      ++n.files;
      EXPECT_EQ(args.size(), 1u);
      if (args.size() == 1) {
        EXPECT_EQ(m.body, read_text(source_dir() / args[0]));
      }
      continue;
    }
    ++n.examples;
    auto r = testing::run_refpol(args);
    EXPECT_EQ(m.body, r.out + r.err);
  }
  return n;
}

TEST(PolicyTestDocs, ExamplesMatchRealRuns) {
  Counts n = check_marked_blocks("docs/testing.md");
  EXPECT_GE(n.examples, 5);
  EXPECT_GE(n.files, 1);
}

// The tutorials: every policy, facts and test file they show is a real file, and every output
// they show is what refpol prints for it.
TEST(TutorialDocs, EverySnippetIsARealFileOrRun) {
  for (const char* doc : {"docs/tutorial.md", "docs/zh/tutorial.md"}) {
    Counts n = check_marked_blocks(doc);
    EXPECT_GE(n.examples, 5) << doc;
    EXPECT_GE(n.files, 5) << doc;
    // A fenced block without a marker would be untested: there must be none.
    std::istringstream in(read_text(source_dir() / doc));
    std::string line, previous;
    bool inside = false;
    int number = 0;
    while (std::getline(in, line)) {
      ++number;
      if (line.rfind("```", 0) == 0) {
        if (!inside) {
          EXPECT_TRUE(previous.rfind("<!-- refpol-", 0) == 0) << doc << ":" << number << ": a block without a marker";
        }
        inside = !inside;
      }
      previous = line;
    }
  }
}

}  // namespace
}  // namespace refpol
