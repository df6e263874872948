// `refpol fmt`: print policies in canonical form, rewrite them (--write) or check them (--check).
#include <fmt/format.h>

#include <cstdio>
#include <string>
#include <fstream>

#include "interpreter/cli/commands.hpp"
#include "interpreter/fmt/formatter.hpp"
#include "interpreter/parse/parser.hpp"
#include "interpreter/source/read_file.hpp"

namespace refpol::cli {

int run_fmt(const FmtOptions& options) {
  bool findings = false, io_problem = false;
  for (const auto& path : options.files) {
    std::string text;
    ReadResult read = read_file_limited(path, kMaxSourceBytes, text);
    if (read.status != ReadStatus::ok) {
      std::fputs(fmt::format("refpol: error: `{}` {}\n", path, describe_read_problem(read, kMaxSourceBytes)).c_str(),
                 stderr);
      // A file too large to be a policy is a finding, as `check` says (E010); the others are I/O.
      (read.status == ReadStatus::too_large ? findings : io_problem) = true;
      continue;
    }
    auto source = std::make_shared<SourceFile>(path, std::move(text));
    FormatResult r = format_source(source);
    if (!r.ok) {
      { std::string text = render_text(r.diagnostics); std::fwrite(text.data(), 1, text.size(), stderr); }
      findings = true;
      continue;
    }
    bool changed = r.text != source->text();
    if (options.check) {
      if (changed) {
        std::fputs(fmt::format("{}: not formatted\n", path).c_str(), stdout);
        findings = true;
      }
    } else if (options.write) {
      if (changed) {
        std::ofstream out(path, std::ios::binary | std::ios::trunc);
        out << r.text;
        if (!out) {
          std::fputs(fmt::format("refpol: error: cannot write `{}`\n", path).c_str(), stderr);
          io_problem = true;
        }
      }
    } else {
      std::fputs(r.text.c_str(), stdout);
    }
  }
  if (io_problem) return kExitUsage;
  return findings ? kExitFindings : kExitOk;
}

}  // namespace refpol::cli
