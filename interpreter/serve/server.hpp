// `refpol serve`: the HTTP/1.1 server (cpp-httplib, keep-alive, a fixed pool of threads) around
// Service, with reload on SIGHUP, graceful stop on SIGTERM/SIGINT and JSON log lines on stderr.
#pragma once
#include <string>

#include "interpreter/serve/service.hpp"

namespace refpol::serve {

struct ServerOptions {
  std::string policy;
  std::string host = "127.0.0.1";
  int port = 8080;         // 0: pick a free port
  unsigned threads = 0;    // 0: 4 per core, at least 8 (each keep-alive connection holds one)
  Limits limits;
  unsigned keep_alive_seconds = 5;
};

// Runs until SIGTERM or SIGINT; returns the process exit code (0 after a clean stop, 2 when the
// policy does not compile or the address cannot be bound).
int run_server(const ServerOptions& options);

}  // namespace refpol::serve
