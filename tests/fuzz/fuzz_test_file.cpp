// Fuzzes the `*.test.yaml` loader, then runs each case with inline facts the way `refpol test`
// does (inline facts -> flow YAML -> facts loader -> evaluator -> expectation matcher).
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "interpreter/eval/evaluator.hpp"
#include "interpreter/testing/expect.hpp"
#include "interpreter/testing/runner.hpp"
#include "interpreter/testing/test_file.hpp"
#include "tests/fuzz/fuzz_support.hpp"

namespace {

using namespace refpol;
using namespace refpol::policytest;

// One case against the policy compiled once (whatever policy the file names: compiling per input
// would spend the run in the checker, which fuzz_policy covers). Facts files are not read.
void run_case(const TestFile& tf, const TestCase& c) {
  if (c.problems.has_errors() || c.skip || c.facts_form != TestCase::Facts::inline_mapping) return;
  const Program& prog = fuzz::program();
  static FactsDocument facts;
  static EvalScratch scratch;
  std::vector<FactsError> errors;
  FactsContext ctx{&prog.policy.schema, &prog.zone, 0};
  if (!load_facts_yaml(inline_facts_text(c.facts_node), ctx, facts, errors)) {
    for (const FactsError& e : errors) {
      if (e.message.rfind("internal error", 0) == 0) fuzz::finding(e.message);
    }
    return;
  }
  EvalOptions options;
  if (c.now) {
    DateTime now;
    std::string problem;
    if (!parse_datetime(c.now->text, prog.zone, now, problem)) return;
    options.now = now;
  } else if (!facts.now) {
    options.now = fuzz::fixed_now();
  }
  Decision decision;
  EvalError error;
  if (!evaluate(prog, facts, options, scratch, decision, error)) return;
  (void)check_decision(prog, decision, c.expect, *tf.source);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // In old-friends' tests/ folder, so `policy: ../policy.refpol` and facts paths resolve.
  const std::string path = fuzz::source_path("policies/old-friends/tests/input.test.yaml");
  TestFile tf = parse_test_file(path, std::string(reinterpret_cast<const char*>(data), size));
  (void)render_text(tf.problems);
  for (const TestCase& c : tf.cases) {
    (void)render_text(c.problems);
    run_case(tf, c);
  }
  return 0;
}
