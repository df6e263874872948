// Source files and spans: every AST node and diagnostic points into a SourceFile by byte offsets.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace refpol {

// A half-open byte range [begin, end) in one source file.
struct Span {
  std::uint32_t begin = 0;
  std::uint32_t end = 0;
};

// A loaded file: its display path, its text and the offsets where lines start.
class SourceFile {
 public:
  SourceFile(std::string path, std::string text);

  const std::string& path() const { return path_; }
  const std::string& text() const { return text_; }

  // 1-based line and column; columns count code points, as editors do.
  struct Position {
    std::uint32_t line = 1;
    std::uint32_t column = 1;
  };
  Position position(std::uint32_t offset) const;
  std::string_view line_text(std::uint32_t line) const;
  std::uint32_t line_count() const { return static_cast<std::uint32_t>(line_starts_.size()); }
  std::string_view slice(Span span) const;

 private:
  std::string path_;
  std::string text_;
  std::vector<std::uint32_t> line_starts_;
};

using SourcePtr = std::shared_ptr<const SourceFile>;

// Counts code points in a UTF-8 string (invalid bytes count one each).
std::uint32_t count_code_points(std::string_view text);

// The line as it can be shown on a terminal: control characters and bytes that are not UTF-8
// become `?` (one column each, as count_code_points counts them), a byte order mark disappears.
std::string printable_line(std::string_view line);

// Returns the offset of the first byte that is not part of valid UTF-8, or npos.
std::size_t find_invalid_utf8(std::string_view text);

}  // namespace refpol
