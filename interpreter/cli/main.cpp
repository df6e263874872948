// refpol: the command-line entry point; dispatches to one file per subcommand.
#include <cstdio>
#include <string>
#include <vector>

#include "interpreter/cli/commands.hpp"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  return refpol::cli::run(args);
}
