// The block reader behind `refpol eval --jsonl` (line_reader.hpp).
#include "interpreter/cli/line_reader.hpp"

#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace refpol::cli {

namespace {
constexpr std::size_t kBlock = 1 << 16;
}

bool LineReader::fill() {
  if (eof_) return false;
  // Would the read block? Then let the caller flush what it has first.
  pollfd p{fd_, POLLIN, 0};
  if (idle_ && poll(&p, 1, 0) == 0) idle_();
  if (pos_ > 0) {
    buf_.erase(0, pos_);
    pos_ = 0;
  }
  const std::size_t had = buf_.size();
  buf_.resize(had + kBlock);
  ssize_t n;
  do {
    n = ::read(fd_, buf_.data() + had, kBlock);
  } while (n < 0 && errno == EINTR);
  if (n <= 0) {
    buf_.resize(had);
    if (n < 0) errno_ = errno;
    eof_ = true;
    return false;
  }
  buf_.resize(had + static_cast<std::size_t>(n));
  return true;
}

bool LineReader::next(Line& line) {
  std::size_t skipped = 0;  // bytes of a too-long line already thrown away
  while (true) {
    const char* start = buf_.data() + pos_;
    const std::size_t avail = buf_.size() - pos_;
    const void* nl = std::memchr(start, '\n', avail);
    if (nl != nullptr || (eof_ && avail > 0) || (eof_ && skipped > 0)) {
      const std::size_t len = nl ? static_cast<std::size_t>(static_cast<const char*>(nl) - start) : avail;
      pos_ += len + (nl ? 1 : 0);
      line.length = skipped + len;
      line.too_long = line.length > max_line_;
      line.text = line.too_long ? std::string_view() : std::string_view(start, len);
      if (!line.text.empty() && line.text.back() == '\r') line.text.remove_suffix(1);
      return true;
    }
    if (avail > max_line_) {  // no newline yet and already too long: drop what we have
      skipped += avail;
      pos_ = buf_.size();
    }
    if (!fill() && buf_.size() == pos_ && skipped == 0) return false;
  }
}

}  // namespace refpol::cli
