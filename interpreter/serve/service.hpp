// The HTTP API of `refpol serve` without the transport: a request (method, path, query values,
// body) -> a response (status, content type, body). server.cpp feeds it from cpp-httplib; the
// unit tests and the fuzz target call it directly. docs/api.md documents every route.
#pragma once
#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "interpreter/compile/program.hpp"

namespace refpol::serve {

// Request limits; flags of `refpol serve` with these defaults (docs/api.md, "Limits").
inline constexpr std::size_t kDefaultMaxBodyBytes = 64u * 1024 * 1024;
inline constexpr std::size_t kDefaultMaxBatchItems = 100000;

struct Limits {
  std::size_t max_body_bytes = kDefaultMaxBodyBytes;
  std::size_t max_batch_items = kDefaultMaxBatchItems;
};

// One compiled policy as served, immutable: requests hold it by shared_ptr, so a reload never
// changes the policy under a request that already started.
struct LoadedPolicy {
  std::shared_ptr<const Program> program;
  std::string path;
  std::string loaded_at;  // RFC 3339, UTC, wall clock when it was loaded
  std::uint64_t generation = 0;  // 1 for the first load, +1 per successful reload
};

struct ReloadOutcome {
  bool ok = false;
  std::string diagnostics_text;  // the checker's report when it failed (or warnings)
  std::string diagnostics_json;  // the same as a JSON array
  std::shared_ptr<const LoadedPolicy> policy;  // the policy serving after the attempt
};

// The policy being served. load() compiles the file first and swaps it in only when it has no
// errors; readers never see a half-loaded policy.
class PolicyStore {
 public:
  explicit PolicyStore(std::string path) : path_(std::move(path)) {}
  ReloadOutcome load(const std::string& loaded_at);
  std::shared_ptr<const LoadedPolicy> current() const;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  mutable std::mutex mu_;      // guards current_
  std::mutex load_mu_;         // one load at a time
  std::shared_ptr<const LoadedPolicy> current_;
};

enum class Route : std::uint8_t { evaluate, batch, policy, healthz, metrics, reload, other };
inline constexpr std::size_t kRouteCount = 7;
const char* route_name(Route r);

// Counters for GET /metrics (Prometheus text format). Lock-free: relaxed atomics.
class Metrics {
 public:
  void observe(Route route, int status, double seconds);
  void add_decisions(std::uint64_t n) { decisions_.fetch_add(n, std::memory_order_relaxed); }
  void add_facts_errors(std::uint64_t n) { facts_errors_.fetch_add(n, std::memory_order_relaxed); }
  void add_eval_errors(std::uint64_t n) { eval_errors_.fetch_add(n, std::memory_order_relaxed); }
  void add_reload(bool ok) { (ok ? reloads_ok_ : reloads_failed_).fetch_add(1, std::memory_order_relaxed); }
  std::string render(const LoadedPolicy& policy) const;

  static constexpr std::array<int, 10> kStatuses{200, 400, 404, 405, 413, 415, 422, 500, 503, 0};
  static constexpr std::array<double, 14> kBuckets{0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005,
                                                   0.01,    0.025,  0.05,    0.1,    0.25,   0.5,   1.0};

 private:
  using Counter = std::atomic<std::uint64_t>;
  std::array<std::array<Counter, kStatuses.size()>, kRouteCount> requests_{};
  std::array<std::array<Counter, kBuckets.size() + 1>, kRouteCount> buckets_{};  // not cumulative
  std::array<Counter, kRouteCount> count_{};
  std::array<Counter, kRouteCount> sum_micros_{};
  Counter decisions_{0}, facts_errors_{0}, eval_errors_{0}, reloads_ok_{0}, reloads_failed_{0};
};

struct Request {
  std::string_view method;  // GET, POST, ...
  std::string_view path;    // without the query
  std::string_view body;
  // Query values, when given: `explain` (true/false/1/0) and `now` (a date-time).
  std::optional<std::string_view> explain;
  std::optional<std::string_view> now;
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  // A batch's body comes in pieces (one per thread that decided a slice), sent one after the
  // other without joining them: joining tens of megabytes was a copy the client never needed.
  // When it is not empty, the body is the concatenation of `chunks` and `body` is empty.
  std::vector<std::string> chunks;
  std::string allow;          // for 405: the methods the path takes
  std::size_t item_errors = 0;  // batch: how many items have an error object
  Route route = Route::other;

  // The whole body as one string (for callers that want it so; the server streams `chunks`).
  std::string joined_body() const;
};

// Log sink for structured events (reloads); one JSON object per call, without the newline.
using LogFn = std::function<void(const std::string& json_object)>;
using ClockFn = std::function<std::string()>;  // RFC 3339 UTC wall clock, for loaded_at

// Turns a request into a response; safe to call from many threads at once.
class Service {
 public:
  Service(PolicyStore& store, Limits limits, Metrics& metrics, ClockFn clock, LogFn log);
  void handle(const Request& request, Response& response);
  // What POST /v1/reload and SIGHUP do; logs the outcome and counts it in the metrics.
  ReloadOutcome reload();
  // Gives back a request body or a piece of a batch answer once it is no longer needed: its
  // memory serves the next batch, whose pages are then already in place (docs/performance.md).
  // Optional; small and very large buffers are simply freed.
  void recycle(std::string&& buffer);
  // An empty buffer of at least `capacity` bytes (for request bodies and batch output): the
  // smallest given back that is large enough, so that buffers are not grown (into fresh memory)
  // and none is taken from a request that needs it more.
  std::string take_buffer(std::size_t capacity);

 private:
  void evaluate(const Request& request, Response& response);
  void batch(const Request& request, Response& response);
  void reload_route(Response& response);
  PolicyStore& store_;
  Limits limits_;
  Metrics& metrics_;
  ClockFn clock_;
  LogFn log_;
  std::mutex pool_mutex_;
  std::vector<std::string> pool_;  // emptied buffers, kept for batches
};

// `{"error":{"status":S,"code":"...","message":"..."}}`: the body of every error response.
std::string error_body(int status, std::string_view code, std::string_view message);
// The current UTC time as `2026-11-25T06:40:00.123Z`.
std::string utc_now();

}  // namespace refpol::serve
