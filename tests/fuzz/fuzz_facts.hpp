// The body of fuzz_facts_json and fuzz_facts_yaml: load one facts document against the schema of
// a real policy, then evaluate it (plain and with explanations) and write the decision.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "interpreter/decision/decision_json.hpp"
#include "interpreter/eval/evaluator.hpp"
#include "interpreter/eval/facts.hpp"
#include "tests/fuzz/fuzz_support.hpp"

namespace refpol::fuzz {

inline int fuzz_facts(const std::uint8_t* data, std::size_t size, bool yaml) {
  const Program& prog = program();
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  static FactsDocument facts;  // reused like a server worker's, so reuse bugs show too
  static EvalScratch scratch;
  std::vector<FactsError> errors;
  FactsContext ctx{&prog.policy.schema, &prog.zone, 0};
  const bool ok = yaml ? load_facts_yaml(text, ctx, facts, errors) : load_facts_json(text, ctx, facts, errors);
  if (ok != errors.empty()) finding("the loader's result and its errors disagree");
  for (const FactsError& e : errors) {
    (void)render_facts_error("facts", e);
    if (e.message.rfind("internal error", 0) == 0) finding(e.message);
  }
  if (!ok) return 0;

  EvalOptions options;
  if (!facts.now) options.now = fixed_now();
  Decision decision;
  EvalError error;
  std::string first, second;
  if (evaluate(prog, facts, options, scratch, decision, error)) {
    write_decision_json(decision, first);
  } else {
    (void)render_eval_error(prog, error);
  }
  options.explain = true;
  if (evaluate(prog, facts, options, scratch, decision, error)) {
    (void)render_decision_text(decision);
    write_decision_json(decision, second);
  } else {
    (void)render_eval_error(prog, error);
  }
  // Evaluation is pure: the same facts again (scratch reused) give the same decision.
  options.explain = false;
  second.clear();
  if (evaluate(prog, facts, options, scratch, decision, error)) write_decision_json(decision, second);
  if (first != second) finding("evaluating the same facts twice gave different decisions");
  return 0;
}

}  // namespace refpol::fuzz
