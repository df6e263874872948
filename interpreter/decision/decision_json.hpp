// Writing decisions: JSON for services (versioned, byte-for-byte reproducible) and text for
// people (docs/decision.md).
#pragma once
#include <string>

#include "interpreter/compile/program.hpp"
#include "interpreter/decision/decision.hpp"

namespace refpol {

// The reward's idempotency key: `policy/rule/role:recipient/scope`. It leaves out the policy
// version so that a corrected policy does not pay the same reward twice.
std::string reward_key(const Decision& d, const Reward& r);
// The same into `key` (cleared first), reusing its memory.
void reward_key(const Decision& d, const Reward& r, std::string& key);

// Appends the decision as one line of JSON (no trailing newline).
void write_decision_json(const Decision& d, std::string& out);
// A readable account for a person: verdicts, rewards and, when present, the explanation.
std::string render_decision_text(const Decision& d);

}  // namespace refpol
