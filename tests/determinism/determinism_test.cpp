// Determinism: the same facts give the same decisions, byte for byte, whatever the run and
// whatever the order of the keys in each facts object. The 100,000 records of the benchmark
// workload and the facts of two campaigns go through `refpol eval --jsonl` twice as they are,
// then with every object's keys reversed and shuffled (fixed seeds), re-serialised here with
// simdjson's On-Demand parser.
#include <dlfcn.h>
#include <gtest/gtest.h>
#include <simdjson.h>
#include <zlib.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <random>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tests/support/test_support.hpp"

namespace refpol {
namespace {

namespace fs = std::filesystem;

// The whole of a gzip file. refpol_tests is not linked with zlib (tests/CMakeLists.txt), so its
// three functions come from the shared library at run time; their types are zlib.h's.
std::string read_gzip(const fs::path& path) {
  void* lib = dlopen("libz.so.1", RTLD_NOW | RTLD_LOCAL);
  if (lib == nullptr) throw std::runtime_error(std::string("cannot load zlib: ") + dlerror());
  auto open = reinterpret_cast<decltype(&gzopen)>(dlsym(lib, "gzopen"));
  auto read = reinterpret_cast<decltype(&gzread)>(dlsym(lib, "gzread"));
  auto close = reinterpret_cast<decltype(&gzclose)>(dlsym(lib, "gzclose"));
  if (open == nullptr || read == nullptr || close == nullptr)
    throw std::runtime_error("zlib lacks gzopen");
  gzFile file = open(path.c_str(), "rb");
  if (file == nullptr) throw std::runtime_error("cannot open " + path.string());
  std::string out;
  out.reserve(32u << 20);  // the workload is 25 MB: one allocation, not a dozen copies
  char buf[1 << 16];
  int n = 0;
  while ((n = read(file, buf, sizeof buf)) > 0) out.append(buf, static_cast<std::size_t>(n));
  close(file);
  dlclose(lib);
  if (n < 0) throw std::runtime_error("cannot read " + path.string());
  return out;
}

enum class Order { as_written, reversed, shuffled };

// Writes a JSON value back as compact JSON with each object's keys in `order`. Scalars are
// copied as written (raw_json_token), so `1500.00` stays `1500.00`: simdjson's DOM keeps only
// the parsed double of a number, and 150000.0 is not the same amount as 150000.00 to refpol
// (the scale is part of a decimal). Hence the On-Demand API. The caller checks that `as_written`
// reproduces the input exactly before trusting the other orders.
class Writer {
 public:
  Writer(Order order, std::uint32_t seed) : order_(order), rng_(seed) {}

  void write(simdjson::ondemand::value v, std::string& out) {
    using T = simdjson::ondemand::json_type;
    switch (v.type().value()) {
      case T::object: {
        std::vector<std::pair<std::string, std::string>> fields;  // escaped key, written value
        simdjson::ondemand::object object = v.get_object().value();  // not a temporary: ASan
        for (auto field : object) {
          std::pair<std::string, std::string> f;
          string(field.unescaped_key().value(), f.first);
          write(field.value(), f.second);
          fields.push_back(std::move(f));
        }
        permute(fields);
        out += '{';
        for (std::size_t i = 0; i < fields.size(); ++i) {
          if (i > 0) out += ',';
          out += fields[i].first;
          out += ':';
          out += fields[i].second;
        }
        out += '}';
        return;
      }
      case T::array: {
        out += '[';
        bool first = true;
        simdjson::ondemand::array array = v.get_array().value();
        for (auto item : array) {
          if (!first) out += ',';
          first = false;
          write(item.value(), out);
        }
        out += ']';
        return;
      }
      default: {
        std::string_view token = v.raw_json_token();
        while (!token.empty() && (token.back() == ' ' || token.back() == '\n' ||
                                  token.back() == '\r' || token.back() == '\t')) {
          token.remove_suffix(1);
        }
        out += token;
        return;
      }
    }
  }

 private:
  Order order_;
  std::mt19937 rng_;

  template <typename V>
  void permute(std::vector<V>& v) {
    if (order_ == Order::reversed) std::reverse(v.begin(), v.end());
    if (order_ == Order::shuffled) {
      // Fisher-Yates with the raw engine: std::shuffle's steps are left to the library.
      for (std::size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[rng_() % i]);
    }
  }

  // Keys in the test data have no escapes; one that had would fail the as-written check.
  static void string(std::string_view s, std::string& out) {
    out += '"';
    for (char c : s) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
};

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    if (end > start) lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

// One JSON-lines text from `documents`, each rewritten with its keys in `order`.
std::string rewrite(const std::vector<std::string>& documents, Order order, std::uint32_t seed) {
  simdjson::ondemand::parser parser;
  Writer writer(order, seed);
  std::string out;
  std::size_t size = 0;
  for (const std::string& doc : documents) size += doc.size() + 1;
  out.reserve(size);
  for (const std::string& doc : documents) {
    simdjson::padded_string padded(doc);
    simdjson::ondemand::document parsed = parser.iterate(padded);
    writer.write(parsed.get_value().value(), out);
    out += '\n';
  }
  return out;
}

// The same documents with whitespace removed and nothing else changed (simdjson's minifier).
std::string minified(const std::vector<std::string>& documents) {
  std::string out;
  for (const std::string& doc : documents) {
    std::string buf(doc.size(), '\0');
    std::size_t length = 0;
    EXPECT_EQ(simdjson::minify(doc.data(), doc.size(), buf.data(), length), simdjson::SUCCESS);
    out.append(buf.data(), length);
    out += '\n';
  }
  return out;
}

std::string eval_jsonl(const std::string& policy, const std::string& input,
                       const std::vector<std::string>& extra = {}) {
  std::vector<std::string> args = {"eval", "--jsonl", "--policy", policy};
  args.insert(args.end(), extra.begin(), extra.end());
  testing::RunResult r = testing::run_refpol(args, input);
  EXPECT_EQ(r.exit_code, 0) << r.err.substr(0, 500);
  return std::move(r.out);
}

std::size_t count_lines(const std::string& text) {
  return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
}

// Fails with the first line that differs, rather than two huge strings.
void expect_same_lines(const std::string& want, const std::string& got, const char* what) {
  if (want == got) return;
  std::vector<std::string> a = split_lines(want), b = split_lines(got);
  for (std::size_t i = 0; i < std::min(a.size(), b.size()); ++i) {
    if (a[i] != b[i]) {
      ADD_FAILURE() << what << ": line " << i + 1 << " differs:\n  " << a[i].substr(0, 400)
                    << "\n  " << b[i].substr(0, 400);
      return;
    }
  }
  ADD_FAILURE() << what << ": " << a.size() << " lines, then " << b.size();
}

TEST(Determinism, BenchmarkWorkloadInAnyKeyOrder) {
  const std::vector<std::string> records =
      split_lines(read_gzip(testing::source_dir() / "bench/flat/facts.jsonl.gz"));
  ASSERT_EQ(records.size(), 100000u);
  std::string as_written;
  as_written.reserve(32u << 20);
  for (const std::string& record : records) (as_written += record) += '\n';
  // The records are compact JSON, and the writer loses nothing: in the original order it gives
  // back the input exactly.
  expect_same_lines(as_written, rewrite(records, Order::as_written, 0), "rewritten as written");
  ASSERT_FALSE(::testing::Test::HasFailure());
  const std::string reversed = rewrite(records, Order::reversed, 0);
  const std::string shuffled = rewrite(records, Order::shuffled, 20261208);
  ASSERT_TRUE(reversed != as_written && shuffled != as_written && shuffled != reversed);

  const std::string policy = "bench/flat/policy.refpol";
  const std::vector<std::string> now = {"--now", "2026-12-20T10:00:00Z"};
  const std::string first = eval_jsonl(policy, as_written, now);
  ASSERT_EQ(count_lines(first), records.size());
  EXPECT_EQ(first.find("\"error\""), std::string::npos) << "a record failed";
  expect_same_lines(first, eval_jsonl(policy, as_written, now), "a second run");
  expect_same_lines(first, eval_jsonl(policy, reversed, now), "keys reversed");
  expect_same_lines(first, eval_jsonl(policy, shuffled, now), "keys shuffled");
}

TEST(Determinism, CampaignFactsInAnyKeyOrder) {
  for (const char* campaign : {"policies/old-friends", "policies/social-sharing"}) {
    std::vector<std::string> documents;
    for (const fs::path& file :
         testing::files_with_suffix(testing::source_dir() / campaign / "facts", ".json")) {
      documents.push_back(testing::read_text(file));
    }
    ASSERT_GE(documents.size(), 5u) << campaign;
    const std::string as_written = minified(documents);
    expect_same_lines(as_written, rewrite(documents, Order::as_written, 0), campaign);
    ASSERT_FALSE(::testing::Test::HasFailure());
    const std::string policy = std::string(campaign) + "/policy.refpol";
    const std::string first = eval_jsonl(policy, as_written);
    ASSERT_EQ(count_lines(first), documents.size());
    EXPECT_EQ(first.find("\"error\""), std::string::npos) << first.substr(0, 500);
    expect_same_lines(first, eval_jsonl(policy, as_written), campaign);
    // These documents nest (referrals, their referees and orders), so reverse and shuffle
    // them with several seeds, together in one run each.
    std::string input = rewrite(documents, Order::reversed, 0);
    std::string expected = first;
    for (std::uint32_t seed = 1; seed <= 20; ++seed) {
      input += rewrite(documents, Order::shuffled, seed);
      expected += first;
    }
    expect_same_lines(expected, eval_jsonl(policy, input), campaign);
  }
}

// The environment is not an input: another time zone, locale or home folder changes nothing.
TEST(Determinism, DecisionsIgnoreTheEnvironment) {
  std::vector<std::string> documents;
  for (const fs::path& file :
       testing::files_with_suffix(testing::source_dir() / "policies/old-friends/facts", ".json")) {
    documents.push_back(testing::read_text(file));
  }
  const std::string input = minified(documents);
  const std::string policy = "policies/old-friends/policy.refpol";
  const std::string first = eval_jsonl(policy, input);
  const char* names[] = {"TZ", "LC_ALL", "LANG", "HOME"};
  std::vector<std::pair<std::string, bool>> saved;
  for (const char* name : names) {
    const char* v = std::getenv(name);
    saved.emplace_back(v ? v : "", v != nullptr);
  }
  ::setenv("TZ", "Pacific/Kiritimati", 1);  // UTC+14
  ::setenv("LC_ALL", "de_DE.UTF-8", 1);     // a decimal comma, where a locale is honoured
  ::setenv("LANG", "de_DE.UTF-8", 1);
  ::setenv("HOME", "/nonexistent", 1);
  const std::string elsewhere = eval_jsonl(policy, input);
  for (std::size_t i = 0; i < saved.size(); ++i) {
    if (saved[i].second) {
      ::setenv(names[i], saved[i].first.c_str(), 1);
    } else {
      ::unsetenv(names[i]);
    }
  }
  expect_same_lines(first, elsewhere, "another environment");
}

}  // namespace
}  // namespace refpol
