// Span-free equality for expressions and the span of any declaration.
#include "interpreter/ast/ast.hpp"

namespace refpol::ast {

bool Expr::operator==(const Expr& other) const {
  // Strings compare by decoded value so `"\u{4E2D}"` equals `"中"`.
  if (kind == ExprKind::string && other.kind == ExprKind::string) return text == other.text;
  return kind == other.kind && text == other.text && unit == other.unit && kids == other.kids;
}

Span decl_span(const Decl& d) {
  return boost::variant2::visit([](const auto& x) { return x.span; }, d);
}

}  // namespace refpol::ast
