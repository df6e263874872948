// The facts schema of a checked policy as a JSON Schema (draft 2020-12): what a service may
// send to `refpol eval` or `refpol serve` for this policy. `refpol schema` prints it.
#pragma once
#include <string>

#include "interpreter/check/checker.hpp"

namespace refpol {

// One JSON document, indented, ending in a newline. Records become `$defs`; optional fields
// accept null; unknown keys are allowed (the loader ignores them), as docs/facts.md says.
std::string facts_json_schema(const CheckedPolicy& policy);

}  // namespace refpol
