// Argument parsing for every subcommand (CLI11), kept in one file so the heavy header compiles once.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <new>

#include "interpreter/cli/commands.hpp"

namespace refpol::cli {

int run(const std::vector<std::string>& args) {
  CLI::App app{"refpol: rules engine for customer-referral reward policies", "refpol"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("refpol ") + REFPOL_VERSION);

  CheckOptions check;
  auto* check_cmd = app.add_subcommand("check", "parse and check policies; exit 1 on errors");
  check_cmd->add_option("--format", check.format, "text or json")
      ->check(CLI::IsMember({"text", "json"}));
  check_cmd->add_option("files", check.files, "policy files (.refpol)")->required();

  FmtOptions fmt;
  auto* fmt_cmd = app.add_subcommand("fmt", "print policies in canonical form");
  fmt_cmd->add_flag("--write", fmt.write, "rewrite the files in place");
  fmt_cmd->add_flag("--check", fmt.check, "exit 1 if a file is not formatted");
  fmt_cmd->add_option("files", fmt.files, "policy files (.refpol)")->required();

  EvalCmdOptions eval;
  auto* eval_cmd = app.add_subcommand("eval", "evaluate a policy against facts and print the decision");
  eval_cmd->add_option("--policy", eval.policy, "the policy file")->required();
  eval_cmd->add_option("--facts", eval.facts, "facts file (.json, .yaml, .jsonl) or - for stdin");
  eval_cmd->add_option("--now", eval.now, "the evaluation time, such as 2026-12-20T10:00:00+08:00");
  eval_cmd->add_flag("--explain", eval.explain, "say which conditions held or failed, and why");
  eval_cmd->add_flag("--jsonl", eval.jsonl, "read one facts document per line, write one decision per line");
  eval_cmd->add_option("--format", eval.format, "json or text")->check(CLI::IsMember({"json", "text"}));

  TestCmdOptions test;
  auto* test_cmd = app.add_subcommand("test", "run the policy tests in *.test.yaml files");
  test_cmd->add_flag("--coverage", test.coverage, "report what no test exercised");
  test_cmd->add_option("--min-coverage", test.min_coverage,
                       "fail (exit 1) when a policy's coverage is below PERCENT; implies --coverage")
      ->option_text("PERCENT")
      ->check(CLI::Range(0.0, 100.0));
  test_cmd->add_option("--lcov", test.lcov, "write coverage as LCOV to FILE")->option_text("FILE");
  test_cmd->add_option("--junit", test.junit, "write the results as JUnit XML to FILE")->option_text("FILE");
  test_cmd->add_option("--filter", test.filters, "run only the cases whose name contains NAME (* and ? glob)")
      ->option_text("NAME")
      ->allow_extra_args(false);
  test_cmd->add_option("paths", test.paths, "test files or folders (default: the current folder)");

  SimulateCmdOptions simulate;
  auto* simulate_cmd = app.add_subcommand("simulate", "replay an event history through a policy and report the campaign (docs/simulate.md)");
  simulate_cmd->add_option("--policy", simulate.policy, "the policy to replay")->required();
  simulate_cmd->add_option("--events", simulate.events, "the event log, JSON lines (- for standard input)")->required();
  simulate_cmd->add_option("--from", simulate.from, "first day (or date-time) of the window, in the policy's zone");
  simulate_cmd->add_option("--to", simulate.to, "last day (or date-time) of the window");
  simulate_cmd->add_option("--baseline", simulate.baseline, "a second policy to replay and compare");
  simulate_cmd->add_option("--out", simulate.out, "folder for summary.json, CSV tables and report.html");
  simulate_cmd->add_option("--bad-events", simulate.bad_events, "stop at a bad event (default) or skip it")
      ->check(CLI::IsMember({"stop", "skip"}));

  SchemaCmdOptions schema;
  auto* schema_cmd = app.add_subcommand("schema", "print the JSON Schema of the facts a policy reads");
  schema_cmd->add_option("policy", schema.policy, "the policy file")->required();

  ServeCmdOptions serve;
  auto* serve_cmd = app.add_subcommand("serve", "serve evaluations over HTTP (POST /v1/evaluate, ...; docs/api.md)");
  serve_cmd->add_option("--policy", serve.policy, "the policy file; SIGHUP or POST /v1/reload reads it again")
      ->required();
  serve_cmd->add_option("--host", serve.host, "address to listen on")->capture_default_str();
  serve_cmd->add_option("--port", serve.port, "port; 0 picks a free one (printed as `listening on HOST:PORT`)")
      ->capture_default_str()
      ->check(CLI::Range(0, 65535));
  serve_cmd->add_option("--threads", serve.threads, "worker threads (default: 4 per core, at least 8)")
      ->check(CLI::Range(1u, 4096u));
  serve_cmd->add_option("--max-body-bytes", serve.max_body_bytes, "largest request body (default 64 MiB)")
      ->check(CLI::Range(std::size_t{1}, std::size_t{1} << 34));
  serve_cmd->add_option("--max-batch-items", serve.max_batch_items,
                        "most facts documents in one batch (default 100000)")
      ->check(CLI::Range(std::size_t{1}, std::size_t{100000000}));
  serve_cmd->add_option("--keep-alive", serve.keep_alive_seconds, "seconds an idle connection is kept open")
      ->capture_default_str()
      ->check(CLI::Range(1u, 3600u));

  std::vector<std::string> reversed(args.rbegin(), args.rend());
  try {
    app.parse(reversed);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? kExitOk : kExitUsage;
  }
  // Running out of memory ends the command with an error, not an abort (`simulate` says where).
  try {
    if (*check_cmd) return run_check(check);
    if (*fmt_cmd) return run_fmt(fmt);
    if (*eval_cmd) return run_eval(eval);
    if (*test_cmd) return run_test(test);
    if (*serve_cmd) return run_serve(serve);
    if (*schema_cmd) return run_schema(schema);
    if (*simulate_cmd) return run_simulate(simulate);
  } catch (const std::bad_alloc&) {
    std::fputs("refpol: error: out of memory\n", stderr);
    return kExitUsage;
  }
  return kExitUsage;
}

}  // namespace refpol::cli
