// Type checking of expressions: names, fields, operators, calls, aggregates and the guard rule
// for optional facts.
#include <fmt/format.h>

#include "interpreter/check/checker_impl.hpp"
#include "interpreter/eval/decimal.hpp"
#include "interpreter/eval/time.hpp"
#include "stdlib/builtins.hpp"

namespace refpol::check {
namespace {

using K = TypeKind;
using E = ast::ExprKind;

bool same_family(const Type& a, const Type& b) {
  if (a.numeric() && b.numeric()) return true;
  if (a.kind != b.kind) return false;
  if (a.kind == K::money) return a.unit == b.unit;
  if (a.kind == K::list || a.kind == K::range) return a.elem == b.elem;
  return true;
}

bool ordered(const Type& t) {
  return t.numeric() || t.kind == K::money || t.kind == K::date || t.kind == K::datetime ||
         t.kind == K::duration || t.kind == K::string;
}

// Restores the guard list when a guarded region ends.
struct GuardScope {
  Ctx& ctx;
  std::size_t size;
  explicit GuardScope(Ctx& c) : ctx(c), size(c.guards.size()) {}
  ~GuardScope() { ctx.guards.resize(size); }
};

}  // namespace

std::string Checker::path_of(const ast::Expr& e) {
  if (e.kind == E::name) return e.text;
  if (e.kind == E::group) return path_of(e.kids[0]);
  if (e.kind == E::field) {
    std::string base = path_of(e.kids[0]);
    return base.empty() ? std::string() : base + "." + e.text;
  }
  return {};
}

// Collects the paths that `e` being true proves present (`negated`: `e` being false).
void Checker::presence_guards(const ast::Expr& e, std::vector<std::string>& out, bool negated) {
  if (e.kind == E::group) return presence_guards(e.kids[0], out, negated);
  if (e.kind == E::presence) {
    bool proves_present = (e.text == "present") != negated;
    if (proves_present) {
      std::string p = path_of(e.kids[0]);
      if (!p.empty()) out.push_back(p);
    }
    return;
  }
  if (e.kind == E::binary && e.text == (negated ? "or" : "and")) {
    presence_guards(e.kids[0], out, negated);
    presence_guards(e.kids[1], out, negated);
  }
  if (e.kind == E::unary && e.text == "not") presence_guards(e.kids[0], out, !negated);
}

int Checker::const_bool(const ast::Expr& e) {
  switch (e.kind) {
    case E::boolean: return e.text == "true" ? 1 : 0;
    case E::group: return const_bool(e.kids[0]);
    case E::unary:
      if (e.text == "not") {
        int v = const_bool(e.kids[0]);
        return v < 0 ? -1 : 1 - v;
      }
      return -1;
    case E::binary: {
      if (e.text == "and" || e.text == "or") {
        int a = const_bool(e.kids[0]);
        int b = const_bool(e.kids[1]);
        if (e.text == "and") {
          if (a == 0 || b == 0) return 0;
          return a == 1 && b == 1 ? 1 : -1;
        }
        if (a == 1 || b == 1) return 1;
        return a == 0 && b == 0 ? 0 : -1;
      }
      const ast::Expr& l = e.kids[0];
      const ast::Expr& r = e.kids[1];
      if ((l.kind != E::number && l.kind != E::amount) || l.kind != r.kind || l.unit != r.unit) return -1;
      Decimal a, b;
      if (parse_decimal(l.text, a) != DecimalError::none ||
          parse_decimal(r.text, b) != DecimalError::none)
        return -1;
      int c = compare(a, b);
      if (e.text == "==") return c == 0;
      if (e.text == "!=") return c != 0;
      if (e.text == "<") return c < 0;
      if (e.text == "<=") return c <= 0;
      if (e.text == ">") return c > 0;
      if (e.text == ">=") return c >= 0;
      return -1;
    }
    default: return -1;
  }
}

void Checker::number_problem(const ast::Expr& e, DecimalError err, Ctx& ctx) {
  if (err == DecimalError::syntax && e.text.size() > 1 && e.text[0] == '0' && e.text[1] != '.') {
    std::size_t first = e.text.find_first_not_of('0');
    std::string plain = first == std::string::npos || e.text[first] == '.' ? "0" + e.text.substr(first == std::string::npos ? e.text.size() : first)
                                                                          : e.text.substr(first);
    error(ctx, "E213", e.span, fmt::format("numbers do not start with `0`: write `{}`", plain));
    return;
  }
  std::size_t dot = e.text.find('.');
  if (dot != std::string::npos && e.text.size() - dot - 1 > kMaxDecimalScale) {
    error(ctx, "E213", e.span,
          fmt::format("number `{}` has more than {} digits after the point", e.text, kMaxDecimalScale));
    return;
  }
  error(ctx, "E213", e.span, fmt::format("number `{}` is too large", e.text))
      .notes.push_back("numbers have at most 18 significant digits");
}

std::vector<std::string> Checker::visible_names(const Ctx& ctx) const {
  std::vector<std::string> names;
  for (const auto& l : ctx.locals) names.push_back(l.first);
  if (ctx.referral) names.push_back("referral");
  if (ctx.qualified) names.push_back("position");
  names.push_back("now");
  if (!ctx.in_qualification) names.push_back("qualified_referrals");
  for (const auto& p : phases_) names.push_back(p.first);
  for (const auto& d : defines_) names.push_back(d.first);
  for (const auto& f : schema_.root().fields) names.push_back(f.name);
  return names;
}

Type Checker::referral_type(const ast::Expr& at, Ctx& ctx) {
  const FieldInfo* f = schema_.root().find("referrals");
  if (!f || f->type.kind != K::list || f->type.elem != K::record) {
    error(ctx, "E108", at.span, "`referral` needs a `referrals: list of Referral` fact")
        .hint = "import \"standard\" or declare `referrals` in `facts { }`";
    return Type{};
  }
  return f->type.element();
}

Type Checker::name_type(const ast::Expr& e, Ctx& ctx) {
  const std::string& n = e.text;
  for (auto it = ctx.locals.rbegin(); it != ctx.locals.rend(); ++it) {
    if (it->first == n) return it->second;
  }
  if (n == "referral") {
    if (!ctx.referral) {
      error(ctx, "E109", e.span, "`referral` is only known in rules about one referral")
          .hint = "use it in `referral qualifies when`, `referral void when`, `referee eligible "
                  "when` or a reward `for each qualified referral`";
      return Type{};
    }
    return referral_type(e, ctx);
  }
  if (n == "position" && ctx.qualified) return Type::of(K::integer);
  if (n == "now") return Type::of(K::datetime);
  if (n == "qualified_referrals") {
    if (ctx.in_qualification) {
      error(ctx, "E110", e.span,
            "`qualified_referrals` is not known while deciding which referrals qualify");
      return Type{};
    }
    Type t = referral_type(e, ctx);
    if (t.is_error()) return t;
    return Type::list_of(t);
  }
  if (phases_.count(n)) {
    Type t = Type::of(K::range);
    t.elem = K::date;
    return t;
  }
  if (defines_.count(n)) {
    if (qualified_in_verdict(n, e, ctx)) return Type{};
    return define_type(n, e, ctx);
  }
  if (const FieldInfo* f = schema_.root().find(n)) {
    Type t = f->type;
    if (t.optional && std::find(ctx.guards.begin(), ctx.guards.end(), n) != ctx.guards.end())
      t.optional = false;
    if (t.optional) t.absent_path = n;
    return t;
  }
  Diagnostic& d = error(ctx, "E101", e.span, fmt::format("unknown name `{}`", n));
  std::string best = closest(n, visible_names(ctx));
  if (!best.empty()) d.hint = fmt::format("did you mean `{}`?", best);
  return Type{};
}

Type Checker::define_type(const std::string& name, const ast::Expr& at, Ctx& ctx) {
  const ast::DefineDecl* d = defines_.at(name);
  used_defines_.insert(name);
  if (d->has_params) {
    error(ctx, "E111", at.span, fmt::format("`{}` takes {} argument{}; call it as `{}(...)`", name,
                                            d->params.size(), d->params.size() == 1 ? "" : "s",
                                            name));
    return Type{};
  }
  if (!use_define(name, at, ctx)) return Type{};
  if (auto it = define_types_.find(name); it != define_types_.end()) return it->second;
  if (auto it = std::find(define_stack_.begin(), define_stack_.end(), name); it != define_stack_.end()) {
    std::string cycle;
    for (; it != define_stack_.end(); ++it) cycle += *it + " -> ";
    Diagnostic& d = error(ctx, "E112", at.span, fmt::format("`{}` is defined in terms of itself", name));
    d.notes.push_back(cycle + name);
    d.hint = "definitions cannot be recursive; evaluation always terminates";
    return Type{};
  }
  define_stack_.push_back(name);
  Ctx inner;
  inner.file = define_file_.at(name);
  Type t = expr(d->body, inner);
  define_stack_.pop_back();
  define_types_[name] = t;
  return t;
}

bool Checker::qualified_in_verdict(const std::string& name, const ast::Expr& at, Ctx& ctx) {
  if (!ctx.in_qualification) return false;
  const std::vector<std::string>& chain = qualified_chain(name);
  if (chain.empty()) return false;
  used_defines_.insert(name);
  std::string path;
  for (const std::string& link : chain) path += "`" + link + "` -> ";
  Diagnostic& d = error(ctx, "E110", at.span,
                        fmt::format("`{}` reads `qualified_referrals`, which is not known while deciding which "
                                    "referrals qualify",
                                    name));
  d.notes.push_back(path + "`qualified_referrals`");
  d.hint = "use `referrals` (every referral) in the definition, or move the limit to a reward";
  return true;
}

const std::vector<std::string>& Checker::qualified_chain(const std::string& name) {
  if (auto it = qualified_chains_.find(name); it != qualified_chains_.end()) return it->second;
  // Kept as "reads none" while it is walked: a definition in terms of itself (E112) ends there.
  std::vector<std::string>& kept = qualified_chains_[name];
  const ast::DefineDecl* d = defines_.at(name);
  std::vector<std::string_view> bound;
  for (const ast::Name& param : d->params) bound.push_back(param.text);
  std::vector<std::string> chain;
  if (names_qualified(d->body, bound, chain)) {
    chain.insert(chain.begin(), name);
    kept = std::move(chain);
  }
  return kept;
}

bool Checker::names_qualified(const ast::Expr& e, std::vector<std::string_view>& bound,
                              std::vector<std::string>& chain) {
  auto is_bound = [&](std::string_view n) { return std::find(bound.begin(), bound.end(), n) != bound.end(); };
  auto through = [&](const std::string& define) {
    const std::vector<std::string>& rest = qualified_chain(define);
    if (rest.empty()) return false;
    chain = rest;
    return true;
  };
  if (e.kind == ast::ExprKind::name && !is_bound(e.text)) {
    if (e.text == "qualified_referrals") return true;
    if (defines_.count(e.text)) return through(e.text);
    return false;
  }
  if (e.kind == ast::ExprKind::call && defines_.count(e.text) && through(e.text)) return true;
  if (e.kind == ast::ExprKind::aggregate && !e.unit.empty()) {
    // The loop variable is bound in the value and the condition, not in the list.
    if (!e.kids.empty() && names_qualified(e.kids[0], bound, chain)) return true;
    bound.push_back(e.unit);
    bool found = false;
    for (std::size_t i = 1; i < e.kids.size() && !found; ++i) found = names_qualified(e.kids[i], bound, chain);
    bound.pop_back();
    return found;
  }
  for (const ast::Expr& kid : e.kids) {
    if (names_qualified(kid, bound, chain)) return true;
  }
  return false;
}

Type Checker::call_type(const ast::Expr& e, Ctx& ctx) {
  std::vector<Type> args;
  for (const auto& a : e.kids) args.push_back(value(a, ctx));
  if (auto it = defines_.find(e.text); it != defines_.end()) {
    const ast::DefineDecl* d = it->second;
    used_defines_.insert(e.text);
    if (!d->has_params) {
      error(ctx, "E113", e.span, fmt::format("`{}` is a value, not a function; write it without `()`", e.text));
      return Type{};
    }
    if (d->params.size() != args.size()) {
      error(ctx, "E114", e.span,
            fmt::format("`{}` takes {} argument{}, not {}", e.text, d->params.size(),
                        d->params.size() == 1 ? "" : "s", args.size()));
      return Type{};
    }
    if (std::find(define_stack_.begin(), define_stack_.end(), e.text) != define_stack_.end()) {
      error(ctx, "E112", e.span, fmt::format("`{}` is defined in terms of itself", e.text))
          .hint = "definitions cannot be recursive; evaluation always terminates";
      return Type{};
    }
    for (const auto& a : args) {
      if (a.is_error()) return Type{};
    }
    if (qualified_in_verdict(e.text, e, ctx)) return Type{};
    if (!use_define(e.text, e, ctx)) return Type{};
    define_stack_.push_back(e.text);
    Ctx inner;
    inner.file = define_file_.at(e.text);
    for (std::size_t i = 0; i < args.size(); ++i) inner.locals.emplace_back(d->params[i].text, args[i]);
    std::size_t before = diags_.items().size();
    Type t = expr(d->body, inner);
    // A problem inside the body depends on this call's arguments: say which call it was.
    auto pos = src(ctx.file)->position(e.span.begin);
    for (std::size_t i = before; i < diags_.items().size(); ++i) {
      diags_.item(i).notes.push_back(fmt::format("in the call `{}(...)` at {}:{}:{}", e.text, src(ctx.file)->path(), pos.line, pos.column));
    }
    define_stack_.pop_back();
    return t;
  }
  const Builtin* b = find_builtin(e.text);
  if (!b) {
    Diagnostic& d = error(ctx, "E115", e.span, fmt::format("unknown function `{}`", e.text));
    std::vector<std::string> names;
    for (const auto& x : builtins()) names.emplace_back(x.name);
    for (const auto& x : defines_) names.push_back(x.first);
    std::string best = closest(e.text, names);
    if (!best.empty()) d.hint = fmt::format("did you mean `{}`?", best);
    return Type{};
  }
  if (static_cast<int>(args.size()) < b->min_args || static_cast<int>(args.size()) > b->max_args) {
    error(ctx, "E114", e.span,
          fmt::format("`{}` takes {} argument{}, not {}", e.text,
                      b->min_args == b->max_args ? fmt::format("{}", b->min_args)
                                                 : fmt::format("{} or {}", b->min_args, b->max_args),
                      b->max_args == 1 ? "" : "s", args.size()))
        .notes.push_back(fmt::format("`{}`", b->signature));
    return Type{};
  }
  for (const auto& a : args) {
    if (a.is_error()) return Type{};
  }
  std::string problem;
  Type t = b->typer(args, problem);
  if (!problem.empty()) {
    error(ctx, "E201", e.span, fmt::format("`{}` {}", e.text, problem))
        .notes.push_back(fmt::format("`{}`", b->signature));
    return Type{};
  }
  return t;
}

Type Checker::value(const ast::Expr& e, Ctx& ctx) {
  Type t = expr(e, ctx);
  if (t.optional) {
    std::string p = t.absent_path.empty() ? path_of(e) : t.absent_path;
    Diagnostic& d = error(ctx, "E206", e.span,
                          p.empty() ? std::string("this value may be absent")
                                    : fmt::format("`{}` may be absent", p));
    d.notes.push_back("optional facts (declared with `?`) must be guarded before they are used");
    d.hint = p.empty() ? "give a default with `??`"
                       : fmt::format("check `{} is present and ...` first, or give a default with "
                                     "`{} ?? ...`",
                                     p, p);
    return t.required();
  }
  return t;
}

Type Checker::condition(const ast::Expr& e, Ctx& ctx) {
  Type t = value(e, ctx);
  if (!t.is_error() && t.kind != K::boolean) {
    error(ctx, "E204", e.span,
          fmt::format("a condition must be true or false, but this is {}", type_name(t, schema_)));
    return Type{};
  }
  return t;
}

Type Checker::expr(const ast::Expr& e, Ctx& ctx) {
  switch (e.kind) {
    case E::number: {
      Decimal d;
      if (DecimalError err = parse_decimal(e.text, d); err != DecimalError::none) {
        number_problem(e, err, ctx);
        return Type{};
      }
      return Type::of(e.text.find('.') == std::string::npos ? K::integer : K::number);
    }
    case E::percent:
    case E::amount: {
      Decimal d;
      if (DecimalError err = parse_decimal(e.text, d); err != DecimalError::none) {
        number_problem(e, err, ctx);
        return Type{};
      }
      if (e.kind == E::percent) return Type::of(K::number);
      return Type::money_in(e.unit == "GB" ? "MB" : e.unit);
    }
    case E::duration: {
      if (e.text.find('.') != std::string::npos) {
        error(ctx, "E212", e.span, "a duration is a whole number of days, hours, weeks or months")
            .hint = "write `36 hours` instead of `1.5 days`";
        return Type{};
      }
      return Type::of(K::duration);
    }
    case E::date: {
      Date d;
      if (!parse_date(e.text, d)) {
        error(ctx, "E212", e.span, fmt::format("`{}` is not a date on the calendar", e.text));
        return Type{};
      }
      return Type::of(K::date);
    }
    case E::datetime: {
      TimeZone utc;
      std::string problem;
      TimeZone::make("UTC", utc, problem);
      DateTime dt;
      if (!parse_datetime(e.text, utc, dt, problem)) {
        error(ctx, "E212", e.span, fmt::format("`{}` is not a valid date-time", e.text)).notes.push_back(problem);
        return Type{};
      }
      return Type::of(K::datetime);
    }
    case E::string: return Type::of(K::string);
    case E::boolean: return Type::of(K::boolean);
    case E::null: return Type::of(K::null);
    case E::name: return name_type(e, ctx);
    case E::group: return expr(e.kids[0], ctx);
    case E::field: {
      Type base = expr(e.kids[0], ctx);
      if (base.is_error()) return base;
      if (base.kind == K::list) {
        error(ctx, "E116", e.span, fmt::format("`.{}` on a list: a list has no fields", e.text))
            .hint = fmt::format("use an aggregate such as `any(x in ... where x.{} ...)`", e.text);
        return Type{};
      }
      if (base.kind != K::record) {
        error(ctx, "E116", e.span,
              fmt::format("`.{}` on {}: only records have fields", e.text, type_name(base, schema_)));
        return Type{};
      }
      const RecordInfo& rec = schema_.records[static_cast<std::size_t>(base.record)];
      const FieldInfo* f = rec.find(e.text);
      if (!f) {
        std::string owner = path_of(e.kids[0]);
        Diagnostic& d = error(ctx, "E102", Span{e.kids[0].span.end + 1, e.span.end},
                              fmt::format("unknown field `{}` on `{}`", e.text,
                                          owner.empty() ? rec.name : owner));
        std::vector<std::string> names;
        for (const auto& x : rec.fields) names.push_back(x.name);
        std::string best = closest(e.text, names);
        if (!best.empty()) {
          d.hint = fmt::format("did you mean `{}`?", best);
        } else {
          d.notes.push_back(fmt::format("record `{}` has no such field; add it with `extend record {} {{ {}: ... }}`",
                                        rec.name, rec.name, e.text));
        }
        return Type{};
      }
      Type t = f->type;
      std::string p = path_of(e);
      bool guarded = !p.empty() && std::any_of(ctx.guards.begin(), ctx.guards.end(), [&](const std::string& g) {
        return g == p || (g.size() > p.size() && g.compare(0, p.size(), p) == 0 && g[p.size()] == '.');
      });
      if (guarded) {
        t.optional = false;
      } else if (base.optional) {
        // Reading through a record that may be absent: that record is what needs the guard.
        t.optional = true;
        t.absent_path = base.absent_path;
      } else if (t.optional) {
        t.absent_path = p;
      }
      return t;
    }
    case E::call: return call_type(e, ctx);
    case E::unary: {
      if (e.text == "not") return condition(e.kids[0], ctx);
      Type t = value(e.kids[0], ctx);
      if (t.is_error()) return t;
      if (!t.numeric() && t.kind != K::money && t.kind != K::duration) {
        error(ctx, "E201", e.span, fmt::format("cannot negate {}", type_name(t, schema_)));
        return Type{};
      }
      return t;
    }
    case E::presence: {
      if (path_of(e.kids[0]).empty()) {
        error(ctx, "E207", e.span, "`is present` and `is absent` test a fact or a field, such as `referrer.nps`");
        return Type{};
      }
      Type t = expr(e.kids[0], ctx);
      if (t.is_error()) return t;
      return Type::of(K::boolean);
    }
    case E::binary: return binary(e, ctx);
    case E::range: {
      Type a = value(e.kids[0], ctx);
      Type b = value(e.kids[1], ctx);
      if (a.is_error() || b.is_error()) return Type{};
      if (!same_family(a, b) || !ordered(a) || a.kind == K::string) {
        error(ctx, "E203", e.span,
              fmt::format("a range needs two dates, times, numbers or amounts of one kind, not {} and {}",
                          type_name(a, schema_), type_name(b, schema_)));
        return Type{};
      }
      Type t = Type::of(K::range);
      t.elem = a.kind;
      t.unit = a.unit;
      return t;
    }
    case E::if_then: {
      Type c = condition(e.kids[0], ctx);
      Type a, b;
      {
        GuardScope g(ctx);
        presence_guards(e.kids[0], ctx.guards, false);
        a = value(e.kids[1], ctx);
      }
      {
        GuardScope g(ctx);
        presence_guards(e.kids[0], ctx.guards, true);
        b = value(e.kids[2], ctx);
      }
      if (c.is_error() || a.is_error() || b.is_error()) return Type{};
      if (a.kind == K::null) return b;
      if (b.kind == K::null) return a;
      if (!same_family(a, b)) {
        error(ctx, "E215", e.span,
              fmt::format("the branches of `if` differ: {} and {}", type_name(a, schema_),
                          type_name(b, schema_)));
        return Type{};
      }
      if (a.numeric() && b.numeric() && a.kind != b.kind) return Type::of(K::number);
      return a;
    }
    case E::list: {
      Type item = Type::of(K::null);
      for (const auto& k : e.kids) {
        Type t = value(k, ctx);
        if (t.is_error()) return t;
        if (item.kind == K::null) {
          item = t;
        } else if (!same_family(item, t)) {
          error(ctx, "E203", k.span,
                fmt::format("list items must be of one kind: {} and {}", type_name(item, schema_),
                            type_name(t, schema_)));
          return Type{};
        }
      }
      return Type::list_of(item);
    }
    case E::aggregate: return aggregate(e, ctx);
  }
  return Type{};
}

}  // namespace refpol::check
