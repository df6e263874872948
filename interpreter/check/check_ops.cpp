// Type rules for operators and aggregates: what may be added, compared, tested for membership,
// counted and summed.
#include <fmt/format.h>

#include "interpreter/check/checker_impl.hpp"

namespace refpol::check {
namespace {

using K = TypeKind;

bool same_unit_money(const Type& a, const Type& b) {
  return a.kind == K::money && b.kind == K::money && a.unit == b.unit;
}

bool temporal(const Type& t) { return t.kind == K::date || t.kind == K::datetime; }

}  // namespace

Type Checker::binary(const ast::Expr& e, Ctx& ctx) {
  const std::string& op = e.text;
  if (op == "and" || op == "or") {
    Type a = condition(e.kids[0], ctx);
    std::size_t saved = ctx.guards.size();
    // `x is present and x > 1`: the right side runs only when the left held (or, for `or`,
    // when it failed), so what the left proves guards the right.
    presence_guards(e.kids[0], ctx.guards, op == "or");
    Type b = condition(e.kids[1], ctx);
    ctx.guards.resize(saved);
    if (a.is_error() || b.is_error()) return Type{};
    return Type::of(K::boolean);
  }
  if (op == "??") {
    // The default may itself be optional (`a ?? b ?? 0`): then so is the result.
    Type a = expr(e.kids[0], ctx);
    Type b = expr(e.kids[1], ctx);
    if (a.is_error() || b.is_error()) return Type{};
    Type ar = a.required();
    bool fits = (ar.numeric() && b.numeric()) || (ar.kind == b.kind && ar.unit == b.unit) ||
                b.kind == K::null;
    if (!fits) {
      error(ctx, "E201", e.span,
            fmt::format("the default after `??` is {}, but the value is {}", type_name(b, schema_),
                        type_name(ar, schema_)));
      return Type{};
    }
    Type result = (ar.numeric() && b.numeric() && ar.kind != b.kind) ? Type::of(K::number) : ar;
    result.optional = b.optional;
    result.absent_path = b.absent_path;
    return result;
  }
  // `x == null` is a presence test in disguise: say so once, before anything else.
  if ((op == "==" || op == "!=") && (e.kids[0].kind == ast::ExprKind::null || e.kids[1].kind == ast::ExprKind::null)) {
    error(ctx, "E203", e.span, "compare with `is present` or `is absent`, not with `null`")
        .hint = op == "==" ? "write `x is absent`" : "write `x is present`";
    return Type{};
  }
  Type a = value(e.kids[0], ctx);
  Type b = value(e.kids[1], ctx);
  if (a.is_error() || b.is_error()) return Type{};
  std::string an = type_name(a, schema_), bn = type_name(b, schema_);

  auto mismatch = [&](std::string message) -> Type {
    Diagnostic& d = error(ctx, "E201", e.span, std::move(message));
    if ((a.kind == K::money && b.numeric()) || (b.kind == K::money && a.numeric())) {
      std::string unit = a.kind == K::money ? a.unit : b.unit;
      d.hint = fmt::format("write the number as an amount, such as `500 {}`", unit);
    }
    return Type{};
  };

  if (op == "+" || op == "-") {
    if (a.numeric() && b.numeric()) {
      return Type::of(a.kind == K::integer && b.kind == K::integer ? K::integer : K::number);
    }
    if (a.kind == K::money && b.kind == K::money) {
      if (a.unit != b.unit) {
        error(ctx, "E202", e.span, fmt::format("cannot {} {} and {}", op == "+" ? "add" : "subtract",
                                               a.unit, b.unit))
            .notes.push_back("amounts in different currencies or units never mix");
        return Type{};
      }
      return a;
    }
    if (temporal(a) && b.kind == K::duration) return a;
    if (op == "+" && a.kind == K::duration && temporal(b)) return b;
    if (a.kind == K::duration && b.kind == K::duration) return a;
    if (op == "-" && a.kind == b.kind && temporal(a)) return Type::of(K::duration);
    if (op == "+" && a.kind == K::string && b.kind == K::string) return a;
    if (temporal(a) && temporal(b)) {
      if (op == "+") {
        error(ctx, "E205", e.span, fmt::format("cannot add {} to {}", bn, an))
            .hint = "add a duration such as `7 days`, or subtract two dates to get a duration";
      } else {
        error(ctx, "E205", e.span, fmt::format("cannot subtract {} from {}", bn, an))
            .hint = "subtract two of the same kind: use `date_of(...)` to turn a date-time into a date";
      }
      return Type{};
    }
    if (temporal(a) && b.numeric()) {
      error(ctx, "E205", e.span, fmt::format("cannot {} a number {} {}", op == "+" ? "add" : "subtract",
                                             op == "+" ? "to" : "from", an))
          .hint = "say what the number counts, such as `7 days` or `72 hours`";
      return Type{};
    }
    return mismatch(fmt::format("cannot {} {} and {}", op == "+" ? "add" : "subtract", an, bn));
  }
  if (op == "*") {
    if (a.numeric() && b.numeric()) {
      return Type::of(a.kind == K::integer && b.kind == K::integer ? K::integer : K::number);
    }
    if (a.kind == K::money && b.numeric()) return a;
    if (a.numeric() && b.kind == K::money) return b;
    if (a.kind == K::duration && b.kind == K::integer) return a;
    if (a.kind == K::integer && b.kind == K::duration) return b;
    return mismatch(fmt::format("cannot multiply {} by {}", an, bn));
  }
  if (op == "/") {
    if (a.numeric() && b.numeric()) return Type::of(K::number);
    if (a.kind == K::money && b.numeric()) return a;
    if (same_unit_money(a, b)) return Type::of(K::number);
    return mismatch(fmt::format("cannot divide {} by {}", an, bn));
  }
  if (op == "in" || op == "not in") {
    if (b.kind == K::range) {
      Type elem = b.element();
      bool fits = (a.numeric() && elem.numeric()) || (a.kind == elem.kind && a.unit == elem.unit) ||
                  (a.kind == K::datetime && elem.kind == K::date);
      if (!fits) {
        error(ctx, "E208", e.span,
              fmt::format("cannot look for {} in a range of {}", an, type_name(elem, schema_)));
        return Type{};
      }
      return Type::of(K::boolean);
    }
    if (b.kind == K::list) {
      Type elem = b.element();
      bool fits = (a.numeric() && elem.numeric()) || (a.kind == elem.kind && a.unit == elem.unit) ||
                  elem.kind == K::null;
      if (!fits || a.kind == K::record) {
        error(ctx, "E208", e.span,
              fmt::format("cannot look for {} in a list of {}", an, type_name(elem, schema_)));
        return Type{};
      }
      return Type::of(K::boolean);
    }
    error(ctx, "E208", e.kids[1].span, fmt::format("`{}` needs a list or a range on its right, not {}", op, bn))
        .hint = "write a list like `[\"loyal\", \"active\"]`, a range like `2027-01-01 .. 2027-01-07`, or a phase name";
    return Type{};
  }
  // Comparisons.
  bool equality = op == "==" || op == "!=";
  if (a.kind == K::null || b.kind == K::null) {
    error(ctx, "E203", e.span, "compare with `is present` or `is absent`, not with `null`");
    return Type{};
  }
  if ((a.kind == K::money && b.numeric()) || (a.numeric() && b.kind == K::money)) {
    return mismatch(fmt::format("cannot compare {} with {}", an, bn));
  }
  if (a.kind == K::money && b.kind == K::money && a.unit != b.unit) {
    error(ctx, "E202", e.span, fmt::format("cannot compare {} with {}", a.unit, b.unit))
        .notes.push_back("amounts in different currencies or units never mix");
    return Type{};
  }
  bool comparable = (a.numeric() && b.numeric()) || (a.kind == b.kind && a.kind != K::list &&
                                                     a.kind != K::record && a.kind != K::range);
  if (!comparable) {
    Diagnostic& d = error(ctx, "E203", e.span, fmt::format("cannot compare {} with {}", an, bn));
    if (temporal(a) && temporal(b)) d.hint = "use `date_of(...)` to compare a date-time with a date";
    if ((temporal(a) && b.kind == K::duration) || (temporal(b) && a.kind == K::duration))
      d.hint = "compare with a point in time, such as `now - 365 days`";
    return Type{};
  }
  if (!equality && !(a.numeric() || a.kind == K::money || temporal(a) || a.kind == K::duration ||
                     a.kind == K::string)) {
    error(ctx, "E203", e.span, fmt::format("`{}` needs values with an order, but this is {}; use `==` or `!=`", op, an));
    return Type{};
  }
  return Type::of(K::boolean);
}

Type Checker::aggregate(const ast::Expr& e, Ctx& ctx) {
  const std::string& fn = e.text;
  const ast::Expr& list_e = e.kids[0];
  const ast::Expr& value_e = e.kids[1];
  const ast::Expr& where_e = e.kids[2];
  Type list = value(list_e, ctx);
  if (list.is_error()) return list;
  if (list.kind != K::list) {
    error(ctx, "E209", list_e.span,
          fmt::format("`{}` needs a list, but this is {}", fn, type_name(list, schema_)));
    return Type{};
  }
  Type item = list.element();
  bool has_var = !e.unit.empty();
  ctx.locals.emplace_back(e.unit, item);
  struct Pop {
    Ctx& c;
    std::size_t guards;
    ~Pop() {
      c.locals.pop_back();
      c.guards.resize(guards);
    }
  } pop{ctx, ctx.guards.size()};
  if (has_var && where_e.kind != ast::ExprKind::null) {
    if (condition(where_e, ctx).is_error()) return Type{};
    presence_guards(where_e, ctx.guards, false);
  }
  if (fn == "count") return Type::of(K::integer);
  if (fn == "any" || fn == "all") {
    if (!has_var) {
      if (item.kind != K::boolean) {
        error(ctx, "E209", e.span, fmt::format("`{}(list)` needs a list of conditions; write `{}(x in list where ...)`", fn, fn));
        return Type{};
      }
    } else if (where_e.kind == ast::ExprKind::null) {
      error(ctx, "E209", e.span, fmt::format("`{}` needs a condition: `{}(x in list where ...)`", fn, fn));
      return Type{};
    }
    return Type::of(K::boolean);
  }
  // sum, min, max
  Type v = item;
  if (has_var) {
    if (value_e.kind == ast::ExprKind::null) {
      error(ctx, "E209", e.span, fmt::format("`{}` needs a value: `{}(x.amount for x in list)`", fn, fn));
      return Type{};
    }
    v = value(value_e, ctx);
    if (v.is_error()) return v;
  }
  bool fits = v.numeric() || v.kind == K::money || (fn != "sum" && (v.kind == K::date || v.kind == K::datetime || v.kind == K::duration));
  if (!fits) {
    error(ctx, "E209", e.span, fmt::format("cannot {} {}", fn == "sum" ? "add up" : "take the " + fn + " of",
                                           type_name(v, schema_)));
    return Type{};
  }
  // min and max of an empty list are absent.
  if (fn != "sum") v.optional = true;
  return v;
}

}  // namespace refpol::check
