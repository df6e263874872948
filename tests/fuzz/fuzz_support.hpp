// Shared by the libFuzzer targets: paths into the repository, the policy compiled once that the
// facts, test-file and HTTP targets run against, a fixed `now`, and how a finding is reported.
#pragma once
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>

#include "interpreter/compile/program.hpp"
#include "interpreter/eval/time.hpp"
#include "interpreter/source/diagnostic.hpp"

namespace refpol::fuzz {

inline std::string source_path(std::string_view relative) {
  return std::string(REFPOL_SOURCE_DIR) + "/" + std::string(relative);
}

// A broken invariant that is not a crash (a formatter self-check failure, an "internal error"):
// abort, so libFuzzer keeps the input as a crash like any other.
[[noreturn]] inline void finding(std::string_view what) {
  std::fprintf(stderr, "refpol fuzz finding: %.*s\n", static_cast<int>(what.size()), what.data());
  std::abort();
}

// REFPOL_FUZZ_POLICY (a path) or the old-friends campaign: nested records, lists, dates, money,
// tiers, caps and a budget, so most of the facts loader and the evaluator are reachable.
inline std::string policy_path() {
  const char* env = std::getenv("REFPOL_FUZZ_POLICY");
  return env != nullptr && *env != '\0' ? env : source_path("policies/old-friends/policy.refpol");
}

// Compiled on first use and kept for the whole run; a policy that does not compile is a broken
// set-up, not a finding, so it exits with a message instead of crashing.
inline const Program& program() {
  static const std::shared_ptr<const Program> compiled = [] {
    CompileResult r = compile_file(policy_path());
    if (!r.program || r.diagnostics.has_errors()) {
      std::fprintf(stderr, "fuzz set-up: %s does not compile:\n%s", policy_path().c_str(),
                   render_text(r.diagnostics).c_str());
      std::exit(2);
    }
    return r.program;
  }();
  return *compiled;
}

// Inside the old-friends active phase, for documents that carry no `now`.
inline DateTime fixed_now() {
  static const DateTime now = [] {
    DateTime t;
    std::string problem;
    if (!parse_datetime("2026-12-20T10:00:00+08:00", program().zone, t, problem)) finding(problem);
    return t;
  }();
  return now;
}

}  // namespace refpol::fuzz
