// report.html of `refpol simulate`: one self-contained page (inline CSS and SVG, no network)
// drawn from summary.json (docs/simulate.md).
#pragma once
#include <string>
#include <string_view>

namespace refpol {

// Renders the report for `summary_json`, a `refpol.simulation/1` document, into `html`. Returns
// false and sets `error` (lowercase, no final period) when the document is not such a summary:
// not JSON, another `schema`, a missing key or a value of the wrong type. Numbers appear exactly
// as summary.json writes them, except that commas group the thousands of their integer part.
bool render_report_html(std::string_view summary_json, std::string& html, std::string& error);

}  // namespace refpol
