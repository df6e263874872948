// How far definitions grow when they are written out (E123). A definition's body is compiled
// again at every call and evaluated again at every use of its name, so ten lines that each use
// the line before twice cost 2^10. Each definition's written-out size and depth are worked out
// once, in an order where the definitions it uses come first (no recursion from one definition
// into another, so a long chain cannot exhaust the stack), and checked against
// kMaxDefineExpansion and kMaxDefineDepth; the uses outside definitions add up against
// kMaxPolicyExpansion.
#include <fmt/format.h>

#include <algorithm>

#include "interpreter/check/checker_impl.hpp"

namespace refpol::check {
namespace {

using E = ast::ExprKind;

// Sizes stop growing here, far past every limit, so sums never overflow.
constexpr std::uint64_t kSizeCap = std::uint64_t{1} << 40;

std::uint64_t capped_add(std::uint64_t a, std::uint64_t b) { return std::min(kSizeCap, a + b); }

std::string plural(std::uint64_t n, std::string_view word) {
  return fmt::format("{} {}{}", n, word, n == 1 ? "" : "s");
}

}  // namespace

// A definition's body as written: its nodes, its depth, and each use of another definition with
// the depth it is used at. Parameters and loop variables hide definitions of the same name.
struct Checker::DefineShape {
  std::uint64_t nodes = 0;
  std::uint64_t depth = 0;
  std::vector<std::pair<std::string_view, std::uint64_t>> uses;  // (definition, depth of the use)
};

void Checker::shape_of(const ast::Expr& e, std::uint64_t level, std::vector<std::string_view>& bound,
                       DefineShape& out) const {
  out.nodes = capped_add(out.nodes, 1);
  out.depth = std::max(out.depth, level);
  // A call always names a definition; a name does unless a parameter or loop variable hides it.
  if (e.kind == E::call || (e.kind == E::name && std::find(bound.begin(), bound.end(), e.text) == bound.end())) {
    if (auto it = defines_.find(e.text); it != defines_.end()) out.uses.emplace_back(it->first, level);
  }
  if (e.kind == E::aggregate && !e.unit.empty() && !e.kids.empty()) {
    shape_of(e.kids[0], level + 1, bound, out);
    bound.push_back(e.unit);
    for (std::size_t i = 1; i < e.kids.size(); ++i) shape_of(e.kids[i], level + 1, bound, out);
    bound.pop_back();
    return;
  }
  for (const auto& k : e.kids) shape_of(k, level + 1, bound, out);
}

void Checker::check_define_sizes() {
  std::map<std::string_view, DefineShape> shapes;
  for (const auto& [name, def] : defines_) {
    std::vector<std::string_view> bound;
    for (const auto& p : def->params) bound.push_back(p.text);
    shape_of(def->body, 1, bound, shapes[name]);
  }
  // Depth-first over the uses with a stack of its own; a use that closes a cycle counts as one
  // node (E112 reports the cycle).
  enum class Mark { none, open, done };
  std::map<std::string_view, Mark> marks;
  for (const auto& [root, unused] : defines_) {
    if (marks[root] != Mark::none) continue;
    std::vector<std::pair<std::string_view, std::size_t>> stack{{root, 0}};
    marks[root] = Mark::open;
    while (!stack.empty()) {
      auto& [name, next] = stack.back();
      const DefineShape& shape = shapes[name];
      if (next < shape.uses.size()) {
        std::string_view used = shape.uses[next++].first;
        if (marks[used] == Mark::none) {
          marks[used] = Mark::open;
          stack.emplace_back(used, 0);
        }
        continue;
      }
      DefineSize size{shape.nodes, shape.depth};
      for (const auto& [used, level] : shape.uses) {
        if (marks[used] != Mark::done) continue;  // a cycle
        const DefineSize& u = define_sizes_.find(used)->second;
        size.nodes = capped_add(size.nodes, u.nodes);
        size.depth = std::max(size.depth, capped_add(level, u.depth));
      }
      define_sizes_.emplace(std::string(name), size);
      marks[name] = Mark::done;
      stack.pop_back();
    }
  }
  // Reported where a definition passes a limit while everything it uses is within them: the
  // definitions that use it pass it too, but the fix is there.
  for (const auto& [name, def] : defines_) {
    const DefineSize& size = define_sizes_.at(name);
    if (!size.too_large()) continue;
    const DefineShape& shape = shapes[name];
    // Its body is not type-checked where it is used, so what it uses, and what they use, is
    // marked used here (W501).
    std::vector<std::string_view> todo;
    for (const auto& use : shape.uses) todo.push_back(use.first);
    while (!todo.empty()) {
      std::string_view used = todo.back();
      todo.pop_back();
      if (!used_defines_.emplace(used).second) continue;
      for (const auto& use : shapes[used].uses) todo.push_back(use.first);
    }
    bool cause = true;
    std::map<std::string_view, std::uint64_t> counts;
    for (const auto& [used, level] : shape.uses) {
      ++counts[used];
      auto it = define_sizes_.find(used);
      if (it != define_sizes_.end() && it->second.too_large()) cause = false;
    }
    if (!cause) continue;
    const bool by_size = size.nodes > kMaxDefineExpansion;
    Diagnostic& d = diags_.error(
        "E123", src(define_file_.at(name)), def->name.span,
        by_size ? fmt::format("`{}` is too large once the definitions it uses are written out: {} parts, more than {}",
                              name, size.nodes >= kSizeCap ? "billions of" : fmt::format("{}", size.nodes),
                              kMaxDefineExpansion)
                : fmt::format("`{}` is nested too deeply once the definitions it uses are written out: {} levels, more than {}",
                              name, size.depth, kMaxDefineDepth));
    // The definitions it uses, the biggest first.
    std::vector<std::pair<std::uint64_t, std::string_view>> parts;
    for (const auto& [used, count] : counts) {
      const DefineSize& u = define_sizes_.find(used)->second;
      parts.emplace_back(by_size ? u.nodes * count : u.depth, used);
    }
    std::sort(parts.begin(), parts.end(), std::greater<>());
    for (std::size_t i = 0; i < parts.size() && i < 3; ++i) {
      std::string_view used = parts[i].second;
      const DefineSize& u = define_sizes_.find(used)->second;
      d.notes.push_back(by_size ? fmt::format("it uses `{}` {} ({} each)", used, counts[used] == 1 ? "once" : fmt::format("{} times", counts[used]),
                                              plural(u.nodes, "part"))
                                : fmt::format("it uses `{}`, {} deep", used, plural(u.depth, "level")));
    }
    d.hint = by_size ? "a definition is written out again wherever it is used; do not build definitions that each "
                       "use the one before more than once"
                     : "use fewer definitions inside one another";
  }
}

bool Checker::use_define(const std::string& name, const ast::Expr& at, Ctx& ctx) {
  auto it = define_sizes_.find(name);
  if (it == define_sizes_.end()) return true;
  if (it->second.too_large()) return false;  // E123 is at the definition
  if (!define_stack_.empty()) return true;    // counted with the definition it is in
  expansion_total_ = capped_add(expansion_total_, it->second.nodes);
  if (expansion_total_ > kMaxPolicyExpansion && !expansion_reported_) {
    expansion_reported_ = true;
    Diagnostic& d = error(ctx, "E123", at.span,
                          fmt::format("the definitions used in this policy add up to more than {} parts once they "
                                      "are written out",
                                      kMaxPolicyExpansion));
    d.notes.push_back(fmt::format("`{}` alone is {}", name, plural(it->second.nodes, "part")));
    d.hint = "a definition is written out again wherever it is used; use large definitions in fewer places";
  }
  return true;
}

}  // namespace refpol::check
