// Reading a whole file (or standard input) with a size limit, so that a huge input is refused
// before it is held in memory. Every command that reads a policy, a facts document or a test
// file goes through here.
#pragma once
#include <cstdint>
#include <istream>
#include <string>

namespace refpol {

enum class ReadStatus { ok, unreadable, folder, too_large };

struct ReadResult {
  ReadStatus status = ReadStatus::ok;
  std::uint64_t size = 0;  // bytes read, or, when too large, the file's size if size_known
  bool size_known = true;   // false for a stream past the limit, which is not read to its end
};

// Reads `path` whole into `out` unless it is larger than `max_bytes`.
ReadResult read_file_limited(const std::string& path, std::size_t max_bytes, std::string& out);
// The same for a stream (standard input): reads at most `max_bytes + 1` bytes.
ReadResult read_stream_limited(std::istream& in, std::size_t max_bytes, std::string& out);

// `cannot be read (does it exist?)`, `is a folder, not a file`, `is 20000000 bytes; the limit
// is 16777216 bytes`: what to say after the file's name.
std::string describe_read_problem(const ReadResult& r, std::size_t max_bytes);

}  // namespace refpol
