// Parsing: source text -> syntax tree, with located syntax errors. Never throws.
#pragma once
#include <cstddef>
#include <optional>

#include "interpreter/ast/ast.hpp"
#include "interpreter/source/diagnostic.hpp"

namespace refpol {

// Limits on what the parser accepts; each is documented in docs/language.md#limits.
inline constexpr std::size_t kMaxSourceBytes = 8 * 1024 * 1024;
inline constexpr std::size_t kMaxStringBytes = 64 * 1024;
inline constexpr std::size_t kMaxOperandsPerChain = 500;
// Digits of the version in the header, so that it always fits a 32-bit number.
inline constexpr std::size_t kMaxVersionDigits = 9;

enum class FileKind { policy, module };

struct ParseResult {
  std::optional<ast::File> file;  // empty when the text has a syntax error
  Diagnostics diagnostics;
};

ParseResult parse(SourcePtr source, FileKind kind = FileKind::policy);

// Decodes the body of a string literal (without quotes); false on a bad escape.
bool decode_string(std::string_view raw, std::string& out);

}  // namespace refpol
