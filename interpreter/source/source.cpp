// Line tables, positions and UTF-8 checks for source files.
#include "interpreter/source/source.hpp"

#include <algorithm>

namespace refpol {

SourceFile::SourceFile(std::string path, std::string text)
    : path_(std::move(path)), text_(std::move(text)) {
  line_starts_.push_back(0);
  for (std::uint32_t i = 0; i < text_.size(); ++i) {
    if (text_[i] == '\n') line_starts_.push_back(i + 1);
  }
}

SourceFile::Position SourceFile::position(std::uint32_t offset) const {
  offset = std::min<std::uint32_t>(offset, static_cast<std::uint32_t>(text_.size()));
  auto it = std::upper_bound(line_starts_.begin(), line_starts_.end(), offset);
  auto line = static_cast<std::uint32_t>(it - line_starts_.begin());
  std::uint32_t start = line_starts_[line - 1];
  std::string_view before(text_.data() + start, offset - start);
  std::uint32_t column = count_code_points(before) + 1;
  // A byte order mark at the start of the file takes no column.
  if (line == 1 && before.substr(0, 3) == "\xEF\xBB\xBF") --column;
  return {line, column};
}

std::string_view SourceFile::line_text(std::uint32_t line) const {
  if (line == 0 || line > line_starts_.size()) return {};
  std::uint32_t start = line_starts_[line - 1];
  std::uint32_t end = line < line_starts_.size() ? line_starts_[line] - 1
                                                 : static_cast<std::uint32_t>(text_.size());
  if (end > start && text_[end - 1] == '\r') --end;
  return std::string_view(text_).substr(start, end - start);
}

std::string_view SourceFile::slice(Span span) const {
  auto size = static_cast<std::uint32_t>(text_.size());
  std::uint32_t b = std::min(span.begin, size);
  std::uint32_t e = std::min(std::max(span.end, b), size);
  return std::string_view(text_).substr(b, e - b);
}

namespace {
// Length of the valid UTF-8 sequence at `i`, or 0 when the byte there does not start one.
std::size_t sequence_length(std::string_view text, std::size_t i) {
  auto c = static_cast<unsigned char>(text[i]);
  if (c < 0x80) return 1;
  std::size_t len = (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
  if (len == 0 || i + len > text.size()) return 0;
  for (std::size_t k = 1; k < len; ++k) {
    if ((static_cast<unsigned char>(text[i + k]) & 0xC0) != 0x80) return 0;
  }
  return len;
}
}  // namespace

// Each valid character counts one column, and so does each byte that is not valid UTF-8.
std::uint32_t count_code_points(std::string_view text) {
  std::uint32_t n = 0;
  for (std::size_t i = 0; i < text.size();) {
    std::size_t len = sequence_length(text, i);
    i += len == 0 ? 1 : len;
    ++n;
  }
  return n;
}

std::string printable_line(std::string_view line) {
  std::string out;
  for (std::size_t i = 0; i < line.size();) {
    std::size_t len = sequence_length(line, i);
    auto c = static_cast<unsigned char>(line[i]);
    if (len == 0 || (len == 1 && c < 0x20) || c == 0x7F) {
      out += c == '\t' ? ' ' : '?';
      ++i;
    } else if (len == 3 && line.substr(i, 3) == "\xEF\xBB\xBF") {
      i += 3;  // a byte order mark shows as nothing
    } else {
      out.append(line.substr(i, len));
      i += len;
    }
  }
  return out;
}

std::size_t find_invalid_utf8(std::string_view text) {
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  std::size_t n = text.size();
  std::size_t i = 0;
  while (i < n) {
    unsigned char c = s[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    std::size_t len;
    std::uint32_t cp;
    if ((c & 0xE0) == 0xC0) {
      len = 2;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4;
      cp = c & 0x07;
    } else {
      return i;
    }
    if (i + len > n) return i;
    for (std::size_t k = 1; k < len; ++k) {
      if ((s[i + k] & 0xC0) != 0x80) return i;
      cp = (cp << 6) | (s[i + k] & 0x3F);
    }
    // Overlong forms, surrogates and values past U+10FFFF are not UTF-8.
    if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
        (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
      return i;
    i += len;
  }
  return std::string_view::npos;
}

}  // namespace refpol
