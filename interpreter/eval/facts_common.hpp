// Shared by the JSON and YAML facts loaders: what a field expects, scalar conversions, error
// collection with paths and positions, and UTF-8 checks. Internal to interpreter/eval/facts_*.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "interpreter/check/types.hpp"
#include "interpreter/eval/facts.hpp"
#include "interpreter/eval/value.hpp"

namespace refpol::facts_detail {

// A document stops being read after this many errors.
inline constexpr std::size_t kMaxFactsErrors = 20;

// What a position in the document expects, without copying a Type (no strings on the hot path).
struct Expect {
  TypeKind kind = TypeKind::error;
  bool optional = false;
  int record = -1;                  // for record
  TypeKind elem = TypeKind::error;  // for list
  static Expect of_field(const Type& t) { return Expect{t.kind, t.optional, t.record, t.elem}; }
  // List items are never optional; lists of lists do not exist in the language.
  Expect element() const { return Expect{elem, false, record, TypeKind::error}; }
};

enum class Format { json, yaml };

// `a Customer (an object)`, `an amount (a number)`, `a date (YYYY-MM-DD)`, ...
std::string describe_expected(const Expect& e, const Schema& schema, Format format);

// One step of a field path: a field name or a list index.
// (No member initializers: the loaders keep arrays of these and set both members.)
struct PathStep {
  const std::string* name;  // null for an index
  std::size_t index;
};
// `referrals[3].first_order.amount`: root fields have no leading dot.
std::string render_path(const PathStep* steps, std::size_t count);

// Collects errors by byte offset; line and column are worked out once, at the end. Appends at
// most kMaxFactsErrors for one document, then reports full().
class ErrorSink {
 public:
  ErrorSink(std::vector<FactsError>& out, std::string_view text) : out_(out), text_(text) {
    start_ = out_.size();
  }
  void add(std::string path, std::size_t offset, std::string message);
  bool full() const { return out_.size() - start_ >= kMaxFactsErrors; }
  bool any() const { return out_.size() > start_; }
  // Marks this document's errors as syntax errors (FactsError::syntax).
  void mark_syntax() {
    for (std::size_t i = start_; i < out_.size(); ++i) out_[i].syntax = true;
  }
  // Sorts this document's errors by position and fills in line and column.
  void finish();

 private:
  std::vector<FactsError>& out_;
  std::string_view text_;
  std::size_t start_ = 0;
  std::vector<std::size_t> offsets_;
};

// 1-based line and column (in code points) of a byte offset; lines end at '\n'.
void line_column(std::string_view text, std::size_t offset, std::uint32_t& line,
                 std::uint32_t& column);

// Offset of the first byte that is not well-formed UTF-8 (overlongs, surrogates and values
// above U+10FFFF included), or npos.
std::size_t utf8_error_offset(std::string_view text);

// Length of a UTF-8 byte order mark at the start of `text` (0 or 3).
inline std::size_t bom_length(std::string_view text) {
  return text.size() >= 3 && static_cast<unsigned char>(text[0]) == 0xEF &&
                 static_cast<unsigned char>(text[1]) == 0xBB &&
                 static_cast<unsigned char>(text[2]) == 0xBF
             ? 3
             : 0;
}

// Text for a message: quoted, control characters escaped, cut to about 40 code points.
std::string quoted(std::string_view text);

// `-?(0|[1-9][0-9]*)`: a JSON whole number (no fraction, no exponent).
bool is_whole_number_syntax(std::string_view text);

// Converts number text (a JSON number token, a YAML plain scalar, or a string holding a
// number) for an integer, number or money field. Returns false with `message` set.
// `syntax_error` is set when the text is not a number at all (the caller words that).
bool convert_number(std::string_view text, const Expect& e, std::uint16_t currency_unit, Value& out,
                    std::string& message, bool& syntax_error);

// Converts text for a string, number, money, date, datetime or duration field. `found` is
// how the text is described when it is wrong (`"2026-02-30"`).
bool convert_text(std::string_view text, const Expect& e, const FactsContext& ctx, Arena& arena,
                  Value& out, std::string& message);

// `7 days`, `72 hours`, `1 month 2 days`: whole, non-negative counts of seconds, minutes,
// hours, days, weeks and months (singular or plural), separated by spaces.
bool parse_duration_text(std::string_view text, Duration& out, std::string& error);

// Messages shared by both formats.
std::string missing_field_message(const std::string& name);
std::string null_field_message(const std::string& name);
std::string too_deep_message();
std::string too_many_items_message(std::size_t count);
std::string too_large_message(std::size_t size);
std::string duplicate_key_message(std::string_view name);
// The top-level `paid` (docs/facts.md): its shape, its keys and amounts, its length.
std::string paid_not_object_message(std::string_view found);
std::string paid_empty_key_message();
std::string paid_negative_message();
std::string paid_too_many_message(std::size_t count);
// Sorts `paid` by key, keeping the given order among equal keys; `repeated` gets the places
// (before sorting) and keys of the keys given more than once, each but the first time, in the
// order they were given.
void sort_paid(std::vector<PaidReward>& paid, std::vector<std::pair<std::uint32_t, std::string>>& repeated);

}  // namespace refpol::facts_detail
