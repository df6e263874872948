// Compiling a checked policy: every name becomes a slot, every literal a constant value, every
// rule a CompiledRule, so evaluation does no string lookups.
#include <fmt/format.h>

#include <map>

#include "interpreter/compile/program.hpp"
#include "interpreter/compile/dependencies.hpp"
#include "interpreter/check/checker_impl.hpp"

namespace refpol {
namespace {

namespace v2 = boost::variant2;
using E = ast::ExprKind;

class Compiler {
 public:
  Compiler(Program& p, Diagnostics& d) : p_(p), diags_(d) {}

  void run() {
    Program& p = p_;
    std::string problem;
    TimeZone::make(p.policy.timezone, p.zone, problem);
    p.units.push_back(p.policy.currency.empty() ? "CNY" : p.policy.currency);
    const RecordInfo& root = p.policy.schema.root();
    p.referrals_slot = root.index_of("referrals");
    p.referrer_slot = root.index_of("referrer");
    p.referee_slot = root.index_of("referee");
    for (const auto& r : p.policy.schema.records) p.id_slot.push_back(r.index_of("id"));
    p.referral_local = new_local();
    p.position_local = new_local();
    // Definitions first (all files), so rules can refer to them by index.
    for (std::size_t f = 0; f < p.policy.files.size(); ++f) {
      for (const auto& d : p.policy.files[f].decls) {
        if (const auto* def = v2::get_if<ast::DefineDecl>(&d)) {
          define_index_[def->name.text] = static_cast<std::uint32_t>(p.defines.size());
          CompiledDefine cd;
          cd.name = def->name.text;
          cd.params_count = static_cast<std::uint32_t>(def->params.size());
          p.defines.push_back(cd);
          define_decls_.push_back({def, static_cast<int>(f)});
        }
      }
    }
    // A definition with parameters is compiled at each call, where its argument types are
    // known; one without is compiled once here.
    for (std::size_t i = 0; i < define_decls_.size(); ++i) {
      const auto& [def, file] = define_decls_[i];
      if (def->has_params) continue;
      file_ = file;
      Scope scope;
      p.defines[i].body = expr(def->body, scope);
    }
    file_ = 0;
    for (const auto& d : p.policy.files[0].decls) decl(d);
  }

 private:
  using Scope = std::vector<std::pair<std::string, std::uint32_t>>;
  Program& p_;
  Diagnostics& diags_;
  int file_ = 0;
  std::map<std::string, std::uint32_t, std::less<>> define_index_;
  std::vector<std::pair<const ast::DefineDecl*, int>> define_decls_;
  std::map<std::string, std::uint32_t, std::less<>> phase_nodes_;

  std::uint32_t new_local() { return p_.local_count++; }

  std::uint32_t push(Node n) {
    n.file = file_;
    p_.nodes.push_back(std::move(n));
    return static_cast<std::uint32_t>(p_.nodes.size() - 1);
  }

  std::uint32_t constant(Value v, Span span) {
    Node n;
    n.op = Op::constant;
    n.constant = v;
    n.span = span;
    return push(n);
  }

  void fail(Span span, std::string message) {
    diags_.error("E401", p_.policy.files[static_cast<std::size_t>(file_)].source, span, std::move(message));
  }

  Value literal(const ast::Expr& e) {
    switch (e.kind) {
      case E::number: {
        Decimal d;
        parse_decimal(e.text, d);
        std::int64_t i;
        if (e.text.find('.') == std::string::npos && to_int(d, i)) return i;
        return d;
      }
      case E::percent: {
        Decimal d, hundred = from_int(100), out;
        parse_decimal(e.text, d);
        div(d, hundred, out);
        return normalized(out);
      }
      case E::amount: {
        Decimal d;
        parse_decimal(e.text, d);
        if (e.unit == "GB") {
          Decimal m;
          if (mul(d, from_int(1024), m) != DecimalError::none) fail(e.span, "amount is too large");
          return Money{m, unit("MB")};
        }
        return Money{d, unit(e.unit)};
      }
      case E::duration: {
        std::int64_t n = std::stoll(e.text);
        Duration d;
        const std::string& u = e.unit;
        if (u.rfind("month", 0) == 0) {
          d.months = static_cast<std::int32_t>(n);
        } else if (u.rfind("week", 0) == 0) {
          d.seconds = n * 7 * kSecondsPerDay;
        } else if (u.rfind("day", 0) == 0) {
          d.seconds = n * kSecondsPerDay;
        } else if (u.rfind("hour", 0) == 0) {
          d.seconds = n * 3600;
        } else {
          d.seconds = n * 60;
        }
        return d;
      }
      case E::date: {
        Date d;
        parse_date(e.text, d);
        return d;
      }
      case E::datetime: {
        DateTime dt;
        std::string problem;
        parse_datetime(e.text, p_.zone, dt, problem);
        return dt;
      }
      case E::string: return p_.constants.string(e.text);
      case E::boolean: return e.text == "true";
      default: return Absent{};
    }
  }

  std::uint16_t unit(const std::string& name) {
    for (std::size_t i = 0; i < p_.units.size(); ++i) {
      if (p_.units[i] == name) return static_cast<std::uint16_t>(i);
    }
    p_.units.push_back(name);
    return static_cast<std::uint16_t>(p_.units.size() - 1);
  }

  std::uint32_t args(const std::vector<ast::Expr>& kids, Scope& scope, Node& n) {
    std::vector<std::uint32_t> ids;
    for (const auto& k : kids) ids.push_back(expr(k, scope));
    n.args_begin = static_cast<std::uint32_t>(p_.args.size());
    n.args_count = static_cast<std::uint32_t>(ids.size());
    p_.args.insert(p_.args.end(), ids.begin(), ids.end());
    return n.args_count;
  }

  std::uint32_t expr(const ast::Expr& e, Scope& scope) {
    Node n;
    n.span = e.span;
    switch (e.kind) {
      case E::number:
      case E::percent:
      case E::amount:
      case E::duration:
      case E::date:
      case E::datetime:
      case E::string:
      case E::boolean:
      case E::null: return constant(literal(e), e.span);
      case E::group: return expr(e.kids[0], scope);
      case E::name: {
        for (auto it = scope.rbegin(); it != scope.rend(); ++it) {
          if (it->first == e.text) {
            n.op = Op::local;
            n.slot = it->second;
            return push(n);
          }
        }
        if (e.text == "referral") {
          n.op = Op::local;
          n.slot = p_.referral_local;
          return push(n);
        }
        if (e.text == "position") {
          n.op = Op::local;
          n.slot = p_.position_local;
          return push(n);
        }
        if (e.text == "now") {
          n.op = Op::now;
          return push(n);
        }
        if (e.text == "qualified_referrals") {
          n.op = Op::qualified;
          return push(n);
        }
        if (auto it = define_index_.find(e.text); it != define_index_.end()) {
          n.op = Op::define;
          n.aux = 0;
          n.slot = it->second;
          return push(n);
        }
        if (Value ph = phase_range(e.text); ph.index() != kAbsent) return constant(ph, e.span);
        n.op = Op::root_field;
        n.slot = static_cast<std::uint32_t>(p_.policy.schema.root().index_of(e.text));
        return push(n);
      }
      case E::field: {
        n.op = Op::field;
        n.a = expr(e.kids[0], scope);
        n.slot = field_slot(e);
        return push(n);
      }
      case E::call: {
        if (auto it = define_index_.find(e.text); it != define_index_.end()) {
          const ast::DefineDecl* def = define_decls_[it->second].first;
          n.op = Op::call;
          n.aux = 0;
          n.callee = static_cast<std::uint32_t>(it->second);
          args(e.kids, scope, n);
          n.slot = p_.local_count;
          p_.local_count += static_cast<std::uint32_t>(def->params.size());
          Scope inner;
          std::map<std::string, int, std::less<>> saved = local_records_;
          for (std::size_t k = 0; k < def->params.size(); ++k) {
            inner.emplace_back(def->params[k].text, n.slot + static_cast<std::uint32_t>(k));
            local_records_[def->params[k].text] = record_of(e.kids[k]);
          }
          int saved_file = file_;
          file_ = define_decls_[it->second].second;
          n.c = expr(def->body, inner);
          file_ = saved_file;
          local_records_ = std::move(saved);
          return push(n);
        } else {
          n.op = Op::builtin;
          n.aux = static_cast<std::uint8_t>(find_builtin(e.text)->id);
        }
        args(e.kids, scope, n);
        return push(n);
      }
      case E::unary:
        n.op = e.text == "not" ? Op::not_ : Op::neg;
        n.a = expr(e.kids[0], scope);
        return push(n);
      case E::presence:
        n.op = e.text == "present" ? Op::present : Op::absent;
        n.a = expr(e.kids[0], scope);
        return push(n);
      case E::binary: {
        static const std::map<std::string, Op, std::less<>> ops = {
            {"and", Op::and_}, {"or", Op::or_}, {"+", Op::add},  {"-", Op::sub},     {"*", Op::mul},
            {"/", Op::div},    {"??", Op::coalesce}, {"==", Op::eq}, {"!=", Op::ne}, {"<", Op::lt},
            {"<=", Op::le},    {">", Op::gt},   {">=", Op::ge},  {"in", Op::in},     {"not in", Op::not_in}};
        n.op = ops.at(e.text);
        n.a = expr(e.kids[0], scope);
        n.b = expr(e.kids[1], scope);
        return push(n);
      }
      case E::range: {
        n.op = Op::range;
        n.a = expr(e.kids[0], scope);
        n.b = expr(e.kids[1], scope);
        return push(n);
      }
      case E::if_then:
        n.op = Op::if_;
        n.a = expr(e.kids[0], scope);
        n.b = expr(e.kids[1], scope);
        n.c = expr(e.kids[2], scope);
        return push(n);
      case E::list:
        n.op = Op::list;
        args(e.kids, scope, n);
        return push(n);
      case E::aggregate: {
        static const std::map<std::string, Op, std::less<>> aggs = {
            {"count", Op::count}, {"sum", Op::sum}, {"min", Op::min},
            {"max", Op::max},     {"any", Op::any}, {"all", Op::all}};
        n.op = aggs.at(e.text);
        n.a = expr(e.kids[0], scope);
        n.slot = new_local();
        std::map<std::string, int, std::less<>> saved = local_records_;
        if (!e.unit.empty()) {
          scope.emplace_back(e.unit, n.slot);
          local_records_[e.unit] = list_record(e.kids[0]);
        }
        auto written = [](const ast::Expr& x) { return !(x.kind == E::null && x.span.begin == 0 && x.span.end == 0); };
        if (written(e.kids[2])) n.b = expr(e.kids[2], scope);
        if (written(e.kids[1])) n.c = expr(e.kids[1], scope);
        if (!e.unit.empty()) scope.pop_back();
        local_records_ = std::move(saved);
        return push(n);
      }
    }
    return constant(Absent{}, e.span);
  }

  // The slot of a field: the checker guaranteed the base is a record with this field, so we
  // resolve the base's record type the same way it did, through the schema.
  std::uint32_t field_slot(const ast::Expr& e) {
    int rec = record_of(e.kids[0]);
    if (rec < 0) {
      p_.fields_read_unknown = true;
      return 0;
    }
    const int slot = p_.policy.schema.records[static_cast<std::size_t>(rec)].index_of(e.text);
    if (p_.fields_read.size() < p_.policy.schema.records.size()) p_.fields_read.resize(p_.policy.schema.records.size(), 0);
    p_.fields_read[static_cast<std::size_t>(rec)] |= slot >= 0 && slot < 64 ? std::uint64_t{1} << slot : ~std::uint64_t{0};
    return static_cast<std::uint32_t>(slot);
  }

  // Record index of an expression's value, from the schema (for field access).
  int record_of(const ast::Expr& e) {
    const Schema& s = p_.policy.schema;
    // Lists of records carry their items' record index too, so this serves loop lists as well.
    switch (e.kind) {
      case E::group: return record_of(e.kids[0]);
      case E::binary:
        if (e.text == "??") {
          int r = record_of(e.kids[0]);
          return r >= 0 ? r : record_of(e.kids[1]);
        }
        return -1;
      case E::if_then: {
        int r = record_of(e.kids[1]);
        return r >= 0 ? r : record_of(e.kids[2]);
      }
      case E::call:
        if (e.text == "draw" && e.kids.size() == 3) return record_of(e.kids[1]);
        if (auto it = define_index_.find(e.text); it != define_index_.end()) {
          return record_of(define_decls_[it->second].first->body);
        }
        return -1;
      case E::name: {
        if (auto it = local_records_.find(e.text); it != local_records_.end()) return it->second;
        if (e.text == "referral" || e.text == "qualified_referrals") {
          const FieldInfo* f = s.root().find("referrals");
          return f ? f->type.record : -1;
        }
        if (auto it = define_index_.find(e.text); it != define_index_.end()) {
          const ast::DefineDecl* def = define_decls_[it->second].first;
          if (!def->has_params && record_depth_ < 32) {
            ++record_depth_;
            int r = record_of(def->body);
            --record_depth_;
            return r;
          }
          return -1;
        }
        if (const FieldInfo* f = s.root().find(e.text)) return f->type.record;
        return -1;
      }
      case E::field: {
        int base = record_of(e.kids[0]);
        if (base < 0) return -1;
        const FieldInfo* f = s.records[static_cast<std::size_t>(base)].find(e.text);
        return f ? f->type.record : -1;
      }
      default: return -1;
    }
  }

  std::map<std::string, int, std::less<>> local_records_;
  int record_depth_ = 0;

  Value phase_range(const std::string& name) {
    for (const auto& d : p_.policy.files[0].decls) {
      if (const auto* ph = v2::get_if<ast::PhasesDecl>(&d)) {
        for (const auto& x : ph->phases) {
          if (x.name.text == name) {
            RangeV* r = p_.constants.range();
            r->first = literal(x.first);
            r->last = literal(x.last);
            return static_cast<const RangeV*>(r);
          }
        }
      }
    }
    return Absent{};
  }

  std::vector<CompiledCondition> conditions(const ast::ConditionsDecl& d) {
    std::vector<CompiledCondition> out;
    Scope scope;
    for (const auto& c : d.conditions) {
      out.push_back(CompiledCondition{c.label.text, expr(c.expr, scope), c.expr.span, file_});
    }
    return out;
  }

  CompiledGrant grant(const ast::Grant& g, Scope& scope) {
    CompiledGrant cg;
    cg.kind = g.kind.text;
    if (g.amount) cg.amount = expr(*g.amount, scope);
    if (g.label) cg.label = g.label->value;
    switch (g.expiry.form) {
      case ast::Expiry::Form::none: break;
      case ast::Expiry::Form::never: cg.expiry = CompiledGrant::Expiry::never; break;
      case ast::Expiry::Form::on_date:
        cg.expiry = CompiledGrant::Expiry::on_date;
        cg.expiry_node = expr(g.expiry.value, scope);
        break;
      case ast::Expiry::Form::after_grant:
        cg.expiry = CompiledGrant::Expiry::after_grant;
        cg.expiry_node = expr(g.expiry.value, scope);
        break;
    }
    if (g.valued_at) cg.valued_at = expr(*g.valued_at, scope);
    return cg;
  }

  // Record index of a list's items, for loop variables.
  int list_record(const ast::Expr& e) { return record_of(e); }

  void decl(const ast::Decl& d) {
    Program& p = p_;
    Scope scope;
    if (const auto* c = v2::get_if<ast::ConditionsDecl>(&d)) {
      switch (c->form) {
        case ast::ConditionsDecl::Form::referrer_eligible: p.referrer_eligible = conditions(*c); break;
        case ast::ConditionsDecl::Form::referee_eligible: p.referee_eligible = conditions(*c); break;
        case ast::ConditionsDecl::Form::qualifies: p.qualifies = conditions(*c); break;
        case ast::ConditionsDecl::Form::voids: p.voids = conditions(*c); break;
      }
      return;
    }
    if (const auto* s = v2::get_if<ast::SettlesDecl>(&d)) {
      p.settles = expr(s->when, scope);
      return;
    }
    if (const auto* pd = v2::get_if<ast::PayoutDecl>(&d)) {
      p.payout = expr(pd->within, scope);
      return;
    }
    if (const auto* r = v2::get_if<ast::RewardDecl>(&d)) {
      CompiledRule rule;
      rule.name = r->name.text;
      rule.recipient = r->recipient.text;
      rule.span = r->span;
      rule.file = file_;
      switch (r->scope) {
        case ast::RewardDecl::Scope::each_qualified: rule.form = CompiledRule::Form::each_qualified; break;
        case ast::RewardDecl::Scope::once: rule.form = CompiledRule::Form::once; break;
        case ast::RewardDecl::Scope::each_in: {
          rule.form = CompiledRule::Form::each_in;
          rule.loop_list = expr(*r->loop_list, scope);
          rule.loop_slot = new_local();
          scope.emplace_back(r->loop_var.text, rule.loop_slot);
          local_records_[r->loop_var.text] = list_record(*r->loop_list);
          break;
        }
      }
      if (r->when) rule.when = expr(*r->when, scope);
      rule.grant = grant(r->grant, scope);
      local_records_.erase(r->loop_var.text);
      p.rules.push_back(std::move(rule));
      return;
    }
    if (const auto* t = v2::get_if<ast::TiersDecl>(&d)) {
      CompiledRule rule;
      rule.form = CompiledRule::Form::tiers;
      rule.name = t->name.text;
      rule.recipient = t->recipient.text;
      rule.span = t->span;
      rule.file = file_;
      rule.measure = expr(t->measure, scope);
      rule.pays_highest = t->pays == ast::TiersDecl::Pays::highest;
      for (const auto& tier : t->tiers) {
        CompiledTier ct;
        ct.label = tier.label.text.empty() ? std::string_view(tier.threshold.text) : std::string_view(tier.label.text);
        ct.threshold = literal(tier.threshold);
        ct.grant = grant(tier.grant, scope);
        ct.span = tier.span;
        rule.tiers.push_back(std::move(ct));
      }
      p.rules.push_back(std::move(rule));
      return;
    }
    if (const auto* b = v2::get_if<ast::BoostDecl>(&d)) {
      CompiledBoost cb;
      cb.name = b->name.text;
      cb.factor = expr(b->factor, scope);
      for (const auto& k : b->kinds) cb.kinds.push_back(k.text);
      cb.recipient = b->recipient.text;
      cb.when = expr(b->when, scope);
      p.boosts.push_back(std::move(cb));
      return;
    }
    if (const auto* c = v2::get_if<ast::CapDecl>(&d)) {
      p.caps.push_back(CompiledCap{c->kind.text, c->recipient.text, expr(c->limit, scope)});
      return;
    }
    if (const auto* b = v2::get_if<ast::BudgetDecl>(&d)) {
      p.budget_total = expr(b->total, scope);
      p.budget_spent = expr(b->spent, scope);
      if (b->fallback) {
        p.has_fallback = true;
        p.fallback = grant(*b->fallback, scope);
      }
      return;
    }
    if (const auto* o = v2::get_if<ast::OutputDecl>(&d)) {
      p.outputs.emplace_back(o->name.text, expr(o->value, scope));
      return;
    }
  }
};

}  // namespace

std::uint16_t Program::unit_id(std::string_view name) const {
  for (std::size_t i = 0; i < units.size(); ++i) {
    if (units[i] == name) return static_cast<std::uint16_t>(i);
  }
  return 0xFFFF;
}

std::uint32_t Program::behind_defines(std::uint32_t node) const {
  for (int depth = 0; depth < 64 && node < nodes.size() && nodes[node].op == Op::define; ++depth) {
    node = defines[nodes[node].slot].body;
  }
  return node;
}

std::string Program::location(std::int32_t file, Span span) const {
  const auto& src = policy.files[static_cast<std::size_t>(file)].source;
  auto pos = src->position(span.begin);
  return fmt::format("{}:{}", src->path(), pos.line);
}

CompileResult compile(CheckedPolicy policy) {
  CompileResult result;
  auto program = std::make_shared<Program>();
  program->policy = std::move(policy);
  // MB must exist as a unit before any literal is compiled: GB literals convert to it.
  Compiler(*program, result.diagnostics).run();
  if (!result.diagnostics.has_errors()) {
    fold_constants(*program);
    analyse_dependencies(*program);
    analyse_time_uses(*program);
    result.program = std::move(program);
  }
  return result;
}

namespace {

CompileResult compile_loaded(LoadResult loaded) {
  if (!loaded.policy) {
    CompileResult r;
    r.diagnostics = std::move(loaded.diagnostics);
    return r;
  }
  CompileResult r = compile(std::move(*loaded.policy));
  Diagnostics all = loaded.diagnostics;
  all.append(r.diagnostics);
  r.diagnostics = std::move(all);
  return r;
}

}  // namespace

CompileResult compile_file(const std::string& path) { return compile_loaded(load_policy(path)); }

CompileResult compile_text(const std::string& path, std::string text) {
  return compile_loaded(load_policy_text(path, std::move(text)));
}

}  // namespace refpol
