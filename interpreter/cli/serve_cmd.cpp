// `refpol serve`: flags -> ServerOptions; the server itself is interpreter/serve/server.cpp.
#include "interpreter/cli/commands.hpp"
#include "interpreter/serve/server.hpp"

namespace refpol::cli {

int run_serve(const ServeCmdOptions& o) {
  serve::ServerOptions options;
  options.policy = o.policy;
  options.host = o.host;
  options.port = o.port;
  options.threads = o.threads;
  if (o.max_body_bytes != 0) options.limits.max_body_bytes = o.max_body_bytes;
  if (o.max_batch_items != 0) options.limits.max_batch_items = o.max_batch_items;
  options.keep_alive_seconds = o.keep_alive_seconds;
  return serve::run_server(options);
}

}  // namespace refpol::cli
