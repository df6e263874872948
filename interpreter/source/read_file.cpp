#include "interpreter/source/read_file.hpp"

#include <fmt/format.h>

#include <filesystem>
#include <fstream>

namespace refpol {

ReadResult read_stream_limited(std::istream& in, std::size_t max_bytes, std::string& out) {
  out.clear();
  char buf[1 << 16];
  while (in) {
    in.read(buf, sizeof buf);
    const auto n = static_cast<std::size_t>(in.gcount());
    if (n == 0) break;
    if (out.size() + n > max_bytes) {
      out.clear();
      return ReadResult{ReadStatus::too_large, static_cast<std::uint64_t>(max_bytes) + 1, false};
    }
    out.append(buf, n);
  }
  if (in.bad()) return ReadResult{ReadStatus::unreadable, 0};
  return ReadResult{ReadStatus::ok, out.size()};
}

ReadResult read_file_limited(const std::string& path, std::size_t max_bytes, std::string& out) {
  out.clear();
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) return ReadResult{ReadStatus::folder, 0};
  std::ifstream in(path, std::ios::binary);
  if (!in) return ReadResult{ReadStatus::unreadable, 0};
  // A regular file's size is known: refuse it without reading. Pipes and devices are read up to
  // the limit.
  const auto size = std::filesystem::file_size(path, ec);
  if (!ec && size > max_bytes) return ReadResult{ReadStatus::too_large, size};
  if (!ec) out.reserve(size);
  return read_stream_limited(in, max_bytes, out);
}

std::string describe_read_problem(const ReadResult& r, std::size_t max_bytes) {
  switch (r.status) {
    case ReadStatus::ok: return "";
    case ReadStatus::unreadable: return "cannot be read (does it exist?)";
    case ReadStatus::folder: return "is a folder, not a file";
    case ReadStatus::too_large:
      return r.size_known ? fmt::format("is {} bytes; the limit is {} bytes", r.size, max_bytes)
                                    : fmt::format("is larger than the limit of {} bytes", max_bytes);
  }
  return "";
}

}  // namespace refpol
