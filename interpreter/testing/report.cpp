// Text and JUnit XML reports of a test run. Both are deterministic: no times, no host names.
#include "interpreter/testing/report.hpp"

#include <fmt/format.h>

#include "interpreter/source/markup.hpp"

namespace refpol::policytest {
namespace {

using Outcome = CaseResult::Outcome;

// Every line of `text` indented by `pad`.
std::string indent(const std::string& text, const std::string& pad) {
  std::string out;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    out += pad + text.substr(start, end - start) + "\n";
    start = end + 1;
  }
  return out;
}

// What went wrong in a case, as plain text: problems first, then each failure and its diff.
std::string case_details(const CaseResult& c) {
  std::string out = c.errors;
  for (const Failure& f : c.failures) {
    out += fmt::format("{}: {}\n", f.where, f.message);
    for (const auto& d : f.details) out += "    " + d + "\n";
  }
  return out;
}


// `policies/old-friends/tests/ladder.test.yaml` -> `policies.old-friends.tests.ladder`
std::string class_name(std::string path) {
  if (path.size() > 10 && path.compare(path.size() - 10, 10, ".test.yaml") == 0)
    path.resize(path.size() - 10);
  for (char& c : path) {
    if (c == '/') c = '.';
  }
  return path;
}

}  // namespace

std::vector<std::string> coverage_below(const RunResult& r, double min_percent) {
  std::vector<std::string> out;
  for (const auto& c : r.coverage) {
    std::size_t total = c->outcomes(), seen = c->outcomes_seen();
    // Compare in integers: seen / total < min / 100, with min as given (up to 0.01 %).
    auto min_hundredths = static_cast<unsigned long long>(min_percent * 100.0 + 0.5);
    if (static_cast<unsigned long long>(seen) * 10000ull >= min_hundredths * total) continue;
    out.push_back(fmt::format("coverage of {} is {}% ({} of {} outcomes), below the required {}%", c->policy(),
                              total == 0 ? 100 : seen * 100 / total, seen, total, min_percent));
  }
  return out;
}

std::string render_text_report(const RunResult& r, bool coverage, const std::vector<std::string>& notes) {
  std::string out;
  for (const FileResult& f : r.files) {
    for (const CaseResult& c : f.cases) {
      switch (c.outcome) {
        case Outcome::passed:
          out += fmt::format("PASS {}: {}\n", c.where, c.name);
          break;
        case Outcome::skipped:
          out += fmt::format("SKIP {}: {}{}\n", c.where, c.name,
                             c.skip_reason.empty() ? "" : fmt::format(" ({})", c.skip_reason));
          break;
        case Outcome::failed:
          out += fmt::format("FAIL {}: {}\n", c.where, c.name);
          out += indent(case_details(c), "  ");
          break;
      }
    }
  }
  if (coverage) {
    std::vector<const Coverage*> all;
    for (const auto& c : r.coverage) all.push_back(c.get());
    out += render_coverage_text(all);
  }
  for (const auto& n : notes) out += n + "\n";
  out += summary_line(r) + "\n";
  return out;
}

std::string render_junit(const RunResult& r) {
  std::size_t errors = 0, failures = 0;
  std::string suites;
  for (const FileResult& f : r.files) {
    std::size_t file_errors = 0, file_failures = 0, file_skipped = 0;
    std::string cases;
    for (const CaseResult& c : f.cases) {
      cases += fmt::format("    <testcase classname=\"{}\" name=\"{}\" file=\"{}\"",
                           markup_escape(class_name(f.path)), markup_escape(c.name), markup_escape(f.path));
      if (c.line > 0) cases += fmt::format(" line=\"{}\"", c.line);
      switch (c.outcome) {
        case Outcome::passed:
          cases += "/>\n";
          break;
        case Outcome::skipped:
          ++file_skipped;
          cases +=
              fmt::format("><skipped message=\"{}\"/></testcase>\n", markup_escape(c.skip_reason));
          break;
        case Outcome::failed: {
          bool error = !c.errors.empty();
          ++(error ? file_errors : file_failures);
          std::string first = error                ? c.errors.substr(0, c.errors.find('\n'))
                              : c.failures.empty() ? std::string()
                                                   : c.failures.front().message;
          cases += fmt::format(">\n      <{0} message=\"{1}\">{2}</{0}>\n    </testcase>\n",
                               error ? "error" : "failure", markup_escape(first),
                               markup_escape(case_details(c)));
          break;
        }
      }
    }
    errors += file_errors;
    failures += file_failures;
    suites += fmt::format(
        "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\">\n",
        markup_escape(f.path), f.cases.size(), file_failures, file_errors, file_skipped);
    suites += cases;
    suites += "  </testsuite>\n";
  }
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out += fmt::format(
      "<testsuites name=\"refpol test\" tests=\"{}\" failures=\"{}\" errors=\"{}\" "
      "skipped=\"{}\">\n",
      r.passed + r.failed + r.skipped, failures, errors, r.skipped);
  out += suites;
  out += "</testsuites>\n";
  return out;
}

}  // namespace refpol::policytest
