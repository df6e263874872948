// `refpol schema POLICY`: the JSON Schema of the facts the policy reads (docs/cli.md).
#include <cstdio>

#include "interpreter/check/json_schema.hpp"
#include "interpreter/cli/commands.hpp"
#include "interpreter/source/diagnostic.hpp"

namespace refpol::cli {

int run_schema(const SchemaCmdOptions& o) {
  LoadResult r = load_policy(o.policy);
  if (!r.policy) {
    std::fputs(render_text(r.diagnostics).c_str(), stderr);
    return r.diagnostics.file_unreadable() ? kExitUsage : kExitFindings;
  }
  std::string text = facts_json_schema(*r.policy);
  std::fwrite(text.data(), 1, text.size(), stdout);
  return kExitOk;
}

}  // namespace refpol::cli
