// Reads a stream of JSON lines from a file descriptor in large blocks. Before it would block
// waiting for more input it calls `idle` (eval flushes its decisions there), so a caller that
// streams one line and waits for its answer gets it at once, while a file or a busy pipe is
// still read and answered in big blocks. A line longer than `max_line` is skipped over, never
// held in memory whole: next() reports its length instead of its text.
#pragma once
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace refpol::cli {

class LineReader {
 public:
  LineReader(int fd, std::size_t max_line, std::function<void()> idle)
      : fd_(fd), max_line_(max_line), idle_(std::move(idle)) {}

  struct Line {
    std::string_view text;    // without the newline (and without a final `\r`)
    std::size_t length = 0;   // the full length, also when the line was too long to keep
    bool too_long = false;
  };
  // The next line, or false at the end of the input (or on a read error: error() says which).
  bool next(Line& line);
  int error() const { return errno_; }

 private:
  bool fill();  // reads more into buf_; false at the end of the input
  int fd_;
  std::size_t max_line_;
  std::function<void()> idle_;
  // Read bytes are buf_[0, size_) of cap_; not zeroed when it grows (reads fill it).
  std::unique_ptr<char[]> buf_;
  std::size_t size_ = 0, cap_ = 0;
  std::size_t pos_ = 0;  // start of the unread part of buf_
  bool eof_ = false;
  int errno_ = 0;
};

}  // namespace refpol::cli
