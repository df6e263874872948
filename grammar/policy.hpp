// Declaration rules: the policy header, schema, definitions, eligibility, rewards, tiers, boosts,
// caps, budget and outputs. A policy file is a header followed by declarations in any order.
#pragma once
#include "grammar/expressions.hpp"

namespace refpol::grammar {

struct open_brace : one<'{'> {};
struct close_brace : one<'}'> {};
struct colon : one<':'> {};
struct equals : seq<one<'='>, not_at<one<'='>>> {};
// Grants are one line: their amount and label start on the line of the kind.
struct blanks : star<one<' ', '\t'>> {};

// policy "old-friends" version 3
struct policy_id : string_literal {};
struct policy_version : integer {};
struct header : seq<kw_policy, ws, must<policy_id>, ws, must<kw_version>, ws, must<policy_version>> {};

struct title_decl : seq<kw_title, ws, must<string_literal>> {};
struct currency_decl : seq<kw_currency, ws, must<currency_code>> {};
struct timezone_decl : seq<kw_timezone, ws, must<string_literal>> {};
struct import_decl : seq<kw_import, ws, must<string_literal>> {};

// phases { warmup 2026-12-01 .. 2026-12-07 }
struct phase_name : identifier {};
struct phase : seq<phase_name, ws, must<date>, ws, must<op_range>, ws, must<date>> {};
struct phases_decl
    : seq<kw_phases, ws, must<open_brace>, ws, star<phase, ws>, must<close_brace>> {};

// Schema: record Customer { total_spend: money  last_order_at: datetime? }
struct type_name : identifier {};
struct list_type : seq<kw_list, ws, must<kw_of>, ws, must<type_name>> {};
struct optional_mark : one<'?'> {};
struct type_expr : seq<sor<list_type, type_name>, opt<optional_mark>> {};
struct field_decl_name : identifier {};
struct field_decl : seq<field_decl_name, ws, must<colon>, ws, must<type_expr>> {};
struct field_block : seq<must<open_brace>, ws, star<field_decl, ws>, must<close_brace>> {};
struct record_name : identifier {};
struct record_decl : seq<kw_record, ws, must<record_name>, ws, field_block> {};
struct extend_facts : kw_facts {};
struct extend_record : seq<kw_record, ws, must<record_name>> {};
struct extend_target : sor<extend_facts, extend_record> {};
struct extend_decl : seq<kw_extend, ws, must<extend_target>, ws, field_block> {};
struct facts_decl : seq<kw_facts, ws, field_block> {};

// define name = expression;  define name(a, b) = expression
struct define_name : identifier {};
struct parameter : identifier {};
struct parameters : seq<one<'('>, ws, opt<list<parameter, comma>>, ws, must<close_paren>> {};
struct define_decl
    : seq<kw_define, ws, must<define_name>, opt<parameters>, ws, must<equals>, ws,
          must<expression>> {};

// Labelled conditions: each label is the reason code shown when its condition decides.
struct condition_label : identifier {};
struct condition : seq<condition_label, ws, colon, ws, must<expression>> {};
struct condition_block_end : close_brace {};
struct condition_block : seq<open_brace, ws, star<condition, ws>, must<condition_block_end>> {};
struct condition_spec : sor<condition_block, expression> {};
struct when_keyword : kw_when {};

struct referrer_decl
    : seq<kw_referrer, ws, must<kw_eligible>, ws, must<when_keyword>, ws, must<condition_spec>> {};
struct referee_decl
    : seq<kw_referee, ws, must<kw_eligible>, ws, must<when_keyword>, ws, must<condition_spec>> {};
struct qualifies_clause : seq<kw_qualifies, ws, must<when_keyword>, ws, must<condition_spec>> {};
struct void_clause : seq<kw_void, ws, must<when_keyword>, ws, must<condition_spec>> {};
struct settles_clause : seq<kw_settles, ws, must<expression>> {};
struct referral_clause : sor<qualifies_clause, void_clause, settles_clause> {};
struct referral_decl : seq<kw_referral, ws, must<referral_clause>> {};
struct payout_decl
    : seq<kw_payout, ws, must<kw_due>, ws, must<expression>, ws, must<kw_after>, ws,
          must<kw_settlement>> {};

// Grants: `coupon 100 CNY "无门槛券" expires 90 days after grant valued at 100 CNY`.
struct grant_kind : identifier {};
struct grant_amount
    : seq<at<sor<digit, one<'(', '-'>, kw_if, identifier>>, not_at<identifier, ws, colon>, expression> {};
struct grant_label : string_literal {};
struct grant : seq<grant_kind, opt<blanks, grant_amount>, opt<blanks, grant_label>> {};
struct expiry_never : kw_never {};
struct expiry_on : seq<kw_on, ws, must<date>> {};
struct expiry_after : seq<expression, ws, must<kw_after>, ws, must<kw_grant>> {};
struct expiry : sor<expiry_never, expiry_on, expiry_after> {};
struct expires_option : seq<kw_expires, ws, must<expiry>> {};
struct valued_option : seq<kw_valued, ws, must<kw_at>, ws, must<expression>> {};
struct grant_option : sor<expires_option, valued_option> {};
struct grant_clause : seq<grant, star<ws, grant_option>> {};

// reward NAME to RECIPIENT [for each qualified referral | for each x in LIST | once]
//        [when CONDITION] gives GRANT
struct rule_name : seq<not_at<kw_to>, identifier> {};
struct recipient : identifier {};
struct scope_qualified : seq<kw_qualified, ws, must<kw_referral>> {};
struct scope_loop : seq<loop_variable, ws, must<kw_in>, ws, must<expression>> {};
struct scope_target : sor<scope_qualified, scope_loop> {};
struct scope_each : seq<kw_for, ws, must<kw_each>, ws, must<scope_target>> {};
struct scope_once : kw_once {};
struct when_clause : seq<kw_when, ws, must<expression>> {};
struct reward_decl
    : seq<kw_reward, ws, must<rule_name>, ws, must<kw_to>, ws, must<recipient>,
          opt<ws, sor<scope_each, scope_once>>, opt<ws, when_clause>, ws, must<kw_gives>, ws,
          must<grant_clause>> {};

// tiers NAME to RECIPIENT by MEASURE [pays each | pays highest] { [label:] threshold -> GRANT }
struct tier_label : identifier {};
struct tier_threshold : sor<amount, number> {};
struct arrow : string<'-', '>'> {};
struct tier : seq<opt<tier_label, ws, colon, ws>, tier_threshold, ws, must<arrow>, ws,
                  must<grant_clause>> {};
struct pays_each : kw_each {};
struct pays_highest : kw_highest {};
struct pays_mode : sor<pays_each, pays_highest> {};
struct pays_clause : seq<kw_pays, ws, must<pays_mode>> {};
struct tier_block : seq<open_brace, ws, star<tier, ws>, must<close_brace>> {};
struct tiers_decl
    : seq<kw_tiers, ws, must<rule_name>, ws, must<kw_to>, ws, must<recipient>, ws, must<kw_by>, ws,
          must<expression>, opt<ws, pays_clause>, ws, must<tier_block>> {};

// boost NAME times FACTOR [on KIND, KIND] [to RECIPIENT] when CONDITION
struct kind_list : list<grant_kind, comma> {};
struct boost_kinds : seq<kw_on, ws, must<kind_list>> {};
struct boost_recipient : seq<kw_to, ws, must<recipient>> {};
struct boost_decl
    : seq<kw_boost, ws, must<rule_name>, ws, must<kw_times>, ws, must<expression>,
          opt<ws, boost_kinds>, opt<ws, boost_recipient>, ws, must<when_clause>> {};

// cap KIND at AMOUNT per RECIPIENT
struct cap_decl
    : seq<kw_cap, ws, must<grant_kind>, ws, must<kw_at>, ws, must<expression>, ws, must<kw_per>, ws,
          must<recipient>> {};

// budget TOTAL spent COUNTER [fallback GRANT]
struct budget_fallback : seq<kw_fallback, ws, must<grant_clause>> {};
struct budget_decl
    : seq<kw_budget, ws, must<expression>, ws, must<kw_spent>, ws, must<expression>,
          opt<ws, budget_fallback>> {};

// output NAME = expression
struct output_name : identifier {};
struct output_decl : seq<kw_output, ws, must<output_name>, ws, must<equals>, ws, must<expression>> {};

struct declaration
    : sor<title_decl, currency_decl, timezone_decl, import_decl, phases_decl, record_decl,
          extend_decl, facts_decl, define_decl, referrer_decl, referee_decl, referral_decl,
          payout_decl, reward_decl, tiers_decl, boost_decl, cap_decl, budget_decl, output_decl> {};

struct end_of_file : eof {};
struct byte_order_mark : string<'\xEF', '\xBB', '\xBF'> {};
// A policy: its header, then declarations.
struct policy_file
    : seq<opt<byte_order_mark>, ws, must<header>, ws, star<declaration, ws>, must<end_of_file>> {};
// An imported module: declarations only (the checker allows records, facts and defines).
struct module_file : seq<opt<byte_order_mark>, ws, star<declaration, ws>, must<end_of_file>> {};

}  // namespace refpol::grammar
