// docs/api.md as a test: a server runs the page's `<!-- api-policy: PATH -->`, each
// `<!-- api-request: METHOD PATH -->` (with the fenced body after it, if any) is sent to it, and
// the `<!-- api-response: STATUS -->` block that follows must be the answer, byte for byte, apart
// from `loaded_at`. Single-evaluation requests that succeed must also fit `refpol schema`.
#include <gtest/gtest.h>
#include <httplib.h>

#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "tests/support/mini_schema.hpp"
#include "tests/support/server_process.hpp"
#include "tests/support/test_support.hpp"

namespace refpol {
namespace {

using testing::read_text;
using testing::source_dir;

struct Exchange {
  int line = 0;
  std::string method, path, body;
  int status = 0;
  std::string response;
};

// The block after line `i` (skipping blank lines) when the next line opens a fence; advances i.
bool block_after(const std::vector<std::string>& lines, std::size_t& i, std::string& body) {
  std::size_t j = i + 1;
  if (j >= lines.size() || lines[j].rfind("```", 0) != 0) return false;
  body.clear();
  for (++j; j < lines.size() && lines[j] != "```"; ++j) body += lines[j] + "\n";
  i = j;
  return true;
}

std::string marker_value(const std::string& line, const std::string& kind) {
  const std::string open = "<!-- " + kind + ": ";
  if (line.rfind(open, 0) != 0) return "";
  return line.substr(open.size(), line.find(" -->") - open.size());
}

std::string without_loaded_at(const std::string& s) {
  static const std::regex at(R"re("loaded_at":"[^"]*")re");
  return std::regex_replace(s, at, R"("loaded_at":"…")");
}

TEST(ApiDoc, EveryExchangeIsARealOne) {
  std::vector<std::string> lines;
  {
    std::istringstream in(read_text(source_dir() / "docs/api.md"));
    for (std::string l; std::getline(in, l);) lines.push_back(l);
  }
  std::string policy;
  std::vector<Exchange> exchanges;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (std::string p = marker_value(lines[i], "api-policy"); !p.empty()) policy = p;
    std::string request = marker_value(lines[i], "api-request");
    if (request.empty()) continue;
    Exchange x;
    x.line = static_cast<int>(i + 1);
    x.method = request.substr(0, request.find(' '));
    x.path = request.substr(request.find(' ') + 1);
    if (block_after(lines, i, x.body) && !x.body.empty() && x.method == "POST" &&
        x.path.find("/batch") == std::string::npos) {
      x.body.pop_back();  // a single document: the block's final newline is not part of it
    }
    ++i;
    std::string status = i < lines.size() ? marker_value(lines[i], "api-response") : "";
    ASSERT_FALSE(status.empty()) << "docs/api.md:" << x.line << ": no api-response after the request";
    x.status = std::stoi(status);
    ASSERT_TRUE(block_after(lines, i, x.response)) << "docs/api.md:" << x.line;
    x.response.pop_back();
    exchanges.push_back(x);
  }
  ASSERT_FALSE(policy.empty());
  ASSERT_GE(exchanges.size(), 6u);

  testing::ServerProcess server({"--policy", policy});
  ASSERT_TRUE(server.started()) << server.log();
  httplib::Client c("127.0.0.1", server.port());
  auto facts_schema = testing::run_refpol({"schema", policy});
  ASSERT_EQ(facts_schema.exit_code, 0);
  testing::MiniSchema schema(facts_schema.out);
  for (const Exchange& x : exchanges) {
    SCOPED_TRACE("docs/api.md:" + std::to_string(x.line));
    auto r = x.method == "GET" ? c.Get(x.path) : c.Post(x.path, x.body, "application/json");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, x.status);
    std::string body = r->body;
    if (!body.empty() && body.back() == '\n') body.pop_back();  // JSON lines end in one
    EXPECT_EQ(without_loaded_at(body), without_loaded_at(x.response));
    if (x.status == 200 && (x.path == "/v1/evaluate" || x.path.rfind("/v1/evaluate?", 0) == 0)) {
      std::string problems;
      for (const auto& p : schema.validate(x.body)) problems += p + "\n";
      EXPECT_EQ(problems, "") << x.body;
    }
  }
}

}  // namespace
}  // namespace refpol
