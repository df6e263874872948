// One test per documented limit and per kind of hostile policy input: each gets a clear error with
// a location and exit code 1 or 2, never a crash, a hang or a stack overflow. (ctest's timeout
// catches a hang.)
#include <gtest/gtest.h>

#include <filesystem>

#include "grammar/expressions.hpp"
#include "interpreter/check/checker.hpp"
#include "interpreter/parse/parser.hpp"
#include "tests/support/test_support.hpp"

namespace refpol {
namespace {

namespace fs = std::filesystem;
using testing::run_refpol;

class PolicyLimits : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("refpol-limits-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string write(const std::string& name, const std::string& text) {
    fs::path p = dir_ / name;
    testing::write_text(p, text);
    return p.string();
  }
  fs::path dir_;
};

const std::string kHeader = "policy \"limits\" version 1\ncurrency CNY\n";

TEST_F(PolicyLimits, EmptyFileNeedsAHeader) {
  auto r = run_refpol({"check", write("empty.refpol", "")});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("empty.refpol:1:1: error: expected the policy header"), std::string::npos) << r.out;
}

TEST_F(PolicyLimits, BinaryJunkIsRejectedWithALocation) {
  std::string junk;
  for (int i = 0; i < 4096; ++i) junk += static_cast<char>((i * 7919) % 251 + 1);
  auto r = run_refpol({"check", write("junk.refpol", junk)});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("junk.refpol:1:"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("error:"), std::string::npos);
}

TEST_F(PolicyLimits, NulByteIsReportedWhereItIs) {
  std::string text = kHeader + "define a = 1";
  text += '\0';
  text += "\n";
  auto r = run_refpol({"check", write("nul.refpol", text)});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("nul.refpol:3:13: error: file contains a NUL byte [E011]"), std::string::npos) << r.out;
}

TEST_F(PolicyLimits, InvalidUtf8IsReportedWhereItIs) {
  std::string text = kHeader + "title \"ab\xC3\x28\"\n";
  auto r = run_refpol({"check", write("utf8.refpol", text)});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("utf8.refpol:3:10: error: file is not valid UTF-8 here [E012]"), std::string::npos) << r.out;
}

TEST_F(PolicyLimits, FileOverTheSizeLimitIsRefusedBeforeReading) {
  std::string text = kHeader;
  text.reserve(50u * 1024 * 1024 + 100);
  while (text.size() < 50u * 1024 * 1024) text += "# padding padding padding padding padding padding padding\n";
  auto r = run_refpol({"check", write("big.refpol", text)});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.out.find("[E010]"), std::string::npos) << r.out.substr(0, 500);
  auto f = run_refpol({"fmt", write("big2.refpol", text)});
  EXPECT_NE(f.exit_code, 0);
}

TEST_F(PolicyLimits, DeepParenthesesStopAtTheNestingLimit) {
  std::string text = kHeader + "define x = " + std::string(100000, '(') + "1" + std::string(100000, ')') + "\n";
  auto r = run_refpol({"check", write("deep.refpol", text)});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("expression is nested too deeply (the limit is 200 levels) [E006]"), std::string::npos)
      << r.out.substr(0, 400);
}

TEST_F(PolicyLimits, NestingLimitIsExact) {
  auto nested = [](std::size_t depth) {
    // `define x = ` opens one expression; each `(` opens another.
    return kHeader + "define x = " + std::string(depth, '(') + "1" + std::string(depth, ')') + "\noutput x = x\n";
  };
  auto ok = parse(std::make_shared<SourceFile>("ok.refpol", nested(grammar::kMaxNestingDepth - 1)));
  EXPECT_TRUE(ok.file.has_value()) << render_text(ok.diagnostics);
  auto deep = parse(std::make_shared<SourceFile>("deep.refpol", nested(grammar::kMaxNestingDepth)));
  EXPECT_FALSE(deep.file.has_value());
}

TEST_F(PolicyLimits, DeepNotAndMinusChainsAreLimitedToo) {
  std::string nots = kHeader + "define x = ";
  for (int i = 0; i < 50000; ++i) nots += "not ";
  nots += "true\n";
  auto r = run_refpol({"check", write("nots.refpol", nots)});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("[E006]"), std::string::npos) << r.out.substr(0, 300);
  std::string minus = kHeader + "define x = " + std::string(50000, '-') + "1\n";
  r = run_refpol({"check", write("minus.refpol", minus)});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("[E006]"), std::string::npos) << r.out.substr(0, 300);
}

TEST_F(PolicyLimits, LongOperatorChainsAreLimited) {
  std::string text = kHeader + "define x = 1";
  for (std::size_t i = 0; i < kMaxOperandsPerChain + 5; ++i) text += " + 1";
  text += "\n";
  auto r = run_refpol({"check", write("chain.refpol", text)});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("[E007]"), std::string::npos) << r.out.substr(0, 300);
  std::string fine = kHeader + "define x = 1";
  for (std::size_t i = 0; i + 1 < kMaxOperandsPerChain; ++i) fine += " + 1";
  fine += "\noutput y = x\n";
  EXPECT_EQ(run_refpol({"check", write("chain_ok.refpol", fine)}).exit_code, 0);
}

TEST_F(PolicyLimits, HugeStringLiteralIsRefused) {
  std::string text = kHeader + "title \"" + std::string(1024 * 1024, 'a') + "\"\n";
  auto r = run_refpol({"check", write("string.refpol", text)});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("string.refpol:3:7: error: string is 1048576 bytes long; the limit is 65536 bytes [E004]"),
            std::string::npos)
      << r.out.substr(0, 300);
}

TEST_F(PolicyLimits, NestedAggregatesParseInLinearTime) {
  // This once took exponential time (each level parsed twice); 60 levels would never finish.
  std::string text = kHeader + "define x = ";
  for (int i = 0; i < 60; ++i) text += "count(";
  text += "[1]";
  for (int i = 0; i < 60; ++i) text += ")";
  text += "\n";
  auto r = parse(std::make_shared<SourceFile>("agg.refpol", text));
  EXPECT_TRUE(r.file.has_value()) << render_text(r.diagnostics);
}

TEST_F(PolicyLimits, ImportsCannotLeaveTheirFolders) {
  for (const char* name : {"../secret", "/etc/passwd", "sub/module", ".hidden"}) {
    auto r = run_refpol({"check", write("imp.refpol", kHeader + "import \"" + name + "\"\n")});
    EXPECT_EQ(r.exit_code, 1) << name;
    EXPECT_NE(r.out.find("[E022]"), std::string::npos) << name << "\n" << r.out;
  }
  // A link in the policy's folder that points elsewhere is refused too.
  fs::create_directories(dir_ / "outside");
  write("outside/mod.refpol", "define leaked = 1\n");
  fs::create_directories(dir_ / "campaign");
  fs::create_symlink(dir_ / "outside" / "mod.refpol", dir_ / "campaign" / "mod.refpol");
  auto r = run_refpol({"check", write("campaign/policy.refpol", kHeader + "import \"mod\"\n")});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("links outside its folder"), std::string::npos) << r.out;
}

TEST_F(PolicyLimits, MissingFileIsAUsageProblem) {
  auto r = run_refpol({"check", (dir_ / "nope.refpol").string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.out.find("cannot be read"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace refpol
