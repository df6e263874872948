// What the parts of a compiled policy read (dependencies.cpp), for values evaluation may keep.
#pragma once
#include <cstdint>
#include <functional>

#include "interpreter/compile/program.hpp"

namespace refpol {

// Works out once, when compiling, the operations whose operands are all constants
// (constants.cpp). compile() calls it first.
void fold_constants(Program& p);

// Calls `use` on each expression the rewards of a decision work out: each rule's loop list,
// `when` and tier measure, each grant's amount, expiry and `valued at` (the fallback's too),
// each boost's factor and `when`, each cap's limit, the budget's total and the payout date. Not
// the verdicts, the referrer's eligibility, the budget's spent or the outputs, which the
// analyses treat each their own way.
void for_each_reward_expression(const Program& p, const std::function<void(std::uint32_t)>& use);

// Fills Program::define_cacheable, call_memoizable, output_may_fail and verdict_memo. compile()
// calls it.
void analyse_dependencies(Program& p);

// Marks the comparisons with `now` that evaluation follows and wraps the uses of `now` it does
// not (time_uses.cpp), for Decision::recheck_at. compile() calls it after analyse_dependencies:
// it moves nodes.
void analyse_time_uses(Program& p);

}  // namespace refpol
