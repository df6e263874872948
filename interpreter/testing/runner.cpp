// The test run: discovery, one compile per policy, facts (from a file or inline), evaluation and
// the comparison of each decision with its case. Nothing here prints; cli/test_cmd.cpp does.
#include "interpreter/testing/runner.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "interpreter/eval/evaluator.hpp"
#include "interpreter/eval/facts.hpp"
#include "interpreter/parse/parser.hpp"
#include "interpreter/source/read_file.hpp"

namespace refpol::policytest {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kSuffix = ".test.yaml";
// Inline facts deeper than this are cut; the facts loader reports them as too deep anyway.
constexpr int kMaxInlineDepth = 100;

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

std::string canonical(const std::string& path) {
  std::error_code ec;
  fs::path p = fs::weakly_canonical(path, ec);
  return ec ? path : p.string();
}

bool glob(std::string_view pattern, std::string_view text) {
  if (pattern.empty()) return text.empty();
  if (pattern[0] == '*') {
    for (std::size_t i = 0; i <= text.size(); ++i) {
      if (glob(pattern.substr(1), text.substr(i))) return true;
    }
    return false;
  }
  if (text.empty()) return false;
  return (pattern[0] == '?' || pattern[0] == text[0]) && glob(pattern.substr(1), text.substr(1));
}

// A plain scalar that can stand unquoted in flow YAML and still mean what it meant.
bool plain_safe(const std::string& s) {
  if (s.empty()) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == '-' || c == '+';
  });
}

void emit_flow(const YAML::Node& n, std::string& out, int depth) {
  // Aliases repeat nodes without limit; past the loader's size limit it only says "too large".
  if (out.size() > kMaxFactsBytes) return;
  if (depth > kMaxInlineDepth || n.IsNull() || !n.IsDefined()) {
    out += "null";
  } else if (n.IsScalar()) {
    // Quoted and block scalars (tag `!`) stay strings; plain ones stay plain where they can.
    if (n.Tag() == "?" && plain_safe(n.Scalar())) {
      out += n.Scalar();
    } else {
      out += '"' + json_escape(n.Scalar()) + '"';
    }
  } else if (n.IsSequence()) {
    out += '[';
    bool first = true;
    for (const auto& item : n) {
      if (!first) out += ", ";
      first = false;
      emit_flow(item, out, depth + 1);
    }
    out += ']';
  } else {
    out += '{';
    bool first = true;
    for (auto it = n.begin(); it != n.end(); ++it) {
      if (!first) out += ", ";
      first = false;
      emit_flow(it->first, out, depth + 1);
      out += ": ";
      emit_flow(it->second, out, depth + 1);
    }
    out += '}';
  }
}

// The node a facts error's path names (`referrals[1].first_order.amount`), or the deepest one
// that exists on the way there.
YAML::Node node_at(const YAML::Node& root, const std::string& path) {
  YAML::Node at = root;
  std::size_t i = 0;
  while (i < path.size()) {
    if (path[i] == '.') {
      ++i;
      continue;
    }
    YAML::Node next;
    if (path[i] == '[') {
      std::size_t close = path.find(']', i);
      if (close == std::string::npos || !at.IsSequence()) break;
      std::size_t index = std::strtoul(path.substr(i + 1, close - i - 1).c_str(), nullptr, 10);
      if (index >= at.size()) break;
      next = at[index];
      i = close + 1;
    } else {
      // A name, or a quoted key of the top-level `paid` (`paid."a.b/c"`), which may hold dots.
      std::size_t end = path.find_first_of(".[", i);
      std::string name;
      if (path[i] == '"') {
        end = i + 1;
        while ((end = path.find('"', end)) != std::string::npos && end + 1 < path.size() &&
               path[end + 1] != '.' && path[end + 1] != '[') {
          ++end;
        }
        if (end == std::string::npos) break;
        name = path.substr(i + 1, end - i - 1);
        ++end;
      } else {
        if (end == std::string::npos) end = path.size();
        name = path.substr(i, end - i);
      }
      if (!at.IsMap()) break;
      bool found = false;
      for (auto it = at.begin(); it != at.end(); ++it) {
        if (it->first.IsScalar() && it->first.Scalar() == name) {
          next = it->second;
          found = true;
          break;
        }
      }
      if (!found) break;
      i = end;
    }
    if (next.Mark().pos < 0) break;
    // reset(), not `=`: assigning a yaml-cpp node would overwrite the node it refers to.
    at.reset(next);
  }
  return at;
}

// Problems in the order of the file, whatever order the loader found them in.
std::string sorted_text(Diagnostics problems) {
  problems.sort();
  return render_text(problems);
}

struct PolicyEntry {
  std::shared_ptr<const Program> program;
  std::string errors;  // rendered diagnostics when it does not compile
  bool unreadable = false;
  bool reported = false;  // its diagnostics have been shown once
  Coverage* coverage = nullptr;
};

class Runner {
 public:
  Runner(const RunOptions& o, RunResult& r) : o_(o), r_(r) {}

  void run() {
    std::vector<std::string> files = discover();
    if (files.empty()) {
      if (r_.usage_errors.empty()) {
        r_.usage_errors.push_back(
            fmt::format("refpol: error: no `*{}` files found in {}", kSuffix, shown_paths()));
      }
      return;
    }
    for (const auto& path : files) run_file(path);
    if (!o_.filters.empty() && r_.passed + r_.failed + r_.skipped == 0) {
      std::string filters;
      for (const auto& f : o_.filters) filters += fmt::format(" `{}`", f);
      r_.usage_errors.push_back(
          fmt::format("refpol: error: no test case matches --filter{}", filters));
    }
  }

 private:
  const RunOptions& o_;
  RunResult& r_;
  std::map<std::string, PolicyEntry> policies_;
  std::map<std::string, std::string> facts_texts_;
  EvalScratch scratch_;
  Decision decision_;

  std::vector<std::string> paths() const {
    return o_.paths.empty() ? std::vector<std::string>{"."} : o_.paths;
  }

  std::string shown_paths() const {
    std::string out;
    for (const auto& p : paths()) out += (out.empty() ? "" : ", ") + fmt::format("`{}`", p);
    return out;
  }

  std::vector<std::string> discover() {
    std::vector<std::string> out;
    std::vector<std::string> seen;
    auto add = [&](const fs::path& p) {
      std::string key = canonical(p.string());
      if (std::find(seen.begin(), seen.end(), key) != seen.end()) return;
      seen.push_back(key);
      out.push_back(p.lexically_normal().generic_string());
    };
    for (const auto& path : paths()) {
      std::error_code ec;
      if (!fs::exists(path, ec)) {
        r_.usage_errors.push_back(fmt::format("refpol: error: `{}` does not exist", path));
        r_.io_error = true;
        continue;
      }
      if (!fs::is_directory(path, ec)) {
        add(path);
        continue;
      }
      std::vector<fs::path> found;
      fs::recursive_directory_iterator it(path, fs::directory_options::skip_permission_denied, ec),
          end;
      for (; !ec && it != end; it.increment(ec)) {
        std::string name = it->path().filename().string();
        // Hidden folders (.git, .cache) hold no tests of the project.
        if (!name.empty() && name[0] == '.' && it->is_directory(ec)) {
          it.disable_recursion_pending();
          continue;
        }
        if (ends_with(name, kSuffix) && it->is_regular_file(ec)) found.push_back(it->path());
      }
      std::sort(found.begin(), found.end());
      for (const auto& f : found) add(f);
    }
    return out;
  }

  bool selected(const std::string& name) const {
    if (o_.filters.empty()) return true;
    return std::any_of(o_.filters.begin(), o_.filters.end(),
                       [&](const std::string& f) { return filter_matches(f, name); });
  }

  void count(const CaseResult& c) {
    switch (c.outcome) {
      case CaseResult::Outcome::passed:
        ++r_.passed;
        break;
      case CaseResult::Outcome::failed:
        ++r_.failed;
        break;
      case CaseResult::Outcome::skipped:
        ++r_.skipped;
        break;
    }
  }

  // The whole file fails as one case.
  void file_failed(FileResult& fr, std::string errors) {
    CaseResult c;
    c.outcome = CaseResult::Outcome::failed;
    c.name = "(the test file)";
    c.where = fr.path;
    c.errors = std::move(errors);
    count(c);
    fr.cases.push_back(std::move(c));
  }

  PolicyEntry& policy(const std::string& path) {
    auto [it, fresh] = policies_.try_emplace(canonical(path));
    PolicyEntry& e = it->second;
    if (!fresh) return e;
    std::string text;
    ReadResult read = read_file_limited(path, kMaxSourceBytes, text);
    if (read.status == ReadStatus::too_large) {
      e.errors = fmt::format("refpol: error: the policy `{}` {} [E010]\n", path, describe_read_problem(read, kMaxSourceBytes));
      return e;
    }
    if (read.status != ReadStatus::ok) {
      e.unreadable = true;
      return e;
    }
    CompileResult compiled = compile_text(path, std::move(text));
    if (!compiled.program) {
      e.errors = render_text(compiled.diagnostics);
      return e;
    }
    e.program = compiled.program;
    if (o_.coverage) {
      r_.coverage.push_back(std::make_unique<Coverage>(e.program));
      e.coverage = r_.coverage.back().get();
    }
    return e;
  }

  void run_file(const std::string& path) {
    TestFile tf = load_test_file(path);
    FileResult fr;
    fr.path = path;
    fr.policy = tf.policy;
    if (tf.unreadable) r_.io_error = true;
    if (tf.problems.has_errors()) {
      file_failed(fr, sorted_text(tf.problems));
      r_.files.push_back(std::move(fr));
      return;
    }
    PolicyEntry& pe = policy(tf.policy);
    if (!pe.program) {
      std::string errors;
      if (pe.unreadable) {
        r_.io_error = true;
        Diagnostics d;
        d.error("", tf.source, tf.policy_at,
                fmt::format("the policy `{}` cannot be read (does it exist?)", tf.policy));
        errors = render_text(d);
      } else if (!pe.reported) {
        errors = pe.errors;
        pe.reported = true;
      } else {
        errors =
            fmt::format("refpol: error: the policy `{}` does not compile (see above)\n", tf.policy);
      }
      file_failed(fr, errors);
      r_.files.push_back(std::move(fr));
      return;
    }
    for (const TestCase& c : tf.cases) {
      if (!selected(c.name)) continue;
      CaseResult cr = run_case(tf, c, pe);
      count(cr);
      fr.cases.push_back(std::move(cr));
    }
    r_.files.push_back(std::move(fr));
  }

  // Loads the case's facts; false (with the problems in `cr` or `facts_errors`) when it cannot.
  bool load_facts(const TestFile& tf, const TestCase& c, const Program& program,
                  FactsDocument& facts, CaseResult& cr, std::vector<std::string>& facts_errors) {
    FactsContext ctx{&program.policy.schema, &program.zone, 0};
    std::vector<FactsError> errors;
    if (c.facts_form == TestCase::Facts::file) {
      auto [it, fresh] = facts_texts_.try_emplace(canonical(c.facts_file));
      ReadResult read;
      if (fresh) read = read_file_limited(c.facts_file, kMaxFactsBytes, it->second);
      if (read.status != ReadStatus::ok) {
        facts_texts_.erase(it);
        if (read.status != ReadStatus::too_large) r_.io_error = true;
        Diagnostics d;
        d.error("", tf.source, c.facts_at,
                fmt::format("the facts file `{}` {}", c.facts_file, describe_read_problem(read, kMaxFactsBytes)));
        cr.errors = render_text(d);
        return false;
      }
      bool yaml = ends_with(c.facts_file, ".yaml") || ends_with(c.facts_file, ".yml");
      bool ok = yaml ? load_facts_yaml(it->second, ctx, facts, errors)
                     : load_facts_json(it->second, ctx, facts, errors);
      if (ok) return true;
      for (const auto& e : errors) facts_errors.push_back(render_facts_error(c.facts_file, e));
      return false;
    }
    std::string text;
    emit_flow(c.facts_node, text, 0);
    if (load_facts_yaml(text, ctx, facts, errors)) return true;
    // Point into the test file: the loader's positions are in the generated text.
    for (const auto& e : errors) {
      YAML::Node at = node_at(c.facts_node, e.path);
      std::uint32_t pos =
          at.Mark().pos < 0 ? c.facts_at.begin : static_cast<std::uint32_t>(at.Mark().pos);
      std::string shown = e.path.empty() ? e.message : fmt::format("{}: {}", e.path, e.message);
      facts_errors.push_back(
          fmt::format("{}: error: facts: {}", where(*tf.source, Span{pos, pos}), shown));
    }
    return false;
  }

  CaseResult run_case(const TestFile& tf, const TestCase& c, PolicyEntry& pe) {
    const Program& program = *pe.program;
    CaseResult cr;
    cr.name = c.name;
    cr.where = where(*tf.source, c.at);
    cr.line = tf.source->position(c.at.begin).line;
    cr.outcome = CaseResult::Outcome::failed;
    if (c.problems.has_errors()) {
      cr.errors = sorted_text(c.problems);
      return cr;
    }
    if (c.skip) {
      cr.outcome = CaseResult::Outcome::skipped;
      cr.skip_reason = c.skip_reason;
      return cr;
    }
    const std::optional<Scalar>& expected_error = c.expect.error;
    auto error_expected = [&](const std::vector<std::string>& messages) {
      return expected_error &&
             std::any_of(messages.begin(), messages.end(), [&](const std::string& m) {
               return m.find(expected_error->text) != std::string::npos;
             });
    };
    FactsDocument facts;
    std::vector<std::string> facts_errors;
    if (!load_facts(tf, c, program, facts, cr, facts_errors)) {
      if (!cr.errors.empty()) return cr;
      if (error_expected(facts_errors)) {
        cr.outcome = CaseResult::Outcome::passed;
        return cr;
      }
      Failure f{where(*tf.source, c.facts_at), "the facts cannot be loaded", facts_errors};
      if (expected_error) f.message += fmt::format(", but not with `{}`", expected_error->text);
      cr.failures.push_back(std::move(f));
      return cr;
    }
    EvalOptions options;
    options.explain = pe.coverage != nullptr;
    if (c.now) {
      DateTime now;
      std::string problem;
      if (!parse_datetime(c.now->text, program.zone, now, problem)) {
        Diagnostics d;
        d.error("", tf.source, c.now->at,
                fmt::format("`{}` is not a date-time: {}", c.now->text, problem));
        cr.errors = render_text(d);
        return cr;
      }
      options.now = now;
    } else if (!facts.now) {
      Diagnostics d;
      d.error("", tf.source, c.at,
              fmt::format("case `{}` has no `now`, and its facts have no top-level `now`", c.name))
          .hint = "add `now: 2027-01-10T12:00:00+08:00` to the case";
      cr.errors = render_text(d);
      return cr;
    }
    EvalError eval_error;
    if (!evaluate(program, facts, options, scratch_, decision_, eval_error)) {
      std::string rendered = render_eval_error(program, eval_error);
      if (error_expected({eval_error.message, rendered})) {
        cr.outcome = CaseResult::Outcome::passed;
        return cr;
      }
      Failure f{cr.where, "the evaluation failed", {rendered}};
      if (expected_error) f.message += fmt::format(", but not with `{}`", expected_error->text);
      cr.failures.push_back(std::move(f));
      return cr;
    }
    if (pe.coverage) pe.coverage->record(decision_);
    if (expected_error) {
      cr.failures.push_back(
          Failure{where(*tf.source, expected_error->at),
                  fmt::format("expected an error containing `{}`, but the policy gave a decision",
                              expected_error->text),
                  {}});
      return cr;
    }
    cr.failures = check_decision(program, decision_, c.expect, *tf.source);
    if (cr.failures.empty()) cr.outcome = CaseResult::Outcome::passed;
    return cr;
  }
};

}  // namespace

bool filter_matches(const std::string& filter, const std::string& name) {
  if (filter.find_first_of("*?") != std::string::npos) return glob(filter, name);
  return name.find(filter) != std::string::npos;
}

std::string inline_facts_text(const YAML::Node& facts) {
  std::string out;
  emit_flow(facts, out, 0);
  return out;
}

RunResult run_tests(const RunOptions& options) {
  RunResult result;
  Runner(options, result).run();
  return result;
}

std::string summary_line(const RunResult& r) {
  std::string out = fmt::format("{} passed, {} failed", r.passed, r.failed);
  if (r.skipped > 0) out += fmt::format(", {} skipped", r.skipped);
  return out;
}

}  // namespace refpol::policytest
