// Imports cannot leave the policy's folder or stdlib/: `..`, absolute names, paths through a
// linked folder and links that lead elsewhere are refused at the import's line and column, and a
// plain `import "standard"` still works. Links are judged by where they really lead.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "tests/support/test_support.hpp"

namespace refpol {
namespace {

namespace fs = std::filesystem;
using testing::run_refpol;

const std::string kHeader = "policy \"imports\" version 1\ncurrency CNY\n";
const std::string kNote =
    "      note: imports name a module in stdlib/ or in the policy's own folder, such as "
    "\"standard\"; paths, "
    "`..` and absolute names are not allowed";

// dir_/campaign holds the policy; dir_/outside is a folder it must not reach.
class ImportLimits : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("refpol-imports-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "campaign");
    fs::create_directories(dir_ / "outside");
    testing::write_text(dir_ / "outside" / "mod.refpol", "define leaked = 1\n");
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Checks campaign/policy.refpol holding `import "NAME"` on line 3 and reading `leaked`.
  testing::RunResult check_import(const std::string& name) {
    testing::write_text(policy(), kHeader + "import \"" + name + "\"\noutput y = leaked\n");
    return run_refpol({"check", policy()});
  }
  std::string policy() const { return (dir_ / "campaign" / "policy.refpol").string(); }
  // The first three lines of the output: the error, the source line and the caret.
  static std::string head(const std::string& out, int lines = 3) {
    std::size_t at = 0;
    for (int i = 0; i < lines && at != std::string::npos; ++i) {
      at = out.find('\n', at);
      if (at != std::string::npos) ++at;
    }
    return out.substr(0, at);
  }
  fs::path dir_;
};

TEST_F(ImportLimits, ParentFolderIsRefused) {
  auto r = check_import("../outside/mod");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(head(r.out, 4), policy() +
                                ":3:8: error: cannot import `../outside/mod` [E022]\n"
                                "   3 | import \"../outside/mod\"\n"
                                "     |        ^~~~~~~~~~~~~~~~\n" +
                                kNote + "\n");
  r = check_import("../x");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(head(r.out, 1), policy() + ":3:8: error: cannot import `../x` [E022]\n");
}

TEST_F(ImportLimits, AbsolutePathIsRefused) {
  auto r = check_import("/etc/passwd");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(head(r.out), policy() +
                             ":3:8: error: cannot import `/etc/passwd` [E022]\n"
                             "   3 | import \"/etc/passwd\"\n"
                             "     |        ^~~~~~~~~~~~~\n");
  r = check_import((dir_ / "outside" / "mod").string());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find(policy() + ":3:8: error: cannot import `" +
                       (dir_ / "outside" / "mod").string() + "` [E022]"),
            std::string::npos)
      << r.out;
}

TEST_F(ImportLimits, LinkToAFileOutsideIsRefused) {
  fs::create_symlink(dir_ / "outside" / "mod.refpol", dir_ / "campaign" / "mod.refpol");
  auto r = check_import("mod");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(head(r.out),
            policy() +
                ":3:8: error: cannot import `mod`: it links outside its folder [E022]\n"
                "   3 | import \"mod\"\n"
                "     |        ^~~~~\n");
  // A relative link, and a link to a module of stdlib/, are outside too.
  fs::remove(dir_ / "campaign" / "mod.refpol");
  fs::create_symlink("../outside/mod.refpol", dir_ / "campaign" / "mod.refpol");
  r = check_import("mod");
  EXPECT_EQ(head(r.out, 1),
            policy() + ":3:8: error: cannot import `mod`: it links outside its folder [E022]\n");
  fs::create_symlink(fs::path(REFPOL_SOURCE_DIR) / "stdlib" / "standard.refpol",
                     dir_ / "campaign" / "std.refpol");
  r = check_import("std");
  EXPECT_EQ(head(r.out, 1),
            policy() + ":3:8: error: cannot import `std`: it links outside its folder [E022]\n");
}

TEST_F(ImportLimits, LinkedFolderIsNoWayOut) {
  // campaign/shared is a link to the outside folder: a path through it is still a path.
  fs::create_directory_symlink(dir_ / "outside", dir_ / "campaign" / "shared");
  auto r = check_import("shared/mod");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(head(r.out, 1), policy() + ":3:8: error: cannot import `shared/mod` [E022]\n");
  // A link named like a module that leads to a folder is no module at all.
  fs::create_directory_symlink(dir_ / "outside", dir_ / "campaign" / "folder.refpol");
  r = check_import("folder");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(head(r.out, 1), policy() + ":3:8: error: no module `folder` [E021]\n");
}

TEST_F(ImportLimits, ModulesAreHeldToTheSameRule) {
  // A module in the policy's folder cannot reach further either; the error is in the module.
  testing::write_text(dir_ / "campaign" / "shared.refpol",
                      "# shared checks\nimport \"../outside/mod\"\n");
  auto r = check_import("shared");
  EXPECT_EQ(r.exit_code, 1);
  const std::string module = (dir_ / "campaign" / "shared.refpol").lexically_normal().string();
  EXPECT_EQ(head(r.out, 1), module + ":2:8: error: cannot import `../outside/mod` [E022]\n")
      << r.out;
}

TEST_F(ImportLimits, LinksThatStayInsideAndLinkedPolicyFoldersWork) {
  // A link to a neighbour in the same folder is fine.
  testing::write_text(dir_ / "campaign" / "real.refpol", "define leaked = 2\n");
  fs::create_symlink("real.refpol", dir_ / "campaign" / "alias.refpol");
  auto r = check_import("alias");
  EXPECT_EQ(r.exit_code, 0) << r.out;
  // So is a policy reached through a linked folder: its folder is where it really is.
  fs::create_directory_symlink(dir_ / "campaign", dir_ / "via-link");
  r = run_refpol({"check", (dir_ / "via-link" / "policy.refpol").string()});
  EXPECT_EQ(r.exit_code, 0) << r.out;
}

TEST_F(ImportLimits, StandardStillWorks) {
  testing::write_text(policy(), kHeader + "import \"standard\"\noutput n = referrer.order_count\n");
  auto r = run_refpol({"check", policy()});
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_EQ(r.out, "checked 1 file: 0 errors, 0 warnings\n");
}

}  // namespace
}  // namespace refpol
