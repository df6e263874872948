// `refpol fmt`: print policies in canonical form, rewrite them (--write) or check them (--check).
#include "interpreter/cli/commands.hpp"

namespace refpol::cli {

int run_fmt(const FmtOptions&) { return kExitUsage; }

}  // namespace refpol::cli
