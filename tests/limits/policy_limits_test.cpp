// One test per documented limit and per kind of hostile policy input: each gets a clear error with
// a location and exit code 1 or 2, never a crash, a hang or a stack overflow. (ctest's timeout
// catches a hang.)
#include <gtest/gtest.h>

#include <filesystem>

#include "grammar/expressions.hpp"
#include "interpreter/check/checker.hpp"
#include "interpreter/eval/time.hpp"
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

// Each limit at exactly its value passes and one past it fails, with the exact message and
// location. (kMaxImportDepth: tests/golden/check/import_too_deep; facts: facts_limits_test.cpp.)

TEST_F(PolicyLimits, SourceSizeLimitIsExact) {
  // A header, `# ppp...` lines and one output, padded to exactly kMaxSourceBytes.
  const std::string tail = "output y = 1\n";
  std::string text = kHeader;
  text.reserve(kMaxSourceBytes + 1);
  const std::string line = "# " + std::string(61, 'p') + "\n";
  while (text.size() + line.size() + tail.size() <= kMaxSourceBytes) text += line;
  text += std::string(kMaxSourceBytes - text.size() - tail.size() - 1, '#') + "\n" + tail;
  ASSERT_EQ(text.size(), kMaxSourceBytes);
  const std::string exact = write("exact.refpol", text);
  auto r = run_refpol({"check", exact});
  EXPECT_EQ(r.exit_code, 0) << r.out.substr(0, 400);
  const std::string over = write("over.refpol", text + "\n");
  r = run_refpol({"check", over});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.out.substr(0, r.out.find('\n')),
            "refpol: error: `" + over + "` is 8388609 bytes; a policy may be at most 8388608 bytes [E010]");
  // An imported module past the limit is reported at the import.
  fs::create_directories(dir_ / "big");
  write("big/module.refpol", "define z = 1\n" + std::string(kMaxSourceBytes - 13 + 1, '\n'));
  const std::string policy = write("big/policy.refpol", kHeader + "import \"module\"\noutput y = z\n");
  r = run_refpol({"check", policy});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out.substr(0, r.out.find('\n')),
            policy + ":3:8: error: module `module` is 8388609 bytes; a policy may be at most 8388608 bytes [E010]");
}

TEST_F(PolicyLimits, StringLiteralLimitIsExact) {
  auto r = run_refpol({"check", write("ok.refpol", kHeader + "title \"" + std::string(kMaxStringBytes, 'a') + "\"\n")});
  EXPECT_EQ(r.exit_code, 0) << r.out.substr(0, 300);
  const std::string bad = write("bad.refpol", kHeader + "title \"" + std::string(kMaxStringBytes + 1, 'a') + "\"\n");
  r = run_refpol({"check", bad});
  EXPECT_EQ(r.exit_code, 1);
  // `title ` is 6 characters: the opening quote is at column 7.
  EXPECT_EQ(r.out.substr(0, r.out.find('\n')),
            bad + ":3:7: error: string is 65537 bytes long; the limit is 65536 bytes [E004]");
}

TEST_F(PolicyLimits, NestingLimitIsReportedWhereTheLevelPastItStarts) {
  static_assert(grammar::kMaxNestingDepth == 200);
  auto nested = [](std::size_t parens) {
    return kHeader + "define x = " + std::string(parens, '(') + "1" + std::string(parens, ')') + "\noutput y = x\n";
  };
  // `define x = ` is one level and each `(` one more: 199 parentheses make 200 levels.
  EXPECT_EQ(run_refpol({"check", write("ok.refpol", nested(grammar::kMaxNestingDepth - 1))}).exit_code, 0);
  const std::string deep = write("deep.refpol", nested(grammar::kMaxNestingDepth));
  auto r = run_refpol({"check", deep});
  EXPECT_EQ(r.exit_code, 1);
  // `define x = ` is 11 characters, then 200 `(` in columns 12-211: the `1` at 212 would be
  // level 201.
  EXPECT_EQ(r.out.substr(0, r.out.find('\n')),
            deep + ":3:212: error: expression is nested too deeply (the limit is 200 levels) [E006]");
}

TEST_F(PolicyLimits, TreeDepthLimitIsExact) {
  // A chain of k literals is k levels deep (each operator above the one before); a group adds
  // one. `(a chain of 300) + 1 + ...` with n operands in all is 300 + 1 + (n - 1) levels deep,
  // while no chain is longer than kMaxOperandsPerChain and no nesting deeper than 2.
  auto tree = [](std::size_t outer) {
    std::string text = kHeader + "define x = (1";
    for (int i = 1; i < 300; ++i) text += " + 1";
    text += ")";
    for (std::size_t i = 1; i < outer; ++i) text += " + 1";
    return text + "\noutput y = x\n";
  };
  auto r = run_refpol({"check", write("ok.refpol", tree(200))});  // 500 levels
  EXPECT_EQ(r.exit_code, 0) << r.out.substr(0, 300);
  const std::string deep = write("deep.refpol", tree(201));  // 501 levels
  r = run_refpol({"check", deep});
  EXPECT_EQ(r.exit_code, 1);
  // The operation that goes past the limit spans from the `(` at column 12.
  EXPECT_EQ(r.out.substr(0, r.out.find('\n')),
            deep + ":3:12: error: expression is too deep (more than 500 operations inside each other) [E006]");
}

TEST_F(PolicyLimits, OperandChainLimitIsExact) {
  auto chain = [](std::size_t operands) {
    std::string text = kHeader + "define x = 1";
    for (std::size_t i = 1; i < operands; ++i) text += " + 1";
    return text + "\noutput y = x\n";
  };
  EXPECT_EQ(run_refpol({"check", write("ok.refpol", chain(kMaxOperandsPerChain))}).exit_code, 0);
  const std::string bad = write("bad.refpol", chain(kMaxOperandsPerChain + 1));
  auto r = run_refpol({"check", bad});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out.substr(0, r.out.find('\n')),
            bad + ":3:12: error: expression has more than 500 operands in a row; split it with `define` [E007]");
}

// Definitions doubling one another: d0 = 1 is 1 part, and d(i) = d(i-1) + d(i-1) is
// 3 + 2 * d(i-1) parts (the `+`, two names, two bodies): 1, 5, 13, 29, 61, 125, 253, 509, 1021,
// 2045, 4093 for d10.
std::string doubling_definitions(int last) {
  std::string text = kHeader + "define d0 = 1\n";
  for (int i = 1; i <= last; ++i) {
    text += "define d" + std::to_string(i) + " = d" + std::to_string(i - 1) + " + d" + std::to_string(i - 1) + "\n";
  }
  return text;
}

TEST_F(PolicyLimits, DefinitionExpansionLimitIsExact) {
  static_assert(kMaxDefineExpansion == 10000);
  // 15 `+`, 5 names, 4093 + 4093 + 1021 + 509 + 253 = 9969 parts of bodies, and 11 ones:
  // 15 + 5 + 9969 + 11 = 10000. A group `( )` is one part more.
  const std::string sum = "d10 + d10 + d8 + d7 + d6 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1";
  auto policy = [&](const std::string& body) {
    return doubling_definitions(10) + "define big = " + body + "\noutput y = big\n";
  };
  auto r = run_refpol({"check", write("ok.refpol", policy(sum))});
  EXPECT_EQ(r.exit_code, 0) << r.out;
  const std::string bad = write("bad.refpol", policy(sum + " + (1)"));
  r = run_refpol({"check", bad});
  EXPECT_EQ(r.exit_code, 1);
  // The definitions are lines 3 to 13; `big` is on line 14, its name at column 8.
  EXPECT_EQ(r.out.substr(0, r.out.find('\n')),
            bad + ":14:8: error: `big` is too large once the definitions it uses are written out: 10003 parts, "
                  "more than 10000 [E123]");
}

TEST_F(PolicyLimits, PolicyExpansionLimitIsExact) {
  static_assert(kMaxPolicyExpansion == 100000);
  // Uses outside definitions count the written-out bodies: 24 outputs of d10 are 24 * 4093 =
  // 98232 parts, allowed; a 25th (102325) is not.
  auto policy = [&](int uses) {
    std::string text = doubling_definitions(10) + "output y = d10";
    for (int i = 1; i < uses; ++i) text += "\noutput y" + std::to_string(i) + " = d10";
    return text + "\n";
  };
  auto r = run_refpol({"check", write("ok.refpol", policy(24))});
  EXPECT_EQ(r.exit_code, 0) << r.out;
  const std::string bad = write("bad.refpol", policy(25));
  r = run_refpol({"check", bad});
  EXPECT_EQ(r.exit_code, 1);
  // Lines 3 to 13 are the definitions; the 25th output, `output y24 = d10`, is on line 38.
  EXPECT_EQ(r.out.substr(0, r.out.find('\n')),
            bad + ":38:14: error: the definitions used in this policy add up to more than 100000 parts once they "
                  "are written out [E123]");
}

TEST_F(PolicyLimits, DefinitionDepthLimitIsExact) {
  static_assert(kMaxDefineDepth == 1000);
  // d0 = 1 is 1 level deep and d(i) = d(i-1) is one more: d(i) is i + 1 levels.
  auto chain = [&](int last) {
    std::string text = kHeader + "define d0 = 1\n";
    for (int i = 1; i <= last; ++i) text += "define d" + std::to_string(i) + " = d" + std::to_string(i - 1) + "\n";
    return text + "output y = d" + std::to_string(last) + "\n";
  };
  auto r = run_refpol({"check", write("ok.refpol", chain(999))});
  EXPECT_EQ(r.exit_code, 0) << r.out;
  const std::string bad = write("bad.refpol", chain(1000));
  r = run_refpol({"check", bad});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out.substr(0, r.out.find('\n')),
            bad + ":1003:8: error: `d1000` is nested too deeply once the definitions it uses are written out: "
                  "1001 levels, more than 1000 [E123]");
}

TEST_F(PolicyLimits, VersionDigitsLimitIsExact) {
  static_assert(kMaxVersionDigits == 9);
  auto r = run_refpol({"check", write("ok.refpol", "policy \"limits\" version 999999999\ncurrency CNY\n")});
  EXPECT_EQ(r.exit_code, 0) << r.out;
  const std::string bad = write("bad.refpol", "policy \"limits\" version 1000000000\ncurrency CNY\n");
  r = run_refpol({"check", bad});
  EXPECT_EQ(r.exit_code, 1);
  // `policy "limits" version ` is 24 characters.
  EXPECT_EQ(r.out.substr(0, r.out.find('\n')), bad + ":1:25: error: the version number is too large [E005]");
}

TEST_F(PolicyLimits, DateLiteralRangeIsExact) {
  static_assert(kMinYear == 1 && kMaxYear == 9999);
  auto with = [](const std::string& literal) { return kHeader + "define d = " + literal + "\noutput y = d\n"; };
  for (const char* fine : {"0001-01-01", "9999-12-31", "9999-12-31T23:59:59Z"}) {
    auto r = run_refpol({"check", write("fine.refpol", with(fine))});
    EXPECT_EQ(r.exit_code, 0) << fine << "\n" << r.out;
  }
  // `define d = ` is 11 characters: the literal starts at column 12.
  std::string bad = write("bad.refpol", with("0000-01-01"));
  auto r = run_refpol({"check", bad});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out.substr(0, r.out.find('\n')), bad + ":3:12: error: `0000-01-01` is not a date on the calendar [E212]");
  r = run_refpol({"check", bad = write("bad2.refpol", with("2026-02-30"))});
  EXPECT_EQ(r.out.substr(0, r.out.find('\n')), bad + ":3:12: error: `2026-02-30` is not a date on the calendar [E212]");
  // A five-digit year does not read as a date at all: `10000-01-01` is a subtraction.
  r = run_refpol({"check", write("bad3.refpol", with("10000-01-01"))});
  EXPECT_EQ(r.exit_code, 1);
}

TEST_F(PolicyLimits, MissingFileIsAUsageProblem) {
  auto r = run_refpol({"check", (dir_ / "nope.refpol").string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.out.find("cannot be read"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace refpol
