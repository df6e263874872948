// The routes of the HTTP API (docs/api.md). Every response body is JSON (or Prometheus text for
// /metrics); every error names its reason, and for facts the field path, line and column.
#include "interpreter/serve/service.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <thread>
#include <vector>

#include "interpreter/decision/decision_json.hpp"
#include "interpreter/eval/evaluator.hpp"
#include "interpreter/source/diagnostic.hpp"

namespace refpol::serve {
namespace {

// A batch is split over threads only when each gets at least this many documents.
constexpr std::size_t kItemsPerSlice = 2048;

// Per-thread memory reused across requests.
struct Worker {
  FactsDocument facts;
  EvalScratch scratch;
  Decision decision;
  std::vector<FactsError> errors;
};

Worker& worker() {
  thread_local Worker w;
  return w;
}

// Why one facts document got no decision.
struct ItemError {
  int status = 422;
  const char* code = "invalid_facts";
  bool evaluation = false;  // the facts were fine but the evaluation failed (counted apart)
  std::string message;
  std::vector<FactsError> problems;
};

void write_problems(const std::vector<FactsError>& problems, std::string& out) {
  out += ",\"problems\":[";
  for (std::size_t i = 0; i < problems.size(); ++i) {
    const FactsError& p = problems[i];
    if (i) out += ',';
    out += fmt::format(R"({{"path":"{}","line":{},"column":{},"message":"{}"}})", json_escape(p.path), p.line,
                       p.column, json_escape(p.message));
  }
  out += ']';
}

// The `error` object of a failed item or request, without the surrounding braces' owner.
void write_item_error(const ItemError& e, std::optional<std::size_t> index, std::optional<std::size_t> line,
                      std::string& out) {
  out += "{\"error\":{";
  if (index) out += fmt::format("\"index\":{},", *index);
  if (line) out += fmt::format("\"line\":{},", *line);
  out += fmt::format(R"("status":{},"code":"{}","message":"{}")", e.status, e.code, json_escape(e.message));
  write_problems(e.problems, out);
  out += "}}";
}

// One facts document -> one decision appended to `out` as JSON, or false with `error`.
bool decide(const LoadedPolicy& policy, std::string_view text, const EvalOptions& options, std::string& out,
            ItemError& error) {
  const Program& program = *policy.program;
  Worker& w = worker();
  if (text.size() > kMaxFactsBytes) {
    error.status = 413;
    error.code = "facts_too_large";
    error.message = fmt::format("a facts document is {} bytes; the limit is {} bytes", text.size(), kMaxFactsBytes);
    return false;
  }
  FactsContext ctx{&program.policy.schema, &program.zone, 0};
  w.errors.clear();
  if (!load_facts_json(text, ctx, w.facts, w.errors)) {
    bool syntax = !w.errors.empty() && w.errors.front().syntax;
    error.status = syntax ? 400 : 422;
    error.code = syntax ? "malformed_json" : "invalid_facts";
    error.message = syntax ? "the body is not well-formed JSON" : "the facts do not fit the policy's schema";
    error.problems = w.errors;
    return false;
  }
  if (!options.now && !w.facts.now) {
    error.status = 422;
    error.code = "no_now";
    error.message = "no `now`: give a top-level `now` in the facts or ?now= in the URL";
    return false;
  }
  EvalError eval_error;
  if (!evaluate(program, w.facts, options, w.scratch, w.decision, eval_error)) {
    error.status = 422;
    error.code = "evaluation_failed";
    error.evaluation = true;
    error.message = render_eval_error(program, eval_error);
    return false;
  }
  write_decision_json(w.decision, out);
  return true;
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

std::string_view strip_bom(std::string_view s) {
  return s.size() >= 3 && s.substr(0, 3) == "\xEF\xBB\xBF" ? s.substr(3) : s;
}

// Splits a top-level JSON array into its elements' texts without parsing them (each is then
// read, and fully checked, by the facts loader). Only strings and bracket depth are tracked, so
// the cost is one pass over the bytes. False with a message for a body that is not an array.
bool split_array(std::string_view body, std::size_t max_items, std::vector<std::string_view>& items,
                 std::string& problem, bool& too_many) {
  std::size_t i = 0;
  const std::size_t n = body.size();
  auto skip = [&] {
    while (i < n && is_space(body[i])) ++i;
  };
  skip();
  if (i >= n || body[i] != '[') {
    problem = "a batch is a JSON array of facts documents, or one facts document per line";
    return false;
  }
  ++i;
  skip();
  if (i < n && body[i] == ']') {
    ++i;
    skip();
    if (i != n) problem = fmt::format("unexpected text after the array at byte {}", i);
    return i == n;
  }
  while (true) {
    skip();
    const std::size_t start = i;
    long depth = 0;
    bool in_string = false;
    for (; i < n; ++i) {
      char c = body[i];
      if (in_string) {
        if (c == '\\') {
          ++i;
        } else if (c == '"') {
          in_string = false;
        }
        continue;
      }
      if (c == '"') {
        in_string = true;
      } else if (c == '{' || c == '[') {
        ++depth;
      } else if (c == '}' || c == ']') {
        if (depth == 0) break;
        --depth;
      } else if (c == ',' && depth == 0) {
        break;
      }
    }
    if (i >= n) {
      problem = "the array is not closed: a `]` is missing at the end";
      return false;
    }
    std::string_view item = trim(body.substr(start, i - start));
    if (item.empty()) {
      problem = fmt::format("an empty element in the array at byte {}", start);
      return false;
    }
    if (items.size() == max_items) {
      too_many = true;
      return false;
    }
    items.push_back(item);
    if (body[i] == '}') {
      problem = fmt::format("a `}}` that closes nothing at byte {}", i);
      return false;
    }
    if (body[i++] == ']') break;
  }
  skip();
  if (i != n) {
    problem = fmt::format("unexpected text after the array at byte {}", i);
    return false;
  }
  return true;
}

bool parse_explain(std::optional<std::string_view> v, bool& out) {
  if (!v) return true;
  if (*v == "true" || *v == "1" || v->empty()) {
    out = true;
    return true;
  }
  if (*v == "false" || *v == "0") {
    out = false;
    return true;
  }
  return false;
}

std::string policy_json(const LoadedPolicy& p) {
  const CheckedPolicy& c = p.program->policy;
  return fmt::format(R"({{"id":"{}","version":{},"hash":"{}","path":"{}","loaded_at":"{}","generation":{}}})",
                     json_escape(c.id), c.version, c.content_hash, json_escape(p.path), p.loaded_at, p.generation);
}

}  // namespace

const char* route_name(Route r) {
  switch (r) {
    case Route::evaluate: return "/v1/evaluate";
    case Route::batch: return "/v1/evaluate/batch";
    case Route::policy: return "/v1/policy";
    case Route::healthz: return "/healthz";
    case Route::metrics: return "/metrics";
    case Route::reload: return "/v1/reload";
    case Route::other: break;
  }
  return "other";
}

std::string error_body(int status, std::string_view code, std::string_view message) {
  return fmt::format(R"({{"error":{{"status":{},"code":"{}","message":"{}"}}}})", status, code,
                     json_escape(message));
}

std::string utc_now() {
  using namespace std::chrono;
  auto now = system_clock::now();
  std::time_t t = system_clock::to_time_t(now);
  auto millis = duration_cast<milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm tm{};
  gmtime_r(&t, &tm);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                     tm.tm_hour, tm.tm_min, tm.tm_sec, millis);
}

std::string Response::joined_body() const {
  if (chunks.empty()) return body;
  std::size_t total = 0;
  for (const auto& c : chunks) total += c.size();
  std::string out;
  out.reserve(total);
  for (const auto& c : chunks) out += c;
  return out;
}

// ---------------------------------------------------------------------------------------------
// PolicyStore

ReloadOutcome PolicyStore::load(const std::string& loaded_at) {
  std::lock_guard<std::mutex> one_at_a_time(load_mu_);
  ReloadOutcome outcome;
  CompileResult compiled = compile_file(path_);
  outcome.diagnostics_text = render_text(compiled.diagnostics);
  outcome.diagnostics_json = render_json(compiled.diagnostics);
  if (compiled.program && !compiled.diagnostics.has_errors()) {
    auto next = std::make_shared<LoadedPolicy>();
    next->program = std::move(compiled.program);
    next->path = path_;
    next->loaded_at = loaded_at;
    std::lock_guard<std::mutex> lock(mu_);
    next->generation = current_ ? current_->generation + 1 : 1;
    current_ = std::move(next);
    outcome.ok = true;
  }
  outcome.policy = current();
  return outcome;
}

std::shared_ptr<const LoadedPolicy> PolicyStore::current() const {
  std::lock_guard<std::mutex> lock(mu_);
  return current_;
}

// ---------------------------------------------------------------------------------------------
// Service

Service::Service(PolicyStore& store, Limits limits, Metrics& metrics, ClockFn clock, LogFn log)
    : store_(store), limits_(limits), metrics_(metrics), clock_(std::move(clock)), log_(std::move(log)) {}

void Service::handle(const Request& rq, Response& rs) {
  struct RouteInfo {
    std::string_view path;
    std::string_view method;
    Route route;
  };
  static constexpr RouteInfo kRoutes[] = {
      {"/v1/evaluate", "POST", Route::evaluate}, {"/v1/evaluate/batch", "POST", Route::batch},
      {"/v1/policy", "GET", Route::policy},      {"/healthz", "GET", Route::healthz},
      {"/metrics", "GET", Route::metrics},       {"/v1/reload", "POST", Route::reload},
  };
  rs = Response{};
  const RouteInfo* found = nullptr;
  for (const auto& r : kRoutes) {
    if (r.path == rq.path) found = &r;
  }
  if (found == nullptr) {
    rs.status = 404;
    rs.body = error_body(404, "not_found",
                         fmt::format("no route `{}`; the routes are POST /v1/evaluate, POST /v1/evaluate/batch, "
                                     "GET /v1/policy, POST /v1/reload, GET /healthz and GET /metrics",
                                     rq.path));
    return;
  }
  rs.route = found->route;
  bool head = rq.method == "HEAD" && found->method == "GET";
  if (rq.method != found->method && !head) {
    rs.status = 405;
    rs.allow = std::string(found->method);
    rs.body = error_body(405, "method_not_allowed",
                         fmt::format("{} takes {}, not {}", found->path, found->method, rq.method));
    return;
  }
  switch (found->route) {
    case Route::evaluate: return evaluate(rq, rs);
    case Route::batch: return batch(rq, rs);
    case Route::policy: {
      auto p = store_.current();
      rs.body = policy_json(*p);
      return;
    }
    case Route::healthz: {
      auto p = store_.current();
      rs.body = fmt::format(R"({{"status":"ok","policy":{}}})", policy_json(*p));
      return;
    }
    case Route::metrics: {
      rs.content_type = "text/plain; version=0.0.4; charset=utf-8";
      rs.body = metrics_.render(*store_.current());
      return;
    }
    case Route::reload: return reload_route(rs);
    case Route::other: break;
  }
}

// Shared by both evaluation routes: the query's `explain` and `now`, or a 400.
static bool read_options(const Request& rq, const Program& program, EvalOptions& options, Response& rs) {
  if (!parse_explain(rq.explain, options.explain)) {
    rs.status = 400;
    rs.body = error_body(400, "bad_parameter",
                         fmt::format("?explain=`{}`: give true or false", std::string(*rq.explain)));
    return false;
  }
  if (rq.now) {
    DateTime now;
    std::string problem;
    if (!parse_datetime(*rq.now, program.zone, now, problem)) {
      rs.status = 400;
      rs.body = error_body(400, "bad_parameter", fmt::format("?now=`{}`: {}", std::string(*rq.now), problem));
      return false;
    }
    options.now = now;
  }
  return true;
}

void Service::evaluate(const Request& rq, Response& rs) {
  auto policy = store_.current();  // this request uses this policy throughout
  EvalOptions options;
  if (!read_options(rq, *policy->program, options, rs)) return;
  ItemError error;
  rs.body.reserve(1024);
  if (decide(*policy, rq.body, options, rs.body, error)) {
    metrics_.add_decisions(1);
    return;
  }
  (error.evaluation ? metrics_.add_eval_errors(1) : metrics_.add_facts_errors(1));
  rs.status = error.status;
  rs.body.clear();
  write_item_error(error, std::nullopt, std::nullopt, rs.body);
}

// At most this many buffers of at most this size are kept for the next batches.
constexpr std::size_t kPooledBuffers = 16;
constexpr std::size_t kPooledBufferBytes = 64 * 1024 * 1024;

std::string Service::take_buffer(std::size_t capacity) {
  std::string b;
  {
    std::lock_guard<std::mutex> lock(pool_mutex_);
    auto best = pool_.end();
    for (auto it = pool_.begin(); it != pool_.end(); ++it) {
      if (it->capacity() >= capacity && (best == pool_.end() || it->capacity() < best->capacity())) best = it;
    }
    if (best != pool_.end()) {
      b = std::move(*best);
      pool_.erase(best);
    }
  }
  b.reserve(capacity);
  return b;
}

void Service::recycle(std::string&& buffer) {
  if (buffer.capacity() < 4096 || buffer.capacity() > kPooledBufferBytes) return;
  buffer.clear();
  std::lock_guard<std::mutex> lock(pool_mutex_);
  if (pool_.size() < kPooledBuffers) pool_.push_back(std::move(buffer));
}

void Service::batch(const Request& rq, Response& rs) {
  auto policy = store_.current();
  EvalOptions options;
  if (!read_options(rq, *policy->program, options, rs)) return;
  std::string_view body = strip_bom(rq.body);
  std::string_view first = trim(body.substr(0, 64));
  const bool array = !first.empty() && first.front() == '[';
  std::vector<std::string_view> items;
  std::vector<std::size_t> lines;  // JSON lines: the line of each item
  bool too_many = false;
  if (array) {
    std::string problem;
    if (!split_array(body, limits_.max_batch_items, items, problem, too_many) && !too_many) {
      rs.status = 400;
      rs.body = error_body(400, "malformed_json", problem);
      return;
    }
  } else {
    std::size_t line = 0, start = 0;
    while (start <= body.size() && !too_many) {
      std::size_t end = body.find('\n', start);
      if (end == std::string_view::npos) end = body.size();
      ++line;
      std::string_view text = trim(body.substr(start, end - start));
      if (!text.empty()) {
        if (items.size() == limits_.max_batch_items) {
          too_many = true;
        } else {
          items.push_back(text);
          lines.push_back(line);
        }
      }
      start = end + 1;
    }
  }
  if (too_many) {
    rs.status = 413;
    rs.body = error_body(413, "batch_too_large",
                         fmt::format("a batch holds at most {} facts documents (--max-batch-items)",
                                     limits_.max_batch_items));
    return;
  }
  if (!array) rs.content_type = "application/x-ndjson";
  // Large batches are decided in contiguous slices on several threads (the policy is shared and
  // immutable; each thread has its own scratch), then joined in order.
  struct Slice {
    std::size_t begin = 0, end = 0;
    std::string out;
    std::size_t decided = 0, facts_errors = 0, eval_errors = 0;
  };
  auto run_slice = [&](Slice& sl) {
    sl.out = take_buffer((sl.end - sl.begin) * 600);
    for (std::size_t i = sl.begin; i < sl.end; ++i) {
      if (array && i) sl.out += ',';
      const std::size_t mark = sl.out.size();
      ItemError error;
      if (decide(*policy, items[i], options, sl.out, error)) {
        ++sl.decided;
      } else {
        sl.out.resize(mark);
        (error.evaluation ? sl.eval_errors : sl.facts_errors) += 1;
        write_item_error(error, i, array ? std::nullopt : std::optional<std::size_t>(lines[i]), sl.out);
      }
      if (!array) sl.out += '\n';
    }
  };
  const std::size_t cores = std::max(1u, std::thread::hardware_concurrency());
  const std::size_t slices = std::min<std::size_t>({cores, 8, items.size() / kItemsPerSlice + 1});
  std::vector<Slice> parts(slices);
  for (std::size_t k = 0; k < slices; ++k) {
    parts[k].begin = items.size() * k / slices;
    parts[k].end = items.size() * (k + 1) / slices;
  }
  std::vector<std::thread> helpers;
  for (std::size_t k = 1; k < slices; ++k) helpers.emplace_back(run_slice, std::ref(parts[k]));
  run_slice(parts[0]);
  for (auto& t : helpers) t.join();
  std::size_t decided = 0, facts_errors = 0, eval_errors = 0;
  rs.chunks.reserve(parts.size() + 2);
  if (array) rs.chunks.emplace_back("[");
  for (auto& p : parts) {
    rs.chunks.push_back(std::move(p.out));
    decided += p.decided;
    facts_errors += p.facts_errors;
    eval_errors += p.eval_errors;
  }
  if (array) rs.chunks.emplace_back("]");
  rs.item_errors = facts_errors + eval_errors;
  metrics_.add_decisions(decided);
  metrics_.add_facts_errors(facts_errors);
  metrics_.add_eval_errors(eval_errors);
}

ReloadOutcome Service::reload() {
  ReloadOutcome outcome = store_.load(clock_());
  metrics_.add_reload(outcome.ok);
  if (log_) {
    log_(fmt::format(R"({{"event":"reload","ok":{},"policy":{}{}}})", outcome.ok ? "true" : "false",
                     policy_json(*outcome.policy),
                     outcome.ok ? "" : fmt::format(R"(,"reason":"{}")", json_escape(outcome.diagnostics_text))));
  }
  return outcome;
}

void Service::reload_route(Response& rs) {
  ReloadOutcome outcome = reload();
  if (outcome.ok) {
    rs.body = fmt::format(R"({{"reloaded":true,"policy":{},"diagnostics":{}}})", policy_json(*outcome.policy),
                          outcome.diagnostics_json);
    return;
  }
  rs.status = 422;
  rs.body = fmt::format(
      R"({{"reloaded":false,"error":{{"status":422,"code":"reload_failed","message":"{}"}},"policy":{},"diagnostics":{}}})",
      json_escape("the policy file has errors; the policy loaded before keeps serving"), policy_json(*outcome.policy),
      outcome.diagnostics_json);
}

// ---------------------------------------------------------------------------------------------
// Metrics

void Metrics::observe(Route route, int status, double seconds) {
  const auto r = static_cast<std::size_t>(route);
  std::size_t s = kStatuses.size() - 1;
  for (std::size_t i = 0; i + 1 < kStatuses.size(); ++i) {
    if (kStatuses[i] == status) s = i;
  }
  requests_[r][s].fetch_add(1, std::memory_order_relaxed);
  std::size_t b = kBuckets.size();
  for (std::size_t i = 0; i < kBuckets.size(); ++i) {
    if (seconds <= kBuckets[i]) {
      b = i;
      break;
    }
  }
  buckets_[r][b].fetch_add(1, std::memory_order_relaxed);
  count_[r].fetch_add(1, std::memory_order_relaxed);
  sum_micros_[r].fetch_add(static_cast<std::uint64_t>(seconds * 1e6 + 0.5), std::memory_order_relaxed);
}

std::string Metrics::render(const LoadedPolicy& policy) const {
  std::string out;
  out += "# HELP refpol_http_requests_total HTTP requests answered, by route and status.\n";
  out += "# TYPE refpol_http_requests_total counter\n";
  for (std::size_t r = 0; r < kRouteCount; ++r) {
    for (std::size_t s = 0; s < kStatuses.size(); ++s) {
      std::uint64_t n = requests_[r][s].load(std::memory_order_relaxed);
      if (n == 0) continue;
      std::string status = kStatuses[s] == 0 ? "other" : std::to_string(kStatuses[s]);
      out += fmt::format("refpol_http_requests_total{{route=\"{}\",status=\"{}\"}} {}\n",
                         route_name(static_cast<Route>(r)), status, n);
    }
  }
  out += "# HELP refpol_http_request_duration_seconds Time from the request read to the response ready.\n";
  out += "# TYPE refpol_http_request_duration_seconds histogram\n";
  for (std::size_t r = 0; r < kRouteCount; ++r) {
    std::uint64_t count = count_[r].load(std::memory_order_relaxed);
    if (count == 0) continue;
    const char* name = route_name(static_cast<Route>(r));
    std::uint64_t cumulative = 0;
    for (std::size_t b = 0; b <= kBuckets.size(); ++b) {
      cumulative += buckets_[r][b].load(std::memory_order_relaxed);
      // Prometheus floats: `0.00025`, `1`, `+Inf` (no trailing zeros, no trailing point).
      std::string le = b == kBuckets.size() ? "+Inf" : fmt::format("{:.5f}", kBuckets[b]);
      while (le.back() == '0') le.pop_back();
      if (le.back() == '.') le.pop_back();
      out += fmt::format("refpol_http_request_duration_seconds_bucket{{route=\"{}\",le=\"{}\"}} {}\n", name, le,
                         cumulative);
    }
    out += fmt::format("refpol_http_request_duration_seconds_sum{{route=\"{}\"}} {:.6f}\n", name,
                       static_cast<double>(sum_micros_[r].load(std::memory_order_relaxed)) / 1e6);
    out += fmt::format("refpol_http_request_duration_seconds_count{{route=\"{}\"}} {}\n", name, count);
  }
  out += "# HELP refpol_decisions_total Decisions made (single and batch items).\n";
  out += "# TYPE refpol_decisions_total counter\n";
  out += fmt::format("refpol_decisions_total {}\n", decisions_.load(std::memory_order_relaxed));
  out += "# HELP refpol_evaluation_errors_total Facts documents that got an error instead of a decision.\n";
  out += "# TYPE refpol_evaluation_errors_total counter\n";
  out += fmt::format("refpol_evaluation_errors_total{{kind=\"facts\"}} {}\n",
                     facts_errors_.load(std::memory_order_relaxed));
  out += fmt::format("refpol_evaluation_errors_total{{kind=\"evaluation\"}} {}\n",
                     eval_errors_.load(std::memory_order_relaxed));
  out += "# HELP refpol_policy_reloads_total Policy reloads (SIGHUP or POST /v1/reload), by result.\n";
  out += "# TYPE refpol_policy_reloads_total counter\n";
  out += fmt::format("refpol_policy_reloads_total{{result=\"ok\"}} {}\n", reloads_ok_.load(std::memory_order_relaxed));
  out += fmt::format("refpol_policy_reloads_total{{result=\"failed\"}} {}\n",
                     reloads_failed_.load(std::memory_order_relaxed));
  const CheckedPolicy& c = policy.program->policy;
  out += "# HELP refpol_policy_info The policy being served.\n";
  out += "# TYPE refpol_policy_info gauge\n";
  out += fmt::format("refpol_policy_info{{id=\"{}\",version=\"{}\",hash=\"{}\",generation=\"{}\"}} 1\n",
                     json_escape(c.id), c.version, c.content_hash, policy.generation);
  return out;
}

}  // namespace refpol::serve
