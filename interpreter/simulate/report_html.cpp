// report.html: the summary (report_model) written out as one HTML page with inline CSS and SVG
// (report_svg). The page needs no network and no script; its one inline script only records, for
// tests, how large each chart was drawn.
#include "interpreter/simulate/report_html.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <optional>
#include <utility>
#include <vector>

#include "interpreter/simulate/report_model.hpp"
#include "interpreter/simulate/report_svg.hpp"
#include "interpreter/source/sha256.hpp"

namespace refpol {
namespace report {
namespace {

constexpr std::size_t kMaxChangesShown = 50;

constexpr std::string_view kStyle = R"(
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","Noto Sans CJK SC",
  "PingFang SC","Microsoft YaHei",sans-serif;
  margin:0 auto;max-width:1080px;padding:16px 24px;color:#1d2330;background:#fff}
header{border-bottom:1px solid #d8dde6;margin-bottom:16px}
h1{font-size:22px;margin:8px 0}
h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #e4e8ef;padding-bottom:4px}
h3{font-size:14px;margin:16px 0 6px}
dl.meta{display:grid;grid-template-columns:max-content 1fr;gap:2px 12px;margin:8px 0 12px}
dl.meta dt{color:#5b6475}
dl.meta dd{margin:0;overflow-wrap:anywhere}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(210px,1fr));gap:12px}
.card{border:1px solid #d8dde6;border-radius:6px;padding:10px 12px}
.card .label{color:#5b6475;font-size:12px;text-transform:uppercase;letter-spacing:.03em}
.card .big{font-size:22px;font-weight:600;margin:2px 0;overflow-wrap:anywhere}
.card .sub{color:#5b6475;font-size:12px}
.num{font-variant-numeric:tabular-nums}
.unit{color:#5b6475;font-size:12px;margin-left:4px}
table{border-collapse:collapse;margin:6px 0 12px;font-size:13px}
caption{text-align:left;font-weight:600;padding:4px 0}
th,td{border-bottom:1px solid #e4e8ef;padding:3px 10px;text-align:left;vertical-align:top}
th{color:#5b6475;font-weight:600}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
.no-data{color:#6b5500;background:#fff8e1;border:1px solid #f0dc9c;border-radius:4px;
  padding:6px 10px;display:inline-block}
.boards{display:flex;flex-wrap:wrap;align-items:flex-start;gap:0 28px}
.note{color:#5b6475;font-size:12px}
svg{max-width:100%;height:auto;display:block;margin:6px 0 10px}
svg text{font:12px system-ui,sans-serif;fill:#1d2330}
svg .heading{font-weight:600}
svg .axis-title{fill:#5b6475}
svg .axis,svg .grid{stroke:#b8c0cc;stroke-width:1}
svg .grid{stroke-dasharray:3 3}
svg .area{fill:#4e79a7;fill-opacity:.18}
svg .line{fill:none;stroke:#4e79a7;stroke-width:2}
svg .dot{fill:#4e79a7}
svg .marker{stroke:#c0392b;stroke-width:1.5;stroke-dasharray:4 3}
svg .marker-label{fill:#c0392b}
svg .c0{fill:#4e79a7} svg .c1{fill:#f28e2b}
svg .st-granted{fill:#59a14f} svg .st-pending{fill:#edc948} svg .st-void{fill:#9c755f}
svg .st-expired{fill:#bab0ac} svg .st-withheld{fill:#e15759}
code{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12px;overflow-wrap:anywhere}
footer{margin-top:32px;color:#5b6475;font-size:12px;border-top:1px solid #e4e8ef;padding-top:8px}
)";

// For tests only (the page reads fine without it): after layout, records on <body
// data-rendered> each chart's drawn size and how many of its data marks have an area, so a
// headless browser's DOM dump shows whether the charts really rendered.
constexpr std::string_view kScript = R"(
(function () {
  function measure() {
    var charts = [];
    document.querySelectorAll('[data-chart]').forEach(function (svg) {
      var box = svg.getBoundingClientRect(), shapes = 0;
      svg.querySelectorAll('rect, path, circle, polyline').forEach(function (shape) {
        var b = shape.getBoundingClientRect();
        if (b.width > 0 && b.height > 0) shapes++;
      });
      charts.push({chart: svg.getAttribute('data-chart'), width: box.width, height: box.height,
                   shapes: shapes});
    });
    document.body.dataset.rendered = JSON.stringify(charts);
  }
  if (document.readyState === 'complete') measure(); else window.addEventListener('load', measure);
})();
)";

std::string base64(const std::array<std::uint8_t, 32>& bytes) {
  static constexpr char kDigits[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  for (std::size_t i = 0; i < bytes.size(); i += 3) {
    const std::uint32_t b = std::uint32_t(bytes[i]) << 16 |
                            (i + 1 < bytes.size() ? std::uint32_t(bytes[i + 1]) << 8 : 0) |
                            (i + 2 < bytes.size() ? bytes[i + 2] : 0);
    out += kDigits[b >> 18 & 63];
    out += kDigits[b >> 12 & 63];
    out += i + 1 < bytes.size() ? kDigits[b >> 6 & 63] : '=';
    out += i + 2 < bytes.size() ? kDigits[b & 63] : '=';
  }
  return out;
}

// Nothing may be fetched, and only our own script may run (by its hash), whatever the data.
std::string content_security_policy() {
  Sha256 hash;
  hash.update(kScript);
  return fmt::format("default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-{}'",
                     base64(hash.finish()));
}

// A number as shown in tables and charts (not escaped).
std::string shown(const Shown& v) { return v.null ? "\u2014" : with_commas(v.text); }

// A reward as one ledger has it: `coupon 20 % (granted)`; a dash where it has none.
std::string side(const ChangeSide& c) {
  if (!c.kind) return "\u2014";
  std::string s = *c.kind;
  if (c.amount) s += " " + *c.amount + (c.unit ? " " + *c.unit : "");
  if (c.status) s += " (" + *c.status + ")";
  return s;
}

// A headline number, marked with its JSON path so tests can compare it with summary.json.
std::string metric(const Shown& v, std::string_view if_null = "none") {
  if (v.null) {
    return fmt::format("<span class=\"num\" data-metric=\"{}\" data-null=\"\">{}</span>",
                       esc(v.path), esc(if_null));
  }
  return fmt::format("<span class=\"num\" data-metric=\"{}\">{}</span>", esc(v.path),
                     esc(with_commas(v.text)));
}

void card(std::string& out, std::string_view label, const std::string& big,
          const std::string& sub) {
  out += fmt::format(
      "<div class=\"card\"><div class=\"label\">{}</div><div class=\"big\">{}</div>"
      "<div class=\"sub\">{}</div></div>\n",
      esc(label), big, sub);
}

struct Column {
  std::string_view heading;
  bool numeric = false;
};
// A table of plain-text cells (escaped here); numeric columns are right-aligned.
void table(std::string& out, const std::vector<Column>& columns,
           const std::vector<std::vector<std::string>>& rows, std::string_view caption = {}) {
  out += "<table>";
  if (!caption.empty()) out += fmt::format("<caption>{}</caption>", esc(caption));
  out += "<thead><tr>";
  for (const Column& c : columns)
    out += fmt::format("<th{}>{}</th>", c.numeric ? " class=\"n\"" : "", esc(c.heading));
  out += "</tr></thead><tbody>\n";
  for (const auto& row : rows) {
    out += "<tr>";
    for (std::size_t i = 0; i < row.size(); ++i) {
      out += fmt::format("<td{}>{}</td>", columns[i].numeric ? " class=\"n\"" : "", esc(row[i]));
    }
    out += "</tr>\n";
  }
  out += "</tbody></table>\n";
}

void no_data(std::string& out, std::string_view what) {
  out += fmt::format("<p class=\"no-data\">No data: {}.</p>\n", esc(what));
}

std::string rule_label(const std::string& rule, const std::optional<std::string>& tier) {
  return tier ? rule + " / " + *tier : rule;
}

void write_header(std::string& out, const Summary& s) {
  out += fmt::format(
      "<header><h1>Campaign simulation: {}</h1>\n<dl class=\"meta\">"
      "<dt>policy</dt><dd><code>{}</code> version {}, hash <code>{}</code></dd>"
      "<dt>currency</dt><dd>{}</dd><dt>window</dt><dd>{} to {}</dd>"
      "<dt>baseline</dt><dd>{}</dd></dl></header>\n",
      esc(s.policy_id), esc(s.policy_id), esc(s.policy_version), esc(s.policy_hash),
      esc(s.currency), esc(s.from.value_or("(start of the history)")),
      esc(s.to.value_or("(no events)")),
      s.baseline ? "<code>" + esc(*s.baseline) + "</code>" : "none");
}

void write_headline(std::string& out, const Summary& s) {
  const std::string unit = fmt::format("<span class=\"unit\">{}</span>", esc(s.currency));
  out += "<section id=\"headline\"><h2>Headline</h2><div class=\"cards\">\n";
  card(out, "Referrals bound", metric(s.bound),
       fmt::format("{} qualified, {} not qualified, {} void, {} ineligible referee",
                   metric(s.qualified), metric(s.not_qualified), metric(s.voided),
                   metric(s.ineligible)));
  card(out, "Conversion rate", metric(s.conversion_rate, "n/a"), "qualified / bound");
  card(out, "Referred share of new customers", metric(s.referred_share, "n/a"),
       fmt::format("{} referred of {} new customers ({} customers in all)", metric(s.referred_new),
                   metric(s.customers_new), metric(s.customers_total)));
  card(out, "Participation rate", metric(s.participation_rate, "n/a"),
       fmt::format("{} of {} existing customers referred someone", metric(s.participating),
                   metric(s.existing)));
  card(out, "Total reward value", metric(s.total_value) + unit,
       fmt::format("of the rewards given (granted, pending or expired); {} rewards decided in all, "
                   "void and withheld ones included",
                   metric(s.reward_count)));
  card(out, "Budget used", metric(s.budget_used) + unit,
       fmt::format("{}; {} rewards withheld for budget",
                   s.ran_out_on.null ? metric(s.ran_out_on, "did not run out")
                                     : "ran out on " + metric(s.ran_out_on),
                   metric(s.withheld_for_budget)));
  if (s.clawback) {
    const auto& [cancelled, unlisted] = *s.clawback;
    card(out, "Paid, then cancelled", metric(cancelled.value) + unit,
         fmt::format("{} rewards voided after they were paid: claw back; {} paid rewards no longer "
                     "given, worth {} {}: review",
                     metric(cancelled.count), metric(unlisted.count), metric(unlisted.value),
                     esc(s.currency)));
  }
  out += "</div></section>\n";
}

void write_cost(std::string& out, const Summary& s) {
  out += "<section id=\"cost\"><h2>Cost over time</h2>\n";
  if (s.daily.empty()) {
    no_data(out, "summary.json has no daily rows");
    out += "</section>\n";
    return;
  }
  std::vector<CostPoint> points;
  for (const DailyRow& d : s.daily)
    points.push_back({d.date.text, long(d.date.value), d.cumulative});
  std::stable_sort(points.begin(), points.end(), [](auto& a, auto& b) { return a.day < b.day; });
  out += cost_chart(points, s.ran_out_on.text, s.ran_out_on.null ? -1 : long(s.ran_out_on.value),
                    s.currency);
  std::vector<std::vector<std::string>> rows;
  for (const DailyRow& d : s.daily) {
    rows.push_back({d.date.text, shown(d.bound), shown(d.qualified), shown(d.rewards),
                    shown(d.value), shown(d.cumulative)});
  }
  out += "<details><summary>Daily figures</summary>\n";
  table(out,
        {{"date"},
         {"bound", true},
         {"qualified", true},
         {"rewards", true},
         {"value", true},
         {"cumulative value", true}},
        rows);
  out += "</details></section>\n";
}

void write_rewards(std::string& out, const Summary& s) {
  const std::string value_heading = fmt::format("value ({})", s.currency);
  out += "<section id=\"tiers\"><h2>Rewards by tier</h2>\n";
  if (s.by_rule.empty()) {
    no_data(out, "no rule decided a reward");
  } else {
    BarChart chart{"tiers", "Reward value by rule and tier", {value_heading}, false, {}};
    for (const RuleRow& r : s.by_rule)
      chart.rows.push_back({rule_label(r.rule, r.tier), {r.value}, ""});
    std::stable_sort(chart.rows.begin(), chart.rows.end(),
                     [](auto& a, auto& b) { return a.values[0].value > b.values[0].value; });
    out += bar_chart(chart);
    std::vector<std::vector<std::string>> rows;
    for (const RuleRow& r : s.by_rule)
      rows.push_back({r.rule, r.tier.value_or(""), shown(r.count), shown(r.value)});
    table(out, {{"rule"}, {"tier"}, {"count", true}, {value_heading, true}}, rows);
  }
  out += "</section>\n<section id=\"funnel\"><h2>Referral funnel</h2>\n";
  out += bar_chart({"funnel",
                    "Referral funnel",
                    {"count"},
                    false,
                    {{"referrals bound", {s.bound}, ""},
                     {"referrals qualified", {s.qualified}, ""},
                     {"rewards granted", {s.statuses[0].count}, ""}}});  // granted
  out +=
      "<p class=\"note\">Rewards granted counts rewards, not referrals: one referral can "
      "reward both sides, or several tiers. Referrals count those bound in the window; a "
      "referral bound before <code>--from</code> that qualified in the window counts in the daily "
      "figures and the leaderboards, not here.</p>\n";
  out += "</section>\n<section id=\"status\"><h2>Rewards by status</h2>\n";
  BarChart status{
      "status", "Rewards by status: count and value", {"count", value_heading}, true, {}};
  std::vector<std::vector<std::string>> rows;
  for (const Status& st : s.statuses) {
    status.rows.push_back({st.name, {st.count, st.value}, "st-" + st.name});
    rows.push_back({st.name, shown(st.count), shown(st.value)});
  }
  out += bar_chart(status);
  table(out, {{"status"}, {"count", true}, {value_heading, true}}, rows);
  out += "</section>\n<section id=\"kinds\"><h2>Rewards by kind</h2>\n";
  if (s.by_kind.empty()) {
    no_data(out, "no rewards");
  } else {
    rows.clear();
    for (const KindRow& k : s.by_kind) {
      rows.push_back(
          {k.kind, k.unit.value_or(""), shown(k.count), shown(k.amount), shown(k.value)});
    }
    table(out, {{"kind"}, {"unit"}, {"count", true}, {"amount", true}, {value_heading, true}},
          rows);
  }
  out += "</section>\n";
}

void write_comparison(std::string& out, const Summary& s) {
  if (!s.comparison) return;
  const Comparison& c = *s.comparison;
  const std::string unit = fmt::format("<span class=\"unit\">{}</span>", esc(s.currency));
  out += "<section id=\"comparison\"><h2>Against the baseline</h2><div class=\"cards\">\n";
  card(out, "Cost change", metric(c.cost_delta) + unit,
       fmt::format("{} under this policy, {} under the baseline", metric(c.total_value),
                   metric(c.baseline_total_value)));
  card(out, "Rewards gained", metric(c.gained),
       "given under this policy, not under the baseline (not in its ledger, or void or withheld there)");
  card(out, "Rewards lost", metric(c.lost), "given under the baseline, not under this policy");
  card(out, "Rewards changed", metric(c.changed),
       "given under both, with another kind, amount, unit, value or status");
  out += "</div>\n<h3>Cost by rule</h3>\n";
  if (c.by_rule.empty()) {
    no_data(out, "no rule decided a reward under either policy");
  } else {
    BarChart chart{"comparison",
                   "Reward value by rule: this policy and the baseline",
                   {"this policy", "baseline"},
                   false,
                   {}};
    for (const RuleRow& r : c.by_rule) {
      chart.rows.push_back({rule_label(r.rule, r.tier), {r.value, r.baseline_value}, ""});
    }
    std::stable_sort(chart.rows.begin(), chart.rows.end(), [](auto& a, auto& b) {
      return std::max(a.values[0].value, a.values[1].value) >
             std::max(b.values[0].value, b.values[1].value);
    });
    out += bar_chart(chart);
  }
  out += "<h3>Changes</h3>\n";
  if (c.changes.empty()) {
    no_data(out, "no reward differs between the two policies");
  } else {
    std::vector<std::vector<std::string>> rows;
    for (std::size_t i = 0; i < c.changes.size() && i < kMaxChangesShown; ++i) {
      const Change& ch = c.changes[i];
      rows.push_back({ch.change, ch.recipient, ch.role, ch.rule, ch.tier.value_or(""), side(ch.mine),
                      side(ch.baseline), shown(ch.value), shown(ch.baseline_value)});
    }
    if (c.changes.size() > kMaxChangesShown) {
      out += fmt::format(
          "<p class=\"note\">The first {} changes listed in summary.json (gained first); "
          "summary.json has the rest.</p>\n",
          kMaxChangesShown);
    }
    table(out,
          {{"change"},
           {"recipient"},
           {"role"},
           {"rule"},
           {"tier"},
           {"this policy"},
           {"baseline"},
           {"value", true},
           {"baseline value", true}},
          rows);
  }
  out += "</section>\n";
}

void write_leaderboards(std::string& out, const Summary& s) {
  out +=
      "<section id=\"leaderboards\"><h2>Leaderboards</h2>\n"
      "<p class=\"note\">Each month's referrers with the most referrals that became qualified "
      "that month.</p>\n";
  if (s.leaderboards.empty()) no_data(out, "no month has a leaderboard");
  out += "<div class=\"boards\">\n";
  for (const Month& m : s.leaderboards) {
    std::vector<std::vector<std::string>> rows;
    for (const Leader& l : m.top) rows.push_back({l.rank.text, l.referrer, shown(l.qualified)});
    if (rows.empty()) rows.push_back({"", "no qualified referrals", ""});
    table(out, {{"rank", true}, {"referrer"}, {"qualified", true}}, rows, m.month);
  }
  out += "</div></section>\n";
}

void write_design_checks(std::string& out, const Summary& s) {
  out += fmt::format(
      "<section id=\"design-checks\"><h2>Design checks</h2>\n<h3>Reward share of the first "
      "order</h3>\n"
      "<p>The value of the rewards decided for a qualified referral (both sides), as a share of "
      "its first order's amount, against the band {} to {}.</p>\n",
      esc(shown(s.share_low)), esc(shown(s.share_high)));
  table(out, {{"below", true}, {"within", true}, {"above", true}},
        {{shown(s.below), shown(s.within), shown(s.above)}});
  if (s.share_examples.empty()) {
    no_data(out, "no examples outside the band");
  } else {
    std::vector<std::vector<std::string>> rows;
    for (const ShareExample& e : s.share_examples) {
      rows.push_back(
          {e.referral, e.referrer, shown(e.order_amount), shown(e.reward_value), shown(e.share)});
    }
    table(out,
          {{"referral"},
           {"referrer"},
           {"first order", true},
           {"reward value", true},
           {"share", true}},
          rows, "Examples outside the band");
  }
  out += "<h3>Rules with more than three conditions</h3>\n";
  if (s.many_conditions.empty()) {
    no_data(out, "no rule has more than three conditions");
  } else {
    std::vector<std::vector<std::string>> rows;
    for (const ManyConditions& r : s.many_conditions) {
      rows.push_back({r.rule, r.conditions.text, r.where});
    }
    table(out, {{"rule"}, {"conditions", true}, {"at"}}, rows);
  }
  out += "</section>\n";
}

void write_replay(std::string& out, const Summary& s) {
  out += "<section id=\"replay\"><h2>Replay</h2>\n";
  std::vector<Column> columns = {
      {"events read", true}, {"applied", true}, {"skipped", true}, {"evaluations", true}};
  std::vector<std::vector<std::string>> rows = {
      {shown(s.read), shown(s.applied), shown(s.skipped), shown(s.evaluations)}};
  if (s.failed_evaluations) {
    columns.push_back({"failed evaluations", true});
    rows[0].push_back(shown(*s.failed_evaluations));
  }
  table(out, columns, rows);
  rows.clear();
  for (const auto& [type, count] : s.by_type) rows.push_back({type, shown(count)});
  if (!rows.empty()) table(out, {{"event type"}, {"events", true}}, rows);
  if (!s.skipped_examples.empty()) {
    rows.clear();
    for (const auto& [line, message] : s.skipped_examples) rows.push_back({line.text, message});
    table(out, {{"line", true}, {"skipped because"}}, rows, "Skipped events");
  }
  out += "</section>\n";
}

std::string page(const Summary& s) {
  std::string html = fmt::format(
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta http-equiv=\"Content-Security-Policy\" content=\"{}\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      "<title>Simulation: {} v{}</title>\n<style>{}</style>\n</head>\n<body>\n",
      content_security_policy(), esc(s.policy_id), esc(s.policy_version), kStyle);
  write_header(html, s);
  write_headline(html, s);
  write_cost(html, s);
  write_rewards(html, s);
  write_comparison(html, s);
  write_leaderboards(html, s);
  write_design_checks(html, s);
  write_replay(html, s);
  html += fmt::format(
      "<footer>Written by <code>refpol simulate</code> from summary.json (<code>{}</code>). Every "
      "number is as summary.json writes it, with commas between thousands. This page loads "
      "nothing from the network.</footer>\n<script>{}</script>\n</body>\n</html>\n",
      kSummarySchema, kScript);
  return html;
}

}  // namespace
}  // namespace report

bool render_report_html(std::string_view summary_json, std::string& html, std::string& error) {
  report::Summary summary;
  if (!report::read_summary(summary_json, summary, error)) return false;
  html = report::page(summary);
  return true;
}

}  // namespace refpol
