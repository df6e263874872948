// The syntax tree of a policy: plain structs with a span on every node. Equality ignores spans.
#pragma once
#include <boost/variant2/variant.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "interpreter/source/source.hpp"

namespace refpol::ast {

enum class ExprKind : std::uint8_t {
  number,     // text: digits as written, `499.99`
  percent,    // text: the number before `%`
  amount,     // text: number, unit: `CNY`, `points`, `MB`, `GB`
  duration,   // text: number, unit: `days`, `hours`, `minutes`, `weeks`, `months` (as written)
  date,       // text: `2026-12-08`
  datetime,   // text: `2026-12-08T10:00:00+08:00`
  string,     // text: the decoded UTF-8 value; raw: as written, without quotes
  boolean,    // text: `true` / `false`
  null,
  name,       // text: the name
  field,      // kids[0].text ; text: field name
  call,       // text: function name; kids: arguments
  unary,      // text: `-` or `not`; kids[0]
  binary,     // text: operator (`and` `or` `+` `-` `*` `/` `??` `==` `!=` `<` `<=` `>` `>=` `in`
              // `not in`); kids[0], kids[1]
  range,      // kids[0] .. kids[1]
  presence,   // text: `present` / `absent`; kids[0]
  if_then,    // kids: condition, then, else
  list,       // kids: items
  aggregate,  // text: count/sum/min/max/any/all; unit: loop variable (empty for `count(list)`);
              // kids: list, value (or null kind node when absent), where (or null kind)
  group,      // ( kids[0] )
};

struct Expr {
  ExprKind kind = ExprKind::null;
  std::string text;
  std::string unit;
  std::string raw;
  std::vector<Expr> kids;
  Span span;

  bool operator==(const Expr& other) const;
};

// `name` with its span, for every identifier a declaration introduces or refers to.
struct Name {
  std::string text;
  Span span;
  bool operator==(const Name& o) const { return text == o.text; }
};

struct StringLit {
  std::string value;  // decoded
  std::string raw;    // as written, without the quotes
  Span span;
  bool operator==(const StringLit& o) const { return value == o.value; }
};

struct Header {
  StringLit id;
  std::uint64_t version = 0;
  std::string version_text;
  Span span;
  bool operator==(const Header& o) const { return id == o.id && version_text == o.version_text; }
};

struct TitleDecl {
  StringLit title;
  Span span;
  bool operator==(const TitleDecl& o) const { return title == o.title; }
};
struct CurrencyDecl {
  Name code;
  Span span;
  bool operator==(const CurrencyDecl& o) const { return code == o.code; }
};
struct TimezoneDecl {
  StringLit zone;
  Span span;
  bool operator==(const TimezoneDecl& o) const { return zone == o.zone; }
};
struct ImportDecl {
  StringLit module;
  Span span;
  bool operator==(const ImportDecl& o) const { return module == o.module; }
};

struct Phase {
  Name name;
  Expr first;  // date
  Expr last;   // date
  Span span;
  bool operator==(const Phase& o) const {
    return name == o.name && first == o.first && last == o.last;
  }
};
struct PhasesDecl {
  std::vector<Phase> phases;
  Span span;
  bool operator==(const PhasesDecl& o) const { return phases == o.phases; }
};

struct TypeRef {
  Name name;           // element type for lists
  bool is_list = false;
  bool optional = false;
  Span span;
  bool operator==(const TypeRef& o) const {
    return name == o.name && is_list == o.is_list && optional == o.optional;
  }
};
struct FieldDecl {
  Name name;
  TypeRef type;
  Span span;
  bool operator==(const FieldDecl& o) const { return name == o.name && type == o.type; }
};

// `record Name { ... }`, `facts { ... }`, `extend record Name { ... }`, `extend facts { ... }`.
struct SchemaDecl {
  enum class Form : std::uint8_t { record, facts, extend_record, extend_facts };
  Form form = Form::record;
  Name name;  // record name; empty for facts
  std::vector<FieldDecl> fields;
  Span span;
  bool operator==(const SchemaDecl& o) const {
    return form == o.form && name == o.name && fields == o.fields;
  }
};

struct DefineDecl {
  Name name;
  std::vector<Name> params;
  bool has_params = false;  // `define f() = ...` differs from `define f = ...`
  Expr body;
  Span span;
  bool operator==(const DefineDecl& o) const {
    return name == o.name && params == o.params && has_params == o.has_params && body == o.body;
  }
};

struct Condition {
  Name label;  // empty for a single unlabelled condition
  Expr expr;
  Span span;
  bool operator==(const Condition& o) const { return label == o.label && expr == o.expr; }
};

// `referrer eligible when`, `referee eligible when`, `referral qualifies when`,
// `referral void when`.
struct ConditionsDecl {
  enum class Form : std::uint8_t { referrer_eligible, referee_eligible, qualifies, voids };
  Form form = Form::referrer_eligible;
  bool block = false;  // written as `{ label: ... }`
  std::vector<Condition> conditions;
  Span span;
  bool operator==(const ConditionsDecl& o) const {
    return form == o.form && block == o.block && conditions == o.conditions;
  }
};

struct SettlesDecl {
  Expr when;
  Span span;
  bool operator==(const SettlesDecl& o) const { return when == o.when; }
};
struct PayoutDecl {
  Expr within;
  Span span;
  bool operator==(const PayoutDecl& o) const { return within == o.within; }
};

struct Expiry {
  enum class Form : std::uint8_t { none, never, on_date, after_grant };
  Form form = Form::none;
  Expr value;
  Span span;
  bool operator==(const Expiry& o) const { return form == o.form && value == o.value; }
};

struct Grant {
  Name kind;
  std::optional<Expr> amount;
  std::optional<StringLit> label;
  Expiry expiry;
  std::optional<Expr> valued_at;
  Span span;
  bool operator==(const Grant& o) const {
    return kind == o.kind && amount == o.amount && label == o.label && expiry == o.expiry &&
           valued_at == o.valued_at;
  }
};

struct RewardDecl {
  enum class Scope : std::uint8_t { once, each_qualified, each_in };
  Name name;
  Name recipient;
  Scope scope = Scope::once;
  bool scope_written = false;  // `once` written explicitly
  Name loop_var;               // each_in
  std::optional<Expr> loop_list;
  std::optional<Expr> when;
  Grant grant;
  Span span;
  bool operator==(const RewardDecl& o) const {
    return name == o.name && recipient == o.recipient && scope == o.scope &&
           scope_written == o.scope_written && loop_var == o.loop_var &&
           loop_list == o.loop_list && when == o.when && grant == o.grant;
  }
};

struct Tier {
  Name label;  // may be empty
  Expr threshold;
  Grant grant;
  Span span;
  bool operator==(const Tier& o) const {
    return label == o.label && threshold == o.threshold && grant == o.grant;
  }
};

struct TiersDecl {
  enum class Pays : std::uint8_t { each, highest };
  Name name;
  Name recipient;
  Expr measure;
  Pays pays = Pays::each;
  bool pays_written = false;
  std::vector<Tier> tiers;
  Span span;
  bool operator==(const TiersDecl& o) const {
    return name == o.name && recipient == o.recipient && measure == o.measure && pays == o.pays &&
           pays_written == o.pays_written && tiers == o.tiers;
  }
};

struct BoostDecl {
  Name name;
  Expr factor;
  std::vector<Name> kinds;  // empty: all kinds
  Name recipient;           // empty: every recipient
  Expr when;
  Span span;
  bool operator==(const BoostDecl& o) const {
    return name == o.name && factor == o.factor && kinds == o.kinds && recipient == o.recipient &&
           when == o.when;
  }
};

struct CapDecl {
  Name kind;
  Expr limit;
  Name recipient;
  Span span;
  bool operator==(const CapDecl& o) const {
    return kind == o.kind && limit == o.limit && recipient == o.recipient;
  }
};

struct BudgetDecl {
  Expr total;
  Expr spent;
  std::optional<Grant> fallback;
  Span span;
  bool operator==(const BudgetDecl& o) const {
    return total == o.total && spent == o.spent && fallback == o.fallback;
  }
};

struct OutputDecl {
  Name name;
  Expr value;
  Span span;
  bool operator==(const OutputDecl& o) const { return name == o.name && value == o.value; }
};

using Decl = boost::variant2::variant<TitleDecl, CurrencyDecl, TimezoneDecl, ImportDecl, PhasesDecl,
                                      SchemaDecl, DefineDecl, ConditionsDecl, SettlesDecl,
                                      PayoutDecl, RewardDecl, TiersDecl, BoostDecl, CapDecl,
                                      BudgetDecl, OutputDecl>;

struct Comment {
  std::string text;  // from `#` to the end of the line
  Span span;
};

// One parsed file: a policy (with header) or an imported module (without).
struct File {
  std::optional<Header> header;
  std::vector<Decl> decls;
  std::vector<Comment> comments;  // every comment in source order, for the formatter
  SourcePtr source;

  bool operator==(const File& o) const { return header == o.header && decls == o.decls; }
};

Span decl_span(const Decl& d);

}  // namespace refpol::ast
