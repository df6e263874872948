// Diagnostics: problems found by any stage, collected (never thrown) and rendered by the CLI.
#pragma once
#include <string>
#include <vector>

#include "interpreter/source/source.hpp"

namespace refpol {

enum class Severity { error, warning, note };

struct Diagnostic {
  Severity severity = Severity::error;
  std::string code;     // stable code such as `E201`, documented in docs/errors.md
  std::string message;  // lowercase, no final period, user names in backticks
  SourcePtr source;     // may be null for problems with no file (usage, I/O)
  Span span;
  std::vector<std::string> notes;
  std::string hint;
};

class Diagnostics {
 public:
  Diagnostic& error(std::string code, SourcePtr source, Span span, std::string message);
  Diagnostic& warning(std::string code, SourcePtr source, Span span, std::string message);
  void add(Diagnostic d) { items_.push_back(std::move(d)); }
  void append(const Diagnostics& other);

  const std::vector<Diagnostic>& items() const { return items_; }
  Diagnostic& item(std::size_t i) { return items_[i]; }
  bool has_errors() const;
  // Whether a file could not be read at all (E020) or was too large to (E010), as opposed to a
  // problem in its text: the commands exit 2 for that, not 1.
  bool file_unreadable() const;
  std::size_t error_count() const;
  std::size_t warning_count() const;
  bool empty() const { return items_.empty(); }
  // Orders by file, position, then code so output is stable whatever order stages found them in.
  void sort();

 private:
  std::vector<Diagnostic> items_;
};

// `path:line:col: severity: message [code]`, the source line with a gutter, a caret span, notes
// and the hint.
std::string render_text(const Diagnostic& d);
std::string render_text(const Diagnostics& ds);
// One JSON object per diagnostic, in an array.
std::string render_json(const Diagnostics& ds);

std::string json_escape(std::string_view text);
// The same text appended to `out`, for writers of many strings.
void append_json_escaped(std::string& out, std::string_view text);
// The length of `text`'s start that a JSON string holds as it is (no `"`, `\` or control
// character): all of it for most text.
std::size_t json_plain_prefix(std::string_view text);
const char* severity_name(Severity s);

}  // namespace refpol
