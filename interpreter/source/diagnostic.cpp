// Collecting, ordering and rendering diagnostics as text (for people) and JSON (for tools).
#include "interpreter/source/diagnostic.hpp"

#include <fmt/format.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstring>

namespace refpol {

Diagnostic& Diagnostics::error(std::string code, SourcePtr source, Span span, std::string message) {
  items_.push_back(Diagnostic{Severity::error, std::move(code), std::move(message), std::move(source),
                              span, {}, {}});
  return items_.back();
}

Diagnostic& Diagnostics::warning(std::string code, SourcePtr source, Span span,
                                 std::string message) {
  items_.push_back(Diagnostic{Severity::warning, std::move(code), std::move(message),
                              std::move(source), span, {}, {}});
  return items_.back();
}

void Diagnostics::append(const Diagnostics& other) {
  items_.insert(items_.end(), other.items_.begin(), other.items_.end());
}

bool Diagnostics::has_errors() const { return error_count() > 0; }

bool Diagnostics::file_unreadable() const {
  return std::any_of(items_.begin(), items_.end(),
                     [](const Diagnostic& d) { return !d.source && (d.code == "E020" || d.code == "E010"); });
}

std::size_t Diagnostics::error_count() const {
  return static_cast<std::size_t>(std::count_if(
      items_.begin(), items_.end(), [](const Diagnostic& d) { return d.severity == Severity::error; }));
}

std::size_t Diagnostics::warning_count() const {
  return static_cast<std::size_t>(std::count_if(items_.begin(), items_.end(), [](const Diagnostic& d) {
    return d.severity == Severity::warning;
  }));
}

void Diagnostics::sort() {
  std::stable_sort(items_.begin(), items_.end(), [](const Diagnostic& a, const Diagnostic& b) {
    std::string pa = a.source ? a.source->path() : std::string();
    std::string pb = b.source ? b.source->path() : std::string();
    if (pa != pb) return pa < pb;
    if (a.span.begin != b.span.begin) return a.span.begin < b.span.begin;
    return a.code < b.code;
  });
}

const char* severity_name(Severity s) {
  switch (s) {
    case Severity::error: return "error";
    case Severity::warning: return "warning";
    case Severity::note: return "note";
  }
  return "error";
}

std::string render_text(const Diagnostic& d) {
  std::string out;
  if (!d.source) {
    out = fmt::format("refpol: {}: {}", severity_name(d.severity), d.message);
    if (!d.code.empty()) out += fmt::format(" [{}]", d.code);
    out += '\n';
    for (const auto& n : d.notes) out += fmt::format("   note: {}\n", n);
    if (!d.hint.empty()) out += fmt::format("   hint: {}\n", d.hint);
    return out;
  }
  const SourceFile& src = *d.source;
  auto pos = src.position(d.span.begin);
  out = fmt::format("{}:{}:{}: {}: {}", src.path(), pos.line, pos.column, severity_name(d.severity),
                    d.message);
  if (!d.code.empty()) out += fmt::format(" [{}]", d.code);
  out += '\n';
  std::string_view line = src.line_text(pos.line);
  std::string gutter = fmt::format("{:>4}", pos.line);
  std::string pad(gutter.size(), ' ');
  // Show the line with tabs as single spaces so the caret lines up.
  std::string shown = printable_line(line);
  out += fmt::format("{} | {}\n", gutter, shown);
  // The caret covers the span on the first line (at least one column).
  auto end_pos = src.position(std::max(d.span.end, d.span.begin));
  std::uint32_t width = 1;
  if (end_pos.line == pos.line && end_pos.column > pos.column) width = end_pos.column - pos.column;
  if (end_pos.line != pos.line) {
    std::uint32_t line_cols = count_code_points(line);
    width = line_cols >= pos.column ? line_cols - pos.column + 1 : 1;
  }
  out += fmt::format("{} | {}^{}\n", pad, std::string(pos.column - 1, ' '),
                     std::string(width > 0 ? width - 1 : 0, '~'));
  for (const auto& n : d.notes) out += fmt::format("{}  note: {}\n", pad, n);
  if (!d.hint.empty()) out += fmt::format("{}  hint: {}\n", pad, d.hint);
  return out;
}

std::string render_text(const Diagnostics& ds) {
  std::string out;
  for (const auto& d : ds.items()) out += render_text(d);
  return out;
}

std::string json_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 2);
  append_json_escaped(out, text);
  return out;
}

std::size_t json_plain_prefix(std::string_view text) {
  const std::size_t n = text.size();
  std::size_t i = 0;
#if defined(__SSE2__)
  // Sixteen bytes at a time (SSE2 is in every x86-64): a byte is `"`, `\` or at most 0x1f (its
  // unsigned max with 0x1f is 0x1f); the mask's lowest bit is the first one. The last bytes of
  // a text of sixteen or more are checked as the sixteen ending it, overlapping the block
  // before, whose bytes are all plain.
  if (n >= 16) {
    const __m128i quote = _mm_set1_epi8('"'), backslash = _mm_set1_epi8('\\'), control = _mm_set1_epi8(0x1f);
    const auto specials = [&](std::size_t at) {
      const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(text.data() + at));
      const __m128i hit = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash)),
                                       _mm_cmpeq_epi8(_mm_max_epu8(v, control), control));
      return static_cast<unsigned>(_mm_movemask_epi8(hit));
    };
    for (; i + 16 <= n; i += 16) {
      if (const unsigned m = specials(i); m != 0) return i + static_cast<std::size_t>(std::countr_zero(m));
    }
    if (i == n) return n;
    const unsigned m = specials(n - 16);
    return m == 0 ? n : n - 16 + static_cast<std::size_t>(std::countr_zero(m));
  }
#endif
  // Eight bytes at a time: whether any is below 0x20, or is `"` or `\` (a byte equal to c is a
  // zero byte of x ^ c). Bytes from 0x80 (UTF-8) never set a bit, and no byte before the first
  // one to escape does. Then byte by byte from the first block that has one.
  constexpr std::uint64_t kOnes = 0x0101010101010101ull, kHigh = 0x8080808080808080ull;
  auto has_zero = [](std::uint64_t v) { return (v - kOnes) & ~v & kHigh; };
  for (; i + 8 <= n; i += 8) {
    std::uint64_t x;
    std::memcpy(&x, text.data() + i, 8);
    const std::uint64_t control = (x - 0x20 * kOnes) & ~x & kHigh;
    if ((control | has_zero(x ^ ('"' * kOnes)) | has_zero(x ^ ('\\' * kOnes))) != 0) break;
  }
  for (; i < n; ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x20 || c == '"' || c == '\\') break;
  }
  return i;
}

void append_json_escaped(std::string& out, std::string_view text) {
  // Most text needs no escape: it is copied in one go.
  const std::size_t plain = json_plain_prefix(text);
  out.append(text.data(), plain);
  for (unsigned char c : text.substr(plain)) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          out += fmt::format("\\u{:04x}", c);
        } else {
          out += static_cast<char>(c);
        }
    }
  }
}

std::string render_json(const Diagnostics& ds) {
  std::string out = "[";
  bool first = true;
  for (const auto& d : ds.items()) {
    if (!first) out += ",";
    first = false;
    out += fmt::format("{{\"severity\":\"{}\",\"code\":\"{}\",\"message\":\"{}\"",
                       severity_name(d.severity), json_escape(d.code), json_escape(d.message));
    if (d.source) {
      auto b = d.source->position(d.span.begin);
      auto e = d.source->position(d.span.end);
      out += fmt::format(
          ",\"file\":\"{}\",\"line\":{},\"column\":{},\"end_line\":{},\"end_column\":{}",
          json_escape(d.source->path()), b.line, b.column, e.line, e.column);
    }
    out += ",\"notes\":[";
    for (std::size_t i = 0; i < d.notes.size(); ++i) {
      if (i) out += ",";
      out += fmt::format("\"{}\"", json_escape(d.notes[i]));
    }
    out += "]";
    if (!d.hint.empty()) out += fmt::format(",\"hint\":\"{}\"", json_escape(d.hint));
    out += "}";
  }
  out += "]";
  return out;
}

}  // namespace refpol
