// Constant folding (fold_constants, dependencies.hpp): an operation whose operands are all
// constants, or definitions without parameters whose values are, is worked out once when the
// policy is compiled instead of at every evaluation (`campaign_budget * 60%`, `2 * 7 days`).
// - Only operations that read nothing but their operands are folded: arithmetic, `not`,
//   comparisons, `??`, `if` and `is present`. Facts, locals, `now`, lists, ranges, aggregates
//   and calls are not; nor are builtin calls, which explanations list as values read (their
//   arguments are not operands a folded node keeps), nor `and` and `or`, whose parts the design
//   checks of `refpol simulate` count.
// - A value that lives in an evaluation's arena (a text, a list, a range) is not folded: it
//   would not outlive this pass.
// - An operation that fails (an overflow, a division by zero) is left as it is, so that it
//   fails at evaluation, where and as it did.
// - The folded node keeps its operands: explanations still list the definitions it read, and
//   the other analyses see what they saw. Definition nodes themselves are never replaced.
#include <vector>

#include "interpreter/compile/dependencies.hpp"
#include "interpreter/eval/machine.hpp"

namespace refpol {
namespace {

class Folder {
 public:
  explicit Folder(Program& p) : p_(p), state_(p.nodes.size(), kUnknown) {}

  void run() {
    // The machine asks whether a definition's value may be kept; analyse_dependencies says so
    // later. Until then, none is: each is worked out where it is read.
    p_.define_cacheable.assign(p_.defines.size(), 0);
    for (std::uint32_t i = 0; i < p_.nodes.size(); ++i) constant(i);
  }

 private:
  enum State : std::uint8_t { kUnknown, kVisiting, kConstant, kNotConstant };

  // Whether the node's value is known now (folding it if it can be).
  bool constant(std::uint32_t node) {
    if (node == kNoNode || node >= p_.nodes.size()) return false;
    if (state_[node] == kVisiting) return false;  // no cycles occur; one would not fold
    if (state_[node] != kUnknown) return state_[node] == kConstant;
    state_[node] = kVisiting;
    const bool known = work_out(node);
    state_[node] = known ? kConstant : kNotConstant;
    return known;
  }

  bool work_out(std::uint32_t node) {
    const Node n = p_.nodes[node];
    switch (n.op) {
      case Op::constant: return true;
      case Op::define: {
        if (n.slot >= p_.defines.size()) return false;
        const CompiledDefine& d = p_.defines[n.slot];
        return d.params_count == 0 && constant(d.body);
      }
      case Op::not_:
      case Op::neg:
      case Op::add:
      case Op::sub:
      case Op::mul:
      case Op::div:
      case Op::coalesce:
      case Op::eq:
      case Op::ne:
      case Op::lt:
      case Op::le:
      case Op::gt:
      case Op::ge:
      case Op::in:
      case Op::not_in:
      case Op::present:
      case Op::absent:
      case Op::if_: break;
      default: return false;
    }
    // A comparison the machine notes (of `now`, or of a campaign counter) has `aux` set; none
    // of those has constant operands, but such a node is left alone all the same.
    if (n.aux != 0) return false;
    bool all = true;
    for (std::uint32_t child : {n.a, n.b, n.c}) all = all && (child == kNoNode || constant(child));
    for (std::uint32_t i = 0; i < n.args_count && all; ++i) all = constant(p_.args[n.args_begin + i]);
    if (!all) return false;
    EvalScratch scratch;
    Machine m(p_, nullptr, DateTime{}, scratch);
    const Value v = m.eval(node);
    if (m.failed()) return false;
    switch (v.index()) {
      case kString:
      case kList:
      case kRecord:
      case kRange: return false;
      default: break;
    }
    Node& folded = p_.nodes[node];
    folded.op = Op::constant;
    folded.constant = v;
    return true;
  }

  Program& p_;
  std::vector<std::uint8_t> state_;
};

}  // namespace

void fold_constants(Program& p) { Folder(p).run(); }

}  // namespace refpol
