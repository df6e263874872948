// Checking: names, types and lints of a parsed policy and its imports, against its facts schema.
// Also the loader that reads a policy file and resolves its imports.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "interpreter/ast/ast.hpp"
#include "interpreter/check/types.hpp"
#include "interpreter/source/diagnostic.hpp"

namespace refpol {

// Imports may nest this deep (a imports b imports c ...).
inline constexpr std::size_t kMaxImportDepth = 16;

// A definition is written out in full wherever it is used (a call compiles its body again; a
// name without arguments evaluates its body again). These bound the written-out size, in syntax
// tree nodes, of one definition and of all the uses of definitions in a policy, so that a few
// lines cannot make checking, compiling or evaluating take exponential time (E123).
inline constexpr std::uint64_t kMaxDefineExpansion = 10000;
inline constexpr std::uint64_t kMaxPolicyExpansion = 100000;
// ... and how deep one definition is once written out, so that a long chain of definitions
// cannot exhaust the stack.
inline constexpr std::uint64_t kMaxDefineDepth = 1000;

// A policy that parsed and checked: the syntax trees (the policy first, then its imports) and
// what the checker learned about them.
struct CheckedPolicy {
  std::vector<ast::File> files;
  Schema schema;
  std::string id;
  std::uint64_t version = 0;
  std::string currency;
  std::string timezone = "UTC";
  std::string content_hash;  // SHA-256 of the policy text and its imports, hex
};

struct LoadResult {
  std::optional<CheckedPolicy> policy;  // present when there are no errors
  Diagnostics diagnostics;
};

// Reads `path`, parses it and its imports, and checks the whole. Never throws.
LoadResult load_policy(const std::string& path);
// The same for text in memory; imports resolve against the folder of `path`.
LoadResult load_policy_text(const std::string& path, std::string text);

// Checks already-parsed files (files[0] is the policy, the rest its imports in order).
LoadResult check_files(std::vector<ast::File> files);

// Edit distance, for "did you mean" hints.
std::size_t edit_distance(std::string_view a, std::string_view b);
// The closest candidate within a distance that makes sense for the word's length, or "".
std::string closest(std::string_view word, const std::vector<std::string>& candidates);

}  // namespace refpol
