// Fuzzes the HTTP API of `refpol serve` without the transport: Service::handle over the
// old-friends policy, loaded once. Input: `METHOD /path?query` on the first line, then the body.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "interpreter/serve/service.hpp"
#include "tests/fuzz/fuzz_support.hpp"

namespace {

using namespace refpol;

struct Server {
  serve::PolicyStore store{fuzz::policy_path()};
  serve::Metrics metrics;
  serve::Service service{store, serve::Limits{}, metrics, [] { return std::string("2026-12-20T02:00:00.000Z"); },
                         nullptr};
  Server() {
    if (!store.load("2026-12-20T02:00:00.000Z").ok) fuzz::finding("the policy to serve does not load");
  }
};

// Splits `a=b&c=d` the way the server reads its query (cpp-httplib has decoded it already).
void read_query(std::string_view query, serve::Request& rq) {
  while (!query.empty()) {
    std::size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    std::size_t eq = pair.find('=');
    std::string_view key = pair.substr(0, eq);
    std::string_view value = eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1);
    if (key == "explain") rq.explain = value;
    if (key == "now") rq.now = value;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static Server server;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::size_t newline = input.find('\n');
  std::string_view head = input.substr(0, newline);
  serve::Request rq;
  rq.body = newline == std::string_view::npos ? std::string_view() : input.substr(newline + 1);
  const std::size_t space = head.find(' ');
  rq.method = head.substr(0, space);
  std::string_view target = space == std::string_view::npos ? std::string_view() : head.substr(space + 1);
  const std::size_t question = target.find('?');
  rq.path = target.substr(0, question);
  if (question != std::string_view::npos) read_query(target.substr(question + 1), rq);

  serve::Response rs;
  server.service.handle(rq, rs);
  server.metrics.observe(rs.route, rs.status, 0.0001);
  if (rs.status < 100 || rs.status > 599) fuzz::finding("a response without an HTTP status");
  if (rs.body.empty() && rs.chunks.empty() && rq.method != "HEAD") fuzz::finding("a response without a body");
  (void)rs.joined_body();
  return 0;
}
