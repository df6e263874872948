// The table of built-in functions: names, arity, types and documentation.
#include "stdlib/builtins.hpp"

namespace refpol {
namespace {

bool temporal(const Type& t) { return t.kind == TypeKind::date || t.kind == TypeKind::datetime; }

Type between(const std::vector<Type>& a, std::string& problem) {
  if (!temporal(a[0]) || !temporal(a[1])) problem = "expects two dates or date-times";
  return Type::of(TypeKind::integer);
}

Type date_of(const std::vector<Type>& a, std::string& problem) {
  if (a[0].kind != TypeKind::datetime && a[0].kind != TypeKind::date) problem = "expects a date-time";
  return Type::of(TypeKind::date);
}

Type rounding(const std::vector<Type>& a, std::string& problem) {
  if (!a[0].numeric() && a[0].kind != TypeKind::money) problem = "expects a number or an amount";
  if (a.size() > 1 && a[1].kind != TypeKind::integer) problem = "expects a whole number of digits";
  if (a[0].kind == TypeKind::integer) return a[0];
  return a[0];
}

Type extreme(const std::vector<Type>& a, std::string& problem) {
  const Type& x = a[0];
  const Type& y = a[1];
  if (x.numeric() && y.numeric()) {
    return Type::of(x.kind == TypeKind::number || y.kind == TypeKind::number ? TypeKind::number
                                                                             : TypeKind::integer);
  }
  if (x.kind != y.kind || x.unit != y.unit || x.kind == TypeKind::boolean ||
      x.kind == TypeKind::list || x.kind == TypeKind::record) {
    problem = "expects two values of the same kind";
  }
  return x;
}

Type absolute(const std::vector<Type>& a, std::string& problem) {
  if (!a[0].numeric() && a[0].kind != TypeKind::money) problem = "expects a number or an amount";
  return a[0];
}

Type text_case(const std::vector<Type>& a, std::string& problem) {
  if (a[0].kind != TypeKind::string) problem = "expects a string";
  return Type::of(TypeKind::string);
}

Type length(const std::vector<Type>& a, std::string& problem) {
  if (a[0].kind != TypeKind::string && a[0].kind != TypeKind::list) problem = "expects a string or a list";
  return Type::of(TypeKind::integer);
}

Type contains(const std::vector<Type>& a, std::string& problem) {
  if (a[0].kind != TypeKind::string || a[1].kind != TypeKind::string) problem = "expects two strings";
  return Type::of(TypeKind::boolean);
}

Type draw(const std::vector<Type>& a, std::string& problem) {
  if (a[0].kind != TypeKind::integer) problem = "expects how many to draw as a whole number first";
  if (a[1].kind != TypeKind::list) problem = "expects the list to draw from second";
  if (a[2].kind != TypeKind::string && !a[2].numeric()) problem = "expects a seed string or number third";
  return a[1];
}

}  // namespace

const std::vector<Builtin>& builtins() {
  static const std::vector<Builtin> table = {
      {BuiltinId::days_between, "days_between", 2, 2, "days_between(from, to) -> int",
       "whole days from `from` to `to` on the policy's calendar (negative when `to` is earlier)",
       between},
      {BuiltinId::hours_between, "hours_between", 2, 2, "hours_between(from, to) -> int",
       "whole hours from `from` to `to`, rounded towards zero", between},
      {BuiltinId::date_of, "date_of", 1, 1, "date_of(datetime) -> date",
       "the calendar date of an instant in the policy's time zone", date_of},
      {BuiltinId::round, "round", 1, 2, "round(x, digits = 0)",
       "rounds half away from zero (the commercial rule) to `digits` fraction digits", rounding},
      {BuiltinId::floor, "floor", 1, 2, "floor(x, digits = 0)",
       "rounds towards zero to `digits` fraction digits", rounding},
      {BuiltinId::least, "least", 2, 2, "least(a, b)", "the smaller of two values of one kind",
       extreme},
      {BuiltinId::greatest, "greatest", 2, 2, "greatest(a, b)",
       "the larger of two values of one kind", extreme},
      {BuiltinId::abs, "abs", 1, 1, "abs(x)", "the absolute value", absolute},
      {BuiltinId::lower, "lower", 1, 1, "lower(text) -> string", "ASCII letters in lower case",
       text_case},
      {BuiltinId::upper, "upper", 1, 1, "upper(text) -> string", "ASCII letters in upper case",
       text_case},
      {BuiltinId::length, "length", 1, 1, "length(text or list) -> int",
       "code points in a string, or items in a list", length},
      {BuiltinId::contains, "contains", 2, 2, "contains(text, part) -> bool",
       "whether `part` occurs in `text`", contains},
      {BuiltinId::draw, "draw", 3, 3, "draw(n, list, seed) -> list",
       "a reproducible lottery: the `n` items whose SHA-256 of seed and id is smallest "
       "(docs/language.md#lottery)",
       draw},
  };
  return table;
}

const Builtin* find_builtin(std::string_view name) {
  for (const auto& b : builtins()) {
    if (b.name == name) return &b;
  }
  return nullptr;
}

}  // namespace refpol
