// The one table from grammar rules to syntax error messages. Every rule that appears in a
// `must<...>` has a message here; a missing one is a compile error (must_if with RequireMessage).
#pragma once
#include "grammar/policy.hpp"

namespace refpol::grammar {

template <typename Rule>
inline constexpr const char* error_message = nullptr;

#define REFPOL_SYNTAX_MESSAGE(rule, text) \
  template <>                             \
  inline constexpr const char* error_message<rule> = text

// Expressions.
REFPOL_SYNTAX_MESSAGE(expression, "expected an expression, such as `referrer.order_count >= 3`");
REFPOL_SYNTAX_MESSAGE(nested<unary>, "expected a value after `-`");
REFPOL_SYNTAX_MESSAGE(nested<not_expr>, "expected a condition after `not`");
REFPOL_SYNTAX_MESSAGE(unary, "expected a value after the operator");
REFPOL_SYNTAX_MESSAGE(product, "expected a value after the operator");
REFPOL_SYNTAX_MESSAGE(sum_expr, "expected a value after `??`");
REFPOL_SYNTAX_MESSAGE(default_expr, "expected the end of the range after `..`");
REFPOL_SYNTAX_MESSAGE(range_expr, "expected a value to compare with");
REFPOL_SYNTAX_MESSAGE(not_expr, "expected a condition after `and`");
REFPOL_SYNTAX_MESSAGE(conjunction, "expected a condition after `or`");
REFPOL_SYNTAX_MESSAGE(presence_word, "expected `present` or `absent` after `is`");
REFPOL_SYNTAX_MESSAGE(close_paren, "expected `)`");
REFPOL_SYNTAX_MESSAGE(close_bracket, "expected `]` or `,` in the list");
REFPOL_SYNTAX_MESSAGE(kw_then, "expected `then` after the condition of `if`");
REFPOL_SYNTAX_MESSAGE(kw_else, "expected `else`: an `if` needs both branches");
REFPOL_SYNTAX_MESSAGE(loop_variable, "expected a name for each item, as in `o in orders`");
REFPOL_SYNTAX_MESSAGE(kw_in, "expected `in` followed by a list");
REFPOL_SYNTAX_MESSAGE(aggregate_body,
                      "expected `x in list where condition`, `value for x in list` or a list");
REFPOL_SYNTAX_MESSAGE(field_name, "expected a field name after `.`");
REFPOL_SYNTAX_MESSAGE(string_char_close,
                      "expected `\"` to close the string (a string ends on its line; escapes "
                      "are \\\" \\\\ \\n \\t \\u{...})");

// Declarations.
REFPOL_SYNTAX_MESSAGE(header, "expected the policy header, such as `policy \"spring-referral\" version 1`");
REFPOL_SYNTAX_MESSAGE(policy_id, "expected the policy id in quotes after `policy`");
REFPOL_SYNTAX_MESSAGE(kw_version, "expected `version` after the policy id");
REFPOL_SYNTAX_MESSAGE(policy_version, "expected a whole version number after `version`");
REFPOL_SYNTAX_MESSAGE(string_literal, "expected a string in double quotes");
REFPOL_SYNTAX_MESSAGE(currency_code, "expected a currency code of three capital letters, such as `CNY`");
REFPOL_SYNTAX_MESSAGE(open_brace, "expected `{`");
REFPOL_SYNTAX_MESSAGE(close_brace, "expected `}` to close the block");
REFPOL_SYNTAX_MESSAGE(date, "expected a date like 2026-12-08");
REFPOL_SYNTAX_MESSAGE(op_range, "expected `..` between the first and last day");
REFPOL_SYNTAX_MESSAGE(kw_of, "expected `of` after `list`, as in `list of Order`");
REFPOL_SYNTAX_MESSAGE(type_name, "expected a type name, such as `money` or `Order`");
REFPOL_SYNTAX_MESSAGE(colon, "expected `:` after the name");
REFPOL_SYNTAX_MESSAGE(type_expr, "expected a type, such as `int`, `money?` or `list of Order`");
REFPOL_SYNTAX_MESSAGE(record_name, "expected the record's name");
REFPOL_SYNTAX_MESSAGE(extend_target, "expected `facts` or `record NAME` after `extend`");
REFPOL_SYNTAX_MESSAGE(define_name, "expected a name after `define`");
REFPOL_SYNTAX_MESSAGE(equals, "expected `=`");
REFPOL_SYNTAX_MESSAGE(kw_eligible, "expected `eligible when`");
REFPOL_SYNTAX_MESSAGE(when_keyword, "expected `when`");
REFPOL_SYNTAX_MESSAGE(condition_block_end,
                      "expected `}` or another labelled condition such as `recent_order: ...` "
                      "(each condition in `{ }` starts with a label and `:`)");
REFPOL_SYNTAX_MESSAGE(condition_spec,
                      "expected a condition, or a block of labelled conditions in `{ }`");
REFPOL_SYNTAX_MESSAGE(referral_clause,
                      "expected `qualifies when`, `void when` or `settles` after `referral`");
REFPOL_SYNTAX_MESSAGE(kw_due, "expected `due` after `payout`");
REFPOL_SYNTAX_MESSAGE(kw_after, "expected `after`");
REFPOL_SYNTAX_MESSAGE(kw_settlement, "expected `settlement`, as in `payout due 72 hours after settlement`");
REFPOL_SYNTAX_MESSAGE(kw_grant, "expected `grant`, as in `expires 90 days after grant`");
REFPOL_SYNTAX_MESSAGE(expiry,
                      "expected `never`, `on DATE` or `DURATION after grant` after `expires`");
REFPOL_SYNTAX_MESSAGE(kw_at, "expected `at`");
REFPOL_SYNTAX_MESSAGE(rule_name, "expected a name for the rule");
REFPOL_SYNTAX_MESSAGE(kw_to, "expected `to` and who receives it, such as `to referrer`");
REFPOL_SYNTAX_MESSAGE(recipient, "expected who receives it: `referrer`, `referee` or a loop name");
REFPOL_SYNTAX_MESSAGE(kw_referral, "expected `referral` after `qualified`");
REFPOL_SYNTAX_MESSAGE(kw_each, "expected `each` after `for`");
REFPOL_SYNTAX_MESSAGE(scope_target,
                      "expected `qualified referral` or `NAME in LIST` after `for each`");
REFPOL_SYNTAX_MESSAGE(kw_gives, "expected `gives` followed by the reward, such as `gives coupon 50 CNY`");
REFPOL_SYNTAX_MESSAGE(grant_clause, "expected a reward, such as `coupon 100 CNY` or `gift \"礼盒\"`");
REFPOL_SYNTAX_MESSAGE(arrow, "expected `->` between the threshold and its reward");
REFPOL_SYNTAX_MESSAGE(pays_mode, "expected `each` or `highest` after `pays`");
REFPOL_SYNTAX_MESSAGE(kw_by, "expected `by` and what the tiers measure");
REFPOL_SYNTAX_MESSAGE(tier_block, "expected `{` and the tiers, such as `{ 1 -> coupon 100 CNY }`");
REFPOL_SYNTAX_MESSAGE(kw_times, "expected `times` and the factor, such as `times 2`");
REFPOL_SYNTAX_MESSAGE(kind_list, "expected the reward kinds it applies to, such as `on points`");
REFPOL_SYNTAX_MESSAGE(when_clause, "expected `when` and the condition");
REFPOL_SYNTAX_MESSAGE(grant_kind, "expected a reward kind, such as `coupon` or `storage`");
REFPOL_SYNTAX_MESSAGE(kw_per, "expected `per` and the recipient, as in `per referrer`");
REFPOL_SYNTAX_MESSAGE(kw_spent, "expected `spent` and the counter of what is spent");
REFPOL_SYNTAX_MESSAGE(output_name, "expected a name after `output`");
REFPOL_SYNTAX_MESSAGE(end_of_file,
                      "expected a declaration such as `define`, `referral qualifies when`, "
                      "`reward` or `tiers`");

#undef REFPOL_SYNTAX_MESSAGE

struct error_table {
  template <typename Rule>
  static constexpr const char* message = error_message<Rule>;
  // Only `must<...>` raises: a rule that merely fails lets the grammar try its alternatives.
  template <typename Rule>
  static constexpr bool raise_on_failure = false;
};

}  // namespace refpol::grammar
