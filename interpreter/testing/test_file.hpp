// Policy test files (`*.test.yaml`, docs/testing.md): the cases they hold and what each case
// expects of its decision. Loading never throws; every problem is a diagnostic with a position.
#pragma once
#include <yaml-cpp/yaml.h>

#include <optional>
#include <string>
#include <vector>

#include "interpreter/source/diagnostic.hpp"

namespace refpol::policytest {

// A scalar written in the test file: its text (empty and `null` set for `null` or nothing).
struct Scalar {
  std::string text;
  bool null = false;
  Span at;
};

// `reasons: [a, b]`: compared in order, as a whole.
struct ScalarList {
  std::vector<std::string> items;
  Span at;
};

// One field of a reward expectation, as written: `tier: gift_box`.
struct RewardField {
  std::string name;
  Scalar value;
};

// A reward under `rewards` or `absent`: matches a reward when every field given matches.
struct RewardExpect {
  Span at;
  std::vector<RewardField> fields;
};

struct ReferrerExpect {
  std::optional<Scalar> eligible, id;
  std::optional<ScalarList> reasons;
};

struct ReferralExpect {
  std::string id;
  Span at;
  std::optional<Scalar> status, position, settles_at, referee;
  std::optional<ScalarList> reasons;
};

struct OutputExpect {
  std::string name;
  Span at;
  YAML::Node value;  // compared with the output's JSON by value (see expect.hpp)
};

struct Expectations {
  std::optional<ReferrerExpect> referrer;
  std::vector<ReferralExpect> referrals;
  std::vector<RewardExpect> rewards;
  std::vector<RewardExpect> absent;
  bool exact = false;
  Span exact_at;
  std::vector<OutputExpect> outputs;
  std::optional<Scalar> error;  // the facts or the evaluation must fail with this in the message
};

struct TestCase {
  std::string name;
  Span at;  // the case's `name` value
  std::optional<Scalar> now;
  enum class Facts : std::uint8_t { none, file, inline_mapping } facts_form = Facts::none;
  Scalar facts_path;       // as written; for Facts::file
  std::string facts_file;  // resolved against the test file's folder
  YAML::Node facts_node;   // for Facts::inline_mapping
  Span facts_at;
  bool skip = false;
  std::string skip_reason;
  Expectations expect;
  Diagnostics problems;  // errors in this case: it fails without being run
};

// A test file larger than this is refused before it is read (it may hold several inline facts
// documents of up to kMaxFactsBytes each).
inline constexpr std::size_t kMaxTestFileBytes = 64 * 1024 * 1024;

struct TestFile {
  std::string path;    // as shown in messages
  SourcePtr source;    // null when the file could not be read
  std::string policy;  // resolved path of the policy, empty when none could be found
  Span policy_at;
  std::vector<TestCase> cases;
  Diagnostics problems;     // errors that stop the whole file (syntax, top-level keys, policy)
  bool unreadable = false;  // the file itself cannot be read: an I/O problem
};

// Reads and loads `path`. Relative paths in the file resolve against its folder.
TestFile load_test_file(const std::string& path);
// Loads a test file from text, for tests; `path` still decides where relative paths point.
TestFile parse_test_file(const std::string& path, std::string text);

// Value syntax shared by the loader (to reject bad values early) and the matcher.
// `50.00 CNY`, `500 points`, `20%`, `20 %` or a bare decimal (`unit` empty).
bool parse_amount_text(const std::string& text, std::string& number, std::string& unit);
// YAML 1.2 booleans: true/True/TRUE, false/False/FALSE.
bool parse_bool_text(const std::string& text, bool& out);

}  // namespace refpol::policytest
