// Values as JSON (for outputs) and as text (for explanations).
#include <fmt/format.h>

#include <charconv>

#include "interpreter/eval/evaluator.hpp"
#include "interpreter/source/diagnostic.hpp"

namespace refpol {
namespace {
}

void write_value_json(const Program& p, const Value& v, std::string& out) {
  switch (v.index()) {
    case kAbsent: out += "null"; return;
    case kBool: out += unsafe_get<kBool>(v) ? "true" : "false"; return;
    case kInt: {
      // Outputs are written at every evaluation: in place, without strings of their own.
      char buf[24];
      out.append(buf, static_cast<std::size_t>(std::to_chars(buf, buf + sizeof buf, unsafe_get<kInt>(v)).ptr - buf));
      return;
    }
    case kDecimal:
      out += '"';
      append_decimal(out, unsafe_get<kDecimal>(v));
      out += '"';
      return;
    case kMoney: {
      const Money& m = unsafe_get<kMoney>(v);
      out += R"({"amount":")";
      append_decimal(out, m.amount);
      out += R"(","unit":")";
      out += p.units[m.unit];
      out += R"("})";
      return;
    }
    case kString: out += "\"" + json_escape(unsafe_get<kString>(v).view()) + "\""; return;
    case kDate: out += "\"" + to_string(unsafe_get<kDate>(v)) + "\""; return;
    case kDateTime: out += "\"" + to_string(unsafe_get<kDateTime>(v)) + "\""; return;
    case kDuration: out += "\"" + to_string(unsafe_get<kDuration>(v)) + "\""; return;
    case kList: {
      const ListV* l = unsafe_get<kList>(v);
      out += "[";
      for (std::uint32_t i = 0; i < l->size; ++i) {
        if (i) out += ",";
        write_value_json(p, l->items[i], out);
      }
      out += "]";
      return;
    }
    case kRecord: {
      const RecordV* r = unsafe_get<kRecord>(v);
      const RecordInfo& info = p.policy.schema.records[static_cast<std::size_t>(r->record)];
      out += "{";
      for (std::uint32_t i = 0; i < r->size; ++i) {
        if (i) out += ",";
        out += "\"" + info.fields[i].name + "\":";
        write_value_json(p, r->fields[i], out);
      }
      out += "}";
      return;
    }
    case kRange: {
      const RangeV* r = unsafe_get<kRange>(v);
      out += "[";
      write_value_json(p, r->first, out);
      out += ",";
      write_value_json(p, r->last, out);
      out += "]";
      return;
    }
  }
}

std::string describe_value(const Program& p, const Value& v) {
  switch (v.index()) {
    case kAbsent: return "absent";
    case kBool: return unsafe_get<kBool>(v) ? "true" : "false";
    case kInt: return std::to_string(unsafe_get<kInt>(v));
    case kDecimal: return to_string(unsafe_get<kDecimal>(v));
    case kMoney: {
      const Money& m = unsafe_get<kMoney>(v);
      return to_string(m.amount) + " " + p.units[m.unit];
    }
    case kString: return "\"" + std::string(unsafe_get<kString>(v).view()) + "\"";
    case kDate: return to_string(unsafe_get<kDate>(v));
    case kDateTime: return to_string(unsafe_get<kDateTime>(v));
    case kDuration: return to_string(unsafe_get<kDuration>(v));
    case kList: return fmt::format("a list of {}", unsafe_get<kList>(v)->size);
    case kRecord: {
      const RecordV* r = unsafe_get<kRecord>(v);
      std::int32_t slot = r->record >= 0 ? p.id_slot[static_cast<std::size_t>(r->record)] : -1;
      if (slot >= 0 && r->fields[slot].index() == kString) {
        return fmt::format("`{}` {}", p.policy.schema.records[static_cast<std::size_t>(r->record)].name,
                           unsafe_get<kString>(r->fields[slot]).view());
      }
      return "a record";
    }
    case kRange: {
      const RangeV* r = unsafe_get<kRange>(v);
      return describe_value(p, r->first) + " .. " + describe_value(p, r->last);
    }
  }
  return "?";
}

}  // namespace refpol
