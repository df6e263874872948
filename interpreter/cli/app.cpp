// Argument parsing for every subcommand (CLI11), kept in one file so the heavy header compiles once.
#include <CLI/CLI.hpp>
#include <cstdio>

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

  std::vector<std::string> reversed(args.rbegin(), args.rend());
  try {
    app.parse(reversed);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? kExitOk : kExitUsage;
  }
  if (*check_cmd) return run_check(check);
  if (*fmt_cmd) return run_fmt(fmt);
  return kExitUsage;
}

}  // namespace refpol::cli
