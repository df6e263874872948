// The checker's internal state, shared by the declaration pass and the expression pass.
#pragma once
#include <map>
#include <set>
#include <string>
#include <vector>

#include "interpreter/check/checker.hpp"
#include "interpreter/eval/decimal.hpp"

namespace refpol::check {

// Where an expression is checked: which names are bound and which optional paths are guarded.
struct Ctx {
  int file = 0;
  bool referral = false;           // `referral` is bound (per-referral rules)
  bool qualified = false;          // the referral is known to qualify: `position` is bound
  bool in_qualification = false;   // deciding qualification: `qualified_referrals` is not ready
  std::vector<std::pair<std::string, Type>> locals;
  std::vector<std::string> guards;  // paths known to be present, such as `referral.first_order`
};

// What a reward kind takes: an amount or not, and whether it should expire.
struct KindInfo {
  std::string_view name;
  enum class Amount { money, money_or_number, number, storage, optional_count } amount;
  bool needs_expiry;
};
const std::vector<KindInfo>& reward_kinds();
const KindInfo* find_kind(std::string_view name);

class Checker {
 public:
  Checker(std::vector<ast::File>& files, Diagnostics& diags) : files_(files), diags_(diags) {}
  void run(CheckedPolicy& out);

  // Expressions (check_exprs.cpp).
  Type expr(const ast::Expr& e, Ctx& ctx);
  Type condition(const ast::Expr& e, Ctx& ctx);  // must be a non-optional boolean
  Type value(const ast::Expr& e, Ctx& ctx);      // any non-optional value
  static std::string path_of(const ast::Expr& e);
  static void presence_guards(const ast::Expr& e, std::vector<std::string>& out, bool negated);
  static int const_bool(const ast::Expr& e);  // 1 true, 0 false, -1 unknown

 private:
  friend struct ExprChecker;
  std::vector<ast::File>& files_;
  Diagnostics& diags_;
  Schema schema_;
  std::string currency_;
  std::map<std::string, const ast::DefineDecl*, std::less<>> defines_;
  std::map<std::string, int, std::less<>> define_file_;
  std::map<std::string, Type, std::less<>> define_types_;
  std::set<std::string, std::less<>> used_defines_;
  std::vector<std::string> define_stack_;
  // Written-out sizes of definitions (check_expansion.cpp), and of the uses outside them so far.
  struct DefineSize {
    std::uint64_t nodes = 0, depth = 0;
    bool too_large() const { return nodes > kMaxDefineExpansion || depth > kMaxDefineDepth; }
  };
  std::map<std::string, DefineSize, std::less<>> define_sizes_;
  std::uint64_t expansion_total_ = 0;
  bool expansion_reported_ = false;
  std::map<std::string, std::pair<Span, Span>, std::less<>> phases_;  // name -> first, last
  std::vector<std::string> qualification_guards_;
  bool has_qualifies_ = false;

  SourcePtr src(int file) const { return files_[static_cast<std::size_t>(file)].source; }
  Diagnostic& error(const Ctx& ctx, std::string code, Span span, std::string message) {
    return diags_.error(std::move(code), src(ctx.file), span, std::move(message));
  }

  void collect(CheckedPolicy& out);
  void build_schema();
  Type resolve_type(const ast::TypeRef& ref, int file);
  void check_phases(const ast::PhasesDecl& d, int file);
  void check_decl(const ast::Decl& d, int file);
  void check_conditions(const ast::ConditionsDecl& d, int file);
  void check_grant(const ast::Grant& g, Ctx& ctx);
  void check_recipient(const ast::Name& r, const Ctx& ctx, bool allow_referee);
  void check_unused();
  bool find_builtin_name(std::string_view name) const;

  Type name_type(const ast::Expr& e, Ctx& ctx);
  Type binary(const ast::Expr& e, Ctx& ctx);
  void number_problem(const ast::Expr& e, DecimalError err, Ctx& ctx);
  Type aggregate(const ast::Expr& e, Ctx& ctx);
  Type call_type(const ast::Expr& e, Ctx& ctx);
  Type define_type(const std::string& name, const ast::Expr& at, Ctx& ctx);
  Type referral_type(const ast::Expr& at, Ctx& ctx);
  // E110 for a definition used while deciding referrals' verdicts when it reads
  // `qualified_referrals`, itself or through other definitions; true when it does.
  bool qualified_in_verdict(const std::string& name, const ast::Expr& at, Ctx& ctx);
  // The definitions from `name` down to the one that names `qualified_referrals`; empty when
  // it reads none. Kept by definition, so a chain of definitions is walked once.
  const std::vector<std::string>& qualified_chain(const std::string& name);
  bool names_qualified(const ast::Expr& e, std::vector<std::string_view>& bound, std::vector<std::string>& chain);
  std::map<std::string, std::vector<std::string>, std::less<>> qualified_chains_;

  // Expansion limits (check_expansion.cpp).
  struct DefineShape;
  void shape_of(const ast::Expr& e, std::uint64_t level, std::vector<std::string_view>& bound,
                DefineShape& out) const;
  void check_define_sizes();
  // Counts one use of a definition outside any definition; false when it is too large (E123
  // given), so the caller does not look into its body.
  bool use_define(const std::string& name, const ast::Expr& at, Ctx& ctx);
  std::vector<std::string> visible_names(const Ctx& ctx) const;
};

}  // namespace refpol::check
