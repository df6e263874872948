// Tests for the PEGTL grammar (grammar/*.hpp) and its documentation (docs/grammar.md):
// - PEGTL's static analysis finds no rule that can loop without consuming input;
// - the productions of docs/grammar.md and the structs of the grammar agree: same names, same
//   referenced rules, same required (`^` / `must<...>`) points, and every `e.g.` example parses;
// - direct parses of expressions, including inputs that must not parse completely.
#include <gtest/gtest.h>

#include <cctype>
#include <cstddef>
#include <functional>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <tao/pegtl.hpp>
#include <tao/pegtl/contrib/analyze.hpp>
#include <vector>

#include "grammar/errors.hpp"
#include "interpreter/parse/parser.hpp"
#include "tests/support/test_support.hpp"

namespace refpol {
namespace {

namespace g = refpol::grammar;
namespace pegtl = tao::pegtl;
using testing::read_text;
using testing::source_dir;

// Structs in the rule headers that are not grammar rules and need no production.
const std::set<std::string> kInternalStructs = {
    "Restore",  // the depth-restoring guard inside nested<Rule>::match
};

// Names a production may use that are not rules: the end of a line or of the input.
const std::set<std::string> kDocBuiltins = {"EOL", "EOF", "digit", "raise"};

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return {};
  const auto e = s.find_last_not_of(" \t\r");
  return s.substr(b, e - b + 1);
}

std::string join(const std::set<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : " ") + n;
  return "{" + out + "}";
}

// ---- the code side ----------------------------------------------------------------------------

// C++ source with comments removed and the contents of character and string literals dropped,
// so that `{`, `;`, `'` and words inside them cannot confuse the scan for structs.
std::string strip_cpp(const std::string& text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '/' && i + 1 < text.size() && text[i + 1] == '/') {
      while (i < text.size() && text[i] != '\n') ++i;
      out += '\n';
    } else if (c == '/' && i + 1 < text.size() && text[i + 1] == '*') {
      i = text.find("*/", i + 2);
      if (i == std::string::npos) break;
      ++i;
    } else if (c == '\'' || c == '"') {
      ++i;
      while (i < text.size() && text[i] != c) i += text[i] == '\\' ? 2 : 1;
      out += c;
      out += c;
    } else {
      out += c;
    }
  }
  return out;
}

// A struct of a grammar header: its name and the text of its base clause (after `:`), empty for
// a struct without bases.
struct CodeRule {
  std::string base;
  std::string file;
};

const char* const kRuleHeaders[] = {"grammar/lexical.hpp", "grammar/expressions.hpp",
                                    "grammar/policy.hpp"};

std::map<std::string, CodeRule> structs_in(const std::string& file) {
  const std::string text = strip_cpp(read_text(source_dir() / file));
  static const std::regex def(R"(\bstruct\s+([A-Za-z_]\w*)\s*(?::([^{;]*))?[{;])");
  std::map<std::string, CodeRule> out;
  for (std::sregex_iterator it(text.begin(), text.end(), def), end; it != end; ++it) {
    const std::string name = (*it)[1];
    const std::string base = trim((*it)[2]);
    // A forward declaration (`struct expression;`) must not hide the definition.
    if (!out.count(name) || out[name].base.empty()) out[name] = CodeRule{base, file};
  }
  return out;
}

// Every struct of grammar/lexical.hpp, expressions.hpp and policy.hpp.
const std::map<std::string, CodeRule>& code_rules() {
  static const std::map<std::string, CodeRule> rules = [] {
    std::map<std::string, CodeRule> all;
    for (const char* file : kRuleHeaders) {
      for (auto& [name, rule] : structs_in(file)) {
        if (!all.count(name) || all[name].base.empty()) all[name] = rule;
      }
    }
    return all;
  }();
  return rules;
}

// Every struct name of grammar/*.hpp (the rule headers and errors.hpp).
std::set<std::string> all_struct_names() {
  std::set<std::string> names;
  for (const auto& [name, rule] : code_rules()) names.insert(name);
  for (const auto& [name, rule] : structs_in("grammar/errors.hpp")) names.insert(name);
  return names;
}

std::set<std::string> identifiers_in(const std::string& text) {
  static const std::regex word(R"([A-Za-z_]\w*)");
  std::set<std::string> out;
  for (std::sregex_iterator it(text.begin(), text.end(), word), end; it != end; ++it) {
    out.insert((*it)[0]);
  }
  return out;
}

// The grammar rules a definition refers to: its words that name a rule.
std::set<std::string> rule_references(const std::string& text) {
  std::set<std::string> out;
  for (const auto& w : identifiers_in(text)) {
    if (code_rules().count(w) && !kInternalStructs.count(w)) out.insert(w);
  }
  return out;
}

// The rules inside each `must<...>` of a base clause, as `name` or `nested(name)`.
std::set<std::string> code_required(const std::string& base) {
  std::set<std::string> out;
  static const std::regex nested_arg(R"(^nested\s*<\s*(?:struct\s+)?(\w+)\s*>$)");
  for (std::size_t at = base.find("must<"); at != std::string::npos;
       at = base.find("must<", at + 1)) {
    if (at > 0 && (std::isalnum(static_cast<unsigned char>(base[at - 1])) || base[at - 1] == '_')) {
      continue;
    }
    // Split the template arguments at top-level commas.
    int depth = 0;
    std::string arg;
    for (std::size_t i = at + 5; i < base.size(); ++i) {
      const char c = base[i];
      if (c == '<') ++depth;
      if (c == '>' && depth-- == 0) {
        out.insert(trim(arg));
        break;
      }
      if (c == ',' && depth == 0) {
        out.insert(trim(arg));
        arg.clear();
        continue;
      }
      arg += c;
    }
  }
  std::set<std::string> normalised;
  for (const auto& a : out) {
    std::smatch m;
    normalised.insert(std::regex_match(a, m, nested_arg) ? "nested(" + m[1].str() + ")" : a);
  }
  return normalised;
}

// ---- the documentation side -------------------------------------------------------------------

struct Production {
  std::string name;
  std::string parameter;   // `W` in `key(W) <- ...`, else empty
  std::string definition;  // everything after `<-`, continuation lines joined
  std::vector<std::string> comment;  // the `#` lines just above it, without the `# `
  int line = 0;
};

struct Doc {
  std::vector<Production> productions;
  std::vector<std::string> problems;  // lines inside ```peg blocks that are not productions
};

// Reads the ```peg blocks of docs/grammar.md. In a block, a line `name <- definition` (or
// `name(P) <- definition` for a rule template) starts a production, indented lines continue it,
// `#` lines are the comment of the next production, and a blank line ends a comment.
Doc read_doc() {
  Doc doc;
  std::istringstream in(read_text(source_dir() / "docs/grammar.md"));
  static const std::regex start(R"(^([A-Za-z_]\w*)(?:\(([A-Z]\w*)\))?\s*<-\s*(.*)$)");
  std::string line;
  bool in_peg = false;
  bool continuing = false;
  std::vector<std::string> comment;
  for (int number = 1; std::getline(in, line); ++number) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.rfind("```", 0) == 0) {
      in_peg = !in_peg && trim(line.substr(3)) == "peg";
      continuing = false;
      comment.clear();
      continue;
    }
    if (!in_peg) continue;
    std::smatch m;
    const std::string t = trim(line);
    if (t.empty()) {
      continuing = false;
      comment.clear();
    } else if (t[0] == '#') {
      continuing = false;
      comment.push_back(t.size() > 2 ? t.substr(2) : "");
    } else if (std::regex_match(line, m, start)) {
      doc.productions.push_back(Production{m[1], m[2], m[3], comment, number});
      comment.clear();
      continuing = true;
    } else if (continuing && (line[0] == ' ' || line[0] == '\t')) {
      doc.productions.back().definition += " " + t;
    } else {
      doc.problems.push_back("docs/grammar.md:" + std::to_string(number) + ": " + line);
    }
  }
  return doc;
}

// A definition with the contents of its quoted literals and character classes removed, so that
// only rule names, template parameters, builtins and PEG operators remain.
std::string strip_peg(const std::string& def) {
  std::string out;
  for (std::size_t i = 0; i < def.size(); ++i) {
    const char c = def[i];
    const char close = c == '\'' ? '\'' : c == '"' ? '"' : c == '[' ? ']' : '\0';
    if (close == '\0') {
      out += c;
      continue;
    }
    ++i;
    while (i < def.size() && def[i] != close) i += def[i] == '\\' ? 2 : 1;
    out += " ";
  }
  return out;
}

// The rules marked required (`^rule` or `^nested(rule)`) in a definition.
std::set<std::string> doc_required(const std::string& stripped) {
  static const std::regex req(R"(\^\s*(?:nested\(\s*(\w+)\s*\)|(\w+)))");
  std::set<std::string> out;
  for (std::sregex_iterator it(stripped.begin(), stripped.end(), req), end; it != end; ++it) {
    out.insert((*it)[1].matched ? "nested(" + (*it)[1].str() + ")" : (*it)[2].str());
  }
  return out;
}

// ---- tests --------------------------------------------------------------------------------------

TEST(Grammar, AnalyzeFindsNoProblems) {
  // analyze() prints each problem (a rule that can loop without consuming input) to stderr.
  EXPECT_EQ(pegtl::analyze<g::policy_file>(), 0u);
  EXPECT_EQ(pegtl::analyze<g::module_file>(), 0u);
  EXPECT_EQ(pegtl::analyze<g::expression>(), 0u);
}

TEST(Grammar, DocumentParses) {
  const Doc doc = read_doc();
  EXPECT_TRUE(doc.problems.empty()) << "lines in ```peg blocks that are neither productions, "
                                       "continuations nor comments:\n"
                                    << [&] {
                                         std::string s;
                                         for (const auto& p : doc.problems) s += p + "\n";
                                         return s;
                                       }();
  EXPECT_GT(doc.productions.size(), 150u);
  std::set<std::string> seen;
  for (const auto& p : doc.productions) {
    EXPECT_TRUE(seen.insert(p.name).second)
        << "docs/grammar.md:" << p.line << ": `" << p.name << "` has two productions";
    // Keyword rules are listed together; every other production says what it is for.
    if (p.name.rfind("kw_", 0) != 0) {
      EXPECT_FALSE(p.comment.empty())
          << "docs/grammar.md:" << p.line << ": `" << p.name << "` has no explanation above it";
    }
  }
}

TEST(Grammar, EveryDocumentedRuleExistsInTheCode) {
  const std::set<std::string> structs = all_struct_names();
  for (const auto& p : read_doc().productions) {
    const std::string where = "docs/grammar.md:" + std::to_string(p.line) + ": ";
    EXPECT_TRUE(structs.count(p.name) && !kInternalStructs.count(p.name))
        << where << "production `" << p.name << "` has no `struct " << p.name
        << "` in grammar/*.hpp";
    for (const auto& w : identifiers_in(strip_peg(p.definition))) {
      EXPECT_TRUE(structs.count(w) || kDocBuiltins.count(w) || w == p.parameter)
          << where << "`" << p.name << "` refers to `" << w << "`, which is not a rule";
    }
  }
}

TEST(Grammar, EveryRuleInTheCodeIsDocumented) {
  std::set<std::string> documented;
  for (const auto& p : read_doc().productions) documented.insert(p.name);
  for (const auto& [name, rule] : code_rules()) {
    if (kInternalStructs.count(name)) continue;
    EXPECT_TRUE(documented.count(name))
        << "`struct " << name << "` of " << rule.file
        << " has no production `" << name << " <- ...` in docs/grammar.md";
  }
}

TEST(Grammar, ProductionsReferToTheSameRulesAsTheCode) {
  for (const auto& p : read_doc().productions) {
    auto it = code_rules().find(p.name);
    if (it == code_rules().end()) continue;  // reported by EveryDocumentedRuleExistsInTheCode
    const std::string stripped = strip_peg(p.definition);
    const std::string where = "docs/grammar.md:" + std::to_string(p.line) + ": `" + p.name + "`";
    std::set<std::string> doc_refs = rule_references(stripped);
    std::set<std::string> code_refs = rule_references(it->second.base);
    doc_refs.erase(p.name);
    code_refs.erase(p.name);
    EXPECT_EQ(join(doc_refs), join(code_refs))
        << where << " refers to other rules than `struct " << p.name << "` in "
        << it->second.file;
    EXPECT_EQ(join(doc_required(stripped)), join(code_required(it->second.base)))
        << where << ": its `^` points differ from the `must<...>` of the code";
  }
}

TEST(Grammar, PrecedenceTableNamesRules) {
  // Rows `| level | operators | rule(s) | grouping |` of the precedence table.
  std::istringstream in(read_text(source_dir() / "docs/grammar.md"));
  static const std::regex row(R"(^\|\s*\d+\s*\|.*\|\s*([^|]*)\|[^|]*\|\s*$)");
  static const std::regex ticked("`([a-z_]+)`");
  const std::set<std::string> structs = all_struct_names();
  std::string line;
  int rows = 0;
  while (std::getline(in, line)) {
    std::smatch m;
    if (!std::regex_match(line, m, row)) continue;
    const std::string rules = m[1];
    for (std::sregex_iterator it(rules.begin(), rules.end(), ticked), end; it != end; ++it) {
      ++rows;
      EXPECT_TRUE(structs.count((*it)[1])) << "precedence table names `" << (*it)[1] << "`";
    }
  }
  EXPECT_GE(rows, 11);
}

// Whole-input matchers for the rules whose productions carry an `e.g.` example.
template <typename Rule>
bool matches_all(const std::string& text) {
  pegtl::memory_input<> in(text, "example");
  try {
    return pegtl::parse<pegtl::seq<Rule, pegtl::eof>>(in);
  } catch (const pegtl::parse_error&) {
    return false;
  }
}

#define REFPOL_RULES(X)                                                                           \
  X(comment) X(sep) X(ws) X(ident_first) X(ident_other) X(ident_raw) X(reserved) X(identifier)   \
  X(digits) X(fraction) X(number) X(integer) X(percent) X(currency_code) X(unit_name) X(amount)  \
  X(duration_unit) X(duration) X(date_part) X(time_zone_part) X(time_part) X(datetime) X(date)   \
  X(string_char_close) X(escape_unicode) X(escape) X(string_plain) X(string_body)                \
  X(string_literal) X(comma) X(close_paren) X(close_bracket) X(group) X(list_literal)            \
  X(if_then) X(aggregate_name) X(aggregate_word) X(loop_variable) X(where_clause) X(aggregate_in)                  \
  X(aggregate_for) X(aggregate_value) X(aggregate_body) X(aggregate) X(call_arguments)            \
  X(call_name) X(call) X(name_ref) X(literal_true) X(literal_false) X(literal_null) X(primary) X(number_like) X(literal_word)   \
  X(field_name) X(field_access) X(postfix) X(op_neg) X(negation) X(unary) X(op_mul) X(op_div)    \
  X(product) X(op_add) X(op_sub) X(sum_expr) X(op_default) X(default_expr) X(op_range)           \
  X(range_expr) X(op_eq) X(op_ne) X(op_le) X(op_ge) X(op_lt) X(op_gt) X(op_not_in) X(op_in)      \
  X(compare_op) X(presence_present) X(presence_absent) X(op_is) X(op_is_not) X(presence_word)   \
  X(presence_test) X(comparison) X(op_not) X(inversion) X(not_expr) X(op_and) X(conjunction)     \
  X(op_or) X(disjunction) X(expression) X(open_brace) X(close_brace) X(colon) X(equals)          \
  X(blanks) X(policy_id) X(policy_version) X(header) X(title_decl) X(currency_decl)              \
  X(timezone_decl) X(import_decl) X(phase_name) X(phase) X(phases_decl) X(type_name)             \
  X(list_type) X(optional_mark) X(type_expr) X(field_decl_name) X(field_decl) X(field_block)     \
  X(record_name) X(record_decl) X(extend_facts) X(extend_record) X(extend_target)                \
  X(extend_decl) X(facts_decl) X(define_name) X(parameter) X(parameters) X(define_decl)          \
  X(condition_label) X(condition) X(condition_block) X(condition_block_end) X(condition_spec)    \
  X(when_keyword)                                                                                \
  X(referrer_decl) X(referee_decl) X(qualifies_clause) X(void_clause) X(settles_clause)          \
  X(referral_clause) X(referral_decl) X(payout_decl) X(grant_kind) X(grant_amount)               \
  X(grant_label) X(grant) X(expiry_never) X(expiry_on) X(expiry_after) X(expiry)                 \
  X(expires_option) X(valued_option) X(grant_option) X(grant_clause) X(rule_name) X(recipient)   \
  X(scope_qualified) X(scope_loop) X(scope_target) X(scope_each) X(scope_once) X(when_clause)    \
  X(reward_decl) X(tier_label) X(tier_threshold) X(arrow) X(tier) X(pays_each) X(pays_highest)   \
  X(pays_mode) X(pays_clause) X(tier_block) X(tiers_decl) X(kind_list) X(boost_kinds)            \
  X(boost_recipient) X(boost_decl) X(cap_decl) X(budget_fallback) X(budget_decl) X(output_name)  \
  X(output_decl) X(declaration) X(end_of_file) X(byte_order_mark) X(policy_file) X(module_file)

const std::map<std::string, std::function<bool(const std::string&)>>& example_matchers() {
#define REFPOL_MATCHER(rule) {#rule, &matches_all<g::rule>},
  static const std::map<std::string, std::function<bool(const std::string&)>> m = {
      REFPOL_RULES(REFPOL_MATCHER)};
#undef REFPOL_MATCHER
  return m;
}

TEST(Grammar, DocumentedExamplesMatchTheirRules) {
  int checked = 0;
  for (const auto& p : read_doc().productions) {
    for (const auto& c : p.comment) {
      if (c.rfind("e.g. ", 0) != 0) continue;
      std::string example = c.substr(5);
      while (!example.empty() && (example.back() == ' ' || example.back() == '\t')) {
        example.pop_back();
      }
      auto it = example_matchers().find(p.name);
      ASSERT_NE(it, example_matchers().end())
          << "docs/grammar.md:" << p.line << ": add `" << p.name << "` to REFPOL_RULES";
      EXPECT_TRUE(it->second(example))
          << "docs/grammar.md:" << p.line << ": the example of `" << p.name
          << "` does not match it completely: " << example;
      ++checked;
    }
  }
  EXPECT_GT(checked, 150);
}

TEST(Grammar, ReservedWordsMatchTheDocumentedTable) {
  // The `reserved` production lists exactly the `kw_` rules of `struct reserved`, and each of
  // those words is in the table of reserved words.
  const std::string doc = read_text(source_dir() / "docs/grammar.md");
  const auto& rule = code_rules().at("reserved");
  for (const auto& kw : rule_references(rule.base)) {
    ASSERT_EQ(kw.rfind("kw_", 0), 0u) << kw;
    const std::string word = kw.substr(3);
    EXPECT_NE(doc.find("`" + word + "`"), std::string::npos)
        << "reserved word `" << word << "` is not in the table of docs/grammar.md";
  }
  EXPECT_EQ(rule_references(rule.base).size(), 20u);
}

TEST(Grammar, DocumentedLimitsMatchTheCode) {
  const std::string doc = read_text(source_dir() / "docs/grammar.md");
  auto row = [&](const std::string& name, const std::string& value) {
    EXPECT_NE(doc.find("| `" + name + "` | " + value + " |"), std::string::npos)
        << "docs/grammar.md should list `" << name << "` as " << value;
  };
  row("grammar::kMaxNestingDepth", std::to_string(g::kMaxNestingDepth));
  ASSERT_EQ(kMaxSourceBytes % (1024 * 1024), 0u);
  row("kMaxSourceBytes", std::to_string(kMaxSourceBytes / (1024 * 1024)) + " MiB");
  ASSERT_EQ(kMaxStringBytes % 1024, 0u);
  row("kMaxStringBytes", std::to_string(kMaxStringBytes / 1024) + " KiB");
  row("kMaxOperandsPerChain", std::to_string(kMaxOperandsPerChain));
}

// ---- direct parses ------------------------------------------------------------------------------

// True when the whole of `text` parses as one expression. A failed `must<...>` throws
// parse_error, which is a failure too.
bool parses_whole(const std::string& text) {
  pegtl::memory_input<> in(text, "test");
  try {
    return pegtl::parse<g::expression>(in) && in.empty();
  } catch (const pegtl::parse_error&) {
    return false;
  }
}

// The error message the parser's control (must_if with the table of errors.hpp) raises for
// `text`, or "" when it raises none.
std::string error_for(const std::string& text) {
  pegtl::memory_input<> in(text, "test");
  try {
    (void)pegtl::parse<g::expression, pegtl::nothing, pegtl::must_if<g::error_table>::control>(in);
  } catch (const pegtl::parse_error& e) {
    return std::string(e.message());
  }
  return {};
}

TEST(GrammarExpression, ParsesWholeInputs) {
  for (const char* text : {
           "a or b and not c",
           "x.y.z ?? 0",
           "2026-12-01 .. 2027-01-06",
           "count(r in referrals where r.paid)",
           "sum(o.amount for o in orders)",
           "100 CNY",
           "5%",
           "72 hours",
           "\"中文\\u{4E2D}\"",
           // and a few more shapes
           "referrer.last_order_at is present and referrer.last_order_at >= now - 365 days",
           "referral.bound_at in active",
           "x not in [\"a\", \"b\"]",
           "x is not absent",
           "if a then 1 else -2",
           "2026-12-08T10:00:00+08:00",
           "days_between(a, b) * 2 / 3",
           "- - 1",
           "not not a",
           "order or ifs",  // words that start with reserved words are names
       }) {
    EXPECT_TRUE(parses_whole(text)) << text;
  }
}

TEST(GrammarExpression, RejectsIncompleteInputs) {
  for (const char* text : {
           "1 +",
           "2026-12-01T25",  // a date-time needs minutes
           "2026-12-01x",    // a date is a whole word
           "a < b < c",      // comparisons do not chain
           "x.",
           "x. y",
           "f (x)",           // a call's `(` touches the name
           "min(a, b)",       // aggregates take one body
           "[1, 2,]",         // no trailing comma
           "\"abc",           // unterminated string
           "\"a\\q\"",        // unknown escape
           "\"\\u{1234567}\"",  // at most 6 hex digits
           "if a then b",     // `else` is required
           "a and",
           "5 %",
           "1e3",
           "",
       }) {
    EXPECT_FALSE(parses_whole(text)) << text;
  }
}

TEST(GrammarExpression, MalformedDatesAreNotDates) {
  // `2026-13` and `2026-12-1` are not dates, and not subtractions either: they are mistyped
  // dates, which raise "expected a date" (docs/grammar.md, "Things that surprise authors").
  for (const char* text : {"2026-13", "2026-12-1", "2026-12-011"}) {
    EXPECT_FALSE(matches_all<g::date>(text)) << text;
    EXPECT_FALSE(matches_all<g::datetime>(text)) << text;
    EXPECT_FALSE(matches_all<g::sum_expr>(text)) << text;
    auto parse_strict = [&] {
      tao::pegtl::memory_input<> in(text, "test");
      using Rule = tao::pegtl::seq<g::sum_expr, tao::pegtl::eof>;
      (void)tao::pegtl::parse<Rule, tao::pegtl::nothing, tao::pegtl::must_if<g::error_table>::control>(in);
    };
    EXPECT_THROW(parse_strict(), tao::pegtl::parse_error) << text;
  }
  EXPECT_TRUE(matches_all<g::sum_expr>("2026 - 12"));
  EXPECT_TRUE(matches_all<g::date>("2026-12-01"));
}

TEST(GrammarExpression, PrecedenceShapesTheParse) {
  // Operands of the loosest level are found at the tighter levels: `a or b and not c` is one
  // disjunction of two conjunctions, the second of which holds the inversion.
  EXPECT_TRUE(matches_all<g::conjunction>("b and not c"));
  EXPECT_FALSE(matches_all<g::conjunction>("a or b"));
  EXPECT_TRUE(matches_all<g::default_expr>("x ?? 0 + 1"));  // `??` binds looser than `+`
  EXPECT_FALSE(matches_all<g::sum_expr>("x ?? 0 + 1"));
  EXPECT_TRUE(matches_all<g::unary>("-x.y"));  // `-` applies to the field access
}

TEST(GrammarExpression, RequiredPointsRaiseTheMessagesOfTheTable) {
  EXPECT_EQ(error_for("1 +"), g::error_message<g::product>);
  EXPECT_EQ(error_for("a and"), g::error_message<g::not_expr>);
  EXPECT_EQ(error_for("(a"), g::error_message<g::close_paren>);
  EXPECT_EQ(error_for("if a then b"), g::error_message<g::kw_else>);
  EXPECT_EQ(error_for("x is here"), g::error_message<g::presence_word>);
  EXPECT_EQ(error_for("\"abc"), g::error_message<g::string_char_close>);
  EXPECT_EQ(error_for("a or b"), "");
}

TEST(GrammarExpression, NestingStopsAtTheLimit) {
  // Each `( ... )` holds one more `expression`, one more level; the outer expression is level 1.
  auto parens = [](std::size_t n) { return std::string(n, '(') + "1" + std::string(n, ')'); };
  EXPECT_TRUE(parses_whole(parens(g::kMaxNestingDepth - 1)));
  const std::string deep = parens(g::kMaxNestingDepth);
  pegtl::memory_input<> in(deep, "test");
  try {
    (void)pegtl::parse<g::expression>(in);
    ADD_FAILURE() << "nesting past kMaxNestingDepth did not raise";
  } catch (const pegtl::parse_error& e) {
    // The message states the limit; it must follow the constant.
    EXPECT_NE(std::string(e.message()).find("nested too deeply"), std::string::npos);
    EXPECT_NE(std::string(e.message()).find(std::to_string(g::kMaxNestingDepth)),
              std::string::npos)
        << e.message();
  }
}

TEST(GrammarFile, ParsesTheStandardModuleAndAPolicy) {
  const std::string standard = read_text(source_dir() / "stdlib/standard.refpol");
  pegtl::memory_input<> module_in(standard, "stdlib/standard.refpol");
  EXPECT_TRUE(pegtl::parse<g::module_file>(module_in));

  const std::string policy = R"(# 老友带新邻
policy "old-friends" version 1
currency CNY
timezone "Asia/Shanghai"
import "standard"

phases {
  warmup 2026-12-01 .. 2026-12-07
  active 2026-12-08 .. 2027-01-06
}

define recent = referrer.last_order_at is present and referrer.last_order_at >= now - 365 days
define reward = 1  # declaration keywords are contextual

referrer eligible when {
  recent_order: recent
  spend: referrer.total_spend >= 500 CNY or referrer.order_count >= 3
}

referral qualifies when referral.bound_at in active
referral settles referral.first_order.completed_at + 7 days
payout due 72 hours after settlement

reward welcome to referee for each qualified referral gives coupon 50 CNY expires 30 days after grant

tiers ladder to referrer by count(qualified_referrals) pays each {
  1 -> coupon 100 CNY "无门槛券" expires 90 days after grant
  gold: 3 -> gift "定制礼盒"
}

boost double times 2 on points, coupon to referrer when referrer.segment == "loyal"
cap coupon at 500 CNY per referrer
budget 100000 CNY spent campaign.budget_spent fallback points 10
output qualified = count(qualified_referrals)
)";
  pegtl::memory_input<> policy_in(policy, "policy.refpol");
  EXPECT_TRUE(pegtl::parse<g::policy_file>(policy_in));
  // A module has no header; a policy must have one.
  const std::string no_header = "currency CNY\n";
  pegtl::memory_input<> headless(no_header, "headless.refpol");
  EXPECT_THROW((void)pegtl::parse<g::policy_file>(headless), pegtl::parse_error);
}

}  // namespace
}  // namespace refpol
