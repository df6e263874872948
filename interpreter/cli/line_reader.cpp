// The block reader behind `refpol eval --jsonl` (line_reader.hpp).
#include "interpreter/cli/line_reader.hpp"

#include <poll.h>
#include <unistd.h>

#include <algorithm>
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
    std::memmove(buf_.get(), buf_.get() + pos_, size_ - pos_);
    size_ -= pos_;
    pos_ = 0;
  }
  if (cap_ - size_ < kBlock) {
    const std::size_t cap = std::max(2 * cap_, size_ + kBlock);
    auto bigger = std::make_unique_for_overwrite<char[]>(cap);
    if (size_ > 0) std::memcpy(bigger.get(), buf_.get(), size_);
    buf_ = std::move(bigger);
    cap_ = cap;
  }
  ssize_t n;
  do {
    n = ::read(fd_, buf_.get() + size_, kBlock);
  } while (n < 0 && errno == EINTR);
  if (n <= 0) {
    if (n < 0) errno_ = errno;
    eof_ = true;
    return false;
  }
  size_ += static_cast<std::size_t>(n);
  return true;
}

bool LineReader::next(Line& line) {
  std::size_t skipped = 0;  // bytes of a too-long line already thrown away
  while (true) {
    const char* start = buf_.get() + pos_;
    const std::size_t avail = size_ - pos_;
    const void* nl = avail > 0 ? std::memchr(start, '\n', avail) : nullptr;
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
      pos_ = size_;
    }
    if (!fill() && size_ == pos_ && skipped == 0) return false;
  }
}

}  // namespace refpol::cli
