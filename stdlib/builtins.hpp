// Built-in functions: each is described once here, with its arity, its result type and its doc.
// The evaluator's implementation of each lives in interpreter/eval under the same name.
#pragma once
#include <string_view>
#include <vector>

#include "interpreter/check/types.hpp"

namespace refpol {

// Result type of a call given the (already checked, non-optional) argument types; sets
// `problem` to a message when the arguments do not fit.
using BuiltinTyper = Type (*)(const std::vector<Type>& args, std::string& problem);

enum class BuiltinId : std::uint8_t {
  days_between,
  hours_between,
  date_of,
  round,
  floor,
  least,
  greatest,
  abs,
  lower,
  upper,
  length,
  contains,
  draw,
};

struct Builtin {
  BuiltinId id;
  std::string_view name;
  int min_args;
  int max_args;
  std::string_view signature;  // shown in docs and diagnostics
  std::string_view doc;
  BuiltinTyper typer;
};

const std::vector<Builtin>& builtins();
const Builtin* find_builtin(std::string_view name);

}  // namespace refpol
