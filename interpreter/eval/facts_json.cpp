// JSON facts: simdjson On-Demand walks the document once, guided by the schema. Numbers are
// converted from their raw text (never through double), strings are copied into the arena, and
// every value the schema does not read is still checked to be well-formed JSON.
//
// simdjson tells us *that* a document is malformed but not precisely where or why, so on any
// syntax error a small strict validator (below) re-reads the text to find the first problem
// and word it. That path only runs for broken documents.
#include <simdjson.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>

#include "interpreter/eval/facts.hpp"
#include "interpreter/eval/facts_common.hpp"

namespace refpol {
namespace {

namespace od = simdjson::ondemand;
using namespace facts_detail;

// ---------------------------------------------------------------------------------------------
// The strict validator used to locate and describe syntax errors.

class JsonValidator {
 public:
  explicit JsonValidator(std::string_view text) : t_(text) {}

  // True when a problem was found: `offset` and `message` describe the first one.
  bool find(std::size_t& offset, std::string& message) {
    enum class State { value, key, after };
    skip_ws();
    if (i_ == t_.size()) return fail(i_, "invalid JSON: the document is empty", offset, message);
    State state = State::value;
    for (;;) {
      switch (state) {
        case State::value: {
          skip_ws();
          if (i_ == t_.size()) {
            return fail(i_, "invalid JSON: expected a value, got the end of the document", offset,
                        message);
          }
          const char c = t_[i_];
          if (c == '{' || c == '[') {
            if (depth_ >= kMaxFactsDepth) return fail(i_, too_deep_message(), offset, message);
            stack_[depth_++] = c;
            ++i_;
            skip_ws();
            const char close = c == '{' ? '}' : ']';
            if (i_ < t_.size() && t_[i_] == close) {
              ++i_;
              --depth_;
              state = State::after;
            } else {
              state = c == '{' ? State::key : State::value;
            }
          } else if (c == '"') {
            if (!string(offset, message)) return true;
            state = State::after;
          } else if (c == '-' || (c >= '0' && c <= '9')) {
            if (!number(offset, message)) return true;
            state = State::after;
          } else if (c == 't' || c == 'f' || c == 'n') {
            if (!literal(offset, message)) return true;
            state = State::after;
          } else {
            return fail(i_, "invalid JSON: expected a value, got " + describe_at(i_), offset,
                        message);
          }
          break;
        }
        case State::key: {
          skip_ws();
          if (i_ == t_.size() || t_[i_] != '"') {
            return fail(i_, "invalid JSON: expected a key in double quotes, got " + describe_at(i_),
                        offset, message);
          }
          if (!string(offset, message)) return true;
          skip_ws();
          if (i_ == t_.size() || t_[i_] != ':') {
            return fail(i_, "invalid JSON: expected `:` after the key, got " + describe_at(i_),
                        offset, message);
          }
          ++i_;
          state = State::value;
          break;
        }
        case State::after: {
          skip_ws();
          if (depth_ == 0) {
            if (i_ < t_.size()) {
              return fail(i_,
                          "invalid JSON: expected the end of the document, got " + describe_at(i_),
                          offset, message);
            }
            return false;
          }
          const bool object = stack_[depth_ - 1] == '{';
          const char close = object ? '}' : ']';
          if (i_ < t_.size() && t_[i_] == ',') {
            ++i_;
            state = object ? State::key : State::value;
          } else if (i_ < t_.size() && t_[i_] == close) {
            ++i_;
            --depth_;
          } else {
            return fail(i_,
                        std::string("invalid JSON: expected `,` or `") + close + "` after " +
                            (object ? "an object member" : "an array item") + ", got " +
                            describe_at(i_),
                        offset, message);
          }
          break;
        }
      }
    }
  }

 private:
  static bool fail(std::size_t at, std::string text, std::size_t& offset, std::string& message) {
    offset = at;
    message = std::move(text);
    return true;
  }

  void skip_ws() {
    while (i_ < t_.size() &&
           (t_[i_] == ' ' || t_[i_] == '\t' || t_[i_] == '\n' || t_[i_] == '\r')) {
      ++i_;
    }
  }

  // Length of the well-formed UTF-8 sequence at `at`, or 0.
  std::size_t utf8_length(std::size_t at) const {
    const std::size_t end = std::min(t_.size(), at + 4);
    const std::size_t bad = utf8_error_offset(t_.substr(at, end - at));
    const auto c = static_cast<unsigned char>(t_[at]);
    const std::size_t len = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    if (bad != std::string_view::npos && bad < len) return 0;
    return at + len <= t_.size() ? len : 0;
  }

  std::string describe_at(std::size_t at) const {
    if (at >= t_.size()) return "the end of the document";
    const auto c = static_cast<unsigned char>(t_[at]);
    std::string out = "`";
    if (c >= 0x80) {
      const std::size_t len = utf8_length(at);
      if (len == 0) return "a byte that is not UTF-8";
      out.append(t_.substr(at, len));
    } else if (c < 0x20 || c == 0x7F) {
      return "a control character";
    } else {
      out += static_cast<char>(c);
    }
    out += '`';
    return out;
  }

  static int hex(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  }

  // Reads \uXXXX at `at` (the backslash); returns the code unit or -1.
  long read_u_escape(std::size_t at) const {
    if (at + 6 > t_.size() || t_[at] != '\\' || t_[at + 1] != 'u') return -1;
    long v = 0;
    for (std::size_t k = 2; k < 6; ++k) {
      const int h = hex(t_[at + k]);
      if (h < 0) return -1;
      v = v * 16 + h;
    }
    return v;
  }

  bool string(std::size_t& offset, std::string& message) {
    const std::size_t start = i_;
    std::size_t j = i_ + 1;
    for (;;) {
      if (j >= t_.size()) {
        fail(start, "invalid JSON: string is not closed", offset, message);
        return false;
      }
      const auto c = static_cast<unsigned char>(t_[j]);
      if (c == '"') {
        i_ = j + 1;
        return true;
      }
      if (c < 0x20) {
        fail(j, "invalid JSON: control character in a string (write it as an escape like \\n)",
             offset, message);
        return false;
      }
      if (c == '\\') {
        if (j + 1 >= t_.size()) {
          fail(start, "invalid JSON: string is not closed", offset, message);
          return false;
        }
        const char e = t_[j + 1];
        if (e == '"' || e == '\\' || e == '/' || e == 'b' || e == 'f' || e == 'n' || e == 'r' ||
            e == 't') {
          j += 2;
          continue;
        }
        if (e != 'u') {
          if (e > ' ' && e < 0x7F) {
            fail(j, std::string("invalid JSON: unknown escape `\\") + e + "` in a string", offset,
                 message);
          } else {
            fail(j,
                 "invalid JSON: unknown escape in a string (a backslash must be followed by "
                 "one of \" \\ / b f n r t u)",
                 offset, message);
          }
          return false;
        }
        const long unit = read_u_escape(j);
        if (unit < 0) {
          fail(j, "invalid JSON: `\\u` must be followed by four hex digits", offset, message);
          return false;
        }
        if (unit >= 0xD800 && unit <= 0xDBFF) {
          const long low = read_u_escape(j + 6);
          if (low < 0xDC00 || low > 0xDFFF) {
            fail(j, "invalid JSON: unpaired surrogate in a `\\u` escape", offset, message);
            return false;
          }
          j += 12;
          continue;
        }
        if (unit >= 0xDC00 && unit <= 0xDFFF) {
          fail(j, "invalid JSON: unpaired surrogate in a `\\u` escape", offset, message);
          return false;
        }
        j += 6;
        continue;
      }
      if (c >= 0x80) {
        const std::size_t len = utf8_length(j);
        if (len == 0) {
          fail(j, "invalid UTF-8 in a string", offset, message);
          return false;
        }
        j += len;
        continue;
      }
      ++j;
    }
  }

  static bool delimiter(char c) {
    return c == ',' || c == ']' || c == '}' || c == ' ' || c == '\t' || c == '\n' || c == '\r' ||
           c == ':';
  }

  bool number(std::size_t& offset, std::string& message) {
    std::size_t j = i_;
    while (j < t_.size() && !delimiter(t_[j]) && t_[j] != '"' && t_[j] != '[' && t_[j] != '{') {
      ++j;
    }
    const std::string_view token = t_.substr(i_, j - i_);
    Decimal ignored;
    if (parse_decimal(token, ignored) == DecimalError::syntax) {
      fail(i_, "invalid JSON: invalid number " + quoted(token), offset, message);
      return false;
    }
    i_ = j;
    return true;
  }

  bool literal(std::size_t& offset, std::string& message) {
    for (std::string_view word :
         {std::string_view("true"), std::string_view("false"), std::string_view("null")}) {
      if (t_.substr(i_, word.size()) == word &&
          (i_ + word.size() == t_.size() || delimiter(t_[i_ + word.size()]))) {
        i_ += word.size();
        return true;
      }
    }
    std::size_t j = i_;
    while (j < t_.size() && !delimiter(t_[j]) && j - i_ < 20) ++j;
    fail(i_, "invalid JSON: expected a value, got " + quoted(t_.substr(i_, j - i_)), offset,
         message);
    return false;
  }

  std::string_view t_;
  std::size_t i_ = 0;
  char stack_[kMaxFactsDepth + 1] = {};
  std::size_t depth_ = 0;
};

// ---------------------------------------------------------------------------------------------
// Per-thread buffers, so that a stream of small documents allocates nothing after the first.

constexpr std::size_t kReusedBufferLimit = 1 << 20;  // bigger documents get buffers of their own
// Field names up to this long are matched against raw keys in place; the input buffer gets this
// much padding beyond simdjson's own.
constexpr std::size_t kMaxFastName = 64;
constexpr std::size_t kPadding = simdjson::SIMDJSON_PADDING + kMaxFastName + 1;

struct JsonScratch {
  od::parser parser;
  std::unique_ptr<char[]> buffer;
  std::size_t capacity = 0;
  std::vector<unsigned char> seen;  // for each open record, which fields were given
};

JsonScratch& thread_scratch() {
  thread_local JsonScratch scratch;
  return scratch;
}

const std::string kNowName = "now";
const std::string kPaidName = "paid";

// memcmp for short keys without a library call. Reads only within [a, a+n) and [b, b+n).
inline bool same_bytes(const char* a, const char* b, std::size_t n) {
  if (n >= 8) {
    std::size_t i = 0;
    for (; i + 8 <= n; i += 8) {
      std::uint64_t x;
      std::uint64_t y;
      std::memcpy(&x, a + i, 8);
      std::memcpy(&y, b + i, 8);
      if (x != y) return false;
    }
    if (i == n) return true;
    std::uint64_t x;
    std::uint64_t y;
    std::memcpy(&x, a + n - 8, 8);  // the last eight bytes, overlapping what was compared
    std::memcpy(&y, b + n - 8, 8);
    return x == y;
  }
  for (std::size_t i = 0; i < n; ++i) {
    if (a[i] != b[i]) return false;
  }
  return true;
}

const char* found_name(od::json_type t) {
  switch (t) {
    case od::json_type::array:
      return "an array";
    case od::json_type::object:
      return "an object";
    case od::json_type::number:
      return "a number";
    case od::json_type::string:
      return "a string";
    case od::json_type::boolean:
      return "a boolean";
    case od::json_type::null:
      return "null";
  }
  return "a value";
}

std::string_view trim_right(std::string_view s) {
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\t' || s.back() == '\n' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

class JsonLoader {
 public:
  JsonLoader(const char* base, std::size_t length, std::size_t bom, const FactsContext& ctx,
             Arena& arena, std::optional<DateTime>& now, std::vector<PaidReward>* paid,
             ErrorSink& sink, JsonScratch& scratch)
      : base_(base),
        end_(base + length),
        bom_(bom),
        ctx_(ctx),
        schema_(*ctx.schema),
        now_(now),
        paid_(paid),
        arena_(arena),
        sink_(sink),
        seen_(scratch.seen) {
    root_has_now_ = schema_.records[0].index_of(kNowName) >= 0;
    root_has_paid_ = schema_.records[0].index_of(kPaidName) >= 0;
  }

  // Reads the document as the object of schema record `record` at nesting `depth` (the root
  // record 0 at 1, or a part of a larger document). Afterwards syntax_error() tells whether
  // reading stopped at malformed JSON (to be located by the validator), and root() is set when
  // the whole document was read.
  void run(od::parser& parser, std::size_t capacity, int record, std::size_t depth,
           std::uint64_t caller_fills = 0) {
    caller_fills_ = caller_fills;
    od::document doc;
    if (auto err =
            parser.iterate(base_, static_cast<std::size_t>(end_ - base_), capacity).get(doc)) {
      syntax(err);
      return;
    }
    od::json_type type;
    if (auto err = doc.type().get(type)) {
      syntax(err);
      return;
    }
    const char* at = base_;
    while (at < end_ && (*at == ' ' || *at == '\t' || *at == '\n' || *at == '\r')) ++at;
    if (type != od::json_type::object) {
      sink_.add("", offset(at),
                std::string("expected an object holding the facts, got ") + found_name(type));
      stopped_ = true;
      return;
    }
    od::object object;
    if (auto err = doc.get_object().get(object)) {
      syntax(err);
      return;
    }
    Value root;
    if (depth > kMaxFactsDepth) {
      fatal(at, too_deep_message());
      return;
    }
    if (!read_object(object, record, root, at, depth, depth == 1)) return;
    // Everything must have been read, with nothing after the root object.
    if (!doc.is_alive()) {
      syntax(simdjson::TAPE_ERROR);
      return;
    }
    auto location = doc.current_location();
    if (location.error() != simdjson::OUT_OF_BOUNDS) {
      syntax(simdjson::TAPE_ERROR);
      return;
    }
    root_ = boost::variant2::get<const RecordV*>(root);
  }

  bool syntax_error() const { return syntax_ != simdjson::SUCCESS; }
  simdjson::error_code syntax_code() const { return syntax_; }
  const RecordV* root() const { return root_; }

 private:
  std::size_t offset(const char* p) const {
    if (p < base_ || p > end_) return bom_;
    return static_cast<std::size_t>(p - base_) + bom_;
  }

  bool syntax(simdjson::error_code err) {
    if (syntax_ == simdjson::SUCCESS)
      syntax_ = err == simdjson::SUCCESS ? simdjson::TAPE_ERROR : err;
    stopped_ = true;
    return false;
  }

  std::string path() const { return render_path(steps_, nsteps_); }

  // A hand-made schema may name a record that does not exist; such a field takes no value.
  bool valid_record(int record) const {
    return record >= 0 && static_cast<std::size_t>(record) < schema_.records.size();
  }

  // An error that does not stop reading (unless it is the last one we keep).
  bool error(const char* at, std::string message) {
    sink_.add(path(), offset(at), std::move(message));
    if (sink_.full()) stopped_ = true;
    return !stopped_;
  }

  // An error after which the document is not read further.
  bool fatal(const char* at, std::string message) {
    sink_.add(path(), offset(at), std::move(message));
    stopped_ = true;
    return false;
  }

  void push(const std::string* name, std::size_t index = 0) {
    steps_[nsteps_].name = name;
    steps_[nsteps_].index = index;
    ++nsteps_;
  }
  void pop() { --nsteps_; }

  std::string mismatch(const Expect& e, od::json_type found) const {
    return "expected " + describe_expected(e, schema_, Format::json) + ", got " + found_name(found);
  }

  // Reads `v` as `e` into `out`. A null leaves `out` Absent; when `e` is not optional that is
  // reported, as a missing field when `field` is given, else as a wrong type. `depth` is the
  // nesting of the container holding `v` (the root object is 1).
  bool read_value(od::value& v, const Expect& e, Value& out, std::size_t depth,
                  const std::string* field) {
    const char* at = v.raw_json_token().data();
    od::json_type type;
    if (auto err = v.type().get(type)) return syntax(err);
    if (type == od::json_type::null) {
      bool is_null = false;
      if (auto err = v.is_null().get(is_null)) return syntax(err);
      if (!is_null) return syntax(simdjson::N_ATOM_ERROR);
      if (e.optional) return true;
      if (field != nullptr) return error(at, null_field_message(*field));
      return error(at, mismatch(e, type));
    }
    switch (e.kind) {
      case TypeKind::boolean:
        if (type == od::json_type::boolean) {
          bool b = false;
          if (auto err = v.get_bool().get(b)) return syntax(err);
          out = b;
          return true;
        }
        break;
      case TypeKind::integer:
      case TypeKind::number:
      case TypeKind::money:
        if (type == od::json_type::number) {
          const std::string_view text = trim_right(v.raw_json_token());
          std::string message;
          bool bad_syntax = false;
          if (convert_number(text, e, ctx_.currency_unit, out, message, bad_syntax)) return true;
          if (bad_syntax) return syntax(simdjson::NUMBER_ERROR);
          return error(at, std::move(message));
        }
        if (type == od::json_type::string && e.kind != TypeKind::integer)
          return read_text(v, e, out, at);
        break;
      case TypeKind::string:
      case TypeKind::date:
      case TypeKind::datetime:
      case TypeKind::duration:
        if (type == od::json_type::string) return read_text(v, e, out, at);
        break;
      case TypeKind::list:
        if (type == od::json_type::array) return read_list(v, e, out, at, depth + 1);
        break;
      case TypeKind::record:
        if (type == od::json_type::object && valid_record(e.record)) {
          if (depth + 1 > kMaxFactsDepth) return fatal(at, too_deep_message());
          od::object object;
          if (auto err = v.get_object().get(object)) return syntax(err);
          return read_object(object, e.record, out, at, depth + 1, false);
        }
        break;
      default:
        break;
    }
    // A scalar is checked to be well-formed first, so that `tru` is a syntax error rather than
    // a wrong type; a container's contents come after the mismatch.
    if (type != od::json_type::array && type != od::json_type::object) {
      if (!skip(v, type, at, depth)) return false;
      return error(at, mismatch(e, type));
    }
    if (!error(at, mismatch(e, type))) return false;
    return skip(v, type, at, depth);
  }

  bool read_text(od::value& v, const Expect& e, Value& out, const char* at) {
    std::string_view text;
    if (auto err = v.get_string().get(text)) return syntax(err);
    std::string message;
    if (convert_text(text, e, ctx_, arena_, out, message)) return true;
    return error(at, std::move(message));
  }

  bool read_list(od::value& v, const Expect& e, Value& out, const char* at, std::size_t depth) {
    if (depth > kMaxFactsDepth) return fatal(at, too_deep_message());
    od::array array;
    if (auto err = v.get_array().get(array)) return syntax(err);
    std::size_t count = 0;
    if (auto err = array.count_elements().get(count)) return syntax(err);
    if (count > kMaxFactsListItems) {
      if (!error(at, too_many_items_message(count))) return false;
      // Still make sure the items are well-formed.
      for (auto item : array) {
        if (item.error()) return syntax(item.error());
        if (!skip_value(item.value_unsafe(), depth)) return false;
      }
      return true;
    }
    Value* items = arena_.values(count);
    ListV* list = arena_.list();
    list->items = items;
    list->size = static_cast<std::uint32_t>(count);
    out = static_cast<const ListV*>(list);
    const Expect item_type = e.element();
    std::size_t i = 0;
    for (auto item : array) {
      if (item.error()) return syntax(item.error());
      if (i >= count) return syntax(simdjson::TAPE_ERROR);
      push(nullptr, i);
      if (!read_value(item.value_unsafe(), item_type, items[i], depth, nullptr)) return false;
      pop();
      ++i;
    }
    if (i != count) return syntax(simdjson::TAPE_ERROR);
    return true;
  }

  // Finds the slot of a key straight from its raw text, trying the slot after the last match
  // first (keys usually come in schema order). Field names hold no quotes or backslashes, so a
  // name matches when its bytes are followed by the closing quote. Reads at most
  // kMaxFastName + 1 bytes past the key's start, which the buffer's padding covers.
  static int match_raw_key(const RecordInfo& record, const char* raw, std::size_t hint) {
    const std::size_t n = record.fields.size();
    for (std::size_t k = 0; k < n; ++k) {
      std::size_t i = hint + k;
      if (i >= n) i -= n;
      const std::string& name = record.fields[i].name;
      if (name.size() <= kMaxFastName && raw[name.size()] == '"' &&
          same_bytes(raw, name.data(), name.size())) {
        return static_cast<int>(i);
      }
    }
    return -1;
  }

  bool read_object(od::object& object, int record_index, Value& out, const char* at,
                   std::size_t depth, bool root) {
    const RecordInfo& record = schema_.records[static_cast<std::size_t>(record_index)];
    const std::size_t n = record.fields.size();
    Value* slots = arena_.values(n);
    RecordV* rv = arena_.record();
    rv->fields = slots;
    rv->size = static_cast<std::uint32_t>(n);
    rv->record = record_index;
    out = static_cast<const RecordV*>(rv);
    const std::size_t seen_base = seen_.size();
    seen_.resize(seen_base + n, 0);
    std::size_t hint = 0;
    // The fields the caller fills in (of the object read first only): not read, and not needed.
    const std::uint64_t fills = caller_fills_;
    caller_fills_ = 0;
    for (auto field_result : object) {
      if (field_result.error()) return syntax(field_result.error());
      od::field& field = field_result.value_unsafe();
      const char* raw = field.key().raw();
      const char* key_at = raw - 1;
      int slot = match_raw_key(record, raw, hint);
      std::string_view key;
      if (slot < 0) {
        // Unknown, escaped (`"\u0069d"`) or very long: look at the whole key.
        const char* q = raw;
        while (q < end_ && *q != '"' && *q != '\\') ++q;
        key = std::string_view(raw, static_cast<std::size_t>(q - raw));
        if (q < end_ && *q == '\\') {
          if (auto err = field.unescaped_key().get(key)) return syntax(err);
        }
        slot = record.index_of(key);
      }
      if (slot < 0) {
        if (root && !root_has_now_ && key == kNowName) {
          if (seen_now_) {
            push(&kNowName);
            if (!error(key_at, duplicate_key_message(kNowName))) return false;
            pop();
            if (!skip_value(field.value(), depth)) return false;
            continue;
          }
          seen_now_ = true;
          if (!read_now(field.value(), depth)) return false;
        } else if (root && paid_ != nullptr && !root_has_paid_ && key == kPaidName) {
          if (seen_paid_) {
            push(&kPaidName);
            if (!error(key_at, duplicate_key_message(kPaidName))) return false;
            pop();
            if (!skip_value(field.value(), depth)) return false;
            continue;
          }
          seen_paid_ = true;
          if (!read_paid(field.value(), depth)) return false;
        } else if (!skip_value(field.value(), depth)) {
          return false;
        }
        continue;
      }
      const auto s = static_cast<std::size_t>(slot);
      hint = s + 1;
      const FieldInfo& info = record.fields[s];
      push(&info.name);
      if (seen_[seen_base + s] != 0) {
        if (!error(key_at, duplicate_key_message(info.name))) return false;
        pop();
        if (!skip_value(field.value(), depth)) return false;
        continue;
      }
      seen_[seen_base + s] = 1;
      if (s < 64 && ((fills >> s) & 1u) != 0) {
        if (!skip_value(field.value(), depth)) return false;
        pop();
        continue;
      }
      if (!read_value(field.value(), Expect::of_field(info.type), slots[s], depth, &info.name)) {
        return false;
      }
      pop();
    }
    for (std::size_t i = 0; i < n; ++i) {
      if (seen_[seen_base + i] != 0 || record.fields[i].type.optional) continue;
      if (i < 64 && ((fills >> i) & 1u) != 0) continue;
      push(&record.fields[i].name);
      if (!error(at, missing_field_message(record.fields[i].name))) return false;
      pop();
    }
    seen_.resize(seen_base);
    return true;
  }

  bool read_now(od::value v, std::size_t depth) {
    push(&kNowName);
    const Expect e{TypeKind::datetime, true, -1, TypeKind::error};
    Value value;
    if (!read_value(v, e, value, depth, nullptr)) return false;
    if (value.index() == kDateTime) now_ = boost::variant2::get<DateTime>(value);
    pop();
    return true;
  }

  // The top-level `paid`: an object from reward keys to what was paid for each (an amount, or
  // null for a reward without a value), left sorted by key in `*paid_`.
  bool read_paid(od::value v, std::size_t depth) {
    push(&kPaidName);
    const char* at = v.raw_json_token().data();
    od::json_type type;
    if (auto err = v.type().get(type)) return syntax(err);
    if (type != od::json_type::object) {
      if (!skip(v, type, at, depth)) return false;
      if (type != od::json_type::null && !error(at, paid_not_object_message(found_name(type)))) return false;
      pop();
      return true;
    }
    if (depth + 1 > kMaxFactsDepth) return fatal(at, too_deep_message());
    od::object object;
    if (auto err = v.get_object().get(object)) return syntax(err);
    const Expect amount{TypeKind::money, true, -1, TypeKind::error};
    std::string step;  // the key, quoted, as the path's last step
    std::vector<const char*> where;  // of each key, for a repeated one
    std::size_t count = 0;
    for (auto field_result : object) {
      if (field_result.error()) return syntax(field_result.error());
      od::field& field = field_result.value_unsafe();
      const char* key_at = field.key().raw() - 1;
      std::string_view key;
      if (auto err = field.unescaped_key().get(key)) return syntax(err);
      step.assign(1, '"').append(key).push_back('"');
      push(&step);
      Value value;
      const char* value_at = field.value().raw_json_token().data();
      if (!read_value(field.value(), amount, value, depth + 1, nullptr)) return false;
      PaidReward entry{std::string(key), Decimal{}};
      if (value.index() == kMoney) entry.value = boost::variant2::get<Money>(value).amount;
      if (entry.key.empty() && !error(key_at, paid_empty_key_message())) return false;
      if (entry.value.mantissa < 0 && !error(value_at, paid_negative_message())) return false;
      // Past the limit entries are only counted (and checked); `paid` is reported below.
      if (++count <= kMaxFactsListItems) {
        paid_->push_back(std::move(entry));
        where.push_back(key_at);
      }
      pop();
    }
    if (count > kMaxFactsListItems && !error(at, paid_too_many_message(count))) return false;
    if (!sort_paid(*paid_, where, step)) return false;
    pop();
    return true;
  }

  // Sorts the paid rewards by key; a key given twice is an error at its second place.
  bool sort_paid(std::vector<PaidReward>& paid, const std::vector<const char*>& where, std::string& step) {
    std::vector<std::pair<std::uint32_t, std::string>> repeated;
    facts_detail::sort_paid(paid, repeated);
    for (const auto& [place, key] : repeated) {
      step.assign(1, '"').append(key).push_back('"');
      push(&step);
      const bool go_on = error(where[place], duplicate_key_message(key));
      pop();
      if (!go_on) return false;
    }
    return true;
  }

  // Checks that a value nobody reads is well-formed.
  bool skip_value(od::value v, std::size_t depth) {
    const char* at = v.raw_json_token().data();
    od::json_type type;
    if (auto err = v.type().get(type)) return syntax(err);
    return skip(v, type, at, depth);
  }

  bool skip(od::value& v, od::json_type type, const char* at, std::size_t depth) {
    switch (type) {
      case od::json_type::array: {
        if (depth + 1 > kMaxFactsDepth) return fatal(at, too_deep_message());
        od::array array;
        if (auto err = v.get_array().get(array)) return syntax(err);
        for (auto item : array) {
          if (item.error()) return syntax(item.error());
          if (!skip_value(item.value_unsafe(), depth + 1)) return false;
        }
        return true;
      }
      case od::json_type::object: {
        if (depth + 1 > kMaxFactsDepth) return fatal(at, too_deep_message());
        od::object object;
        if (auto err = v.get_object().get(object)) return syntax(err);
        for (auto field_result : object) {
          if (field_result.error()) return syntax(field_result.error());
          od::field& field = field_result.value_unsafe();
          std::string_view key;
          if (auto err = field.unescaped_key().get(key)) return syntax(err);
          if (!skip_value(field.value(), depth + 1)) return false;
        }
        return true;
      }
      case od::json_type::number: {
        Decimal ignored;
        if (parse_decimal(trim_right(v.raw_json_token()), ignored) == DecimalError::syntax) {
          return syntax(simdjson::NUMBER_ERROR);
        }
        return true;
      }
      case od::json_type::string: {
        std::string_view text;
        if (auto err = v.get_string().get(text)) return syntax(err);
        return true;
      }
      case od::json_type::boolean: {
        bool b = false;
        if (auto err = v.get_bool().get(b)) return syntax(err);
        return true;
      }
      case od::json_type::null: {
        bool is_null = false;
        if (auto err = v.is_null().get(is_null)) return syntax(err);
        if (!is_null) return syntax(simdjson::N_ATOM_ERROR);
        return true;
      }
    }
    return syntax(simdjson::TAPE_ERROR);
  }

  const char* base_;
  const char* end_;
  std::size_t bom_;
  const FactsContext& ctx_;
  const Schema& schema_;
  std::optional<DateTime>& now_;
  std::vector<PaidReward>* paid_;  // null when reading a part of a document
  Arena& arena_;
  ErrorSink& sink_;
  std::vector<unsigned char>& seen_;
  PathStep steps_[kMaxFactsDepth + 2];
  std::size_t nsteps_ = 0;
  bool root_has_now_ = false;
  bool seen_now_ = false;
  bool root_has_paid_ = false;
  bool seen_paid_ = false;
  std::uint64_t caller_fills_ = 0;  // for the first object read (run())
  bool stopped_ = false;
  simdjson::error_code syntax_ = simdjson::SUCCESS;
  const RecordV* root_ = nullptr;
};

void report_syntax_error(std::string_view text, std::size_t bom, simdjson::error_code code,
                         ErrorSink& sink) {
  const std::string_view body = text.substr(bom);
  if (code == simdjson::UTF8_ERROR) {
    const std::size_t bad = utf8_error_offset(body);
    if (bad != std::string_view::npos) {
      char buf[64];
      std::snprintf(buf, sizeof buf, "invalid UTF-8: byte 0x%02x cannot appear here",
                    static_cast<unsigned>(static_cast<unsigned char>(body[bad])));
      sink.add("", bad + bom, buf);
      return;
    }
  }
  std::size_t offset = 0;
  std::string message;
  if (JsonValidator(body).find(offset, message)) {
    sink.add("", offset + bom, std::move(message));
    return;
  }
  // The validator and simdjson disagree; keep simdjson's word for it.
  std::string fallback = std::string("invalid JSON: ") + simdjson::error_message(code);
  for (char& c : fallback) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  while (!fallback.empty() && fallback.back() == '.') fallback.pop_back();
  sink.add("", bom, std::move(fallback));
}

// Reads `text` as an object of schema record `record` at nesting `depth` into `arena`; `now` takes
// the root's `now` key.
bool load_json(std::string_view text, const FactsContext& ctx, int record, std::size_t depth,
               std::uint64_t caller_fills, Arena& arena, std::optional<DateTime>& now,
               std::vector<PaidReward>* paid, const RecordV*& out, ErrorSink& sink) {
  if (ctx.schema == nullptr || record < 0 ||
      static_cast<std::size_t>(record) >= ctx.schema->records.size()) {
    sink.add("", 0, "no facts schema to check the document against");
    return false;
  }
  if (text.size() > kMaxFactsBytes) {
    sink.add("", 0, too_large_message(text.size()));
    return false;
  }
  const std::size_t bom = bom_length(text);
  const std::string_view body = text.substr(bom);

  JsonScratch& scratch = thread_scratch();
  const std::size_t needed = body.size() + kPadding;
  std::unique_ptr<char[]> own_buffer;
  std::unique_ptr<od::parser> own_parser;
  char* buffer = nullptr;
  od::parser* parser = &scratch.parser;
  if (body.size() > kReusedBufferLimit) {
    // Do not keep tens of megabytes per thread for one large document.
    own_buffer.reset(new char[needed]);
    own_parser = std::make_unique<od::parser>();
    buffer = own_buffer.get();
    parser = own_parser.get();
  } else {
    if (scratch.capacity < needed) {
      scratch.buffer.reset(new char[needed]);
      scratch.capacity = needed;
    }
    buffer = scratch.buffer.get();
  }
  // An empty view may have a null data(), which memcpy must not get even for 0 bytes.
  if (!body.empty()) std::memcpy(buffer, body.data(), body.size());
  std::memset(buffer + body.size(), 0, kPadding);
  scratch.seen.clear();

  JsonLoader loader(buffer, body.size(), bom, ctx, arena, now, paid, sink, scratch);
  loader.run(*parser, needed, record, depth, caller_fills);
  if (loader.syntax_error()) {
    report_syntax_error(text, bom, loader.syntax_code(), sink);
    sink.mark_syntax();
    return false;
  }
  if (sink.any()) return false;
  out = loader.root();
  return out != nullptr;
}

// load_facts_json and load_facts_json_record: the loading, with exceptions turned into errors.
bool load_guarded(std::string_view text, const FactsContext& ctx, int record, std::size_t depth,
                  std::uint64_t caller_fills, Arena& arena, std::optional<DateTime>& now,
                  std::vector<PaidReward>* paid, const RecordV*& out, std::vector<FactsError>& errors) {
  ErrorSink sink(errors, text);
  bool ok = false;
  try {
    ok = load_json(text, ctx, record, depth, caller_fills, arena, now, paid, out, sink);
  } catch (const std::bad_alloc&) {
    sink.add("", 0, "out of memory while reading the facts");
    ok = false;
  } catch (const std::exception& e) {
    sink.add("", 0, std::string("internal error while reading the facts: ") + e.what());
    ok = false;
  }
  if (!ok) {
    if (!sink.any()) sink.add("", 0, "the facts could not be read");
    out = nullptr;
    now.reset();
    if (paid != nullptr) paid->clear();
  }
  sink.finish();
  return ok;
}

}  // namespace

bool load_facts_json(std::string_view text, const FactsContext& ctx, FactsDocument& out,
                     std::vector<FactsError>& errors) {
  out.reset();
  return load_guarded(text, ctx, 0, 1, 0, out.arena, out.now, &out.paid, out.root, errors);
}

bool load_facts_json_record(std::string_view text, const FactsContext& ctx, int record,
                            std::size_t depth, Arena& arena, const RecordV*& out,
                            std::vector<FactsError>& errors, std::uint64_t caller_fills) {
  std::optional<DateTime> ignored;
  return load_guarded(text, ctx, record, depth, caller_fills, arena, ignored, nullptr, out, errors);
}

}  // namespace refpol
