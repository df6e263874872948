// Files past their size limits are refused before they are read whole, by every command that
// reads them: a policy (kMaxSourceBytes) by `fmt` and `test` as by `check`, a facts document
// (kMaxFactsBytes) by `eval` from a file or standard input and by `test`, and a test file
// (kMaxTestFileBytes). The large files are sparse (resize_file), so the test writes almost
// nothing; refpol must not read them to find out.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "interpreter/eval/facts.hpp"
#include "interpreter/parse/parser.hpp"
#include "interpreter/testing/test_file.hpp"
#include "tests/support/test_support.hpp"

namespace refpol {
namespace {

namespace fs = std::filesystem;
using testing::run_refpol;

class FileSizeLimits : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("refpol-file-limits-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    policy_ = write("policy.refpol", "policy \"sizes\" version 1\ncurrency CNY\nrecord C { id: string }\n"
                                     "facts { referrer: C }\noutput y = 1\n");
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string write(const std::string& name, const std::string& text) {
    fs::path p = dir_ / name;
    testing::write_text(p, text);
    return p.string();
  }
  // `text` followed by spaces up to `size` bytes (a sparse file: the spaces are NUL bytes on
  // disk, which no loader accepts, so a loader that read it would say something else).
  std::string sparse(const std::string& name, const std::string& text, std::uintmax_t size) {
    const std::string p = write(name, text);
    fs::resize_file(p, size);
    return p;
  }
  fs::path dir_;
  std::string policy_;
};

TEST_F(FileSizeLimits, FmtRefusesAPolicyPastTheLimit) {
  const std::string big = sparse("big.refpol", "policy \"big\" version 1\n", kMaxSourceBytes + 1);
  auto r = run_refpol({"fmt", big});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "refpol: error: `" + big + "` is 8388609 bytes; the limit is 8388608 bytes\n");
}

TEST_F(FileSizeLimits, EvalRefusesAFactsFilePastTheLimitWithoutReadingIt) {
  static_assert(kMaxFactsBytes == 16 * 1024 * 1024);
  const std::string big = sparse("big.json", "{\"referrer\": {\"id\": \"u\"}}", kMaxFactsBytes + 1);
  auto r = run_refpol({"eval", "--policy", policy_, "--facts", big});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, big + ":1:1: error: document too large: 16777217 bytes (the limit is 16777216)\n");
}

TEST_F(FileSizeLimits, EvalRefusesStandardInputPastTheLimit) {
  // 16 MiB of spaces after a document, one byte past the limit: read up to the limit, not further.
  std::string input = "{\"referrer\": {\"id\": \"u\"}}";
  input.resize(kMaxFactsBytes, ' ');
  auto r = run_refpol({"eval", "--policy", policy_, "--facts", "-", "--now", "2027-01-01T00:00:00Z"}, input);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("\"outputs\":{\"y\":1}"), std::string::npos) << r.out;
  r = run_refpol({"eval", "--policy", policy_, "--facts", "-", "--now", "2027-01-01T00:00:00Z"}, input + " ");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "-:1:1: error: document too large: more than 16777216 bytes (the limit is 16777216)\n");
}

TEST_F(FileSizeLimits, TestRefusesATestFilePastTheLimit) {
  static_assert(policytest::kMaxTestFileBytes == 64 * 1024 * 1024);
  const std::string big = sparse("big.test.yaml", "policy: policy.refpol\ncases: []\n", policytest::kMaxTestFileBytes + 1);
  auto r = run_refpol({"test", big});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("`" + big + "` is 67108865 bytes; the limit is 67108864 bytes"), std::string::npos)
      << r.out;
}

TEST_F(FileSizeLimits, TestRefusesFactsAndPoliciesPastTheirLimits) {
  sparse("big.json", "{\"referrer\": {\"id\": \"u\"}}", kMaxFactsBytes + 1);
  const std::string facts_case = write("facts.test.yaml", "policy: policy.refpol\ncases:\n"
                                                          "  - name: big facts\n    now: 2027-01-01T00:00:00Z\n"
                                                          "    facts: big.json\n    expect:\n      outputs: { y: 1 }\n");
  auto r = run_refpol({"test", facts_case});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("big.json` is 16777217 bytes; the limit is 16777216 bytes"), std::string::npos)
      << r.out;

  const std::string big_policy = sparse("big.refpol", "policy \"big\" version 1\n", kMaxSourceBytes + 1);
  const std::string policy_case = write("policy.test.yaml", "policy: big.refpol\ncases:\n"
                                                            "  - name: any\n    now: 2027-01-01T00:00:00Z\n"
                                                            "    facts: { referrer: { id: u } }\n    expect:\n"
                                                            "      outputs: { y: 1 }\n");
  r = run_refpol({"test", policy_case});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE((r.out + r.err).find("the policy `" + big_policy + "` is 8388609 bytes; the limit is 8388608 bytes [E010]"),
            std::string::npos)
      << r.out << r.err;
}

}  // namespace
}  // namespace refpol
