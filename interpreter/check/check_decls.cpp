// The declaration pass: header, schema, definitions, phases, eligibility, rewards, tiers, boosts,
// caps, budget and outputs, and the lints over the whole policy.
#include <fmt/format.h>

#include <algorithm>

#include "interpreter/check/checker_impl.hpp"
#include "interpreter/eval/decimal.hpp"
#include "interpreter/eval/time.hpp"

namespace refpol::check {
namespace {

using K = TypeKind;
namespace v2 = boost::variant2;

const char* decl_keyword(const ast::Decl& d) {
  switch (d.index()) {
    case 0: return "title";
    case 1: return "currency";
    case 2: return "timezone";
    case 3: return "import";
    case 4: return "phases";
    case 5: return "record";
    case 6: return "define";
    case 7: return "conditions";
    case 8: return "referral settles";
    case 9: return "payout due";
    case 10: return "reward";
    case 11: return "tiers";
    case 12: return "boost";
    case 13: return "cap";
    case 14: return "budget";
    case 15: return "output";
  }
  return "declaration";
}

const char* conditions_keyword(ast::ConditionsDecl::Form f) {
  switch (f) {
    case ast::ConditionsDecl::Form::referrer_eligible: return "referrer eligible when";
    case ast::ConditionsDecl::Form::referee_eligible: return "referee eligible when";
    case ast::ConditionsDecl::Form::qualifies: return "referral qualifies when";
    case ast::ConditionsDecl::Form::voids: return "referral void when";
  }
  return "";
}

}  // namespace

const std::vector<KindInfo>& reward_kinds() {
  using A = KindInfo::Amount;
  static const std::vector<KindInfo> kinds = {
      {"cash", A::money, false},         {"coupon", A::money_or_number, true},
      {"credit", A::money, true},        {"points", A::number, true},
      {"storage", A::storage, false},    {"discount", A::number, false},
      {"gift", A::optional_count, false}, {"experience", A::optional_count, false},
      {"title", A::optional_count, false}, {"membership", A::optional_count, false},
      {"service", A::optional_count, false}, {"upgrade", A::optional_count, false},
  };
  return kinds;
}

const KindInfo* find_kind(std::string_view name) {
  for (const auto& k : reward_kinds()) {
    if (k.name == name) return &k;
  }
  return nullptr;
}

void Checker::run(CheckedPolicy& out) {
  collect(out);
  build_schema();
  // Definitions first, so any rule can use any definition wherever it is written.
  for (std::size_t f = 0; f < files_.size(); ++f) {
    for (const auto& d : files_[f].decls) {
      if (const auto* def = v2::get_if<ast::DefineDecl>(&d)) {
        if (defines_.count(def->name.text)) {
          diags_.error("E105", files_[f].source, def->name.span,
                       fmt::format("`{}` is defined twice", def->name.text));
          continue;
        }
        if (find_builtin_name(def->name.text)) {
          diags_.error("E105", files_[f].source, def->name.span,
                       fmt::format("`{}` is a built-in name; choose another", def->name.text));
          continue;
        }
        defines_[def->name.text] = def;
        define_file_[def->name.text] = static_cast<int>(f);
      }
    }
  }
  check_define_sizes();
  // Qualification guards, which rules about qualified referrals may rely on.
  for (const auto& d : files_[0].decls) {
    if (const auto* c = v2::get_if<ast::ConditionsDecl>(&d)) {
      if (c->form == ast::ConditionsDecl::Form::qualifies) {
        has_qualifies_ = true;
        for (const auto& cond : c->conditions) presence_guards(cond.expr, qualification_guards_, false);
      }
    }
  }
  for (std::size_t f = 0; f < files_.size(); ++f) {
    for (const auto& d : files_[f].decls) check_decl(d, static_cast<int>(f));
  }
  // Definitions nobody used are still checked; parameters of unknown type stay quiet.
  for (const auto& [name, def] : defines_) {
    if (def->has_params && !used_defines_.count(name)) {
      Ctx ctx;
      ctx.file = define_file_.at(name);
      for (const auto& p : def->params) ctx.locals.emplace_back(p.text, Type{});
      define_stack_.push_back(name);
      expr(def->body, ctx);
      define_stack_.pop_back();
    }
    if (!def->has_params && !define_types_.count(name)) {
      Ctx ctx;
      ctx.file = define_file_.at(name);
      define_stack_.push_back(name);
      define_types_[name] = expr(def->body, ctx);
      define_stack_.pop_back();
    }
  }
  check_unused();
  out.schema = schema_;
}

bool Checker::find_builtin_name(std::string_view name) const {
  return name == "now" || name == "referral" || name == "qualified_referrals" || name == "position";
}

void Checker::collect(CheckedPolicy& out) {
  const ast::File& main = files_[0];
  if (main.header) {
    out.id = main.header->id.value;
    out.version = main.header->version;
    bool ok = !out.id.empty() && std::all_of(out.id.begin(), out.id.end(), [](char c) {
      return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
    });
    if (!ok) {
      diags_.error("E117", main.source, main.header->id.span,
                   "a policy id is letters, digits, `-`, `_` and `.`, such as `spring-referral`")
          .notes.push_back("the id is part of every reward key, so it must stay stable and plain");
    }
  }
  std::map<std::string, Span> seen;
  for (const auto& d : main.decls) {
    const char* kw = decl_keyword(d);
    bool singleton = d.index() <= 2 || d.index() == 4 || d.index() == 8 || d.index() == 9 ||
                     d.index() == 14;
    std::string key = kw;
    if (const auto* c = v2::get_if<ast::ConditionsDecl>(&d)) {
      key = conditions_keyword(c->form);
      singleton = true;
    }
    if (singleton) {
      if (seen.count(key)) {
        diags_.error("E118", main.source, ast::decl_span(d), fmt::format("`{}` is declared twice", key))
            .notes.push_back("a policy has at most one of these; merge the two");
      } else {
        seen[key] = ast::decl_span(d);
      }
    }
    if (const auto* c = v2::get_if<ast::CurrencyDecl>(&d)) out.currency = c->code.text;
    if (const auto* t = v2::get_if<ast::TimezoneDecl>(&d)) {
      TimeZone zone;
      std::string problem;
      if (!TimeZone::make(t->zone.value, zone, problem)) {
        diags_.error("E214", main.source, t->zone.span,
                     fmt::format("unknown time zone `{}`", t->zone.value))
            .hint = "use an IANA name such as \"Asia/Shanghai\", or an offset such as \"+08:00\"";
      } else {
        out.timezone = t->zone.value;
      }
    }
  }
  if (out.currency.empty() && main.header) {
    diags_.error("E119", main.source, main.header->span, "the policy does not say its currency")
        .hint = "add a line such as `currency CNY` after the header";
  }
  currency_ = out.currency.empty() ? "CNY" : out.currency;
  for (std::size_t f = 1; f < files_.size(); ++f) {
    for (const auto& d : files_[f].decls) {
      bool allowed = v2::holds_alternative<ast::SchemaDecl>(d) || v2::holds_alternative<ast::DefineDecl>(d) ||
                     v2::holds_alternative<ast::ImportDecl>(d);
      if (!allowed) {
        diags_.error("E120", files_[f].source, ast::decl_span(d),
                     fmt::format("an imported module may hold only `record`, `facts`, `extend`, "
                                 "`define` and `import`, not `{}`",
                                 decl_keyword(d)));
      }
    }
  }
}

Type Checker::resolve_type(const ast::TypeRef& ref, int file) {
  static const std::map<std::string, K, std::less<>> scalars = {
      {"bool", K::boolean},   {"int", K::integer},       {"number", K::number},
      {"money", K::money},    {"string", K::string},     {"date", K::date},
      {"datetime", K::datetime}, {"duration", K::duration}};
  Type item;
  if (auto it = scalars.find(ref.name.text); it != scalars.end()) {
    item = Type::of(it->second);
    if (item.kind == K::money) item.unit = currency_;
  } else if (int r = schema_.find(ref.name.text); r >= 0) {
    item = Type::of(K::record);
    item.record = r;
  } else {
    std::vector<std::string> names;
    for (const auto& s : scalars) names.push_back(s.first);
    for (const auto& r2 : schema_.records) names.push_back(r2.name);
    Diagnostic& d = diags_.error("E106", src(file), ref.name.span,
                                 fmt::format("unknown type `{}`", ref.name.text));
    std::string best = closest(ref.name.text, names);
    if (!best.empty()) d.hint = fmt::format("did you mean `{}`?", best);
    return Type{};
  }
  Type t = ref.is_list ? Type::list_of(item) : item;
  t.optional = ref.optional;
  return t;
}

void Checker::build_schema() {
  schema_.records.push_back(RecordInfo{"facts", {}, {}, -1});
  schema_.by_name["facts"] = 0;
  // Names first, so records can refer to each other in any order. Imports come before the
  // policy, so a policy that repeats an imported record is the one told.
  for (std::size_t step = 0; step < files_.size(); ++step) {
    std::size_t f = (step + 1) % files_.size();
    for (const auto& d : files_[f].decls) {
      const auto* s = v2::get_if<ast::SchemaDecl>(&d);
      if (!s || s->form != ast::SchemaDecl::Form::record) continue;
      if (int first = schema_.find(s->name.text); first >= 0) {
        const RecordInfo& prev = schema_.records[static_cast<std::size_t>(first)];
        Diagnostic& diag = diags_.error("E105", files_[f].source, s->name.span,
                                        fmt::format("record `{}` is declared twice", s->name.text));
        auto pos = src(prev.source_index)->position(prev.span.begin);
        diag.notes.push_back(fmt::format("first declared at {}:{}:{}", src(prev.source_index)->path(), pos.line, pos.column));
        diag.hint = fmt::format("add fields with `extend record {} {{ ... }}`", s->name.text);
        continue;
      }
      schema_.by_name[s->name.text] = static_cast<int>(schema_.records.size());
      schema_.records.push_back(RecordInfo{s->name.text, {}, s->name.span, static_cast<int>(f)});
    }
  }
  // Imports come after the policy in `files_`, so walk them first: a policy extends what it
  // imports.
  for (std::size_t step = 0; step < files_.size(); ++step) {
    std::size_t f = (step + 1) % files_.size();
    for (const auto& d : files_[f].decls) {
      const auto* s = v2::get_if<ast::SchemaDecl>(&d);
      if (!s) continue;
      int target = 0;
      if (s->form == ast::SchemaDecl::Form::record || s->form == ast::SchemaDecl::Form::extend_record) {
        target = schema_.find(s->name.text);
        if (target < 0) {
          Diagnostic& diag = diags_.error("E107", files_[f].source, s->name.span,
                                          fmt::format("unknown record `{}`", s->name.text));
          std::vector<std::string> names;
          for (const auto& r : schema_.records) names.push_back(r.name);
          std::string best = closest(s->name.text, names);
          if (!best.empty()) diag.hint = fmt::format("did you mean `{}`?", best);
          continue;
        }
        if (s->form == ast::SchemaDecl::Form::record && schema_.records[static_cast<std::size_t>(target)].source_index != static_cast<int>(f))
          continue;  // the duplicate was reported above
      }
      for (const auto& field : s->fields) {
        RecordInfo& rec = schema_.records[static_cast<std::size_t>(target)];
        if (rec.find(field.name.text)) {
          diags_.error("E105", files_[f].source, field.name.span,
                       fmt::format("field `{}` of `{}` is declared twice", field.name.text, rec.name));
          continue;
        }
        Type t = resolve_type(field.type, static_cast<int>(f));
        schema_.records[static_cast<std::size_t>(target)].fields.push_back(
            FieldInfo{field.name.text, t, field.name.span, static_cast<int>(f)});
      }
    }
  }
}

void Checker::check_phases(const ast::PhasesDecl& d, int file) {
  Ctx ctx;
  ctx.file = file;
  const ast::Phase* prev = nullptr;
  Date prev_last{};
  for (const auto& p : d.phases) {
    if (phases_.count(p.name.text)) {
      error(ctx, "E105", p.name.span, fmt::format("phase `{}` is declared twice", p.name.text));
      continue;
    }
    if (defines_.count(p.name.text)) {
      error(ctx, "E105", p.name.span, fmt::format("phase `{}` has the name of a definition", p.name.text))
          .hint = "give the phase or the definition another name";
      continue;
    }
    phases_[p.name.text] = {p.first.span, p.last.span};
    Date a, b;
    if (!parse_date(p.first.text, a) || !parse_date(p.last.text, b)) {
      error(ctx, "E212", p.span, fmt::format("phase `{}` has a date that is not on the calendar", p.name.text));
      continue;
    }
    if (b.days < a.days) {
      error(ctx, "E303", p.span, fmt::format("phase `{}` ends before it starts", p.name.text))
          .hint = "write the first day, then `..`, then the last day";
    }
    if (prev) {
      if (a.days <= prev_last.days) {
        Diagnostic& diag = error(ctx, "E304", p.span,
                                 fmt::format("phase `{}` starts on or before the last day of `{}`",
                                             p.name.text, prev->name.text));
        diag.notes.push_back("phases are written in order and do not overlap; each day belongs to one phase");
      }
    }
    prev = &p;
    prev_last = b;
  }
}

void Checker::check_recipient(const ast::Name& r, const Ctx& ctx, bool allow_referee) {
  if (r.text == "referrer") return;
  if (r.text == "referee") {
    // Outside a referral rule, `referee` is the facts' own `referee` (flat schemas).
    if (!allow_referee && !schema_.root().find("referee")) {
      error(ctx, "E121", r.span, "`referee` receives rewards only in rules about one referral")
          .hint = "write `for each qualified referral` to reward each referee";
    }
    return;
  }
  for (const auto& l : ctx.locals) {
    if (l.first == r.text) {
      if (l.second.kind != K::record) {
        error(ctx, "E121", r.span, fmt::format("`{}` is not a customer or member", r.text));
      }
      return;
    }
  }
  Diagnostic& d = error(ctx, "E121", r.span, fmt::format("unknown recipient `{}`", r.text));
  std::vector<std::string> names = {"referrer", "referee"};
  for (const auto& l : ctx.locals) names.push_back(l.first);
  std::string best = closest(r.text, names);
  if (!best.empty()) d.hint = fmt::format("did you mean `{}`?", best);
}

void Checker::check_grant(const ast::Grant& g, Ctx& ctx) {
  const KindInfo* kind = find_kind(g.kind.text);
  if (!kind) {
    Diagnostic& d = error(ctx, "E122", g.kind.span, fmt::format("unknown reward kind `{}`", g.kind.text));
    std::vector<std::string> names;
    for (const auto& k : reward_kinds()) names.emplace_back(k.name);
    std::string best = closest(g.kind.text, names);
    d.hint = best.empty() ? "kinds are cash, coupon, credit, points, storage, discount, gift, "
                            "experience, title, membership, service and upgrade"
                          : fmt::format("did you mean `{}`?", best);
  }
  if (g.amount) {
    Type t = value(*g.amount, ctx);
    if (kind && !t.is_error()) {
      using A = KindInfo::Amount;
      bool ok = true;
      std::string want;
      switch (kind->amount) {
        case A::money:
          ok = t.kind == K::money && t.unit.size() == 3;
          want = fmt::format("an amount of money, such as `50 {}`", currency_);
          break;
        case A::money_or_number:
          // A plain number is ambiguous (50 off or 50% off?): a share must be written with `%`.
          ok = (t.kind == K::money && t.unit.size() == 3) ||
               (t.numeric() && g.amount->kind != ast::ExprKind::number);
          want = fmt::format("an amount such as `50 {}`, or a share off such as `20%`", currency_);
          break;
        case A::number:
          ok = t.numeric() || (t.kind == K::money && t.unit == "points");
          want = "a number, such as `500` or `500 points`";
          break;
        case A::storage:
          ok = t.kind == K::money && t.unit == "MB";
          want = "an amount of storage, such as `500 MB` or `16 GB`";
          break;
        case A::optional_count:
          ok = t.kind == K::integer;
          want = "a whole number of items (or nothing)";
          break;
      }
      if (!ok) {
        error(ctx, "E210", g.amount->span,
              fmt::format("a `{}` reward takes {}, not {}", g.kind.text, want, type_name(t, schema_)));
      }
    }
  } else if (kind && kind->amount != KindInfo::Amount::optional_count) {
    error(ctx, "E210", g.kind.span, fmt::format("a `{}` reward needs an amount", g.kind.text))
        .hint = kind->amount == KindInfo::Amount::storage ? "such as `storage 500 MB`"
                                                          : fmt::format("such as `{} 50 {}`", g.kind.text, currency_);
  }
  if (g.expiry.form == ast::Expiry::Form::after_grant) {
    Type t = value(g.expiry.value, ctx);
    if (!t.is_error() && t.kind != K::duration) {
      error(ctx, "E211", g.expiry.value.span,
            fmt::format("`expires ... after grant` needs a duration such as `90 days`, not {}",
                        type_name(t, schema_)));
    }
  } else if (g.expiry.form == ast::Expiry::Form::on_date) {
    expr(g.expiry.value, ctx);
  } else if (g.expiry.form == ast::Expiry::Form::none && kind && kind->needs_expiry) {
    diags_.warning("W502", src(ctx.file), g.span,
                   fmt::format("this `{}` reward never expires", g.kind.text))
        .hint = "add `expires 90 days after grant`, `expires on DATE` or `expires never`";
  }
  if (g.valued_at) {
    Type t = value(*g.valued_at, ctx);
    if (!t.is_error() && !(t.kind == K::money && t.unit == currency_)) {
      error(ctx, "E210", g.valued_at->span,
            fmt::format("`valued at` takes an amount in {}, not {}", currency_, type_name(t, schema_)));
    }
  }
}

void Checker::check_conditions(const ast::ConditionsDecl& d, int file) {
  Ctx ctx;
  ctx.file = file;
  bool per_referral = d.form != ast::ConditionsDecl::Form::referrer_eligible;
  ctx.referral = per_referral;
  ctx.in_qualification = per_referral;
  std::set<std::string> labels;
  if (d.conditions.empty()) {
    diags_.warning("W504", src(file), d.span,
                   fmt::format("`{}` has no conditions", conditions_keyword(d.form)));
  }
  for (const auto& c : d.conditions) {
    if (!c.label.text.empty() && !labels.insert(c.label.text).second) {
      error(ctx, "E105", c.label.span, fmt::format("label `{}` is used twice here", c.label.text));
    }
    condition(c.expr, ctx);
    // Later conditions may rely on what earlier ones proved present (they are reasons in order).
    presence_guards(c.expr, ctx.guards, d.form == ast::ConditionsDecl::Form::voids);
    int constant = const_bool(c.expr);
    if (constant == 0 && d.form != ast::ConditionsDecl::Form::voids) {
      diags_.warning("W503", src(file), c.span, "this condition never holds, so nothing after it can apply");
    }
  }
}

void Checker::check_decl(const ast::Decl& d, int file) {
  Ctx ctx;
  ctx.file = file;
  if (const auto* p = v2::get_if<ast::PhasesDecl>(&d)) return check_phases(*p, file);
  if (const auto* c = v2::get_if<ast::ConditionsDecl>(&d)) return check_conditions(*c, file);
  if (const auto* s = v2::get_if<ast::SettlesDecl>(&d)) {
    ctx.referral = ctx.qualified = true;
    // Worked out with the referral's verdict, before the qualified referrals are known.
    ctx.in_qualification = true;
    ctx.guards = qualification_guards_;
    Type t = value(s->when, ctx);
    if (!t.is_error() && t.kind != K::datetime && t.kind != K::date) {
      error(ctx, "E211", s->when.span,
            fmt::format("`referral settles` needs a point in time, such as "
                        "`referral.first_order.completed_at + 7 days`, not {}",
                        type_name(t, schema_)));
    }
    return;
  }
  if (const auto* p = v2::get_if<ast::PayoutDecl>(&d)) {
    Type t = value(p->within, ctx);
    if (!t.is_error() && t.kind != K::duration) {
      error(ctx, "E211", p->within.span,
            fmt::format("`payout due` needs a duration such as `72 hours`, not {}", type_name(t, schema_)));
    }
    return;
  }
  if (const auto* r = v2::get_if<ast::RewardDecl>(&d)) {
    if (r->scope == ast::RewardDecl::Scope::each_qualified) {
      ctx.referral = ctx.qualified = true;
      ctx.guards = qualification_guards_;
      if (!has_qualifies_) {
        diags_.warning("W505", src(file), r->span,
                       "every referral qualifies: the policy has no `referral qualifies when`");
      }
    } else if (r->scope == ast::RewardDecl::Scope::each_in) {
      Type list = value(*r->loop_list, ctx);
      if (!list.is_error() && list.kind != K::list) {
        error(ctx, "E209", r->loop_list->span,
              fmt::format("`for each` needs a list, but this is {}", type_name(list, schema_)));
        list = Type{};
      }
      ctx.locals.emplace_back(r->loop_var.text, list.is_error() ? Type{} : list.element());
    }
    check_recipient(r->recipient, ctx, ctx.referral);
    if (r->when) {
      condition(*r->when, ctx);
      presence_guards(*r->when, ctx.guards, false);
      if (const_bool(*r->when) == 0) {
        diags_.warning("W503", src(file), r->when->span,
                       fmt::format("reward `{}` can never apply: its condition is always false", r->name.text));
      }
    }
    check_grant(r->grant, ctx);
    return;
  }
  if (const auto* t = v2::get_if<ast::TiersDecl>(&d)) {
    check_recipient(t->recipient, ctx, false);
    Type m = value(t->measure, ctx);
    if (!m.is_error() && !m.numeric() && m.kind != K::money) {
      error(ctx, "E211", t->measure.span,
            fmt::format("tiers are measured by a count or an amount, not {}", type_name(m, schema_)));
      m = Type{};
    }
    Decimal prev;
    const ast::Tier* prev_tier = nullptr;
    std::set<std::string> labels;
    for (const auto& tier : t->tiers) {
      if (!tier.label.text.empty() && !labels.insert(tier.label.text).second) {
        error(ctx, "E105", tier.label.span, fmt::format("tier `{}` is named twice", tier.label.text));
      }
      Type th = value(tier.threshold, ctx);
      if (!m.is_error() && !th.is_error()) {
        bool fits = (m.numeric() && th.numeric()) || (m.kind == K::money && th.kind == K::money && m.unit == th.unit);
        if (!fits) {
          Diagnostic& diag = error(ctx, "E211", tier.threshold.span,
                                   fmt::format("threshold is {} but the tiers measure {}",
                                               type_name(th, schema_), type_name(m, schema_)));
          if (m.kind == K::money) diag.hint = fmt::format("write it as an amount, such as `{} {}`", tier.threshold.text, m.unit);
        }
      }
      Decimal cur;
      if (parse_decimal(tier.threshold.text, cur) == DecimalError::none) {
        if (prev_tier) {
          int c = compare(cur, prev);
          if (c == 0) {
            error(ctx, "E302", tier.threshold.span,
                  fmt::format("threshold {} appears twice", tier.threshold.text))
                .notes.push_back("each threshold pays one reward; merge the two tiers");
          } else if (c < 0) {
            error(ctx, "E301", tier.threshold.span,
                  fmt::format("threshold {} comes after the larger threshold {}", tier.threshold.text,
                              prev_tier->threshold.text))
                .hint = "list tiers from the smallest threshold to the largest";
          }
        }
        prev = cur;
        prev_tier = &tier;
      }
      check_grant(tier.grant, ctx);
    }
    if (t->tiers.empty()) error(ctx, "E305", t->span, fmt::format("tiers `{}` has no tiers", t->name.text));
    return;
  }
  if (const auto* b = v2::get_if<ast::BoostDecl>(&d)) {
    ctx.referral = true;
    Type f = value(b->factor, ctx);
    if (!f.is_error() && !f.numeric()) {
      error(ctx, "E201", b->factor.span,
            fmt::format("a boost multiplies by a number, such as `times 2` or `times 110%`, not {}",
                        type_name(f, schema_)));
    }
    for (const auto& k : b->kinds) {
      if (!find_kind(k.text)) {
        Diagnostic& diag = error(ctx, "E122", k.span, fmt::format("unknown reward kind `{}`", k.text));
        std::vector<std::string> names;
        for (const auto& x : reward_kinds()) names.emplace_back(x.name);
        std::string best = closest(k.text, names);
        if (!best.empty()) diag.hint = fmt::format("did you mean `{}`?", best);
      }
    }
    if (!b->recipient.text.empty()) check_recipient(b->recipient, ctx, true);
    condition(b->when, ctx);
    if (const_bool(b->when) == 0) {
      diags_.warning("W503", src(file), b->when.span,
                     fmt::format("boost `{}` can never apply: its condition is always false", b->name.text));
    }
    return;
  }
  if (const auto* c = v2::get_if<ast::CapDecl>(&d)) {
    const KindInfo* kind = find_kind(c->kind.text);
    if (!kind) {
      Diagnostic& diag = error(ctx, "E122", c->kind.span, fmt::format("unknown reward kind `{}`", c->kind.text));
      std::vector<std::string> names;
      for (const auto& x : reward_kinds()) names.emplace_back(x.name);
      std::string best = closest(c->kind.text, names);
      if (!best.empty()) diag.hint = fmt::format("did you mean `{}`?", best);
    }
    check_recipient(c->recipient, ctx, true);
    Type t = value(c->limit, ctx);
    if (!t.is_error() && !t.numeric() && t.kind != K::money) {
      error(ctx, "E210", c->limit.span, fmt::format("a cap is an amount or a count, not {}", type_name(t, schema_)));
    }
    return;
  }
  if (const auto* b = v2::get_if<ast::BudgetDecl>(&d)) {
    Type total = value(b->total, ctx);
    Type spent = value(b->spent, ctx);
    if (!total.is_error() && !(total.kind == K::money && total.unit == currency_)) {
      error(ctx, "E210", b->total.span,
            fmt::format("the budget is an amount in {}, not {}", currency_, type_name(total, schema_)));
    }
    if (!spent.is_error() && !(spent.kind == K::money && spent.unit == currency_)) {
      error(ctx, "E210", b->spent.span,
            fmt::format("what is spent is an amount in {}, not {}", currency_, type_name(spent, schema_)));
    }
    if (b->fallback) check_grant(*b->fallback, ctx);
    return;
  }
  if (const auto* o = v2::get_if<ast::OutputDecl>(&d)) {
    value(o->value, ctx);
    return;
  }
}

void Checker::check_unused() {
  // Only the policy's own definitions: a module offers definitions that a policy may skip.
  for (const auto& [name, def] : defines_) {
    if (define_file_.at(name) != 0 || used_defines_.count(name)) continue;
    diags_.warning("W501", src(0), def->name.span, fmt::format("`{}` is defined but never used", name))
        .hint = "remove it, or use it in a rule";
  }
  std::set<std::string> outputs;
  for (const auto& d : files_[0].decls) {
    if (const auto* o = v2::get_if<ast::OutputDecl>(&d)) {
      if (!outputs.insert(o->name.text).second) {
        diags_.error("E105", src(0), o->name.span, fmt::format("output `{}` is declared twice", o->name.text));
      }
    }
  }
  std::set<std::string> rules;
  for (const auto& d : files_[0].decls) {
    const ast::Name* n = nullptr;
    if (const auto* r = v2::get_if<ast::RewardDecl>(&d)) n = &r->name;
    if (const auto* t = v2::get_if<ast::TiersDecl>(&d)) n = &t->name;
    if (const auto* b = v2::get_if<ast::BoostDecl>(&d)) n = &b->name;
    if (n && !rules.insert(n->text).second) {
      diags_.error("E105", src(0), n->span, fmt::format("rule `{}` is declared twice", n->text))
          .notes.push_back("rule names are part of reward keys, so each must be unique");
    }
  }
}

}  // namespace refpol::check
