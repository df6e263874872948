// The transport of `refpol serve`: cpp-httplib's blocking HTTP/1.1 server with a fixed thread
// pool (one keep-alive connection per thread at a time). Signals are blocked in every thread and
// taken by the main thread with sigwait: SIGHUP reloads, SIGTERM and SIGINT stop accepting, let
// the requests in progress finish and return 0.
#include "interpreter/serve/server.hpp"

#include <fmt/format.h>
#include <httplib.h>
#include <malloc.h>
#include <pthread.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <memory>
#include <mutex>
#include <thread>

#include "interpreter/source/diagnostic.hpp"

namespace refpol::serve {
namespace {

std::mutex log_mutex;

// One JSON object per line on stderr, with the time and level first.
void log_line(const char* level, const std::string& object) {
  std::string line = fmt::format(R"({{"ts":"{}","level":"{}",)", utc_now(), level);
  line.append(object, 1, std::string::npos);  // object without its opening brace
  line += '\n';
  std::lock_guard<std::mutex> lock(log_mutex);
  std::fwrite(line.data(), 1, line.size(), stderr);
  std::fflush(stderr);
}

Route route_of(const std::string& path) {
  for (Route r : {Route::evaluate, Route::batch, Route::policy, Route::healthz, Route::metrics, Route::reload}) {
    if (path == route_name(r)) return r;
  }
  return Route::other;
}

std::optional<std::string_view> param(const httplib::Request& req, const char* name) {
  auto it = req.params.find(name);
  if (it == req.params.end()) return std::nullopt;
  return std::string_view(it->second);
}

const char* reason_code(int status) {
  switch (status) {
    case 400: return "bad_request";
    case 404: return "not_found";
    case 405: return "method_not_allowed";
    case 413: return "body_too_large";
    case 414: return "uri_too_long";
    default: return "http_error";
  }
}

// Sends a body made of pieces with its length known up front (so keep-alive works as usual),
// without joining them into one string first.
void send_chunks(std::vector<std::string> pieces, const std::string& content_type, httplib::Response& res,
                 Service& service) {
  auto chunks = std::make_shared<std::vector<std::string>>(std::move(pieces));
  std::size_t total = 0;
  for (const auto& c : *chunks) total += c.size();
  res.set_content_provider(total, content_type,
                           [chunks](std::size_t offset, std::size_t length, httplib::DataSink& sink) {
                             // Find the piece that holds `offset` and write from it.
                             std::size_t start = 0;
                             for (const auto& c : *chunks) {
                               if (offset < start + c.size()) {
                                 const std::size_t at = offset - start;
                                 const std::size_t n = std::min({c.size() - at, length, std::size_t{1} << 20});
                                 return sink.write(c.data() + at, n);
                               }
                               start += c.size();
                             }
                             return false;
                           },
                           [chunks, &service](bool) {
                             for (auto& c : *chunks) service.recycle(std::move(c));
                           });
}

}  // namespace

// Bodies from this size on are read into pooled buffers.
constexpr std::size_t kPooledBodyBytes = 64 * 1024;

int run_server(const ServerOptions& o) {
  // Signals go to the main thread's sigwait only: block them before any thread starts.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGHUP);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);
  // Batch bodies and responses are tens of megabytes. Left to glibc, each is a fresh mmap whose
  // every page faults in and is unmapped again after the response: that, not evaluation, was most
  // of a large batch's time. Served from the heap and not trimmed, the memory is reused instead
  // (the process keeps its peak; docs/api.md, "Memory").
  mallopt(M_MMAP_MAX, 0);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);

  PolicyStore store(o.policy);
  Metrics metrics;
  Service service(store, o.limits, metrics, utc_now, [](const std::string& object) {
    log_line(object.find("\"ok\":false") != std::string::npos ? "warn" : "info", object);
  });
  ReloadOutcome first = store.load(utc_now());
  if (!first.ok) {
    std::fputs(first.diagnostics_text.c_str(), stderr);
    log_line("error", fmt::format(R"({{"event":"start_failed","reason":"the policy `{}` has errors"}})",
                                  json_escape(o.policy)));
    return 2;
  }

  const unsigned threads = o.threads != 0 ? o.threads : std::max(8u, 4 * std::thread::hardware_concurrency());
  httplib::Server server;
  server.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  server.set_tcp_nodelay(true);
  server.set_keep_alive_max_count(100000);
  server.set_keep_alive_timeout(static_cast<time_t>(o.keep_alive_seconds));
  server.set_read_timeout(10, 0);
  server.set_write_timeout(10, 0);
  server.set_payload_max_length(o.limits.max_body_bytes);

  auto handle = [&](const httplib::Request& req, std::string_view body, httplib::Response& res,
                    std::chrono::steady_clock::time_point start) {
    Request rq;
    rq.method = req.method;
    rq.path = req.path;
    rq.body = body;
    rq.explain = param(req, "explain");
    rq.now = param(req, "now");
    Response rs;
    service.handle(rq, rs);
    res.status = rs.status;
    if (!rs.allow.empty()) res.set_header("Allow", rs.allow);
    if (rs.route == Route::batch && rs.status == 200) res.set_header("Refpol-Item-Errors", std::to_string(rs.item_errors));
    if (rs.chunks.empty()) {
      res.body = std::move(rs.body);  // set_content would copy it
      res.set_header("Content-Type", rs.content_type);
    } else {
      send_chunks(std::move(rs.chunks), rs.content_type, res, service);
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    metrics.observe(rs.route, rs.status, seconds);
  };
  httplib::Server::Handler handler = [&](const httplib::Request& req, httplib::Response& res) {
    handle(req, req.body, res, std::chrono::steady_clock::now());
  };
  // A POST body is read into a buffer sized once from Content-Length, which is given back for
  // the next request: left to the library, a batch body grew by doubling into fresh memory on
  // every request, and copying and faulting in those pages cost more than deciding the batch
  // (docs/performance.md).
  httplib::Server::HandlerWithContentReader post = [&](const httplib::Request& req, httplib::Response& res,
                                                        const httplib::ContentReader& read) {
    const auto start = std::chrono::steady_clock::now();
    const auto length = req.get_header_value<uint64_t>("Content-Length");
    // Small bodies (single evaluations) skip the pool and its lock.
    std::string body = length >= kPooledBodyBytes && length <= o.limits.max_body_bytes ? service.take_buffer(length)
                                                                                        : std::string();
    if (!read([&](const char* data, std::size_t n) {
          body.append(data, n);
          return true;
        })) {
      return;  // the library has set the status (413 for a body past --max-body-bytes)
    }
    handle(req, body, res, start);
    if (body.capacity() >= kPooledBodyBytes) service.recycle(std::move(body));
  };
  // Every method and path reaches Service::handle, which answers 404 and 405 itself.
  server.Get(".*", handler);
  server.Post(".*", post);
  server.Put(".*", handler);
  server.Patch(".*", handler);
  server.Delete(".*", handler);
  server.Options(".*", handler);
  // Errors cpp-httplib answers itself (a body over --max-body-bytes, a malformed request line)
  // get the same JSON error body as ours.
  server.set_error_handler(httplib::Server::HandlerWithResponse([&](const httplib::Request& req,
                                                                    httplib::Response& res) {
    if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
    std::string message = res.status == 413
                              ? fmt::format("the body is larger than {} bytes (--max-body-bytes)", o.limits.max_body_bytes)
                              : fmt::format("the request could not be read (HTTP {})", res.status);
    res.set_content(error_body(res.status, reason_code(res.status), message), "application/json");
    metrics.observe(route_of(req.path), res.status, 0.0);
    return httplib::Server::HandlerResponse::Handled;
  }));
  server.set_exception_handler([&](const httplib::Request&, httplib::Response& res, std::exception_ptr ep) {
    std::string what = "unknown";
    try {
      if (ep) std::rethrow_exception(ep);
    } catch (const std::exception& e) {
      what = e.what();
    } catch (...) {
    }
    res.status = 500;
    res.set_content(error_body(500, "internal_error", what), "application/json");
    log_line("error", fmt::format(R"({{"event":"internal_error","reason":"{}"}})", json_escape(what)));
  });

  int port = o.port;
  if (port == 0) {
    port = server.bind_to_any_port(o.host);
  } else if (!server.bind_to_port(o.host, port)) {
    port = -1;
  }
  if (port <= 0) {
    log_line("error", fmt::format(R"({{"event":"start_failed","reason":"cannot listen on {}:{}"}})",
                                  json_escape(o.host), o.port));
    return 2;
  }
  std::fputs(fmt::format("listening on {}:{}\n", o.host, port).c_str(), stdout);
  std::fflush(stdout);
  log_line("info", fmt::format(R"({{"event":"listening","host":"{}","port":{},"threads":{},"policy":"{}","hash":"{}"}})",
                               json_escape(o.host), port, threads, json_escape(o.policy),
                               first.policy->program->policy.content_hash));

  std::thread listener([&server] { server.listen_after_bind(); });
  while (true) {
    int sig = 0;
    if (sigwait(&signals, &sig) != 0) continue;
    if (sig == SIGHUP) {
      service.reload();
      continue;
    }
    log_line("info", fmt::format(R"({{"event":"stopping","signal":"{}"}})", sig == SIGTERM ? "SIGTERM" : "SIGINT"));
    break;
  }
  server.stop();  // closes the listening socket; the pool finishes the requests in progress
  listener.join();
  log_line("info", R"({"event":"stopped"})");
  return 0;
}

}  // namespace refpol::serve
