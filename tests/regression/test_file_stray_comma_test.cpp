// Regression (fuzz_test_file, timeouts): a test file holding a `,` outside `[...]` or `{...}`
// after a document that is not a mapping (just `,`, or a list then a line `,`) made `refpol test`
// hang: yaml-cpp 0.7 never consumes that comma and YAML::LoadAll read empty documents forever.
#include <gtest/gtest.h>

#include <string>

#include "interpreter/testing/test_file.hpp"

namespace refpol::policytest {
namespace {

TEST(Regression, TestFileWithAStrayCommaIsAnErrorNotAHang) {
  for (const std::string text : {",", "- a\n,", "- name: x\n  now: 2027-01-10T12:00:00+08:00\n,\n"}) {
    TestFile f = parse_test_file("tests/regression/stray_comma.test.yaml", text);
    ASSERT_TRUE(f.problems.has_errors()) << text;
    // The wording depends on where yaml-cpp stops (`a `,` outside a flow collection`, or `end
    // of map not found` once a case list is open); what matters is an error, and no hang.
    EXPECT_NE(render_text(f.problems).find("invalid YAML: "), std::string::npos) << render_text(f.problems);
    EXPECT_TRUE(f.cases.empty());
  }
}

}  // namespace
}  // namespace refpol::policytest
