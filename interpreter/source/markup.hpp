// Escaping text for XML and HTML: the JUnit report of `refpol test` and the SVG and HTML of
// `refpol simulate` share it.
#pragma once
#include <string>
#include <string_view>

namespace refpol {

// `&`, `<`, `>`, `"` and `'` as `&amp;` `&lt;` `&gt;` `&quot;` `&#39;` (a numeric reference for
// the apostrophe: HTML 4 has no `&apos;`), so the text is safe in element content and in quoted
// attributes alike. Control characters that XML 1.0 forbids even as references (everything below
// U+0020 except tab, newline and carriage return) become U+FFFD.
std::string markup_escape(std::string_view text);

}  // namespace refpol
