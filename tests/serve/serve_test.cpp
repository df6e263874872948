// `refpol serve` end to end: the real binary on loopback, a real HTTP client (cpp-httplib).
// Decisions are compared with what `refpol eval` prints for the same facts, so the server adds
// nothing and loses nothing; errors are checked for their status, code, field path and position.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <filesystem>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/mini_schema.hpp"
#include "tests/support/server_process.hpp"
#include "tests/support/test_support.hpp"

namespace refpol {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using testing::read_text;
using testing::run_refpol;
using testing::ServerProcess;
using testing::source_dir;

const std::string kOldFriends = "policies/old-friends/policy.refpol";
const std::string kOldFriendsFacts = "policies/old-friends/facts/referrer_with_referrals.json";
const std::string kFlat = "bench/flat/policy.refpol";
const std::string kNow = "2026-12-20T10:00:00Z";

std::string joined(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += s + "\n";
  return out;
}

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

std::string chomp(std::string s) {
  while (!s.empty() && s.back() == '\n') s.pop_back();
  return s;
}

// What `refpol eval` prints for these facts, without the final newline.
std::string cli_decision(const std::string& policy, const std::string& facts, const std::vector<std::string>& extra = {}) {
  std::vector<std::string> args = {"eval", "--policy", policy, "--facts", "-"};
  args.insert(args.end(), extra.begin(), extra.end());
  auto r = run_refpol(args, facts);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return chomp(r.out);
}

// A line of the flat benchmark's facts, with the referrer id and qualified count given.
std::string flat_facts(const std::string& id, int qualified) {
  return R"({"referrer":{"id":")" + id + R"(","segment":"loyal","last_order_days_ago":20,"total_spend":900,"order_count":4,"qualified_referrals":)" +
         std::to_string(qualified) +
         R"(},"referee":{"is_new_customer":true,"first_order_amount":120,"first_order_refunded":false,"days_since_first_order":9}})";
}

httplib::Client client(const ServerProcess& server) {
  httplib::Client c("127.0.0.1", server.port());
  c.set_keep_alive(true);
  c.set_read_timeout(30, 0);
  c.set_connection_timeout(5, 0);
  return c;
}

class Serve : public ::testing::Test {
 protected:
  void start(std::vector<std::string> args) {
    server_ = std::make_unique<ServerProcess>(args);
    ASSERT_TRUE(server_->started()) << "first line: " << server_->first_line() << "\nlog:\n" << server_->log();
  }
  std::unique_ptr<ServerProcess> server_;
};

// ---------------------------------------------------------------------------------------------
// Routes

TEST_F(Serve, PrintsTheChosenPortAndAnswersHealthAndPolicy) {
  start({"--policy", kOldFriends});
  EXPECT_EQ(server_->first_line(), "listening on 127.0.0.1:" + std::to_string(server_->port()));
  auto c = client(*server_);
  auto health = c.Get("/healthz");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
  EXPECT_TRUE(contains(health->body, R"("status":"ok")")) << health->body;
  auto policy = c.Get("/v1/policy");
  ASSERT_TRUE(policy);
  EXPECT_EQ(policy->status, 200);
  // The content hash is the one `refpol eval` puts in its decisions.
  std::string decision = cli_decision(kOldFriends, read_text(source_dir() / kOldFriendsFacts));
  auto at = decision.find(R"("hash":")");
  ASSERT_NE(at, std::string::npos);
  std::string hash = decision.substr(at + 8, 64);
  EXPECT_TRUE(contains(policy->body, R"("id":"old-friends","version":1,"hash":")" + hash + "\"")) << policy->body;
  EXPECT_TRUE(contains(policy->body, R"("generation":1)")) << policy->body;
  EXPECT_TRUE(contains(policy->body, R"("loaded_at":"20)")) << policy->body;
  EXPECT_EQ(policy->get_header_value("Content-Type"), "application/json");
}

TEST_F(Serve, EvaluateGivesTheSameDecisionAsTheCli) {
  start({"--policy", kOldFriends});
  auto c = client(*server_);
  const std::string facts = read_text(source_dir() / kOldFriendsFacts);
  auto r = c.Post("/v1/evaluate", facts, "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, cli_decision(kOldFriends, facts));
  // ?explain=true adds the explanation, as --explain does; ?now= overrides the facts' now.
  auto explained = c.Post("/v1/evaluate?explain=true&now=2027-01-13T12:00:00%2B08:00", facts, "application/json");
  ASSERT_TRUE(explained);
  EXPECT_EQ(explained->status, 200);
  EXPECT_EQ(explained->body,
            cli_decision(kOldFriends, facts, {"--explain", "--now", "2027-01-13T12:00:00+08:00"}));
  EXPECT_TRUE(contains(explained->body, R"("explanation")")) << explained->body.substr(0, 300);
}

TEST_F(Serve, DecisionsMatchTheDecisionSchema) {
  start({"--policy", kOldFriends});
  auto c = client(*server_);
  auto r = c.Post("/v1/evaluate?explain=true", read_text(source_dir() / kOldFriendsFacts), "application/json");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200);
  testing::MiniSchema decision(read_text(source_dir() / "schema/decision.schema.json"));
  EXPECT_EQ(joined(decision.validate(r->body)), "") << r->body.substr(0, 300);
  // Every error body the server sends fits schema/api-error.schema.json.
  testing::MiniSchema error(read_text(source_dir() / "schema/api-error.schema.json"));
  for (auto [path, body] : std::vector<std::pair<std::string, std::string>>{
           {"/v1/evaluate", "{"}, {"/v1/evaluate", R"({"now":"2026-12-20T10:00:00Z","referrer":{"id":5}})"},
           {"/nowhere", ""}}) {
    auto e = c.Post(path, body, "application/json");
    ASSERT_TRUE(e);
    EXPECT_GE(e->status, 400);
    EXPECT_EQ(joined(error.validate(e->body)), "") << e->body;
  }
  testing::MiniSchema batch(read_text(source_dir() / "schema/api-error.schema.json"));
  auto b = c.Post("/v1/evaluate/batch", "{\"now\":1}\n", "application/x-ndjson");
  ASSERT_TRUE(b);
  EXPECT_EQ(b->status, 200);
  EXPECT_EQ(joined(batch.validate(chomp(b->body))), "") << b->body;
}

TEST_F(Serve, BatchWithABadItemInTheMiddleKeepsEveryOtherDecision) {
  start({"--policy", kFlat});
  auto c = client(*server_);
  const std::string a = flat_facts("a", 1), b = flat_facts("b", 5);
  const std::string bad = R"({"referrer":{"id":"x","segment":"loyal"}})";
  // A JSON array: decisions and errors in a JSON array, in the same order.
  auto r = c.Post("/v1/evaluate/batch?now=" + kNow, "[" + a + ",\n" + bad + ",\n" + b + "]", "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->get_header_value("Refpol-Item-Errors"), "1");
  const std::string da = cli_decision(kFlat, a, {"--now", kNow}), db = cli_decision(kFlat, b, {"--now", kNow});
  ASSERT_TRUE(r->body.rfind("[" + da + ",{\"error\":{\"index\":1,\"status\":422,\"code\":\"invalid_facts\"", 0) == 0)
      << r->body.substr(0, 400);
  EXPECT_TRUE(contains(r->body, R"({"path":"referrer.last_order_days_ago","line":1,"column":13,"message":"missing required field `last_order_days_ago`"})"))
      << r->body;
  EXPECT_TRUE(r->body.size() > db.size() + 2 && r->body.compare(r->body.size() - db.size() - 2, db.size() + 2, "," + db + "]") == 0)
      << r->body.substr(r->body.size() - 200);
  // JSON lines: one line out per line in, errors carry the input line (blank lines count).
  auto l = c.Post("/v1/evaluate/batch?now=" + kNow, a + "\n\n{oops\n" + b + "\n", "application/x-ndjson");
  ASSERT_TRUE(l);
  EXPECT_EQ(l->status, 200);
  EXPECT_EQ(l->get_header_value("Content-Type"), "application/x-ndjson");
  std::vector<std::string> lines;
  std::istringstream in(l->body);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  ASSERT_EQ(lines.size(), 3u) << l->body;
  EXPECT_EQ(lines[0], da);
  EXPECT_TRUE(lines[1].rfind(R"({"error":{"index":1,"line":3,"status":400,"code":"malformed_json")", 0) == 0) << lines[1];
  EXPECT_EQ(lines[2], db);
}

// Request bodies and batch answers are read and written into buffers given back for the next
// request (Service::recycle). With one server thread they are certainly reused: a small batch
// after a large one, and the large one again, must carry nothing over.
TEST_F(Serve, BatchesAfterOneAnotherReuseBuffersWithoutCarryingAnythingOver) {
  start({"--policy", kFlat, "--threads", "1"});
  auto c = client(*server_);
  const std::string a = flat_facts("a", 1), b = flat_facts("b", 5);
  const std::string da = cli_decision(kFlat, a, {"--now", kNow}), db = cli_decision(kFlat, b, {"--now", kNow});
  std::string large, expected_large;
  for (int i = 0; i < 5000; ++i) {  // more than one slice (kItemsPerSlice is 2048)
    large += (i % 3 ? a : b) + "\n";
    expected_large += (i % 3 ? da : db) + "\n";
  }
  auto first = c.Post("/v1/evaluate/batch?now=" + kNow, large, "application/x-ndjson");
  ASSERT_TRUE(first);
  EXPECT_EQ(first->status, 200);
  EXPECT_TRUE(first->body == expected_large) << first->body.substr(0, 300);
  auto small = c.Post("/v1/evaluate/batch?now=" + kNow, b + "\n", "application/x-ndjson");
  ASSERT_TRUE(small);
  EXPECT_EQ(small->body, db + "\n");
  auto single = c.Post("/v1/evaluate?now=" + kNow, a, "application/json");
  ASSERT_TRUE(single);
  EXPECT_EQ(chomp(single->body), da);
  auto again = c.Post("/v1/evaluate/batch?now=" + kNow, large, "application/x-ndjson");
  ASSERT_TRUE(again);
  EXPECT_TRUE(again->body == expected_large) << again->body.substr(0, 300);
}

TEST_F(Serve, MetricsCountRequestsDecisionsErrorsAndReloads) {
  start({"--policy", kFlat});
  auto c = client(*server_);
  ASSERT_TRUE(c.Post("/v1/evaluate?now=" + kNow, flat_facts("a", 3), "application/json"));
  ASSERT_TRUE(c.Post("/v1/evaluate?now=" + kNow, "{", "application/json"));
  ASSERT_TRUE(c.Post("/v1/evaluate/batch?now=" + kNow, flat_facts("a", 3) + "\n" + flat_facts("b", 1) + "\n{}\n",
                     "application/x-ndjson"));
  ASSERT_TRUE(c.Post("/v1/reload", "", "application/json"));
  ASSERT_TRUE(c.Get("/nowhere"));
  auto m = c.Get("/metrics");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->status, 200);
  EXPECT_EQ(m->get_header_value("Content-Type"), "text/plain; version=0.0.4; charset=utf-8");
  const std::string& t = m->body;
  EXPECT_TRUE(contains(t, "refpol_http_requests_total{route=\"/v1/evaluate\",status=\"200\"} 1\n")) << t;
  EXPECT_TRUE(contains(t, "refpol_http_requests_total{route=\"/v1/evaluate\",status=\"400\"} 1\n")) << t;
  EXPECT_TRUE(contains(t, "refpol_http_requests_total{route=\"/v1/evaluate/batch\",status=\"200\"} 1\n")) << t;
  EXPECT_TRUE(contains(t, "refpol_http_requests_total{route=\"other\",status=\"404\"} 1\n")) << t;
  EXPECT_TRUE(contains(t, "refpol_decisions_total 3\n")) << t;
  EXPECT_TRUE(contains(t, "refpol_evaluation_errors_total{kind=\"facts\"} 2\n")) << t;
  EXPECT_TRUE(contains(t, "refpol_policy_reloads_total{result=\"ok\"} 1\n")) << t;
  // The histogram: cumulative buckets ending in +Inf equal to the count, Prometheus number syntax.
  EXPECT_TRUE(contains(t, "refpol_http_request_duration_seconds_bucket{route=\"/v1/evaluate\",le=\"+Inf\"} 2\n")) << t;
  EXPECT_TRUE(contains(t, "refpol_http_request_duration_seconds_bucket{route=\"/v1/evaluate\",le=\"1\"} 2\n")) << t;
  EXPECT_TRUE(contains(t, "refpol_http_request_duration_seconds_count{route=\"/v1/evaluate\"} 2\n")) << t;
  EXPECT_TRUE(contains(t, "refpol_policy_info{id=\"flat-bench\",version=\"1\"")) << t;
}

// ---------------------------------------------------------------------------------------------
// Errors: the status, a JSON body with a code, and the field path where there is one

TEST_F(Serve, EveryErrorStatusHasAJsonBodyThatSaysWhy) {
  start({"--policy", kFlat, "--max-body-bytes", "4000", "--max-batch-items", "2"});
  auto c = client(*server_);
  struct Case {
    std::string method, path, body;
    int status;
    std::string needle;
  };
  const std::vector<Case> cases = {
      {"POST", "/v1/evaluate", R"({"now":"2026-12-20T10:00:00Z","referrer":)", 400,
       R"("code":"malformed_json","message":"the body is not well-formed JSON","problems":[{"path":"","line":1,"column":42,"message":"invalid JSON: expected a value, got the end of the document"}]})"},
      {"POST", "/v1/evaluate", "[1,2]", 422, R"("code":"invalid_facts")"},
      {"POST", "/v1/evaluate", R"({"now":"2026-12-20T10:00:00Z","referrer":{"id":"a","segment":"loyal","last_order_days_ago":"x"}})",
       422, R"({"path":"referrer.last_order_days_ago","line":1,"column":92,"message":"expected a whole number, got a string"})"},
      {"POST", "/v1/evaluate", flat_facts("a", 1), 422, R"("code":"no_now")"},
      {"POST", "/v1/evaluate?explain=maybe", flat_facts("a", 1), 400, R"("code":"bad_parameter","message":"?explain=`maybe`: give true or false")"},
      {"POST", "/v1/evaluate?now=2026-13-01", flat_facts("a", 1), 400, R"("code":"bad_parameter","message":"?now=`2026-13-01`)"},
      {"POST", "/v1/evaluate", std::string(5000, ' '), 413, R"x("code":"body_too_large","message":"the body is larger than 4000 bytes (--max-body-bytes)")x"},
      {"POST", "/v1/evaluate/batch", "{}\n{}\n{}\n", 413, R"x("code":"batch_too_large","message":"a batch holds at most 2 facts documents (--max-batch-items)")x"},
      {"POST", "/v1/evaluate/batch", "[{},{}", 400, R"("code":"malformed_json","message":"the array is not closed)"},
      {"GET", "/v1/evaluate", "", 405, R"("code":"method_not_allowed","message":"/v1/evaluate takes POST, not GET")"},
      {"POST", "/healthz", "", 405, R"("code":"method_not_allowed")"},
      {"GET", "/v2/evaluate", "", 404, R"("code":"not_found","message":"no route `/v2/evaluate`)"},
  };
  for (const Case& k : cases) {
    SCOPED_TRACE(k.method + " " + k.path + " " + k.body.substr(0, 60));
    auto r = k.method == "GET" ? c.Get(k.path) : c.Post(k.path, k.body, "application/json");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, k.status);
    EXPECT_EQ(r->get_header_value("Content-Type"), "application/json");
    EXPECT_TRUE(r->body.rfind("{\"error\":{", 0) == 0) << r->body;
    EXPECT_TRUE(contains(r->body, "\"status\":" + std::to_string(k.status))) << r->body;
    EXPECT_TRUE(contains(r->body, k.needle)) << r->body;
    if (k.status == 405) {
      EXPECT_FALSE(r->get_header_value("Allow").empty());
    }
  }
  // After all of that, the server still serves.
  auto ok = c.Post("/v1/evaluate?now=" + kNow, flat_facts("a", 1), "application/json");
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200);
  EXPECT_TRUE(server_->running());
}

TEST_F(Serve, APolicyWithErrorsDoesNotStart) {
  fs::path dir = fs::temp_directory_path() / "refpol-serve-broken";
  fs::create_directories(dir);
  testing::write_text(dir / "policy.refpol", "policy \"x\" version 1\ncurrency CNY\nreferrer eligible when nonsense\n");
  ServerProcess server({"--policy", (dir / "policy.refpol").string()});
  EXPECT_FALSE(server.started());
  EXPECT_EQ(server.wait(10s), 2);
  EXPECT_TRUE(contains(server.log(), "error")) << server.log();
  EXPECT_TRUE(contains(server.log(), R"("event":"start_failed")")) << server.log();
  fs::remove_all(dir);
}

// ---------------------------------------------------------------------------------------------
// Reload

class ServeReload : public Serve {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("refpol-serve-reload-" + std::to_string(getpid()));
    fs::create_directories(dir_);
    v1_ = read_text(source_dir() / kFlat);
    v2_ = v1_;
    auto at = v2_.find("cash 250 CNY");
    ASSERT_NE(at, std::string::npos);
    v2_.replace(at, 12, "cash 260 CNY");
    testing::write_text(dir_ / "v1.refpol", v1_);
    testing::write_text(dir_ / "v2.refpol", v2_);
    put(v1_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  // Replaces the served file atomically (as a deploy would: write aside, rename over).
  void put(const std::string& text) {
    testing::write_text(dir_ / "next.refpol", text);
    fs::rename(dir_ / "next.refpol", dir_ / "policy.refpol");
  }
  std::string served() const { return (dir_ / "policy.refpol").string(); }
  fs::path dir_;
  std::string v1_, v2_;
};

TEST_F(ServeReload, ABrokenFileKeepsTheOldPolicyAndAGoodOneIsSwappedIn) {
  start({"--policy", served()});
  auto c = client(*server_);
  const std::string facts = flat_facts("a", 3);
  auto before = c.Post("/v1/evaluate?now=" + kNow, facts, "application/json");
  ASSERT_TRUE(before);
  EXPECT_TRUE(contains(before->body, R"("amount":"275.00")")) << before->body;  // 250 * 1.1 loyal

  put("policy \"flat-bench\" version 2\ncurrency CNY\nreferrer eligible when referrer.nope\n");
  auto failed = c.Post("/v1/reload", "", "application/json");
  ASSERT_TRUE(failed);
  EXPECT_EQ(failed->status, 422);
  EXPECT_TRUE(contains(failed->body, R"("reloaded":false)")) << failed->body;
  EXPECT_TRUE(contains(failed->body, R"("code":"reload_failed")")) << failed->body;
  EXPECT_TRUE(contains(failed->body, R"("generation":1)")) << failed->body;
  EXPECT_TRUE(contains(failed->body, R"("diagnostics":[{)")) << failed->body;
  auto still = c.Post("/v1/evaluate?now=" + kNow, facts, "application/json");
  ASSERT_TRUE(still);
  EXPECT_EQ(still->body, before->body);
  EXPECT_TRUE(contains(server_->log(), R"("event":"reload","ok":false)")) << server_->log();

  put(v2_);
  auto ok = c.Post("/v1/reload", "", "application/json");
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200);
  EXPECT_TRUE(contains(ok->body, R"("reloaded":true)")) << ok->body;
  EXPECT_TRUE(contains(ok->body, R"("generation":2)")) << ok->body;
  auto after = c.Post("/v1/evaluate?now=" + kNow, facts, "application/json");
  ASSERT_TRUE(after);
  EXPECT_TRUE(contains(after->body, R"("amount":"286.00")")) << after->body;  // 260 * 1.1
  EXPECT_EQ(after->body, cli_decision((dir_ / "v2.refpol").string(), facts, {"--now", kNow}).substr(0));
}

TEST_F(ServeReload, SighupReloads) {
  start({"--policy", served()});
  auto c = client(*server_);
  put(v2_);
  server_->signal(SIGHUP);
  bool reloaded = false;
  for (int i = 0; i < 500 && !reloaded; ++i) {  // at most 5 s
    auto p = c.Get("/v1/policy");
    reloaded = p && contains(p->body, R"("generation":2)");
    if (!reloaded) std::this_thread::sleep_for(10ms);
  }
  EXPECT_TRUE(reloaded) << server_->log();
  EXPECT_TRUE(contains(server_->log(), R"("event":"reload","ok":true)")) << server_->log();
}

// Four clients evaluate without pause while the file flips between two versions and is reloaded
// twenty times: every request is answered 200 with exactly the v1 or the v2 decision.
TEST_F(ServeReload, NoRequestIsLostOrHalfAnsweredDuringReloads) {
  start({"--policy", served(), "--threads", "8"});
  const std::string facts = flat_facts("a", 3);
  const std::string d1 = cli_decision((dir_ / "v1.refpol").string(), facts, {"--now", kNow});
  const std::string d2 = cli_decision((dir_ / "v2.refpol").string(), facts, {"--now", kNow});
  ASSERT_NE(d1, d2);
  std::atomic<bool> stop{false};
  std::atomic<int> answered{0}, wrong{0}, seen_v1{0}, seen_v2{0};
  std::vector<std::thread> clients;
  for (int t = 0; t < 4; ++t) {
    clients.emplace_back([&] {
      auto c = client(*server_);
      for (int i = 0; i < 2000 && !stop; ++i) {
        auto r = c.Post("/v1/evaluate?now=" + kNow, facts, "application/json");
        if (r && r->status == 200 && r->body == d1) {
          ++seen_v1;
        } else if (r && r->status == 200 && r->body == d2) {
          ++seen_v2;
        } else {
          ++wrong;
        }
        ++answered;
      }
    });
  }
  auto c = client(*server_);
  int reloads_ok = 0;
  for (int k = 0; k < 20; ++k) {
    put(k % 2 == 0 ? v2_ : v1_);
    auto r = c.Post("/v1/reload", "", "application/json");
    reloads_ok += r && r->status == 200;
    std::this_thread::sleep_for(5ms);
  }
  stop = true;
  for (auto& t : clients) t.join();
  EXPECT_EQ(reloads_ok, 20);
  EXPECT_EQ(wrong.load(), 0);
  EXPECT_GT(answered.load(), 0);
  EXPECT_GT(seen_v1.load() + seen_v2.load(), 0);
  auto p = c.Get("/v1/policy");
  ASSERT_TRUE(p);
  EXPECT_TRUE(contains(p->body, R"("generation":21)")) << p->body;
}

// ---------------------------------------------------------------------------------------------
// SIGTERM

int connect_to(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    close(fd);
    return -1;
  }
  timeval tv{10, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  return fd;
}

bool send_all(int fd, const std::string& s) {
  return ::send(fd, s.data(), s.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(s.size());
}

// A request whose body is still arriving when SIGTERM comes is finished and answered; then the
// server exits 0 and accepts no new connection.
TEST_F(Serve, SigtermFinishesTheRequestInFlightThenExitsZero) {
  start({"--policy", kFlat});
  const std::string body = flat_facts("late", 5);
  int fd = connect_to(server_->port());
  ASSERT_GE(fd, 0);
  const std::string head = "POST /v1/evaluate?now=" + kNow + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                           "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n";
  ASSERT_TRUE(send_all(fd, head + body.substr(0, 40)));
  std::this_thread::sleep_for(100ms);
  server_->signal(SIGTERM);
  std::this_thread::sleep_for(200ms);
  EXPECT_TRUE(server_->running()) << "the server exited with a request half read";
  ASSERT_TRUE(send_all(fd, body.substr(40)));
  std::string response;
  char buf[65536];
  ssize_t n;
  while ((n = recv(fd, buf, sizeof buf, 0)) > 0) {
    response.append(buf, static_cast<std::size_t>(n));
    if (contains(response, "\r\n\r\n") && contains(response, "\"outputs\":")) break;
  }
  close(fd);
  EXPECT_TRUE(response.rfind("HTTP/1.1 200", 0) == 0) << response;
  EXPECT_TRUE(contains(response, cli_decision(kFlat, body, {"--now", kNow}))) << response;
  EXPECT_EQ(server_->wait(10s), 0);
  EXPECT_EQ(connect_to(server_->port()), -1);
  const std::string log = server_->log();
  EXPECT_TRUE(contains(log, R"("event":"stopping","signal":"SIGTERM")")) << log;
  EXPECT_TRUE(contains(log, R"("event":"stopped")")) << log;
}

// Every stderr line is one JSON object with a time, a level and an event.
TEST_F(Serve, LogLinesAreJson) {
  start({"--policy", kFlat});
  auto c = client(*server_);
  ASSERT_TRUE(c.Post("/v1/reload", "", "application/json"));
  server_->signal(SIGTERM);
  ASSERT_EQ(server_->wait(10s), 0);
  std::istringstream in(server_->log());
  int lines = 0;
  simdjson::dom::parser parser;
  for (std::string line; std::getline(in, line);) {
    ++lines;
    auto doc = parser.parse(line);
    ASSERT_FALSE(doc.error()) << line;
    EXPECT_FALSE(doc["ts"].error()) << line;
    EXPECT_FALSE(doc["level"].error()) << line;
    EXPECT_FALSE(doc["event"].error()) << line;
  }
  EXPECT_EQ(lines, 4);  // listening, reload, stopping, stopped
}

}  // namespace
}  // namespace refpol
