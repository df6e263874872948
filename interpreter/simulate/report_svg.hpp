// The charts of report.html as inline SVG, and the text helpers the page shares with them.
// Numbers are drawn from their text in summary.json; the double beside it only sizes the marks.
#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace refpol::report {

// A number as summary.json wrote it: `text` is shown (through with_commas), `value` only scales
// marks. `path` is its place in the JSON (`referrals.bound`), `null` a JSON null.
struct Shown {
  std::string text;
  double value = 0;
  std::string path;
  bool null = false;
};

// Escapes text for HTML and SVG content and attribute values (markup_escape, in
// interpreter/source/markup.hpp), under a short name for the many places that use it.
std::string esc(std::string_view text);

// The text of a JSON integer or decimal string with commas between groups of three digits of
// its integer part ("1234567.00" -> "1,234,567.00"); anything else is returned unchanged. This
// is the only change the page makes to a number of summary.json.
std::string with_commas(std::string_view number);

// Cost over time: one point per daily row; `day` is days since 1970-01-01, for the x axis.
struct CostPoint {
  std::string date;
  long day = 0;
  Shown cumulative;
};
// `ran_out_day` < 0 when the budget did not run out. `points` is not empty.
std::string cost_chart(const std::vector<CostPoint>& points, std::string_view ran_out_on,
                       long ran_out_day, std::string_view currency);

// Horizontal bars, one row per label and one bar per series in each row.
struct BarRow {
  std::string label;
  std::vector<Shown> values;  // one per series
  std::string css;            // colour class of the row's bars; empty: the series' colours
};
struct BarChart {
  std::string name;                 // the data-chart attribute
  std::string title;                // accessible title
  std::vector<std::string> series;  // legend (grouped) or column headings (columns)
  bool columns = false;             // each series in its own column with its own scale
  std::vector<BarRow> rows;         // not empty
};
std::string bar_chart(const BarChart& chart);

}  // namespace refpol::report
