// `refpol check`: parse and check policies, print diagnostics; exit 1 when any file has errors.
#include <fmt/format.h>

#include <cstdio>
#include <string>

#include "interpreter/check/checker.hpp"
#include "interpreter/cli/commands.hpp"

namespace refpol::cli {

int run_check(const CheckOptions& options) {
  std::size_t errors = 0, warnings = 0;
  bool io_problem = false;
  Diagnostics all;
  for (const auto& path : options.files) {
    LoadResult r = load_policy(path);
    if (r.diagnostics.file_unreadable()) io_problem = true;
    errors += r.diagnostics.error_count();
    warnings += r.diagnostics.warning_count();
    all.append(r.diagnostics);
  }
  if (options.format == "json") {
    std::fputs(fmt::format("{{\"files\":{},\"errors\":{},\"warnings\":{},\"diagnostics\":{}}}\n",
                           options.files.size(), errors, warnings, render_json(all))
                   .c_str(),
               stdout);
  } else {
    { std::string text = render_text(all); std::fwrite(text.data(), 1, text.size(), stdout); }
    std::fputs(fmt::format("checked {} file{}: {} error{}, {} warning{}\n", options.files.size(),
                           options.files.size() == 1 ? "" : "s", errors, errors == 1 ? "" : "s",
                           warnings, warnings == 1 ? "" : "s")
                   .c_str(),
               stdout);
  }
  if (io_problem) return kExitUsage;
  return errors > 0 ? kExitFindings : kExitOk;
}

}  // namespace refpol::cli
