// The formatter: prints a policy in canonical form, keeping every comment and the author's blank
// lines between items. Formatting is idempotent and the result parses to an equal tree.
#pragma once
#include <string>

#include "interpreter/ast/ast.hpp"
#include "interpreter/source/diagnostic.hpp"

namespace refpol {

// Lines longer than this are broken at `when` and `gives` where a declaration allows it.
inline constexpr std::size_t kFormatWidth = 100;

std::string format_file(const ast::File& file);
std::string format_expr(const ast::Expr& e);

struct FormatResult {
  std::string text;       // the canonical form, when `ok`
  bool ok = false;
  Diagnostics diagnostics;  // syntax errors, or a formatter self-check failure
};

// Parses `source`, formats it, and verifies that the output re-parses to an equal tree and keeps
// every comment; a failed verification is reported (code E090) instead of returning bad text.
FormatResult format_source(SourcePtr source);

// A readable dump of the tree, one node per line, for the parser's golden tests.
std::string dump_ast(const ast::File& file);

}  // namespace refpol
