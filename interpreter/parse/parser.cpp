// Runs the PEGTL grammar into a parse tree of the rules we keep, then builds the AST from it.
#include "interpreter/parse/parser.hpp"

#include <fmt/format.h>

#include <tao/pegtl/contrib/parse_tree.hpp>

#include "grammar/errors.hpp"

namespace refpol {
namespace {

namespace g = refpol::grammar;
namespace pegtl = tao::pegtl;
namespace pt = tao::pegtl::parse_tree;
using Node = pt::node;

// Expressions nest at most this deep after operator chains are folded into binary nodes.
// Kept well inside a thread's stack for the passes that recurse over the tree, even in sanitizer
// builds, whose frames are several times larger.
constexpr std::uint32_t kMaxTreeDepth = 500;

template <typename Rule>
struct selector
    : pt::selector<
          Rule,
          pt::store_content::on<
              // expressions
              g::op_or, g::op_and, g::op_add, g::op_sub, g::op_mul, g::op_div, g::op_default,
              g::op_range, g::op_eq, g::op_ne, g::op_le, g::op_ge, g::op_lt, g::op_gt, g::op_in,
              g::op_not_in, g::presence_test, g::op_is_not, g::presence_present,
              g::presence_absent, g::negation, g::inversion, g::field_name, g::group,
              g::list_literal, g::if_then, g::aggregate, g::aggregate_name, g::aggregate_in,
              g::aggregate_for, g::loop_variable, g::where_clause, g::call, g::call_name,
              g::name_ref, g::number, g::percent, g::amount, g::duration, g::date, g::datetime,
              g::string_literal, g::literal_true, g::literal_false, g::literal_null,
              // declarations
              g::header, g::policy_id, g::policy_version, g::title_decl, g::currency_decl,
              g::currency_code, g::timezone_decl, g::import_decl, g::phases_decl, g::phase,
              g::phase_name, g::record_decl, g::record_name, g::field_decl, g::field_decl_name,
              g::type_expr, g::list_type, g::type_name, g::optional_mark, g::extend_decl,
              g::extend_facts, g::extend_record, g::facts_decl, g::define_decl, g::define_name,
              g::parameters, g::parameter, g::referrer_decl, g::referee_decl, g::condition_block,
              g::condition, g::condition_label, g::referral_decl, g::qualifies_clause,
              g::void_clause, g::settles_clause, g::payout_decl, g::grant_clause, g::grant,
              g::grant_kind, g::grant_amount, g::grant_label, g::expires_option, g::expiry_never,
              g::expiry_on, g::expiry_after, g::valued_option, g::reward_decl, g::rule_name,
              g::recipient, g::scope_each, g::scope_qualified, g::scope_loop, g::scope_once,
              g::when_clause, g::tiers_decl, g::tier, g::tier_label, g::pays_each, g::pays_highest,
              g::boost_decl, g::boost_kinds, g::boost_recipient, g::cap_decl, g::budget_decl,
              g::budget_fallback, g::output_decl, g::output_name>,
          pt::fold_one::on<g::expression, g::disjunction, g::conjunction, g::comparison,
                           g::range_expr, g::default_expr, g::sum_expr, g::product, g::postfix,
                           g::aggregate_value>> {};

template <typename Rule>
using control = pegtl::must_if<g::error_table>::control<Rule>;

// Thrown inside the builder only; caught in parse() and turned into a diagnostic.
struct BuildError {
  std::string code;
  std::string message;
  Span span;
};

class Builder {
 public:
  explicit Builder(SourcePtr source) : source_(std::move(source)) {}

  ast::File file(const Node& root, FileKind kind) {
    ast::File f;
    f.source = source_;
    for (const auto& child : root.children) {
      const Node& n = *child;
      if (n.is_type<g::header>()) {
        f.header = header(n);
      } else {
        f.decls.push_back(decl(n));
      }
    }
    (void)kind;
    return f;
  }

 private:
  SourcePtr source_;

  // fold_one nodes that keep several children lose their end; their children still know it.
  static Span span_of(const Node& n) {
    auto begin = static_cast<std::uint32_t>(n.m_begin.byte);
    auto end = static_cast<std::uint32_t>(n.m_end.byte);
    if (n.m_end.data == nullptr && !n.children.empty()) end = span_of(*n.children.back()).end;
    if (end < begin) end = begin;
    return Span{begin, end};
  }
  static ast::Name name(const Node& n) { return ast::Name{n.string(), span_of(n)}; }

  ast::StringLit string_lit(const Node& n) {
    std::string_view text = n.string_view();
    std::string_view raw = text.substr(1, text.size() - 2);
    if (raw.size() > kMaxStringBytes) {
      throw BuildError{"E004",
                       fmt::format("string is {} bytes long; the limit is {} bytes", raw.size(),
                                   kMaxStringBytes),
                       Span{span_of(n).begin, span_of(n).begin + 1}};
    }
    ast::StringLit s;
    s.raw = std::string(raw);
    s.span = span_of(n);
    if (!decode_string(raw, s.value)) {
      throw BuildError{"E003", "string has an escape that is not valid Unicode", span_of(n)};
    }
    return s;
  }

  ast::Header header(const Node& n) {
    ast::Header h;
    h.span = span_of(n);
    for (const auto& c : n.children) {
      if (c->is_type<g::policy_id>()) h.id = string_lit(*c);
      if (c->is_type<g::policy_version>()) {
        h.version_text = c->string();
        if (h.version_text.size() > kMaxVersionDigits) {
          throw BuildError{"E005", "the version number is too large", span_of(*c)};
        }
        h.version = std::stoull(h.version_text);
      }
    }
    return h;
  }

  // ---- expressions -------------------------------------------------------------------------

  static bool is_binary_op(const Node& n) {
    return n.is_type<g::op_or>() || n.is_type<g::op_and>() || n.is_type<g::op_add>() ||
           n.is_type<g::op_sub>() || n.is_type<g::op_mul>() || n.is_type<g::op_div>() ||
           n.is_type<g::op_default>() || n.is_type<g::op_eq>() || n.is_type<g::op_ne>() ||
           n.is_type<g::op_le>() || n.is_type<g::op_ge>() || n.is_type<g::op_lt>() ||
           n.is_type<g::op_gt>() || n.is_type<g::op_in>() || n.is_type<g::op_not_in>();
  }

  static std::string op_text(const Node& n) {
    if (n.is_type<g::op_not_in>()) return "not in";
    return n.string();
  }

  ast::Expr make(ast::ExprKind kind, Span span, std::string text = {}) {
    ast::Expr e;
    e.kind = kind;
    e.span = span;
    e.text = std::move(text);
    return e;
  }

  void check_depth(std::uint32_t depth, Span span) {
    if (depth > kMaxTreeDepth) {
      throw BuildError{"E006",
                       fmt::format("expression is too deep (more than {} operations inside each "
                                   "other)",
                                   kMaxTreeDepth),
                       span};
    }
  }

  // Builds an expression and reports its depth through `depth`.
  ast::Expr expr(const Node& n, std::uint32_t& depth) {
    using K = ast::ExprKind;
    Span span = span_of(n);
    depth = 1;
    if (n.is_type<g::disjunction>() || n.is_type<g::conjunction>() || n.is_type<g::sum_expr>() ||
        n.is_type<g::product>() || n.is_type<g::default_expr>()) {
      if ((n.children.size() + 1) / 2 > kMaxOperandsPerChain) {
        throw BuildError{"E007",
                         fmt::format("expression has more than {} operands in a row; split it "
                                     "with `define`",
                                     kMaxOperandsPerChain),
                         span};
      }
      std::uint32_t d = 0;
      ast::Expr acc = expr(*n.children[0], d);
      for (std::size_t i = 1; i + 1 < n.children.size(); i += 2) {
        std::uint32_t rd = 0;
        ast::Expr rhs = expr(*n.children[i + 1], rd);
        ast::Expr b = make(K::binary, Span{acc.span.begin, rhs.span.end}, op_text(*n.children[i]));
        b.kids.push_back(std::move(acc));
        b.kids.push_back(std::move(rhs));
        d = std::max(d, rd) + 1;
        check_depth(d, b.span);
        acc = std::move(b);
      }
      depth = d;
      return acc;
    }
    if (n.is_type<g::comparison>()) {
      std::uint32_t d = 0;
      ast::Expr lhs = expr(*n.children[0], d);
      const Node& op = *n.children[1];
      if (op.is_type<g::presence_test>()) {
        bool negated = false;
        std::string word;
        for (const auto& c : op.children) {
          if (c->is_type<g::op_is_not>()) negated = true;
          if (c->is_type<g::presence_present>()) word = "present";
          if (c->is_type<g::presence_absent>()) word = "absent";
        }
        if (negated) word = word == "present" ? "absent" : "present";
        ast::Expr e = make(K::presence, span, word);
        e.raw = negated ? "not" : "";
        e.kids.push_back(std::move(lhs));
        depth = d + 1;
        return e;
      }
      std::uint32_t rd = 0;
      ast::Expr rhs = expr(*n.children[2], rd);
      ast::Expr e = make(K::binary, span, op_text(op));
      e.kids.push_back(std::move(lhs));
      e.kids.push_back(std::move(rhs));
      depth = std::max(d, rd) + 1;
      return e;
    }
    if (n.is_type<g::range_expr>()) {
      std::uint32_t d1 = 0, d2 = 0;
      ast::Expr e = make(K::range, span);
      e.kids.push_back(expr(*n.children[0], d1));
      e.kids.push_back(expr(*n.children[2], d2));
      depth = std::max(d1, d2) + 1;
      return e;
    }
    if (n.is_type<g::postfix>()) {
      std::uint32_t d = 0;
      ast::Expr acc = expr(*n.children[0], d);
      for (std::size_t i = 1; i < n.children.size(); ++i) {
        ast::Expr f = make(K::field, Span{acc.span.begin, span_of(*n.children[i]).end},
                           n.children[i]->string());
        f.kids.push_back(std::move(acc));
        acc = std::move(f);
        ++d;
      }
      check_depth(d, span);
      depth = d;
      return acc;
    }
    if (n.is_type<g::negation>() || n.is_type<g::inversion>()) {
      std::uint32_t d = 0;
      ast::Expr e = make(K::unary, span, n.is_type<g::negation>() ? "-" : "not");
      e.kids.push_back(expr(*n.children.back(), d));
      depth = d + 1;
      check_depth(depth, span);
      return e;
    }
    if (n.is_type<g::group>()) {
      std::uint32_t d = 0;
      ast::Expr e = make(K::group, span);
      e.kids.push_back(expr(*n.children[0], d));
      depth = d + 1;
      check_depth(depth, span);
      return e;
    }
    if (n.is_type<g::list_literal>() || n.is_type<g::call>() || n.is_type<g::if_then>()) {
      ast::Expr e = make(n.is_type<g::list_literal>() ? K::list
                         : n.is_type<g::call>()       ? K::call
                                                      : K::if_then,
                         span);
      std::uint32_t d = 0;
      for (const auto& c : n.children) {
        if (c->is_type<g::call_name>()) {
          e.text = c->string();
          continue;
        }
        std::uint32_t cd = 0;
        e.kids.push_back(expr(*c, cd));
        d = std::max(d, cd);
      }
      depth = d + 1;
      check_depth(depth, span);
      return e;
    }
    if (n.is_type<g::aggregate>()) return aggregate(n, depth);
    if (n.is_type<g::name_ref>()) return make(K::name, span, n.string());
    if (n.is_type<g::number>()) return make(K::number, span, n.string());
    if (n.is_type<g::percent>()) {
      std::string t = n.string();
      t.pop_back();
      return make(K::percent, span, t);
    }
    if (n.is_type<g::amount>() || n.is_type<g::duration>()) {
      std::string_view t = n.string_view();
      std::size_t i = 0;
      while (i < t.size() && (std::isdigit(static_cast<unsigned char>(t[i])) || t[i] == '.')) ++i;
      ast::Expr e = make(n.is_type<g::amount>() ? K::amount : K::duration, span,
                         std::string(t.substr(0, i)));
      while (i < t.size() && (t[i] == ' ' || t[i] == '\t')) ++i;
      e.unit = std::string(t.substr(i));
      return e;
    }
    if (n.is_type<g::date>()) return make(K::date, span, n.string());
    if (n.is_type<g::datetime>()) return make(K::datetime, span, n.string());
    if (n.is_type<g::string_literal>()) {
      ast::StringLit s = string_lit(n);
      ast::Expr e = make(K::string, span, s.value);
      e.raw = s.raw;
      return e;
    }
    if (n.is_type<g::literal_true>()) return make(K::boolean, span, "true");
    if (n.is_type<g::literal_false>()) return make(K::boolean, span, "false");
    if (n.is_type<g::literal_null>()) return make(K::null, span);
    throw BuildError{"E001", fmt::format("unexpected `{}`", n.string()), span};
  }

  ast::Expr aggregate(const Node& n, std::uint32_t& depth) {
    using K = ast::ExprKind;
    ast::Expr e = make(K::aggregate, span_of(n), n.children[0]->string());
    const Node& body = *n.children[1];
    ast::Expr list = make(K::null, {}), value = make(K::null, {}), where = make(K::null, {});
    std::uint32_t d = 0, cd = 0;
    auto take = [&](const Node& c) {
      ast::Expr x = expr(c, cd);
      d = std::max(d, cd);
      return x;
    };
    auto loop = [&](const Node& part) {
      for (const auto& c : part.children) {
        if (c->is_type<g::loop_variable>()) {
          e.unit = c->string();
        } else if (c->is_type<g::where_clause>()) {
          where = take(*c->children[0]);
        } else {
          list = take(*c);
        }
      }
    };
    if (body.is_type<g::aggregate_in>()) {
      loop(body);
    } else if (body.is_type<g::aggregate_value>()) {
      // `value for x in list [where c]`: fold_one keeps the node only when the `for` is there.
      value = take(*body.children[0]);
      loop(*body.children[1]);
    } else {
      list = take(body);
    }
    e.kids.push_back(std::move(list));
    e.kids.push_back(std::move(value));
    e.kids.push_back(std::move(where));
    depth = d + 1;
    check_depth(depth, e.span);
    return e;
  }

  ast::Expr expr(const Node& n) {
    std::uint32_t depth = 0;
    return expr(n, depth);
  }

  // ---- declarations ------------------------------------------------------------------------

  ast::Decl decl(const Node& n) {
    Span span = span_of(n);
    if (n.is_type<g::title_decl>()) return ast::TitleDecl{string_lit(*n.children[0]), span};
    if (n.is_type<g::currency_decl>()) return ast::CurrencyDecl{name(*n.children[0]), span};
    if (n.is_type<g::timezone_decl>()) return ast::TimezoneDecl{string_lit(*n.children[0]), span};
    if (n.is_type<g::import_decl>()) return ast::ImportDecl{string_lit(*n.children[0]), span};
    if (n.is_type<g::phases_decl>()) {
      ast::PhasesDecl d;
      d.span = span;
      for (const auto& p : n.children) {
        ast::Phase ph;
        ph.span = span_of(*p);
        std::vector<const Node*> dates;
        for (const auto& c : p->children) {
          if (c->is_type<g::phase_name>()) ph.name = name(*c);
          if (c->is_type<g::date>()) dates.push_back(c.get());
        }
        ph.first = expr(*dates.at(0));
        ph.last = expr(*dates.at(1));
        d.phases.push_back(std::move(ph));
      }
      return d;
    }
    if (n.is_type<g::record_decl>() || n.is_type<g::facts_decl>() || n.is_type<g::extend_decl>()) {
      ast::SchemaDecl d;
      d.span = span;
      d.form = n.is_type<g::record_decl>() ? ast::SchemaDecl::Form::record
                                           : ast::SchemaDecl::Form::facts;
      for (const auto& c : n.children) {
        if (c->is_type<g::record_name>()) d.name = name(*c);
        if (c->is_type<g::extend_facts>()) d.form = ast::SchemaDecl::Form::extend_facts;
        if (c->is_type<g::extend_record>()) {
          d.form = ast::SchemaDecl::Form::extend_record;
          d.name = name(*c->children[0]);
        }
        if (c->is_type<g::field_decl>()) d.fields.push_back(field(*c));
      }
      return d;
    }
    if (n.is_type<g::define_decl>()) {
      ast::DefineDecl d;
      d.span = span;
      for (const auto& c : n.children) {
        if (c->is_type<g::define_name>()) {
          d.name = name(*c);
        } else if (c->is_type<g::parameters>()) {
          d.has_params = true;
          for (const auto& p : c->children) d.params.push_back(name(*p));
        } else {
          d.body = expr(*c);
        }
      }
      return d;
    }
    if (n.is_type<g::referrer_decl>() || n.is_type<g::referee_decl>()) {
      return conditions(*n.children[0], n.is_type<g::referrer_decl>()
                                            ? ast::ConditionsDecl::Form::referrer_eligible
                                            : ast::ConditionsDecl::Form::referee_eligible,
                        span);
    }
    if (n.is_type<g::referral_decl>()) {
      const Node& clause = *n.children[0];
      if (clause.is_type<g::settles_clause>()) return ast::SettlesDecl{expr(*clause.children[0]), span};
      return conditions(*clause.children[0],
                        clause.is_type<g::qualifies_clause>() ? ast::ConditionsDecl::Form::qualifies
                                                              : ast::ConditionsDecl::Form::voids,
                        span);
    }
    if (n.is_type<g::payout_decl>()) return ast::PayoutDecl{expr(*n.children[0]), span};
    if (n.is_type<g::reward_decl>()) return reward(n);
    if (n.is_type<g::tiers_decl>()) return tiers(n);
    if (n.is_type<g::boost_decl>()) {
      ast::BoostDecl d;
      d.span = span;
      for (const auto& c : n.children) {
        if (c->is_type<g::rule_name>()) {
          d.name = name(*c);
        } else if (c->is_type<g::boost_kinds>()) {
          for (const auto& k : c->children) d.kinds.push_back(name(*k));
        } else if (c->is_type<g::boost_recipient>()) {
          d.recipient = name(*c->children[0]);
        } else if (c->is_type<g::when_clause>()) {
          d.when = expr(*c->children[0]);
        } else {
          d.factor = expr(*c);
        }
      }
      return d;
    }
    if (n.is_type<g::cap_decl>()) {
      return ast::CapDecl{name(*n.children[0]), expr(*n.children[1]), name(*n.children[2]), span};
    }
    if (n.is_type<g::budget_decl>()) {
      ast::BudgetDecl d;
      d.span = span;
      d.total = expr(*n.children[0]);
      d.spent = expr(*n.children[1]);
      if (n.children.size() > 2) d.fallback = grant(*n.children[2]->children[0]);
      return d;
    }
    if (n.is_type<g::output_decl>()) {
      return ast::OutputDecl{name(*n.children[0]), expr(*n.children[1]), span};
    }
    throw BuildError{"E001", "unexpected declaration", span};
  }

  ast::FieldDecl field(const Node& n) {
    ast::FieldDecl f;
    f.span = span_of(n);
    for (const auto& c : n.children) {
      if (c->is_type<g::field_decl_name>()) f.name = name(*c);
      if (c->is_type<g::type_expr>()) {
        f.type.span = span_of(*c);
        for (const auto& t : c->children) {
          if (t->is_type<g::optional_mark>()) f.type.optional = true;
          if (t->is_type<g::type_name>()) f.type.name = name(*t);
          if (t->is_type<g::list_type>()) {
            f.type.is_list = true;
            f.type.name = name(*t->children[0]);
          }
        }
      }
    }
    return f;
  }

  ast::ConditionsDecl conditions(const Node& spec, ast::ConditionsDecl::Form form, Span span) {
    ast::ConditionsDecl d;
    d.form = form;
    d.span = span;
    if (spec.is_type<g::condition_block>()) {
      d.block = true;
      for (const auto& c : spec.children) {
        ast::Condition cond;
        cond.span = span_of(*c);
        cond.label = name(*c->children[0]);
        cond.expr = expr(*c->children[1]);
        d.conditions.push_back(std::move(cond));
      }
    } else {
      ast::Condition cond;
      cond.span = span_of(spec);
      cond.expr = expr(spec);
      d.conditions.push_back(std::move(cond));
    }
    return d;
  }

  ast::Grant grant(const Node& clause) {
    ast::Grant gr;
    gr.span = span_of(clause);
    for (const auto& c : clause.children) {
      if (c->is_type<g::grant>()) {
        for (const auto& p : c->children) {
          if (p->is_type<g::grant_kind>()) gr.kind = name(*p);
          if (p->is_type<g::grant_amount>()) gr.amount = expr(*p->children[0]);
          if (p->is_type<g::grant_label>()) gr.label = string_lit(*p);
        }
      } else if (c->is_type<g::expires_option>()) {
        const Node& e = *c->children[0];
        gr.expiry.span = span_of(*c);
        if (e.is_type<g::expiry_never>()) {
          gr.expiry.form = ast::Expiry::Form::never;
        } else if (e.is_type<g::expiry_on>()) {
          gr.expiry.form = ast::Expiry::Form::on_date;
          gr.expiry.value = expr(*e.children[0]);
        } else {
          gr.expiry.form = ast::Expiry::Form::after_grant;
          gr.expiry.value = expr(*e.children[0]);
        }
      } else if (c->is_type<g::valued_option>()) {
        gr.valued_at = expr(*c->children[0]);
      }
    }
    return gr;
  }

  ast::RewardDecl reward(const Node& n) {
    ast::RewardDecl d;
    d.span = span_of(n);
    for (const auto& c : n.children) {
      if (c->is_type<g::rule_name>()) {
        d.name = name(*c);
      } else if (c->is_type<g::recipient>()) {
        d.recipient = name(*c);
      } else if (c->is_type<g::scope_once>()) {
        d.scope = ast::RewardDecl::Scope::once;
        d.scope_written = true;
      } else if (c->is_type<g::scope_each>()) {
        const Node& t = *c->children[0];
        if (t.is_type<g::scope_qualified>()) {
          d.scope = ast::RewardDecl::Scope::each_qualified;
        } else {
          d.scope = ast::RewardDecl::Scope::each_in;
          d.loop_var = name(*t.children[0]);
          d.loop_list = expr(*t.children[1]);
        }
      } else if (c->is_type<g::when_clause>()) {
        d.when = expr(*c->children[0]);
      } else if (c->is_type<g::grant_clause>()) {
        d.grant = grant(*c);
      }
    }
    return d;
  }

  ast::TiersDecl tiers(const Node& n) {
    ast::TiersDecl d;
    d.span = span_of(n);
    for (const auto& c : n.children) {
      if (c->is_type<g::rule_name>()) {
        d.name = name(*c);
      } else if (c->is_type<g::recipient>()) {
        d.recipient = name(*c);
      } else if (c->is_type<g::pays_each>()) {
        d.pays = ast::TiersDecl::Pays::each;
        d.pays_written = true;
      } else if (c->is_type<g::pays_highest>()) {
        d.pays = ast::TiersDecl::Pays::highest;
        d.pays_written = true;
      } else if (c->is_type<g::tier>()) {
        ast::Tier t;
        t.span = span_of(*c);
        for (const auto& p : c->children) {
          if (p->is_type<g::tier_label>()) {
            t.label = name(*p);
          } else if (p->is_type<g::grant_clause>()) {
            t.grant = grant(*p);
          } else {
            t.threshold = expr(*p);
          }
        }
        d.tiers.push_back(std::move(t));
      } else {
        d.measure = expr(*c);
      }
    }
    return d;
  }
};

// Finds comments by scanning, skipping string literals (which are one line each).
std::vector<ast::Comment> scan_comments(std::string_view text) {
  std::vector<ast::Comment> out;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"' || c == '\n') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '#') {
      std::size_t end = text.find('\n', i);
      if (end == std::string_view::npos) end = text.size();
      std::size_t stop = end;
      while (stop > i && (text[stop - 1] == '\r' || text[stop - 1] == ' ' || text[stop - 1] == '\t'))
        --stop;
      out.push_back(ast::Comment{std::string(text.substr(i, stop - i)),
                                 Span{static_cast<std::uint32_t>(i), static_cast<std::uint32_t>(stop)}});
      i = end;
    }
  }
  return out;
}

}  // namespace

bool decode_string(std::string_view raw, std::string& out) {
  out.clear();
  out.reserve(raw.size());
  for (std::size_t i = 0; i < raw.size(); ++i) {
    char c = raw[i];
    if (c != '\\') {
      out += c;
      continue;
    }
    char e = raw[++i];
    switch (e) {
      case 'n': out += '\n'; break;
      case 't': out += '\t'; break;
      case '"': out += '"'; break;
      case '\\': out += '\\'; break;
      case 'u': {
        std::size_t close = raw.find('}', i);
        std::uint32_t cp = static_cast<std::uint32_t>(std::stoul(std::string(raw.substr(i + 2, close - i - 2)), nullptr, 16));
        if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF) || cp == 0) return false;
        if (cp < 0x80) {
          out += static_cast<char>(cp);
        } else if (cp < 0x800) {
          out += static_cast<char>(0xC0 | (cp >> 6));
          out += static_cast<char>(0x80 | (cp & 0x3F));
        } else if (cp < 0x10000) {
          out += static_cast<char>(0xE0 | (cp >> 12));
          out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
          out += static_cast<char>(0x80 | (cp & 0x3F));
        } else {
          out += static_cast<char>(0xF0 | (cp >> 18));
          out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
          out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
          out += static_cast<char>(0x80 | (cp & 0x3F));
        }
        i = close;
        break;
      }
      default: return false;
    }
  }
  return true;
}

ParseResult parse(SourcePtr source, FileKind kind) {
  ParseResult result;
  const std::string& text = source->text();
  if (text.size() > kMaxSourceBytes) {
    result.diagnostics.error("E010", source, Span{0, 0},
                             fmt::format("file is {} bytes; a policy may be at most {} bytes",
                                         text.size(), kMaxSourceBytes));
    return result;
  }
  if (auto nul = text.find('\0'); nul != std::string::npos) {
    auto at = static_cast<std::uint32_t>(nul);
    result.diagnostics.error("E011", source, Span{at, at + 1}, "file contains a NUL byte")
        .hint = "a policy is UTF-8 text; is this a binary file?";
    return result;
  }
  if (auto bad = find_invalid_utf8(text); bad != std::string::npos) {
    auto at = static_cast<std::uint32_t>(bad);
    result.diagnostics.error("E012", source, Span{at, at + 1}, "file is not valid UTF-8 here")
        .hint = "save the file as UTF-8";
    return result;
  }
  pegtl::memory_input<> in(text.data(), text.size(), source->path());
  try {
    std::unique_ptr<Node> root =
        kind == FileKind::policy
            ? pt::parse<g::policy_file, selector, pegtl::nothing, control>(in)
            : pt::parse<g::module_file, selector, pegtl::nothing, control>(in);
    if (!root) {
      result.diagnostics.error("E001", source, Span{0, 0}, "could not parse the file");
      return result;
    }
    Builder builder(source);
    ast::File file = builder.file(*root, kind);
    file.comments = scan_comments(text);
    result.file = std::move(file);
  } catch (const pegtl::parse_error& e) {
    auto at = static_cast<std::uint32_t>(e.positions().empty() ? 0 : e.positions().front().byte);
    // At the end of the file, point just after the last token rather than at an empty last line.
    if (at >= text.size()) {
      at = static_cast<std::uint32_t>(text.size());
      while (at > 0 && std::isspace(static_cast<unsigned char>(text[at - 1]))) --at;
    }
    std::string message(e.message());
    bool too_deep = message.rfind("expression is nested too deeply", 0) == 0;
    Diagnostic& d = result.diagnostics.error(too_deep ? "E006" : "E001", source, Span{at, at + 1}, message);
    bool at_end = text.find_first_not_of(" \t\r\n", at) == std::string::npos;
    if (!at_end) {
      // Name what was found, so `expected X` reads against what is really there.
      std::size_t end = at;
      auto is_word = [](unsigned char c) { return std::isalnum(c) || c == '_' || c >= 0x80; };
      while (end < text.size() && is_word(static_cast<unsigned char>(text[end])) && end - at < 40) ++end;
      if (end == at) end = at + 1;
      std::string found(text.substr(at, end - at));
      if (found == "\n" || found == "\r") {
        d.notes.push_back("found the end of the line");
      } else {
        d.notes.push_back(fmt::format("found `{}`", found));
      }
      d.span.end = static_cast<std::uint32_t>(end);
    } else {
      d.notes.push_back("found the end of the file");
    }
  } catch (const BuildError& e) {
    result.diagnostics.error(e.code, source, e.span, e.message);
  }
  return result;
}

}  // namespace refpol
