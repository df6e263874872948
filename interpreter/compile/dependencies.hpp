// What the parts of a compiled policy read (dependencies.cpp), for values evaluation may keep.
#pragma once
#include "interpreter/compile/program.hpp"

namespace refpol {

// Works out once, when compiling, the operations whose operands are all constants
// (constants.cpp). compile() calls it first.
void fold_constants(Program& p);

// Fills Program::define_cacheable, call_memoizable, output_may_fail and verdict_memo. compile()
// calls it.
void analyse_dependencies(Program& p);

// Marks the comparisons with `now` that evaluation follows and wraps the uses of `now` it does
// not (time_uses.cpp), for Decision::recheck_at. compile() calls it after analyse_dependencies:
// it moves nodes.
void analyse_time_uses(Program& p);

}  // namespace refpol
