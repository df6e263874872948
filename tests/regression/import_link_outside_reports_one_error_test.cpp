// Regression (limits audit): an import of a module that is a link leading out of the policy's
// folder got two errors at the same place: the right one (E022, it links outside its folder)
// and "no module `mod`" (E021) with a note saying it was looked for, although it exists. The
// loader now stops at the refusal.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "tests/support/test_support.hpp"

namespace refpol {
namespace {

namespace fs = std::filesystem;

TEST(Regression, ImportOfALinkOutsideReportsOneError) {
  const fs::path dir = fs::temp_directory_path() / ("refpol-link-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir / "campaign");
  fs::create_directories(dir / "outside");
  testing::write_text(dir / "outside" / "mod.refpol", "define leaked = 1\n");
  fs::create_symlink(dir / "outside" / "mod.refpol", dir / "campaign" / "mod.refpol");
  const std::string policy = (dir / "campaign" / "policy.refpol").string();
  testing::write_text(
      policy, "policy \"link\" version 1\ncurrency CNY\nimport \"mod\"\noutput y = leaked\n");
  auto r = testing::run_refpol({"check", policy});
  fs::remove_all(dir);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, policy +
                       ":3:8: error: cannot import `mod`: it links outside its folder [E022]\n"
                       "   3 | import \"mod\"\n"
                       "     |        ^~~~~\n"
                       "checked 1 file: 1 error, 0 warnings\n");
}

}  // namespace
}  // namespace refpol
