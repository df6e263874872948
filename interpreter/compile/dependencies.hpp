// What the parts of a compiled policy read (dependencies.cpp), for values evaluation may keep.
#pragma once
#include "interpreter/compile/program.hpp"

namespace refpol {

// Fills Program::define_cacheable and Program::verdict_memo. compile() calls it.
void analyse_dependencies(Program& p);

}  // namespace refpol
