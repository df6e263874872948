// Regression (fuzz_policy): a comment holding the byte 0x01 made `refpol fmt` fail its self-check
// (E090), because the formatter used 0x01 inside its output to mark trailing comments.
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "interpreter/fmt/formatter.hpp"
#include "interpreter/source/diagnostic.hpp"

namespace refpol {
namespace {

FormatResult format_text(const std::string& text) {
  return format_source(std::make_shared<SourceFile>("regression.refpol", text));
}

TEST(Regression, FmtKeepsACommentHoldingByte01) {
  FormatResult r = format_text("#\x01");
  ASSERT_TRUE(r.ok) << render_text(r.diagnostics);
  EXPECT_EQ(r.text, "#\x01\n");
}

TEST(Regression, FmtAlignsTrailingCommentsHoldingByte01) {
  const std::string text =
      "policy \"p\" version 1\n"
      "currency CNY  # a\x01 b\n"
      "timezone \"UTC\" # c\x01\n";
  FormatResult r = format_text(text);
  ASSERT_TRUE(r.ok) << render_text(r.diagnostics);
  EXPECT_EQ(r.text,
            "policy \"p\" version 1\n"
            "currency CNY    # a\x01 b\n"
            "timezone \"UTC\"  # c\x01\n");
  FormatResult again = format_text(r.text);
  ASSERT_TRUE(again.ok) << render_text(again.diagnostics);
  EXPECT_EQ(again.text, r.text);
}

}  // namespace
}  // namespace refpol
