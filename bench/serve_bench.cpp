// refpol-serve-bench: the HTTP API's batch route without the network. Builds one JSON-lines body
// of the flat workload's 100,000 records and times Service::handle on POST /v1/evaluate/batch
// (split, facts loading, evaluation on every core, decision JSON, joining), and the single
// /v1/evaluate route per request. The network side is measured with wrk (bench/serve/run.sh).
#include <fmt/format.h>
#include <zlib.h>

#include <algorithm>
#include <chrono>
#include <string>
#include <vector>

#include "interpreter/serve/service.hpp"

namespace {

std::string read_gz(const std::string& path) {
  std::string out;
  gzFile f = gzopen(path.c_str(), "rb");
  if (!f) return out;
  char buf[1 << 16];
  int n;
  while ((n = gzread(f, buf, sizeof buf)) > 0) out.append(buf, static_cast<std::size_t>(n));
  gzclose(f);
  return out;
}

double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

}  // namespace

int main() {
  using namespace refpol::serve;
  const std::string root = REFPOL_SOURCE_DIR;
  const std::string body = read_gz(root + "/bench/flat/facts.jsonl.gz");
  const std::size_t records = static_cast<std::size_t>(std::count(body.begin(), body.end(), '\n'));
  if (records == 0) {
    fmt::print(stderr, "cannot read bench/flat/facts.jsonl.gz\n");
    return 2;
  }
  PolicyStore store(root + "/bench/flat/policy.refpol");
  if (!store.load("bench").ok) {
    fmt::print(stderr, "the benchmark policy does not compile\n");
    return 2;
  }
  Metrics metrics;
  Limits limits;
  limits.max_batch_items = records;
  Service service(store, limits, metrics, [] { return std::string("bench"); }, nullptr);

  Request batch;
  batch.method = "POST";
  batch.path = "/v1/evaluate/batch";
  batch.body = body;
  batch.now = "2026-12-20T10:00:00Z";
  Response response;
  std::vector<double> batch_times;
  for (int pass = 0; pass < 5; ++pass) {
    auto t = std::chrono::steady_clock::now();
    service.handle(batch, response);
    batch_times.push_back(seconds_since(t));
    if (response.status != 200 || response.item_errors != 0) {
      fmt::print(stderr, "batch answered {} with {} item errors\n", response.status, response.item_errors);
      return 1;
    }
  }
  std::sort(batch_times.begin(), batch_times.end());
  const double batch_median = batch_times[batch_times.size() / 2];

  // Single requests, one thread: the first 20,000 records, five passes.
  std::vector<std::string_view> lines;
  for (std::size_t start = 0; start < body.size() && lines.size() < 20000;) {
    std::size_t end = body.find('\n', start);
    lines.emplace_back(body.data() + start, end - start);
    start = end + 1;
  }
  Request single;
  single.method = "POST";
  single.path = "/v1/evaluate";
  single.now = batch.now;
  std::vector<double> single_times;
  for (int pass = 0; pass < 5; ++pass) {
    auto t = std::chrono::steady_clock::now();
    for (std::string_view line : lines) {
      single.body = line;
      service.handle(single, response);
    }
    single_times.push_back(seconds_since(t) / static_cast<double>(lines.size()));
  }
  std::sort(single_times.begin(), single_times.end());
  const double single_median = single_times[single_times.size() / 2];

  fmt::print("serve: batch of {} in {:.1f} ms = {:.0f} decisions/s ({} MB out); single /v1/evaluate {:.0f} ns/request\n",
             records, batch_median * 1e3, static_cast<double>(records) / batch_median,
             response.body.size() / 1000000, single_median * 1e9);
  return 0;
}
