// Loading `*.test.yaml` files: yaml-cpp's node tree (which keeps every node's Mark) walked
// against the format of docs/testing.md. Unknown or repeated keys and malformed values are
// errors at their line and column; loading goes on so that one run reports them all.
#include "interpreter/testing/test_file.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/parser.h>

#include "interpreter/check/checker.hpp"
#include "interpreter/eval/decimal.hpp"
#include "interpreter/eval/time.hpp"
#include "interpreter/source/read_file.hpp"

namespace refpol::policytest {
namespace {

namespace fs = std::filesystem;

const std::vector<std::string> kTopKeys = {"policy", "now", "cases"};
const std::vector<std::string> kCaseKeys = {"name", "now", "facts", "skip", "expect"};
const std::vector<std::string> kExpectKeys = {"referrer", "referrals", "rewards", "absent",
                                              "exact",    "outputs",   "error"};
const std::vector<std::string> kReferrerKeys = {"eligible", "reasons", "id"};
const std::vector<std::string> kReferralKeys = {"status", "position", "reasons", "settles_at",
                                                "referee"};
const std::vector<std::string> kRewardKeys = {
    "rule",   "tier", "recipient",  "kind",       "amount", "unit",       "label",  "status",
    "reason", "key",  "granted_at", "settles_at", "due_by", "expires_at", "capped", "value"};
const std::vector<std::string> kRewardStatuses = {"granted", "pending", "void", "expired",
                                                  "withheld"};
const std::vector<std::string> kReferralStatuses = {"qualified", "not_qualified", "void",
                                                    "ineligible_referee"};
const std::vector<std::string> kRewardKinds = {"cash",    "coupon",     "credit",  "points",
                                               "storage", "discount",   "gift",    "experience",
                                               "title",   "membership", "service", "upgrade"};
const std::vector<std::string> kDateFields = {"granted_at", "settles_at", "due_by", "expires_at"};
// Fields whose value may be `null` (the decision has no value there).
const std::vector<std::string> kNullableRewardFields = {
    "tier",  "amount",     "unit",       "label",  "reason",
    "value", "granted_at", "settles_at", "due_by", "expires_at"};

// `closest`, and also a word with two neighbouring letters swapped (`fatcs` -> `facts`).
std::string suggestion(const std::string& word, const std::vector<std::string>& candidates) {
  std::string near = closest(word, candidates);
  if (!near.empty()) return near;
  for (const auto& c : candidates) {
    if (c.size() != word.size()) continue;
    for (std::size_t i = 0; i + 1 < word.size(); ++i) {
      std::string swapped = word;
      std::swap(swapped[i], swapped[i + 1]);
      if (swapped == c) return c;
    }
  }
  return {};
}

bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

// `a`, `b` and `c`
std::string listing(const std::vector<std::string>& names) {
  std::string out;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += i + 1 == names.size() ? " and " : ", ";
    out += fmt::format("`{}`", names[i]);
  }
  return out;
}

const char* describe_node(const YAML::Node& n) {
  switch (n.Type()) {
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Map:
      return "a mapping";
    case YAML::NodeType::Null:
      return "nothing";
    default:
      return "a single value";
  }
}

// Where the aliases (`*name`) of a YAML text are, the first kMaxAliasesShown of them. An alias
// repeats a node wherever it appears, so ten lines can stand for ten billion values ("billion
// laughs") that inlining facts or printing an expected value would expand; test files, like
// facts files (docs/facts.md), take none.
constexpr std::size_t kMaxAliasesShown = 20;

class AliasFinder : public YAML::EventHandler {
 public:
  std::vector<std::uint32_t> at;
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t) override {
    if (at.size() < kMaxAliasesShown) {
      at.push_back(mark.pos < 0 ? 0 : static_cast<std::uint32_t>(mark.pos));
    }
  }
  void OnDocumentStart(const YAML::Mark&) override {}
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t,
                const std::string&) override {}
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {}
  void OnMapEnd() override {}
};

// Only for text that stuck_at() has passed: on text where yaml-cpp gets stuck, the document loop
// would not end.
std::vector<std::uint32_t> find_aliases(const std::string& text) {
  AliasFinder finder;
  try {
    std::istringstream in(text);
    YAML::Parser parser(in);
    while (finder.at.size() < kMaxAliasesShown && parser.HandleNextDocument(finder)) {
    }
  } catch (const YAML::Exception&) {
    // Malformed YAML: YAML::LoadAll reports it, with its position.
  }
  return finder.at;
}

// yaml-cpp 0.7 never consumes a `,` outside a flow collection (a file that is just `,`, or `- a`
// then `,`): every HandleNextDocument reports one more empty document at the same place, so
// YAML::LoadAll, and any loop over the documents, never ends. Where that happens, if it does.
std::optional<std::uint32_t> stuck_at(const std::string& text) {
  struct DocumentStarts : YAML::EventHandler {
    std::optional<int> last;
    bool stuck = false;
    void OnDocumentStart(const YAML::Mark& mark) override {
      stuck = last && *last == mark.pos;  // no token consumed since the last document started
      last = mark.pos;
    }
    void OnDocumentEnd() override {}
    void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
    void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
    void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t, const std::string&) override {}
    void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {}
    void OnSequenceEnd() override {}
    void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {}
    void OnMapEnd() override {}
  } starts;
  try {
    std::istringstream in(text);
    YAML::Parser parser(in);
    while (!starts.stuck && parser.HandleNextDocument(starts)) {
    }
  } catch (const YAML::Exception&) {
    // Malformed YAML: YAML::LoadAll reports it, with its position.
  }
  if (!starts.stuck) return std::nullopt;
  return static_cast<std::uint32_t>(*starts.last < 0 ? 0 : *starts.last);
}

struct Entry {
  std::string key;
  Span key_at;
  YAML::Node value;
  Span value_at;
};

class Loader {
 public:
  explicit Loader(TestFile& file) : f_(file), src_(*file.source) {
    fs::path dir = fs::path(file.path).parent_path();
    dir_ = dir;
  }

  void load() {
    if (std::optional<std::uint32_t> at = stuck_at(src_.text())) {
      const std::string& text = src_.text();
      error(f_.problems, Span{*at, *at + 1},
            *at < text.size() && text[*at] == ','
                ? "invalid YAML: a `,` outside a flow collection (`[...]` or `{...}`)"
                : "invalid YAML: the YAML reader cannot get past this");
      return;
    }
    if (std::vector<std::uint32_t> aliases = find_aliases(src_.text()); !aliases.empty()) {
      const std::string& text = src_.text();
      for (std::uint32_t pos : aliases) {
        std::uint32_t end = pos + 1;  // past the `*`, to the end of the name
        constexpr std::string_view kNameEnds = " \t\r\n,[]{}";
        while (end < text.size() && kNameEnds.find(text[end]) == std::string_view::npos) ++end;
        error(f_.problems, Span{pos, end}, "YAML aliases (`*name`) are not allowed in test files",
              "write the value out where the alias stands");
      }
      return;
    }
    std::vector<YAML::Node> documents;
    try {
      documents = YAML::LoadAll(src_.text());
    } catch (const YAML::Exception& e) {
      std::uint32_t pos = e.mark.pos < 0 ? 0 : static_cast<std::uint32_t>(e.mark.pos);
      error(f_.problems, Span{pos, pos + 1}, fmt::format("invalid YAML: {}", e.msg));
      return;
    }
    if (documents.size() > 1) {
      error(f_.problems, span_of(documents[1]),
            "a test file holds one YAML document, but this is a second one (after `---`)");
      return;
    }
    YAML::Node root = documents.empty() ? YAML::Node() : documents[0];
    if (!root.IsMap()) {
      error(f_.problems, Span{0, 0},
            fmt::format("a test file is a mapping with `cases` (and optionally `policy`), not {}",
                        describe_node(root)));
      return;
    }
    std::optional<Entry> cases, policy;
    for (Entry& e : entries(root, kTopKeys, "the test file", f_.problems)) {
      if (e.key == "cases") cases = e;
      if (e.key == "policy") policy = e;
      if (e.key == "now") default_now_ = datetime(e, f_.problems);
    }
    resolve_policy(policy);
    if (!cases) {
      error(f_.problems, span_of(root), "the test file has no `cases`",
            "add `cases:` followed by a list of cases, each with a `name`");
      return;
    }
    if (!cases->value.IsSequence()) {
      error(f_.problems, cases->value_at,
            fmt::format("`cases` must be a list of cases, not {}", describe_node(cases->value)));
      return;
    }
    if (cases->value.size() == 0) {
      error(f_.problems, cases->value_at, "`cases` is empty");
      return;
    }
    std::size_t n = 0;
    for (const YAML::Node& item : cases->value) load_case(item, ++n);
  }

 private:
  TestFile& f_;
  const SourceFile& src_;
  fs::path dir_;
  std::optional<Scalar> default_now_;

  void error(Diagnostics& d, Span at, std::string message, std::string hint = {}) {
    Diagnostic& diag = d.error("", f_.source, at, std::move(message));
    diag.hint = std::move(hint);
  }

  // Where a node starts and, for single values, where it ends (quotes included).
  Span span_of(const YAML::Node& n) const {
    if (n.Mark().pos < 0) return Span{0, 0};
    std::uint32_t begin = static_cast<std::uint32_t>(n.Mark().pos);
    const std::string& text = src_.text();
    if (begin >= text.size()) return Span{begin, begin};
    std::uint32_t end = begin + 1;
    if (n.IsScalar()) {
      char c = text[begin];
      std::size_t line_end = text.find('\n', begin);
      if (line_end == std::string::npos) line_end = text.size();
      if (c == '"' || c == '\'') {
        std::size_t close = begin + 1;
        while (close < line_end && (text[close] != c || (c == '"' && text[close - 1] == '\\')))
          ++close;
        end = static_cast<std::uint32_t>(std::min(close + 1, line_end));
      } else if (c != '|' && c != '>') {
        end = static_cast<std::uint32_t>(std::min(begin + n.Scalar().size(), line_end));
      }
    }
    return Span{begin, std::max(end, begin + 1)};
  }

  // The entries of a mapping, with unknown and repeated keys reported.
  std::vector<Entry> entries(const YAML::Node& map, const std::vector<std::string>& allowed,
                             const std::string& where, Diagnostics& d) {
    std::vector<Entry> out;
    for (auto it = map.begin(); it != map.end(); ++it) {
      Entry e;
      e.key = it->first.IsScalar() ? it->first.Scalar() : std::string();
      e.key_at = span_of(it->first);
      e.value = it->second;
      e.value_at = span_of(it->second);
      // An empty value has no position of its own: point at its key.
      if (e.value.IsNull() || e.value_at.begin < e.key_at.begin) e.value_at = e.key_at;
      if (!it->first.IsScalar()) {
        error(d, e.key_at,
              fmt::format("a key in {} must be a name, not {}", where, describe_node(it->first)));
        continue;
      }
      if (!allowed.empty() && !contains(allowed, e.key)) {
        std::string near = suggestion(e.key, allowed);
        error(d, e.key_at, fmt::format("unknown key `{}` in {}", e.key, where),
              near.empty() ? fmt::format("{} takes {}", where, listing(allowed))
                           : fmt::format("did you mean `{}`?", near));
        continue;
      }
      auto seen =
          std::find_if(out.begin(), out.end(), [&](const Entry& x) { return x.key == e.key; });
      if (seen != out.end()) {
        Diagnostic& diag = d.error("", f_.source, e.key_at,
                                   fmt::format("`{}` is given twice in {}", e.key, where));
        diag.notes.push_back(
            fmt::format("first given on line {}", src_.position(seen->key_at.begin).line));
        continue;
      }
      out.push_back(std::move(e));
    }
    return out;
  }

  // A single value (or null when allowed); nullopt after reporting anything else.
  std::optional<Scalar> scalar(const Entry& e, Diagnostics& d, bool allow_null,
                               bool required_text = false) {
    Scalar s;
    s.at = e.value_at;
    if (e.value.IsNull()) {
      if (!allow_null) {
        error(d, e.value_at, fmt::format("`{}` needs a value", e.key));
        return std::nullopt;
      }
      s.null = true;
      return s;
    }
    if (!e.value.IsScalar()) {
      error(d, e.value_at,
            fmt::format("`{}` must be a single value, not {}", e.key, describe_node(e.value)));
      return std::nullopt;
    }
    s.text = e.value.Scalar();
    if (required_text && s.text.empty()) {
      error(d, e.value_at, fmt::format("`{}` is empty", e.key));
      return std::nullopt;
    }
    return s;
  }

  // A required date-time: `now`.
  std::optional<Scalar> datetime(const Entry& e, Diagnostics& d) {
    std::optional<Scalar> s = scalar(e, d, false, true);
    if (s && !check_datetime(*s, d)) s.reset();
    return s;
  }

  std::optional<ScalarList> list(const Entry& e, Diagnostics& d) {
    if (!e.value.IsSequence()) {
      error(d, e.value_at,
            fmt::format("`{}` must be a list such as `[a, b]`, not {}", e.key,
                        describe_node(e.value)),
            e.value.IsNull() ? "write `[]` for an empty list" : "");
      return std::nullopt;
    }
    ScalarList out;
    out.at = e.value_at;
    for (const YAML::Node& item : e.value) {
      if (!item.IsScalar()) {
        error(d, span_of(item),
              fmt::format("the items of `{}` must be single values, not {}", e.key,
                          describe_node(item)));
        return std::nullopt;
      }
      out.items.push_back(item.Scalar());
    }
    return out;
  }

  bool check_datetime(const Scalar& s, Diagnostics& d) {
    if (s.null) return true;
    DateTime dt;
    std::string problem;
    // The policy's zone is not known yet: UTC is enough to check the syntax.
    if (!parse_datetime(s.text, TimeZone(), dt, problem)) {
      error(d, s.at, fmt::format("`{}` is not a date-time: {}", s.text, problem),
            "write an ISO date-time such as `2027-01-10T12:00:00+08:00`");
      return false;
    }
    return true;
  }

  bool check_bool(const Scalar& s, const std::string& key, Diagnostics& d) {
    bool b;
    if (!parse_bool_text(s.text, b)) {
      error(d, s.at, fmt::format("`{}` must be `true` or `false`, not `{}`", key, s.text));
      return false;
    }
    return true;
  }

  bool check_member(const Scalar& s, const std::string& key,
                    const std::vector<std::string>& allowed, Diagnostics& d) {
    if (contains(allowed, s.text)) return true;
    std::string near = suggestion(s.text, allowed);
    error(d, s.at, fmt::format("`{}` is not a {}", s.text, key),
          near.empty() ? fmt::format("a {} is one of {}", key, listing(allowed))
                       : fmt::format("did you mean `{}`?", near));
    return false;
  }

  void resolve_policy(const std::optional<Entry>& policy) {
    if (policy) {
      std::optional<Scalar> s = scalar(*policy, f_.problems, false, true);
      if (!s) return;
      f_.policy = resolve(s->text);
      f_.policy_at = s->at;
      return;
    }
    // Without `policy:`, the one .refpol next to the test file, or else in its parent folder.
    fs::path folder = dir_.empty() ? fs::path(".") : dir_;
    for (int up = 0; up < 2; ++up) {
      std::vector<std::string> found;
      std::error_code ec;
      for (const auto& entry : fs::directory_iterator(folder, ec)) {
        if (entry.path().extension() == ".refpol" && entry.is_regular_file(ec)) {
          found.push_back(entry.path().filename().string());
        }
      }
      std::sort(found.begin(), found.end());
      if (found.size() == 1) {
        f_.policy = (folder / found[0]).lexically_normal().generic_string();
        return;
      }
      if (found.size() > 1) {
        error(f_.problems, Span{0, 0},
              fmt::format("the test file names no `policy`, and `{}` holds {} policies: {}",
                          folder.lexically_normal().generic_string(), found.size(), listing(found)),
              "add `policy: FILE.refpol` (relative to the test file)");
        return;
      }
      folder = folder / "..";
    }
    error(f_.problems, Span{0, 0},
          "the test file names no `policy`, and there is no `.refpol` file next to it or in its "
          "parent folder",
          "add `policy: ../policy.refpol` (relative to the test file)");
  }

  std::string resolve(const std::string& relative) const {
    fs::path p(relative);
    if (p.is_relative()) p = dir_ / p;
    return p.lexically_normal().generic_string();
  }

  void load_case(const YAML::Node& node, std::size_t number) {
    TestCase c;
    c.name = fmt::format("case {}", number);
    c.at = span_of(node);
    if (!node.IsMap()) {
      error(c.problems, c.at,
            fmt::format("a case must be a mapping with `name`, `facts` and `expect`, not {}",
                        describe_node(node)));
      f_.cases.push_back(std::move(c));
      return;
    }
    bool named = false;
    std::optional<Entry> expect;
    for (Entry& e : entries(node, kCaseKeys, "a case", c.problems)) {
      if (e.key == "name") {
        if (auto s = scalar(e, c.problems, false, true)) {
          c.name = s->text;
          c.at = s->at;
          named = true;
        }
      } else if (e.key == "now") {
        c.now = datetime(e, c.problems);
      } else if (e.key == "facts") {
        load_facts(e, c);
      } else if (e.key == "skip") {
        load_skip(e, c);
      } else if (e.key == "expect") {
        expect = e;
      }
    }
    if (!named) error(c.problems, c.at, fmt::format("case {} has no `name`", number));
    if (!c.now) c.now = default_now_;
    if (c.facts_form == TestCase::Facts::none && !c.problems.has_errors()) {
      error(c.problems, c.at, fmt::format("case `{}` has no `facts`", c.name),
            "give a facts file (`facts: ../facts/x.json`) or the facts themselves as a mapping");
    }
    if (expect) load_expect(*expect, c);
    f_.cases.push_back(std::move(c));
  }

  void load_facts(const Entry& e, TestCase& c) {
    c.facts_at = e.value_at;
    if (e.value.IsMap()) {
      c.facts_form = TestCase::Facts::inline_mapping;
      c.facts_node = e.value;
      return;
    }
    std::optional<Scalar> s = scalar(e, c.problems, false, true);
    if (!s) return;
    c.facts_form = TestCase::Facts::file;
    c.facts_path = *s;
    c.facts_file = resolve(s->text);
  }

  void load_skip(const Entry& e, TestCase& c) {
    if (e.value.IsNull()) {
      c.skip = true;
      return;
    }
    std::optional<Scalar> s = scalar(e, c.problems, true);
    if (!s) return;
    bool b;
    if (e.value.Tag() == "?" && parse_bool_text(s->text, b)) {
      c.skip = b;
      return;
    }
    c.skip = true;
    c.skip_reason = s->text;
  }

  void load_expect(const Entry& outer, TestCase& c) {
    Diagnostics& d = c.problems;
    if (outer.value.IsNull()) return;
    if (!outer.value.IsMap()) {
      error(d, outer.value_at,
            fmt::format("`expect` must be a mapping, not {}", describe_node(outer.value)));
      return;
    }
    Expectations& x = c.expect;
    std::vector<Entry> list = entries(outer.value, kExpectKeys, "`expect`", d);
    for (const Entry& e : list) {
      if (e.key == "referrer") {
        load_referrer(e, x, d);
      } else if (e.key == "referrals") {
        load_referrals(e, x, d);
      } else if (e.key == "rewards" || e.key == "absent") {
        load_rewards(e, e.key == "rewards" ? x.rewards : x.absent, d);
      } else if (e.key == "exact") {
        if (auto s = scalar(e, d, false); s && check_bool(*s, e.key, d)) {
          parse_bool_text(s->text, x.exact);
          x.exact_at = e.key_at;
        }
      } else if (e.key == "outputs") {
        if (!e.value.IsMap()) {
          error(d, e.value_at,
                fmt::format("`outputs` must be a mapping of output names to values, not {}",
                            describe_node(e.value)));
          continue;
        }
        for (Entry& o : entries(e.value, {}, "`outputs`", d)) {
          x.outputs.push_back(OutputExpect{o.key, o.key_at, o.value});
        }
      } else if (e.key == "error") {
        x.error = scalar(e, d, false, true);
      }
    }
    if (x.error) {
      for (const Entry& e : list) {
        if (e.key != "error" && e.key != "exact") {
          error(d, e.key_at,
                fmt::format("`{}` cannot be checked in a case that expects an `error`", e.key),
                "a case that expects an error has no decision: split it into two cases");
        }
      }
    }
  }

  void load_referrer(const Entry& outer, Expectations& x, Diagnostics& d) {
    if (!outer.value.IsMap()) {
      error(d, outer.value_at,
            fmt::format("`referrer` must be a mapping such as `{{ eligible: true }}`, not {}",
                        describe_node(outer.value)));
      return;
    }
    ReferrerExpect r;
    for (const Entry& e : entries(outer.value, kReferrerKeys, "`referrer`", d)) {
      if (e.key == "eligible") {
        if (auto s = scalar(e, d, false); s && check_bool(*s, e.key, d)) r.eligible = s;
      } else if (e.key == "reasons") {
        r.reasons = list(e, d);
      } else if (e.key == "id") {
        r.id = scalar(e, d, false);
      }
    }
    x.referrer = std::move(r);
  }

  void load_referrals(const Entry& outer, Expectations& x, Diagnostics& d) {
    if (!outer.value.IsMap()) {
      error(d, outer.value_at,
            fmt::format("`referrals` must be a mapping of referral ids to expectations, not {}",
                        describe_node(outer.value)),
            "write `R-101: { status: qualified }`");
      return;
    }
    for (const Entry& item : entries(outer.value, {}, "`referrals`", d)) {
      ReferralExpect r;
      r.id = item.key;
      r.at = item.key_at;
      if (!item.value.IsMap()) {
        error(d, item.value_at,
              fmt::format("the expectation for referral `{}` must be a mapping such as `{{ status: "
                          "qualified }}`, not {}",
                          item.key, describe_node(item.value)));
        continue;
      }
      for (const Entry& e :
           entries(item.value, kReferralKeys, fmt::format("referral `{}`", item.key), d)) {
        if (e.key == "status") {
          if (auto s = scalar(e, d, false);
              s && check_member(*s, "referral status", kReferralStatuses, d))
            r.status = s;
        } else if (e.key == "position") {
          auto s = scalar(e, d, true);
          if (s && !s->null &&
              (s->text.empty() || s->text.find_first_not_of("0123456789") != std::string::npos ||
               s->text[0] == '0')) {
            error(d, s->at,
                  fmt::format("`position` must be a whole number from 1, or `null`, not `{}`",
                              s->text));
            s.reset();
          }
          r.position = s;
        } else if (e.key == "reasons") {
          r.reasons = list(e, d);
        } else if (e.key == "settles_at") {
          if (auto s = scalar(e, d, true); s && check_datetime(*s, d)) r.settles_at = s;
        } else if (e.key == "referee") {
          r.referee = scalar(e, d, false);
        }
      }
      x.referrals.push_back(std::move(r));
    }
  }

  void load_rewards(const Entry& outer, std::vector<RewardExpect>& out, Diagnostics& d) {
    if (!outer.value.IsSequence()) {
      error(d, outer.value_at,
            fmt::format("`{}` must be a list of rewards, not {}", outer.key,
                        describe_node(outer.value)),
            outer.value.IsNull() ? "write `[]` for none"
                                 : "write each reward as `- { rule: NAME, ... }`");
      return;
    }
    for (const YAML::Node& item : outer.value) {
      RewardExpect r;
      r.at = span_of(item);
      if (!item.IsMap()) {
        error(
            d, r.at,
            fmt::format("a reward in `{}` must be a mapping such as `{{ rule: welcome }}`, not {}",
                        outer.key, describe_node(item)));
        continue;
      }
      bool ok = true;
      for (const Entry& e : entries(item, kRewardKeys, "a reward", d)) {
        auto s = scalar(e, d, contains(kNullableRewardFields, e.key));
        if (!s || !check_reward_field(e.key, *s, d)) {
          ok = false;
          continue;
        }
        r.fields.push_back(RewardField{e.key, *s});
      }
      if (ok) out.push_back(std::move(r));
    }
  }

  bool check_reward_field(const std::string& key, const Scalar& s, Diagnostics& d) {
    if (s.null) return true;
    if (key == "status") return check_member(s, "reward status", kRewardStatuses, d);
    if (key == "kind") return check_member(s, "reward kind", kRewardKinds, d);
    if (key == "capped") return check_bool(s, key, d);
    if (contains(kDateFields, key)) return check_datetime(s, d);
    if (key == "amount" || key == "value") {
      std::string number, unit;
      if (!parse_amount_text(s.text, number, unit)) {
        error(d, s.at, fmt::format("`{}` is not an amount", s.text),
              "write `50.00 CNY`, `500 points`, `20%` or a bare number");
        return false;
      }
    }
    return true;
  }
};

}  // namespace

bool parse_amount_text(const std::string& text, std::string& number, std::string& unit) {
  std::string t = text;
  auto trim = [](std::string& s) {
    s.erase(0, s.find_first_not_of(' '));
    s.erase(s.find_last_not_of(' ') + 1);
  };
  trim(t);
  unit.clear();
  if (!t.empty() && t.back() == '%') {
    unit = "%";
    t.pop_back();
    trim(t);
  } else if (std::size_t space = t.find(' '); space != std::string::npos) {
    unit = t.substr(space + 1);
    t.resize(space);
    trim(unit);
    if (unit.empty() || unit.find(' ') != std::string::npos) return false;
  }
  Decimal d;
  if (parse_decimal(t, d) != DecimalError::none) return false;
  number = t;
  return true;
}

bool parse_bool_text(const std::string& text, bool& out) {
  if (text == "true" || text == "True" || text == "TRUE") {
    out = true;
    return true;
  }
  if (text == "false" || text == "False" || text == "FALSE") {
    out = false;
    return true;
  }
  return false;
}

TestFile parse_test_file(const std::string& path, std::string text) {
  TestFile f;
  f.path = path;
  f.source = std::make_shared<SourceFile>(path, std::move(text));
  Loader(f).load();
  return f;
}

TestFile load_test_file(const std::string& path) {
  std::string text;
  ReadResult read = read_file_limited(path, kMaxTestFileBytes, text);
  if (read.status != ReadStatus::ok) {
    TestFile f;
    f.path = path;
    // Too large is a problem of the file, like a syntax error; the others are I/O problems.
    f.unreadable = read.status != ReadStatus::too_large;
    f.problems.error("", nullptr, Span{}, fmt::format("`{}` {}", path, describe_read_problem(read, kMaxTestFileBytes)));
    return f;
  }
  return parse_test_file(path, std::move(text));
}

}  // namespace refpol::policytest
