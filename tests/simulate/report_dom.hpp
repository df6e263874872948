// Test helpers for report.html: the fixtures, the `data-metric` numbers of a page (as written or
// as a browser dumps it) and their values in summary.json, compared the way the page promises.
#pragma once
#include <gtest/gtest.h>
#include <simdjson.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <regex>
#include <string>
#include <vector>

#include "tests/support/test_support.hpp"

namespace refpol::testing {

inline std::string report_fixture(const std::string& name) {
  return read_text(source_dir() / "tests/simulate/fixtures" / name);
}

// summary.json as `refpol simulate` writes it, for a small generated history replayed through
// old-friends with itself as the baseline: the report must read what refpol really writes, not
// only the hand-written fixtures. Empty (and a test failure) if the simulation fails.
inline std::string simulated_summary() {
  const std::filesystem::path history =
      std::filesystem::temp_directory_path() /
      ("refpol-report-history-" + std::to_string(getpid()) + ".jsonl");
  const std::string command = std::string(REFPOL_GEN_HISTORY) +
                              " --customers 500 --events 8000 --seed 5 > " + history.string();
  EXPECT_EQ(std::system(command.c_str()), 0) << command;
  const RunResult r =
      run_refpol({"simulate", "--policy", "policies/old-friends/policy.refpol", "--baseline",
                  "policies/old-friends/policy.refpol", "--events", history.string()});
  std::filesystem::remove(history);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return r.exit_code == 0 ? r.out : "";
}

// Text of an HTML text node or attribute value, with the character references the page and
// Chromium's serializer use turned back into characters.
inline std::string html_unescape(const std::string& text) {
  static const std::vector<std::pair<std::string, std::string>> kRefs = {
      {"&lt;", "<"},  {"&gt;", ">"},        {"&quot;", "\""},
      {"&#39;", "'"}, {"&nbsp;", "\u00A0"}, {"&amp;", "&"}};
  std::string out;
  for (std::size_t i = 0; i < text.size();) {
    bool replaced = false;
    for (const auto& [ref, ch] : kRefs) {
      if (text.compare(i, ref.size(), ref) == 0) {
        out += ch;
        i += ref.size();
        replaced = true;
        break;
      }
    }
    if (!replaced) out += text[i++];
  }
  return out;
}

struct MetricText {
  std::string path;   // the data-metric attribute
  std::string text;   // the element's text
  bool null = false;  // data-null: the JSON value is null
};

// Every element with a data-metric attribute; the page puts only text inside them.
inline std::vector<MetricText> metrics_in(const std::string& html) {
  static const std::regex kMetric(R"re(<[a-z]+([^>]*)\sdata-metric="([^"]*)"([^>]*)>([^<]*)<)re");
  std::vector<MetricText> out;
  for (auto it = std::sregex_iterator(html.begin(), html.end(), kMetric);
       it != std::sregex_iterator(); ++it) {
    const std::string attributes = (*it)[1].str() + (*it)[3].str();
    out.push_back({html_unescape((*it)[2].str()), html_unescape((*it)[4].str()),
                   attributes.find("data-null") != std::string::npos});
  }
  return out;
}

// `referrals.bound` -> `/referrals/bound` (the page's paths have no array indexes).
inline std::string json_pointer(const std::string& path) {
  std::string out = "/";
  for (char c : path) out += c == '.' ? '/' : c;
  return out;
}

// Checks that a metric shows the value at its path in `summary`: strings exactly, integers in
// decimal, and for numbers (integers and decimal strings) the same digits with commas between
// each group of three of the integer part. A JSON null must be marked data-null.
inline void expect_metric_matches(const simdjson::dom::element& summary, const MetricText& m) {
  simdjson::dom::element value;
  ASSERT_EQ(summary.at_pointer(json_pointer(m.path)).get(value), simdjson::SUCCESS)
      << "data-metric `" << m.path << "` is not a path of summary.json";
  if (value.is_null()) {
    EXPECT_TRUE(m.null) << m.path << " is null in summary.json but shown as `" << m.text << "`";
    return;
  }
  EXPECT_FALSE(m.null) << m.path;
  std::string expected;
  if (value.is_string()) {
    expected = std::string(value.get_string().value());
  } else if (value.is_int64()) {
    expected = std::to_string(value.get_int64().value());
  } else {
    ADD_FAILURE() << m.path << " is neither a string, an integer nor null in summary.json";
    return;
  }
  static const std::regex kNumber(R"(-?[0-9]+(\.[0-9]+)?)");
  static const std::regex kGrouped(R"(-?[0-9]{1,3}(,[0-9]{3})*(\.[0-9]+)?)");
  if (!std::regex_match(expected, kNumber)) {
    EXPECT_EQ(m.text, expected) << m.path;
    return;
  }
  std::string digits;
  for (char c : m.text) {
    if (c != ',') digits += c;
  }
  EXPECT_EQ(digits, expected) << m.path << " shown as `" << m.text << "`";
  EXPECT_TRUE(std::regex_match(m.text, kGrouped))
      << m.path << ": commas misplaced in `" << m.text << "`";
}

// The headline paths every report shows, and those it adds with a baseline.
inline const std::vector<std::string> kHeadlinePaths = {"referrals.bound",
                                                        "referrals.qualified",
                                                        "referrals.conversion_rate",
                                                        "customers.referred_share",
                                                        "customers.referred_new",
                                                        "customers.new",
                                                        "referrers.participation_rate",
                                                        "referrers.participating",
                                                        "referrers.existing_customers",
                                                        "rewards.total_value",
                                                        "rewards.count",
                                                        "budget.used",
                                                        "budget.ran_out_on",
                                                        "budget.withheld_for_budget",
                                                        "rewards.clawback.cancelled.value",
                                                        "rewards.clawback.cancelled.count",
                                                        "rewards.clawback.no_longer_given.count",
                                                        "rewards.clawback.no_longer_given.value"};
inline const std::vector<std::string> kComparisonPaths = {
    "comparison.cost_delta", "comparison.total_value", "comparison.baseline_total_value",
    "comparison.gained",     "comparison.lost",        "comparison.changed"};

}  // namespace refpol::testing
