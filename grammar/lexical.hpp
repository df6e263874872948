// Lexical rules of the refpol language: white space, comments, names, keywords and literals.
// Rule names match the productions in docs/grammar.md.
#pragma once
#include <tao/pegtl.hpp>

namespace refpol::grammar {
namespace pegtl = tao::pegtl;
using namespace tao::pegtl;

// A comment runs from `#` to the end of the line; it may hold any UTF-8 text.
struct comment : seq<one<'#'>, until<eolf>> {};
// White space separates tokens anywhere; line breaks carry no meaning.
struct sep : sor<one<' ', '\t', '\r', '\n'>, comment> {};
struct ws : star<sep> {};

struct ident_first : ranges<'a', 'z', 'A', 'Z', '_'> {};
struct ident_other : ranges<'a', 'z', 'A', 'Z', '0', '9', '_'> {};
struct ident_raw : seq<ident_first, star<ident_other>> {};

// A keyword is a whole word: `order` does not start with the keyword `or`.
template <typename Word>
struct key : seq<Word, not_at<ident_other>> {};

struct kw_and : key<TAO_PEGTL_STRING("and")> {};
struct kw_or : key<TAO_PEGTL_STRING("or")> {};
struct kw_not : key<TAO_PEGTL_STRING("not")> {};
struct kw_is : key<TAO_PEGTL_STRING("is")> {};
struct kw_in : key<TAO_PEGTL_STRING("in")> {};
struct kw_present : key<TAO_PEGTL_STRING("present")> {};
struct kw_absent : key<TAO_PEGTL_STRING("absent")> {};
struct kw_if : key<TAO_PEGTL_STRING("if")> {};
struct kw_then : key<TAO_PEGTL_STRING("then")> {};
struct kw_else : key<TAO_PEGTL_STRING("else")> {};
struct kw_true : key<TAO_PEGTL_STRING("true")> {};
struct kw_false : key<TAO_PEGTL_STRING("false")> {};
struct kw_null : key<TAO_PEGTL_STRING("null")> {};
struct kw_where : key<TAO_PEGTL_STRING("where")> {};
struct kw_for : key<TAO_PEGTL_STRING("for")> {};
struct kw_when : key<TAO_PEGTL_STRING("when")> {};
struct kw_gives : key<TAO_PEGTL_STRING("gives")> {};
struct kw_expires : key<TAO_PEGTL_STRING("expires")> {};
struct kw_valued : key<TAO_PEGTL_STRING("valued")> {};
struct kw_after : key<TAO_PEGTL_STRING("after")> {};

// Words that can never be names, because an expression could otherwise run into them.
struct reserved
    : sor<kw_and, kw_or, kw_not, kw_is, kw_in, kw_present, kw_absent, kw_if, kw_then, kw_else,
          kw_true, kw_false, kw_null, kw_where, kw_for, kw_when, kw_gives, kw_expires, kw_valued,
          kw_after> {};

// A name: letters, digits and `_`, not starting with a digit, not a reserved word.
struct identifier : seq<not_at<reserved>, ident_raw> {};

// Declaration keywords are contextual: they are only keywords where a declaration starts.
struct kw_policy : key<TAO_PEGTL_STRING("policy")> {};
struct kw_version : key<TAO_PEGTL_STRING("version")> {};
struct kw_title : key<TAO_PEGTL_STRING("title")> {};
struct kw_currency : key<TAO_PEGTL_STRING("currency")> {};
struct kw_timezone : key<TAO_PEGTL_STRING("timezone")> {};
struct kw_import : key<TAO_PEGTL_STRING("import")> {};
struct kw_phases : key<TAO_PEGTL_STRING("phases")> {};
struct kw_record : key<TAO_PEGTL_STRING("record")> {};
struct kw_extend : key<TAO_PEGTL_STRING("extend")> {};
struct kw_facts : key<TAO_PEGTL_STRING("facts")> {};
struct kw_list : key<TAO_PEGTL_STRING("list")> {};
struct kw_of : key<TAO_PEGTL_STRING("of")> {};
struct kw_define : key<TAO_PEGTL_STRING("define")> {};
struct kw_referrer : key<TAO_PEGTL_STRING("referrer")> {};
struct kw_referee : key<TAO_PEGTL_STRING("referee")> {};
struct kw_referral : key<TAO_PEGTL_STRING("referral")> {};
struct kw_eligible : key<TAO_PEGTL_STRING("eligible")> {};
struct kw_qualifies : key<TAO_PEGTL_STRING("qualifies")> {};
struct kw_void : key<TAO_PEGTL_STRING("void")> {};
struct kw_settles : key<TAO_PEGTL_STRING("settles")> {};
struct kw_payout : key<TAO_PEGTL_STRING("payout")> {};
struct kw_due : key<TAO_PEGTL_STRING("due")> {};
struct kw_settlement : key<TAO_PEGTL_STRING("settlement")> {};
struct kw_reward : key<TAO_PEGTL_STRING("reward")> {};
struct kw_to : key<TAO_PEGTL_STRING("to")> {};
struct kw_each : key<TAO_PEGTL_STRING("each")> {};
struct kw_once : key<TAO_PEGTL_STRING("once")> {};
struct kw_qualified : key<TAO_PEGTL_STRING("qualified")> {};
struct kw_tiers : key<TAO_PEGTL_STRING("tiers")> {};
struct kw_by : key<TAO_PEGTL_STRING("by")> {};
struct kw_pays : key<TAO_PEGTL_STRING("pays")> {};
struct kw_highest : key<TAO_PEGTL_STRING("highest")> {};
struct kw_boost : key<TAO_PEGTL_STRING("boost")> {};
struct kw_times : key<TAO_PEGTL_STRING("times")> {};
struct kw_on : key<TAO_PEGTL_STRING("on")> {};
struct kw_cap : key<TAO_PEGTL_STRING("cap")> {};
struct kw_at : key<TAO_PEGTL_STRING("at")> {};
struct kw_per : key<TAO_PEGTL_STRING("per")> {};
struct kw_budget : key<TAO_PEGTL_STRING("budget")> {};
struct kw_spent : key<TAO_PEGTL_STRING("spent")> {};
struct kw_fallback : key<TAO_PEGTL_STRING("fallback")> {};
struct kw_output : key<TAO_PEGTL_STRING("output")> {};
struct kw_never : key<TAO_PEGTL_STRING("never")> {};
struct kw_grant : key<TAO_PEGTL_STRING("grant")> {};

// Literals.
struct digits : plus<digit> {};
struct fraction : seq<one<'.'>, digits> {};
struct number : seq<digits, opt<fraction>> {};
struct integer : digits {};
struct percent : seq<number, one<'%'>> {};
// A currency is three capital letters (ISO 4217); `points`, `MB` and `GB` are units too.
struct currency_code : seq<rep<3, range<'A', 'Z'>>, not_at<ident_other>> {};
struct unit_name
    : sor<currency_code, key<TAO_PEGTL_STRING("points")>, key<TAO_PEGTL_STRING("MB")>,
          key<TAO_PEGTL_STRING("GB")>> {};
struct amount : seq<number, star<one<' ', '\t'>>, unit_name> {};
struct duration_unit
    : sor<key<TAO_PEGTL_STRING("days")>, key<TAO_PEGTL_STRING("day")>,
          key<TAO_PEGTL_STRING("hours")>, key<TAO_PEGTL_STRING("hour")>,
          key<TAO_PEGTL_STRING("minutes")>, key<TAO_PEGTL_STRING("minute")>,
          key<TAO_PEGTL_STRING("weeks")>, key<TAO_PEGTL_STRING("week")>,
          key<TAO_PEGTL_STRING("months")>, key<TAO_PEGTL_STRING("month")>> {};
struct duration : seq<number, star<one<' ', '\t'>>, duration_unit> {};

struct date_part : seq<rep<4, digit>, one<'-'>, rep<2, digit>, one<'-'>, rep<2, digit>> {};
struct time_zone_part : sor<one<'Z'>, seq<one<'+', '-'>, rep<2, digit>, one<':'>, rep<2, digit>>> {};
struct time_part
    : seq<one<'T'>, rep<2, digit>, one<':'>, rep<2, digit>, opt<one<':'>, rep<2, digit>>,
          opt<time_zone_part>> {};
struct datetime : seq<date_part, time_part> {};
struct date : seq<date_part, not_at<ident_other>> {};

// Strings: double quotes, UTF-8 text, escapes \" \\ \n \t \u{XXXX}; one line only.
struct string_char_close : one<'"'> {};
struct escape_unicode : seq<one<'u'>, one<'{'>, rep_min_max<1, 6, xdigit>, one<'}'>> {};
struct escape : seq<one<'\\'>, sor<one<'"', '\\', 'n', 't'>, escape_unicode>> {};
struct string_plain : plus<not_one<'"', '\\', '\n', '\r'>> {};
struct string_body : star<sor<string_plain, escape>> {};
struct string_literal : seq<one<'"'>, string_body, must<string_char_close>> {};

}  // namespace refpol::grammar
