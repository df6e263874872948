// Conversions and error reporting shared by the JSON and YAML facts loaders.
#include "interpreter/eval/facts_common.hpp"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <limits>
#include <numeric>

namespace refpol {
namespace facts_detail {
namespace {

bool starts_with_vowel(std::string_view s) {
  return !s.empty() && std::strchr("AEIOUaeiou", s[0]) != nullptr;
}

const char* plural_name(TypeKind k) {
  switch (k) {
    case TypeKind::boolean:
      return "true/false values";
    case TypeKind::integer:
      return "whole numbers";
    case TypeKind::number:
      return "numbers";
    case TypeKind::money:
      return "amounts";
    case TypeKind::string:
      return "strings";
    case TypeKind::date:
      return "dates";
    case TypeKind::datetime:
      return "date-times";
    case TypeKind::duration:
      return "durations";
    default:
      return "values";
  }
}

std::string record_name(int record, const Schema& schema) {
  if (record < 0 || static_cast<std::size_t>(record) >= schema.records.size()) return "record";
  return schema.records[static_cast<std::size_t>(record)].name;
}

inline bool is_digit(char c) { return c >= '0' && c <= '9'; }

const TimeZone& utc_zone() {
  static const TimeZone utc;
  return utc;
}

// What a date string that parse_date refused is wrong with.
std::string date_message(std::string_view text) {
  const std::string shown = quoted(text);
  const bool shaped = text.size() == 10 && text[4] == '-' && text[7] == '-' &&
                      std::all_of(text.begin(), text.begin() + 4, is_digit) && is_digit(text[5]) &&
                      is_digit(text[6]) && is_digit(text[8]) && is_digit(text[9]);
  if (shaped) {
    const int year =
        (text[0] - '0') * 1000 + (text[1] - '0') * 100 + (text[2] - '0') * 10 + (text[3] - '0');
    const unsigned month = static_cast<unsigned>((text[5] - '0') * 10 + (text[6] - '0'));
    const unsigned day = static_cast<unsigned>((text[8] - '0') * 10 + (text[9] - '0'));
    if (year < kMinYear && month >= 1 && month <= 12 && day >= 1 &&
        day <= days_in_month(2000, month)) {
      return "expected a date from 0001-01-01 to 9999-12-31, got " + shown;
    }
    return "expected a date (YYYY-MM-DD), got " + shown + ", which does not exist";
  }
  return "expected a date (YYYY-MM-DD), got " + shown;
}

// Numbers shown in messages as written, but never at unbounded length.
std::string shown_number(std::string_view text) {
  if (text.size() <= 40) return std::string(text);
  return std::string(text.substr(0, 37)) + "...";
}

}  // namespace

std::string describe_expected(const Expect& e, const Schema& schema, Format format) {
  switch (e.kind) {
    case TypeKind::boolean:
      return "true or false";
    case TypeKind::integer:
      return "a whole number";
    case TypeKind::number:
      return "a number";
    case TypeKind::money:
      return "an amount (a number)";
    case TypeKind::string:
      return "a string";
    case TypeKind::date:
      return "a date (YYYY-MM-DD)";
    case TypeKind::datetime:
      return "a date-time (like 2026-12-08T10:00:00+08:00)";
    case TypeKind::duration:
      return "a duration (like \"7 days\")";
    case TypeKind::list: {
      std::string items = e.elem == TypeKind::record ? record_name(e.record, schema) + " records"
                                                     : std::string(plural_name(e.elem));
      return "a list of " + items + (format == Format::json ? " (an array)" : "");
    }
    case TypeKind::record: {
      const std::string name = record_name(e.record, schema);
      return std::string(starts_with_vowel(name) ? "an " : "a ") + name +
             (format == Format::json ? " (an object)" : " (a mapping)");
    }
    default:
      return "a value of a type facts cannot hold";
  }
}

std::string render_path(const PathStep* steps, std::size_t count) {
  std::string out;
  for (std::size_t i = 0; i < count; ++i) {
    if (steps[i].name != nullptr) {
      if (!out.empty()) out += '.';
      out += *steps[i].name;
    } else {
      out += '[';
      out += std::to_string(steps[i].index);
      out += ']';
    }
  }
  return out;
}

void ErrorSink::add(std::string path, std::size_t offset, std::string message) {
  if (full()) return;
  FactsError e;
  e.path = std::move(path);
  e.message = std::move(message);
  out_.push_back(std::move(e));
  offsets_.push_back(std::min(offset, text_.size()));
}

void ErrorSink::finish() {
  const std::size_t n = offsets_.size();
  if (n == 0) return;
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return offsets_[a] < offsets_[b]; });
  std::vector<FactsError> sorted;
  sorted.reserve(n);
  // One pass over the text for all positions, since they are now in order.
  std::uint32_t line = 1;
  std::size_t line_start = 0;
  std::size_t pos = 0;
  for (std::size_t k = 0; k < n; ++k) {
    const std::size_t target = offsets_[order[k]];
    for (; pos < target; ++pos) {
      if (text_[pos] == '\n') {
        ++line;
        line_start = pos + 1;
      }
    }
    std::uint32_t column = 1;
    // A byte order mark is not a column.
    const std::size_t from = line_start == 0 ? std::min(bom_length(text_), target) : line_start;
    for (std::size_t i = from; i < target; ++i) {
      if ((static_cast<unsigned char>(text_[i]) & 0xC0) != 0x80) ++column;
    }
    FactsError e = std::move(out_[start_ + order[k]]);
    e.line = line;
    e.column = column;
    sorted.push_back(std::move(e));
  }
  for (std::size_t k = 0; k < n; ++k) out_[start_ + k] = std::move(sorted[k]);
  offsets_.clear();
}

void line_column(std::string_view text, std::size_t offset, std::uint32_t& line,
                 std::uint32_t& column) {
  offset = std::min(offset, text.size());
  line = 1;
  std::size_t line_start = 0;
  for (std::size_t i = 0; i < offset; ++i) {
    if (text[i] == '\n') {
      ++line;
      line_start = i + 1;
    }
  }
  column = 1;
  const std::size_t from = line_start == 0 ? std::min(bom_length(text), offset) : line_start;
  for (std::size_t i = from; i < offset; ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) ++column;
  }
}

std::size_t utf8_error_offset(std::string_view text) {
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  const std::size_t n = text.size();
  std::size_t i = 0;
  while (i < n) {
    // ASCII runs, eight bytes at a time.
    while (i + 8 <= n) {
      std::uint64_t chunk;
      std::memcpy(&chunk, s + i, 8);
      if ((chunk & 0x8080808080808080ULL) != 0) break;
      i += 8;
    }
    if (i >= n) break;
    const unsigned char c = s[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    std::size_t len = 0;
    unsigned char lo = 0x80;
    unsigned char hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) {
      len = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
      len = 3;
      if (c == 0xE0) lo = 0xA0;  // no overlongs
      if (c == 0xED) hi = 0x9F;  // no surrogates
    } else if (c >= 0xF0 && c <= 0xF4) {
      len = 4;
      if (c == 0xF0) lo = 0x90;  // no overlongs
      if (c == 0xF4) hi = 0x8F;  // nothing above U+10FFFF
    } else {
      return i;
    }
    if (i + len > n) return i;
    if (s[i + 1] < lo || s[i + 1] > hi) return i;
    for (std::size_t k = 2; k < len; ++k) {
      if (s[i + k] < 0x80 || s[i + k] > 0xBF) return i;
    }
    i += len;
  }
  return std::string_view::npos;
}

std::string quoted(std::string_view text) {
  constexpr std::size_t kMaxShown = 40;  // code points
  std::string out = "\"";
  std::size_t shown = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if ((c & 0xC0) != 0x80) {
      if (shown == kMaxShown) {
        out += "...";
        break;
      }
      ++shown;
    }
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        if (c < 0x20 || c == 0x7F) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  out += '"';
  return out;
}

bool is_whole_number_syntax(std::string_view text) {
  std::size_t i = 0;
  if (i < text.size() && text[i] == '-') ++i;
  if (i >= text.size()) return false;
  if (text[i] == '0') return i + 1 == text.size();
  for (; i < text.size(); ++i) {
    if (!is_digit(text[i])) return false;
  }
  return true;
}

bool convert_number(std::string_view text, const Expect& e, std::uint16_t currency_unit, Value& out,
                    std::string& message, bool& syntax_error) {
  syntax_error = false;
  if (e.kind == TypeKind::integer) {
    if (is_whole_number_syntax(text)) {
      const bool negative = text[0] == '-';
      const std::size_t first = negative ? 1 : 0;
      // Accumulate negatively so that INT64_MIN fits; 18 digits can never overflow.
      std::int64_t v = 0;
      bool overflow = false;
      constexpr std::int64_t kMin = std::numeric_limits<std::int64_t>::min();
      if (text.size() - first <= 18) {
        for (std::size_t i = first; i < text.size(); ++i) v = v * 10 - (text[i] - '0');
      } else {
        for (std::size_t i = first; i < text.size(); ++i) {
          const int d = text[i] - '0';
          if (v < (kMin + d) / 10) {
            overflow = true;
            break;
          }
          v = v * 10 - d;
        }
        if (!overflow && !negative && v == kMin) overflow = true;
      }
      if (overflow) {
        message = "expected a whole number from -9223372036854775808 to 9223372036854775807, got " +
                  shown_number(text);
        return false;
      }
      out = negative ? v : -v;
      return true;
    }
    Decimal d;
    if (parse_decimal(text, d) == DecimalError::syntax) {
      syntax_error = true;
      return false;
    }
    message = "expected a whole number, got " + shown_number(text);
    return false;
  }
  Decimal d;
  switch (parse_decimal(text, d)) {
    case DecimalError::none:
      break;
    case DecimalError::syntax:
      syntax_error = true;
      return false;
    default:
      message =
          "expected a number that fits an exact decimal (about 18 significant digits, at "
          "most 18 after the point), got " +
          shown_number(text);
      return false;
  }
  if (e.kind == TypeKind::money) {
    out = Money{d, currency_unit};
  } else {
    out = d;
  }
  return true;
}

bool parse_duration_text(std::string_view text, Duration& out, std::string& error) {
  struct Unit {
    std::string_view name;
    std::int64_t seconds;  // 0 for months
  };
  static constexpr Unit kUnits[] = {
      {"seconds", 1},    {"second", 1},    {"minutes", 60}, {"minute", 60},
      {"hours", 3600},   {"hour", 3600},   {"days", 86400}, {"day", 86400},
      {"weeks", 604800}, {"week", 604800}, {"months", 0},   {"month", 0},
  };
  const std::string expected = "expected a duration (like \"7 days\"), got " + quoted(text);
  std::size_t i = 0;
  __extension__ __int128 seconds = 0;
  __extension__ __int128 months = 0;
  bool any = false;
  while (i < text.size()) {
    if (any) {
      // Parts are separated by spaces.
      if (text[i] != ' ') {
        error = expected;
        return false;
      }
      while (i < text.size() && text[i] == ' ') ++i;
    }
    const std::size_t digits_start = i;
    __extension__ __int128 count = 0;
    while (i < text.size() && is_digit(text[i])) {
      if (i - digits_start >= 12) {
        error = "duration out of range: " + quoted(text);
        return false;
      }
      count = count * 10 + (text[i] - '0');
      ++i;
    }
    if (i == digits_start) {
      error = expected;
      return false;
    }
    while (i < text.size() && (text[i] == ' ' || text[i] == '\t')) ++i;
    std::size_t word_end = i;
    while (word_end < text.size() && text[word_end] >= 'a' && text[word_end] <= 'z') ++word_end;
    const std::string_view word = text.substr(i, word_end - i);
    const Unit* unit = nullptr;
    for (const Unit& u : kUnits) {
      if (u.name == word) {
        unit = &u;
        break;
      }
    }
    if (unit == nullptr) {
      error = expected;
      return false;
    }
    if (unit->seconds == 0) {
      months += count;
    } else {
      seconds += count * unit->seconds;
    }
    any = true;
    i = word_end;
  }
  if (!any) {
    error = expected;
    return false;
  }
  if (months > std::numeric_limits<std::int32_t>::max() ||
      seconds > std::numeric_limits<std::int64_t>::max()) {
    error = "duration out of range: " + quoted(text);
    return false;
  }
  out = Duration{static_cast<std::int64_t>(seconds), static_cast<std::int32_t>(months)};
  return true;
}

bool convert_text(std::string_view text, const Expect& e, const FactsContext& ctx, Arena& arena,
                  Value& out, std::string& message) {
  if (text.size() > kMaxFactsStringBytes) {
    message = "string too long: " + std::to_string(text.size()) + " bytes (the limit is " +
              std::to_string(kMaxFactsStringBytes) + ")";
    return false;
  }
  switch (e.kind) {
    case TypeKind::string:
      out = arena.string(text);
      return true;
    case TypeKind::integer:
    case TypeKind::number:
    case TypeKind::money: {
      bool syntax = false;
      if (convert_number(text, e, ctx.currency_unit, out, message, syntax)) return true;
      if (syntax) {
        message =
            "expected " + describe_expected(e, *ctx.schema, Format::json) + ", got " + quoted(text);
      }
      return false;
    }
    case TypeKind::date: {
      Date d;
      if (parse_date(text, d)) {
        out = d;
        return true;
      }
      message = date_message(text);
      return false;
    }
    case TypeKind::datetime: {
      DateTime dt;
      std::string error;
      if (parse_datetime(text, ctx.zone != nullptr ? *ctx.zone : utc_zone(), dt, error)) {
        out = dt;
        return true;
      }
      message = "expected a date-time (like 2026-12-08T10:00:00+08:00), got " + quoted(text);
      if (error.rfind("expected", 0) != 0) message += ": " + error;
      return false;
    }
    case TypeKind::duration: {
      Duration d;
      if (parse_duration_text(text, d, message)) {
        out = d;
        return true;
      }
      return false;
    }
    default:
      message =
          "expected " + describe_expected(e, *ctx.schema, Format::json) + ", got " + quoted(text);
      return false;
  }
}

std::string missing_field_message(const std::string& name) {
  return "missing required field `" + name + "`";
}

std::string null_field_message(const std::string& name) {
  return "missing required field `" + name + "` (it is null)";
}

std::string too_deep_message() {
  return "nesting too deep: more than " + std::to_string(kMaxFactsDepth) +
         " levels of lists and objects";
}

std::string too_many_items_message(std::size_t count) {
  return "list too long: " + std::to_string(count) + " items (the limit is " +
         std::to_string(kMaxFactsListItems) + ")";
}

std::string too_large_message(std::size_t size) {
  return "document too large: " + std::to_string(size) + " bytes (the limit is " +
         std::to_string(kMaxFactsBytes) + ")";
}

std::string duplicate_key_message(std::string_view name) {
  return "duplicate key `" + std::string(name) + "`";
}

std::string paid_not_object_message(std::string_view found) {
  return "expected an object from reward keys to what was paid for each, got " + std::string(found);
}

void sort_paid(std::vector<PaidReward>& paid, std::vector<std::pair<std::uint32_t, std::string>>& repeated) {
  repeated.clear();
  std::vector<std::uint32_t> order(paid.size());
  for (std::uint32_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
    const int c = paid[a].key.compare(paid[b].key);
    return c != 0 ? c < 0 : a < b;
  });
  for (std::size_t i = 1; i < order.size(); ++i) {
    if (paid[order[i]].key == paid[order[i - 1]].key) repeated.emplace_back(order[i], paid[order[i]].key);
  }
  std::sort(repeated.begin(), repeated.end());
  std::vector<PaidReward> sorted;
  sorted.reserve(paid.size());
  for (std::uint32_t i : order) sorted.push_back(std::move(paid[i]));
  paid = std::move(sorted);
}

std::string paid_empty_key_message() { return "a reward key cannot be empty"; }

std::string paid_negative_message() { return "what was paid cannot be negative"; }

std::string paid_too_many_message(std::size_t count) {
  return "too many paid rewards: " + std::to_string(count) + " (the limit is " +
         std::to_string(kMaxFactsListItems) + ")";
}

}  // namespace facts_detail

std::string render_facts_error(const std::string& file, const FactsError& e) {
  std::string out = file;
  if (e.line > 0) {
    out += ':';
    out += std::to_string(e.line);
    out += ':';
    out += std::to_string(e.column);
  }
  out += ": error: ";
  if (!e.path.empty()) {
    out += e.path;
    out += ": ";
  }
  out += e.message;
  return out;
}

bool standard_campaign_counters(const Schema& schema, int record, int& spent, int& rank) {
  if (record < 0 || static_cast<std::size_t>(record) >= schema.records.size()) return false;
  const RecordInfo& c = schema.records[static_cast<std::size_t>(record)];
  spent = c.index_of("budget_spent");
  rank = c.index_of("rewarded_referrers");
  return c.fields.size() == 2 && spent >= 0 && rank >= 0 &&
         c.fields[static_cast<std::size_t>(spent)].type.kind == TypeKind::money &&
         c.fields[static_cast<std::size_t>(rank)].type.kind == TypeKind::integer;
}

}  // namespace refpol
