// docs/testing.md as a test: `<!-- refpol-example: ARGS -->` before a fenced block runs
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

TEST(PolicyTestDocs, ExamplesMatchRealRuns) {
  int examples = 0, files = 0;
  for (const Marked& m : marked_blocks(read_text(source_dir() / "docs/testing.md"))) {
    SCOPED_TRACE("docs/testing.md:" + std::to_string(m.line));
    std::istringstream words(m.argument);
    std::vector<std::string> args;
    for (std::string w; words >> w;) args.push_back(w);
    if (m.kind == "refpol-file") {
      ++files;
      ASSERT_EQ(args.size(), 1u);
      EXPECT_EQ(m.body, read_text(source_dir() / args[0]));
      continue;
    }
    ++examples;
    auto r = testing::run_refpol(args);
    EXPECT_EQ(m.body, r.out + r.err);
  }
  EXPECT_GE(examples, 5);
  EXPECT_GE(files, 1);
}

}  // namespace
}  // namespace refpol
