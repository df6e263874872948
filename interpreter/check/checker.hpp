// Checking: names, types and lints of a parsed policy and its imports, against its facts schema.
// Also the loader that reads a policy file and resolves its imports.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "interpreter/ast/ast.hpp"
#include "interpreter/check/types.hpp"
#include "interpreter/source/diagnostic.hpp"

namespace refpol {

// Imports may nest this deep (a imports b imports c ...).
inline constexpr std::size_t kMaxImportDepth = 16;

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
