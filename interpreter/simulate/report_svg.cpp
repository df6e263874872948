// Inline SVG charts of report.html: fixed-width view boxes that scale down with the page, text
// laid out from an estimate of its width (no fonts are measured: the page has no scripts to).
// Only rect, path, circle and polyline draw data; axes and grid lines are <line>, so the page's
// check script counts data marks only.
#include "interpreter/simulate/report_svg.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstddef>

#include "interpreter/source/markup.hpp"

namespace refpol::report {
namespace {

constexpr double kWidth = 720;        // view box width of every chart
constexpr double kMaxLabel = 240;     // longer bar labels are cut with an ellipsis
constexpr double kBar = 18;           // bar thickness
constexpr double kBarGap = 4;         // between the bars of one row
constexpr double kRowGap = 12;        // between rows
constexpr double kLegend = 26;        // legend or column headings above the bars
constexpr std::size_t kMaxDots = 92;  // cost chart: a dot (with a tooltip) per day up to this
constexpr double kDateGap = 115;      // cost chart: least distance between two date labels

// Bytes in the UTF-8 sequence that starts with `lead` (simdjson has validated the text).
std::size_t utf8_length(unsigned char lead) {
  return lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
}

// Approximate width in pixels at the charts' 12px sans-serif: CJK and other characters of three
// or more bytes are about a full em, Latin about 7px.
double text_width(std::string_view text) {
  double width = 0;
  for (std::size_t i = 0; i < text.size();) {
    const std::size_t n = utf8_length(static_cast<unsigned char>(text[i]));
    width += n == 1 ? 7 : n == 2 ? 8 : 12.5;
    i += n;
  }
  return width;
}

// `text` cut at a character boundary, with an ellipsis, to fit `max_width`.
std::string fit(std::string_view text, double max_width) {
  if (text_width(text) <= max_width) return std::string(text);
  double width = 12;  // the ellipsis
  std::size_t i = 0;
  while (i < text.size()) {
    const std::size_t n = utf8_length(static_cast<unsigned char>(text[i]));
    width += text_width(text.substr(i, n));
    if (width > max_width) break;
    i += n;
  }
  return std::string(text.substr(0, i)) + "\u2026";
}

std::string open_svg(std::string_view name, std::string_view title, double height) {
  return fmt::format(
      "<svg data-chart=\"{}\" width=\"{:.0f}\" height=\"{:.0f}\" viewBox=\"0 0 {:.0f} {:.0f}\" "
      "aria-labelledby=\"chart-{}-title\"><title id=\"chart-{}-title\">{}</title>\n",
      name, kWidth, height, kWidth, height, name, name, esc(title));
}

}  // namespace

std::string esc(std::string_view text) { return markup_escape(text); }

std::string with_commas(std::string_view number) {
  const std::size_t sign = !number.empty() && number[0] == '-' ? 1 : 0;
  std::size_t end = sign;
  while (end < number.size() && number[end] >= '0' && number[end] <= '9') ++end;
  const std::size_t digits = end - sign;
  const bool is_number = digits > 0 && (end == number.size() || number[end] == '.');
  if (!is_number || digits <= 3) return std::string(number);
  std::string out(number.substr(0, sign));
  for (std::size_t i = sign; i < end; ++i) {
    if (i > sign && (end - i) % 3 == 0) out += ',';
    out += number[i];
  }
  out += number.substr(end);
  return out;
}

std::string cost_chart(const std::vector<CostPoint>& points, std::string_view ran_out_on,
                       long ran_out_day, std::string_view currency) {
  std::size_t max_i = 0;
  for (std::size_t i = 0; i < points.size(); ++i) {
    if (points[i].cumulative.value > points[max_i].cumulative.value) max_i = i;
  }
  const double max_v = points[max_i].cumulative.value;
  const std::string top_label = with_commas(points[max_i].cumulative.text);
  const double height = 260, top = 28, bottom = 36, right = 40;
  const double left = std::max(text_width(top_label), 28.0) + 14;
  const double plot_w = kWidth - left - right, plot_h = height - top - bottom;
  const double base = top + plot_h;
  const long day0 = points.front().day, day1 = points.back().day;
  auto x_of = [&](long day) {
    return day1 == day0 ? left + plot_w / 2
                        : left + double(day - day0) * plot_w / double(day1 - day0);
  };
  auto y_of = [&](double v) {
    return max_v <= 0 ? base : base - std::max(v, 0.0) / max_v * plot_h;
  };

  std::string out = open_svg("cost", "Cumulative reward value by day", height);
  out += fmt::format("<text x=\"4\" y=\"14\" class=\"axis-title\">cumulative value ({})</text>\n",
                     esc(currency));
  // Axes: the base line and, when anything was spent, a grid line at the highest total.
  out += fmt::format(
      "<line class=\"axis\" x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\"/>\n", left,
      base, left + plot_w, base);
  out += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"end\" dy=\".35em\">0</text>\n",
                     left - 6, base);
  if (max_v > 0) {
    out += fmt::format(
        "<line class=\"grid\" x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\"/>\n"
        "<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"end\" dy=\".35em\">{}</text>\n",
        left, top, left + plot_w, top, left - 6, top, esc(top_label));
  }
  // Dates under the axis: the first, the last, and about six between that do not crowd them (a
  // date is about 70px wide; the first is anchored at its start, the last at its end).
  const std::size_t step = std::max<std::size_t>(1, points.size() / 6);
  double last_x = -1e9;
  const double end_x = x_of(day1);
  for (std::size_t i = 0; i < points.size(); i += step) {
    const double x = x_of(points[i].day);
    if (i > 0 && (x - last_x < kDateGap || end_x - x < kDateGap)) continue;
    out +=
        fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"{}\">{}</text>\n", x, base + 18,
                    i == 0 && points.size() > 1 ? "start" : "middle", esc(points[i].date));
    last_x = x;
  }
  if (points.size() > 1) {
    out += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"end\">{}</text>\n", end_x,
                       base + 18, esc(points.back().date));
  }
  // The area under the running total, its line, and a dot with a tooltip per day.
  std::string area = fmt::format("M{:.1f} {:.1f}", x_of(day0), base);
  std::string line;
  for (const CostPoint& p : points) {
    area += fmt::format(" L{:.1f} {:.1f}", x_of(p.day), y_of(p.cumulative.value));
    line += fmt::format("{:.1f},{:.1f} ", x_of(p.day), y_of(p.cumulative.value));
  }
  area += fmt::format(" L{:.1f} {:.1f} Z", x_of(day1), base);
  out += fmt::format("<path class=\"area\" d=\"{}\"/>\n<polyline class=\"line\" points=\"{}\"/>\n",
                     area, line);
  if (points.size() <= kMaxDots) {
    for (const CostPoint& p : points) {
      out += fmt::format(
          "<circle class=\"dot\" cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"3\"><title>{}: "
          "{}</title></circle>\n",
          x_of(p.day), y_of(p.cumulative.value), esc(p.date), esc(with_commas(p.cumulative.text)));
    }
  }
  if (ran_out_day >= day0 && ran_out_day <= day1) {
    const double x = x_of(ran_out_day);
    out += fmt::format(
        "<line class=\"marker\" x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\"/>\n"
        "<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"{}\" class=\"marker-label\">budget ran out "
        "{}</text>\n",
        x, top - 6, x, base, x + (x > kWidth / 2 ? -4 : 4), top + 12,
        x > kWidth / 2 ? "end" : "start", esc(ran_out_on));
  }
  out += "</svg>\n";
  return out;
}

std::string bar_chart(const BarChart& chart) {
  const std::size_t k = chart.series.size();
  double label_w = 0;
  std::vector<double> value_w(k, 0), max_v(k, 0);
  for (const BarRow& row : chart.rows) {
    label_w = std::max(label_w, text_width(row.label));
    for (std::size_t s = 0; s < k; ++s) {
      value_w[s] = std::max(value_w[s], text_width(with_commas(row.values[s].text)));
      max_v[s] = std::max(max_v[s], row.values[s].value);
    }
  }
  if (!chart.columns) {  // grouped bars share one scale
    std::fill(value_w.begin(), value_w.end(), *std::max_element(value_w.begin(), value_w.end()));
    std::fill(max_v.begin(), max_v.end(), *std::max_element(max_v.begin(), max_v.end()));
  }
  label_w = std::min(label_w, kMaxLabel) + 12;
  const double col_w = chart.columns ? (kWidth - label_w) / double(k) : kWidth - label_w;
  const std::size_t per_row = chart.columns ? 1 : k;
  const double row_h = double(per_row) * kBar + double(per_row - 1) * kBarGap + kRowGap;
  const double top = 6 + (k > 1 ? kLegend : 0);
  const double height = top + double(chart.rows.size()) * row_h;

  std::string out = open_svg(chart.name, chart.title, height);
  for (std::size_t s = 0; s < k && k > 1; ++s) {
    if (chart.columns) {
      out += fmt::format("<text x=\"{:.1f}\" y=\"18\" class=\"heading\">{}</text>\n",
                         label_w + double(s) * col_w, esc(chart.series[s]));
    } else {  // a legend: coloured squares are text, so they are not counted as data marks
      out +=
          fmt::format("<text x=\"{:.1f}\" y=\"18\"><tspan class=\"c{}\">\u25A0</tspan> {}</text>\n",
                      label_w + double(s) * 160, s, esc(chart.series[s]));
    }
  }
  for (std::size_t s = 0; s < (chart.columns ? k : 1); ++s) {
    const double x = label_w + double(s) * col_w;
    out += fmt::format(
        "<line class=\"axis\" x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\"/>\n", x,
        top - 4, x, height - kRowGap + 4);
  }
  for (std::size_t r = 0; r < chart.rows.size(); ++r) {
    const BarRow& row = chart.rows[r];
    const double y = top + double(r) * row_h;
    out += fmt::format(
        "<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"end\" "
        "dy=\".35em\">{}<title>{}</title></text>\n",
        label_w - 8, y + (row_h - kRowGap) / 2, esc(fit(row.label, kMaxLabel)), esc(row.label));
    for (std::size_t s = 0; s < k; ++s) {
      const Shown& v = row.values[s];
      const double x0 = label_w + (chart.columns ? double(s) * col_w : 0);
      const double y0 = y + (chart.columns ? 0 : double(s) * (kBar + kBarGap));
      const double area = col_w - value_w[s] - 16;
      double w = max_v[s] > 0 ? std::max(v.value, 0.0) / max_v[s] * area : 0;
      if (v.value > 0) w = std::max(w, 1.0);  // anything above zero stays visible
      const std::string shown = v.null ? "\u2014" : with_commas(v.text);
      const std::string css = row.css.empty() ? fmt::format("c{}", s) : row.css;
      out += fmt::format(
          "<rect class=\"{}\" x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.0f}\">"
          "<title>{}{}{}: {}</title></rect>\n"
          "<text x=\"{:.1f}\" y=\"{:.1f}\" dy=\".35em\">{}</text>\n",
          css, x0, y0, w, kBar, esc(row.label), k > 1 ? " \u2014 " : "",
          k > 1 ? esc(chart.series[s]) : "", esc(shown), x0 + w + 4, y0 + kBar / 2, esc(shown));
    }
  }
  out += "</svg>\n";
  return out;
}

}  // namespace refpol::report
