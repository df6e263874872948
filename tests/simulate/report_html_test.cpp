// Tests for interpreter/simulate/report_html: the page written for the summary.json fixtures in
// tests/simulate/fixtures (headline numbers, charts, escaping, no network, empty data) and the
// errors for documents that are not summaries. report_browser_test.cpp opens the same pages.
#include "interpreter/simulate/report_html.hpp"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <algorithm>
#include <string>
#include <vector>

#include "interpreter/simulate/report_svg.hpp"
#include "tests/simulate/report_dom.hpp"

namespace refpol {
namespace {

using testing::report_fixture;

std::string render(const std::string& json) {
  std::string html, error;
  EXPECT_TRUE(render_report_html(json, html, error)) << error;
  EXPECT_EQ(error, "");
  return html;
}

std::string render_error(const std::string& json) {
  std::string html = "untouched", error;
  EXPECT_FALSE(render_report_html(json, html, error));
  EXPECT_EQ(html, "untouched");
  return error;
}

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

// `json` with `from` (which must occur exactly once) replaced by `to`.
std::string edit(const std::string& json, const std::string& from, const std::string& to) {
  EXPECT_EQ(count(json, from), 1u) << from;
  std::string out = json;
  const std::size_t at = out.find(from);
  if (at != std::string::npos) out.replace(at, from.size(), to);
  return out;
}

std::string metric_html(const std::string& path, const std::string& text) {
  return "data-metric=\"" + path + "\">" + text + "</span>";
}

TEST(ReportHtml, HeadlineNumbersAreThoseOfTheSummary) {
  const std::string html = render(report_fixture("report_summary.json"));
  // Written out by hand from the fixture: commas group thousands, nothing else changes.
  const std::vector<std::pair<std::string, std::string>> expected = {
      {"referrals.bound", "1,204"},
      {"referrals.qualified", "502"},
      {"referrals.conversion_rate", "0.4169"},
      {"customers.referred_share", "0.3867"},
      {"customers.referred_new", "812"},
      {"customers.new", "2,100"},
      {"referrers.participation_rate", "0.2113"},
      {"referrers.participating", "655"},
      {"referrers.existing_customers", "3,100"},
      {"rewards.total_value", "31,415.50"},
      {"rewards.count", "1,180"},
      {"budget.used", "27,070.50"},
      {"budget.ran_out_on", "2026-12-28"},
      {"budget.withheld_for_budget", "34"},
  };
  for (const auto& [path, text] : expected)
    EXPECT_NE(html.find(metric_html(path, text)), std::string::npos) << path;
}

TEST(ReportHtml, EveryMetricMatchesTheSummary) {
  for (const char* name :
       {"report_summary.json", "report_summary_baseline.json", "report_summary_empty.json"}) {
    SCOPED_TRACE(name);
    const std::string json = report_fixture(name);
    simdjson::dom::parser parser;
    const simdjson::dom::element summary = parser.parse(json);
    const std::vector<testing::MetricText> metrics = testing::metrics_in(render(json));
    std::vector<std::string> paths;
    for (const auto& m : metrics) {
      testing::expect_metric_matches(summary, m);
      paths.push_back(m.path);
    }
    std::vector<std::string> wanted = testing::kHeadlinePaths;
    if (!summary["comparison"].is_null()) {
      wanted.insert(wanted.end(), testing::kComparisonPaths.begin(),
                    testing::kComparisonPaths.end());
    }
    for (const std::string& path : wanted) {
      EXPECT_EQ(std::count(paths.begin(), paths.end(), path), 1) << path;
    }
  }
}

TEST(ReportHtml, RendersWhatRefpolSimulateWrites) {
  const std::string json = testing::simulated_summary();
  ASSERT_NE(json, "");
  const std::string html = render(json);
  for (const char* chart : {"cost", "tiers", "funnel", "status", "comparison"}) {
    EXPECT_EQ(count(html, std::string("<svg data-chart=\"") + chart + "\""), 1u) << chart;
  }
  simdjson::dom::parser parser;
  const simdjson::dom::element summary = parser.parse(json);
  std::vector<std::string> paths;
  for (const auto& m : testing::metrics_in(html)) {
    testing::expect_metric_matches(summary, m);
    paths.push_back(m.path);
  }
  for (const std::string& path : testing::kHeadlinePaths) {
    EXPECT_EQ(std::count(paths.begin(), paths.end(), path), 1) << path;
  }
}

// Where refpol and docs/simulate.md differ (rules' `at` or `line`, null rates and window ends,
// null units, failed evaluations), the report takes both.
TEST(ReportHtml, ReadsBothTheDocumentedAndTheWrittenShapes) {
  const std::string plain = render(report_fixture("report_summary.json"));
  EXPECT_NE(plain.find("<td>referral qualifies</td><td class=\"n\">7</td><td>70</td>"),
            std::string::npos);
  EXPECT_NE(plain.find("<td>gift</td><td></td><td class=\"n\">30</td>"), std::string::npos);
  EXPECT_EQ(plain.find("failed evaluations"), std::string::npos);

  const std::string compared = render(report_fixture("report_summary_baseline.json"));
  EXPECT_NE(compared.find("<td>referral &lt;qualifies&gt;</td><td class=\"n\">5</td>"
                          "<td>policies/老朋友/policy.refpol:68</td>"),
            std::string::npos);
  EXPECT_NE(compared.find("<th class=\"n\">failed evaluations</th>"), std::string::npos);

  const std::string empty = render(report_fixture("report_summary_empty.json"));
  EXPECT_NE(empty.find("<dd>(start of the history) to (no events)</dd>"), std::string::npos);
  for (const char* rate :
       {"referrals.conversion_rate", "customers.referred_share", "referrers.participation_rate"}) {
    EXPECT_NE(empty.find(std::string("data-metric=\"") + rate + "\" data-null=\"\">n/a</span>"),
              std::string::npos)
        << rate;
  }
}

// A summary written before `rewards.clawback` existed still renders, without that card.
TEST(ReportHtml, ASummaryWithoutClawbackHasNoClawbackCard) {
  std::string json = report_fixture("report_summary.json");
  EXPECT_NE(render(json).find("Paid, then cancelled"), std::string::npos);
  const std::size_t at = json.find("\"clawback\"");
  ASSERT_NE(at, std::string::npos);
  json.erase(at, json.find("\"by_kind\"") - at);
  const std::string html = render(json);
  EXPECT_EQ(html.find("Paid, then cancelled"), std::string::npos);
  EXPECT_EQ(html.find("rewards.clawback"), std::string::npos);
  EXPECT_NE(html.find("data-metric=\"budget.used\""), std::string::npos);
}

TEST(ReportHtml, EachChartIsInlineSvg) {
  const std::string plain = render(report_fixture("report_summary.json"));
  for (const char* chart : {"cost", "tiers", "funnel", "status"}) {
    EXPECT_EQ(count(plain, std::string("<svg data-chart=\"") + chart + "\""), 1u) << chart;
  }
  EXPECT_EQ(count(plain, "data-chart=\"comparison\""), 0u);
  EXPECT_EQ(count(plain, "</svg>"), 4u);
  // The cost chart labels its axes with values of the summary, and marks the day the budget ran
  // out.
  EXPECT_NE(plain.find(">31,415.50</text>"), std::string::npos);
  EXPECT_NE(plain.find(">2026-12-01</text>"), std::string::npos);
  EXPECT_NE(plain.find(">2027-01-11</text>"), std::string::npos);
  EXPECT_NE(plain.find("budget ran out 2026-12-28"), std::string::npos);
  // Bars are labelled "rule / tier" with their value.
  EXPECT_NE(plain.find(">ladder / gift_box<title>"), std::string::npos);
  EXPECT_NE(plain.find(">4,915.50</text>"), std::string::npos);

  const std::string compared = render(report_fixture("report_summary_baseline.json"));
  for (const char* chart : {"cost", "tiers", "funnel", "status", "comparison"}) {
    EXPECT_EQ(count(compared, std::string("<svg data-chart=\"") + chart + "\""), 1u) << chart;
  }
}

TEST(ReportHtml, NeedsNothingFromTheNetwork) {
  for (const char* name :
       {"report_summary.json", "report_summary_baseline.json", "report_summary_empty.json"}) {
    const std::string html = render(report_fixture(name));
    EXPECT_EQ(html.rfind("<!DOCTYPE html>\n", 0), 0u) << name;
    EXPECT_NE(html.find("<meta charset=\"utf-8\">"), std::string::npos) << name;
    // No xmlns either: inline SVG in HTML does not need one.
    EXPECT_EQ(html.find("http://"), std::string::npos) << name;
    EXPECT_EQ(html.find("https://"), std::string::npos) << name;
    // Data is escaped, so an attribute with a quote or a tag can only be the page's own.
    for (const char* fetch : {"src=\"", "href=\"", "<link", "@import", "url(", "<iframe", "<img"}) {
      EXPECT_EQ(html.find(fetch), std::string::npos) << name << ": " << fetch;
    }
    EXPECT_EQ(count(html, "<script"), 1u) << name;
    EXPECT_NE(
        html.find("content=\"default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-"),
        std::string::npos)
        << name;
  }
}

TEST(ReportHtml, EscapesEveryStringOfTheSummary) {
  const std::string html = render(report_fixture("report_summary_baseline.json"));
  EXPECT_EQ(html.find("<script>alert"), std::string::npos);
  EXPECT_EQ(html.find("<img"), std::string::npos);
  EXPECT_EQ(html.find("<b>"), std::string::npos);
  EXPECT_EQ(count(html, "<script"), 1u);  // the page's own
  for (const char* escaped : {
           "&lt;script&gt;alert(&#39;policy&#39;)&lt;/script&gt;老朋友",            // policy id
           "老朋友&amp;friends &quot;v3&quot; v3",                                  // baseline
           "&lt;script&gt;alert(&#39;xss&#39;)&lt;/script&gt;",                     // a referrer
           "张三&amp;李四",                                                         // a referrer
           "C-&quot;quoted&quot; &#39;single&#39;",                                 // a referrer
           "ladder &lt;img src=x onerror=alert(1)&gt; / 礼盒 &amp; more<",          // rule / tier
           "welcome &quot;new&quot; friend&#39;s gift",                             // rule
           "coupon &lt;b&gt;bold&lt;/b&gt;",                                        // kind
           "&lt;script&gt;alert(&#39;type&#39;)&lt;/script&gt;",                    // event type
           "unknown `type` `&lt;script&gt;alert(&#39;event&#39;)&lt;/script&gt;`",  // skipped event
           "R-&lt;1&gt;",                                                           // referral
       }) {
    EXPECT_NE(html.find(escaped), std::string::npos) << escaped;
  }
}

TEST(ReportHtml, ComparisonShowsCountsChartAndChanges) {
  const std::string html = render(report_fixture("report_summary_baseline.json"));
  EXPECT_NE(html.find(metric_html("comparison.cost_delta", "34,567.89")), std::string::npos);
  EXPECT_NE(html.find(metric_html("comparison.gained", "1,200")), std::string::npos);
  EXPECT_NE(html.find(metric_html("comparison.lost", "30")), std::string::npos);
  EXPECT_NE(html.find(metric_html("comparison.changed", "15")), std::string::npos);
  // Paired bars with both values, and the changes with null values shown as a dash.
  EXPECT_NE(html.find(">864,000.00</text>"), std::string::npos);
  EXPECT_NE(html.find(">800,000.00</text>"), std::string::npos);
  EXPECT_NE(html.find("<td>gained</td><td>&lt;script&gt;alert(&#39;xss&#39;)&lt;/script&gt;</td>"),
            std::string::npos);
  EXPECT_NE(html.find("<td class=\"n\">88.00</td><td class=\"n\">\u2014</td>"), std::string::npos);
  // Each side's reward, so that a change of amount alone shows (20 % against 25 %).
  EXPECT_NE(html.find("<td>coupon 20 % (pending)</td><td>coupon 25 % (pending)</td>"), std::string::npos);
  EXPECT_NE(html.find("<td>gift (granted)</td><td>\u2014</td>"), std::string::npos);
  EXPECT_NE(html.find("<td>lost</td><td>C-9</td>"), std::string::npos);
}

TEST(ReportHtml, ShowsTheFirstFiftyChanges) {
  std::string changes;
  for (int i = 0; i < 60; ++i) {
    changes += std::string(i ? "," : "") + "{\"recipient\": \"P-" + std::to_string(100 + i) +
               "\", \"role\": \"referrer\", \"rule\": \"ladder\", \"tier\": null, \"change\": "
               "\"gained\", \"kind\": \"cash\", \"baseline_kind\": null, \"amount\": \"1.00\", \"baseline_amount\": null, "
               "\"unit\": \"CNY\", \"baseline_unit\": null, \"value\": \"1.00\", \"baseline_value\": null, "
               "\"status\": \"granted\", \"baseline_status\": null}";
  }
  const std::string json = edit(
      report_fixture("report_summary.json"), "\"comparison\": null",
      "\"comparison\": {\"total_value\": \"1.00\", \"baseline_total_value\": \"0.00\", "
      "\"cost_delta\": "
      "\"1.00\", \"by_rule\": [], \"gained\": 60, \"lost\": 0, \"changed\": 0, \"changes\": [" +
          changes + "]}");
  const std::string html = render(json);
  EXPECT_NE(html.find("<td>P-100</td>"), std::string::npos);
  EXPECT_NE(html.find("<td>P-149</td>"), std::string::npos);
  EXPECT_EQ(html.find("<td>P-150</td>"), std::string::npos);
  EXPECT_NE(html.find("The first 50 changes listed in summary.json"), std::string::npos);
  EXPECT_NE(html.find("No data: no rule decided a reward under either policy"), std::string::npos);
}

TEST(ReportHtml, EmptyArraysGiveNoDataNotes) {
  const std::string html = render(report_fixture("report_summary_empty.json"));
  for (const char* chart : {"cost", "tiers", "comparison"}) {
    EXPECT_EQ(html.find(std::string("data-chart=\"") + chart + "\""), std::string::npos) << chart;
  }
  // Zero counts still make a (bar-less) funnel and status split.
  EXPECT_NE(html.find("data-chart=\"funnel\""), std::string::npos);
  EXPECT_NE(html.find("data-chart=\"status\""), std::string::npos);
  for (const char* note :
       {"No data: summary.json has no daily rows.", "No data: no rule decided a reward.",
        "No data: no rewards.", "No data: no month has a leaderboard.",
        "No data: no examples outside the band.",
        "No data: no rule has more than three conditions.",
        "No data: no rule decided a reward under either policy.",
        "No data: no reward differs between the two policies."}) {
    EXPECT_NE(html.find(note), std::string::npos) << note;
  }
  EXPECT_NE(html.find("data-metric=\"budget.ran_out_on\" data-null=\"\">did not run out</span>"),
            std::string::npos);
  // Bars of the funnel (3) and of the status split (5 counts, 5 values), none with a length.
  EXPECT_EQ(count(html, "<rect "), 13u);
  EXPECT_EQ(count(html, " width=\"0.0\" height=\"18\">"), 13u);
}

TEST(ReportHtml, RejectsWhatIsNotASummary) {
  const std::string good = report_fixture("report_summary.json");
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"", "summary.json is not valid JSON: "},
      {"{\"schema\": ", "summary.json is not valid JSON: "},
      {"[1, 2]", "not a simulation summary: the document should be a JSON object"},
      {"{}", "not a simulation summary: missing key `schema`"},
      {"{\"schema\": 1}", "not a simulation summary: `schema` should be a string"},
      {"{\"schema\": \"refpol.decision/1\"}",
       "not a simulation summary: `schema` is `refpol.decision/1`, expected `refpol.simulation/1`"},
      {edit(good, "refpol.simulation/1", "refpol.simulation/2"),
       "not a simulation summary: `schema` is `refpol.simulation/2`, expected "
       "`refpol.simulation/1`"},
      {edit(good, "\"ran_out_on\": \"2026-12-28\"", "\"ran_out\": \"2026-12-28\""),
       "not a simulation summary: missing key `budget.ran_out_on`"},
      {edit(good, "\"conversion_rate\": \"0.4169\"", "\"conversion_rate\": 0.4169"),
       "not a simulation summary: `referrals.conversion_rate` should be a decimal string such as "
       "\"12.50\""},
      {edit(good, "\"total_value\": \"31415.50\"", "\"total_value\": \"31,415.50\""),
       "not a simulation summary: `rewards.total_value` should be a decimal string such as "
       "\"12.50\""},
      {edit(good, "\"bound\": 1204,", "\"bound\": \"1204\","),
       "not a simulation summary: `referrals.bound` should be an integer"},
      {edit(good, "\"date\": \"2026-12-03\"", "\"date\": \"2026-13-03\""),
       "not a simulation summary: `daily[1].date` should be a date such as \"2026-12-08\""},
      {edit(good, "\"referrer\": \"C-0007\"", "\"referrer\": 7"),
       "not a simulation summary: `leaderboards[0].top[2].referrer` should be a string"},
      {edit(good, "\"comparison\": null", "\"comparison\": {}"),
       "not a simulation summary: missing key `comparison.total_value`"},
      {edit(good, "\"rewards\": {\n    \"count\"", "\"rewards\": {\n    \"counted\""),
       "not a simulation summary: missing key `rewards.count`"},
      {edit(good, "\"design_checks\": {", "\"design_check\": {"),
       "not a simulation summary: missing key `design_checks`"},
  };
  for (const auto& [json, message] : cases) {
    const std::string error = render_error(json);
    EXPECT_EQ(error.substr(0, message.size()), message) << json.substr(0, 80);
  }
  // A value of the wrong shape where an array or object is expected.
  EXPECT_EQ(render_error(edit(good, "\"leaderboards\": [", "\"leaderboards\": 3, \"x\": [")),
            "not a simulation summary: `leaderboards` should be an array");
  EXPECT_EQ(render_error(edit(good, "\"window\": {", "\"window\": 3, \"w\": {")),
            "not a simulation summary: `window` should be an object");
}

TEST(ReportHtml, CommasGroupThousandsOnly) {
  EXPECT_EQ(report::with_commas("0"), "0");
  EXPECT_EQ(report::with_commas("999"), "999");
  EXPECT_EQ(report::with_commas("1000"), "1,000");
  EXPECT_EQ(report::with_commas("-1234567.891"), "-1,234,567.891");
  EXPECT_EQ(report::with_commas("123456"), "123,456");
  EXPECT_EQ(report::with_commas("0.3750"), "0.3750");
  EXPECT_EQ(report::with_commas("12345.0001"), "12,345.0001");
  EXPECT_EQ(report::with_commas("2026-12-28"), "2026-12-28");
  EXPECT_EQ(report::with_commas("C-10000"), "C-10000");
  EXPECT_EQ(report::with_commas(""), "");
}

}  // namespace
}  // namespace refpol
