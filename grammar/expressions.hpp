// Expression rules: operators from loosest (`or`) to tightest (field access), and primaries.
#pragma once
#include <tao/pegtl/contrib/analyze_traits.hpp>

#include "grammar/lexical.hpp"

namespace refpol::grammar {

// Expressions nest at most this deep (parentheses, `not`, unary minus, calls, lists), so that
// hostile input cannot overflow the stack in the parser or in any later pass.
inline constexpr std::size_t kMaxNestingDepth = 200;

struct expression;

// `nested<Rule>` matches Rule one level deeper; past kMaxNestingDepth it raises a located error
// instead of recursing without bound.
template <typename Rule>
struct nested {
  using rule_t = nested;
  using subs_t = type_list<Rule>;

  template <apply_mode A, rewind_mode M, template <typename...> class Action,
            template <typename...> class Control, typename ParseInput, typename... States>
  [[nodiscard]] static bool match(ParseInput& in, States&&... st) {
    ++in.private_depth;
    struct Restore {
      std::size_t& depth;
      ~Restore() { --depth; }
    } restore{in.private_depth};
    if (in.private_depth > kMaxNestingDepth) {
      throw parse_error("expression is nested too deeply (the limit is 200 levels)", in);
    }
    return Control<Rule>::template match<A, M, Action, Control>(in, st...);
  }
};

struct comma : seq<ws, one<','>, ws> {};
struct close_paren : one<')'> {};
struct close_bracket : one<']'> {};

// `( expression )`: kept in the tree so the formatter reprints the author's grouping.
struct group : seq<one<'('>, ws, must<expression>, ws, must<close_paren>> {};
// `[a, b, c]`
struct list_literal : seq<one<'['>, ws, opt<list<expression, comma>>, ws, must<close_bracket>> {};
// `if c then a else b`
struct if_then : seq<kw_if, ws, must<expression>, ws, must<kw_then>, ws, must<expression>, ws,
                     must<kw_else>, ws, must<expression>> {};

// Aggregates: `count(r in referrals where r.paid)`, `sum(o.amount for o in orders where ...)`,
// `count(list)`.
struct aggregate_word
    : sor<key<TAO_PEGTL_STRING("count")>, key<TAO_PEGTL_STRING("sum")>,
          key<TAO_PEGTL_STRING("min")>, key<TAO_PEGTL_STRING("max")>,
          key<TAO_PEGTL_STRING("any")>, key<TAO_PEGTL_STRING("all")>> {};
// The parse tree keeps this one; lookaheads use aggregate_word, which leaves no node behind.
struct aggregate_name : aggregate_word {};
struct loop_variable : identifier {};
struct where_clause : seq<kw_where, ws, must<expression>> {};
struct aggregate_in : seq<loop_variable, ws, kw_in, ws, must<expression>, opt<ws, where_clause>> {};
// The value is parsed once and the `for` part is optional after it: trying `value for ...` and
// then the bare list separately would parse nested aggregates in exponential time.
struct aggregate_for : seq<kw_for, ws, must<loop_variable>, ws, must<kw_in>, ws, must<expression>,
                           opt<ws, where_clause>> {};
struct aggregate_value : seq<expression, opt<ws, aggregate_for>> {};
struct aggregate_body : sor<aggregate_in, aggregate_value> {};
struct aggregate
    : seq<aggregate_name, one<'('>, ws, must<aggregate_body>, ws, must<close_paren>> {};

// `name(args)`: a built-in or a `define` with parameters.
struct call_arguments : seq<one<'('>, ws, opt<list<expression, comma>>, ws, must<close_paren>> {};
struct call_name : identifier {};
struct call : seq<call_name, call_arguments> {};
struct name_ref : identifier {};

struct literal_true : kw_true {};
struct literal_false : kw_false {};
struct literal_null : kw_null {};

// `2026-13` or `2026-12-1` is a mistyped date, not a subtraction.
struct malformed_date : seq<at<rep<4, digit>, one<'-'>, digit>, pegtl::raise<date>> {};

// Each alternative is guarded by a cheap look at its first characters, so the parse tree does not
// start (and throw away) a node for every alternative that cannot match.
struct literal_word : sor<literal_true, literal_false, literal_null> {};
struct number_like : sor<datetime, date, malformed_date, percent, amount, duration, number> {};
struct primary
    : sor<seq<at<one<'('>>, group>, seq<at<one<'['>>, list_literal>, seq<at<digit>, number_like>,
          seq<at<one<'"'>>, string_literal>, seq<at<kw_if>, if_then>,
          seq<at<aggregate_word, one<'('>>, aggregate>, seq<at<reserved>, literal_word>,
          seq<at<identifier, one<'('>>, call>, name_ref> {};

// `x.field`: no space around the dot, and `..` is a range, not a field.
struct field_name : identifier {};
struct field_access : seq<one<'.'>, not_at<one<'.'>>, must<field_name>> {};
struct postfix : seq<primary, star<field_access>> {};

struct op_neg : one<'-'> {};
struct negation : seq<op_neg, ws, must<nested<struct unary>>> {};
struct unary : sor<negation, postfix> {};

struct op_mul : one<'*'> {};
struct op_div : one<'/'> {};
struct product : seq<unary, star<ws, sor<op_mul, op_div>, ws, must<unary>>> {};

struct op_add : one<'+'> {};
struct op_sub : seq<one<'-'>, not_at<one<'>'>>> {};
struct sum_expr : seq<product, star<ws, sor<op_add, op_sub>, ws, must<product>>> {};

// `a ?? b`: `b` when `a` is absent.
struct op_default : string<'?', '?'> {};
struct default_expr : seq<sum_expr, star<ws, op_default, ws, must<sum_expr>>> {};

// `a .. b`: an inclusive range of dates or numbers.
struct op_range : string<'.', '.'> {};
struct range_expr : seq<default_expr, opt<ws, op_range, ws, must<default_expr>>> {};

struct op_eq : string<'=', '='> {};
struct op_ne : string<'!', '='> {};
struct op_le : string<'<', '='> {};
struct op_ge : string<'>', '='> {};
struct op_lt : one<'<'> {};
struct op_gt : one<'>'> {};
struct op_not_in : seq<kw_not, ws, kw_in> {};
struct op_in : kw_in {};
struct compare_op : sor<op_eq, op_ne, op_le, op_ge, op_lt, op_gt, op_not_in, op_in> {};
struct presence_present : kw_present {};
struct presence_absent : kw_absent {};
struct op_is : kw_is {};
struct op_is_not : kw_not {};
struct presence_word : sor<presence_present, presence_absent> {};
struct presence_test : seq<op_is, ws, opt<op_is_not, ws>, must<presence_word>> {};
struct comparison
    : seq<range_expr, opt<ws, sor<seq<compare_op, ws, must<range_expr>>, presence_test>>> {};

struct op_not : kw_not {};
struct inversion : seq<op_not, ws, must<nested<struct not_expr>>> {};
struct not_expr : sor<inversion, comparison> {};

struct op_and : kw_and {};
struct conjunction : seq<not_expr, star<ws, op_and, ws, must<not_expr>>> {};
struct op_or : kw_or {};
struct disjunction : seq<conjunction, star<ws, op_or, ws, must<conjunction>>> {};

struct expression : nested<disjunction> {};

}  // namespace refpol::grammar

namespace tao::pegtl {
template <typename Name, typename Rule>
struct analyze_traits<Name, refpol::grammar::nested<Rule>>
    : analyze_traits<Name, typename seq<Rule>::rule_t> {};
}  // namespace tao::pegtl
