// Fuzzes a policy text through the parser, the checker, the compiler, the diagnostic renderers
// and the formatter (whose self-check, re-parse and compare, must never fail).
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "interpreter/compile/program.hpp"
#include "interpreter/fmt/formatter.hpp"
#include "tests/fuzz/fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace refpol;
  std::string text(reinterpret_cast<const char*>(data), size);
  // tests/fuzz/ holds no modules, so `import` reaches only stdlib/ (`import "standard"`).
  const std::string path = fuzz::source_path("tests/fuzz/input.refpol");

  CompileResult compiled = compile_text(path, text);
  (void)render_text(compiled.diagnostics);
  (void)render_json(compiled.diagnostics);
  if (compiled.program && compiled.diagnostics.has_errors()) fuzz::finding("a program compiled with errors");

  FormatResult formatted = format_source(std::make_shared<SourceFile>(path, std::move(text)));
  for (const Diagnostic& d : formatted.diagnostics.items()) {
    if (d.code == "E090") fuzz::finding(render_text(d));
  }
  if (formatted.ok) {
    // Formatting is idempotent (formatter.hpp).
    FormatResult again = format_source(std::make_shared<SourceFile>(path, formatted.text));
    if (!again.ok || again.text != formatted.text) fuzz::finding("formatting the formatted text changed it");
  }
  return 0;
}
