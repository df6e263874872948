// Static types of refpol values, and the facts schema (records and their fields).
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "interpreter/source/source.hpp"

namespace refpol {

enum class TypeKind : std::uint8_t {
  error,  // already reported; never reported again
  null,
  boolean,
  integer,
  number,
  money,  // an amount with a unit: a currency (CNY), `points`, `MB` or `GB`
  string,
  date,
  datetime,
  duration,
  range,   // elem: date, datetime, integer, number or money
  list,    // elem (and record for lists of records)
  record,
  function,
};

struct Type {
  TypeKind kind = TypeKind::error;
  bool optional = false;              // may be absent: reading it needs a guard
  TypeKind elem = TypeKind::error;    // for list and range
  int record = -1;                    // record index, for record and list-of-record
  std::string unit;                   // for money (and list/range of money)
  std::string absent_path;            // for optional values: the fact that may be absent

  static Type of(TypeKind k) {
    Type t;
    t.kind = k;
    return t;
  }
  static Type money_in(std::string unit) {
    Type t = of(TypeKind::money);
    t.unit = std::move(unit);
    return t;
  }
  static Type list_of(const Type& item) {
    Type t = of(TypeKind::list);
    t.elem = item.kind;
    t.record = item.record;
    t.unit = item.unit;
    return t;
  }
  Type element() const {
    Type t = of(elem);
    t.record = record;
    t.unit = unit;
    return t;
  }
  Type required() const {
    Type t = *this;
    t.optional = false;
    return t;
  }
  bool is_error() const { return kind == TypeKind::error; }
  bool numeric() const { return kind == TypeKind::integer || kind == TypeKind::number; }
};

struct FieldInfo {
  std::string name;
  Type type;
  Span span;
  int source_index = -1;  // which file declared it (for diagnostics)
};

struct RecordInfo {
  std::string name;
  std::vector<FieldInfo> fields;
  Span span;
  int source_index = -1;

  const FieldInfo* find(std::string_view field) const {
    for (const auto& f : fields) {
      if (f.name == field) return &f;
    }
    return nullptr;
  }
  int index_of(std::string_view field) const {
    for (std::size_t i = 0; i < fields.size(); ++i) {
      if (fields[i].name == field) return static_cast<int>(i);
    }
    return -1;
  }
};

// The facts schema: every record type, and the root record (index 0, named `facts`).
struct Schema {
  std::vector<RecordInfo> records;  // records[0] is the facts root
  std::map<std::string, int, std::less<>> by_name;

  const RecordInfo& root() const { return records[0]; }
  int find(std::string_view name) const {
    auto it = by_name.find(name);
    return it == by_name.end() ? -1 : it->second;
  }
};

// `money`, `list of Order`, `Customer?`, as a person reads them.
std::string type_name(const Type& t, const Schema& schema);

}  // namespace refpol
