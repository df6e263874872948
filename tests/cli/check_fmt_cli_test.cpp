// `refpol check` and `refpol fmt` as other services and scripts call them: exit codes, several
// files, JSON diagnostics, --write and --check.
#include <gtest/gtest.h>

#include <filesystem>

#include "tests/support/test_support.hpp"

namespace refpol {
namespace {

namespace fs = std::filesystem;
using testing::run_refpol;

class CheckFmtCli : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("refpol-cli-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string write(const std::string& name, const std::string& text) {
    testing::write_text(dir_ / name, text);
    return (dir_ / name).string();
  }
  fs::path dir_;
};

const char* kGood = "policy \"good\" version 1\ncurrency CNY\n";
const char* kWarning = "policy \"warn\" version 1\ncurrency CNY\ndefine unused = 1\n";
const char* kBad = "policy \"bad\" version 1\ncurrency CNY\noutput x = nothing_here\n";

TEST_F(CheckFmtCli, CheckExitCodes) {
  EXPECT_EQ(run_refpol({"check", write("good.refpol", kGood)}).exit_code, 0);
  auto warn = run_refpol({"check", write("warn.refpol", kWarning)});
  EXPECT_EQ(warn.exit_code, 0) << "warnings alone do not fail a check";
  EXPECT_NE(warn.out.find("warning: `unused` is defined but never used [W501]"), std::string::npos) << warn.out;
  auto bad = run_refpol({"check", write("bad.refpol", kBad)});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.out.find("bad.refpol:3:12: error: unknown name `nothing_here` [E101]"), std::string::npos) << bad.out;
  EXPECT_EQ(run_refpol({"check"}).exit_code, 2) << "no file is a usage error";
  EXPECT_EQ(run_refpol({"check", "--format", "xml", write("g2.refpol", kGood)}).exit_code, 2);
  EXPECT_EQ(run_refpol({"frobnicate"}).exit_code, 2);
}

TEST_F(CheckFmtCli, CheckReportsEveryFileAndCounts) {
  auto r = run_refpol({"check", write("a.refpol", kBad), write("b.refpol", kGood), write("c.refpol", kWarning)});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("a.refpol:3:12"), std::string::npos);
  EXPECT_NE(r.out.find("c.refpol:3:8: warning"), std::string::npos);
  EXPECT_NE(r.out.find("checked 3 files: 1 error, 1 warning"), std::string::npos) << r.out;
}

TEST_F(CheckFmtCli, CheckJsonIsOneDocumentWithPositions) {
  auto r = run_refpol({"check", "--format", "json", write("bad.refpol", kBad)});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out.rfind("{\"files\":1,\"errors\":1,\"warnings\":0,\"diagnostics\":[{\"severity\":\"error\",\"code\":\"E101\"", 0), 0u)
      << r.out;
  EXPECT_NE(r.out.find("\"line\":3,\"column\":12,\"end_line\":3,\"end_column\":24"), std::string::npos) << r.out;
}

TEST_F(CheckFmtCli, FmtPrintsWritesAndChecks) {
  std::string messy = "policy   \"m\"  version 1\ncurrency CNY\ndefine  a=1+2   # keep me\n";
  std::string path = write("messy.refpol", messy);
  auto printed = run_refpol({"fmt", path});
  EXPECT_EQ(printed.exit_code, 0);
  EXPECT_EQ(printed.out, "policy \"m\" version 1\ncurrency CNY\ndefine a = 1 + 2  # keep me\n");
  EXPECT_EQ(testing::read_text(path), messy) << "printing does not touch the file";
  auto check = run_refpol({"fmt", "--check", path});
  EXPECT_EQ(check.exit_code, 1);
  EXPECT_NE(check.out.find("messy.refpol: not formatted"), std::string::npos);
  EXPECT_EQ(run_refpol({"fmt", "--write", path}).exit_code, 0);
  EXPECT_EQ(testing::read_text(path), printed.out);
  EXPECT_EQ(run_refpol({"fmt", "--check", path}).exit_code, 0);
}

TEST_F(CheckFmtCli, FmtRefusesBrokenPoliciesAndMissingFiles) {
  std::string path = write("broken.refpol", "policy \"b\" version\n");
  auto r = run_refpol({"fmt", "--write", path});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("broken.refpol:1:19: error: expected a whole version number after `version`"), std::string::npos) << r.err;
  EXPECT_EQ(testing::read_text(path), "policy \"b\" version\n") << "a broken file is left as it was";
  EXPECT_EQ(run_refpol({"fmt", (dir_ / "missing.refpol").string()}).exit_code, 2);
}

}  // namespace
}  // namespace refpol
