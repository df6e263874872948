// YAML facts: yaml-cpp's event parser (YAML::Parser with an EventHandler) drives a converter
// that keeps an explicit stack of open mappings and lists, so nothing recurses on the input's
// nesting and no node tree is built. Aliases (`*name`) are refused, so a document can never
// expand beyond its own size ("billion laughs"); anchors alone are harmless and ignored.
// Scalars are read as the schema's field expects: `yes` for a string field is the string "yes".
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/mark.h>
#include <yaml-cpp/parser.h>

#include <istream>
#include <streambuf>
#include <string>
#include <string_view>
#include <vector>

#include "interpreter/eval/facts.hpp"
#include "interpreter/eval/facts_common.hpp"

namespace refpol {
namespace {

using namespace facts_detail;

// Reads a string in place, without the copy std::istringstream would make.
class MemoryBuffer : public std::streambuf {
 public:
  MemoryBuffer(const char* data, std::size_t size) {
    char* p = const_cast<char*>(data);
    setg(p, p, p + size);
  }
};

// yaml-cpp keeps byte offsets as int, -1 when unknown.
std::size_t pos_of(const YAML::Mark& mark) {
  return mark.pos < 0 ? 0 : static_cast<std::size_t>(mark.pos);
}

// Thrown from the handler to abandon the parse (too many errors, too deep, a second document).
struct StopReading {};

const std::string kNowName = "now";
const std::string kPaidName = "paid";

// Pending value of a record frame when it is not a schema field.
constexpr int kSlotSkip = -1;  // unknown, duplicate or unusable key: the value is ignored
constexpr int kSlotNow = -2;   // the top-level `now`
constexpr int kSlotPaid = -3;  // the top-level `paid`; in a paid frame, a reward's amount

struct Frame {
  // paid: the top-level `paid` mapping (its keys are reward keys, not fields)
  enum class Kind : std::uint8_t { record, list, skip, paid };
  Kind kind = Kind::skip;
  std::size_t offset = 0;  // where the mapping or list starts
  // record
  int record = -1;
  Value* slots = nullptr;
  std::size_t seen_base = 0;
  bool root = false;
  bool expect_key = true;
  int slot = kSlotSkip;
  std::size_t key_offset = 0;
  // list
  Expect item;
  std::size_t items_base = 0;
  std::size_t count = 0;
  // skip: containers open inside the skipped one; `key` when the skipped node is a mapping key
  std::size_t nested = 0;
  bool key = false;
};

class YamlLoader : public YAML::EventHandler {
 public:
  YamlLoader(std::size_t bom, const FactsContext& ctx, FactsDocument& out, ErrorSink& sink)
      : bom_(bom), ctx_(ctx), schema_(*ctx.schema), out_(out), arena_(out.arena), sink_(sink) {
    root_has_now_ = schema_.records[0].index_of(kNowName) >= 0;
    root_has_paid_ = schema_.records[0].index_of(kPaidName) >= 0;
  }

  const RecordV* root() const { return root_; }
  bool saw_document() const { return documents_ > 0 && got_root_; }

  void OnDocumentStart(const YAML::Mark& mark) override {
    if (++documents_ > 1) {
      fatal(pos_of(mark), "", "expected one YAML document, found a second one (`---`)");
    }
  }
  void OnDocumentEnd() override {}

  void OnNull(const YAML::Mark& mark, YAML::anchor_t) override {
    if (frames_.empty()) {
      got_root_ = true;
      fatal(pos_of(mark), "", "the document is empty: expected a mapping holding the facts");
    }
    Frame& top = frames_.back();
    if (top.kind == Frame::Kind::skip) return;
    if (top.kind == Frame::Kind::paid) {
      if (top.expect_key) {
        paid_key(top, pos_of(mark), std::string());
      } else {
        done(Value(), true);  // paid for a reward without a value
      }
      return;
    }
    if (top.kind == Frame::Kind::record && top.expect_key) {
      top.expect_key = false;
      top.slot = kSlotSkip;
      return;
    }
    if (top.kind == Frame::Kind::record && top.slot == kSlotPaid) {
      done(Value(), false);  // `paid:` with nothing: no paid rewards
      return;
    }
    if (top.kind == Frame::Kind::record) {
      if (top.slot >= 0) {
        const RecordInfo& record = schema_.records[static_cast<std::size_t>(top.record)];
        const FieldInfo& field = record.fields[static_cast<std::size_t>(top.slot)];
        // An empty value has no position of its own in yaml-cpp, so point at the key.
        if (!field.type.optional) error(top.key_offset, null_field_message(field.name));
      }
    } else {
      error(pos_of(mark),
            "expected " + describe_expected(top.item, schema_, Format::yaml) + ", got null");
    }
    done(Value(), false);
  }

  void OnAlias(const YAML::Mark& mark, YAML::anchor_t) override {
    if (frames_.empty()) {
      got_root_ = true;
      fatal(pos_of(mark), "", "YAML aliases (`*name`) are not allowed in facts");
    }
    error(pos_of(mark), "YAML aliases (`*name`) are not allowed in facts");
    Frame& top = frames_.back();
    if (top.kind == Frame::Kind::skip) return;
    if ((top.kind == Frame::Kind::record || top.kind == Frame::Kind::paid) && top.expect_key) {
      top.expect_key = false;
      top.slot = kSlotSkip;
      return;
    }
    done(Value(), false);
  }

  void OnScalar(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t,
                const std::string& text) override {
    if (frames_.empty()) {
      got_root_ = true;
      fatal(pos_of(mark), "", "expected a mapping holding the facts, got " + quoted(text));
    }
    Frame& top = frames_.back();
    if (top.kind == Frame::Kind::skip) return;
    if (top.kind == Frame::Kind::record && top.expect_key) {
      key(top, pos_of(mark), text);
      return;
    }
    if (top.kind == Frame::Kind::paid && top.expect_key) {
      paid_key(top, pos_of(mark), text);
      return;
    }
    if (top.kind == Frame::Kind::paid) paid_value_at_ = pos_of(mark);
    if (top.kind == Frame::Kind::record && top.slot == kSlotPaid) {
      error(pos_of(mark), paid_not_object_message(quoted(text)));
      done(Value(), false);
      return;
    }
    Expect e;
    if (!target(e)) {
      done(Value(), false);
      return;
    }
    // Quoted, block and `!!str` scalars are text; plain ones are read as the field expects.
    const bool quoted_text = tag == "!" || tag == "tag:yaml.org,2002:str";
    Value value;
    const bool ok = scalar(pos_of(mark), e, text, quoted_text, value);
    done(value, ok);
  }

  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {
    open(pos_of(mark), TypeKind::list);
  }
  void OnSequenceEnd() override { close(); }

  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {
    open(pos_of(mark), TypeKind::record);
  }
  void OnMapEnd() override { close(); }

 private:
  std::size_t offset(std::size_t pos) const { return pos + bom_; }

  // The path of the value now being read inside the first `nframes` frames.
  std::string path(std::size_t nframes, const std::string* extra = nullptr) const {
    PathStep steps[kMaxFactsDepth + 2];
    std::size_t n = 0;
    auto add = [&](const std::string* name, std::size_t index) {
      if (n < kMaxFactsDepth + 2) steps[n++] = PathStep{name, index};
    };
    for (std::size_t i = 0; i < nframes; ++i) {
      const Frame& f = frames_[i];
      if (f.kind == Frame::Kind::record && !f.expect_key) {
        if (f.slot >= 0) {
          const RecordInfo& record = schema_.records[static_cast<std::size_t>(f.record)];
          add(&record.fields[static_cast<std::size_t>(f.slot)].name, 0);
        } else if (f.slot == kSlotNow) {
          add(&kNowName, 0);
        } else if (f.slot == kSlotPaid) {
          add(&kPaidName, 0);
        }
      } else if (f.kind == Frame::Kind::paid && !f.expect_key && f.slot == kSlotPaid) {
        add(&paid_step_, 0);
      } else if (f.kind == Frame::Kind::list) {
        add(nullptr, f.count);
      }
    }
    if (extra != nullptr) add(extra, 0);
    return render_path(steps, n);
  }

  void error(std::size_t pos, std::string message) {
    sink_.add(path(frames_.size()), offset(pos), std::move(message));
    if (sink_.full()) throw StopReading{};
  }

  [[noreturn]] void fatal(std::size_t pos, std::string where, std::string message) {
    sink_.add(std::move(where), offset(pos), std::move(message));
    throw StopReading{};
  }

  std::size_t depth() const {
    std::size_t d = frames_.size();
    if (!frames_.empty() && frames_.back().kind == Frame::Kind::skip) d += frames_.back().nested;
    return d;
  }

  // What the value about to be read should be; false when it is to be ignored.
  bool target(Expect& e) const {
    const Frame& top = frames_.back();
    if (top.kind == Frame::Kind::list) {
      e = top.item;
      return true;
    }
    if (top.slot == kSlotNow) {
      e = Expect{TypeKind::datetime, true, -1, TypeKind::error};
      return true;
    }
    if (top.kind == Frame::Kind::paid && top.slot == kSlotPaid) {
      e = Expect{TypeKind::money, true, -1, TypeKind::error};
      return true;
    }
    if (top.slot < 0) return false;
    const RecordInfo& record = schema_.records[static_cast<std::size_t>(top.record)];
    e = Expect::of_field(record.fields[static_cast<std::size_t>(top.slot)].type);
    return true;
  }

  void key(Frame& top, std::size_t pos, const std::string& text) {
    const RecordInfo& record = schema_.records[static_cast<std::size_t>(top.record)];
    top.key_offset = pos;
    top.expect_key = false;
    const int slot = record.index_of(text);
    if (slot < 0) {
      top.slot = kSlotSkip;
      if (top.root && !root_has_now_ && text == kNowName) {
        if (seen_now_) {
          top.slot = kSlotSkip;
          sink_.add(path(frames_.size() - 1, &kNowName), offset(pos), duplicate_key_message(text));
          if (sink_.full()) throw StopReading{};
        } else {
          seen_now_ = true;
          top.slot = kSlotNow;
        }
      } else if (top.root && !root_has_paid_ && text == kPaidName) {
        if (seen_paid_) {
          sink_.add(path(frames_.size() - 1, &kPaidName), offset(pos), duplicate_key_message(text));
          if (sink_.full()) throw StopReading{};
        } else {
          seen_paid_ = true;
          top.slot = kSlotPaid;
        }
      }
      return;
    }
    const auto s = static_cast<std::size_t>(slot);
    if (seen_[top.seen_base + s] != 0) {
      top.slot = kSlotSkip;
      sink_.add(path(frames_.size() - 1, &record.fields[s].name), offset(pos),
                duplicate_key_message(text));
      if (sink_.full()) throw StopReading{};
      return;
    }
    seen_[top.seen_base + s] = 1;
    top.slot = slot;
  }

  // A reward key in the top-level `paid`.
  void paid_key(Frame& top, std::size_t pos, const std::string& text) {
    top.expect_key = false;
    top.key_offset = pos;
    top.slot = kSlotPaid;
    paid_step_ = '"' + text + '"';
    if (text.empty()) error(pos, paid_empty_key_message());
    // Past the limit keys are only counted; `paid` is reported when it closes.
    if (++paid_count_ > kMaxFactsListItems) {
      top.slot = kSlotSkip;
      return;
    }
    paid_where_.push_back(pos);
    out_.paid.push_back(PaidReward{text, Decimal{}});
  }

  bool scalar(std::size_t pos, const Expect& e, const std::string& text, bool quoted_text,
              Value& out) {
    const std::string found = quoted_text ? "the string " + quoted(text) : quoted(text);
    std::string message;
    switch (e.kind) {
      case TypeKind::boolean:
        if (!quoted_text) {
          if (text == "true" || text == "True" || text == "TRUE") {
            out = true;
            return true;
          }
          if (text == "false" || text == "False" || text == "FALSE") {
            out = false;
            return true;
          }
        }
        message = "expected true or false, got " + found;
        break;
      case TypeKind::integer:
        if (!quoted_text) {
          bool bad_syntax = false;
          if (convert_number(text, e, ctx_.currency_unit, out, message, bad_syntax)) return true;
          if (bad_syntax) message = "expected a whole number, got " + found;
        } else {
          message = "expected a whole number, got " + found;
        }
        break;
      case TypeKind::number:
      case TypeKind::money:
      case TypeKind::string:
      case TypeKind::date:
      case TypeKind::datetime:
      case TypeKind::duration:
        if (convert_text(text, e, ctx_, arena_, out, message)) {
          if (frames_.back().slot == kSlotNow && frames_.back().kind == Frame::Kind::record &&
              out.index() == kDateTime) {
            out_.now = boost::variant2::get<DateTime>(out);
          }
          return true;
        }
        break;
      default:
        message = "expected " + describe_expected(e, schema_, Format::yaml) + ", got " + found;
        break;
    }
    error(pos, std::move(message));
    return false;
  }

  void open(std::size_t pos, TypeKind kind) {
    const char* found = kind == TypeKind::list ? "a list" : "a mapping";
    if (depth() + 1 > kMaxFactsDepth) fatal(pos, path(frames_.size()), too_deep_message());
    if (frames_.empty()) {
      got_root_ = true;
      if (kind != TypeKind::record) {
        fatal(pos, "", std::string("expected a mapping holding the facts, got ") + found);
      }
      push_record(pos, 0, true);
      return;
    }
    Frame& top = frames_.back();
    if (top.kind == Frame::Kind::skip) {
      ++top.nested;
      return;
    }
    if ((top.kind == Frame::Kind::record || top.kind == Frame::Kind::paid) && top.expect_key) {
      error(pos, std::string("expected a key, got ") + found);
      push_skip(pos, true);
      return;
    }
    if (top.kind == Frame::Kind::record && top.slot == kSlotPaid) {
      if (kind != TypeKind::record) {
        error(pos, paid_not_object_message(found));
        push_skip(pos, false);
        return;
      }
      Frame f;
      f.kind = Frame::Kind::paid;
      f.offset = pos;
      paid_where_.clear();
      paid_count_ = 0;
      frames_.push_back(f);
      return;
    }
    Expect e;
    if (!target(e)) {
      push_skip(pos, false);
      return;
    }
    if (kind == TypeKind::record && e.kind == TypeKind::record && e.record >= 0 &&
        static_cast<std::size_t>(e.record) < schema_.records.size()) {
      push_record(pos, e.record, false);
      return;
    }
    if (kind == TypeKind::list && e.kind == TypeKind::list) {
      Frame f;
      f.kind = Frame::Kind::list;
      f.offset = pos;
      f.item = e.element();
      f.items_base = items_.size();
      frames_.push_back(f);
      return;
    }
    error(pos, "expected " + describe_expected(e, schema_, Format::yaml) + ", got " + found);
    push_skip(pos, false);
  }

  void push_skip(std::size_t pos, bool is_key) {
    Frame f;
    f.kind = Frame::Kind::skip;
    f.offset = pos;
    f.key = is_key;
    frames_.push_back(f);
  }

  void push_record(std::size_t pos, int record_index, bool root) {
    const RecordInfo& record = schema_.records[static_cast<std::size_t>(record_index)];
    Frame f;
    f.kind = Frame::Kind::record;
    f.offset = pos;
    f.record = record_index;
    f.root = root;
    f.slots = arena_.values(record.fields.size());
    f.seen_base = seen_.size();
    seen_.resize(seen_.size() + record.fields.size(), 0);
    frames_.push_back(f);
  }

  void close() {
    if (frames_.empty()) return;
    Frame& top = frames_.back();
    switch (top.kind) {
      case Frame::Kind::skip: {
        if (top.nested > 0) {
          --top.nested;
          return;
        }
        const bool was_key = top.key;
        frames_.pop_back();
        if (was_key) {
          // A mapping or list used as a key: its value is ignored too.
          Frame& parent = frames_.back();
          parent.expect_key = false;
          parent.slot = kSlotSkip;
        } else {
          done(Value(), false);
        }
        return;
      }
      case Frame::Kind::record: {
        const Frame f = top;
        const RecordInfo& record = schema_.records[static_cast<std::size_t>(f.record)];
        const std::size_t n = record.fields.size();
        frames_.back().expect_key = true;  // the path below names the record itself
        for (std::size_t i = 0; i < n; ++i) {
          if (seen_[f.seen_base + i] != 0 || record.fields[i].type.optional) continue;
          sink_.add(path(frames_.size(), &record.fields[i].name), offset(f.offset),
                    missing_field_message(record.fields[i].name));
          if (sink_.full()) throw StopReading{};
        }
        seen_.resize(f.seen_base);
        RecordV* rv = arena_.record();
        rv->fields = f.slots;
        rv->size = static_cast<std::uint32_t>(n);
        rv->record = f.record;
        frames_.pop_back();
        if (frames_.empty()) {
          root_ = rv;
          return;
        }
        done(static_cast<const RecordV*>(rv), true);
        return;
      }
      case Frame::Kind::paid: {
        const Frame f = top;
        frames_.pop_back();
        if (paid_count_ > kMaxFactsListItems) error(f.offset, paid_too_many_message(paid_count_));
        std::vector<std::pair<std::uint32_t, std::string>> repeated;
        sort_paid(out_.paid, repeated);
        for (const auto& [place, key] : repeated) {
          paid_step_ = '"' + key + '"';
          sink_.add(path(frames_.size(), &paid_step_), offset(paid_where_[place]), duplicate_key_message(key));
          if (sink_.full()) throw StopReading{};
        }
        done(Value(), false);
        return;
      }
      case Frame::Kind::list: {
        const Frame f = top;
        if (f.count > kMaxFactsListItems) {
          frames_.pop_back();
          error(f.offset, too_many_items_message(f.count));
          done(Value(), false);
          return;
        }
        Value* items = arena_.values(f.count);
        for (std::size_t i = 0; i < f.count; ++i) items[i] = items_[f.items_base + i];
        items_.resize(f.items_base);
        ListV* list = arena_.list();
        list->items = items;
        list->size = static_cast<std::uint32_t>(f.count);
        frames_.pop_back();
        done(static_cast<const ListV*>(list), true);
        return;
      }
    }
  }

  // A value has been read for the top frame (`has` false: nothing to keep).
  void done(const Value& value, bool has) {
    Frame& top = frames_.back();
    if (top.kind == Frame::Kind::record) {
      if (has && top.slot >= 0) top.slots[top.slot] = value;
      top.expect_key = true;
      top.slot = kSlotSkip;
    } else if (top.kind == Frame::Kind::paid) {
      if (has && top.slot == kSlotPaid && value.index() == kMoney) {
        out_.paid.back().value = boost::variant2::get<Money>(value).amount;
        if (out_.paid.back().value.mantissa < 0) error(paid_value_at_, paid_negative_message());
      }
      top.expect_key = true;
      top.slot = kSlotSkip;
    } else if (top.kind == Frame::Kind::list) {
      // Past the limit items are only counted; the list is reported when it closes.
      if (top.count < kMaxFactsListItems + 1) items_.push_back(has ? value : Value());
      ++top.count;
    }
  }

  std::size_t bom_;
  const FactsContext& ctx_;
  const Schema& schema_;
  FactsDocument& out_;
  Arena& arena_;
  ErrorSink& sink_;
  std::vector<Frame> frames_;
  std::vector<unsigned char> seen_;
  std::vector<Value> items_;  // items of the open lists, innermost last
  bool root_has_now_ = false;
  bool seen_now_ = false;
  bool root_has_paid_ = false;
  bool seen_paid_ = false;
  std::string paid_step_;                 // the reward key being read in `paid`, quoted
  std::vector<std::size_t> paid_where_;  // where each key of `paid` is
  std::size_t paid_count_ = 0;           // keys of `paid`, also those past the limit
  std::size_t paid_value_at_ = 0;        // where the amount being read is
  bool got_root_ = false;
  int documents_ = 0;
  const RecordV* root_ = nullptr;
};

bool load_yaml(std::string_view text, const FactsContext& ctx, FactsDocument& out,
               ErrorSink& sink) {
  if (ctx.schema == nullptr || ctx.schema->records.empty()) {
    sink.add("", 0, "no facts schema to check the document against");
    return false;
  }
  if (text.size() > kMaxFactsBytes) {
    sink.add("", 0, too_large_message(text.size()));
    return false;
  }
  const std::size_t bom = bom_length(text);
  const std::string_view body = text.substr(bom);
  const std::size_t bad = utf8_error_offset(body);
  if (bad != std::string_view::npos) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "invalid UTF-8: byte 0x%02x cannot appear here",
                  static_cast<unsigned>(static_cast<unsigned char>(body[bad])));
    sink.add("", bad + bom, buf);
    return false;
  }

  MemoryBuffer buffer(body.data(), body.size());
  std::istream stream(&buffer);
  YamlLoader loader(bom, ctx, out, sink);
  try {
    YAML::Parser parser(stream);
    while (parser.HandleNextDocument(loader)) {
    }
  } catch (const StopReading&) {
    return false;
  } catch (const YAML::Exception& e) {
    std::string message = "invalid YAML: " + e.msg;
    sink.add("", pos_of(e.mark) + bom, std::move(message));
    return false;
  }
  if (!loader.saw_document()) {
    sink.add("", bom, "the document is empty: expected a mapping holding the facts");
    return false;
  }
  if (sink.any()) return false;
  out.root = loader.root();
  return out.root != nullptr;
}

}  // namespace

bool load_facts_yaml(std::string_view text, const FactsContext& ctx, FactsDocument& out,
                     std::vector<FactsError>& errors) {
  out.reset();
  ErrorSink sink(errors, text);
  bool ok = false;
  try {
    ok = load_yaml(text, ctx, out, sink);
  } catch (const std::bad_alloc&) {
    sink.add("", 0, "out of memory while reading the facts");
    ok = false;
  } catch (const std::exception& e) {
    sink.add("", 0, std::string("internal error while reading the facts: ") + e.what());
    ok = false;
  }
  if (!ok) {
    if (!sink.any()) sink.add("", 0, "the facts could not be read");
    out.root = nullptr;
    out.now.reset();
    out.paid.clear();
  }
  sink.finish();
  return ok;
}

}  // namespace refpol
