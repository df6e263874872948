// Regression (found while adding the expansion limits of #7): a chain of 200000 definitions, each
// using the one before, overflowed the stack in `refpol check`, which checked each body from
// inside the one that used it. The checker now sizes definitions in an order where the used ones
// come first, without recursing from one into another, and refuses a chain deeper than
// kMaxDefineDepth before checking types (E123).
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "tests/support/test_support.hpp"

namespace refpol {
namespace {

TEST(Regression, LongChainOfDefinitionsIsRefusedWithoutOverflowingTheStack) {
  std::string text = "policy \"chain\" version 1\ncurrency CNY\ndefine d0 = 1\n";
  for (int i = 1; i < 200000; ++i) text += "define d" + std::to_string(i) + " = d" + std::to_string(i - 1) + "\n";
  text += "output y = d199999\n";
  const std::filesystem::path path =
      std::filesystem::temp_directory_path() / ("refpol-chain-" + std::to_string(::getpid()) + ".refpol");
  testing::write_text(path, text);
  auto r = testing::run_refpol({"check", path.string()});
  std::filesystem::remove(path);
  EXPECT_EQ(r.exit_code, 1);
  // d(i) is i + 1 levels deep; d1000, on line 1003, is the first past 1000.
  EXPECT_NE(r.out.find(":1003:8: error: `d1000` is nested too deeply"), std::string::npos) << r.out.substr(0, 500);
  EXPECT_NE(r.out.find("checked 1 file: 1 error, 0 warnings"), std::string::npos);
}

}  // namespace
}  // namespace refpol
